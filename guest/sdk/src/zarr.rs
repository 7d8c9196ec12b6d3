//! Zarr v3 arrays as memmaps: [`Memmap::open_zarr`], [`Memmap::create_zarr`], [`ZarrOptions`] and
//! [`Codec`], zarr-python's `zarr.open_array` / `zarr.create_array` over the host's
//! `open-zarr` / `create-zarr`.
//!
//! A Zarr array is a directory (or an object-store prefix) holding `zarr.json` and one object per
//! chunk. The host maps it as it maps a file: the returned [`Memmap`] has every method a file's
//! has (views, reads and writes, `take`/`put`, items, reductions, `repr`), with numpy's semantics;
//! only [`Memmap::window`] is refused (there is no file to map into the plugin's memory).

use crate::bindings::wasm_memmap::array::{mmap, types};
use crate::dtype::{DType, Mode, Order};
use crate::error::{Error, Result};
use crate::memmap::Memmap;

/// A bytes-to-bytes codec applied to each chunk before it is stored, like one entry of the
/// `compressors` of `zarr.create_array`. It also parses zarr-python's codec names: `"zstd"`
/// (level 0, zstd's default, as `zarr.codecs.ZstdCodec()`), `"gzip"` (level 5, as
/// `zarr.codecs.GzipCodec()`) and `"crc32c"`.
///
/// # Examples
/// ```
/// use wasm_memmap_sdk::Codec;
/// assert_eq!(Codec::try_from("zstd")?, Codec::Zstd(0));
/// assert_eq!(Codec::try_from("gzip")?, Codec::Gzip(5));
/// assert!(Codec::try_from("blosc").is_err());
/// # Ok::<(), wasm_memmap_sdk::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// Zstandard at this level, -7 to 22 (`zarr.codecs.ZstdCodec(level=...)`).
    Zstd(i32),
    /// gzip at this level, 0 to 9 (`zarr.codecs.GzipCodec(level=...)`).
    Gzip(u32),
    /// A CRC-32C checksum of each chunk, checked when it is read (`zarr.codecs.Crc32cCodec()`).
    Crc32c,
}

impl TryFrom<&str> for Codec {
    type Error = Error;

    fn try_from(name: &str) -> Result<Self> {
        match name {
            "zstd" => Ok(Self::Zstd(0)),
            "gzip" => Ok(Self::Gzip(5)),
            "crc32c" => Ok(Self::Crc32c),
            other => Err(Error::invalid(format!(
                "codec '{other}' is not supported: use 'zstd', 'gzip' or 'crc32c' (Zarr v3's bytes-to-bytes codecs \
                 this host implements)"
            ))),
        }
    }
}

impl From<Codec> for types::Codec {
    fn from(codec: Codec) -> Self {
        match codec {
            Codec::Zstd(level) => Self::Zstd(level),
            Codec::Gzip(level) => Self::Gzip(level),
            Codec::Crc32c => Self::Crc32c,
        }
    }
}

/// The arguments of `zarr.create_array(store, shape=..., chunks=..., dtype=..., compressors=...,
/// fill_value=0, overwrite=True)`, for [`ZarrOptions::create`]; made by [`Memmap::zarr_options`].
/// Defaults: `float64` (zarr-python's default dtype), C order, no codecs (raw chunks). Shape and
/// chunk shape have no default. Spellings are checked when the array is created.
#[derive(Clone, Debug)]
pub struct ZarrOptions {
    dtype: Result<DType>,
    shape: Option<Vec<u64>>,
    chunks: Option<Vec<u64>>,
    order: Result<Order>,
    codecs: Result<Vec<Codec>>,
}

impl Default for ZarrOptions {
    fn default() -> Self {
        Self {
            dtype: DType::try_from("float64").map_err(Into::into),
            shape: None,
            chunks: None,
            order: Ok(Order::C),
            codecs: Ok(Vec::new()),
        }
    }
}

impl ZarrOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The element type: a [`DType`], a [`crate::Kind`] or a numpy spelling (`"float64"`,
    /// `">i4"`, whose byte order becomes the `bytes` codec's `endian`).
    pub fn dtype<D: TryInto<DType>>(mut self, dtype: D) -> Self
    where
        D::Error: Into<Error>,
    {
        self.dtype = dtype.try_into().map_err(Into::into);
        self
    }

    /// The array's shape (`shape=`).
    pub fn shape(mut self, shape: impl AsRef<[u64]>) -> Self {
        self.shape = Some(shape.as_ref().to_vec());
        self
    }

    /// The chunk shape, one positive length per axis (`chunks=`).
    pub fn chunks(mut self, chunks: impl AsRef<[u64]>) -> Self {
        self.chunks = Some(chunks.as_ref().to_vec());
        self
    }

    /// How each chunk is stored: [`Order::C`], or `"F"` for column-major chunks (Zarr's
    /// `transpose` codec, zarr-python's `order='F'`). Elements are addressed the same either way.
    pub fn order<O: TryInto<Order>>(mut self, order: O) -> Self
    where
        O::Error: Into<Error>,
    {
        self.order = order.try_into().map_err(Into::into);
        self
    }

    /// The compressors and checksums, applied in this order (`compressors=`): [`Codec`]s or their
    /// names (`["zstd", "crc32c"]`).
    pub fn codecs<C: TryInto<Codec>>(mut self, codecs: impl IntoIterator<Item = C>) -> Self
    where
        C::Error: Into<Error>,
    {
        self.codecs = codecs.into_iter().map(|c| c.try_into().map_err(Into::into)).collect();
        self
    }

    /// Creates the array at `location` (erasing one already there) and opens it read-write, like
    /// `zarr.create_array(location, ..., overwrite=True)`: every element reads as 0 until written,
    /// and no chunk is stored until one is flushed.
    ///
    /// # Errors
    /// A spelling numpy refuses, a missing shape or chunk shape, a chunk shape that is not one
    /// positive length per axis ([`crate::ErrorCode::InvalidArgument`]); a location outside the
    /// grants ([`crate::ErrorCode::AccessDenied`]); a store that fails ([`crate::ErrorCode::Io`]).
    pub fn create(&self, location: &str) -> Result<Memmap> {
        let dtype = self.dtype.clone()?;
        let order = self.order.clone()?;
        let codecs: Vec<types::Codec> = self.codecs.clone()?.into_iter().map(Into::into).collect();
        let shape = self.shape.as_deref().ok_or_else(|| Error::invalid("a Zarr array needs a shape"))?;
        let chunks = self.chunks.as_deref().ok_or_else(|| Error::invalid("a Zarr array needs a chunk shape"))?;
        let handle = mmap::Memmap::create_zarr(location, dtype.into(), shape, chunks, order.into(), &codecs)?;
        Ok(Memmap::from_handle(handle))
    }
}

