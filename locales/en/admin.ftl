# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Usage: onsplan admin <command>
      create-org NAME
          make an organisation
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email EMAIL --name NAME [--lang nl-BE]
          make an account; its owner chooses a password through a one-time link
      new-link EMAIL
          a new link to choose the password
      disable EMAIL
          close an account (its sessions end at once)
      move EMAIL ORG-ID
          someone goes to work for another organisation
      assign-volunteer FAMILY-ID EMAIL|none
          choose a family's volunteer
      list
          organisations, accounts and families (no content)
      verify-log
          check the sealed logs of every family
      backup FILE
          a backup while the server runs
      restore FILE
          put a backup back into an empty data directory
admin-org-made = Organisation “{ $name }” made. Id: { $id }
admin-staff-made = Account made for { $name } ({ $role }, { $org }). Send { $name } this link to choose their own password. It works once, for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }:
admin-link-made = New link for { $email }; earlier links no longer work. It works once, for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }:
admin-disabled = { $email } can no longer sign in. Their sessions have ended, and the families they were coach or volunteer of no longer have them.
admin-moved = { $email } now works for { $org }. The families they were coach or volunteer of no longer have them.
admin-volunteer-set = Family { $family } now has { $email } as its volunteer.
admin-volunteer-cleared = Family { $family } has no volunteer now.
admin-list-orgs = Organisations (id, name, active accounts):
admin-list-staff = Accounts (email, name, role, organisation, state):
admin-list-families = Families (id, organisation, coach, volunteer):
admin-state-active = active
admin-state-no-password = waiting for a password
admin-state-disabled = closed
admin-nobody = nobody
admin-backup-made = Backup written to { $file } ({ $size } bytes). Keep it as safe as the server itself: it holds the server's keys.
admin-backup-postgres = On PostgreSQL, make the backup with pg_dump. The keys are in the database, so the dump holds everything:
admin-restore-postgres = On PostgreSQL, put a backup back with pg_restore, into an empty database:
admin-restored = { $file } is back in { $target }: { $orgs } organisations, { $staff } accounts, { $families } families. Start the server with this data directory.
admin-error-usage = We do not know that command, or something is missing.
admin-error-role = The role must be coach, volunteer, partner or coordinator.
admin-error-lang = We do not know that language. Choose from: { $langs }.
admin-error-no-account = There is no active account with the email address { $email }.
admin-error-no-org = There is no organisation with id { $id }.
admin-error-no-family = There is no family with id { $id }.
admin-error-same-org = { $email } already works for that organisation.
admin-error-file-exists = { $file } already exists. Choose another file name.
admin-error-not-empty = The data directory { $dir } is not empty. Put a backup back only into an empty data directory.
admin-error-not-backup = { $file } is not an Onsplan backup.
admin-error-store = The database cannot be opened: { $error }
admin-error-failed = That did not work: { $error }
admin-log-verified = The logs of all { $families } families verify ({ $entries } entries): nothing was changed or removed.
admin-log-broken = Family { $family }: entry { $entry } was changed or removed outside Onsplan; the log does not verify from there on.
admin-error-internal = That did not work: the database refused it, and nothing was changed. The reason is in the log above (look for “store error”).
admin-error-not-found = We could not find that. Check the id or the email address.
