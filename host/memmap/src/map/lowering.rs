//! The one copy of a `read-bytes`: a range of a mapping lent to wasmtime (`bytes::Bytes`), which
//! copies it into the plugin's memory as it lowers the call's result, after the host function
//! returned and so outside every `guarded` copy of `sigbus.rs`.
//!
//! A page the file stops backing during that copy (another process truncates the file) raises
//! `SIGBUS` there. [`LendGuard`] keeps the `SIGBUS` handler pointed at the mapping from the end of
//! the host function until wasmtime's `CallHook::ReturningFromHost`, which runs after the result
//! was lowered (see `MemmapCtx::call_hook`): the fault is turned into zero pages as in any other
//! copy, and the hook reports it (an error there traps the plugin), so the plugin never goes on
//! with zeros it takes for data. A truncation before the call is caught earlier, by probing
//! every page of the range inside the guard (an `io` error, as for every other read).

use std::sync::Arc;

use super::raw::MappedRegion;

/// Keeps the `SIGBUS` handler pointed at a lent mapping while wasmtime copies from it; made by
/// [`MapGuard::lend`](super::MapGuard::lend). Dropping it ends the guard as [`LendGuard::release`]
/// does.
pub(crate) struct LendGuard {
    region: Arc<MappedRegion>,
    released: bool,
}

impl LendGuard {
    pub(super) fn hold(region: Arc<MappedRegion>) -> Self {
        super::sigbus::hold(region.sigbus_region());
        Self { region, released: false }
    }

    /// Ends the guard; whether a page of the mapping faulted while it was held (the plugin then
    /// received zeros in place of some of the bytes).
    pub(crate) fn release(mut self) -> bool {
        self.released = true;
        super::sigbus::release(self.region.sigbus_region())
    }
}

impl Drop for LendGuard {
    fn drop(&mut self) {
        if !self.released {
            super::sigbus::release(self.region.sigbus_region());
        }
    }
}
