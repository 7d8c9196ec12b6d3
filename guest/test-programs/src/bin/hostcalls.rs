//! The host calls made for plugins in other languages: `read-bytes` / `write-bytes`, the `format`
//! interface (numpy's `repr`/`str`) and the `random` interface (numpy's generator), through the
//! raw WIT bindings, for comparison with numpy on the same files.
//!
//! `hostcalls OPS`: OPS is a JSON list of operations, run in order; the program prints one JSON
//! list with the result of each: `{"hex": "..."}` (bytes), `{"text": "..."}`, `{"ok": true}`,
//! `{"made": n}` or `{"error": [code, message]}`. Maps and generators are numbered in the order
//! they are made. The operations:
//!
//! - `{"op": "open", "path", "dtype", "mode", "shape": [..] | null, "order"}`
//! - `{"op": "close", "map"}`
//! - `{"op": "read", "map", "index"}` (`index` in Python syntax, `"::-1, 2"`)
//! - `{"op": "write", "map", "index", "hex", "shape": [..] | null}`
//! - `{"op": "repr" | "str", "map", "index", "class", "options"}`: `format-memmap`
//! - `{"op": "repr_bytes" | "str_bytes", "dtype", "shape", "hex", "class", "options"}`: `format-bytes`
//! - `{"op": "rng", "seed": [words] | null}`
//! - `{"op": "draw", "rng", "dist", "count"}`, `{"op": "fill", "rng", "dist", "map", "index"}`
//!   (`dist`: `{"random": null}`, `{"standard_normal": null}`, `{"normal": [loc, scale]}`,
//!   `{"integers": [low, high, endpoint]}`)
//! - `{"op": "rngs", "count"}`: makes up to `count` generators and keeps them, reporting how many
//!   were made before the first refusal (`{"made": n, "error": [...]}`)
//! - `{"op": "drop_rngs"}`: drops every generator
//!
//! `options` is an object with any of numpy's print options (`precision`, `threshold`,
//! `edgeitems`, `linewidth`, `suppress`, `floatmode`, `sign`, `legacy`), numpy's defaults
//! otherwise.

use serde_json::{Value, json};
use wasm_memmap_sdk::raw::{format, random, types};
use wasm_memmap_sdk::{DType, Memmap, parse_index};
use wasm_memmap_test_programs::{hex, print_options, sdk_error, unhex, usage, wit_error};

type Outcome = Result<Value, (String, String)>;

fn str_field<'a>(op: &'a Value, key: &str) -> Result<&'a str, (String, String)> {
    op[key].as_str().ok_or_else(|| usage(&format!("missing string '{key}'")))
}

fn u64_field(op: &Value, key: &str) -> Result<u64, (String, String)> {
    op[key].as_u64().ok_or_else(|| usage(&format!("missing count '{key}'")))
}

fn shape_field(op: &Value, key: &str) -> Result<Option<Vec<u64>>, (String, String)> {
    match &op[key] {
        Value::Null => Ok(None),
        Value::Array(items) => {
            items.iter().map(|v| v.as_u64().ok_or_else(|| usage("bad shape"))).collect::<Result<_, _>>().map(Some)
        }
        _ => Err(usage("bad shape")),
    }
}

fn index_field(op: &Value) -> Result<Vec<types::Index>, (String, String)> {
    parse_index(op["index"].as_str().unwrap_or("")).map_err(sdk_error)
}

fn nth<'a, T>(items: &'a [T], op: &Value, key: &str) -> Result<&'a T, (String, String)> {
    usize::try_from(u64_field(op, key)?)
        .ok()
        .and_then(|i| items.get(i))
        .ok_or_else(|| usage(&format!("no such '{key}'")))
}

fn style(op: &str) -> format::Style {
    if op.starts_with("repr") { format::Style::Repr } else { format::Style::Str }
}

fn distribution(op: &Value) -> Result<random::Distribution, (String, String)> {
    let d = &op["dist"];
    let bad = || usage("bad dist");
    if d.get("random").is_some() {
        return Ok(random::Distribution::Random);
    }
    if d.get("standard_normal").is_some() {
        return Ok(random::Distribution::StandardNormal);
    }
    if let Some(p) = d.get("normal") {
        let (loc, scale) = (p[0].as_f64().ok_or_else(bad)?, p[1].as_f64().ok_or_else(bad)?);
        return Ok(random::Distribution::Normal(random::NormalParams { loc, scale }));
    }
    if let Some(p) = d.get("integers") {
        let (low, high) = (p[0].as_i64().ok_or_else(bad)?, p[1].as_i64().ok_or_else(bad)?);
        let endpoint = p[2].as_bool().ok_or_else(bad)?;
        return Ok(random::Distribution::Integers(random::IntegerParams { low, high, endpoint }));
    }
    Err(bad())
}

