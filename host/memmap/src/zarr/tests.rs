//! A Zarr array behind the crate's data paths, on zarrs' in-memory store: what the store holds
//! after a write is checked against the bytes numpy would write for the same elements, and
//! against zarrs' own decoding of the chunks.

use std::ops::Range;
use std::sync::Arc;

use wasm_memmap_numpy_core::{ByteOrder, DType, Kind, Mode, Order};
use zarrs::array::ArrayMetadata;
use zarrs_storage::store::MemoryStore;
use zarrs_storage::{ReadableStorageTraits as _, ReadableWritableListableStorageTraits, StoreKey};

use super::array::{StoredArray, ZarrArray, ZarrLimits, ZarrParts};
use super::bounded::Chain;
use super::linear::Grid;
use super::open;
use crate::backing::Backing;
use crate::ctx::MemmapStats;
use crate::error::{ErrorCode, Limit};
use crate::generated::types::{Codec, Index, Slice};
use crate::layout::Layout;
use crate::meter::Meter;
use crate::reduce::{self, Reduction};

/// An array `a.zarr` of `dtype`, `shape`, `chunks` (C order, fill value `fill` or 0) in `store`,
/// opened in `mode` with a cache of `cache` bytes and an optional write region.
struct Setup<'a> {
    dtype: DType,
    shape: &'a [u64],
    chunks: &'a [u64],
    codecs: &'a [Codec],
    fill: Option<serde_json::Value>,
    mode: Mode,
    cache: u64,
    region: Option<Vec<Range<u64>>>,
    /// The context's counters (shared by every array of one plugin).
    stats: Arc<MemmapStats>,
}

impl<'a> Setup<'a> {
    fn new(dtype: DType, shape: &'a [u64], chunks: &'a [u64]) -> Self {
        Self {
            dtype,
            shape,
            chunks,
            codecs: &[],
            fill: None,
            mode: Mode::ReadWrite,
            cache: 1 << 20,
            region: None,
            stats: Arc::default(),
        }
    }

    fn open(self, store: &Arc<MemoryStore>) -> (Arc<ZarrArray>, Arc<MemmapStats>) {
        let mut json = open::metadata_json(self.dtype, self.shape, self.chunks, Order::C, self.codecs).expect("json");
        if let Some(fill) = self.fill {
            json["fill_value"] = fill;
        }
        let metadata = open::metadata(&json).expect("metadata");
        let storage: Arc<dyn ReadableWritableListableStorageTraits> = store.clone();
        let prefix = zarrs_storage::StorePrefix::new("a.zarr/").expect("prefix");
        open::write_metadata(storage.as_ref(), &prefix, &json).expect("zarr.json");
        let array = StoredArray::new_with_metadata(storage, "/a.zarr", ArrayMetadata::V3(metadata)).expect("array");
        let stats = self.stats;
        let parts = ZarrParts {
            array,
            grid: Grid::new(self.shape, self.chunks, self.dtype.kind().itemsize_u64()).expect("grid"),
            dtype: self.dtype,
            mode: self.mode,
            region: self.region,
            chain: Chain::of(&json["codecs"], "a.zarr").expect("chain"),
            store: "the test's memory store".into(),
            location: "a.zarr".into(),
            deadline: Arc::default(),
            limits: ZarrLimits { cache_bytes: self.cache, transfer_bytes: 1 << 30, total_written: 1 << 40 },
            stats: Arc::clone(&stats),
        };
        (Arc::new(ZarrArray::new(parts)), stats)
    }
}

fn f8() -> DType {
    DType::new(Kind::Float64, ByteOrder::Little)
}

fn key(name: &str) -> StoreKey {
    StoreKey::new(name).expect("key")
}

/// The chunk keys stored under `a.zarr/c/`.
fn stored_chunks(store: &MemoryStore) -> Vec<String> {
    use zarrs_storage::ListableStorageTraits as _;
    let mut keys: Vec<String> =
        store.list().expect("list").iter().map(ToString::to_string).filter(|k| k.starts_with("a.zarr/c/")).collect();
    keys.sort();
    keys
}

fn read_all(array: &Arc<ZarrArray>, len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    array.reader().expect("reader").read(0, &mut out).expect("read");
    out
}

/// An absent chunk reads as the fill value of the metadata, whatever it is.
#[test]
fn an_absent_chunk_is_the_fill_value() {
    let store = Arc::new(MemoryStore::new());
    let setup = Setup { fill: Some(serde_json::json!(1.5)), ..Setup::new(f8(), &[5, 7], &[2, 3]) };
    let (array, _) = setup.open(&store);
    let bytes = read_all(&array, 5 * 7 * 8);
    assert!(bytes.chunks_exact(8).all(|b| f64::from_le_bytes(b.try_into().expect("8")) == 1.5));
    assert!(stored_chunks(&store).is_empty(), "reading stores nothing");
}

