//! The file mappings behind the plugin's arrays, and every `unsafe` line of the crate: the one
//! module boundary the rest of the crate crosses to touch mapped memory.
//!
//! - [`MappedFile`] (`mapping.rs`): one file mapped into memory, shared by a map and all its views
//!   (what Python's `mmap.mmap` object is to an `np.memmap` and its views); flushing, closing,
//!   durability.
//! - [`MapGuard`]: a [`MappedFile`] held mapped for the length of one host call, through which
//!   every copy goes.
//! - [`MappedRegion`] and [`MmapAccess`] (`raw.rs`): the address range `mmap` returned and how it
//!   was mapped (Python's `ACCESS_READ`/`ACCESS_WRITE`/`ACCESS_COPY`), with bounds-checked copies.
//! - [`LendGuard`] (`lowering.rs`): the `SIGBUS` guard over a range lent to wasmtime's lowering.
//! - `sigbus.rs`: the `SIGBUS` handler that turns a page the file no longer backs into an error.
//! - [`WindowMemoryCreator`] (`memory.rs`): the plugin's linear memories when windows are enabled,
//!   reserved once and never moved, and [`MappedWindow`] (`window.rs`): a file range mapped over a
//!   buffer in such a memory, with its part of the `SIGBUS` handler.

mod lowering;
mod mapping;
mod memory;
mod raw;
mod sigbus;
mod window;

pub(crate) use lowering::LendGuard;
pub(crate) use mapping::{MapGuard, MappedFile};
pub(crate) use memory::{MemoryShared, WindowMemoryCreator};
pub(crate) use raw::{MappedRegion, MmapAccess};
pub(crate) use sigbus::page_size;
pub(crate) use window::{MAX_WINDOWS, MappedWindow, OpenRefusal, WindowSpec, open_windows};
