//! Messages (issue 12, increment 1): a family and its coach, and its
//! volunteer after the family's yes, talk in threads, over real HTTP with
//! the real router, on SQLite and PostgreSQL, the way they use it without
//! JavaScript (plain forms); and the live event stream the page's script
//! listens to. Who may read a thread is decided on every request
//! ("Messages: who talks with whom" in docs/CONSENT-RULES.md).

use std::time::Duration;

use onsplan_app::domain::access::StaffRole;
use onsplan_app::domain::accounts;
use onsplan_tests::files::{jpeg_with_exif, ogg};
use onsplan_tests::world::{between, staff, Joined, Page, Person, World};
use onsplan_tests::{stores, Store, TestServer};
use serde_json::Value;

/// A family that uses Onsplan: Amal joined with the coach's invite (and so
/// accepted the coach), Yusuf with Amal's invite. The coach and the
/// volunteer are signed in.
struct Family {
    server: TestServer,
    world: World,
    coach: Person,
    volunteer: Person,
    amal: Person,
    yusuf: Person,
}

async fn family(store: Store) -> Family {
    family_on(TestServer::start(store).await).await
}

async fn family_on(server: TestServer) -> Family {
    let joined = Joined::on(&server).await;
    let yusuf = joined.yusuf(&server).await;
    Family {
        world: joined.world,
        coach: joined.coach,
        volunteer: joined.volunteer,
        amal: joined.amal,
        yusuf,
        server,
    }
}

/// The text of a page without the marks Fluent puts around arguments.
fn text(page: &Page) -> String {
    page.body.replace(['\u{2068}', '\u{2069}'], "")
}

/// The ids of the threads listed on `/messages`, in order.
fn threads(page: &Page) -> Vec<String> {
    page.body
        .split("href=\"/messages/")
        .skip(1)
        .filter_map(|rest| rest.get(..26).map(str::to_string))
        .collect()
}

/// The one thread `who` has on `/messages`.
async fn only_thread(who: &Person) -> String {
    let list = who.get("/messages").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let ids = threads(&list);
    assert_eq!(ids.len(), 1, "{}", list.body);
    ids[0].clone()
}

/// Posts a text as the form does without JavaScript.
async fn say(who: &Person, thread: &str, body: &str) -> Page {
    who.post(
        "/api/post-message",
        &format!("/messages/{thread}"),
        &[("thread", thread), ("body", body)],
    )
    .await
}

/// The unread count in the top bar of `page`.
fn unread(page: &Page) -> i64 {
    between(&page.body, "id=\"unread\"", "</span>")
        .and_then(|s| s.rsplit('>').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no unread count in {}", page.body))
}

#[tokio::test]
async fn the_family_and_its_coach_talk_while_the_family_accepts_the_coach() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        assert_eq!(
            only_thread(&f.coach).await,
            thread,
            "one thread, both sides"
        );
        assert_eq!(only_thread(&f.yusuf).await, thread, "every member is in it");

        // Amal writes; the form comes back to the thread.
        let r = say(&f.amal, &thread, "Kan u mij morgen bellen?").await;
        assert_eq!(r.status, 302, "{}", r.body);
        assert_eq!(
            r.location.as_deref(),
            Some(format!("/messages/{thread}#end").as_str())
        );
        // The coach sees one unread message on every page, then reads it
        // in its writer's language, isolated from the page's direction.
        let families = f.coach.get("/families").await;
        assert_eq!(unread(&families), 1, "{store:?}");
        let page = f.coach.get(&format!("/messages/{thread}")).await;
        assert_eq!(page.status, 200);
        let body = text(&page);
        assert!(
            body.contains(
                "lang=\"nl-BE\" dir=\"auto\" class=\"body\">Kan u mij morgen bellen?</p>"
            ),
            "{body}"
        );
        assert_eq!(unread(&page), 0, "read once opened");
        assert_eq!(unread(&f.coach.get("/families").await), 0);
        let r = say(&f.coach, &thread, "Ja, om tien uur.").await;
        assert_eq!(r.status, 302, "{}", r.body);

        // Amal sees the answer, and that the coach read hers (✓✓).
        assert_eq!(unread(&f.amal.get("/plan").await), 1);
        let page = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(page.contains("Ja, om tien uur."), "{page}");
        assert!(page.contains("✓✓ gelezen"), "{page}");
        // Sara writes a line in Arabic from her Dutch screen: it is marked
        // Arabic (its script says so), not Dutch.
        let r = say(&f.coach, &thread, "سأتصل بك غدا.").await;
        assert_eq!(r.status, 302, "{}", r.body);
        let page = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(
            page.contains("lang=\"ar\" dir=\"auto\" class=\"body\">سأتصل بك غدا.</p>"),
            "{page}"
        );
        // Yusuf is in the thread too.
        let page = text(&f.yusuf.get(&format!("/messages/{thread}")).await);
        assert!(page.contains("Kan u mij morgen bellen?") && page.contains("Ja, om tien uur."));

        // A message from Amal's phone whose answer will be lost.
        let tomorrow = [
            ("thread", thread.as_str()),
            ("body", "Tot morgen."),
            ("key", "amal-retry-1"),
        ];
        let first = f.amal.call("/api/post-message", &tomorrow).await;
        assert_eq!(first.status, 200, "{}", first.body);

        // The family stops working with the coach: the coach loses the
        // thread on the very next request; the family keeps it, to read.
        let r = f.amal.post("/api/withdraw-coach", "/plan/coach", &[]).await;
        assert_eq!(r.status, 302, "{}", r.body);
        let gone = f.coach.get(&format!("/messages/{thread}")).await;
        assert_eq!(gone.status, 404, "{store:?}");
        assert!(!gone.body.contains("Kan u mij"), "{store:?}");
        let r = f
            .coach
            .call(
                "/api/post-message",
                &[("thread", &thread), ("body", "Hallo?")],
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(threads(&f.coach.get("/messages").await).is_empty());
        let kept = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(kept.contains("Ja, om tien uur."), "{kept}");
        assert!(kept.contains("id=\"thread-ended\""), "{kept}");
        assert!(!kept.contains("id=\"message-body\""), "no form: {kept}");
        let r = f
            .amal
            .call(
                "/api/post-message",
                &[("thread", &thread), ("body", "Nog iets")],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("error-thread-ended"), "{}", r.body);
        // A photo neither (refused before the file is read).
        let form = reqwest::multipart::Form::new()
            .text("thread", thread.clone())
            .part("photo", photo_part(jpeg_with_exif(80, 60)));
        let r = f.amal.send_files("/api/post-photo", form).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("error-thread-ended"), "{}", r.body);
        // The phone tries its message again: it did arrive, and is answered
        // as sent, not as refused.
        let again = f.amal.call("/api/post-message", &tomorrow).await;
        assert_eq!((again.status, &again.body), (200, &first.body));

        // The family says yes again: the coach finds their own thread back.
        let r = f.amal.post("/api/accept-coach", "/plan/coach", &[]).await;
        assert_eq!(r.status, 302, "{}", r.body);
        assert_eq!(only_thread(&f.coach).await, thread);
        let back = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert!(back.contains("Ja, om tien uur."), "{back}");
        assert!(!back.contains("Nog iets"), "{back}");
    }
}

