//! `scale IN OUT FACTOR`: writes `OUT`, a new float64 `.npy` array of `IN`'s shape holding `IN` times
//! `FACTOR`, and prints its sum. In numpy:
//!
//! ```python
//! a = np.load(IN, mmap_mode="r")
//! out = np.lib.format.open_memmap(OUT, mode="w+", dtype="float64", shape=a.shape)
//! out[...] = a * FACTOR
//! print(out.sum())
//! ```

use wasm_memmap_sdk::{Memmap, s};

fn run(args: &[String]) -> Result<f64, String> {
    let [input, output, factor] = args else {
        return Err("usage: scale IN OUT FACTOR".into());
    };
    let factor: f64 = factor.parse().map_err(|_| format!("FACTOR must be a number, not '{factor}'"))?;
    let a = Memmap::open_npy(input, "r").map_err(|e| e.to_string())?;
    let values: Vec<f64> = a.read(s![..]).map_err(|e| e.to_string())?;
    let out = Memmap::create_npy(output, "float64", a.shape(), "C").map_err(|e| e.to_string())?;
    let scaled: Vec<f64> = values.iter().map(|v| v * factor).collect();
    out.write(s![..], &scaled).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    out.sum().map_err(|e| e.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(sum) => println!("{sum}"),
        Err(message) => {
            eprintln!("scale: {message}");
            std::process::exit(2);
        }
    }
}
