//! Widgets shared by several pages. Only islands (`read_aloud`) are built
//! for the browser; the rest renders on the server.

#[cfg(feature = "ssr")]
pub mod icons;
#[cfg(feature = "ssr")]
pub mod invite;
#[cfg(feature = "ssr")]
pub mod offline;
#[cfg(feature = "ssr")]
pub mod page;
#[cfg(feature = "ssr")]
pub mod plan_view;
pub mod read_aloud;
#[cfg(feature = "ssr")]
pub mod top_bar;
