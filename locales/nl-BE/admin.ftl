# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Gebruik: onsplan admin <opdracht>
      create-org NAAM
          een organisatie maken
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email E-MAIL --name NAAM [--lang nl-BE]
          een account maken; de persoon kiest zelf een wachtwoord via een eenmalige link
      new-link E-MAIL
          een nieuwe link om het wachtwoord te kiezen
      disable E-MAIL
          een account afsluiten (de sessies stoppen meteen)
      move E-MAIL ORG-ID
          iemand gaat voor een andere organisatie werken
      assign-volunteer GEZIN-ID E-MAIL|none
          de vrijwilliger van een gezin kiezen
      list
          organisaties, accounts en gezinnen (zonder inhoud)
      verify-log
          de verzegelde logboeken van alle gezinnen nakijken
      backup BESTAND
          een back-up terwijl de server draait
      restore BESTAND
          een back-up terugzetten in een lege datamap
admin-org-made = Organisatie „{ $name }” gemaakt. Id: { $id }
admin-staff-made = Account gemaakt voor { $name } ({ $role }, { $org }). Stuur { $name } deze link om zelf een wachtwoord te kiezen. Hij werkt één keer, { $days ->
        [one] { $days } dag
       *[other] { $days } dagen
    } lang:
admin-link-made = Nieuwe link voor { $email }; eerdere links werken niet meer. Hij werkt één keer, { $days ->
        [one] { $days } dag
       *[other] { $days } dagen
    } lang:
admin-disabled = { $email } kan niet meer aanmelden. De sessies zijn gestopt, en de gezinnen waar die persoon coach of vrijwilliger was, hebben die persoon niet meer.
admin-moved = { $email } werkt nu voor { $org }. De gezinnen waar die persoon coach of vrijwilliger was, hebben die persoon niet meer.
admin-volunteer-set = Het gezin { $family } heeft nu { $email } als vrijwilliger.
admin-volunteer-cleared = Het gezin { $family } heeft nu geen vrijwilliger.
admin-list-orgs = Organisaties (id, naam, actieve accounts):
admin-list-staff = Accounts (e-mail, naam, rol, organisatie, toestand):
admin-list-families = Gezinnen (id, organisatie, coach, vrijwilliger):
admin-state-active = actief
admin-state-no-password = wacht op wachtwoord
admin-state-disabled = afgesloten
admin-nobody = niemand
admin-backup-made = Back-up geschreven naar { $file } ({ $size } bytes). Bewaar hem even veilig als de server zelf: hij bevat de sleutels van de server.
admin-backup-postgres = Op PostgreSQL maakt u de back-up met pg_dump. De sleutels zitten in de databank, dus de dump bevat alles:
admin-restore-postgres = Op PostgreSQL zet u een back-up terug met pg_restore, in een lege databank:
admin-restored = { $file } is teruggezet in { $target }: { $orgs } organisaties, { $staff } accounts, { $families } gezinnen. Start de server met deze datamap.
admin-error-usage = Die opdracht kennen we niet, of er ontbreekt iets.
admin-error-role = De rol moet coach, volunteer, partner of coordinator zijn.
admin-error-lang = Die taal kennen we niet. Kies uit: { $langs }.
admin-error-no-account = Er is geen actief account met het e-mailadres { $email }.
admin-error-no-org = Er is geen organisatie met id { $id }.
admin-error-no-family = Er is geen gezin met id { $id }.
admin-error-same-org = { $email } werkt al voor die organisatie.
admin-error-file-exists = { $file } bestaat al. Kies een andere bestandsnaam.
admin-error-not-empty = De datamap { $dir } is niet leeg. Zet een back-up alleen terug in een lege datamap.
admin-error-not-backup = { $file } is geen back-up van Onsplan.
admin-error-store = De databank kan niet geopend worden: { $error }
admin-error-failed = Dat lukte niet: { $error }
admin-log-verified = De logboeken van alle { $families } gezinnen kloppen ({ $entries } regels): niets is veranderd of weggehaald.
admin-log-broken = Gezin { $family }: regel { $entry } is buiten Onsplan veranderd of weggehaald; vanaf daar klopt het logboek niet meer.
admin-error-internal = Dat is niet gelukt: de databank weigerde het, en er is niets veranderd. De reden staat in het logboek hierboven (zoek “store error”).
admin-error-not-found = Dat vonden we niet. Kijk het id of het e-mailadres na.
