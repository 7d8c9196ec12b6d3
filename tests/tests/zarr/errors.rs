//! What goes wrong in a store is an error naming the chunk and the store, never a crash or silent
//! zeros: a chunk whose CRC-32C does not match, a truncated zstd chunk, a store that does not
//! answer. The chunk-cache and transfer limits are `limit-exceeded` (Python's `MemoryError`), and a
//! small cache still reads an array larger than itself. `a[2, ::-3]` reads only the chunks of row
//! 2: every other chunk is corrupted and the read still succeeds.

use crate::both;
use crate::lake::{Lake, Ran, Where};

fn outputs(ran: &Ran) -> Vec<serde_json::Value> {
    ran.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// `k.zarr` (crc32c) and `t.zarr` (zstd), float64 (8, 8) in (4, 4) chunks of `arange`; then one
/// byte of `k.zarr`'s chunk (0, 1) is flipped and `t.zarr`'s chunk (1, 0) cut in half.
const PREPARE: &str = r#"
for name, codecs in (('k.zarr', ['crc32c']), ('t.zarr', ['zstd'])):
    z, top = create(place, name, 'f8', (8, 8), (4, 4), codecs)
    z[...] = np.arange(64.0).reshape(8, 8)
    place.publish(top, name)
chunk = bytearray(place.read('k.zarr', 'c/0/1'))
chunk[10] ^= 0x40
place.write('k.zarr', 'c/0/1', bytes(chunk))
chunk = place.read('t.zarr', 'c/1/0')
place.write('t.zarr', 'c/1/0', chunk[:len(chunk) // 2])
"#;

fn corrupt_chunks_are_io_errors_naming_chunk_and_store(at: Where) {
    let lake = Lake::new(at);
    lake.oracle(PREPARE, &[]);
    let steps = [
        "k = zarr.open_array('/lake/k.zarr', mode='r'); out = float(k[0, 3])",
        "out = float(k[0, 5])",
        "out = float(k[...].sum())",
        "t = zarr.open_array('/lake/t.zarr', mode='r'); out = float(t[7, 7])",
        "out = float(t[5, 2])",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &[], &[]).ok();
    let lines = outputs(&ran);
    assert_eq!(lines[0]["out"], 3.0, "an intact chunk reads: {}", ran.stdout);
    assert_eq!(lines[3]["out"], 63.0, "an intact chunk reads: {}", ran.stdout);
    let store = match at {
        Where::Local => "lake".to_owned(),
        Where::S3 => lake.url(),
    };
    for (i, key) in [(1, "c/0/1"), (2, "c/0/1"), (4, "c/1/0")] {
        let error = &lines[i]["error"];
        assert_eq!(error[0], "OSError", "step {i}: {}", ran.stdout);
        let message = error[1].as_str().unwrap();
        assert!(message.contains(key), "step {i}: the message must name the chunk {key}: {message}");
        assert!(message.contains(&store), "step {i}: the message must name the store {store}: {message}");
    }
}
both!(corrupt_chunks, corrupt_chunks_are_io_errors_naming_chunk_and_store);

fn a_row_with_a_negative_step_reads_only_the_chunks_of_that_row(at: Where) {
    let lake = Lake::new(at);
    // (20, 30) float64 in (4, 5) chunks with crc32c; every chunk outside chunk row 0 is then made
    // unreadable, so a read that touches one fails.
    let prepare = r#"
a = np.random.default_rng(2).standard_normal((20, 30))
np.save('a.npy', a)
z, top = create(place, 's.zarr', 'f8', a.shape, (4, 5), ['crc32c'])
z[...] = a
place.publish(top, 's.zarr')
spoiled = 0
for rel in place.names('s.zarr'):
    if rel.startswith('c/') and not rel.startswith('c/0/'):
        place.write('s.zarr', rel, b'not a chunk')
        spoiled += 1
print(json.dumps(spoiled))
"#;
    assert_eq!(lake.oracle_json(prepare, &[]), 4 * 6);
    let steps = [
        "s = zarr.open_array('/lake/s.zarr', mode='r'); np.save('/work/row.npy', np.array(s[2, ::-3]))",
        "out = float(s[4, 0])",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &[], &[]).ok();
    let lines = outputs(&ran);
    assert!(lines[0]["error"].is_null(), "{}", ran.stdout);
    // The defence's check: a chunk outside row 0 is unreadable indeed.
    assert_eq!(lines[1]["error"][0], "OSError", "{}", ran.stdout);
    let check = "print(json.dumps(bits(np.load('row.npy')) == bits(np.load('a.npy')[2, ::-3])))";
    assert_eq!(lake.oracle_json(check, &[]), true);
}
both!(reads_only_needed_chunks, a_row_with_a_negative_step_reads_only_the_chunks_of_that_row);

fn chunk_cache_and_transfer_limits_are_limit_exceeded(at: Where) {
    let lake = Lake::new(at);
    // (4, 100000) float64 in (1, 50000) chunks: 8 chunks of 400 KB, 3.2 MB in all.
    let prepare = r#"
a = np.random.default_rng(3).standard_normal((4, 100000))
z, top = create(place, 'big.zarr', 'f8', a.shape, (1, 50000), ['zstd'])
z[...] = a
place.publish(top, 'big.zarr')
print(json.dumps([float(x) for x in a.min(axis=1)] + [float(x) for x in a.max(axis=1)]))
"#;
    let extremes = lake.oracle_json(prepare, &[]);
    let steps = [
        // Reading more than the cache holds works: clean chunks are evicted.
        "b = zarr.open_array('/lake/big.zarr', mode='r'); out = [float(b[i].min()) for i in range(4)] + [float(b[i].max()) for i in range(4)]",
        // Changed chunks of mode c cannot be evicted: 8 of them exceed the cache.
        "c = zarr.open_array('/lake/big.zarr', mode='c')\nfor i in range(4):\n    c[i, ::50000] = 1.0",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &["--max-chunk-cache", "1MiB"], &[]).ok();
    let lines = outputs(&ran);
    assert!(lines[0]["error"].is_null(), "{}", ran.stdout);
    assert_eq!(lines[0]["out"], extremes, "per-row min and max through a small cache");
    assert_eq!(lines[1]["error"][0], "MemoryError", "{}", ran.stdout);
    let message = lines[1]["error"][1].as_str().unwrap();
    assert!(message.contains("1048576") && message.contains("big.zarr"), "names the limit and the array: {message}");

    // One transfer of 80 KB is more than --max-transfer 64 KiB; 8 KB is not.
    let steps = [
        "b = zarr.open_array('/lake/big.zarr', mode='r'); out = list(np.array(b[0, :1000]).shape)",
        "out = list(np.array(b[0, :10000]).shape)",
    ];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let ran = lake.run("zarr_steps.py", &["--max-transfer", "64KiB"], &[]).ok();
    let lines = outputs(&ran);
    assert_eq!(lines[0]["out"], serde_json::json!([1000]), "{}", ran.stdout);
    assert_eq!(lines[1]["error"][0], "MemoryError", "{}", ran.stdout);
}
both!(limits, chunk_cache_and_transfer_limits_are_limit_exceeded);

#[test]
fn an_unreachable_store_is_an_io_error_naming_it() {
    let lake = Lake::new(Where::S3);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let steps = ["a = zarr.open_array('/lake/a.zarr', mode='r')"];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let mut command = lake.command("zarr_steps.py", &["--timeout", "60"], &[]);
    command.env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"));
    let ran = crate::lake::finish(command).ok();
    let error = &outputs(&ran)[0]["error"];
    assert_eq!(error[0], "OSError", "{}", ran.stdout);
    assert!(error[1].as_str().unwrap().contains(&lake.url()), "names the store: {}", ran.stdout);
}

#[test]
fn a_missing_bucket_is_an_os_error_naming_the_store() {
    let lake = Lake::new(Where::S3);
    let steps = ["try:\n    zarr.open_array('/lake/a.zarr', mode='r')\nexcept OSError as e:\n    out = str(e)"];
    lake.put("steps.json", &serde_json::to_string(&steps).unwrap());
    let grant = ["--ro-store".to_owned(), "s3://no-such-bucket/p::/lake".to_owned()];
    let ran = crate::lake::finish(lake.command_with("zarr_steps.py", &grant, &[], &[])).ok();
    let line = &outputs(&ran)[0];
    assert!(line["error"].is_null(), "not an OSError: {}", ran.stdout);
    assert!(line["out"].as_str().unwrap().contains("s3://no-such-bucket/p"), "names the store: {}", ran.stdout);
}
