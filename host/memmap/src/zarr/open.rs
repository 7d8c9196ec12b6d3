//! `open-zarr` and `create-zarr`: a Zarr v3 array opened (like `zarr.open_array`) or created
//! (like `zarr.create_array(..., fill_value=0, overwrite=True)`) beneath the plugin's grants, as a
//! `memmap` over its virtual C-order bytes (`array.rs`).
//!
//! What a Zarr array's metadata says maps onto numpy's dtypes: the data type is one of Zarr v3's
//! numeric types (`bool`, `int8` ... `uint64`, `float16`, `float32`, `float64`, `complex64`,
//! `complex128`, the same names as numpy's), the byte order is the `bytes` codec's `endian`.

use std::ops::Range;
use std::sync::Arc;

use serde_json::{Value, json};
use wasm_memmap_numpy_core::{ByteOrder, DType, Kind, Mode, Order};
use zarrs::array::{ArrayCreateError, ArrayMetadata};
use zarrs::config::MetadataRetrieveVersion;
use zarrs_storage::StorePrefix;

use super::array::{StoredArray, ZarrArray, ZarrLimits, ZarrParts, ours, region_str, tuple};
use super::bounded::Chain;
use super::linear::Grid;
use super::regioned;
use super::store::{self, ZarrLocation};
use crate::backing::Backing;
use crate::ctx::MemmapCtx;
use crate::error::{Error, ErrorCode, GrantRefusal};
use crate::generated::types::{self, Codec, Dtype};
use crate::grants;
use crate::handle::{FileOrigin, Memmap};
use crate::layout::{self, Layout};

/// The arguments of `create-zarr`.
pub(crate) struct CreateArgs {
    pub location: String,
    pub dtype: Dtype,
    pub shape: Vec<u64>,
    pub chunks: Vec<u64>,
    pub order: types::Order,
    pub codecs: Vec<Codec>,
}

/// Opens the Zarr v3 array at `location` for the plugin, like `zarr.open_array(store, mode=mode)`.
///
/// # Errors
/// `not-found` without a `zarr.json`; `invalid-argument` for metadata this host cannot read (a
/// data type that is not numeric, a chunk grid that is not regular) naming it, for mode `w+`,
/// and for a write region off the chunk grid; `access-denied` for a writing mode in a read-only
/// grant; the store's `io` errors; the limits on handles and open maps.
pub(crate) fn open_zarr(ctx: &mut MemmapCtx, location: String, mode: types::Mode) -> Result<Memmap, Error> {
    grants::check_path(&location)?;
    let mode = Mode::from(mode);
    if mode == Mode::Write {
        return Err(Error::invalid(
            "mode 'w+' makes a new Zarr array, which needs a dtype, a shape and a chunk shape: use create-zarr \
             (zarr.create_array(store, shape=..., chunks=..., dtype=...))",
        ));
    }
    ctx.check_new_handle()?;
    ctx.check_new_open_map(&location)?;
    let loc = store::resolve(ctx, &location)?;
    if mode == Mode::ReadWrite && !loc.writable {
        return Err(read_only(&location, mode));
    }
    let array = StoredArray::open_opt(Arc::clone(&loc.storage), &loc.node, &MetadataRetrieveVersion::V3)
        .map_err(|e| open_error(&e, &location, &loc))?;
    let ArrayMetadata::V3(metadata) = array.metadata() else {
        return Err(Error::invalid(format!("'{location}' is a Zarr v2 array; only Zarr v3 arrays can be opened")));
    };
    let metadata = serde_json::to_value(metadata).map_err(|e| Error::invalid(e.to_string()))?;
    let dtype = dtype_of(&metadata, &location)?;
    let chunks = chunk_shape_of(&metadata, &location)?;
    make_map(ctx, array, loc, location, dtype, mode, &chunks)
}

