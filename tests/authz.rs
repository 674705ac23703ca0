//! Authorization, end to end: every registered server function × every kind
//! of caller gets the expected answer over real HTTP, and no response body
//! ever holds an item its caller has no consent for. The list of server
//! functions comes from the running code: a new one without a row here
//! fails this test. Also: revocation counts on the very next request, and
//! bad input on every server function is a 4xx that writes nothing.

use std::collections::BTreeMap;

use onsplan_app::domain::access::{Caller, FamilyAccess, StaffRole};
use onsplan_app::domain::accounts;
use onsplan_app::domain::consent::{self, Recipient, ShareScope};
use onsplan_app::domain::invites;
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::plan::{self, ActionInput};
use onsplan_app::domain::AppState;
use onsplan_tests::world::{staff, Person};
use onsplan_tests::{stores, TestServer};

/// Texts that mark each consent class of family A's items (and family B's).
const PLAN: &str = "PLAN-MARK-gewoon";
const HIDDEN: &str = "HIDDEN-MARK-alleen-ons";
const VOLUNTEER: &str = "VOLUNTEER-MARK-gedeeld";
const PARTNER: &str = "PARTNER-MARK-gedeeld";
const OTHER: &str = "OTHER-MARK-ander-gezin";
const MARKS: [&str; 5] = [PLAN, HIDDEN, VOLUNTEER, PARTNER, OTHER];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    OtherMember,
    CoachWithout,
    Colleague,
    Stranger,
    VolunteerWithout,
    PartnerWithout,
    Volunteer,
    Partner,
    Coach,
    Member,
}

const EVERYONE: [Who; 11] = [
    Who::Anonymous,
    Who::OtherMember,
    Who::CoachWithout,
    Who::Colleague,
    Who::Stranger,
    Who::VolunteerWithout,
    Who::PartnerWithout,
    Who::Volunteer,
    Who::Partner,
    Who::Coach,
    Who::Member,
];

impl Who {
    /// The marks this caller may ever receive.
    fn may_see(self) -> &'static [&'static str] {
        match self {
            Who::Member => &[PLAN, HIDDEN, VOLUNTEER, PARTNER],
            Who::OtherMember => &[OTHER],
            Who::Coach => &[PLAN, VOLUNTEER, PARTNER],
            Who::Volunteer => &[VOLUNTEER],
            Who::Partner => &[PARTNER],
            _ => &[],
        }
    }
}

struct Ids {
    family: String,
    goal: String,
    action: String,
    hidden: String,
    mandate: String,
    withdrawable_share: String,
    /// Someone the coach invited, waiting for the family's yes.
    newcomer: String,
}

