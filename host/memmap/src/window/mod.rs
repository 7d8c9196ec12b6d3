//! Zero-copy windows (the WIT's `window` interface): a page-aligned range of a map's file mapped
//! over a buffer in the plugin's own linear memory. How an embedder turns them on:
//! [`crate::windows`]; the mapping itself and its `unsafe`: `map/window.rs` and `map/memory.rs`.
//!
//! `open` takes its buffer as a `list<u8>`: served by a hand-written function
//! ([`add_open_to_linker`]) that lifts it as a `WasmList<u8>`, which wasmtime bounds-checks against
//! the calling component's own memory and does not copy; its host address is the buffer's address.
//!
//! wasmtime 48 still charges such a list against the store's hostcall fuel, byte for byte, as if
//! it were copied (`WasmList::new`): a buffer longer than the fuel traps the call before the host
//! sees it. So a window counts as a transfer of its length
//! ([`MemmapLimits::max_transfer_bytes`](crate::MemmapLimits::max_transfer_bytes), 256 MiB by
//! default, which [`MemmapLimits::hostcall_fuel`](crate::MemmapLimits::hostcall_fuel) lets through):
//! `plan` refuses a larger one with `limit-exceeded`, and a plugin scans a larger array through
//! windows over views of it, one after the other.

mod plan;

use std::sync::Arc;

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, WasmList};

use crate::WasmMemmap;
use crate::ctx::MemmapStats;
use crate::error::quoted;
use crate::error::{Error, ErrorCode, HostError, Limit};
use crate::generated::types;
use crate::generated::window::{self, HostWindow, WindowError, WindowPlan};
use crate::handle::Memmap;
use crate::map::{MAX_WINDOWS, MappedWindow, MemoryShared, MmapAccess, OpenRefusal, WindowSpec, open_windows};

pub(crate) use plan::{ALIGN, Plan};

/// A window's host state (the WIT's `window` resource). Dropping it closes the window (flushing
/// first), both when the plugin drops its handle and when the `ResourceTable` goes with the
/// `Store` (after a trap too); should the plugin's memory go first, the memory closes it.
#[derive(Debug)]
pub struct Window {
    mapped: MappedWindow,
    stats: Arc<MemmapStats>,
    /// The window's bytes, counted in the stats until it is closed.
    bytes: u64,
    /// Whether the bytes are still counted (until close or drop).
    counted: bool,
}

impl Window {
    fn uncount(&mut self) {
        if std::mem::take(&mut self.counted) {
            self.stats.window_closed(self.bytes);
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        self.uncount();
        self.stats.handle_closed();
    }
}

/// The WIT name of the `window` interface, whose `open` [`add_open_to_linker`] replaces.
const WINDOW_INTERFACE: &str = "wasm-memmap:array/window@0.1.0";

/// Replaces the generated `[static]window.open` in `linker` with one that takes its buffer as a
/// `WasmList<u8>` (see the module doc).
///
/// # Errors
/// When the linker refuses the definition.
pub(crate) fn add_open_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> WasmMemmap<'_>,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let defined = linker.instance(WINDOW_INTERFACE)?.func_wrap(
        "[static]window.open",
        move |mut store: StoreContextMut<'_, T>, (array, buffer): (Resource<Memmap>, WasmList<u8>)| {
            // Only the address and length are kept: no Rust reference into the buffer outlives
            // this line, since its pages are about to be replaced.
            let bytes = buffer.as_le_slice(&store);
            let (addr, len) = (bytes.as_ptr().addr(), bytes.len());
            let mut host = get(store.data_mut());
            Ok((host.open_window(&array, addr, len)?,))
        },
    );
    linker.allow_shadowing(false);
    defined
}

