//! `np.memmap`'s `mode` and the memory `order`, with numpy's spellings and messages.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// How a file is opened and mapped: `np.memmap`'s `mode`. The variants are those of the WIT `mode`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `'r'` (`'readonly'`): an existing file, read only.
    ReadOnly,
    /// `'r+'` (`'readwrite'`, numpy's default): an existing file, read and written; a file shorter
    /// than the array is extended with zeros.
    ReadWrite,
    /// `'w+'` (`'write'`): the file is created or truncated and sized to the array.
    Write,
    /// `'c'` (`'copyonwrite'`): writes change only the mapping, never the file.
    CopyOnWrite,
}

/// numpy's mode strings and their long aliases, in the order of numpy's `valid_filemodes` and
/// `mode_equivalents` (its message lists them so).
const MODES: [(&str, &str, Mode); 4] = [
    ("r", "readonly", Mode::ReadOnly),
    ("c", "copyonwrite", Mode::CopyOnWrite),
    ("r+", "readwrite", Mode::ReadWrite),
    ("w+", "write", Mode::Write),
];

impl Mode {
    /// Parses numpy's spellings: `"r"`, `"r+"`, `"w+"`, `"c"` and their aliases `"readonly"`,
    /// `"readwrite"`, `"write"`, `"copyonwrite"`.
    ///
    /// # Errors
    /// numpy's `ValueError`: `mode must be one of ['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite',
    /// 'readwrite', 'write'] (got 'x')`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        MODES.iter().find(|m| m.0 == s || m.1 == s).map(|m| m.2).ok_or_else(|| {
            Error::invalid(format!(
                "mode must be one of ['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite', 'readwrite', 'write'] (got '{s}')"
            ))
        })
    }

    /// numpy's short spelling, `memmap.mode` (`"r+"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadOnly => "r",
            Mode::ReadWrite => "r+",
            Mode::Write => "w+",
            Mode::CopyOnWrite => "c",
        }
    }

    /// Whether the file is opened for writing (`r+`, `w+`); `c` writes only its private mapping.
    pub fn writes_file(self) -> bool {
        matches!(self, Mode::ReadWrite | Mode::Write)
    }
}

impl FromStr for Mode {
    type Err = Error;
    /// [`Mode::parse`].
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// [`Mode::parse`], for APIs that take `impl TryInto<Mode>` (a mode or its spelling).
impl TryFrom<&str> for Mode {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// `print(a.mode)`: `r+`.
impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `repr(a.mode)`: `'r+'`.
impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.as_str())
    }
}

/// The order of the elements in memory: numpy's `order`. The variants are those of the WIT `order`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// `'C'`: row-major, the last index varies fastest.
    C,
    /// `'F'`: column-major (Fortran), the first index varies fastest.
    Fortran,
}

impl Order {
    /// Parses `"C"` or `"F"` in either case, and numpy's `"A"`/`"K"`, which mean C for a new array.
    ///
    /// # Errors
    /// numpy's message: `order must be one of 'C', 'F', 'A', or 'K' (got 'x')`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "C" | "c" | "A" | "a" | "K" | "k" => Ok(Order::C),
            "F" | "f" => Ok(Order::Fortran),
            _ => Err(Error::invalid(format!("order must be one of 'C', 'F', 'A', or 'K' (got '{s}')"))),
        }
    }

    /// numpy's letter: `"C"` or `"F"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::C => "C",
            Order::Fortran => "F",
        }
    }
}

impl FromStr for Order {
    type Err = Error;
    /// [`Order::parse`].
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// [`Order::parse`], for APIs that take `impl TryInto<Order>` (an order or its letter).
impl TryFrom<&str> for Order {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// `C` or `F`.
impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `'C'` or `'F'`, as numpy's `order=` argument is written.
impl fmt::Debug for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_print_as_numpy_spells_them() {
        for (s, mode) in [
            ("r", Mode::ReadOnly),
            ("readonly", Mode::ReadOnly),
            ("r+", Mode::ReadWrite),
            ("readwrite", Mode::ReadWrite),
            ("w+", Mode::Write),
            ("write", Mode::Write),
            ("c", Mode::CopyOnWrite),
            ("copyonwrite", Mode::CopyOnWrite),
        ] {
            assert_eq!(Mode::parse(s), Ok(mode), "{s}");
        }
        assert_eq!(Mode::ReadOnly.to_string(), "r");
        assert_eq!(Mode::try_from("w+"), Ok(Mode::Write));
        assert_eq!(format!("{:?}", Mode::ReadWrite), "'r+'");
        // numpy 2.x: np.memmap('f', mode='x')
        assert_eq!(
            Mode::parse("rw").unwrap_err().message(),
            "mode must be one of ['r', 'c', 'r+', 'w+', 'readonly', 'copyonwrite', 'readwrite', 'write'] (got 'rw')"
        );
    }

    #[test]
    fn orders_parse_and_print_as_numpy_spells_them() {
        assert_eq!(Order::parse("k"), Ok(Order::C));
        assert_eq!(Order::parse("F"), Ok(Order::Fortran));
        assert_eq!(Order::Fortran.to_string(), "F");
        assert_eq!(format!("{:?}", Order::C), "'C'");
        assert_eq!(Order::parse("X").unwrap_err().message(), "order must be one of 'C', 'F', 'A', or 'K' (got 'X')");
    }
}
