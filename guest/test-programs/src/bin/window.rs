//! A plugin that opens zero-copy windows (the WIT's `window` interface) through the raw bindings,
//! and tries every mistake and attack on them. Each subcommand prints one JSON object.
//!
//! - `window read FILE DTYPE SHAPE MODE INDEX`: maps FILE, takes the view `INDEX` (numpy syntax,
//!   `:` for all), opens a window over it and writes the selection's bytes as seen through the
//!   window to `FILE.out` (WASI). Prints the plan, and `{"plan": .., "unsupported": msg}` when
//!   windows are not enabled.
//! - `window write FILE DTYPE SHAPE MODE INDEX BYTE`: opens a window over the view and sets every
//!   byte of the selection to BYTE by plain stores into the buffer; flushes, closes, and reports
//!   whether the whole buffer reads zero after the close (`zeroed`) and each step's outcome. When
//!   `plan` refuses (mode `c`), prints `plan`'s error and that of `open` with an empty buffer.
//! - `window grow FILE`: float64 `[N]` map in mode `r`; opens a window, then grows the plugin's
//!   memory by 64 MiB and touches it, and checks that the window still holds the file's values
//!   (compared with `read`), before and after.
//! - `window hostile FILE`: float64 `[N]` map of a file of at least 3 pages, mode `r+`; reports
//!   `{"case", "code", "message"}` per attack in `cases`.
//! - `window truncate FILE WHO`: float64 map (mode `r+`) of FILE, window over all of it; then
//!   truncates FILE to one 64 KiB page through WASI, and touches the window's second page: by the
//!   plugin's own loads (`WHO` = `wasm`), or first by the host (`host`: a WASI write of the
//!   window's bytes to another file, which the host copies out of the plugin's memory). Reports
//!   what was read and the next calls' outcomes.
//! - `window many FILE`: opens windows over the same one-page map until one is refused; reports
//!   how many opened and the refusal.
//! - `window scan FILE`: float64 `[N]` map, window over all of it, sums it through the window
//!   (eight accumulators), through `read` in 1 MiB blocks and with the host's `sum`; prints the
//!   sums and times (open and close of the window too, and a second pass through the window).
#![allow(unsafe_code)] // The buffer under a window changes behind Rust's back: raw pointers only.

use std::alloc::Layout;
use std::time::Instant;

use wasm_memmap_sdk::raw::window::{Window, WindowError, WindowPlan};
use wasm_memmap_sdk::{Memmap, code_name, parse_index, s};

/// A buffer of plugin memory that is only ever touched through raw pointers (never a Rust
/// reference across a host call), since a window replaces its pages under the program.
struct Buffer {
    ptr: *mut u8,
    layout: Layout,
}

impl Buffer {
    fn new(len: usize, align: usize) -> Self {
        let layout = Layout::from_size_align(len.max(1), align).expect("a valid layout");
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        assert!(!ptr.is_null(), "out of memory");
        Self { ptr, layout }
    }

    /// As [`Buffer::new`], without zeroing (which would touch every page): for a buffer that is
    /// only read once a window covers it.
    fn new_untouched(len: usize, align: usize) -> Self {
        let layout = Layout::from_size_align(len.max(1), align).expect("a valid layout");
        // SAFETY: the layout has a non-zero size; the bytes are read only after a window maps them.
        let ptr = unsafe { std::alloc::alloc(layout) };
        assert!(!ptr.is_null(), "out of memory");
        Self { ptr, layout }
    }

    /// `len` bytes from `offset`, as the `list<u8>` argument of `open` (the slice ends with the call).
    fn arg(&self, offset: usize, len: usize) -> &[u8] {
        assert!(offset + len <= self.layout.size());
        // SAFETY: inside the allocation; the slice lives only for the host call that takes it.
        unsafe { std::slice::from_raw_parts(self.ptr.add(offset), len) }
    }

