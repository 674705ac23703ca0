//! Passkeys in a real headless Chromium with a virtual authenticator (the
//! WebDriver WebAuthn extension: a phone with a fingerprint reader). A
//! member joins, is offered a passkey at once, makes one, signs out, and
//! comes back on the sign-in page with it, without typing anything; on a
//! new phone, with a code another member made, she makes one there too;
//! removed from the family, her passkey opens nothing. A phone
//! without a passkey is told plainly that it did not work. The server
//! refuses made-up answers, and on an IP address says passkeys need a
//! host name. Screenshots in Dutch and Arabic at 360 px.

use std::time::Duration;

use fantoccini::Locator;
use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::{accounts, invites, members, new_phone};
use onsplan_app::lang::Lang;
use onsplan_tests::browser::Browser;
use onsplan_tests::world::{Person, World};
use onsplan_tests::{repo_root, Store, TestServer};

async fn goto(b: &Browser, server: &TestServer, path: &str) {
    b.client.goto(&server.url(path)).await.unwrap();
}

async fn path(b: &Browser) -> String {
    b.client.current_url().await.unwrap().path().to_string()
}

async fn text(b: &Browser) -> String {
    b.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Clicks, then waits until `done` holds (a script's work finishes later).
async fn click_until(b: &Browser, css: &str, done: &str) {
    b.click_when_ready(css).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ok = b
            .client
            .execute(&format!("return !!({done})"), vec![])
            .await
            .unwrap();
        if ok == serde_json::Value::Bool(true) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "after {css}: {done} never held; page: {}",
            text(b).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn shot(b: &Browser, name: &str) {
    b.screenshot(&repo_root().join(format!("docs/screenshots/{name}.png")))
        .await;
}

/// A new phone that joins the family with the coach's invite.
async fn joins(server: &TestServer, world: &World, lang: &str, name: &str) -> (Browser, String) {
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
    let phone = Browser::start(true, lang).await;
    let authenticator = phone.add_virtual_authenticator().await;
    goto(&phone, server, &format!("/join?code={code}&lang={lang}")).await;
    phone.wait_for("#name").await.send_keys(name).await.unwrap();
    click_until(&phone, "#accept", "location.pathname === '/plan'").await;
    (phone, authenticator)
}

#[tokio::test]
async fn a_member_comes_back_with_a_passkey() {
    let server = TestServer::start_on_localhost(Store::Sqlite).await;
    let world = World::build(&server.state).await;
    let (phone, authenticator) = joins(&server, &world, "nl-BE", "Amal").await;

    // Right after joining, the plan offers a passkey.
    phone.wait_for("#passkey button[data-passkey='add']").await;
    shot(&phone, "passkey-offer-nl").await;
    click_until(
        &phone,
        "#passkey button[data-passkey='add']",
        "!document.querySelector('#passkey .passkey-done').hidden",
    )
    .await;
    assert_eq!(
        phone.passkeys(&authenticator).await,
        1,
        "the phone keeps it"
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys")
        .fetch_one(server.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1, "the server keeps its public key");
    // A new way in is a thing the family sees.
    goto(&phone, &server, "/plan/looked").await;
    assert!(
        text(&phone)
            .await
            .contains("Maakte een toegangssleutel op een telefoon"),
        "{}",
        text(&phone).await
    );
    goto(&phone, &server, "/plan").await;
    assert!(
        !text(&phone).await.contains("Maak een toegangssleutel"),
        "no longer offered at the top"
    );

    // Signed out, the sign-in page brings the member back: one tap.
    let me = phone.client.get_all_cookies().await.unwrap();
    assert!(!me.is_empty());
    phone.client.delete_all_cookies().await.unwrap();
    goto(&phone, &server, "/plan").await;
    assert!(text(&phone).await.contains("U bent afgemeld"), "signed out");
    goto(&phone, &server, "/sign-in").await;
    phone
        .wait_for("button[data-passkey='sign-in']:not([hidden])")
        .await;
    shot(&phone, "passkey-sign-in-nl").await;
    click_until(
        &phone,
        "button[data-passkey='sign-in']",
        "location.pathname === '/plan'",
    )
    .await;
    let plan = text(&phone).await;
    assert!(plan.contains("Ons plan"), "{plan}");
    assert!(plan.contains("Amal"), "{plan}");

    // Removed from the family, the passkey opens nothing any more.
    let state = &server.state;
    let now = state.clock.now();
    let amal: String = sqlx::query_scalar("SELECT id FROM members WHERE display_name = 'Amal'")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    let yusuf = accounts::add_member(&state.db, &world.family, "Yusuf", Lang::NlBe, now)
        .await
        .unwrap();
    let yusuf = Caller::member(&state.db, &yusuf).await.unwrap();
    let access = FamilyAccess::open(&state.db, &yusuf, &world.family, now)
        .await
        .unwrap();
    // With the family's help: Yusuf makes Amal a "new phone" code; on the
    // new phone she comes back with it and makes a passkey there too.
    let code = new_phone::create(&state.db, &state.secret, &yusuf, &world.family, &amal, now)
        .await
        .unwrap()
        .code;
    let new_phone = Browser::start(true, "nl-BE").await;
    let second = new_phone.add_virtual_authenticator().await;
    goto(&new_phone, &server, &format!("/join?code={code}")).await;
    click_until(&new_phone, "#come-back", "location.pathname === '/plan'").await;
    click_until(
        &new_phone,
        "#passkey button[data-passkey='add']",
        "!document.querySelector('#passkey .passkey-done').hidden",
    )
    .await;
    assert_eq!(new_phone.passkeys(&second).await, 1);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 2, "one passkey per phone");
    new_phone.close().await;

    members::remove(&state.db, &access, &amal).await.unwrap();
    phone.client.delete_all_cookies().await.unwrap();
    goto(&phone, &server, "/sign-in").await;
    click_until(
        &phone,
        "button[data-passkey='sign-in']",
        "!document.querySelector('#passkey-sign-in .passkey-error').hidden",
    )
    .await;
    assert_eq!(path(&phone).await, "/sign-in", "not let in");
    phone.close().await;

    // A phone without a passkey is told it did not work, and stays out.
    let other = Browser::start(true, "ar").await;
    other.add_virtual_authenticator().await;
    goto(&other, &server, "/sign-in").await;
    click_until(
        &other,
        "button[data-passkey='sign-in']",
        "!document.querySelector('#passkey-sign-in .passkey-error').hidden",
    )
    .await;
    assert_eq!(path(&other).await, "/sign-in");
    assert!(other
        .client
        .find(Locator::Css("html[dir='rtl']"))
        .await
        .is_ok());
    shot(&other, "passkey-sign-in-failed-ar").await;
    other.close().await;

    // The Arabic offer, right to left, to the first member of a family.
    let server = TestServer::start_on_localhost(Store::Sqlite).await;
    let world = World::build(&server.state).await;
    let (arabic, _) = joins(&server, &world, "ar", "أمل").await;
    arabic.wait_for("#passkey button[data-passkey='add']").await;
    shot(&arabic, "passkey-offer-ar").await;
    arabic.close().await;
}

#[tokio::test]
async fn the_server_refuses_made_up_passkey_answers() {
    let server = TestServer::start_on_localhost(Store::Sqlite).await;
    let someone = Person::new(&server);
    let started = someone.call("/api/passkey-sign-in-start", &[]).await;
    assert_eq!(started.status, 200, "{}", started.body);
    let options: String = serde_json::from_str(&started.body).unwrap();
    let options: serde_json::Value = serde_json::from_str(&options).unwrap();
    let ceremony = options["ceremony"].as_str().unwrap().to_string();
    assert!(options["options"]["publicKey"]["challenge"].is_string());
    // A made-up answer: refused in the reader's language, nobody signed in.
    let fake = r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"authenticatorData":"AAAA","clientDataJSON":"AAAA","signature":"AAAA","userHandle":"AAAA"},"extensions":{}}"#;
    let answer = someone
        .call(
            "/api/passkey-sign-in-finish",
            &[("ceremony", &ceremony), ("credential", fake)],
        )
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("error-passkey"), "{}", answer.body);
    assert!(answer.headers.get("set-cookie").is_none());
    // The ceremony was used up by that try: it is gone from the store.
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkey_ceremonies WHERE id = $1")
        .bind(&ceremony)
        .fetch_one(server.state.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "a ceremony is used once");
    // Adding a passkey needs a member.
    assert_eq!(
        someone.call("/api/passkey-add-start", &[]).await.status,
        401
    );

    // On an IP address, passkeys are refused with a reason.
    let on_ip = TestServer::start(Store::Sqlite).await;
    let answer = Person::new(&on_ip)
        .call("/api/passkey-sign-in-start", &[])
        .await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.body.contains("error-passkey-host"),
        "{}",
        answer.body
    );
}
