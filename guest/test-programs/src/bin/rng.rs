//! Draws from the SDK's numpy-compatible generator, for comparison with numpy drawing the same.
//!
//! `rng OUT SEED OP...`: seeds `default_rng`'s generator with SEED (an integer up to 128 bits, as
//! `SeedSequence(SEED)`), runs each OP in order on the one generator and writes every value drawn to
//! the file OUT as 8 little-endian bytes (u64 for `raw`, f64 for the floats, i64 for `integers`), the
//! bytes numpy's `.tofile` writes. OPs: `raw:N`, `random:N`, `standard_normal:N`, `normal:LOC:SCALE:N`,
//! `integers:LOW:HIGH:N[:endpoint]`. Prints one JSON object: how many normal draws took the tail and
//! wedge branches.

use std::io::Write;

use wasm_memmap_sdk::random::{Generator, Pcg64, SeedSequence};

fn num<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("bad {what} '{s}'"))
}

fn draw(rng: &mut Generator, op: &str) -> Result<Vec<[u8; 8]>, String> {
    let parts: Vec<&str> = op.split(':').collect();
    let shape = |n: &str| -> Result<[u64; 1], String> { Ok([num(n, "count")?]) };
    let floats = |v: Vec<f64>| v.iter().map(|x| x.to_le_bytes()).collect();
    Ok(match parts.as_slice() {
        ["raw", n] => rng.bit_generator_mut().random_raw(num(n, "count")?).iter().map(|x| x.to_le_bytes()).collect(),
        ["random", n] => floats(rng.random(&shape(n)?)),
        ["standard_normal", n] => floats(rng.standard_normal(&shape(n)?)),
        ["normal", loc, scale, n] => {
            floats(rng.normal(num(loc, "loc")?, num(scale, "scale")?, &shape(n)?).map_err(|e| e.to_string())?)
        }
        ["integers", low, high, n, rest @ ..] => {
            let endpoint = match rest {
                [] => false,
                ["endpoint"] => true,
                _ => return Err(format!("bad op '{op}'")),
            };
            rng.integers(num(low, "low")?, num(high, "high")?, &shape(n)?, endpoint)
                .map_err(|e| e.to_string())?
                .iter()
                .map(|x| x.to_le_bytes())
                .collect()
        }
        _ => return Err(format!("bad op '{op}'")),
    })
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let [out, seed, ops @ ..] = args else {
        return Err("usage: rng OUT SEED OP...".into());
    };
    let mut rng = Generator::new(Pcg64::new(&SeedSequence::from_int(num(seed, "seed")?)));
    let mut file = std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?);
    for op in ops {
        for value in draw(&mut rng, op)? {
            file.write_all(&value).map_err(|e| e.to_string())?;
        }
    }
    file.flush().map_err(|e| e.to_string())?;
    let branches = rng.normal_branches();
    Ok(serde_json::json!({
        "tail": branches.tail,
        "wedge": branches.wedge,
        "wedge_rejected": branches.wedge_rejected,
    }))
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
