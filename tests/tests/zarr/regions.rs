//! Write regions (`--region 'LOCATION[START:STOP,...]'`): a write that touches a chunk outside the
//! region is `access-denied` (Python's `PermissionError`) and writes nothing, a region off the
//! chunk grid is refused when the array is opened, and two processes writing different regions of
//! one array at the same time, flushing over and over, never lose each other's data.

use std::time::{Duration, Instant};

use crate::both;
use crate::lake::{Lake, Ran, Where, wait};

fn outputs(ran: &Ran) -> Vec<serde_json::Value> {
    ran.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn writes_outside_the_region_are_refused_before_anything_is_written(at: Where) {
    let lake = Lake::new(at);
    lake.oracle("z, top = create(place, 'r.zarr', 'f8', (8, 8), (4, 4))\nplace.publish(top, 'r.zarr')", &[]);
    let steps = [
        "a = zarr.open_array('/lake/r.zarr', mode='r+'); a[0:4, :] = 1.0",
        // Each of these touches chunk row 1 (rows 4-7) as well or only: nothing of it is written,
        // not even the part inside the region.
        "a[3:5, 0] = 2.0",
        "a[4, 4] = 3.0",
        "a.put([0, 63], [4.0, 4.0])",
        "a[::-1, 2] = 5.0",
        "a.flush(); out = float(a[7, 0]) + float(a[0, 0])",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let region = "/lake/r.zarr[0:4,0:8]";
    let ran = lake.run("zarr_steps.py", &["--region", region], &[]).ok();
    let lines = outputs(&ran);
    assert!(lines[0]["error"].is_null(), "{}", ran.stdout);
    for line in &lines[1..5] {
        assert_eq!(line["error"][0], "PermissionError", "{}", ran.stdout);
        let message = line["error"][1].as_str().unwrap();
        assert!(message.contains("0:4") && message.contains("0:8"), "the message must name the region: {message}");
    }
    assert_eq!(lines[5]["out"], 1.0, "{}", ran.stdout);
    let check = "want = np.zeros((8, 8)); want[0:4] = 1.0\nprint(json.dumps([bits(place.open('r.zarr')[...]) == bits(want), place.names('r.zarr')]))";
    assert_eq!(lake.oracle_json(check, &[]), serde_json::json!([true, ["c/0/0", "c/0/1", "zarr.json"]]));

    // A region off the chunk grid is refused when the plugin opens the array, naming both.
    let steps = ["a = zarr.open_array('/lake/r.zarr', mode='r+')"];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &["--region", "/lake/r.zarr[0:3,0:8]"], &[]).ok();
    let error = &outputs(&ran)[0]["error"];
    assert_eq!(error[0], "ValueError", "{}", ran.stdout);
    let message = error[1].as_str().unwrap();
    assert!(message.contains("0:3") && message.contains('4'), "names the region and the chunk shape: {message}");
}
both!(outside_the_region, writes_outside_the_region_are_refused_before_anything_is_written);

/// Rows a writer process fills: row `ROW` of `cc.zarr`, 20 rounds of 50 elements, each round
/// reading the whole array (so the other writer's chunks are in its cache too) and flushing.
const WRITER: &[&str] = &[
    "import sys; row = int(sys.argv[2]); a = zarr.open_array('/lake/cc.zarr', mode='r+')",
    "for k in range(20):\n    a[row, k * 50:(k + 1) * 50] = [i + 1000.0 * (row + 1) for i in range(k * 50, (k + 1) * 50)]\n    a.sum()\n    a.flush()",
    "out = float(a[row].sum())",
];

fn two_processes_writing_different_regions_lose_nothing(at: Where) {
    let lake = Lake::new(at);
    lake.oracle(
        "z, top = create(place, 'cc.zarr', 'f8', (2, 1000), (1, 1000), ['zstd'])\nplace.publish(top, 'cc.zarr')",
        &[],
    );
    lake.put("writer.json", &serde_json::to_string(WRITER).unwrap());
    let start = Instant::now();
    let children: Vec<_> = (0..2)
        .map(|row| {
            let region = format!("/lake/cc.zarr[{row}:{},0:1000]", row + 1);
            lake.command("zarr_steps.py", &["--region", &region], &["writer.json", &row.to_string()])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (row, child) in children.into_iter().enumerate() {
        let ran = wait(child, &format!("writer {row}")).ok();
        assert!(outputs(&ran).iter().all(|l| l["error"].is_null()), "writer {row}: {}", ran.stdout);
    }
    assert!(start.elapsed() < Duration::from_secs(120));
    let check = r#"
want = np.arange(1000.0)[None, :] + np.array([[1000.0], [2000.0]])
got = place.open('cc.zarr')[...]
print(json.dumps([int((got != want).sum(axis=1)[0]), int((got != want).sum(axis=1)[1])]))
"#;
    assert_eq!(lake.oracle_json(check, &[]), serde_json::json!([0, 0]), "elements lost per row");
}
both!(concurrent_writers, two_processes_writing_different_regions_lose_nothing);
