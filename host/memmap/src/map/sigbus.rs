//! Surviving `SIGBUS` while copying through a file mapping.
//!
//! Touching a page of a file mapping that the file no longer covers (another process, or the plugin
//! itself through WASI, truncated the file) or that the file system cannot back (a write into a
//! sparse hole on a full disk) raises `SIGBUS`, whose default action kills the host. numpy has the
//! same hazard (numpy issue #21964). Checking the file's size before each copy costs a system call
//! per host call and still races with other processes, so the host handles the signal instead:
//!
//! - every mapping has a [`Region`]: its page-aligned bounds (memmap2 maps from the page below the
//!   requested offset, so these are exactly the bounds of the kernel's mapping), its protection,
//!   and a small atomic state shared by every thread that copies through it;
//! - every copy through a mapping runs inside [`guarded`], which points a thread-local (a
//!   `const`-initialised `Cell`, safe to read in a signal handler) at that `Region`;
//! - the `SIGBUS` handler, installed once per process ([`install`]), checks whether the faulting
//!   address lies in the `Region` this thread is copying through. If so, the first fault replaces
//!   the WHOLE mapping with anonymous zero pages in one `mmap(MAP_FIXED | MAP_PRIVATE |
//!   MAP_ANONYMOUS | MAP_NORESERVE)` call over its exact bounds, and sets a thread-local flag that
//!   [`guarded`] returns. The faulting instruction then runs again on a zero page, the copy
//!   finishes without another fault (reading zeros, or writing to pages that never reach the file),
//!   and the caller fails the call with an `io` error and poisons the mapping, so no later call
//!   trusts it;
//! - any other `SIGBUS` goes to the handler that was installed before ours, exactly as wasmtime
//!   forwards faults that are not in wasm code (`crates/wasmtime/src/runtime/vm/sys/unix/signals.rs`):
//!   a `SA_SIGINFO` handler is called with the same arguments, a plain one with the signal number,
//!   and `SIG_DFL`/`SIG_IGN` is reinstated and the handler returns, so the faulting instruction runs
//!   again and the process dies the ordinary way.
//!
//! **Why the whole mapping, in one call.** Replacing only the faulting page splits the kernel's
//! mapping in up to three, so a selection that touches every other page of a truncated file (a
//! column of a wide array) adds two mappings per page until the process reaches
//! `vm.max_map_count` (65530): then the `mmap` fails and the signal kills the host. A `MAP_FIXED`
//! mapping over the exact bounds of an existing one replaces it without a split, so the number of
//! mappings does not change, and every later touch of the range is an ordinary anonymous page: one
//! fault per mapping, whatever the selection. `MAP_NORESERVE` keeps a large writable replacement
//! from being charged against the commit limit (a read-only map is replaced read-only, which is
//! never charged).
//!
//! **Several threads** (a parallel reduction, `MappedRegion::with_bytes_parallel`) may fault on the same
//! mapping at once. The `Region`'s state lets exactly one of them replace it; the others wait (a
//! few `sched_yield`s, while one `mmap` runs) and return, and each sets its own flag.
//!
//! **If the replacement fails** (see below), the handler maps a zero page over the faulting page
//! alone (the old way, which the kernel may still allow), and if that fails too it writes one line
//! to stderr and tries again every 10 ms, until the kernel has room. It never falls through to the
//! default action for a fault inside a guarded copy. Residual risk: the whole-range `mmap` fails
//! only when the kernel must split a mapping (the kernel merged this mapping with a neighbouring
//! mapping of the same file at the adjacent file offset) while the process is already at
//! `vm.max_map_count`, when `vm.max_map_count` was lowered below the number of mappings the
//! process has, or under strict overcommit (`vm.overcommit_memory = 2`, where `MAP_NORESERVE` is
//! ignored) with the commit limit used up for a writable `r+` map. In those cases the plugin's
//! call stalls (its thread waits in the handler) until another plugin or the embedder releases
//! mappings or memory, instead of the whole host dying; the embedder sees the stderr line. Nothing
//! interrupts that wait, and when the stalled plugin is the only one (the CLI), nothing else
//! releases anything: under strict overcommit a strided touch of a truncated writable map can hang
//! the host for ever. A process-wide sparse `memfd` mapped `MAP_SHARED` over writable maps (never
//! charged to the commit limit) would close this; it is not done yet.
//!
//! **Windows.** A fault that no guarded copy claims may lie in a zero-copy window (a file range
//! mapped into a plugin's linear memory, `window.rs`), touched by the plugin's own code or by the
//! host: `window::on_fault` replaces the rest of that window with zero pages and poisons it,
//! before anything is forwarded.
//!
//! The chain works in both orders: if wasmtime (which on Linux installs `SIGSEGV`, `SIGILL` and
//! `SIGFPE` handlers, and `SIGBUS` only on macOS and FreeBSD) installs its handler after ours, its
//! handler forwards a fault outside wasm code to ours; if it installed first, ours forwards to it.
//!
//! What this cannot see: bytes of the last page past a new end of file read as zero without any
//! fault (the kernel zero-fills a partial page), so a truncation inside a page is only noticed from
//! the first whole page past the new end.
//!
//! **Durability after a replacement.** Bytes written through a shared mapping before the fault are
//! in the file's page cache, not in the anonymous pages that replaced the mapping, so `msync` on
//! the replacement would sync nothing: `MappedFile::flush` syncs the file (`fsync`) instead once
//! [`Region::replaced`] is set.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering, compiler_fence};