fn dtype(text: &str) -> Result<types::Dtype, (String, String)> {
    let dtype = DType::parse(text).map_err(|e| sdk_error(e.into()))?;
    Ok(dtype.into())
}

#[derive(Default)]
struct State {
    maps: Vec<Memmap>,
    rngs: Vec<random::Generator>,
}

impl State {
    fn run(&mut self, op: &Value) -> Outcome {
        let name = str_field(op, "op")?;
        match name {
            "open" => {
                let shape = shape_field(op, "shape")?;
                let mut options = Memmap::options()
                    .dtype(str_field(op, "dtype")?)
                    .mode(str_field(op, "mode")?)
                    .order(op["order"].as_str().unwrap_or("C"));
                if let Some(shape) = shape {
                    options = options.shape(shape);
                }
                self.maps.push(options.open(str_field(op, "path")?).map_err(sdk_error)?);
                Ok(json!({ "ok": true }))
            }
            "close" => {
                nth(&self.maps, op, "map")?.close().map_err(sdk_error)?;
                Ok(json!({ "ok": true }))
            }
            "read" => {
                let map = nth(&self.maps, op, "map")?;
                let bytes = map.raw().read_bytes(&index_field(op)?).map_err(wit_error)?;
                Ok(json!({ "hex": hex(&bytes) }))
            }
            "write" => {
                let map = nth(&self.maps, op, "map")?;
                let data = unhex(str_field(op, "hex")?)?;
                let shape = shape_field(op, "shape")?;
                map.raw().write_bytes(&index_field(op)?, &data, shape.as_deref()).map_err(wit_error)?;
                Ok(json!({ "ok": true }))
            }
            "repr" | "str" => {
                let map = nth(&self.maps, op, "map")?;
                let class = op["class"].as_str().unwrap_or("memmap");
                let text = format::format_memmap(
                    map.raw(),
                    &index_field(op)?,
                    style(name),
                    class,
                    print_options(&op["options"])?,
                )
                .map_err(wit_error)?;
                Ok(json!({ "text": text }))
            }
            "repr_bytes" | "str_bytes" => {
                let data = unhex(str_field(op, "hex")?)?;
                let shape = shape_field(op, "shape")?.unwrap_or_default();
                let class = op["class"].as_str().unwrap_or("array");
                let text = format::format_bytes(
                    dtype(str_field(op, "dtype")?)?,
                    &shape,
                    &data,
                    style(name),
                    class,
                    print_options(&op["options"])?,
                )
                .map_err(wit_error)?;
                Ok(json!({ "text": text }))
            }
            "rng" => {
                let seed = match &op["seed"] {
                    Value::Null => None,
                    Value::Array(words) => Some(
                        words
                            .iter()
                            .map(|w| w.as_u64().and_then(|w| u32::try_from(w).ok()).ok_or_else(|| usage("bad seed")))
                            .collect::<Result<Vec<u32>, _>>()?,
                    ),
                    _ => return Err(usage("bad seed")),
                };
                self.rngs.push(random::Generator::create(seed.as_deref()).map_err(wit_error)?);
                Ok(json!({ "ok": true }))
            }
            "draw" => {
                let rng = nth(&self.rngs, op, "rng")?;
                let bytes = rng.draw(distribution(op)?, u64_field(op, "count")?).map_err(wit_error)?;
                Ok(json!({ "hex": hex(&bytes) }))
            }
            "fill" => {
                let rng = nth(&self.rngs, op, "rng")?;
                let map = nth(&self.maps, op, "map")?;
                rng.fill(distribution(op)?, map.raw(), &index_field(op)?).map_err(wit_error)?;
                Ok(json!({ "ok": true }))
            }
            "rngs" => {
                let count = u64_field(op, "count")?;
                let mut made = 0u64;
                while made < count {
                    match random::Generator::create(Some(&[u32::try_from(made).unwrap_or(u32::MAX)])) {
                        Ok(rng) => self.rngs.push(rng),
                        Err(e) => {
                            let (code, message) = wit_error(e);
                            return Ok(json!({ "made": made, "error": [code, message] }));
                        }
                    }
                    made += 1;
                }
                Ok(json!({ "made": made }))
            }
            "drop_rngs" => {
                self.rngs.clear();
                Ok(json!({ "ok": true }))
            }
            other => Err(usage(&format!("unknown op '{other}'"))),
        }
    }
}

fn main() {
    let ops: Value = std::env::args()
        .nth(1)
        .and_then(|a| serde_json::from_str(&a).ok())
        .unwrap_or_else(|| panic!("usage: hostcalls OPS (a JSON list)"));
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
