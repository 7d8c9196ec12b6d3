//! # wasm-memmap host
//!
//! A wasmtime host for the `wasm-memmap:array` WIT package: WebAssembly plugins get numpy-style
//! memory-mapped arrays (`np.memmap`) over files in the directories the embedder grants, and nothing
//! else. The guest sees a `memmap` resource it can open, view by numpy's basic indexing, read and
//! write by selection, and flush; the host keeps every file access beneath a grant, checks every
//! number it is sent, and flushes a mapping whenever its handle is dropped or the plugin instance
//! ends, even by a trap.
//!
//! The crate is used like wasmtime's `wasmtime-wasi-*` crates: put a [`MemmapCtx`] (made with a
//! [`MemmapCtxBuilder`]) in the `Store`'s data beside a [`ResourceTable`], and call
//! [`add_to_linker`] with a function that borrows both as a [`MemmapView`].
//!
//! # Examples
//!
//! Running the bundled demo plugin, which replays the numpy session this project comes from, with
//! one granted directory:
//!
//! ```
//! use wasmtime::component::{Component, Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//! use wasmtime_wasi::p2::bindings::sync::Command;
//! use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
//! use wasm_memmap_host::{FsPerms, MemmapCtx, MemmapView};
//!
//! struct Host {
//!     wasi: WasiCtx,
//!     memmap: MemmapCtx,
//!     table: ResourceTable,
//! }
//!
//! impl WasiView for Host {
//!     fn ctx(&mut self) -> WasiCtxView<'_> {
//!         WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
//!     }
//! }
//!
//! fn main() -> wasmtime::Result<()> {
//!     let engine = Engine::default();
//!     let mut linker = Linker::<Host>::new(&engine);
//!     wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
//!     wasm_memmap_host::add_to_linker(&mut linker, |h: &mut Host| MemmapView::new(&mut h.memmap, &mut h.table))?;
//!
//!     let dir = tempfile::tempdir()?;
//!     let memmap = MemmapCtx::builder().preopened_dir(dir.path(), ".", FsPerms::ReadWrite)?.build();
//!     let wasi = WasiCtxBuilder::new().args(&["demo"]).build();
//!     let mut store = Store::new(&engine, Host { wasi, memmap, table: ResourceTable::new() });
//!
//!     let component = Component::new(&engine, wasm_memmap_guest_artifacts::DEMO)?;
//!     let command = Command::instantiate(&mut store, &component, &linker)?;
//!     let ran = command.wasi_cli_run().call_run(&mut store)?;
//!     assert!(ran.is_ok(), "the plugin's main returned an error");
//!     drop(store); // flushes whatever the plugin left mapped
//!
//!     assert_eq!(std::fs::metadata(dir.path().join("mymmap"))?.len(), 800_000_000);
//!     Ok(())
//! }
//! ```
//!
//! [`run`] wraps this (with a compile cache and captured output) for hosts that only run plugins.

mod cache;
mod ctx;
mod elements;
mod error;
mod grants;
mod handle;
mod host_impl;
mod item;
mod mapping;
mod meter;
mod open;
mod raw;
mod reduce;
pub mod run;
mod sigbus;
mod wasi_handles;

pub use ctx::{MemmapCtx, MemmapCtxBuilder, MemmapLimits, MemmapStats};
pub use error::{Error, ErrorCode};
pub use handle::Memmap;
pub use meter::HOST_BYTES_PER_FUEL;
pub use run::InstanceLimits;
pub use wasmtime_wasi::FsPerms;

use wasm_memmap_numpy_core::layout;
use wasmtime::component::{HasData, Linker, ResourceTable};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "wasm-memmap:array/plugin",
        imports: { default: trappable },
        with: { "wasm-memmap:array/mmap.memmap": crate::handle::Memmap },
        trappable_error_type: { "wasm-memmap:array/types.error" => crate::error::HostError },
    });
    pub(crate) use self::wasm_memmap::array::{mmap, types};

    // numpy's types (numpy-core) to and from the WIT's, case by case by name.
    wasm_memmap_numpy_core::impl_wit_conversions! {
        kind: types::ScalarKind,
        byte_order: types::ByteOrder,
        dtype: types::Dtype,
        mode: types::Mode,
        order: types::Order,
        scalar: types::Scalar,
        slice: types::Slice,
        index: types::Index,
    }
}

/// Borrows what the `memmap` interface needs from a `Store`'s data: the plugin's [`MemmapCtx`] and
/// the [`ResourceTable`] its handles live in (the same table WASI uses).
pub struct MemmapView<'a> {
    ctx: &'a mut MemmapCtx,
    table: &'a mut ResourceTable,
}

impl<'a> MemmapView<'a> {
    /// A view of `ctx` and `table`.
    pub fn new(ctx: &'a mut MemmapCtx, table: &'a mut ResourceTable) -> Self {
        Self { ctx, table }
    }
}

struct HasMemmap;

impl HasData for HasMemmap {
    type Data<'a> = MemmapView<'a>;
}

/// Adds the `wasm-memmap:array` interfaces (`types` and `mmap`) to `linker`, served by the
/// [`MemmapView`] that `get` borrows from the store's data. Add WASI beside it
/// (`wasmtime_wasi::p2::add_to_linker_sync`) for plugins that are WASI commands.
///
/// # Errors
/// When the interfaces are already in the linker.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: fn(&mut T) -> MemmapView<'_>) -> wasmtime::Result<()> {
    generated::Plugin::add_to_linker::<T, HasMemmap>(linker, get)
}