/// Onsplan's own notes (an evaluation day) go only into a conversation
/// the coach may read: a family that stopped before it ever talked with
/// the coach finds no empty, ended conversation with them.
#[tokio::test]
async fn a_note_makes_no_conversation_with_a_coach_the_family_stopped() {
    for store in stores() {
        let f = family(store).await;
        let db = &f.server.state.db;
        let rows = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM threads WHERE family_id = $1")
                .bind(&f.world.family)
                .fetch_one(db.pool())
                .await
                .unwrap()
        };
        assert_eq!(rows().await, 0, "nobody opened a conversation yet");
        let r = f.amal.post("/api/withdraw-coach", "/plan/coach", &[]).await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        let r = f
            .amal
            .call(
                "/api/set-header",
                &[
                    ("family", f.world.family.as_str()),
                    ("intensity", "low"),
                    ("next_evaluation", "2027-01-12"),
                    ("end_criteria", ""),
                    ("status", "active"),
                    ("hold_reason", ""),
                ],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        assert_eq!(rows().await, 0, "{store:?}");
        let list = f.amal.get("/messages").await;
        assert!(threads(&list).is_empty(), "{}", list.body);
    }
}

#[tokio::test]
async fn a_new_coach_starts_a_new_thread_and_never_sees_the_old_one() {
    for store in stores() {
        let f = family(store).await;
        let old = only_thread(&f.amal).await;
        say(&f.amal, &old, "Voor Sara alleen").await;
        let state = &f.server.state;
        accounts::assign(
            &state.db,
            &f.world.family,
            Some(&f.world.colleague.id),
            Some(&f.world.volunteer.id),
            state.clock.now(),
        )
        .await
        .unwrap();
        let koen = Person::new(&f.server);
        koen.sign_in("koen@test.example").await;
        // Before the family's yes: nothing.
        assert!(threads(&koen.get("/messages").await).is_empty());
        assert_eq!(koen.get(&format!("/messages/{old}")).await.status, 404);
        let r = f.amal.post("/api/accept-coach", "/plan/coach", &[]).await;
        assert_eq!(r.status, 302, "{}", r.body);
        let new = only_thread(&koen).await;
        assert_ne!(new, old, "{store:?}");
        let page = text(&koen.get(&format!("/messages/{new}")).await);
        assert!(!page.contains("Voor Sara alleen"), "{page}");
        assert_eq!(koen.get(&format!("/messages/{old}")).await.status, 404);
        // Sara, no longer the coach, reads neither.
        assert_eq!(f.coach.get(&format!("/messages/{old}")).await.status, 404);
        assert_eq!(f.coach.get(&format!("/messages/{new}")).await.status, 404);
        // The family has both: the new one first, the old one ended.
        let list = f.amal.get("/messages").await;
        assert_eq!(threads(&list), vec![new.clone(), old.clone()]);
        let ended = text(&f.amal.get(&format!("/messages/{old}")).await);
        assert!(ended.contains("Voor Sara alleen") && ended.contains("id=\"thread-ended\""));
    }
}

