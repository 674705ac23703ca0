//! One file per page, each with the server functions it calls.

pub mod families;
pub mod family;
pub mod home;
pub mod join;
pub mod looked;
pub mod not_found;
pub mod plan;
pub mod question;
pub mod share;
pub mod sign_in;
