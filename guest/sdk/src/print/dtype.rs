//! The dtype facts array printing needs: which formatter, which float type, and the `dtype=` suffix.

use super::FloatKind;

/// The kind of a numpy dtype (`dtype.kind`), limited to the kinds this module prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtypeKind {
    /// `'b'`: `np.bool`.
    Bool,
    /// `'i'`: `np.int8` .. `np.int64`.
    Int,
    /// `'u'`: `np.uint8` .. `np.uint64`.
    UInt,
    /// `'f'`: `np.float16`, `np.float32`, `np.float64`.
    Float,
    /// `'c'`: `np.complex64`, `np.complex128`.
    Complex,
}

/// A numpy dtype as far as printing is concerned: kind, item size and byte order (like
/// `np.dtype('>f8')`). Only the combinations numpy has are constructible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DtypeInfo {
    kind: DtypeKind,
    itemsize: usize,
    big_endian: bool,
}

impl DtypeInfo {
    /// `np.dtype(np.bool)`.
    pub const BOOL: Self = Self::native(DtypeKind::Bool, 1);
    /// `np.dtype(np.int8)`.
    pub const INT8: Self = Self::native(DtypeKind::Int, 1);
    /// `np.dtype(np.int16)`.
    pub const INT16: Self = Self::native(DtypeKind::Int, 2);
    /// `np.dtype(np.int32)`.
    pub const INT32: Self = Self::native(DtypeKind::Int, 4);
    /// `np.dtype(np.int64)`.
    pub const INT64: Self = Self::native(DtypeKind::Int, 8);
    /// `np.dtype(np.uint8)`.
    pub const UINT8: Self = Self::native(DtypeKind::UInt, 1);
    /// `np.dtype(np.uint16)`.
    pub const UINT16: Self = Self::native(DtypeKind::UInt, 2);
    /// `np.dtype(np.uint32)`.
    pub const UINT32: Self = Self::native(DtypeKind::UInt, 4);
    /// `np.dtype(np.uint64)`.
    pub const UINT64: Self = Self::native(DtypeKind::UInt, 8);
    /// `np.dtype(np.float16)`.
    pub const FLOAT16: Self = Self::native(DtypeKind::Float, 2);
    /// `np.dtype(np.float32)`.
    pub const FLOAT32: Self = Self::native(DtypeKind::Float, 4);
    /// `np.dtype(np.float64)`.
    pub const FLOAT64: Self = Self::native(DtypeKind::Float, 8);
    /// `np.dtype(np.complex64)`.
    pub const COMPLEX64: Self = Self::native(DtypeKind::Complex, 8);
    /// `np.dtype(np.complex128)`.
    pub const COMPLEX128: Self = Self::native(DtypeKind::Complex, 16);

    const fn native(kind: DtypeKind, itemsize: usize) -> Self {
        Self { kind, itemsize, big_endian: cfg!(target_endian = "big") }
    }

    /// The dtype of this kind and item size in native byte order, if numpy has it
    /// (e.g. `new(DtypeKind::Float, 4)` is `np.dtype('float32')`).
    pub fn new(kind: DtypeKind, itemsize: usize) -> Option<Self> {
        let valid = match kind {
            DtypeKind::Bool => itemsize == 1,
            DtypeKind::Int | DtypeKind::UInt => matches!(itemsize, 1 | 2 | 4 | 8),
            DtypeKind::Float => matches!(itemsize, 2 | 4 | 8),
            DtypeKind::Complex => matches!(itemsize, 8 | 16),
        };
        valid.then(|| Self::native(kind, itemsize))
    }