thread_local! {
    /// The region this thread is copying through, or null.
    static GUARD: Cell<*const Region> = const { Cell::new(std::ptr::null()) };
    /// Set by the handler when it replaced (or found replaced) a page of [`GUARD`] after a fault.
    static FAULTED: Cell<bool> = const { Cell::new(false) };
}

/// The handler that was installed before ours.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);

/// [`Region::state`]: the file's pages are mapped.
const FILE: u8 = 0;
/// [`Region::state`]: one thread is replacing the whole mapping now.
const REPLACING: u8 = 1;
/// [`Region::state`]: the whole mapping is anonymous zero pages.
const REPLACED: u8 = 2;

/// The system's page size (after [`install`]).
pub(crate) fn page_size() -> usize {
    PAGE_SIZE.load(Ordering::Acquire)
}

/// The address range of one file mapping and what the `SIGBUS` handler needs to replace it.
/// Every thread copying through the mapping shares it (through `&`), so it lives as long as the
/// mapping (inside `MappedRegion`).
#[derive(Debug)]
pub(crate) struct Region {
    /// First byte of the kernel mapping (page-aligned).
    base: usize,
    /// One past its last byte (page-aligned).
    end: usize,
    /// The protection the mapping was made with (`PROT_READ`, or with `PROT_WRITE`).
    prot: libc::c_int,
    /// [`FILE`], [`REPLACING`] or [`REPLACED`].
    state: AtomicU8,
    /// Set once any page was replaced: `msync` no longer reaches the file for it.
    replaced: AtomicBool,
    /// Tests only: how many replacement attempts to fail on purpose, to exercise the fallbacks.
    #[cfg(test)]
    fail_attempts: AtomicUsize,
}

impl Region {
    /// The region of the mapping whose bytes are `[start, start + len)`; `writable` when it was
    /// mapped with `PROT_WRITE`. The bounds are widened to whole pages, which are the kernel
    /// mapping's bounds (memmap2 maps from the page holding `start`, and the kernel rounds the
    /// length up to a page).
    pub(crate) fn new(start: usize, len: usize, writable: bool) -> Self {
        let page = page_size().max(1);
        let base = start - start % page;
        let end = start.saturating_add(len);
        let end = end.checked_next_multiple_of(page).unwrap_or(end);
        let prot = if writable { libc::PROT_READ | libc::PROT_WRITE } else { libc::PROT_READ };
        Self {
            base,
            end,
            prot,
            state: AtomicU8::new(FILE),
            replaced: AtomicBool::new(false),
            #[cfg(test)]
            fail_attempts: AtomicUsize::new(0),
        }
    }

    /// Whether any page of the mapping was replaced by an anonymous page after a fault.
    pub(crate) fn replaced(&self) -> bool {
        self.replaced.load(Ordering::Acquire)
    }

    /// Tests only: the page-aligned bounds `[base, end)` of the mapping.
    #[cfg(test)]
    pub(crate) fn bounds(&self) -> (usize, usize) {
        (self.base, self.end)
    }

    /// Tests only: makes the next `n` replacement attempts fail.
    #[cfg(test)]
    pub(crate) fn fail_next_attempts(&self, n: usize) {
        self.fail_attempts.store(n, Ordering::Release);
    }

    fn contains(&self, addr: usize) -> bool {
        self.base <= addr && addr < self.end
    }

