//! Authorization, end to end: every registered server function × every kind
//! of caller gets the expected answer over real HTTP, and no answer ever
//! holds a text its caller has no consent for. The list of server functions
//! comes from the running code: a new one without a row here fails this
//! test. Also: revocation counts on the very next request, and bad input on
//! every server function is a 4xx that writes nothing.
//!
//! The world puts a marker text in every field a family (or its coach)
//! writes: items of every consent class (plain, "only us", under a hidden
//! goal, shared with our volunteer, a person, an organisation, a whole
//! domain, shared until a day that has passed), the plan header, mandate
//! questions (the current coach's, one on a hidden action, a former
//! coach's), share purposes, member names, people waiting to join, a
//! member's invite code. Each marker belongs to a class of readers; every
//! HTML page, every redirect (and the page it leads to) and every JSON
//! answer is scanned for markers its reader may not see, and each caller
//! must have seen every marker they may see somewhere, so that an empty
//! answer cannot pass for a safe one.

use std::collections::{BTreeMap, BTreeSet};

use onsplan_app::domain::access::ThreadAccess;
use onsplan_app::domain::access::{Caller, FamilyAccess, StaffRole};
use onsplan_app::domain::accounts;
use onsplan_app::domain::consent::{self, Recipient, ShareScope};
use onsplan_app::domain::invites;
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::messages;
use onsplan_app::domain::new_phone;
use onsplan_app::domain::plan::{self, ActionInput, PlanHeader};
use onsplan_app::domain::AppState;
use onsplan_tests::world::{staff, Page, Person};
use onsplan_tests::{stores, TestServer};

/// Who may see a marker: the readers of one consent class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// Family A's members only ("only us", the purpose of a share that
    /// ended or that "only us" holds back, the log, newcomers, a former
    /// coach's questions, the members' invite codes).
    FamilyOnly,
    /// Family A's members and its coach with a live base mandate (plain
    /// items, the plan header, the coach's questions, member names).
    WithCoach,
    /// … and whoever is the family's volunteer now (a share to "our volunteer").
    Volunteer,
    /// … and the partner worker the family shared with by name.
    Partner,
    /// … and anyone of the organisation the family shared with.
    Org,
    /// The purpose of a live share: family A's members and the share's
    /// recipient, not the coach (the family wrote it for them): a share to
    /// "our volunteer", …
    VolunteerShare,
    /// … to the partner worker by name, …
    PartnerShare,
    /// … to the organisation.
    OrgShare,
    /// A message in family A's thread with its coach: A's members and
    /// the coach (with a live base mandate).
    CoachThread,
    /// A message in A's thread with its volunteer: A's members and the
    /// volunteer (the family said yes to talking with her).
    VolunteerThread,
    /// Family B's members and B's coach (who has B's yes).
    OtherFamily,
    /// Family C, whose members withdrew their coach: none of our callers.
    FamilyC,
}

// Family A: the plan, seen by the family and its coach.
const PLAN: &str = "PLAN-MARK-gewoon";
const PLAN_ACTION: &str = "ACTION-MARK-stap";
const PLAN_NOTE: &str = "NOTE-MARK-huisvesting";
const END_CRITERIA: &str = "ENDCRITERIA-MARK-eigen-huis";
const HOLD_REASON: &str = "HOLDREASON-MARK-ziekenhuis";
const ASK_WHAT: &str = "ASKWHAT-MARK-bellen";
const ASK_COUNTERPARTY: &str = "ASKCOUNTERPARTY-MARK-woninggent";
const FIRST_NAME: &str = "MEMBERNAME-MARK-amal";
const SECOND_NAME: &str = "MEMBERNAME-MARK-yusuf";
const EXPIRED_ITEM: &str = "EXPIREDITEM-MARK-verlopen";
const EXPIRED_DOMAIN: &str = "EXPIREDDOMAIN-MARK-verlopen";
// Family A: only the family.
const HIDDEN: &str = "HIDDEN-MARK-alleen-ons";
const HIDDEN_GOAL: &str = "HIDDENGOAL-MARK-rust";
const HIDDEN_ACTION: &str = "HIDDENACTION-MARK-therapie";
const HIDDEN_NOTE: &str = "HIDDENNOTE-MARK-moe";
const HIDDEN_IN_DOMAIN: &str = "HIDDENPAPERS-MARK-schulden";
const HIDDEN_WHAT: &str = "HIDDENWHAT-MARK-afspraak";
const HIDDEN_COUNTERPARTY: &str = "HIDDENCOUNTERPARTY-MARK-psycholoog";
const FORMER_WHAT: &str = "FORMERWHAT-MARK-aanvraag";
const FORMER_COUNTERPARTY: &str = "FORMERCOUNTERPARTY-MARK-ocmw";
const PURPOSE_VOLUNTEER: &str = "PURPOSE-MARK-huiswerk";
const PURPOSE_PARTNER: &str = "PURPOSE-MARK-budget";
const PURPOSE_WITHDRAWN: &str = "PURPOSE-MARK-tweede";
const PURPOSE_WITHDRAWN_BY_SECOND: &str = "PURPOSE-MARK-derde";
const PURPOSE_DOMAIN: &str = "PURPOSE-MARK-papieren";
const PURPOSE_ORG_DOMAIN: &str = "PURPOSE-MARK-vrije-tijd";
const PURPOSE_ORG_ITEM: &str = "PURPOSE-MARK-netwerk";
const PURPOSE_EXPIRED_ITEM: &str = "PURPOSE-MARK-vervoer";
const PURPOSE_EXPIRED_DOMAIN: &str = "PURPOSE-MARK-veiligheid";
const PURPOSE_HIDDEN: &str = "PURPOSE-MARK-gepauzeerd";
const PURPOSE_ROW: &str = "PURPOSE-MARK-rij";
const NEWCOMER_NAME: &str = "NEWCOMER-MARK-nicht";
const SECOND_NEWCOMER_NAME: &str = "NEWCOMER-MARK-tante";
// Family A: shared.
const VOLUNTEER: &str = "VOLUNTEER-MARK-gedeeld";
const VOLUNTEER_ACTION: &str = "VOLUNTEERACTION-MARK-lezen";
const VOLUNTEER_NOTE: &str = "VOLUNTEERNOTE-MARK-juf";
const PARTNER: &str = "PARTNER-MARK-gedeeld";
const PAPERS_GOAL: &str = "PAPERSGOAL-MARK-attesten";
const PAPERS_LATER: &str = "PAPERSLATER-MARK-later";
const ORG_DOMAIN: &str = "ORGDOMAIN-MARK-sport";
const ORG_ITEM: &str = "ORGITEM-MARK-buren";
// Family A: messages.
const COACH_THREAD: &str = "THREAD-MARK-coach";
const COACH_THREAD_REPLY: &str = "THREAD-MARK-antwoord";
const VOLUNTEER_THREAD: &str = "THREAD-MARK-vrijwilliger";
const VOLUNTEER_THREAD_REPLY: &str = "THREAD-MARK-woensdag";
const FORMER_THREAD: &str = "THREAD-MARK-wim";
const APPOINTMENT_NOTE: &str = "THREAD-MARK-bibliotheek";
const FORMER_VOLUNTEER_THREAD: &str = "THREAD-MARK-greet";
// Families B and C.
const OTHER: &str = "OTHER-MARK-ander-gezin";
const OTHER_NAME: &str = "OTHERNAME-MARK-bart";
const FAMILY_C: &str = "FAMILYC-MARK-zonder-coach";
const FAMILY_C_NAME: &str = "FAMILYCNAME-MARK-chris";

