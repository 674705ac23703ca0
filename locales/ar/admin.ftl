# The operator's command line: `onsplan admin …`. Messages for the terminal.

admin-usage =
    الاستخدام: onsplan admin <أمر>
      create-org NAME
          إنشاء منظمة
      create-staff --org ORG-ID --role coach|volunteer|partner|coordinator --email EMAIL --name NAME [--lang nl-BE]
          إنشاء حساب؛ يختار صاحبه كلمة المرور بنفسه عبر رابط يُستخدم مرة واحدة
      new-link EMAIL
          رابط جديد لاختيار كلمة المرور
      disable EMAIL
          إغلاق حساب (تنتهي جلساته فورًا)
      move EMAIL ORG-ID
          شخص ينتقل للعمل في منظمة أخرى
      assign-volunteer FAMILY-ID EMAIL|none
          اختيار متطوع العائلة
      list
          المنظمات والحسابات والعائلات (بدون محتوى)
      verify-log
          فحص السجلات المختومة لكل العائلات
      backup FILE
          نسخة احتياطية أثناء عمل الخادم
      restore FILE
          إعادة نسخة احتياطية إلى مجلد بيانات فارغ
admin-org-made = تم إنشاء المنظمة „{ $name }”. المعرّف: { $id }
admin-staff-made = تم إنشاء حساب لـ { $name } ({ $role }، { $org }). أرسل هذا الرابط إلى { $name } ليختار كلمة المرور بنفسه. يعمل مرة واحدة، لمدة { $days ->
        [zero] أقل من يوم
        [one] يوم واحد
        [two] يومين
        [few] { $days } أيام
        [many] { $days } يومًا
       *[other] { $days } يوم
    }:
admin-link-made = رابط جديد لـ { $email }؛ الروابط السابقة لم تعد تعمل. يعمل مرة واحدة، لمدة { $days ->
        [zero] أقل من يوم
        [one] يوم واحد
        [two] يومين
        [few] { $days } أيام
        [many] { $days } يومًا
       *[other] { $days } يوم
    }:
admin-disabled = لم يعد بإمكان { $email } تسجيل الدخول. انتهت جلساته، والعائلات التي كان مرشدها أو متطوعها لم تعد مرتبطة به.
admin-moved = يعمل { $email } الآن لدى { $org }. والعائلات التي كان مرشدها أو متطوعها لم تعد مرتبطة به.
admin-volunteer-set = أصبح { $email } متطوع العائلة { $family }.
admin-volunteer-cleared = لم يعد للعائلة { $family } متطوع.
admin-list-orgs = المنظمات (المعرّف، الاسم، الحسابات النشطة):
admin-list-staff = الحسابات (البريد الإلكتروني، الاسم، الدور، المنظمة، الحالة):
admin-list-families = العائلات (المعرّف، المنظمة، المرشد، المتطوع):
admin-state-active = نشط
admin-state-no-password = بانتظار كلمة المرور
admin-state-disabled = مغلق
admin-nobody = لا أحد
admin-backup-made = كُتبت النسخة الاحتياطية في { $file } ({ $size } بايت). احفظها بأمان مثل الخادم نفسه: فهي تحتوي على مفاتيح الخادم.
admin-backup-postgres = على PostgreSQL، أنشئ النسخة الاحتياطية باستخدام pg_dump. المفاتيح موجودة في قاعدة البيانات، لذا يحتوي التفريغ على كل شيء:
admin-restore-postgres = على PostgreSQL، أعد النسخة الاحتياطية باستخدام pg_restore إلى قاعدة بيانات فارغة:
admin-restored = أُعيد { $file } إلى { $target }: { $orgs } منظمات، { $staff } حسابات، { $families } عائلات. شغّل الخادم بمجلد البيانات هذا.
admin-error-usage = لا نعرف هذا الأمر، أو هناك شيء ناقص.
admin-error-role = يجب أن يكون الدور coach أو volunteer أو partner أو coordinator.
admin-error-lang = لا نعرف هذه اللغة. اختر من: { $langs }.
admin-error-no-account = لا يوجد حساب نشط بعنوان البريد الإلكتروني { $email }.
admin-error-no-org = لا توجد منظمة بالمعرّف { $id }.
admin-error-no-family = لا توجد عائلة بالمعرّف { $id }.
admin-error-same-org = { $email } يعمل بالفعل لدى هذه المنظمة.
admin-error-file-exists = { $file } موجود بالفعل. اختر اسم ملف آخر.
admin-error-not-empty = مجلد البيانات { $dir } ليس فارغًا. أعد النسخة الاحتياطية إلى مجلد بيانات فارغ فقط.
admin-error-not-backup = { $file } ليس نسخة احتياطية من Onsplan.
admin-error-store = تعذّر فتح قاعدة البيانات: { $error }
admin-error-failed = لم ينجح ذلك: { $error }
admin-log-verified = سجلات جميع العائلات ({ $families }) سليمة ({ $entries } سطرًا): لم يُغيَّر أو يُحذف شيء.
admin-log-broken = العائلة { $family }: تم تغيير أو حذف السطر { $entry } خارج Onsplan؛ السجل غير سليم ابتداءً من هناك.
admin-error-internal = لم ينجح ذلك: رفضت قاعدة البيانات الطلب، ولم يتغير شيء. يذكر سجل الخادم السبب (ابحث عن "store error").
admin-error-not-found = لم نجد ذلك. تحقّق من المعرّف أو البريد الإلكتروني.
