//! # wasm-memmap host
//!
//! A wasmtime host for the `wasm-memmap:array` WIT package: WebAssembly plugins get numpy-style
//! memory-mapped arrays (`np.memmap`) over files in the directories the embedder grants, and nothing
//! else. The guest sees a `memmap` resource it can open, view by numpy's basic indexing, read and
//! write by selection (as typed lists or native-order bytes, moved with one copy), gather and
//! scatter by integer-array indices (`take` / `put`), and flush; it can also have a
//! selection printed as numpy's `repr`/`str` (`format`) and draw numpy's random streams into it
//! (`random`), both computed by the host. The host keeps every file access beneath a grant, checks
//! every number it is sent, bounds every call by the embedder's limits, and flushes a mapping
//! whenever its handle is dropped or the plugin instance ends, even by a trap.
//!
//! The same `memmap` resource can be a Zarr v3 array (`open-zarr`, `create-zarr`, like
//! `zarr.open_array` / `zarr.create_array`) in a granted directory or object-store prefix
//! ([`MemmapCtxBuilder::preopened_store`]): its elements are addressed as the bytes the whole
//! array would have as one C-order file, read and written chunk by chunk through a cache of
//! decoded chunks in host memory ([`MemmapLimits::max_chunk_cache_bytes`]), and every call above
//! works on it with the same semantics and values (reductions copy the chunks of their selection
//! into one buffer first, bounded by [`MemmapLimits::max_transfer_bytes`]). Changed chunks are
//! stored whole (each atomically) by `flush`, by eviction from the cache, by the drop of the last
//! handle and by the end of the instance; the embedder may restrict a plugin's writes to a
//! chunk-aligned region ([`MemmapCtxBuilder::write_region`]). Windows (zero-copy mappings) are
//! for files only.
//!
//! The crate is used like wasmtime's `wasmtime-wasi-*` crates (wasi-keyvalue's shape): put a
//! [`MemmapCtx`] (made with a [`MemmapCtxBuilder`]) in the `Store`'s data beside a
//! [`ResourceTable`], and call [`add_to_linker`] with a function that borrows both as a
//! [`WasmMemmap`].
//!
//! # Authority
//!
//! A context starts with none, as `WasiCtxBuilder` does: a plugin opens only files beneath the
//! directories the embedder grants ([`MemmapCtxBuilder::preopened_dir`], or
//! [`MemmapCtxBuilder::preopened_dir_with_wasi`] to grant one to WASI too), under the limits it sets
//! ([`MemmapLimits`]). What a plugin is refused reaches the embedder through
//! [`MemmapCtxBuilder::on_error`] and `tracing` events; [`Error::limit`] says which limit.
//! [`InstanceLimits::apply`] puts memory, time and fuel limits on any `Store` that runs a plugin.
//!
//! # Examples
//!
//! Running the bundled demo plugin, which replays the numpy session this project comes from, with
//! one directory granted to both WASI and `memmap` (`examples/embed.rs` is the same program taking
//! the component's path from its arguments):
//!
//! ```
//! use wasm_memmap_host::{FsPerms, MemmapCtx, MemmapCtxBuilder, WasmMemmap};
//! use wasmtime::component::{Component, Linker, ResourceTable};
//! use wasmtime::{Engine, Store};
//! use wasmtime_wasi::p2::bindings::sync::Command;
//! use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
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
//!     wasm_memmap_host::add_to_linker(&mut linker, |h: &mut Host| WasmMemmap::new(&mut h.memmap, &mut h.table))?;
//!
//!     let dir = tempfile::tempdir()?;
//!     let mut wasi = WasiCtxBuilder::new();
//!     wasi.args(&["demo"]).inherit_stdout();
//!     let memmap = MemmapCtxBuilder::new()
//!         .preopened_dir_with_wasi(&mut wasi, dir.path(), ".", FsPerms::ReadWrite)?
//!         .on_error(|error| eprintln!("the plugin was refused: {error}"))
//!         .build();
//!     let mut store = Store::new(&engine, Host { wasi: wasi.build(), memmap, table: ResourceTable::new() });
//!     // Lets `read-bytes` copy straight from the file into the plugin (see `MemmapCtx::call_hook`);
//!     // `InstanceLimits::apply` installs the same hook.
//!     store.call_hook(|mut store, kind| store.data_mut().memmap.call_hook(kind));
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
//! The `wasm-memmap-runner` crate wraps this (with limits, a compile cache and captured output) for
//! hosts that only run plugins.