/// A big-endian array: the elements written as a `>u2` file holds them come back unchanged, and
/// each stored chunk (no compression) is exactly the big-endian bytes of its elements in C order,
/// what `np.asarray(chunk, dtype='>u2').tobytes()` gives, the edge chunks padded with the fill value.
#[test]
fn a_big_endian_array_stores_the_bytes_numpy_writes() {
    let store = Arc::new(MemoryStore::new());
    let (shape, chunks) = ([3u64, 5], [2u64, 2]);
    let dtype = DType::new(Kind::Uint16, ByteOrder::Big);
    let (array, stats) = Setup::new(dtype, &shape, &chunks).open(&store);
    let value = |i: u64, j: u64| u16::try_from(i * 5 + j).expect("small") * 257 + 1;
    let file: Vec<u8> = (0..3).flat_map(|i| (0..5).flat_map(move |j| value(i, j).to_be_bytes())).collect();
    array.writer().expect("writer").write(0, &file).expect("write");
    assert!(stored_chunks(&store).is_empty(), "nothing stored before the flush");
    assert!(array.flush_within(None).expect("flush"));
    assert_eq!(read_all(&array, file.len()), file);
    for ci in 0..2 {
        for cj in 0..3 {
            let mut expected = Vec::new();
            for a in 0..2 {
                for b in 0..2 {
                    let (i, j) = (ci * 2 + a, cj * 2 + b);
                    let v = if i < 3 && j < 5 { value(i, j) } else { 0 };
                    expected.extend_from_slice(&v.to_be_bytes());
                }
            }
            let got = store.get(&key(&format!("a.zarr/c/{ci}/{cj}"))).expect("get").expect("stored");
            assert_eq!(&got[..], &expected[..], "chunk ({ci}, {cj})");
        }
    }
    // Six chunks of 4 elements of 2 bytes, counted as written.
    assert_eq!(stats.file_bytes_added(), 6 * 8);
}

/// With room for two chunks, touching a third drops the least recently used one, storing it
/// first because it was written: the store has it before any flush, and reading it back loads
/// the stored bytes.
#[test]
fn evicting_a_written_chunk_stores_it() {
    let store = Arc::new(MemoryStore::new());
    let setup = Setup { cache: 2 * 8 * 6, ..Setup::new(f8(), &[4, 6], &[2, 3]) };
    let (array, _) = setup.open(&store);
    let writer = array.writer().expect("writer");
    writer.write(0, &7.0f64.to_le_bytes()).expect("chunk (0, 0)");
    writer.write(3 * 8, &8.0f64.to_le_bytes()).expect("chunk (0, 1)");
    assert!(stored_chunks(&store).is_empty());
    // Element (2, 0) is in chunk (1, 0): chunk (0, 0), the oldest, goes.
    writer.write(12 * 8, &9.0f64.to_le_bytes()).expect("chunk (1, 0)");
    assert_eq!(stored_chunks(&store), ["a.zarr/c/0/0"]);
    assert_eq!(array.cached_bytes(), 2 * 8 * 6);
    let mut back = [0u8; 8];
    writer.read(0, &mut back).expect("read");
    assert_eq!(f64::from_le_bytes(back), 7.0);
    assert!(array.flush_within(None).expect("flush"));
    assert_eq!(stored_chunks(&store), ["a.zarr/c/0/0", "a.zarr/c/0/1", "a.zarr/c/1/0"]);
}

/// Mode `c`: writes are seen through the map, never stored (not by `flush`, not by eviction, not
/// by the drop); changed chunks stay in memory, and one more than the cache holds is refused
/// with `limit-exceeded` naming the chunk-cache limit.
#[test]
fn copy_on_write_never_stores_and_is_bounded_by_the_cache() {
    let store = Arc::new(MemoryStore::new());
    let setup = Setup { mode: Mode::CopyOnWrite, cache: 2 * 8 * 6, ..Setup::new(f8(), &[4, 6], &[2, 3]) };
    let (array, stats) = setup.open(&store);
    let writer = array.writer().expect("writer");
    writer.write(0, &7.0f64.to_le_bytes()).expect("chunk (0, 0)");
    writer.write(3 * 8, &8.0f64.to_le_bytes()).expect("chunk (0, 1)");
    let err = writer.write(12 * 8, &9.0f64.to_le_bytes()).expect_err("a third private chunk");
    assert_eq!((err.code(), err.limit()), (ErrorCode::LimitExceeded, Some(Limit::ChunkCacheBytes)));
    assert!(err.message().contains("copy-on-write"), "{}", err.message());
    let mut back = [0u8; 8];
    writer.read(3 * 8, &mut back).expect("read");
    assert_eq!(f64::from_le_bytes(back), 8.0);
    assert!(array.flush_within(None).expect("flush"));
    drop(array);
    assert!(stored_chunks(&store).is_empty());
    assert_eq!(stats.file_bytes_added(), 0);
}

