//! The reference model: random scenarios run against the real store through
//! the access layer, and compared with an independent model of
//! docs/CONSENT-RULES.md. Any disagreement fails with the shrunk scenario.
//!
//! A scenario has a family with several members (the first may join by the
//! coach's invite, later ones by a member's or the coach's invite, and the
//! coach tries to join), a plan written by the family and by its coach,
//! base mandates, "only us", item and domain shares (also with end days in
//! the past), mandate questions and answers, coaches and volunteers
//! reassigned (a coach of another organisation, the coach who is also the
//! volunteer), staff moving to another organisation or removed, and time
//! passing from instants around Belgian midnight and both summer-time
//! changes.
//!
//! Compared for every staff reader: whether the family opens, each item and
//! the consent it is seen under, the mandate questions, the plan header,
//! the hidden count, the coach's overview card, and the access-log entry of
//! the read. For the family: its items and questions, "Who can see this?"
//! for every item and domain, the share preview for several recipients,
//! and every access-log entry (who, what, about which subject).
//!
//! Cases: ONSPLAN_MODEL_CASES (default 2,000) on SQLite, and
//! ONSPLAN_MODEL_CASES_PG (default 250) on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use onsplan_app::domain::access::{self, Caller, FamilyAccess, StaffRole};
use onsplan_app::domain::accounts::{self, NewStaff};
use onsplan_app::domain::clock::{belgian_date, format_date, parse_date};
use onsplan_app::domain::consent::{self, Recipient, ShareScope};
use onsplan_app::domain::db::Db;
use onsplan_app::domain::invites;
use onsplan_app::domain::log;
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::members;
use onsplan_app::domain::messages;
use onsplan_app::domain::overview;
use onsplan_app::domain::plan::{self, ActionInput, Basis, DOMAINS};
use onsplan_app::domain::secret::SecretKey;
use onsplan_app::error::AppError;
use onsplan_app::lang::Lang;
use onsplan_tests::{fresh_db_fast, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use time::{Date, Month, OffsetDateTime, Weekday};

const DAY: i64 = 86_400;

/// The cast of one scenario: staff in four organisations.
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
    /// The family's own service (its coaches).
    Service,
    HomeStart,
    Ocmw,
    Other,
}
const ORGS: [Org; 4] = [Org::Service, Org::HomeStart, Org::Ocmw, Org::Other];

fn first_org(who: Who) -> Org {
    match who {
        Who::Coach1 | Who::Coach2 => Org::Service,
        Who::OtherOrgCoach => Org::Other,
        Who::Volunteer1 | Who::Volunteer2 => Org::HomeStart,
        Who::Partner1 | Who::Partner2 => Org::Ocmw,
    }
}

fn role_of(who: Who) -> StaffRole {
    match who {
        Who::Coach1 | Who::Coach2 | Who::OtherOrgCoach => StaffRole::Coach,
        Who::Volunteer1 | Who::Volunteer2 => StaffRole::Volunteer,
        Who::Partner1 | Who::Partner2 => StaffRole::Partner,
    }
}

/// The organisations, made once per store.
struct Orgs(Vec<(Org, String)>);

impl Orgs {
    fn id(&self, org: Org) -> &str {
        &self.0.iter().find(|(o, _)| *o == org).expect("org").1
    }
}

/// Staff accounts are made per scenario (they move and are removed), the
/// operator's way: without a password, so no hashing.
async fn make_cast(db: &Db, orgs: &Orgs, now: i64) -> BTreeMap<Who, String> {
    let mut ids = BTreeMap::new();
    for who in STAFF {
        let email = format!("{who:?}-{}@example.org", onsplan_app::domain::ids::new_id());
        let id = accounts::create_staff_account(
            db,
            &NewStaff {
                org_id: orgs.id(first_org(who)),
                role: role_of(who),
                email: &email,
                display_name: &format!("{who:?}"),
                lang: Lang::NlBe,
            },
            now,
        )
        .await
        .unwrap();
        ids.insert(who, id);
    }
    ids
}

#[derive(Clone, Debug)]
enum ShareTo {
    Person(Who),
    OurVolunteer,
    Org(Org),
}

/// The coach slot: nobody, the family's two coaches, or a coach of another
/// organisation (refused unless they moved into the family's service).
const COACH_CHOICES: [Option<Who>; 4] = [
    None,
    Some(Who::Coach1),
    Some(Who::Coach2),
    Some(Who::OtherOrgCoach),
];
/// The volunteer slot: nobody, a Home-Start volunteer, the coach who is
/// also the family's volunteer, or a partner worker.
const VOLUNTEER_CHOICES: [Option<Who>; 5] = [
    None,
    Some(Who::Volunteer1),
    Some(Who::Volunteer2),
    Some(Who::Coach1),
    Some(Who::Partner1),
];

#[derive(Clone, Debug)]
enum Op {
    AcceptCoach,
    WithdrawCoach,
    AddGoal(usize),
    AddAction(usize),
    AddNote(usize, Option<usize>),
    /// The current coach writes an action under a goal.
    CoachAddsAction(usize),
    OnlyUs(usize, bool),
    /// Item, recipient, end day relative to today (negative: in the past).
    ShareItem(usize, ShareTo, i64),
    ShareDomain(usize, ShareTo, i64),
    WithdrawShare(usize),
    /// The operator assigns a coach and a volunteer (indexes into the
    /// choices above).
    Assign(usize, usize),
    MoveStaff(Who, Org),
    RemoveStaff(Who),
    Advance(i64),
    /// The current coach asks a mandate question on an action.
    Ask(usize, i64),
    /// The family answers a question (or withdraws a yes).
    Answer(usize, &'static str),
    /// Another member of the family acts from now on.
    ActAs(usize),
    InviteByMember,
    InviteByCoach,
    /// The coach tries to join with a member's invite (true) or their own.
    CoachTriesToJoin(bool),
    /// A member confirms (true) or refuses a waiting newcomer.
    Decide(usize, bool),
    /// A staff member opens the family's page (for its coach, a visit).
    OpenPage(Who),
    /// The acting member says yes (true) or stops talking (false) with the
    /// family's volunteer.
    Talk(bool),
    /// The acting member, and a staff member, open their messages (which
    /// makes the rows of the threads they may have now).
    OpenMessages(Who),
}

fn share_to() -> impl Strategy<Value = ShareTo> {
    prop_oneof![
        prop::sample::select(STAFF.to_vec()).prop_map(ShareTo::Person),
        Just(ShareTo::OurVolunteer),
        prop::sample::select(ORGS.to_vec()).prop_map(ShareTo::Org),
    ]
}

fn advance() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(1),
        Just(3600),
        Just(DAY - 1),
        Just(DAY),
        (1..4i64).prop_map(|n| n * DAY),
        0..DAY,
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
        2 => any::<usize>().prop_map(Op::CoachAddsAction),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(i, on)| Op::OnlyUs(i, on)),
        4 => (any::<usize>(), share_to(), -2..6i64).prop_map(|(i, t, d)| Op::ShareItem(i, t, d)),
        2 => (domain, share_to(), -2..6i64).prop_map(|(d, t, n)| Op::ShareDomain(d, t, n)),
        2 => any::<usize>().prop_map(Op::WithdrawShare),
        2 => (0..COACH_CHOICES.len(), 0..VOLUNTEER_CHOICES.len()).prop_map(|(c, v)| Op::Assign(c, v)),
        1 => (prop::sample::select(STAFF.to_vec()), prop::sample::select(ORGS.to_vec()))
            .prop_map(|(w, o)| Op::MoveStaff(w, o)),
        1 => prop::sample::select(STAFF.to_vec()).prop_map(Op::RemoveStaff),
        3 => advance().prop_map(Op::Advance),
        3 => (any::<usize>(), 0..8i64).prop_map(|(i, d)| Op::Ask(i, d)),
        3 => (any::<usize>(), prop::sample::select(vec!["for_me", "together", "myself", "withdrawn"]))
            .prop_map(|(m, a)| Op::Answer(m, a)),
        2 => any::<usize>().prop_map(Op::ActAs),
        1 => Just(Op::InviteByMember),
        1 => Just(Op::InviteByCoach),
        1 => any::<bool>().prop_map(Op::CoachTriesToJoin),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(k, yes)| Op::Decide(k, yes)),
        2 => prop::sample::select(STAFF.to_vec()).prop_map(Op::OpenPage),
        3 => any::<bool>().prop_map(Op::Talk),
        2 => prop::sample::select(STAFF.to_vec()).prop_map(Op::OpenMessages),
    ]
}

