//! The holes an attacker, a new operator and a family found in Onsplan,
//! each tried the way they found it, over real HTTP against the real
//! router, on SQLite and PostgreSQL. Each test failed before its fix.

use onsplan_app::domain::access::{Caller, FamilyAccess};
use onsplan_app::domain::limits::{Rate, RateConfig};
use onsplan_app::domain::{accounts, consent, log, plan};
use onsplan_app::error::AppError;
use onsplan_app::model::{ActionInput, Recipient, ShareScope};
use onsplan_tests::world::{between, Person, World};
use onsplan_tests::{no_limits, stores, Store, TestServer};

/// A family with its first member (Amal, joined by the coach's invite),
/// the coach signed in, and a goal with an action and a note.
struct Family {
    server: TestServer,
    world: World,
    coach: Person,
    amal: Person,
    goal: String,
    action: String,
}

async fn family(store: Store) -> Family {
    family_with(TestServer::start(store).await).await
}

async fn family_with(server: TestServer) -> Family {
    let world = World::build(&server.state).await;
    let coach = Person::new(&server);
    coach.sign_in(&world.coach.email).await;
    let code = coach
        .make_invite(&format!("/families/{}", world.family), &world.family)
        .await;
    let amal = Person::new(&server);
    let r = amal.join(&code, "nl-BE", "Amal").await;
    assert_eq!(r.location.as_deref(), Some("/plan"), "{}", r.body);
    let access = member_access(&server, "Amal").await;
    let db = &server.state.db;
    let goal = plan::add_goal(db, &access, "housing", "GOAL-MARKER een woning")
        .await
        .unwrap();
    let action = plan::add_action(
        db,
        &access,
        &goal,
        &ActionInput {
            body: "ACTION-MARKER inschrijven".into(),
            who: "together".into(),
            due: None,
            status: "todo".into(),
        },
    )
    .await
    .unwrap();
    plan::add_note(db, &access, "housing", None, "NOTE-MARKER de huisbaas")
        .await
        .unwrap();
    Family {
        server,
        world,
        coach,
        amal,
        goal,
        action,
    }
}

async fn member_access(server: &TestServer, name: &str) -> FamilyAccess {
    let state = &server.state;
    let id: String = sqlx::query_scalar("SELECT id FROM members WHERE display_name = $1")
        .bind(name)
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    let caller = Caller::member(&state.db, &id).await.unwrap();
    let family = caller.as_member().unwrap().family_id().to_string();
    FamilyAccess::open(&state.db, &caller, &family, state.clock.now())
        .await
        .unwrap()
}

async fn events(server: &TestServer) -> Vec<(String, String, Option<String>)> {
    let access = member_access(server, "Amal").await;
    log::entries(&server.state.db, &access, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor_kind, e.event, e.subject_text))
        .collect()
}

