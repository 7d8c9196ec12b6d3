//! The call hook that lets `read-bytes` lend a mapping to wasmtime instead of copying it first
//! (`map/lowering.rs`): one copy from the file's pages into the plugin's memory.

use std::sync::Arc;

use wasmtime::CallHook;

use crate::MemmapCtx;
use crate::map::{LendGuard, MappedFile};

/// What a context knows of its store's call hook and of the range lent by the current call.
#[derive(Default)]
pub(crate) struct Lending {
    /// Set by [`MemmapCtx::call_hook`] as a host call starts and cleared as it returns: while it
    /// is set, the hook is installed and will run after the call's result is lowered, so a
    /// `read-bytes` may lend its range (without it, `read-bytes` copies inside the host call, as
    /// before, since nothing would catch a fault during the lowering).
    hooked: bool,
    /// The mapping lent by the current call and its `SIGBUS` guard, until the hook releases it.
    pending: Option<(Arc<MappedFile>, LendGuard)>,
}

impl Lending {
    /// Whether a range may be lent: the store's call hook will end the lowering guard.
    pub(crate) fn hooked(&self) -> bool {
        self.hooked
    }

    /// Keeps `map`'s lowering guard until the hook releases it.
    pub(crate) fn hold(&mut self, map: Arc<MappedFile>, guard: LendGuard) {
        self.pending = Some((map, guard));
    }
}

impl MemmapCtx {
    /// The `memmap` part of a [`Store::call_hook`](wasmtime::Store::call_hook): lets
    /// `read-bytes` lend a contiguous selection straight from the mapping to wasmtime, which copies
    /// it into the plugin's memory as it lowers the result (one copy instead of two). After the
    /// lowering ([`CallHook::ReturningFromHost`]) it checks that no page of the lent range was lost
    /// meanwhile (a file truncated by another process raises `SIGBUS` during that copy, which the
    /// host survives by mapping zero pages): if one was, the mapping is poisoned and the hook fails,
    /// which traps the plugin instead of letting it use zeros it takes for data. Without the hook,
    /// `read-bytes` copies twice, as before; nothing else changes.
    ///
    /// [`InstanceLimits::apply`](crate::InstanceLimits::apply) installs it; an embedder with a call
    /// hook of its own calls this from it.
    ///
    /// # Errors
    /// The `io` error of a file truncated while wasmtime copied from it (the plugin traps).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::MemmapCtx;
    /// use wasmtime::{Engine, Store};
    ///
    /// let mut store = Store::new(&Engine::default(), MemmapCtx::builder().build());
    /// store.call_hook(|mut store, kind| store.data_mut().call_hook(kind));
    /// ```
    pub fn call_hook(&mut self, kind: CallHook) -> wasmtime::Result<()> {
        match kind {
            CallHook::CallingHost => self.lent.hooked = true,
            CallHook::ReturningFromHost => {
                self.lent.hooked = false;
                if let Some((map, guard)) = self.lent.pending.take()
                    && guard.release()
                {
                    return Err(wasmtime::Error::msg(map.lent_fault().to_string()));
                }
            }
            CallHook::CallingWasm | CallHook::ReturningFromWasm => {}
        }
        Ok(())
    }
}
