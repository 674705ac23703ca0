//! The shapes that cross from the server to a page: plan items, the plan
//! header, shares, log entries. They are plain data; every rule about who
//! may see them lives in `domain` (server side only).

use serde::{Deserialize, Serialize};

/// The twelve life domains of DESIGN.md, in the order pages show them.
pub const DOMAINS: [&str; 12] = [
    "housing",
    "money",
    "work",
    "health",
    "wellbeing",
    "parenting",
    "school",
    "network",
    "free-time",
    "safety",
    "papers",
    "mobility",
];

pub const WHO: [&str; 6] = [
    "member",
    "together",
    "coach",
    "volunteer",
    "network",
    "service",
];
pub const ACTION_STATUS: [&str; 3] = ["todo", "doing", "done"];
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    Goal,
    Action,
    Note,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Goal => "goal",
            ItemKind::Action => "action",
            ItemKind::Note => "note",
        }
    }
    pub fn parse(s: &str) -> Option<ItemKind> {
        match s {
            "goal" => Some(ItemKind::Goal),
            "action" => Some(ItemKind::Action),
            "note" => Some(ItemKind::Note),
            _ => None,
        }
    }
}

/// Why a reader sees an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// The reader is a member of the family.
    Family,
    /// The coach's base mandate (its id).
    BaseMandate(String),
    /// A share (its id).
    Share(String),
}

impl Basis {
    pub fn log_text(&self) -> String {
        match self {
            Basis::Family => "family".into(),
            Basis::BaseMandate(id) => format!("base_mandate:{id}"),
            Basis::Share(id) => format!("share:{id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: String,
    pub kind: ItemKind,
    pub goal_id: Option<String>,
    pub domain: String,
    pub body: String,
    pub who: Option<String>,
    pub due: Option<String>,
    pub status: Option<String>,
    pub only_us: bool,
    pub author_kind: String,
    pub author_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The language it was written in (the writer's), when known.
    pub lang: Option<String>,
    pub basis: Basis,
}

/// What an action says: what, who does it, by when, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInput {
    pub body: String,
    pub who: String,
    pub due: Option<String>,
    pub status: String,
}

/// The plan's header, seen by the family and by its coach with a live base
/// mandate; nobody else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanHeader {
    pub intensity: String,
    pub next_evaluation: Option<String>,
    pub end_criteria: String,
    pub status: String,
    pub hold_reason: String,
    /// The languages the two texts were written in, when known (read
    /// only; a change takes the writer's).
    #[serde(default)]
    pub end_criteria_lang: Option<String>,
    #[serde(default)]
    pub hold_reason_lang: Option<String>,
}

/// What a share covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShareScope {
    Item(String),
    Domain(String),
}

/// Who a share is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipient {
    /// A named person with a staff account.
    Person(String),
    /// Whoever is the family's volunteer at the time of reading.
    OurVolunteer,
    /// Every staff account of an organisation.
    Organisation(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub id: String,
    pub scope: ShareScope,
    pub recipient: Recipient,
    pub purpose: String,
    pub until: String,
    pub granted_by: String,
    pub granted_at: i64,
    pub withdrawn_at: Option<i64>,
    /// Live: not withdrawn and `until` not passed.
    pub live: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: String,
    /// The actor's display name, role (`member`, `coach`, …) and
    /// organisation (staff only), for "who looked" in plain words.
    pub actor_name: String,
    pub actor_role: String,
    pub actor_org: Option<String>,
    pub event: String,
    pub subject_id: Option<String>,
    /// What a change was about, in words: the item, the question, the
    /// member or the coach it names.
    pub subject_text: Option<String>,
    /// For a share of a whole domain: the domain.
    pub subject_domain: Option<String>,
    /// For a share: who it was shared with.
    pub recipient: Option<String>,
    /// (item id, basis) pairs for reads.
    pub items: Vec<(String, String)>,
}

/// A coach's question on one action: "May I do this for you?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    pub id: String,
    pub action_id: String,
    /// The action the question is about, as the reader sees it.
    pub action_body: String,
    pub coach_name: String,
    /// What the coach will do: one of `HELP_KINDS`, read by each reader in
    /// their own language. `None` for a question asked before questions
    /// were structured (its `what` and `facts` are the coach's words).
    pub help: Option<String>,
    /// With whom: one of `PARTY_KINDS` (`None` for an older question).
    pub party: Option<String>,
    /// The counterparty's name as the coach typed it ("WoninGent"), or an
    /// older question's free-text counterparty.
    pub counterparty: String,
    /// Which facts about the family are passed on: `FACT_KINDS`.
    pub fact_kinds: Vec<String>,
    /// The coach's own words: an addition to a structured question, or an
    /// older question's "what".
    pub what: String,
    /// An older question's free-text facts (empty for a structured one).
    pub facts: String,
    /// The language the coach wrote their words in (a BCP 47 tag).
    pub words_lang: String,
    pub until: String,
    pub asked_at: i64,
    /// The newest answer (`for_me`, `together`, `myself`, `withdrawn`), or
    /// `None` while the question is open.
    pub answer: Option<String>,
    /// Every answer, oldest first.
    pub history: Vec<MandateAnswer>,
    /// `until` has passed: the coach may no longer act on it.
    pub ended: bool,
}