#[tokio::test]
async fn a_coach_cannot_join_as_a_member_to_read_what_is_only_ours() {
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        let access = member_access(&f.server, "Amal").await;
        consent::set_only_us(&f.server.state.db, &access, &f.goal, true)
            .await
            .unwrap();

        // The accepted coach makes an invite and reads its code on their page.
        let code = f.coach.make_invite(&format!("/families/{fam}"), fam).await;
        // With their own staff session, the coach cannot use it.
        let staff_try = f.coach.join(&code, "nl-BE", "Sara").await;
        assert_eq!(staff_try.status, 302);
        assert!(
            staff_try
                .location
                .as_deref()
                .unwrap_or("")
                .contains("__err"),
            "{:?}",
            staff_try.location
        );
        let info = f.coach.get(&format!("/join?code={code}&lang=nl-BE")).await;
        assert_eq!(info.status, 409, "{}", info.body);
        assert!(info.body.contains("medewerker"), "{}", info.body);
        // From another browser, the code lets them ask, not in.
        let other_browser = Person::new(&f.server);
        let asked = other_browser.join(&code, "nl-BE", "Sara als gezin").await;
        assert_eq!(asked.location.as_deref(), Some("/plan"), "{}", asked.body);
        let plan = other_browser.get("/plan").await;
        assert_eq!(plan.status, 403, "{}", plan.body);
        for marker in ["GOAL-MARKER", "ACTION-MARKER", "NOTE-MARKER", "Amal"] {
            assert!(!plan.body.contains(marker), "{marker} shown while waiting");
        }
        let api = other_browser.call("/api/our-plan", &[]).await;
        assert_eq!(api.status, 403);
        assert!(!api.body.contains("MARKER"));

        // The family sees who asks, and refuses.
        let ours = f.amal.get("/plan").await;
        assert!(ours.body.contains("Sara als gezin"), "{}", ours.body);
        let newcomer = between(&ours.body, "name=\"member\" value=\"", "\"")
            .unwrap()
            .to_string();
        let r = f
            .amal
            .post(
                "/api/confirm-member",
                "/plan",
                &[("member", &newcomer), ("yes", "0")],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/plan"), "{}", r.body);
        assert_eq!(other_browser.get("/plan").await.status, 401);
        let log = events(&f.server).await;
        let asked_logged = log
            .iter()
            .any(|(_, e, s)| e == "member_asked_to_join" && s.as_deref() == Some("Sara als gezin"));
        let refused_logged = log
            .iter()
            .any(|(k, e, _)| k == "member" && e == "member_refused");
        assert!(asked_logged && refused_logged, "{log:?}");

        // A member's own invite lets the newcomer in at once; the coach
        // never sees a member's code.
        let code = f.amal.make_invite("/plan", fam).await;
        let coach_page = f.coach.get(&format!("/families/{fam}")).await;
        assert!(!coach_page.body.contains(&code));
        let brother = Person::new(&f.server);
        let r = brother.join(&code, "nl-BE", "Karim").await;
        assert_eq!(r.location.as_deref(), Some("/plan"));
        let plan = brother.get("/plan").await;
        assert_eq!(plan.status, 200);
        assert!(plan.body.contains("GOAL-MARKER"));
        let log = events(&f.server).await;
        assert!(log
            .iter()
            .any(|(_, e, s)| e == "member_joined" && s.as_deref() == Some("Karim")));

        // A newcomer the coach invited whom the family confirms gets in.
        let code = f.coach.make_invite(&format!("/families/{fam}"), fam).await;
        let aunt = Person::new(&f.server);
        aunt.join(&code, "nl-BE", "Nadia").await;
        assert_eq!(aunt.get("/plan").await.status, 403);
        let ours = f.amal.get("/plan").await;
        let newcomer = between(&ours.body, "name=\"member\" value=\"", "\"")
            .unwrap()
            .to_string();
        f.amal
            .post(
                "/api/confirm-member",
                "/plan",
                &[("member", &newcomer), ("yes", "1")],
            )
            .await;
        assert_eq!(aunt.get("/plan").await.status, 200);
    }
}

