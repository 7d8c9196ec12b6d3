//! numpy data types: element kinds, byte orders and numpy's spellings of them.

use std::fmt;
use std::str::FromStr;

use crate::bindings::wasm_memmap::array::types::{self, ByteOrder, ScalarKind};
use crate::error::Error;

/// The element kind, numpy's scalar type (`np.float64`, `np.int8`, ...).
pub type Kind = ScalarKind;

/// A numpy data type: an element kind in a byte order, like `np.dtype('<f8')`.
///
/// Parse numpy's spellings with [`str::parse`] / [`DType::parse`]: names (`"float64"`, `"int16"`,
/// `"bool"`, `"complex128"`), type codes (`"f8"`, `"i4"`, `"u1"`, `"c16"`, `"d"`, `"?"`) and byte-order
/// prefixes on codes (`"<f8"`, `">i4"`, `"|u1"`, `"=f4"`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DType {
    kind: Kind,
    byte_order: ByteOrder,
}

const NATIVE: ByteOrder = if cfg!(target_endian = "big") { ByteOrder::Big } else { ByteOrder::Little };

/// What numpy calls one kind.
struct KindInfo {
    kind: Kind,
    /// `dtype.name`.
    name: &'static str,
    /// `dtype.kind`, the letter of `dtype.str`.
    kind_char: char,
    itemsize: usize,
}

const fn info(kind: Kind, name: &'static str, kind_char: char, itemsize: usize) -> KindInfo {
    KindInfo { kind, name, kind_char, itemsize }
}

const KINDS: &[KindInfo] = &[
    info(Kind::Bool, "bool", 'b', 1),
    info(Kind::Int8, "int8", 'i', 1),
    info(Kind::Int16, "int16", 'i', 2),
    info(Kind::Int32, "int32", 'i', 4),
    info(Kind::Int64, "int64", 'i', 8),
    info(Kind::Uint8, "uint8", 'u', 1),
    info(Kind::Uint16, "uint16", 'u', 2),
    info(Kind::Uint32, "uint32", 'u', 4),
    info(Kind::Uint64, "uint64", 'u', 8),
    info(Kind::Float16, "float16", 'f', 2),
    info(Kind::Float32, "float32", 'f', 4),
    info(Kind::Float64, "float64", 'f', 8),
    info(Kind::Complex64, "complex64", 'c', 8),
    info(Kind::Complex128, "complex128", 'c', 16),
];

fn entry(kind: Kind) -> &'static KindInfo {
    KINDS.iter().find(|e| e.kind == kind).unwrap_or(&KINDS[0])
}

impl DType {
    /// `kind` in `byte_order`; one-byte kinds have no byte order and are kept as little-endian.
    pub fn new(kind: Kind, byte_order: ByteOrder) -> Self {
        let byte_order = if entry(kind).itemsize == 1 { ByteOrder::Little } else { byte_order };
        Self { kind, byte_order }
    }

    /// `kind` in this machine's byte order (little-endian on wasm32), like `np.dtype(np.float64)`.
    pub fn native(kind: Kind) -> Self {
        Self::new(kind, NATIVE)
    }

    /// Parses one of numpy's spellings (see the type's docs).
    ///
    /// # Errors
    /// numpy's `data type 'x' not understood` for anything else.
    pub fn parse(spec: &str) -> Result<Self, Error> {
        let info = wasm_memmap_arrayprint::DtypeInfo::from_name(spec)
            .ok_or_else(|| Error::invalid(format!("data type '{spec}' not understood")))?;
        Ok(Self::from(info))
    }

    /// The element kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The byte order in the file.
    pub fn byte_order(&self) -> ByteOrder {
        self.byte_order
    }

    /// Bytes per element, like `dtype.itemsize`.
    pub fn itemsize(&self) -> usize {
        entry(self.kind).itemsize
    }

    /// numpy's name, like `dtype.name` (`"float64"`).
    pub fn name(&self) -> &'static str {
        entry(self.kind).name
    }

    /// numpy's array-protocol string, like `dtype.str` (`"<f8"`, `">i4"`, `"|u1"`).
    pub fn str(&self) -> String {
        let KindInfo { kind_char, itemsize: size, .. } = entry(self.kind);
        let (kind_char, size) = (*kind_char, *size);
        let order = match (size, self.byte_order) {
            (1, _) => '|',
            (_, ByteOrder::Little) => '<',
            (_, ByteOrder::Big) => '>',
        };
        format!("{order}{kind_char}{size}")
    }

    /// Whether values are stored in this machine's byte order (always for one-byte kinds).
    pub fn is_native(&self) -> bool {
        self.itemsize() == 1 || self.byte_order == NATIVE
    }
}

impl FromStr for DType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// The same dtype as the printing crate describes it.
impl From<wasm_memmap_arrayprint::DtypeInfo> for DType {
    fn from(info: wasm_memmap_arrayprint::DtypeInfo) -> Self {
        use wasm_memmap_arrayprint::DtypeKind;
        let kind_char = match info.kind() {
            DtypeKind::Bool => 'b',
            DtypeKind::Int => 'i',
            DtypeKind::UInt => 'u',
            DtypeKind::Float => 'f',
            DtypeKind::Complex => 'c',
        };
        // `DtypeInfo` holds only numpy's combinations, each of which is in `KINDS`.
        let kind = KINDS
            .iter()
            .find(|e| e.kind_char == kind_char && e.itemsize == info.itemsize())
            .map_or(Kind::Uint8, |e| e.kind);
        Self::new(kind, if info.big_endian() { ByteOrder::Big } else { ByteOrder::Little })
    }
}

impl From<Kind> for DType {
    fn from(kind: Kind) -> Self {
        Self::native(kind)
    }
}

impl From<DType> for types::Dtype {
    fn from(d: DType) -> Self {
        Self { kind: d.kind, byte_order: d.byte_order }
    }
}

impl From<types::Dtype> for DType {
    fn from(d: types::Dtype) -> Self {
        Self::new(d.kind, d.byte_order)
    }
}

/// Like `str(np.dtype(...))`: the name in native order (`float64`), the protocol string otherwise
/// (`>f8`).
impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_native() { f.write_str(self.name()) } else { f.write_str(&self.str()) }
    }
}

/// Like `repr(np.dtype(...))`: `dtype('float64')`, `dtype('>f8')`.
impl fmt::Debug for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dtype('{self}')")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_name_the_same_type() {
        // numpy: np.dtype(s).str for each spelling.
        for (spec, want) in [
            ("float64", "<f8"),
            ("f8", "<f8"),
            ("<f8", "<f8"),
            ("d", "<f8"),
            (">f8", ">f8"),
            ("double", "<f8"),
            ("int16", "<i2"),
            (">i4", ">i4"),
            ("|u1", "|u1"),
            (">u1", "|u1"),
            ("bool", "|b1"),
            ("?", "|b1"),
            ("b1", "|b1"),
            ("c16", "<c16"),
            ("F", "<c8"),
            ("float16", "<f2"),
            ("e", "<f2"),
            ("=f4", "<f4"),
            ("!i8", ">i8"),
            ("B", "|u1"),
            ("b", "|i1"),
            ("L", "<u8"),
            ("q", "<i8"),
        ] {
            assert_eq!(DType::parse(spec).map(|d| d.str()), Ok(want.to_string()), "{spec}");
        }
    }

    #[test]
    fn unknown_spellings_are_refused_with_numpys_message() {
        for spec in ["", "f3", "float65", "<", "x8", "<float64"] {
            let e = DType::parse(spec).unwrap_err();
            assert_eq!(e.message(), format!("data type '{spec}' not understood"));
        }
    }
}