/// A chunk whose stored bytes do not decode (a crc32c array whose chunk was overwritten) is an
/// `io` error naming the chunk's key and the store; its neighbours still read.
#[test]
fn a_malformed_chunk_is_an_io_error_naming_its_key() {
    let store = Arc::new(MemoryStore::new());
    let setup = Setup { codecs: &[Codec::Crc32c], ..Setup::new(f8(), &[4, 6], &[2, 3]) };
    let (array, _) = setup.open(&store);
    {
        use zarrs_storage::WritableStorageTraits as _;
        store.set(&key("a.zarr/c/1/1"), bytes::Bytes::from_static(b"not a chunk")).expect("set");
    }
    let reader = array.reader().expect("reader");
    let mut out = [0u8; 8];
    let err = reader.read((3 * 6 + 4) * 8, &mut out).expect_err("malformed");
    assert_eq!(err.code(), ErrorCode::Io);
    assert!(err.message().contains("'a.zarr/c/1/1'"), "{}", err.message());
    assert!(err.message().contains("the test's memory store"), "{}", err.message());
    reader.read(0, &mut out).expect("chunk (0, 0) is absent: the fill value");
    assert_eq!(out, [0; 8]);
}

/// Decompression bombs planted at chunk keys are refused from their encoded bytes, before
/// anything is decoded: a 20-byte zstd frame declaring 2^40 decoded bytes (zarrs would reserve
/// them), and 64 MiB of zeros gzipped (zarrs would inflate them all) for chunks of 1 KiB. Each is
/// an `io` error naming the chunk and the store; the process does not abort.
#[test]
fn decompression_bombs_are_refused_before_decoding() {
    use zarrs_storage::WritableStorageTraits as _;
    // A zstd frame: single segment, 8-byte content size 2^40, one empty raw last block.
    let mut frame = vec![0x28, 0xB5, 0x2F, 0xFD, 0xE0];
    frame.extend_from_slice(&(1u64 << 40).to_le_bytes());
    frame.extend_from_slice(&[0x01, 0x00, 0x00]);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        std::io::Write::write_all(&mut gzip, &zeros).expect("gzip");
    }
    let gzip = gzip.finish().expect("gzip");
    for (codec, bomb, claim) in [
        (Codec::Zstd(3), frame, "declares 1099511627776 decoded bytes (zstd),"),
        (Codec::Gzip(5), gzip, "inflates (gzip) to"),
    ] {
        let store = Arc::new(MemoryStore::new());
        let codecs = [codec];
        let setup = Setup { codecs: &codecs, ..Setup::new(f8(), &[32, 8], &[16, 8]) };
        let (array, _) = setup.open(&store);
        store.set(&key("a.zarr/c/1/0"), bytes::Bytes::from(bomb)).expect("set");
        let reader = array.reader().expect("reader");
        let mut out = [0u8; 8];
        let err = reader.read(16 * 8 * 8, &mut out).expect_err("bomb");
        assert_eq!(err.code(), ErrorCode::Io);
        assert_eq!(
            err.message(),
            format!(
                "chunk 'a.zarr/c/1/0' in the test's memory store {claim} more than the 1024 bytes of one chunk of this array"
            )
        );
        assert_eq!(array.cached_bytes(), 0, "nothing decoded was kept");
        reader.read(0, &mut out).expect("chunk (0, 0) is absent: the fill value");
    }
}

/// A write region: a selection with one element outside it is refused with `access-denied`
/// naming the region before anything is written (its first rows, inside the region, are not
/// written either); a write inside it goes through.
#[test]
fn a_write_reaching_outside_the_region_writes_nothing() {
    let store = Arc::new(MemoryStore::new());
    let setup = Setup { region: Some(vec![0..2, 0..6]), ..Setup::new(f8(), &[4, 6], &[2, 3]) };
    let (array, _) = setup.open(&store);
    let map = Backing::Zarr(Arc::clone(&array));
    let whole = Layout::contiguous(&[4, 6], 8, Order::C).expect("layout");
    let rows = |stop| Index::Slice(Slice { start: None, stop: Some(stop), step: None });
    let cols = Index::Slice(Slice { start: None, stop: Some(2), step: None });
    let selection = whole.view(&[rows(3), cols]).expect("view");
    let data: Vec<u8> = (0..6).flat_map(|k| f64::from(k + 1).to_le_bytes()).collect();
    let dtype = f8().into();
    let mut fuel = None;
    let err = crate::elements::write_bytes(&map, &selection, dtype, &data, None, &mut Meter::new(None, &mut fuel))
        .expect_err("row 2 is outside");
    assert_eq!(err.code(), ErrorCode::AccessDenied);
    assert!(err.message().contains("[0:2, 0:6]") && err.message().contains("(2, 3)"), "{}", err.message());
    assert_eq!(read_all(&array, 4 * 6 * 8), vec![0; 4 * 6 * 8], "nothing was written");
    let inside = whole.view(&[rows(2), cols]).expect("view");
    crate::elements::write_bytes(&map, &inside, dtype, &data[..32], None, &mut Meter::new(None, &mut fuel))
        .expect("inside the region");
    assert!(array.flush_within(None).expect("flush"));
    assert_eq!(stored_chunks(&store), ["a.zarr/c/0/0"]);
}

