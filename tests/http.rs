//! The real router over real HTTP, on SQLite and PostgreSQL.

use onsplan_tests::{client, stores, TestServer};

#[tokio::test]
async fn health_check_answers_once_migrated() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let response = client().get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{store:?}");
        assert_eq!(response.text().await.unwrap(), "ok");
    }
}

#[tokio::test]
async fn pages_speak_the_accepted_language_and_arabic_is_right_to_left() {
    let server = TestServer::start(stores()[0]).await;
    let page = |lang: &'static str| {
        let url = server.url("/");
        async move {
            client()
                .get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let arabic = page("ar,en;q=0.5").await;
    assert!(arabic.contains(r#"<html lang="ar" dir="rtl""#), "{arabic}");
    assert!(arabic.contains("خطتنا"));
    let dutch = page("nl-BE").await;
    assert!(dutch.contains(r#"<html lang="nl-BE" dir="ltr""#));
    assert!(dutch.contains("Ons plan"));
    let unknown = page("de-DE").await;
    assert!(unknown.contains(r#"lang="nl-BE""#), "falls back to Dutch");
}

#[tokio::test]
async fn unknown_pages_answer_404_in_the_users_language() {
    let server = TestServer::start(stores()[0]).await;
    let response = client()
        .get(server.url("/no/such/page"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Cette page n'existe pas"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let server = TestServer::start(stores()[0]).await;
    let cross_site = client()
        .post(server.url("/api/anything"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let wrong_origin = client()
        .post(server.url("/api/anything"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_origin.status(), 403);
}

#[tokio::test]
async fn static_files_and_security_headers() {
    let server = TestServer::start(stores()[0]).await;
    let css = client().get(server.url("/style.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["x-content-type-options"], "nosniff");
    assert_eq!(css.headers()["x-frame-options"], "DENY");
    // The stylesheet is in the page (no round trip before the first
    // paint), allowed by the page's nonce; the WebAssembly is loaded only
    // where an island needs it (the start page has the read-aloud button).
    let home = client().get(server.url("/")).send().await.unwrap();
    let policy = home.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let home = home.text().await.unwrap();
    assert!(home.contains("<style nonce=") && !home.contains("rel=\"stylesheet\""));
    assert!(policy.contains("style-src 'self' 'nonce-"), "{policy}");
    assert!(
        home.contains("/pkg/onsplan_bg.wasm"),
        "the start page's island"
    );
    let sign_in = client()
        .get(server.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sign_in.contains("<style nonce="));
    assert!(!sign_in.contains("/pkg/"), "no island, no WebAssembly");
}

/// The access log and the answer history refuse changes in the store
/// itself, not only in our code.
#[tokio::test]
async fn the_access_log_and_answer_history_are_append_only() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let db = &server.state.db;
        let world = onsplan_tests::world::World::build(&server.state).await;
        sqlx::query(
            "INSERT INTO access_log (id, family_id, at, seq, actor_kind, actor_id, event) VALUES ('l1', $1, 1, 1, 'staff', 'x', 'read')",
        )
        .bind(&world.family)
        .execute(db.pool())
        .await
        .expect("appending works");
        for sql in [
            "UPDATE access_log SET event = 'changed'",
            "DELETE FROM access_log",
        ] {
            let refused = sqlx::query(sql).execute(db.pool()).await;
            assert!(refused.is_err(), "{store:?}: {sql} was allowed");
        }
        // Row triggers need a row to fire; the answer history's guard is
        // there on both engines.
        let guards: i64 = sqlx::query_scalar(match store {
            onsplan_tests::Store::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mandate_answers'"
            }
            onsplan_tests::Store::Postgres => {
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'mandate_answers_append_only'"
            }
        })
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert!(guards >= 1, "{store:?}: mandate_answers has no guard");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM access_log")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
}