#[tokio::test]
async fn the_volunteer_talks_only_after_the_familys_yes() {
    for store in stores() {
        let f = family(store).await;
        let coach_thread = only_thread(&f.amal).await;
        say(&f.amal, &coach_thread, "Alleen voor de coach").await;
        // No yes yet: the volunteer has no thread, and never the coach's.
        assert!(threads(&f.volunteer.get("/messages").await).is_empty());
        let r = f.volunteer.get(&format!("/messages/{coach_thread}")).await;
        assert_eq!(r.status, 404);
        let list = text(&f.amal.get("/messages").await);
        assert!(list.contains("Mag Marleen ons berichten sturen?"), "{list}");
        // "Our plan", where the family looks first, points to it.
        let plan = text(&f.amal.get("/plan").await);
        assert!(plan.contains("id=\"talk-ask\""), "{plan}");
        assert!(plan.contains("href=\"/messages#talk\""));

        let r = f
            .amal
            .post(
                "/api/talk",
                "/messages",
                &[("family", &f.world.family), ("yes", "1")],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        assert!(!f.amal.get("/plan").await.body.contains("id=\"talk-ask\""));
        let talk = only_thread(&f.volunteer).await;
        assert_ne!(talk, coach_thread);
        // Talking gives the volunteer no plan item: the family's page is
        // still closed to her (nothing was shared).
        let plan = f
            .volunteer
            .get(&format!("/families/{}", f.world.family))
            .await;
        assert_eq!(plan.status, 404, "{store:?}");
        let r = say(&f.volunteer, &talk, "Zal ik woensdag langskomen?").await;
        assert_eq!(r.status, 302, "{}", r.body);
        let page = text(&f.amal.get(&format!("/messages/{talk}")).await);
        assert!(page.contains("Zal ik woensdag langskomen?"), "{page}");
        say(&f.amal, &talk, "Graag, om drie uur").await;
        let vol_page = text(&f.volunteer.get(&format!("/messages/{talk}")).await);
        assert!(!vol_page.contains("Alleen voor de coach"), "{vol_page}");
        // Signed by the family: the volunteer does not learn who is in it.
        assert!(vol_page.contains("Graag, om drie uur"), "{vol_page}");
        assert!(vol_page.contains("<bdi>Gezin Haddad</bdi>"), "{vol_page}");
        assert!(!vol_page.contains("Amal"), "{vol_page}");
        // The coach never reads the volunteer's thread.
        assert_eq!(f.coach.get(&format!("/messages/{talk}")).await.status, 404);
        assert_eq!(f.amal.get("/messages").await.status, 200);
        assert_eq!(threads(&f.amal.get("/messages").await).len(), 2);

        // Yusuf stops it: the volunteer is out on the next request.
        let r = f
            .yusuf
            .post(
                "/api/talk",
                "/messages",
                &[("family", &f.world.family), ("yes", "0")],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        assert_eq!(
            f.volunteer.get(&format!("/messages/{talk}")).await.status,
            404
        );
        assert!(threads(&f.volunteer.get("/messages").await).is_empty());
        let looked = text(&f.amal.get("/plan/looked").await);
        assert!(looked.contains("Zei ja: onze vrijwilliger mag ons berichten sturen"));
        assert!(looked.contains("Stopte met berichten van onze vrijwilliger"));
        // … naming the volunteer each was about.
        let granted = between(&looked, "log-talk_granted", "</li>").expect(&looked);
        assert!(granted.contains("Met: Marleen"), "{granted}");

        // Yes again, then the organisation gives the family another
        // volunteer: the yes ends "by the service"; the new one is asked.
        f.amal
            .post(
                "/api/talk",
                "/messages",
                &[("family", &f.world.family), ("yes", "1")],
            )
            .await;
        assert_eq!(only_thread(&f.volunteer).await, talk);
        let state = &f.server.state;
        let greet = staff(state, &f.world.org, StaffRole::Volunteer, "Greet").await;
        accounts::assign(
            &state.db,
            &f.world.family,
            Some(&f.world.coach.id),
            Some(&greet.id),
            state.clock.now(),
        )
        .await
        .unwrap();
        assert_eq!(
            f.volunteer.get(&format!("/messages/{talk}")).await.status,
            404
        );
        let greet_phone = Person::new(&f.server);
        greet_phone.sign_in(&greet.email).await;
        assert!(threads(&greet_phone.get("/messages").await).is_empty());
        let list = text(&f.amal.get("/messages").await);
        assert!(list.contains("Mag Greet ons berichten sturen?"), "{list}");
        // A yes sent from a page that still named Marleen goes to nobody.
        let r = f
            .amal
            .call(
                "/api/talk",
                &[
                    ("family", f.world.family.as_str()),
                    ("yes", "1"),
                    ("volunteer", f.world.volunteer.id.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("error-volunteer-changed"));
        assert!(threads(&greet_phone.get("/messages").await).is_empty());
        let looked = text(&f.amal.get("/plan/looked").await);
        assert!(
            looked.contains("De berichten met deze vrijwilliger stopten"),
            "{looked}"
        );
    }
}

#[tokio::test]
async fn nobody_outside_a_thread_reads_it() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        say(&f.amal, &thread, "GEHEIM-bericht").await;
        let photo = send_photo(&f.amal, &thread, jpeg_with_exif(64, 48)).await;
        let state = &f.server.state;
        // Everything the family shared with the partner worker, and
        // their organisation: still no thread.
        let r = f
            .amal
            .post(
                "/api/share",
                "/plan/share",
                &[
                    ("family", f.world.family.as_str()),
                    ("domain", "work"),
                    ("to", &format!("person:{}", f.world.partner.id)),
                    ("purpose", "helpen"),
                    ("until", "2027-06-30"),
                ],
            )
            .await;
        assert!(r.status == 302 || r.status == 200, "{}", r.body);
        let coordinator = staff(state, &f.world.org, StaffRole::Coordinator, "Hilde").await;
        let other_member = {
            let koen = Person::new(&f.server);
            koen.sign_in("koen@test.example").await;
            let fam = f.world.other_family.clone();
            let code = koen.make_invite(&format!("/families/{fam}"), &fam).await;
            let bart = Person::new(&f.server);
            bart.join(&code, "nl-BE", "Bart").await;
            bart
        };
        let mut outsiders = vec![("other family", other_member)];
        for (who, email) in [
            ("partner", "pieter@test.example"),
            ("colleague", "koen@test.example"),
            ("stranger", "els@test.example"),
            ("volunteer", "marleen@test.example"),
            ("coordinator", coordinator.email.as_str()),
        ] {
            let p = Person::new(&f.server);
            p.sign_in(email).await;
            outsiders.push((who, p));
        }
        for (who, p) in &outsiders {
            let r = p.get(&format!("/messages/{thread}")).await;
            assert_eq!(r.status, 404, "{who} {store:?}");
            assert!(!r.body.contains("GEHEIM"), "{who}");
            let r = p.call("/api/thread", &[("id", &thread)]).await;
            assert_eq!(r.status, 404, "{who}");
            let r = p
                .call("/api/post-message", &[("thread", &thread), ("body", "x")])
                .await;
            assert_eq!(r.status, 404, "{who}");
            let list = p.get("/messages").await;
            assert!(!list.body.contains(&thread), "{who}");
            let r = p
                .call("/api/talk", &[("family", &f.world.family), ("yes", "1")])
                .await;
            assert_eq!(r.status, 404, "{who}");
            // Neither the photo, nor a way to put one in the thread.
            let (status, _, bytes) = p.file(&format!("/media/{photo}")).await;
            assert_eq!(status, 404, "{who}");
            assert!(bytes.len() < 1000, "{who}");
            let form = reqwest::multipart::Form::new()
                .text("thread", thread.clone())
                .part("photo", photo_part(jpeg_with_exif(16, 16)));
            let r = p.post_files("/api/post-photo", "/messages", form).await;
            assert!(
                r.location.as_deref().unwrap_or("").contains("__err="),
                "{who}"
            );
        }
        // Signed out: 401, the same for any id; no stream either.
        let nobody = Person::new(&f.server);
        assert_eq!(nobody.get(&format!("/messages/{thread}")).await.status, 401);
        assert_eq!(
            nobody
                .get("/messages/aaaaaaaaaaaaaaaaaaaaaaaaaa")
                .await
                .status,
            401
        );
        assert_eq!(nobody.get("/api/events").await.status, 401);
        assert_eq!(nobody.file(&format!("/media/{photo}")).await.0, 401);
        // Made-up ids look like ids that do not exist.
        for bad in ["aaaaaaaaaaaaaaaaaaaaaaaaaa", "x%2Fy", "x"] {
            assert_eq!(f.amal.get(&format!("/messages/{bad}")).await.status, 404);
        }
        // Nothing was written by any of it.
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
            .fetch_one(state.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 2, "{store:?}");
    }
}

#[tokio::test]
async fn staff_reads_of_a_thread_are_in_who_looked() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        say(&f.amal, &thread, "Hier is de brief").await;
        let before = text(&f.amal.get("/plan/looked").await);
        assert!(!before.contains("Las uw berichten"), "{before}");
        for _ in 0..3 {
            assert_eq!(
                f.coach.get(&format!("/messages/{thread}")).await.status,
                200
            );
        }
        let looked = text(&f.amal.get("/plan/looked").await);
        let line = between(&looked, "log-thread_read", "</li>").expect(&looked);
        assert!(line.contains("Las uw berichten"), "{line}");
        assert!(line.contains("Sara"), "{line}");
        assert!(line.contains("3 keer"), "one line for three reads: {line}");
        assert_eq!(looked.matches("log-thread_read").count(), 1);
        // The open page asking again after news, with nothing new: not a
        // read. With a new message to show: a read.
        let live = |who: &Person| {
            who.client
                .get(f.server.url(&format!("/messages/{thread}")))
                .header("x-onsplan-live", "1")
                .send()
        };
        assert_eq!(live(&f.coach).await.unwrap().status(), 200);
        let again = text(&f.amal.get("/plan/looked").await);
        let line = between(&again, "log-thread_read", "</li>").unwrap();
        assert!(line.contains("3 keer"), "{line}");
        say(&f.amal, &thread, "En nog een foto").await;
        assert_eq!(live(&f.coach).await.unwrap().status(), 200);
        let again = text(&f.amal.get("/plan/looked").await);
        let line = between(&again, "log-thread_read", "</li>").unwrap();
        assert!(line.contains("4 keer"), "{line}");
        // A member reading writes nothing in the log.
        f.yusuf.get(&format!("/messages/{thread}")).await;
        let again = text(&f.amal.get("/plan/looked").await);
        assert_eq!(again.matches("log-thread_read").count(), 1, "{store:?}");
    }
}

