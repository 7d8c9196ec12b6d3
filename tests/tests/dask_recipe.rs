//! The scale-out recipe, end to end on a local S3 server the test starts (`moto_server`): Dask's
//! `LocalCluster` with 2 workers runs `examples/dask/recipe.py`, one `wasm-memmap run` of the
//! workspace's `chunk_task` plugin per chunk of a Zarr array in S3, each allowed to write only its
//! chunk (`--region`); Dask sums their partial results, and the sum equals numpy's over what
//! zarr-python reads back (which must be what every task wrote). Also the demo session replayed on
//! a Zarr array in S3, read back by zarr-python bit-equal to numpy's own `mymmap`; and the recipe's
//! Python task (`examples/dask/chunk_task.py`) on a local directory.
//!
//! Run with `--nocapture` to see the per-task figures.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

#[path = "zarr/lake.rs"]
#[allow(dead_code)]
mod lake;

use std::process::Command;

use lake::{Lake, Where, cache_dir, cli, finish};
use wasm_memmap_guest_artifacts::test_programs::CHUNK_TASK;
use wasm_memmap_tests::{numpy, workspace_root};

/// 100 tasks: a (1000, 1000) float64 array in (100, 100) chunks.
const TASKS: usize = 100;

#[test]
fn dask_runs_one_sandboxed_plugin_per_chunk_and_sums_their_results_as_numpy_does() {
    let lake = Lake::new(Where::S3);
    lake.oracle(
        "z, top = create(place, 'a.zarr', 'f8', (1000, 1000), (100, 100), ['zstd'])\nplace.publish(top, 'a.zarr')",
        &[],
    );
    // Compile the plugin into the cache once, before two workers would both compile it.
    let mut warm = Command::new(cli());
    warm.arg("--cache-dir").arg(cache_dir()).arg("run").arg(CHUNK_TASK);
    finish(warm);

    let mut recipe = Command::new(numpy::python());
    recipe
        .arg(workspace_root().join("examples/dask/recipe.py"))
        .arg("--cli")
        .arg(cli())
        .arg("--cache-dir")
        .arg(cache_dir())
        .arg("--plugin")
        .arg(CHUNK_TASK)
        .args(["--store", &lake.url(), "--array", "a.zarr", "--shape", "1000,1000", "--chunks", "100,100"])
        .args(["--workers", "2", "--tasks", &TASKS.to_string(), "--", "--write"])
        .current_dir(lake.work.path())
        .envs(lake.env());
    let ran = finish(recipe).ok();
    let figures = ran.json();
    println!("Dask recipe, {TASKS} chunk tasks on 2 workers: {figures}");
    assert_eq!(figures["tasks"], TASKS);

    // Each task stored its elements' flat positions: the whole array is np.arange(a.size).
    let check = r#"
got = place.open('a.zarr')[...]
want = np.arange(got.size, dtype=np.float64).reshape(got.shape)
print(json.dumps([bits(got) == bits(want), float(want.sum()), len(place.names('a.zarr'))]))
"#;
    let oracle = lake.oracle_json(check, &[]);
    assert_eq!(oracle[0], true, "the array zarr-python reads is not what the tasks wrote");
    assert_eq!(oracle[2], TASKS + 1, "one object per chunk and zarr.json");
    let (sum, want) = (figures["sum"].as_f64().unwrap(), oracle[1].as_f64().unwrap());
    assert!((sum - want).abs() <= want.abs() * 1e-12, "Dask's sum {sum} vs numpy's {want}");
}

#[test]
fn the_demo_session_on_a_zarr_array_in_s3_reads_back_as_numpys_mymmap() {
    let lake = Lake::new(Where::S3);
    // numpy's own session writes ./mymmap (800 MB, sparse) in the work directory.
    let session = std::fs::read_to_string(workspace_root().join("examples/session.py")).unwrap();
    let transcript = numpy::run_in(&session, &["--echo"], lake.work.path());

    let mut demo = Command::new(cli());
    demo.arg("--cache-dir")
        .arg(cache_dir())
        .arg("demo")
        .args(["--store", &format!("{}::/lake", lake.url()), "--zarr", "/lake/mymmap.zarr"])
        .current_dir(lake.work.path())
        .envs(lake.env());
    let ran = finish(demo).ok();
    assert_eq!(ran.stdout, transcript, "the demo on Zarr prints numpy's session");

    // Only the 10 chunks of rows 0-4 are stored; the rest read as the fill value, 0, as numpy's
    // file holds there.
    let check = r#"
m = np.memmap('mymmap', dtype='float64', mode='r', shape=(10000, 10000))
z = place.open('mymmap.zarr')
same = z.dtype == m.dtype and z.shape == m.shape and z.chunks == (1000, 1000)
same = same and bits(z[:1000]) == bits(m[:1000]) and not m[1000:].any()
print(json.dumps([same, place.names('mymmap.zarr')]))
"#;
    let chunks: Vec<String> = (0..10).map(|j| format!("c/0/{j}")).chain(["zarr.json".to_owned()]).collect();
    assert_eq!(lake.oracle_json(check, &[]), serde_json::json!([true, chunks]));
}

#[test]
fn the_recipes_python_task_fills_each_region_with_numpys_draws_for_it() {
    // The recipe's own example task, `examples/dask/chunk_task.py`, on a local directory: 4 tasks.
    let lake = Lake::new(Where::Local);
    lake.oracle("z, top = create(place, 'a.zarr', 'f8', (40, 40), (20, 20), [])", &[]);
    let mut recipe = Command::new(numpy::python());
    recipe
        .arg(workspace_root().join("examples/dask/recipe.py"))
        .arg("--cli")
        .arg(cli())
        .arg("--cache-dir")
        .arg(cache_dir())
        .arg("--plugin")
        .arg(workspace_root().join("examples/dask/chunk_task.py"))
        .args(["--store", &lake.url(), "--array", "a.zarr", "--shape", "40,40", "--chunks", "20,20"])
        .args(["--tasks", "4", "--", "fill", "7"])
        .current_dir(lake.work.path());
    let figures = finish(recipe).ok().json();
    let check = r#"
got = place.open('a.zarr')[...]
want = np.zeros((40, 40))
for r in (0, 20):
    for c in (0, 20):
        want[r:r + 20, c:c + 20] = np.random.default_rng([7, r, c]).standard_normal((20, 20))
print(json.dumps([bits(got) == bits(want), float(want.sum())]))
"#;
    let oracle = lake.oracle_json(check, &[]);
    assert_eq!(oracle[0], true, "the regions do not hold numpy's draws");
    let (sum, want) = (figures["sum"].as_f64().unwrap(), oracle[1].as_f64().unwrap());
    assert!((sum - want).abs() <= want.abs() * 1e-12, "Dask's sum {sum} vs numpy's {want}");
}