impl Mandate {
    /// The coach may act on it now.
    pub fn granted(&self) -> bool {
        !self.ended && matches!(self.answer.as_deref(), Some("for_me" | "together"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandateAnswer {
    pub answer: String,
    pub member_name: String,
    pub at: i64,
}

/// One line of "my families" for a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyCard {
    pub id: String,
    pub name: String,
    /// `waiting` (nobody joined yet), `active` (the coach is accepted) or
    /// `shared` (the reader sees what the family shared with them).
    pub state: String,
    pub open_questions: i64,
    pub new_answers: i64,
    pub next_evaluation: Option<String>,
    pub on_hold: bool,
}

/// One person of a coordinator's team, with how many families they carry
/// (counts only: no family's name or content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLine {
    pub name: String,
    /// `coach` or `volunteer`.
    pub role: String,
    /// Families whose live base mandate names this coach.
    pub active: i64,
    /// Families of this coach that nobody has joined yet.
    pub waiting: i64,
    /// Families with this person as their volunteer.
    pub volunteer: i64,
}

/// The frame of a family: names only, no plan content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyFrame {
    pub name: String,
    pub org_name: String,
    pub coach_name: Option<String>,
    pub volunteer_name: Option<String>,
    pub members: Vec<String>,
}

/// Someone a family can share with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub role: String,
    pub org_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

/// Everything a plan page shows, already filtered for its reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPage {
    pub family_id: String,
    pub frame: FamilyFrame,
    /// Only for the family and its accepted coach.
    pub header: Option<PlanHeader>,
    pub items: Vec<PlanItem>,
    pub mandates: Vec<Mandate>,
    /// `member`, `coach` (accepted) or `viewer` (sees what was shared).
    pub reader: String,
    pub coach_accepted: bool,
    /// For the coach: how many items the family keeps to itself.
    pub hidden_count: i64,
    /// For a volunteer or partner worker: what the family shared with
    /// them, what for, and until when.
    pub shared_with_me: Vec<SharedWithMe>,
}

/// One live share that reaches the reader: a whole domain, or one item
/// (its text, only while the reader can see that item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedWithMe {
    pub domain: Option<String>,
    /// The shared item, as on the plan the reader sees.
    pub item_id: Option<String>,
    pub item_body: Option<String>,
    pub purpose: String,
    pub until: String,
}

impl PlanPage {
    pub fn is_member(&self) -> bool {
        self.reader == "member"
    }
    pub fn can_edit(&self) -> bool {
        self.reader == "member" || self.reader == "coach"
    }
    pub fn mandate_for(&self, action_id: &str) -> Option<&Mandate> {
        self.mandates.iter().find(|m| m.action_id == action_id)
    }
}

