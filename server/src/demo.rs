//! `onsplan demo`: an organisation with two coaches, a Home-Start volunteer,
//! an OCMW partner worker, and two families with realistic plans — open and
//! answered mandate questions, a hidden item, shares, a plan on hold. It is
//! made through the same functions the pages use, so it obeys every rule.
//! Passwords are random on every run (nothing secret is written in the
//! code); family members come in through fresh invites.

use onsplan_app::domain::access::{Caller, FamilyAccess, StaffRole};
use onsplan_app::domain::accounts::{self, NewStaff};
use onsplan_app::domain::clock::{belgian_date, format_date, parse_date};
use onsplan_app::domain::consent::{self, Recipient, ShareScope};
use onsplan_app::domain::invites::{self, ALPHABET};
use onsplan_app::domain::mandates::{self, MandateInput};
use onsplan_app::domain::plan::{self, ActionInput, PlanHeader};
use onsplan_app::domain::AppState;
use onsplan_app::error::AppError;
use onsplan_app::lang::Lang;
use rand::Rng;

/// One way in, for the printout.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub who: String,
    pub role: &'static str,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct DemoInvite {
    pub family: String,
    pub link: String,
    pub code: String,
}

#[derive(Debug, Clone)]
pub struct Demo {
    pub logins: Vec<DemoLogin>,
    pub invites: Vec<DemoInvite>,
}

const STAFF: [(&str, &str, StaffRole, usize); 4] = [
    ("Sara Claes", "sara@demo.onsplan.be", StaffRole::Coach, 0),
    (
        "Koen Verhaegen",
        "koen@demo.onsplan.be",
        StaffRole::Coach,
        0,
    ),
    (
        "Marleen De Smet",
        "marleen@demo.onsplan.be",
        StaffRole::Volunteer,
        1,
    ),
    (
        "Pieter Janssens",
        "pieter@demo.onsplan.be",
        StaffRole::Partner,
        2,
    ),
];

fn password() -> String {
    let mut rng = rand::rng();
    (0..14)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect::<String>()
        .to_lowercase()
}

fn day(state: &AppState, days: i64) -> String {
    let today = parse_date(&belgian_date(state.clock.now())).expect("today parses");
    format_date(today + time::Duration::days(days))
}

/// Loads the demo (once; later runs only reset passwords and make new
/// invites) and says how to get in.
pub async fn load(state: &AppState) -> Result<Demo, AppError> {
    let db = &state.db;
    let now = state.clock.now();
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
        .bind(STAFF[0].1)
        .fetch_optional(db.pool())
        .await
        .map_err(|_| AppError::Internal)?;
    let mut logins = Vec::new();
    let mut ids = Vec::new();
    if existing.is_none() {
        let orgs = [
            accounts::create_organisation(db, "Huis van het Kind Gent", now).await?,
            accounts::create_organisation(db, "Home-Start Gent", now).await?,
            accounts::create_organisation(db, "OCMW Gent", now).await?,
        ];
        for (name, email, role, org) in STAFF {
            let pw = password();
            let id = accounts::create_staff(
                db,
                &NewStaff {
                    org_id: &orgs[org],
                    role,
                    email,
                    display_name: name,
                    lang: Lang::NlBe,
                },
                &pw,
                now,
            )
            .await?;
            ids.push(id);
            logins.push(DemoLogin {
                who: name.into(),
                role: role.as_str(),
                email: email.into(),
                password: pw,
            });
        }
        build_families(state, &ids, &orgs[2]).await?;
    } else {
        for (name, email, role, _) in STAFF {
            let id: String = sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
                .bind(email)
                .fetch_one(db.pool())
                .await
                .map_err(|_| AppError::Internal)?;
            let pw = password();
            accounts::set_password(db, &id, &pw).await?;
            ids.push(id);
            logins.push(DemoLogin {
                who: name.into(),
                role: role.as_str(),
                email: email.into(),
                password: pw,
            });
        }
    }
    let mut out = Vec::new();
    for (coach, family) in [(0usize, "Gezin Haddad"), (1, "Gezin Peeters")] {
        let family_id: String =
            sqlx::query_scalar("SELECT id FROM families WHERE display_name = $1 AND coach_id = $2")
                .bind(family)
                .bind(&ids[coach])
                .fetch_one(db.pool())
                .await
                .map_err(|_| AppError::Internal)?;
        // A family that has members lets someone in on a member's yes: the
        // printed invite is made by its first member, as a family would
        // make one on "Our plan". Before anyone joined, the coach makes it.
        let first_member: Option<String> = sqlx::query_scalar(
            "SELECT id FROM members WHERE family_id = $1 AND confirmed_at IS NOT NULL
             ORDER BY created_at, id LIMIT 1",
        )
        .bind(&family_id)
        .fetch_optional(db.pool())
        .await
        .map_err(|_| AppError::Internal)?;
        let caller = match first_member {
            Some(member) => Caller::member(db, &member).await?,
            None => Caller::staff(db, &ids[coach]).await?,
        };
        let invite = invites::create(db, &state.secret, &caller, &family_id, now).await?;
        out.push(DemoInvite {
            family: family.into(),
            link: format!("{}/join?code={}", state.public_url, invite.code),
            code: invite.code,
        });
    }
    Ok(Demo {
        logins,
        invites: out,
    })
}

