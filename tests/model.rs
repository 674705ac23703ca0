//! The reference model: random scenarios (families, plans, base mandates,
//! "only us", shares, mandate questions and answers, withdrawals, coach and
//! volunteer changes, time passing), run against the real store through the access layer, and for
//! every reader × item compared with an independent model of
//! docs/CONSENT-RULES.md. Any disagreement fails with the shrunk scenario.
//!
//! Cases: ONSPLAN_MODEL_CASES (default 10,000) on SQLite, and
//! ONSPLAN_MODEL_CASES_PG (default 400) on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use onsplan_app::domain::access::{Caller, FamilyAccess, StaffRole};
use onsplan_app::domain::accounts::{self, NewStaff};
use onsplan_app::domain::clock::{belgian_date, format_date, parse_date};
use onsplan_app::domain::consent::{self, Recipient, ShareScope};
use onsplan_app::domain::db::Db;
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::plan::{self, ActionInput, Basis, DOMAINS};
use onsplan_app::error::AppError;
use onsplan_app::lang::Lang;
use onsplan_tests::{fresh_db_fast, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const DAY: i64 = 86_400;

/// The cast, created once per store: staff in three organisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Coach1,
    Coach2,
    OtherOrgCoach,
    Volunteer1,
    Volunteer2,
    Partner1,
    Partner2,
}
const STAFF: [Who; 7] = [
    Who::Coach1,
    Who::Coach2,
    Who::OtherOrgCoach,
    Who::Volunteer1,
    Who::Volunteer2,
    Who::Partner1,
    Who::Partner2,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Org {
    Service,
    HomeStart,
    Ocmw,
    Other,
}

fn org_of(who: Who) -> Org {
    match who {
        Who::Coach1 | Who::Coach2 => Org::Service,
        Who::OtherOrgCoach => Org::Other,
        Who::Volunteer1 | Who::Volunteer2 => Org::HomeStart,
        Who::Partner1 | Who::Partner2 => Org::Ocmw,
    }
}

struct Cast {
    ids: BTreeMap<Who, String>,
    callers: BTreeMap<Who, Caller>,
    orgs: Vec<(Org, String)>,
}

impl Cast {
    fn org_id(&self, org: Org) -> &str {
        &self.orgs.iter().find(|(o, _)| *o == org).expect("org").1
    }
}

async fn make_cast(db: &Db) -> Cast {
    let mut orgs = Vec::new();
    for org in [Org::Service, Org::HomeStart, Org::Ocmw, Org::Other] {
        orgs.push((
            org,
            accounts::create_organisation(db, &format!("{org:?}"), 0)
                .await
                .unwrap(),
        ));
    }
    let mut ids = BTreeMap::new();
    let mut callers = BTreeMap::new();
    for who in STAFF {
        let role = match who {
            Who::Coach1 | Who::Coach2 | Who::OtherOrgCoach => StaffRole::Coach,
            Who::Volunteer1 | Who::Volunteer2 => StaffRole::Volunteer,
            _ => StaffRole::Partner,
        };
        let org_id = orgs
            .iter()
            .find(|(o, _)| *o == org_of(who))
            .unwrap()
            .1
            .clone();
        let id = accounts::create_staff(
            db,
            &NewStaff {
                org_id: &org_id,
                role,
                email: &format!("{who:?}-{}@example.org", onsplan_app::domain::ids::new_id()),
                display_name: &format!("{who:?}"),
                password: "model-test-password",
                lang: Lang::NlBe,
            },
            0,
        )
        .await
        .unwrap();
        callers.insert(who, Caller::staff(db, &id).await.unwrap());
        ids.insert(who, id);
    }
    Cast { ids, callers, orgs }
}

#[derive(Clone, Debug)]
enum ShareTo {
    Person(Who),
    OurVolunteer,
    Org(Org),
}

#[derive(Clone, Debug)]
enum Op {
    AcceptCoach,
    WithdrawCoach,
    AddGoal(usize),
    AddAction(usize),
    AddNote(usize, Option<usize>),
    OnlyUs(usize, bool),
    ShareItem(usize, ShareTo, i64),
    ShareDomain(usize, ShareTo, i64),
    WithdrawShare(usize),
    ReplaceCoach,
    SwapVolunteer,
    AdvanceDays(i64),
    /// The current coach asks a mandate question on an action, open for
    /// some days.
    Ask(usize, i64),
    /// The family answers a question (or withdraws a yes).
    Answer(usize, &'static str),
}

fn share_to() -> impl Strategy<Value = ShareTo> {
    prop_oneof![
        prop::sample::select(STAFF.to_vec()).prop_map(ShareTo::Person),
        Just(ShareTo::OurVolunteer),
        prop::sample::select(vec![Org::Service, Org::HomeStart, Org::Ocmw, Org::Other])
            .prop_map(ShareTo::Org),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let domain = 0..4usize; // a few domains, so domain shares meet items
    prop_oneof![
        3 => Just(Op::AcceptCoach),
        1 => Just(Op::WithdrawCoach),
        4 => domain.clone().prop_map(Op::AddGoal),
        4 => any::<usize>().prop_map(Op::AddAction),
        2 => (domain.clone(), proptest::option::of(any::<usize>())).prop_map(|(d, g)| Op::AddNote(d, g)),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(i, on)| Op::OnlyUs(i, on)),
        4 => (any::<usize>(), share_to(), 0..6i64).prop_map(|(i, t, d)| Op::ShareItem(i, t, d)),
        2 => (domain, share_to(), 0..6i64).prop_map(|(d, t, n)| Op::ShareDomain(d, t, n)),
        2 => any::<usize>().prop_map(Op::WithdrawShare),
        1 => Just(Op::ReplaceCoach),
        1 => Just(Op::SwapVolunteer),
        2 => (1..4i64).prop_map(Op::AdvanceDays),
        3 => (any::<usize>(), 0..8i64).prop_map(|(i, d)| Op::Ask(i, d)),
        3 => (any::<usize>(), prop::sample::select(vec!["for_me", "together", "myself", "withdrawn"]))
            .prop_map(|(m, a)| Op::Answer(m, a)),
    ]
}

// ---- the model: an independent reading of docs/CONSENT-RULES.md ----

#[derive(Clone, Debug)]
struct MItem {
    id: String,
    is_goal: bool,
    is_action: bool,
    goal: Option<String>,
    domain: String,
    only_us: bool,
}

#[derive(Clone, Debug)]
struct MShare {
    id: String,
    item: Option<String>,
    domain: Option<String>,
    to: ShareTo,
    until: String,
    withdrawn: bool,
}

#[derive(Clone, Debug)]
struct Model {
    coach: Who,
    volunteer: Who,
    /// (coach, withdrawn)
    mandates: Vec<(Who, bool)>,
    items: Vec<MItem>,
    shares: Vec<MShare>,
    questions: Vec<MQuestion>,
}

#[derive(Clone, Debug)]
struct MQuestion {
    id: String,
    action: String,
    asked_by: Who,
    until: String,
    /// The newest answer, if any.
    answer: Option<&'static str>,
}

#[derive(Debug, PartialEq, Eq)]
enum Seen {
    NotFound,
    Items(BTreeSet<(String, &'static str)>),
}

impl Model {
    fn coach_ok(&self, who: Who) -> bool {
        who == self.coach && self.mandates.iter().any(|(c, w)| *c == who && !w)
    }

    fn share_reaches(&self, s: &MShare, who: Who, today: &str) -> bool {
        !s.withdrawn
            && s.until.as_str() >= today
            && match &s.to {
                ShareTo::Person(p) => *p == who,
                ShareTo::OurVolunteer => self.volunteer == who,
                ShareTo::Org(o) => org_of(who) == *o,
            }
    }

    fn hidden(&self, item: &MItem) -> bool {
        item.only_us
            || item
                .goal
                .as_ref()
                .and_then(|g| self.items.iter().find(|i| &i.id == g))
                .is_some_and(|g| g.only_us)
    }

    fn seen_by(&self, who: Who, today: &str) -> Seen {
        let opens = self.coach_ok(who)
            || self
                .shares
                .iter()
                .any(|s| self.share_reaches(s, who, today));
        if !opens {
            return Seen::NotFound;
        }
        let mut seen = BTreeSet::new();
        for item in &self.items {
            if self.hidden(item) {
                continue;
            }
            if self.coach_ok(who) {
                seen.insert((item.id.clone(), "mandate"));
                continue;
            }
            let shared = self.shares.iter().any(|s| {
                self.share_reaches(s, who, today)
                    && (s.item.as_deref() == Some(item.id.as_str())
                        || (s.item.is_some() && s.item == item.goal)
                        || s.domain.as_deref() == Some(item.domain.as_str()))
            });
            if shared {
                seen.insert((item.id.clone(), "share"));
            }
        }
        Seen::Items(seen)
    }
}

fn add_days(today: &str, days: i64) -> String {
    format_date(parse_date(today).unwrap() + time::Duration::days(days))
}

fn recipient(cast: &Cast, to: &ShareTo) -> Recipient {
    match to {
        ShareTo::Person(p) => Recipient::Person(cast.ids[p].clone()),
        ShareTo::OurVolunteer => Recipient::OurVolunteer,
        ShareTo::Org(o) => Recipient::Organisation(cast.org_id(*o).to_string()),
    }
}

/// Runs one scenario on the store and compares every reader with the model.
async fn check(db: &Db, cast: &Cast, start: i64, ops: &[Op]) -> Result<(), String> {
    let mut now = start;
    let coach1 = cast.callers[&Who::Coach1].as_staff().unwrap().clone();
    let family = accounts::create_family(db, &coach1, "Gezin Model", now)
        .await
        .map_err(|e| format!("{e:?}"))?;
    accounts::assign(
        db,
        &family,
        Some(&cast.ids[&Who::Coach1]),
        Some(&cast.ids[&Who::Volunteer1]),
        now,
    )
    .await
    .unwrap();
    let member_id = accounts::add_member(db, &family, "Amira", Lang::Ar, now)
        .await
        .unwrap();
    let member = Caller::member(db, &member_id).await.unwrap();
    let other_family = accounts::create_family(db, &coach1, "Gezin Ander", now)
        .await
        .unwrap();
    let other_member = Caller::member(
        db,
        &accounts::add_member(db, &other_family, "Jan", Lang::NlBe, now)
            .await
            .unwrap(),
    )
    .await
    .unwrap();

    let mut model = Model {
        coach: Who::Coach1,
        volunteer: Who::Volunteer1,
        mandates: vec![],
        items: vec![],
        shares: vec![],
        questions: vec![],
    };
    for op in ops {
        let access = FamilyAccess::open(db, &member, &family, now).await.unwrap();
        let today = belgian_date(now);
        match op {
            Op::AcceptCoach => {
                consent::accept_coach(db, &access).await.unwrap();
                if !model.coach_ok(model.coach) {
                    model.mandates.push((model.coach, false));
                }
            }
            Op::WithdrawCoach => {
                consent::withdraw_coach(db, &access).await.unwrap();
                for m in &mut model.mandates {
                    m.1 = true;
                }
            }
            Op::AddGoal(d) => {
                let id = plan::add_goal(db, &access, DOMAINS[*d], "Een goal")
                    .await
                    .unwrap();
                model.items.push(MItem {
                    id,
                    is_action: false,
                    is_goal: true,
                    goal: None,
                    domain: DOMAINS[*d].into(),
                    only_us: false,
                });
            }
            Op::AddAction(g) => {
                let goal_ids: Vec<&MItem> = model.items.iter().filter(|i| i.is_goal).collect();
                if goal_ids.is_empty() {
                    continue;
                }
                let goal = goal_ids[g % goal_ids.len()].clone();
                let input = ActionInput {
                    body: "Bellen".into(),
                    who: "together".into(),
                    due: None,
                    status: "todo".into(),
                };
                let id = plan::add_action(db, &access, &goal.id, &input)
                    .await
                    .unwrap();
                model.items.push(MItem {
                    id,
                    is_action: true,
                    is_goal: false,
                    goal: Some(goal.id.clone()),
                    domain: goal.domain.clone(),
                    only_us: false,
                });
            }
            Op::AddNote(d, g) => {
                let goal_ids: Vec<&MItem> = model.items.iter().filter(|i| i.is_goal).collect();
                let goal = g.and_then(|g| {
                    (!goal_ids.is_empty()).then(|| goal_ids[g % goal_ids.len()].clone())
                });
                let id = plan::add_note(
                    db,
                    &access,
                    DOMAINS[*d],
                    goal.as_ref().map(|g| g.id.as_str()),
                    "Notitie",
                )
                .await
                .unwrap();
                let domain = goal
                    .as_ref()
                    .map_or(DOMAINS[*d].to_string(), |g| g.domain.clone());
                model.items.push(MItem {
                    id,
                    is_action: false,
                    is_goal: false,
                    goal: goal.map(|g| g.id),
                    domain,
                    only_us: false,
                });
            }
            Op::OnlyUs(i, on) => {
                if model.items.is_empty() {
                    continue;
                }
                let n = i % model.items.len();
                consent::set_only_us(db, &access, &model.items[n].id, *on)
                    .await
                    .unwrap();
                model.items[n].only_us = *on;
            }
            Op::ShareItem(i, to, days) => {
                if model.items.is_empty() {
                    continue;
                }
                let item = model.items[i % model.items.len()].id.clone();
                let until = add_days(&today, *days);
                let id = consent::share(
                    db,
                    &access,
                    &ShareScope::Item(item.clone()),
                    &recipient(cast, to),
                    "Model",
                    &until,
                )
                .await
                .unwrap();
                model.shares.push(MShare {
                    id,
                    item: Some(item),
                    domain: None,
                    to: to.clone(),
                    until,
                    withdrawn: false,
                });
            }
            Op::ShareDomain(d, to, days) => {
                let until = add_days(&today, *days);
                let id = consent::share(
                    db,
                    &access,
                    &ShareScope::Domain(DOMAINS[*d].into()),
                    &recipient(cast, to),
                    "Model",
                    &until,
                )
                .await
                .unwrap();
                model.shares.push(MShare {
                    id,
                    item: None,
                    domain: Some(DOMAINS[*d].into()),
                    to: to.clone(),
                    until,
                    withdrawn: false,
                });
            }
            Op::WithdrawShare(s) => {
                let live: Vec<usize> = (0..model.shares.len())
                    .filter(|&k| !model.shares[k].withdrawn)
                    .collect();
                if live.is_empty() {
                    continue;
                }
                let k = live[s % live.len()];
                consent::withdraw_share(db, &access, &model.shares[k].id)
                    .await
                    .unwrap();
                model.shares[k].withdrawn = true;
            }
            Op::ReplaceCoach => {
                model.coach = if model.coach == Who::Coach1 {
                    Who::Coach2
                } else {
                    Who::Coach1
                };
                // A coach who leaves loses their base mandate for good.
                for m in &mut model.mandates {
                    if m.0 != model.coach {
                        m.1 = true;
                    }
                }
                reassign(db, cast, &family, &model, now).await;
            }
            Op::SwapVolunteer => {
                model.volunteer = if model.volunteer == Who::Volunteer1 {
                    Who::Volunteer2
                } else {
                    Who::Volunteer1
                };
                reassign(db, cast, &family, &model, now).await;
            }
            Op::AdvanceDays(n) => now += n * DAY,
            Op::Ask(i, days) => {
                let actions: Vec<MItem> = model
                    .items
                    .iter()
                    .filter(|i| i.is_action)
                    .cloned()
                    .collect();
                if actions.is_empty() {
                    continue;
                }
                let action = &actions[i % actions.len()];
                let until = add_days(&today, *days);
                let input = MandateInput {
                    what: "Bellen".into(),
                    counterparty: "WoninGent".into(),
                    facts: "Naam".into(),
                    until: until.clone(),
                };
                let may = model.coach_ok(model.coach) && !model.hidden(action);
                let asked =
                    match FamilyAccess::open(db, &cast.callers[&model.coach], &family, now).await {
                        Ok(coach) => mandates::ask(db, &coach, &action.id, &input).await,
                        Err(e) => Err(e),
                    };
                match (asked, may) {
                    (Ok(id), true) => model.questions.push(MQuestion {
                        id,
                        action: action.id.clone(),
                        asked_by: model.coach,
                        until,
                        answer: None,
                    }),
                    (Err(AppError::NotFound), false) => {}
                    (got, _) => return Err(format!("ask: store {got:?}, model may={may}")),
                }
            }
            Op::Answer(m, answer) => {
                if model.questions.is_empty() {
                    continue;
                }
                let k = m % model.questions.len();
                let q = &model.questions[k];
                let ended = q.until.as_str() < today.as_str();
                let may = if *answer == "withdrawn" {
                    matches!(q.answer, Some("for_me" | "together"))
                } else {
                    !ended
                };
                let got = mandates::answer(db, &access, &q.id, answer).await;
                match (got, may) {
                    (Ok(()), true) => model.questions[k].answer = Some(answer),
                    (Err(AppError::Conflict(_)), false) => {}
                    (got, _) => {
                        return Err(format!("answer {answer}: store {got:?}, model may={may}"))
                    }
                }
            }
        }
    }

    // Mandate questions: the family sees all with their newest answer; the
    // coach who asked sees theirs while accepted and the action is not
    // hidden; nobody else sees any.
    let today = belgian_date(now);
    let access = FamilyAccess::open(db, &member, &family, now).await.unwrap();
    let family_sees: BTreeSet<(String, Option<String>)> = mandates::list(db, &access)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.answer))
        .collect();
    let all_questions: BTreeSet<(String, Option<String>)> = model
        .questions
        .iter()
        .map(|q| (q.id.clone(), q.answer.map(str::to_string)))
        .collect();
    if family_sees != all_questions {
        return Err(format!(
            "family questions: store {family_sees:?}, model {all_questions:?}"
        ));
    }
    for who in STAFF {
        let Ok(access) = FamilyAccess::open(db, &cast.callers[&who], &family, now).await else {
            continue;
        };
        let got: BTreeSet<String> = mandates::list(db, &access)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        let want: BTreeSet<String> = model
            .questions
            .iter()
            .filter(|q| {
                q.asked_by == who
                    && model.coach_ok(who)
                    && model
                        .items
                        .iter()
                        .find(|i| i.id == q.action)
                        .is_some_and(|i| !model.hidden(i))
            })
            .map(|q| q.id.clone())
            .collect();
        if got != want {
            return Err(format!(
                "{who:?} questions at {today}: store {got:?}, model {want:?}"
            ));
        }
    }

    let today = belgian_date(now);
    // The family sees everything it has.
    let access = FamilyAccess::open(db, &member, &family, now).await.unwrap();
    let all: BTreeSet<String> = plan::items(db, &access)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    let expected: BTreeSet<String> = model.items.iter().map(|i| i.id.clone()).collect();
    if all != expected {
        return Err(format!("family sees {all:?}, model {expected:?}"));
    }
    // A member of another family, and nobody signed in, open nothing.
    if FamilyAccess::open(db, &other_member, &family, now)
        .await
        .err()
        != Some(AppError::NotFound)
    {
        return Err("another family's member opened the family".into());
    }
    if FamilyAccess::open(db, &Caller::Anonymous, &family, now)
        .await
        .err()
        != Some(AppError::SignedOut)
    {
        return Err("anonymous opened the family".into());
    }
    for who in STAFF {
        let want = model.seen_by(who, &today);
        let got = match FamilyAccess::open(db, &cast.callers[&who], &family, now).await {
            Err(AppError::NotFound) => Seen::NotFound,
            Err(e) => return Err(format!("{who:?}: {e:?}")),
            Ok(access) => {
                let items = plan::items(db, &access)
                    .await
                    .map_err(|e| format!("{e:?}"))?;
                Seen::Items(
                    items
                        .into_iter()
                        .map(|i| {
                            let basis = match i.basis {
                                Basis::BaseMandate(_) => "mandate",
                                Basis::Share(_) => "share",
                                Basis::Family => "family",
                            };
                            (i.id, basis)
                        })
                        .collect(),
                )
            }
        };
        if got != want {
            return Err(format!("{who:?} at {today}: store {got:?}, model {want:?}"));
        }
    }
    Ok(())
}

/// Writes the model's coach and volunteer to the family (operator work).
async fn reassign(db: &Db, cast: &Cast, family: &str, model: &Model, now: i64) {
    accounts::assign(
        db,
        family,
        Some(&cast.ids[&model.coach]),
        Some(&cast.ids[&model.volunteer]),
        now,
    )
    .await
    .unwrap();
}

fn run(store: Store, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let test_db = rt.block_on(fresh_db_fast(store));
    let db = test_db.db.clone();
    let cast = rt.block_on(make_cast(&db));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let start = 1_795_000_000;
    runner
        .run(&prop::collection::vec(op(), 1..24), |ops| {
            rt.block_on(check(&db, &cast, start, &ops))
                .map_err(TestCaseError::fail)
        })
        .unwrap();
    // Each case made a family: prove the cases really ran against the store.
    let families: i64 = rt
        .block_on(
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM families").fetch_one(db.pool()),
        )
        .unwrap();
    assert!(
        families >= 2 * cases as i64,
        "{families} families for {cases} cases"
    );
    println!("reference model on {store:?}: {cases} cases, 0 disagreements");
}

fn cases(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn access_layer_agrees_with_the_model_on_sqlite() {
    run(Store::Sqlite, cases("ONSPLAN_MODEL_CASES", 10_000));
}

#[test]
fn access_layer_agrees_with_the_model_on_postgres() {
    if onsplan_tests::stores().contains(&Store::Postgres) {
        run(Store::Postgres, cases("ONSPLAN_MODEL_CASES_PG", 400));
    }
}

#[test]
fn the_model_itself_hides_only_us_from_the_coach() {
    // A sanity check that the model can say "no": a hidden goal hides its action.
    let model = Model {
        coach: Who::Coach1,
        volunteer: Who::Volunteer1,
        mandates: vec![(Who::Coach1, false)],
        items: vec![
            MItem {
                id: "g".into(),
                is_action: false,
                is_goal: true,
                goal: None,
                domain: "housing".into(),
                only_us: true,
            },
            MItem {
                id: "a".into(),
                is_action: true,
                is_goal: false,
                goal: Some("g".into()),
                domain: "housing".into(),
                only_us: false,
            },
        ],
        shares: vec![],
        questions: vec![],
    };
    assert_eq!(
        model.seen_by(Who::Coach1, "2026-11-19"),
        Seen::Items(BTreeSet::new())
    );
    assert_eq!(model.seen_by(Who::Volunteer1, "2026-11-19"), Seen::NotFound);
}
