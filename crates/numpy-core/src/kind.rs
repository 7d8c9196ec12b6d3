//! numpy's element kinds and byte orders: the one table of their facts.

use std::fmt;

/// An element kind: one of numpy's fixed-size numeric scalar types (`np.float64`, `np.int8`, ...).
/// The variants are those of the WIT `scalar-kind`, in its order.
///
/// The facts numpy knows about each kind (`dtype.name`, `dtype.char`, `dtype.kind`,
/// `dtype.itemsize`, the other names `np.dtype` accepts) are methods, all read from one table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `np.bool`: one byte, 0 is `False`, anything else `True` (numpy writes 1).
    Bool,
    /// `np.int8`.
    Int8,
    /// `np.int16`.
    Int16,
    /// `np.int32`.
    Int32,
    /// `np.int64`.
    Int64,
    /// `np.uint8`.
    Uint8,
    /// `np.uint16`.
    Uint16,
    /// `np.uint32`.
    Uint32,
    /// `np.uint64`.
    Uint64,
    /// `np.float16` (IEEE 754 binary16).
    Float16,
    /// `np.float32`.
    Float32,
    /// `np.float64`.
    Float64,
    /// `np.complex64`: two `float32`s, real part first.
    Complex64,
    /// `np.complex128`: two `float64`s, real part first.
    Complex128,
}

/// numpy's class of a kind, the letter `dtype.kind` names it by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KindClass {
    /// `'b'`: `np.bool`.
    Bool,
    /// `'i'`: signed integers.
    Int,
    /// `'u'`: unsigned integers.
    UInt,
    /// `'f'`: floating point.
    Float,
    /// `'c'`: complex floating point.
    Complex,
}

impl KindClass {
    /// numpy's letter for the class, `dtype.kind` (`'f'`).
    pub const fn letter(self) -> char {
        match self {
            Self::Bool => 'b',
            Self::Int => 'i',
            Self::UInt => 'u',
            Self::Float => 'f',
            Self::Complex => 'c',
        }
    }

    /// The class `dtype.kind == letter` names, if it is one of these.
    pub fn from_letter(letter: char) -> Option<Self> {
        [Self::Bool, Self::Int, Self::UInt, Self::Float, Self::Complex].into_iter().find(|c| c.letter() == letter)
    }
}

/// What numpy knows about one kind.
struct Facts {
    kind: Kind,
    /// `dtype.name`.
    name: &'static str,
    /// `dtype.char`, the one-letter type code.
    char: char,
    /// `dtype.kind`.
    class: KindClass,
    /// `dtype.itemsize`.
    itemsize: usize,
    /// Other names and codes `np.dtype` accepts for it (on the 64-bit Linux and macOS platforms
    /// whose numpy this crate follows: `long` is 64 bits).
    aliases: &'static [&'static str],
}

const fn facts(
    kind: Kind,
    name: &'static str,
    char: char,
    class: KindClass,
    itemsize: usize,
    aliases: &'static [&'static str],
) -> Facts {
    Facts { kind, name, char, class, itemsize, aliases }
}

/// The one table: in the order of [`Kind`]'s variants.
const TABLE: [Facts; 14] = [
    facts(Kind::Bool, "bool", '?', KindClass::Bool, 1, &["bool_"]),
    facts(Kind::Int8, "int8", 'b', KindClass::Int, 1, &["byte"]),
    facts(Kind::Int16, "int16", 'h', KindClass::Int, 2, &["short"]),
    facts(Kind::Int32, "int32", 'i', KindClass::Int, 4, &["intc"]),
    facts(Kind::Int64, "int64", 'l', KindClass::Int, 8, &["long", "longlong", "intp", "int", "q", "p"]),
    facts(Kind::Uint8, "uint8", 'B', KindClass::UInt, 1, &["ubyte"]),
    facts(Kind::Uint16, "uint16", 'H', KindClass::UInt, 2, &["ushort"]),
    facts(Kind::Uint32, "uint32", 'I', KindClass::UInt, 4, &["uintc"]),
    facts(Kind::Uint64, "uint64", 'L', KindClass::UInt, 8, &["ulong", "ulonglong", "uintp", "uint", "Q", "P"]),
    facts(Kind::Float16, "float16", 'e', KindClass::Float, 2, &["half"]),
    facts(Kind::Float32, "float32", 'f', KindClass::Float, 4, &["single"]),
    facts(Kind::Float64, "float64", 'd', KindClass::Float, 8, &["double", "float"]),
    facts(Kind::Complex64, "complex64", 'F', KindClass::Complex, 8, &["csingle"]),
    facts(Kind::Complex128, "complex128", 'D', KindClass::Complex, 16, &["cdouble", "complex"]),
];

impl Kind {
    /// Every kind, in the order of the WIT `scalar-kind`.
    pub const ALL: [Kind; 14] = [
        Kind::Bool,
        Kind::Int8,
        Kind::Int16,
        Kind::Int32,
        Kind::Int64,
        Kind::Uint8,
        Kind::Uint16,
        Kind::Uint32,
        Kind::Uint64,
        Kind::Float16,
        Kind::Float32,
        Kind::Float64,
        Kind::Complex64,
        Kind::Complex128,
    ];

