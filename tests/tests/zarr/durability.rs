//! When a plugin's writes reach the store: `flush` stores the dirty chunks (a second map opened
//! after it reads them, one opened before the flush does not see them); the end of the plugin
//! stores what it wrote, even when it is stopped by its time limit (a trap); mode `c` never changes
//! the store.

use crate::both;
use crate::lake::{Lake, Where};

/// An (8, 8) float64 array of zeros in (4, 4) chunks, with no chunk stored.
const PREPARE: &str = r#"
z, top = create(place, 'd.zarr', 'f8', (8, 8), (4, 4), ['zstd'])
place.publish(top, 'd.zarr')
print(json.dumps(place.names('d.zarr')))
"#;

fn flush_stores_dirty_chunks_and_the_end_of_a_trapped_plugin_stores_the_rest(at: Where) {
    let lake = Lake::new(at);
    assert_eq!(lake.oracle_json(PREPARE, &[]), serde_json::json!(["zarr.json"]));
    let steps = [
        "a = zarr.open_array('/lake/d.zarr', mode='r+'); a[0:2, 0:2] = 5.0",
        "out = float(zarr.open_array('/lake/d.zarr', mode='r')[1, 1])",
        "a.flush()",
        "out = float(zarr.open_array('/lake/d.zarr', mode='r')[1, 1])",
        "a[6, 6] = 9.0",
        // Stopped by --timeout: a trap. The teardown flushes what the plugin still holds.
        "while True: pass",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &["--timeout", "3"], &[]);
    assert_ne!(ran.code, Some(0), "the endless loop must be stopped: {ran:?}");
    assert!(ran.stderr.contains("--timeout"), "{}", ran.stderr);
    let lines: Vec<serde_json::Value> = ran.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5, "{}", ran.stdout);
    assert!(lines.iter().all(|l| l["error"].is_null()), "{}", ran.stdout);
    assert_eq!(lines[1]["out"], 0.0, "a map opened before the flush read the unflushed chunk from the store");
    assert_eq!(lines[3]["out"], 5.0, "a map opened after the flush must read the stored chunk");

    let check = r#"
want = np.zeros((8, 8)); want[0:2, 0:2] = 5.0; want[6, 6] = 9.0
print(json.dumps([bits(place.open('d.zarr')[...]) == bits(want), place.names('d.zarr')]))
"#;
    // Chunks (0, 0) and (1, 1) were written; the other two were never touched and stay absent.
    assert_eq!(lake.oracle_json(check, &[]), serde_json::json!([true, ["c/0/0", "c/1/1", "zarr.json"]]));
}
both!(flush_and_trap, flush_stores_dirty_chunks_and_the_end_of_a_trapped_plugin_stores_the_rest);

fn mode_c_keeps_changed_chunks_private(at: Where) {
    let lake = Lake::new(at);
    lake.oracle(
        r#"
z, top = create(place, 'c.zarr', 'i2', (8, 8), (4, 4), ['crc32c'])
z[...] = np.arange(64, dtype='i2').reshape(8, 8)
place.publish(top, 'c.zarr')
"#,
        &[],
    );
    let before = lake.snapshot("c.zarr");
    let steps = [
        "a = zarr.open_array('/lake/c.zarr', mode='c'); a[...] = -7; a[::-3, 1] = 3",
        "a.flush(); out = [int(a[7, 1]), int(a[0, 0]), int(a.sum())]",
        "del a",
        "out = int(zarr.open_array('/lake/c.zarr', mode='r')[0, 0])",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &[], &[]).ok();
    let lines: Vec<serde_json::Value> = ran.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().all(|l| l["error"].is_null()), "{}", ran.stdout);
    // The map itself sees its writes: 3 in rows 7, 4, 1 of column 1, -7 elsewhere.
    assert_eq!(lines[1]["out"], serde_json::json!([3, -7, 3 * 3 - 7 * 61]));
    assert_eq!(lines[3]["out"], 0, "another map reads the store, unchanged");
    assert_eq!(lake.snapshot("c.zarr"), before, "mode c changed the store");
}
both!(mode_c, mode_c_keeps_changed_chunks_private);
