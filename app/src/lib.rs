//! Onsplan's web application: the pages (one file each, with the server
//! functions they call), shared widgets, and — behind the `ssr` feature — the
//! domain: storage, the access layer and the consent rules.
//!
//! In islands mode only islands run in the browser, so the pages and the
//! shell are built for the server alone; the WASM holds the islands.

#[cfg(feature = "ssr")]
pub mod app;
pub mod components;
pub mod error;
pub mod lang;
pub mod model;
#[cfg(feature = "ssr")]
pub mod pages;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod request;

/// Called by the WASM entry point so that the linker keeps this crate (and
/// with it every island) in the bundle.
pub fn ensure_linked() {}
