//! Surviving `SIGBUS` while copying through a file mapping.
//!
//! Touching a page of a file mapping that the file no longer covers (another process, or the plugin
//! itself through WASI, truncated the file) or that the file system cannot back (a write into a
//! sparse hole on a full disk) raises `SIGBUS`, whose default action kills the host. numpy has the
//! same hazard (numpy issue #21964). Checking the file's size before each copy costs a system call
//! per host call and still races with other processes, so the host handles the signal instead:
//!
//! - every copy through a mapping runs inside [`guarded`], which records the mapping's address
//!   range in a thread-local (a `const`-initialised `Cell`, safe to read in a signal handler);
//! - the `SIGBUS` handler, installed once per process ([`install`]), checks whether the faulting
//!   address lies in the range this thread is copying. If so it maps an anonymous zero page over the
//!   faulting page (`mmap(MAP_FIXED)`), so the copy finishes (reading zeros, or writing to a page
//!   that never reaches the file), and sets a thread-local flag that [`guarded`] returns. The caller
//!   then fails the call with an `io` error and poisons the mapping;
//! - any other `SIGBUS` goes to the handler that was installed before ours, exactly as wasmtime
//!   forwards faults that are not in wasm code (`crates/wasmtime/src/runtime/vm/sys/unix/signals.rs`):
//!   a `SA_SIGINFO` handler is called with the same arguments, a plain one with the signal number,
//!   and `SIG_DFL`/`SIG_IGN` is reinstated and the handler returns, so the faulting instruction runs
//!   again and the process dies the ordinary way.
//!
//! The chain works in both orders: if wasmtime (which on Linux installs `SIGSEGV`, `SIGILL` and
//! `SIGFPE` handlers, and `SIGBUS` only on macOS and FreeBSD) installs its handler after ours, its
//! handler forwards a fault outside wasm code to ours; if it installed first, ours forwards to it.
//!
//! What this cannot see: bytes of the last page past a new end of file read as zero without any
//! fault (the kernel zero-fills a partial page), so a truncation inside a page is only noticed from
//! the first whole page past the new end.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering, compiler_fence};

thread_local! {
    /// The address range `[start, end)` this thread is copying through, or `(0, 0)`.
    static GUARD: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// Set by the handler when it replaced a page inside [`GUARD`].
    static FAULTED: Cell<bool> = const { Cell::new(false) };
}

/// The handler that was installed before ours.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);

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
        // SAFETY: `ours` is a fully initialised sigaction whose handler has the SA_SIGINFO
        // signature; `previous` is a valid place for the old action. Swapping in one call means no
        // other handler installed meanwhile is lost.
        let rc = unsafe {
            libc::sigemptyset(&raw mut ours.sa_mask);
            libc::sigaction(libc::SIGBUS, &raw const ours, &raw mut previous)
        };
        assert_eq!(rc, 0, "cannot install the SIGBUS handler: {}", std::io::Error::last_os_error());
        let _ = PREVIOUS.set(previous);
    });
}

/// Runs `copy`, which touches memory only inside `[start, start + len)`, and reports whether a
/// page of that range had to be replaced because touching it raised `SIGBUS`. When it returns
/// `true` the copy read zeros for (or wrote into a throw-away page instead of) at least one page,
/// and the range must not be used again.
pub(crate) fn guarded<R>(start: usize, len: usize, copy: impl FnOnce() -> R) -> (R, bool) {
    GUARD.with(|g| g.set((start, start.saturating_add(len))));
    FAULTED.with(|f| f.set(false));
    // The handler runs on this thread, between instructions of `copy`: a compiler fence keeps the
    // stores above before the copy and the load below after it.
    compiler_fence(Ordering::SeqCst);
    let result = copy();
    compiler_fence(Ordering::SeqCst);
    GUARD.with(|g| g.set((0, 0)));
    (result, FAULTED.with(Cell::get))
}

extern "C" fn on_sigbus(signum: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for a SA_SIGINFO handler; for SIGBUS `si_addr` is
    // the faulting address.
    let addr = unsafe { (*info).si_addr() }.addr();
    let (start, end) = GUARD.with(Cell::get);
    let page = PAGE_SIZE.load(Ordering::Acquire);
    if start <= addr && addr < end && page != 0 {
        let base = addr & !(page - 1);
        // SAFETY: `base..base + page` is a page of a file mapping this thread is copying through
        // (it lies in GUARD, which `guarded` sets to the bounds of a live `RawMap`), so replacing it
        // unmaps nothing else; the caller poisons the mapping so the page is never trusted again,
        // and unmapping the whole mapping later also unmaps this page. `mmap` is a plain system
        // call, safe to make in a signal handler.
        let mapped = unsafe {
            libc::mmap(
                std::ptr::with_exposed_provenance_mut(base),
                page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if mapped != libc::MAP_FAILED {
            FAULTED.with(|f| f.set(true));
            return;
        }
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