    fn get(&self, i: usize) -> u8 {
        assert!(i < self.layout.size());
        // SAFETY: inside the allocation; volatile, as the host may have replaced the page.
        unsafe { self.ptr.add(i).read_volatile() }
    }

    fn set(&self, i: usize, v: u8) {
        assert!(i < self.layout.size());
        // SAFETY: inside the allocation; volatile, as the page is a file's.
        unsafe { self.ptr.add(i).write_volatile(v) }
    }

    fn copy(&self, from: usize, len: usize) -> Vec<u8> {
        (from..from + len).map(|i| self.get(i)).collect()
    }

    /// The sum of `n` float64 values from `from` (8-aligned), eight at a time.
    fn sum_f64(&self, from: usize, n: usize) -> f64 {
        assert!(from + n * 8 <= self.layout.size() && (self.ptr.addr() + from).is_multiple_of(8));
        // SAFETY: inside the allocation, aligned for f64; no host call runs while the slice lives,
        // and nothing else writes the window's pages meanwhile.
        let values = unsafe { std::slice::from_raw_parts(self.ptr.add(from).cast::<f64>(), n) };
        let mut acc = [0.0f64; 8];
        let mut chunks = values.chunks_exact(8);
        for c in &mut chunks {
            for k in 0..8 {
                acc[k] += c[k];
            }
        }
        let tail: f64 = chunks.remainder().iter().sum();
        acc.iter().sum::<f64>() + tail
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: allocated with this layout in `new`.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) };
    }
}

fn error_json(e: &WindowError) -> serde_json::Value {
    match e {
        WindowError::Unsupported(m) => serde_json::json!({ "code": "unsupported", "message": m }),
        WindowError::Failed(e) => serde_json::json!({ "code": code_name(e.code), "message": e.message }),
    }
}

fn outcome<T>(r: &Result<T, WindowError>) -> serde_json::Value {
    match r {
        Ok(_) => serde_json::json!({ "code": "ok", "message": "" }),
        Err(e) => error_json(e),
    }
}

fn plan_json(p: &WindowPlan) -> serde_json::Value {
    serde_json::json!({ "length": p.length, "align": p.align, "data_offset": p.data_offset, "data_length": p.data_length })
}

fn usize_of(v: u64) -> usize {
    usize::try_from(v).expect("fits in wasm32")
}

fn open_map(path: &str, dtype: &str, shape: &str, mode: &str) -> Memmap {
    let shape: Vec<u64> = shape.split(',').map(|d| d.parse().expect("a shape")).collect();
    Memmap::options().dtype(dtype).mode(mode).shape(shape).open(path).expect("open")
}

/// A buffer for `plan` and the window opened over it.
fn window_over(m: &Memmap, plan: &WindowPlan) -> (Buffer, Result<Window, WindowError>) {
    let buffer = Buffer::new(usize_of(plan.length), usize_of(plan.align));
    let window = Window::open(m.raw(), buffer.arg(0, usize_of(plan.length)));
    (buffer, window)
}

fn read(args: &[String]) -> serde_json::Value {
    let [path, dtype, shape, mode, index] = args else { panic!("read FILE DTYPE SHAPE MODE INDEX") };
    let m = open_map(path, dtype, shape, mode);
    let v = m.view(parse_index(index).expect("index")).expect("view");
    let plan = match Window::plan(v.raw()) {
        Ok(plan) => plan,
        Err(e) => {
            let (buffer, open) =
                window_over(&v, &WindowPlan { length: 65536, align: 65536, data_offset: 0, data_length: 0 });
            drop(buffer);
            return serde_json::json!({ "plan": error_json(&e), "open": outcome(&open) });
        }
    };
    let (buffer, window) = window_over(&v, &plan);
    let window = match window {
        Ok(w) => w,
        Err(e) => return serde_json::json!({ "plan": plan_json(&plan), "open": error_json(&e) }),
    };
    let bytes = buffer.copy(usize_of(plan.data_offset), usize_of(plan.data_length));
    std::fs::write(format!("{path}.out"), bytes).expect("write the bytes out");
    let closed = window.close();
    serde_json::json!({ "plan": plan_json(&plan), "open": "ok", "close": outcome(&closed) })
}