const MARKS: &[(&str, Class)] = &[
    (PLAN, Class::WithCoach),
    (PLAN_ACTION, Class::WithCoach),
    (PLAN_NOTE, Class::WithCoach),
    (END_CRITERIA, Class::WithCoach),
    (HOLD_REASON, Class::WithCoach),
    (ASK_WHAT, Class::WithCoach),
    (ASK_COUNTERPARTY, Class::WithCoach),
    (FIRST_NAME, Class::WithCoach),
    (SECOND_NAME, Class::WithCoach),
    (EXPIRED_ITEM, Class::WithCoach),
    (EXPIRED_DOMAIN, Class::WithCoach),
    (HIDDEN, Class::FamilyOnly),
    (HIDDEN_GOAL, Class::FamilyOnly),
    (HIDDEN_ACTION, Class::FamilyOnly),
    (HIDDEN_NOTE, Class::FamilyOnly),
    (HIDDEN_IN_DOMAIN, Class::FamilyOnly),
    (HIDDEN_WHAT, Class::FamilyOnly),
    (HIDDEN_COUNTERPARTY, Class::FamilyOnly),
    (FORMER_WHAT, Class::FamilyOnly),
    (FORMER_COUNTERPARTY, Class::FamilyOnly),
    (PURPOSE_VOLUNTEER, Class::VolunteerShare),
    (PURPOSE_PARTNER, Class::PartnerShare),
    (PURPOSE_WITHDRAWN, Class::PartnerShare),
    (PURPOSE_WITHDRAWN_BY_SECOND, Class::PartnerShare),
    (PURPOSE_DOMAIN, Class::PartnerShare),
    (PURPOSE_ORG_DOMAIN, Class::OrgShare),
    (PURPOSE_ORG_ITEM, Class::OrgShare),
    (PURPOSE_EXPIRED_ITEM, Class::FamilyOnly),
    (PURPOSE_EXPIRED_DOMAIN, Class::FamilyOnly),
    (PURPOSE_HIDDEN, Class::FamilyOnly),
    (PURPOSE_ROW, Class::VolunteerShare),
    (NEWCOMER_NAME, Class::FamilyOnly),
    (SECOND_NEWCOMER_NAME, Class::FamilyOnly),
    (VOLUNTEER, Class::Volunteer),
    (VOLUNTEER_ACTION, Class::Volunteer),
    (VOLUNTEER_NOTE, Class::Volunteer),
    (PARTNER, Class::Partner),
    (PAPERS_GOAL, Class::Partner),
    (PAPERS_LATER, Class::Partner),
    (ORG_DOMAIN, Class::Org),
    (ORG_ITEM, Class::Org),
    (COACH_THREAD, Class::CoachThread),
    (COACH_THREAD_REPLY, Class::CoachThread),
    (VOLUNTEER_THREAD, Class::VolunteerThread),
    (VOLUNTEER_THREAD_REPLY, Class::VolunteerThread),
    (FORMER_THREAD, Class::FamilyOnly),
    (APPOINTMENT_NOTE, Class::CoachThread),
    (FORMER_VOLUNTEER_THREAD, Class::FamilyOnly),
    (OTHER, Class::OtherFamily),
    (OTHER_NAME, Class::OtherFamily),
    (FAMILY_C, Class::FamilyC),
    (FAMILY_C_NAME, Class::FamilyC),
];

/// Markers no page shows to anyone, not even to those who may see them:
/// the purpose of a share whose end day passed ("Who can see this?" lists
/// live shares only) or that was withdrawn during the run. They are still
/// scanned for; they are only exempt from "must have been seen".
const SHOWN_TO_NOBODY: &[&str] = &[PURPOSE_EXPIRED_ITEM, PURPOSE_EXPIRED_DOMAIN];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    /// A member of family B.
    OtherMember,
    /// Family C's coach, whose base mandate C withdrew.
    CoachWithout,
    /// Another coach of the same organisation (family B's coach).
    Colleague,
    /// A coach of another organisation.
    Stranger,
    /// Family A's first coach, replaced by the organisation (their base
    /// mandate ended with it); they asked a question while they coached.
    FormerCoach,
    VolunteerWithout,
    /// Family A's volunteer before the organisation replaced them: a share
    /// to "our volunteer" reached them then, and no longer.
    FormerVolunteer,
    PartnerWithout,
    /// A partner worker whose shares' end day has passed.
    ExpiredPartner,
    Volunteer,
    Partner,
    /// Someone of an organisation the family shared a domain and an item with.
    OrgWorker,
    /// The coordinator of that organisation: sees no family content, so
    /// no share to the organisation reaches them.
    Coordinator,
    Coach,
    /// The member who joined second, on the first member's invite.
    SecondMember,
    Member,
}

const EVERYONE: [Who; 17] = [
    Who::Anonymous,
    Who::Coordinator,
    Who::OtherMember,
    Who::CoachWithout,
    Who::Colleague,
    Who::Stranger,
    Who::FormerCoach,
    Who::VolunteerWithout,
    Who::FormerVolunteer,
    Who::PartnerWithout,
    Who::ExpiredPartner,
    Who::Volunteer,
    Who::Partner,
    Who::OrgWorker,
    Who::Coach,
    Who::SecondMember,
    Who::Member,
];

impl Who {
    /// The classes of markers this caller may ever receive.
    fn may_see(self) -> &'static [Class] {
        use Class::*;
        match self {
            Who::Member | Who::SecondMember => &[
                FamilyOnly,
                WithCoach,
                Volunteer,
                Partner,
                Org,
                VolunteerShare,
                PartnerShare,
                OrgShare,
                CoachThread,
                VolunteerThread,
            ],
            Who::Coach => &[WithCoach, Volunteer, Partner, Org, CoachThread],
            Who::Volunteer => &[Volunteer, VolunteerShare, VolunteerThread],
            Who::Partner => &[Partner, PartnerShare],
            Who::OrgWorker => &[Org, OrgShare],
            Who::OtherMember | Who::Colleague => &[OtherFamily],
            _ => &[],
        }
    }

    fn is_member(self) -> bool {
        matches!(self, Who::Member | Who::SecondMember | Who::OtherMember)
    }
}

