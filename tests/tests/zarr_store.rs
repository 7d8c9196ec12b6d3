//! Where Zarr arrays live: the stores a plugin's locations resolve to (`MemmapCtx::zarr_storage`),
//! driven through zarrs' own array code. zarr-python is the oracle of what is written on a
//! directory; moto's local S3 server (`wasm_memmap_tests::s3`) stands in for S3.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasm_memmap_host::{ErrorCode, FsPerms, GrantRefusal, MemmapCtx, MemmapCtxBuilder};
use wasm_memmap_tests::numpy;
use wasm_memmap_tests::s3::{S3Server, env_for, in_child, rerun_with_env};
use zarrs::array::codec::ZstdCodec;
use zarrs::array::{Array, ArrayBuilder, ArraySubset, data_type};
use zarrs_storage::{Bytes, ReadableWritableListableStorage, StoreKey, StorePrefix};

fn dir_ctx(dir: &std::path::Path, perms: FsPerms) -> MemmapCtx {
    MemmapCtxBuilder::new().preopened_dir(dir, "data", perms).expect("granted").build()
}

fn key(k: &str) -> StoreKey {
    StoreKey::new(k).expect("a key")
}

/// A 7x5 float64 array in 3x2 chunks (edge chunks partial), zstd-compressed, written through
/// zarrs on `storage` with the values `i * 0.5 - 3` in C order.
fn write_array(
    storage: &ReadableWritableListableStorage,
    node: &str,
) -> Array<dyn zarrs_storage::ReadableWritableListableStorageTraits> {
    let array = ArrayBuilder::new(vec![7, 5], vec![3, 2], data_type::float64(), 0.0f64)
        .bytes_to_bytes_codecs(vec![Arc::new(ZstdCodec::new(3, false))])
        .build(Arc::clone(storage), node)
        .expect("an array");
    array.store_metadata().expect("metadata stored");
    let values: Vec<f64> = (0..35u32).map(|i| f64::from(i) * 0.5 - 3.0).collect();
    array.store_array_subset(&ArraySubset::new_with_ranges(&[0..7, 0..5]), values).expect("stored");
    array
}

/// What zarrs writes on a granted directory, zarr-python reads back equal to numpy's own values;
/// what zarr-python writes (with chunks left unwritten), zarrs reads back through the store.
#[test]
fn zarr_python_reads_what_the_directory_store_holds_and_back() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ctx = dir_ctx(tmp.path(), FsPerms::ReadWrite);
    let (storage, node) = ctx.zarr_storage("data/a.zarr").expect("resolved");
    assert_eq!(node, "/a.zarr");
    write_array(&storage, &node);
    let path = tmp.path().join("a.zarr");
    let equal = numpy::run(
        "import zarr\na = zarr.open_array(sys.argv[1], mode='r')\nprint(a.chunks, np.array_equal(a[...], np.arange(35).reshape(7, 5) * 0.5 - 3))",
        &[path.to_str().expect("utf-8")],
    );
    assert_eq!(equal.trim(), "(3, 2) True");

    // zarr-python writes rows 0..3 only: the other chunks are absent and read as the fill value.
    let theirs = tmp.path().join("b.zarr");
    let expected = numpy::run(
        "import zarr\nb = zarr.create_array(sys.argv[1], shape=(6, 4), chunks=(3, 2), dtype='int32', fill_value=-1)\nb[:3] = np.arange(12, dtype='int32').reshape(3, 4) * 7\nprint(' '.join(str(v) for v in b[...].ravel()))",
        &[theirs.to_str().expect("utf-8")],
    );
    let (storage, node) = ctx.zarr_storage("data/b.zarr").expect("resolved");
    let array = Array::open(storage, &node).expect("zarr-python's array");
    let ours: Vec<i32> = array.retrieve_array_subset(&ArraySubset::new_with_ranges(&[0..6, 0..4])).expect("read");
    let expected: Vec<i32> = expected.split_whitespace().map(|v| v.parse().expect("an int")).collect();
    assert_eq!(ours, expected);
}

