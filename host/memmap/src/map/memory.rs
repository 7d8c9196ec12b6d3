//! The plugin's linear memories when windows are enabled: a `MemoryCreator` of our own, so the host
//! knows every memory's address range and can map file pages into it (see `window.rs`).
//!
//! Each memory reserves its whole range once, `PROT_NONE`, and never moves: at least 4 GiB (the
//! most a wasm32 memory can reach) or the reservation wasmtime asks for if larger, plus the guard
//! wasmtime asks for after it (its compiled code leaves bounds checks to that guard). Growing makes
//! more of the reservation readable and writable with `mprotect`, as wasmtime's own `MmapMemory`
//! does. A memory that moved would turn an open window into a stale copy (the window's pages would
//! stay at the old address), so moving is never an option: a growth past the reservation fails.
//!
//! Every memory made here is listed in a process-wide registry by its address range, which is how
//! `window.open` recognises a buffer as lying in one of ours (a plugin run without windows has
//! memories wasmtime made, which are not listed, and gets `unsupported`).
//!
//! **Teardown.** A memory and its windows share [`MemoryShared`], whose lock every window operation
//! holds while it maps, syncs or unmaps. When wasmtime drops the memory (the instance ends, after
//! a trap too, in whatever order the `Store` drops its instances and its data), the drop takes
//! that lock, flushes and retires every window still open, marks the memory freed and unmaps the
//! whole reservation. A window dropped later finds the memory freed and maps nothing: no window
//! ever maps over an address range that was given back to the system.
#![allow(unsafe_code)]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use wasmtime::{LinearMemory, MemoryCreator, MemoryType};

use super::window::WindowCore;

/// The least every memory reserves: the whole 32-bit address space of a wasm32 memory.
const MIN_RESERVATION: usize = 1 << 32;

/// The memories alive in this process, by address range (see the module doc).
static REGISTRY: Mutex<Vec<Weak<MemoryShared>>> = Mutex::new(Vec::new());

/// What a memory and its windows share: its address range, and, under one lock, its size and
/// open windows.
#[derive(Debug)]
pub(crate) struct MemoryShared {
    /// First byte of the reservation (host page-aligned), the memory's byte 0.
    base: usize,
    /// The most bytes the memory can grow to without moving.
    capacity: usize,
    /// The whole reservation: `capacity` plus the guard.
    reserved: usize,
    inner: Mutex<MemoryInner>,
}

/// The part of [`MemoryShared`] that changes.
#[derive(Debug)]
pub(crate) struct MemoryInner {
    /// Bytes accessible now (the memory's size).
    pub(crate) size: usize,
    /// Set when the memory was dropped and its reservation unmapped.
    pub(crate) freed: bool,
    /// The windows open in it.
    pub(crate) windows: Vec<Arc<WindowCore>>,
}

impl MemoryShared {
    /// The memory's byte 0 in the host's address space.
    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// The memory's state, locked. A panic never happens while it is held (every user only
    /// compares numbers and makes system calls), so a poisoned lock still holds a consistent state.
    pub(crate) fn lock(&self) -> MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The memory made by [`WindowMemoryCreator`] that holds host address `addr`, if any.
    pub(crate) fn containing(addr: usize) -> Option<Arc<Self>> {
        let registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        registry.iter().filter_map(Weak::upgrade).find(|m| m.base <= addr && addr - m.base < m.capacity)
    }
}

/// The `MemoryCreator` of `wasm_memmap_host::windows::configure`: see the module doc.
#[derive(Debug, Default)]
pub(crate) struct WindowMemoryCreator;

