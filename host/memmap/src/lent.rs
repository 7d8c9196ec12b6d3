//! The call hook that lets `read-bytes` lend a mapping to wasmtime instead of copying it first
//! (`map/lowering.rs`): one copy from the file's pages into the plugin's memory.

use std::sync::Arc;

use wasmtime::CallHook;

use crate::MemmapCtx;
use crate::map::{LendGuard, MappedFile};

/// What a context knows of its store's call hook and of the range lent by the current call.
#[derive(Default)]
pub(crate) struct Lending {
    /// How many host calls are running, counted by [`MemmapCtx::call_hook`]: a host function,
    /// and inside it the libcalls wasmtime makes while lowering its result (the plugin's
    /// `cabi_realloc` may grow its memory, a libcall with hooks of its own). Non-zero while a
    /// `memmap` call runs means the hook is installed and will run after the call's result is
    /// lowered, so a `read-bytes` may lend its range (without it, `read-bytes` copies inside the
    /// host call, as before, since nothing would catch a fault during the lowering).
    depth: u32,
    /// The mapping lent by the current call, its `SIGBUS` guard, and the depth of that call: only
    /// its own return releases the guard, not a nested libcall's during the lowering.
    pending: Option<(Arc<MappedFile>, LendGuard, u32)>,
}

impl Lending {
    /// Whether a range may be lent: the store's call hook will end the lowering guard.
    pub(crate) fn hooked(&self) -> bool {
        self.depth > 0
    }

    /// Keeps `map`'s lowering guard until the hook sees the current host call return.
    pub(crate) fn hold(&mut self, map: Arc<MappedFile>, guard: LendGuard) {
        self.pending = Some((map, guard, self.depth));
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
            CallHook::CallingHost => self.lent.depth = self.lent.depth.saturating_add(1),
            CallHook::ReturningFromHost => {
                let depth = self.lent.depth;
                self.lent.depth = depth.saturating_sub(1);
                if self.lent.pending.as_ref().is_some_and(|&(_, _, at)| at >= depth)
                    && let Some((map, guard, _)) = self.lent.pending.take()
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

#[cfg(test)]
mod tests {
    use std::fs::File;

    use super::*;
    use crate::generated::types::{ByteOrder, Dtype, ScalarKind};
    use crate::layout::Layout;
    use crate::map::{MappedRegion, MmapAccess};
    use wasm_memmap_numpy_core::Order;

    /// A range lent to wasmtime's lowering, whose file is truncated before wasmtime copies it (as
    /// another process may at any time): the copy (done here as wasmtime would, outside any
    /// `guarded` copy) survives on zero pages, and the call hook after the lowering fails with
    /// the `io` error and poisons the map. Without the lowering guard this test dies of `SIGBUS`.
    #[test]
    fn a_fault_while_wasmtime_copies_a_lent_range_fails_the_hook() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lent.f8");
        let len = 1 << 20;
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        file.set_len(u64::try_from(len).expect("len")).expect("size");
        std::fs::write(&path, vec![7u8; len]).expect("fill");
        let raw = MappedRegion::new(&file, 0, len, MmapAccess::Read).expect("map");
        let stats = Arc::new(crate::ctx::MemmapStats::default());
        let end = u64::try_from(len).expect("len");
        let map = Arc::new(MappedFile::new(Some(raw), MmapAccess::Read, file, end, stats, "lent.f8".into()));
        let layout = Layout::contiguous(&[end / 8], 8, Order::C).expect("layout");
        let dtype = Dtype { kind: ScalarKind::Float64, byte_order: ByteOrder::Little };

        let mut ctx = MemmapCtx::builder().build();
        ctx.call_hook(CallHook::CallingHost).expect("hook");
        let mut fuel = None;
        let mut meter = crate::meter::Meter::new(None, &mut fuel);
        let (bytes, guard) = crate::elements::read_bytes_lent(&map, &layout, dtype, &mut meter).expect("lent");
        ctx.lent.hold(Arc::clone(&map), guard.expect("a contiguous native selection is lent"));
        // The lowering calls the plugin's `cabi_realloc`, which may grow its memory: a libcall
        // with hooks of its own, whose return must not end the guard.
        ctx.call_hook(CallHook::CallingWasm).expect("hook");
        ctx.call_hook(CallHook::CallingHost).expect("hook");
        ctx.call_hook(CallHook::ReturningFromHost).expect("a nested return ends nothing");
        ctx.call_hook(CallHook::ReturningFromWasm).expect("hook");
        File::options().write(true).open(&path).expect("fd").set_len(4096).expect("truncate");
        // wasmtime's lowering: a plain copy of the lent bytes into the plugin's memory.
        let copied = bytes.to_vec();
        drop(bytes);
        assert!(copied[1 << 19..].iter().all(|&b| b == 0), "the lost pages read as zeros");
        let err = ctx.call_hook(CallHook::ReturningFromHost).expect_err("the hook reports the fault");
        assert_eq!(
            err.to_string(),
            "'lent.f8' was truncated to 4096 bytes while mapped; the array needs 1048576 bytes of it, so it cannot be read or written any more"
        );
        assert!(map.reader().is_err(), "the map is poisoned");
        // No fault: the hook passes, and the next call without the hook is not lent.
        ctx.call_hook(CallHook::ReturningFromHost).expect("nothing pending");
        assert!(!ctx.lent.hooked());
    }
}
