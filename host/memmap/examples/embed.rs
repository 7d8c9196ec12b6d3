//! An application that runs a wasm-memmap plugin (a `wasm32-wasip2` command component) with one
//! directory granted to it, under its own limits, and prints what the plugin is refused.
//!
//! `cargo run --release --example embed -- PLUGIN.wasm DIR [ARGS...]`

use wasm_memmap_host::{FsPerms, MemmapCtx, MemmapCtxBuilder, MemmapLimits, WasmMemmap};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// The store's data: WASI's state, memmap's, and the table both keep the plugin's handles in.
struct Host {
    wasi: WasiCtx,
    memmap: MemmapCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [plugin, dir, plugin_args @ ..] = args.as_slice() else {
        wasmtime::bail!("usage: embed PLUGIN.wasm DIR [ARGS...]");
    };
    let engine = Engine::default();
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    wasm_memmap_host::add_to_linker(&mut linker, |h: &mut Host| WasmMemmap::new(&mut h.memmap, &mut h.table))?;

    // DIR is the plugin's "." for its WASI file calls and its arrays alike.
    let mut wasi = WasiCtxBuilder::new();
    wasi.arg(plugin).args(plugin_args).inherit_stdio();
    let limits = MemmapLimits { max_file_size_bytes: 1 << 30, ..MemmapLimits::default() };
    let memmap = MemmapCtxBuilder::new()
        .preopened_dir_with_wasi(&mut wasi, dir, ".", FsPerms::ReadWrite)?
        .limits(limits)
        .on_error(|error| eprintln!("embed: the plugin was refused ({:?}): {error}", error.limit()))
        .build();
    let mut store = Store::new(&engine, Host { wasi: wasi.build(), memmap, table: ResourceTable::new() });
    // Lets a call move up to `max_transfer_bytes` (see `MemmapLimits::hostcall_fuel`).
    store.set_hostcall_fuel(limits.hostcall_fuel());

    let component = Component::from_file(&engine, plugin)?;
    let command = Command::instantiate(&mut store, &component, &linker)?;
    let ran = command.wasi_cli_run().call_run(&mut store)?;
    drop(store); // flushes whatever the plugin left mapped
    std::process::exit(if ran.is_ok() { 0 } else { 1 })
}
