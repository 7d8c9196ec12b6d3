//! What the guest test programs in `src/bin` share.

pub mod sdk_cases;

use wasm_memmap_sdk::raw::format;

/// Runs a test program's body on its arguments and prints the JSON it returns, or
/// `{"error": message}` and exit status 1, so the host test reads one line of JSON either way.
pub fn print_json(run: impl FnOnce(&[String]) -> Result<serde_json::Value, String>) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => println!("{out}"),
        Err(e) => {
            println!("{}", serde_json::json!({ "error": e }));
            std::process::exit(1);
        }
    }
}

/// An operation's error as the test programs print it: `(code, message)`.
pub type OpError = (String, String);

/// A WIT error as `(code, message)`.
pub fn wit_error(e: wasm_memmap_sdk::raw::types::Error) -> OpError {
    (wasm_memmap_sdk::code_name(e.code).to_string(), e.message)
}

/// An SDK error as `(code, message)`.
pub fn sdk_error(e: wasm_memmap_sdk::Error) -> OpError {
    (wasm_memmap_sdk::code_name(e.code()).to_string(), e.message().to_string())
}

/// A mistake in the operations themselves (not a host error).
pub fn usage(what: &str) -> OpError {
    ("usage".to_string(), what.to_string())
}

/// Bytes as lowercase hex, as the host tests compare them.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex.
///
/// # Errors
/// A `usage` error for text that is not hex.
pub fn unhex(text: &str) -> Result<Vec<u8>, OpError> {
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| usage("bad hex")))
        .collect()
}

/// numpy's print options from a JSON object with any of `precision`, `threshold`, `edgeitems`,
/// `linewidth`, `suppress`, `floatmode`, `sign`, `legacy` (numpy's defaults for the rest).
///
/// # Errors
/// A `usage` error for a value numpy does not take.
pub fn print_options(o: &serde_json::Value) -> Result<format::PrintOptions, OpError> {
    let num = |key: &str, default: u64| o[key].as_u64().unwrap_or(default);
    let small = |key: &str, default: u32| u32::try_from(num(key, u64::from(default))).map_err(|_| usage(key));
    Ok(format::PrintOptions {
        precision: small("precision", 8)?,
        threshold: num("threshold", 1000),
        edgeitems: small("edgeitems", 3)?,
        linewidth: small("linewidth", 75)?,
        suppress: o["suppress"].as_bool().unwrap_or(false),
        floatmode: match o["floatmode"].as_str().unwrap_or("maxprec") {
            "fixed" => format::FloatMode::Fixed,
            "unique" => format::FloatMode::Unique,
            "maxprec" => format::FloatMode::Maxprec,
            "maxprec_equal" => format::FloatMode::MaxprecEqual,
            _ => return Err(usage("floatmode")),
        },
        sign: match o["sign"].as_str().unwrap_or("-") {
            "-" => format::Sign::Minus,
            "+" => format::Sign::Plus,
            " " => format::Sign::Space,
            _ => return Err(usage("sign")),
        },
        legacy: match o["legacy"].as_str() {
            None => format::Legacy::None,
            Some("2.1") => format::Legacy::V21,
            Some(_) => return Err(usage("legacy")),
        },
    })
}
