//! The SDK's window guards (`Memmap::window`, `Memmap::window_mut`), for comparison with numpy on
//! the same files.
//!
//! `window_guard CASES`: CASES is a JSON list of `{"path", "dtype", "mode", "shape", "order",
//! "offset", "view", "ops": [...]}`. Each case opens its file, takes the view `view` (Python
//! syntax, `""` for the whole map) and runs its operations in order, as values of the Rust type of
//! the array's kind; the program prints one JSON list per case with the result of each:
//! `{"hex": "..."}` (values in native order), `{"ok": true}`, `{"bits": "..."}` or
//! `{"error": [code, message], "unsupported": bool}`. The operations:
//!
//! - `{"op": "window"}`: the slice a `Window` lends, closed by dropping it
//! - `{"op": "window_mut", "hex", "flush": bool, "close": bool}`: copies `hex` into the slice a
//!   `WindowMut` lends and gives back what the slice holds then; flushes if asked, then closes
//!   with `close` (`true`) or by dropping the guard
//! - `{"op": "read"}`: `Memmap::read` of the view, to see what the map holds afterwards
//! - `{"op": "sum_f64"}`: `kernels::sum_f64` over a `Window<f64>`

use serde_json::{Value, json};
use wasm_memmap_sdk::{Element, Index, Memmap, code_name, kernels, with_kind};
use wasm_memmap_test_programs::sdk_cases::{self, hex_of};

type Outcome = Result<Value, Value>;

fn sdk(e: wasm_memmap_sdk::Error) -> Value {
    json!({ "error": [code_name(e.code()), e.message()], "unsupported": e.is_unsupported() })
}

fn usage(what: &str) -> Value {
    json!({ "error": ["usage", what], "unsupported": false })
}

fn values_of<T: Element>(op: &Value) -> Result<Vec<T>, Value> {
    sdk_cases::values_of(op["hex"].as_str().ok_or_else(|| usage("missing 'hex'"))?)
        .map_err(|(code, message)| json!({ "error": [code, message], "unsupported": false }))
}

fn run_op<T: Element>(view: &mut Memmap, op: &Value) -> Outcome {
    match op["op"].as_str().unwrap_or("") {
        "window" => {
            let window = view.window::<T>().map_err(sdk)?;
            Ok(json!({ "hex": hex_of(&window) }))
        }
        "window_mut" => {
            let values = values_of::<T>(op)?;
            let mut window = view.window_mut::<T>().map_err(sdk)?;
            if window.len() != values.len() {
                return Err(usage(&format!("{} values for a window of {}", values.len(), window.len())));
            }
            window.copy_from_slice(&values);
            let seen = hex_of(&window);
            if op["flush"].as_bool().unwrap_or(false) {
                window.flush().map_err(sdk)?;
            }
            if op["close"].as_bool().unwrap_or(false) {
                window.close().map_err(sdk)?;
            }
            Ok(json!({ "hex": seen }))
        }
        "read" => {
            let all: [Index; 0] = [];
            Ok(json!({ "hex": hex_of(&view.read::<T>(all).map_err(sdk)?) }))
        }
        "sum_f64" => {
            let window = view.window::<f64>().map_err(sdk)?;
            Ok(json!({ "bits": format!("{:016x}", kernels::sum_f64(&window).to_bits()) }))
        }
        other => Err(usage(&format!("unknown operation '{other}'"))),
    }
}

fn main() {
    wasm_memmap_test_programs::print_json(|args| {
        sdk_cases::run_cases(args, |view, op| {
            with_kind!(view.dtype().kind(), T => run_op::<T>(view, op)).unwrap_or_else(|e| e)
        })
    });
}