#[tokio::test]
async fn a_message_sent_twice_with_one_key_is_one_message() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        let send = |key: &'static str| {
            let thread = thread.clone();
            let amal = &f.amal;
            async move {
                amal.call(
                    "/api/post-message",
                    &[
                        ("thread", thread.as_str()),
                        ("body", "Ik kom iets later"),
                        ("key", key),
                    ],
                )
                .await
            }
        };
        assert_eq!(send("phone-key-1").await.status, 200);
        assert_eq!(send("phone-key-1").await.status, 200);
        // Both at once, with a new key.
        let (a, b) = tokio::join!(send("phone-key-2"), send("phone-key-2"));
        assert_eq!((a.status, b.status), (200, 200), "{} {}", a.body, b.body);
        let page = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert_eq!(page.matches("Ik kom iets later").count(), 2, "{store:?}");
        // A key already used in another thread is not a retry of this
        // message: refused, nothing written there.
        let r = f
            .amal
            .post(
                "/api/talk",
                "/messages",
                &[("family", &f.world.family), ("yes", "1")],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        let talk = threads(&f.amal.get("/messages").await)
            .into_iter()
            .find(|t| *t != thread)
            .expect("the thread with the volunteer");
        let r = f
            .amal
            .call(
                "/api/post-message",
                &[
                    ("thread", &talk),
                    ("body", "Ik kom iets later"),
                    ("key", "phone-key-1"),
                ],
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        let there = text(&f.volunteer.get(&format!("/messages/{talk}")).await);
        assert!(!there.contains("Ik kom iets later"), "{there}");
        // A key that is not a key is refused, and writes nothing.
        let r = f
            .amal
            .call(
                "/api/post-message",
                &[("thread", &thread), ("body", "x"), ("key", "a b")],
            )
            .await;
        assert_eq!(r.status, 400);
        // Empty and too long texts are refused in the writer's language.
        let r = say(&f.amal, &thread, "   ").await;
        assert_eq!(r.status, 302);
        let back = f.amal.back_with_error(&r).await;
        assert!(text(&back).contains("id=\"form-error\""), "{}", back.body);
        let long = "a".repeat(2001);
        let r = f
            .amal
            .call("/api/post-message", &[("thread", &thread), ("body", &long)])
            .await;
        assert_eq!(r.status, 400);
        let page = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert_eq!(page.matches("class=\"msg ").count(), 2, "{store:?}");
    }
}

#[tokio::test]
async fn a_writer_deletes_within_fifteen_minutes_and_it_says_so() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        say(&f.amal, &thread, "Verkeerd adres gestuurd").await;
        let id: String = sqlx::query_scalar("SELECT id FROM messages WHERE thread_id = $1")
            .bind(&thread)
            .fetch_one(f.server.state.db.pool())
            .await
            .unwrap();
        // Not the coach's to delete.
        let r = f
            .coach
            .call(
                "/api/delete-message",
                &[("thread", &thread), ("message", &id)],
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = f
            .amal
            .post(
                "/api/delete-message",
                &format!("/messages/{thread}"),
                &[("thread", &thread), ("message", &id)],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        let page = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert!(!page.contains("Verkeerd adres"), "{page}");
        assert!(page.contains("Bericht verwijderd"), "{page}");
        let stored: String = sqlx::query_scalar("SELECT body FROM messages WHERE id = $1")
            .bind(&id)
            .fetch_one(f.server.state.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, "", "the text is gone from the store too");

        say(&f.amal, &thread, "Tot straks").await;
        let second: String = sqlx::query_scalar(
            "SELECT id FROM messages WHERE thread_id = $1 AND deleted_at IS NULL",
        )
        .bind(&thread)
        .fetch_one(f.server.state.db.pool())
        .await
        .unwrap();
        f.server.state.clock.advance(15 * 60);
        let r = f
            .amal
            .call(
                "/api/delete-message",
                &[("thread", &thread), ("message", &second)],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("error-delete-too-late"));
        let page = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(page.contains("Tot straks"), "{store:?}");
        assert!(
            !page.contains("id=\"delete-"),
            "no delete button after 15 minutes"
        );
    }
}

/// An open `/api/events` stream, read as the browser's EventSource does.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(who: &Person, server: &TestServer) -> Events {
        Self::open_url(who, &server.url("/api/events")).await
    }

    async fn open_url(who: &Person, url: &str) -> Events {
        let response = who
            .client
            .get(url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("events");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (name and data) within `wait`, keep-alives skipped.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = Some(v.trim().to_string());
                    }
                }
                if let Some(data) = data {
                    return Some((name, serde_json::from_str(&data).expect("JSON data")));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test]
async fn new_messages_arrive_live_and_count_as_unread() {
    const WAIT: Duration = Duration::from_secs(10);
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        f.amal
            .post(
                "/api/talk",
                "/messages",
                &[("family", &f.world.family), ("yes", "1")],
            )
            .await;
        let talk = only_thread(&f.volunteer).await;
        let mut coach = Events::open(&f.coach, &f.server).await;
        let mut volunteer = Events::open(&f.volunteer, &f.server).await;
        let (name, hello) = coach.next(WAIT).await.expect("hello");
        assert_eq!(
            (name.as_str(), hello["unread"].as_i64()),
            ("hello", Some(0))
        );
        volunteer.next(WAIT).await.expect("hello");

        say(&f.amal, &thread, "Bent u er?").await;
        let (name, news) = coach.next(WAIT).await.expect("news of the message");
        assert_eq!(name, "message");
        assert_eq!(news["thread"], thread.as_str());
        assert_eq!(news["unread"], 1);
        // The thread and the count, nothing else (not even a number that
        // would show a hidden note in between).
        assert_eq!(news.as_object().map(|o| o.len()), Some(2), "{news}");
        // The stream holds no content.
        assert!(!news.to_string().contains("Bent u"), "{news}");
        // The volunteer hears nothing of the coach's thread …
        assert!(volunteer.next(Duration::from_millis(500)).await.is_none());
        // … and of her own.
        say(&f.amal, &talk, "Tot woensdag").await;
        let (_, news) = volunteer.next(WAIT).await.expect("her thread");
        assert_eq!(news["thread"], talk.as_str());
        assert!(coach.next(Duration::from_millis(500)).await.is_none());

        // The family stops talking with her: her open stream says her
        // thread is gone, once, and nothing more of it.
        f.amal
            .post(
                "/api/talk",
                "/messages",
                &[("family", &f.world.family), ("yes", "0")],
            )
            .await;
        let (name, news) = volunteer.next(WAIT).await.expect("gone");
        assert_eq!(
            (name.as_str(), news["thread"].as_str()),
            ("gone", Some(talk.as_str()))
        );
        // The family stops working with the coach: the same.
        f.amal.post("/api/withdraw-coach", "/plan/coach", &[]).await;
        let (name, _) = coach.next(WAIT).await.expect("gone");
        assert_eq!(name, "gone", "{store:?}");
        assert!(coach.next(Duration::from_millis(500)).await.is_none());
    }
}

