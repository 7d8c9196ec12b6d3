//! Errors a plugin sees, and the split between those and traps.

use std::fmt;

use crate::meter::HostStop;

#[cfg(test)]
use wasm_memmap_numpy_core::QUOTE_CHARS;
pub(crate) use wasm_memmap_numpy_core::quoted;

/// What kind of failure an [`Error`] is; the WIT `error-code`, one case per Python exception numpy
/// raises for the same mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The file or a directory on its path does not exist (`FileNotFoundError`).
    NotFound,
    /// Outside every grant, leads out of one, or not allowed by the grant or the file (`PermissionError`).
    AccessDenied,
    /// An argument is not valid for the call (`ValueError`).
    InvalidArgument,
    /// An index outside its axis, or more indices than axes (`IndexError`).
    IndexOutOfBounds,
    /// A size or offset that does not fit in 64 bits or the address space (`OverflowError`).
    Overflow,
    /// A write through a read-only map (`ValueError: assignment destination is read-only`).
    ReadOnly,
    /// Element data of another kind, or of a shape that does not broadcast (`ValueError`/`TypeError`).
    Mismatch,
    /// A limit the embedder set was reached (`MemoryError`).
    LimitExceeded,
    /// Any other operating-system failure (`OSError`).
    Io,
}

/// Which of the embedder's [`MemmapLimits`](crate::MemmapLimits) refused a call: one variant per
/// field. numpy has no such limits; the plugin sees numpy's `MemoryError` (WIT `limit-exceeded`).
/// Read it with [`Error::limit`], for instance in an [`on_error`](crate::MemmapCtxBuilder::on_error)
/// hook, to tell the person who set the limit which one to raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`MemmapLimits::max_transfer_bytes`](crate::MemmapLimits::max_transfer_bytes): the bytes of
    /// one `slice-read` or `slice-write`.
    TransferBytes,
    /// [`MemmapLimits::max_handles`](crate::MemmapLimits::max_handles): handles (maps and views)
    /// alive at once.
    Handles,
    /// [`MemmapLimits::max_open_maps`](crate::MemmapLimits::max_open_maps): maps holding their file
    /// open at once.
    OpenMaps,
    /// [`MemmapLimits::max_mapped_bytes`](crate::MemmapLimits::max_mapped_bytes): bytes mapped at
    /// once.
    MappedBytes,
    /// [`MemmapLimits::max_file_size_bytes`](crate::MemmapLimits::max_file_size_bytes): the size of
    /// one file made or grown.
    FileSizeBytes,
    /// [`MemmapLimits::max_total_file_bytes`](crate::MemmapLimits::max_total_file_bytes): bytes
    /// added to files over the whole run.
    TotalFileBytes,
    /// [`MemmapLimits::max_copy_on_write_bytes`](crate::MemmapLimits::max_copy_on_write_bytes):
    /// bytes mapped copy-on-write (mode `c`) at once.
    CopyOnWriteBytes,
    /// [`MemmapLimits::max_chunk_cache_bytes`](crate::MemmapLimits::max_chunk_cache_bytes):
    /// decoded Zarr chunks held in host memory at once.
    ChunkCacheBytes,
}

impl Limit {
    /// Every limit, in the order of [`MemmapLimits`](crate::MemmapLimits)' fields.
    pub const ALL: [Limit; 8] = [
        Limit::TransferBytes,
        Limit::Handles,
        Limit::OpenMaps,
        Limit::MappedBytes,
        Limit::FileSizeBytes,
        Limit::TotalFileBytes,
        Limit::CopyOnWriteBytes,
        Limit::ChunkCacheBytes,
    ];

