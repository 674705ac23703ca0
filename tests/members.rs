//! Getting back in, and who is in the family (issue 10, stage 3), the way
//! a family uses it: over real HTTP with the real router, on SQLite and
//! PostgreSQL. Signing out asks first and says how to come back; a member
//! lets a member in on a new phone with a one-time code; the coach does so
//! only while the family accepts them, and then the old phone is out and
//! the family is told; one's own used invite leads to the plan; a member
//! removes a duplicate, never the last member.

use onsplan_app::domain::limits::{Rate, RateConfig};
use onsplan_tests::world::{between, Joined, Page, Person, World};
use onsplan_tests::{no_limits, stores, Store, TestServer};

/// A family that uses Onsplan: Amal joined with the coach's invite (and so
/// accepted the coach), Yusuf with Amal's invite. The coach is signed in.
struct Family {
    server: TestServer,
    world: World,
    coach: Person,
    amal: Person,
    yusuf: Person,
}

async fn family(store: Store) -> Family {
    family_with(TestServer::start(store).await).await
}

async fn family_with(server: TestServer) -> Family {
    let joined = Joined::on(&server).await;
    let yusuf = joined.yusuf(&server).await;
    Family {
        world: joined.world,
        coach: joined.coach,
        amal: joined.amal,
        yusuf,
        server,
    }
}

/// The text of a page without the marks Fluent puts around arguments.
fn text(page: &Page) -> String {
    page.body.replace(['\u{2068}', '\u{2069}'], "")
}

/// The value of the `<option>` labelled `label` (the member's id), as a
/// browser reads it from the "for whom?" list of `page`.
fn option(page: &Page, section: &str, label: &str) -> String {
    let body = text(page);
    let section = between(&body, &format!("id=\"{section}\""), "</details>").expect(section);
    section
        .split("<option value=\"")
        .skip(1)
        .find_map(|o| {
            let (value, rest) = o.split_once("\">")?;
            let shown = rest.split('<').next()?;
            let me = format!("{label} (");
            (shown == label || (!label.contains('(') && shown.starts_with(&me)))
                .then(|| value.to_string())
        })
        .unwrap_or_else(|| panic!("no option {label} in {section}"))
}

/// The newest code shown in the section `section` of `page`.
fn code_in(page: &Page, section: &str) -> String {
    let part = between(&page.body, &format!("id=\"{section}\""), "</details>").expect(section);
    between(part, "class=\"invite-code\">", "<")
        .expect("a code is shown")
        .to_string()
}

/// A member of the family makes a "new phone" code for `name` on Our plan.
async fn new_phone_code(who: &Person, name: &str) -> String {
    let plan = who.get("/plan").await;
    let member = option(&plan, "new-phone", name);
    let r = who
        .post("/api/new-phone-code", "/plan", &[("member", &member)])
        .await;
    assert_eq!(r.location.as_deref(), Some("/plan#new-phone"), "{}", r.body);
    code_in(&who.get("/plan").await, "new-phone")
}

/// Uses a "new phone" code on a phone, as its owner does: the link, then
/// the one button.
async fn come_back(phone: &Person, code: &str) -> Page {
    let shown = phone.get(&format!("/join?code={code}")).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    phone
        .post(
            "/api/come-back",
            &format!("/join?code={code}"),
            &[("code", code)],
        )
        .await
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(server.state.db.pool())
        .await
        .unwrap()
}