#[tokio::test]
async fn a_phrase_reads_in_each_readers_own_language() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        // Amal reads Onsplan in Arabic; Sara in Dutch, Yusuf in English.
        for (who, lang) in [(&f.amal, "ar"), (&f.yusuf, "en")] {
            let r = who.call("/api/set-language", &[("lang", lang)]).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        // The phrases come first for the family, before the keyboard.
        let page = text(&f.amal.get(&format!("/messages/{thread}")).await);
        let phrases = page.find("id=\"phrases\"").expect("the phrase book");
        assert!(phrases < page.find("id=\"message-body\"").unwrap());
        assert!(page.contains("من فضلك اتصل بي."), "in Arabic: {page}");
        // Amal taps "I'll come on … at …" with a day and an hour.
        let r = f
            .amal
            .post(
                "/api/post-phrase",
                &format!("/messages/{thread}"),
                &[
                    ("thread", thread.as_str()),
                    ("phrase", "come-on"),
                    ("day", "2026-12-02"),
                    ("time", "09:30"),
                ],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        let r = f
            .amal
            .call(
                "/api/post-phrase",
                &[("thread", thread.as_str()), ("phrase", "thank-you")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Sara reads both in Dutch, the day and the hour her way.
        let sara = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert!(
            sara.contains("Ik kom op woensdag 2 december 2026 om 9:30."),
            "{sara}"
        );
        assert!(sara.contains("Dank u wel."), "{sara}");
        assert!(!sara.contains("سآتي"), "not in Arabic: {sara}");
        // Sara answers with a phrase; Amal reads it in Arabic, Yusuf in
        // English.
        let r = f
            .coach
            .call(
                "/api/post-phrase",
                &[("thread", thread.as_str()), ("phrase", "bring-id")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let amal = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(amal.contains("أحضر بطاقة هويتك."), "{amal}");
        assert!(
            amal.contains("سآتي يوم الأربعاء 2 ديسمبر 2026 الساعة 9:30."),
            "{amal}"
        );
        let yusuf = text(&f.yusuf.get(&format!("/messages/{thread}")).await);
        assert!(yusuf.contains("Bring your identity card."), "{yusuf}");
        assert!(yusuf.contains("I'll come on Wednesday 2 December 2026 at 9:30."));
        // What is stored is the phrase and its arguments, no sentence.
        let stored: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT kind, body, args FROM messages WHERE thread_id = $1 ORDER BY seq",
        )
        .bind(&thread)
        .fetch_all(f.server.state.db.pool())
        .await
        .unwrap();
        assert_eq!(
            stored[0],
            (
                "phrase".to_string(),
                "come-on".to_string(),
                r#"{"day":"2026-12-02","time":"09:30"}"#.to_string()
            )
        );
        // Refused, in the writer's language, and nothing written: a phrase
        // not in the book, a missing or impossible day or hour.
        for fields in [
            vec![("phrase", "say-anything")],
            vec![("phrase", "come-on"), ("time", "09:30")],
            vec![
                ("phrase", "come-on"),
                ("day", "2026-02-30"),
                ("time", "09:30"),
            ],
            vec![
                ("phrase", "come-on"),
                ("day", "2026-12-02"),
                ("time", "25:00"),
            ],
            vec![
                ("phrase", "come-on"),
                ("day", "2031-01-01"),
                ("time", "09:30"),
            ],
        ] {
            let mut form = vec![("thread", thread.as_str())];
            form.extend(fields.iter().copied());
            let r = f.amal.call("/api/post-phrase", &form).await;
            assert_eq!(r.status, 400, "{fields:?}: {}", r.body);
        }
        let r = f
            .amal
            .post(
                "/api/post-phrase",
                &format!("/messages/{thread}"),
                &[
                    ("thread", thread.as_str()),
                    ("phrase", "call-after"),
                    ("time", "9 uur"),
                ],
            )
            .await;
        let back = text(&f.amal.back_with_error(&r).await);
        assert!(back.contains("اختر الساعة."), "{back}");
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE thread_id = $1")
            .bind(&thread)
            .fetch_one(f.server.state.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 3, "{store:?}");

        // Amal and Yusuf both say OK to a new proposal at the same moment:
        // one OK, the other is told it was answered.
        let r = f
            .coach
            .call(
                "/api/propose-appointment",
                &[
                    ("thread", &thread),
                    ("day", "2026-12-10"),
                    ("time", "14:00"),
                    ("place", "phone"),
                ],
            )
            .await;
        assert!(r.status < 400, "{}", r.body);
        let open = proposals(&f, &thread).await.last().unwrap().clone();
        let fields = [("thread", thread.as_str()), ("message", open.as_str())];
        let (a, b) = tokio::join!(
            f.amal.call("/api/accept-appointment", &fields),
            f.yusuf.call("/api/accept-appointment", &fields)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
        let oks: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE thread_id = $1 AND kind = 'appointment_ok'
               AND args LIKE $2",
        )
        .bind(&thread)
        .bind(format!("%{open}%"))
        .fetch_one(f.server.state.db.pool())
        .await
        .unwrap();
        assert_eq!(oks, 1, "{store:?}");
    }
}

/// The ids of the appointment proposals in a thread, oldest first.
async fn proposals(f: &Family, thread: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT id FROM messages WHERE thread_id = $1 AND kind = 'appointment' ORDER BY seq",
    )
    .bind(thread)
    .fetch_all(f.server.state.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn an_appointment_is_proposed_answered_and_read_in_each_language() {
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        let r = f.amal.call("/api/set-language", &[("lang", "ar")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let propose = |who: &'static str, day: &'static str, reply_to: Option<String>| {
            let (thread, p) = (
                thread.clone(),
                if who == "coach" { &f.coach } else { &f.amal },
            );
            async move {
                let mut fields = vec![
                    ("thread", thread.clone()),
                    ("day", day.to_string()),
                    ("time", "10:00".to_string()),
                    ("place", "office".to_string()),
                    ("note", "Kantoor Sint-Amandsberg".to_string()),
                ];
                if let Some(r) = reply_to {
                    fields.push(("reply_to", r));
                }
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                p.post(
                    "/api/propose-appointment",
                    &format!("/messages/{thread}"),
                    &fields,
                )
                .await
            }
        };
        // Sara proposes; Amal reads it in Arabic, with its state.
        let r = propose("coach", "2026-12-02", None).await;
        assert_eq!(r.status, 302, "{}", r.body);
        let first = proposals(&f, &thread).await[0].clone();
        let amal = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(
            amal.contains("اقتراح: موعد يوم الأربعاء 2 ديسمبر 2026 الساعة 10:00، في المكتب."),
            "{amal}"
        );
        assert!(amal.contains("في انتظار الرد"), "{amal}");
        assert!(amal.contains("Kantoor Sint-Amandsberg"));
        // Amal proposes another time instead: the first is replaced.
        let r = propose("member", "2026-12-03", Some(first.clone())).await;
        assert_eq!(r.status, 302, "{}", r.body);
        let second = proposals(&f, &thread).await[1].clone();
        let sara = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert!(
            sara.contains("Er is een ander moment voorgesteld"),
            "{sara}"
        );
        assert!(
            sara.contains(
                "Voorstel: een afspraak op donderdag 3 december 2026 om 10:00, op kantoor."
            ),
            "{sara}"
        );
        // The first can no longer be answered; Amal cannot say OK to her own.
        let r = f
            .amal
            .call(
                "/api/accept-appointment",
                &[("thread", &thread), ("message", &first)],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        let r = f
            .amal
            .call(
                "/api/accept-appointment",
                &[("thread", &thread), ("message", &second)],
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        // Sara says OK: agreed, for both, each in their language.
        let r = f
            .coach
            .post(
                "/api/accept-appointment",
                &format!("/messages/{thread}"),
                &[("thread", &thread), ("message", &second)],
            )
            .await;
        assert_eq!(r.status, 302, "{}", r.body);
        let sara = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert!(
            sara.contains("OK voor donderdag 3 december 2026 om 10:00."),
            "{sara}"
        );
        assert!(sara.contains("Afgesproken"), "{sara}");
        let amal = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(
            amal.contains("موافق على يوم الخميس 3 ديسمبر 2026 الساعة 10:00."),
            "{amal}"
        );
        assert!(amal.contains("تم الاتفاق"), "{amal}");
        let r = f
            .coach
            .call(
                "/api/accept-appointment",
                &[("thread", &thread), ("message", &second)],
            )
            .await;
        assert_eq!(r.status, 409, "agreed once: {}", r.body);
        // A day gone by, an unknown place, a made-up proposal: refused,
        // nothing written.
        for (day, place) in [("2026-11-01", "office"), ("2026-12-05", "moon")] {
            let r = f
                .coach
                .call(
                    "/api/propose-appointment",
                    &[
                        ("thread", &thread),
                        ("day", day),
                        ("time", "10:00"),
                        ("place", place),
                    ],
                )
                .await;
            assert_eq!(r.status, 400, "{day} {place}: {}", r.body);
        }
        let r = f
            .coach
            .call(
                "/api/accept-appointment",
                &[
                    ("thread", &thread),
                    ("message", "aaaaaaaaaaaaaaaaaaaaaaaaaa"),
                ],
            )
            .await;
        assert_eq!(r.status, 404);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE thread_id = $1")
            .bind(&thread)
            .fetch_one(f.server.state.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 3, "{store:?}");
    }
}

/// The coach's structured question and the family's answer appear in the
/// thread, each reader reading them in their own language and linking to
/// the question; a new evaluation day is a reminder there. When the family
/// makes the action "only us", the coach's thread no longer shows (or
/// counts) what was said about it; the family's still does.
#[tokio::test]
async fn a_question_its_answer_and_the_evaluation_appear_in_the_thread() {
    use onsplan_app::i18n::{tr, tr_args};
    use onsplan_app::lang::Lang;
    let long_date =
        |lang, day| onsplan_app::i18n::long_date(lang, day).replace(['\u{2068}', '\u{2069}'], "");
    for store in stores() {
        let f = family(store).await;
        let fam = f.world.family.as_str();
        let r = f.amal.call("/api/set-language", &[("lang", "ar")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let db = &f.server.state.db;
        let action = onsplan_tests::world::coach_action(
            &f.server.state,
            &f.world.coach.id,
            fam,
            "De huisbaas bellen",
        )
        .await;
        // A question with nothing chosen is refused and changes nothing.
        for (help, party) in [("", "landlord"), ("call", ""), ("fly", "landlord")] {
            let r = f
                .coach
                .call(
                    "/api/ask",
                    &[
                        ("family", fam),
                        ("action", &action),
                        ("help", help),
                        ("party", party),
                        ("until", "2027-06-30"),
                    ],
                )
                .await;
            assert_eq!(r.status, 400, "{help}/{party}: {}", r.body);
        }
        let question = onsplan_tests::world::ask(
            &f.coach,
            &f.server.state,
            fam,
            &action,
            &[
                ("help", "letter"),
                ("party", "landlord"),
                ("party_name", "Woonhaven"),
                ("facts[]", "housing"),
                ("facts[]", "identity"),
                ("words", "Over de vochtschade."),
                ("until", "2027-06-30"),
            ],
        )
        .await;
        let thread = only_thread(&f.amal).await;
        // Amal reads the question in Arabic, linking to it, and her unread
        // count says so.
        assert_eq!(unread(&f.amal.get("/messages").await), 1);
        let amal = f.amal.get(&format!("/messages/{thread}")).await;
        let page = text(&amal);
        let ar = |id: &str| tr(Lang::Ar, id);
        assert!(page.contains(&ar("help-letter")), "{page}");
        assert!(page.contains(&ar("party-landlord")), "{page}");
        assert!(page.contains(&format!("href=\"/plan/question/{question}\"")));
        assert!(!page.contains(&tr(Lang::NlBe, "help-letter")), "{page}");
        // The question page: the lists in Arabic, the coach's words marked
        // Dutch, the day in Arabic.
        let q = text(&f.amal.get(&format!("/plan/question/{question}")).await);
        assert!(q.contains(&ar("fact-housing")) && q.contains(&ar("fact-identity")));
        assert!(!q.contains(&ar("fact-income")));
        assert!(
            q.contains("lang=\"nl-BE\" dir=\"auto\">Over de vochtschade.</p>"),
            "{q}"
        );
        assert!(q.contains(&long_date(Lang::Ar, "2027-06-30")), "{q}");
        assert!(!q.contains("2027-06-30<"), "no ISO date: {q}");
        // Amal answers; Sara reads the answer in Dutch, under Amal's name.
        let r = f
            .amal
            .call(
                "/api/answer",
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "together"),
                ],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        let sara = f.coach.get(&format!("/messages/{thread}")).await;
        let said = tr_args(
            Lang::NlBe,
            "answer-history-together",
            &[("name", "Amal".to_string())],
        )
        .replace(['\u{2068}', '\u{2069}'], "");
        let sara_text = text(&sara);
        assert!(sara_text.contains(&said), "{said} in {sara_text}");
        assert!(sara_text.contains(&tr(Lang::NlBe, "help-letter")));
        // The question and the answer are records of what each did: neither
        // the coach nor Amal can delete them, even at once.
        for (who, kind) in [(&f.coach, "question"), (&f.amal, "answer")] {
            let note: String =
                sqlx::query_scalar("SELECT id FROM messages WHERE thread_id = $1 AND kind = $2")
                    .bind(&thread)
                    .bind(kind)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            let page = who.get(&format!("/messages/{thread}")).await.body;
            assert!(
                !page.contains(&format!("value=\"{note}\"")),
                "no delete form for {kind}"
            );
            let r = who
                .call(
                    "/api/delete-message",
                    &[("thread", &thread), ("message", &note)],
                )
                .await;
            assert_eq!(r.status, 409, "{kind}: {}", r.body);
            assert!(r.body.contains("error-message-not-deletable"), "{}", r.body);
            let kept: Option<i64> =
                sqlx::query_scalar("SELECT deleted_at FROM messages WHERE id = $1")
                    .bind(&note)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            assert_eq!(kept, None, "{kind}");
        }
        // "Who looked" names the question by what the coach will do, in
        // Amal's language.
        let looked = text(&f.amal.get("/plan/looked").await);
        let asked = between(&looked, "log-mandate_asked", "</li>").expect(&looked);
        assert!(asked.contains(&ar("help-letter")), "{asked}");
        assert!(!looked.contains("help:"), "{looked}");
        // A new evaluation day is a reminder in the thread.
        let r = f
            .coach
            .call(
                "/api/set-header",
                &[
                    ("family", fam),
                    ("intensity", "low"),
                    ("next_evaluation", "2027-01-12"),
                    ("end_criteria", ""),
                    ("status", "active"),
                    ("hold_reason", ""),
                ],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        let amal = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(
            amal.contains(&long_date(Lang::Ar, "2027-01-12")),
            "the reminder in Arabic: {amal}"
        );

        // Amal makes the action "only us": the coach's thread no longer
        // shows the question or the answer, nor counts them as unread.
        let r = f
            .amal
            .call(
                "/api/answer",
                &[
                    ("family", fam),
                    ("question", &question),
                    ("answer", "withdrawn"),
                ],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        let mut stream = Events::open(&f.coach, &f.server).await;
        let (name, _) = stream.next(Duration::from_secs(10)).await.expect("hello");
        assert_eq!(name, "hello");
        let r = f
            .amal
            .call(
                "/api/only-us",
                &[("family", fam), ("item", &action), ("on", "1")],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        // Sara's open page hears of it, to drop the notes at once.
        let (name, news) = stream
            .next(Duration::from_secs(10))
            .await
            .expect("news of only us");
        assert_eq!(
            (name.as_str(), &news["thread"]),
            ("message", &Value::from(thread.as_str()))
        );
        let home = f.coach.get("/messages").await;
        assert_eq!(unread(&home), 0, "nothing about a hidden action counts");
        // Nor does a number in the page or its data show a gap where the
        // hidden notes are: messages go by their random ids.
        let data = f.coach.call("/api/thread", &[("id", &thread)]).await;
        assert_eq!(data.status, 200, "{}", data.body);
        assert!(!data.body.contains("seq"), "{}", data.body);
        let page = f.coach.get(&format!("/messages/{thread}")).await.body;
        assert!(!page.contains("seq"), "{page}");
        assert!(!page.contains("id=\"m-1\""), "{page}");
        let ids: Vec<&str> = page
            .split("id=\"m-")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(!ids.is_empty(), "{page}");
        for id in ids {
            assert!(
                id.len() == 26 && !id.bytes().all(|b| b.is_ascii_digit()),
                "a random id, not a number: {id}"
            );
        }
        let sara = text(&f.coach.get(&format!("/messages/{thread}")).await);
        assert!(!sara.contains(&tr(Lang::NlBe, "help-letter")), "{sara}");
        assert!(!sara.contains(&said), "{sara}");
        assert!(
            sara.contains("12 januari 2027"),
            "the reminder stays: {sara}"
        );
        let amal = text(&f.amal.get(&format!("/messages/{thread}")).await);
        assert!(
            amal.contains(&ar("help-letter")),
            "the family sees all: {amal}"
        );
    }
}

fn photo_part(bytes: Vec<u8>) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes)
        .file_name("IMG_0001.jpg")
        .mime_str("image/jpeg")
        .unwrap()
}

/// Sends a photo with the thread's file form, as a browser does without
/// JavaScript; returns the new message's id.
async fn send_photo(who: &Person, thread: &str, bytes: Vec<u8>) -> String {
    let form = reqwest::multipart::Form::new()
        .text("thread", thread.to_string())
        .text("key", format!("photo-key-{}", bytes.len()))
        .part("photo", photo_part(bytes));
    let r = who
        .post_files("/api/post-photo", &format!("/messages/{thread}"), form)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/messages/{thread}#end").as_str())
    );
    let page = who.get(&format!("/messages/{thread}")).await.body;
    page.rsplit("src=\"/media/")
        .next()
        .and_then(|rest| rest.get(..26))
        .expect("the photo on the thread's page")
        .to_string()
}

/// A photo reaches the other side upright and without anything the phone
/// wrote into it (the bytes are checked); it is there only for the readers
/// of its thread, never kept by a browser or a proxy, and gone when its
/// writer deletes it. A file that is no photo, or too big, is refused in
/// the reader's language and writes nothing. A voice message of up to two
/// minutes keeps only its sound (written again as WebM) and is served the
/// same way; a longer one, or one that is not a recording, is refused.
#[tokio::test]
async fn a_photo_loses_its_metadata_and_stays_in_its_thread() {
    use onsplan_app::i18n::tr;
    use onsplan_app::lang::Lang;
    for store in stores() {
        let f = family(store).await;
        let thread = only_thread(&f.amal).await;
        let r = f.amal.call("/api/set-language", &[("lang", "ar")]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let upload = jpeg_with_exif(800, 600);
        assert!(upload.windows(15).any(|w| w == b"GPS-SECRET-MARK"));
        let id = send_photo(&f.amal, &thread, upload).await;

        // Sara, the coach, sees it on the thread and opens it.
        let page = f.coach.get(&format!("/messages/{thread}")).await.body;
        assert!(page.contains(&format!("src=\"/media/{id}\"")), "{page}");
        // The camera stored it lying down; it is stood up (EXIF 6).
        assert!(page.contains("width=\"600\" height=\"800\""), "{page}");
        let (status, headers, bytes) = f.coach.file(&format!("/media/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(headers["cache-control"], "private, no-store");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(!bytes.windows(15).any(|w| w == b"GPS-SECRET-MARK"));
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF left");
        assert!(
            !bytes.windows(2).any(|w| w == [0xFF, 0xE1]),
            "no APP1 segment"
        );
        let back = image::load_from_memory(&bytes).expect("a JPEG");
        assert_eq!((back.width(), back.height()), (600, 800));
        // The same key again is the same photo.
        let again = send_photo(&f.amal, &thread, jpeg_with_exif(800, 600)).await;
        assert_eq!(again, id);

        // Not a photo, nothing chosen, too big: refused in Arabic, nothing
        // written.
        let count = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM message_media")
                .fetch_one(f.server.state.db.pool())
                .await
                .unwrap()
        };
        let before = count().await;
        let big = {
            let mut b = jpeg_with_exif(64, 64);
            b.resize(15 * 1024 * 1024 + 10, 0);
            b
        };
        for (bytes, error) in [
            (
                b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
                "error-photo-kind",
            ),
            (Vec::new(), "error-photo-none"),
            (big, "error-photo-too-big"),
        ] {
            let form = reqwest::multipart::Form::new()
                .text("thread", thread.clone())
                .part("photo", photo_part(bytes));
            let r = f
                .amal
                .post_files("/api/post-photo", &format!("/messages/{thread}"), form)
                .await;
            assert_eq!(r.status, 303, "{error}: {}", r.body);
            let back = r.location.clone().unwrap();
            assert!(back.contains("__err="), "{back}");
            let shown = f.amal.get(&back).await.body;
            assert!(shown.contains(&tr(Lang::Ar, error)), "{error}");
        }
        assert_eq!(count().await, before);
        // Signed out, a photo is refused before it is read; a field that is
        // not the photo but large is refused too.
        let nobody = Person::new(&f.server);
        let form = reqwest::multipart::Form::new()
            .text("thread", thread.clone())
            .part("photo", photo_part(jpeg_with_exif(800, 600)));
        let r = nobody.send_files("/api/post-photo", form).await;
        assert_eq!(r.status, 401, "{}", r.body);
        let form = reqwest::multipart::Form::new()
            .text("thread", thread.clone())
            .text("filler", "k".repeat(4000))
            .part("photo", photo_part(jpeg_with_exif(80, 60)));
        let r = f
            .amal
            .post_files("/api/post-photo", &format!("/messages/{thread}"), form)
            .await;
        assert!(
            r.location.clone().unwrap_or_default().contains("__err="),
            "{:?}",
            r.location
        );
        assert_eq!(count().await, before);

        // Amal deletes it: gone for everyone.
        let r = f
            .amal
            .call(
                "/api/delete-message",
                &[("thread", &thread), ("message", &id)],
            )
            .await;
        assert!(r.status < 400, "{} {}", r.status, r.body);
        assert_eq!(f.coach.file(&format!("/media/{id}")).await.0, 404);
        assert_eq!(f.amal.file(&format!("/media/{id}")).await.0, 404);
        assert_eq!(count().await, before - 1);

        // A voice message: kept as recorded, played from the thread; more
        // than two minutes is refused.
        let send_voice = |bytes: Vec<u8>| {
            let form = reqwest::multipart::Form::new()
                .text("thread", thread.clone())
                .part(
                    "voice",
                    reqwest::multipart::Part::bytes(bytes)
                        .file_name("voice.ogg")
                        .mime_str("audio/ogg")
                        .unwrap(),
                );
            f.coach.send_files("/api/post-voice", form)
        };
        let r = send_voice(ogg(12)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let voice: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let voice = voice["id"].as_str().unwrap().to_string();
        let page = f.amal.get(&format!("/messages/{thread}")).await.body;
        assert!(
            page.contains(&format!(
                "<audio controls preload=\"none\" src=\"/media/{voice}\""
            )),
            "{page}"
        );
        assert!(page.contains(">0:12</span>"), "its length: {page}");
        let (status, headers, bytes) = f.amal.file(&format!("/media/{voice}")).await;
        // The sound, written again as a WebM of Onsplan's own: every
        // packet, the length said, nothing of the phone's tags.
        assert_eq!(
            (status, &headers["content-type"]),
            (200, &"audio/webm".parse().unwrap())
        );
        let sent = ogg(12);
        assert!(sent.windows(15).any(|w| w == b"OGG-SECRET-MARK"));
        assert!(!bytes.windows(15).any(|w| w == b"OGG-SECRET-MARK"));
        assert!(!bytes.windows(5).any(|w| w == b"phone"), "no vendor");
        let mut kept = matroska_demuxer::MatroskaFile::open(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(kept.info().duration(), Some(12_000.0));
        assert_eq!(kept.tracks().len(), 1);
        assert_eq!(kept.tracks()[0].codec_id(), "A_OPUS");
        let mut frame = matroska_demuxer::Frame::default();
        let mut frames = 0;
        while kept.next_frame(&mut frame).unwrap() {
            assert_eq!(frame.data[0], 0xF8);
            assert!(sent.windows(4).any(|w| w == frame.data.as_slice()));
            frames += 1;
        }
        assert_eq!(frames, 600);
        assert_eq!(headers["accept-ranges"], "bytes");
        // A player asks for a part (Safari does, before it plays).
        let part = f
            .amal
            .client
            .get(format!("{}/media/{voice}", f.amal.base))
            .header("range", "bytes=0-9")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), 206);
        assert_eq!(
            part.headers()["content-range"].to_str().unwrap(),
            format!("bytes 0-9/{}", bytes.len())
        );
        assert_eq!(part.bytes().await.unwrap().to_vec(), bytes[..10].to_vec());
        let refusal = |r: Page| {
            assert_eq!(r.status, 400, "{}", r.body);
            let error: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            error["BadInput"].as_str().unwrap_or_default().to_string()
        };
        assert_eq!(refusal(send_voice(ogg(150)).await), "error-voice-too-long");
        assert_eq!(
            refusal(send_voice(b"RIFF....WAVEfmt ".to_vec()).await),
            "error-voice-kind"
        );
        // Two streams in one Ogg file (a video beside the sound, say): not
        // a voice message.
        let mut two = ogg(2);
        let mut other = ogg(1);
        other[14] = 2;
        two.extend_from_slice(&other);
        assert_eq!(refusal(send_voice(two).await), "error-voice-kind");
    }
}

/// Two instances of Onsplan on one PostgreSQL, as behind a load balancer
/// (`onsplan serve` twice, real processes): a message posted through one
/// reaches a reader connected to the other, live (LISTEN/NOTIFY), who then
/// reads it there. On SQLite Onsplan is one process.
#[tokio::test]
async fn two_instances_on_one_postgresql_tell_each_others_readers() {
    use onsplan_tests::process::{data_dir, free_port, Instance, Setup};
    if !stores().iter().any(|s| matches!(s, Store::Postgres)) {
        return;
    }
    let f = family_on(TestServer::start_on_real_time(Store::Postgres).await).await;
    let thread = only_thread(&f.amal).await;
    let root = tempfile::tempdir().unwrap();
    let mut instances = Vec::new();
    for name in ["a", "b"] {
        let port = free_port();
        let setup = Setup {
            data_dir: data_dir(root.path(), name),
            database_url: f.server.db_url().to_string(),
            public_url: format!("http://127.0.0.1:{port}"),
        };
        instances.push(Instance::start(&setup, port).await.unwrap());
    }
    let (a, b) = (&instances[0], &instances[1]);
    // Sara's page listens on instance B.
    let mut events = Events::open_url(&f.coach, &b.url("/api/events")).await;
    let (name, _) = events.next(Duration::from_secs(10)).await.expect("hello");
    assert_eq!(name, "hello");
    // Amal writes through instance A.
    let r = f
        .amal
        .client
        .post(a.url("/api/post-message"))
        .header("origin", a.url(""))
        .form(&[("thread", thread.as_str()), ("body", "Geschreven via A")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let started = std::time::Instant::now();
    loop {
        let (name, data) = events
            .next(Duration::from_secs(10))
            .await
            .expect("the news reaches instance B");
        if name == "message" && data["thread"] == thread.as_str() {
            assert_eq!(data["unread"], 1, "{data}");
            break;
        }
    }
    let took = started.elapsed();
    // Sara reads it through B.
    let page = f
        .coach
        .client
        .get(b.url(&format!("/messages/{thread}")))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Geschreven via A"), "{page}");
    println!("from instance A to a reader on B: {took:?}");
}

/// A stream opened before the family said yes to talking hears the new
/// thread from its next sign-in check on (at most 30 s), without the page
/// being opened again. SQLite only: it waits for that check.
#[tokio::test]
async fn an_open_stream_hears_a_thread_that_begins_after_it_opened() {
    let f = family(Store::Sqlite).await;
    let mut volunteer = Events::open(&f.volunteer, &f.server).await;
    volunteer
        .next(Duration::from_secs(10))
        .await
        .expect("hello");
    let r = f
        .amal
        .post(
            "/api/talk",
            "/messages",
            &[("family", &f.world.family), ("yes", "1")],
        )
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    let talk = only_thread(&f.volunteer).await;
    // The check comes within 30 s; then Amal writes.
    tokio::time::sleep(Duration::from_secs(31)).await;
    say(&f.amal, &talk, "Komt u woensdag?").await;
    let (name, news) = volunteer
        .next(Duration::from_secs(10))
        .await
        .expect("news of the new thread");
    assert_eq!(
        (name.as_str(), news["thread"].as_str()),
        ("message", Some(talk.as_str()))
    );
}
