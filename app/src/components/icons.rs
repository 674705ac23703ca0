//! One icon per life domain (inline SVG: no font, no request), and the
//! domain's name through Fluent.

use leptos::prelude::*;

use crate::lang::t;

fn paths(domain: &str) -> &'static str {
    match domain {
        "housing" => "M3 11 12 3l9 8M5 10v10h5v-6h4v6h5V10",
        "money" => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18M15.5 8.5a4 4 0 1 0 0 7M7 11h6M7 13.5h6",
        "work" => "M3 8h18v12H3zM9 8V5h6v3M3 13h18",
        "health" => "M10 3h4v7h7v4h-7v7h-4v-7H3v-4h7z",
        "wellbeing" => "M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.5A4 4 0 0 1 19 10c0 5.5-7 10-7 10z",
        "parenting" => "M8 7a2.5 2.5 0 1 0 0-.1M16 10a2 2 0 1 0 0-.1M4 21v-5a4 4 0 0 1 8 0v5M13 21v-3a3 3 0 0 1 6 0v3",
        "school" => "M3 6l9-3 9 3-9 3zM7 8v6c0 2 10 2 10 0V8M21 6v6",
        "network" => "M6 6a2.5 2.5 0 1 0 0 .1M18 6a2.5 2.5 0 1 0 0 .1M12 18a2.5 2.5 0 1 0 0 .1M7.5 8l3.5 8M16.5 8 13 16M8.5 6h7",
        "free-time" => "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8M12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2",
        "safety" => "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
        "papers" => "M6 3h9l4 4v14H6zM15 3v4h4M9 12h7M9 16h7",
        "mobility" => "M5 4h14v12H5zM5 11h14M8 19v-3M16 19v-3M8 14h.01M16 14h.01",
        _ => "M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16",
    }
}

#[component]
pub fn DomainIcon(#[prop(into)] domain: String) -> impl IntoView {
    view! {
        <svg class="domain-icon" aria-hidden="true" width="28" height="28" viewBox="0 0 24 24"
            fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"
            stroke-linejoin="round">
            <path d=paths(&domain)></path>
        </svg>
    }
}

/// "Housing", "Money and debts", … in the reader's language.
pub fn domain_name(domain: &str) -> String {
    t(&format!("domain-{domain}"))
}
