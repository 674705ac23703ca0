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
    // The WebAssembly is loaded only by pages that have an island: a
    // family on a slow phone does not wait for what no page part needs.
    let islands =
        use_context::<http::request::Parts>().is_some_and(|parts| has_islands(parts.uri.path()));
    // The stylesheet is small (7 KB, 2 KB compressed): written into the
    // page, it costs no round trip before the first paint.
    let nonce = leptos::nonce::use_nonce();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() dir=lang.dir()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#2f5d50"/>
                <style nonce=nonce.clone()>{STYLE}</style>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/icon.svg" type="image/svg+xml"/>
                // Passkeys, the service worker and notifications, loaded once
                // the page is shown: progressive (without them the pages
                // work the same), and never in the way of the first paint.
                <script nonce=nonce>{LOADER}</script>
                {islands.then(|| view! { <HydrationScripts options=options islands=true/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's one inline script. It loads our two small scripts after the
/// page's `load` event and after its first frame is on the screen (two
/// animation frames; at once in a hidden tab, which draws no frames):
/// nothing the family reads waits for them, also on a phone too busy to
/// paint before `load`. And the back button may bring a page back from the
/// browser's memory as it was (a question still asking after it was
/// answered): every page shows what is true now, so one brought back is
/// loaded again; this is here, not in app.js, so that it holds from the
/// first moment.
const LOADER: &str = "addEventListener(\"pageshow\",function(e){if(e.persisted)location.reload()});addEventListener(\"load\",function(){function go(){[\"/app.js\",\"/passkey.js\"].forEach(function(s){var e=document.createElement(\"script\");e.src=s;document.head.appendChild(e)})}if(document.visibilityState===\"hidden\")go();else requestAnimationFrame(function(){requestAnimationFrame(go)})})";

/// The stylesheet, written into every page.
const STYLE: &str = include_str!("../../public/style.css");

/// The pages with an island (`#[island]`: the read-aloud button). A page
/// that gains one is added here, or its island stays a plain page part.
pub fn has_islands(path: &str) -> bool {
    path == "/" || path.starts_with("/plan/question/")
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
                    <Route path=path!("/install") view=pages::install::InstallPage ssr=ssr.clone()/>
                    <Route path=path!("/offline") view=crate::components::offline::OfflinePage ssr=ssr.clone()/>
                    <Route path=path!("/messages") view=pages::messages::MessagesPage ssr=ssr.clone()/>
                    <Route path=path!("/messages/:id") view=pages::messages::ThreadPage ssr=ssr.clone()/>
                    <Route path=path!("/settings") view=pages::settings::SettingsPage ssr=ssr.clone()/>
                    <Route path=path!("/families") view=pages::families::FamiliesPage ssr=ssr.clone()/>
                    <Route path=path!("/families/:id") view=pages::family::FamilyPage ssr=ssr.clone()/>
                    <Route path=path!("/families/:id/ask/:action") view=pages::family::AskPage ssr=ssr/>
                </Routes>
            </main>
        </Router>
    }
}
