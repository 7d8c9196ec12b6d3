//! Zarr arrays through the SDK: every operation a plugin does on a Zarr memmap, for comparison
//! with numpy and zarr-python on the same arrays.
//!
//! `zarr OPS`: OPS is a JSON list of operations, run in order; the program prints one JSON list with
//! the result of each: `{"ok": true}`, `{"hex": "..."}` (element bytes, little-endian, C order),
//! `{"value": x, "bits": "..."}` (a reduction: the f64 and its bits as 16 hex digits), `{"info":
//! {...}}`, `{"text": "..."}` or `{"error": [code, message]}` (an error does not stop the list).
//! Maps (whole maps and views) are numbered in the order they are made; `drop` leaves a hole.
//!
//! - `{"op": "create", "location", "dtype", "shape", "chunks", "order"?: "C"|"F", "codecs"?: [..]}`:
//!   `create-zarr`; a codec is `"zstd"`, `"gzip"`, `"crc32c"`, `{"zstd": level}`, `{"gzip": level}`
//! - `{"op": "open", "location", "mode"}`: `open-zarr` (`"r"`, `"r+"`, `"c"`, `"w+"`)
//! - `{"op": "open_file", "path", "dtype", "mode", "shape"}`: `np.memmap`, to compare with
//! - `{"op": "view", "map", "index"}`, `{"op": "t", "map"}` (index in Python syntax, `"::-1, 2"`)
//! - `{"op": "read", "map", "index"}`, `{"op": "write", "map", "index", "hex", "shape"?}`: the byte
//!   paths (`read-bytes`, `write-bytes`)
//! - `{"op": "read_typed", "map", "index"}`: `slice-read`, answered as `hex` too
//! - `{"op": "take", "map", "flat" | "axes"}`, `{"op": "put", "map", "flat" | "axes", "hex",
//!   "shape"?}`: integer-array indexing (`flat`: `[i, ...]`; `axes`: `[[i, ...], [j, ...]]`)
//! - `{"op": "item", "map", "at"}`, `{"op": "item_flat", "map", "flat"}`: the element's bytes as
//!   `hex`; `{"op": "set_item", "map", "at", "hex"}`, `{"op": "set_item_flat", "map", "flat",
//!   "hex"}`: the value given as its bytes
//! - `{"op": "sum" | "min" | "max" | "mean", "map", "index"}`
//! - `{"op": "normal", "map", "index", "seed"}`: `rng.standard_normal(out=a[index])` with
//!   `np.random.default_rng(seed)`
//! - `{"op": "flush", "map"}`, `{"op": "close", "map"}`, `{"op": "drop", "map"}`
//! - `{"op": "info", "map"}`: shape, strides, dtype (`dtype.str`), mode, order, path, chunks
//! - `{"op": "repr" | "str", "map", "index"?, "options"?}`: numpy's printing

use serde_json::{Value, json};
use wasm_memmap_numpy_core::{ByteOrder, Scalar};
use wasm_memmap_sdk::raw::{format, random, types};
use wasm_memmap_sdk::{Codec, Memmap, mode_str, parse_index};
use wasm_memmap_test_programs::{OpError, hex, print_options, sdk_error, unhex, usage, wit_error};

type Outcome = Result<Value, OpError>;

fn str_field<'a>(op: &'a Value, key: &str) -> Result<&'a str, OpError> {
    op[key].as_str().ok_or_else(|| usage(&format!("missing string '{key}'")))
}

fn u64_list(value: &Value, what: &str) -> Result<Vec<u64>, OpError> {
    let items = value.as_array().ok_or_else(|| usage(&format!("'{what}' is not a list")))?;
    items.iter().map(|v| v.as_u64().ok_or_else(|| usage(&format!("bad '{what}'")))).collect()
}

fn i64_list(value: &Value, what: &str) -> Result<Vec<i64>, OpError> {
    let items = value.as_array().ok_or_else(|| usage(&format!("'{what}' is not a list")))?;
    items.iter().map(|v| v.as_i64().ok_or_else(|| usage(&format!("bad '{what}'")))).collect()
}

