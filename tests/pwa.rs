//! Onsplan as an app on a phone (issue 11, stages 2 and 3), in a real
//! headless Chromium at 360 px: installable (Chromium's own verdict), the
//! service worker shows a push as the generic notice in the reader's
//! language, "Our plan" and a question still show without a connection,
//! marked as saved copies, and after signing out nothing of the plan is
//! left on the phone.

use std::time::Duration;

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::{invites, plan};
use onsplan_app::lang::Lang;
use onsplan_app::model::ActionInput;
use onsplan_tests::browser::Browser;
use onsplan_tests::relay::Relay;
use onsplan_tests::world::World;
use onsplan_tests::{repo_root, stores, Store, TestServer};
use serde_json::{json, Value};

const GOAL: &str = "Een droge woning vinden";

/// Runs `script` (which ends by calling `done(value)`) in the page.
async fn run(browser: &Browser, script: &str) -> Value {
    let wrapped = format!("var done = arguments[arguments.length - 1]; {script}");
    browser
        .client
        .execute_async(&wrapped, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Waits until the service worker controls the page.
async fn controlled(browser: &Browser) {
    for _ in 0..100 {
        let has = browser
            .client
            .execute("return !!navigator.serviceWorker.controller", vec![])
            .await
            .unwrap();
        if has == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let why = run(
        browser,
        "navigator.serviceWorker.getRegistration().then(r => done(r ? [r.scope, !!r.active, !!r.installing, !!r.waiting] : 'none')).catch(e => done(String(e)))",
    )
    .await;
    let reg = run(
        browser,
        "navigator.serviceWorker.register('/sw.js').then(r => done('ok')).catch(e => done(String(e)))",
    )
    .await;
    panic!("the service worker never took the page: {why} {reg}");
}

/// Amal joins the family in Arabic on her phone, with the coach's invite.
async fn join_in_arabic(phone: &Browser, server: &TestServer, code: &str) {
    phone
        .client
        .goto(&server.url(&format!("/join?code={code}&lang=ar")))
        .await
        .unwrap();
    phone
        .wait_for("#name")
        .await
        .send_keys("أمل")
        .await
        .unwrap();
    phone.wait_for("#accept").await.click().await.unwrap();
    phone.wait_for("#coach-panel").await;
}

async fn main_text(browser: &Browser) -> String {
    browser.wait_for("main").await.text().await.unwrap()
}

/// A server behind a relay on `localhost` (a secure context, as a phone on
/// https has; the relay can be taken off the network), its world, and an
/// invite code of the family's coach.
async fn behind_relay() -> (Relay, TestServer, World, Caller, String) {
    let (mut relay, listener) = Relay::bind(0).await;
    let server = TestServer::start_with_public_url(
        Store::Sqlite,
        &format!("http://localhost:{}", relay.port()),
    )
    .await;
    relay.start(listener, server.addr.port());
    let world = World::build(&server.state).await;
    let state = &server.state;
    let coach = Caller::staff(&state.db, &world.coach.id).await.unwrap();
    let code = invites::create(
        &state.db,
        &state.secret,
        &coach,
        &world.family,
        state.clock.now(),
    )
    .await
    .unwrap()
    .code;
    (relay, server, world, coach, code)
}

#[tokio::test]
async fn onsplan_installs_notifies_and_keeps_the_plan_offline_until_sign_out() {
    // A secure context, as a phone on https has: service workers and
    // notifications exist only there.
    // The phone reaches it through a relay, which the test takes off the
    // network to go offline (the service worker's own requests too).
    let (mut relay, server, world, coach, code) = behind_relay().await;
    let state = &server.state;

    // Amal joins in Arabic on her phone.
    let phone = Browser::start(true, "ar").await;
    join_in_arabic(&phone, &server, &code).await;

    // The coach writes a goal and asks a question.
    let now = state.clock.now();
    let access = FamilyAccess::open(&state.db, &coach, &world.family, now)
        .await
        .unwrap();
    let goal = plan::add_goal(&state.db, &access, "housing", GOAL)
        .await
        .unwrap();
    let action = plan::add_action(
        &state.db,
        &access,
        &goal,
        &ActionInput {
            body: "De huisbaas bellen".into(),
            who: "coach".into(),
            due: None,
            status: "todo".into(),
        },
    )
    .await
    .unwrap();
    let question = mandates::ask(
        &state.db,
        &access,
        &action,
        &MandateInput {
            // A pasted link: one long word.
            help: "call".into(),
            party: "social_housing".into(),
            party_name: "WoninGent".into(),
            facts: vec!["identity".into(), "housing".into()],
            words: "De huisbaas bellen over de vochtschade: https://www.woningent.be/huurders/herstellingen/aanvraagformulier-vochtschade-en-schimmel-melden".into(),
            until: "2027-06-30".into(),
        },
    )
    .await
    .unwrap();

    // Installable: Chromium reports nothing against it.
    phone.client.goto(&server.url("/plan")).await.unwrap();
    controlled(&phone).await;
    let verdict = phone.cdp("Page.getInstallabilityErrors", json!({})).await;
    assert_eq!(
        verdict["installabilityErrors"],
        json!([]),
        "installability: {verdict}"
    );

    // Settings, in Arabic: notifications can be turned on here (the script
    // shows the form; without it, a plain note says they need it).
    phone.client.goto(&server.url("/settings")).await.unwrap();
    phone.wait_for("#notify-on").await;
    let shown = phone
        .client
        .execute(
            "return [document.querySelector('[data-push-form]').hidden, \
             document.querySelector('[data-push-state=nojs]').hidden, \
             document.querySelectorAll('input[name=kind]').length, \
             document.documentElement.scrollWidth <= 360]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, json!([false, true, 4, true]), "member settings");
    phone
        .screenshot(&repo_root().join("docs/screenshots/settings-ar.png"))
        .await;

    // Online visits keep "Our plan" and the question for later.
    phone.client.goto(&server.url("/plan")).await.unwrap();
    assert!(main_text(&phone).await.contains(GOAL));
    let question_path = format!("/plan/question/{question}");
    phone
        .client
        .goto(&server.url(&question_path))
        .await
        .unwrap();
    let online_question = main_text(&phone).await;
    assert!(online_question.contains("WoninGent"), "{online_question}");
    let fits = phone
        .client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    // The phone is 360 px wide (a page wider than that makes a phone zoom
    // out, so the window's own width would grow with it).
    assert!(
        fits.as_u64().is_some_and(|w| w <= 360),
        "a pasted link does not widen the question: {fits}"
    );

    // A push reaches the service worker: it shows the generic notice, in
    // Arabic, with nothing of the family.
    let origin = server.url("");
    phone
        .cdp(
            "Browser.grantPermissions",
            json!({ "origin": origin, "permissions": ["notifications"] }),
        )
        .await;
    let text = onsplan_app::i18n::tr(Lang::Ar, "push-question");
    let payload = json!({ "id": "abcdefghijklmnopqrstuvwxyz", "kind": "question",
                          "lang": "ar", "dir": "rtl", "text": text })
    .to_string();
    phone.cdp("ServiceWorker.enable", json!({})).await;

    // The DevTools protocol names the registration by a number the page
    // cannot read: Chromium's own page of service workers shows it.
    let page = phone.client.window().await.unwrap();
    let tab = phone.client.new_window(true).await.unwrap();
    phone.client.switch_to_window(tab.handle).await.unwrap();
    phone
        .client
        .goto("chrome://serviceworker-internals/")
        .await
        .unwrap();
    let mut internals = String::new();
    for _ in 0..50 {
        internals = phone
            .client
            .execute("return document.body.innerText", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string();
        if internals.contains("Registration ID") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    phone.client.close_window().await.unwrap();
    phone.client.switch_to_window(page).await.unwrap();
    let registrations: Vec<String> = internals
        .split("Registration ID: ")
        .skip(1)
        .filter_map(|rest| {
            let id: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            (!id.is_empty()).then_some(id)
        })
        .collect();
    assert!(
        !registrations.is_empty(),
        "no registration listed: {}",
        &internals[..internals.len().min(3000)]
    );
    let mut shown = Value::Null;
    // Delivered again until shown (a worker just woken may miss the
    // first); one kind has one notice on screen, so repeats replace it.
    'push: for registration in registrations.iter().cycle().take(10 * registrations.len()) {
        let answer = phone
            .try_cdp(
                "ServiceWorker.deliverPushMessage",
                json!({ "origin": origin, "registrationId": registration, "data": payload }),
            )
            .await;
        if let Err(e) = answer {
            eprintln!("push to {registration}: {e}");
            continue;
        }
        for _ in 0..10 {
            shown = run(
                &phone,
                "navigator.serviceWorker.ready.then(r => r.getNotifications())\
                 .then(n => done(n.map(x => [x.title, x.lang, x.dir, x.body])))",
            )
            .await;
            if shown.as_array().is_some_and(|a| !a.is_empty()) {
                break 'push;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(
        shown,
        json!([[text, "ar", "rtl", ""]]),
        "registrations {registrations:?}; {}",
        &internals[..internals.len().min(1500)]
    );

    // A tap on the notice opens `/n/<its id>`, and the server decides where
    // that leads now (tests/push.rs checks each case): this id is no
    // delivery of Amal's, so her start page, "Our plan", not the question
    // she was reading. DevTools cannot tap a notification, so the tap is
    // the worker's own `notificationclick` event, raised inside the worker.
    // Such an event is not a person's tap: it can take the open window to
    // the notice's page (what is checked here), not open a new window.
    let targets = phone.cdp("Target.getTargets", json!({})).await;
    let worker = targets["targetInfos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "service_worker")
        .and_then(|t| t["targetId"].as_str())
        .expect("the service worker is a target")
        .to_string();
    let session = phone
        .cdp(
            "Target.attachToTarget",
            json!({ "targetId": worker, "flatten": false }),
        )
        .await["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let tap = "self.registration.getNotifications().then(n => \
               self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n[0] })))";
    phone
        .cdp(
            "Target.sendMessageToTarget",
            json!({
                "sessionId": session,
                "message": json!({ "id": 1, "method": "Runtime.evaluate",
                                   "params": { "expression": tap } }).to_string(),
            }),
        )
        .await;
    let mut at = String::new();
    for _ in 0..50 {
        at = phone.client.current_url().await.unwrap().path().to_string();
        if at == "/plan" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(at, "/plan", "the tap led through /n/… to her start page");
    let left = run(
        &phone,
        "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => done(n.length))",
    )
    .await;
    assert_eq!(left, json!(0), "the tapped notice is closed");

    // Offline: "Our plan" and the question show, marked as saved copies
    // in Arabic; a page never kept says it needs a connection.
    relay.down().await;
    phone.client.goto(&server.url("/plan")).await.unwrap();
    let note = phone.wait_for("#offline-note").await;
    assert!(note.is_displayed().await.unwrap(), "the offline note shows");
    let saved = onsplan_app::i18n::tr(Lang::Ar, "offline-title");
    assert!(main_text(&phone).await.contains(GOAL));
    phone
        .screenshot(&repo_root().join("docs/screenshots/offline-plan-ar.png"))
        .await;
    phone
        .client
        .goto(&server.url(&question_path))
        .await
        .unwrap();
    assert!(main_text(&phone).await.contains("WoninGent"));
    phone.client.goto(&server.url("/settings")).await.unwrap();
    assert!(
        main_text(&phone).await.contains(&saved),
        "the offline page, in Arabic"
    );

    // Offline, Amal answers the question: the phone keeps it ("waiting to
    // send"); back online it goes, exactly once.
    phone
        .client
        .goto(&server.url(&question_path))
        .await
        .unwrap();
    phone
        .wait_for("#answer-together")
        .await
        .click()
        .await
        .unwrap();
    let waiting = phone.wait_for("#outbox-waiting").await;
    for _ in 0..50 {
        if waiting.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(waiting.is_displayed().await.unwrap(), "waiting to send");
    let answers = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM mandate_answers WHERE mandate_id = $1")
            .bind(&question)
            .fetch_one(state.db.pool())
            .await
            .unwrap()
    };
    assert_eq!(answers().await, 0, "nothing reached the server yet");
    relay.up().await;
    phone.client.goto(&server.url("/plan")).await.unwrap();
    for _ in 0..150 {
        if answers().await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answers().await, 1, "sent when the connection returned");
    // Opening the app again sends nothing more.
    phone.client.goto(&server.url("/plan")).await.unwrap();
    phone
        .client
        .goto(&server.url(&question_path))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(answers().await, 1, "exactly once");
    let current = phone
        .wait_for("#current-answer")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        current,
        onsplan_app::i18n::tr(Lang::Ar, "mandate-state-together"),
        "the question shows the answer it has now"
    );

    // Amal signs out; offline again, nothing of the plan.
    phone.client.goto(&server.url("/sign-out")).await.unwrap();
    phone
        .wait_for("#confirm-sign-out")
        .await
        .click()
        .await
        .unwrap();
    phone.wait_for("main").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    relay.down().await;
    for path in ["/plan", question_path.as_str()] {
        let _ = phone.client.goto(&server.url(path)).await;
        let html = phone.client.source().await.unwrap_or_default();
        assert!(!html.contains(GOAL), "{path} after sign-out");
        assert!(!html.contains("WoninGent"), "{path} after sign-out");
    }
    relay.up().await;
    phone.client.goto(&server.url("/")).await.unwrap();
    let kept = run(
        &phone,
        "caches.has('onsplan-pages').then(h => h ? caches.open('onsplan-pages')\
         .then(c => c.keys()).then(k => done(k.length)) : done(0))",
    )
    .await;
    assert_eq!(kept, json!(0), "no page of the family is kept");
    phone.close().await;

    // The coach's settings in Dutch, with and without JavaScript.
    for javascript in [true, false] {
        let office = Browser::start(javascript, "nl-BE").await;
        office.client.goto(&server.url("/sign-in")).await.unwrap();
        office
            .wait_for("#email")
            .await
            .send_keys(&world.coach.email)
            .await
            .unwrap();
        office
            .wait_for("#password")
            .await
            .send_keys(onsplan_tests::world::PASSWORD)
            .await
            .unwrap();
        // Enter, as a keyboard user does (a WebDriver click on a submit
        // button never returns in a page without scripts).
        office
            .wait_for("#sign-in")
            .await
            .send_keys("\u{E007}")
            .await
            .unwrap();
        office.wait_for("#families").await;
        office.client.goto(&server.url("/settings")).await.unwrap();
        office.wait_for("#devices").await;
        let text = main_text(&office).await;
        assert!(
            text.contains(&onsplan_app::i18n::tr(Lang::NlBe, "notify-title")),
            "{text}"
        );
        // The way to "Onsplan on your home screen".
        office.wait_for("a#install-link[href='/install']").await;
        let need_script = onsplan_app::i18n::tr(Lang::NlBe, "notify-need-script");
        if javascript {
            office.wait_for("#notify-on").await;
            assert!(!text.contains(&need_script), "{text}");
            office
                .screenshot(&repo_root().join("docs/screenshots/settings-nl.png"))
                .await;
        } else {
            assert!(text.contains(&need_script), "{text}");
            office
                .screenshot(&repo_root().join("docs/screenshots/settings-nl-no-js.png"))
                .await;
        }
        office.close().await;
    }
}

/// "Onsplan on your home screen", found from the settings, in Dutch and in
/// Arabic (right to left), with and without scripts: the steps for
/// Android and for an iPhone are all there, each step one line, nothing
/// wider than the phone, and every target big enough for a finger.
#[tokio::test]
async fn the_home_screen_page_shows_the_steps_in_each_language() {
    let server = TestServer::start(stores()[0]).await;
    for (javascript, lang, shot) in [
        (true, "nl-BE", Some("install-nl")),
        (true, "ar", Some("install-ar")),
        (false, "nl-BE", None),
    ] {
        let phone = Browser::start(javascript, lang).await;
        phone.client.goto(&server.url("/install")).await.unwrap();
        phone.wait_for("#install-iphone").await;
        let l = Lang::from_tag(lang).unwrap();
        let text = main_text(&phone).await;
        for id in [
            "install-title",
            "install-android-3",
            "install-iphone-3",
            "install-iphone-4",
        ] {
            let words = onsplan_app::i18n::tr(l, id);
            assert!(text.contains(&words), "{lang}: {id}: {text}");
        }
        let shown = phone
            .client
            .execute(
                "return [document.querySelectorAll('#install-android li').length, \
                         document.querySelectorAll('#install-iphone li').length, \
                         document.documentElement.dir, \
                         document.documentElement.scrollWidth <= 360, \
                         document.querySelector('[data-install-now]').hidden]",
                vec![],
            )
            .await
            .unwrap();
        let dir = if lang == "ar" { "rtl" } else { "ltr" };
        // The one-tap button shows only where the browser offers to
        // install (never in a page without scripts).
        assert_eq!(shown[0], json!(3));
        assert_eq!(shown[1], json!(4));
        assert_eq!(shown[2], json!(dir));
        assert_eq!(shown[3], json!(true), "fits 360 px");
        if !javascript {
            assert_eq!(shown[4], json!(true));
        }
        if let Some(name) = shot {
            phone
                .screenshot(&repo_root().join(format!("docs/screenshots/{name}.png")))
                .await;
        }
        phone.close().await;
    }
}

/// The names of the worker's caches of this build's files (one per version).
async fn static_caches(browser: &Browser) -> Vec<String> {
    let names = run(
        browser,
        "caches.keys().then(k => done(k.filter(n => n.startsWith('onsplan-static-'))))",
    )
    .await;
    serde_json::from_value(names).unwrap()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A new version is deployed while a phone has the old one: the page says
/// so in the reader's language, and one tap reloads it into the new
/// version (its worker takes over and drops the old version's files).
#[tokio::test]
async fn a_new_version_is_offered_and_one_tap_takes_it() {
    for (lang, shot) in [(Lang::NlBe, "update-nl"), (Lang::Ar, "update-ar")] {
        new_version_offered(lang, shot).await;
    }
}

async fn new_version_offered(lang: Lang, shot: &str) {
    let (mut relay, server, _, _, code) = behind_relay().await;
    let phone = Browser::start(true, lang.tag()).await;
    phone
        .client
        .goto(&server.url(&format!("/join?code={code}&lang={}", lang.tag())))
        .await
        .unwrap();
    phone
        .wait_for("#name")
        .await
        .send_keys("Amal")
        .await
        .unwrap();
    phone.wait_for("#accept").await.click().await.unwrap();
    phone.wait_for("#coach-panel").await;
    phone.client.goto(&server.url("/plan")).await.unwrap();
    controlled(&phone).await;
    let before = static_caches(&phone).await;
    assert_eq!(before.len(), 1, "{before:?}");
    let note = phone.wait_for("#update-note").await;
    assert!(!note.is_displayed().await.unwrap(), "nothing new yet");

    // The operator deploys a new version behind the same address.
    let public = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("public"), public.path());
    let worker = std::fs::read_to_string(repo_root().join("public/sw.js")).unwrap();
    std::fs::write(
        public.path().join("sw.js"),
        format!("{worker}\n// the next version\n"),
    )
    .unwrap();
    let port = server.redeploy(public.path()).await;
    relay.retarget(port).await;

    // The next page she opens finds the new worker and says so.
    phone.client.goto(&server.url("/plan")).await.unwrap();
    let note = phone.wait_for("#update-note").await;
    for _ in 0..100 {
        if note.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        note.is_displayed().await.unwrap(),
        "the new version is offered"
    );
    let said = note.text().await.unwrap();
    assert!(
        said.contains(&onsplan_app::i18n::tr(lang, "update-ready")),
        "{said}"
    );
    phone
        .screenshot(&repo_root().join(format!("docs/screenshots/{shot}.png")))
        .await;

    // One tap: the page reloads under the new worker, which dropped the
    // old version's files.
    phone
        .wait_for("[data-update-reload]")
        .await
        .click()
        .await
        .unwrap();
    let mut after = before.clone();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let Ok(names) = phone
            .client
            .execute_async(
                "var done = arguments[arguments.length - 1]; \
                 caches.keys().then(k => done(k.filter(n => n.startsWith('onsplan-static-'))))",
                vec![],
            )
            .await
        else {
            continue; // the page is reloading
        };
        after = serde_json::from_value(names).unwrap();
        if after.len() == 1 && after != before {
            break;
        }
    }
    assert!(
        after.len() == 1 && after != before,
        "{before:?} → {after:?}"
    );
    controlled(&phone).await;
    let note = phone.wait_for("#update-note").await;
    assert!(!note.is_displayed().await.unwrap(), "the new version runs");
    assert!(main_text(&phone).await.contains("Haddad"));
    phone.close().await;
}

/// Opens the phrase book and taps "Please call me".
async fn tap_call_me(phone: &Browser) {
    run(
        phone,
        "document.querySelectorAll('#phrases details').forEach(d => d.open = true); done(1)",
    )
    .await;
    phone
        .wait_for("#phrase-call-me")
        .await
        .click()
        .await
        .unwrap();
}

/// Issue 12: a phrase tapped while the connection is gone waits on the
/// phone ("waiting to send", under the thread) and is sent when the
/// connection returns, exactly once; the coach reads it. One the server
/// refuses (the thread ended meanwhile) is kept, marked, until removed.
#[tokio::test]
async fn a_message_written_offline_is_sent_once_when_the_connection_returns() {
    let (mut relay, server, world, _coach, code) = behind_relay().await;
    let state = &server.state;
    let phone = Browser::start(true, "ar").await;
    join_in_arabic(&phone, &server, &code).await;
    controlled(&phone).await;
    phone.client.goto(&server.url("/messages")).await.unwrap();
    phone.wait_for("#threads a").await.click().await.unwrap();
    phone.wait_for("#outbox-list").await;
    controlled(&phone).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM messages WHERE kind = 'phrase' AND body = 'call-me'",
        )
        .fetch_one(state.db.pool())
        .await
        .unwrap()
    };

    // The connection goes; Amal taps "Please call me".
    relay.down().await;
    tap_call_me(&phone).await;
    let waiting = phone
        .wait_for("#outbox-list li[data-state='waiting']")
        .await;
    let text = waiting.text().await.unwrap();
    assert!(
        text.contains(&onsplan_app::i18n::tr(Lang::Ar, "message-waiting")),
        "{text}"
    );
    assert!(text.contains("من فضلك اتصل بي."), "{text}");
    run(
        &phone,
        "document.getElementById('outbox-list').scrollIntoView({block: 'center'}); done(1)",
    )
    .await;
    phone
        .screenshot(&repo_root().join("docs/screenshots/thread-waiting-ar.png"))
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(count().await, 0, "nothing reached the server yet");

    // Back online: it goes by itself, once.
    relay.up().await;
    for _ in 0..200 {
        if count().await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(count().await, 1, "sent when the connection returned");
    phone.client.refresh().await.unwrap();
    phone.wait_for("#messages .msg.mine .phrase").await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(count().await, 1, "exactly once");
    let left = run(
        &phone,
        "done(document.querySelectorAll('#outbox-list li').length)",
    )
    .await;
    assert_eq!(left, json!(0), "nothing waits any more");

    // The coach reads it in Dutch.
    let coach = onsplan_tests::world::Person::new(&server);
    coach.sign_in(&world.coach.email).await;
    let list = coach.get("/messages").await.body;
    let thread = onsplan_tests::world::between(&list, "href=\"/messages/", "\"")
        .unwrap()
        .to_string();
    let page = coach.get(&format!("/messages/{thread}")).await.body;
    assert!(page.contains("Wilt u mij bellen, alstublieft?"), "{page}");

    // Offline again, Amal taps it once more; meanwhile the family stops
    // working with the coach (from another of her devices). When the
    // connection returns the server refuses it: the phone says so, and
    // keeps the text, also after a reload, until Amal removes it.
    relay.down().await;
    tap_call_me(&phone).await;
    phone
        .wait_for("#outbox-list li[data-state='waiting']")
        .await;
    let member: String = sqlx::query_scalar("SELECT id FROM members WHERE family_id = $1")
        .bind(&world.family)
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    let other_phone = onsplan_app::domain::access::Caller::member(&state.db, &member)
        .await
        .unwrap();
    let access = onsplan_app::domain::access::FamilyAccess::open(
        &state.db,
        &other_phone,
        &world.family,
        state.clock.now(),
    )
    .await
    .unwrap();
    onsplan_app::domain::consent::withdraw_coach(&state.db, &access)
        .await
        .unwrap();
    relay.up().await;
    let refused = phone
        .wait_for("#outbox-list li[data-state='refused']")
        .await;
    let text = refused.text().await.unwrap();
    assert!(
        text.contains(&onsplan_app::i18n::tr(Lang::Ar, "message-refused")),
        "{text}"
    );
    assert!(
        text.contains("من فضلك اتصل بي."),
        "the text is kept: {text}"
    );
    assert_eq!(count().await, 1, "nothing more reached the thread");
    run(
        &phone,
        "document.getElementById('outbox-list').scrollIntoView({block: 'center'}); done(1)",
    )
    .await;
    phone
        .screenshot(&repo_root().join("docs/screenshots/thread-refused-ar.png"))
        .await;
    phone.client.refresh().await.unwrap();
    phone.wait_for("#thread-ended").await;
    let kept = phone
        .wait_for("#outbox-list li[data-state='refused']")
        .await;
    assert!(kept.text().await.unwrap().contains("من فضلك اتصل بي."));
    // The list of conversations shows it too (a coach whose thread is
    // closed to them finds theirs there).
    phone.client.goto(&server.url("/messages")).await.unwrap();
    let listed = phone
        .wait_for("#outbox-list li[data-state='refused']")
        .await;
    assert!(listed.text().await.unwrap().contains("من فضلك اتصل بي."));
    phone.client.back().await.unwrap();
    phone.wait_for("#thread-ended").await;
    phone
        .wait_for("#outbox-list .outbox-remove")
        .await
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        let left = run(
            &phone,
            "done(document.querySelectorAll('#outbox-list li').length)",
        )
        .await;
        if left == json!(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    phone.client.refresh().await.unwrap();
    phone.wait_for("#thread-ended").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let left = run(
        &phone,
        "done(document.querySelectorAll('#outbox-list li').length)",
    )
    .await;
    assert_eq!(left, json!(0), "removed for good");
    assert_eq!(count().await, 1);
}
