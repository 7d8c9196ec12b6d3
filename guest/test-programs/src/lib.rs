//! What the guest test programs in `src/bin` share.

pub mod sdk_cases;

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