async fn member_id(server: &TestServer, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM members WHERE display_name = $1 ORDER BY created_at, id")
        .bind(name)
        .fetch_one(server.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_out_asks_first_and_says_how_to_get_back_in() {
    for store in stores() {
        let f = family(store).await;
        // Every page's top bar leads to a page that asks first.
        let plan = f.amal.get("/plan").await;
        assert!(plan.body.contains("href=\"/sign-out\""), "{}", plan.body);
        assert!(!plan.body.contains("action=\"/api/sign-out\""));
        let ask = f.amal.get("/sign-out").await;
        assert_eq!(ask.status, 200);
        let said = text(&ask);
        assert!(said.contains("Afmelden?"), "{said}");
        assert!(said.contains("code \"nieuwe telefoon\""), "{said}");
        assert!(said.contains("gezinscoach"), "{said}");
        assert!(said.contains("action=\"/api/sign-out\""));
        // Looking at the page signs nobody out.
        assert_eq!(f.amal.get("/plan").await.status, 200);
        // Staff are told to use their email and password.
        let staff = text(&f.coach.get("/sign-out").await);
        assert!(staff.contains("e-mailadres en uw wachtwoord"), "{staff}");
        // Someone signed out is told so.
        let nobody = Person::new(&f.server).get("/sign-out").await;
        assert_eq!(nobody.status, 200);
        assert!(!nobody.body.contains("action=\"/api/sign-out\""));
        // The button signs out as before: the session ends, the browser
        // drops what it kept.
        let out = f.amal.post("/api/sign-out", "/sign-out", &[]).await;
        assert_eq!(out.location.as_deref(), Some("/"));
        assert!(out.header("clear-site-data").contains("\"cookies\""));
        assert_eq!(f.amal.get("/plan").await.status, 401);
        // In Arabic, the same words in Arabic.
        let r = f
            .yusuf
            .post("/api/set-language", "/plan", &[("lang", "ar")])
            .await;
        assert_eq!(r.status, 302);
        let ar = text(&f.yusuf.get("/sign-out").await);
        assert!(
            ar.contains("dir=\"rtl\"") && ar.contains("«هاتف جديد»"),
            "{ar}"
        );
    }
}

#[tokio::test]
async fn a_member_lets_a_member_in_on_a_new_phone() {
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        let members = || count(&f.server, "SELECT COUNT(*) FROM members");
        let before = members().await;
        // Yusuf signs out; Amal makes him a code on Our plan.
        f.yusuf.post("/api/sign-out", "/sign-out", &[]).await;
        let code = new_phone_code(&f.amal, "Yusuf").await;
        assert_eq!(code.len(), 11, "the invite format: ABC-DEF-GHJ");
        let plan = text(&f.amal.get("/plan").await);
        assert!(plan.contains("Voor Yusuf, gemaakt door Amal"), "{plan}");
        assert!(plan.contains(&format!("/join?code={code}")), "a link");
        assert!(plan.contains("<svg"), "a QR code");
        // The coach never sees a member's code (it would let them in).
        let coach_page = f.coach.get(&format!("/families/{fam}")).await;
        assert!(!coach_page.body.contains(&code));
        // Nor can a worker use one: 409, like invites.
        let staff_look = f.coach.get(&format!("/join?code={code}")).await;
        assert_eq!(staff_look.status, 409);
        let staff_try = f.coach.call("/api/come-back", &[("code", &code)]).await;
        assert_eq!(staff_try.status, 409, "{}", staff_try.body);
        // A new phone: the link says who, and using it makes nobody new.
        let phone = Person::new(&f.server);
        let shown = text(&phone.get(&format!("/join?code={code}")).await);
        assert!(shown.contains("Welkom terug, Yusuf"), "{shown}");
        assert!(shown.contains("Amal maakte deze code"), "{shown}");
        assert!(!shown.contains("id=\"name\""), "no name to type");
        // Joining with it (as a newcomer) is refused and writes nothing.
        let r = phone
            .call(
                "/api/join",
                &[("code", &code), ("lang", "nl-BE"), ("name", "Iemand")],
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        let r = come_back(&phone, &code).await;
        assert_eq!(r.location.as_deref(), Some("/plan"), "{}", r.body);
        assert_eq!(members().await, before, "no new member");
        let plan = phone.get("/plan").await;
        assert_eq!(plan.status, 200);
        assert!(text(&plan).contains("Yusuf (ik)"), "in as Yusuf");
        // Used once: another phone is told it was used, and who made it is
        // not said; the member who used it is sent to the plan.
        let other = Person::new(&f.server);
        let again = other.get(&format!("/join?code={code}")).await;
        assert_eq!(again.status, 409);
        assert!(!text(&again).contains("Amal") && !text(&again).contains("Yusuf"));
        let mine = phone.get(&format!("/join?code={code}")).await;
        assert_eq!(mine.location.as_deref(), Some("/plan"));
        // A member's code leaves the other sessions alone.
        assert_eq!(f.amal.get("/plan").await.status, 200);
        // "Who looked" says who let whom in.
        let looked = text(&f.amal.get("/plan/looked").await);
        let line = between(&looked, "log-member_new_phone", "</li>").expect("logged");
        assert!(line.contains("Amal"), "{line}");
        assert!(
            line.contains("Liet iemand binnen op een nieuwe telefoon"),
            "{line}"
        );
        assert!(line.contains("Yusuf"), "{line}");
        // Bad input changes nothing: an unknown member, an empty one, a
        // worker's session.
        let codes = || count(&f.server, "SELECT COUNT(*) FROM invites");
        let n = codes().await;
        let r = f
            .amal
            .call(
                "/api/new-phone-code",
                &[("member", "aaaaaaaaaaaaaaaaaaaaaaaaaa")],
            )
            .await;
        assert_eq!(r.status, 404);
        let amal_id = member_id(&f.server, "Amal").await;
        let r = f
            .coach
            .call("/api/new-phone-code", &[("member", &amal_id)])
            .await;
        assert_eq!(r.status, 404, "not from a worker's session");
        let r = f
            .amal
            .post("/api/new-phone-code", "/plan", &[("member", "")])
            .await;
        assert!(r.location.as_deref().unwrap_or("").contains("__err"));
        assert_eq!(codes().await, n);
        // A member makes one for themselves too; it works for 24 hours.
        let own = new_phone_code(&f.amal, "Amal").await;
        f.server.state.clock.advance(24 * 3600);
        let late = Person::new(&f.server)
            .get(&format!("/join?code={own}"))
            .await;
        assert_eq!(late.status, 409);
        assert!(text(&late).contains("langer dan 24 uur"), "{}", late.body);
    }
}

#[tokio::test]
async fn guessing_new_phone_codes_is_limited_like_invites() {
    let limits = RateConfig {
        invite_address: Rate {
            tries: 3,
            seconds: 3600,
        },
        ..no_limits()
    };
    let server = TestServer::start_with_limits(Store::Sqlite, limits).await;
    let guesser = Person::new(&server);
    // Looking a code up and using one share one bucket per address.
    let look = guesser.get("/join?code=ZZZ-ZZZ-ZZZ").await;
    assert_eq!(look.status, 400);
    for _ in 0..2 {
        let r = guesser
            .call("/api/come-back", &[("code", "ZZZ-ZZZ-ZZZ")])
            .await;
        assert_eq!(r.status, 400);
    }
    let r = guesser
        .call("/api/come-back", &[("code", "ZZZ-ZZZ-ZZZ")])
        .await;
    assert_eq!(r.status, 429);
    let page = guesser.get("/join?code=ZZZ-ZZZ-ZZZ").await;
    assert_eq!(page.status, 429);
    assert!(text(&page).contains("Te veel pogingen"), "{}", page.body);
}

#[tokio::test]
async fn the_coach_lets_a_member_back_in_and_the_family_is_told() {
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        let family_page = format!("/families/{fam}");
        // The coach picks the member on the family page and makes a code.
        let page = f.coach.get(&family_page).await;
        let amal = option(&page, "reentry", "Amal");
        let before = text(&page);
        let r = f
            .coach
            .post(
                "/api/reentry-code",
                &family_page,
                &[("family", fam), ("member", &amal)],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some(format!("/families/{fam}#reentry").as_str()),
            "{}",
            r.body
        );
        let code = code_in(&f.coach.get(&family_page).await, "reentry");
        // The family sees the coach's open code too.
        let ours = text(&f.yusuf.get("/plan").await);
        assert!(ours.contains(&code) && ours.contains("Voor Amal, gemaakt door Sara"));
        // Another coach, or a member of another family, cannot make one.
        let colleague = Person::new(&f.server);
        colleague.sign_in(&f.world.colleague.email).await;
        let r = colleague
            .call("/api/reentry-code", &[("family", fam), ("member", &amal)])
            .await;
        assert_eq!(r.status, 404);
        // Amal's new phone uses it: she is in as herself, her old phone is out.
        let phone = Person::new(&f.server);
        let r = come_back(&phone, &code).await;
        assert_eq!(r.location.as_deref(), Some("/plan"), "{}", r.body);
        assert_eq!(
            f.amal.get("/plan").await.status,
            401,
            "the old phone is out"
        );
        assert_eq!(f.yusuf.get("/plan").await.status, 200, "others stay in");
        // Every member is told at the top of Our plan, until they put it away.
        for who in [&phone, &f.yusuf] {
            let plan = text(&who.get("/plan").await);
            let notice = between(&plan, "id=\"new-phone-notice\"", "</section>").expect("notice");
            assert!(
                notice.contains("Sara liet iemand binnen als Amal op een nieuwe telefoon"),
                "{notice}"
            );
        }
        let plan = f.yusuf.get("/plan").await;
        let until = between(&plan.body, "name=\"until\" value=\"", "\"")
            .unwrap()
            .to_string();
        let r = f
            .yusuf
            .post("/api/dismiss-notices", "/plan", &[("until", &until)])
            .await;
        assert_eq!(r.location.as_deref(), Some("/plan"));
        assert!(!f.yusuf.get("/plan").await.body.contains("new-phone-notice"));
        assert!(phone.get("/plan").await.body.contains("new-phone-notice"));
        let r = f
            .yusuf
            .call("/api/dismiss-notices", &[("until", "soon")])
            .await;
        assert_eq!(r.status, 400);
        // And in "who looked", with the coach's name.
        let looked = text(&f.yusuf.get("/plan/looked").await);
        let line = between(&looked, "log-member_new_phone", "</li>").expect("logged");
        assert!(line.contains("Sara") && line.contains("Amal"), "{line}");
        // The coach learns nothing new: their page is the same, less the code.
        let after = text(&f.coach.get(&family_page).await);
        let main = |page: &str| between(page, "<main", "</main>").unwrap().to_string();
        assert_eq!(main(&after), main(&before), "the coach's page changed");
        assert!(!after.contains("liet iemand binnen"));
        // Once the family stops working with the coach, the coach can make
        // no code, and a code made before stops working.
        let second = {
            let yusuf_id = option(&f.coach.get(&family_page).await, "reentry", "Yusuf");
            f.coach
                .post(
                    "/api/reentry-code",
                    &family_page,
                    &[("family", fam), ("member", &yusuf_id)],
                )
                .await;
            let code = code_in(&f.coach.get(&family_page).await, "reentry");
            let r = f
                .yusuf
                .post("/api/withdraw-coach", "/plan/coach", &[])
                .await;
            assert_eq!(r.status, 302);
            let r = f
                .coach
                .call(
                    "/api/reentry-code",
                    &[("family", fam), ("member", &yusuf_id)],
                )
                .await;
            assert_eq!(r.status, 404);
            code
        };
        let r = Person::new(&f.server)
            .call("/api/come-back", &[("code", &second)])
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(f.yusuf.get("/plan").await.status, 200);
    }
}

#[tokio::test]
async fn opening_ones_own_used_invite_leads_to_the_plan() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let world = World::build(&server.state).await;
        let coach = Person::new(&server);
        coach.sign_in(&world.coach.email).await;
        let fam = world.family.clone();
        let code = coach.make_invite(&format!("/families/{fam}"), &fam).await;
        let amal = Person::new(&server);
        amal.join(&code, "nl-BE", "Amal").await;
        for path in [
            format!("/join?code={code}"),
            format!("/join?code={code}&lang=nl-BE"),
        ] {
            let r = amal.get(&path).await;
            assert_eq!(r.status, 302, "{path}: {}", r.body);
            assert_eq!(r.location.as_deref(), Some("/plan"));
        }
        // Anyone else is told it was used, and not whose it was.
        let other = Person::new(&server);
        let r = other.get(&format!("/join?code={code}")).await;
        assert_eq!(r.status, 409);
        assert!(!text(&r).contains("Amal"));
        // Still once: the member who used it cannot use it again.
        let r = amal
            .call(
                "/api/join",
                &[("code", &code), ("lang", "nl-BE"), ("name", "Amal")],
            )
            .await;
        assert_eq!(r.status, 409);
    }
}