/// A member joins `family` over HTTP (invite made by `coach`).
async fn member(server: &TestServer, coach: &str, family: &str, name: &str) -> Person {
    let state = &server.state;
    let caller = Caller::staff(&state.db, coach).await.unwrap();
    let invite = invites::create(&state.db, &state.secret, &caller, family, state.clock.now())
        .await
        .unwrap();
    let phone = Person::new(server);
    let r = phone
        .post(
            "/api/join",
            "/join",
            &[("code", &invite.code), ("lang", "nl-BE"), ("name", name)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/plan"), "{}", r.body);
    phone
}

async fn member_access(state: &AppState, family: &str) -> FamilyAccess {
    let id: String = sqlx::query_scalar("SELECT id FROM members WHERE family_id = $1 LIMIT 1")
        .bind(family)
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    let caller = Caller::member(&state.db, &id).await.unwrap();
    FamilyAccess::open(&state.db, &caller, family, state.clock.now())
        .await
        .unwrap()
}

async fn world(server: &TestServer) -> (BTreeMap<Who, Person>, Ids) {
    let state = &server.state;
    let db = &state.db;
    let now = state.clock.now();
    let org = accounts::create_organisation(db, "Huis van het Kind", now)
        .await
        .unwrap();
    let ocmw = accounts::create_organisation(db, "OCMW", now)
        .await
        .unwrap();
    let third = accounts::create_organisation(db, "CAW", now).await.unwrap();
    let coach = staff(state, &org, StaffRole::Coach, "Sara").await;
    let coach_without = staff(state, &org, StaffRole::Coach, "Lies").await;
    let colleague = staff(state, &org, StaffRole::Coach, "Koen").await;
    let stranger = staff(state, &third, StaffRole::Coach, "Els").await;
    let volunteer = staff(state, &org, StaffRole::Volunteer, "Marleen").await;
    let volunteer_without = staff(state, &org, StaffRole::Volunteer, "Rita").await;
    let partner = staff(state, &ocmw, StaffRole::Partner, "Pieter").await;
    let partner_without = staff(state, &ocmw, StaffRole::Partner, "Jan").await;

    let new_family = |coach_id: String, name: &'static str| async move {
        let c = Caller::staff(db, &coach_id).await.unwrap();
        accounts::create_family(db, c.as_staff().unwrap(), name, now)
            .await
            .unwrap()
    };
    let a = new_family(coach.id.clone(), "Gezin A").await;
    accounts::assign(db, &a, Some(&coach.id), Some(&volunteer.id), now)
        .await
        .unwrap();
    let b = new_family(colleague.id.clone(), "Gezin B").await;
    let c = new_family(coach_without.id.clone(), "Gezin C").await;

    let mut people = BTreeMap::new();
    people.insert(Who::Member, member(server, &coach.id, &a, "Amal").await);
    people.insert(
        Who::OtherMember,
        member(server, &colleague.id, &b, "Bart").await,
    );
    let _c_member = member(server, &coach_without.id, &c, "Chris").await;
    // Family C stops working with its coach: "own coach without base mandate".
    consent::withdraw_coach(db, &member_access(state, &c).await)
        .await
        .unwrap();

    let fam = member_access(state, &a).await;
    let goal = plan::add_goal(db, &fam, "housing", PLAN).await.unwrap();
    let input = |body: &str| ActionInput {
        body: body.into(),
        who: "coach".into(),
        due: None,
        status: "todo".into(),
    };
    let action = plan::add_action(db, &fam, &goal, &input(&format!("{PLAN} stap")))
        .await
        .unwrap();
    let hidden = plan::add_note(db, &fam, "health", None, HIDDEN)
        .await
        .unwrap();
    consent::set_only_us(db, &fam, &hidden, true).await.unwrap();
    let vol_goal = plan::add_goal(db, &fam, "school", VOLUNTEER).await.unwrap();
    let partner_item = plan::add_goal(db, &fam, "money", PARTNER).await.unwrap();
    consent::share(
        db,
        &fam,
        &ShareScope::Item(vol_goal),
        &Recipient::OurVolunteer,
        "huiswerk",
        "2027-06-30",
    )
    .await
    .unwrap();
    consent::share(
        db,
        &fam,
        &ShareScope::Item(partner_item.clone()),
        &Recipient::Person(partner.id.clone()),
        "budget",
        "2027-06-30",
    )
    .await
    .unwrap();
    let withdrawable_share = consent::share(
        db,
        &fam,
        &ShareScope::Item(partner_item),
        &Recipient::Person(partner.id.clone()),
        "tweede",
        "2027-06-30",
    )
    .await
    .unwrap();
    let other = member_access(state, &b).await;
    plan::add_goal(db, &other, "work", OTHER).await.unwrap();
    let coach_access =
        FamilyAccess::open(db, &Caller::staff(db, &coach.id).await.unwrap(), &a, now)
            .await
            .unwrap();
    let mandate = mandates::ask(
        db,
        &coach_access,
        &action,
        &MandateInput {
            what: "bellen".into(),
            counterparty: "WoninGent".into(),
            facts: "naam".into(),
            until: "2027-01-31".into(),
        },
    )
    .await
    .unwrap();

    // Someone the coach invited after Amal joined waits for the family.
    let coach_caller = Caller::staff(db, &coach.id).await.unwrap();
    let invite = invites::create(db, &state.secret, &coach_caller, &a, now)
        .await
        .unwrap();
    let newcomer = invites::redeem(
        db,
        &state.secret,
        &Caller::Anonymous,
        &invite.code,
        "Nieuwkomer",
        onsplan_app::lang::Lang::NlBe,
        now,
    )
    .await
    .unwrap();
    let newcomer = newcomer.as_member().unwrap().member_id().to_string();

    for (who, account) in [
        (Who::Coach, &coach),
        (Who::CoachWithout, &coach_without),
        (Who::Colleague, &colleague),
        (Who::Stranger, &stranger),
        (Who::Volunteer, &volunteer),
        (Who::VolunteerWithout, &volunteer_without),
        (Who::Partner, &partner),
        (Who::PartnerWithout, &partner_without),
    ] {
        let p = Person::new(server);
        p.sign_in(&account.email).await;
        people.insert(who, p);
    }
    people.insert(Who::Anonymous, Person::new(server));
    (
        people,
        Ids {
            family: a,
            goal,
            action,
            hidden,
            mandate,
            withdrawable_share,
            newcomer,
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 2xx.
    Ok,
    /// 401 for anonymous, 404 for everyone else.
    Denied,
    /// 400: the input itself is refused (same for everyone).
    Bad,
    /// 409: refused for who the caller is (a staff account never joins).
    Conflict,
}

/// The row of one server function: its fields, and who may call it.
/// The fields to send, and the expected answer for each caller.
type Row = (Vec<(&'static str, String)>, fn(Who) -> Expect);

fn row(path: &str, ids: &Ids) -> Option<Row> {
    use Expect::*;
    let f = |k: &'static str, v: &str| (k, v.to_string());
    let fam = || f("family", &ids.family);
    fn member_only(w: Who) -> Expect {
        if w == Who::Member {
            Ok
        } else {
            Denied
        }
    }
    fn writers(w: Who) -> Expect {
        if matches!(w, Who::Member | Who::Coach) {
            Ok
        } else {
            Denied
        }
    }
    fn any_member(w: Who) -> Expect {
        if matches!(w, Who::Member | Who::OtherMember) {
            Ok
        } else {
            Denied
        }
    }
    fn coach_only(w: Who) -> Expect {
        if w == Who::Coach {
            Ok
        } else {
            Denied
        }
    }
    fn staff_in_a(w: Who) -> Expect {
        if matches!(w, Who::Coach | Who::Volunteer | Who::Partner) {
            Ok
        } else {
            Denied
        }
    }
    fn any_staff(w: Who) -> Expect {
        match w {
            Who::Anonymous | Who::Member | Who::OtherMember => Denied,
            _ => Ok,
        }
    }
    fn coaches(w: Who) -> Expect {
        if matches!(
            w,
            Who::Coach | Who::CoachWithout | Who::Colleague | Who::Stranger
        ) {
            Ok
        } else {
            Denied
        }
    }
    fn signed_in(w: Who) -> Expect {
        if w == Who::Anonymous {
            Denied
        } else {
            Ok
        }
    }
    fn everyone_ok(_: Who) -> Expect {
        Ok
    }
    fn everyone_bad(_: Who) -> Expect {
        Bad
    }
    fn staff_never_join(w: Who) -> Expect {
        match w {
            Who::Anonymous | Who::Member | Who::OtherMember => Bad,
            _ => Expect::Conflict,
        }
    }
    let name = path.trim_start_matches("/api/");
    Some(match name {
        "our-plan" | "who-looked" => (vec![], any_member as fn(Who) -> Expect),
        "accept-coach" => (vec![], any_member),
        "question" => (vec![f("id", &ids.mandate)], member_only),
        "sharing" => (vec![f("item", &ids.action)], member_only),
        "share-preview" => (
            vec![f("item", &ids.action), f("to", "volunteer")],
            member_only,
        ),
        "add-goal" => (
            vec![fam(), f("domain", "work"), f("body", "nieuw doel")],
            writers,
        ),
        "add-action" => (
            vec![
                fam(),
                f("goal", &ids.goal),
                f("body", "nieuwe stap"),
                f("who", "member"),
            ],
            writers,
        ),
        "add-note" => (
            vec![fam(), f("domain", "work"), f("body", "notitie")],
            writers,
        ),
        "set-status" => (
            vec![fam(), f("action", &ids.action), f("status", "doing")],
            writers,
        ),
        "set-header" => (
            vec![
                fam(),
                f("intensity", "low"),
                f("end_criteria", ""),
                f("status", "active"),
            ],
            writers,
        ),
        "only-us" => (
            vec![fam(), f("item", &ids.hidden), f("on", "1")],
            member_only,
        ),
        "share" => (
            vec![
                fam(),
                f("item", &ids.goal),
                f("to", "volunteer"),
                f("purpose", "p"),
                f("until", "2027-01-01"),
            ],
            member_only,
        ),
        "withdraw-share" => (
            vec![fam(), f("share", &ids.withdrawable_share)],
            member_only,
        ),
        "answer" => (
            vec![fam(), f("question", &ids.mandate), f("answer", "together")],
            member_only,
        ),
        "family" => (vec![f("id", &ids.family)], staff_in_a),
        "invite" => (vec![fam()], writers),
        "ask-view" => (vec![fam(), f("action", &ids.action)], coach_only),
        "confirm-member" => (vec![f("member", &ids.newcomer), f("yes", "1")], member_only),
        "ask" => (
            vec![
                fam(),
                f("action", &ids.action),
                f("what", "w"),
                f("counterparty", "c"),
                f("facts", "f"),
                f("until", "2027-01-01"),
            ],
            coach_only,
        ),
        "my-families" => (vec![], any_staff),
        "new-family" => (vec![f("name", "Gezin Nieuw")], coaches),
        "set-language" => (vec![f("lang", "nl-BE")], signed_in),
        "sign-in" => (
            vec![
                f("email", "nobody@x.example"),
                f("password", "wrong password"),
            ],
            everyone_bad,
        ),
        "invite-info" => (vec![f("code", "ZZZ-ZZZ-ZZZ")], staff_never_join),
        "join" => (
            vec![f("code", "ZZZ-ZZZ-ZZZ"), f("lang", "nl-BE"), f("name", "X")],
            staff_never_join,
        ),
        // Last: these end or change what the others can do.
        "withdraw-coach" => (vec![], any_member),
        "sign-out" => (vec![], everyone_ok),
        _ => return None,
    })
}

/// The order the functions run in: state-ending ones last.
fn order(path: &str) -> u8 {
    match path.trim_start_matches("/api/") {
        "withdraw-coach" => 1,
        "sign-out" => 2,
        _ => 0,
    }
}

#[tokio::test]
async fn every_server_function_for_every_kind_of_caller() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let (people, ids) = world(&server).await;
        let mut paths: Vec<String> = server_fn::axum::server_fn_paths()
            .map(|(p, _)| p.to_string())
            .collect();
        paths.sort_by_key(|p| (order(p), p.clone()));
        paths.dedup();
        let missing: Vec<_> = paths.iter().filter(|p| row(p, &ids).is_none()).collect();
        assert!(
            missing.is_empty(),
            "server functions without an authorization row: {missing:?}"
        );
        assert!(paths.len() >= 25, "found {} server functions", paths.len());
        let mut checked = 0;
        for path in &paths {
            let (fields, expect) = row(path, &ids).unwrap();
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // Callers expected to be refused go first, so that a wrongly
            // allowed call cannot hide behind a change made by a right one.
            let mut callers = EVERYONE.to_vec();
            callers.sort_by_key(|w| expect(*w) == Expect::Ok);
            for who in callers {
                let page = people[&who].call(path, &fields).await;
                let want = expect(who);
                let ok = match want {
                    Expect::Ok => (200..300).contains(&page.status),
                    Expect::Bad => page.status == 400,
                    Expect::Conflict => page.status == 409,
                    Expect::Denied if who == Who::Anonymous => page.status == 401,
                    Expect::Denied => page.status == 404,
                };
                assert!(
                    ok,
                    "{store:?} {path} as {who:?}: want {want:?}, got {} {}",
                    page.status, page.body
                );
                for mark in MARKS {
                    assert!(
                        !page.body.contains(mark) || who.may_see().contains(&mark),
                        "{store:?} {path} as {who:?} leaked {mark}: {}",
                        page.body
                    );
                }
                checked += 1;
            }
        }
        assert_eq!(checked, paths.len() * EVERYONE.len());
    }
}

/// Row counts of every table and the content of the plan and its consents:
/// if a refused request changed anything, this changes.
async fn snapshot(state: &AppState) -> String {
    let mut out = String::new();
    for table in [
        "organisations",
        "staff",
        "families",
        "plans",
        "members",
        "invites",
        "sessions",
        "base_mandates",
        "plan_items",
        "shares",
        "mandates",
        "mandate_answers",
        "access_log",
        "coach_visits",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(state.db.pool())
            .await
            .unwrap();
        out.push_str(&format!("{table}={n};"));
    }
    let items: Vec<(String, String, i64, Option<String>)> =
        sqlx::query_as("SELECT id, body, only_us, status FROM plan_items ORDER BY id")
            .fetch_all(state.db.pool())
            .await
            .unwrap();
    let shares: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, withdrawn_at FROM shares ORDER BY id")
            .fetch_all(state.db.pool())
            .await
            .unwrap();
    let plans: Vec<(String, String, String)> =
        sqlx::query_as("SELECT family_id, intensity, status FROM plans ORDER BY family_id")
            .fetch_all(state.db.pool())
            .await
            .unwrap();
    let langs: Vec<(String, String)> =
        sqlx::query_as("SELECT id, language FROM members ORDER BY id")
            .fetch_all(state.db.pool())
            .await
            .unwrap();
    out.push_str(&format!("{items:?}{shares:?}{plans:?}{langs:?}"));
    out
}

/// Bad input on every server function that takes input, sent by the
/// callers who could use it: missing fields, oversize fields, wrong kinds of
/// values, unknown and other families' ids. Always a 4xx, nothing written,
/// and the server still answers.
#[tokio::test]
async fn bad_input_on_every_server_function_is_a_4xx_and_writes_nothing() {
    let store = stores()[0];
    let server = TestServer::start(store).await;
    let (people, ids) = world(&server).await;
    let other_family: String =
        sqlx::query_scalar("SELECT id FROM families WHERE display_name = 'Gezin B'")
            .fetch_one(server.state.db.pool())
            .await
            .unwrap();
    let huge = "x".repeat(100_000);
    let mut paths: Vec<String> = server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    paths.sort();
    paths.dedup();
    let mut cases = 0;
    for path in &paths {
        let (fields, expect) = row(path, &ids).unwrap();
        if fields.is_empty() {
            continue; // nothing to get wrong
        }
        let who = [Who::Member, Who::Coach, Who::Volunteer, Who::Anonymous]
            .into_iter()
            .find(|w| expect(*w) == Expect::Ok)
            .unwrap_or(Who::Anonymous);
        let mut variants: Vec<Vec<(String, String)>> = vec![vec![]];
        for i in 0..fields.len() {
            for bad in [
                huge.as_str(),
                "",
                "\u{0}",
                "2027-13-45",
                &other_family,
                "aaaaaaaaaaaaaaaaaaaaaaaaaa",
                "x' OR '1'='1",
            ] {
                let mut v: Vec<(String, String)> = fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                v[i].1 = bad.to_string();
                variants.push(v);
            }
            // The field missing altogether.
            let mut v: Vec<(String, String)> = fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            v.remove(i);
            variants.push(v);
        }
        for v in variants {
            let before = snapshot(&server.state).await;
            let form: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let page = people[&who].call(path, &form).await;
            let after = snapshot(&server.state).await;
            if (200..300).contains(&page.status) {
                // Some variants are still valid input (an empty optional
                // field, a text that happens to be fine). Those may write.
                continue;
            }
            assert!(
                (400..500).contains(&page.status),
                "{path} as {who:?} with {:?}: status {} {}",
                v.iter()
                    .map(|(k, v)| (k, v.chars().take(30).collect::<String>()))
                    .collect::<Vec<_>>(),
                page.status,
                page.body.chars().take(300).collect::<String>()
            );
            assert_eq!(before, after, "{path} with bad input changed the store");
            cases += 1;
        }
        // A body that is not a form at all.
        let r = people[&who]
            .client
            .post(server.url(path))
            .header("origin", server.url(""))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![0xff, 0xfe, b'=', b'&', b'%', b'z'])
            .send()
            .await
            .unwrap();
        assert!(
            (400..500).contains(&r.status().as_u16()),
            "{path}: {}",
            r.status()
        );
    }
    assert!(cases > 150, "only {cases} refused cases");
    // An oversize body is refused before it is read.
    let before = snapshot(&server.state).await;
    let big = "x".repeat(2 * 1024 * 1024);
    let r = people[&Who::Member]
        .call(
            "/api/add-note",
            &[("family", &ids.family), ("domain", "work"), ("body", &big)],
        )
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(before, snapshot(&server.state).await);
    let alive = onsplan_tests::client()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), 200);
}

