//! Web push end to end (issue 11, stage 1): the real router over HTTP, the
//! real sender, and a real push service (`web-push-testing`, which checks
//! the VAPID signature and decrypts every push) on this machine. Who is
//! told is decided when the push leaves, by the access layer; a push
//! carries no family content; a subscription that is gone is deleted; a
//! push service that fails is tried again, after its Retry-After; a server
//! killed between an event and its push loses nothing and sends nothing
//! twice.

use std::time::Duration;

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::push::{self, SenderConfig};
use onsplan_app::lang::Lang;
use onsplan_tests::push::{PushReceiver, ReceiverSubscription, StubEndpoint};
use onsplan_tests::world::{Joined, Person, World};
use onsplan_tests::{stores, Store, TestServer};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(15);
const PURPOSE: &str = "Marleen helpt met de sollicitatiebrief";

/// A family that uses Onsplan: Amal joined with the coach's invite (and so
/// accepted the coach). The coach and the volunteer are signed in.
struct Family {
    /// The sender, running from the start (so that the family's joining is
    /// told before anyone subscribes).
    sender: Option<tokio::task::JoinHandle<()>>,
    server: TestServer,
    world: World,
    coach: Person,
    amal: Person,
    volunteer: Person,
}

async fn family(store: Store) -> Family {
    let server = TestServer::start(store).await;
    let joined = Joined::on(&server).await;
    let sender = Some(sender(&server));
    drained(&server).await;
    Family {
        sender,
        world: joined.world,
        coach: joined.coach,
        amal: joined.amal,
        volunteer: joined.volunteer,
        server,
    }
}

/// This person's browser subscribes to the push service with the server's
/// key, and tells the server, as the page's script does.
async fn subscribe(who: &Person, receiver: &PushReceiver, kinds_off: &str) -> ReceiverSubscription {
    let key = who.call("/api/push-key", &[]).await;
    assert_eq!(key.status, 200, "{}", key.body);
    let key: String = serde_json::from_str(&key.body).expect("the key as JSON text");
    let sub = receiver.subscribe(&key).await;
    let r = who
        .call(
            "/api/push-subscribe",
            &[
                ("endpoint", &sub.endpoint),
                ("p256dh", &sub.p256dh),
                ("auth", &sub.auth),
                ("kinds_off", kinds_off),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    sub
}

fn sender(server: &TestServer) -> tokio::task::JoinHandle<()> {
    push::start_sender(
        server.state.db.clone(),
        server.state.push.clone(),
        server.state.clock.clone(),
        SenderConfig {
            poll: Duration::from_millis(50),
            first_retry: 2,
        },
    )
}

/// Waits until every event so far has been handled.
async fn drained(server: &TestServer) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while scalar(
        server,
        "SELECT COUNT(*) FROM notification_events WHERE expanded_at IS NULL AND $1 = $1",
        "",
    )
    .await
        > 0
    {
        assert!(tokio::time::Instant::now() < deadline, "outbox not emptied");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn scalar(server: &TestServer, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind)
        .fetch_one(server.state.db.pool())
        .await
        .unwrap()
}

async fn share_work_with_volunteer(f: &Family) -> String {
    share_domain_with_volunteer(f, "work").await;
    sqlx::query_scalar("SELECT id FROM shares WHERE purpose = $1 AND domain = 'work'")
        .bind(PURPOSE)
        .fetch_one(f.server.state.db.pool())
        .await
        .unwrap()
}

/// A decrypted push: exactly an id, a kind and one fixed sentence (with its
/// language and direction); nothing about the family.
fn check_payload(text: &str, f: &Family, kind: &str, lang: Lang) -> Value {
    let v: Value = serde_json::from_str(text).expect("JSON payload");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["dir", "id", "kind", "lang", "text"], "{text}");
    assert_eq!(v["kind"], kind, "{text}");
    assert_eq!(v["lang"], lang.tag(), "{text}");
    assert_eq!(v["dir"], lang.dir(), "{text}");
    let id_for_kind = match kind {
        "consent" => "push-consent",
        "answer" => "push-answer",
        "question" => "push-question",
        "plan" => "push-plan",
        "joined" => "push-joined",
        "evaluation" => "push-evaluation",
        "message" => "push-message",
        other => panic!("unexpected kind {other}"),
    };
    assert_eq!(v["text"], onsplan_app::i18n::tr(lang, id_for_kind));
    for secret in [
        "Haddad",
        "Amal",
        "Marleen",
        "sollicitatie",
        f.world.family.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} in a push: {text}");
    }
    v
}

