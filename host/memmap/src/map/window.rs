//! Zero-copy windows: a page-aligned range of a file mapped with `MAP_FIXED` over a buffer in a
//! plugin's linear memory (one made by `memory.rs`), and mapped back to anonymous zero pages when
//! the window closes.
//!
//! **Protection.** Always readable and writable: `MAP_SHARED` for maps of mode `r+`/`w+` (writes
//! reach the file), `MAP_PRIVATE` for modes `r` and `c` (writes stay in the plugin's memory). Never
//! `PROT_READ` alone: the host itself writes into a plugin's memory (a WASI `read` into that buffer,
//! a call's results lowered into it), and such a write into a read-only page would kill the host
//! with `SIGSEGV`.
//!
//! **Truncation.** A page of the window that the file no longer backs raises `SIGBUS` when touched,
//! by the plugin's code or by the host, on any thread. The one `SIGBUS` handler (`sigbus.rs`) asks
//! [`on_fault`] first whether the address lies in a window; if so it maps anonymous zero pages from
//! the faulting page to the window's end in ONE `mmap` (one kernel mapping replaces the rest of the
//! window's, so repeated faults cannot pile up mappings towards `vm.max_map_count`), marks the
//! window and its map poisoned, and returns: the faulting instruction runs again and reads zeros.
//! The next call on the window (and on its map) fails with `io`.
//!
//! The handler finds windows in a fixed table of atomics ([`MAX_WINDOWS`] entries, process-wide),
//! which is async-signal-safe: no lock, no allocation. Each entry's state word carries a generation
//! that changes whenever the entry is reused, so a handler that read an entry's bounds can claim it
//! (compare-and-swap to `FIXING`) only if it still describes the same window. A window being closed
//! is `CLOSING`; a handler that faults inside it waits until the close has mapped zero pages there,
//! then lets the instruction run again.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, MutexGuard};

use super::MappedFile;
use super::memory::{MemoryInner, MemoryShared};

/// The most windows open at once in this process, all plugins together. Each window is one or two
/// kernel mappings and splits the memory's own mapping around it (up to four more in all); 4096
/// windows stay far below the kernel's `vm.max_map_count` (65,530 by default) for the process.
pub(crate) const MAX_WINDOWS: usize = 4096;

/// Entry state: unused.
const FREE: u64 = 0;
/// Entry state: being filled in by `open`; not yet a window the handler should see.
const CLAIMED: u64 = 1;
/// Entry state: an open window.
const ACTIVE: u64 = 2;
/// Entry state: the handler is mapping zero pages into it after a fault.
const FIXING: u64 = 3;
/// Entry state: an open window that faulted (part of it is zero pages).
const POISONED: u64 = 4;
/// Entry state: being closed.
const CLOSING: u64 = 5;

/// The state part of a state word (its low byte); the rest is the generation.
const STATE_MASK: u64 = 0xff;

/// One window as the `SIGBUS` handler sees it.
struct Entry {
    /// Generation (high bits) and state (low byte).
    state: AtomicU64,
    /// First host address of the window.
    start: AtomicUsize,
    /// One past its last byte.
    end: AtomicUsize,
    /// The window's own poisoned flag ([`WindowCore::poisoned`]), alive while the entry is not free.
    window_poison: AtomicPtr<AtomicBool>,
    /// The poisoned flag of the map the window came from, alive while the entry is not free.
    map_poison: AtomicPtr<AtomicBool>,
}

impl Entry {
    const fn new() -> Self {
        Self {
            state: AtomicU64::new(FREE),
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            window_poison: AtomicPtr::new(std::ptr::null_mut()),
            map_poison: AtomicPtr::new(std::ptr::null_mut()),
        }
    }
}

static ENTRIES: [Entry; MAX_WINDOWS] = [const { Entry::new() }; MAX_WINDOWS];