// ---- the model: an independent reading of docs/CONSENT-RULES.md ----

/// The Belgian calendar day of an instant, worked out here from the EU
/// rule (summer time from the last Sunday of March, 01:00 UTC, to the last
/// Sunday of October, 01:00 UTC), independently of the app's clock.
fn model_today(unix: i64) -> String {
    let year = OffsetDateTime::from_unix_timestamp(unix).unwrap().year();
    let last_sunday_1am = |month: Month, last_day: u8| {
        let mut d = Date::from_calendar_date(year, month, last_day).unwrap();
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().unwrap();
        }
        d.with_hms(1, 0, 0).unwrap().assume_utc().unix_timestamp()
    };
    let summer =
        unix >= last_sunday_1am(Month::March, 31) && unix < last_sunday_1am(Month::October, 31);
    let local = OffsetDateTime::from_unix_timestamp(unix + if summer { 7200 } else { 3600 })
        .unwrap()
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        local.year(),
        local.month() as u8,
        local.day()
    )
}

/// Where scenarios start: just before Belgian midnights, just before both
/// summer-time changes, and an ordinary day.
fn starts() -> Vec<i64> {
    let at = |y: i32, m: Month, d: u8, h: u8, min: u8, s: u8| {
        Date::from_calendar_date(y, m, d)
            .unwrap()
            .with_hms(h, min, s)
            .unwrap()
            .assume_utc()
            .unix_timestamp()
    };
    vec![
        1_795_000_000,
        at(2026, Month::March, 28, 22, 59, 59), // Saturday 23:59:59 winter time
        at(2026, Month::March, 29, 0, 59, 59),  // one second before 02:00 → 03:00
        at(2026, Month::March, 29, 21, 59, 59), // the short day's 23:59:59
        at(2026, Month::October, 24, 21, 59, 59), // Saturday 23:59:59 summer time
        at(2026, Month::October, 25, 0, 59, 59), // one second before 03:00 → 02:00
        at(2026, Month::October, 25, 22, 59, 59), // the long day's 23:59:59
        at(2026, Month::December, 31, 22, 59, 59), // New Year's Eve
    ]
}

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
    granted_at: i64,
    withdrawn: bool,
}

#[derive(Clone, Debug)]
struct MQuestion {
    id: String,
    action: String,
    asked_by: Who,
    until: String,
    /// The newest answer, if any, and when each answer was given.
    answer: Option<&'static str>,
    answered_at: Vec<i64>,
}

#[derive(Clone, Debug)]
struct MMember {
    id: String,
    confirmed: bool,
    refused: bool,
}

/// One expected access-log entry: actor kind and id, event, and the
/// subject when the model knows its id.
#[derive(Clone, Debug, PartialEq, Eq)]
struct MLog {
    actor: (String, String),
    event: String,
    subject: Option<String>,
}

#[derive(Clone, Debug)]
struct Model {
    coach: Option<Who>,
    volunteer: Option<Who>,
    org: BTreeMap<Who, Org>,
    removed: BTreeSet<Who>,
    /// (coach, withdrawn)
    mandates: Vec<(Who, bool)>,
    /// The family's yes to talking with a volunteer: (volunteer, ended).
    talks: Vec<(Who, bool)>,
    items: Vec<MItem>,
    shares: Vec<MShare>,
    questions: Vec<MQuestion>,
    members: Vec<MMember>,
    /// Index into `members` of the member who acts.
    acting: usize,
    log: Vec<MLog>,
    /// When each coach last opened the family's page (answers given after
    /// it are new on their overview).
    visits: BTreeMap<Who, i64>,
}

/// Each item with the consent it was read under, as the model states it.
fn seen_items(items: &[plan::PlanItem]) -> Seen {
    Seen::Items(
        items
            .iter()
            .map(|i| {
                let basis = match &i.basis {
                    Basis::BaseMandate(_) => "mandate".to_string(),
                    Basis::Share(id) => id.clone(),
                    Basis::Family => "family".to_string(),
                };
                (i.id.clone(), basis)
            })
            .collect(),
    )
}

/// A reader outside the family: a staff member, or anyone in an
/// organisation (for the preview of an organisation share).
#[derive(Clone, Copy, Debug)]
struct Reader {
    who: Option<Who>,
    org: Org,
}

#[derive(Debug, PartialEq, Eq)]
enum Seen {
    NotFound,
    /// Each item with the consent it is seen under: "mandate", or the id
    /// of the share.
    Items(BTreeSet<(String, String)>),
}

impl Model {
    /// The questions `who` sees: those they asked, while accepted, on
    /// actions they see.
    fn questions_seen_by(&self, who: Who) -> BTreeSet<String> {
        if !self.coach_ok(Some(who)) {
            return BTreeSet::new();
        }
        self.questions
            .iter()
            .filter(|q| q.asked_by == who && self.item(&q.action).is_some_and(|i| !self.hidden(i)))
            .map(|q| q.id.clone())
            .collect()
    }

    /// How many items the coach is told the family keeps to itself (0 for
    /// anyone else).
    fn hidden_count_for(&self, who: Who) -> i64 {
        if !self.coach_ok(Some(who)) {
            return 0;
        }
        self.items.iter().filter(|i| self.hidden(i)).count() as i64
    }

    fn new(volunteer: Who) -> Model {
        Model {
            coach: Some(Who::Coach1),
            volunteer: Some(volunteer),
            org: STAFF.iter().map(|w| (*w, first_org(*w))).collect(),
            removed: BTreeSet::new(),
            mandates: vec![],
            talks: vec![],
            items: vec![],
            shares: vec![],
            questions: vec![],
            members: vec![],
            acting: 0,
            log: vec![],
            visits: BTreeMap::new(),
        }
    }

    fn reader(&self, who: Who) -> Reader {
        Reader {
            who: Some(who),
            org: self.org[&who],
        }
    }

    fn coach_ok(&self, who: Option<Who>) -> bool {
        who.is_some()
            && who == self.coach
            && self.mandates.iter().any(|(c, w)| Some(*c) == who && !w)
    }

    /// Whether `who` may read a thread of this family in `role` that is
    /// theirs: the coach with a live base mandate; the volunteer now, with
    /// the family's yes to talking with them.
    fn reads_thread(&self, who: Who, role: &str, thread_staff: Who) -> bool {
        if who != thread_staff || self.removed.contains(&who) {
            return false;
        }
        match role {
            "coach" => self.coach_ok(Some(who)),
            "volunteer" => {
                self.volunteer == Some(who)
                    && self.talks.iter().any(|(v, ended)| *v == who && !ended)
            }
            _ => false,
        }
    }