/// Reads and reductions over a Zarr array give the bytes and bits they give over a mapped file
/// of the same bytes (a strided read loads its chunks ahead in parallel; a reduction copies the
/// chunks into one buffer per stretch first), for whole arrays, strided views and reversed ones.
#[test]
fn reads_and_reductions_equal_the_mapped_files() {
    let (shape, chunks) = ([37u64, 53], [8u64, 16]);
    let store = Arc::new(MemoryStore::new());
    let (array, _) = Setup::new(f8(), &shape, &chunks).open(&store);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..37 * 53)
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = f64::from(u32::try_from(state >> 40).expect("24 bits")) / 3.0 - 1e6;
            v.to_le_bytes()
        })
        .collect();
    array.writer().expect("writer").write(0, &bytes).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("same.f8");
    std::fs::write(&path, &bytes).expect("file");
    let file = std::fs::File::options().read(true).write(true).open(&path).expect("open");
    let raw = crate::map::MappedRegion::new(&file, 0, bytes.len(), crate::map::MmapAccess::Read).expect("map");
    let mapped = Backing::File(Arc::new(crate::map::MappedFile::new(
        Some(raw),
        crate::map::MmapAccess::Read,
        file,
        u64::try_from(bytes.len()).expect("len"),
        Arc::default(),
        "same.f8".into(),
    )));
    let zarr = Backing::Zarr(array);
    let whole = Layout::contiguous(&shape, 8, Order::C).expect("layout");
    let slice = |start, stop, step| Index::Slice(Slice { start, stop, step });
    let views = [
        whole.clone(),
        whole.view(&[slice(Some(3), Some(30), Some(4)), slice(None, None, Some(-3))]).expect("view"),
        whole.view(&[slice(None, None, None), slice(Some(10), Some(11), None)]).expect("column"),
        whole.transposed(),
    ];
    for (k, layout) in views.iter().enumerate() {
        let mut fuel = None;
        let copy = |map: &Backing, fuel: &mut Option<u64>| {
            crate::elements::read_bytes(map, layout, f8().into(), &mut Meter::new(None, fuel)).expect("read")
        };
        assert_eq!(copy(&zarr, &mut fuel), copy(&mapped, &mut fuel), "view {k}");
        for op in [Reduction::Sum, Reduction::Min, Reduction::Max, Reduction::Mean] {
            let mut fuel = None;
            let want =
                reduce::reduce(&mapped, layout, f8().into(), op, &mut Meter::new(None, &mut fuel)).expect("file");
            let got = reduce::reduce(&zarr, layout, f8().into(), op, &mut Meter::new(None, &mut fuel)).expect("zarr");
            assert_eq!(got.to_bits(), want.to_bits(), "view {k}, {op:?}");
        }
    }
}

/// A handle of the array `a.zarr`: the map `open-zarr` gives, over the whole array.
fn handle(array: &Arc<ZarrArray>, shape: &[u64]) -> crate::Memmap {
    let origin = Arc::new(crate::handle::FileOrigin {
        path: "a.zarr".into(),
        dtype: f8().into(),
        mode: crate::generated::types::Mode::ReadWrite,
        offset: 0,
        order: crate::generated::types::Order::C,
    });
    let whole = Layout::contiguous(shape, 8, Order::C).expect("layout");
    crate::Memmap::new(Backing::Zarr(Arc::clone(array)), origin, whole)
}

/// `a[i] = v` through a temporary view, ten times: the views' drops store nothing (before, each
/// stored the changed chunk again, and counted it again as bytes written); the flush stores the
/// chunk once and counts its bytes once; a flush with nothing changed stores nothing, and the drop
/// of the last handle neither.
#[test]
fn dropping_views_stores_nothing_and_a_chunk_is_stored_once() {
    let store = Arc::new(MemoryStore::new());
    let (array, stats) = Setup::new(f8(), &[4, 6], &[2, 3]).open(&store);
    let map = handle(&array, &[4, 6]);
    for i in 0..10u32 {
        let view = map.with_layout(map.layout().transposed());
        view.map().writer().expect("writer").write(0, &f64::from(i).to_le_bytes()).expect("write");
        drop(view);
    }
    assert!(stored_chunks(&store).is_empty(), "a view's drop stores nothing");
    assert_eq!(stats.file_bytes_added(), 0);
    assert!(array.flush_within(None).expect("flush"));
    assert_eq!(stored_chunks(&store), ["a.zarr/c/0/0"]);
    // One chunk of 2 x 3 elements of 8 bytes.
    assert_eq!(stats.file_bytes_added(), 2 * 3 * 8);
    assert!(array.flush_within(None).expect("nothing to flush"));
    drop(map);
    drop(array);
    assert_eq!(stats.file_bytes_added(), 2 * 3 * 8, "stored once");
    assert_eq!(stats.flushes(), 1);
}