    fn facts(self) -> &'static Facts {
        // The table is in the order of the variants (checked by a test).
        match self {
            Kind::Bool => &TABLE[0],
            Kind::Int8 => &TABLE[1],
            Kind::Int16 => &TABLE[2],
            Kind::Int32 => &TABLE[3],
            Kind::Int64 => &TABLE[4],
            Kind::Uint8 => &TABLE[5],
            Kind::Uint16 => &TABLE[6],
            Kind::Uint32 => &TABLE[7],
            Kind::Uint64 => &TABLE[8],
            Kind::Float16 => &TABLE[9],
            Kind::Float32 => &TABLE[10],
            Kind::Float64 => &TABLE[11],
            Kind::Complex64 => &TABLE[12],
            Kind::Complex128 => &TABLE[13],
        }
    }

    /// numpy's name, `dtype.name` (`"float64"`).
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// numpy's one-letter type code, `dtype.char` (`'d'` for `float64`, `'?'` for `bool`).
    pub fn char(self) -> char {
        self.facts().char
    }

    /// numpy's class of the kind, `dtype.kind` (see [`KindClass::letter`]).
    pub fn class(self) -> KindClass {
        self.facts().class
    }

    /// Bytes per element, `dtype.itemsize`.
    pub fn itemsize(self) -> usize {
        self.facts().itemsize
    }

    /// [`Kind::itemsize`] as a `u64`, for byte arithmetic on file sizes.
    pub fn itemsize_u64(self) -> u64 {
        // At most 16.
        u64::try_from(self.itemsize()).unwrap_or(u64::MAX)
    }

    /// The size of the numbers whose bytes a change of byte order reverses (numpy's `byteswap`):
    /// the whole element, or each of the two parts of a complex number.
    pub fn swap_unit(self) -> usize {
        if self.is_complex() { self.itemsize() / 2 } else { self.itemsize() }
    }

    /// The other names and codes `np.dtype` accepts for this kind (`"double"`, `"float"` for
    /// `float64`), beside [`Kind::name`] and [`Kind::char`].
    pub fn aliases(self) -> &'static [&'static str] {
        self.facts().aliases
    }

    /// Whether this is `complex64` or `complex128` (`np.issubdtype(k, np.complexfloating)`).
    pub fn is_complex(self) -> bool {
        self.class() == KindClass::Complex
    }

    /// The kind of class `class` and `itemsize` bytes, if numpy has it (`np.dtype('f4')`).
    pub fn from_class(class: KindClass, itemsize: usize) -> Option<Kind> {
        TABLE.iter().find(|f| f.class == class && f.itemsize == itemsize).map(|f| f.kind)
    }

    /// The kind a name, an alias or a one-letter type code stands for (`np.dtype("double")`,
    /// `np.dtype("d")`), without a byte order.
    pub fn from_name(name: &str) -> Option<Kind> {
        let mut chars = name.chars();
        let single = match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        };
        TABLE.iter().find(|f| f.name == name || f.aliases.contains(&name) || Some(f.char) == single).map(|f| f.kind)
    }
}

/// Prints [`Kind::name`], like `str(np.dtype(np.float64).type.__name__)`: `float64`.
impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The order of the bytes of one number in memory; numpy's `dtype.byteorder`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `'<'`: least significant byte first (x86-64, AArch64 and wasm32 are little-endian).
    Little,
    /// `'>'`: most significant byte first (numpy's `'!'`, network order, is the same).
    Big,
}

impl ByteOrder {
    /// This machine's order, numpy's `'='`.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") { ByteOrder::Big } else { ByteOrder::Little };

    /// numpy's character for the order in `dtype.str`: `'<'` or `'>'`.
    pub const fn char(self) -> char {
        match self {
            Self::Little => '<',
            Self::Big => '>',
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_order_of_the_variants() {
        for (kind, facts) in Kind::ALL.into_iter().zip(&TABLE) {
            assert_eq!(kind, facts.kind);
            assert_eq!(kind.facts().kind, kind);
        }
    }

    #[test]
    fn every_spelling_names_one_kind() {
        // numpy: every name, alias and code of one kind maps back to it, and no two kinds share one.
        let mut seen = std::collections::HashSet::new();
        for kind in Kind::ALL {
            let char = kind.char().to_string();
            for spelling in [kind.name(), char.as_str()].into_iter().chain(kind.aliases().iter().copied()) {
                assert_eq!(Kind::from_name(spelling), Some(kind), "{spelling}");
                assert!(seen.insert(spelling.to_string()), "{spelling} twice");
            }
            assert_eq!(Kind::from_class(kind.class(), kind.itemsize()), Some(kind));
        }
    }

    #[test]
    fn swap_units_are_whole_numbers() {
        // numpy: np.dtype('c8').newbyteorder() swaps each float32 part.
        assert_eq!(Kind::Complex64.swap_unit(), 4);
        assert_eq!(Kind::Complex128.swap_unit(), 8);
        assert_eq!(Kind::Float16.swap_unit(), 2);
        assert_eq!(Kind::Bool.swap_unit(), 1);
    }
}
