//! `take` / `put` (numpy's integer-array indexing) and `item-flat` / `set-item-flat` through the
//! raw WIT bindings, for comparison with numpy on the same files.
//!
//! `take OPS`: OPS is a JSON list of operations, run in order; the program prints one JSON list
//! with the result of each: `{"hex": "..."}` (native-order bytes), `{"ok": true}` or
//! `{"error": [code, message]}`. Maps (and views) are numbered in the order they are made.
//!
//! - `{"op": "open", "path", "dtype", "mode", "shape": [..] | null, "order"}`
//! - `{"op": "view", "map", "index"}` (`index` in Python syntax): a new map
//! - `{"op": "take", "map", "flat": [..]}` or `{"op": "take", "map", "axes": [[..], ..]}`
//! - `{"op": "put", "map", "flat" | "axes", "hex", "shape": [..] | null}`
//! - `{"op": "take_many", "map", "count"}`: `take` of `count` zeros, built in the plugin (a huge
//!   index list without a huge command line)
//! - `{"op": "item_flat", "map", "flat"}`: the scalar's bytes in native order
//! - `{"op": "set_item_flat", "map", "flat", "hex"}`: the value from native-order bytes
//! - `{"op": "read", "map", "index"}`: `read-bytes`

use serde_json::{Value, json};
use wasm_memmap_sdk::raw::{mmap, types};
use wasm_memmap_sdk::{Memmap, parse_index};

use wasm_memmap_test_programs::{hex, sdk_error, unhex, usage, wit_error};

type Outcome = Result<Value, (String, String)>;

fn ints(value: &Value) -> Result<Vec<i64>, (String, String)> {
    value
        .as_array()
        .ok_or_else(|| usage("not a list"))?
        .iter()
        .map(|v| v.as_i64().ok_or_else(|| usage("not an integer")))
        .collect()
}

/// The indices an operation names, owned (the bindings borrow them).
enum Owned {
    Flat(Vec<i64>),
    Axes(Vec<Vec<i64>>),
}

fn indices(op: &Value) -> Result<Owned, (String, String)> {
    if op.get("flat").is_some() {
        return Ok(Owned::Flat(ints(&op["flat"])?));
    }
    let axes = op["axes"].as_array().ok_or_else(|| usage("flat or axes"))?;
    Ok(Owned::Axes(axes.iter().map(ints).collect::<Result<_, _>>()?))
}

/// Calls `f` with `owned` as the bindings' indices.
fn with<R>(owned: &Owned, f: impl FnOnce(types::Indices<'_>) -> R) -> R {
    match owned {
        Owned::Flat(idx) => f(types::Indices::Flat(idx)),
        Owned::Axes(arrays) => {
            let refs: Vec<&[i64]> = arrays.iter().map(Vec::as_slice).collect();
            f(types::Indices::PerAxis(&refs))
        }
    }
}

fn shape(op: &Value) -> Result<Option<Vec<u64>>, (String, String)> {
    match &op["shape"] {
        Value::Null => Ok(None),
        Value::Array(items) => {
            items.iter().map(|v| v.as_u64().ok_or_else(|| usage("bad shape"))).collect::<Result<_, _>>().map(Some)
        }
        _ => Err(usage("bad shape")),
    }
}

/// A scalar's bytes in the plugin's (native) byte order.
fn scalar_bytes(value: &types::Scalar) -> Vec<u8> {
    use types::Scalar as S;
    match *value {
        S::Bool(v) => vec![u8::from(v)],
        S::Int8(v) => v.to_ne_bytes().to_vec(),
        S::Int16(v) => v.to_ne_bytes().to_vec(),
        S::Int32(v) => v.to_ne_bytes().to_vec(),
        S::Int64(v) => v.to_ne_bytes().to_vec(),
        S::Uint8(v) => v.to_ne_bytes().to_vec(),
        S::Uint16(v) => v.to_ne_bytes().to_vec(),
        S::Uint32(v) => v.to_ne_bytes().to_vec(),
        S::Uint64(v) => v.to_ne_bytes().to_vec(),
        S::Float16(v) => v.to_ne_bytes().to_vec(),
        S::Float32(v) => v.to_ne_bytes().to_vec(),
        S::Float64(v) => v.to_ne_bytes().to_vec(),
        S::Complex64((re, im)) => [re.to_ne_bytes(), im.to_ne_bytes()].concat(),
        S::Complex128((re, im)) => [re.to_ne_bytes(), im.to_ne_bytes()].concat(),
    }
}

/// The scalar of `like`'s kind whose native-order bytes are `b`.
fn scalar_from(like: &types::Scalar, b: &[u8]) -> Result<types::Scalar, (String, String)> {
    use types::Scalar as S;
    let bad = || usage("bad scalar bytes");
    let a = |n: usize| -> Result<Vec<u8>, (String, String)> { (b.len() == n).then(|| b.to_vec()).ok_or_else(bad) };
    macro_rules! arr {
        ($n:expr) => {
            <[u8; $n]>::try_from(a($n)?.as_slice()).map_err(|_| bad())?
        };
    }
    Ok(match like {
        S::Bool(_) => S::Bool(arr!(1)[0] != 0),
        S::Int8(_) => S::Int8(i8::from_ne_bytes(arr!(1))),
        S::Int16(_) => S::Int16(i16::from_ne_bytes(arr!(2))),
        S::Int32(_) => S::Int32(i32::from_ne_bytes(arr!(4))),
        S::Int64(_) => S::Int64(i64::from_ne_bytes(arr!(8))),
        S::Uint8(_) => S::Uint8(u8::from_ne_bytes(arr!(1))),
        S::Uint16(_) => S::Uint16(u16::from_ne_bytes(arr!(2))),
        S::Uint32(_) => S::Uint32(u32::from_ne_bytes(arr!(4))),
        S::Uint64(_) => S::Uint64(u64::from_ne_bytes(arr!(8))),
        S::Float16(_) => S::Float16(u16::from_ne_bytes(arr!(2))),
        S::Float32(_) => S::Float32(f32::from_ne_bytes(arr!(4))),
        S::Float64(_) => S::Float64(f64::from_ne_bytes(arr!(8))),
        S::Complex64(_) => {
            let v = arr!(8);
            S::Complex64((f32::from_ne_bytes([v[0], v[1], v[2], v[3]]), f32::from_ne_bytes([v[4], v[5], v[6], v[7]])))
        }
        S::Complex128(_) => {
            let v = arr!(16);
            let half = |at: usize| f64::from_ne_bytes(<[u8; 8]>::try_from(&v[at..at + 8]).unwrap_or_default());
            S::Complex128((half(0), half(8)))
        }
    })
}

enum Handle {
    Opened(Memmap),
    View(mmap::Memmap),
}

impl Handle {
    fn raw(&self) -> &mmap::Memmap {
        match self {
            Self::Opened(m) => m.raw(),
            Self::View(v) => v,
        }
    }
}

fn nth<'a>(maps: &'a [Handle], op: &Value) -> Result<&'a mmap::Memmap, (String, String)> {
    op["map"]
        .as_u64()
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| maps.get(i))
        .map(Handle::raw)
        .ok_or_else(|| usage("no such map"))
}