/// How many entries are claimed now (for the limit's message and the tests).
static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Maps anonymous zero pages, readable and writable, over `[start, start + len)`. One system call,
/// async-signal-safe.
///
/// # Safety
/// `[start, start + len)` must lie inside a window's range of a live memory (so nothing but the
/// window's own pages is replaced), and nobody may hold Rust references into it.
unsafe fn map_zero(start: usize, len: usize) -> bool {
    // SAFETY: the caller's promise; `MAP_FIXED` over an existing range of our own replaces it.
    let mapped = unsafe {
        libc::mmap(
            std::ptr::with_exposed_provenance_mut(start),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    mapped != libc::MAP_FAILED
}

/// Called by the `SIGBUS` handler (`sigbus.rs`) for a fault at `addr` that no guarded copy of the
/// host claimed. Returns `true` when `addr` lies in a window: the page is zero now (or will be once
/// the window's close finishes), and the faulting instruction may run again. Async-signal-safe: it
/// reads and swaps atomics, and makes `mmap`, `sched_yield` and `nanosleep` calls.
pub(crate) fn on_fault(addr: usize) -> bool {
    let mut ours = false;
    for entry in &ENTRIES {
        loop {
            let word = entry.state.load(Ordering::Acquire);
            let state = word & STATE_MASK;
            if !matches!(state, ACTIVE | POISONED | FIXING | CLOSING) {
                break;
            }
            let (start, end) = (entry.start.load(Ordering::Acquire), entry.end.load(Ordering::Acquire));
            if !(start <= addr && addr < end) {
                break;
            }
            ours = true;
            if matches!(state, FIXING | CLOSING) {
                // Another thread maps zero pages there (a fault, or the close): one call away.
                // SAFETY: `sched_yield` takes no arguments and only gives up the CPU.
                unsafe { libc::sched_yield() };
                continue;
            }
            let fixing = (word & !STATE_MASK) | FIXING;
            if entry.state.compare_exchange(word, fixing, Ordering::AcqRel, Ordering::Acquire).is_err() {
                continue;
            }
            // The entry is this generation's window, and its close waits for FIXING to end.
            zero_from(addr, end);
            for flag in [&entry.window_poison, &entry.map_poison] {
                // SAFETY: non-null flags outlive a non-free entry (`WindowCore` holds both owners).
                if let Some(flag) = unsafe { flag.load(Ordering::Acquire).as_ref() } {
                    flag.store(true, Ordering::Release);
                }
            }
            entry.state.store((word & !STATE_MASK) | POISONED, Ordering::Release);
            return true;
        }
        if ours {
            return true;
        }
    }
    ours
}

/// Maps zero pages from the page holding `addr` to `end` (a window's end), retrying until the kernel
/// agrees: first the whole rest in one call, else the faulting page alone, else a line on stderr and
/// a retry every 10 ms (as `sigbus.rs` does for maps).
fn zero_from(addr: usize, end: usize) {
    let page = super::sigbus::page_size().max(1);
    let from = addr - addr % page;
    let mut warned = false;
    loop {
        // SAFETY: `[from, end)` lies in the window this thread holds in FIXING, whose memory is
        // alive (a memory retires its windows before it is unmapped, and retiring waits for FIXING).
        if unsafe { map_zero(from, end - from) } || unsafe { map_zero(from, page) } {
            return;
        }
        if !warned {
            warned = true;
            let line = b"wasm-memmap: a file under a plugin's window lost pages (truncated?) and the kernel refused to replace them (vm.max_map_count reached); the plugin waits until mappings are released\n";
            // SAFETY: `write` of a static buffer to fd 2 is async-signal-safe; a failure is ignored.
            let _ = unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
        }
        let pause = libc::timespec { tv_sec: 0, tv_nsec: 10_000_000 };
        // SAFETY: `nanosleep` is async-signal-safe; `pause` is a valid timespec.
        unsafe { libc::nanosleep(&raw const pause, std::ptr::null_mut()) };
    }
}

/// Claims a free entry for `[start, end)`, or `None` when all [`MAX_WINDOWS`] are in use. The entry
/// is `CLAIMED` (invisible to the handler) until [`activate`]; its window's own flag is set by the
/// caller meanwhile.
fn claim(start: usize, end: usize, map_poison: &AtomicBool) -> Option<(usize, u64)> {
    for (slot, entry) in ENTRIES.iter().enumerate() {
        let word = entry.state.load(Ordering::Acquire);
        if word & STATE_MASK != FREE {
            continue;
        }
        let generation = (word >> 8).wrapping_add(1) << 8;
        if entry.state.compare_exchange(word, generation | CLAIMED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            entry.start.store(start, Ordering::Release);
            entry.end.store(end, Ordering::Release);
            entry.map_poison.store(std::ptr::from_ref(map_poison).cast_mut(), Ordering::Release);
            IN_USE.fetch_add(1, Ordering::AcqRel);
            return Some((slot, generation));
        }
    }
    None
}

fn activate(slot: usize, generation: u64) {
    ENTRIES[slot].state.store(generation | ACTIVE, Ordering::Release);
}

/// Moves the entry to `CLOSING`, waiting while a handler is `FIXING` it.
fn begin_close(slot: usize, generation: u64) {
    let entry = &ENTRIES[slot];
    loop {
        let word = entry.state.load(Ordering::Acquire);
        if word & STATE_MASK == FIXING {
            std::thread::yield_now();
            continue;
        }
        if entry.state.compare_exchange(word, generation | CLOSING, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return;
        }
    }
}

/// Frees the entry: the handler no longer sees the window.
fn release(slot: usize, generation: u64) {
    let entry = &ENTRIES[slot];
    entry.window_poison.store(std::ptr::null_mut(), Ordering::Release);
    entry.map_poison.store(std::ptr::null_mut(), Ordering::Release);
    entry.state.store(generation | FREE, Ordering::Release);
    IN_USE.fetch_sub(1, Ordering::AcqRel);
}

/// How many windows are open in this process.
pub(crate) fn open_windows() -> usize {
    IN_USE.load(Ordering::Acquire)
}

/// One window's state, shared by its handle and the memory it lies in (which retires it if it goes
/// first).
pub(crate) struct WindowCore {
    slot: usize,
    generation: u64,
    /// First host address.
    addr: usize,
    /// Bytes of the window.
    len: usize,
    /// Bytes of it mapped from the file (the rest, past the end of the file, is zero pages).
    file_len: usize,
    /// `MAP_SHARED`: writes reach the file.
    shared: bool,
    /// Set by the handler after a fault in the window.
    poisoned: AtomicBool,
    /// Set once the window was closed or retired.
    closed: AtomicBool,
    /// The map the window came from: its poisoned flag is the handler's to set, and its file is
    /// synced for a window whose memory went first.
    map: Arc<MappedFile>,
}

impl std::fmt::Debug for WindowCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowCore")
            .field("addr", &self.addr)
            .field("len", &self.len)
            .field("file_len", &self.file_len)
            .field("shared", &self.shared)
            .field("path", &self.map.path())
            .finish_non_exhaustive()
    }
}

