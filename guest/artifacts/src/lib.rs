//! The guest components of this workspace, built for `wasm32-wasip2` by `build.rs` whenever their
//! sources change: the demo plugin (embedded as bytes, for the CLI) and the test programs (as paths,
//! for the end-to-end tests).

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
