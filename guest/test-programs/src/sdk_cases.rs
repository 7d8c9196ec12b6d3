//! What the SDK test programs (`sdk_paths`, `window_guard`) share: their cases, each a map opened
//! with numpy's arguments and viewed, then a list of operations; and element data as hex text of
//! native-order bytes (numpy's `a.astype(native).tobytes().hex()`).

use serde_json::Value;
use wasm_memmap_sdk::{Element, Memmap, parse_index};

/// The values' bytes in native order, as hex.
pub fn hex_of<T: Element>(values: &[T]) -> String {
    crate::hex(T::native_bytes(values))
}

/// The values whose native-order bytes `text` spells in hex.
///
/// # Errors
/// A `usage` error for bad hex or a length that is not a whole number of elements.
pub fn values_of<T: Element>(text: &str) -> Result<Vec<T>, crate::OpError> {
    T::from_native_vec(crate::unhex(text)?).ok_or_else(|| crate::usage("not a whole number of elements"))
}

/// Runs `CASES` (the one argument, a JSON list of `{"path", "dtype", "mode", "order", "shape",
/// "offset", "view", "ops"}`): opens each case's map (`shape` and `offset` optional), takes the view
/// `view` (Python syntax), and gives one list per case of what `op` returns for each operation.
///
/// # Errors
/// A missing or bad field, and a map or view the SDK refuses, as its message.
pub fn run_cases(args: &[String], op: impl Fn(&mut Memmap, &Value) -> Value) -> Result<Value, String> {
    let [cases] = args else {
        return Err("usage: PROGRAM CASES".into());
    };
    let cases: Value = serde_json::from_str(cases).map_err(|e| e.to_string())?;
    let cases = cases.as_array().ok_or("CASES is a JSON list")?;
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let field = |key: &str| case[key].as_str().ok_or_else(|| format!("missing '{key}'"));
        let mut options = Memmap::options()
            .dtype(field("dtype")?)
            .mode(field("mode")?)
            .order(field("order")?)
            .offset(case["offset"].as_u64().unwrap_or(0));
        if let Some(shape) = case["shape"].as_array() {
            options =
                options.shape(shape.iter().map(|d| d.as_u64().ok_or("bad shape")).collect::<Result<Vec<_>, _>>()?);
        }
        let map = options.open(field("path")?).map_err(|e| e.to_string())?;
        let mut view = map.view(parse_index(field("view")?).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let ops = case["ops"].as_array().ok_or("missing 'ops'")?;
        results.push(Value::from(ops.iter().map(|o| op(&mut view, o)).collect::<Vec<_>>()));
    }
    Ok(Value::from(results))
}