fn run(maps: &mut Vec<Handle>, op: &Value) -> Outcome {
    let field = |key: &str| op[key].as_str().ok_or_else(|| usage(key));
    match field("op")? {
        "open" => {
            let mut options = Memmap::options()
                .dtype(field("dtype")?)
                .mode(field("mode")?)
                .order(op["order"].as_str().unwrap_or("C"));
            if let Some(shape) = shape(op)? {
                options = options.shape(shape);
            }
            let map = options.open(field("path")?).map_err(sdk_error)?;
            maps.push(Handle::Opened(map));
            Ok(json!({ "ok": true }))
        }
        "view" => {
            let index = parse_index(op["index"].as_str().unwrap_or("")).map_err(|e| usage(e.message()))?;
            let view = nth(maps, op)?.view(&index).map_err(wit_error)?;
            maps.push(Handle::View(view));
            Ok(json!({ "ok": true }))
        }
        "take" => {
            let map = nth(maps, op)?;
            Ok(json!({ "hex": hex(&with(&indices(op)?, |i| map.take(i)).map_err(wit_error)?) }))
        }
        "take_many" => {
            let count = op["count"].as_u64().and_then(|c| usize::try_from(c).ok()).ok_or_else(|| usage("count"))?;
            let bytes = nth(maps, op)?.take(types::Indices::Flat(&vec![0; count])).map_err(wit_error)?;
            Ok(json!({ "len": bytes.len() }))
        }
        "put" => {
            let data = unhex(field("hex")?)?;
            let (map, shape) = (nth(maps, op)?, shape(op)?);
            with(&indices(op)?, |i| map.put(i, &data, shape.as_deref())).map_err(wit_error)?;
            Ok(json!({ "ok": true }))
        }
        "item_flat" => {
            let flat = op["flat"].as_i64().ok_or_else(|| usage("flat"))?;
            Ok(json!({ "hex": hex(&scalar_bytes(&nth(maps, op)?.item_flat(flat).map_err(wit_error)?)) }))
        }
        "set_item_flat" => {
            let map = nth(maps, op)?;
            let flat = op["flat"].as_i64().ok_or_else(|| usage("flat"))?;
            // The kind comes from the element already there (any in-range position).
            let like = map.item_flat(0).map_err(wit_error)?;
            map.set_item_flat(flat, scalar_from(&like, &unhex(field("hex")?)?)?).map_err(wit_error)?;
            Ok(json!({ "ok": true }))
        }
        "read" => {
            let index = parse_index(op["index"].as_str().unwrap_or("")).map_err(|e| usage(e.message()))?;
            Ok(json!({ "hex": hex(&nth(maps, op)?.read_bytes(&index).map_err(wit_error)?) }))
        }
        other => Err(usage(&format!("unknown op {other}"))),
    }
}

fn main() {
    wasm_memmap_test_programs::print_json(|args| {
        let ops: Value = serde_json::from_str(args.first().ok_or("usage: take OPS")?).map_err(|e| e.to_string())?;
        let mut maps = Vec::new();
        let out: Vec<Value> = ops
            .as_array()
            .ok_or("OPS must be a list")?
            .iter()
            .map(|op| run(&mut maps, op).unwrap_or_else(|(code, message)| json!({ "error": [code, message] })))
            .collect();
        Ok(Value::from(out))
    });
}