    /// The name of the [`MemmapLimits`](crate::MemmapLimits) field that sets this limit, such as
    /// `"max_file_size_bytes"`.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::Limit;
    /// assert_eq!(Limit::FileSizeBytes.field(), "max_file_size_bytes");
    /// ```
    pub fn field(self) -> &'static str {
        match self {
            Limit::TransferBytes => "max_transfer_bytes",
            Limit::Handles => "max_handles",
            Limit::OpenMaps => "max_open_maps",
            Limit::MappedBytes => "max_mapped_bytes",
            Limit::FileSizeBytes => "max_file_size_bytes",
            Limit::TotalFileBytes => "max_total_file_bytes",
            Limit::CopyOnWriteBytes => "max_copy_on_write_bytes",
            Limit::ChunkCacheBytes => "max_chunk_cache_bytes",
        }
    }

    /// This limit's value in `limits`.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{Limit, MemmapLimits};
    /// assert_eq!(Limit::Handles.value(&MemmapLimits::default()), 10_000);
    /// ```
    pub fn value(self, limits: &crate::MemmapLimits) -> u64 {
        match self {
            Limit::TransferBytes => limits.max_transfer_bytes,
            Limit::Handles => limits.max_handles,
            Limit::OpenMaps => limits.max_open_maps,
            Limit::MappedBytes => limits.max_mapped_bytes,
            Limit::FileSizeBytes => limits.max_file_size_bytes,
            Limit::TotalFileBytes => limits.max_total_file_bytes,
            Limit::CopyOnWriteBytes => limits.max_copy_on_write_bytes,
            Limit::ChunkCacheBytes => limits.max_chunk_cache_bytes,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// Why a path was refused by the grants (WIT `access-denied`, numpy's `PermissionError`), for an
/// embedder to say how to grant what the plugin asked for. Read it with [`Error::grant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantRefusal {
    /// The path is under no granted directory's guest name.
    NotGranted,
    /// The path leads out of its granted directory (`..`, or a symbolic link).
    LeadsOutside,
    /// A writing mode (`r+`, `w+`, `create-npy`) in a read-only grant.
    ReadOnly,
}

impl GrantRefusal {
    /// Every reason, in the order declared.
    pub const ALL: [GrantRefusal; 3] = [GrantRefusal::NotGranted, GrantRefusal::LeadsOutside, GrantRefusal::ReadOnly];
}

/// An error returned to the plugin: a code to match on and a message that names the offending value
/// and the bound it broke (numpy's message where numpy has one), in words that name no setting of
/// any particular embedder; an embedder adds its own with [`Error::add_hint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    /// Which limit refused the call, for [`ErrorCode::LimitExceeded`] from a
    /// [`MemmapLimits`](crate::MemmapLimits) check.
    limit: Option<Limit>,
    /// Why the grants refused the path, for [`ErrorCode::AccessDenied`] from a grant check.
    grant: Option<GrantRefusal>,
    /// What embedders added ([`Error::add_hint`]), each sent after the message.
    hints: Vec<String>,
    /// Set when the host stopped the call at the plugin's deadline or out of host fuel (see
    /// `meter.rs`): such an error never reaches the plugin, [`HostError`] turns it into a trap.
    stop: Option<HostStop>,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), limit: None, grant: None, hints: Vec::new(), stop: None }
    }

    /// A [`ErrorCode::LimitExceeded`] error from `limit`.
    pub(crate) fn limit_exceeded(limit: Limit, message: impl Into<String>) -> Self {
        Self { limit: Some(limit), ..Self::new(ErrorCode::LimitExceeded, message) }
    }

    /// An [`ErrorCode::AccessDenied`] error from the grants.
    pub(crate) fn refused(grant: GrantRefusal, message: impl Into<String>) -> Self {
        Self { grant: Some(grant), ..Self::new(ErrorCode::AccessDenied, message) }
    }

    /// What kind of failure this is.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The host's description, without the hints embedders added.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Which [`MemmapLimits`](crate::MemmapLimits) field refused the call, when one did (the code
    /// is then [`ErrorCode::LimitExceeded`]).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{Error, ErrorCode};
    /// assert_eq!(Error::new(ErrorCode::Io, "disk full").limit(), None);
    /// ```
    pub fn limit(&self) -> Option<Limit> {
        self.limit
    }

    /// Why the grants refused the path, when they did (the code is then
    /// [`ErrorCode::AccessDenied`]; an `access-denied` from the operating system has none).
    pub fn grant(&self) -> Option<GrantRefusal> {
        self.grant
    }

    /// Adds `hint` to what the plugin receives: the message, then `"; "` and each hint in the order
    /// added. For an embedder's [`on_error`](crate::MemmapCtxBuilder::on_error) hook to say, in its
    /// own terms, how the refusal can be lifted (a command line's flag, a configuration key).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{Error, ErrorCode};
    /// let mut error = Error::new(ErrorCode::LimitExceeded, "over the limit");
    /// error.add_hint("raise it in plugins.toml");
    /// assert_eq!(error.to_string(), "over the limit; raise it in plugins.toml");
    /// assert_eq!(error.message(), "over the limit");
    /// ```
    pub fn add_hint(&mut self, hint: impl Into<String>) {
        self.hints.push(hint.into());
    }

    /// The hints added with [`Error::add_hint`].
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    pub(crate) fn overflow(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Overflow, message)
    }

    pub(crate) fn mismatch(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Mismatch, message)
    }

    /// An operating-system error on `path`, classified like Python's `OSError` subclasses and worded
    /// like Python's `[Errno 2] No such file or directory: 'mymmap'`.
    pub(crate) fn from_io(err: &std::io::Error, path: &str) -> Self {
        use std::io::ErrorKind;
        let code = match err.kind() {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::PermissionDenied => ErrorCode::AccessDenied,
            // A directory where a file was expected, whatever the mode (numpy: IsADirectoryError).
            ErrorKind::InvalidInput | ErrorKind::IsADirectory => ErrorCode::InvalidArgument,
            _ => ErrorCode::Io,
        };
        let path = quoted(path);
        let message = match err.raw_os_error() {
            Some(errno) => format!("[Errno {errno}] {}: '{path}'", os_error_text(err)),
            None => format!("{err}: '{path}'"),
        };
        Self::new(code, message)
    }
}