/// Someone who asked to join the family and waits for a member's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingMember {
    pub id: String,
    pub name: String,
    pub asked_at: i64,
}

/// A member of the family, as the family (or its accepted coach) lists
/// them: to make a "new phone" code for them, or to remove them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyMember {
    pub id: String,
    pub name: String,
    /// The member who reads the list.
    pub is_me: bool,
}

/// "Sara let someone in as Amal on a new phone": shown on "Our plan" to
/// every member until they put it away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPhoneNotice {
    pub coach: String,
    pub member: String,
    pub at: i64,
}

/// How many days a device is still told after the sign-in there ran out
/// (`push::TOLD_AFTER_SIGN_IN_SECONDS`; the settings page says it).
pub const TOLD_AFTER_SIGN_IN_DAYS: i64 = 14;

/// How long a writer may delete their message (it says "message deleted").
pub const DELETE_WITHIN_SECONDS: i64 = 15 * 60;
/// The longest message text, in characters.
pub const MAX_MESSAGE: usize = 2000;

/// One conversation in a reader's list of messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadLine {
    pub id: String,
    /// `coach` or `volunteer`: the staff side's role in the family.
    pub role: String,
    /// The other side: the staff member's name for the family, the
    /// family's name for staff.
    pub with_name: String,
    /// Whether both sides may still write (the family keeps an ended one).
    pub live: bool,
    pub unread: i64,
}

/// The family's answer to "May Marleen send us messages?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TalkQuestion {
    pub volunteer: String,
    /// Sent with the yes: the consent is given to this person only.
    pub volunteer_id: String,
    pub said_yes: bool,
}

/// The list of conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesHome {
    pub threads: Vec<ThreadLine>,
    /// For a family with a volunteer: whether it talks with them.
    pub talk: Option<TalkQuestion>,
    /// The reader's family (for the forms), members only.
    pub family: Option<String>,
}

/// One message as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub mine: bool,
    pub author: String,
    /// `text`; `phrase` (a phrase of the book, shown in the reader's
    /// language); `appointment` / `appointment_ok`; `question` (the coach
    /// asked a mandate question), `answer` (a member answered one) and
    /// `evaluation` (the plan's next evaluation was set), written by
    /// Onsplan and shown in the reader's language.
    pub kind: String,
    /// The text; for a phrase, its id. Empty once deleted.
    pub body: String,
    /// A phrase's arguments as stored (`day`: 2026-12-03, `time`: 10:00),
    /// written out in the reader's language when shown.
    pub args: Vec<(String, String)>,
    /// For an appointment proposal: `open`, `accepted` or `replaced` (by
    /// another time proposed in answer); empty for anything else.
    pub state: String,
    /// The reader's side wrote it (the family, or the staff member).
    pub ours: bool,
    /// The writer's language (a BCP 47 tag).
    pub lang: String,
    /// For `question` and `answer`: the mandate question it is about.
    pub about: Option<String>,
    pub at: i64,
    pub deleted: bool,
    /// For the reader's own messages: whether the other side read it.
    pub read: bool,
    /// The reader wrote it less than 15 minutes ago.
    pub deletable: bool,
}

/// A thread with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    pub id: String,
    pub family_id: String,
    /// Today in Belgium (`2026-12-01`): today's messages show their hour.
    pub today: String,
    pub role: String,
    pub with_name: String,
    pub live: bool,
    pub reader_is_member: bool,
    pub messages: Vec<Message>,
}

