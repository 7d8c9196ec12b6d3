//! The SDK's typed data paths (`read`, `read_into`, `chunks`, `scan`, `write`, `assign`, `take`,
//! `put`, `item_flat`, `set_item_flat`, `kernels::sum_f64`), which move element data as
//! native-order bytes, for comparison with numpy on the same files.
//!
//! `sdk_paths CASES`: CASES is a JSON list of `{"path", "dtype", "mode", "shape", "order", "view",
//! "ops": [...]}`. Each case opens its file, takes the view `view` (Python syntax, `""` for the
//! whole map) and runs its operations on it in order, as values of the Rust type of the array's
//! kind; the program prints one JSON list per case with the result of each operation:
//! `{"hex": "..."}` (the values' bytes in native order, as numpy's `tobytes()` of the native
//! dtype), `{"ok": true}` or `{"error": [code, message]}`. Every map is flushed and dropped at the
//! end of its case. The operations (`hex` is element data in native order):
//!
//! - `{"op": "read"}`, `{"op": "to_vec"}`, `{"op": "read_into"}`: the whole view
//! - `{"op": "chunks"}`, `{"op": "scan"}`: every block, joined (the block lengths in `"lens"`)
//! - `{"op": "write", "hex"}`, `{"op": "assign", "hex", "shape"}`
//! - `{"op": "take", "flat": [..]}`, `{"op": "take_axes", "axes": [[..], ..]}`
//! - `{"op": "put", "flat": [..], "hex"}`, `{"op": "put_axes", "axes": [[..], ..], "hex", "shape"}`
//!   (`shape` may be `null`)
//! - `{"op": "item_flat", "at"}`, `{"op": "set_item_flat", "at", "hex"}`
//! - `{"op": "sum_f64"}`: `kernels::sum_f64` over the blocks of `scan` (float64 only), as bits

use serde_json::{Value, json};
use wasm_memmap_sdk::{Element, Index, Memmap, kernels, with_kind};
use wasm_memmap_test_programs::{OpError, sdk_cases, sdk_error as sdk, usage as bad};

type Outcome = Result<Value, OpError>;

fn values_of<T: Element>(op: &Value) -> Result<Vec<T>, OpError> {
    sdk_cases::values_of(op["hex"].as_str().ok_or_else(|| bad("missing 'hex'"))?)
}

fn ints(value: &Value) -> Result<Vec<i64>, OpError> {
    value
        .as_array()
        .ok_or_else(|| bad("expected a list of integers"))?
        .iter()
        .map(|v| v.as_i64().ok_or_else(|| bad("not an integer")))
        .collect()
}

/// The per-axis index arrays of `op`.
fn axes(op: &Value) -> Result<Vec<Vec<i64>>, OpError> {
    op["axes"].as_array().ok_or_else(|| bad("missing 'axes'"))?.iter().map(ints).collect()
}

fn shape(value: &Value) -> Result<Option<Vec<u64>>, OpError> {
    match value {
        Value::Null => Ok(None),
        Value::Array(items) => {
            items.iter().map(|v| v.as_u64().ok_or_else(|| bad("bad shape"))).collect::<Result<_, _>>().map(Some)
        }
        _ => Err(bad("bad shape")),
    }
}

fn hex_of<T: Element>(values: &[T]) -> Value {
    json!({ "hex": sdk_cases::hex_of(values) })
}

fn run_op<T: Element>(view: &Memmap, op: &Value) -> Outcome {
    let all: [Index; 0] = [];
    let done = json!({ "ok": true });
    match op["op"].as_str().unwrap_or("") {
        "read" => Ok(hex_of(&view.read::<T>(all).map_err(sdk)?)),
        "to_vec" => Ok(hex_of(&view.to_vec::<T>().map_err(sdk)?)),
        "read_into" => {
            let n = usize::try_from(view.size()).map_err(|_| bad("too large"))?;
            let mut out = T::from_native_vec(vec![0; n * size_of::<T>()]).ok_or_else(|| bad("buffer"))?;
            let read = view.read_into(all, &mut out).map_err(sdk)?;
            Ok(json!({ "hex": hex_of(&out)["hex"], "count": read }))
        }
        "chunks" => {
            let (mut joined, mut lens) = (Vec::new(), Vec::new());
            for chunk in view.chunks::<T>().map_err(sdk)? {
                let chunk = chunk.map_err(sdk)?;
                lens.push(chunk.len());
                joined.extend(chunk);
            }
            Ok(json!({ "hex": hex_of(&joined)["hex"], "lens": lens }))
        }
        "scan" => {
            let (mut joined, mut lens) = (Vec::new(), Vec::new());
            view.scan::<T>(|block| {
                lens.push(block.len());
                joined.extend_from_slice(block);
            })
            .map_err(sdk)?;
            Ok(json!({ "hex": hex_of(&joined)["hex"], "lens": lens }))
        }
        "write" => view.write(all, &values_of::<T>(op)?).map(|()| done).map_err(sdk),
        "assign" => {
            let data_shape = shape(&op["shape"])?.ok_or_else(|| bad("assign needs a shape"))?;
            view.assign(all, &values_of::<T>(op)?, &data_shape).map(|()| done).map_err(sdk)
        }
        "take" => Ok(hex_of(&view.take::<T>(&ints(&op["flat"])?).map_err(sdk)?)),
        "take_axes" => {
            let axes = axes(op)?;
            let borrowed: Vec<&[i64]> = axes.iter().map(Vec::as_slice).collect();
            Ok(hex_of(&view.take_axes::<T>(&borrowed).map_err(sdk)?))
        }
        "put" => view.put(&ints(&op["flat"])?, &values_of::<T>(op)?).map(|()| done).map_err(sdk),
        "put_axes" => {
            let axes = axes(op)?;
            let borrowed: Vec<&[i64]> = axes.iter().map(Vec::as_slice).collect();
            let data_shape = shape(&op["shape"])?;
            view.put_axes(&borrowed, &values_of::<T>(op)?, data_shape.as_deref()).map(|()| done).map_err(sdk)
        }
        "item_flat" => {
            let at = op["at"].as_i64().ok_or_else(|| bad("missing 'at'"))?;
            Ok(hex_of(&[view.item_flat::<T>(at).map_err(sdk)?]))
        }
        "set_item_flat" => {
            let at = op["at"].as_i64().ok_or_else(|| bad("missing 'at'"))?;
            let value = *values_of::<T>(op)?.first().ok_or_else(|| bad("one value is needed"))?;
            view.set_item_flat(at, value).map(|()| done).map_err(sdk)
        }
        "sum_f64" => {
            let mut total = 0.0;
            view.scan::<f64>(|block| total += kernels::sum_f64(block)).map_err(sdk)?;
            Ok(json!({ "bits": format!("{:016x}", total.to_bits()) }))
        }
        other => Err(bad(&format!("unknown operation '{other}'"))),
    }
}

fn main() {
    wasm_memmap_test_programs::print_json(|args| {
        sdk_cases::run_cases(args, |view, op| {
            let outcome = with_kind!(view.dtype().kind(), T => run_op::<T>(view, op));
            outcome.unwrap_or_else(|(code, message)| json!({ "error": [code, message] }))
        })
    });
}