/// Creates a Zarr v3 array at `location` (erasing what is there) and opens it `r+`.
///
/// # Errors
/// numpy's and zarr's `ValueError`s for the shape and chunks (`invalid-argument`); a codec level
/// out of range; `access-denied` in a read-only grant; the store's `io` errors.
pub(crate) fn create_zarr(ctx: &mut MemmapCtx, args: CreateArgs) -> Result<Memmap, Error> {
    let CreateArgs { location, dtype, shape, chunks, order, codecs } = args;
    grants::check_path(&location)?;
    layout::check_ndim(shape.len())?;
    if chunks.len() > shape.len() {
        return Err(Error::invalid("too many dimensions in chunks"));
    }
    if chunks.len() < shape.len() {
        return Err(Error::invalid(format!(
            "chunks {} has {} lengths, but the shape {} has {} axes: give one chunk length per axis",
            tuple(&chunks),
            chunks.len(),
            tuple(&shape),
            shape.len()
        )));
    }
    if chunks.contains(&0) {
        return Err(Error::invalid(format!(
            "Expected all values to be positive. Got {} instead (chunks)",
            tuple(&chunks)
        )));
    }
    let dtype = DType::from(dtype);
    Grid::new(&shape, &chunks, dtype.kind().itemsize_u64())?;
    let json = metadata_json(dtype, &shape, &chunks, Order::from(order), &codecs)?;
    let metadata = metadata(&json)?;
    ctx.check_new_handle()?;
    ctx.check_new_open_map(&location)?;
    let loc = store::resolve(ctx, &location)?;
    if !loc.writable {
        return Err(read_only(&location, Mode::Write));
    }
    regioned::check_create(ctx, &location, &loc.location)?;
    let array = StoredArray::new_with_metadata(Arc::clone(&loc.storage), &loc.node, ArrayMetadata::V3(metadata))
        .map_err(|e| Error::invalid(format!("cannot create a Zarr array at '{location}': {e}")))?;
    // `overwrite=True`: whatever was at the location goes first (its chunks would otherwise show
    // through as this array's).
    let prefix = node_prefix(&loc.node)?;
    let failed =
        |what: &str, e: &zarrs_storage::StorageError| ours(e).unwrap_or_else(|| store_io(&loc, &location, what, e));
    if prefix == StorePrefix::root() {
        // At a grant's root only the keys of a Zarr array go, never the rest of the grant.
        let chunks = StorePrefix::new("c/").map_err(|e| Error::invalid(e.to_string()))?;
        loc.storage.erase_prefix(&chunks).map_err(|e| failed("erased", &e))?;
        let json = zarrs_storage::StoreKey::new("zarr.json").map_err(|e| Error::invalid(e.to_string()))?;
        loc.storage.erase(&json).map_err(|e| failed("erased", &e))?;
    } else {
        loc.storage.erase_prefix(&prefix).map_err(|e| failed("erased", &e))?;
    }
    write_metadata(loc.storage.as_ref(), &prefix, &json).map_err(|e| failed("written", &e))?;
    make_map(ctx, array, loc, location, dtype, Mode::ReadWrite, &chunks)
}

/// The `zarr.json` of `create-zarr` (what `zarr.create_array` writes for the same arguments).
///
/// # Errors
/// A codec level out of range.
pub(crate) fn metadata_json(
    dtype: DType,
    shape: &[u64],
    chunks: &[u64],
    order: Order,
    codecs: &[Codec],
) -> Result<Value, Error> {
    let codecs = codecs_json(codecs, dtype, order, shape.len())?;
    Ok(json!({
        "zarr_format": 3,
        "node_type": "array",
        "shape": shape,
        "data_type": dtype.kind().name(),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": zero(dtype.kind()),
        "codecs": codecs,
        "attributes": {},
    }))
}

/// `json` as zarrs' metadata.
pub(crate) fn metadata(json: &Value) -> Result<zarrs::array::ArrayMetadataV3, Error> {
    serde_json::from_value(json.clone()).map_err(|e| Error::invalid(format!("cannot make the array's metadata: {e}")))
}

/// Stores `zarr.json` under `prefix` as `json` says it, not as zarrs would rewrite it: zarrs
/// writes a codec without configuration as a bare name (`"crc32c"`), which zarr-python 3.1
/// refuses, and adds attributes of its own.
pub(crate) fn write_metadata(
    storage: &dyn zarrs_storage::ReadableWritableListableStorageTraits,
    prefix: &StorePrefix,
    json: &Value,
) -> Result<(), zarrs_storage::StorageError> {
    let key = zarrs_storage::StoreKey::new(format!("{}zarr.json", prefix.as_str()))?;
    let text = serde_json::to_vec_pretty(json).map_err(|e| zarrs_storage::StorageError::Other(e.to_string()))?;
    storage.set(&key, bytes::Bytes::from(text))
}

