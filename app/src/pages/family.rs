//! One family, as staff see it: for its accepted coach the plan with the
//! editor, mandate questions, the plan header and invites (and how many
//! items the family keeps to itself, never which); for a volunteer or a
//! partner worker only what the family shared with them; for a coach whose
//! family has not joined yet, the invite.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::components::plan_view::{AddGoalForm, PlanHeaderView, PlanView};
use crate::error::AppError;
use crate::lang::{t, t_args};
use crate::model::{FamilyFrame, ItemKind, PlanPage};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InviteLine {
    pub code: String,
    pub link: String,
    /// The link as a QR code (SVG markup made on the server).
    pub qr_svg: String,
    pub expires: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[allow(clippy::large_enum_variant)] // made once per page, never stored
pub enum StaffFamily {
    Plan {
        page: PlanPage,
        invites: Vec<InviteLine>,
    },
    Waiting {
        family_id: String,
        frame: FamilyFrame,
        invites: Vec<InviteLine>,
    },
}

async fn invite_lines(
    state: &crate::domain::AppState,
    caller: &crate::domain::access::Caller,
    family: &str,
) -> Result<Vec<InviteLine>, AppError> {
    use crate::domain::{clock::belgian_datetime, invites};
    let open =
        invites::open_invites(&state.db, &state.secret, caller, family, state.clock.now()).await?;
    Ok(open
        .into_iter()
        .map(|i| {
            let link = format!("{}/join?code={}", state.public_url, i.code);
            let qr_svg = qrcode::QrCode::new(link.as_bytes())
                .map(|q| {
                    q.render::<qrcode::render::svg::Color>()
                        .min_dimensions(200, 200)
                        .quiet_zone(true)
                        .build()
                })
                .unwrap_or_default();
            InviteLine {
                code: i.code,
                link,
                qr_svg,
                expires: belgian_datetime(i.expires_at),
            }
        })
        .collect())
}

#[server(endpoint = "family")]
pub async fn family_view(id: String) -> Result<StaffFamily, AppError> {
    use crate::domain::overview;
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    let staff = caller.as_staff().ok_or(AppError::NotFound)?.clone();
    match crate::request::open_family(&id).await {
        Ok((state, access)) => {
            let page = overview::plan_page(&state.db, &access).await?;
            let invites = if page.reader == "coach" {
                overview::record_visit(&state.db, &access).await?;
                invite_lines(&state, &caller, &id).await?
            } else {
                Vec::new()
            };
            Ok(StaffFamily::Plan { page, invites })
        }
        Err(AppError::NotFound) => {
            let frame = overview::waiting_frame(&state.db, &staff, &id).await?;
            let invites = invite_lines(&state, &caller, &id).await?;
            Ok(StaffFamily::Waiting {
                family_id: id,
                frame,
                invites,
            })
        }
        Err(e) => Err(e),
    }
}

/// A coach makes a new invite for the family.
#[server(endpoint = "invite")]
pub async fn create_invite(family: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    if !crate::domain::ids::looks_like_id(&family) {
        return Err(AppError::NotFound);
    }
    crate::domain::invites::create(
        &state.db,
        &state.secret,
        &caller,
        &family,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/families/{family}#invite"));
    Ok(())
}

/// The coach asks "May I do this for you?" on one action.
#[server(endpoint = "ask")]
pub async fn ask(
    family: String,
    action: String,
    what: String,
    counterparty: String,
    facts: String,
    until: String,
) -> Result<(), AppError> {
    use crate::domain::mandates::{self, MandateInput};
    let (state, access) = crate::request::open_family(&family).await?;
    let input = MandateInput {
        what,
        counterparty,
        facts,
        until,
    };
    mandates::ask(&state.db, &access, &action, &input).await?;
    leptos_axum::redirect(&format!("/families/{family}"));
    Ok(())
}

#[component]
pub fn FamilyPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    load(family_view(id), |view| match view {
        StaffFamily::Plan { page, invites } => view! { <StaffPlan page invites/> }.into_any(),
        StaffFamily::Waiting {
            family_id,
            frame,
            invites,
        } => view! {
            <h1>{frame.name.clone()}</h1>
            <FormError/>
            <p class="card notice" id="waiting">{t("family-waiting-explain")}</p>
            <Invites family_id invites/>
        }
        .into_any(),
    })
}

#[component]
fn StaffPlan(page: PlanPage, invites: Vec<InviteLine>) -> impl IntoView {
    let is_coach = page.reader == "coach";
    let hidden = (is_coach && page.hidden_count > 0).then(|| {
        view! { <p class="card muted" id="hidden-count">{t_args("hidden-count", &[("count", page.hidden_count.to_string())])}</p> }
    });
    let viewer = (!is_coach)
        .then(|| view! { <p class="card notice" id="viewer-note">{t("viewer-explain")}</p> });
    let members = page.frame.members.join(", ");
    view! {
        <h1>{page.frame.name.clone()}</h1>
        <p class="muted">{members}</p>
        <FormError/>
        {viewer}
        {hidden}
        <PlanHeaderView page=page.clone()/>
        <PlanView page=page.clone()/>
        {is_coach.then(|| view! {
            <AddGoalForm family_id=page.family_id.clone()/>
            <HeaderForm page=page.clone()/>
            <Invites family_id=page.family_id.clone() invites=invites.clone()/>
        })}
        <p><a href="/families">{t("families-title")}</a></p>
    }
}

#[component]
fn HeaderForm(page: PlanPage) -> impl IntoView {
    let h = page.header.clone().unwrap_or(crate::model::PlanHeader {
        intensity: "low".into(),
        next_evaluation: None,
        end_criteria: String::new(),
        status: "active".into(),
        hold_reason: String::new(),
    });
    let intensity: Vec<_> = ["low", "intensive"]
        .iter()
        .map(|i| view! { <option value=*i selected=h.intensity == *i>{t(&format!("intensity-{i}"))}</option> })
        .collect();
    let status: Vec<_> = ["active", "on_hold", "ended"]
        .iter()
        .map(|s| view! { <option value=*s selected=h.status == *s>{t(&format!("plan-status-{s}"))}</option> })
        .collect();
    view! {
        <section class="card">
            <details id="edit-header">
                <summary>{t("plan-edit-header")}</summary>
                <PostForm action="/api/set-header" class="stack">
                    <Hidden name="family" value=page.family_id.clone()/>
                    <label for="intensity">{t("plan-intensity")}</label>
                    <select name="intensity" id="intensity">{intensity}</select>
                    <label for="next_evaluation">{t("plan-next-evaluation")}</label>
                    <input type="date" name="next_evaluation" id="next_evaluation" value=h.next_evaluation.clone().unwrap_or_default()/>
                    <label for="end_criteria">{t("plan-end-criteria")}</label>
                    <textarea name="end_criteria" id="end_criteria" rows="3" maxlength="2000">{h.end_criteria.clone()}</textarea>
                    <label for="status">{t("plan-status")}</label>
                    <select name="status" id="status">{status}</select>
                    <label for="hold_reason">{t("plan-hold-reason")}</label>
                    <input type="text" name="hold_reason" id="hold_reason" maxlength="2000" value=h.hold_reason.clone()/>
                    <button type="submit">{t("save")}</button>
                </PostForm>
            </details>
        </section>
    }
}

#[component]
fn Invites(family_id: String, invites: Vec<InviteLine>) -> impl IntoView {
    let lines: Vec<_> = invites
        .into_iter()
        .map(|i| {
            view! {
                <li class="invite">
                    <p>{t("invite-code")}" "<strong class="invite-code">{i.code.clone()}</strong></p>
                    <p class="invite-link"><a href=i.link.clone()>{i.link.clone()}</a></p>
                    <div class="qr" role="img" aria-label=t("invite-qr") inner_html=i.qr_svg.clone()></div>
                    <p class="muted">{t_args("invite-valid-until", &[("when", i.expires.clone())])}</p>
                </li>
            }
        })
        .collect();
    view! {
        <section class="card" id="invite">
            <h2>{t("invite-title")}</h2>
            <p class="muted">{t("invite-explain")}</p>
            <ul class="plain-list">{lines}</ul>
            <PostForm action="/api/invite">
                <Hidden name="family" value=family_id/>
                <button type="submit" id="make-invite">{t("invite-make")}</button>
            </PostForm>
        </section>
    }
}

#[component]
pub fn AskPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let action = params
        .with_untracked(|p| p.get("action"))
        .unwrap_or_default();
    load(family_view(id), move |view| {
        let StaffFamily::Plan { page, .. } = view else {
            return view! { <crate::components::page::ErrorPage error=AppError::NotFound/> }
                .into_any();
        };
        let Some(item) = page
            .items
            .iter()
            .find(|i| i.id == action && i.kind == ItemKind::Action && page.reader == "coach")
            .cloned()
        else {
            return view! { <crate::components::page::ErrorPage error=AppError::NotFound/> }
                .into_any();
        };
        let back = format!("/families/{}", page.family_id);
        view! {
            <h1>{t("ask-title")}</h1>
            <p class="lead">{item.body.clone()}</p>
            <FormError/>
            <section class="card">
                <p class="muted">{t("ask-explain")}</p>
                <PostForm action="/api/ask" class="stack">
                    <Hidden name="family" value=page.family_id.clone()/>
                    <Hidden name="action" value=item.id.clone()/>
                    <label for="what">{t("question-what")}</label>
                    <textarea name="what" id="what" rows="3" required maxlength="2000"></textarea>
                    <label for="counterparty">{t("question-with-whom")}</label>
                    <input type="text" name="counterparty" id="counterparty" required maxlength="300"/>
                    <label for="facts">{t("question-facts")}</label>
                    <textarea name="facts" id="facts" rows="3" required maxlength="2000"></textarea>
                    <label for="until">{t("question-until")}</label>
                    <input type="date" name="until" id="until" required/>
                    <button type="submit" id="ask-send">{t("ask-send")}</button>
                </PostForm>
            </section>
            <p><a href=back>{t("back-to-plan")}</a></p>
        }
        .into_any()
    })
}
