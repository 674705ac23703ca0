//! The main ways through Onsplan over real HTTP, as a browser without
//! scripts uses them: sign in, invite, join, the plan, mandate questions,
//! hiding, sharing, "who looked", withdrawal.

use onsplan_tests::world::{between, Person, World};
use onsplan_tests::{stores, TestServer};

/// A coach invites, a member joins in Arabic and sees the plan.
async fn invite_and_join(server: &TestServer, world: &World, coach: &Person) -> Person {
    let family_page = format!("/families/{}", world.family);
    let waiting = coach.get(&family_page).await;
    assert_eq!(waiting.status, 200, "{}", waiting.body);
    assert!(waiting.body.contains("id=\"waiting\""));
    let made = coach
        .post("/api/invite", &family_page, &[("family", &world.family)])
        .await;
    assert_eq!(made.status, 302);
    let page = coach.get(&family_page).await;
    let code = between(&page.body, "class=\"invite-code\">", "<")
        .expect("the page shows the code")
        .to_string();
    assert_eq!(code.len(), 11, "ABC-DEF-GHJ");
    assert!(page.body.contains("<svg"), "a QR code");

    let phone = Person::new(server);
    // Opening the link (as a chat app's preview does) never uses it.
    for _ in 0..2 {
        let open = phone.get(&format!("/join?code={code}")).await;
        assert_eq!(open.status, 200);
        assert!(
            open.body.contains("العربية"),
            "languages in their own script"
        );
    }
    let confirm = phone.get(&format!("/join?code={code}&lang=ar")).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains(r#"<html lang="ar" dir="rtl""#));
    assert!(confirm.body.contains("Sara"), "the coach's name");
    let joined = phone
        .post(
            "/api/join",
            &format!("/join?code={code}&lang=ar"),
            &[("code", &code), ("lang", "ar"), ("name", "Amal")],
        )
        .await;
    assert_eq!(joined.status, 302, "{}", joined.body);
    assert_eq!(joined.location.as_deref(), Some("/plan"));
    // Single use.
    let again = Person::new(server)
        .get(&format!("/join?code={code}&lang=nl-BE"))
        .await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("al gebruikt"), "{}", again.body);
    phone
}