struct Ids {
    family: String,
    other_family: String,
    family_c: String,
    goal: String,
    action: String,
    hidden: String,
    hidden_goal: String,
    hidden_action: String,
    vol_goal: String,
    vol_action: String,
    partner_item: String,
    papers_goal: String,
    org_item: String,
    expired_item: String,
    /// The organisation the family shared with, and the partner worker.
    org: String,
    partner: String,
    /// The current coach's question, theirs on a hidden action, and the
    /// former coach's.
    mandate: String,
    hidden_question: String,
    former_question: String,
    withdrawable_share: String,
    /// The share the second member withdraws (the first withdraws the other).
    second_share: String,
    /// Someone the coach invited, waiting for the family's yes (one for
    /// each member to answer).
    newcomer: String,
    second_newcomer: String,
    /// An unused invite code a member made: never for the coach's eyes.
    member_code: String,
    /// Yusuf, the second member (whom "new phone" codes are made for).
    yusuf: String,
    /// Two members Amal invited, whom each member can remove.
    removable: String,
    second_removable: String,
    /// An unused "new phone" code a member made: never for the coach's eyes
    /// (it would let the coach in as a member).
    new_phone_code: String,
    /// A's threads with its coach, its volunteer, its former coach and its
    /// former volunteer; and a message Amal wrote a minute ago.
    coach_thread: String,
    volunteer_thread: String,
    /// A photo in the coach's thread, a voice message in the volunteer's,
    /// a photo in the former coach's (now the family's alone).
    coach_photo: String,
    volunteer_voice: String,
    former_photo: String,
    former_thread: String,
    former_volunteer_thread: String,
    deletable: String,
    /// Sara's proposals of an appointment in the coach's thread (one for
    /// each member to accept).
    proposal: String,
    second_proposal: String,
}

impl Ids {
    /// Every marker with its class; the member's invite code is known only
    /// once the world is made.
    fn marks(&self) -> Vec<(String, Class)> {
        let mut marks: Vec<(String, Class)> =
            MARKS.iter().map(|(m, c)| (m.to_string(), *c)).collect();
        marks.push((self.member_code.clone(), Class::FamilyOnly));
        marks.push((self.new_phone_code.clone(), Class::FamilyOnly));
        marks
    }
}