impl WindowCore {
    /// Flushes (for a shared window) and frees the window's entry without mapping anything: the
    /// memory is about to be unmapped (called by its drop, under its lock).
    pub(crate) fn retire_with_memory(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        begin_close(self.slot, self.generation);
        if let Err(e) = self.sync() {
            tracing::error!(path = %self.map.path(), error = %e, "flushing a window at the end of its plugin failed");
        }
        release(self.slot, self.generation);
    }

    /// `msync(MS_SYNC)` of the file's pages of a shared window; nothing for a private one. After a
    /// fault the tail is zero pages, so the file itself is synced (`fdatasync`) instead.
    fn sync(&self) -> io::Result<()> {
        if !self.shared {
            return Ok(());
        }
        if self.poisoned.load(Ordering::Acquire) {
            return self.map.file().sync_data();
        }
        // SAFETY: `msync` only writes back pages of `[addr, addr + file_len)`, the window's own
        // file mapping, which is mapped (the caller holds the memory's lock and the memory is
        // not freed, or holds the entry so no fault replaces it meanwhile).
        let rc = unsafe { libc::msync(std::ptr::with_exposed_provenance_mut(self.addr), self.file_len, libc::MS_SYNC) };
        if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
    }
}

/// What [`MappedWindow::open`] maps.
pub(crate) struct WindowSpec<'a> {
    /// The memory the buffer lies in.
    pub memory: &'a Arc<MemoryShared>,
    /// The buffer's host address (host page-aligned) and length.
    pub addr: usize,
    pub len: usize,
    /// Where in the file the window starts (host page-aligned).
    pub file_offset: u64,
    /// Bytes of the window the file backs now (at most `len`; the rest are zero pages).
    pub file_len: usize,
    /// `MAP_SHARED` (modes `r+`/`w+`) rather than `MAP_PRIVATE` (modes `r`/`c`).
    pub shared: bool,
    pub map: Arc<MappedFile>,
}