fn write(args: &[String]) -> serde_json::Value {
    let [path, dtype, shape, mode, index, byte] = args else { panic!("write FILE DTYPE SHAPE MODE INDEX BYTE") };
    let byte: u8 = byte.parse().expect("a byte");
    let m = open_map(path, dtype, shape, mode);
    let v = m.view(parse_index(index).expect("index")).expect("view");
    let plan = match Window::plan(v.raw()) {
        Ok(plan) => plan,
        // A mode `c` map has no windows: `plan` and `open` (even of an empty buffer) refuse.
        Err(e) => {
            let opened = Window::open(v.raw(), &[]);
            return serde_json::json!({ "plan": error_json(&e), "open": outcome(&opened) });
        }
    };
    let (buffer, window) = window_over(&v, &plan);
    let window = window.expect("open");
    let (from, len) = (usize_of(plan.data_offset), usize_of(plan.data_length));
    for i in from..from + len {
        buffer.set(i, byte);
    }
    let seen = buffer.copy(from, len).iter().all(|&b| b == byte);
    let flushed = window.flush();
    let closed = window.close();
    let zeroed = buffer.copy(0, usize_of(plan.length)).iter().all(|&b| b == 0);
    // The buffer is the plugin's again: writing it changes nothing in the file.
    for i in 0..usize_of(plan.length) {
        buffer.set(i, 0x5a);
    }
    drop(window);
    serde_json::json!({ "seen": seen, "flush": outcome(&flushed), "close": outcome(&closed), "zeroed": zeroed })
}

fn grow(args: &[String]) -> serde_json::Value {
    let [path] = args else { panic!("grow FILE") };
    let m = Memmap::options().dtype("float64").mode("r").open(path).expect("open");
    let plan = Window::plan(m.raw()).expect("plan");
    let (buffer, window) = window_over(&m, &plan);
    let window = window.expect("open");
    let expect: Vec<u8> = m.read_bytes(s![..]).expect("read");
    let (from, len) = (usize_of(plan.data_offset), usize_of(plan.data_length));
    let before = buffer.copy(from, len) == expect;
    let pages_before = core::arch::wasm32::memory_size(0);
    let big = vec![7u8; 64 << 20];
    let touched = big.iter().step_by(4096).map(|&b| u64::from(b)).sum::<u64>();
    let pages_after = core::arch::wasm32::memory_size(0);
    let after = buffer.copy(from, len) == expect;
    drop(big);
    let closed = window.close();
    serde_json::json!({ "before": before, "after": after, "grew_pages": pages_after - pages_before, "touched": touched, "close": outcome(&closed) })
}

fn case(cases: &mut Vec<serde_json::Value>, name: &str, r: serde_json::Value) {
    let mut r = r;
    r["case"] = name.into();
    cases.push(r);
}