#[tokio::test]
async fn a_member_removes_a_duplicate_and_the_last_member_stays() {
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        // Yusuf joined twice (a second phone, before there were codes).
        let code = f.amal.make_invite("/plan", fam).await;
        let twin = Person::new(&f.server);
        twin.join(&code, "nl-BE", "Yusuf").await;
        let r = twin
            .post(
                "/api/add-note",
                "/plan",
                &[("family", fam), ("domain", "money"), ("body", "TWIN-NOTE")],
            )
            .await;
        assert_eq!(r.status, 302);
        let twin_invite = twin.make_invite("/plan", fam).await;
        // (The twin's own page names them "(ik)" in the list.)
        let twin_id = option(&twin.get("/plan").await, "new-phone", "Yusuf (ik)");
        let pending_for_twin = {
            let r = f
                .amal
                .call("/api/new-phone-code", &[("member", &twin_id)])
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            code_in(&f.amal.get("/plan").await, "new-phone")
        };
        // Amal opens "remove" next to the twin: a page that asks first.
        let plan = f.amal.get("/plan").await;
        let href = format!("/plan/remove/{twin_id}");
        assert!(plan.body.contains(&href), "a remove link");
        let ask = f.amal.get(&href).await;
        assert_eq!(ask.status, 200);
        let said = text(&ask);
        assert!(said.contains("Yusuf verwijderen uit ons plan?"), "{said}");
        assert!(said.contains("blijft in ons plan"), "{said}");
        let r = f
            .amal
            .post("/api/remove-member", &href, &[("member", &twin_id)])
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/plan#family-members"),
            "{}",
            r.body
        );
        // The twin is out at once, and for good.
        assert_eq!(twin.get("/plan").await.status, 401);
        let sessions = count(
            &f.server,
            &format!("SELECT COUNT(*) FROM sessions WHERE subject_id = '{twin_id}'"),
        )
        .await;
        assert_eq!(sessions, 0);
        let r = Person::new(&f.server)
            .get(&format!("/join?code={twin_invite}"))
            .await;
        assert_eq!(r.status, 409, "the twin's invite stops working");
        let r = Person::new(&f.server)
            .call("/api/come-back", &[("code", &pending_for_twin)])
            .await;
        assert_eq!(r.status, 409, "a code for the twin stops working");
        let r = f
            .amal
            .call("/api/new-phone-code", &[("member", &twin_id)])
            .await;
        assert_eq!(r.status, 404, "no new code for a removed member");
        // What the twin wrote stays; the family sees who removed whom.
        let plan = text(&f.amal.get("/plan").await);
        assert!(plan.contains("TWIN-NOTE"));
        assert!(!plan.contains(&href));
        let looked = text(&f.yusuf.get("/plan/looked").await);
        let line = between(&looked, "log-member_removed", "</li>").expect("logged");
        assert!(line.contains("Amal") && line.contains("Yusuf"), "{line}");
        // Not twice.
        let r = f
            .amal
            .call("/api/remove-member", &[("member", &twin_id)])
            .await;
        assert_eq!(r.status, 404);
        // Yusuf removes Amal; then Yusuf is the last, and stays.
        let amal_id = member_id(&f.server, "Amal").await;
        let r = f
            .yusuf
            .call("/api/remove-member", &[("member", &amal_id)])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let yusuf_id: String = sqlx::query_scalar(
            "SELECT id FROM members WHERE display_name = 'Yusuf' AND removed_at IS NULL",
        )
        .fetch_one(f.server.state.db.pool())
        .await
        .unwrap();
        let r = f
            .yusuf
            .post("/api/remove-member", "/plan", &[("member", &yusuf_id)])
            .await;
        let back = r.location.clone().unwrap_or_default();
        assert!(back.contains("__err"), "{back}");
        let shown = text(&f.yusuf.get(&back).await);
        assert!(shown.contains("U kunt uzelf niet verwijderen"), "{shown}");
        assert_eq!(
            f.yusuf
                .get(&format!("/plan/remove/{yusuf_id}"))
                .await
                .status,
            404
        );
        assert_eq!(f.yusuf.get("/plan").await.status, 200);
        let left = count(
            &f.server,
            &format!(
                "SELECT COUNT(*) FROM members WHERE family_id = '{fam}' AND removed_at IS NULL"
            ),
        )
        .await;
        assert_eq!(left, 1);
    }
}
