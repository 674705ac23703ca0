//! The WASM entry point. Pages are rendered on the server; only the islands
//! (small interactive parts) hydrate here, so the rest ships no WASM.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Linking the app crate registers its islands.
    onsplan_app::ensure_linked();
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
