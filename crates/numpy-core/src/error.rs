//! numpy's errors: a code naming the Python exception numpy raises, and numpy's message.

use std::borrow::Cow;
use std::fmt;

/// The most characters of an untrusted value (a path, a header's text) a message quotes: every file
/// name fits (`NAME_MAX` is 255 bytes), and a message stays a few hundred bytes whatever it quotes.
pub const QUOTE_CHARS: usize = 256;

/// `value` as a message quotes it: whole when it has at most [`QUOTE_CHARS`] characters, else its
/// first [`QUOTE_CHARS`] characters followed by `... (N bytes)`, N being its full length. Looks at
/// no more than the characters it keeps, so quoting a huge value costs nothing. (numpy quotes
/// whole values; a sandbox host cannot let a guest's value size its messages.)
pub fn quoted(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(QUOTE_CHARS) {
        None => Cow::Borrowed(value),
        Some((cut, _)) => Cow::Owned(format!("{}... ({} bytes)", &value[..cut], value.len())),
    }
}

/// Which of numpy's exceptions an [`Error`] is. The cases are a subset of the WIT `error-code`, so
/// a host or guest maps them one to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// numpy's `ValueError` (and the `TypeError` of a dtype it does not understand): an argument is
    /// not valid for the call.
    InvalidArgument,
    /// numpy's `IndexError` (and `AxisError`): an index outside its axis, or too many indices.
    IndexOutOfBounds,
    /// numpy's `OverflowError` and "array is too big": a size or offset that does not fit.
    Overflow,
    /// numpy's `ValueError` for data that does not fit the destination: another kind, or a shape
    /// that does not broadcast.
    Mismatch,
}

/// One of numpy's errors, with numpy's message where numpy has one.
///
/// # Examples
/// ```
/// use wasm_memmap_numpy_core::{DType, ErrorCode};
/// let e = DType::parse("float65").unwrap_err();
/// assert_eq!(e.code(), ErrorCode::InvalidArgument);
/// assert_eq!(e.to_string(), "data type 'float65' not understood");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// A `ValueError`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// An `OverflowError`.
    pub fn overflow(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Overflow, message)
    }

    /// An `IndexError`.
    pub fn index(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::IndexOutOfBounds, message)
    }

    /// A `ValueError` for data that does not fit.
    pub fn mismatch(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Mismatch, message)
    }

    /// Which exception this is.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// numpy's message, `str(exc)`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message, without the code.
    pub fn into_message(self) -> String {
        self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_cut_to_a_bounded_length() {
        let short = "d/".repeat(QUOTE_CHARS / 2);
        assert_eq!(quoted(&short), short.as_str());
        let long = "é".repeat(1 << 20);
        let want = format!("{}... ({} bytes)", "é".repeat(QUOTE_CHARS), 2 << 20);
        assert_eq!(quoted(&long), want.as_str());
    }
}