// SAFETY: every memory made here is a fresh anonymous reservation of `capacity + guard` bytes
// (zero-filled, host page-aligned), of which the first `minimum` are readable and writable and the
// guard stays `PROT_NONE`; `reserved_size_in_bytes` (when given) is never more than `capacity`, and
// the memory never moves (see `WindowMemory`).
unsafe impl MemoryCreator for WindowMemoryCreator {
    fn new_memory(
        &self,
        ty: MemoryType,
        minimum: usize,
        maximum: Option<usize>,
        reserved_size_in_bytes: Option<usize>,
        guard_size_in_bytes: usize,
    ) -> Result<Box<dyn LinearMemory>, String> {
        if ty.is_shared() {
            return Err("shared memories cannot be made by the window-enabled memory creator".to_owned());
        }
        // `maximum` is wasmtime's to enforce (it checks each growth against the type and the
        // store's limiter before asking us); the reservation is the same for every memory.
        let _ = maximum;
        let capacity = reserved_size_in_bytes.unwrap_or(0).max(MIN_RESERVATION);
        if minimum > capacity {
            return Err(format!("a memory of {minimum} bytes does not fit the {capacity}-byte reservation"));
        }
        let reserved = capacity
            .checked_add(guard_size_in_bytes)
            .ok_or_else(|| format!("a reservation of {capacity} + {guard_size_in_bytes} bytes overflows"))?;
        super::sigbus::install();
        // SAFETY: a fresh anonymous mapping at an address the kernel picks: it replaces nothing.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(format!("cannot reserve {reserved} bytes for a memory: {}", std::io::Error::last_os_error()));
        }
        let shared = Arc::new(MemoryShared {
            base: base.addr(),
            capacity,
            reserved,
            inner: Mutex::new(MemoryInner { size: 0, freed: false, windows: Vec::new() }),
        });
        let mut memory = WindowMemory { shared, size: 0 };
        // Dropping `memory` on failure unmaps the reservation.
        memory.grow_to(minimum).map_err(|e| e.to_string())?;
        let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        registry.retain(|m| m.strong_count() > 0);
        registry.push(Arc::downgrade(&memory.shared));
        Ok(Box::new(memory))
    }
}

/// One linear memory: see the module doc.
#[derive(Debug)]
struct WindowMemory {
    shared: Arc<MemoryShared>,
    /// The size, also in `shared` (read here without the lock: wasmtime asks often).
    size: usize,
}

/// `n` rounded up to a whole number of host pages.
fn page_up(n: usize) -> Option<usize> {
    n.checked_next_multiple_of(super::sigbus::page_size().max(1))
}

// SAFETY: `as_ptr` is the reservation's start (host page-aligned) and never changes; `byte_size`
// bytes from it are readable and writable (made so by `grow_to` before it records the size), and
// at least the guard after `byte_capacity` stays `PROT_NONE`.
unsafe impl LinearMemory for WindowMemory {
    fn byte_size(&self) -> usize {
        self.size
    }

    fn byte_capacity(&self) -> usize {
        self.shared.capacity
    }

    fn grow_to(&mut self, new_size: usize) -> wasmtime::Result<()> {
        if new_size > self.shared.capacity {
            wasmtime::bail!("a memory cannot grow to {new_size} bytes, past its {} bytes", self.shared.capacity);
        }
        let (Some(from), Some(to)) = (page_up(self.size), page_up(new_size)) else {
            wasmtime::bail!("a memory of {new_size} bytes overflows the address space");
        };
        if to > from {
            // SAFETY: `[base + from, base + to)` lies inside this memory's own reservation
            // (`to` is at most `capacity` rounded to a page, and the guard is at least a page:
            // wasmtime's guard sizes are multiples of the page size), and was `PROT_NONE`; nothing
            // else lives there. Windows lie below `size <= from`, so none is touched.
            let rc = unsafe {
                libc::mprotect(
                    std::ptr::with_exposed_provenance_mut(self.shared.base + from),
                    to - from,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            if rc != 0 {
                wasmtime::bail!("cannot grow a memory to {new_size} bytes: {}", std::io::Error::last_os_error());
            }
        }
        self.shared.lock().size = new_size;
        self.size = new_size;
        Ok(())
    }

    fn as_ptr(&self) -> *mut u8 {
        std::ptr::with_exposed_provenance_mut(self.shared.base)
    }
}

impl Drop for WindowMemory {
    fn drop(&mut self) {
        // Unlisted before its range is given back: a memory made later at the same address is
        // then the only one found there.
        REGISTRY
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|m| m.strong_count() > 0 && !std::ptr::eq(m.as_ptr(), Arc::as_ptr(&self.shared)));
        let mut inner = self.shared.lock();
        for window in std::mem::take(&mut inner.windows) {
            window.retire_with_memory();
        }
        inner.freed = true;
        inner.size = 0;
        // SAFETY: the reservation is this memory's own mapping; wasmtime drops a memory only when
        // nothing runs in it any more, every window in it was retired above under the lock that
        // every window operation takes, and `freed` keeps them from touching the range again.
        unsafe { libc::munmap(std::ptr::with_exposed_provenance_mut(self.shared.base), self.shared.reserved) };
    }
}