    /// Parses numpy's name (`"float32"`, `"uint8"`, `"bool"`, like `np.dtype("float32")`) or a type
    /// string with byte order (`">f8"`, `"<i4"`, `"|u1"`, `"=c16"`).
    pub fn from_name(name: &str) -> Option<Self> {
        let named = [
            ("bool", Self::BOOL),
            ("int8", Self::INT8),
            ("int16", Self::INT16),
            ("int32", Self::INT32),
            ("int64", Self::INT64),
            ("uint8", Self::UINT8),
            ("uint16", Self::UINT16),
            ("uint32", Self::UINT32),
            ("uint64", Self::UINT64),
            ("float16", Self::FLOAT16),
            ("float32", Self::FLOAT32),
            ("float64", Self::FLOAT64),
            ("complex64", Self::COMPLEX64),
            ("complex128", Self::COMPLEX128),
        ];
        if let Some((_, d)) = named.iter().find(|(n, _)| *n == name) {
            return Some(*d);
        }
        let mut chars = name.chars();
        let (order, rest) = match chars.next()? {
            c @ ('<' | '>' | '|' | '=') => (Some(c), chars.as_str()),
            _ => (None, name),
        };
        let mut rest_chars = rest.chars();
        let kind = match rest_chars.next()? {
            'b' => DtypeKind::Bool,
            'i' => DtypeKind::Int,
            'u' => DtypeKind::UInt,
            'f' => DtypeKind::Float,
            'c' => DtypeKind::Complex,
            _ => return None,
        };
        let dtype = Self::new(kind, rest_chars.as_str().parse().ok()?)?;
        Some(match order {
            Some('>') => dtype.with_big_endian(true),
            Some('<') => dtype.with_big_endian(false),
            _ => dtype,
        })
    }

    /// The same dtype stored big-endian (`true`) or little-endian (`false`), like
    /// `dtype.newbyteorder('>')`. One-byte dtypes have no byte order and stay native.
    #[must_use]
    pub fn with_big_endian(self, big_endian: bool) -> Self {
        if self.itemsize == 1 { self } else { Self { big_endian, ..self } }
    }

    /// `dtype.kind`.
    pub fn kind(&self) -> DtypeKind {
        self.kind
    }

    /// `dtype.itemsize` in bytes.
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// Whether the data is stored big-endian (`dtype.byteorder == '>'` or native on a big-endian host).
    pub fn big_endian(&self) -> bool {
        self.big_endian
    }

    /// `dtype.isnative`.
    pub fn is_native(&self) -> bool {
        self.itemsize == 1 || self.big_endian == cfg!(target_endian = "big")
    }

    /// `dtype.name`, e.g. `"float32"` (the byte order is not part of it).
    pub fn name(&self) -> String {
        let bits = self.itemsize * 8;
        match self.kind {
            DtypeKind::Bool => "bool".to_string(),
            DtypeKind::Int => format!("int{bits}"),
            DtypeKind::UInt => format!("uint{bits}"),
            DtypeKind::Float => format!("float{bits}"),
            DtypeKind::Complex => format!("complex{bits}"),
        }
    }

    /// `dtype.str`, e.g. `"<f8"`, `">i4"`, `"|u1"`.
    pub fn typestr(&self) -> String {
        let order = if self.itemsize == 1 {
            '|'
        } else if self.big_endian {
            '>'
        } else {
            '<'
        };
        let code = match self.kind {
            DtypeKind::Bool => 'b',
            DtypeKind::Int => 'i',
            DtypeKind::UInt => 'u',
            DtypeKind::Float => 'f',
            DtypeKind::Complex => 'c',
        };
        format!("{order}{code}{}", self.itemsize)
    }

    /// numpy's `dtype_is_implied`: whether `repr` may leave out `dtype=` because the values already
    /// say it (native `float64`, `int64`, `complex128` and `bool`; numpy's default int is int64 on
    /// the 64-bit platforms whose output this module reproduces).
    pub fn is_implied(&self) -> bool {
        self.is_native()
            && matches!(
                (self.kind, self.itemsize),
                (DtypeKind::Bool, 1) | (DtypeKind::Int, 8) | (DtypeKind::Float, 8) | (DtypeKind::Complex, 16)
            )
    }

    /// numpy's `dtype_short_repr`: the name, or the quoted type string for a non-native byte order.
    pub fn short_repr(&self) -> String {
        if self.is_native() { self.name() } else { format!("'{}'", self.typestr()) }
    }

    /// The float type of the values (of each part, for complex); `F64` for bool and int, which have none.
    pub fn float_kind(&self) -> FloatKind {
        match (self.kind, self.itemsize) {
            (DtypeKind::Float, 2) => FloatKind::F16,
            (DtypeKind::Float, 4) | (DtypeKind::Complex, 8) => FloatKind::F32,
            _ => FloatKind::F64,
        }
    }
}