impl Memmap {
    /// Opens the Zarr v3 array at `location`, like `zarr.open_array(location, mode=mode)`: dtype,
    /// shape and chunk shape come from its `zarr.json`. `location` is a directory beneath a granted
    /// directory (`"data/a.zarr"`) or a key prefix beneath a granted object-store prefix
    /// (`"s3://bucket/prefix/a.zarr"`, or `"/lake/a.zarr"` when the prefix was granted as `/lake`).
    /// `mode` is `"r"`, `"r+"` or `"c"` (copy-on-write: changed chunks stay in this map), as a
    /// [`Mode`] or numpy's string; to create an array use [`Memmap::create_zarr`].
    ///
    /// Data move chunk by chunk through the host's cache of decoded chunks; [`Memmap::flush`]
    /// writes changed chunks back whole, and dropping the map flushes, as for files.
    ///
    /// # Errors
    /// No `zarr.json` at `location` ([`crate::ErrorCode::NotFound`]); metadata the host cannot
    /// read, such as a dtype numpy does not have or an unknown codec, and mode `"w+"`
    /// ([`crate::ErrorCode::InvalidArgument`]); a location outside the grants, or a write mode on
    /// a read-only grant ([`crate::ErrorCode::AccessDenied`]); a store that fails or does not
    /// answer in time ([`crate::ErrorCode::Io`], naming the key and the store).
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{s, Memmap};
    /// // z = zarr.open_array('data/a.zarr', mode='r'); z[:2].sum()
    /// let z = Memmap::open_zarr("data/a.zarr", "r")?;
    /// println!("{:?} in chunks of {:?}: {}", z.shape(), z.chunk_shape(), z.view(s![..2])?.sum()?);
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn open_zarr<M: TryInto<Mode>>(location: &str, mode: M) -> Result<Self>
    where
        M::Error: Into<Error>,
    {
        let mode: Mode = mode.try_into().map_err(Into::into)?;
        Ok(Self::from_handle(mmap::Memmap::open_zarr(location, mode.into())?))
    }

    /// Creates a Zarr v3 array of zeros and opens it read-write, like `zarr.create_array(location,
    /// shape=shape, chunks=chunks, dtype=dtype, fill_value=0, overwrite=True)`, with raw C-order
    /// chunks; [`Memmap::zarr_options`] adds compressors and column-major chunks.
    ///
    /// # Errors
    /// As [`ZarrOptions::create`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{s, Memmap};
    /// let z = Memmap::create_zarr("a.zarr", "float64", &[10000, 10000], &[1000, 1000])?;
    /// z.fill(s![..5], 1.0)?;
    /// z.flush()?; // stores the 10 chunks that row 0-4 touch
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn create_zarr<D>(location: &str, dtype: D, shape: &[u64], chunks: &[u64]) -> Result<Self>
    where
        D: TryInto<DType>,
        D::Error: Into<Error>,
    {
        ZarrOptions::new().dtype(dtype).shape(shape).chunks(chunks).create(location)
    }

    /// The options of `zarr.create_array`, to create a Zarr array with compressors or column-major
    /// chunks.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{Codec, Memmap};
    /// // zarr.create_array('a.zarr', shape=(100, 100), chunks=(10, 10), dtype='int32',
    /// //                   compressors=zarr.codecs.ZstdCodec(level=3))
    /// let z = Memmap::zarr_options().dtype("int32").shape([100, 100]).chunks([10, 10])
    ///     .codecs([Codec::Zstd(3)]).create("a.zarr")?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn zarr_options() -> ZarrOptions {
        ZarrOptions::new()
    }

    /// The chunk shape of a Zarr array, like zarr-python's `z.chunks`; `None` for a map of a file.
    /// A view reports the chunk shape of the array it views. (Named `chunk_shape` because
    /// [`Memmap::chunks`] iterates over the elements in blocks.)
    pub fn chunk_shape(&self) -> Option<Vec<u64>> {
        self.handle().chunks()
    }
}
