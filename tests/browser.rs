//! Pages in a real headless Chromium at 360 px: server-rendered, hydrated,
//! in Dutch and in Arabic (right to left). Screenshots go to docs/screenshots/.

use onsplan_tests::browser::Browser;
use onsplan_tests::{repo_root, stores, TestServer};

#[tokio::test]
async fn home_hydrates_in_dutch_and_arabic() {
    let server = TestServer::start(stores()[0]).await;
    for (lang, name) in [("nl-BE", "nl"), ("ar", "ar")] {
        let browser = Browser::start(true, lang).await;
        browser.client.goto(&server.url("/")).await.unwrap();
        // The read-aloud island shows itself only once hydrated.
        browser
            .wait_for("button.read-aloud[data-ready='true']")
            .await;
        let dir = browser
            .client
            .execute("return document.documentElement.dir", vec![])
            .await
            .unwrap();
        assert_eq!(dir, if lang == "ar" { "rtl" } else { "ltr" });
        browser
            .screenshot(&repo_root().join(format!("docs/screenshots/home-{name}.png")))
            .await;
        browser.close().await;
    }
}

#[tokio::test]
async fn home_renders_without_javascript() {
    let server = TestServer::start(stores()[0]).await;
    let browser = Browser::start(false, "nl-BE").await;
    browser.client.goto(&server.url("/")).await.unwrap();
    let intro = browser.wait_for("#home-intro").await;
    assert!(intro.text().await.unwrap().contains("Ons plan"));
    // Without scripts the read-aloud button stays hidden, never dead.
    let hidden = browser
        .client
        .execute(
            "return document.querySelector('button.read-aloud').hidden",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hidden, true);
    browser.close().await;
}

/// A coordinator's page on a 360 px phone, in Dutch and in Arabic: the
/// team's caseload fits (the table scrolls inside its card, never the
/// page), right to left in Arabic, and no family is named.
#[tokio::test]
async fn a_coordinator_reads_the_team_in_dutch_and_arabic() {
    use onsplan_app::domain::access::StaffRole;
    use onsplan_app::domain::accounts::{self, NewStaff};
    use onsplan_app::lang::Lang;
    use onsplan_tests::world::{World, PASSWORD};
    let server = TestServer::start(stores()[0]).await;
    let world = World::build(&server.state).await;
    for (lang, name) in [(Lang::NlBe, "nl"), (Lang::Ar, "ar")] {
        let email = format!("hilde-{name}@test.example");
        accounts::create_staff(
            &server.state.db,
            &NewStaff {
                org_id: &world.org,
                role: StaffRole::Coordinator,
                email: &email,
                display_name: "Hilde Maes",
                lang,
            },
            PASSWORD,
            server.state.clock.now(),
        )
        .await
        .unwrap();
        let browser = Browser::start(true, lang.tag()).await;
        browser.client.goto(&server.url("/sign-in")).await.unwrap();
        browser
            .wait_for("#email")
            .await
            .send_keys(&email)
            .await
            .unwrap();
        browser
            .wait_for("#password")
            .await
            .send_keys(PASSWORD)
            .await
            .unwrap();
        browser.wait_for("#sign-in").await.click().await.unwrap();
        let team = browser.wait_for("#team").await;
        let text = team.text().await.unwrap();
        assert!(text.contains("Sara") && text.contains("Marleen"), "{text}");
        let page = browser.wait_for("main").await.text().await.unwrap();
        for family in ["Gezin Haddad", "Gezin Peeters"] {
            assert!(!page.contains(family), "no family is named: {page}");
        }
        let fits = browser
            .client
            .execute(
                "return [document.documentElement.dir, \
                 document.documentElement.scrollWidth <= 360]",
                vec![],
            )
            .await
            .unwrap();
        let expected_dir = if lang == Lang::Ar { "rtl" } else { "ltr" };
        assert_eq!(fits, serde_json::json!([expected_dir, true]));
        browser
            .screenshot(&repo_root().join(format!("docs/screenshots/team-{name}.png")))
            .await;
        browser.close().await;
    }
}
