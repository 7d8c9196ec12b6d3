//! Loading compiled code this crate made: the runner's only `unsafe` calls.
//!
//! It lives here, beside the compile cache and the compiler child that vouch for the bytes, rather
//! than in the host library: the reasons it is sound are this crate's (the cache's MAC, the child's
//! pipe), and a public safe wrapper in the host library could not check them.
#![allow(unsafe_code)]

use std::os::fd::AsRawFd;

/// Loads a component from bytes that [`wasmtime::component::Component::serialize`] produced.
///
/// # Safety (for callers of this safe wrapper)
/// wasmtime checks the bytes' header, version and engine settings, but cannot check that the machine
/// code in them is what it compiled: bytes written by someone else run as our own code. Callers pass
/// only bytes this host can vouch for: a compile-cache entry whose keyed MAC (this user's secret key,
/// `cache.rs`) verified over exactly these bytes, held in this process's memory or in a sealed
/// memory file ([`SealedFile`]) so they cannot change after the check; or the output of this host's
/// own compiler child process, read from a pipe only that child can write (`run/compile.rs`).
pub(crate) fn load_precompiled(
    engine: &wasmtime::Engine,
    serialized: &[u8],
) -> wasmtime::Result<wasmtime::component::Component> {
    // SAFETY: `serialized` came from `Component::serialize` of this crate, either in this process's
    // compiler child or, through the compile cache, in an earlier run of this user's host: the cache
    // entry was authenticated with the user's secret key over these very bytes (held in memory or in
    // a sealed memory file, so no one can change them after the check). wasmtime validates the
    // header and the engine compatibility before using them, and copies them into its own code
    // memory.
    unsafe { wasmtime::component::Component::deserialize(engine, serialized) }
}

/// A memory file (`memfd`) that no one, this process included, can write, shrink or grow any more:
/// its seals (`F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW`) are checked when it is wrapped, and
/// seals cannot be removed.
pub(crate) struct SealedFile {
    file: std::fs::File,
    len: usize,
}

impl SealedFile {
    /// Wraps `file` after checking that it carries the three seals, and takes its size.
    ///
    /// # Errors
    /// When the file cannot be sealed (it is not a memory file) or lacks one of the seals.
    pub(crate) fn new(file: std::fs::File) -> std::io::Result<Self> {
        use rustix::fs::SealFlags;
        let needed = SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW;
        if !rustix::fs::fcntl_get_seals(&file)?.contains(needed) {
            return Err(std::io::Error::other("the memory file is not sealed against changes"));
        }
        let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
        Ok(Self { file, len })
    }

    /// The file's size in bytes, which cannot change.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// `len` bytes of the file from `offset` (a multiple of the page size), mapped read-only and
    /// sharing the file's pages (no copy). Pages are mapped as they are touched, 16 at a fault
    /// (the kernel's fault-around), which measured cheaper than `MAP_POPULATE`'s page-by-page walk.
    ///
    /// # Errors
    /// When the range is not inside the file or the kernel refuses the mapping.
    pub(crate) fn map(&self, offset: usize, len: usize) -> std::io::Result<memmap2::Mmap> {
        if offset.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(std::io::Error::other("the range is outside the memory file"));
        }
        let mut options = memmap2::MmapOptions::new();
        options.offset(u64::try_from(offset).map_err(std::io::Error::other)?).len(len);
        // SAFETY: the file is sealed against writes, shrinking and growing (checked in `new`, and
        // seals are never removed), so the mapped bytes never change under the `&[u8]` the mapping
        // hands out, and, the range being inside the file (checked above), no page of it can go
        // past the file's end (no SIGBUS).
        unsafe { options.map(&self.file) }
    }
}

/// A compile-cache entry's code in a [`SealedFile`], authenticated by the cache's keyed MAC after
/// the file was sealed. Only `cache.rs` builds one (its fields are private to that module's
/// constructor), and only after the check.
pub(crate) struct AuthenticatedCode {
    sealed: SealedFile,
}

impl AuthenticatedCode {
    /// Wraps `sealed`, whose bytes the caller has just authenticated: only `cache.rs` can make the
    /// proof, after the MAC over the sealed file's bytes verified.
    pub(crate) fn after_check(sealed: SealedFile, _proof: crate::cache::MacVerified) -> Self {
        Self { sealed }
    }
}

#[cfg(test)]
thread_local! {
    /// Makes [`load_authenticated`] behave as if `/proc` were missing, on this thread.
    pub(crate) static WITHOUT_PROC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Loads an authenticated compile-cache entry. wasmtime maps the sealed file (through its
/// `/proc/self/fd` link) instead of copying it, so a cached start maps a 37 MB entry rather than
/// copying it twice; where that fails (no `/proc`, a mapping refused), the same authenticated bytes
/// are copied into wasmtime's own memory instead, rather than refusing a good entry.
///
/// # Errors
/// When wasmtime rejects the entry both ways (another engine configuration or version).
pub(crate) fn load_authenticated(
    engine: &wasmtime::Engine,
    code: &AuthenticatedCode,
) -> wasmtime::Result<wasmtime::component::Component> {
    let path = std::path::PathBuf::from(format!("/proc/self/fd/{}", code.sealed.file.as_raw_fd()));
    #[cfg(test)]
    let path = if WITHOUT_PROC.get() { std::path::PathBuf::from("/nonexistent/proc/self/fd/0") } else { path };
    // SAFETY: `code` can only be built by `cache.rs` after the entry's keyed MAC verified over the
    // bytes of this sealed memory file (`AuthenticatedCode::after_check`); `path` is this process's
    // own link to that very file (or, in a test, names no file). The seals keep its bytes this
    // host's serialized code for as long as wasmtime maps them. wasmtime checks the header and
    // engine compatibility itself.
    match unsafe { wasmtime::component::Component::deserialize_file(engine, &path) } {
        Ok(component) => Ok(component),
        Err(e) => {
            tracing::debug!("mapping the authenticated cache entry failed ({e:#}); copying it instead");
            load_precompiled(engine, &code.sealed.map(0, code.sealed.len)?)
        }
    }
}
