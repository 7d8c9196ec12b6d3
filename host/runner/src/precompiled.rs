//! Loading compiled code this crate made: the runner's only `unsafe` calls.
//!
//! It lives here, beside the compile cache and the compiler child that vouch for the bytes, rather
//! than in the host library: the reasons it is sound are this crate's (the cache's MAC, the child's
//! pipe), and a public safe wrapper in the host library could not check them.
#![allow(unsafe_code)]

/// Loads a component from bytes that [`wasmtime::component::Component::serialize`] produced.
///
/// # Safety (for callers of this safe wrapper)
/// wasmtime checks the bytes' header, version and engine settings, but cannot check that the machine
/// code in them is what it compiled: bytes written by someone else run as our own code. Callers pass
/// only bytes this host can vouch for: a compile-cache entry whose keyed MAC (this user's secret key,
/// `cache.rs`) verified over exactly these bytes, already read into memory so the file cannot change
/// after the check; or the output of this host's own compiler child process, read from a pipe only
/// that child can write (`run/compile.rs`).
pub(crate) fn load_precompiled(
    engine: &wasmtime::Engine,
    serialized: &[u8],
) -> wasmtime::Result<wasmtime::component::Component> {
    // SAFETY: `serialized` came from `Component::serialize` of this crate, either in this process's
    // compiler child or, through the compile cache, in an earlier run of this user's host: the cache
    // entry was authenticated with the user's secret key over these very bytes (held in memory, so
    // no one can swap them after the check). wasmtime validates the header and the engine
    // compatibility before using them, and copies them into its own code memory.
    unsafe { wasmtime::component::Component::deserialize(engine, serialized) }
}

/// Loads a component from a sealed memory file (`memfd`) holding bytes that
/// [`wasmtime::component::Component::serialize`] produced, named by `path` (its `/proc/self/fd`
/// link). wasmtime maps the file instead of copying it: a cached start maps a 37 MB entry rather
/// than copying it twice.
///
/// # Safety (for callers of this safe wrapper)
/// As [`load_precompiled`], and the file must be sealed against writes, shrinking and growing
/// (`F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW`) before its bytes were authenticated: then no one,
/// this process included, can change what wasmtime maps after the check.
pub(crate) fn load_sealed(
    engine: &wasmtime::Engine,
    path: &std::path::Path,
) -> wasmtime::Result<wasmtime::component::Component> {
    // SAFETY: `path` names a memfd this crate created, filled with a compile-cache entry's code,
    // sealed against every change (`cache.rs`, `CompileCache::get`) and only then authenticated
    // with the user's secret key: its bytes are this host's serialized code, and stay so for as
    // long as wasmtime maps them. wasmtime checks the header and engine compatibility itself.
    unsafe { wasmtime::component::Component::deserialize_file(engine, path) }
}
