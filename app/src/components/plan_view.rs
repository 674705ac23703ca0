//! The plan, domain by domain: goals, their actions (who, by when, where it
//! stands, the mandate question on it) and notes. The same view serves the
//! family, its coach and anyone the family shared with; what differs is
//! only what the server let through and which links and forms are offered.

use leptos::prelude::*;

use crate::components::icons::{domain_name, DomainIcon};
use crate::components::page::{Hidden, PostForm};
use crate::lang::{t, t_args};
use crate::model::{ItemKind, PlanItem, PlanPage, ACTION_STATUS, DOMAINS, WHO};

/// The plan header: intensity, next evaluation, when the help may end, and
/// an on-hold notice with its reason.
#[component]
pub fn PlanHeaderView(page: PlanPage) -> impl IntoView {
    page.header.map(|h| {
        let on_hold = (h.status == "on_hold").then(|| {
            view! {
                <section class="card notice" id="on-hold">
                    <h2>{t("plan-on-hold")}</h2>
                    <p dir="auto" lang=h.hold_reason_lang.clone()>{h.hold_reason.clone()}</p>
                </section>
            }
        });
        let ended = (h.status == "ended").then(|| {
            view! { <p class="card notice">{t("plan-ended")}</p> }
        });
        view! {
            {on_hold}
            {ended}
            <section class="card plan-header">
                <dl>
                    <dt>{t("plan-intensity")}</dt>
                    <dd>{t(&format!("intensity-{}", h.intensity))}</dd>
                    <dt>{t("plan-next-evaluation")}</dt>
                    <dd id="next-evaluation">{h.next_evaluation.as_deref().map(|d| crate::i18n::long_date(crate::lang::current_lang(), d)).unwrap_or_else(|| t("plan-not-set"))}</dd>
                    <dt>{t("plan-end-criteria")}</dt>
                    <dd id="end-criteria" dir="auto" lang=(!h.end_criteria.is_empty()).then(|| h.end_criteria_lang.clone()).flatten()>{if h.end_criteria.is_empty() { t("plan-not-set") } else { h.end_criteria.clone() }}</dd>
                </dl>
            </section>
        }
    })
}

/// Where forms in the plan post back to, and where item links go.
fn item_links(page: &PlanPage) -> bool {
    page.is_member()
}

#[component]
pub fn PlanView(page: PlanPage) -> impl IntoView {
    let sections: Vec<_> = DOMAINS
        .iter()
        .filter(|d| page.items.iter().any(|i| i.domain == **d))
        .map(|d| view! { <DomainSection page=page.clone() domain=d.to_string()/> })
        .collect();
    let empty = sections.is_empty().then(|| {
        view! { <p class="card muted" id="plan-empty">{t("plan-empty")}</p> }
    });
    view! {
        <div class="plan">
            {empty}
            {sections}
        </div>
    }
}

#[component]
fn DomainSection(page: PlanPage, domain: String) -> impl IntoView {
    let in_domain: Vec<PlanItem> = page
        .items
        .iter()
        .filter(|i| i.domain == domain)
        .cloned()
        .collect();
    let goals: Vec<PlanItem> = in_domain
        .iter()
        .filter(|i| i.kind == ItemKind::Goal)
        .cloned()
        .collect();
    let goal_ids: Vec<String> = goals.iter().map(|g| g.id.clone()).collect();
    // Items whose goal this reader does not see (an action shared alone),
    // and notes on the domain itself.
    let loose: Vec<PlanItem> = in_domain
        .iter()
        .filter(|i| {
            i.kind != ItemKind::Goal && i.goal_id.as_ref().is_none_or(|g| !goal_ids.contains(g))
        })
        .cloned()
        .collect();
    let share_link = item_links(&page).then(|| {
        view! {
            <a class="small-link" href=format!("/plan/share?domain={domain}")>{t("who-can-see-domain")}</a>
        }
    });
    let goal_views: Vec<_> = goals
        .into_iter()
        .map(|g| {
            let children: Vec<PlanItem> = in_domain
                .iter()
                .filter(|i| i.goal_id.as_deref() == Some(g.id.as_str()))
                .cloned()
                .collect();
            view! { <GoalView page=page.clone() goal=g children/> }
        })
        .collect();
    let loose_views: Vec<_> = loose
        .into_iter()
        .map(|i| view! { <ItemLine page=page.clone() item=i/> })
        .collect();
    let loose_list =
        (!loose_views.is_empty()).then(|| view! { <ul class="items">{loose_views}</ul> });
    view! {
        <section class="card domain" id=format!("domain-{domain}")>
            <h2 class="domain-title"><DomainIcon domain=domain.clone()/>{domain_name(&domain)}</h2>
            {share_link}
            {goal_views}
            {loose_list}
        </section>
    }
}

