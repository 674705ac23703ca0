//! One file per page, each with the server functions it calls.

pub mod home;
pub mod not_found;
