# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Utilizare: onsplan admin <comandă>
      create-org NUME
          creează o organizație
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email E-MAIL --name NUME [--lang nl-BE]
          creează un cont; titularul își alege singur parola printr-un link de unică folosință
      new-link E-MAIL
          un link nou pentru alegerea parolei
      disable E-MAIL
          închide un cont (sesiunile lui se opresc imediat)
      move E-MAIL ORG-ID
          cineva începe să lucreze pentru altă organizație
      assign-volunteer ID-FAMILIE E-MAIL|none
          alege voluntarul unei familii
      list
          organizații, conturi și familii (fără conținut)
      verify-log
          verifică jurnalele sigilate ale tuturor familiilor
      backup FIȘIER
          o copie de rezervă în timp ce serverul rulează
      restore FIȘIER
          readuce o copie de rezervă într-un dosar de date gol
admin-org-made = Organizația „{ $name }” a fost creată. Id: { $id }
admin-staff-made = Cont creat pentru { $name } ({ $role }, { $org }). Trimiteți-i lui { $name } acest link ca să-și aleagă singur parola. Funcționează o singură dată, timp de { $days ->
        [one] o zi
        [few] { $days } zile
       *[other] { $days } de zile
    }:
admin-link-made = Link nou pentru { $email }; linkurile anterioare nu mai funcționează. Funcționează o singură dată, timp de { $days ->
        [one] o zi
        [few] { $days } zile
       *[other] { $days } de zile
    }:
admin-disabled = { $email } nu se mai poate autentifica. Sesiunile s-au oprit, iar familiile la care această persoană era coach sau voluntar nu o mai au.
admin-moved = { $email } lucrează acum pentru { $org }. Familiile la care această persoană era coach sau voluntar nu o mai au.
admin-volunteer-set = Familia { $family } îl are acum pe { $email } ca voluntar.
admin-volunteer-cleared = Familia { $family } nu mai are voluntar.
admin-list-orgs = Organizații (id, nume, conturi active):
admin-list-staff = Conturi (e-mail, nume, rol, organizație, stare):
admin-list-families = Familii (id, organizație, coach, voluntar):
admin-state-active = activ
admin-state-no-password = așteaptă o parolă
admin-state-disabled = închis
admin-nobody = nimeni
admin-backup-made = Copia de rezervă a fost scrisă în { $file } ({ $size } octeți). Păstrați-o la fel de bine ca serverul: conține cheile serverului.
admin-backup-postgres = Pe PostgreSQL, faceți copia de rezervă cu pg_dump. Cheile sunt în baza de date, deci copia conține totul:
admin-restore-postgres = Pe PostgreSQL, readuceți o copie de rezervă cu pg_restore, într-o bază de date goală:
admin-restored = { $file } a fost readus în { $target }: { $orgs } organizații, { $staff } conturi, { $families } familii. Porniți serverul cu acest dosar de date.
admin-error-usage = Nu cunoaștem această comandă sau lipsește ceva.
admin-error-role = Rolul trebuie să fie coach, volunteer, partner sau coordinator.
admin-error-lang = Nu cunoaștem această limbă. Alegeți dintre: { $langs }.
admin-error-no-account = Nu există niciun cont activ cu adresa de e-mail { $email }.
admin-error-no-org = Nu există nicio organizație cu id-ul { $id }.
admin-error-no-family = Nu există nicio familie cu id-ul { $id }.
admin-error-same-org = { $email } lucrează deja pentru această organizație.
admin-error-file-exists = { $file } există deja. Alegeți alt nume de fișier.
admin-error-not-empty = Dosarul de date { $dir } nu este gol. Readuceți o copie de rezervă doar într-un dosar de date gol.
admin-error-not-backup = { $file } nu este o copie de rezervă Onsplan.
admin-error-store = Baza de date nu poate fi deschisă: { $error }
admin-error-failed = Nu a reușit: { $error }
admin-log-verified = Jurnalele tuturor celor { $families } familii sunt corecte ({ $entries } rânduri): nimic nu a fost schimbat sau șters.
admin-log-broken = Familia { $family }: rândul { $entry } a fost schimbat sau șters în afara Onsplan; de acolo jurnalul nu mai este corect.
admin-error-internal = Nu a mers: baza de date a refuzat și nu s-a schimbat nimic. Motivul este în jurnalul de mai sus (căutați „store error”).
admin-error-not-found = Nu am găsit asta. Verificați id-ul sau adresa de e-mail.
