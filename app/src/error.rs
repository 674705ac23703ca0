//! The one error type of server functions. It crosses the wire (JSON), so it
//! carries a Fluent message id, never a sentence and never family content;
//! each reader sees the message in their own language.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Unknown ids and ids outside the caller's reach look the same.
    #[error("not found")]
    NotFound,
    /// The request needs a signed-in person.
    #[error("signed out")]
    SignedOut,
    /// Malformed input; the string is the Fluent id of the explanation.
    #[error("bad input: {0}")]
    BadInput(String),
    /// The input is well formed but cannot be applied now (used invite, …).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A cross-site request.
    #[error("forbidden")]
    Forbidden,
    /// A member who joined with the coach's invite waits until a member of
    /// the family confirms them; until then they see nothing of it.
    #[error("waiting for the family")]
    Waiting,
    /// Too many tries (sign-in, invite codes); try again later.
    #[error("too many requests")]
    TooMany,
    /// Something broke on our side; details are in the server log only.
    #[error("internal error")]
    Internal,
}

impl AppError {
    pub fn bad(message_id: &str) -> Self {
        AppError::BadInput(message_id.to_string())
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::SignedOut => 401,
            AppError::BadInput(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::Forbidden | AppError::Waiting => 403,
            AppError::TooMany => 429,
            AppError::Internal => 500,
        }
    }

    /// The Fluent id of the message a person sees.
    pub fn message_id(&self) -> &str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::SignedOut => "error-signed-out",
            AppError::BadInput(id) | AppError::Conflict(id) => id,
            AppError::Forbidden => "error-forbidden",
            AppError::Waiting => "error-member-waiting",
            AppError::TooMany => "error-too-many",
            AppError::Internal => "error-internal",
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::bad("error-bad-input"),
            _ => AppError::Internal,
        }
    }
}