impl WasmMemmap<'_> {
    /// The WIT's `failed(error)`: reported to the embedder's hooks like every other error; a stop
    /// (time, fuel) stays a trap.
    fn failed(&mut self, error: impl Into<HostError>) -> wasmtime::Result<WindowError> {
        Ok(WindowError::Failed(types::Host::convert_error(self, error.into())?))
    }

    fn unsupported(why: String) -> WindowError {
        tracing::debug!(reason = %why, "window refused as unsupported");
        WindowError::Unsupported(why)
    }

    /// Why `array` cannot have a window because of its mode: a mode `c` map's writes live in the
    /// host's own private (copy-on-write) pages, which no second mapping of the file can share, so
    /// a window would show the file's bytes where numpy (and every other call on the map) shows
    /// the written ones, and the map's calls would not see the window's writes. `None` for any
    /// other mode, and for a handle that is not in the table (the caller reports that itself).
    /// A Zarr array has no file to map at all: its bytes are decoded chunks in host memory.
    fn copy_on_write_refusal(&self, array: &Resource<Memmap>) -> Option<WindowError> {
        let handle = self.table.get(array).ok()?;
        let Some(map) = handle.map().file() else {
            return Some(Self::unsupported(ZARR_REFUSAL.to_owned()));
        };
        (map.access() == MmapAccess::Copy).then(|| {
            Self::unsupported(
                "windows are not supported on mode 'c' (copy-on-write) maps: writes through a copy-on-write map live in its own private pages, which no second mapping can share; use read-bytes and write-bytes"
                    .to_owned(),
            )
        })
    }

    /// `window.open` with the buffer's host address and length.
    fn open_window(
        &mut self,
        array: &Resource<Memmap>,
        addr: usize,
        len: usize,
    ) -> wasmtime::Result<Result<Resource<Window>, WindowError>> {
        if let Err(why) = self.ctx.windows_allowed() {
            return Ok(Err(Self::unsupported(why)));
        }
        if let Some(refusal) = self.copy_on_write_refusal(array) {
            return Ok(Err(refusal));
        }
        // An empty list has no address in the plugin's memory; it is the wrong length below.
        let memory = if len == 0 {
            None
        } else {
            match MemoryShared::containing(addr) {
                Some(memory) => Some(memory),
                None => {
                    return Ok(Err(Self::unsupported(
                        "windows are not enabled for this plugin: its memory is not one the host can map files into (the engine was not set up for windows); use read-bytes and write-bytes"
                            .to_owned(),
                    )));
                }
            }
        };
        match self.map_window(array, memory.as_ref(), addr, len) {
            Ok(window) => match self.table.push(window) {
                Ok(handle) => Ok(Ok(handle)),
                Err(e) => Ok(Err(self.failed(e)?)),
            },
            Err(e) => Ok(Err(self.failed(e)?)),
        }
    }

    /// Checks `[addr, addr + len)` against `array`'s plan and the limits, then maps the window.
    fn map_window(
        &mut self,
        array: &Resource<Memmap>,
        memory: Option<&Arc<MemoryShared>>,
        addr: usize,
        len: usize,
    ) -> Result<Window, HostError> {
        let handle = self.table.get(array)?;
        let plan = Plan::of(handle)?;
        // The buffer crossed the call as a list, which wasmtime counts against the hostcall fuel
        // like a copy: the plan refuses what `open` could not be called with.
        self.ctx.check_transfer(plan.length, "a window")?;
        // A closed or poisoned map says so first.
        drop(handle.map().reader()?);
        let map = handle.map().file().ok_or_else(|| Error::invalid(ZARR_REFUSAL))?;
        let len_u64 = u64::try_from(len).map_err(|_| Error::overflow("the buffer's length"))?;
        if len_u64 != plan.length {
            return Err(Error::invalid(format!(
                "the window's buffer is {len} bytes long, but a window over this selection needs exactly {} bytes (window.plan's length)",
                plan.length
            ))
            .into());
        }
        let Some(memory) = memory else { return Err(Error::invalid("the window's buffer is empty").into()) };
        // The address the plugin sees: the offset from its memory's byte 0.
        let at = addr - memory.base();
        if u64::try_from(at).map_or(true, |at| at % ALIGN != 0) {
            return Err(Error::invalid(format!(
                "the window's buffer starts at address {at}, which is not a multiple of {ALIGN} (window.plan's align)"
            ))
            .into());
        }
        self.ctx.check_new_handle_for("another window")?;
        // The process-wide table is shared by every plugin of the host: one plugin may take only
        // its share of it, whatever its handle limit.
        let live = self.ctx.stats().live_windows();
        if live >= WINDOWS_PER_PLUGIN {
            return Err(Error::limit_exceeded(
                Limit::Handles,
                format!(
                    "another window would make {} windows open in this plugin, over its limit of {WINDOWS_PER_PLUGIN}; close windows you no longer need",
                    live.saturating_add(1)
                ),
            )
            .into());
        }
        self.ctx.check_new_map(plan.length)?;
        let path = map.path().to_owned();
        let file_len = map.file().metadata().map_err(|e| Error::from_io(&e, &path))?.len();
        let data_end = plan.file_start.saturating_add(plan.data_offset).saturating_add(plan.data_length);
        if file_len < data_end {
            return Err(Error::new(
                ErrorCode::Io,
                format!(
                    "'{}' is {file_len} bytes long now, but the selection needs bytes up to {data_end} of it (was it truncated?)",
                    quoted(&path)
                ),
            )
            .into());
        }
        // Past the end of the file the window is zero pages, never file pages that would fault.
        let backed = (file_len - plan.file_start).min(plan.length);
        let backed = backed.checked_next_multiple_of(host_page()).unwrap_or(plan.length).min(plan.length);
        let spec = WindowSpec {
            memory,
            addr,
            len,
            file_offset: plan.file_start,
            file_len: usize::try_from(backed).map_err(|_| Error::overflow("the window's length"))?,
            shared: map.access() == MmapAccess::Write,
            map: Arc::clone(map),
        };
        let mapped = MappedWindow::open(spec).map_err(|refusal| refused(refusal, &path))?;
        let stats = self.ctx.stats();
        stats.handle_opened();
        stats.window_opened(plan.length);
        Ok(Window { mapped, stats, bytes: plan.length, counted: true })
    }

    /// The window's handle for a call that needs it open and whole.
    fn live_window(&self, this: &Resource<Window>) -> Result<&Window, HostError> {
        let window = self.table.get(this)?;
        if window.mapped.closed() {
            return Err(Error::invalid("this window was closed; open a new one").into());
        }
        if window.mapped.poisoned() {
            return Err(window.mapped.map().poisoned_error().into());
        }
        Ok(window)
    }
}