/// A symbolic link a plugin planted (through its own WASI grant) leading out of the granted
/// directory, as the array's directory or inside it, is refused with the file paths' message,
/// and nothing outside is read or written; so is `..` past the grant.
#[test]
fn symbolic_links_and_parent_names_out_of_the_grant_are_refused() {
    let outside = tempfile::tempdir().expect("tmp");
    let tmp = tempfile::tempdir().expect("tmp");
    std::os::unix::fs::symlink(outside.path(), tmp.path().join("evil.zarr")).expect("symlink");
    let ctx = dir_ctx(tmp.path(), FsPerms::ReadWrite);
    let err = ctx.zarr_storage("data/evil.zarr").err().expect("refused");
    assert_eq!(err.code(), ErrorCode::AccessDenied);
    assert_eq!(err.grant(), Some(GrantRefusal::LeadsOutside));
    assert_eq!(err.message(), "path 'data/evil.zarr' leads outside its granted directory 'data'");
    let err = ctx.zarr_storage("data/../a.zarr").err().expect("refused");
    assert_eq!(err.message(), "path 'data/../a.zarr' leads outside its granted directory 'data'");

    // A real array whose chunk directory is replaced by a link out of the grant.
    let (storage, node) = ctx.zarr_storage("data/a.zarr").expect("resolved");
    let array = write_array(&storage, &node);
    std::fs::remove_dir_all(tmp.path().join("a.zarr/c")).expect("rm");
    std::os::unix::fs::symlink(outside.path(), tmp.path().join("a.zarr/c")).expect("symlink");
    std::fs::create_dir_all(outside.path().join("0")).expect("mkdir");
    std::fs::write(outside.path().join("0/0"), b"secret").expect("write");
    let err = storage.get(&key("a.zarr/c/0/0")).expect_err("refused");
    assert_eq!(err.to_string(), "path 'data/a.zarr/c/0/0' leads outside its granted directory 'data'");
    assert!(array.retrieve_chunk::<Vec<f64>>(&[0, 0]).is_err());
    assert!(array.store_chunk(&[1, 1], vec![1.0f64; 6]).is_err());
    assert!(!outside.path().join("1").exists(), "a chunk was written outside the grant");
}

/// get, set, ranges, listings and erasures against a local S3 server, beneath the granted prefix
/// only; zarrs' own array code over it; a read-only grant refuses writes.
#[test]
fn s3_round_trip() {
    if !in_child() {
        let s3 = S3Server::start();
        let mut env = s3.env();
        env.push(("TEST_BUCKET".into(), s3.bucket().into()));
        rerun_with_env("s3_round_trip", &env);
        return;
    }
    let bucket = std::env::var("TEST_BUCKET").expect("the bucket");
    let ctx = MemmapCtxBuilder::new()
        .preopened_store(&format!("s3://{bucket}/p"), None, FsPerms::ReadWrite)
        .expect("granted")
        .preopened_store(&format!("s3://{bucket}/p"), Some("/ro"), FsPerms::ReadOnly)
        .expect("granted")
        .preopened_store(&format!("s3://{bucket}/other"), Some("/other"), FsPerms::ReadWrite)
        .expect("granted")
        .build();
    let (storage, node) = ctx.zarr_storage(&format!("s3://{bucket}/p/a.zarr")).expect("resolved");
    assert_eq!(node, "/a.zarr");
    // zarrs_storage's conformance checks (they erase the prefix's root first: the grant's).
    let (other, _) = ctx.zarr_storage("/other/x").expect("resolved");
    other.set(&key("kept"), Bytes::from_static(b"other prefix")).expect("set");
    zarrs_storage::store_test::store_write(&storage).expect("write");
    zarrs_storage::store_test::store_read(&storage).expect("read");
    zarrs_storage::store_test::store_list(&storage).expect("list");
    zarrs_storage::store_test::store_list_size(&storage).expect("size");
    assert_eq!(other.get(&key("kept")).expect("read"), Some(Bytes::from_static(b"other prefix")));

    let array = write_array(&storage, &node);
    let values: Vec<f64> = array.retrieve_array_subset(&ArraySubset::new_with_ranges(&[0..7, 0..5])).expect("read");
    let expected: Vec<f64> = (0..35u32).map(|i| f64::from(i) * 0.5 - 3.0).collect();
    assert_eq!(values, expected);
    assert!(storage.get(&key("a.zarr/c/2/2")).expect("read").is_some());
    let chunks = storage.list_prefix(&StorePrefix::new("a.zarr/c/").expect("prefix")).expect("list");
    assert_eq!(chunks.len(), 9);

    let (read_only, _) = ctx.zarr_storage("/ro/a.zarr").expect("resolved");
    assert_eq!(
        read_only.get(&key("a.zarr/zarr.json")).expect("read"),
        storage.get(&key("a.zarr/zarr.json")).expect("read")
    );
    let err = read_only.set(&key("a.zarr/c/0/0"), Bytes::new()).expect_err("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "key 'a.zarr/c/0/0' is in the read-only store grant 's3://{bucket}/p'; writing it needs a read-write grant"
        )
    );
    assert!(read_only.erase_prefix(&StorePrefix::new("a.zarr/").expect("prefix")).is_err());

    // A 2 MiB zarr.json (another writer of the bucket can put one) is refused from the size S3
    // announces, over the 1 MiB metadata bound, with `io` naming the key, its size and the store.
    storage.set(&key("a.zarr/zarr.json"), Bytes::from(vec![b' '; 2 << 20])).expect("set");
    let err = storage.get(&key("a.zarr/zarr.json")).expect_err("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "metadata 'a.zarr/zarr.json' in s3://{bucket}/p is 2097152 bytes, over the 1048576 bytes Zarr metadata may \
             take: it is not an array's metadata"
        )
    );
    assert!(Array::open(Arc::clone(&storage), &node).is_err());

    storage.erase_prefix(&StorePrefix::new("a.zarr/").expect("prefix")).expect("erased");
    assert_eq!(storage.get(&key("a.zarr/zarr.json")).expect("read"), None);
    assert!(other.get(&key("kept")).expect("read").is_some());
}