/// Why [`MappedWindow::open`] refused.
#[derive(Debug)]
pub(crate) enum OpenRefusal {
    /// The memory was dropped meanwhile.
    MemoryGone,
    /// `[addr, addr + len)` is not inside the memory's current size (host offsets from its base).
    OutsideMemory { offset: usize, size: usize },
    /// It overlaps the open window at this offset from the memory's base, of this length.
    Overlaps { offset: usize, len: usize },
    /// [`MAX_WINDOWS`] windows are open in the process.
    TooMany,
    /// `mmap` failed.
    Io(io::Error),
}

/// An open window (see the module doc): closed, flushing first, by [`MappedWindow::close`] or on drop.
#[derive(Debug)]
pub(crate) struct MappedWindow {
    core: Arc<WindowCore>,
    memory: Arc<MemoryShared>,
}

impl MappedWindow {
    /// Maps `spec`'s file range over its buffer, after checking (under the memory's lock) that the
    /// buffer lies inside the memory and overlaps no open window.
    pub(crate) fn open(spec: WindowSpec<'_>) -> Result<Self, OpenRefusal> {
        let WindowSpec { memory, addr, len, file_offset, file_len, shared, map } = spec;
        let mut inner = memory.lock();
        if inner.freed {
            return Err(OpenRefusal::MemoryGone);
        }
        let offset =
            addr.checked_sub(memory.base()).ok_or(OpenRefusal::OutsideMemory { offset: 0, size: inner.size })?;
        match offset.checked_add(len) {
            Some(end) if end <= inner.size && len > 0 && file_len <= len => {}
            _ => return Err(OpenRefusal::OutsideMemory { offset, size: inner.size }),
        }
        if let Some(other) = inner.windows.iter().find(|w| addr < w.addr + w.len && w.addr < addr + len) {
            return Err(OpenRefusal::Overlaps { offset: other.addr - memory.base(), len: other.len });
        }
        let (slot, generation) = claim(addr, addr + len, map.poison_flag()).ok_or(OpenRefusal::TooMany)?;
        let core = Arc::new(WindowCore {
            slot,
            generation,
            addr,
            len,
            file_len,
            shared,
            poisoned: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            map,
        });
        // The entry is CLAIMED (invisible to the handler) until it points at the core's flag.
        ENTRIES[slot].window_poison.store(std::ptr::from_ref(&core.poisoned).cast_mut(), Ordering::Release);
        activate(slot, generation);
        if let Err(e) = map_file(&core, core.map.file(), file_offset) {
            begin_close(slot, generation);
            // Whatever `mmap` left there, the buffer gets zero pages back.
            // SAFETY: the range lies inside the live memory (checked above, lock held) and is the
            // plugin's buffer, which no Rust reference points into.
            let _ = unsafe { map_zero(addr, len) };
            release(slot, generation);
            return Err(OpenRefusal::Io(e));
        }
        inner.windows.push(Arc::clone(&core));
        drop(inner);
        Ok(Self { core, memory: Arc::clone(memory) })
    }

    /// Whether a page of the window lost its file (see the module doc).
    pub(crate) fn poisoned(&self) -> bool {
        self.core.poisoned.load(Ordering::Acquire)
    }

    /// Whether the window was closed (by [`MappedWindow::close`], or its memory going first).
    pub(crate) fn closed(&self) -> bool {
        self.core.closed.load(Ordering::Acquire)
    }

