//! "My families" for staff: a coach's families with what needs attention
//! (open questions, answers since my last visit, next evaluation, plans on
//! hold), and the families that shared something with a volunteer or a
//! partner worker. A coach opens a new family here. A coordinator sees
//! their team instead: how many families each person carries, no family.

use leptos::prelude::*;

use crate::components::page::{load, FormError, PostForm};
use crate::error::AppError;
use crate::lang::{t, t_args};
use crate::model::{FamilyCard, TeamLine};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FamiliesData {
    pub name: String,
    pub role: String,
    pub families: Vec<FamilyCard>,
    /// For a coordinator: their team, with counts only.
    pub team: Vec<TeamLine>,
}

#[server(endpoint = "my-families")]
pub async fn my_families() -> Result<FamiliesData, AppError> {
    use crate::domain::overview;
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    let staff = caller.as_staff().ok_or(AppError::NotFound)?;
    let families = overview::my_families(&state.db, staff, &state.clock.today()).await?;
    let name = overview::staff_name(&state.db, staff).await?;
    Ok(FamiliesData {
        name,
        role: staff.role().as_str().to_string(),
        families,
        team: overview::team(&state.db, staff).await?,
    })
}

/// A coach opens a new family (its name and an empty plan) and then
/// invites its members.
#[server(endpoint = "new-family")]
pub async fn new_family(name: String) -> Result<(), AppError> {
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    let staff = caller.as_staff().ok_or(AppError::NotFound)?;
    let id =
        crate::domain::accounts::create_family(&state.db, staff, &name, state.clock.now()).await?;
    leptos_axum::redirect(&format!("/families/{id}"));
    Ok(())
}

#[component]
pub fn FamiliesPage() -> impl IntoView {
    load(my_families(), |mine| {
        if mine.role == "coordinator" {
            return view! { <TeamView name=mine.name team=mine.team/> }.into_any();
        }
        let is_coach = mine.role == "coach";
        let empty = mine
            .families
            .is_empty()
            .then(|| view! { <p class="card">{t("families-empty")}</p> });
        let cards: Vec<_> = mine
            .families
            .into_iter()
            .map(|f| {
                let mut facts = Vec::new();
                match f.state.as_str() {
                    "waiting" => facts.push(t("family-waiting")),
                    "shared" => facts.push(t("family-shared")),
                    _ => {}
                }
                if f.open_questions > 0 {
                    facts.push(t_args(
                        "family-open-questions",
                        &[("count", f.open_questions.to_string())],
                    ));
                }
                if f.new_answers > 0 {
                    facts.push(t_args(
                        "family-new-answers",
                        &[("count", f.new_answers.to_string())],
                    ));
                }
                if let Some(d) = &f.next_evaluation {
                    facts.push(t_args(
                        "family-next-evaluation",
                        &[(
                            "date",
                            crate::i18n::long_date(crate::lang::current_lang(), d),
                        )],
                    ));
                }
                if f.on_hold {
                    facts.push(t("plan-on-hold"));
                }
                let facts: Vec<_> = facts.into_iter().map(|x| view! { <li>{x}</li> }).collect();
                view! {
                    <li class="card family-card">
                        <h2><a href=format!("/families/{}", f.id)>{f.name.clone()}</a></h2>
                        <ul class="facts-list">{facts}</ul>
                    </li>
                }
            })
            .collect();
        let create = is_coach.then(|| {
            view! {
                <section class="card">
                    <details id="new-family" open=crate::request::kept("/api/new-family", "name").is_some()>
                        <summary>{t("family-new")}</summary>
                        <PostForm action="/api/new-family" class="stack">
                            <label for="family-name">{t("family-new-name")}</label>
                            <input type="text" name="name" id="family-name" required maxlength="120"
                                value=crate::request::kept("/api/new-family", "name")/>
                            <button type="submit">{t("family-new")}</button>
                        </PostForm>
                    </details>
                </section>
            }
        });
        view! {
            <h1>{t("families-title")}</h1>
            <p class="muted">{t_args("signed-in-as", &[("name", mine.name.clone()), ("role", t(&format!("role-{}", mine.role)))])}</p>
            <FormError/>
            {empty}
            <ul class="plain-list" id="families">{cards}</ul>
            {create}
        }
        .into_any()
    })
}

/// A coordinator's page: the team's caseload, no family. One card per
/// person (a table with these long headers does not fit a phone).
#[component]
fn TeamView(name: String, team: Vec<TeamLine>) -> impl IntoView {
    let empty = team
        .is_empty()
        .then(|| view! { <p class="card">{t("team-empty")}</p> });
    let people: Vec<_> = team
        .into_iter()
        .map(|p| {
            view! {
                <li class="card team-person">
                    <h2>{p.name}</h2>
                    <p class="muted">{t(&format!("role-{}", p.role))}</p>
                    <dl class="counts">
                        <dt>{t("team-active")}</dt>
                        <dd>{p.active}</dd>
                        <dt>{t("team-waiting")}</dt>
                        <dd>{p.waiting}</dd>
                        <dt>{t("team-volunteer")}</dt>
                        <dd>{p.volunteer}</dd>
                    </dl>
                </li>
            }
        })
        .collect();
    view! {
        <h1>{t("team-title")}</h1>
        <p class="muted">{t_args("signed-in-as", &[("name", name), ("role", t("role-coordinator"))])}</p>
        <p>{t("team-intro")}</p>
        {empty}
        <ul class="plain-list" id="team">{people}</ul>
    }
}