async fn build_families(state: &AppState, staff: &[String], ocmw: &str) -> Result<(), AppError> {
    let db = &state.db;
    let now = state.clock.now();
    let sara = Caller::staff(db, &staff[0]).await?;
    let koen = Caller::staff(db, &staff[1]).await?;

    // Gezin Haddad: coach Sara, volunteer Marleen; Amal joined in Arabic.
    let haddad =
        accounts::create_family(db, sara.as_staff().expect("staff"), "Gezin Haddad", now).await?;
    accounts::assign(db, &haddad, Some(&staff[0]), Some(&staff[2]), now).await?;
    let amal = join(state, &sara, &haddad, "Amal", Lang::Ar).await?;
    let fam = FamilyAccess::open(db, &amal, &haddad, now).await?;
    let coach = FamilyAccess::open(db, &sara, &haddad, now).await?;
    plan::set_header(
        db,
        &coach,
        &PlanHeader {
            intensity: "intensive".into(),
            next_evaluation: Some(day(state, 40)),
            end_criteria: "We wonen in een gezonde woning en de schulden zijn onder controle."
                .into(),
            status: "active".into(),
            hold_reason: String::new(),
            end_criteria_lang: None,
            hold_reason_lang: None,
        },
    )
    .await?;
    let housing =
        plan::add_goal(db, &coach, "housing", "Een grotere, gezonde woning vinden").await?;
    let register = action(
        db,
        &coach,
        &housing,
        "Inschrijven bij de sociale huisvesting",
        "together",
        Some(day(state, 21)),
        "doing",
    )
    .await?;
    let letter = action(
        db,
        &coach,
        &housing,
        "De huisbaas schrijven over de vochtschade",
        "coach",
        Some(day(state, 10)),
        "todo",
    )
    .await?;
    let money = plan::add_goal(db, &fam, "money", "Geen nieuwe schulden meer").await?;
    action(
        db,
        &fam,
        &money,
        "Een budget maken met alle vaste kosten",
        "member",
        Some(day(state, 14)),
        "todo",
    )
    .await?;
    let ocmw_step = action(
        db,
        &coach,
        &money,
        "Afspraak bij het OCMW voor budgetbegeleiding",
        "service",
        Some(day(state, 30)),
        "todo",
    )
    .await?;
    let school = plan::add_goal(db, &fam, "school", "Yasmine gaat graag naar school").await?;
    action(
        db,
        &fam,
        &school,
        "Gesprek met de juf over huiswerk",
        "member",
        Some(day(state, 7)),
        "todo",
    )
    .await?;
    let private = plan::add_note(
        db,
        &fam,
        "health",
        None,
        "Ik slaap slecht sinds de verhuis.",
    )
    .await?;
    consent::set_only_us(db, &fam, &private, true).await?;
    let asked = mandates::ask(
        db,
        &coach,
        &register,
        &MandateInput {
            help: "call".into(),
            party: "social_housing".into(),
            party_name: "WoninGent".into(),
            facts: vec!["identity".into(), "family".into(), "income".into()],
            words: "Ik vraag hoe ver uw dossier staat.".into(),
            until: day(state, 60),
        },
    )
    .await?;
    mandates::answer(db, &fam, &asked, "together").await?;
    mandates::ask(
        db,
        &coach,
        &letter,
        &MandateInput {
            help: "letter".into(),
            party: "landlord".into(),
            party_name: String::new(),
            facts: vec!["identity".into(), "housing".into()],
            words: "Over de vochtschade in de slaapkamer, met foto's.".into(),
            until: day(state, 30),
        },
    )
    .await?;
    consent::share(
        db,
        &fam,
        &ShareScope::Item(school),
        &Recipient::OurVolunteer,
        "Hulp bij het huiswerk",
        &day(state, 30),
    )
    .await?;
    consent::share(
        db,
        &fam,
        &ShareScope::Item(ocmw_step),
        &Recipient::Organisation(ocmw.to_string()),
        "Budgetbegeleiding",
        &day(state, 60),
    )
    .await?;

    // Amal and Sara talk, each in their own language; Amal says yes to
    // messages from Marleen, who writes too.
    let sara_thread = thread(state, &sara, "coach").await?;
    say(
        state,
        &amal,
        &sara_thread,
        "مرحبا سارة، وصلتني رسالة من المالك. هل يمكنك الاتصال بي؟",
        Lang::Ar,
    )
    .await?;
    say(
        state,
        &sara,
        &sara_thread,
        "Dag Amal, ik bel u morgen om tien uur. Neem de brief erbij.",
        Lang::NlBe,
    )
    .await?;
    say(state, &amal, &sara_thread, "شكرا", Lang::Ar).await?;
    // A phrase, a photo of the letter, an appointment agreed, and a voice
    // message: each kind of message once.
    let amal_in =
        onsplan_app::domain::access::ThreadAccess::open(db, &amal, &sara_thread, now).await?;
    let sara_in =
        onsplan_app::domain::access::ThreadAccess::open(db, &sara, &sara_thread, now).await?;
    use onsplan_app::domain::{media, messages};
    messages::post_phrase(
        db,
        &state.live,
        &amal_in,
        "photo-letter",
        &[],
        Lang::Ar,
        None,
    )
    .await?;
    let letter = media::photo(include_bytes!("../demo/letter.png"))?;
    messages::post_media(db, &state.live, &amal_in, &letter, Lang::Ar, None).await?;
    let proposal = messages::propose(
        db,
        &state.live,
        &sara_in,
        &day(state, 1),
        "10:00",
        "home",
        "",
        None,
        Lang::NlBe,
        None,
    )
    .await?;
    messages::accept(db, &state.live, &amal_in, &proposal, Lang::Ar, None).await?;
    let voice = media::voice(include_bytes!("../demo/voice-nl.ogg"))?;
    messages::post_media(db, &state.live, &sara_in, &voice, Lang::NlBe, None).await?;
    onsplan_app::domain::messages::set_talk(db, &state.live, &fam, true, None).await?;
    let marleen = Caller::staff(db, &staff[2]).await?;
    let marleen_thread = thread(state, &marleen, "volunteer").await?;
    say(
        state,
        &marleen,
        &marleen_thread,
        "Dag! Zal ik woensdag na school langskomen voor het huiswerk?",
        Lang::NlBe,
    )
    .await?;

    // Gezin Peeters: coach Koen; the plan is on hold.
    let peeters =
        accounts::create_family(db, koen.as_staff().expect("staff"), "Gezin Peeters", now).await?;
    let tom = join(state, &koen, &peeters, "Tom", Lang::NlBe).await?;
    let fam = FamilyAccess::open(db, &tom, &peeters, now).await?;
    let coach = FamilyAccess::open(db, &koen, &peeters, now).await?;
    let work = plan::add_goal(db, &fam, "work", "Werk vinden als chauffeur").await?;
    action(
        db,
        &coach,
        &work,
        "Rijbewijs C halen",
        "member",
        Some(day(state, 120)),
        "doing",
    )
    .await?;
    plan::set_header(
        db,
        &coach,
        &PlanHeader {
            intensity: "low".into(),
            next_evaluation: Some(day(state, 21)),
            end_criteria: "Tom heeft vast werk.".into(),
            status: "on_hold".into(),
            hold_reason: "Even pauze: Tom ligt in het ziekenhuis.".into(),
            end_criteria_lang: None,
            hold_reason_lang: None,
        },
    )
    .await?;
    Ok(())
}