fn hostile(args: &[String]) -> serde_json::Value {
    let [path] = args else { panic!("hostile FILE") };
    let m = Memmap::options().dtype("float64").mode("r+").open(path).expect("open");
    let plan = Window::plan(m.raw()).expect("plan");
    let (len, align) = (usize_of(plan.length), usize_of(plan.align));
    let mut cases = Vec::new();
    let big = Buffer::new(len + 2 * align, align);
    // Wrong lengths: one page short, one page long, empty.
    case(&mut cases, "short", outcome(&Window::open(m.raw(), big.arg(0, len - align))));
    case(&mut cases, "long", outcome(&Window::open(m.raw(), big.arg(0, len + align))));
    case(&mut cases, "empty", outcome(&Window::open(m.raw(), big.arg(0, 0))));
    // Unaligned: 4 KiB and 8 bytes past an aligned address.
    case(&mut cases, "unaligned-4096", outcome(&Window::open(m.raw(), big.arg(4096, len))));
    case(&mut cases, "unaligned-8", outcome(&Window::open(m.raw(), big.arg(8, len))));
    // Overlapping: the same buffer twice, and one page further on.
    let first = Window::open(m.raw(), big.arg(0, len)).expect("the first window");
    case(&mut cases, "overlap-same", outcome(&Window::open(m.raw(), big.arg(0, len))));
    case(&mut cases, "overlap-shifted", outcome(&Window::open(m.raw(), big.arg(align, len))));
    // Right after the first window: fine.
    let beside = Buffer::new(len, align);
    let second = Window::open(m.raw(), beside.arg(0, len));
    case(&mut cases, "beside", outcome(&second));
    drop(second);
    // Not one contiguous run: a strided view, a reversed one.
    let strided = m.view(s![..;2]).expect("view");
    case(&mut cases, "plan-strided", outcome(&Window::plan(strided.raw())));
    case(&mut cases, "open-strided", outcome(&Window::open(strided.raw(), beside.arg(0, len))));
    let reversed = m.view(s![..;-1]).expect("view");
    case(&mut cases, "plan-reversed", outcome(&Window::plan(reversed.raw())));
    let nothing = m.view(s![3..3]).expect("view");
    case(&mut cases, "plan-empty", outcome(&Window::plan(nothing.raw())));
    // Use after close: flush fails, close again does nothing, a new window there works.
    case(&mut cases, "close", outcome(&first.close()));
    case(&mut cases, "flush-after-close", outcome(&first.flush()));
    case(&mut cases, "close-again", outcome(&first.close()));
    let reopened = Window::open(m.raw(), big.arg(0, len));
    case(&mut cases, "reopen", outcome(&reopened));
    drop(reopened);
    drop(first);
    // A closed map: no plan, no window.
    let other = Memmap::options().dtype("float64").mode("r").open(path).expect("open");
    other.close().expect("close");
    case(&mut cases, "plan-closed-map", outcome(&Window::plan(other.raw())));
    case(&mut cases, "open-closed-map", outcome(&Window::open(other.raw(), big.arg(0, len))));
    serde_json::json!({ "cases": cases })
}

fn truncate(args: &[String]) -> serde_json::Value {
    let [path, who] = args else { panic!("truncate FILE wasm|host") };
    let m = Memmap::options().dtype("float64").mode("r+").open(path).expect("open");
    let plan = Window::plan(m.raw()).expect("plan");
    let (buffer, window) = window_over(&m, &plan);
    let window = window.expect("open");
    let first_page = buffer.sum_f64(0, 8192);
    std::fs::OpenOptions::new().write(true).open(path).expect("open for WASI").set_len(65536).expect("truncate");
    let host = if who == "host" {
        // The host copies the window's bytes out of the plugin's memory: its own code faults.
        let (from, len) = (usize_of(plan.data_offset), usize_of(plan.data_length));
        let copy = std::fs::write("copy.bin", buffer.arg(from, len));
        serde_json::json!(copy.is_ok())
    } else {
        serde_json::Value::Null
    };
    let second_page = buffer.sum_f64(65536, 8192);
    let all_zero_after = buffer.copy(65536, usize_of(plan.length) - 65536).iter().all(|&b| b == 0);
    let flushed = window.flush();
    let map_read =
        m.read_bytes(s![..8]).map_err(|e| serde_json::json!({ "code": code_name(e.code()), "message": e.message() }));
    let closed = window.close();
    let closed_again = window.close();
    serde_json::json!({
        "first_page": first_page,
        "host_write": host,
        "second_page": second_page,
        "zeros": all_zero_after,
        "flush": outcome(&flushed),
        "map_read": map_read.err().unwrap_or(serde_json::json!("ok")),
        "close": outcome(&closed),
        "close_again": outcome(&closed_again),
    })
}

