//! The Python runner component: one prebuilt component (CPython 3.14 and this project's
//! numpy-compatible module, built by componentize-py 0.25.1 from `app/`) that runs any Python
//! script the host hands it through the `wasm-memmap:array/script` interface. `build.rs` builds it
//! whenever `app/` or `wit/` change, and digests it at build time, so a host that finds the
//! compiled runner in its compile cache never hashes its ~20 MB.
//!
//! When componentize-py was not found at build time the workspace still builds (Rust plugins need
//! no Python) and [`RUNNER`] is `Err` with the command that installs it.

include!(concat!(env!("OUT_DIR"), "/python_runner.rs"));

/// The componentize-py release the runner is built with (the README's set-up installs it).
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// The Python runner component, as built.
#[derive(Debug, Clone, Copy)]
pub struct Component {
    /// The component's bytes (about 20 MB).
    pub wasm: &'static [u8],
    /// Their BLAKE3 digest, computed when they were built: a compile cache finds the compiled
    /// runner by it without reading `wasm`.
    pub blake3: [u8; 32],
}
