//! One family, as staff see it: for its accepted coach the plan with the
//! editor, mandate questions, the plan header and invites (and how many
//! items the family keeps to itself, never which); for a volunteer or a
//! partner worker only what the family shared with them; for a coach whose
//! family has not joined yet, the invite.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::icons::domain_name;
use crate::components::invite::{invite_lines, new_phone_lines, InviteLine, Invites};
use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::components::plan_view::{AddGoalForm, PlanHeaderView, PlanView};
use crate::error::AppError;
use crate::lang::{t, t_args};
use crate::model::{
    FamilyFrame, FamilyMember, ItemKind, PlanItem, PlanPage, FACT_KINDS, HELP_KINDS, PARTY_KINDS,
};
use crate::pages::members::CoachReentry;

/// For the accepted coach: the members, and the coach's open re-entry codes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reentry {
    pub members: Vec<FamilyMember>,
    pub codes: Vec<InviteLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[allow(clippy::large_enum_variant)] // made once per page, never stored
pub enum StaffFamily {
    Plan {
        page: PlanPage,
        invites: Vec<InviteLine>,
        reentry: Option<Reentry>,
    },
    Waiting {
        family_id: String,
        frame: FamilyFrame,
        invites: Vec<InviteLine>,
    },
}

#[server(endpoint = "family")]
pub async fn family_view(id: String) -> Result<StaffFamily, AppError> {
    use crate::domain::{members, overview};
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    let staff = caller.as_staff().ok_or(AppError::NotFound)?.clone();
    match crate::request::open_family(&id).await {
        Ok((state, access)) => {
            let page = overview::plan_page(&state.db, &access).await?;
            let (invites, reentry) = if page.reader == "coach" {
                let reentry = Reentry {
                    members: members::in_family(&state.db, &access).await?,
                    codes: new_phone_lines(&state, &caller, &id).await?,
                };
                (invite_lines(&state, &caller, &id).await?, Some(reentry))
            } else {
                (Vec::new(), None)
            };
            Ok(StaffFamily::Plan {
                page,
                invites,
                reentry,
            })
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

/// The coach, or a member of the family, makes a new invite.
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
    match caller {
        crate::domain::access::Caller::Member(_) => leptos_axum::redirect("/plan#invite"),
        _ => leptos_axum::redirect(&format!("/families/{family}#invite")),
    }
    Ok(())
}

/// The coach asks "May I do this for you?" on one action: what (`help`),
/// with whom (`party`, `party_name`), which facts (`facts[]`, checkboxes),
/// until when, and their own words if they want.
#[server(endpoint = "ask")]
#[allow(clippy::too_many_arguments)]
pub async fn ask(
    family: String,
    action: String,
    help: String,
    party: String,
    party_name: Option<String>,
    facts: Option<Vec<String>>,
    words: Option<String>,
    until: String,
) -> Result<(), AppError> {
    use crate::domain::mandates::{self, MandateInput};
    let (state, access) = crate::request::open_family(&family).await?;
    let input = MandateInput {
        help,
        party,
        party_name: party_name.unwrap_or_default(),
        facts: facts.unwrap_or_default(),
        words: words.unwrap_or_default(),
        until,
    };
    mandates::ask(&state.db, &access, &action, &input).await?;
    crate::domain::messages::announce_family(&state.db, &state.live, &family, "coach").await;
    leptos_axum::redirect(&format!("/families/{family}"));
    Ok(())
}

#[component]
pub fn FamilyPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    load(family_view(id), |view| match view {
        StaffFamily::Plan {
            page,
            invites,
            reentry,
        } => view! { <StaffPlan page invites reentry/> }.into_any(),
        StaffFamily::Waiting {
            family_id,
            frame,
            invites,
        } => view! {
            <h1>{frame.name.clone()}</h1>
            <FormError/>
            <p class="card notice" id="waiting">{t("family-waiting-explain")}</p>
            <Invites family_id invites explain="invite-explain"/>
        }
        .into_any(),
    })
}

#[component]
fn StaffPlan(page: PlanPage, invites: Vec<InviteLine>, reentry: Option<Reentry>) -> impl IntoView {
    let is_coach = page.reader == "coach";
    let hidden = (is_coach && page.hidden_count > 0).then(|| {
        view! { <p class="card muted" id="hidden-count">{t_args("hidden-count", &[("count", page.hidden_count.to_string())])}</p> }
    });
    // A volunteer or partner worker reads what was shared with them, what
    // for and until when: the family's own terms.
    let shared: Vec<_> = page
        .shared_with_me
        .iter()
        .map(|s| {
            let what = match (&s.domain, &s.item_body) {
                (Some(d), _) => t_args("shared-with-you-domain", &[("domain", domain_name(d))]),
                (None, Some(body)) => t_args("shared-with-you-item", &[("item", body.clone())]),
                (None, None) => String::new(),
            };
            view! {
                <li class="shared-with-me">
                    <strong>{what}</strong>
                    {(!s.purpose.is_empty()).then(|| view! {
                        <span>{t_args("shared-with-you-purpose", &[("purpose", s.purpose.clone())])}</span>
                    })}
                    <span>{t_args("shared-with-you-until", &[("date", crate::i18n::long_date(crate::lang::current_lang(), &s.until))])}</span>
                </li>
            }
        })
        .collect();
    let viewer = (!is_coach).then(|| {
        view! {
            <section class="card notice" id="viewer-note">
                <p>{t("viewer-explain")}</p>
                {(!shared.is_empty()).then(|| view! {
                    <h2>{t("shared-with-you-title")}</h2>
                    <ul class="plain-list" id="shared-with-me">{shared}</ul>
                })}
            </section>
        }
    });
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
            <Invites family_id=page.family_id.clone() invites=invites.clone() explain="invite-explain"/>
        })}
        {reentry.map(|r| view! {
            <CoachReentry family_id=page.family_id.clone() members=r.members codes=r.codes/>
        })}
        <p><a class="nav-link" href="/families">{t("families-title")}</a></p>
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
        end_criteria_lang: None,
        hold_reason_lang: None,
    });
    // A refused change comes back as it was typed.
    let kept = |name: &str| crate::request::kept("/api/set-header", name);
    let refused = kept("status").is_some();
    let h = crate::model::PlanHeader {
        intensity: kept("intensity").unwrap_or(h.intensity),
        next_evaluation: kept("next_evaluation").or(h.next_evaluation),
        end_criteria: kept("end_criteria").unwrap_or(h.end_criteria),
        status: kept("status").unwrap_or(h.status),
        hold_reason: kept("hold_reason").unwrap_or(h.hold_reason),
        end_criteria_lang: None,
        hold_reason_lang: None,
    };
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
            <details id="edit-header" open=refused>
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

