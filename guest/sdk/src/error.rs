//! The SDK's error: the host's typed errors, and the SDK's own for arguments it checks itself.

use std::fmt;

use crate::bindings::wasm_memmap::array::types;
pub use types::ErrorCode;

/// An error from a `memmap` operation: a [`ErrorCode`] to match on and a message that names the
/// offending value and the bound it broke (numpy's message where numpy has one).
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    /// The host cannot do this at all (windows without the embedder's opt-in).
    unsupported: bool,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), unsupported: false }
    }

    /// What this host or plugin cannot do at all, as the WIT's `unsupported` says it (a window
    /// where the embedder did not enable windows): [`ErrorCode::InvalidArgument`], with
    /// [`Error::is_unsupported`] true.
    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Self { unsupported: true, ..Self::new(ErrorCode::InvalidArgument, message) }
    }

    /// Whether the host cannot do this at all, rather than refusing these arguments: a window
    /// ([`crate::Memmap::window`]) where the embedder did not enable windows, or a component with
    /// more than one memory. The plugin should use the byte path instead ([`crate::Memmap::scan`],
    /// [`crate::Memmap::read`]), which works everywhere.
    pub fn is_unsupported(&self) -> bool {
        self.unsupported
    }

    /// What kind of failure this is.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable description.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// Element bytes from the host that are not a whole number of elements: never sent by a
    /// conforming host, reported rather than trusted.
    pub(crate) fn torn() -> Self {
        Self::new(ErrorCode::Mismatch, "the host sent element data that is not a whole number of elements")
    }
}

impl From<types::Error> for Error {
    fn from(e: types::Error) -> Self {
        Self::new(e.code, e.message)
    }
}

/// numpy's errors found by the SDK itself (a dtype, mode or order spelling numpy refuses), with the
/// same codes the host uses.
impl From<wasm_memmap_numpy_core::Error> for Error {
    fn from(e: wasm_memmap_numpy_core::Error) -> Self {
        Self::new(e.code().into(), e.into_message())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The kebab-case WIT name of a code (`"index-out-of-bounds"`), for logs and test output.
pub fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::NotFound => "not-found",
        ErrorCode::AccessDenied => "access-denied",
        ErrorCode::InvalidArgument => "invalid-argument",
        ErrorCode::IndexOutOfBounds => "index-out-of-bounds",
        ErrorCode::Overflow => "overflow",
        ErrorCode::ReadOnly => "read-only",
        ErrorCode::Mismatch => "mismatch",
        ErrorCode::LimitExceeded => "limit-exceeded",
        ErrorCode::Io => "io",
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