/// The map over an opened or created array.
fn make_map(
    ctx: &mut MemmapCtx,
    array: StoredArray,
    loc: ZarrLocation,
    location: String,
    dtype: DType,
    mode: Mode,
    chunks: &[u64],
) -> Result<Memmap, Error> {
    let shape = array.shape().to_vec();
    let item = dtype.kind().itemsize_u64();
    let grid = Grid::new(&shape, chunks, item)?;
    // The most bytes one stored chunk of this array can take, so that the store refuses a planted
    // object larger than that before reading it: the chunk's bytes plus the worst-case growth of
    // zstd (1/256 + a block) and gzip (5 bytes per 16 KiB stored block), plus crc32c's 4 bytes.
    loc.value_limit.set_chunk(encoded_bound(grid.chunk_bytes()));
    // Before any chunk is read: a codec whose decoded size cannot be bounded is refused here.
    let metadata = serde_json::to_value(array.metadata()).map_err(|e| Error::invalid(e.to_string()))?;
    let chain = Chain::of(&metadata["codecs"], &location)?;
    let region = ctx.stores.region(&loc.location).map(<[Range<u64>]>::to_vec);
    if let Some(region) = &region
        && !grid.aligned(region)
    {
        return Err(Error::invalid(format!(
            "the write region {} of '{location}' is not on the array's chunk grid (chunks of shape {}, array of shape {}): each range must start and end on a chunk boundary or at the end of its axis",
            region_str(region),
            tuple(chunks),
            tuple(&shape)
        )));
    }
    let layout = Layout::contiguous(&shape, item, Order::C)?;
    let limits = ZarrLimits {
        cache_bytes: ctx.limits.max_chunk_cache_bytes,
        transfer_bytes: ctx.limits.max_transfer_bytes,
        total_written: ctx.limits.max_total_file_bytes,
    };
    let ZarrLocation { store, deadline, .. } = loc;
    let parts = ZarrParts {
        array,
        grid,
        dtype,
        mode,
        region,
        chain,
        store,
        location: location.clone(),
        deadline,
        limits,
        stats: ctx.stats(),
    };
    let map = Backing::Zarr(Arc::new(ZarrArray::new(parts)));
    ctx.track(&map);
    let origin =
        FileOrigin { path: location, dtype: dtype.into(), mode: mode.into(), offset: 0, order: Order::C.into() };
    Ok(Memmap::new(map, Arc::new(origin), layout))
}

/// The largest encoded chunk the codecs this host reads can make of `chunk_bytes` bytes.
fn encoded_bound(chunk_bytes: u64) -> u64 {
    chunk_bytes.saturating_add(chunk_bytes / 128).saturating_add(64 * 1024 + 4)
}

fn read_only(location: &str, mode: Mode) -> Error {
    Error::refused(
        GrantRefusal::ReadOnly,
        format!(
            "'{location}' is in a read-only grant; mode '{}' needs a read-write grant; modes 'r' and 'c' work here",
            mode.as_str()
        ),
    )
}

fn store_io(loc: &ZarrLocation, location: &str, what: &str, err: &dyn std::fmt::Display) -> Error {
    Error::new(ErrorCode::Io, format!("the Zarr array '{location}' in {} could not be {what}: {err}", loc.store))
}

/// The plugin's error for an array zarrs could not open.
fn open_error(err: &ArrayCreateError, location: &str, loc: &ZarrLocation) -> Error {
    match err {
        ArrayCreateError::MissingMetadata => Error::new(
            ErrorCode::NotFound,
            format!("No Zarr array at '{location}': there is no zarr.json there (in {})", loc.store),
        ),
        ArrayCreateError::StorageError(zarrs_storage::StorageError::InvalidMetadata(key, why)) => {
            Error::invalid(format!("the metadata '{key}' of '{location}' is not a Zarr v3 array's: {why}"))
        }
        ArrayCreateError::StorageError(e) => ours(e).unwrap_or_else(|| store_io(loc, location, "opened", e)),
        other => Error::invalid(format!("the Zarr array '{location}' cannot be read by this host: {other}")),
    }
}

