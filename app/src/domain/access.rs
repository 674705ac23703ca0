//! The access layer: the only code that reads or changes family data.

/// Who is calling, as resolved from the session for this one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
}