/// A flush that runs out of time (a deadline already past) with changed chunks is `io` saying
/// how many chunks of which array in which store were not stored, with the first keys; it is not
/// counted as a flush left to the background. The drop of the array then loses them: counted in
/// `zarr_chunks_lost`, nothing stored.
#[test]
fn a_flush_out_of_time_is_an_error_and_the_drop_counts_the_lost_chunks() {
    let store = Arc::new(MemoryStore::new());
    let (array, stats) = Setup::new(f8(), &[4, 6], &[2, 3]).open(&store);
    array.writer().expect("writer").write(0, &[1u8; 4 * 6 * 8]).expect("every chunk");
    let past = std::time::Instant::now().checked_sub(std::time::Duration::from_secs(1)).expect("a second ago");
    let err = array.flush_within(Some(past)).expect_err("out of time");
    assert_eq!(err.code(), ErrorCode::Io);
    assert_eq!(
        err.message(),
        "4 changed chunks of 'a.zarr' in the test's memory store were not stored before the deadline: 'a.zarr/c/0/0', 'a.zarr/c/0/1', 'a.zarr/c/1/0', ..."
    );
    let err = array.flush_until(past).expect_err("the teardown, out of time");
    assert_eq!(err.code(), ErrorCode::Io);
    let err = array.close_within(Some(past)).expect_err("close, out of time");
    assert_eq!(err.code(), ErrorCode::Io);
    assert_eq!((stats.background_flushes(), stats.zarr_chunks_lost()), (0, 0), "not lost while the array lives");
    drop(array);
    assert_eq!(stats.zarr_chunks_lost(), 4);
    assert_eq!(stats.background_flushes(), 0);
    assert!(stored_chunks(&store).is_empty());
}

/// The chunk-cache limit bounds the plugin, not each array: two mode `c` maps of the same array
/// pin their changed chunks against one count, and the second is refused once the two together
/// pass the limit; the first one's drop gives its bytes back.
#[test]
fn the_chunk_cache_limit_bounds_all_the_arrays_together() {
    let store = Arc::new(MemoryStore::new());
    let stats = Arc::new(MemmapStats::default());
    let chunk = 2 * 3 * 8;
    let open = || {
        let setup = Setup {
            mode: Mode::CopyOnWrite,
            cache: 3 * chunk,
            stats: Arc::clone(&stats),
            ..Setup::new(f8(), &[4, 6], &[2, 3])
        };
        setup.open(&store).0
    };
    let (a, b) = (open(), open());
    a.writer().expect("writer").write(0, &1.0f64.to_le_bytes()).expect("chunk (0, 0) of a");
    a.writer().expect("writer").write(3 * 8, &1.0f64.to_le_bytes()).expect("chunk (0, 1) of a");
    b.writer().expect("writer").write(0, &2.0f64.to_le_bytes()).expect("chunk (0, 0) of b");
    assert_eq!(stats.chunk_cache_bytes(), 3 * chunk);
    let err = b.writer().expect("writer").write(3 * 8, &2.0f64.to_le_bytes()).expect_err("a fourth chunk");
    assert_eq!((err.code(), err.limit()), (ErrorCode::LimitExceeded, Some(Limit::ChunkCacheBytes)));
    assert!(err.message().contains("all this plugin's Zarr arrays together"), "{}", err.message());
    assert_eq!(stats.chunk_cache_bytes(), 3 * chunk);
    drop(a);
    assert_eq!(stats.chunk_cache_bytes(), chunk);
    b.writer().expect("writer").write(3 * 8, &2.0f64.to_le_bytes()).expect("room now");
    drop(b);
    assert_eq!(stats.chunk_cache_bytes(), 0);
    assert!(stats.chunk_cache_peak_bytes() <= 3 * chunk);
}