/// The store prefix holding every key of the array at `node` (`"/a.zarr"` -> `"a.zarr/"`).
fn node_prefix(node: &str) -> Result<StorePrefix, Error> {
    let trimmed = node.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(StorePrefix::root());
    }
    StorePrefix::new(format!("{trimmed}/")).map_err(|e| Error::invalid(e.to_string()))
}

/// The numpy dtype of an array's metadata (as JSON).
fn dtype_of(metadata: &Value, location: &str) -> Result<DType, Error> {
    let name = match &metadata["data_type"] {
        Value::String(name) => name.clone(),
        Value::Object(o) => o.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
        other => other.to_string(),
    };
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(|| {
        Error::invalid(format!(
            "the Zarr array '{location}' has data type '{name}', which this host cannot map: only numpy's numeric types (bool, int8 to uint64, float16 to float64, complex64, complex128) are supported"
        ))
    })?;
    let order = match endian(&metadata["codecs"]).as_deref() {
        Some("big") => ByteOrder::Big,
        _ => ByteOrder::Little,
    };
    Ok(DType::new(kind, order))
}

/// The `endian` of the `bytes` codec in `codecs`, looked for inside a sharding codec as well.
fn endian(codecs: &Value) -> Option<String> {
    for codec in codecs.as_array()? {
        let name = codec.get("name").and_then(Value::as_str);
        let config = codec.get("configuration");
        match name {
            Some("bytes") => return config?.get("endian")?.as_str().map(str::to_owned),
            Some("sharding_indexed") => return endian(config?.get("codecs")?),
            _ => {}
        }
    }
    None
}

/// The chunk shape of a regular chunk grid.
fn chunk_shape_of(metadata: &Value, location: &str) -> Result<Vec<u64>, Error> {
    let grid = &metadata["chunk_grid"];
    let shape = (grid["name"].as_str() == Some("regular"))
        .then(|| grid["configuration"]["chunk_shape"].as_array())
        .flatten()
        .and_then(|v| v.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>());
    shape.ok_or_else(|| {
        Error::invalid(format!(
            "the Zarr array '{location}' has the chunk grid {grid}, which this host cannot map: only regular chunk grids are supported"
        ))
    })
}

/// The fill value 0 in the JSON Zarr writes for `kind`.
fn zero(kind: Kind) -> Value {
    match kind {
        Kind::Bool => json!(false),
        Kind::Float16 | Kind::Float32 | Kind::Float64 => json!(0.0),
        Kind::Complex64 | Kind::Complex128 => json!([0.0, 0.0]),
        _ => json!(0),
    }
}

/// The codecs of `create-zarr`: `transpose` for Fortran order, `bytes` in the dtype's byte order,
/// then the plugin's bytes-to-bytes codecs in its order.
fn codecs_json(codecs: &[Codec], dtype: DType, order: Order, ndim: usize) -> Result<Vec<Value>, Error> {
    let mut out = Vec::new();
    if order == Order::Fortran && ndim > 1 {
        let reversed: Vec<usize> = (0..ndim).rev().collect();
        out.push(json!({"name": "transpose", "configuration": {"order": reversed}}));
    }
    if dtype.kind().itemsize() == 1 {
        out.push(json!({"name": "bytes"}));
    } else {
        let endian = if dtype.byte_order() == ByteOrder::Big { "big" } else { "little" };
        out.push(json!({"name": "bytes", "configuration": {"endian": endian}}));
    }
    for codec in codecs {
        out.push(match *codec {
            Codec::Zstd(level) => {
                if !(-7..=22).contains(&level) {
                    return Err(Error::invalid(format!(
                        "zstd level {level} is out of range: levels run from -7 to 22"
                    )));
                }
                json!({"name": "zstd", "configuration": {"level": level, "checksum": false}})
            }
            Codec::Gzip(level) => {
                if level > 9 {
                    return Err(Error::invalid(format!("gzip level {level} is out of range: levels run from 0 to 9")));
                }
                json!({"name": "gzip", "configuration": {"level": level}})
            }
            Codec::Crc32c => json!({"name": "crc32c", "configuration": {}}),
        });
    }
    Ok(out)
}
