//! One-element access (`Memmap::item` / `Memmap::set_item`), for comparison with numpy on the same
//! file.
//!
//! `item PATH DTYPE SHAPE ORDER MODE VIEW OPS`: opens PATH as DTYPE (`"float64"`, `">i4"`, ...)
//! with SHAPE (`"5,10"`), ORDER (`C`/`F`) and MODE, takes the view `a[VIEW]` (Python syntax; empty
//! for the whole array), then runs OPS, a JSON list of `{"get": [i, ...]}` and `{"set": [i, ...],
//! "hex": "<the value's little-endian bytes>"}`, and prints one JSON list with, for each, `{"hex":
//! "<the value read, little-endian>"}`, `{"ok": true}` or `{"error": [code, message]}`.

use wasm_memmap_sdk::{Complex32, Complex64, Element, Memmap, Result, code_name, f16, parse_index};

/// An element's value as little-endian bytes, the way numpy's `astype('<...').tobytes()` gives it.
trait LeBytes: Element {
    fn to_le(self) -> Vec<u8>;
    fn from_le(bytes: &[u8]) -> Option<Self>;
}

macro_rules! le_bytes {
    ($($t:ty),*) => {$(
        impl LeBytes for $t {
            fn to_le(self) -> Vec<u8> {
                self.to_le_bytes().to_vec()
            }
            fn from_le(bytes: &[u8]) -> Option<Self> {
                Some(<$t>::from_le_bytes(bytes.try_into().ok()?))
            }
        }
    )*};
}

le_bytes!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl LeBytes for bool {
    fn to_le(self) -> Vec<u8> {
        vec![u8::from(self)]
    }
    fn from_le(bytes: &[u8]) -> Option<Self> {
        Some(*bytes.first()? != 0)
    }
}

impl LeBytes for f16 {
    fn to_le(self) -> Vec<u8> {
        self.to_bits().to_le_bytes().to_vec()
    }
    fn from_le(bytes: &[u8]) -> Option<Self> {
        Some(f16::from_bits(<u16 as LeBytes>::from_le(bytes)?))
    }
}

macro_rules! complex_le {
    ($t:ty, $part:ty, $n:literal) => {
        impl LeBytes for $t {
            fn to_le(self) -> Vec<u8> {
                [self.re.to_le(), self.im.to_le()].concat()
            }
            fn from_le(bytes: &[u8]) -> Option<Self> {
                let (re, im) = bytes.split_at_checked($n)?;
                Some(<$t>::new(<$part as LeBytes>::from_le(re)?, <$part as LeBytes>::from_le(im)?))
            }
        }
    };
}

complex_le!(Complex32, f32, 4);
complex_le!(Complex64, f64, 8);

fn error(e: &wasm_memmap_sdk::Error) -> serde_json::Value {
    serde_json::json!({ "error": [code_name(e.code()), e.message()] })
}

fn at_of(value: &serde_json::Value) -> Vec<i64> {
    value.as_array().map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect()).unwrap_or_default()
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

fn run_ops<T: LeBytes>(a: &Memmap, ops: &[serde_json::Value]) -> Vec<serde_json::Value> {
    ops.iter()
        .map(|op| {
            if let Some(at) = op.get("get") {
                match a.item::<T>(&at_of(at)) {
                    Ok(v) => {
                        let hex: String = v.to_le().iter().map(|b| format!("{b:02x}")).collect();
                        serde_json::json!({ "hex": hex })
                    }
                    Err(e) => error(&e),
                }
            } else {
                let at = at_of(&op["set"]);
                let Some(value) = T::from_le(&from_hex(op["hex"].as_str().unwrap_or(""))) else {
                    return serde_json::json!({ "error": ["bad-test", "value bytes"] });
                };
                match a.set_item(&at, value) {
                    Ok(()) => serde_json::json!({ "ok": true }),
                    Err(e) => error(&e),
                }
            }
        })
        .collect()
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let [path, dtype, shape, order, mode, view, ops] = args else {
        return Err("usage: item PATH DTYPE SHAPE ORDER MODE VIEW OPS".into());
    };
    let e = |err: wasm_memmap_sdk::Error| err.to_string();
    let shape: Vec<u64> = shape
        .split(',')
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim().parse().map_err(|_| format!("bad shape '{shape}'")))
        .collect::<Result<_, _>>()?;
    let a = Memmap::options()
        .dtype(dtype.as_str())
        .mode(mode.as_str())
        .shape(&shape)
        .order(order.as_str())
        .open(path)
        .map_err(e)?;
    let a = if view.is_empty() { a } else { a.view(parse_index(view).map_err(e)?).map_err(e)? };
    let ops: Vec<serde_json::Value> = serde_json::from_str(ops).map_err(|err| err.to_string())?;
    use wasm_memmap_sdk::Kind;
    let results = wasm_memmap_sdk::with_kind!(a.dtype().kind(), T => run_ops::<T>(&a, &ops));
    // Another kind than the array's is refused before anything crosses to the host.
    let wrong = if a.dtype().kind() == Kind::Float32 { a.item::<f64>(&[]) } else { a.item::<f32>(&[]).map(f64::from) };
    let wrong_kind = wrong.err().map(|err| code_name(err.code()));
    Ok(serde_json::json!({ "results": results, "wrong_kind": wrong_kind }))
}

fn main() {
    wasm_memmap_test_programs::print_json(run);
}