#[tokio::test]
async fn a_share_recipient_learns_the_name_and_the_shared_items_only() {
    for store in stores() {
        let f = family(store).await;
        let db = &f.server.state.db;
        let fam = f.world.family.as_str();
        let access = member_access(&f.server, "Amal").await;
        consent::share(
            db,
            &access,
            &ShareScope::Item(f.action.clone()),
            &Recipient::OurVolunteer,
            "PURPOSE-MARKER helpen",
            "2026-12-31",
        )
        .await
        .unwrap();
        let volunteer = Person::new(&f.server);
        volunteer.sign_in(&f.world.volunteer.email).await;
        let page = volunteer.get(&format!("/families/{fam}")).await;
        let api = volunteer.call("/api/family", &[("id", fam)]).await;
        for shown in [&page, &api] {
            assert_eq!(shown.status, 200, "{}", shown.body);
            assert!(shown.body.contains("Gezin Haddad"));
            assert!(shown.body.contains("ACTION-MARKER"));
            for leak in [
                "Amal",
                "Sara",
                "Huis van het Kind",
                "\"coach_accepted\":true",
                "GOAL-MARKER",
                "NOTE-MARKER",
            ] {
                assert!(!shown.body.contains(leak), "{leak} leaked to the volunteer");
            }
        }
        // Outsiders get no author ids and no id of a goal they cannot see.
        assert!(!api.body.contains(&f.goal), "the unshared goal's id leaked");
        assert!(api.body.contains("\"author_id\":\"\""), "{}", api.body);

        // "Only us" on and off changes nothing the volunteer sees but that.
        let before = api.body.clone();
        consent::set_only_us(db, &access, &f.action, true)
            .await
            .unwrap();
        consent::set_only_us(db, &access, &f.action, false)
            .await
            .unwrap();
        let after = volunteer.call("/api/family", &[("id", fam)]).await;
        assert_eq!(before, after.body, "toggling only us left a trace");

        // A live share whose item is hidden still opens the family; that
        // opening is logged, with nothing shown.
        consent::set_only_us(db, &access, &f.goal, true)
            .await
            .unwrap();
        let page = volunteer.get(&format!("/families/{fam}")).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("ACTION-MARKER"));
        let access = member_access(&f.server, "Amal").await;
        let last = log::entries(db, &access, 1).await.unwrap().remove(0);
        assert_eq!(
            (last.event.as_str(), last.actor_kind.as_str()),
            ("read", "staff")
        );
        assert!(last.items.is_empty());
        let looked = f.amal.get("/plan/looked").await;
        assert!(
            looked.body.contains("zag geen enkel punt"),
            "{}",
            looked.body
        );
    }
}

#[tokio::test]
async fn shares_of_hidden_items_stay_findable_and_withdrawable() {
    for store in stores() {
        let f = family(store).await;
        let db = &f.server.state.db;
        let access = member_access(&f.server, "Amal").await;
        let share = consent::share(
            db,
            &access,
            &ShareScope::Item(f.action.clone()),
            &Recipient::OurVolunteer,
            "PURPOSE-MARKER",
            "2026-12-31",
        )
        .await
        .unwrap();
        consent::set_only_us(db, &access, &f.goal, true)
            .await
            .unwrap();
        let item_page = f.amal.get(&format!("/plan/share?item={}", f.action)).await;
        assert!(
            item_page.body.contains("PURPOSE-MARKER"),
            "{}",
            item_page.body
        );
        assert!(item_page.body.contains("seer paused"));
        assert!(item_page.body.contains(&share), "the withdraw form");
        assert!(item_page.body.contains("id=\"only-family\""));
        let domain_page = f.amal.get("/plan/share?domain=housing").await;
        assert!(domain_page.body.contains("PURPOSE-MARKER"));
        assert!(domain_page.body.contains("ACTION-MARKER"), "names the item");
        let r = f
            .amal
            .post(
                "/api/withdraw-share",
                "/plan/share?domain=housing",
                &[("family", &f.world.family), ("share", &share)],
            )
            .await;
        assert_eq!(r.status, 302);
        let domain_page = f.amal.get("/plan/share?domain=housing").await;
        // No longer among who sees it now; kept in the history below.
        assert!(!domain_page.body.contains(&share), "nothing to withdraw");
        let (now, earlier) = domain_page
            .body
            .split_once("id=\"earlier\"")
            .expect("the history");
        assert!(!now.contains("PURPOSE-MARKER"));
        assert!(earlier.contains("PURPOSE-MARKER"));
    }
}