    /// Maps anonymous zero pages over `[start, start + len)` (inside the region) with the region's
    /// protection. Async-signal-safe: one system call.
    fn map_zero(&self, start: usize, len: usize) -> bool {
        #[cfg(test)]
        if self.fail_attempts.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok() {
            return false;
        }
        // SAFETY: `[start, start + len)` lies inside this region, which is one live file mapping
        // of this process owned by a `MappedRegion` (a `Region` lives only inside one, and the handler
        // reaches it only during a copy that borrows it), so replacing it unmaps nothing else.
        // Its bytes are never handed out as Rust references: copies go through raw pointers, and
        // the caller poisons the mapping, so no later call trusts the zero pages; unmapping the
        // `MappedRegion` later unmaps the replacement. `mmap` is a plain system call, safe in a signal
        // handler.
        let mapped = unsafe {
            libc::mmap(
                std::ptr::with_exposed_provenance_mut(start),
                len,
                self.prot,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        mapped != libc::MAP_FAILED
    }

    /// Makes the page at `addr` (inside the region) touchable again, replacing the whole mapping
    /// once. Returns only when that worked (see the module doc): the faulting instruction can then
    /// run again without a fault.
    fn recover(&self, addr: usize) {
        let page = page_size().max(1);
        let mut warned = false;
        loop {
            match self.state.compare_exchange(FILE, REPLACING, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    if self.map_zero(self.base, self.end - self.base) {
                        self.replaced.store(true, Ordering::Release);
                        self.state.store(REPLACED, Ordering::Release);
                        return;
                    }
                    // Let another faulting thread try the whole range again later.
                    self.state.store(FILE, Ordering::Release);
                    let page_start = addr - addr % page;
                    if self.map_zero(page_start, page) {
                        self.replaced.store(true, Ordering::Release);
                        return;
                    }
                }
                // Another thread replaced the whole mapping after this thread's fault was raised:
                // the page is a zero page now.
                Err(REPLACED) => return,
                // Another thread is replacing it: one `mmap` call away.
                Err(_) => {
                    // SAFETY: `sched_yield` takes no arguments and only gives up the CPU.
                    unsafe { libc::sched_yield() };
                    continue;
                }
            }
            if !warned {
                warned = true;
                let line = b"wasm-memmap: a file mapped by a plugin lost pages (truncated?) and the kernel refused to replace them (vm.max_map_count or the commit limit reached); the plugin's call waits until mappings or memory are released\n";
                // SAFETY: `write` of a static buffer to fd 2 is async-signal-safe; a failure is
                // ignored (there is nowhere else to report it).
                let _ = unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
            }
            let pause = libc::timespec { tv_sec: 0, tv_nsec: 10_000_000 };
            // SAFETY: `nanosleep` is async-signal-safe; `pause` is a valid timespec and the
            // remaining time is not wanted.
            unsafe { libc::nanosleep(&raw const pause, std::ptr::null_mut()) };
        }
    }
}

/// Installs the handler, once per process. Called before the first mapping is made.
///
/// # Panics
/// If `sigaction` fails, which it does only for an invalid signal number.
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sysconf` only reads a constant of the system.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        PAGE_SIZE.store(usize::try_from(page).unwrap_or(4096), Ordering::Release);
        // SAFETY: `sigaction` structs are plain data; zeroed is a valid empty value for both.
        let mut ours: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
        // The same flags as wasmtime: siginfo for the faulting address, the alternate stack (Rust
        // installs one per thread), and no deferral so a fault inside the handler is not masked.
        ours.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER | libc::SA_ONSTACK;
        // sigaction takes the handler's address as an integer; no conversion but `as` gives one.
        #[allow(clippy::as_conversions)]
        let handler = on_sigbus as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize;
        ours.sa_sigaction = handler;
        // The previous action is read and recorded BEFORE ours is installed, so a signal that
        // reaches our handler always finds it (no window where `forward` would assume SIG_DFL).
        // SAFETY: a null new action only reads the current one into `previous`, a valid place.
        let rc = unsafe { libc::sigaction(libc::SIGBUS, std::ptr::null(), &raw mut previous) };
        assert_eq!(rc, 0, "cannot read the SIGBUS action: {}", std::io::Error::last_os_error());
        let _ = PREVIOUS.set(previous);
        // SAFETY: `ours` is a fully initialised sigaction whose handler has the SA_SIGINFO
        // signature; the old action was read above (a handler installed by another thread
        // between the two calls would be lost, as with any two libraries racing to install one).
        let rc = unsafe {
            libc::sigemptyset(&raw mut ours.sa_mask);
            libc::sigaction(libc::SIGBUS, &raw const ours, std::ptr::null_mut())
        };
        assert_eq!(rc, 0, "cannot install the SIGBUS handler: {}", std::io::Error::last_os_error());
    });
}

/// Runs `copy`, which touches memory of `region`'s mapping only, and reports whether touching it
/// raised `SIGBUS` or the mapping had been replaced already (by an earlier fault, or by another
/// thread of a parallel reduction while this one copied without a fault of its own). When it
/// returns `true`, (some of) the mapping is zero pages (see the module doc): the copy may have read
/// zeros for, or written into throw-away pages instead of, the file's bytes, and its result must
/// not be used.
pub(crate) fn guarded<R>(region: &Region, copy: impl FnOnce() -> R) -> (R, bool) {
    /// Clears [`GUARD`] when `guarded` ends, also when `copy` panics: a guard left pointing at a
    /// freed `Region` would let a later fault at a reused address map zero pages over whatever
    /// mapping lives there then.
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            compiler_fence(Ordering::SeqCst);
            GUARD.with(|g| g.set(std::ptr::null()));
        }
    }
    GUARD.with(|g| g.set(std::ptr::from_ref(region)));
    let reset = Reset;
    FAULTED.with(|f| f.set(false));
    // The handler runs on this thread, between instructions of `copy`: a compiler fence keeps the
    // stores above before the copy and the load below after it.
    compiler_fence(Ordering::SeqCst);
    let result = copy();
    drop(reset);
    (result, FAULTED.with(Cell::get) || region.replaced())
}

/// Points the handler at `region` until [`release`], for a copy this host does not make itself:
/// wasmtime's lowering of a range of the mapping lent as a result (`lowering.rs`), which runs
/// after the host function returned. As [`guarded`], a fault there replaces the mapping by zero
/// pages and is reported by [`release`]. The caller keeps `region` alive until [`release`].
pub(crate) fn hold(region: &Region) {
    FAULTED.with(|f| f.set(false));
    GUARD.with(|g| g.set(std::ptr::from_ref(region)));
    compiler_fence(Ordering::SeqCst);
}

/// Ends [`hold`] of `region` (the guard is cleared only if it still points at it), and reports
/// whether a fault replaced its pages meanwhile (or before).
pub(crate) fn release(region: &Region) -> bool {
    compiler_fence(Ordering::SeqCst);
    let ours = GUARD.with(|g| {
        let ours = std::ptr::eq(g.get(), region);
        if ours {
            g.set(std::ptr::null());
        }
        ours
    });
    (ours && FAULTED.with(Cell::get)) || region.replaced()
}

extern "C" fn on_sigbus(signum: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for a SA_SIGINFO handler.
    let code = unsafe { (*info).si_code };
    // Only the kernel's own report of a fault (`si_code > 0`: BUS_ADRERR and the like) carries a
    // faulting address. A SIGBUS sent by `kill`, `raise` or `sigqueue` (`SI_USER`, `SI_TKILL`,
    // `SI_QUEUE`: zero or negative) has the sender's pid and uid where the address would be: it
    // is never ours, and there is no faulting instruction to run again.
    if code <= 0 {
        forward_sent(signum, info, context);
        return;
    }
    // SAFETY: for a fault, `si_addr` is the faulting address.
    let addr = unsafe { (*info).si_addr() }.addr();
    // SAFETY: a non-null GUARD points at the `Region` that `guarded`, running on this thread, holds
    // a shared borrow of for as long as it is set; the handler runs on the same thread, inside
    // that call, so the region is alive.
    let region = unsafe { GUARD.with(Cell::get).as_ref() };
    if let Some(region) = region
        && region.contains(addr)
    {
        region.recover(addr);
        FAULTED.with(|f| f.set(true));
        return;
    }
    // A zero-copy window's page (wasm code or host code, any thread): see `window.rs`.
    if super::window::on_fault(addr) {
        return;
    }
    forward(signum, info, context);
}

/// Hands a fault that is not ours to the previous handler, as wasmtime's
/// `delegate_signal_to_previous_handler` does.
fn forward(signum: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let default = {
        // SAFETY: zeroed is a valid sigaction: SIG_DFL with an empty mask and no flags.
        let mut d: libc::sigaction = unsafe { std::mem::zeroed() };
        d.sa_sigaction = libc::SIG_DFL;
        d
    };
    let previous = PREVIOUS.get().copied().unwrap_or(default);
    if previous.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: with SA_SIGINFO, `sa_sigaction` is a three-argument handler, which we call with
        // the arguments we were given, as the kernel would have.
        unsafe {
            let handler = std::mem::transmute::<
                usize,
                extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void),
            >(previous.sa_sigaction);
            handler(signum, info, context);
        }
    } else if previous.sa_sigaction == libc::SIG_DFL || previous.sa_sigaction == libc::SIG_IGN {
        // SAFETY: reinstating the old disposition; returning re-runs the faulting instruction,
        // which now gets the default action (the process dies with SIGBUS, as without us).
        unsafe { libc::sigaction(signum, &raw const previous, std::ptr::null_mut()) };
    } else {
        // SAFETY: without SA_SIGINFO, `sa_sigaction` is a one-argument handler.
        unsafe {
            let handler = std::mem::transmute::<usize, extern "C" fn(libc::c_int)>(previous.sa_sigaction);
            handler(signum);
        }
    }
}

/// Hands a SIGBUS that was sent, not raised by a fault, to the previous action, leaving our handler
/// installed: a handler is called; `SIG_IGN` ignores it; `SIG_DFL` (terminate) is carried out by
/// reinstating it and sending the signal again, which ends the process as it would have without
/// us; should that return (the signal blocked), our handler is put back.
fn forward_sent(signum: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let Some(previous) = PREVIOUS.get().copied() else { return };
    if previous.sa_flags & libc::SA_SIGINFO != 0
        || (previous.sa_sigaction != libc::SIG_DFL && previous.sa_sigaction != libc::SIG_IGN)
    {
        forward(signum, info, context);
        return;
    }
    if previous.sa_sigaction == libc::SIG_IGN {
        return;
    }
    // SAFETY: zeroed is a valid sigaction, a place for the current one (ours).
    let mut ours: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: `sigaction` and `raise` are async-signal-safe; `previous` is a valid action (the
    // default), `ours` a valid place for the current one, which is put back afterwards.
    unsafe {
        libc::sigaction(signum, &raw const previous, &raw mut ours);
        libc::raise(signum);
        libc::sigaction(signum, &raw const ours, std::ptr::null_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside `copy` leaves no guard behind pointing at the (soon freed) region.
    #[test]
    fn a_panic_inside_guarded_clears_the_guard() {
        install();
        let region = Region::new(page_size(), page_size(), false);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            guarded(&region, || {
                assert!(!GUARD.with(Cell::get).is_null(), "set during the copy");
                panic!("inside the copy");
            })
        }));
        assert!(panicked.is_err());
        assert!(GUARD.with(Cell::get).is_null(), "the guard still points at the region after the panic");
    }

    /// The environment variable that makes [`sent_sigbus_child`] act: `ign` or `dfl`, the SIGBUS
    /// action in place before [`install`].
    const CHILD: &str = "WASM_MEMMAP_SENT_SIGBUS_CHILD";

    /// Runs in a child process of [`a_sent_sigbus_goes_to_the_previous_action`] (a fresh process,
    /// so `install` records the action the test set): sends itself SIGBUS with `raise`
    /// (`si_code` `SI_TKILL`), which must reach that action and leave our handler installed.
    #[test]
    fn sent_sigbus_child() {
        let Ok(mode) = std::env::var(CHILD) else { return };
        let action = if mode == "ign" { libc::SIG_IGN } else { libc::SIG_DFL };
        let no_core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: plain system calls on valid arguments, in a process made for this test.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &raw const no_core);
            libc::signal(libc::SIGBUS, action);
        }
        install();
        // SAFETY: as above; SIGBUS goes to our handler.
        unsafe { libc::raise(libc::SIGBUS) };
        // SAFETY: zeroed is a valid place for the current action, which the call reads.
        let mut now: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: reads the current action only.
        unsafe { libc::sigaction(libc::SIGBUS, std::ptr::null(), &raw mut now) };
        #[allow(clippy::as_conversions)]
        let ours = on_sigbus as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize;
        assert_eq!(now.sa_sigaction, ours, "our handler was removed by a sent SIGBUS");
    }

    /// A SIGBUS sent to the process (not a fault) is not taken for a fault of a mapping: with
    /// `SIG_IGN` before us it is ignored and our handler stays; with `SIG_DFL` the process dies of
    /// it, as it would without us.
    #[test]
    fn a_sent_sigbus_goes_to_the_previous_action() {
        use std::os::unix::process::ExitStatusExt;
        let run = |mode: &str| {
            std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args(["--exact", "map::sigbus::tests::sent_sigbus_child", "--test-threads=1", "--quiet"])
                .env(CHILD, mode)
                .output()
                .expect("run the child")
        };
        let ignored = run("ign");
        assert!(ignored.status.success(), "{:?}: {}", ignored.status, String::from_utf8_lossy(&ignored.stdout));
        assert_eq!(run("dfl").status.signal(), Some(libc::SIGBUS));
    }
}
