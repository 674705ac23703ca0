//! A button that reads a text aloud in the page's language, where the
//! browser can speak (Web Speech API). It stays hidden until the island has
//! hydrated and found a speech engine, so it never shows as a dead button.

use leptos::prelude::*;

#[island]
pub fn ReadAloud(text: String, lang: String, label: String) -> impl IntoView {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let can_speak = web_sys::window()
                .map(|w| w.speech_synthesis().is_ok())
                .unwrap_or(false);
            set_ready.set(can_speak);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = set_ready;
    });
    let speak = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) {
            if let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(&text) {
                utterance.set_lang(&lang);
                synth.cancel();
                synth.speak(&utterance);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&text, &lang);
    };
    view! {
        <button
            type="button"
            class="read-aloud"
            hidden=move || !ready.get()
            data-ready=move || if ready.get() { "true" } else { "false" }
            on:click=speak
        >
            <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                <path d="M4 9v6h4l5 4V5L8 9Z"></path>
                <path d="M16 9a4 4 0 0 1 0 6"></path>
                <path d="M18.5 6.5a8 8 0 0 1 0 11"></path>
            </svg>
            {label}
        </button>
    }
}