#[tokio::test]
async fn guessing_is_limited_and_told_in_the_readers_language() {
    let few = Rate {
        tries: 3,
        seconds: 3600,
    };
    let server = TestServer::start_with_limits(
        Store::Sqlite,
        RateConfig {
            sign_in_account: few,
            sign_in_address: Rate {
                tries: 5,
                seconds: 3600,
            },
            invite_address: few,
        },
    )
    .await;
    let world = World::build(&server.state).await;
    let someone = Person::new(&server);
    let wrong = [("email", world.coach.email.as_str()), ("password", "wrong")];
    for _ in 0..3 {
        let r = someone.call("/api/sign-in", &wrong).await;
        assert_eq!(r.status, 400, "{}", r.body);
    }
    // The account is held back, even with the right password.
    let right = [
        ("email", world.coach.email.as_str()),
        ("password", onsplan_tests::world::PASSWORD),
    ];
    let r = someone.call("/api/sign-in", &right).await;
    assert_eq!(r.status, 429, "{}", r.body);
    // Another account from the same address, until the address is full.
    let other = [("email", world.colleague.email.as_str()), ("password", "x")];
    assert_eq!(someone.call("/api/sign-in", &other).await.status, 400);
    assert_eq!(someone.call("/api/sign-in", &other).await.status, 429);
    // In the reader's language, as a page without scripts.
    let page = someone.post("/api/sign-in", "/sign-in", &wrong).await;
    let back = page.location.unwrap_or_default();
    let shown = someone.get(&back).await;
    assert!(shown.body.contains("Te veel pogingen"), "{}", shown.body);
    // The e-mail address comes back as typed; the password never does.
    assert!(
        shown
            .body
            .contains(&format!("value=\"{}\"", world.coach.email)),
        "the e-mail is kept"
    );
    assert!(!shown.body.contains("value=\"wrong\""));
    // Invite codes: looked up or tried, three times, then no more.
    for _ in 0..3 {
        assert_eq!(someone.get("/join?code=ABC-DEF-GHJ").await.status, 400);
    }
    let r = someone.get("/join?code=ABC-DEF-GHJ").await;
    assert_eq!(r.status, 429);
    let r = someone
        .call(
            "/api/join",
            &[("code", "ABCDEFGHJ"), ("lang", "fr"), ("name", "x")],
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        serde_json::from_str::<AppError>(&r.body).unwrap(),
        AppError::TooMany
    );
}

#[tokio::test]
async fn a_crafted_address_shows_only_our_own_messages() {
    let server = TestServer::start(Store::Sqlite).await;
    let someone = Person::new(&server);
    for error in [
        AppError::BadInput("Bel 0470 12 34 56 voor uw geld".into()),
        AppError::Conflict("coach-stop-explain".into()),
        AppError::BadInput("error-no-such-message".into()),
    ] {
        let url = server_fn::error::ServerFnUrlError::new("/api/sign-in", error)
            .to_url(&server.url("/sign-in"))
            .unwrap();
        let page = someone
            .get(&format!("/sign-in?{}", url.query().unwrap()))
            .await;
        assert!(page.body.contains("id=\"form-error\""));
        assert!(!page.body.contains("0470"), "attacker text shown");
        assert!(!page.body.contains("no-such"), "an id shown");
        assert!(
            page.body.contains("Er klopt iets niet"),
            "the general message"
        );
    }
    // Our own error messages still show.
    let url =
        server_fn::error::ServerFnUrlError::new("/api/sign-in", AppError::bad("error-sign-in"))
            .to_url(&server.url("/sign-in"))
            .unwrap();
    let page = someone
        .get(&format!("/sign-in?{}", url.query().unwrap()))
        .await;
    assert!(page.body.contains("wachtwoord klopt niet"), "{}", page.body);
}

