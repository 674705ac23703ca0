//! The HTML shell and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::top_bar::TopBar;
use crate::lang::{current_lang, t};
use crate::pages;

/// The document around every page: language and direction on `<html>`, the
/// stylesheet, and the script that hydrates the islands.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = current_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() dir=lang.dir()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#2f5d50"/>
                <link rel="stylesheet" href="/style.css"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/icon.svg" type="image/svg+xml"/>
                // Passkeys (progressive: without it the pages work the same).
                <script src="/passkey.js" defer></script>
                // The service worker and notifications (progressive too).
                <script src="/app.js" defer></script>
                <HydrationScripts options=options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Where someone signed in starts: the family's plan, or staff's families.
pub fn start_page() -> Option<&'static str> {
    use crate::domain::access::Caller;
    match crate::request::current().caller {
        Caller::Member(_) => Some("/plan"),
        Caller::Staff(_) => Some("/families"),
        Caller::Anonymous => None,
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let start = start_page();
    // Every page waits for its data on the server (`SsrMode::Async`): the
    // status code is right, and the page is whole without JavaScript.
    let ssr = SsrMode::Async;
    view! {
        <Title text=t("app-name")/>
        <Router>
            <TopBar signed_in=start.is_some() home=start.unwrap_or("/")/>
            <main id="main">
                <crate::components::offline::PageNotes/>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home ssr=ssr.clone()/>
                    <Route path=path!("/sign-in") view=pages::sign_in::SignInPage ssr=ssr.clone()/>
                    <Route path=path!("/set-password/:token") view=pages::set_password::SetPasswordPage ssr=ssr.clone()/>
                    <Route path=path!("/sign-out") view=pages::sign_out::SignOutPage ssr=ssr.clone()/>
                    <Route path=path!("/join") view=pages::join::JoinPage ssr=ssr.clone()/>
                    <Route path=path!("/plan") view=pages::plan::OurPlan ssr=ssr.clone()/>
                    <Route path=path!("/plan/coach") view=pages::plan::CoachConsentPage ssr=ssr.clone()/>
                    <Route path=path!("/plan/share") view=pages::share::SharePage ssr=ssr.clone()/>
                    <Route path=path!("/plan/question/:id") view=pages::question::QuestionPage ssr=ssr.clone()/>
                    <Route path=path!("/plan/looked") view=pages::looked::WhoLooked ssr=ssr.clone()/>
                    <Route path=path!("/plan/remove/:id") view=pages::members::RemoveMemberPage ssr=ssr.clone()/>
                    <Route path=path!("/offline") view=crate::components::offline::OfflinePage ssr=ssr.clone()/>
                    <Route path=path!("/settings") view=pages::settings::SettingsPage ssr=ssr.clone()/>
                    <Route path=path!("/families") view=pages::families::FamiliesPage ssr=ssr.clone()/>
                    <Route path=path!("/families/:id") view=pages::family::FamilyPage ssr=ssr.clone()/>
                    <Route path=path!("/families/:id/ask/:action") view=pages::family::AskPage ssr=ssr/>
                </Routes>
            </main>
        </Router>
    }
}