#[component]
fn GoalView(page: PlanPage, goal: PlanItem, children: Vec<PlanItem>) -> impl IntoView {
    let add_action = page.can_edit().then(|| {
        view! { <AddActionForm family_id=page.family_id.clone() goal_id=goal.id.clone()/> }
    });
    let lines: Vec<_> = children
        .into_iter()
        .map(|i| view! { <ItemLine page=page.clone() item=i/> })
        .collect();
    view! {
        <article class="goal" id=format!("item-{}", goal.id)>
            <h3>
                <span class="kind">{t("kind-goal")}": "</span>
                <span class="body" lang=goal.lang.clone() dir="auto">{goal.body.clone()}</span>
            </h3>
            <ItemMeta page=page.clone() item=goal.clone()/>
            <ul class="items">{lines}</ul>
            {add_action}
        </article>
    }
}

/// The "only us" badge and the link to "Who can see this?".
#[component]
fn ItemMeta(page: PlanPage, item: PlanItem) -> impl IntoView {
    let only_us = item
        .only_us
        .then(|| view! { <span class="badge only-us">{t("only-us-badge")}</span> });
    let link = item_links(&page).then(|| {
        view! {
            <a class="small-link" href=format!("/plan/share?item={}", item.id)>{t("who-can-see-this")}</a>
        }
    });
    view! { <p class="meta">{only_us}{link}</p> }
}

#[component]
fn ItemLine(page: PlanPage, item: PlanItem) -> impl IntoView {
    let kind = match item.kind {
        ItemKind::Goal => t("kind-goal"),
        ItemKind::Action => t("kind-action"),
        ItemKind::Note => t("kind-note"),
    };
    let details = (item.kind == ItemKind::Action).then(|| {
        let who = item.who.clone().unwrap_or_default();
        let status = item.status.clone().unwrap_or_else(|| "todo".into());
        let due = item.due.clone().map(|d| {
            view! { <span class="due">{t_args("action-due", &[("date", crate::i18n::long_date(crate::lang::current_lang(), &d))])}</span> }
        });
        view! {
            <p class="action-details">
                <span class="who">{t(&format!("who-{who}"))}</span>
                {due}
                <span class=format!("status status-{status}")>{t(&format!("status-{status}"))}</span>
            </p>
        }
    });
    let mandate = page.mandate_for(&item.id).cloned().map(|m| {
        let state = match (m.answer.as_deref(), m.ended) {
            (_, true) => "ended".to_string(),
            (None, _) => "open".to_string(),
            (Some(a), _) => a.to_string(),
        };
        // The family reads its own words ("You said: …"); staff read what
        // the family said ("The family said: …").
        let label = if page.is_member() {
            t(&format!("mandate-state-{state}"))
        } else {
            t(&format!("mandate-staff-{state}"))
        };
        let href = if page.is_member() {
            Some(format!("/plan/question/{}", m.id))
        } else {
            None
        };
        // A yes can be withdrawn in one tap from the plan (then confirmed).
        let withdraw = (page.is_member() && m.granted()).then(|| {
            view! {
                <a class="small-link withdraw" href=format!("/plan/question/{}?withdraw=1", m.id)>
                    {t("withdraw-answer")}
                </a>
            }
        });
        view! {
            <p class=format!("mandate mandate-{state}")>
                {match href {
                    Some(h) => view! { <a href=h>{label}</a> }.into_any(),
                    None => view! { <span>{label}</span> }.into_any(),
                }}
                " "
                {withdraw}
            </p>
        }
    });
    let coach_tools = (page.reader == "coach" && item.kind == ItemKind::Action).then(|| {
        view! {
            <a class="small-link ask" href=format!("/families/{}/ask/{}", page.family_id, item.id)>
                {t("ask-mandate-link")}
            </a>
        }
    });
    let status_form = (page.can_edit() && item.kind == ItemKind::Action).then(|| {
        let current = item.status.clone().unwrap_or_default();
        view! { <StatusForm family_id=page.family_id.clone() action_id=item.id.clone() current/> }
    });
    view! {
        <li class=format!("item item-{}", item.kind.as_str()) id=format!("item-{}", item.id)>
            <span class="kind">{kind}": "</span>
            <span class="body" lang=item.lang.clone() dir="auto">{item.body.clone()}</span>
            {details}
            {mandate}
            <ItemMeta page=page.clone() item=item.clone()/>
            {coach_tools}
            {status_form}
        </li>
    }
}

