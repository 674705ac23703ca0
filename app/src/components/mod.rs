//! Widgets shared by several pages.

pub mod read_aloud;