/// A store that accepts connections and never answers: each request gives up at the run's
/// deadline with `io` naming the key and the store, instead of hanging the plugin.
#[test]
fn a_store_that_does_not_answer_fails_at_the_deadline() {
    if !in_child() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let endpoint = format!("http://{}", silent.local_addr().expect("address"));
        rerun_with_env("a_store_that_does_not_answer_fails_at_the_deadline", &env_for(&endpoint));
        drop(silent);
        return;
    }
    let start = Instant::now();
    let ctx = MemmapCtxBuilder::new()
        .preopened_store("s3://bkt/p", None, FsPerms::ReadWrite)
        .expect("granted")
        .deadline(start + Duration::from_secs(2))
        .build();
    let (storage, node) = ctx.zarr_storage("s3://bkt/p/a.zarr").expect("resolved");
    let err = storage.get(&key("a.zarr/zarr.json")).expect_err("no answer");
    assert_eq!(
        err.to_string(),
        "reading metadata 'a.zarr/zarr.json' from s3://bkt/p failed: the store did not answer before the run's deadline"
    );
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(1500) && elapsed < Duration::from_secs(6), "{elapsed:?}");
    // zarrs' own open gives up too, at once now that the deadline has passed.
    assert!(Array::open(storage, &node).is_err());
    assert!(start.elapsed() < Duration::from_secs(6));
}

/// Only `s3://bucket[/prefix]` can be granted.
#[test]
fn store_urls_other_than_s3_buckets_are_refused() {
    let refused =
        |url: &str| MemmapCtxBuilder::new().preopened_store(url, None, FsPerms::ReadOnly).err().expect("refused");
    let err = refused("gs://bkt/p");
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    assert_eq!(
        err.message(),
        "store 'gs://bkt/p' is not an S3 URL: a store is granted as 's3://bucket' or 's3://bucket/prefix'"
    );
    for (url, says) in [
        ("/data", "is not an S3 URL"),
        ("s3:/bkt", "is not an S3 URL"),
        ("s3://", "names the bucket ''"),
        ("s3://My_Bucket/p", "names the bucket 'My_Bucket'"),
        ("s3://bkt/../p", "has the name '..' in its prefix"),
        ("s3://bkt/p#x", "has a query or a fragment"),
    ] {
        let err = refused(url);
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{url}");
        assert!(err.message().contains(says), "{url}: {}", err.message());
    }
}

/// The fixture stops its server when dropped; without `moto_server` it fails, saying how to
/// install it, instead of skipping.
#[test]
fn the_s3_fixture_stops_its_server_and_fails_loudly_without_moto() {
    if in_child() {
        let refused = std::panic::catch_unwind(S3Server::start).err().expect("no moto_server: a failure");
        let message = refused.downcast_ref::<String>().expect("a message");
        assert!(message.contains("pip install 'moto[server]'"), "{message}");
        return;
    }
    let s3 = S3Server::start();
    let address = s3.endpoint().trim_start_matches("http://").to_owned();
    assert!(std::net::TcpStream::connect(&address).is_ok());
    drop(s3);
    let start = Instant::now();
    while std::net::TcpStream::connect(&address).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(10), "moto still answers on {address} after the drop");
        std::thread::sleep(Duration::from_millis(100));
    }
    let nowhere = tempfile::tempdir().expect("tmp");
    let python = nowhere.path().join("python").display().to_string();
    rerun_with_env(
        "the_s3_fixture_stops_its_server_and_fails_loudly_without_moto",
        &[("WASM_MEMMAP_PYTHON".into(), python)],
    );
}