#[component]
fn StatusForm(family_id: String, action_id: String, current: String) -> impl IntoView {
    let options: Vec<_> = ACTION_STATUS
        .iter()
        .map(|s| {
            view! { <option value=*s selected=*s == current>{t(&format!("status-{s}"))}</option> }
        })
        .collect();
    let label_id = format!("status-{action_id}");
    view! {
        <PostForm action="/api/set-status" class="inline-form">
            <Hidden name="family" value=family_id/>
            <Hidden name="action" value=action_id/>
            <label class="visually-hidden" for=label_id.clone()>{t("action-status")}</label>
            <select name="status" id=label_id>{options}</select>
            <button type="submit" class="secondary">{t("save")}</button>
        </PostForm>
    }
}

#[component]
fn AddActionForm(family_id: String, goal_id: String) -> impl IntoView {
    // A refused action comes back as it was typed, under its own goal.
    let kept = |name: &str| crate::request::kept_where("/api/add-action", "goal", &goal_id, name);
    let kept_who = kept("who");
    let who: Vec<_> = WHO
        .iter()
        .map(|w| {
            view! { <option value=*w selected=kept_who.as_deref() == Some(*w)>{t(&format!("who-{w}"))}</option> }
        })
        .collect();
    let (body, due) = (kept("body"), kept("due"));
    let refused = body.is_some();
    let body_id = format!("action-body-{goal_id}");
    let who_id = format!("action-who-{goal_id}");
    let due_id = format!("action-due-{goal_id}");
    view! {
        <details class="add" open=refused>
            <summary>{t("add-action")}</summary>
            <PostForm action="/api/add-action" class="stack">
                <Hidden name="family" value=family_id/>
                <Hidden name="goal" value=goal_id/>
                <label for=body_id.clone()>{t("action-what")}</label>
                <input type="text" name="body" id=body_id required maxlength="2000" value=body/>
                <label for=who_id.clone()>{t("action-who")}</label>
                <select name="who" id=who_id>{who}</select>
                <label for=due_id.clone()>{t("action-by-when")}</label>
                <input type="date" name="due" id=due_id value=due/>
                <button type="submit">{t("add-action")}</button>
            </PostForm>
        </details>
    }
}

/// "Add a goal" (and a note), in any domain.
#[component]
pub fn AddGoalForm(family_id: String) -> impl IntoView {
    let family_for_note = family_id.clone();
    // A refused goal or note comes back as it was typed.
    let kept = crate::request::kept;
    let domains = move |action: &str| {
        let chosen = kept(action, "domain");
        DOMAINS
            .iter()
            .map(|d| view! { <option value=*d selected=chosen.as_deref() == Some(*d)>{domain_name(d)}</option> })
            .collect::<Vec<_>>()
    };
    let goal_body = kept("/api/add-goal", "body");
    let note_body = kept("/api/add-note", "body");
    let (goal_open, note_open) = (goal_body.is_some(), note_body.is_some());
    view! {
        <section class="card">
            <details class="add" id="add-goal" open=goal_open>
                <summary>{t("add-goal")}</summary>
                <PostForm action="/api/add-goal" class="stack">
                    <Hidden name="family" value=family_id/>
                    <label for="goal-domain">{t("goal-domain")}</label>
                    <select name="domain" id="goal-domain">{domains("/api/add-goal")}</select>
                    <label for="goal-body">{t("goal-what")}</label>
                    <input type="text" name="body" id="goal-body" required maxlength="2000" value=goal_body.clone()/>
                    <button type="submit">{t("add-goal")}</button>
                </PostForm>
            </details>
            <details class="add" id="add-note" open=note_open>
                <summary>{t("add-note")}</summary>
                <PostForm action="/api/add-note" class="stack">
                    <Hidden name="family" value=family_for_note/>
                    <label for="note-domain">{t("goal-domain")}</label>
                    <select name="domain" id="note-domain">{domains("/api/add-note")}</select>
                    <label for="note-body">{t("note-text")}</label>
                    <textarea name="body" id="note-body" required maxlength="2000" rows="3">{note_body.clone().unwrap_or_default()}</textarea>
                    <button type="submit">{t("add-note")}</button>
                </PostForm>
            </details>
        </section>
    }
}
