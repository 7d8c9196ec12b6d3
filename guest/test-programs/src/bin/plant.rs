//! What a hostile plugin does to poison the compile cache (issue 10, finding 1): copies a file it
//! brought into a directory it was granted to any path in its grants, creating the directories on
//! the way, as a plugin granted `$HOME` would plant `~/.cache/wasm-memmap/<hash>.cwasm`.
//!
//! `plant FROM TO`: copies FROM to TO through WASI. Prints one JSON object: the `bytes` copied.

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let [from, to] = args else {
        return Err("usage: plant FROM TO".into());
    };
    if let Some(parent) = std::path::Path::new(to).parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let bytes = std::fs::copy(from, to).map_err(|e| format!("cannot copy {from} to {to}: {e}"))?;
    Ok(serde_json::json!({ "bytes": bytes }))
}

fn main() {
    wasm_memmap_test_programs::print_json(run);
}