    /// The map the window came from.
    pub(crate) fn map(&self) -> &MappedFile {
        &self.core.map
    }

    /// Writes the window's changed pages to the file (`msync(MS_SYNC)`), for a shared window.
    pub(crate) fn flush(&self) -> io::Result<()> {
        let _inner = self.live()?;
        self.core.sync()
    }

    /// Flushes, then maps zero pages back over the buffer and frees the window. Closing a closed
    /// window does nothing. When the zero pages cannot be mapped, the window stays open.
    pub(crate) fn close(&self) -> io::Result<()> {
        let inner = self.live();
        let Ok(mut inner) = inner else { return Ok(()) };
        if self.closed() {
            return Ok(());
        }
        let core = &self.core;
        begin_close(core.slot, core.generation);
        let synced = core.sync();
        // SAFETY: the window's range lies inside the live memory (the lock is held and it is not
        // freed), it is the plugin's buffer (no Rust reference points into it), and the entry is
        // CLOSING, so no handler maps there meanwhile.
        if !unsafe { map_zero(core.addr, core.len) } {
            let e = io::Error::last_os_error();
            ENTRIES[core.slot]
                .state
                .store(core.generation | if self.poisoned() { POISONED } else { ACTIVE }, Ordering::Release);
            return Err(e);
        }
        core.closed.store(true, Ordering::Release);
        release(core.slot, core.generation);
        inner.windows.retain(|w| !Arc::ptr_eq(w, core));
        synced
    }

    /// The memory's state, locked, if the memory is alive.
    fn live(&self) -> io::Result<MutexGuard<'_, MemoryInner>> {
        let inner = self.memory.lock();
        if inner.freed {
            return Err(io::Error::other("the plugin's memory is gone"));
        }
        Ok(inner)
    }
}

impl Drop for MappedWindow {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            tracing::error!(path = %self.core.map.path(), error = %e, "closing a dropped window failed");
        }
    }
}

/// Maps the file's part of the window (and zero pages after it, past the end of the file).
fn map_file(core: &WindowCore, file: &File, file_offset: u64) -> io::Result<()> {
    let offset = libc::off_t::try_from(file_offset)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "the window's file offset is too large"))?;
    let flags = libc::MAP_FIXED | if core.shared { libc::MAP_SHARED } else { libc::MAP_PRIVATE };
    if core.file_len > 0 {
        // SAFETY: `[addr, addr + file_len)` lies inside the plugin's live memory (checked by the
        // caller under the memory's lock) and is the plugin's own buffer, which no Rust reference
        // points into; `MAP_FIXED` replaces exactly those pages. `file` is open for reading (and
        // for writing when `shared`: maps of mode `r+`/`w+`), so the kernel allows the protection.
        let mapped = unsafe {
            libc::mmap(
                std::ptr::with_exposed_provenance_mut(core.addr),
                core.file_len,
                libc::PROT_READ | libc::PROT_WRITE,
                flags,
                file.as_raw_fd(),
                offset,
            )
        };
        if mapped == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
    }
    if core.file_len < core.len {
        // SAFETY: as above, for the window's tail past the end of the file.
        if !unsafe { map_zero(core.addr + core.file_len, core.len - core.file_len) } {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds [`MAX_WINDOWS`] windows; one more is refused, and freeing one makes room.
    #[test]
    fn the_table_refuses_a_window_past_its_size() {
        let flag = AtomicBool::new(false);
        let mut claimed = Vec::new();
        while let Some(c) = claim(1, 2, &flag) {
            claimed.push(c);
        }
        assert!(claimed.len() <= MAX_WINDOWS);
        assert!(claim(1, 2, &flag).is_none());
        let (slot, generation) = claimed.pop().expect("one");
        release(slot, generation);
        let again = claim(1, 2, &flag).expect("room again");
        assert_ne!(again.1, generation, "a reused entry has a new generation");
        claimed.push(again);
        for (slot, generation) in claimed {
            release(slot, generation);
        }
    }
}
