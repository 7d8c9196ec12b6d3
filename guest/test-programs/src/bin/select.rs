//! Views of views, reads and writes of a float64 file, for comparison with numpy doing the same.
//!
//! `select PATH SHAPE (read|write) INDEX...`: opens PATH (`r` to read, `r+` to write) with `SHAPE`
//! (`"5,10"`), takes a view for each INDEX but the last (Python syntax, e.g. `"1:, ::-2"`), then
//! reads or writes the last INDEX of that view through `slice-read`/`slice-write`. A write stores
//! `1000 + k` at the k-th selected element (C order) and flushes. Prints one JSON object: the
//! selection's `shape`, and for a read the `bits` of each value (hex), so the comparison is exact.

use wasm_memmap_sdk::{Memmap, parse_index};

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let [path, shape, op, indices @ ..] = args else {
        return Err("usage: select PATH SHAPE (read|write) INDEX...".into());
    };
    let (last, chain) = indices.split_last().ok_or("at least one INDEX is needed")?;
    let shape: Vec<u64> = shape
        .split(',')
        .map(|d| d.trim().parse().map_err(|_| format!("bad shape '{shape}'")))
        .collect::<Result<_, _>>()?;
    let mode = if op == "read" { "r" } else { "r+" };
    let mut view = Memmap::options().dtype("float64").mode(mode).shape(&shape).open(path).map_err(|e| e.to_string())?;
    for index in chain {
        view = view.view(parse_index(index).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    let last = parse_index(last).map_err(|e| e.to_string())?;
    let selection_shape = view.view(&last).map_err(|e| e.to_string())?.shape().to_vec();
    match op.as_str() {
        "read" => {
            let values: Vec<f64> = view.read(&last).map_err(|e| e.to_string())?;
            let bits: Vec<String> = values.iter().map(|v| format!("{:016x}", v.to_bits())).collect();
            Ok(serde_json::json!({ "shape": selection_shape, "bits": bits }))
        }
        "write" => {
            let n = usize::try_from(selection_shape.iter().product::<u64>()).map_err(|e| e.to_string())?;
            let values: Vec<f64> = (0..n).map(|k| 1000.0 + f64::from(u32::try_from(k).unwrap_or(u32::MAX))).collect();
            view.write(&last, &values).map_err(|e| e.to_string())?;
            view.flush().map_err(|e| e.to_string())?;
            Ok(serde_json::json!({ "shape": selection_shape }))
        }
        other => Err(format!("unknown operation '{other}'")),
    }
}

fn main() {
    wasm_memmap_test_programs::print_json(run);
}