    /// Ends, by the service, the yes to talking with volunteers for whom
    /// `ends` holds.
    fn end_talks(&mut self, ends: impl Fn(Who) -> bool) {
        let mut ended = 0;
        for t in &mut self.talks {
            if !t.1 && ends(t.0) {
                t.1 = true;
                ended += 1;
            }
        }
        for _ in 0..ended {
            self.expect(("service", ""), "talk_ended", None);
        }
    }

    fn share_live(&self, s: &MShare, today: &str) -> bool {
        !s.withdrawn && s.until.as_str() >= today
    }

    fn share_reaches(&self, s: &MShare, reader: Reader, today: &str) -> bool {
        self.share_live(s, today) && self.addressed_to(s, reader)
    }

    /// Whom a share is addressed to, live or not.
    fn addressed_to(&self, s: &MShare, reader: Reader) -> bool {
        match &s.to {
            ShareTo::Person(p) => Some(*p) == reader.who,
            ShareTo::OurVolunteer => reader.who.is_some() && self.volunteer == reader.who,
            ShareTo::Org(o) => reader.org == *o,
        }
    }

    fn item(&self, id: &str) -> Option<&MItem> {
        self.items.iter().find(|i| i.id == id)
    }

    fn hidden(&self, item: &MItem) -> bool {
        item.only_us
            || item
                .goal
                .as_deref()
                .and_then(|g| self.item(g))
                .is_some_and(|g| g.only_us)
    }

    fn covers(s: &MShare, item: &MItem) -> bool {
        s.item.as_deref() == Some(item.id.as_str())
            || (s.item.is_some() && s.item == item.goal)
            || s.domain.as_deref() == Some(item.domain.as_str())
    }

    fn seen_by(&self, reader: Reader, today: &str) -> Seen {
        if reader.who.is_some_and(|w| self.removed.contains(&w)) {
            return Seen::NotFound;
        }
        let mandate = self.coach_ok(reader.who);
        let opens = mandate
            || self
                .shares
                .iter()
                .any(|s| self.share_reaches(s, reader, today));
        if !opens {
            return Seen::NotFound;
        }
        let mut seen = BTreeSet::new();
        for item in &self.items {
            if self.hidden(item) {
                continue;
            }
            if mandate {
                seen.insert((item.id.clone(), "mandate".to_string()));
                continue;
            }
            // The first covering share by when it was given (then id), as
            // the log names one consent per item.
            let first = self
                .shares
                .iter()
                .filter(|s| self.share_reaches(s, reader, today) && Self::covers(s, item))
                .min_by(|a, b| (a.granted_at, &a.id).cmp(&(b.granted_at, &b.id)));
            if let Some(s) = first {
                seen.insert((item.id.clone(), s.id.clone()));
            }
        }
        Seen::Items(seen)
    }

    fn acting_member(&self) -> &MMember {
        &self.members[self.acting]
    }

    fn expect(&mut self, actor: (&str, &str), event: &str, subject: Option<&str>) {
        self.log.push(MLog {
            actor: (actor.0.to_string(), actor.1.to_string()),
            event: event.to_string(),
            subject: subject.map(str::to_string),
        });
    }

    fn by_member(&mut self, event: &str, subject: Option<&str>) {
        let id = self.acting_member().id.clone();
        self.expect(("member", &id), event, subject);
    }

    /// A staff member leaves the family's coach and volunteer slots; a
    /// coach's live base mandates end, by the service.
    fn leaves(&mut self, who: Who) {
        if self.coach == Some(who) {
            self.coach = None;
        }
        if self.volunteer == Some(who) {
            self.volunteer = None;
        }
        self.end_mandates(|c| c == who);
        self.end_talks(|v| v == who);
    }

    fn end_mandates(&mut self, ends: impl Fn(Who) -> bool) {
        let mut ended = 0;
        for m in &mut self.mandates {
            if !m.1 && ends(m.0) {
                m.1 = true;
                ended += 1;
            }
        }
        for _ in 0..ended {
            self.expect(("service", ""), "base_mandate_ended", None);
        }
    }
}

fn add_days(today: &str, days: i64) -> String {
    format_date(parse_date(today).unwrap() + time::Duration::days(days))
}

fn recipient(ids: &BTreeMap<Who, String>, orgs: &Orgs, to: &ShareTo) -> Recipient {
    match to {
        ShareTo::Person(p) => Recipient::Person(ids[p].clone()),
        ShareTo::OurVolunteer => Recipient::OurVolunteer,
        ShareTo::Org(o) => Recipient::Organisation(orgs.id(*o).to_string()),
    }
}

fn pick<T: Clone>(list: &[T], k: usize) -> Option<T> {
    (!list.is_empty()).then(|| list[k % list.len()].clone())
}

/// Whether an error is a refusal of bad input (a 4xx the user is told).
fn is_bad(e: &AppError) -> bool {
    matches!(e, AppError::BadInput(_))
}

struct Scenario<'a> {
    db: &'a Db,
    orgs: &'a Orgs,
    secret: &'a SecretKey,
    ids: BTreeMap<Who, String>,
    family: String,
    model: Model,
    now: i64,
}

