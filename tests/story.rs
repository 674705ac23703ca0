//! The whole story in a real headless Chromium at 360 px, once with
//! JavaScript and once without: a coach invites; a family member joins in
//! Arabic and sees the plan right to left; answers a mandate question
//! "together"; hides an item; shares another with the volunteer until a
//! date; the coach sees the answer and not the hidden item; the volunteer
//! sees only the shared item; "who looked" shows the volunteer; the family
//! withdraws the share; the volunteer's next page load no longer shows it.
//! Screenshots of the main pages go to docs/screenshots/.

use std::time::Duration;

use fantoccini::Locator;
use onsplan_tests::browser::Browser;
use onsplan_tests::world::{World, PASSWORD};
use onsplan_tests::{repo_root, stores, TestServer};

struct B {
    b: Browser,
    base: String,
    shots: bool,
}

impl B {
    async fn new(server: &TestServer, javascript: bool, lang: &str, shots: bool) -> B {
        B {
            b: Browser::start(javascript, lang).await,
            base: server.url(""),
            shots,
        }
    }
    async fn go(&self, path: &str) {
        self.b
            .client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }
    /// Activates a link or button with the keyboard (Enter), as a keyboard
    /// user does, and waits for the next page to be there.
    async fn click(&self, css: &str) {
        let element = self.b.wait_for(css).await;
        self.b
            .client
            .execute("document.documentElement.dataset.before = '1'", vec![])
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(20), element.send_keys("\u{E007}"))
            .await
            .unwrap_or_else(|_| panic!("pressing {css} did not finish"))
            .unwrap_or_else(|e| panic!("press {css}: {e}"));
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let old = self
                .b
                .client
                .execute("return document.readyState === 'complete' && !document.documentElement.dataset.before", vec![])
                .await;
            if matches!(old, Ok(serde_json::Value::Bool(true))) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no new page after {css}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    /// Ticks a checkbox with the space bar (no page load).
    async fn tick(&self, css: &str) {
        self.b.wait_for(css).await.send_keys(" ").await.unwrap();
    }
    /// Opens a `<details>` (no page load).
    async fn open(&self, css: &str) {
        self.b
            .wait_for(css)
            .await
            .send_keys("\u{E007}")
            .await
            .unwrap();
    }
    async fn fill(&self, css: &str, text: &str) {
        self.b.wait_for(css).await.send_keys(text).await.unwrap();
    }
    /// Date pickers differ per locale; set the ISO value the form sends,
    /// as picking a day in the calendar does.
    async fn set_date(&self, css: &str, date: &str) {
        self.b.wait_for(css).await;
        self.b
            .client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1]",
                vec![css.into(), date.into()],
            )
            .await
            .unwrap();
    }
    async fn select(&self, css: &str, value: &str) {
        self.b
            .wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    }
    async fn text(&self) -> String {
        self.b.wait_for("main").await.text().await.unwrap()
    }
    async fn html(&self) -> String {
        self.b.client.source().await.unwrap()
    }
    async fn attr(&self, css: &str, name: &str) -> String {
        self.b
            .wait_for(css)
            .await
            .attr(name)
            .await
            .unwrap()
            .unwrap_or_default()
    }
    async fn path(&self) -> String {
        self.b
            .client
            .current_url()
            .await
            .unwrap()
            .path()
            .to_string()
    }
    async fn shot(&self, name: &str) {
        if self.shots {
            self.b
                .screenshot(&repo_root().join(format!("docs/screenshots/{name}.png")))
                .await;
        }
    }
    async fn sign_in(&self, email: &str) {
        self.go("/sign-in").await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("#sign-in").await;
        self.b.wait_for("#families").await;
    }
    /// Everything one taps (links, buttons, fields, the "more" of a
    /// folded part) that is shown and smaller than 44 × 44 px.
    async fn small_targets(&self) -> Vec<String> {
        let found = self
            .b
            .client
            .execute(
                "const small = [];
                 for (const el of document.querySelectorAll(
                     'a, button, summary, select, textarea, input:not([type=hidden]):not([type=checkbox])')) {
                   const r = el.getBoundingClientRect();
                   if (r.width === 0 && r.height === 0) continue;
                   if (r.height < 44 || r.width < 44)
                     small.push(el.outerHTML.slice(0, 90) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
                 }
                 return small;",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(found).unwrap()
    }
    async fn all_targets_fit_a_finger(&self, page: &str) {
        let small = self.small_targets().await;
        assert!(small.is_empty(), "{page}: targets under 44 px: {small:#?}");
    }
    /// The id of the plan item (li or article) whose text contains `body`.
    async fn item_id(&self, body: &str) -> String {
        let items = self
            .b
            .client
            .find_all(Locator::Css("li.item, article.goal"))
            .await
            .unwrap();
        for item in items {
            let span = item.find(Locator::Css(".body")).await.unwrap();
            if span.text().await.unwrap().contains(body) {
                return item
                    .attr("id")
                    .await
                    .unwrap()
                    .unwrap()
                    .trim_start_matches("item-")
                    .to_string();
            }
        }
        panic!("no item {body}");
    }
}

async fn story(javascript: bool) {
    let server = TestServer::start(stores()[0]).await;
    let world = World::build(&server.state).await;
    let shots = javascript; // one set of pictures is enough
    let fam = &world.family;

    // The coach makes an invite.
    let coach = B::new(&server, javascript, "nl-BE", shots).await;
    coach.sign_in(&world.coach.email).await;
    coach.shot("families-nl").await;
    coach.click(&format!("a[href='/families/{fam}']")).await;
    coach.b.wait_for("#waiting").await;
    coach.click("#make-invite").await;
    let code = coach.b.wait_for(".invite-code").await.text().await.unwrap();
    assert_eq!(code.len(), 11);
    coach.shot("invite-nl").await;

    // The family member joins in Arabic.
    let phone = B::new(&server, javascript, "nl-BE", shots).await;
    phone.go(&format!("/join?code={code}")).await;
    phone.shot("join-language").await;
    phone.click("a.lang-choice[lang='ar']").await;
    phone.fill("#name", "Amal").await;
    phone.shot("join-ar").await;
    phone.click("#accept").await;
    phone.b.wait_for("#coach-panel").await;
    assert_eq!(phone.path().await, "/plan");
    let dir = phone.attr("html", "dir").await;
    assert_eq!(dir, "rtl", "the plan reads right to left");

    // The coach writes the plan with the family and asks a question.
    coach.go(&format!("/families/{fam}")).await;
    coach.open("#add-goal summary").await;
    coach.select("#goal-domain", "housing").await;
    coach.fill("#goal-body", "Een grotere woning vinden").await;
    coach.click("#add-goal button[type=submit]").await;
    let goal = coach.item_id("Een grotere woning vinden").await;
    for body in [
        "Inschrijven bij de sociale huisvesting",
        "Brief van de huisbaas lezen",
    ] {
        coach
            .open(&format!("#item-{goal} details.add summary"))
            .await;
        coach.fill(&format!("#action-body-{goal}"), body).await;
        coach
            .select(&format!("#action-who-{goal}"), "together")
            .await;
        coach
            .set_date(&format!("#action-due-{goal}"), "2026-12-15")
            .await;
        coach
            .click(&format!("#item-{goal} details.add button[type=submit]"))
            .await;
        coach.b.wait_for(&format!("#item-{goal}")).await;
    }
    let register = coach
        .item_id("Inschrijven bij de sociale huisvesting")
        .await;
    let letter = coach.item_id("Brief van de huisbaas lezen").await;
    coach.click(&format!("#item-{register} a.ask")).await;
    // What, with whom and which facts come from lists, so that the family
    // reads them in Arabic; the coach's own words stay in Dutch.
    coach.select("#help", "call").await;
    coach.select("#party", "social_housing").await;
    coach.fill("#party_name", "WoninGent").await;
    coach.tick("input[name='facts[]'][value='identity']").await;
    coach.tick("input[name='facts[]'][value='income']").await;
    coach.set_date("#until", "2027-02-01").await;
    coach
        .fill("#words", "Ik vraag hoe ver uw dossier staat.")
        .await;
    coach.shot("ask-nl").await;
    coach.click("#ask-send").await;
    coach
        .b
        .wait_for(&format!("#item-{register} .mandate-open"))
        .await;

    // The family answers "together".
    phone.go("/plan").await;
    phone.b.wait_for("#waiting").await;
    phone.shot("plan-ar").await;
    phone.all_targets_fit_a_finger("plan").await;
    phone.click("#waiting a.button").await;
    phone.b.wait_for("#answer-together").await;
    // The question reads in Arabic; the name and the coach's own words
    // stay as written, marked Dutch.
    let ar = |id: &str| onsplan_app::i18n::tr(onsplan_app::lang::Lang::Ar, id);
    let what = phone
        .b
        .wait_for("#question-what")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(what.trim(), ar("help-call"));
    let party = phone
        .b
        .wait_for("#question-party")
        .await
        .text()
        .await
        .unwrap();
    assert!(party.contains(&ar("party-social_housing")) && party.contains("WoninGent"));
    let facts = phone
        .b
        .wait_for("#question-facts")
        .await
        .text()
        .await
        .unwrap();
    assert!(facts.contains(&ar("fact-income")) && !facts.contains(&ar("fact-debts")));
    let words = phone.b.wait_for("#question-words").await;
    assert_eq!(words.attr("lang").await.unwrap().as_deref(), Some("nl-BE"));
    phone.shot("question-ar").await;
    phone.all_targets_fit_a_finger("question").await;
    if javascript {
        // Read-aloud appears only where the browser can speak.
        // The island hydrated and found a speech engine (Chromium has one).
        phone
            .b
            .wait_for("button.read-aloud[data-ready='true']")
            .await;
    }
    phone.click("#answer-together").await;
    phone
        .b
        .wait_for(&format!("#item-{register} .mandate-together"))
        .await;
    // The plan says it was saved; the back button shows the question as
    // it is now (answered), not the page from before.
    phone.b.wait_for("#saved-note").await;
    phone.all_targets_fit_a_finger("plan, answered").await;
    phone.b.client.back().await.unwrap();
    phone.b.wait_for("#current-answer").await;
    phone.go("/plan").await;

    // … hides the letter …
    phone
        .click(&format!("#item-{letter} a[href^='/plan/share']"))
        .await;
    phone.click("#only-us-toggle").await;
    phone.b.wait_for("#only-family").await;
    phone.go("/plan").await;
    phone.b.wait_for(&format!("#item-{letter} .only-us")).await;

    // … and shares the registration with the volunteer, after a preview.
    phone
        .click(&format!("#item-{register} a[href^='/plan/share']"))
        .await;
    phone.select("#to", "volunteer").await;
    phone.click("#share-preview").await;
    let preview = phone.b.wait_for("#preview").await.text().await.unwrap();
    assert!(preview.contains("Inschrijven bij de sociale huisvesting"));
    assert!(!preview.contains("Brief van de huisbaas"));
    phone.fill("#purpose", "Helpen met het formulier").await;
    phone.set_date("#until", "2026-12-31").await;
    phone.shot("share-ar").await;
    phone.all_targets_fit_a_finger("share").await;
    phone.click("#share-confirm").await;
    phone.b.wait_for(".withdraw-share").await;

    // The coach sees the answer and not the hidden item.
    coach.go(&format!("/families/{fam}")).await;
    coach
        .b
        .wait_for(&format!("#item-{register} .mandate-together"))
        .await;
    let seen = coach.text().await;
    assert!(
        !seen.contains("Brief van de huisbaas"),
        "hidden from the coach"
    );
    coach.b.wait_for("#hidden-count").await;
    coach.shot("coach-family-nl").await;

    // The volunteer sees only the shared item.
    let volunteer = B::new(&server, javascript, "nl-BE", shots).await;
    volunteer.sign_in(&world.volunteer.email).await;
    volunteer.click(&format!("a[href='/families/{fam}']")).await;
    volunteer.b.wait_for("#viewer-note").await;
    let seen = volunteer.text().await;
    assert!(seen.contains("Inschrijven bij de sociale huisvesting"));
    // … with what the family shared it for, and until when.
    let terms = volunteer
        .b
        .wait_for("#shared-with-me")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        terms.contains("Helpen met het formulier") && terms.contains("31 december 2026"),
        "{terms}"
    );
    assert!(!seen.contains("Een grotere woning") && !seen.contains("Brief van de huisbaas"));
    volunteer.shot("volunteer-nl").await;

    // "Who looked" shows the volunteer.
    phone.go("/plan/looked").await;
    let looked = phone.text().await;
    assert!(looked.contains("Marleen"), "{looked}");
    phone.shot("looked-ar").await;
    phone.all_targets_fit_a_finger("who looked").await;

    // The family withdraws the share; the volunteer's next load lacks it.
    phone.go(&format!("/plan/share?item={register}")).await;
    phone.click(".withdraw-share").await;
    phone.b.wait_for("#only-family, .seer").await;
    volunteer.b.client.refresh().await.unwrap();
    let after = volunteer.text().await;
    assert!(!after.contains("Inschrijven"), "{after}");
    assert!(volunteer.html().await.contains("error-page"));

    // The family switches to Dutch: pictures of the same pages in Dutch.
    phone.go("/plan").await;
    phone.select("#language", "nl-BE").await;
    phone.click("#language ~ button").await;
    phone.go("/plan").await;
    assert_eq!(phone.attr("html", "dir").await, "ltr");
    phone.shot("plan-nl").await;
    phone
        .go(&format!("/plan/share?item={register}&to=volunteer"))
        .await;
    phone.shot("share-nl").await;
    phone.go("/plan/looked").await;
    phone.shot("looked-nl").await;
    phone.go("/plan").await;
    phone.click(&format!("#item-{register} .mandate a")).await;
    phone.b.wait_for("#withdraw-answer").await;
    phone.shot("question-nl").await;

    for b in [coach, phone, volunteer] {
        b.b.close().await;
    }
}

