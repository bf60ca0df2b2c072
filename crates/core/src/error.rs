//! Errors raised while parsing domain values.

/// A domain value that could not be parsed; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not a value of the named kind.
    #[error("invalid {kind} {value:?}: {expected}")]
    Invalid {
        /// What was being parsed (e.g. "team code").
        kind: &'static str,
        /// The offending text.
        value: String,
        /// What would have been valid.
        expected: String,
    },
}

impl Error {
    pub(crate) fn invalid(kind: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Error::Invalid { kind, value: value.to_string(), expected: expected.into() }
    }
}

/// Result with the core [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
