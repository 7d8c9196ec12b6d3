//! What the guest test programs in `src/bin` share.

pub mod native_hex;

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
