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

mod lowering;
mod mapping;
mod raw;
mod sigbus;

pub(crate) use lowering::LendGuard;
pub(crate) use mapping::{MapGuard, MappedFile};
pub(crate) use raw::{MappedRegion, MmapAccess};
