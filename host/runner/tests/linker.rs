//! An embedder's own host functions run beside WASI and `memmap`, and reach the embedder's state.

#![allow(clippy::unwrap_used)]

use wasm_memmap_guest_artifacts::test_programs::SELECT;
use wasm_memmap_runner::testkit::{array_from_bytes, config};
use wasm_memmap_runner::{DirGrant, FsPerms, RunState, Runner, Status};
use wasmtime::StoreContextMut;

/// The embedder's state in each run: the arguments it hands the plugin, and how often it did.
#[derive(Default)]
struct Embedder {
    args: Vec<String>,
    calls: u32,
}

#[test]
fn a_host_function_of_the_embedder_reaches_its_own_state_in_the_run() {
    // The embedder replaces WASI's `get-arguments` with its own, which answers from its state.
    let runner = Runner::<Embedder>::with_store_data(None, false)
        .unwrap()
        .with_linker(|linker| {
            linker.allow_shadowing(true);
            linker.instance("wasi:cli/environment@0.2.12")?.func_wrap(
                "get-arguments",
                |mut store: StoreContextMut<'_, RunState<Embedder>>, (): ()| {
                    let embedder = store.data_mut().data_mut();
                    embedder.calls += 1;
                    Ok((embedder.args.clone(),))
                },
            )?;
            linker.allow_shadowing(false);
            Ok(())
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.f8"), [0u8; 48]).unwrap();
    let plugin = runner.load_file(SELECT.as_ref()).unwrap();
    // The run's own arguments name no file: what the plugin does comes from the embedder's.
    let config =
        config(SELECT, &[], vec![DirGrant { host: dir.path().into(), guest: ".".into(), perms: FsPerms::ReadWrite }]);
    let args = ["select", "data.f8", "2,3", "write", "1"].map(String::from).to_vec();
    let (outcome, embedder) = runner.run_with(&plugin, &config, Embedder { args, calls: 0 }).unwrap();
    assert!(matches!(outcome.status, Status::Exited(0)), "{:?}: {}", outcome.status, outcome.stderr_text());
    assert!(embedder.calls >= 1);
    // numpy: a = np.zeros((2, 3)); a[1] = 1000 + np.arange(3)
    let values = array_from_bytes::<f64>(&std::fs::read(dir.path().join("data.f8")).unwrap());
    assert_eq!(values, [0.0, 0.0, 0.0, 1000.0, 1001.0, 1002.0]);
}