impl Scenario<'_> {
    fn today(&self) -> String {
        belgian_date(self.now)
    }

    async fn staff(&self, who: Who) -> Result<Caller, AppError> {
        Caller::staff(self.db, &self.ids[&who]).await
    }

    async fn member_access(&self) -> FamilyAccess {
        let member = Caller::member(self.db, &self.model.acting_member().id)
            .await
            .unwrap();
        FamilyAccess::open(self.db, &member, &self.family, self.now)
            .await
            .unwrap()
    }

    /// The current coach's access, when they can sign in and open the family.
    async fn coach_access(&self) -> Option<(Who, Caller, Option<FamilyAccess>)> {
        let coach = self.model.coach?;
        let caller = self.staff(coach).await.ok()?;
        let access = FamilyAccess::open(self.db, &caller, &self.family, self.now)
            .await
            .ok();
        Some((coach, caller, access))
    }

    /// Someone of the household joins with an invite code.
    async fn join(&mut self, code: &str, name: &str) -> Result<String, String> {
        let joined = invites::redeem(
            self.db,
            self.secret,
            &Caller::Anonymous,
            code,
            name,
            Lang::Tr,
            self.now,
        )
        .await
        .map_err(|e| format!("join: {e:?}"))?;
        Ok(joined.as_member().unwrap().member_id().to_string())
    }

    async fn run(&mut self, op: &Op) -> Result<(), String> {
        let db = self.db;
        let today = self.today();
        let access = self.member_access().await;
        let m = &mut self.model;
        match op {
            Op::AcceptCoach => match (consent::accept_coach(db, &access).await, m.coach) {
                (Err(AppError::Conflict(_)), None) => {}
                (Ok(()), Some(c)) => {
                    if !m.coach_ok(Some(c)) {
                        m.mandates.push((c, false));
                        m.by_member("base_mandate_granted", None);
                    }
                }
                (got, coach) => return Err(format!("accept: store {got:?}, coach {coach:?}")),
            },
            Op::WithdrawCoach => {
                consent::withdraw_coach(db, &access).await.unwrap();
                let live = m.mandates.iter().filter(|x| !x.1).count();
                for x in &mut m.mandates {
                    x.1 = true;
                }
                for _ in 0..live {
                    m.by_member("base_mandate_withdrawn", None);
                }
            }
            Op::AddGoal(d) => {
                let id = plan::add_goal(db, &access, DOMAINS[*d], "Een doel")
                    .await
                    .unwrap();
                m.items.push(MItem {
                    id,
                    is_action: false,
                    is_goal: true,
                    goal: None,
                    domain: DOMAINS[*d].into(),
                    only_us: false,
                });
            }
            Op::AddAction(g) | Op::CoachAddsAction(g) => {
                let goals: Vec<MItem> = m.items.iter().filter(|i| i.is_goal).cloned().collect();
                let Some(goal) = pick(&goals, *g) else {
                    return Ok(());
                };
                let input = ActionInput {
                    body: "Bellen".into(),
                    who: "together".into(),
                    due: None,
                    status: "todo".into(),
                };
                let (got, may) = if matches!(op, Op::CoachAddsAction(_)) {
                    // The coach writes while the family accepts them, only
                    // under a goal they can see.
                    let Some((coach, _, Some(coach_access))) = self.coach_access().await else {
                        return Ok(());
                    };
                    let may = self.model.coach_ok(Some(coach)) && !self.model.hidden(&goal);
                    (
                        plan::add_action(db, &coach_access, &goal.id, &input).await,
                        may,
                    )
                } else {
                    (plan::add_action(db, &access, &goal.id, &input).await, true)
                };
                match (got, may) {
                    (Ok(id), true) => self.model.items.push(MItem {
                        id,
                        is_action: true,
                        is_goal: false,
                        goal: Some(goal.id.clone()),
                        domain: goal.domain.clone(),
                        only_us: false,
                    }),
                    (Err(AppError::NotFound), false) => {}
                    (got, may) => return Err(format!("add action: store {got:?}, may {may}")),
                }
            }
            Op::AddNote(d, g) => {
                let goals: Vec<MItem> = m.items.iter().filter(|i| i.is_goal).cloned().collect();
                let goal = g.and_then(|g| pick(&goals, g));
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
                m.items.push(MItem {
                    id,
                    is_action: false,
                    is_goal: false,
                    goal: goal.map(|g| g.id),
                    domain,
                    only_us: false,
                });
            }
            Op::OnlyUs(i, on) => {
                let Some(n) = (!m.items.is_empty()).then(|| i % m.items.len()) else {
                    return Ok(());
                };
                let id = m.items[n].id.clone();
                consent::set_only_us(db, &access, &id, *on).await.unwrap();
                m.items[n].only_us = *on;
                m.by_member(if *on { "item_hidden" } else { "item_unhidden" }, Some(&id));
            }
            Op::ShareItem(_, to, days) | Op::ShareDomain(_, to, days) => {
                let scope = match op {
                    Op::ShareItem(i, ..) => {
                        let Some(item) = pick(&m.items, *i) else {
                            return Ok(());
                        };
                        ShareScope::Item(item.id)
                    }
                    Op::ShareDomain(d, ..) => ShareScope::Domain(DOMAINS[*d].into()),
                    _ => unreachable!(),
                };
                let until = add_days(&today, *days);
                let got = consent::share(
                    db,
                    &access,
                    &scope,
                    &recipient(&self.ids, self.orgs, to),
                    "Model",
                    &until,
                )
                .await;
                let to_removed = matches!(to, ShareTo::Person(p) if m.removed.contains(p));
                let may = *days >= 0 && !to_removed;
                match (got, may) {
                    (Ok(id), true) => {
                        let (item, domain) = match scope {
                            ShareScope::Item(i) => (Some(i), None),
                            ShareScope::Domain(d) => (None, Some(d)),
                        };
                        m.by_member("share_granted", Some(&id));
                        m.shares.push(MShare {
                            id,
                            item,
                            domain,
                            to: to.clone(),
                            until,
                            granted_at: self.now,
                            withdrawn: false,
                        });
                    }
                    (Err(e), false) if is_bad(&e) => {}
                    (got, may) => {
                        return Err(format!("share until {until}: store {got:?}, may {may}"))
                    }
                }
            }
            Op::WithdrawShare(s) => {
                let open: Vec<usize> = (0..m.shares.len())
                    .filter(|&k| !m.shares[k].withdrawn)
                    .collect();
                let Some(k) = pick(&open, *s) else {
                    return Ok(());
                };
                let id = m.shares[k].id.clone();
                consent::withdraw_share(db, &access, &id).await.unwrap();
                m.shares[k].withdrawn = true;
                m.by_member("share_withdrawn", Some(&id));
            }
            Op::Assign(c, v) => {
                let (coach, volunteer) = (COACH_CHOICES[*c], VOLUNTEER_CHOICES[*v]);
                let got = accounts::assign(
                    db,
                    &self.family,
                    coach.map(|w| self.ids[&w].as_str()),
                    volunteer.map(|w| self.ids[&w].as_str()),
                    self.now,
                )
                .await;
                let coach_fits =
                    coach.is_none_or(|w| !m.removed.contains(&w) && m.org[&w] == Org::Service);
                let volunteer_fits = volunteer.is_none_or(|w| !m.removed.contains(&w));
                match (got, coach_fits && volunteer_fits) {
                    (Ok(()), true) => {
                        m.coach = coach;
                        m.volunteer = volunteer;
                        // A base mandate is given to a person: any other
                        // coach's live one ends with the assignment.
                        m.end_mandates(|w| Some(w) != coach);
                        // So is the yes to talking with a volunteer.
                        m.end_talks(|w| Some(w) != volunteer);
                    }
                    (Err(e), false) if is_bad(&e) => {}
                    (got, fits) => {
                        return Err(format!(
                            "assign {coach:?}/{volunteer:?}: store {got:?}, fits {fits}"
                        ))
                    }
                }
            }
            Op::MoveStaff(who, org) => {
                let got =
                    accounts::move_staff(db, &self.ids[who], self.orgs.id(*org), self.now).await;
                let may = !m.removed.contains(who) && m.org[who] != *org;
                match (got, may) {
                    (Ok(()), true) => {
                        m.org.insert(*who, *org);
                        m.leaves(*who);
                    }
                    (Err(AppError::NotFound), false) => {}
                    (got, may) => return Err(format!("move {who:?}: store {got:?}, may {may}")),
                }
            }
            Op::RemoveStaff(who) => {
                let got = accounts::disable_staff(db, &self.ids[who], self.now).await;
                match (got, !m.removed.contains(who)) {
                    (Ok(()), true) => {
                        m.removed.insert(*who);
                        m.leaves(*who);
                    }
                    (Err(AppError::NotFound), false) => {}
                    (got, may) => return Err(format!("remove {who:?}: store {got:?}, may {may}")),
                }
            }
            Op::Advance(seconds) => self.now += seconds,
            Op::OpenMessages(who) => {
                let member = Caller::member(db, &m.acting_member().id).await.unwrap();
                messages::home(db, &member, self.now).await.unwrap();
                if let Ok(caller) = Caller::staff(db, &self.ids[who]).await {
                    messages::home(db, &caller, self.now).await.unwrap();
                }
            }
            Op::Talk(yes) => {
                let hub = onsplan_app::domain::live::Hub::default();
                let got = messages::set_talk(db, &hub, &access, *yes, None).await;
                match (got, m.volunteer) {
                    (Err(AppError::Conflict(_)), None) => {}
                    (Ok(()), Some(v)) => {
                        let live = m.talks.iter().filter(|t| t.0 == v && !t.1).count();
                        if *yes && live == 0 {
                            m.talks.push((v, false));
                            m.by_member("talk_granted", None);
                        } else if !*yes {
                            for t in m.talks.iter_mut().filter(|t| t.0 == v && !t.1) {
                                t.1 = true;
                            }
                            for _ in 0..live {
                                m.by_member("talk_withdrawn", None);
                            }
                        }
                    }
                    (got, v) => return Err(format!("talk {yes}: store {got:?}, volunteer {v:?}")),
                }
            }
            Op::Ask(i, days) => {
                let actions: Vec<MItem> = m.items.iter().filter(|i| i.is_action).cloned().collect();
                let Some(action) = pick(&actions, *i) else {
                    return Ok(());
                };
                let Some((coach, _, coach_access)) = self.coach_access().await else {
                    return Ok(());
                };
                let until = add_days(&today, *days);
                let input = MandateInput {
                    help: "call".into(),
                    party: "social_housing".into(),
                    party_name: "WoninGent".into(),
                    facts: vec!["identity".into()],
                    words: String::new(),
                    until: until.clone(),
                };
                let m = &mut self.model;
                let may = m.coach_ok(Some(coach)) && !m.hidden(&action);
                let asked = match coach_access {
                    Some(a) => mandates::ask(db, &a, &action.id, &input).await,
                    None => Err(AppError::NotFound),
                };
                match (asked, may) {
                    (Ok(id), true) => {
                        let staff_id = self.ids[&coach].clone();
                        m.expect(("staff", &staff_id), "mandate_asked", Some(&id));
                        m.questions.push(MQuestion {
                            id,
                            action: action.id.clone(),
                            asked_by: coach,
                            until,
                            answer: None,
                            answered_at: vec![],
                        });
                    }
                    (Err(AppError::NotFound), false) => {}
                    (got, _) => return Err(format!("ask: store {got:?}, model may={may}")),
                }
            }
            Op::Answer(q, answer) => {
                let Some(k) = (!m.questions.is_empty()).then(|| q % m.questions.len()) else {
                    return Ok(());
                };
                let question = m.questions[k].clone();
                let ended = question.until.as_str() < today.as_str();
                let may = if *answer == "withdrawn" {
                    matches!(question.answer, Some("for_me" | "together"))
                } else {
                    !ended
                };
                let got = mandates::answer(db, &access, &question.id, answer).await;
                match (got, may) {
                    (Ok(()), true) => {
                        m.questions[k].answer = Some(answer);
                        m.questions[k].answered_at.push(self.now);
                        m.by_member(&format!("mandate_{answer}"), Some(&question.id));
                    }
                    (Err(AppError::Conflict(_)), false) => {}
                    (got, _) => {
                        return Err(format!("answer {answer}: store {got:?}, model may={may}"))
                    }
                }
            }
            Op::ActAs(k) => {
                let confirmed: Vec<usize> = (0..m.members.len())
                    .filter(|&i| m.members[i].confirmed)
                    .collect();
                m.acting = pick(&confirmed, *k).unwrap();
            }
            Op::InviteByMember => {
                let member = Caller::member(db, &m.acting_member().id).await.unwrap();
                let invite = invites::create(db, self.secret, &member, &self.family, self.now)
                    .await
                    .map_err(|e| format!("member invite: {e:?}"))?;
                // A member's invite is the family's yes: in at once.
                let id = self.join(&invite.code, "Yusuf").await?;
                let m = &mut self.model;
                m.expect(("member", &id), "member_joined", Some(&id));
                m.members.push(MMember {
                    id,
                    confirmed: true,
                    refused: false,
                });
            }
            Op::InviteByCoach => {
                let Some((coach, caller, _)) = self.coach_access().await else {
                    return Ok(());
                };
                let may = self.model.coach_ok(Some(coach));
                match (
                    invites::create(db, self.secret, &caller, &self.family, self.now).await,
                    may,
                ) {
                    (Ok(invite), true) => {
                        // The coach's invite into a family with members:
                        // the newcomer waits for a member's yes.
                        let id = self.join(&invite.code, "Nieuw").await?;
                        let newcomer = Caller::member(db, &id).await.unwrap();
                        let opened =
                            FamilyAccess::open(db, &newcomer, &self.family, self.now).await;
                        if opened.as_ref().err() != Some(&AppError::Waiting) {
                            return Err(format!("a waiting newcomer opened: {opened:?}"));
                        }
                        let m = &mut self.model;
                        m.expect(("member", &id), "member_asked_to_join", Some(&id));
                        m.members.push(MMember {
                            id,
                            confirmed: false,
                            refused: false,
                        });
                    }
                    (Err(AppError::NotFound), false) => {}
                    (got, may) => {
                        return Err(format!("coach invite: store {:?}, may {may}", got.err()))
                    }
                }
            }
            Op::CoachTriesToJoin(members_invite) => {
                let Some((_, caller, _)) = self.coach_access().await else {
                    return Ok(());
                };
                let maker = if *members_invite {
                    Caller::member(db, &self.model.acting_member().id)
                        .await
                        .unwrap()
                } else {
                    caller.clone()
                };
                let Ok(invite) =
                    invites::create(db, self.secret, &maker, &self.family, self.now).await
                else {
                    return Ok(());
                };
                let tried = invites::redeem(
                    db,
                    self.secret,
                    &caller,
                    &invite.code,
                    "Coach",
                    Lang::NlBe,
                    self.now,
                )
                .await;
                if tried.as_ref().err() != Some(&AppError::Conflict("error-invite-staff".into())) {
                    return Err(format!("a coach used an invite: {tried:?}"));
                }
            }
            Op::Decide(k, yes) => {
                let waiting: Vec<usize> = (0..m.members.len())
                    .filter(|&i| !m.members[i].confirmed && !m.members[i].refused)
                    .collect();
                let Some(n) = pick(&waiting, *k) else {
                    return Ok(());
                };
                let id = m.members[n].id.clone();
                members::decide(db, &access, &id, *yes)
                    .await
                    .map_err(|e| format!("decide: {e:?}"))?;
                if *yes {
                    m.members[n].confirmed = true;
                } else {
                    m.members[n].refused = true;
                }
                m.by_member(
                    if *yes {
                        "member_confirmed"
                    } else {
                        "member_refused"
                    },
                    Some(&id),
                );
            }
            Op::OpenPage(who) => return self.open_page(*who).await,
        }
        Ok(())
    }

    /// Compares every reader with the model.
    async fn compare(&mut self) -> Result<(), String> {
        let db = self.db;
        let today = self.today();
        if model_today(self.now) != today {
            return Err(format!(
                "at {}: the clock says {today}, the model {}",
                self.now,
                model_today(self.now)
            ));
        }
        let access = self.member_access().await;

        // Members: waiting ones open nothing, refused ones are signed out.
        for member in &self.model.members {
            let caller = Caller::member(db, &member.id).await;
            let got = match &caller {
                Err(e) => Err(e.clone()),
                Ok(c) => FamilyAccess::open(db, c, &self.family, self.now)
                    .await
                    .map(|_| ()),
            };
            let want = match (member.refused, member.confirmed) {
                (true, _) => Err(AppError::SignedOut),
                (false, false) => Err(AppError::Waiting),
                (false, true) => Ok(()),
            };
            if got != want {
                return Err(format!("member {member:?}: store {got:?}, model {want:?}"));
            }
        }

        // The family sees every item, and every question with its newest answer.
        let all: BTreeSet<String> = plan::items(db, &access)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        let expected: BTreeSet<String> = self.model.items.iter().map(|i| i.id.clone()).collect();
        if all != expected {
            return Err(format!("family sees {all:?}, model {expected:?}"));
        }
        let family_sees: BTreeSet<(String, Option<String>)> = mandates::list(db, &access)
            .await
            .unwrap()
            .into_iter()
            .map(|q| (q.id, q.answer))
            .collect();
        let all_questions: BTreeSet<(String, Option<String>)> = self
            .model
            .questions
            .iter()
            .map(|q| (q.id.clone(), q.answer.map(str::to_string)))
            .collect();
        if family_sees != all_questions {
            return Err(format!(
                "family questions: store {family_sees:?}, model {all_questions:?}"
            ));
        }

        self.compare_visibility(&access).await?;
        self.compare_previews(&access).await?;
        self.compare_threads().await?;
        self.compare_concerned().await?;
        for who in STAFF {
            self.compare_staff(who).await?;
        }
        self.compare_log(&access).await
    }

    /// Everything one staff member gets, and the log entry of their read.
    async fn compare_staff(&mut self, who: Who) -> Result<(), String> {
        let db = self.db;
        let today = self.today();
        let caller = match self.staff(who).await {
            Err(AppError::SignedOut) if self.model.removed.contains(&who) => return Ok(()),
            Err(e) => return Err(format!("{who:?} resolves to {e:?}")),
            Ok(_) if self.model.removed.contains(&who) => {
                return Err(format!("{who:?} was removed but still resolves"))
            }
            Ok(c) => c,
        };
        let model = &self.model;
        let want = model.seen_by(model.reader(who), &today);
        let opened = FamilyAccess::open(db, &caller, &self.family, self.now).await;
        let access = match opened {
            Err(AppError::NotFound) => None,
            Err(e) => return Err(format!("{who:?}: {e:?}")),
            Ok(a) => Some(a),
        };
        let card = self.compare_card(who, &caller).await;
        card?;
        let Some(access) = access else {
            return if want == Seen::NotFound {
                Ok(())
            } else {
                Err(format!(
                    "{who:?} at {today}: store not found, model {want:?}"
                ))
            };
        };
        let items = plan::items(db, &access)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let shown = seen_items(&items);
        if shown != want {
            return Err(format!(
                "{who:?} at {today}: store {shown:?}, model {want:?}"
            ));
        }

        // Questions: the coach who asked, while accepted, on actions they see.
        let got: BTreeSet<String> = mandates::list(db, &access)
            .await
            .unwrap()
            .into_iter()
            .map(|q| q.id)
            .collect();
        let want = model.questions_seen_by(who);
        if got != want {
            return Err(format!(
                "{who:?} questions at {today}: store {got:?}, model {want:?}"
            ));
        }

        // The plan header and the hidden count are checked on the page
        // (`open_page`, below), as every reader gets them.
        // The read (by `plan::items` above) is logged with the consent each
        // item was seen under.
        let staff_id = self.ids[&who].clone();
        self.model.expect(("staff", &staff_id), "read", None);
        let newest = log::entries(db, &self.member_access().await, 1)
            .await
            .unwrap()
            .remove(0);
        let logged: BTreeSet<(String, String)> = newest
            .items
            .iter()
            .map(|(id, basis)| {
                let basis = match basis.split_once(':') {
                    Some(("base_mandate", _)) => "mandate".to_string(),
                    Some(("share", id)) => id.to_string(),
                    _ => basis.clone(),
                };
                (id.clone(), basis)
            })
            .collect();
        if Seen::Items(logged.clone()) != shown {
            return Err(format!(
                "{who:?} read logged as {logged:?}, shown {shown:?}"
            ));
        }

        self.open_page(who).await
    }

    /// `who` opens the family's page, as the coach's and the volunteer's
    /// family page reads it (asking who the reader is once, when the
    /// family is opened): items, questions, header, hidden count and who
    /// the reader is, against the model; the read is logged, and for the
    /// coach with a base mandate it is a visit (answers before it are no
    /// longer new on their overview).
    async fn open_page(&mut self, who: Who) -> Result<(), String> {
        let db = self.db;
        let today = self.today();
        let caller = match self.staff(who).await {
            Err(AppError::SignedOut) if self.model.removed.contains(&who) => return Ok(()),
            Err(e) => return Err(format!("{who:?} resolves to {e:?}")),
            Ok(c) => c,
        };
        let model = &self.model;
        let want = model.seen_by(model.reader(who), &today);
        let access = match FamilyAccess::open(db, &caller, &self.family, self.now).await {
            Err(AppError::NotFound) if want == Seen::NotFound => return Ok(()),
            Err(e) => return Err(format!("{who:?} opens the page: {e:?}, model {want:?}")),
            Ok(a) => a,
        };
        let page = overview::plan_page(db, &access)
            .await
            .map_err(|e| format!("{who:?} page: {e:?}"))?;
        let mandate = model.coach_ok(Some(who));
        // A viewer's "what the family shares with you": the live shares
        // that reach them, a single item's only while they see it.
        let shared: Vec<(Option<String>, Option<String>, String)> = page
            .shared_with_me
            .iter()
            .map(|s| (s.domain.clone(), s.item_id.clone(), s.until.clone()))
            .collect();
        let mut shared_want: Vec<(Option<String>, Option<String>, String)> = if mandate {
            vec![]
        } else {
            model
                .shares
                .iter()
                .filter(|s| model.share_reaches(s, model.reader(who), &today))
                .filter(|s| match &s.item {
                    None => true,
                    Some(id) => model.item(id).is_some_and(|i| !model.hidden(i)),
                })
                .map(|s| (s.domain.clone(), s.item.clone(), s.until.clone()))
                .collect()
        };
        let mut shared_sorted = shared.clone();
        shared_sorted.sort();
        shared_want.sort();
        if shared_sorted != shared_want {
            return Err(format!(
                "{who:?} is told of shares at {today}: store {shared:?}, model {shared_want:?}"
            ));
        }
        if shared.windows(2).any(|w| w[0].2 > w[1].2) {
            return Err(format!("{who:?}: shares not soonest end first: {shared:?}"));
        }
        let got = (
            seen_items(&page.items),
            page.mandates
                .iter()
                .map(|q| q.id.clone())
                .collect::<BTreeSet<String>>(),
            page.header.is_some(),
            page.hidden_count,
            page.reader.clone(),
            page.coach_accepted,
        );
        let expected = (
            want,
            model.questions_seen_by(who),
            mandate,
            model.hidden_count_for(who),
            if mandate { "coach" } else { "viewer" }.to_string(),
            mandate,
        );
        if got != expected {
            return Err(format!(
                "{who:?} page at {today}: store {got:?}, model {expected:?}"
            ));
        }
        let staff_id = self.ids[&who].clone();
        self.model.expect(("staff", &staff_id), "read", None);
        if mandate {
            self.model.visits.insert(who, self.now);
        }
        Ok(())
    }

    /// The card for this family on the staff member's overview.
    async fn compare_card(&self, who: Who, caller: &Caller) -> Result<(), String> {
        let model = &self.model;
        let today = self.today();
        let cards = overview::my_families(self.db, caller.as_staff().unwrap(), &today)
            .await
            .unwrap();
        let got: Vec<(String, i64, i64)> = cards
            .into_iter()
            .filter(|c| c.id == self.family)
            .map(|c| (c.state, c.open_questions, c.new_answers))
            .collect();
        let reader = model.reader(who);
        let mandate = model.coach_ok(Some(who));
        let visible_question = |q: &&MQuestion| {
            q.asked_by == who && model.item(&q.action).is_some_and(|i| !model.hidden(i))
        };
        let want: Vec<(String, i64, i64)> = if mandate {
            let open = model
                .questions
                .iter()
                .filter(visible_question)
                .filter(|q| q.answered_at.is_empty() && q.until.as_str() >= today.as_str())
                .count() as i64;
            // Answers given since the coach last opened the family's page
            // (one in the same second as the visit is still new: a
            // withdrawal must not go unnoticed).
            let visited = model.visits.get(&who).copied().unwrap_or(i64::MIN);
            let new: i64 = model
                .questions
                .iter()
                .filter(visible_question)
                .map(|q| q.answered_at.iter().filter(|at| **at >= visited).count() as i64)
                .sum();
            vec![("active".into(), open, new)]
        } else if model
            .shares
            .iter()
            .any(|s| model.share_reaches(s, reader, &today))
        {
            vec![("shared".into(), 0, 0)]
        } else {
            vec![]
        };
        if got != want {
            return Err(format!(
                "{who:?} card at {today}: store {got:?}, model {want:?}"
            ));
        }
        Ok(())
    }

    /// Whom a notice about a share or an item's "only us" goes to (before
    /// the send-time check): the access layer's candidate lists agree with
    /// the model's reach, for staff of this scenario who can still sign in.
    async fn compare_concerned(&self) -> Result<(), String> {
        let model = &self.model;
        let today = self.today();
        let who_is: BTreeMap<&str, Who> =
            self.ids.iter().map(|(w, id)| (id.as_str(), *w)).collect();
        let cast = |ids: Vec<String>| -> BTreeSet<Who> {
            ids.iter()
                .filter_map(|id| who_is.get(id.as_str()).copied())
                .filter(|w| !model.removed.contains(w))
                .collect()
        };
        let staff = || STAFF.into_iter().filter(|w| !model.removed.contains(w));
        for s in &model.shares {
            let got = cast(
                access::staff_reached_by_share(self.db, &s.id)
                    .await
                    .map_err(|e| format!("{e:?}"))?,
            );
            let want: BTreeSet<Who> = staff()
                .filter(|w| model.addressed_to(s, model.reader(*w)))
                .collect();
            if got != want {
                return Err(format!(
                    "share {s:?} reaches: store {got:?}, model {want:?}"
                ));
            }
        }
        for item in &model.items {
            let got = cast(
                access::staff_seeing_item(self.db, &self.family, &item.id, &today)
                    .await
                    .map_err(|e| format!("{e:?}"))?,
            );
            let want: BTreeSet<Who> = staff()
                .filter(|w| {
                    model.coach_ok(Some(*w))
                        || model.shares.iter().any(|s| {
                            model.share_reaches(s, model.reader(*w), &today)
                                && Model::covers(s, item)
                        })
                })
                .collect();
            if got != want {
                return Err(format!(
                    "item {item:?} at {today} is seen by: store {got:?}, model {want:?}"
                ));
            }
        }
        Ok(())
    }

    /// "Who can see this?" for every item and every domain.
    async fn compare_visibility(&self, access: &FamilyAccess) -> Result<(), String> {
        let model = &self.model;
        let today = self.today();
        let accepted = model.coach_ok(model.coach);
        for item in &model.items {
            let v = consent::visibility(self.db, access, &ShareScope::Item(item.id.clone()))
                .await
                .unwrap();
            let got: BTreeSet<(String, bool)> = v
                .shares
                .iter()
                .map(|c| (c.share.id.clone(), c.paused))
                .collect();
            let want: BTreeSet<(String, bool)> = model
                .shares
                .iter()
                .filter(|s| model.share_live(s, &today) && Model::covers(s, item))
                .map(|s| (s.id.clone(), model.hidden(item)))
                .collect();
            let coach_sees = accepted && !model.hidden(item);
            if got != want || v.coach_sees != coach_sees {
                return Err(format!(
                    "who can see {}: store {got:?} coach {}, model {want:?} coach {coach_sees}",
                    item.id, v.coach_sees
                ));
            }
        }
        for domain in &DOMAINS[..4] {
            let v = consent::visibility(self.db, access, &ShareScope::Domain(domain.to_string()))
                .await
                .unwrap();
            let got: BTreeSet<(String, bool)> = v
                .shares
                .iter()
                .map(|c| (c.share.id.clone(), c.paused))
                .collect();
            let want: BTreeSet<(String, bool)> = model
                .shares
                .iter()
                .filter(|s| model.share_live(s, &today))
                .filter_map(|s| match (&s.domain, &s.item) {
                    (Some(d), _) => (d == domain).then(|| (s.id.clone(), false)),
                    (None, Some(i)) => model
                        .item(i)
                        .filter(|i| i.domain == *domain)
                        .map(|i| (s.id.clone(), model.hidden(i))),
                    (None, None) => None,
                })
                .collect();
            if got != want || v.coach_sees != accepted {
                return Err(format!(
                    "who can see {domain}: store {got:?}, model {want:?}"
                ));
            }
        }
        Ok(())
    }

    /// "What will they see?" before sharing, for several recipients.
    async fn compare_previews(&self, access: &FamilyAccess) -> Result<(), String> {
        let model = &self.model;
        let today = self.today();
        let mut scopes = vec![ShareScope::Domain(DOMAINS[0].into())];
        if let Some(first) = model.items.first() {
            scopes.push(ShareScope::Item(first.id.clone()));
        }
        let recipients = [
            ShareTo::Person(Who::Volunteer1),
            ShareTo::Person(Who::Coach2),
            ShareTo::OurVolunteer,
            ShareTo::Org(Org::Ocmw),
            ShareTo::Org(Org::Service),
        ];
        for scope in &scopes {
            for to in &recipients {
                let got =
                    consent::preview(self.db, access, scope, &recipient(&self.ids, self.orgs, to))
                        .await;
                // The model with the would-be share added.
                let mut would = model.clone();
                let (item, domain) = match scope {
                    ShareScope::Item(i) => (Some(i.clone()), None),
                    ShareScope::Domain(d) => (None, Some(d.clone())),
                };
                would.shares.push(MShare {
                    id: "preview".into(),
                    item,
                    domain,
                    to: to.clone(),
                    until: "9999-12-31".into(),
                    granted_at: i64::MAX,
                    withdrawn: false,
                });
                let reader = match to {
                    ShareTo::Person(p) => Some(would.reader(*p)),
                    ShareTo::OurVolunteer => would.volunteer.map(|v| would.reader(v)),
                    ShareTo::Org(o) => Some(Reader { who: None, org: *o }),
                };
                let want: Result<BTreeSet<String>, ()> = match (to, reader) {
                    (ShareTo::Person(p), _) if model.removed.contains(p) => Err(()),
                    (_, None) => Ok(BTreeSet::new()),
                    (_, Some(r)) => Ok(match would.seen_by(r, &today) {
                        Seen::NotFound => BTreeSet::new(),
                        Seen::Items(items) => items.into_iter().map(|(id, _)| id).collect(),
                    }),
                };
                let got = match got {
                    Ok(items) => Ok(items.into_iter().map(|i| i.id).collect()),
                    Err(e) if is_bad(&e) => Err(()),
                    Err(e) => return Err(format!("preview {scope:?} {to:?}: {e:?}")),
                };
                if got != want {
                    return Err(format!(
                        "preview {scope:?} to {to:?}: store {got:?}, model {want:?}"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every log entry, oldest first: who, what, about which subject.
    /// Who reads each of the family's threads: every member who is in,
    /// and each staff member as the model says (`ThreadAccess::open`, the
    /// check every thread page and message goes through); and the threads
    /// each staff member's list shows.
    async fn compare_threads(&self) -> Result<(), String> {
        let db = self.db;
        // The rows the lists make on first sight, made now for the staff
        // who may talk (a row grants nothing).
        for who in STAFF {
            if let Ok(caller) = self.staff(who).await {
                messages::home(db, &caller, self.now).await.unwrap();
            }
        }
        let threads: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, role, staff_id FROM threads WHERE family_id = $1 ORDER BY id",
        )
        .bind(&self.family)
        .fetch_all(db.pool())
        .await
        .unwrap();
        let who_is = |id: &str| STAFF.into_iter().find(|w| self.ids[w] == id).unwrap();
        for (thread, role, staff_id) in &threads {
            let owner = who_is(staff_id);
            for who in STAFF {
                let Ok(caller) = self.staff(who).await else {
                    continue;
                };
                let got = access::ThreadAccess::open(db, &caller, thread, self.now)
                    .await
                    .is_ok();
                let want = self.model.reads_thread(who, role, owner);
                if got != want {
                    return Err(format!(
                        "{who:?} reads the {role} thread of {owner:?}: store {got}, model {want}"
                    ));
                }
            }
            for member in &self.model.members {
                let got = match Caller::member(db, &member.id).await {
                    Ok(c) => access::ThreadAccess::open(db, &c, thread, self.now)
                        .await
                        .is_ok(),
                    Err(_) => false,
                };
                let want = member.confirmed && !member.refused;
                if got != want {
                    return Err(format!("member {member:?} reads {thread}: store {got}"));
                }
            }
        }
        // Each live conversation has its thread, and staff list exactly
        // theirs.
        for who in STAFF {
            let Ok(caller) = self.staff(who).await else {
                continue;
            };
            let listed: BTreeSet<String> = messages::home(db, &caller, self.now)
                .await
                .unwrap()
                .threads
                .into_iter()
                .filter(|t| threads.iter().any(|(id, _, _)| *id == t.id))
                .map(|t| t.role)
                .collect();
            let want: BTreeSet<String> = ["coach", "volunteer"]
                .into_iter()
                .filter(|role| self.model.reads_thread(who, role, who))
                .map(str::to_string)
                .collect();
            if listed != want {
                return Err(format!("{who:?} lists {listed:?}, model {want:?}"));
            }
        }
        Ok(())
    }

    async fn compare_log(&self, access: &FamilyAccess) -> Result<(), String> {
        let mut got = log::entries(self.db, access, 100_000).await.unwrap();
        got.reverse();
        let got: Vec<MLog> = got
            .into_iter()
            .map(|e| MLog {
                actor: (e.actor_kind, e.actor_id),
                event: e.event,
                subject: e.subject_id,
            })
            .collect();
        let want = &self.model.log;
        let agree = got.len() == want.len()
            && got.iter().zip(want).all(|(g, w)| {
                g.actor == w.actor
                    && g.event == w.event
                    && (w.subject.is_none() || g.subject == w.subject)
            });
        if !agree {
            return Err(format!("log: store {got:#?}\nmodel {want:#?}"));
        }
        // Every entry is sealed in the family's chain.
        let check = log::verify(self.db, &self.family).await.unwrap();
        if check.broken_at.is_some() || check.entries != want.len() as i64 {
            return Err(format!("chain: {check:?} for {} entries", want.len()));
        }
        Ok(())
    }
}

/// Runs one scenario on the store and compares every reader with the model.
async fn check(
    db: &Db,
    orgs: &Orgs,
    secret: &SecretKey,
    start: i64,
    first_by_invite: bool,
    ops: &[Op],
) -> Result<(), String> {
    let now = start;
    let ids = make_cast(db, orgs, now).await;
    let coach1 = Caller::staff(db, &ids[&Who::Coach1]).await.unwrap();
    let family = accounts::create_family(db, coach1.as_staff().unwrap(), "Gezin Model", now)
        .await
        .map_err(|e| format!("{e:?}"))?;
    accounts::assign(
        db,
        &family,
        Some(&ids[&Who::Coach1]),
        Some(&ids[&Who::Volunteer1]),
        now,
    )
    .await
    .unwrap();
    let mut s = Scenario {
        db,
        orgs,
        secret,
        ids,
        family: family.clone(),
        model: Model::new(Who::Volunteer1),
        now,
    };
    // The first member: by the coach's invite (joining accepts the coach),
    // or entered by the service.
    let first = if first_by_invite {
        let invite = invites::create(db, secret, &coach1, &family, now)
            .await
            .unwrap();
        let id = s.join(&invite.code, "Amira").await?;
        s.model.expect(("member", &id), "member_joined", Some(&id));
        s.model
            .expect(("member", &id), "base_mandate_granted", None);
        s.model.mandates.push((Who::Coach1, false));
        id
    } else {
        accounts::add_member(db, &family, "Amira", Lang::Ar, now)
            .await
            .unwrap()
    };
    s.model.members.push(MMember {
        id: first,
        confirmed: true,
        refused: false,
    });

    // A member of another family, and nobody signed in, open nothing.
    let other_family = accounts::create_family(db, coach1.as_staff().unwrap(), "Gezin Ander", now)
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

    for op in ops {
        s.run(op).await?;
    }
    if FamilyAccess::open(db, &other_member, &family, s.now)
        .await
        .err()
        != Some(AppError::NotFound)
    {
        return Err("another family's member opened the family".into());
    }
    if FamilyAccess::open(db, &Caller::Anonymous, &family, s.now)
        .await
        .err()
        != Some(AppError::SignedOut)
    {
        return Err("anonymous opened the family".into());
    }
    s.compare().await
}

fn run(store: Store, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let test_db = rt.block_on(fresh_db_fast(store));
    let db = test_db.db.clone();
    let orgs = rt.block_on(async {
        let mut orgs = Vec::new();
        for org in ORGS {
            let id = accounts::create_organisation(&db, &format!("{org:?}"), 0)
                .await
                .unwrap();
            orgs.push((org, id));
        }
        Orgs(orgs)
    });
    let secret = SecretKey::generate();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let scenario = (
        prop::sample::select(starts()),
        any::<bool>(),
        prop::collection::vec(op(), 1..28),
    );
    runner
        .run(&scenario, |(start, first_by_invite, ops)| {
            rt.block_on(check(&db, &orgs, &secret, start, first_by_invite, &ops))
                .map_err(TestCaseError::fail)
        })
        .unwrap();
    // Each case made two families: prove the cases really ran on the store.
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
    run(Store::Sqlite, cases("ONSPLAN_MODEL_CASES", 2_000));
}

#[test]
fn access_layer_agrees_with_the_model_on_postgres() {
    if onsplan_tests::stores().contains(&Store::Postgres) {
        run(Store::Postgres, cases("ONSPLAN_MODEL_CASES_PG", 250));
    }
}

#[test]
fn the_model_itself_hides_only_us_from_the_coach() {
    // A sanity check that the model can say "no": a hidden goal hides its
    // action, and a share to the volunteer does not open to another one.
    let mut model = Model::new(Who::Volunteer1);
    model.mandates.push((Who::Coach1, false));
    model.items = vec![
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
    ];
    assert_eq!(
        model.seen_by(model.reader(Who::Coach1), "2026-11-19"),
        Seen::Items(BTreeSet::new())
    );
    assert_eq!(
        model.seen_by(model.reader(Who::Volunteer1), "2026-11-19"),
        Seen::NotFound
    );
}

#[test]
fn the_models_belgian_day_turns_at_local_midnight() {
    // 2026-03-29: 22:00 UTC is midnight summer time; 2026-10-25: 23:00 UTC
    // is midnight winter time.
    let at = |m: Month, d: u8, h: u8, s: u8| {
        Date::from_calendar_date(2026, m, d)
            .unwrap()
            .with_hms(h, 59, s)
            .unwrap()
            .assume_utc()
            .unix_timestamp()
    };
    assert_eq!(model_today(at(Month::March, 29, 21, 59)), "2026-03-29");
    assert_eq!(model_today(at(Month::March, 29, 21, 59) + 1), "2026-03-30");
    assert_eq!(model_today(at(Month::October, 25, 22, 59)), "2026-10-25");
    assert_eq!(
        model_today(at(Month::October, 25, 22, 59) + 1),
        "2026-10-26"
    );
    assert_eq!(model_today(at(Month::March, 28, 22, 59) + 1), "2026-03-29");
}