#[tokio::test]
async fn invite_join_plan_question_hide_share_withdraw() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let world = World::build(&server.state).await;
        let coach = Person::new(&server);
        coach.sign_in(&world.coach.email).await;
        let phone = invite_and_join(&server, &world, &coach).await;

        let plan = phone.get("/plan").await;
        assert_eq!(plan.status, 200, "{}", plan.body);
        assert!(plan.body.contains(r#"dir="rtl""#));
        let fam = world.family.as_str();

        // The coach writes the plan with the family.
        let family_page = format!("/families/{fam}");
        let r = coach
            .post(
                "/api/add-goal",
                &family_page,
                &[
                    ("family", fam),
                    ("domain", "housing"),
                    ("body", "Een grotere woning vinden"),
                ],
            )
            .await;
        assert_eq!(r.status, 302);
        assert!(
            r.location
                .as_deref()
                .is_some_and(|l| l.contains(&family_page)),
            "{:?}",
            r.location
        );
        let page = coach.get(&family_page).await;
        let goal = between(&page.body, "<article id=\"item-", "\"")
            .unwrap()
            .to_string();
        for body in [
            "Inschrijven bij de sociale huisvesting",
            "Brief van de huisbaas lezen",
        ] {
            let r = coach
                .post(
                    "/api/add-action",
                    &family_page,
                    &[
                        ("family", fam),
                        ("goal", &goal),
                        ("body", body),
                        ("who", "together"),
                        ("due", "2026-12-15"),
                    ],
                )
                .await;
            assert_eq!(r.status, 302, "{}", r.body);
        }
        // The family adds its own goal in another domain.
        let r = phone
            .post(
                "/api/add-goal",
                "/plan",
                &[
                    ("family", fam),
                    ("domain", "money"),
                    ("body", "Schulden afbetalen"),
                ],
            )
            .await;
        assert_eq!(r.status, 302);
        let plan = phone.get("/plan").await.body;
        assert!(
            plan.contains("Schulden afbetalen") && plan.contains("Brief van de huisbaas lezen")
        );
        // Each text carries the language it was written in: the coach's
        // Dutch on Amal's Arabic page, Amal's goal as hers.
        assert!(plan.contains(
            "lang=\"nl-BE\" dir=\"auto\" class=\"body\">Brief van de huisbaas lezen</span>"
        ));
        assert!(plan.contains("lang=\"ar\" dir=\"auto\" class=\"body\">Schulden afbetalen</span>"));
        // So do the plan's end criteria and hold reason, each its own: the
        // coach writes the first in Dutch, Amal the second, and the first
        // keeps its language.
        let header = |who: &'static str, end: &'static str, hold: &'static str| {
            let person = if who == "coach" { &coach } else { &phone };
            let fields = [
                ("family", fam.to_string()),
                ("intensity", "low".to_string()),
                ("next_evaluation", String::new()),
                ("end_criteria", end.to_string()),
                (
                    "status",
                    if hold.is_empty() { "active" } else { "on_hold" }.to_string(),
                ),
                ("hold_reason", hold.to_string()),
            ];
            async move {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                person.call("/api/set-header", &fields).await
            }
        };
        let r = header("coach", "Een droge woning.", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = header("amal", "Een droge woning.", "أطفالنا مرضى هذا الأسبوع.").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let plan = phone.get("/plan").await.body;
        assert!(
            plan.contains("dir=\"auto\" lang=\"nl-BE\">Een droge woning.</dd>"),
            "{plan}"
        );
        assert!(plan.contains("dir=\"auto\" lang=\"ar\">أطفالنا مرضى هذا الأسبوع.</p>"));
        let r = header("coach", "Een droge woning.", "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let register = &item_id(&plan, "Inschrijven bij de sociale huisvesting");
        let letter = &item_id(&plan, "Brief van de huisbaas lezen");

        // The coach asks a mandate question on the first action. A day in
        // the past is refused, and the form comes back as it was typed.
        let question = |until: &'static str| {
            [
                ("family", fam),
                ("action", register.as_str()),
                ("help", "call"),
                ("party", "social_housing"),
                ("party_name", "WoninGent"),
                ("facts[]", "identity"),
                ("facts[]", "income"),
                ("words", "Ik vraag hoe ver uw dossier staat."),
                ("until", until),
            ]
        };
        let ask_page = format!("/families/{fam}/ask/{register}");
        assert_eq!(coach.get(&ask_page).await.status, 200);
        let refused = coach
            .post("/api/ask", &ask_page, &question("2020-02-01"))
            .await;
        let again = coach.back_with_error(&refused).await;
        for typed in [
            ">Ik vraag hoe ver uw dossier staat.</textarea>",
            "value=\"WoninGent\"",
            "value=\"call\" selected",
            "value=\"social_housing\" selected",
            "value=\"identity\" checked",
            "value=\"income\" checked",
            "value=\"2020-02-01\"",
        ] {
            assert!(again.body.contains(typed), "kept: {typed}");
        }
        // Once: a second look at the same address shows an empty form.
        let later = coach.get(refused.location.as_deref().unwrap()).await;
        assert!(!later.body.contains("value=\"WoninGent\""));
        let r = coach
            .post("/api/ask", &ask_page, &question("2027-02-01"))
            .await;
        assert_eq!(r.status, 302, "{}", r.body);

        // The family sees it waiting at the top and answers "together".
        let plan = phone.get("/plan").await.body;
        let question = between(&plan, "href=\"/plan/question/", "\"")
            .unwrap()
            .to_string();
        let qpage = phone.get(&format!("/plan/question/{question}")).await;
        assert_eq!(qpage.status, 200);
        assert!(qpage.body.contains("WoninGent"));
        let r = phone
            .post(
                "/api/answer",
                &format!("/plan/question/{question}"),
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "together"),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/plan?saved=answer"));
        // On the coach's list the answer is new until they open the family.
        let new_answers = |n: u32| format!("Nieuwe antwoorden: \u{2068}{n}\u{2069}");
        server.state.clock.advance(60);
        let list = coach.get("/families").await.body;
        assert!(list.contains(&new_answers(1)), "{list}");
        let coach_view = coach.get(&family_page).await.body;
        assert!(
            coach_view.contains("mandate-together"),
            "the coach sees the answer"
        );
        // In staff words: what the family said, not "You said".
        let staff_words =
            onsplan_app::i18n::tr(onsplan_app::lang::Lang::NlBe, "mandate-staff-together");
        let family_words =
            onsplan_app::i18n::tr(onsplan_app::lang::Lang::NlBe, "mandate-state-together");
        assert!(coach_view.contains(&staff_words), "{staff_words}");
        assert!(!coach_view.contains(&family_words), "{family_words}");
        server.state.clock.advance(60);
        let list = coach.get("/families").await.body;
        assert!(!list.contains("Nieuwe antwoorden"), "seen: {list}");
        // A changed answer is new again, also in the same second as the
        // coach's last visit (a withdrawal must never go unnoticed).
        coach.get(&family_page).await;
        let r = phone
            .post(
                "/api/answer",
                &format!("/plan/question/{question}"),
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "for_me"),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/plan?saved=answer"));
        let list = coach.get("/families").await.body;
        assert!(list.contains(&new_answers(1)), "{list}");
        let r = phone
            .post(
                "/api/answer",
                &format!("/plan/question/{question}"),
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "together"),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/plan?saved=answer"));
        // The phone's outbox sends an answer made offline again until it
        // hears back: the same key is one answer; a malformed key is refused.
        let answers = |question: String| {
            let db = server.state.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM mandate_answers WHERE mandate_id = $1",
                )
                .bind(question)
                .fetch_one(db.pool())
                .await
                .unwrap()
            }
        };
        let before = answers(question.clone()).await;
        for _ in 0..3 {
            let r = phone
                .call(
                    "/api/answer",
                    &[
                        ("family", fam),
                        ("question", &question),
                        ("answer", "myself"),
                        ("key", "0f6e2a8c-2b1d-4c3e-9a7f-1d2e3f4a5b6c"),
                    ],
                )
                .await;
            assert!(r.status < 400, "{} {}", r.status, r.body);
        }
        assert_eq!(answers(question.clone()).await, before + 1, "{store:?}");
        let r = phone
            .call(
                "/api/answer",
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "together"),
                    ("key", "not a key!"),
                ],
            )
            .await;
        assert_eq!(r.status, 400);
        let r = phone
            .call(
                "/api/answer",
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "together"),
                    ("key", "1f6e2a8c-2b1d-4c3e-9a7f-1d2e3f4a5b6c"),
                ],
            )
            .await;
        assert!(r.status < 400);
        assert_eq!(answers(question.clone()).await, before + 2, "{store:?}");
        server.state.clock.advance(60);
        coach.get(&family_page).await;

        // The family hides the letter, and shares the registration with the volunteer.
        let r = phone
            .post(
                "/api/only-us",
                &format!("/plan/share?item={letter}"),
                &[("family", fam), ("item", letter), ("on", "1")],
            )
            .await;
        assert_eq!(r.status, 302);
        // Back on the item, in plain words: saved.
        let back = format!("/plan/share?item={letter}&saved=1");
        assert_eq!(r.location.as_deref(), Some(back.as_str()));
        let page = phone.get(&back).await.body;
        let saved = onsplan_app::i18n::tr(onsplan_app::lang::Lang::Ar, "saved-note");
        assert!(
            page.contains(&format!(
                "id=\"saved-note\" role=\"status\" class=\"card saved\">{saved}"
            )),
            "{page}"
        );
        let preview = phone
            .get(&format!("/plan/share?item={register}&to=volunteer"))
            .await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert!(preview.body.contains("id=\"preview\""));
        assert!(preview
            .body
            .contains("Inschrijven bij de sociale huisvesting"));
        let previewed = between(&preview.body, "id=\"preview\"", "</ul>").unwrap();
        assert!(previewed.contains("Inschrijven bij de sociale huisvesting"));
        assert!(
            !previewed.contains("Brief van de huisbaas"),
            "hidden items are not previewed"
        );
        assert!(
            !previewed.contains("Een grotere woning"),
            "the goal is not shared"
        );
        // A bad form (a day in the past) comes back to the form with the
        // reason in the member's language, and nothing is shared.
        let from = format!("/plan/share?item={register}&to=volunteer");
        let bad = phone
            .post(
                "/api/share",
                &from,
                &[
                    ("family", fam),
                    ("item", register),
                    ("to", "volunteer"),
                    ("purpose", "Voor de aanvraag bij het OCMW"),
                    ("until", "2020-01-01"),
                ],
            )
            .await;
        let again = phone.back_with_error(&bad).await;
        let reason = onsplan_app::i18n::tr(onsplan_app::lang::Lang::Ar, "error-date-past");
        assert!(again.body.contains(&reason), "the reason, in Arabic");
        assert!(
            again
                .body
                .contains("value=\"Voor de aanvraag bij het OCMW\"")
                && again.body.contains("value=\"2020-01-01\""),
            "what was typed comes back"
        );
        assert!(
            !again.body.contains("class=\"withdraw-share"),
            "nothing was shared"
        );
        let r = phone
            .post(
                "/api/share",
                &format!("/plan/share?item={register}&to=volunteer"),
                &[
                    ("family", fam),
                    ("item", register),
                    ("to", "volunteer"),
                    ("purpose", "Helpen met het formulier"),
                    ("until", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);

        let coach_view = coach.get(&family_page).await.body;
        assert!(
            !coach_view.contains("Brief van de huisbaas"),
            "hidden from the coach"
        );
        let count = between(&coach_view, "id=\"hidden-count\"", "</p>").expect("the count");
        assert!(
            count.contains("\u{2068}1\u{2069}"),
            "one item hidden: {count}"
        );
        assert!(!coach_view.contains("Brief van de huisbaas"));

        let volunteer = Person::new(&server);
        volunteer.sign_in(&world.volunteer.email).await;
        let list = volunteer.get("/families").await.body;
        assert!(list.contains("Gezin Haddad"));
        let seen = volunteer.get(&family_page).await;
        assert_eq!(seen.status, 200);
        assert!(seen.body.contains("Inschrijven bij de sociale huisvesting"));
        assert!(
            !seen.body.contains("Een grotere woning"),
            "only the shared action"
        );
        assert!(!seen.body.contains("Schulden"));
        assert!(!seen.body.contains("Brief van de huisbaas"));

        let looked = phone.get("/plan/looked").await.body;
        assert!(looked.contains("Marleen"), "who looked shows the volunteer");

        // Withdraw the share: the volunteer's next page load no longer has it.
        let share_page = phone
            .get(&format!("/plan/share?item={register}"))
            .await
            .body;
        let share_id = between(&share_page, "name=\"share\" value=\"", "\"")
            .unwrap()
            .to_string();
        let r = phone
            .post(
                "/api/withdraw-share",
                &format!("/plan/share?item={register}"),
                &[("family", fam), ("share", &share_id)],
            )
            .await;
        assert_eq!(r.status, 302);
        let gone = volunteer.get(&family_page).await;
        assert_eq!(gone.status, 404);
        assert!(!gone.body.contains("Inschrijven"));

        // Ended shares stay in the family's history on the item's page:
        // the one taken back, and one whose end day has passed.
        let r = phone
            .post(
                "/api/share",
                &format!("/plan/share?item={register}&to=org:{}", world.org),
                &[
                    ("family", fam),
                    ("item", register),
                    ("to", &format!("org:{}", world.org)),
                    ("purpose", "Wachtlijst opvolgen"),
                    ("until", &server.state.clock.today()),
                ],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        server.state.clock.advance(2 * 86_400);
        let history = phone
            .get(&format!("/plan/share?item={register}"))
            .await
            .body;
        let earlier = between(&history, "id=\"earlier\"", "</section>").expect("shared before");
        for (said, what) in [
            ("Marleen", "the volunteer, by name"),
            ("Helpen met het formulier", "the withdrawn share's purpose"),
            ("Huis van het Kind Gent", "the organisation"),
            ("Wachtlijst opvolgen", "the expired share's purpose"),
        ] {
            assert!(earlier.contains(said), "{what} in {earlier}");
        }
        assert!(
            !history.contains("name=\"share\" value=\""),
            "nothing ended can be withdrawn again"
        );
        // Two days on, the coach's office session has ended.
        assert_eq!(coach.get(&family_page).await.status, 401);
        coach.sign_in(&world.coach.email).await;

        // An invite the coach made while accepted...
        let r = coach
            .post("/api/invite", &family_page, &[("family", fam)])
            .await;
        assert_eq!(r.status, 302);
        let page = coach.get(&family_page).await.body;
        let spare = between(&page, "class=\"invite-code\">", "<")
            .unwrap()
            .to_string();
        // Withdraw the base mandate: the coach's next request is 404.
        let r = phone.post("/api/withdraw-coach", "/plan/coach", &[]).await;
        assert_eq!(r.status, 302);
        assert_eq!(coach.get(&family_page).await.status, 404);
        // ... no longer lets anyone in once the family stopped: not the
        // coach under a made-up name, not anyone.
        let intruder = Person::new(&server);
        let open = intruder
            .get(&format!("/join?code={spare}&lang=nl-BE"))
            .await;
        assert_eq!(open.status, 409);
        let r = intruder
            .call(
                "/api/join",
                &[("code", &spare), ("lang", "nl-BE"), ("name", "Sara")],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(intruder.get("/plan").await.status, 401);

        // Sign-out ends the session on the server.
        let r = phone.post("/api/sign-out", "/plan", &[]).await;
        assert_eq!(r.status, 302);
        assert_eq!(phone.get("/plan").await.status, 401);
    }
}

/// The id of the plan item whose text is `body`, from a rendered plan.
fn item_id(page: &str, body: &str) -> String {
    page.split("<li id=\"item-")
        .skip(1)
        .find(|s| {
            s.contains(&format!("class=\"body\">{body}</span>")) && {
                let end = s.find("</li>").unwrap_or(s.len());
                s[..end].contains(body)
            }
        })
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no item {body}"))
        .to_string()
}

/// `onsplan demo`: every printed login works, every invite lets a family
/// member in, and each reader sees exactly what the demo family consented
/// to. A second run keeps the data and makes new passwords.
#[tokio::test]
async fn demo_data_signs_in_and_obeys_the_rules() {
    use onsplan_server::demo;
    for store in stores() {
        let server = TestServer::start(store).await;
        let first = demo::load(&server.state).await.expect("demo loads");
        let again = demo::load(&server.state).await.expect("demo loads twice");
        assert_eq!(first.logins.len(), 4);
        assert_ne!(first.logins[0].password, again.logins[0].password);
        let text = demo::describe(&again, &server.state.public_url);
        assert!(text.contains("sara@demo.onsplan.be") && text.contains("/join?code="));

        let mut seen = Vec::new();
        for login in &again.logins {
            let p = Person::new(&server);
            let r = p
                .post(
                    "/api/sign-in",
                    "/sign-in",
                    &[("email", &login.email), ("password", &login.password)],
                )
                .await;
            assert_eq!(r.location.as_deref(), Some("/families"), "{}", login.email);
            let list = p.get("/families").await.body;
            let haddad = between(&list, "href=\"/families/", "\"").map(str::to_string);
            let body = match haddad {
                Some(id) => p.get(&format!("/families/{id}")).await.body,
                None => String::new(),
            };
            seen.push((login.email.clone(), list, body));
        }
        // The demo family talks with Sara and with Marleen: each reads
        // their own thread, the others none.
        let mut threads = Vec::new();
        for login in &again.logins {
            let p = Person::new(&server);
            p.post(
                "/api/sign-in",
                "/sign-in",
                &[("email", &login.email), ("password", &login.password)],
            )
            .await;
            let list = p.get("/messages").await.body;
            let thread = match between(&list, "href=\"/messages/", "\"") {
                Some(id) => p.get(&format!("/messages/{id}")).await.body,
                None => String::new(),
            };
            threads.push(thread);
        }
        assert!(threads[0].contains("هل يمكنك الاتصال بي؟"), "{}", threads[0]);
        assert!(threads[0].contains("ik bel u morgen om tien uur"));
        assert!(!threads[0].contains("huiswerk?"));
        // Koen has his thread with Gezin Peeters (only the reminder of the
        // evaluation he set); Pieter none.
        assert!(threads[1].contains("evaluation-note") && !threads[1].contains("Amal"));
        // Sara's thread with the Haddads has each kind of message.
        for kind in [
            "class=\"body phrase\"",
            "class=\"body appointment-proposal\"",
            "class=\"body appointment-ok\"",
            "class=\"body photo\"",
            "class=\"body voice\"",
            "question-note",
            "answer-note",
            "evaluation-note",
        ] {
            assert!(threads[0].contains(kind), "{kind} in {}", threads[0]);
        }
        assert!(threads[3].is_empty());
        assert!(threads[2].contains("langskomen voor het huiswerk"));
        assert!(!threads[2].contains("ik bel u morgen"));
        let (_, sara_list, sara) = &seen[0];
        assert!(sara_list.contains("Gezin Haddad"));
        assert!(sara.contains("Inschrijven bij de sociale huisvesting"));
        assert!(
            !sara.contains("Ik slaap slecht"),
            "only-us stays with the family"
        );
        assert!(sara.contains("id=\"hidden-count\""));
        let (_, _, koen) = &seen[1];
        assert!(koen.contains("Rijbewijs C") && koen.contains("id=\"on-hold\""));
        assert!(
            !koen.contains("Haddad"),
            "another coach sees nothing of Haddad"
        );
        let (_, _, marleen) = &seen[2];
        assert!(
            marleen.contains("Gesprek met de juf"),
            "shared school goal and its action"
        );
        assert!(!marleen.contains("Inschrijven"));
        let (_, _, pieter) = &seen[3];
        assert!(pieter.contains("budgetbegeleiding"));
        assert!(!pieter.contains("Een budget maken"), "only the shared step");

        // A new member of Gezin Haddad comes in with the printed invite.
        let invite = &again.invites[0];
        let phone = Person::new(&server);
        let path = invite
            .link
            .trim_start_matches(&server.state.public_url)
            .to_string();
        assert_eq!(phone.get(&path).await.status, 200);
        let r = phone
            .post(
                "/api/join",
                &path,
                &[
                    ("code", &invite.code),
                    ("lang", "nl-BE"),
                    ("name", "Youssef"),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/plan"));
        let plan = phone.get("/plan").await.body;
        assert!(
            plan.contains("Ik slaap slecht"),
            "the family sees everything"
        );
        assert!(
            plan.contains("id=\"waiting\""),
            "the open question waits at the top"
        );
        // Everyone who joined is listed for the family to see.
        let members = between(&plan, "id=\"members\"", "</p>").expect("who is in the plan");
        assert!(
            members.contains("Amal") && members.contains("Youssef"),
            "{members}"
        );
    }
}

/// A coordinator (made like any staff account) sees how many families each
/// coach and volunteer of their organisation carries, and nothing of any
/// family: not its name, not its page, not what the family shared with
/// their organisation. Nobody can share with them by name or make them a
/// family's volunteer.
#[tokio::test]
async fn a_coordinator_sees_the_caseload_and_no_family() {
    use onsplan_app::domain::access::StaffRole;
    use onsplan_app::domain::accounts;
    use onsplan_tests::world::staff;
    for store in stores() {
        let server = TestServer::start(store).await;
        let world = World::build(&server.state).await;
        let hilde = staff(&server.state, &world.org, StaffRole::Coordinator, "Hilde").await;
        let coach = Person::new(&server);
        coach.sign_in(&world.coach.email).await;
        let phone = invite_and_join(&server, &world, &coach).await;
        let fam = world.family.as_str();
        let r = coach
            .post(
                "/api/add-goal",
                &format!("/families/{fam}"),
                &[
                    ("family", fam),
                    ("domain", "money"),
                    ("body", "Schulden afbetalen"),
                ],
            )
            .await;
        assert_eq!(r.status, 302);
        let share_money = |to: String, purpose: &'static str| {
            let phone = &phone;
            async move {
                phone
                    .post(
                        "/api/share",
                        "/plan/share?domain=money",
                        &[
                            ("family", fam),
                            ("domain", "money"),
                            ("to", &to),
                            ("purpose", purpose),
                            ("until", "2027-06-30"),
                        ],
                    )
                    .await
            }
        };
        // The family shares its money domain with the coaches' organisation.
        let r = share_money(format!("org:{}", world.org), "Budgetbegeleiding").await;
        assert_eq!(r.status, 302, "{}", r.body);
        // Nobody can pick the coordinator as a person to share with.
        let targets = phone.get("/plan/share?domain=money").await.body;
        assert!(targets.contains("Marleen"), "staff are listed");
        assert!(!targets.contains("Hilde"), "the coordinator is not");
        let r = share_money(format!("person:{}", hilde.id), "x").await;
        let back = r.location.expect("back to the form");
        let again = phone.get(back.trim_start_matches(&server.url(""))).await;
        let reason = onsplan_app::i18n::tr(onsplan_app::lang::Lang::Ar, "error-unknown-recipient");
        assert!(again.body.contains(&reason), "the reason, in Arabic");
        let shares: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shares WHERE family_id = $1")
            .bind(fam)
            .fetch_one(server.state.db.pool())
            .await
            .unwrap();
        assert_eq!(shares, 1, "only the organisation share");

        let coordinator = Person::new(&server);
        coordinator.sign_in(&hilde.email).await;
        let page = coordinator.get("/families").await;
        assert_eq!(page.status, 200);
        let team = between(&page.body, "id=\"team\"", "</ul>").expect("the team");
        let row = |name: &str| {
            let start = team
                .find(name)
                .unwrap_or_else(|| panic!("{name} in {team}"));
            let card = &team[start..team[start..].find("</li>").unwrap() + start];
            card.split("<dd>")
                .skip(1)
                .map(|c| c.split('<').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        // Sara: one family works with her; Koen: one waits to join;
        // Marleen: volunteer for one.
        assert_eq!(row("Sara"), ["1", "0", "0"]);
        assert_eq!(row("Koen"), ["0", "1", "0"]);
        assert_eq!(row("Marleen"), ["0", "0", "1"]);
        for secret in ["Gezin Haddad", "Gezin Peeters", "Schulden", fam] {
            assert!(
                !page.body.contains(secret),
                "{secret} on the coordinator's page"
            );
        }
        let r = coordinator.get(&format!("/families/{fam}")).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(!r.body.contains("Schulden"));
        let r = coordinator.call("/api/family", &[("id", fam)]).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(!r.body.contains("Schulden"));
        // Neither coach nor volunteer of a family.
        let refused = accounts::assign(
            &server.state.db,
            fam,
            Some(&world.coach.id),
            Some(&hilde.id),
            server.state.clock.now(),
        )
        .await;
        assert!(refused.is_err(), "{refused:?}");
    }
}