/// After a withdrawal, the very next request is denied.
#[tokio::test]
async fn revocation_counts_on_the_very_next_request() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let (people, ids) = world(&server).await;
        let fam = ids.family.as_str();
        let id_field = [("id", fam)];
        let family = |who: Who| people[&who].call("/api/family", &id_field);
        // The partner sees the shared goal; withdraw both shares to them.
        let before = family(Who::Partner).await;
        assert_eq!(before.status, 200);
        assert!(before.body.contains(PARTNER));
        let sharing = people[&Who::Member].call("/api/our-plan", &[]).await;
        assert_eq!(sharing.status, 200);
        let shares: Vec<String> = sqlx::query_scalar(
            "SELECT s.id FROM shares s JOIN staff p ON p.id = s.recipient_staff_id WHERE p.display_name = 'Pieter'",
        )
        .fetch_all(server.state.db.pool())
        .await
        .unwrap();
        assert_eq!(shares.len(), 2);
        for s in &shares {
            let r = people[&Who::Member]
                .call("/api/withdraw-share", &[("family", fam), ("share", s)])
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let after = family(Who::Partner).await;
        assert_eq!(after.status, 404);
        assert!(!after.body.contains(PARTNER));

        // "Only us" on the plan goal: the coach's next read lacks it and its step.
        let r = people[&Who::Member]
            .call(
                "/api/only-us",
                &[("family", fam), ("item", &ids.goal), ("on", "1")],
            )
            .await;
        assert_eq!(r.status, 200);
        let coach = family(Who::Coach).await;
        assert_eq!(coach.status, 200);
        assert!(!coach.body.contains(PLAN));

        // Withdrawing a "together": the coach sees it withdrawn at once.
        let r = people[&Who::Member]
            .call(
                "/api/only-us",
                &[("family", fam), ("item", &ids.goal), ("on", "0")],
            )
            .await;
        assert_eq!(r.status, 200);
        let r = people[&Who::Member]
            .call(
                "/api/answer",
                &[
                    ("family", fam),
                    ("question", &ids.mandate),
                    ("answer", "together"),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        let r = people[&Who::Member]
            .call(
                "/api/answer",
                &[
                    ("family", fam),
                    ("question", &ids.mandate),
                    ("answer", "withdrawn"),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        let coach = family(Who::Coach).await;
        assert!(
            coach.body.contains("\"answer\":\"withdrawn\""),
            "{}",
            coach.body
        );

        // The base mandate: the coach's very next request is a 404.
        let r = people[&Who::Member].call("/api/withdraw-coach", &[]).await;
        assert_eq!(r.status, 200);
        let gone = family(Who::Coach).await;
        assert_eq!(gone.status, 404);
        assert!(!gone.body.contains(PLAN));
        let ask = people[&Who::Coach]
            .call(
                "/api/add-goal",
                &[("family", fam), ("domain", "work"), ("body", "x")],
            )
            .await;
        assert_eq!(ask.status, 404);
    }
}
