//! "Our plan", the family's home: what waits for an answer, the coach, the
//! plan itself; and the server functions that write the plan, shared by the
//! family's pages and the coach's.

use leptos::prelude::*;

use crate::components::invite::{invite_lines, new_phone_lines, InviteLine, Invites};
use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::components::plan_view::{AddGoalForm, PlanHeaderView, PlanView};
use crate::error::AppError;
use crate::lang::{current_lang, t, t_args, Lang};
use crate::model::{FamilyMember, NewPhoneNotice, PlanPage};
use crate::pages::members::{FamilyMembers, NewPhoneCodes, NewPhoneNotices};

/// "Our plan" for the signed-in member: the plan, who waits for the
/// family's yes to join, and the invites the family's members made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OurPlanData {
    pub page: PlanPage,
    pub waiting: Vec<crate::model::WaitingMember>,
    pub invites: Vec<InviteLine>,
    /// Who is in the family, the open "new phone" codes, and the times the
    /// coach let a phone in that this member has not put away yet.
    pub members: Vec<FamilyMember>,
    pub new_phone: Vec<InviteLine>,
    pub notices: Vec<NewPhoneNotice>,
    /// How many passkeys this member has (none: offer one at the top).
    pub passkeys: i64,
    /// The volunteer who asks "May I send you messages?", unanswered.
    pub talk: Option<String>,
}

/// The signed-in member's plan.
#[server(endpoint = "our-plan")]
pub async fn our_plan() -> Result<OurPlanData, AppError> {
    use crate::domain::{members, overview};
    let (state, access) = crate::request::open_own_family().await?;
    let caller = crate::request::signed_in()?;
    Ok(OurPlanData {
        page: overview::plan_page(&state.db, &access).await?,
        waiting: members::waiting(&state.db, &access).await?,
        invites: invite_lines(&state, &caller, access.family_id()).await?,
        members: members::in_family(&state.db, &access).await?,
        new_phone: new_phone_lines(&state, &caller, access.family_id()).await?,
        notices: members::new_phone_notices(&state.db, &access).await?,
        passkeys: crate::domain::passkeys::count(&state.db, &access).await?,
        talk: crate::domain::messages::talk_to_answer(&state.db, &access).await?,
    })
}

/// A member lets someone who asked to join in (`yes` = 1), or refuses
/// them (`yes` = 0).
#[server(endpoint = "confirm-member")]
pub async fn confirm_member(member: String, yes: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    let yes = match yes.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::bad("error-bad-input")),
    };
    crate::domain::members::decide(&state.db, &access, &member, yes).await?;
    leptos_axum::redirect("/plan");
    Ok(())
}

/// A new goal, by the family or its coach.
#[server(endpoint = "add-goal")]
pub async fn add_goal(family: String, domain: String, body: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    crate::domain::plan::add_goal(&state.db, &access, &domain, &body).await?;
    Ok(())
}

/// A new action under a goal.
#[server(endpoint = "add-action")]
pub async fn add_action(
    family: String,
    goal: String,
    body: String,
    who: String,
    due: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::plan::{self, ActionInput};
    let (state, access) = crate::request::open_family(&family).await?;
    let input = ActionInput {
        body,
        who,
        due,
        status: "todo".into(),
    };
    plan::add_action(&state.db, &access, &goal, &input).await?;
    Ok(())
}

/// A note in a domain.
#[server(endpoint = "add-note")]
pub async fn add_note(family: String, domain: String, body: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    crate::domain::plan::add_note(&state.db, &access, &domain, None, &body).await?;
    Ok(())
}

/// Where an action stands.
#[server(endpoint = "set-status")]
pub async fn set_status(family: String, action: String, status: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    crate::domain::plan::set_action_status(&state.db, &access, &action, &status).await
}

/// The plan's header: intensity, next evaluation, end criteria, status.
#[server(endpoint = "set-header")]
pub async fn set_header(
    family: String,
    intensity: String,
    next_evaluation: Option<String>,
    end_criteria: String,
    status: String,
    hold_reason: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::plan::{self, PlanHeader};
    let (state, access) = crate::request::open_family(&family).await?;
    let header = PlanHeader {
        intensity,
        next_evaluation,
        end_criteria,
        status,
        hold_reason: hold_reason.unwrap_or_default(),
        end_criteria_lang: None,
        hold_reason_lang: None,
    };
    plan::set_header(&state.db, &access, &header).await?;
    crate::domain::messages::announce_family(&state.db, &state.live, &family, "coach").await;
    Ok(())
}

/// "We want to work with our coach": the base mandate.
#[server(endpoint = "accept-coach")]
pub async fn accept_coach() -> Result<(), AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    crate::domain::consent::accept_coach(&state.db, &access).await?;
    crate::domain::messages::announce_family(&state.db, &state.live, access.family_id(), "coach")
        .await;
    leptos_axum::redirect("/plan");
    Ok(())
}

/// "We stop working with our coach": the coach sees nothing from now on.
#[server(endpoint = "withdraw-coach")]
pub async fn withdraw_coach() -> Result<(), AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    crate::domain::consent::withdraw_coach(&state.db, &access).await?;
    // A coach with the thread open learns, live, that it is closed to them.
    crate::domain::messages::announce_family(&state.db, &state.live, access.family_id(), "coach")
        .await;
    leptos_axum::redirect("/plan");
    Ok(())
}

#[component]
pub fn OurPlan() -> impl IntoView {
    load(our_plan(), |data| view! { <OurPlanView data/> })
}