mod backing;
mod ctx;
mod elements;
mod error;
mod format_impl;
mod grants;
mod handle;
mod host_impl;
mod instance_limits;
mod item;
mod lent;
mod map;
mod meter;
mod onecopy;
mod open;
mod random_impl;
mod reduce;
mod take;
mod wasi_handles;
mod window;
pub mod windows;
mod zarr;

pub use ctx::{ErrorHook, MemmapCtx, MemmapCtxBuilder, MemmapLimits, MemmapStats};
pub use error::{Error, ErrorCode, GrantRefusal, Limit};
// The host type of the WIT `memmap` resource: public because the bindings name it, hidden because
// an embedder never handles one (wasi-keyvalue hides its `Bucket` the same way).
/// The directory handle [`MemmapCtxBuilder::preopened`] takes, re-exported so an embedder needs no
/// cap-std of its own (`Dir::open_ambient_dir(path, cap_std::ambient_authority())`).
pub use cap_std;
#[doc(hidden)]
pub use handle::Memmap;
pub use instance_limits::{
    EPOCH_TICK, HasInstanceLimits, InstanceLimiter, InstanceLimits, Stop, add_wasi_handle_limit,
};
pub use meter::HOST_BYTES_PER_FUEL;
pub use wasmtime_wasi::FsPerms;

use wasm_memmap_numpy_core::layout;
use wasmtime::component::{HasData, Linker, ResourceTable};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "wasm-memmap:array/plugin",
        imports: { default: trappable },
        with: {
            "wasm-memmap:array/mmap.memmap": crate::handle::Memmap,
            "wasm-memmap:array/random.generator": crate::random_impl::Generator,
            "wasm-memmap:array/window.window": crate::window::Window,
        },
        trappable_error_type: { "wasm-memmap:array/types.error" => crate::error::HostError },
    });
    pub(crate) use self::wasm_memmap::array::{format, mmap, random, types, window};

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
        error_code: crate::error::ErrorCode,
    }
}

/// The host state the `memmap` interface works on, borrowed from a `Store`'s data for one call: the
/// plugin's [`MemmapCtx`] and the [`ResourceTable`] its handles live in (the same table WASI uses).
/// Made by the function given to [`add_to_linker`], as `wasmtime_wasi_keyvalue::WasiKeyValue` is
/// for wasi-keyvalue.
pub struct WasmMemmap<'a> {
    ctx: &'a mut MemmapCtx,
    table: &'a mut ResourceTable,
}

impl<'a> WasmMemmap<'a> {
    /// Borrows `ctx` and `table` for the interface.
    pub fn new(ctx: &'a mut MemmapCtx, table: &'a mut ResourceTable) -> Self {
        Self { ctx, table }
    }
}

struct HasMemmap;

impl HasData for HasMemmap {
    type Data<'a> = WasmMemmap<'a>;
}

/// Adds the `wasm-memmap:array` interfaces (`types`, `mmap`, `format`, `random` and `window`) to `linker`, served by the
/// [`WasmMemmap`] that `get` borrows from the store's data. Add WASI beside it
/// (`wasmtime_wasi::p2::add_to_linker_sync` or `_async`) for plugins that are WASI commands.
///
/// Linking gives a plugin no authority by itself: what it may open is what its [`MemmapCtx`]
/// grants.
///
/// `read-bytes`, `write-bytes` and `put` move their data with one copy (hand-written functions
/// that shadow the generated ones); for `read-bytes` that needs the store's call hook to reach
/// [`MemmapCtx::call_hook`] (as [`InstanceLimits::apply`] arranges), else it copies twice.
///
/// # Errors
/// When the interfaces are already in the linker.
pub fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: fn(&mut T) -> WasmMemmap<'_>) -> wasmtime::Result<()> {
    generated::Plugin::add_to_linker::<T, HasMemmap>(linker, get)?;
    onecopy::add_to_linker(linker, get)?;
    // `window.open` takes its buffer in place, which the generated binding cannot express.
    window::add_open_to_linker(linker, get)
}