/// Joins over HTTP with an invite code, as a new phone does.
async fn join(server: &TestServer, code: &str, name: &str) -> Person {
    let phone = Person::new(server);
    let r = phone
        .post(
            "/api/join",
            "/join",
            &[("code", code), ("lang", "nl-BE"), ("name", name)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/plan"), "{}", r.body);
    phone
}

/// A member joins `family` over HTTP (invite made by `coach`).
async fn member(server: &TestServer, coach: &str, family: &str, name: &str) -> Person {
    let state = &server.state;
    let caller = Caller::staff(&state.db, coach).await.unwrap();
    let invite = invites::create(&state.db, &state.secret, &caller, family, state.clock.now())
        .await
        .unwrap();
    join(server, &invite.code, name).await
}

/// A confirmed member of `family`, as a caller.
async fn member_caller(state: &AppState, family: &str) -> Caller {
    let id: String = sqlx::query_scalar(
        "SELECT id FROM members WHERE family_id = $1 AND confirmed_at IS NOT NULL
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(family)
    .fetch_one(state.db.pool())
    .await
    .unwrap();
    Caller::member(&state.db, &id).await.unwrap()
}

async fn member_access(state: &AppState, family: &str) -> FamilyAccess {
    let caller = member_caller(state, family).await;
    FamilyAccess::open(&state.db, &caller, family, state.clock.now())
        .await
        .unwrap()
}

async fn staff_access(state: &AppState, staff_id: &str, family: &str) -> FamilyAccess {
    let caller = Caller::staff(&state.db, staff_id).await.unwrap();
    FamilyAccess::open(&state.db, &caller, family, state.clock.now())
        .await
        .unwrap()
}

/// The one thread `caller` may read in `role`, made on first sight.
async fn thread_of(state: &AppState, caller: &Caller, role: &str) -> String {
    let home = messages::home(&state.db, caller, state.clock.now())
        .await
        .unwrap();
    let mut ids = home.threads.iter().filter(|t| t.role == role && t.live);
    let id = ids.next().expect("a thread").id.clone();
    assert!(ids.next().is_none());
    id
}

/// `caller` sends a photo (`photo`) or a voice message in `thread`; the
/// message's id.
async fn media(state: &AppState, caller: &Caller, thread: &str, photo: bool) -> String {
    use onsplan_app::domain::media;
    let made = if photo {
        media::photo(&onsplan_tests::files::jpeg_with_exif(40, 30)).unwrap()
    } else {
        media::voice(&onsplan_tests::files::ogg(3)).unwrap()
    };
    let access = ThreadAccess::open(&state.db, caller, thread, state.clock.now())
        .await
        .unwrap();
    messages::post_media(
        &state.db,
        &state.live,
        &access,
        &made,
        onsplan_app::lang::Lang::NlBe,
        None,
    )
    .await
    .unwrap()
}

/// `caller` writes `body` in `thread`; the message's id.
async fn write(state: &AppState, caller: &Caller, thread: &str, body: &str) -> String {
    let access = ThreadAccess::open(&state.db, caller, thread, state.clock.now())
        .await
        .unwrap();
    messages::post_text(
        &state.db,
        &state.live,
        &access,
        body,
        onsplan_app::lang::Lang::NlBe,
        None,
    )
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
    let buurtwerk = accounts::create_organisation(db, "Buurtwerk", now)
        .await
        .unwrap();
    let coach = staff(state, &org, StaffRole::Coach, "Sara").await;
    let former_coach = staff(state, &org, StaffRole::Coach, "Wim").await;
    let coach_without = staff(state, &org, StaffRole::Coach, "Lies").await;
    let colleague = staff(state, &org, StaffRole::Coach, "Koen").await;
    let stranger = staff(state, &third, StaffRole::Coach, "Els").await;
    let volunteer = staff(state, &org, StaffRole::Volunteer, "Marleen").await;
    let former_volunteer = staff(state, &org, StaffRole::Volunteer, "Greet").await;
    let volunteer_without = staff(state, &org, StaffRole::Volunteer, "Rita").await;
    let partner = staff(state, &ocmw, StaffRole::Partner, "Pieter").await;
    let partner_without = staff(state, &ocmw, StaffRole::Partner, "Jan").await;
    let expired_partner = staff(state, &ocmw, StaffRole::Partner, "Ilse").await;
    let org_worker = staff(state, &buurtwerk, StaffRole::Partner, "Fien").await;
    let coordinator = staff(state, &buurtwerk, StaffRole::Coordinator, "Hilde").await;

    let new_family = |coach_id: String, name: &'static str| async move {
        let c = Caller::staff(db, &coach_id).await.unwrap();
        accounts::create_family(db, c.as_staff().unwrap(), name, now)
            .await
            .unwrap()
    };
    // Family A starts with Wim as its coach and Greet as its volunteer.
    let a = new_family(former_coach.id.clone(), "Gezin A").await;
    accounts::assign(
        db,
        &a,
        Some(&former_coach.id),
        Some(&former_volunteer.id),
        now,
    )
    .await
    .unwrap();
    let b = new_family(colleague.id.clone(), "Gezin B").await;
    let c = new_family(coach_without.id.clone(), "Gezin C").await;

    let mut people = BTreeMap::new();
    people.insert(
        Who::Member,
        member(server, &former_coach.id, &a, &format!("Amal {FIRST_NAME}")).await,
    );
    people.insert(
        Who::OtherMember,
        member(server, &colleague.id, &b, &format!("Bart {OTHER_NAME}")).await,
    );
    let _c_member = member(
        server,
        &coach_without.id,
        &c,
        &format!("Chris {FAMILY_C_NAME}"),
    )
    .await;
    // Family C stops working with its coach: "own coach without base mandate".
    let c_access = member_access(state, &c).await;
    plan::add_goal(db, &c_access, "work", FAMILY_C)
        .await
        .unwrap();
    consent::withdraw_coach(db, &c_access).await.unwrap();
    let other = member_access(state, &b).await;
    plan::add_goal(db, &other, "work", OTHER).await.unwrap();

    let fam = member_access(state, &a).await;
    let share = |scope: ShareScope, to: Recipient, purpose: &'static str, until: String| {
        let fam = fam.clone();
        async move {
            consent::share(db, &fam, &scope, &to, purpose, &until)
                .await
                .unwrap()
        }
    };
    let later = || "2027-06-30".to_string();
    let today = state.clock.today();
    let input = |body: &str| ActionInput {
        body: body.into(),
        who: "coach".into(),
        due: None,
        status: "todo".into(),
    };
    // Plain items, seen by the family and its coach.
    let goal = plan::add_goal(db, &fam, "housing", PLAN).await.unwrap();
    let action = plan::add_action(db, &fam, &goal, &input(PLAN_ACTION))
        .await
        .unwrap();
    plan::add_note(db, &fam, "housing", None, PLAN_NOTE)
        .await
        .unwrap();
    plan::set_header(
        db,
        &fam,
        &PlanHeader {
            intensity: "intensive".into(),
            next_evaluation: Some("2027-02-01".into()),
            end_criteria: END_CRITERIA.into(),
            status: "on_hold".into(),
            hold_reason: HOLD_REASON.into(),
            end_criteria_lang: None,
            hold_reason_lang: None,
        },
    )
    .await
    .unwrap();
    // "Only us".
    let hidden = plan::add_note(db, &fam, "health", None, HIDDEN)
        .await
        .unwrap();
    consent::set_only_us(db, &fam, &hidden, true).await.unwrap();
    let hidden_goal = plan::add_goal(db, &fam, "wellbeing", HIDDEN_GOAL)
        .await
        .unwrap();
    let hidden_action = plan::add_action(db, &fam, &hidden_goal, &input(HIDDEN_ACTION))
        .await
        .unwrap();
    plan::add_note(db, &fam, "wellbeing", Some(&hidden_goal), HIDDEN_NOTE)
        .await
        .unwrap();
    // Shared with "our volunteer": the goal, its action and its note.
    let vol_goal = plan::add_goal(db, &fam, "school", VOLUNTEER).await.unwrap();
    let vol_action = plan::add_action(db, &fam, &vol_goal, &input(VOLUNTEER_ACTION))
        .await
        .unwrap();
    plan::add_note(db, &fam, "school", Some(&vol_goal), VOLUNTEER_NOTE)
        .await
        .unwrap();
    share(
        ShareScope::Item(vol_goal.clone()),
        Recipient::OurVolunteer,
        PURPOSE_VOLUNTEER,
        later(),
    )
    .await;
    // Shared with the partner worker by name: one goal, and a whole domain
    // (with an item added after sharing, and one kept "only us").
    let partner_item = plan::add_goal(db, &fam, "money", PARTNER).await.unwrap();
    let to_partner = || Recipient::Person(partner.id.clone());
    share(
        ShareScope::Item(partner_item.clone()),
        to_partner(),
        PURPOSE_PARTNER,
        later(),
    )
    .await;
    let withdrawable_share = share(
        ShareScope::Item(partner_item.clone()),
        to_partner(),
        PURPOSE_WITHDRAWN,
        later(),
    )
    .await;
    let second_share = share(
        ShareScope::Item(partner_item.clone()),
        to_partner(),
        PURPOSE_WITHDRAWN_BY_SECOND,
        later(),
    )
    .await;
    let papers_goal = plan::add_goal(db, &fam, "papers", PAPERS_GOAL)
        .await
        .unwrap();
    let papers_hidden = plan::add_goal(db, &fam, "papers", HIDDEN_IN_DOMAIN)
        .await
        .unwrap();
    consent::set_only_us(db, &fam, &papers_hidden, true)
        .await
        .unwrap();
    share(
        ShareScope::Domain("papers".into()),
        to_partner(),
        PURPOSE_DOMAIN,
        later(),
    )
    .await;
    plan::add_note(db, &fam, "papers", None, PAPERS_LATER)
        .await
        .unwrap();
    // Shared with an organisation: a whole domain, and one goal.
    plan::add_goal(db, &fam, "free-time", ORG_DOMAIN)
        .await
        .unwrap();
    share(
        ShareScope::Domain("free-time".into()),
        Recipient::Organisation(buurtwerk.clone()),
        PURPOSE_ORG_DOMAIN,
        later(),
    )
    .await;
    let org_item = plan::add_goal(db, &fam, "network", ORG_ITEM).await.unwrap();
    share(
        ShareScope::Item(org_item.clone()),
        Recipient::Organisation(buurtwerk.clone()),
        PURPOSE_ORG_ITEM,
        later(),
    )
    .await;
    // Shared until today, which passes below: one goal and one domain.
    let expired_item = plan::add_goal(db, &fam, "mobility", EXPIRED_ITEM)
        .await
        .unwrap();
    share(
        ShareScope::Item(expired_item.clone()),
        Recipient::Person(expired_partner.id.clone()),
        PURPOSE_EXPIRED_ITEM,
        today.clone(),
    )
    .await;
    plan::add_goal(db, &fam, "safety", EXPIRED_DOMAIN)
        .await
        .unwrap();
    share(
        ShareScope::Domain("safety".into()),
        Recipient::Person(expired_partner.id.clone()),
        PURPOSE_EXPIRED_DOMAIN,
        today.clone(),
    )
    .await;
    // Today the expiring shares, and the volunteer's, do count.
    for (who, id) in [
        ("the partner whose shares expire", &expired_partner.id),
        ("the volunteer about to be replaced", &former_volunteer.id),
    ] {
        let caller = Caller::staff(db, id).await.unwrap();
        assert!(
            FamilyAccess::open(db, &caller, &a, state.clock.now())
                .await
                .is_ok(),
            "{who} opens the family before the change"
        );
    }

    // Wim, the first coach, asks a question; then the organisation gives
    // the family Sara and Marleen, and the family accepts Sara.
    let former_question = mandates::ask(
        db,
        &staff_access(state, &former_coach.id, &a).await,
        &action,
        &MandateInput {
            help: "call".into(),
            party: "other".into(),
            party_name: FORMER_COUNTERPARTY.into(),
            facts: vec!["income".into()],
            words: FORMER_WHAT.into(),
            until: "2027-01-31".into(),
        },
    )
    .await
    .unwrap();
    // The family talks with Wim, and (after its yes) with Greet.
    let amal_caller = member_caller(state, &a).await;
    let wim = Caller::staff(db, &former_coach.id).await.unwrap();
    let former_thread = thread_of(state, &wim, "coach").await;
    write(state, &wim, &former_thread, FORMER_THREAD).await;
    let former_photo = media(state, &wim, &former_thread, true).await;
    messages::set_talk(db, &state.live, &member_access(state, &a).await, true, None)
        .await
        .unwrap();
    let greet = Caller::staff(db, &former_volunteer.id).await.unwrap();
    let former_volunteer_thread = thread_of(state, &greet, "volunteer").await;
    write(
        state,
        &greet,
        &former_volunteer_thread,
        FORMER_VOLUNTEER_THREAD,
    )
    .await;
    accounts::assign(db, &a, Some(&coach.id), Some(&volunteer.id), now)
        .await
        .unwrap();
    consent::accept_coach(db, &member_access(state, &a).await)
        .await
        .unwrap();
    let coach_access = staff_access(state, &coach.id, &a).await;
    // Sara and the family talk; the family says yes to Marleen, and they
    // talk too.
    let sara = Caller::staff(db, &coach.id).await.unwrap();
    let coach_thread = thread_of(state, &sara, "coach").await;
    write(state, &sara, &coach_thread, COACH_THREAD).await;
    write(state, &amal_caller, &coach_thread, COACH_THREAD_REPLY).await;
    let coach_photo = media(state, &amal_caller, &coach_thread, true).await;
    let mut proposals = Vec::new();
    for day in ["2027-01-15", "2027-01-22"] {
        proposals.push(
            messages::propose(
                db,
                &state.live,
                &ThreadAccess::open(db, &sara, &coach_thread, now)
                    .await
                    .unwrap(),
                day,
                "10:00",
                "other",
                APPOINTMENT_NOTE,
                None,
                onsplan_app::lang::Lang::NlBe,
                None,
            )
            .await
            .unwrap(),
        );
    }
    let [proposal, second_proposal] = <[String; 2]>::try_from(proposals).unwrap();
    messages::set_talk(db, &state.live, &member_access(state, &a).await, true, None)
        .await
        .unwrap();
    let marleen = Caller::staff(db, &volunteer.id).await.unwrap();
    let volunteer_thread = thread_of(state, &marleen, "volunteer").await;
    write(state, &marleen, &volunteer_thread, VOLUNTEER_THREAD).await;
    write(
        state,
        &amal_caller,
        &volunteer_thread,
        VOLUNTEER_THREAD_REPLY,
    )
    .await;
    let volunteer_voice = media(state, &marleen, &volunteer_thread, false).await;
    let mandate = mandates::ask(
        db,
        &coach_access,
        &action,
        &MandateInput {
            help: "call".into(),
            party: "other".into(),
            party_name: ASK_COUNTERPARTY.into(),
            facts: vec!["income".into()],
            words: ASK_WHAT.into(),
            until: "2027-01-31".into(),
        },
    )
    .await
    .unwrap();
    // Sara asks about an action whose goal the family then keeps to itself
    // (and shares with "our volunteer", which "only us" pauses).
    let hidden_question = mandates::ask(
        db,
        &coach_access,
        &hidden_action,
        &MandateInput {
            help: "call".into(),
            party: "other".into(),
            party_name: HIDDEN_COUNTERPARTY.into(),
            facts: vec!["income".into()],
            words: HIDDEN_WHAT.into(),
            until: "2027-01-31".into(),
        },
    )
    .await
    .unwrap();
    consent::set_only_us(db, &fam, &hidden_goal, true)
        .await
        .unwrap();
    share(
        ShareScope::Item(hidden_goal.clone()),
        Recipient::OurVolunteer,
        PURPOSE_HIDDEN,
        later(),
    )
    .await;

    // Two people Sara invited wait for the family's yes.
    let mut waiting = Vec::new();
    for name in [NEWCOMER_NAME, SECOND_NEWCOMER_NAME] {
        let invite = invites::create(
            db,
            &state.secret,
            &Caller::staff(db, &coach.id).await.unwrap(),
            &a,
            now,
        )
        .await
        .unwrap();
        let newcomer = invites::redeem(
            db,
            &state.secret,
            &Caller::Anonymous,
            &invite.code,
            name,
            onsplan_app::lang::Lang::NlBe,
            now,
        )
        .await
        .unwrap();
        waiting.push(newcomer.as_member().unwrap().member_id().to_string());
    }
    // Amal invites Yusuf, who joins; and makes one more invite, unused.
    let amal = member_caller(state, &a).await;
    let invite = invites::create(db, &state.secret, &amal, &a, now)
        .await
        .unwrap();
    people.insert(
        Who::SecondMember,
        join(server, &invite.code, &format!("Yusuf {SECOND_NAME}")).await,
    );
    let member_code = invites::create(db, &state.secret, &amal, &a, now)
        .await
        .unwrap()
        .code;
    // Two more people Amal invited, who joined: one for each member to remove.
    let mut removable = Vec::new();
    for name in ["Hanna", "Omar"] {
        let invite = invites::create(db, &state.secret, &amal, &a, now)
            .await
            .unwrap();
        let joined = invites::redeem(
            db,
            &state.secret,
            &Caller::Anonymous,
            &invite.code,
            name,
            onsplan_app::lang::Lang::NlBe,
            now,
        )
        .await
        .unwrap();
        removable.push(joined.as_member().unwrap().member_id().to_string());
    }
    let [removable, second_removable] = <[String; 2]>::try_from(removable).unwrap();

    // The next Belgian day: the shares that ended today no longer count.
    state.clock.advance(86_400);
    // Amal makes a "new phone" code for Yusuf (it works for one day).
    let yusuf: String = sqlx::query_scalar("SELECT id FROM members WHERE display_name = $1")
        .bind(format!("Yusuf {SECOND_NAME}"))
        .fetch_one(db.pool())
        .await
        .unwrap();
    let new_phone_code = new_phone::create(db, &state.secret, &amal, &a, &yusuf, state.clock.now())
        .await
        .unwrap()
        .code;
    // Amal writes something she may still delete.
    let deletable = write(state, &amal, &coach_thread, "weg ermee").await;

    for (who, account) in [
        (Who::Coach, &coach),
        (Who::FormerCoach, &former_coach),
        (Who::CoachWithout, &coach_without),
        (Who::Colleague, &colleague),
        (Who::Stranger, &stranger),
        (Who::Volunteer, &volunteer),
        (Who::FormerVolunteer, &former_volunteer),
        (Who::VolunteerWithout, &volunteer_without),
        (Who::Partner, &partner),
        (Who::PartnerWithout, &partner_without),
        (Who::ExpiredPartner, &expired_partner),
        (Who::OrgWorker, &org_worker),
        (Who::Coordinator, &coordinator),
    ] {
        let p = Person::new(server);
        p.sign_in(&account.email).await;
        people.insert(who, p);
    }
    people.insert(Who::Anonymous, Person::new(server));
    assert_eq!(people.len(), EVERYONE.len());
    let [newcomer, second_newcomer] = <[String; 2]>::try_from(waiting).unwrap();
    (
        people,
        Ids {
            family: a,
            other_family: b,
            family_c: c,
            goal,
            action,
            hidden,
            hidden_goal,
            hidden_action,
            vol_goal,
            vol_action,
            partner_item,
            papers_goal,
            org_item,
            expired_item,
            org: buurtwerk,
            partner: partner.id.clone(),
            mandate,
            hidden_question,
            former_question,
            withdrawable_share,
            second_share,
            newcomer,
            second_newcomer,
            member_code,
            yusuf,
            removable,
            second_removable,
            new_phone_code,
            coach_thread,
            volunteer_thread,
            coach_photo,
            volunteer_voice,
            former_photo,
            former_thread,
            former_volunteer_thread,
            deletable,
            proposal,
            second_proposal,
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

/// Whether `status` is the answer `want` stands for, for `who`.
fn answers(want: Expect, who: Who, status: u16) -> bool {
    match want {
        Expect::Ok => (200..300).contains(&status),
        Expect::Bad => status == 400,
        Expect::Conflict => status == 409,
        Expect::Denied if who == Who::Anonymous => status == 401,
        Expect::Denied => status == 404,
    }
}

/// Who may call: each a `fn(Who) -> Expect`, shared by the server
/// functions' rows and the pages that show them.
mod may {
    use super::{Expect, Expect::*, Who};

    fn only(ok: bool) -> Expect {
        if ok {
            Ok
        } else {
            Denied
        }
    }
    /// A member of family A.
    pub fn member_only(w: Who) -> Expect {
        only(matches!(w, Who::Member | Who::SecondMember))
    }
    /// Who writes A's plan: its members and its accepted coach.
    pub fn writers(w: Who) -> Expect {
        only(matches!(w, Who::Member | Who::SecondMember | Who::Coach))
    }
    /// A member of any family (their own).
    pub fn any_member(w: Who) -> Expect {
        only(w.is_member())
    }
    pub fn coach_only(w: Who) -> Expect {
        only(w == Who::Coach)
    }
    /// Staff who may open family A: its coach and those its shares reach.
    pub fn staff_in_a(w: Who) -> Expect {
        only(matches!(
            w,
            Who::Coach | Who::Volunteer | Who::Partner | Who::OrgWorker
        ))
    }
    /// Family B's coach.
    pub fn staff_in_b(w: Who) -> Expect {
        only(w == Who::Colleague)
    }
    /// Who reads A's thread with its coach.
    pub fn coach_thread(w: Who) -> Expect {
        only(matches!(w, Who::Member | Who::SecondMember | Who::Coach))
    }
    /// Who reads A's thread with its volunteer.
    pub fn volunteer_thread(w: Who) -> Expect {
        only(matches!(
            w,
            Who::Member | Who::SecondMember | Who::Volunteer
        ))
    }
    /// A's members say OK to Sara's proposals (one each); Sara never
    /// says OK to her own.
    pub fn members_accept(w: Who) -> Expect {
        match w {
            Who::SecondMember | Who::Member => Ok,
            Who::Coach => Bad,
            _ => Denied,
        }
    }
    /// Amal, who wrote the message.
    pub fn first_member(w: Who) -> Expect {
        only(w == Who::Member)
    }
    pub fn nobody(_: Who) -> Expect {
        Denied
    }
    pub fn any_staff(w: Who) -> Expect {
        only(w != Who::Anonymous && !w.is_member())
    }
    pub fn coaches(w: Who) -> Expect {
        only(matches!(
            w,
            Who::Coach | Who::CoachWithout | Who::Colleague | Who::Stranger | Who::FormerCoach
        ))
    }
    pub fn signed_in(w: Who) -> Expect {
        only(w != Who::Anonymous)
    }
    pub fn everyone_ok(_: Who) -> Expect {
        Ok
    }
    pub fn everyone_bad(_: Who) -> Expect {
        Bad
    }
    /// A member of a family gets a clear refusal; anyone else nothing.
    pub fn members_bad(w: Who) -> Expect {
        if w.is_member() {
            Bad
        } else {
            Denied
        }
    }
    pub fn staff_never_join(w: Who) -> Expect {
        if w == Who::Anonymous || w.is_member() {
            Bad
        } else {
            Conflict
        }
    }
}

/// A P-256 public key as a browser sends it (65 bytes, uncompressed).
const PUSH_P256DH: &str =
    "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// The expected answer for each caller.
type MayCall = fn(Who) -> Expect;

/// The row of one server function: the fields to send, and the expected
/// answer for each caller.
type Row = (Vec<(&'static str, String)>, MayCall);

fn row(path: &str, ids: &Ids) -> Option<Row> {
    use may::*;
    let f = |k: &'static str, v: &str| (k, v.to_string());
    let fam = || f("family", &ids.family);
    let name = path.trim_start_matches("/api/");
    Some(match name {
        "our-plan" | "who-looked" => (vec![], any_member as MayCall),
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
        // Writes the header the world made again, so that what the header
        // holds stays what the markers say.
        "set-header" => (
            vec![
                fam(),
                f("intensity", "low"),
                f("end_criteria", END_CRITERIA),
                f("status", "on_hold"),
                f("hold_reason", HOLD_REASON),
            ],
            writers,
        ),
        "only-us" => (
            vec![fam(), f("item", &ids.hidden), f("on", "1")],
            member_only,
        ),
        // Shares again what "our volunteer" already sees, for a purpose
        // only the family may read.
        "share" => (
            vec![
                fam(),
                f("item", &ids.vol_goal),
                f("to", "volunteer"),
                f("purpose", PURPOSE_ROW),
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
        "new-phone-code" => (vec![f("member", &ids.yusuf)], member_only),
        "reentry-code" => (vec![fam(), f("member", &ids.yusuf)], coach_only),
        "member-to-remove" => (vec![f("id", &ids.removable)], member_only),
        "dismiss-notices" => (vec![f("until", "0")], any_member),
        "come-back" => (vec![f("code", "ZZZ-ZZZ-ZZZ")], staff_never_join),
        "ask-view" => (vec![fam(), f("action", &ids.action)], coach_only),
        // The family refuses: a newcomer confirmed would join the frame the
        // coach sees, while their name is the family's until then.
        "confirm-member" => (vec![f("member", &ids.newcomer), f("yes", "0")], member_only),
        "ask" => (
            vec![
                fam(),
                f("action", &ids.action),
                f("help", "call"),
                f("party", "landlord"),
                f("party_name", "c"),
                f("facts[]", "income"),
                f("words", "w"),
                f("until", "2027-01-01"),
            ],
            coach_only,
        ),
        "my-families" => (vec![], any_staff),
        "messages" => (vec![], signed_in),
        "thread" => (vec![f("id", &ids.coach_thread)], coach_thread),
        "post-message" => (
            vec![f("thread", &ids.coach_thread), f("body", "tot morgen")],
            coach_thread,
        ),
        "post-phrase" => (
            vec![f("thread", &ids.coach_thread), f("phrase", "thank-you")],
            coach_thread,
        ),
        "propose-appointment" => (
            vec![
                f("thread", &ids.coach_thread),
                f("day", "2027-02-01"),
                f("time", "14:00"),
                f("place", "phone"),
            ],
            coach_thread,
        ),
        "accept-appointment" => (
            vec![f("thread", &ids.coach_thread), f("message", &ids.proposal)],
            members_accept,
        ),
        "delete-message" => (
            vec![f("thread", &ids.coach_thread), f("message", &ids.deletable)],
            first_member,
        ),
        // Says yes again to what A already said yes to: nothing changes.
        "talk" => (vec![fam(), f("yes", "1")], member_only),
        // Notifications on this device: anyone signed in, for their own
        // device. An endpoint nobody subscribed is nobody's to test or read.
        "push-key" => (vec![], signed_in),
        "push-subscribe" => (
            vec![
                f("endpoint", "http://127.0.0.1:9/push/authz"),
                f("p256dh", PUSH_P256DH),
                f("auth", "AAAAAAAAAAAAAAAAAAAAAA"),
                f("kinds_off", "plan"),
            ],
            signed_in,
        ),
        "push-unsubscribe" => (
            vec![f("endpoint", "http://127.0.0.1:9/push/none")],
            signed_in,
        ),
        "push-settings" => (vec![f("endpoint", "http://127.0.0.1:9/push/none")], nobody),
        "push-test" => (vec![f("endpoint", "http://127.0.0.1:9/push/none")], nobody),
        "settings" => (vec![], signed_in),
        "sign-out-elsewhere" => (vec![], signed_in),
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
        // A link nobody was given: refused the same for everyone.
        "password-link" => (vec![f("token", &"0".repeat(64))], everyone_bad),
        "set-password" => (
            vec![
                f("token", &"0".repeat(64)),
                f("password", "een lang genoeg wachtwoord"),
                f("repeat", "een lang genoeg wachtwoord"),
            ],
            everyone_bad,
        ),
        // This server is reached on an IP address: passkeys are refused
        // with their reason, to members; others cannot start at all.
        "passkey-add-start" => (vec![], members_bad),
        "passkey-add-finish" => (vec![f("ceremony", "x"), f("credential", "{}")], members_bad),
        "passkey-sign-in-start" => (vec![], everyone_bad),
        "passkey-sign-in-finish" => (
            vec![f("ceremony", "x"), f("credential", "{}")],
            everyone_bad,
        ),
        "join" => (
            vec![f("code", "ZZZ-ZZZ-ZZZ"), f("lang", "nl-BE"), f("name", "X")],
            staff_never_join,
        ),
        // Last: these end or change what the others can do.
        "withdraw-coach" => (vec![], any_member),
        "remove-member" => (vec![f("member", &ids.removable)], member_only),
        "sign-out" => (vec![], everyone_ok),
        _ => return None,
    })
}

/// A row's fields as `who` sends them. Some rows use something up (a share
/// withdrawn, a newcomer answered); the second member uses their own, so
/// that both members' calls can succeed.
fn fields_for(
    path: &str,
    who: Who,
    ids: &Ids,
    mut fields: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    if who == Who::SecondMember {
        let own = match path.trim_start_matches("/api/") {
            "withdraw-share" => Some(("share", &ids.second_share)),
            "confirm-member" => Some(("member", &ids.second_newcomer)),
            "remove-member" => Some(("member", &ids.second_removable)),
            "accept-appointment" => Some(("message", &ids.second_proposal)),
            _ => None,
        };
        if let Some((key, value)) = own {
            for field in fields.iter_mut().filter(|(k, _)| *k == key) {
                field.1 = value.clone();
            }
        }
    }
    fields
}

/// The order the functions run in: state-ending ones last.
fn order(path: &str) -> u8 {
    match path.trim_start_matches("/api/") {
        "withdraw-coach" | "remove-member" | "sign-out-elsewhere" => 1,
        "sign-out" => 2,
        _ => 0,
    }
}

/// Every page a browser can open, with the ids of the world: the path, and
/// who may open it (`None`: anyone, e.g. the front door; only "not a 5xx"
/// is checked there).
fn pages(ids: &Ids) -> Vec<(String, Option<MayCall>)> {
    use may::*;
    let mut pages: Vec<(String, Option<MayCall>)> = Vec::new();
    let mut add = |path: String, who: Option<MayCall>| pages.push((path, who));
    for path in ["/", "/sign-in", "/sign-out", "/join", "/no-such-page"] {
        add(path.to_string(), None);
    }
    for path in ["/plan", "/plan/coach", "/plan/looked"] {
        add(path.to_string(), Some(any_member));
    }
    add(format!("/plan/remove/{}", ids.removable), Some(member_only));
    for q in [&ids.mandate, &ids.hidden_question, &ids.former_question] {
        add(format!("/plan/question/{q}"), Some(member_only));
        add(format!("/plan/question/{q}?withdraw=1"), Some(member_only));
    }
    for item in [
        &ids.goal,
        &ids.action,
        &ids.hidden,
        &ids.hidden_goal,
        &ids.hidden_action,
        &ids.vol_goal,
        &ids.partner_item,
        &ids.papers_goal,
        &ids.org_item,
        &ids.expired_item,
    ] {
        add(format!("/plan/share?item={item}"), Some(member_only));
    }
    for domain in [
        "housing",
        "health",
        "wellbeing",
        "school",
        "money",
        "papers",
        "free-time",
        "network",
        "mobility",
        "safety",
    ] {
        // A domain is one of every family's: a member of B sees B's.
        add(format!("/plan/share?domain={domain}"), Some(any_member));
    }
    for to in [
        "volunteer".to_string(),
        format!("org:{}", ids.org),
        format!("person:{}", ids.partner),
    ] {
        add(
            format!("/plan/share?domain=papers&to={to}"),
            Some(any_member),
        );
        add(
            format!("/plan/share?item={}&to={to}", ids.hidden_goal),
            Some(member_only),
        );
    }
    add("/messages".to_string(), Some(signed_in));
    add(
        format!("/messages/{}", ids.coach_thread),
        Some(coach_thread),
    );
    add(
        format!("/messages/{}", ids.volunteer_thread),
        Some(volunteer_thread),
    );
    add(
        format!("/messages/{}", ids.former_thread),
        Some(member_only),
    );
    add(
        format!("/messages/{}", ids.former_volunteer_thread),
        Some(member_only),
    );
    // Photos and voice: as their thread.
    add(format!("/media/{}", ids.coach_photo), Some(coach_thread));
    add(
        format!("/media/{}", ids.volunteer_voice),
        Some(volunteer_thread),
    );
    add(format!("/media/{}", ids.former_photo), Some(member_only));
    add("/families".to_string(), Some(any_staff));
    add(format!("/families/{}", ids.family), Some(staff_in_a));
    add(format!("/families/{}", ids.other_family), Some(staff_in_b));
    add(format!("/families/{}", ids.family_c), Some(nobody));
    for (action, who) in [
        (&ids.action, coach_only as MayCall),
        (&ids.vol_action, coach_only),
        (&ids.hidden_action, nobody),
    ] {
        add(format!("/families/{}/ask/{action}", ids.family), Some(who));
    }
    pages
}

/// What a caller received: the body without the isolation marks Fluent
/// puts around interpolated texts, then every header (the redirect's
/// Location among them).
fn received(page: &Page) -> String {
    let mut all: String = page
        .body
        .chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect();
    for (name, value) in &page.headers {
        all.push('\n');
        all.push_str(name.as_str());
        all.push_str(": ");
        all.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    all
}

/// The markers each caller received, and the ones they should not have.
struct Scan {
    marks: Vec<(String, Class)>,
    seen: BTreeMap<Who, BTreeSet<String>>,
    leaks: Vec<String>,
}

impl Scan {
    fn new(marks: Vec<(String, Class)>) -> Scan {
        for (i, (a, _)) in marks.iter().enumerate() {
            for (j, (b, _)) in marks.iter().enumerate() {
                assert!(i == j || !a.contains(b.as_str()), "{a} holds {b}");
            }
        }
        Scan {
            marks,
            seen: BTreeMap::new(),
            leaks: Vec::new(),
        }
    }

    fn check(&mut self, who: Who, what: &str, page: &Page) {
        let text = received(page);
        for (mark, class) in &self.marks {
            let Some(at) = text.find(mark.as_str()) else {
                continue;
            };
            self.seen.entry(who).or_default().insert(mark.clone());
            if !who.may_see().contains(class) {
                let from = text.floor_char_boundary(at.saturating_sub(150));
                let to = text.ceil_char_boundary((at + mark.len() + 150).min(text.len()));
                self.leaks.push(format!(
                    "{what} as {who:?} (status {}) leaked {mark} ({class:?}): …{}…",
                    page.status,
                    &text[from..to]
                ));
            }
        }
    }

    /// Every caller received every marker they may see, somewhere.
    fn unseen(&self) -> Vec<String> {
        let mut unseen = Vec::new();
        for who in EVERYONE {
            for (mark, class) in &self.marks {
                let seen = self.seen.get(&who).is_some_and(|s| s.contains(mark));
                if who.may_see().contains(class)
                    && !seen
                    && !SHOWN_TO_NOBODY.contains(&mark.as_str())
                {
                    unseen.push(format!("{who:?} never saw {mark} ({class:?})"));
                }
            }
        }
        unseen
    }
}

/// Where a browser goes next: a redirect within this site.
fn next_page(page: &Page) -> Option<&str> {
    page.location
        .as_deref()
        .filter(|l| l.starts_with('/') || l.starts_with("http://127.0.0.1"))
}

#[tokio::test]
async fn every_server_function_for_every_kind_of_caller() {
    for store in stores() {
        let server = TestServer::start(store).await;
        let (people, ids) = world(&server).await;
        let mut scan = Scan::new(ids.marks());

        // Every page, as every caller, before the server functions change
        // the world; and the page each redirect leads to.
        for (path, expect) in pages(&ids) {
            for who in EVERYONE {
                let page = people[&who].get(&path).await;
                match expect {
                    Some(expect) => assert!(
                        answers(expect(who), who, page.status),
                        "{store:?} page {path} as {who:?}: want {:?}, got {}",
                        expect(who),
                        page.status
                    ),
                    None => assert!(page.status < 500, "{store:?} page {path}: {}", page.status),
                }
                scan.check(who, &format!("{store:?} page {path}"), &page);
                if let Some(next) = next_page(&page) {
                    let then = people[&who].get(next).await;
                    assert!(then.status < 500, "{store:?} {next}: {}", then.status);
                    scan.check(who, &format!("{store:?} page {path} → {next}"), &then);
                }
            }
        }

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
            // Callers expected to be refused go first, so that a wrongly
            // allowed call cannot hide behind a change made by a right one.
            let mut callers = EVERYONE.to_vec();
            callers.sort_by_key(|w| expect(*w) == Expect::Ok);
            for who in callers {
                let fields = fields_for(path, who, &ids, fields.clone());
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let page = people[&who].call(path, &fields).await;
                let want = expect(who);
                assert!(
                    answers(want, who, page.status),
                    "{store:?} {path} as {who:?}: want {want:?}, got {} {}",
                    page.status,
                    page.body
                );
                scan.check(who, &format!("{store:?} {path}"), &page);
                // The same call as a form posted from the caller's page
                // (no script): its redirect, and the page it leads to. A
                // call that used something up finds it gone now; only what
                // it shows matters here.
                let from = if who.is_member() {
                    "/plan".to_string()
                } else {
                    format!("/families/{}", ids.family)
                };
                let form = people[&who].post(path, &from, &fields).await;
                assert!(form.status < 500, "{store:?} form {path} as {who:?}");
                scan.check(who, &format!("{store:?} form {path}"), &form);
                if let Some(next) = next_page(&form) {
                    let then = people[&who].get(next).await;
                    assert!(then.status < 500, "{store:?} {next}: {}", then.status);
                    scan.check(who, &format!("{store:?} form {path} → {next}"), &then);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, paths.len() * EVERYONE.len());
        assert!(
            scan.leaks.is_empty(),
            "{} leaks (the first 30):\n{}",
            scan.leaks.len(),
            scan.leaks[..scan.leaks.len().min(30)].join("\n")
        );
        let unseen = scan.unseen();
        assert!(unseen.is_empty(), "{}", unseen.join("\n"));
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
        "threads",
        "messages",
        "thread_reads",
        "talk_consents",
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
    // The photo form takes more (a camera's picture), but not without end.
    let form = reqwest::multipart::Form::new()
        .text("thread", "aaaaaaaaaaaaaaaaaaaaaaaaaa")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(vec![0u8; 20 * 1024 * 1024]).file_name("x.jpg"),
        );
    let r = people[&Who::Member]
        .post_files("/api/post-photo", "/messages", form)
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
        // The partner sees the shared goal and domain; withdraw every share
        // to them (three of the goal, one of the domain).
        let before = family(Who::Partner).await;
        assert_eq!(before.status, 200);
        assert!(before.body.contains(PARTNER));
        assert!(before.body.contains(PAPERS_GOAL));
        let sharing = people[&Who::Member].call("/api/our-plan", &[]).await;
        assert_eq!(sharing.status, 200);
        let shares: Vec<String> = sqlx::query_scalar(
            "SELECT s.id FROM shares s JOIN staff p ON p.id = s.recipient_staff_id WHERE p.display_name = 'Pieter'",
        )
        .fetch_all(server.state.db.pool())
        .await
        .unwrap();
        assert_eq!(shares.len(), 4);
        for s in &shares {
            let r = people[&Who::Member]
                .call("/api/withdraw-share", &[("family", fam), ("share", s)])
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let after = family(Who::Partner).await;
        assert_eq!(after.status, 404);
        assert!(!after.body.contains(PARTNER));
        assert!(!after.body.contains(PAPERS_GOAL));

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
        assert!(!coach.body.contains(PLAN_ACTION));

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
