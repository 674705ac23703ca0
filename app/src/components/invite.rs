//! An invite as its maker sees it (the coach of a family, or a member of
//! it): the code to read out, the link, its QR code and until when it
//! works; and the button that makes a new one. "New phone" codes (to get
//! back in as a member) are shown the same way, naming whom they are for.

use leptos::prelude::*;

use crate::components::page::{Hidden, PostForm};
use crate::lang::{t, t_args};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InviteLine {
    pub code: String,
    pub link: String,
    /// The link as a QR code (SVG markup made on the server).
    pub qr_svg: String,
    pub expires: String,
    /// For a "new phone" code: whom it lets back in, and who made it.
    pub for_name: Option<String>,
    pub made_by: Option<String>,
}

/// The open invites `caller` may show again, ready to render.
pub async fn invite_lines(
    state: &crate::domain::AppState,
    caller: &crate::domain::access::Caller,
    family: &str,
) -> Result<Vec<InviteLine>, crate::error::AppError> {
    use crate::domain::invites;
    let open =
        invites::open_invites(&state.db, &state.secret, caller, family, state.clock.now()).await?;
    Ok(lines(state, open))
}

/// The open "new phone" codes `caller` may show again, ready to render.
pub async fn new_phone_lines(
    state: &crate::domain::AppState,
    caller: &crate::domain::access::Caller,
    family: &str,
) -> Result<Vec<InviteLine>, crate::error::AppError> {
    use crate::domain::new_phone;
    let open =
        new_phone::open_codes(&state.db, &state.secret, caller, family, state.clock.now()).await?;
    Ok(lines(state, open))
}

/// Codes with their link (the same /join page for both kinds) and QR code.
fn lines(
    state: &crate::domain::AppState,
    open: Vec<crate::domain::invites::Invite>,
) -> Vec<InviteLine> {
    open.into_iter()
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
                expires: crate::i18n::date_time(crate::lang::current_lang(), i.expires_at),
                for_name: i.for_name,
                made_by: i.made_by,
            }
        })
        .collect()
}

#[component]
pub fn Invites(
    family_id: String,
    invites: Vec<InviteLine>,
    /// The Fluent id of the explanation above the invites.
    explain: &'static str,
) -> impl IntoView {
    let lines: Vec<_> = invites
        .into_iter()
        .map(|line| view! { <InviteItem line/> })
        .collect();
    view! {
        <section class="card" id="invite">
            <h2>{t("invite-title")}</h2>
            <p class="muted">{t(explain)}</p>
            <ul class="plain-list">{lines}</ul>
            <PostForm action="/api/invite">
                <Hidden name="family" value=family_id/>
                <button type="submit" id="make-invite">{t("invite-make")}</button>
            </PostForm>
        </section>
    }
}

/// One code: to read out, as a link, as a QR code, and until when it works;
/// for a "new phone" code also whom it is for and who made it.
#[component]
pub fn InviteItem(line: InviteLine) -> impl IntoView {
    let i = line;
    let for_whom = i.for_name.clone().map(|name| {
        let by = i.made_by.clone().unwrap_or_default();
        view! { <p class="new-phone-for"><strong>{t_args("new-phone-code-for", &[("name", name), ("by", by)])}</strong></p> }
    });
    view! {
        <li class="invite">
            {for_whom}
            <p>{t("invite-code")}" "<strong class="invite-code">{i.code.clone()}</strong></p>
            <p class="invite-link"><a href=i.link.clone()>{i.link.clone()}</a></p>
            <div class="qr" role="img" aria-label=t("invite-qr") inner_html=i.qr_svg.clone()></div>
            <p class="muted">{t_args("invite-valid-until", &[("when", i.expires.clone())])}</p>
        </li>
    }
}
