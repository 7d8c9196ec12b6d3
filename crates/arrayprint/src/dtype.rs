//! The dtype facts array printing needs: which formatter, which float type, and the `dtype=` suffix.

use super::FloatKind;

/// numpy's names, one-letter codes (`dtype.char`) and other accepted names for each dtype.
const SPELLINGS: &[(&str, DtypeInfo, char, &[&str])] = &[
    ("bool", DtypeInfo::BOOL, '?', &["bool_"]),
    ("int8", DtypeInfo::INT8, 'b', &["byte"]),
    ("int16", DtypeInfo::INT16, 'h', &["short"]),
    ("int32", DtypeInfo::INT32, 'i', &["intc"]),
    ("int64", DtypeInfo::INT64, 'l', &["long", "longlong", "intp", "int", "q", "p"]),
    ("uint8", DtypeInfo::UINT8, 'B', &["ubyte"]),
    ("uint16", DtypeInfo::UINT16, 'H', &["ushort"]),
    ("uint32", DtypeInfo::UINT32, 'I', &["uintc"]),
    ("uint64", DtypeInfo::UINT64, 'L', &["ulong", "ulonglong", "uintp", "uint", "Q", "P"]),
    ("float16", DtypeInfo::FLOAT16, 'e', &["half"]),
    ("float32", DtypeInfo::FLOAT32, 'f', &["single"]),
    ("float64", DtypeInfo::FLOAT64, 'd', &["double", "float"]),
    ("complex64", DtypeInfo::COMPLEX64, 'F', &["csingle"]),
    ("complex128", DtypeInfo::COMPLEX128, 'D', &["cdouble", "complex"]),
];

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

    /// Parses one of numpy's spellings of a dtype, as `np.dtype(spec)` accepts it: names
    /// (`"float32"`, `"uint8"`, `"bool"`), their aliases (`"double"`, `"half"`, `"int"`, ...), one-letter
    /// type codes (`"d"`, `"f"`, `"?"`, `"B"`) and type strings with or without a byte order (`"f8"`,
    /// `">f8"`, `"<i4"`, `"|u1"`, `"=c16"`, `"!i8"`). `None` for anything else (numpy: `TypeError: data
    /// type 'x' not understood`) and for the dtypes this crate does not print (strings, datetimes, ...).
    pub fn from_name(spec: &str) -> Option<Self> {
        if let Some(&(_, dtype, _, _)) =
            SPELLINGS.iter().find(|(name, _, _, aliases)| *name == spec || aliases.contains(&spec))
        {
            return Some(dtype);
        }
        let (order, code) = match spec.chars().next()? {
            '<' => (Some(false), &spec[1..]),
            '>' | '!' => (Some(true), &spec[1..]),
            '=' | '|' => (None, &spec[1..]),
            _ => (None, spec),
        };
        let mut chars = code.chars();
        let first = chars.next()?;
        let rest = chars.as_str();
        let dtype = if rest.is_empty() {
            SPELLINGS
                .iter()
                .find(|(_, _, c, aliases)| *c == first || aliases.iter().any(|a| a.len() == 1 && a.starts_with(first)))
                .map(|&(_, d, _, _)| d)?
        } else {
            if !rest.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let kind = match first {
                'b' => DtypeKind::Bool,
                'i' => DtypeKind::Int,
                'u' => DtypeKind::UInt,
                'f' => DtypeKind::Float,
                'c' => DtypeKind::Complex,
                _ => return None,
            };
            Self::new(kind, rest.parse().ok()?)?
        };
        Some(match order {
            Some(big) => dtype.with_big_endian(big),
            None => dtype,
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
