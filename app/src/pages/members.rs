//! Who is in the family, and getting back in: on "Our plan" the members
//! (with "remove", after a confirmation page), "new phone" codes a member
//! makes for any member, and the notice that the coach let a phone in; on
//! the coach's family page, the coach's re-entry code for when no member
//! can help.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::invite::{InviteItem, InviteLine};
use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::error::AppError;
use crate::lang::{current_lang, t, t_args};
use crate::model::{FamilyMember, NewPhoneNotice};

/// A member makes a "new phone" code for a member of their family
/// (themselves or another).
#[server(endpoint = "new-phone-code")]
pub async fn new_phone_code(member: String) -> Result<(), AppError> {
    use crate::domain::new_phone;
    let (state, access) = crate::request::open_own_family().await?;
    let caller = crate::request::signed_in()?;
    if !crate::domain::ids::looks_like_id(&member) {
        return Err(AppError::NotFound);
    }
    new_phone::create(
        &state.db,
        &state.secret,
        &caller,
        access.family_id(),
        &member,
        access.now(),
    )
    .await?;
    leptos_axum::redirect("/plan#new-phone");
    Ok(())
}

/// The family's coach, while the family accepts them, makes a code that
/// lets one member back in when nobody of the family can help.
#[server(endpoint = "reentry-code")]
pub async fn reentry_code(family: String, member: String) -> Result<(), AppError> {
    use crate::domain::new_phone;
    let (state, access) = crate::request::open_family(&family).await?;
    let caller = crate::request::signed_in()?;
    if caller.as_staff().is_none() || !crate::domain::ids::looks_like_id(&member) {
        return Err(AppError::NotFound);
    }
    new_phone::create(
        &state.db,
        &state.secret,
        &caller,
        access.family_id(),
        &member,
        access.now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/families/{family}#reentry"));
    Ok(())
}

/// The member the confirmation page is about: one of the caller's family,
/// not the caller.
#[server(endpoint = "member-to-remove")]
pub async fn member_to_remove(id: String) -> Result<FamilyMember, AppError> {
    use crate::domain::members;
    let (state, access) = crate::request::open_own_family().await?;
    members::in_family(&state.db, &access)
        .await?
        .into_iter()
        .find(|m| m.id == id && !m.is_me)
        .ok_or(AppError::NotFound)
}

/// A member removes another member of the family (after the confirmation
/// page).
#[server(endpoint = "remove-member")]
pub async fn remove_member(member: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    crate::domain::members::remove(&state.db, &access, &member).await?;
    leptos_axum::redirect("/plan#family-members");
    Ok(())
}

/// A member puts away the "new phone" notices shown to them (up to the
/// newest one shown, `until`).
#[server(endpoint = "dismiss-notices")]
pub async fn dismiss_notices(until: String) -> Result<(), AppError> {
    let (state, access) = crate::request::open_own_family().await?;
    let until: i64 = until
        .trim()
        .parse()
        .map_err(|_| AppError::bad("error-bad-input"))?;
    crate::domain::members::dismiss_new_phone_notices(&state.db, &access, until).await?;
    leptos_axum::redirect("/plan");
    Ok(())
}

/// "Sara let someone in as Amal on a new phone", at the top of Our plan.
#[component]
pub fn NewPhoneNotices(notices: Vec<NewPhoneNotice>) -> impl IntoView {
    let until = notices.iter().map(|n| n.at).max()?;
    let lines: Vec<_> = notices
        .into_iter()
        .map(|n| {
            let text = t_args(
                "notice-new-phone",
                &[
                    ("coach", n.coach),
                    ("name", n.member.clone()),
                    ("when", crate::i18n::date_time(current_lang(), n.at)),
                ],
            );
            let explain = t_args("notice-new-phone-explain", &[("name", n.member)]);
            view! { <li><p><strong>{text}</strong></p><p>{explain}</p></li> }
        })
        .collect();
    Some(view! {
        <section class="card notice" id="new-phone-notice" role="status">
            <ul class="plain-list">{lines}</ul>
            <p><a class="nav-link" href="/plan/looked">{t("who-looked-title")}</a></p>
            <PostForm action="/api/dismiss-notices">
                <Hidden name="until" value=until.to_string()/>
                <button type="submit" class="secondary" id="dismiss-notice">{t("notice-seen")}</button>
            </PostForm>
        </section>
    })
}

/// The members of the family, each (but the reader) with "remove".
#[component]
pub fn FamilyMembers(members: Vec<FamilyMember>) -> impl IntoView {
    let lines: Vec<_> = members
        .into_iter()
        .map(|m| {
            if m.is_me {
                view! { <li class="member">{t_args("member-is-me", &[("name", m.name)])}</li> }
                    .into_any()
            } else {
                let href = format!("/plan/remove/{}", m.id);
                view! {
                    <li class="member">
                        {m.name.clone()}" "
                        <a class="small-link remove-member" href=href>{t_args("member-remove-link", &[("name", m.name.clone())])}</a>
                    </li>
                }
                .into_any()
            }
        })
        .collect();
    view! {
        <details class="card-details" id="family-members">
            <summary>{t("members-title")}</summary>
            <section class="card">
                <ul class="plain-list">{lines}</ul>
            </section>
        </details>
    }
}

/// A choice of member and the button that makes a code for them.
#[component]
fn MemberChoice(
    action: &'static str,
    members: Vec<FamilyMember>,
    #[prop(optional)] family_id: Option<String>,
    button_id: &'static str,
    button: String,
) -> impl IntoView {
    let options: Vec<_> = members
        .into_iter()
        .map(|m| {
            let label = if m.is_me {
                t_args("member-is-me", &[("name", m.name)])
            } else {
                m.name
            };
            view! { <option value=m.id>{label}</option> }
        })
        .collect();
    let select_id = format!("{button_id}-member");
    view! {
        <PostForm action=action class="stack">
            {family_id.map(|f| view! { <Hidden name="family" value=f/> })}
            <label for=select_id.clone()>{t("new-phone-for")}</label>
            <select name="member" id=select_id>{options}</select>
            <button type="submit" id=button_id>{button}</button>
        </PostForm>
    }
}

/// "Let me in on my new phone": the family's open codes, and making one.
#[component]
pub fn NewPhoneCodes(members: Vec<FamilyMember>, codes: Vec<InviteLine>) -> impl IntoView {
    let open = !codes.is_empty();
    let lines: Vec<_> = codes
        .into_iter()
        .map(|line| view! { <InviteItem line/> })
        .collect();
    view! {
        <details class="card-details" id="new-phone" open=open>
            <summary>{t("new-phone-title")}</summary>
            <section class="card">
                <p class="muted">{t("new-phone-explain")}</p>
                <ul class="plain-list">{lines}</ul>
                <MemberChoice action="/api/new-phone-code" members button_id="make-new-phone"
                    button=t("new-phone-make")/>
            </section>
        </details>
    }
}

/// The coach's way to let a member back in when no member can help.
#[component]
pub fn CoachReentry(
    family_id: String,
    members: Vec<FamilyMember>,
    codes: Vec<InviteLine>,
) -> impl IntoView {
    let open = !codes.is_empty();
    let lines: Vec<_> = codes
        .into_iter()
        .map(|line| view! { <InviteItem line/> })
        .collect();
    view! {
        <details class="card-details" id="reentry" open=open>
            <summary>{t("reentry-title")}</summary>
            <section class="card">
                <p class="muted">{t("reentry-explain")}</p>
                <ul class="plain-list">{lines}</ul>
                <MemberChoice action="/api/reentry-code" members family_id button_id="make-reentry"
                    button=t("reentry-make")/>
            </section>
        </details>
    }
}

/// "Remove Yusuf from our plan?", with what it means, before it happens.
#[component]
pub fn RemoveMemberPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    load(member_to_remove(id), |member| {
        let name = member.name.clone();
        view! {
            <section class="card">
                <h1>{t_args("remove-title", &[("name", name.clone())])}</h1>
                <FormError/>
                <p>{t_args("remove-explain", &[("name", name.clone())])}</p>
                <PostForm action="/api/remove-member">
                    <Hidden name="member" value=member.id.clone()/>
                    <button type="submit" class="danger" id="confirm-remove">
                        {t_args("remove-confirm", &[("name", name.clone())])}
                    </button>
                </PostForm>
                <p><a class="button secondary" href="/plan">{t("cancel")}</a></p>
            </section>
        }
    })
}
