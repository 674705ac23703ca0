# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    Kullanım: onsplan admin <komut>
      create-org AD
          bir kurum oluştur
      create-staff --org KURUM-ID --role coach|volunteer|partner|coordinator --email E-POSTA --name AD [--lang nl-BE]
          bir hesap oluştur; sahibi şifresini tek kullanımlık bir bağlantıyla kendisi seçer
      new-link E-POSTA
          şifre seçmek için yeni bir bağlantı
      disable E-POSTA
          bir hesabı kapat (oturumları hemen biter)
      move E-POSTA KURUM-ID
          biri başka bir kurumda çalışmaya başlar
      assign-volunteer AİLE-ID E-POSTA|none
          bir ailenin gönüllüsünü seç
      list
          kurumlar, hesaplar ve aileler (içerik olmadan)
      verify-log
          tüm ailelerin mühürlü kayıtlarını denetle
      backup DOSYA
          sunucu çalışırken bir yedek
      restore DOSYA
          bir yedeği boş bir veri klasörüne geri yükle
admin-org-made = “{ $name }” kurumu oluşturuldu. Id: { $id }
admin-staff-made = { $name } için hesap oluşturuldu ({ $role }, { $org }). Şifresini kendisi seçmesi için { $name } kişisine bu bağlantıyı gönderin. Bir kez çalışır, { $days } gün boyunca:
admin-link-made = { $email } için yeni bağlantı; önceki bağlantılar artık çalışmıyor. Bir kez çalışır, { $days } gün boyunca:
admin-disabled = { $email } artık giriş yapamaz. Oturumları sona erdi ve bu kişinin koç ya da gönüllü olduğu aileler artık onunla bağlı değil.
admin-moved = { $email } artık { $org } için çalışıyor. Bu kişinin koç ya da gönüllü olduğu aileler artık onunla bağlı değil.
admin-volunteer-set = { $family } ailesinin gönüllüsü artık { $email }.
admin-volunteer-cleared = { $family } ailesinin artık gönüllüsü yok.
admin-list-orgs = Kurumlar (id, ad, etkin hesaplar):
admin-list-staff = Hesaplar (e-posta, ad, rol, kurum, durum):
admin-list-families = Aileler (id, kurum, koç, gönüllü):
admin-state-active = etkin
admin-state-no-password = şifre bekliyor
admin-state-disabled = kapalı
admin-nobody = kimse
admin-backup-made = Yedek { $file } dosyasına yazıldı ({ $size } bayt). Sunucunun kendisi kadar güvende tutun: sunucunun anahtarlarını içerir.
admin-backup-postgres = PostgreSQL'de yedeği pg_dump ile alın. Anahtarlar veritabanında olduğu için döküm her şeyi içerir:
admin-restore-postgres = PostgreSQL'de bir yedeği pg_restore ile boş bir veritabanına geri yükleyin:
admin-restored = { $file } { $target } içine geri yüklendi: { $orgs } kurum, { $staff } hesap, { $families } aile. Sunucuyu bu veri klasörüyle başlatın.
admin-error-usage = Bu komutu tanımıyoruz ya da bir şey eksik.
admin-error-role = Rol coach, volunteer, partner ya da coordinator olmalı.
admin-error-lang = Bu dili tanımıyoruz. Şunlardan seçin: { $langs }.
admin-error-no-account = { $email } e-posta adresiyle etkin bir hesap yok.
admin-error-no-org = { $id } id'li bir kurum yok.
admin-error-no-family = { $id } id'li bir aile yok.
admin-error-same-org = { $email } zaten bu kurum için çalışıyor.
admin-error-file-exists = { $file } zaten var. Başka bir dosya adı seçin.
admin-error-not-empty = { $dir } veri klasörü boş değil. Bir yedeği yalnızca boş bir veri klasörüne geri yükleyin.
admin-error-not-backup = { $file } bir Onsplan yedeği değil.
admin-error-store = Veritabanı açılamıyor: { $error }
admin-error-failed = Bu olmadı: { $error }
admin-log-verified = Tüm { $families } ailenin kayıtları doğrulandı ({ $entries } satır): hiçbir şey değiştirilmedi ya da silinmedi.
admin-log-broken = { $family } ailesi: { $entry }. satır Onsplan dışında değiştirildi ya da silindi; kayıt oradan itibaren doğrulanmıyor.
admin-error-internal = Bu olmadı: veritabanı reddetti ve hiçbir şey değişmedi. Nedeni yukarıdaki günlükte (“store error” arayın).
admin-error-not-found = Bunu bulamadık. Kimliği ya da e-posta adresini kontrol edin.
