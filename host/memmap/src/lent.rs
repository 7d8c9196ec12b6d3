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
    /// The store may suspend the plugin inside a call ([`InstanceLimits::apply_async`]'s epoch
    /// yields, an async executor) and nobody vouched for where it resumes: the lowering guard is
    /// this thread's (`map/sigbus.rs`), so a lowering resumed on another thread would run
    /// unguarded (and leave this thread's guard pointing at a region that may be freed), and
    /// another store's copy on this thread would take the guard over meanwhile. Such a store
    /// never lends; `read-bytes` copies under its own guard inside the host call instead.
    ///
    /// [`InstanceLimits::apply_async`]: crate::InstanceLimits::apply_async
    pub(crate) yields: bool,
}

impl Lending {
    /// Whether a range may be lent: the store's call hook will end the lowering guard.
    pub(crate) fn hooked(&self) -> bool {
        self.depth > 0 && !self.yields
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
    /// hook of its own calls this from it. The hook must run on the thread that ran the host call,
    /// with no other store's call on that thread in between: the lowering's `SIGBUS` guard is
    /// per-thread. A store that can yield inside a call (set up by
    /// [`InstanceLimits::apply_async`](crate::InstanceLimits::apply_async)) therefore does not
    /// lend, unless the embedder vouches for it with [`MemmapCtx::lend_across_yields`].
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

    /// Lets `read-bytes` lend its range to wasmtime's lowering although the store was set up by
    /// [`InstanceLimits::apply_async`](crate::InstanceLimits::apply_async) (which turns lending off,
    /// see [`MemmapCtx::call_hook`]). Call it after `apply_async`, and only when every suspended
    /// call of this store resumes on the thread it was suspended on and no other store runs on
    /// that thread meanwhile: a current-thread runtime driving this one store to completion (as
    /// the `wasm-memmap` runner does) qualifies, a multi-thread executor does not.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::MemmapCtx;
    ///
    /// let mut ctx = MemmapCtx::builder().build();
    /// ctx.lend_across_yields();
    /// ```
    pub fn lend_across_yields(&mut self) {
        self.lent.yields = false;
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
        let (bytes, guard) = crate::elements::read_bytes_lent(
            &crate::backing::Backing::File(Arc::clone(&map)),
            &layout,
            dtype,
            &mut meter,
        )
        .expect("lent");
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

    /// A store set up by `apply_async` may resume a suspended lowering on another thread, where
    /// this thread's `SIGBUS` guard does not reach: it copies instead of lending, unless the
    /// embedder vouches for its executor (`lend_across_yields`, as the runner does).
    #[test]
    fn a_store_that_yields_does_not_lend() {
        struct Host {
            memmap: MemmapCtx,
            limiter: crate::InstanceLimiter,
        }
        impl crate::HasInstanceLimits for Host {
            fn instance_limiter(&self) -> &crate::InstanceLimiter {
                &self.limiter
            }
            fn instance_limiter_mut(&mut self) -> &mut crate::InstanceLimiter {
                &mut self.limiter
            }
            fn memmap_ctx_mut(&mut self) -> &mut MemmapCtx {
                &mut self.memmap
            }
        }
        let engine = wasmtime::Engine::default();
        let limits = crate::InstanceLimits::default();
        for (yields, vouched, lends) in [(false, false, true), (true, false, false), (true, true, true)] {
            let memmap = MemmapCtx::builder().build();
            let limiter = limits.limiter(&memmap);
            let mut store = wasmtime::Store::new(&engine, Host { memmap, limiter });
            if yields { limits.apply_async(&mut store) } else { limits.apply(&mut store) }.expect("apply");
            let ctx = &mut store.data_mut().memmap;
            if vouched {
                ctx.lend_across_yields();
            }
            ctx.call_hook(CallHook::CallingHost).expect("hook");
            assert_eq!(ctx.lent.hooked(), lends, "yields {yields}, vouched {vouched}");
        }
    }
}