#[tokio::test]
async fn the_story_with_javascript() {
    story(true).await;
}

#[tokio::test]
async fn the_story_without_javascript() {
    story(false).await;
}

/// Nobody joins a family without a member's yes: someone the coach invited
/// waits (a page saying so, nothing of the plan), the family sees who asks
/// on "Our plan" (in Arabic, right to left) and refuses; "who looked" names
/// every change and groups repeated reads.
#[tokio::test]
async fn the_family_decides_who_joins() {
    use onsplan_app::domain::access::Caller;
    use onsplan_app::domain::invites;
    let server = TestServer::start(onsplan_tests::Store::Sqlite).await;
    let world = World::build(&server.state).await;
    let state = &server.state;
    let coach = Caller::staff(&state.db, &world.coach.id).await.unwrap();
    let invite = |state: &onsplan_app::domain::AppState| {
        let coach = coach.clone();
        let family = world.family.clone();
        let state = state.clone();
        async move {
            invites::create(&state.db, &state.secret, &coach, &family, state.clock.now())
                .await
                .unwrap()
                .code
        }
    };
    // Amal joins in Arabic, the family's first member.
    let amal = B::new(&server, true, "ar", true).await;
    amal.go(&format!("/join?code={}&lang=ar", invite(state).await))
        .await;
    amal.fill("#name", "أمل").await;
    amal.click("#accept").await;
    assert_eq!(amal.path().await, "/plan");
    // The coach's next invite, used on another phone: the newcomer waits.
    let newcomer = B::new(&server, false, "nl-BE", true).await;
    newcomer
        .go(&format!("/join?code={}&lang=nl-BE", invite(state).await))
        .await;
    assert!(
        newcomer
            .text()
            .await
            .contains("iemand van uw gezin moet eerst ja zeggen")
            || newcomer
                .text()
                .await
                .contains("Iemand van uw gezin moet eerst ja zeggen")
    );
    newcomer.fill("#name", "Sara").await;
    newcomer.click("#accept").await;
    let waiting = newcomer.text().await;
    assert!(waiting.contains("Even wachten op uw gezin"), "{waiting}");
    newcomer.shot("join-waiting-nl").await;
    // The family sees who asks, and refuses.
    amal.go("/plan").await;
    let html = amal.html().await;
    assert!(html.contains("class=\"card notice newcomer\""), "{html}");
    amal.shot("newcomer-ar").await;
    amal.click(".refuse-newcomer").await;
    assert!(!amal.html().await.contains("class=\"card notice newcomer\""));
    newcomer.go("/plan").await;
    assert!(newcomer.text().await.contains("afgemeld"));
    amal.go("/plan/looked").await;
    let looked = amal.text().await;
    assert!(looked.contains("Sara"), "the refusal names who: {looked}");
    amal.shot("looked-joins-ar").await;
    amal.b.close().await;
    newcomer.b.close().await;
}

