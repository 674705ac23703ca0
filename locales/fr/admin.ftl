# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Utilisation : onsplan admin <commande>
      create-org NOM
          créer une organisation
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email E-MAIL --name NOM [--lang nl-BE]
          créer un compte ; la personne choisit elle-même son mot de passe grâce à un lien à usage unique
      new-link E-MAIL
          un nouveau lien pour choisir le mot de passe
      disable E-MAIL
          fermer un compte (ses sessions s’arrêtent aussitôt)
      move E-MAIL ORG-ID
          quelqu’un va travailler pour une autre organisation
      assign-volunteer ID-FAMILLE E-MAIL|none
          choisir le ou la bénévole d’une famille
      list
          organisations, comptes et familles (sans contenu)
      verify-log
          vérifier les journaux scellés de toutes les familles
      backup FICHIER
          une sauvegarde pendant que le serveur tourne
      restore FICHIER
          remettre une sauvegarde dans un dossier de données vide
admin-org-made = Organisation « { $name } » créée. Id : { $id }
admin-staff-made = Compte créé pour { $name } ({ $role }, { $org }). Envoyez ce lien à { $name } pour choisir son propre mot de passe. Il fonctionne une seule fois, pendant { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    } :
admin-link-made = Nouveau lien pour { $email } ; les liens précédents ne fonctionnent plus. Il fonctionne une seule fois, pendant { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    } :
admin-disabled = { $email } ne peut plus se connecter. Ses sessions sont arrêtées, et les familles dont cette personne était coach ou bénévole ne l’ont plus.
admin-moved = { $email } travaille maintenant pour { $org }. Les familles dont cette personne était coach ou bénévole ne l’ont plus.
admin-volunteer-set = La famille { $family } a maintenant { $email } comme bénévole.
admin-volunteer-cleared = La famille { $family } n’a plus de bénévole.
admin-list-orgs = Organisations (id, nom, comptes actifs) :
admin-list-staff = Comptes (e-mail, nom, rôle, organisation, état) :
admin-list-families = Familles (id, organisation, coach, bénévole) :
admin-state-active = actif
admin-state-no-password = attend un mot de passe
admin-state-disabled = fermé
admin-nobody = personne
admin-backup-made = Sauvegarde écrite dans { $file } ({ $size } octets). Gardez-la aussi bien protégée que le serveur : elle contient les clés du serveur.
admin-backup-postgres = Sur PostgreSQL, faites la sauvegarde avec pg_dump. Les clés sont dans la base de données, donc la sauvegarde contient tout :
admin-restore-postgres = Sur PostgreSQL, remettez une sauvegarde avec pg_restore, dans une base de données vide :
admin-restored = { $file } est remis dans { $target } : { $orgs } organisations, { $staff } comptes, { $families } familles. Démarrez le serveur avec ce dossier de données.
admin-error-usage = Nous ne connaissons pas cette commande, ou il manque quelque chose.
admin-error-role = Le rôle doit être coach, volunteer, partner ou coordinator.
admin-error-lang = Nous ne connaissons pas cette langue. Choisissez parmi : { $langs }.
admin-error-no-account = Il n’y a pas de compte actif avec l’adresse e-mail { $email }.
admin-error-no-org = Il n’y a pas d’organisation avec l’id { $id }.
admin-error-no-family = Il n’y a pas de famille avec l’id { $id }.
admin-error-same-org = { $email } travaille déjà pour cette organisation.
admin-error-file-exists = { $file } existe déjà. Choisissez un autre nom de fichier.
admin-error-not-empty = Le dossier de données { $dir } n’est pas vide. Remettez une sauvegarde uniquement dans un dossier de données vide.
admin-error-not-backup = { $file } n’est pas une sauvegarde d’Onsplan.
admin-error-store = La base de données ne peut pas être ouverte : { $error }
admin-error-failed = Cela n’a pas marché : { $error }
admin-log-verified = Les journaux des { $families } familles sont vérifiés ({ $entries } lignes) : rien n’a été changé ni retiré.
admin-log-broken = Famille { $family } : la ligne { $entry } a été changée ou retirée en dehors d’Onsplan ; le journal n’est plus vérifiable à partir de là.
admin-error-internal = Cela n’a pas marché : la base de données a refusé, et rien n’a changé. La raison est dans le journal ci-dessus (cherchez « store error »).
admin-error-not-found = Nous ne l’avons pas trouvé. Vérifiez l’identifiant ou l’adresse e-mail.