#[component]
fn OurPlanView(data: OurPlanData) -> impl IntoView {
    let OurPlanData {
        page,
        waiting: newcomers,
        invites,
        members,
        new_phone,
        notices,
        passkeys,
        talk,
    } = data;
    // The volunteer's question waits on the messages page; it is pointed to
    // here, where the family looks first.
    let talk = talk.map(|name| {
        view! {
            <section class="card notice" id="talk-ask">
                <p>{t_args("talk-question", &[("name", name)])}</p>
                <a class="button secondary" href="/messages#talk">{t("answer-question")}</a>
            </section>
        }
    });
    let newcomers: Vec<_> = newcomers
        .into_iter()
        .map(|m| {
            let (yes_id, no_id) = (m.id.clone(), m.id.clone());
            view! {
                <li class="card notice newcomer">
                    <p>{t_args("newcomer-asks", &[("name", m.name.clone())])}</p>
                    <p class="muted">{t("newcomer-explain")}</p>
                    <PostForm action="/api/confirm-member" class="inline-form">
                        <Hidden name="member" value=yes_id/>
                        <Hidden name="yes" value="1"/>
                        <button type="submit" class="confirm-newcomer">{t("newcomer-yes")}</button>
                    </PostForm>
                    <PostForm action="/api/confirm-member" class="inline-form">
                        <Hidden name="member" value=no_id/>
                        <Hidden name="yes" value="0"/>
                        <button type="submit" class="danger refuse-newcomer">{t("newcomer-no")}</button>
                    </PostForm>
                </li>
            }
        })
        .collect();
    let newcomers = (!newcomers.is_empty()).then(|| {
        view! {
            <section id="newcomers">
                <ul class="plain-list">{newcomers}</ul>
            </section>
        }
    });
    let coach = page.frame.coach_name.clone().unwrap_or_default();
    let waiting: Vec<_> = page
        .mandates
        .iter()
        .filter(|m| m.answer.is_none() && !m.ended)
        .map(|m| {
            view! {
                <li class="card question">
                    <p class="question-what" lang=crate::pages::question::help_lang(m) dir="auto">{crate::pages::question::help_text(m)}</p>
                    <a class="button" href=format!("/plan/question/{}", m.id)>{t("answer-question")}</a>
                </li>
            }
        })
        .collect();
    let waiting = (!waiting.is_empty()).then(|| {
        view! {
            <section id="waiting">
                <h2>{t("waiting-for-us")}</h2>
                <ul class="plain-list">{waiting}</ul>
            </section>
        }
    });
    let coach_panel = if page.frame.coach_name.is_none() {
        None
    } else if page.coach_accepted {
        Some(view! {
            <section class="card" id="coach-panel">
                <p>{t_args("coach-sees-plan", &[("coach", coach.clone())])}</p>
                <a class="small-link" href="/plan/coach">{t_args("coach-stop-link", &[("coach", coach.clone())])}</a>
            </section>
        }.into_any())
    } else {
        Some(view! {
            <section class="card notice" id="coach-panel">
                <p>{t_args("coach-not-accepted", &[("coach", coach.clone())])}</p>
                <PostForm action="/api/accept-coach">
                    <button type="submit" id="accept-coach">{t_args("coach-accept", &[("coach", coach.clone())])}</button>
                </PostForm>
            </section>
        }.into_any())
    };
    view! {
        <h1>{t("our-plan-title")}</h1>
        <p class="muted">{page.frame.name.clone()}</p>
        // Everyone who joined is listed, so nobody is in our plan unseen.
        <p class="muted" id="members">{t_args("our-members", &[("names", page.frame.members.join(", "))])}</p>
        <FormError/>
        <NewPhoneNotices notices/>
        {newcomers}
        {waiting}
        {coach_panel}
        {talk}
        <crate::pages::passkey::PasskeyCard count=passkeys settings=false/>
        <PlanHeaderView page=page.clone()/>
        <PlanView page=page.clone()/>
        <AddGoalForm family_id=page.family_id.clone()/>
        <nav class="card links">
            <a class="button secondary" href="/plan/looked" id="who-looked-link">{t("who-looked-title")}</a>
        </nav>
        <details class="card-details">
            <summary>{t("invite-member-title")}</summary>
            <Invites family_id=page.family_id.clone() invites explain="invite-member-explain"/>
        </details>
        <NewPhoneCodes members=members.clone() codes=new_phone/>
        <FamilyMembers members/>
        <crate::pages::passkey::PasskeyCard count=passkeys settings=true/>
        <LanguageForm/>
    }
}

/// Choose the language Onsplan speaks to me.
#[component]
pub fn LanguageForm() -> impl IntoView {
    let current = current_lang();
    let options: Vec<_> = Lang::ALL
        .iter()
        .map(|l| {
            view! { <option value=l.tag() lang=l.tag() selected=*l == current>{l.endonym()}</option> }
        })
        .collect();
    view! {
        <section class="card">
            <PostForm action="/api/set-language" class="inline-form">
                <label for="language">{t("language")}</label>
                <select name="lang" id="language">{options}</select>
                <button type="submit" class="secondary">{t("save")}</button>
            </PostForm>
        </section>
    }
}

/// Confirm before the coach loses access.
#[component]
pub fn CoachConsentPage() -> impl IntoView {
    load(our_plan(), |data| {
        let page = data.page;
        let coach = page.frame.coach_name.clone().unwrap_or_default();
        view! {
            <section class="card">
                <h1>{t_args("coach-stop-title", &[("coach", coach.clone())])}</h1>
                <p>{t_args("coach-stop-explain", &[("coach", coach.clone())])}</p>
                <PostForm action="/api/withdraw-coach">
                    <button type="submit" class="danger" id="confirm-withdraw-coach">{t("coach-stop-confirm")}</button>
                </PostForm>
                <p><a class="button secondary" href="/plan">{t("cancel")}</a></p>
            </section>
        }
    })
}