/// Getting back in, in Dutch (no JavaScript) and Arabic: signing out asks
/// first; Amal makes Yusuf a "new phone" code and he comes back in with
/// it; the coach lets Amal in on a new phone and the family is told;
/// removing a member asks first. Pictures of each page in both languages.
#[tokio::test]
async fn getting_back_in_in_dutch_and_arabic() {
    use onsplan_app::domain::access::Caller;
    use onsplan_app::domain::invites;
    let server = TestServer::start(onsplan_tests::Store::Sqlite).await;
    let world = World::build(&server.state).await;
    let state = &server.state;
    let fam = world.family.clone();
    let member_id = |name: &'static str| {
        let db = state.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM members WHERE display_name = $1")
                .bind(name)
                .fetch_one(db.pool())
                .await
                .unwrap()
        }
    };
    // Amal joins in Arabic with the coach's invite, Yusuf in Dutch with hers.
    let coach = Caller::staff(&state.db, &world.coach.id).await.unwrap();
    let code = invites::create(&state.db, &state.secret, &coach, &fam, state.clock.now())
        .await
        .unwrap()
        .code;
    let amal = B::new(&server, true, "ar", true).await;
    amal.go(&format!("/join?code={code}&lang=ar")).await;
    amal.fill("#name", "أمل").await;
    amal.click("#accept").await;
    let amal_caller = Caller::member(&state.db, &member_id("أمل").await)
        .await
        .unwrap();
    let code = invites::create(
        &state.db,
        &state.secret,
        &amal_caller,
        &fam,
        state.clock.now(),
    )
    .await
    .unwrap()
    .code;
    let yusuf = B::new(&server, false, "nl-BE", true).await;
    yusuf.go(&format!("/join?code={code}&lang=nl-BE")).await;
    yusuf.fill("#name", "Yusuf").await;
    yusuf.click("#accept").await;

    // Signing out asks first, and says how to come back.
    yusuf.click("#sign-out").await;
    assert!(yusuf.text().await.contains("nieuwe telefoon"));
    yusuf.shot("sign-out-nl").await;
    amal.click("#sign-out").await;
    amal.b.wait_for("#confirm-sign-out").await;
    amal.shot("sign-out-ar").await;
    yusuf.click("#confirm-sign-out").await;
    assert_eq!(yusuf.path().await, "/");

    // Amal makes Yusuf a "new phone" code on Our plan.
    let yusuf_id = member_id("Yusuf").await;
    amal.go("/plan").await;
    amal.open("#new-phone summary").await;
    amal.select("#make-new-phone-member", &yusuf_id).await;
    amal.click("#make-new-phone").await;
    let code = amal
        .b
        .wait_for("#new-phone .invite-code")
        .await
        .text()
        .await
        .unwrap();
    let scroll = |b: &B, css: &'static str| {
        let client = b.b.client.clone();
        async move {
            client
                .execute(
                    "document.querySelector(arguments[0]).scrollIntoView()",
                    vec![css.into()],
                )
                .await
                .unwrap();
        }
    };
    scroll(&amal, "#new-phone").await;
    amal.shot("new-phone-ar").await;

    // Yusuf opens it on his phone and is back in, as himself.
    yusuf.go(&format!("/join?code={code}")).await;
    assert!(yusuf.text().await.contains("Welkom terug"));
    yusuf.shot("come-back-nl").await;
    yusuf.click("#come-back").await;
    assert_eq!(yusuf.path().await, "/plan");
    yusuf.open("#new-phone summary").await;
    yusuf.click("#make-new-phone").await;
    scroll(&yusuf, "#new-phone").await;
    yusuf.shot("new-phone-nl").await;

    // The coach lets Amal in on a new phone; the old one is out.
    let coach_browser = B::new(&server, false, "nl-BE", true).await;
    coach_browser.sign_in(&world.coach.email).await;
    coach_browser.go(&format!("/families/{fam}")).await;
    coach_browser.open("#reentry summary").await;
    let amal_id = member_id("أمل").await;
    coach_browser.select("#make-reentry-member", &amal_id).await;
    coach_browser.click("#make-reentry").await;
    let code = coach_browser
        .b
        .wait_for("#reentry .invite-code")
        .await
        .text()
        .await
        .unwrap();
    scroll(&coach_browser, "#reentry").await;
    coach_browser.shot("reentry-nl").await;
    let new_phone_ar = B::new(&server, true, "ar", true).await;
    new_phone_ar.go(&format!("/join?code={code}&lang=ar")).await;
    new_phone_ar.b.wait_for("#come-back").await;
    new_phone_ar.shot("come-back-ar").await;
    new_phone_ar.click("#come-back").await;
    new_phone_ar.b.wait_for("#new-phone-notice").await;
    assert_eq!(new_phone_ar.attr("html", "dir").await, "rtl");
    new_phone_ar.shot("notice-ar").await;
    amal.go("/plan").await;
    assert!(
        amal.html().await.contains("error-page"),
        "the old phone is out"
    );
    yusuf.go("/plan").await;
    yusuf.b.wait_for("#new-phone-notice").await;
    yusuf.shot("notice-nl").await;
    yusuf.click("#dismiss-notice").await;
    assert!(!yusuf.html().await.contains("new-phone-notice"));

    // Removing a member asks first.
    yusuf.go(&format!("/plan/remove/{amal_id}")).await;
    yusuf.b.wait_for("#confirm-remove").await;
    yusuf.shot("remove-nl").await;
    new_phone_ar.go(&format!("/plan/remove/{yusuf_id}")).await;
    new_phone_ar.b.wait_for("#confirm-remove").await;
    new_phone_ar.shot("remove-ar").await;
    new_phone_ar.go("/plan/looked").await;
    new_phone_ar.shot("looked-new-phone-ar").await;
    for b in [amal, yusuf, coach_browser, new_phone_ar] {
        b.b.close().await;
    }
}

