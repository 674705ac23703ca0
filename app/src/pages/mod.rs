//! One file per page, each with the server functions it calls.

pub mod families;
pub mod family;
pub mod home;
pub mod install;
pub mod join;
pub mod looked;
pub mod members;
pub mod messages;
pub mod not_found;
pub mod notifications;
pub mod passkey;
pub mod plan;
pub mod question;
pub mod set_password;
pub mod settings;
pub mod share;
pub mod sign_in;
pub mod sign_out;
