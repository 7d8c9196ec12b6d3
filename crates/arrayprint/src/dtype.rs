//! The dtype facts array printing needs: which formatter, which float type, and the `dtype=` suffix.
//! Every fact comes from numpy-core's one kind table; this type only adds the printer's view.

use wasm_memmap_numpy_core::{self as numpy, ByteOrder, DType, Kind, KindClass};

use super::{FloatKind, Scalar};

/// The class of a numpy dtype (`dtype.kind`): which formatter prints it.
pub use wasm_memmap_numpy_core::KindClass as DtypeKind;

/// A numpy dtype as far as printing is concerned: kind, item size and byte order (like
/// `np.dtype('>f8')`). Only the combinations numpy has are constructible. A view of numpy-core's
/// [`DType`], which it converts to and from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DtypeInfo(DType);

impl DtypeInfo {
    /// `np.dtype(np.bool)`.
    pub const BOOL: Self = Self(DType::native(Kind::Bool));
    /// `np.dtype(np.int8)`.
    pub const INT8: Self = Self(DType::native(Kind::Int8));
    /// `np.dtype(np.int16)`.
    pub const INT16: Self = Self(DType::native(Kind::Int16));
    /// `np.dtype(np.int32)`.
    pub const INT32: Self = Self(DType::native(Kind::Int32));
    /// `np.dtype(np.int64)`.
    pub const INT64: Self = Self(DType::native(Kind::Int64));
    /// `np.dtype(np.uint8)`.
    pub const UINT8: Self = Self(DType::native(Kind::Uint8));
    /// `np.dtype(np.uint16)`.
    pub const UINT16: Self = Self(DType::native(Kind::Uint16));
    /// `np.dtype(np.uint32)`.
    pub const UINT32: Self = Self(DType::native(Kind::Uint32));
    /// `np.dtype(np.uint64)`.
    pub const UINT64: Self = Self(DType::native(Kind::Uint64));
    /// `np.dtype(np.float16)`.
    pub const FLOAT16: Self = Self(DType::native(Kind::Float16));
    /// `np.dtype(np.float32)`.
    pub const FLOAT32: Self = Self(DType::native(Kind::Float32));
    /// `np.dtype(np.float64)`.
    pub const FLOAT64: Self = Self(DType::native(Kind::Float64));
    /// `np.dtype(np.complex64)`.
    pub const COMPLEX64: Self = Self(DType::native(Kind::Complex64));
    /// `np.dtype(np.complex128)`.
    pub const COMPLEX128: Self = Self(DType::native(Kind::Complex128));

    /// The dtype of this kind and item size in native byte order, if numpy has it
    /// (e.g. `new(DtypeKind::Float, 4)` is `np.dtype('float32')`).
    pub fn new(kind: DtypeKind, itemsize: usize) -> Option<Self> {
        Kind::from_class(kind, itemsize).map(|k| Self(DType::native(k)))
    }

    /// Parses one of numpy's spellings of a dtype, as `np.dtype(spec)` accepts it (see
    /// [`DType::parse`]). `None` for anything else (numpy: `TypeError: data type 'x' not
    /// understood`) and for the dtypes this crate does not print (strings, datetimes, ...).
    pub fn from_name(spec: &str) -> Option<Self> {
        DType::parse(spec).ok().map(Self)
    }

    /// The same dtype stored big-endian (`true`) or little-endian (`false`), like
    /// `dtype.newbyteorder('>')`. One-byte dtypes have no byte order.
    #[must_use]
    pub fn with_big_endian(self, big_endian: bool) -> Self {
        Self(self.0.with_byte_order(if big_endian { ByteOrder::Big } else { ByteOrder::Little }))
    }

    /// numpy-core's dtype.
    pub fn dtype(&self) -> DType {
        self.0
    }

    /// `dtype.kind`.
    pub fn kind(&self) -> DtypeKind {
        self.0.kind().class()
    }

    /// `dtype.itemsize` in bytes.
    pub fn itemsize(&self) -> usize {
        self.0.itemsize()
    }

    /// Whether the data is stored big-endian (`dtype.byteorder == '>'` or native on a big-endian
    /// host); one-byte dtypes count as little-endian.
    pub fn big_endian(&self) -> bool {
        self.0.byte_order() == ByteOrder::Big
    }

    /// `dtype.isnative`.
    pub fn is_native(&self) -> bool {
        self.0.is_native()
    }

    /// `dtype.name`, e.g. `"float32"` (the byte order is not part of it).
    pub fn name(&self) -> String {
        self.0.name().to_string()
    }

    /// `dtype.str`, e.g. `"<f8"`, `">i4"`, `"|u1"`.
    pub fn typestr(&self) -> String {
        self.0.str()
    }

    /// numpy's `dtype_is_implied` (see [`DType::is_implied`]).
    pub fn is_implied(&self) -> bool {
        self.0.is_implied()
    }

    /// numpy's `dtype_short_repr` (see [`DType::short_repr`]).
    pub fn short_repr(&self) -> String {
        self.0.short_repr()
    }

    /// The float type of the values (of each part, for complex); `F64` for bool and int, which have none.
    pub fn float_kind(&self) -> FloatKind {
        float_kind(self.0.kind())
    }
}

impl From<DType> for DtypeInfo {
    fn from(dtype: DType) -> Self {
        Self(dtype)
    }
}

impl From<DtypeInfo> for DType {
    fn from(info: DtypeInfo) -> Self {
        info.0
    }
}

/// The float type of a kind's values (of each part, for complex); `F64` for bool and int.
fn float_kind(kind: Kind) -> FloatKind {
    match kind {
        Kind::Float16 => FloatKind::F16,
        Kind::Float32 | Kind::Complex64 => FloatKind::F32,
        _ => FloatKind::F64,
    }
}

/// A numpy scalar as the printer takes it (exact: every value of every kind fits).
impl From<numpy::Scalar> for Scalar {
    fn from(value: numpy::Scalar) -> Self {
        let kind = value.kind();
        match kind.class() {
            KindClass::Bool => Self::Bool(value == numpy::Scalar::Bool(true)),
            // Every bool and integer has an `i128` value.
            KindClass::Int | KindClass::UInt => Self::Int(value.to_i128().unwrap_or_default()),
            KindClass::Float => Self::Float(value.to_f64(), float_kind(kind)),
            KindClass::Complex => {
                let c = value.to_complex128();
                Self::Complex(c.re, c.im, float_kind(kind))
            }
        }
    }
}