/// The OS's text for an error without Rust's " (os error N)" suffix, so messages read as Python's.
fn os_error_text(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl fmt::Display for Error {
    /// The message and its hints: the text the plugin receives.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for hint in &self.hints {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The error type of host functions that return `result<_, error>`: either an [`Error`] for the
/// guest, or a trap that ends the instance (a host bug or a broken resource handle, never bad input).
pub(crate) struct HostError(Inner);

enum Inner {
    Guest(Error),
    Trap(wasmtime::Error),
}

impl HostError {
    /// A trap: the guest call does not return, the instance is poisoned.
    pub(crate) fn trap(err: impl Into<wasmtime::Error>) -> Self {
        Self(Inner::Trap(err.into()))
    }

    /// The guest-visible error, or the trap to raise instead.
    pub(crate) fn into_guest(self) -> wasmtime::Result<Error> {
        match self.0 {
            Inner::Guest(e) => Ok(e),
            Inner::Trap(t) => Err(t),
        }
    }
}

impl From<Error> for HostError {
    fn from(e: Error) -> Self {
        match e.stop {
            Some(stop) => stop.into(),
            None => Self(Inner::Guest(e)),
        }
    }
}

/// numpy's errors (numpy-core) with their codes, as the guest receives them.
impl From<wasm_memmap_numpy_core::Error> for Error {
    fn from(e: wasm_memmap_numpy_core::Error) -> Self {
        Self::new(e.code().into(), e.into_message())
    }
}

impl From<wasm_memmap_numpy_core::Error> for HostError {
    fn from(e: wasm_memmap_numpy_core::Error) -> Self {
        Error::from(e).into()
    }
}

impl From<HostStop> for Error {
    /// A call stopped by a limit of the whole plugin: the code and message are for embedders that
    /// look at the error itself; [`HostError`] turns it into the trap that ends the plugin.
    fn from(stop: HostStop) -> Self {
        let message = match stop {
            HostStop::Time => "the plugin's time limit passed during this call",
            HostStop::Fuel => "this call needs more host work than the plugin's fuel pays for",
        };
        Self { stop: Some(stop), ..Self::new(ErrorCode::LimitExceeded, message) }
    }
}

impl From<wasmtime::component::ResourceTableError> for HostError {
    fn from(e: wasmtime::component::ResourceTableError) -> Self {
        Self::trap(e)
    }
}

impl fmt::Debug for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Guest(e) => write!(f, "guest error: {e:?}"),
            Inner::Trap(t) => write!(f, "trap: {t:?}"),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Guest(e) => fmt::Display::fmt(e, f),
            Inner::Trap(t) => fmt::Display::fmt(t, f),
        }
    }
}

impl std::error::Error for HostError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_like_python() {
        let err = std::io::Error::from_raw_os_error(2);
        let e = Error::from_io(&err, "mymmap");
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert_eq!(e.message(), "[Errno 2] No such file or directory: 'mymmap'");
    }

    #[test]
    fn quotes_are_cut_to_a_bounded_length() {
        let long = "é".repeat(1 << 20);
        let want = format!("{}... ({} bytes)", "é".repeat(QUOTE_CHARS), 2 << 20);
        assert_eq!(quoted(&long), want.as_str());
        let e = Error::from_io(&std::io::Error::from_raw_os_error(2), &long);
        assert_eq!(e.message(), format!("[Errno 2] No such file or directory: '{want}'"));
    }
}
