//! The host's native reductions and the SDK's chunked reading, for comparison with numpy on the
//! same file.
//!
//! `reduce PATH DTYPE SHAPE INDEX`: opens PATH read-only as DTYPE (`"float64"`, `">i4"`, ...) with
//! SHAPE (`"5,10"`), takes the view `a[INDEX]` (Python syntax) and prints one JSON object: for each
//! of `sum`, `min`, `max` and `mean` either `{"bits": "<hex of the f64>"}` or `{"error": [code,
//! message]}`; for a float64 array also `chunks` (the hex bits of every value `Memmap::chunks`
//! yields, in order, and the length of each chunk) and `read_into` (the bits `Memmap::read_into`
//! filled a buffer with, and the error it gives for a buffer one element too long); the bits only
//! for selections of up to 100,000 elements.

use wasm_memmap_sdk::chunks::CHUNK_BYTES;
use wasm_memmap_sdk::{Error, Memmap, Result, code_name, parse_index};

fn outcome(r: Result<f64>) -> serde_json::Value {
    match r {
        Ok(v) => serde_json::json!({ "bits": format!("{:016x}", v.to_bits()) }),
        Err(e) => serde_json::json!({ "error": [code_name(e.code()), e.message()] }),
    }
}

fn hex(values: &[f64]) -> Vec<String> {
    values.iter().map(|v| format!("{:016x}", v.to_bits())).collect()
}

fn run(args: &[String]) -> std::result::Result<serde_json::Value, String> {
    let [path, dtype, shape, index] = args else {
        return Err("usage: reduce PATH DTYPE SHAPE INDEX".into());
    };
    let e = |err: Error| err.to_string();
    let shape: Vec<u64> = shape
        .split(',')
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim().parse().map_err(|_| format!("bad shape '{shape}'")))
        .collect::<std::result::Result<_, _>>()?;
    let a = Memmap::options().dtype(dtype.as_str()).mode("r").shape(&shape).open(path).map_err(e)?;
    let view = a.view(parse_index(index).map_err(e)?).map_err(e)?;
    let mut out = serde_json::json!({
        "sum": outcome(view.sum()),
        "min": outcome(view.min()),
        "max": outcome(view.max()),
        "mean": outcome(view.mean()),
    });
    if dtype == "float64" {
        let mut values = Vec::new();
        let mut lengths = Vec::new();
        for chunk in view.chunks::<f64>().map_err(e)? {
            let chunk = chunk.map_err(e)?;
            lengths.push(chunk.len());
            values.extend(chunk);
        }
        let n = usize::try_from(view.size()).map_err(|_| "size")?;
        let mut buffer = vec![0.0f64; n];
        view.read_into([], &mut buffer).map_err(e)?;
        let mut long = vec![0.0f64; n + 1];
        let too_long = view.read_into([], &mut long).err().map(|err| (code_name(err.code()), err.message().to_owned()));
        // Large arrays print only the chunk lengths and whether both ways read the same values.
        let small = n <= 100_000;
        let same = values.iter().map(|v| v.to_bits()).eq(buffer.iter().map(|v| v.to_bits()));
        out["chunks"] = serde_json::json!({
            "bits": small.then(|| hex(&values)), "lengths": lengths, "max_bytes": CHUNK_BYTES, "same_as_read_into": same,
        });
        out["read_into"] = serde_json::json!({ "bits": small.then(|| hex(&buffer)), "too_long": too_long });
        let wrong_kind = view.chunks::<f32>().err().map(|err| code_name(err.code()));
        out["chunks_of_f32"] = serde_json::json!(wrong_kind);
    }
    Ok(out)
}

fn main() {
    wasm_memmap_test_programs::print_json(run);
}
