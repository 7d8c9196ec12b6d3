//! Transposed views (`a.T`, `np.transpose(a, axes)`) mixed with basic indexing, read and written,
//! for comparison with numpy on the same files. One run does every case in `cases.txt` (granted
//! directory), one per line: `DTYPE ORDER SHAPE | STEP; STEP; ... | LAST`, where a STEP is `T`,
//! `axes=2,0,1` or a Python index (`1:, ::-2`). Case `i` reads `base-i.bin` (mode `r`) and writes
//! `ours-i.bin` (mode `r+`, storing `1000 + k` at the k-th selected element in C order). Prints one
//! JSON line per case: the selection's `shape` and the `bits` of its values read (hex of the f64),
//! or the `code` and `message` of the error.

use wasm_memmap_sdk::{Error, Memmap, code_name, parse_index};

fn apply(mut view: Memmap, steps: &[&str]) -> Result<Memmap, Error> {
    for step in steps {
        view = if *step == "T" {
            view.t()?
        } else if let Some(axes) = step.strip_prefix("axes=") {
            let axes: Vec<i64> = axes.split(',').map(|a| a.trim().parse().unwrap_or(i64::MAX)).collect();
            view.transpose(&axes)?
        } else {
            view.view(parse_index(step)?)?
        };
    }
    Ok(view)
}

fn case(i: usize, line: &str) -> Result<serde_json::Value, Error> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    let head: Vec<&str> = parts[0].split_whitespace().collect();
    let (dtype, order, shape) = (head[0], head[1], head[2]);
    let shape: Vec<u64> = shape.split(',').map(|d| d.parse().unwrap_or(0)).collect();
    let steps: Vec<&str> = parts[1].split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
    let open = |name: &str, mode: &str| {
        Memmap::options().dtype(dtype).order(order).mode(mode).shape(&shape).open(&format!("{name}-{i}.bin"))
    };
    let last = parse_index(parts[2])?;
    let view = apply(open("base", "r")?, &steps)?;
    let values: Vec<f64> = view.read(&last)?;
    let selection_shape = view.view(&last)?.shape().to_vec();
    let target = apply(open("ours", "r+")?, &steps)?;
    let numbers: Vec<f64> =
        (0..values.len()).map(|k| 1000.0 + f64::from(u32::try_from(k).unwrap_or(u32::MAX))).collect();
    target.write(&last, &numbers)?;
    target.flush()?;
    let bits: Vec<String> = values.iter().map(|v| format!("{:016x}", v.to_bits())).collect();
    Ok(serde_json::json!({ "shape": selection_shape, "bits": bits }))
}

fn main() {
    let cases = std::fs::read_to_string("cases.txt").expect("cases.txt in the granted directory");
    for (i, line) in cases.lines().enumerate() {
        let out = case(i, line)
            .unwrap_or_else(|e| serde_json::json!({ "code": code_name(e.code()), "message": e.message() }));
        println!("{out}");
    }
}