#[tokio::test]
async fn every_consent_change_is_logged_also_by_the_service() {
    for store in stores() {
        let f = family(store).await;
        let state = &f.server.state;
        // The organisation gives the family another coach: the old base
        // mandate ends, "by the service".
        accounts::assign(
            &state.db,
            &f.world.family,
            Some(&f.world.colleague.id),
            Some(&f.world.volunteer.id),
            state.clock.now(),
        )
        .await
        .unwrap();
        let log = events(&f.server).await;
        assert!(
            log.iter().any(|(k, e, s)| k == "service"
                && e == "base_mandate_ended"
                && s.as_deref() == Some("Sara")),
            "{log:?}"
        );
        let looked = f.amal.get("/plan/looked").await;
        assert!(looked.body.contains("De dienst van uw coach"));
        assert!(looked.body.contains("omdat u een andere coach kreeg"));
        // The first join is logged, with the acceptance it made.
        assert!(log
            .iter()
            .any(|(_, e, s)| e == "member_joined" && s.as_deref() == Some("Amal")));
    }
}

#[tokio::test]
async fn headers_keep_pages_private_and_scripts_our_own() {
    for store in stores() {
        let f = family(store).await;
        let plan = f.amal.get("/plan").await;
        assert_eq!(plan.status, 200);
        let csp = plan.header("content-security-policy").to_string();
        let nonce = between(&csp, "'nonce-", "'").expect("a nonce").to_string();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(
            plan.body.contains(&format!("nonce=\"{nonce}\"")),
            "the start-up script carries this page's nonce"
        );
        // A new nonce per page.
        let again = f.amal.get("/plan").await;
        assert!(!again.header("content-security-policy").contains(&nonce));
        assert!(plan.header("permissions-policy").contains("camera=()"));
        assert_eq!(plan.header("cache-control"), "no-store");
        assert_eq!(plan.header("strict-transport-security"), "", "http only");
        let api = f.amal.call("/api/our-plan", &[]).await;
        assert_eq!(api.header("cache-control"), "no-store");
        let family_page = f.coach.get(&format!("/families/{}", f.world.family)).await;
        assert_eq!(family_page.header("cache-control"), "no-store");
        let css = f.amal.get("/style.css").await;
        assert!(css.header("cache-control").starts_with("public"));
        // A state change with a session cookie but neither Origin nor
        // Sec-Fetch-Site is refused.
        let r = f
            .amal
            .client
            .post(f.server.url("/api/add-note"))
            .form(&[
                ("family", f.world.family.as_str()),
                ("domain", "money"),
                ("body", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        // Signing out tells the browser to drop what it kept.
        let out = f.amal.post("/api/sign-out", "/plan", &[]).await;
        assert!(out.header("clear-site-data").contains("\"cache\""));
        assert!(out.header("clear-site-data").contains("\"storage\""));
    }
}

#[tokio::test]
async fn hsts_when_reached_over_https() {
    let server = TestServer::start_with_public_url(Store::Sqlite, "https://onsplan.example").await;
    let home = Person::new(&server).get("/").await;
    assert!(home
        .header("strict-transport-security")
        .starts_with("max-age="));
}

#[tokio::test]
async fn who_looked_tells_the_truth_plainly() {
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        let count = || async {
            let access = member_access(&f.server, "Amal").await;
            log::entries(&f.server.state.db, &access, 10_000)
                .await
                .unwrap()
                .len()
        };
        // An address that shows "not found" logs nothing.
        let before = count().await;
        let r = f
            .coach
            .get(&format!("/families/{fam}/ask/aaaaaaaaaaaaaaaaaaaaaaaaaa"))
            .await;
        assert_eq!(r.status, 404);
        let r = f
            .coach
            .get(&format!("/families/{fam}/ask/{}", f.goal))
            .await;
        assert_eq!(r.status, 404, "a goal is not an action");
        assert_eq!(count().await, before);
        // The ask page logs the one action it shows.
        let r = f
            .coach
            .get(&format!("/families/{fam}/ask/{}", f.action))
            .await;
        assert_eq!(r.status, 200);
        let access = member_access(&f.server, "Amal").await;
        let last = log::entries(&f.server.state.db, &access, 1)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(last.items.len(), 1);
        assert_eq!(last.items[0].0, f.action);
        // Three views of the family page are one line, "3 times".
        for _ in 0..3 {
            f.coach.get(&format!("/families/{fam}")).await;
        }
        let looked = f.amal.get("/plan/looked").await;
        // (Fluent isolates each argument with FSI … PDI marks.)
        let text = looked.body.replace(['\u{2068}', '\u{2069}'], "");
        assert_eq!(text.matches("3 keer").count(), 1, "{text}");
        // Consent entries name what they are about.
        let access = member_access(&f.server, "Amal").await;
        consent::set_only_us(&f.server.state.db, &access, &f.action, true)
            .await
            .unwrap();
        consent::share(
            &f.server.state.db,
            &access,
            &ShareScope::Domain("money".into()),
            &Recipient::Organisation(f.world.other_org.clone()),
            "budget",
            "2026-12-31",
        )
        .await
        .unwrap();
        let looked = f.amal.get("/plan/looked").await;
        let hidden = between(&looked.body, "log-item_hidden", "</li>").unwrap();
        assert!(hidden.contains("ACTION-MARKER"), "{hidden}");
        let shared = between(&looked.body, "log-share_granted", "</li>").unwrap();
        assert!(shared.contains("OCMW Gent"), "{shared}");
        assert!(shared.contains("Geld"), "{shared}");
        let joined = between(&looked.body, "log-member_joined", "</li>").unwrap();
        assert!(joined.contains("Amal"));
    }
}

#[tokio::test]
async fn the_test_limits_are_not_what_the_server_runs_with() {
    // The defaults an operator gets are strict; the tests' are not.
    assert!(RateConfig::default().sign_in_account.tries <= 10);
    assert!(no_limits().sign_in_account.tries > 1000);
}

#[tokio::test]
async fn a_later_member_joins_the_consents_as_they_stand() {
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        // The family stops working with its coach, then invites a member.
        let r = f.amal.post("/api/withdraw-coach", "/plan/coach", &[]).await;
        assert_eq!(r.status, 302);
        let code = f.amal.make_invite("/plan", fam).await;
        let info = Person::new(&f.server)
            .get(&format!("/join?code={code}&lang=nl-BE"))
            .await;
        assert!(info.body.contains("Amal"), "who invited them");
        assert!(
            !info.body.contains("id=\"accept-explain\""),
            "no coach to accept"
        );
        let karim = Person::new(&f.server);
        karim.join(&code, "nl-BE", "Karim").await;
        assert_eq!(karim.get("/plan").await.status, 200);
        // Joining did not renew the base mandate.
        let r = f.coach.get(&format!("/families/{fam}")).await;
        assert_eq!(r.status, 404, "{}", r.body);
    }
}

/// Someone with access to the database changes one entry of a family's
/// log and removes the newest entry of another's: `onsplan admin
/// verify-log` names both and exits non-zero, and the family's "Who
/// looked" says from which entry on its log cannot be trusted.
#[tokio::test]
async fn a_changed_or_removed_log_entry_is_found() {
    use onsplan_tests::process::Setup;
    for store in stores() {
        let f = family(store).await;
        let state = &f.server.state;
        let db = &state.db;
        let now = state.clock.now();
        // A second family with a log of its own.
        let other = accounts::add_member(
            db,
            &f.world.other_family,
            "Jan",
            onsplan_app::lang::Lang::NlBe,
            now,
        )
        .await
        .unwrap();
        let other = Caller::member(db, &other).await.unwrap();
        let access = FamilyAccess::open(db, &other, &f.world.other_family, now)
            .await
            .unwrap();
        consent::accept_coach(db, &access).await.unwrap();
        consent::withdraw_coach(db, &access).await.unwrap();
        consent::accept_coach(db, &access).await.unwrap();
        let other_last: i64 =
            sqlx::query_scalar("SELECT MAX(seq) FROM access_log WHERE family_id = $1")
                .bind(&f.world.other_family)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(other_last, 3);

        let dir = tempfile::tempdir().unwrap();
        let operator = Setup {
            data_dir: dir.path().join("data"),
            database_url: f.server.db_url().to_string(),
            public_url: "http://localhost:3000".into(),
        };
        let verified = operator.admin(&["verify-log"]);
        assert_eq!(verified.code, 0, "{verified:?}");
        assert!(verified.stdout.contains("verify"), "{verified:?}");
        let looked = f.amal.get("/plan/looked").await;
        assert!(
            looked.body.contains("Dit logboek is verzegeld"),
            "{}",
            looked.body
        );
        assert_eq!(
            log::verify(db, &f.world.family).await.unwrap().broken_at,
            None
        );

        // The tampering: past the store's append-only guard, as only
        // someone with the database's own rights can.
        let family = &f.world.family;
        let statements: Vec<String> = match store {
            Store::Sqlite => vec![
                "DROP TRIGGER access_log_no_UPDATE".into(),
                "DROP TRIGGER access_log_no_DELETE".into(),
            ],
            Store::Postgres => {
                vec!["ALTER TABLE access_log DISABLE TRIGGER access_log_append_only".into()]
            }
        };
        for sql in statements {
            sqlx::query(&sql).execute(db.pool()).await.unwrap();
        }
        sqlx::query(
            "UPDATE access_log SET actor_id = 'someone-else' WHERE family_id = $1 AND seq = 2",
        )
        .bind(family)
        .execute(db.pool())
        .await
        .unwrap();
        sqlx::query("DELETE FROM access_log WHERE family_id = $1 AND seq = $2")
            .bind(&f.world.other_family)
            .bind(other_last)
            .execute(db.pool())
            .await
            .unwrap();

        let found = operator.admin(&["verify-log"]);
        assert_ne!(found.code, 0, "{found:?}");
        assert!(
            found
                .stderr
                .contains(&format!("Family {family}: entry 2 was changed or removed")),
            "{found:?}"
        );
        assert!(
            found.stderr.contains(&format!(
                "Family {}: entry {other_last} was changed or removed",
                f.world.other_family
            )),
            "{found:?}"
        );
        let looked = f.amal.get("/plan/looked").await;
        let text = looked.body.replace(['\u{2068}', '\u{2069}'], "");
        assert!(text.contains("vanaf regel 2"), "{text}");
        assert_eq!(log::verify(db, family).await.unwrap().broken_at, Some(2));
    }
}

/// Reads are logged by one writer that commits the entries of concurrent
/// requests together (group commit): of a hundred reads at once, every one
/// is logged exactly once, in one chain that verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_are_each_logged_in_one_sealed_chain() {
    for store in stores() {
        let f = family(store).await;
        let db = f.server.state.db.clone();
        let now = f.server.state.clock.now();
        let coach = Caller::staff(&db, &f.world.coach.id).await.unwrap();
        let before: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_log WHERE family_id = $1 AND event = 'read'",
        )
        .bind(&f.world.family)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let reads: Vec<_> = (0..100)
            .map(|_| {
                let (db, coach, family) = (db.clone(), coach.clone(), f.world.family.clone());
                tokio::spawn(async move {
                    let access = FamilyAccess::open(&db, &coach, &family, now).await.unwrap();
                    let items = plan::items(&db, &access).await.unwrap();
                    let logged: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM access_log WHERE family_id = $1 AND event = 'read'",
                    )
                    .bind(&family)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
                    (items.len(), logged)
                })
            })
            .collect();
        for read in reads {
            let (items, logged) = read.await.unwrap();
            assert!(items > 0, "the coach sees the plan");
            assert!(logged > before, "at least this read's batch is stored");
        }
        let after: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_log WHERE family_id = $1 AND event = 'read'",
        )
        .bind(&f.world.family)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(after - before, 100, "every read logged once");
        let check = log::verify(&db, &f.world.family).await.unwrap();
        assert_eq!(check.broken_at, None);
        // Written together, not one by one after a failed batch.
        assert_eq!(db.log_batches_retried(), 0, "a batch of reads failed");
    }
}