/// The thread `caller` has in `role` (the demo has one each).
async fn thread(state: &AppState, caller: &Caller, role: &str) -> Result<String, AppError> {
    let home = onsplan_app::domain::messages::home(&state.db, caller, state.clock.now()).await?;
    home.threads
        .into_iter()
        .find(|t| t.role == role)
        .map(|t| t.id)
        .ok_or(AppError::NotFound)
}

async fn say(
    state: &AppState,
    caller: &Caller,
    thread: &str,
    body: &str,
    lang: Lang,
) -> Result<(), AppError> {
    let access = onsplan_app::domain::access::ThreadAccess::open(
        &state.db,
        caller,
        thread,
        state.clock.now(),
    )
    .await?;
    onsplan_app::domain::messages::post_text(&state.db, &state.live, &access, body, lang, None)
        .await?;
    Ok(())
}

async fn join(
    state: &AppState,
    coach: &Caller,
    family: &str,
    name: &str,
    lang: Lang,
) -> Result<Caller, AppError> {
    let now = state.clock.now();
    let invite = invites::create(&state.db, &state.secret, coach, family, now).await?;
    let member = invites::redeem(
        &state.db,
        &state.secret,
        &Caller::Anonymous,
        &invite.code,
        name,
        lang,
        now,
    )
    .await?;
    let access = FamilyAccess::open(&state.db, &member, family, now).await?;
    consent::accept_coach(&state.db, &access).await?;
    Ok(member)
}

async fn action(
    db: &onsplan_app::domain::db::Db,
    access: &FamilyAccess,
    goal: &str,
    body: &str,
    who: &str,
    due: Option<String>,
    status: &str,
) -> Result<String, AppError> {
    plan::add_action(
        db,
        access,
        goal,
        &ActionInput {
            body: body.into(),
            who: who.into(),
            due,
            status: status.into(),
        },
    )
    .await
}

/// The text `onsplan demo` prints.
pub fn describe(demo: &Demo, public_url: &str) -> String {
    let mut s = format!("\nOnsplan demo — sign in at {public_url}/sign-in\n\n");
    for l in &demo.logins {
        s.push_str(&format!(
            "  {:<10} {:<17} {:<26} password: {}\n",
            l.role, l.who, l.email, l.password
        ));
    }
    s.push_str("\nA family member joins with a one-time invite made by a member of the family (open it on a phone, or type the code at /join):\n");
    for i in &demo.invites {
        s.push_str(&format!(
            "  {:<14} {}   code {}\n",
            i.family, i.link, i.code
        ));
    }
    s.push_str("\nPasswords and invites are new on every run.\n");
    s
}