fn optional_shape(op: &Value) -> Result<Option<Vec<u64>>, OpError> {
    match &op["shape"] {
        Value::Null => Ok(None),
        shape => u64_list(shape, "shape").map(Some),
    }
}

fn index_field(op: &Value) -> Result<Vec<types::Index>, OpError> {
    parse_index(op["index"].as_str().unwrap_or("")).map_err(sdk_error)
}

/// `flat` or `axes` of an operation, owned (the WIT's `indices` borrows them).
enum OwnedIndices {
    Flat(Vec<i64>),
    Axes(Vec<Vec<i64>>),
}

impl OwnedIndices {
    fn parse(op: &Value) -> Result<Self, OpError> {
        if !op["flat"].is_null() {
            return Ok(Self::Flat(i64_list(&op["flat"], "flat")?));
        }
        let axes = op["axes"].as_array().ok_or_else(|| usage("give 'flat' or 'axes'"))?;
        Ok(Self::Axes(axes.iter().map(|a| i64_list(a, "axes")).collect::<Result<_, _>>()?))
    }

    fn with<R>(&self, call: impl FnOnce(types::Indices<'_>) -> R) -> R {
        match self {
            Self::Flat(flat) => call(types::Indices::Flat(flat)),
            Self::Axes(axes) => {
                let borrowed: Vec<&[i64]> = axes.iter().map(Vec::as_slice).collect();
                call(types::Indices::PerAxis(&borrowed))
            }
        }
    }
}

fn codec(value: &Value) -> Result<Codec, OpError> {
    if let Some(name) = value.as_str() {
        return Codec::try_from(name).map_err(sdk_error);
    }
    if let Some(level) = value.get("zstd").and_then(Value::as_i64) {
        return Ok(Codec::Zstd(i32::try_from(level).map_err(|_| usage("zstd level"))?));
    }
    if let Some(level) = value.get("gzip").and_then(Value::as_u64) {
        return Ok(Codec::Gzip(u32::try_from(level).map_err(|_| usage("gzip level"))?));
    }
    Err(usage("bad codec"))
}

fn scalar_hex(map: &Memmap, value: types::Scalar) -> Result<Value, OpError> {
    let scalar = Scalar::from(value);
    let mut bytes = vec![0u8; map.dtype().itemsize()];
    scalar.encode(ByteOrder::Little, &mut bytes).ok_or_else(|| usage("the host sent a scalar of another size"))?;
    Ok(json!({ "hex": hex(&bytes) }))
}

fn hex_scalar(map: &Memmap, op: &Value) -> Result<types::Scalar, OpError> {
    let bytes = unhex(str_field(op, "hex")?)?;
    let scalar = Scalar::decode(map.dtype().kind(), &bytes, ByteOrder::Little)
        .ok_or_else(|| usage("'hex' is not one element of the array's dtype"))?;
    Ok(scalar.into())
}

fn reduction(value: f64) -> Value {
    json!({ "value": value, "bits": format!("{:016x}", value.to_bits()) })
}

#[derive(Default)]
struct State {
    maps: Vec<Option<Memmap>>,
}

impl State {
    fn map(&self, op: &Value) -> Result<&Memmap, OpError> {
        op["map"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.maps.get(i))
            .and_then(Option::as_ref)
            .ok_or_else(|| usage("no such 'map'"))
    }

    fn made(&mut self, map: Memmap) -> Outcome {
        self.maps.push(Some(map));
        Ok(json!({ "ok": true }))
    }