fn many(args: &[String]) -> serde_json::Value {
    let [path] = args else { panic!("many FILE") };
    let m = Memmap::options().dtype("uint8").mode("r").open(path).expect("open");
    let plan = Window::plan(m.raw()).expect("plan");
    let mut open = Vec::new();
    loop {
        let (buffer, window) = window_over(&m, &plan);
        match window {
            Ok(w) => open.push((buffer, w)),
            Err(e) => {
                let n = open.len();
                // Closing one makes room again.
                drop(open.pop());
                let (_b2, again) = window_over(&m, &plan);
                return serde_json::json!({ "opened": n, "refused": error_json(&e), "after_close": outcome(&again) });
            }
        }
        if open.len() > 100_000 {
            return serde_json::json!({ "opened": open.len(), "refused": null });
        }
    }
}

fn scan(args: &[String]) -> serde_json::Value {
    let [path] = args else { panic!("scan FILE") };
    let m = Memmap::options().dtype("float64").mode("r").open(path).expect("open");
    let n = usize_of(m.size());
    let t = Instant::now();
    let plan = Window::plan(m.raw()).expect("plan");
    let buffer = Buffer::new_untouched(usize_of(plan.length), usize_of(plan.align));
    let alloc = t.elapsed();
    let t = Instant::now();
    let window = Window::open(m.raw(), buffer.arg(0, usize_of(plan.length))).expect("open");
    let open = t.elapsed();
    let t = Instant::now();
    let through_window = buffer.sum_f64(usize_of(plan.data_offset), n);
    let window_scan = t.elapsed();
    // Again: the page tables are filled now, as for a second pass of numpy's over one memmap.
    let t = Instant::now();
    let again = buffer.sum_f64(usize_of(plan.data_offset), n);
    let window_scan_again = t.elapsed();
    assert_eq!(again.to_bits(), through_window.to_bits());
    let t = Instant::now();
    let mut chunked = 0.0;
    let block = (1 << 20) / 8;
    let mut at = 0u64;
    while at < m.size() {
        let end = (at + block).min(m.size());
        let range = |v: u64| i64::try_from(v).expect("an index");
        let values: Vec<f64> = m.read(s![range(at)..range(end)]).expect("read");
        let mut acc = [0.0f64; 8];
        let mut chunks = values.chunks_exact(8);
        for c in &mut chunks {
            for k in 0..8 {
                acc[k] += c[k];
            }
        }
        chunked += acc.iter().sum::<f64>() + chunks.remainder().iter().sum::<f64>();
        at = end;
    }
    let read_scan = t.elapsed();
    // The host's own `sum` (native Rust over the same mapping, in parallel threads).
    let t = Instant::now();
    let host_sum = m.sum().expect("sum");
    let host_scan = t.elapsed();
    let t = Instant::now();
    let closed = window.close();
    let close = t.elapsed();
    serde_json::json!({
        "n": n, "window_sum": through_window, "read_sum": chunked,
        "alloc_us": alloc.as_micros(), "open_us": open.as_micros(),
        "window_scan_ms": window_scan.as_secs_f64() * 1e3, "window_scan_again_ms": window_scan_again.as_secs_f64() * 1e3, "read_scan_ms": read_scan.as_secs_f64() * 1e3,
        "host_sum": host_sum.to_string(), "host_sum_ms": host_scan.as_secs_f64() * 1e3,
        "close": outcome(&closed), "close_us": close.as_micros(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = args.split_first().expect("a subcommand");
    let out = match cmd.as_str() {
        "read" => read(rest),
        "write" => write(rest),
        "grow" => grow(rest),
        "hostile" => hostile(rest),
        "truncate" => truncate(rest),
        "many" => many(rest),
        "scan" => scan(rest),
        other => panic!("unknown subcommand {other}"),
    };
    println!("{out}");
}