/// Loading ahead takes only what the limit leaves free: with two chunks pinned by a mode `c` map,
/// reads of a second array over all its 16 chunks (whole, and strided) never hold more than the
/// limit at once, and still read the fill value everywhere.
#[test]
fn loading_ahead_never_holds_more_than_the_limit() {
    let store = Arc::new(MemoryStore::new());
    let stats = Arc::new(MemmapStats::default());
    let chunk = 2 * 3 * 8;
    let (shape, chunks) = ([8u64, 12], [2u64, 3]);
    let setup = |mode| Setup { mode, cache: 5 * chunk, stats: Arc::clone(&stats), ..Setup::new(f8(), &shape, &chunks) };
    let pinned = setup(Mode::CopyOnWrite).open(&store).0;
    pinned.writer().expect("writer").write(0, &1.0f64.to_le_bytes()).expect("chunk 0");
    pinned.writer().expect("writer").write(3 * 8, &1.0f64.to_le_bytes()).expect("chunk 1");
    let array = setup(Mode::ReadOnly).open(&store).0;
    assert_eq!(read_all(&array, 8 * 12 * 8), vec![0; 8 * 12 * 8]);
    let whole = Layout::contiguous(&shape, 8, Order::C).expect("layout");
    let strided = whole
        .view(&[
            Index::Slice(Slice { start: None, stop: None, step: Some(-1) }),
            Index::Slice(Slice { start: None, stop: None, step: Some(2) }),
        ])
        .expect("view");
    let mut fuel = None;
    let bytes = crate::elements::read_bytes(
        &Backing::Zarr(Arc::clone(&array)),
        &strided,
        f8().into(),
        &mut Meter::new(None, &mut fuel),
    )
    .expect("read");
    assert_eq!(bytes, vec![0; 8 * 6 * 8]);
    assert!(stats.chunk_cache_peak_bytes() <= 5 * chunk, "peak {}", stats.chunk_cache_peak_bytes());
    assert!(stats.chunk_cache_peak_bytes() > 2 * chunk, "the reads loaded chunks");
}

mod through_a_directory_grant {
    use wasmtime_wasi::FsPerms;

    use super::*;
    use crate::MemmapCtxBuilder;
    use crate::generated::types::{self, Dtype};
    use crate::zarr::open::{CreateArgs, create_zarr, open_zarr};

    /// Writes `data` over the whole of `map` (float64, C order), unmetered.
    fn write_all(map: &crate::Memmap, data: &[u8]) -> Result<(), crate::Error> {
        let mut fuel = None;
        crate::elements::write_bytes(map.map(), map.layout(), f8().into(), data, None, &mut Meter::new(None, &mut fuel))
    }

    /// The bytes of the whole of `map` (float64, C order), unmetered.
    fn read_all_bytes(map: &crate::Memmap) -> Result<Vec<u8>, crate::Error> {
        let mut fuel = None;
        crate::elements::read_bytes(map.map(), map.layout(), f8().into(), &mut Meter::new(None, &mut fuel))
    }

    fn create(ctx: &mut crate::MemmapCtx, location: &str, chunks: Vec<u64>) -> Result<crate::Memmap, crate::Error> {
        let dtype: Dtype = f8().into();
        let args = CreateArgs {
            location: location.into(),
            dtype,
            shape: vec![4, 6],
            chunks,
            order: types::Order::C,
            codecs: vec![Codec::Zstd(3)],
        };
        create_zarr(ctx, args)
    }

