# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Використання: onsplan admin <команда>
      create-org НАЗВА
          створити організацію
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email E-MAIL --name ІМ'Я [--lang nl-BE]
          створити обліковий запис; власник сам обирає пароль за одноразовим посиланням
      new-link E-MAIL
          нове посилання, щоб обрати пароль
      disable E-MAIL
          закрити обліковий запис (його сесії одразу завершуються)
      move E-MAIL ORG-ID
          хтось переходить працювати до іншої організації
      assign-volunteer ID-СІМ'Ї E-MAIL|none
          обрати волонтера сім'ї
      list
          організації, облікові записи та сім'ї (без змісту)
      verify-log
          перевірити опечатані журнали всіх сімей
      backup ФАЙЛ
          резервна копія, поки сервер працює
      restore ФАЙЛ
          відновити резервну копію в порожню теку даних
admin-org-made = Організацію «{ $name }» створено. Id: { $id }
admin-staff-made = Обліковий запис для { $name } створено ({ $role }, { $org }). Надішліть { $name } це посилання, щоб самостійно обрати пароль. Воно працює один раз, протягом { $days ->
        [one] { $days } день
        [few] { $days } дні
       *[other] { $days } днів
    }:
admin-link-made = Нове посилання для { $email }; попередні посилання більше не працюють. Воно працює один раз, протягом { $days ->
        [one] { $days } день
        [few] { $days } дні
       *[other] { $days } днів
    }:
admin-disabled = { $email } більше не може увійти. Сесії завершено, а сім'ї, де ця людина була коучем чи волонтером, більше з нею не пов'язані.
admin-moved = { $email } тепер працює для { $org }. Сім'ї, де ця людина була коучем чи волонтером, більше з нею не пов'язані.
admin-volunteer-set = Тепер волонтер сім'ї { $family } — { $email }.
admin-volunteer-cleared = Сім'я { $family } тепер не має волонтера.
admin-list-orgs = Організації (id, назва, активні облікові записи):
admin-list-staff = Облікові записи (e-mail, ім'я, роль, організація, стан):
admin-list-families = Сім'ї (id, організація, коуч, волонтер):
admin-state-active = активний
admin-state-no-password = чекає на пароль
admin-state-disabled = закритий
admin-nobody = ніхто
admin-backup-made = Резервну копію записано в { $file } ({ $size } байтів). Бережіть її так само, як сам сервер: у ній ключі сервера.
admin-backup-postgres = У PostgreSQL робіть резервну копію за допомогою pg_dump. Ключі зберігаються в базі даних, тож дамп містить усе:
admin-restore-postgres = У PostgreSQL відновлюйте резервну копію за допомогою pg_restore у порожню базу даних:
admin-restored = { $file } відновлено в { $target }: організацій: { $orgs }, облікових записів: { $staff }, сімей: { $families }. Запустіть сервер із цією текою даних.
admin-error-usage = Ми не знаємо такої команди, або чогось бракує.
admin-error-role = Роль має бути coach, volunteer, partner або coordinator.
admin-error-lang = Ми не знаємо цієї мови. Оберіть із: { $langs }.
admin-error-no-account = Немає активного облікового запису з адресою { $email }.
admin-error-no-org = Немає організації з id { $id }.
admin-error-no-family = Немає сім'ї з id { $id }.
admin-error-same-org = { $email } уже працює для цієї організації.
admin-error-file-exists = { $file } уже існує. Оберіть іншу назву файлу.
admin-error-not-empty = Тека даних { $dir } не порожня. Відновлюйте резервну копію лише в порожню теку даних.
admin-error-not-backup = { $file } не є резервною копією Onsplan.
admin-error-store = Не вдається відкрити базу даних: { $error }
admin-error-failed = Не вдалося: { $error }
admin-log-verified = Журнали всіх сімей ({ $families }) перевірено (рядків: { $entries }): нічого не змінено й не видалено.
admin-log-broken = Сім'я { $family }: рядок { $entry } змінили або видалили поза Onsplan; звідти журнал не сходиться.
admin-error-internal = Не вдалося: база даних відмовила, і нічого не змінилося. Причина — у журналі вище (шукайте «store error»).
admin-error-not-found = Ми цього не знайшли. Перевірте id або адресу e-mail.
