# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Użycie: onsplan admin <polecenie>
      create-org NAZWA
          utwórz organizację
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email E-MAIL --name IMIĘ [--lang nl-BE]
          utwórz konto; właściciel sam wybiera hasło przez jednorazowy link
      new-link E-MAIL
          nowy link do wyboru hasła
      disable E-MAIL
          zamknij konto (jego sesje kończą się od razu)
      move E-MAIL ORG-ID
          ktoś zaczyna pracę w innej organizacji
      assign-volunteer ID-RODZINY E-MAIL|none
          wybierz wolontariusza rodziny
      list
          organizacje, konta i rodziny (bez treści)
      verify-log
          sprawdź zapieczętowane dzienniki wszystkich rodzin
      backup PLIK
          kopia zapasowa podczas pracy serwera
      restore PLIK
          przywróć kopię zapasową do pustego katalogu danych
admin-org-made = Utworzono organizację „{ $name }”. Id: { $id }
admin-staff-made = Utworzono konto dla { $name } ({ $role }, { $org }). Wyślij { $name } ten link, aby samodzielnie wybrać hasło. Działa jeden raz, przez { $days ->
        [one] { $days } dzień
       *[other] { $days } dni
    }:
admin-link-made = Nowy link dla { $email }; wcześniejsze linki już nie działają. Działa jeden raz, przez { $days ->
        [one] { $days } dzień
       *[other] { $days } dni
    }:
admin-disabled = { $email } nie może się już zalogować. Sesje zostały zakończone, a rodziny, dla których ta osoba była coachem lub wolontariuszem, już jej nie mają.
admin-moved = { $email } pracuje teraz dla { $org }. Rodziny, dla których ta osoba była coachem lub wolontariuszem, już jej nie mają.
admin-volunteer-set = Rodzina { $family } ma teraz { $email } jako wolontariusza.
admin-volunteer-cleared = Rodzina { $family } nie ma teraz wolontariusza.
admin-list-orgs = Organizacje (id, nazwa, aktywne konta):
admin-list-staff = Konta (e-mail, imię, rola, organizacja, stan):
admin-list-families = Rodziny (id, organizacja, coach, wolontariusz):
admin-state-active = aktywne
admin-state-no-password = czeka na hasło
admin-state-disabled = zamknięte
admin-nobody = nikt
admin-backup-made = Kopia zapasowa zapisana w { $file } ({ $size } bajtów). Chroń ją tak jak sam serwer: zawiera klucze serwera.
admin-backup-postgres = W PostgreSQL zrób kopię zapasową za pomocą pg_dump. Klucze są w bazie danych, więc zrzut zawiera wszystko:
admin-restore-postgres = W PostgreSQL przywróć kopię zapasową za pomocą pg_restore do pustej bazy danych:
admin-restored = { $file } przywrócono do { $target }: organizacje: { $orgs }, konta: { $staff }, rodziny: { $families }. Uruchom serwer z tym katalogiem danych.
admin-error-usage = Nie znamy tego polecenia albo czegoś brakuje.
admin-error-role = Rola musi być coach, volunteer, partner albo coordinator.
admin-error-lang = Nie znamy tego języka. Wybierz spośród: { $langs }.
admin-error-no-account = Nie ma aktywnego konta z adresem e-mail { $email }.
admin-error-no-org = Nie ma organizacji o id { $id }.
admin-error-no-family = Nie ma rodziny o id { $id }.
admin-error-same-org = { $email } już pracuje dla tej organizacji.
admin-error-file-exists = { $file } już istnieje. Wybierz inną nazwę pliku.
admin-error-not-empty = Katalog danych { $dir } nie jest pusty. Przywracaj kopię zapasową tylko do pustego katalogu danych.
admin-error-not-backup = { $file } nie jest kopią zapasową Onsplan.
admin-error-store = Nie można otworzyć bazy danych: { $error }
admin-error-failed = To się nie udało: { $error }
admin-log-verified = Dzienniki wszystkich rodzin ({ $families }) są poprawne (wpisy: { $entries }): nic nie zmieniono ani nie usunięto.
admin-log-broken = Rodzina { $family }: wpis { $entry } zmieniono lub usunięto poza Onsplan; od tego miejsca dziennik się nie zgadza.
admin-error-internal = To się nie udało: baza danych odmówiła i nic się nie zmieniło. Powód jest w dzienniku powyżej (szukaj „store error”).
admin-error-not-found = Nie znaleźliśmy tego. Sprawdź id albo adres e-mail.
