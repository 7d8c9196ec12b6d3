//! A plugin that tries to outlast its time and fuel limits through the host rather than in its own
//! code. Each mode first writes 1.5 * k at element k of `stall.f8` (1000 float64 values, never
//! flushed: the host must write them back however the plugin is stopped), then:
//!
//! - `sleep SECONDS`: `std::thread::sleep` (a blocking WASI `monotonic-clock` pollable);
//! - `poll SECONDS`: `wasi:io/poll.poll` on a `monotonic-clock` pollable;
//! - `read-file PATH`: reads `PATH` through WASI's file API (a FIFO with no writer blocks the
//!   host's `open` until one comes);
//! - `sum PATH DTYPE SHAPE INDEX`: one `sum` of `PATH` (mode `r`, `SHAPE` as `2000000,2`) viewed
//!   by `INDEX` (Python syntax, `:, ::-1`), then prints `{"sum": value}`.
//!
//! A mode that returns prints one line of JSON.

use std::time::Duration;

use wasm_memmap_sdk::{Error, Memmap, parse_index, s};

// Only the two WASI imports a raw `poll` needs; the names and versions are WASI 0.2's, which the
// host's WASI (0.2.x) satisfies.
#[allow(unsafe_code, missing_docs, clippy::all)]
mod bindings {
    wit_bindgen::generate!({
    inline: r"
        package wasm-memmap:stall;

        world stall {
            import wasi:io/poll@0.2.0;
            import wasi:clocks/monotonic-clock@0.2.0;
        }

        package wasi:io@0.2.0 {
            interface poll {
                resource pollable {
                    ready: func() -> bool;
                    block: func();
                }
                poll: func(in: list<borrow<pollable>>) -> list<u32>;
            }
        }

        package wasi:clocks@0.2.0 {
            interface monotonic-clock {
                use wasi:io/poll@0.2.0.{pollable};
                type duration = u64;
                subscribe-duration: func(when: duration) -> pollable;
            }
        }
    ",
    world: "wasm-memmap:stall/stall",
    generate_all,
    });
}

use bindings::wasi;

fn text(e: Error) -> String {
    format!("{}: {}", wasm_memmap_sdk::code_name(e.code()), e.message())
}

/// Writes the pattern the host test checks, and keeps the map open (unflushed) while stalling.
fn write_pattern() -> Result<Memmap, String> {
    let map = Memmap::options().dtype("float64").mode("w+").shape([1000]).open("stall.f8").map_err(text)?;
    let values: Vec<f64> = (0..1000u32).map(|k| 1.5 * f64::from(k)).collect();
    map.write(s![..], &values).map_err(text)?;
    Ok(map)
}

fn seconds(arg: Option<&String>) -> Result<Duration, String> {
    let arg = arg.ok_or("missing SECONDS")?;
    arg.parse::<f64>().map(Duration::from_secs_f64).map_err(|e| format!("bad SECONDS '{arg}': {e}"))
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    match args.first().map(String::as_str) {
        Some("sleep") => {
            let _map = write_pattern()?;
            let length = seconds(args.get(1))?;
            std::thread::sleep(length);
            Ok(serde_json::json!({ "slept": length.as_secs_f64() }))
        }
        Some("poll") => {
            let _map = write_pattern()?;
            let length = seconds(args.get(1))?;
            let nanos = u64::try_from(length.as_nanos()).map_err(|e| e.to_string())?;
            let pollable = wasi::clocks::monotonic_clock::subscribe_duration(nanos);
            let ready = wasi::io::poll::poll(&[&pollable]);
            Ok(serde_json::json!({ "ready": ready }))
        }
        Some("read-file") => {
            let _map = write_pattern()?;
            let path = args.get(1).ok_or("missing PATH")?;
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read '{path}': {e}"))?;
            Ok(serde_json::json!({ "read": bytes.len() }))
        }
        Some("sum") => {
            let [_, path, dtype, shape, index] = args else {
                return Err("usage: sum PATH DTYPE SHAPE INDEX".into());
            };
            let shape: Vec<u64> = shape
                .split(',')
                .map(|d| d.trim().parse::<u64>().map_err(|e| format!("bad shape: {e}")))
                .collect::<Result<_, _>>()?;
            let map = Memmap::options().dtype(dtype.as_str()).mode("r").shape(&shape).open(path).map_err(text)?;
            let view = map.view(parse_index(index).map_err(text)?).map_err(text)?;
            Ok(serde_json::json!({ "sum": view.sum().map_err(text)? }))
        }
        _ => Err("usage: stall sleep|poll SECONDS | stall read-file PATH | stall sum PATH DTYPE SHAPE INDEX".into()),
    }
}

fn main() {
    wasm_memmap_test_programs::print_json(run);
}