/// The phrase book: short messages families and coaches send most, each
/// stored as its id and its arguments and shown to every reader in their
/// own language (`phrase-<id>` in locales/): (id, icon, arguments, group).
/// Groups are shown in the order of `PHRASE_GROUPS`.
pub const PHRASES: &[(&str, &str, &[&str], &str)] = &[
    ("cant-come", "🗓️", &[], "appointments"),
    ("running-late", "⏰", &[], "appointments"),
    ("on-my-way", "🚶", &[], "appointments"),
    ("come-on", "📅", &["day", "time"], "appointments"),
    ("call-on", "📞", &["day", "time"], "appointments"),
    ("can-you-come", "🏠", &[], "appointments"),
    ("where-meet", "📍", &[], "appointments"),
    ("see-you", "👋", &[], "appointments"),
    ("remind-me", "🔔", &[], "appointments"),
    ("call-me", "📞", &[], "contact"),
    ("call-after", "🕓", &["time"], "contact"),
    ("call-back", "🔇", &[], "contact"),
    ("no-credit", "📱", &[], "contact"),
    ("write-not-call", "✉️", &[], "contact"),
    ("interpreter", "🗣️", &[], "contact"),
    ("urgent", "❗", &[], "contact"),
    ("talk-alone", "🔒", &[], "contact"),
    ("letter-unclear", "📄", &[], "papers"),
    ("photo-letter", "📷", &[], "papers"),
    ("bring-id", "🪪", &[], "papers"),
    ("bring-papers", "📁", &[], "papers"),
    ("form-help", "📝", &[], "papers"),
    ("deadline", "⏳", &["day"], "papers"),
    ("sign-document", "✍️", &[], "papers"),
    ("letter-sent", "📨", &[], "papers"),
    ("answer-came", "📬", &[], "papers"),
    ("still-waiting", "⌛", &[], "papers"),
    ("no-food-money", "🍞", &[], "home"),
    ("bill", "💶", &[], "home"),
    ("energy-cut", "💡", &[], "home"),
    ("landlord", "🔑", &[], "home"),
    ("damp", "🏚️", &[], "home"),
    ("child-sick", "🤒", &[], "home"),
    ("i-am-sick", "🛌", &[], "home"),
    ("school-talk", "🏫", &[], "home"),
    ("no-childcare", "🧸", &[], "home"),
    ("doctor", "🩺", &[], "home"),
    ("job-news", "💼", &[], "home"),
    ("need-help", "🆘", &[], "home"),
    ("thank-you", "🙏", &[], "short"),
    ("ok", "👍", &[], "short"),
    ("yes", "✅", &[], "short"),
    ("no", "❌", &[], "short"),
    ("explain-simply", "❓", &[], "short"),
    ("all-well", "🙂", &[], "short"),
    ("good-news", "🎉", &[], "short"),
    ("will-do", "💪", &[], "short"),
    ("done", "✔️", &[], "short"),
    ("how-are-you", "💬", &[], "short"),
    ("how-did-it-go", "🗨️", &[], "short"),
];

/// The phrase book's groups, in the order they are shown.
pub const PHRASE_GROUPS: [&str; 5] = ["appointments", "contact", "papers", "home", "short"];

/// Where an appointment is: each reader reads it in their own language.
pub const PLACES: [&str; 5] = ["home", "office", "phone", "video", "other"];

/// What a coach asks to do for a family, most asked first: each reader
/// reads it in their own language (`help-<id>`).
pub const HELP_KINDS: [&str; 10] = [
    "call",
    "letter",
    "go_along",
    "form",
    "information",
    "allowance",
    "appointment",
    "payment_plan",
    "enrol",
    "documents",
];

/// With whom: the kinds of counterparty coaches deal with most
/// (`party-<id>`); the coach adds its name.
pub const PARTY_KINDS: [&str; 18] = [
    "landlord",
    "social_housing",
    "ocmw",
    "school",
    "childcare",
    "bank",
    "energy",
    "doctor",
    "hospital",
    "health_fund",
    "debt_mediator",
    "court",
    "lawyer",
    "employer",
    "employment_service",
    "tax",
    "immigration",
    "other",
];

/// Which facts about the family the coach passes on (`fact-<id>`).
pub const FACT_KINDS: [&str; 10] = [
    "identity",
    "family",
    "income",
    "debts",
    "housing",
    "work",
    "health",
    "children",
    "school",
    "residence",
];