/// Waits until an element matching `css` shows `want` (the thread's list
/// is replaced as news comes, so elements are read in one script, never
/// held); its `lang`, `dir` and text.
async fn shows(who: &B, css: &str, want: &str) -> (String, String, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let found = who
            .b
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]))\
                 .map(function (e) { return [e.lang, e.dir, \
                   e.textContent.replace(/[\\u2068\\u2069]/g, '')]; })",
                vec![css.into()],
            )
            .await
            .unwrap();
        let found: Vec<(String, String, String)> = serde_json::from_value(found).unwrap();
        if let Some(hit) = found.into_iter().find(|(_, _, t)| t.contains(want)) {
            return hit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {css} showing {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Messages in two browsers (issue 12, increment 1): Amal reads Arabic,
/// Sara Dutch. What one writes appears on the other's open thread without
/// a reload, with the writer's language named and set on the text; the
/// unread number in the top bar follows. Then the family says yes to its
/// volunteer, who writes from a phone without JavaScript.
#[tokio::test]
async fn a_family_reading_arabic_and_its_coach_talk_live() {
    use onsplan_app::domain::access::Caller;
    use onsplan_app::domain::invites;
    let server = TestServer::start(onsplan_tests::Store::Sqlite).await;
    let world = World::build(&server.state).await;
    let state = &server.state;
    let coach_caller = Caller::staff(&state.db, &world.coach.id).await.unwrap();
    let code = invites::create(
        &state.db,
        &state.secret,
        &coach_caller,
        &world.family,
        state.clock.now(),
    )
    .await
    .unwrap()
    .code;
    let amal = B::new(&server, true, "ar", true).await;
    amal.go(&format!("/join?code={code}&lang=ar")).await;
    amal.fill("#name", "أمل").await;
    amal.click("#accept").await;
    let sara = B::new(&server, true, "nl-BE", true).await;
    sara.sign_in(&world.coach.email).await;

    // Both open their thread; the page's script is listening.
    for who in [&amal, &sara] {
        who.go("/messages").await;
        who.click("#threads a").await;
        who.b.wait_for("html[data-live='1']").await;
        who.b
            .client
            .execute("window.stayed = true", vec![])
            .await
            .unwrap();
    }
    let arabic = "مرحبا، هل يمكنك الاتصال بي غدا؟";
    // Amal writes; the form posts and brings her back to the thread.
    amal.fill("#message-body", arabic).await;
    amal.click("#send").await;
    amal.b.wait_for("html[data-live='1']").await;
    amal.b
        .client
        .execute("window.stayed = true", vec![])
        .await
        .unwrap();
    // Sara's open page shows it, without a reload: Arabic, named as such.
    let (lang, dir, _) = shows(&sara, "#messages .msg.theirs .body", arabic).await;
    assert_eq!((lang.as_str(), dir.as_str()), ("ar", "auto"));
    shows(&sara, "#messages .msg.theirs .lang-label", "العربية").await;
    let stayed = sara
        .b
        .client
        .execute("return window.stayed === true", vec![])
        .await
        .unwrap();
    assert_eq!(stayed, true, "the message came without a reload");
    // Sara's page read it: Amal's open page turns her ticks to "read".
    shows(&amal, "#messages .msg.mine .ticks.read", "✓✓").await;

    // Sara answers in Dutch; Amal's page shows it, and the ticks under
    // her own message turn to "read".
    sara.fill("#message-body", "Ja, morgen om tien uur bel ik u.")
        .await;
    sara.click("#send").await;
    shows(
        &amal,
        "#messages .msg.theirs .body",
        "Ja, morgen om tien uur bel ik u.",
    )
    .await;
    shows(&amal, "#messages .msg.theirs .lang-label", "Nederlands").await;
    // … and Sara's reply, read on Amal's open page, is "read" on Sara's.
    shows(&sara, "#messages .msg.mine .ticks.read", "✓✓").await;
    let page = amal
        .b
        .client
        .execute(
            "return [document.documentElement.dir, window.stayed === true, \
             document.documentElement.scrollWidth <= 360]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(page, serde_json::json!(["rtl", true, true]));
    // Amal opens the appointments and taps a phrase in Arabic; Sara reads
    // it in Dutch, live.
    amal.open("#phrases details summary").await;
    amal.click("#phrase-cant-come").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let phrases = sara
            .b
            .client
            .execute(
                "return Array.from(document.querySelectorAll('#messages .msg.theirs .phrase'))\
                 .map(function (p) { return [p.lang, p.textContent]; })",
                vec![],
            )
            .await
            .unwrap();
        let text = phrases.to_string();
        if text.contains("Ik kan niet komen. Kunnen we een andere dag kiezen?") {
            assert!(text.contains("nl-BE"), "{text}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shows(
        &amal,
        "#messages .msg.mine .phrase",
        "لا أستطيع الحضور. هل يمكننا اختيار يوم آخر؟",
    )
    .await;
    amal.b.wait_for("html[data-live='1']").await;
    amal.b
        .client
        .execute("window.stayed = true", vec![])
        .await
        .unwrap();

    // Sara proposes an appointment; Amal reads it in Arabic, live, and
    // says OK; Sara's page shows it agreed.
    sara.open("#propose summary").await;
    sara.set_date("#appointment-day-new", "2026-12-02").await;
    sara.set_date("#appointment-time-new", "10:00").await;
    sara.select("#appointment-place-new", "home").await;
    sara.click("#appointment-send-new").await;
    shows(
        &amal,
        "#messages .appointment-proposal",
        "اقتراح: موعد يوم الأربعاء 2 ديسمبر 2026 الساعة 10:00، في بيت العائلة.",
    )
    .await;
    shows(&amal, "#messages .appointment-state", "في انتظار الرد").await;
    amal.click("#messages button[id^='accept-']").await;
    shows(&sara, "#messages .appointment-state", "Afgesproken").await;
    shows(
        &sara,
        "#messages .appointment-ok",
        "OK voor woensdag 2 december 2026 om 10:00.",
    )
    .await;
    // Amal sends a photo of a letter, taken lying down, with a place in
    // its EXIF; Sara's page shows it live, upright, and its bytes hold
    // nothing the phone wrote into it.
    let letter = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(
        letter.path(),
        onsplan_tests::files::jpeg_with_exif(800, 600),
    )
    .unwrap();
    amal.b
        .wait_for("#photo")
        .await
        .send_keys(&letter.path().display().to_string())
        .await
        .unwrap();
    amal.click("#send-photo").await;
    sara.b.wait_for("#messages .msg.theirs .photo img").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let seen = loop {
        let seen = sara
            .b
            .client
            .execute_async(
                "var done = arguments[arguments.length - 1];\
                 var img = document.querySelector('#messages .msg.theirs .photo img');\
                 if (!img.complete || !img.naturalWidth) { done(null); return; }\
                 fetch(img.src).then(function (r) { return r.arrayBuffer(); }).then(function (b) {\
                   var s = String.fromCharCode.apply(null, new Uint8Array(b));\
                   done([img.naturalWidth, img.naturalHeight, s.indexOf('Exif') >= 0,\
                         s.indexOf('GPS-SECRET-MARK') >= 0]);\
                 });",
                vec![],
            )
            .await
            .unwrap();
        if !seen.is_null() {
            break seen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the photo did not load"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(seen, serde_json::json!([600, 800, false, false]));

    // Sara holds the button and speaks (Chromium's fake microphone plays a
    // tone), listens, sends; Amal plays it in one tap.
    sara.b.wait_for("#voice:not([hidden])").await;
    let record = sara.b.wait_for("#voice-record").await;
    record.send_keys("\u{E007}").await.unwrap();
    sara.b.wait_for("#voice[data-state='recording']").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    record.send_keys("\u{E007}").await.unwrap();
    sara.b.wait_for("#voice[data-state='recorded']").await;
    sara.b.wait_for("#voice-send").await.click().await.unwrap();
    sara.b.wait_for("#voice[data-state='idle']").await;
    amal.b.wait_for("#messages .msg.theirs .voice audio").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let played = amal
            .b
            .client
            .execute(
                "var a = document.querySelector('#messages .msg.theirs .voice audio');\
                 if (a.paused && !a.ended && a.currentTime === 0) a.play();\
                 return a.currentTime;",
                vec![],
            )
            .await
            .unwrap();
        if played.as_f64().unwrap_or(0.0) > 0.5 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the voice message did not play"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let length = amal
        .b
        .wait_for("#messages .msg.theirs .voice-length")
        .await
        .text()
        .await
        .unwrap();
    assert!(length.starts_with("0:0"), "about two seconds: {length}");
    assert!(
        ["0:02", "0:03", "0:04"].contains(&length.trim()),
        "held for 2.5 s: {length}"
    );
    // The player knows the length too (Onsplan's file says it; the
    // recorder's did not, and players showed no length and could not seek).
    let duration = amal
        .b
        .client
        .execute(
            "return document.querySelector('#messages .msg.theirs .voice audio').duration",
            vec![],
        )
        .await
        .unwrap();
    let seconds = duration.as_f64().unwrap_or(f64::NAN);
    assert!(
        (1.5..5.0).contains(&seconds),
        "the player's length: {duration}"
    );

    amal.b.wait_for("html[data-live='1']").await;
    amal.shot("thread-ar").await;
    sara.shot("thread-nl").await;

    // Elsewhere, the top bar counts what is new.
    amal.go("/plan").await;
    amal.b.wait_for("html[data-live='1']").await;
    sara.fill("#message-body", "Neem uw identiteitskaart mee.")
        .await;
    sara.click("#send").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let n = amal
            .b
            .client
            .execute(
                "var u = document.getElementById('unread'); return u.hidden ? '' : u.textContent",
                vec![],
            )
            .await
            .unwrap();
        if n == "1" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "unread is {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The family's yes to its volunteer, asked on the messages page.
    amal.go("/messages").await;
    amal.shot("messages-ar").await;
    amal.click("#talk-yes").await;
    let marleen = B::new(&server, false, "nl-BE", true).await;
    marleen.sign_in(&world.volunteer.email).await;
    marleen.go("/messages").await;
    marleen.click("#threads a").await;
    marleen
        .fill("#message-body", "Zal ik woensdag helpen met de brief?")
        .await;
    marleen.click("#send").await;
    shows(
        &marleen,
        "#messages .msg.mine .body",
        "Zal ik woensdag helpen met de brief?",
    )
    .await;
    marleen.shot("thread-volunteer-nl").await;
    for b in [amal, sara, marleen] {
        b.b.close().await;
    }
}

/// A coach's open thread follows "only us" live: when the family makes an
/// action "only us", the question about it and the family's answer leave
/// the page without a reload; when the family lifts it, they come back in
/// their place (before the messages written after them), not at the end.
#[tokio::test]
async fn an_open_thread_follows_only_us_and_keeps_the_order() {
    use onsplan_tests::world::Person;
    let server = TestServer::start(onsplan_tests::Store::Sqlite).await;
    let world = World::build(&server.state).await;
    let fam = world.family.clone();
    let coach = Person::new(&server);
    coach.sign_in(&world.coach.email).await;
    let code = coach.make_invite(&format!("/families/{fam}"), &fam).await;
    let amal = Person::new(&server);
    amal.join(&code, "nl-BE", "Amal").await;
    let action = onsplan_tests::world::coach_action(
        &server.state,
        &world.coach.id,
        &fam,
        "De huisbaas bellen",
    )
    .await;
    let question = onsplan_tests::world::ask(
        &coach,
        &server.state,
        &fam,
        &action,
        &[
            ("help", "call"),
            ("party", "landlord"),
            ("until", "2027-06-30"),
        ],
    )
    .await;
    let r = amal
        .call(
            "/api/answer",
            &[
                ("family", fam.as_str()),
                ("question", &question),
                ("answer", "together"),
            ],
        )
        .await;
    assert!(r.status < 400, "{} {}", r.status, r.body);
    let list = amal.get("/messages").await.body;
    let thread = onsplan_tests::world::between(&list, "href=\"/messages/", "\"")
        .unwrap()
        .to_string();
    let r = amal
        .call(
            "/api/post-message",
            &[("thread", &thread), ("body", "Daarna nog iets.")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let sara = B::new(&server, true, "nl-BE", false).await;
    sara.sign_in(&world.coach.email).await;
    sara.go(&format!("/messages/{thread}")).await;
    sara.b.wait_for("html[data-live='1']").await;
    // The kinds of the messages on Sara's page, in order.
    let kinds = || async {
        sara.b
            .client
            .execute(
                "return Array.from(document.querySelectorAll('#messages > li.msg')).map(li =>
                   li.querySelector('.question-note') ? 'question'
                   : li.querySelector('.answer-note') ? 'answer'
                   : li.textContent.includes('Daarna nog iets.') ? 'text' : 'other').join(' ')",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let until = |want: &'static str| {
        let kinds = &kinds;
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            loop {
                let now = kinds().await;
                if now == want {
                    return;
                }
                assert!(std::time::Instant::now() < deadline, "{now} is not {want}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    until("question answer text").await;
    for (on, want) in [("1", "text"), ("0", "question answer text")] {
        let r = amal
            .call(
                "/api/only-us",
                &[
                    ("family", fam.as_str()),
                    ("item", action.as_str()),
                    ("on", on),
                ],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        until(want).await;
    }
    sara.b.close().await;
}