/// Why a Zarr array cannot have a window.
const ZARR_REFUSAL: &str = "windows are not supported on Zarr arrays: a Zarr array has no file to map (its elements are decoded chunks in host memory); use read-bytes and write-bytes";

/// How many windows one plugin may have open at once: a sixteenth of the process-wide table
/// ([`MAX_WINDOWS`]), so one plugin cannot take the slots every other plugin of the host needs.
const WINDOWS_PER_PLUGIN: u64 = 256;

/// The host page size (a power of two dividing [`ALIGN`] on every host wasmtime supports).
fn host_page() -> u64 {
    crate::map::page_size().try_into().unwrap_or(ALIGN)
}

/// The plugin's error for a window `map/window.rs` refused.
fn refused(refusal: OpenRefusal, path: &str) -> Error {
    match refusal {
        OpenRefusal::MemoryGone => Error::invalid("the plugin's memory is gone"),
        OpenRefusal::OutsideMemory { offset, size } => Error::invalid(format!(
            "the window's buffer at address {offset} is not inside the plugin's memory of {size} bytes"
        )),
        OpenRefusal::Overlaps { offset, len } => Error::invalid(format!(
            "the window's buffer overlaps the open window at address {offset} ({len} bytes); close that one first or use another buffer"
        )),
        OpenRefusal::TooMany => Error::limit_exceeded(
            Limit::Handles,
            format!(
                "another window would make {} windows open in this host, over its limit of {MAX_WINDOWS}; close windows you no longer need",
                open_windows().saturating_add(1)
            ),
        ),
        OpenRefusal::Io(e) => Error::from_io(&e, path),
    }
}

impl HostWindow for WasmMemmap<'_> {
    fn plan(&mut self, array: Resource<Memmap>) -> wasmtime::Result<Result<WindowPlan, WindowError>> {
        if let Err(why) = self.ctx.windows_allowed() {
            return Ok(Err(Self::unsupported(why)));
        }
        if let Some(refusal) = self.copy_on_write_refusal(&array) {
            return Ok(Err(refusal));
        }
        let planned = self.table.get(&array).map_err(HostError::from).and_then(|handle| {
            handle.map().check_open()?;
            let plan = Plan::of(handle)?;
            self.ctx.check_transfer(plan.length, "a window")?;
            Ok(plan)
        });
        match planned {
            Ok(plan) => Ok(Ok(WindowPlan {
                length: plan.length,
                align: ALIGN,
                data_offset: plan.data_offset,
                data_length: plan.data_length,
            })),
            Err(e) => Ok(Err(self.failed(e)?)),
        }
    }

    /// Never called: [`add_open_to_linker`] replaces it with the function that takes the buffer
    /// in place. A copy of the buffer could not be mapped over.
    fn open(
        &mut self,
        array: Resource<Memmap>,
        buffer: Vec<u8>,
    ) -> wasmtime::Result<Result<Resource<Window>, WindowError>> {
        let _ = (array, buffer);
        Ok(Err(Self::unsupported(
            "window.open is not linked in place (the host linked the generated bindings alone)".to_owned(),
        )))
    }

    fn flush(&mut self, this: Resource<Window>) -> wasmtime::Result<Result<(), WindowError>> {
        let flushed = self.live_window(&this).and_then(|window| {
            let map = window.mapped.map();
            window.mapped.flush().map_err(|e| HostError::from(Error::from_io(&e, map.path())))
        });
        match flushed {
            Ok(()) => Ok(Ok(())),
            Err(e) => Ok(Err(self.failed(e)?)),
        }
    }

    fn close(&mut self, this: Resource<Window>) -> wasmtime::Result<Result<(), WindowError>> {
        let window = self.table.get_mut(&this)?;
        if window.mapped.closed() {
            return Ok(Ok(()));
        }
        let poisoned = window.mapped.poisoned();
        let closed = window.mapped.close();
        let result = match closed {
            Err(e) => Err(Error::from_io(&e, window.mapped.map().path())),
            Ok(()) if poisoned => {
                window.uncount();
                Err(window.mapped.map().poisoned_error())
            }
            Ok(()) => {
                window.uncount();
                Ok(())
            }
        };
        match result {
            Ok(()) => Ok(Ok(())),
            Err(e) => Ok(Err(self.failed(e)?)),
        }
    }

    fn drop(&mut self, this: Resource<Window>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl window::Host for WasmMemmap<'_> {}