    /// `create-zarr` makes `zarr.json` at once and the chunks when the handle goes; `open-zarr`
    /// reads them back, reports the chunk shape, and refuses what zarr-python would.
    #[test]
    fn create_write_drop_and_open_again() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut ctx =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), "data", FsPerms::ReadWrite).expect("grant").build();
        let map = create(&mut ctx, "data/a.zarr", vec![2, 3]).expect("created");
        assert!(tmp.path().join("a.zarr/zarr.json").is_file());
        assert_eq!(map.map().zarr().map(|a| a.chunk_shape().to_vec()), Some(vec![2, 3]));
        let data: Vec<u8> = (0..24).flat_map(|k| f64::from(k).to_le_bytes()).collect();
        write_all(&map, &data).expect("write");
        assert!(!tmp.path().join("a.zarr/c/0/0").exists(), "stored only when flushed");
        drop(map);
        // Chunk (0, 0) holds 0.0 too but not only: all six are stored.
        for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            assert!(tmp.path().join(format!("a.zarr/c/{i}/{j}")).is_file(), "chunk ({i}, {j})");
        }
        let map = open_zarr(&mut ctx, "data/a.zarr".into(), types::Mode::ReadOnly).expect("opened");
        let bytes = read_all_bytes(&map).expect("read");
        assert_eq!(bytes, data);
        assert_eq!(map.shape(), [4, 6]);
        let err = write_all(&map, &data).expect_err("read-only");
        assert_eq!(err.code(), ErrorCode::ReadOnly);

        let missing = open_zarr(&mut ctx, "data/b.zarr".into(), types::Mode::ReadOnly).expect_err("absent");
        assert_eq!(missing.code(), ErrorCode::NotFound);
        let w = open_zarr(&mut ctx, "data/a.zarr".into(), types::Mode::Write).expect_err("w+");
        assert_eq!(w.code(), ErrorCode::InvalidArgument);
        assert!(w.message().contains("create-zarr"), "{}", w.message());
        let too_many = create(&mut ctx, "data/c.zarr", vec![2, 3, 4]).expect_err("3 chunk lengths");
        assert_eq!(too_many.message(), "too many dimensions in chunks");
        let zero = create(&mut ctx, "data/c.zarr", vec![2, 0]).expect_err("zero");
        assert_eq!(zero.code(), ErrorCode::InvalidArgument);
        assert!(!tmp.path().join("c.zarr").exists(), "nothing made for refused arguments");
    }

    /// A chunk object larger than any this array's codecs can write (a 2x3 float64 chunk is 48
    /// bytes; zstd can make at most 48 bytes plus its framing) is refused before it is read into
    /// memory, as an `io` error naming it: it was planted, not stored by this array.
    #[test]
    fn a_chunk_larger_than_its_codecs_can_make_is_refused_before_reading() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut ctx =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), "data", FsPerms::ReadWrite).expect("grant").build();
        drop(create(&mut ctx, "data/a.zarr", vec![2, 3]).expect("created"));
        std::fs::create_dir_all(tmp.path().join("a.zarr/c/0")).expect("dirs");
        let planted = std::fs::File::create(tmp.path().join("a.zarr/c/0/0")).expect("plant");
        planted.set_len(1 << 20).expect("1 MiB");
        let map = open_zarr(&mut ctx, "data/a.zarr".into(), types::Mode::ReadOnly).expect("opened");
        let err = read_all_bytes(&map).expect_err("planted");
        assert_eq!(err.code(), ErrorCode::Io);
        assert!(
            err.message().contains("'a.zarr/c/0/0'") && err.message().contains("1048576 bytes"),
            "{}",
            err.message()
        );
    }

    /// `create-zarr` over an existing array erases it: its old chunks do not show through.
    #[test]
    fn create_erases_what_was_there() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut ctx =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), "data", FsPerms::ReadWrite).expect("grant").build();
        let map = create(&mut ctx, "data/a.zarr", vec![2, 3]).expect("created");
        let ones: Vec<u8> = (0..24).flat_map(|_| 1.0f64.to_le_bytes()).collect();
        write_all(&map, &ones).expect("write");
        drop(map);
        let map = create(&mut ctx, "data/a.zarr", vec![2, 3]).expect("created again");
        let bytes = read_all_bytes(&map).expect("read");
        assert_eq!(bytes, vec![0; 24 * 8]);
        assert!(!tmp.path().join("a.zarr/c").exists());
    }

    /// The array `a.zarr` (chunks of shape (2, 3)) with every chunk stored, in a directory
    /// granted as `.`, and a context whose plugin may write it only inside rows 0:2.
    fn regioned_array() -> (tempfile::TempDir, crate::MemmapCtx, Vec<(String, Vec<u8>)>) {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut ctx =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), ".", FsPerms::ReadWrite).expect("grant").build();
        let map = create(&mut ctx, "a.zarr", vec![2, 3]).expect("created");
        let ones: Vec<u8> = (0..24).flat_map(|_| 1.0f64.to_le_bytes()).collect();
        write_all(&map, &ones).expect("write");
        drop(map);
        let files: Vec<(String, Vec<u8>)> = ["zarr.json", "c/0/0", "c/0/1", "c/1/0", "c/1/1"]
            .iter()
            .map(|k| (k.to_string(), std::fs::read(tmp.path().join("a.zarr").join(k)).expect("stored")))
            .collect();
        let ctx = MemmapCtxBuilder::new()
            .preopened_dir(tmp.path(), ".", FsPerms::ReadWrite)
            .expect("grant")
            .write_region("a.zarr", vec![0..2, 0..6])
            .expect("region")
            .build();
        (tmp, ctx, files)
    }

    fn unchanged(tmp: &tempfile::TempDir, files: &[(String, Vec<u8>)]) {
        for (name, bytes) in files {
            let now = std::fs::read(tmp.path().join("a.zarr").join(name)).expect("still there");
            assert_eq!(&now, bytes, "{name}");
        }
    }

    /// `create-zarr` at an array given a write region, inside it (by name or through a symbolic
    /// link) or at a directory holding it (the grant's root) is refused, naming the region, and
    /// the array's chunks stay as they were.
    #[test]
    fn create_zarr_cannot_replace_or_erase_a_regioned_array() {
        let (tmp, mut ctx, files) = regioned_array();
        std::os::unix::fs::symlink("a.zarr/c", tmp.path().join("link.zarr")).expect("symlink");
        for location in ["a.zarr", "./a.zarr/", "a.zarr/c", "a.zarr/c/new.zarr", "link.zarr", ".", "sub/.."] {
            let err = create(&mut ctx, location, vec![2, 3]).expect_err(location);
            assert_eq!(err.code(), ErrorCode::AccessDenied, "{location}: {}", err.message());
            assert!(err.message().contains("'a.zarr'") && err.message().contains("[0:2, 0:6]"), "{}", err.message());
            unchanged(&tmp, &files);
        }
        create(&mut ctx, "b.zarr", vec![2, 3]).expect("no region there");
        unchanged(&tmp, &files);
    }

    /// `create-zarr` at a grant's root erases the keys of a Zarr array there, not the rest of the
    /// grant.
    #[test]
    fn create_zarr_at_a_grant_root_keeps_the_rest_of_the_grant() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join("keep.npy"), b"kept").expect("file");
        let mut ctx =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), ".", FsPerms::ReadWrite).expect("grant").build();
        drop(create(&mut ctx, ".", vec![2, 3]).expect("created"));
        drop(create(&mut ctx, ".", vec![2, 3]).expect("created again"));
        assert_eq!(std::fs::read(tmp.path().join("keep.npy")).expect("kept"), b"kept");
    }

    /// A file opened for writing beneath an array given a write region (a chunk, its zarr.json,
    /// a new file, a symbolic link to a chunk) is refused, naming the region; reading is not.
    #[test]
    fn files_beneath_a_regioned_array_cannot_be_opened_for_writing() {
        use crate::open::{OpenArgs, create_npy, open};
        let (tmp, mut ctx, files) = regioned_array();
        std::os::unix::fs::symlink("a.zarr/c/1/1", tmp.path().join("chunk")).expect("symlink");
        std::os::unix::fs::symlink("a.zarr/c/9", tmp.path().join("dangling")).expect("symlink");
        let args = |path: &str, mode| OpenArgs {
            path: path.into(),
            dtype: f8().into(),
            mode,
            shape: None,
            offset: 0,
            order: types::Order::C,
        };
        for (path, mode) in [
            ("a.zarr/c/1/1", types::Mode::ReadWrite),
            ("a.zarr/zarr.json", types::Mode::ReadWrite),
            ("a.zarr/zarr.json", types::Mode::Write),
            ("./a.zarr/c/../c/0/1", types::Mode::ReadWrite),
            ("chunk", types::Mode::ReadWrite),
            ("dangling", types::Mode::Write),
        ] {
            let mut a = args(path, mode);
            if mode == types::Mode::Write {
                a.shape = Some(vec![8]);
            }
            let err = open(&mut ctx, a).expect_err(path);
            assert_eq!(err.code(), ErrorCode::AccessDenied, "{path}: {}", err.message());
            assert!(err.message().contains("'a.zarr'") && err.message().contains("[0:2, 0:6]"), "{}", err.message());
        }
        let err =
            create_npy(&mut ctx, "a.zarr/c/x.npy".into(), f8().into(), vec![4], types::Order::C).expect_err("npy");
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        assert!(!tmp.path().join("a.zarr/c/9").exists() && !tmp.path().join("a.zarr/c/x.npy").exists());
        unchanged(&tmp, &files);
        open(&mut ctx, args("a.zarr/c/1/1", types::Mode::ReadOnly)).expect("reading is not writing");
        open(&mut ctx, args("a.zarr/c/1/1", types::Mode::CopyOnWrite)).expect("mode c writes nothing back");
        create_npy(&mut ctx, "b.npy".into(), f8().into(), vec![4], types::Order::C).expect("outside the array");
    }

    /// A write region off the chunk grid is refused at open, naming the region and the chunks;
    /// a read-only grant refuses `r+` and `create-zarr`.
    #[test]
    fn regions_off_the_grid_and_read_only_grants_are_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut ctx = MemmapCtxBuilder::new()
            .preopened_dir(tmp.path(), "data", FsPerms::ReadWrite)
            .expect("grant")
            .write_region("data/a.zarr", vec![0..3, 0..6])
            .expect("region")
            .build();
        let mut plain =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), "data", FsPerms::ReadWrite).expect("grant").build();
        drop(create(&mut plain, "data/a.zarr", vec![2, 3]).expect("created"));
        let err =
            open_zarr(&mut ctx, "data/a.zarr".into(), types::Mode::ReadWrite).expect_err("row 3 is inside chunk row 1");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert!(err.message().contains("[0:3, 0:6]") && err.message().contains("(2, 3)"), "{}", err.message());
        create(&mut ctx, "data/b.zarr", vec![2, 3]).expect("no region there");

        let mut ro =
            MemmapCtxBuilder::new().preopened_dir(tmp.path(), "data", FsPerms::ReadOnly).expect("grant").build();
        let err = open_zarr(&mut ro, "data/b.zarr".into(), types::Mode::ReadWrite).expect_err("r+");
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        let err = create(&mut ro, "data/d.zarr", vec![2, 3]).expect_err("create");
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        open_zarr(&mut ro, "data/b.zarr".into(), types::Mode::CopyOnWrite).expect("mode c");
    }
}
