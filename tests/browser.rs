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