#[tokio::test]
async fn a_withdrawn_share_reaches_the_volunteer_once_in_her_language_without_content() {
    for store in stores() {
        let f = family(store).await;
        let receiver = PushReceiver::start().await;
        // The volunteer reads Onsplan in Arabic; the coach is subscribed too.
        let r = f
            .volunteer
            .call("/api/set-language", &[("lang", "ar")])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let vol = subscribe(&f.volunteer, &receiver, "").await;
        let coach = subscribe(&f.coach, &receiver, "").await;

        let share = share_work_with_volunteer(&f).await;
        let got = receiver.wait_for(&vol.client_hash, 1, WAIT).await;
        check_payload(&got[0], &f, "consent", Lang::Ar);

        let r = f
            .amal
            .call(
                "/api/withdraw-share",
                &[("family", &f.world.family), ("share", &share)],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let got = receiver.wait_for(&vol.client_hash, 2, WAIT).await;
        let second = check_payload(&got[1], &f, "consent", Lang::Ar);
        assert!(!got[1].contains(&share), "the share's id is not sent");
        // Exactly one push for the withdrawal, and none to the coach, whose
        // view did not change.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(receiver.notifications(&vol.client_hash).await.len(), 2);
        assert!(receiver.notifications(&coach.client_hash).await.is_empty());
        // The push's id is a delivery the store kept as sent.
        let sent = scalar(
            &f.server,
            "SELECT COUNT(*) FROM push_deliveries WHERE id = $1 AND outcome = 'sent'",
            second["id"].as_str().unwrap(),
        )
        .await;
        assert_eq!(sent, 1, "{store:?}");
        // Opening it leads where the volunteer may go now: no longer the
        // family (the share is gone), so their own list. Anyone else who
        // opens it lands on the start page, learning nothing.
        let id = second["id"].as_str().unwrap();
        let opened = f.volunteer.get(&format!("/n/{id}")).await;
        assert_eq!(opened.location.as_deref(), Some("/families"), "{store:?}");
        let other = f.coach.get(&format!("/n/{id}")).await;
        assert_eq!(other.location.as_deref(), Some("/"), "{store:?}");
        let nobody = Person::new(&f.server).get(&format!("/n/{id}")).await;
        assert_eq!(nobody.location.as_deref(), Some("/sign-in"), "{store:?}");
    }
}

/// Who is told is decided when the push leaves: an answer given while the
/// coach had the family's mandate reaches no one once the family stopped
/// working with them before it was sent; the withdrawal itself does.
#[tokio::test]
async fn a_coach_the_family_stopped_is_told_nothing_about_it_but_the_stop() {
    for store in stores() {
        let mut f = family(store).await;
        let receiver = PushReceiver::start().await;
        let coach = subscribe(&f.coach, &receiver, "").await;
        let amal = subscribe(&f.amal, &receiver, "").await;
        // Nothing is sent for a while (as when the server is busy).
        f.sender.take().unwrap().abort();

        // The coach asks a question on an action (sender not running yet).
        let action = onsplan_tests::world::coach_action(
            &f.server.state,
            &f.world.coach.id,
            &f.world.family,
            "De huisbaas bellen",
        )
        .await;
        let question = onsplan_tests::world::ask(
            &f.coach,
            &f.server.state,
            &f.world.family,
            &action,
            &[
                ("help", "call"),
                ("party", "landlord"),
                ("party_name", "WoninGent"),
                ("facts[]", "identity"),
                ("until", "2027-06-30"),
            ],
        )
        .await;
        // Amal answers, then stops working with the coach.
        let r = f
            .amal
            .call(
                "/api/answer",
                &[
                    ("family", &f.world.family),
                    ("question", &question),
                    ("answer", "together"),
                ],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        let r = f.amal.call("/api/withdraw-coach", &[]).await;
        assert!(r.status < 400, "{} {}", r.status, r.body);

        f.sender = Some(sender(&f.server));
        let got = receiver.wait_for(&coach.client_hash, 1, WAIT).await;
        check_payload(&got[0], &f, "consent", Lang::NlBe);
        // Amal hears of the plan's two changes and the question, in Dutch.
        let hers = receiver.wait_for(&amal.client_hash, 3, WAIT).await;
        let mut kinds: Vec<String> = hers
            .iter()
            .map(|t| {
                serde_json::from_str::<Value>(t).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["plan", "plan", "question"], "{store:?}");
        for t in &hers {
            let kind = serde_json::from_str::<Value>(t).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string();
            check_payload(t, &f, &kind, Lang::NlBe);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            receiver.notifications(&coach.client_hash).await.len(),
            1,
            "{store:?}: the answer is not pushed to a coach who lost the family"
        );
        let for_coach = scalar(
            &f.server,
            "SELECT COUNT(*) FROM push_deliveries WHERE recipient_id = $1",
            &f.world.coach.id,
        )
        .await;
        assert_eq!(for_coach, 1, "{store:?}");
        let asked = hers
            .iter()
            .map(|t| serde_json::from_str::<Value>(t).unwrap())
            .find(|v| v["kind"] == "question")
            .unwrap();
        let opened = f
            .amal
            .get(&format!("/n/{}", asked["id"].as_str().unwrap()))
            .await;
        assert_eq!(
            opened.location,
            Some(format!("/plan/question/{question}")),
            "{store:?}"
        );
    }
}

#[tokio::test]
async fn a_subscription_that_is_gone_is_deleted() {
    for store in stores() {
        let f = family(store).await;
        let receiver = PushReceiver::start().await;
        let vol = subscribe(&f.volunteer, &receiver, "").await;
        receiver.expire(&vol.client_hash).await;
        share_work_with_volunteer(&f).await;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = scalar(
                &f.server,
                "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = $1",
                &vol.endpoint,
            )
            .await;
            if left == 0 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "not deleted");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let gone = scalar(
            &f.server,
            "SELECT COUNT(*) FROM push_deliveries WHERE recipient_id = $1 AND outcome = 'gone'",
            &f.world.volunteer.id,
        )
        .await;
        assert_eq!(gone, 1, "{store:?}");
    }
}

/// A push service answering 503 with Retry-After is tried again no sooner
/// than it asked, and then once; the request carries what RFC 8030 and
/// RFC 8292 ask for.
#[tokio::test]
async fn a_failing_push_service_is_tried_again_after_its_retry_after() {
    let f = family(Store::Sqlite).await;
    let receiver = PushReceiver::start().await;
    let stub = StubEndpoint::start(vec![(503, Some("5")), (201, None)]).await;
    // Real keys (from the test push service), the stub's address.
    let key = f.volunteer.call("/api/push-key", &[]).await;
    let key: String = serde_json::from_str(&key.body).unwrap();
    let keys = receiver.subscribe(&key).await;
    let r = f
        .volunteer
        .call(
            "/api/push-subscribe",
            &[
                ("endpoint", &stub.endpoint_url()),
                ("p256dh", &keys.p256dh),
                ("auth", &keys.auth),
                ("kinds_off", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let share = share_work_with_volunteer(&f).await;
    let first = stub.wait_for(1, WAIT).await;
    let r = f
        .amal
        .call(
            "/api/withdraw-share",
            &[("family", &f.world.family), ("share", &share)],
        )
        .await;
    assert_eq!(r.status, 200);
    // The grant went out at once (201); the withdrawal meets the 503.
    let seen = stub.wait_for(2, WAIT).await;
    let failed = &seen[1];
    let ttl: i64 = failed.header("ttl").unwrap().parse().unwrap();
    assert!((60..=48 * 3600).contains(&ttl), "TTL {ttl}");
    assert_eq!(first[0].header("urgency"), Some("normal"), "a share given");
    assert_eq!(failed.header("urgency"), Some("high"), "a share withdrawn");
    let topic = failed.header("topic").unwrap().to_string();
    assert_eq!(topic.len(), 32);
    assert_eq!(
        first[0].header("topic"),
        Some(topic.as_str()),
        "one family, one kind"
    );
    assert!(failed
        .header("authorization")
        .unwrap()
        .starts_with("vapid t="));
    assert_eq!(failed.header("content-encoding"), Some("aes128gcm"));
    assert!(failed.body_len <= 4096);
    // The sender's own wait would be 2 s; the service asked for 5.
    f.server.state.clock.advance(3);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(stub.requests().len(), 2, "not before Retry-After");
    f.server.state.clock.advance(3);
    let seen = stub.wait_for(3, WAIT).await;
    assert_eq!(seen[2].header("topic"), Some(topic.as_str()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stub.requests().len(), 3, "sent once after the retry");
    let sent = scalar(
        &f.server,
        "SELECT COUNT(*) FROM push_deliveries WHERE recipient_id = $1 AND outcome = 'sent' AND attempts = 2",
        &f.world.volunteer.id,
    )
    .await;
    assert_eq!(sent, 1);
}

/// A person who turned a kind off on a device gets none of it there.
#[tokio::test]
async fn a_kind_turned_off_is_not_sent_to_that_device() {
    let f = family(Store::Sqlite).await;
    let receiver = PushReceiver::start().await;
    let quiet = subscribe(&f.volunteer, &receiver, "consent").await;
    share_work_with_volunteer(&f).await;
    // A test notice to the same device shows the sender is running.
    let r = f
        .volunteer
        .call("/api/push-test", &[("endpoint", &quiet.endpoint)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = receiver.wait_for(&quiet.client_hash, 1, WAIT).await;
    let v: Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(v["kind"], "test");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.notifications(&quiet.client_hash).await.len(), 1);
    let settings = f
        .volunteer
        .call("/api/push-settings", &[("endpoint", &quiet.endpoint)])
        .await;
    assert_eq!(settings.body, "\"consent\"");
    // Someone else cannot read or use this device's settings.
    let coach = f
        .coach
        .call("/api/push-test", &[("endpoint", &quiet.endpoint)])
        .await;
    assert_eq!(coach.status, 404);
}

/// Signing out of a device ends its notices.
#[tokio::test]
async fn signing_out_ends_the_devices_subscription() {
    let f = family(Store::Sqlite).await;
    let receiver = PushReceiver::start().await;
    let vol = subscribe(&f.volunteer, &receiver, "").await;
    let r = f.volunteer.post("/api/sign-out", "/sign-out", &[]).await;
    assert_eq!(r.status, 302);
    let left = scalar(
        &f.server,
        "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = $1",
        &vol.endpoint,
    )
    .await;
    assert_eq!(left, 0);
}

/// Amal shares a whole domain with the family's volunteer.
async fn share_domain_with_volunteer(f: &Family, domain: &str) {
    let r = f
        .amal
        .call(
            "/api/share",
            &[
                ("family", &f.world.family),
                ("domain", domain),
                ("to", "volunteer"),
                ("purpose", PURPOSE),
                ("until", "2027-06-30"),
            ],
        )
        .await;
    assert!(r.status < 400, "{} {}", r.status, r.body);
}

/// A subscription made before browsers got a device cookie is told only
/// while its sign-in lasts (no later sign-in in that browser could end
/// it). When its owner signs in again and Settings looks at the device, it
/// becomes this sign-in's and this browser's; a device still told after its
/// sign-in ran out is listed among where she is signed in, and "sign out
/// everywhere else" ends it.
#[tokio::test]
async fn an_older_subscription_follows_its_owner_from_the_settings_page() {
    use onsplan_app::domain::accounts::STAFF_SESSION_SECONDS;
    let f = family(Store::Sqlite).await;
    let receiver = PushReceiver::start().await;
    let vol = subscribe(&f.volunteer, &receiver, "").await;
    sqlx::query("UPDATE push_subscriptions SET device_hash = NULL WHERE endpoint = $1")
        .bind(&vol.endpoint)
        .execute(f.server.state.db.pool())
        .await
        .unwrap();

    f.server.state.clock.advance(STAFF_SESSION_SECONDS + 3600);
    share_domain_with_volunteer(&f, "work").await;
    drained(&f.server).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.notifications(&vol.client_hash).await.is_empty());

    f.volunteer.drop_cookie("onsplan_session");
    f.volunteer.sign_in(&f.world.volunteer.email).await;
    let r = f
        .volunteer
        .call("/api/push-settings", &[("endpoint", &vol.endpoint)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    share_domain_with_volunteer(&f, "money").await;
    receiver.wait_for(&vol.client_hash, 1, WAIT).await;

    // Her working day ends; the next morning she signs in at the office.
    f.server.state.clock.advance(STAFF_SESSION_SECONDS + 3600);
    let office = Person::new(&f.server);
    office.sign_in(&f.world.volunteer.email).await;
    let settings = office.get("/settings").await;
    assert!(
        settings.body.contains("id=\"sign-out-elsewhere\""),
        "the phone still told is listed, with the way to end it"
    );
    let r = office
        .post("/api/sign-out-elsewhere", "/settings", &[])
        .await;
    assert!(r.status < 400, "{}", r.status);
    let left = scalar(
        &f.server,
        "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = $1",
        &vol.endpoint,
    )
    .await;
    assert_eq!(left, 0);
}

/// A volunteer or coach signs in each working day; their phone is still
/// told in the evening and over the weekend, for a while after the sign-in
/// ran out, then no more. Signing in again in the same browser carries the
/// device over to the new sign-in; someone else signing in there ends it.
#[tokio::test]
async fn a_device_is_told_for_a_while_after_its_sign_in_and_follows_the_next_one() {
    use onsplan_app::domain::accounts::STAFF_SESSION_SECONDS;
    let f = family(Store::Sqlite).await;
    let receiver = PushReceiver::start().await;
    let vol = subscribe(&f.volunteer, &receiver, "").await;

    // The working day is over: the volunteer's sign-in ran out, and a
    // family's change still reaches her phone.
    f.server.state.clock.advance(STAFF_SESSION_SECONDS + 3600);
    f.volunteer.drop_cookie("onsplan_session");
    let out = f.volunteer.call("/api/push-key", &[]).await;
    assert_eq!(out.status, 401, "signed out: {}", out.body);
    share_domain_with_volunteer(&f, "work").await;
    receiver.wait_for(&vol.client_hash, 1, WAIT).await;

    // Once the days it is told after have passed too: nothing more.
    f.server
        .state
        .clock
        .advance(push::TOLD_AFTER_SIGN_IN_SECONDS);
    share_domain_with_volunteer(&f, "money").await;
    drained(&f.server).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.notifications(&vol.client_hash).await.len(), 1);

    // She signs in again in this browser: told again, without subscribing
    // again, and the device now ends with this sign-in.
    f.volunteer.sign_in(&f.world.volunteer.email).await;
    share_domain_with_volunteer(&f, "health").await;
    receiver.wait_for(&vol.client_hash, 2, WAIT).await;

    // Her sign-in runs out; someone else signs in in this browser: her
    // notices stop here (the browser no longer sends her session, so only
    // the device cookie tells whose phone this was).
    f.server.state.clock.advance(STAFF_SESSION_SECONDS + 3600);
    f.volunteer.drop_cookie("onsplan_session");
    f.volunteer.sign_in(&f.world.coach.email).await;
    let left = scalar(
        &f.server,
        "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = $1",
        &vol.endpoint,
    )
    .await;
    assert_eq!(left, 0, "the previous person's subscription ended");
    share_domain_with_volunteer(&f, "school").await;
    drained(&f.server).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.notifications(&vol.client_hash).await.len(), 2);
}

/// Refused: an endpoint that is not a push service this server posts to,
/// and keys that are not keys; with a clear error, nothing stored.
#[tokio::test]
async fn a_subscription_to_anything_but_a_push_service_is_refused() {
    let f = family(Store::Sqlite).await;
    let receiver = PushReceiver::start().await;
    let key = f.volunteer.call("/api/push-key", &[]).await;
    let key: String = serde_json::from_str(&key.body).unwrap();
    let real = receiver.subscribe(&key).await;
    for (endpoint, p256dh, auth) in [
        (
            "http://10.0.0.1/push/x",
            real.p256dh.as_str(),
            real.auth.as_str(),
        ),
        ("https://example.org/x", &real.p256dh, &real.auth),
        ("file:///etc/passwd", &real.p256dh, &real.auth),
        (&real.endpoint, "AAAA", &real.auth),
        (&real.endpoint, &real.p256dh, "!!!!"),
    ] {
        let r = f
            .volunteer
            .call(
                "/api/push-subscribe",
                &[
                    ("endpoint", endpoint),
                    ("p256dh", p256dh),
                    ("auth", auth),
                    ("kinds_off", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 400, "{endpoint}: {}", r.body);
    }
    let r = f
        .volunteer
        .call(
            "/api/push-subscribe",
            &[
                ("endpoint", &real.endpoint),
                ("p256dh", &real.p256dh),
                ("auth", &real.auth),
                ("kinds_off", "everything"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    let n = scalar(
        &f.server,
        "SELECT COUNT(*) FROM push_subscriptions WHERE $1 = $1",
        "x",
    )
    .await;
    assert_eq!(n, 0);
}

/// A server call with a session cookie, as the page's script makes it.
async fn call_with(port: u16, cookie: &str, path: &str, fields: &[(&str, &str)]) -> u16 {
    let origin = format!("http://127.0.0.1:{port}");
    reqwest::Client::new()
        .post(format!("{origin}{path}"))
        .header("origin", &origin)
        .header("cookie", cookie)
        .form(fields)
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

/// The real `onsplan serve`: the push service is down when a share is
/// withdrawn, the server tries, is killed (SIGKILL), the push service comes
/// back, the server starts again: the volunteer gets exactly one push.
#[tokio::test]
async fn a_server_killed_between_the_event_and_the_push_loses_none_and_sends_none_twice() {
    use onsplan_app::domain::clock::Clock;
    use onsplan_app::domain::consent;
    use onsplan_app::domain::db::Db;
    use onsplan_app::domain::limits::RateLimits;
    use onsplan_app::domain::secret::SecretKey;
    use onsplan_app::domain::{accounts, AppState};
    use onsplan_app::model::{Recipient, ShareScope};
    use onsplan_tests::process::{data_dir, free_port, Instance, Setup};
    use std::sync::Arc;

    sqlx::any::install_default_drivers();
    for store in stores() {
        let root = tempfile::tempdir().unwrap();
        let dir = data_dir(root.path(), "data");
        let port = free_port();
        let test_db = match store {
            Store::Sqlite => None,
            Store::Postgres => Some(onsplan_tests::fresh_db(Store::Postgres).await),
        };
        let setup = Setup {
            database_url: match &test_db {
                None => format!("sqlite://{}?mode=rwc", dir.join("onsplan.db").display()),
                Some(db) => db.url.clone(),
            },
            data_dir: dir,
            public_url: format!("http://127.0.0.1:{port}"),
        };
        // The family, a share to its volunteer, and two sessions, made in
        // the store before the server starts.
        let db = Db::connect(&setup.database_url).await.unwrap();
        std::fs::create_dir_all(&setup.data_dir).unwrap();
        let state = AppState {
            db: db.clone(),
            clock: Clock::System,
            secret: Arc::new(
                SecretKey::load_shared(&db, &setup.data_dir.join("secret.key"), 0)
                    .await
                    .unwrap(),
            ),
            public_url: setup.public_url.clone(),
            limits: Arc::new(RateLimits::new(onsplan_tests::no_limits())),
            trusted_proxy: None,
            push: onsplan_tests::test_push(&db).await,
            live: Default::default(),
        };
        let world = World::build(&state).await;
        let now = state.clock.now();
        let amal = accounts::add_member(&db, &world.family, "Amal", Lang::NlBe, now)
            .await
            .unwrap();
        let amal = Caller::member(&db, &amal).await.unwrap();
        let access = FamilyAccess::open(&db, &amal, &world.family, now)
            .await
            .unwrap();
        let share = consent::share(
            &db,
            &access,
            &ShareScope::Domain("work".into()),
            &Recipient::OurVolunteer,
            PURPOSE,
            "2099-12-31",
        )
        .await
        .unwrap();
        let amal_cookie = format!(
            "onsplan_session={}",
            accounts::start_session(&db, &amal, now).await.unwrap()
        );
        let volunteer = Caller::staff(&db, &world.volunteer.id).await.unwrap();
        let vol_cookie = format!(
            "onsplan_session={}",
            accounts::start_session(&db, &volunteer, now).await.unwrap()
        );

        let mut receiver = PushReceiver::start().await;
        let mut server = Instance::start(&setup, port).await.unwrap();
        // The share's own notice is handled before the volunteer's phone
        // subscribes: a device subscribing in the same second as a change
        // may be told of it, and this test counts the withdrawal's alone.
        let deadline = tokio::time::Instant::now() + WAIT;
        while sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM notification_events WHERE expanded_at IS NULL",
        )
        .fetch_one(db.pool())
        .await
        .unwrap()
            > 0
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{store:?}: the outbox was never handled"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let sub = receiver.subscribe(state.push.public_key()).await;
        let status = call_with(
            port,
            &vol_cookie,
            "/api/push-subscribe",
            &[
                ("endpoint", &sub.endpoint),
                ("p256dh", &sub.p256dh),
                ("auth", &sub.auth),
                ("kinds_off", ""),
            ],
        )
        .await;
        assert_eq!(status, 200);
        // The push service goes away; the family withdraws the share.
        receiver.stop().await;
        let status = call_with(
            port,
            &amal_cookie,
            "/api/withdraw-share",
            &[("family", &world.family), ("share", &share)],
        )
        .await;
        assert_eq!(status, 200);
        // The server tried once and will try again later.
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let tried: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM push_deliveries
                 WHERE recipient_id = $1 AND attempts >= 1 AND lease_until = 0 AND done_at IS NULL",
            )
            .bind(&world.volunteer.id)
            .fetch_one(db.pool())
            .await
            .unwrap();
            if tried == 1 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{store:?}: never tried"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.signal("KILL");
        receiver.restart().await;
        let _server = Instance::start(&setup, port).await.unwrap();
        let got = receiver.wait_for(&sub.client_hash, 1, WAIT).await;
        let v: Value = serde_json::from_str(&got[0]).unwrap();
        assert_eq!(v["kind"], "consent");
        assert!(!got[0].contains(PURPOSE) && !got[0].contains("Haddad"));
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            receiver.notifications(&sub.client_hash).await.len(),
            1,
            "{store:?}: exactly once"
        );
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_deliveries WHERE recipient_id = $1 AND outcome = 'sent'",
        )
        .bind(&world.volunteer.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(sent, 1, "{store:?}");
        db.pool().close().await;
    }
}

/// "Someone joined your plan": a newcomer who asks to join (with the
/// coach's invite, once the family has members) is told to the members who
/// are there, not to the newcomer; the notice opens the members list.
#[tokio::test]
async fn someone_asking_to_join_is_told_to_the_members_there() {
    for store in stores() {
        let f = family(store).await;
        let receiver = PushReceiver::start().await;
        let amal = subscribe(&f.amal, &receiver, "").await;
        let fam = &f.world.family;
        let code = f.coach.make_invite(&format!("/families/{fam}"), fam).await;
        let karim = Person::new(&f.server);
        let r = karim.join(&code, "ar", "Karim").await;
        assert_eq!(r.status, 302, "{}", r.body);
        let got = receiver.wait_for(&amal.client_hash, 1, WAIT).await;
        let v = check_payload(&got[0], &f, "joined", Lang::NlBe);
        assert!(!got[0].contains("Karim"), "no name: {}", got[0]);
        let id = v["id"].as_str().unwrap();
        let opened = f.amal.get(&format!("/n/{id}")).await;
        assert_eq!(
            opened.location.as_deref(),
            Some("/plan#members"),
            "{store:?}"
        );
        // Only that one notice.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(receiver.notifications(&amal.client_hash).await.len(), 1);
    }
}

/// "Evaluation soon": 7 days and 1 day before the next evaluation, once
/// each, to the members and the coach; not when the plan is on hold.
#[tokio::test]
async fn the_evaluation_is_announced_a_week_and_a_day_before_once_each() {
    for store in stores() {
        let f = family(store).await;
        let receiver = PushReceiver::start().await;
        let amal = subscribe(&f.amal, &receiver, "").await;
        let coach = subscribe(&f.coach, &receiver, "").await;
        let clock = &f.server.state.clock;
        let in_days =
            |days: i64| onsplan_app::domain::clock::belgian_date(clock.now() + days * 86_400);
        let fam = f.world.family.clone();
        let set_header = |day: String, status: &'static str| {
            let fam = fam.clone();
            let coach = &f.coach;
            async move {
                let r = coach
                    .call(
                        "/api/set-header",
                        &[
                            ("family", fam.as_str()),
                            ("intensity", "low"),
                            ("next_evaluation", day.as_str()),
                            ("end_criteria", ""),
                            ("status", status),
                            (
                                "hold_reason",
                                if status == "on_hold" { "Even rust" } else { "" },
                            ),
                        ],
                    )
                    .await;
                assert!(r.status < 400, "{} {}", r.status, r.body);
            }
        };
        set_header(in_days(7), "active").await;
        // The header change itself is "your plan has changed" for Amal.
        let got = receiver.wait_for(&amal.client_hash, 1, WAIT).await;
        check_payload(&got[0], &f, "plan", Lang::NlBe);
        // The sender looks for coming evaluations every ten minutes.
        clock.advance(601);
        let got = receiver.wait_for(&amal.client_hash, 2, WAIT).await;
        check_payload(&got[1], &f, "evaluation", Lang::NlBe);
        let got = receiver.wait_for(&coach.client_hash, 1, WAIT).await;
        check_payload(&got[0], &f, "evaluation", Lang::NlBe);
        // Not twice for the same day.
        clock.advance(601);
        tokio::time::sleep(Duration::from_secs(1)).await;
        drained(&f.server).await;
        assert_eq!(receiver.notifications(&amal.client_hash).await.len(), 2);
        assert_eq!(receiver.notifications(&coach.client_hash).await.len(), 1);
        // The day before: once more. (The coach's session of six days ago
        // has ended, and with it that device's notifications.)
        clock.advance(6 * 86_400);
        let got = receiver.wait_for(&amal.client_hash, 3, WAIT).await;
        check_payload(&got[2], &f, "evaluation", Lang::NlBe);
        // A plan on hold is not evaluated: no reminder.
        f.coach.sign_in(&f.world.coach.email).await;
        set_header(in_days(7), "on_hold").await;
        receiver.wait_for(&amal.client_hash, 4, WAIT).await; // "plan changed"
        clock.advance(601);
        tokio::time::sleep(Duration::from_secs(1)).await;
        drained(&f.server).await;
        assert_eq!(
            receiver.notifications(&amal.client_hash).await.len(),
            4,
            "{store:?}"
        );
    }
}

/// A new message is told to who may read its thread, when it is sent, as
/// "you have a new message" in the device's language: never its text,
/// its writer or its thread. The volunteer, who is not in the coach's
/// thread, is told nothing; opening the notice leads to the thread.
#[tokio::test]
async fn a_new_message_is_told_without_its_content_to_who_may_read_it() {
    for store in stores() {
        let f = family(store).await;
        let receiver = PushReceiver::start().await;
        let r = f.coach.call("/api/set-language", &[("lang", "fr")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let coach = subscribe(&f.coach, &receiver, "").await;
        let volunteer = subscribe(&f.volunteer, &receiver, "").await;
        let amal = subscribe(&f.amal, &receiver, "").await;
        let list = f.amal.get("/messages").await;
        let thread = list
            .body
            .split("href=\"/messages/")
            .nth(1)
            .map(|rest| rest[..26].to_string())
            .expect("the coach's thread");
        let r = f
            .amal
            .call(
                "/api/post-message",
                &[
                    ("thread", &thread),
                    ("body", "Marleen sollicitatie morgen?"),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let got = receiver.wait_for(&coach.client_hash, 1, WAIT).await;
        let v = check_payload(&got[0], &f, "message", Lang::Fr);
        assert!(!got[0].contains(&thread), "the thread's id is not sent");
        // Nobody else: not the volunteer, not the writer herself.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(receiver
            .notifications(&volunteer.client_hash)
            .await
            .is_empty());
        assert!(receiver.notifications(&amal.client_hash).await.is_empty());
        // Opening it leads to the thread, decided now.
        let id = v["id"].as_str().unwrap();
        let opened = f.coach.get(&format!("/n/{id}")).await;
        assert_eq!(
            opened.location.as_deref(),
            Some(format!("/messages/{thread}").as_str()),
            "{store:?}"
        );
        // The coach answers: Amal is told, in her language.
        let r = f
            .coach
            .call("/api/post-message", &[("thread", &thread), ("body", "Oui")])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let got = receiver.wait_for(&amal.client_hash, 1, WAIT).await;
        check_payload(&got[0], &f, "message", Lang::NlBe);
        // A message written while the coach still reads the thread, sent
        // after the family stopped working with them, reaches nobody.
        drained(&f.server).await;
        let mut f = f;
        f.sender.take().unwrap().abort();
        let r = f
            .amal
            .call(
                "/api/post-message",
                &[("thread", &thread), ("body", "Nog iets")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = f.amal.post("/api/withdraw-coach", "/plan/coach", &[]).await;
        assert_eq!(r.status, 302, "{}", r.body);
        f.sender = Some(sender(&f.server));
        drained(&f.server).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        // The withdrawal is told (a consent notice), the message is not.
        let told = receiver.notifications(&coach.client_hash).await;
        let kinds: Vec<String> = told
            .iter()
            .map(|t| serde_json::from_str::<Value>(t).unwrap()["kind"].to_string())
            .collect();
        assert_eq!(kinds, ["\"message\"", "\"consent\""], "{store:?}");
    }
}