/// The action a coach asks about, and nothing else: only that one item is
/// read (and logged), and only for the family's accepted coach.
#[server(endpoint = "ask-view")]
pub async fn ask_view(family: String, action: String) -> Result<(String, PlanItem), AppError> {
    use crate::domain::plan;
    let (state, access) = crate::request::open_family(&family).await?;
    if !plan::is_coach_with_mandate(&state.db, &access).await? {
        return Err(AppError::NotFound);
    }
    let item = plan::item_of_kind(&state.db, &access, &action, ItemKind::Action).await?;
    Ok((family, item))
}

#[component]
pub fn AskPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let action = params
        .with_untracked(|p| p.get("action"))
        .unwrap_or_default();
    load(ask_view(id, action), move |(family_id, item)| {
        let back = format!("/families/{family_id}");
        // A refused question comes back as it was typed.
        let action_id = item.id.clone();
        let kept =
            move |name: &str| crate::request::kept_where("/api/ask", "action", &action_id, name);
        let help = kept("help");
        let party = kept("party");
        let facts = crate::request::kept_all_where("/api/ask", "action", &item.id, "facts[]");
        view! {
            <h1>{t("ask-title")}</h1>
            <p class="lead" lang=item.lang.clone() dir="auto">{item.body.clone()}</p>
            <FormError/>
            <section class="card">
                <p class="muted">{t("ask-explain")}</p>
                <PostForm action="/api/ask" class="stack">
                    <Hidden name="family" value=family_id.clone()/>
                    <Hidden name="action" value=item.id.clone()/>
                    <label for="help">{t("question-what")}</label>
                    <select name="help" id="help" required>
                        <option value="">{t("choose")}</option>
                        {HELP_KINDS.iter().map(|k| {
                            let chosen = help.as_deref() == Some(*k);
                            view! { <option value=*k selected=chosen>{t(&format!("help-{k}"))}</option> }
                        }).collect_view()}
                    </select>
                    <label for="party">{t("question-with-whom")}</label>
                    <select name="party" id="party" required>
                        <option value="">{t("choose")}</option>
                        {PARTY_KINDS.iter().map(|k| {
                            let chosen = party.as_deref() == Some(*k);
                            view! { <option value=*k selected=chosen>{t(&format!("party-{k}"))}</option> }
                        }).collect_view()}
                    </select>
                    <label for="party_name">{t("ask-party-name")}</label>
                    <input type="text" name="party_name" id="party_name" maxlength="300" dir="auto" value=kept("party_name")/>
                    <fieldset class="checks">
                        <legend>{t("question-facts")}</legend>
                        {FACT_KINDS.iter().map(|k| {
                            let chosen = facts.iter().any(|f| f == k);
                            view! {
                                <label class="check">
                                    <input type="checkbox" name="facts[]" value=*k checked=chosen/>
                                    " "{t(&format!("fact-{k}"))}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <label for="until">{t("question-until")}</label>
                    <input type="date" name="until" id="until" required value=kept("until")/>
                    <label for="words">{t("ask-words")}</label>
                    <p class="muted small">{t("ask-words-explain")}</p>
                    <textarea name="words" id="words" rows="3" maxlength="2000" dir="auto">{kept("words").unwrap_or_default()}</textarea>
                    <button type="submit" id="ask-send">{t("ask-send")}</button>
                </PostForm>
            </section>
            <p><a class="nav-link" href=back>{t("back-to-plan")}</a></p>
        }
    })
}
