//! # wasm-memmap SDK
//!
//! numpy's `np.memmap` for WebAssembly plugins written in Rust. A plugin is an ordinary
//! `wasm32-wasip2` program (`fn main`); the host that runs it (the `wasm-memmap` CLI or an
//! application embedding `wasm-memmap-host`) maps files in the directories it grants.
//!
//! | numpy                                                   | this crate                                                       |
//! |---------------------------------------------------------|------------------------------------------------------------------|
//! | `np.memmap('f', dtype='float64', mode='w+', shape=(3, 4))` | `Memmap::options().dtype("float64").mode("w+").shape([3, 4]).open("f")?` |
//! | `a[:5]`, `a[2, ::-3]`                                    | `a.view(s![..5])?`, `a.view(s![2, ..;-3])?`                        |
//! | `a[1:3].copy()`                                         | `a.read::<f64>(s![1..3])?`                                        |
//! | `a[:] = values`, `a[0] = 1.5`, `a[:] = row`             | `a.write(s![..], &values)?`, `a.fill(s![0], 1.5)?`, `a.assign(s![..], &row, &[4])?` |
//! | `a.item(i, j)`, `a[i, j] = v` (one element)              | `a.item::<f64>(&[i, j])?`, `a.set_item(&[i, j], v)?`               |
//! | `a.flat[i]`, `a.flat[i] = v` (one element, thinnest call) | `a.item_flat::<f64>(i)?`, `a.set_item_flat(i, v)?`                 |
//! | `a.flat[idx]`, `np.take(a, idx)`, `np.put(a, idx, v)`    | `a.take::<f64>(&idx)?`, `a.put(&idx, &v)?`                         |
//! | `a[[i, j], [k, l]]`, `a[[i, j, k]] = v`                  | `a.take_axes::<f64>(&[&[i, j], &[k, l]])?`, `a.put_axes(&[&[i, j, k]], &v, None)?` |
//! | `np.memmap(path, mode='r')` read in place (zero copies) | `let v = a.window::<f64>()?; kernels::sum_f64(&v)` (opt-in, see [`Memmap::window`]) |
//! | a loop over `np.nditer(a, flags=['external_loop'])`     | `a.scan::<f64>(\|block\| total += kernels::sum_f64(block))?`      |
//! | `zarr.open_array('a.zarr', mode='r+')`, `z.chunks`          | `Memmap::open_zarr("a.zarr", "r+")?`, `z.chunk_shape()`            |
//! | `zarr.create_array('a.zarr', shape=s, chunks=c, dtype='f8')` | `Memmap::create_zarr("a.zarr", "float64", &s, &c)?` (options: [`Memmap::zarr_options`]) |
//! | `a.flush()`, `del a`                                    | `a.flush()?`, `drop(a)` (which flushes too)                       |
//! | `mmap.close()` (Python's `mmap`; numpy has none)        | `a.close()?`: flushes, unmaps; later calls on it or its views fail |
//! | `repr(a)`, `np.set_printoptions(precision=4)`           | `a.repr()?`, `set_printoptions(PrintOptions { precision: 4, ..Default::default() })` |
//! | `np.random.default_rng(1).standard_normal((5, 10))`     | `random::default_rng(1).standard_normal(&[5, 10])`                |
//!
//! ```no_run
//! use wasm_memmap_sdk::{s, Memmap, random};
//!
//! fn main() -> Result<(), wasm_memmap_sdk::Error> {
//!     let mmap = Memmap::options().dtype("float64").mode("w+").shape([10000, 10000]).open("mymmap")?;
//!     let section = mmap.view(s![..5])?;
//!     section.write(s![..], &random::default_rng(1).standard_normal(&[5, 10000]))?;
//!     mmap.flush()?;
//!     println!("{}", mmap.repr()?);
//!     Ok(())
//! }
//! ```
//!
//! # Depending on the SDK
//!
//! A plugin is a binary crate of its own. It needs Rust 1.95 or newer (edition 2024) with the
//! `wasm32-wasip2` target (`rustup target add wasm32-wasip2`), and the SDK by path (from a checkout of
//! this repository) with the version it has, so that the dependency still resolves once the crates
//! are published:
//!
//! ```toml
//! [dependencies]
//! wasm-memmap-sdk = { path = "../wasm-memmap/guest/sdk", version = "0.1.0" }
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` and run the `.wasm` file it writes
//! (under `target/wasm32-wasip2/release/`) with `wasm-memmap run --dir DATA PLUGIN.wasm`.
//!
//! # Printing like a given numpy
//!
//! [`Memmap::repr`] and `Display` print as numpy 2.4 prints under [`set_printoptions`]; each
//! field of [`PrintOptions`] is the `np.set_printoptions` argument of the same name, and
//! `legacy='2.1'` (numpy 2.1's text: no `shape=` on summarised arrays) is [`print::Legacy::V2_1`]:
//!
//! ```
//! use wasm_memmap_sdk::print::Legacy;
//! use wasm_memmap_sdk::{PrintOptions, get_printoptions, set_printoptions};
//! // np.set_printoptions(precision=4, suppress=True, legacy='2.1')
//! set_printoptions(PrintOptions { precision: 4, suppress: true, legacy: Legacy::V2_1, ..PrintOptions::default() });
//! assert_eq!(get_printoptions().legacy, Legacy::V2_1);
//! ```

#[allow(unsafe_code, missing_docs, clippy::all)]
mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "wasm-memmap:array/plugin",
        ownership: Borrowing { duplicate_if_necessary: true },
    });
}

/// The WIT bindings themselves, for the host calls this crate does not wrap (the `format` and
/// `random` interfaces, the byte paths); the test programs use them.
#[doc(hidden)]
pub mod raw {
    pub use crate::bindings::wasm_memmap::array::{format, mmap, random, types, window};
}

pub mod chunks;
mod dtype;
mod element;
mod error;
#[doc(hidden)]
pub mod index;
mod item;
pub mod kernels;
mod memmap;
mod reduce;
mod show;
mod take;
mod window;
mod zarr;

/// numpy's random numbers (`np.random.default_rng`), from the `wasm-memmap-numpy-random` crate.
pub use wasm_memmap_numpy_random as random;

/// numpy's array printing (`numpy/_core/arrayprint.py`), from the `wasm-memmap-arrayprint` crate.
pub use wasm_memmap_arrayprint as print;

pub use dtype::{ByteOrder, DType, Kind, Mode, Order};
pub use element::Element;
pub use error::{Error, ErrorCode, Result, code_name};
pub use half::f16;
pub use index::{ELLIPSIS, Index, IntoIndex, NEW_AXIS, Slice, parse_index};
pub use memmap::{Memmap, MemmapOptions, mode_str};
pub use num_complex::{Complex32, Complex64};
pub use print::PrintOptions;
pub use show::{get_printoptions, set_printoptions};
/// Per-kind code from `wasm-memmap-numpy-core`: `with_kind!(a.dtype().kind(), T => a.read::<T>(...))`.
pub use wasm_memmap_numpy_core::{for_each_kind, with_kind};
pub use window::{Window, WindowMut};
pub use zarr::{Codec, ZarrOptions};
