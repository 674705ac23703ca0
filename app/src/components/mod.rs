//! Widgets shared by several pages.

pub mod icons;
pub mod page;
pub mod plan_view;
pub mod read_aloud;
pub mod top_bar;