    fn run(&mut self, op: &Value) -> Outcome {
        let name = str_field(op, "op")?;
        match name {
            "create" => {
                let codecs: Vec<Codec> = match &op["codecs"] {
                    Value::Null => Vec::new(),
                    Value::Array(items) => items.iter().map(codec).collect::<Result<_, _>>()?,
                    _ => return Err(usage("'codecs' is not a list")),
                };
                let map = Memmap::zarr_options()
                    .dtype(str_field(op, "dtype")?)
                    .shape(u64_list(&op["shape"], "shape")?)
                    .chunks(u64_list(&op["chunks"], "chunks")?)
                    .order(op["order"].as_str().unwrap_or("C"))
                    .codecs(codecs)
                    .create(str_field(op, "location")?)
                    .map_err(sdk_error)?;
                self.made(map)
            }
            "open" => {
                self.made(Memmap::open_zarr(str_field(op, "location")?, str_field(op, "mode")?).map_err(sdk_error)?)
            }
            "open_file" => {
                let mut options = Memmap::options().dtype(str_field(op, "dtype")?).mode(str_field(op, "mode")?);
                if let Some(shape) = optional_shape(op)? {
                    options = options.shape(shape);
                }
                self.made(options.open(str_field(op, "path")?).map_err(sdk_error)?)
            }
            "view" => {
                let view = self.map(op)?.view(index_field(op)?).map_err(sdk_error)?;
                self.made(view)
            }
            "t" => {
                let view = self.map(op)?.t().map_err(sdk_error)?;
                self.made(view)
            }
            "read" => Ok(json!({ "hex": hex(&self.map(op)?.read_bytes(index_field(op)?).map_err(sdk_error)?) })),
            "read_typed" => {
                let data = self.map(op)?.raw().slice_read(&index_field(op)?).map_err(wit_error)?;
                Ok(json!({ "hex": hex(&elements_bytes(data)) }))
            }
            "write" => {
                let data = unhex(str_field(op, "hex")?)?;
                let shape = optional_shape(op)?;
                self.map(op)?.write_bytes(index_field(op)?, &data, shape.as_deref()).map_err(sdk_error)?;
                Ok(json!({ "ok": true }))
            }
            "take" => {
                let map = self.map(op)?;
                let bytes = OwnedIndices::parse(op)?.with(|indices| map.raw().take(indices)).map_err(wit_error)?;
                Ok(json!({ "hex": hex(&bytes) }))
            }
            "put" => {
                let data = unhex(str_field(op, "hex")?)?;
                let shape = optional_shape(op)?;
                let map = self.map(op)?;
                OwnedIndices::parse(op)?
                    .with(|indices| map.raw().put(indices, &data, shape.as_deref()))
                    .map_err(wit_error)?;
                Ok(json!({ "ok": true }))
            }
            "item" => {
                let map = self.map(op)?;
                scalar_hex(map, map.raw().item(&i64_list(&op["at"], "at")?).map_err(wit_error)?)
            }
            "item_flat" => {
                let map = self.map(op)?;
                let flat = op["flat"].as_i64().ok_or_else(|| usage("missing 'flat'"))?;
                scalar_hex(map, map.raw().item_flat(flat).map_err(wit_error)?)
            }
            "set_item" => {
                let map = self.map(op)?;
                map.raw().set_item(&i64_list(&op["at"], "at")?, hex_scalar(map, op)?).map_err(wit_error)?;
                Ok(json!({ "ok": true }))
            }
            "set_item_flat" => {
                let map = self.map(op)?;
                let flat = op["flat"].as_i64().ok_or_else(|| usage("missing 'flat'"))?;
                map.raw().set_item_flat(flat, hex_scalar(map, op)?).map_err(wit_error)?;
                Ok(json!({ "ok": true }))
            }
            "sum" => Ok(reduction(self.map(op)?.raw().sum(&index_field(op)?).map_err(wit_error)?)),
            "min" => Ok(reduction(self.map(op)?.raw().min(&index_field(op)?).map_err(wit_error)?)),
            "max" => Ok(reduction(self.map(op)?.raw().max(&index_field(op)?).map_err(wit_error)?)),
            "mean" => Ok(reduction(self.map(op)?.raw().mean(&index_field(op)?).map_err(wit_error)?)),
            "normal" => {
                let seed = op["seed"].as_u64().ok_or_else(|| usage("missing 'seed'"))?;
                // numpy splits an integer seed into 32-bit words, least significant first.
                let low = u32::try_from(seed & 0xffff_ffff).map_err(|_| usage("seed"))?;
                let high = u32::try_from(seed >> 32).map_err(|_| usage("seed"))?;
                let words = if high == 0 { vec![low] } else { vec![low, high] };
                let rng = random::Generator::create(Some(&words)).map_err(wit_error)?;
                rng.fill(random::Distribution::StandardNormal, self.map(op)?.raw(), &index_field(op)?)
                    .map_err(wit_error)?;
                Ok(json!({ "ok": true }))
            }
            "flush" => {
                self.map(op)?.flush().map_err(sdk_error)?;
                Ok(json!({ "ok": true }))
            }
            "close" => {
                self.map(op)?.close().map_err(sdk_error)?;
                Ok(json!({ "ok": true }))
            }
            "drop" => {
                self.map(op)?;
                let at = op["map"].as_u64().and_then(|i| usize::try_from(i).ok()).ok_or_else(|| usage("map"))?;
                if let Some(slot) = self.maps.get_mut(at) {
                    // Dropping flushes (the SDK's `Drop`).
                    *slot = None;
                }
                Ok(json!({ "ok": true }))
            }
            "info" => {
                let map = self.map(op)?;
                Ok(json!({ "info": {
                    "shape": map.shape(),
                    "strides": map.strides(),
                    "dtype": map.dtype().str(),
                    "mode": mode_str(map.mode()),
                    "order": format!("{:?}", map.order()),
                    "path": map.path(),
                    "chunks": map.chunk_shape(),
                } }))
            }
            "repr" | "str" => {
                let map = self.map(op)?;
                let style = if name == "repr" { format::Style::Repr } else { format::Style::Str };
                let options = print_options(&op["options"])?;
                let text =
                    format::format_memmap(map.raw(), &index_field(op)?, style, "memmap", options).map_err(wit_error)?;
                Ok(json!({ "text": text }))
            }
            other => Err(usage(&format!("unknown op '{other}'"))),
        }
    }
}

/// `slice-read`'s typed list as little-endian bytes, as `read-bytes` gives them.
fn elements_bytes(data: types::ElementsResult) -> Vec<u8> {
    fn le<T: Copy, const N: usize>(values: &[T], bytes: impl Fn(T) -> [u8; N]) -> Vec<u8> {
        values.iter().flat_map(|&v| bytes(v)).collect()
    }
    match data {
        types::ElementsResult::Bool(v) => v.into_iter().map(u8::from).collect(),
        types::ElementsResult::Int8(v) => le(&v, i8::to_le_bytes),
        types::ElementsResult::Int16(v) => le(&v, i16::to_le_bytes),
        types::ElementsResult::Int32(v) => le(&v, i32::to_le_bytes),
        types::ElementsResult::Int64(v) => le(&v, i64::to_le_bytes),
        types::ElementsResult::Uint8(v) => v,
        types::ElementsResult::Uint16(v) | types::ElementsResult::Float16(v) => le(&v, u16::to_le_bytes),
        types::ElementsResult::Uint32(v) => le(&v, u32::to_le_bytes),
        types::ElementsResult::Uint64(v) => le(&v, u64::to_le_bytes),
        types::ElementsResult::Float32(v) | types::ElementsResult::Complex64(v) => le(&v, f32::to_le_bytes),
        types::ElementsResult::Float64(v) | types::ElementsResult::Complex128(v) => le(&v, f64::to_le_bytes),
    }
}

fn main() {
    let ops: Value = std::env::args()
        .nth(1)
        .and_then(|a| serde_json::from_str(&a).ok())
        .unwrap_or_else(|| panic!("usage: zarr OPS (a JSON list)"));
    let mut state = State::default();
    let results: Vec<Value> = ops
        .as_array()
        .map(|ops| {
            ops.iter()
                .map(|op| state.run(op).unwrap_or_else(|(code, message)| json!({ "error": [code, message] })))
                .collect()
        })
        .unwrap_or_default();
    println!("{}", Value::from(results));
}
