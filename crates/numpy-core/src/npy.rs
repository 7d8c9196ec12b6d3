//! The `.npy` file header (numpy's `numpy/lib/_format_impl.py`): reading it as `np.load(path,
//! mmap_mode=...)` / `np.lib.format.open_memmap` do, and writing it byte for byte as numpy does.
//!
//! A header is untrusted input: its length is bounded (numpy's `max_header_size`, 10000 characters),
//! its dictionary is parsed by a small strict parser of Python literals with a bounded nesting depth,
//! every shape entry must fit in a `u64`, and the `descr` must name one of the 14 dtypes this crate
//! maps. Every failure is an [`NpyError`] carrying numpy's message where numpy has one, with any
//! part of the header it quotes cut to a bounded length.
//!
//! Why not a crate: `npyz` and `ndarray-npy` read a header only as the start of reading the whole
//! array through their own readers and accept dtypes (structured, strings) this crate cannot map;
//! `py_literal` parses any Python literal (arbitrary-precision numbers, unbounded nesting) through
//! a `pest` grammar. The three keys of a `.npy` header need a few hundred lines, and the strict
//! parser here gives numpy's messages.

use std::fmt::Write as _;
#[cfg(unix)]
use std::fs::File;
#[cfg(unix)]
use std::os::unix::fs::FileExt;

pub use crate::layout::MAX_DIMS;

use crate::dtype::DType;
use crate::error::quoted;
use crate::layout::{check_ndim, shape_str};

/// numpy's `MAGIC_PREFIX`.
pub const MAGIC_PREFIX: &[u8; 6] = b"\x93NUMPY";

/// numpy's `_MAX_HEADER_SIZE`: the longest header (in characters) `np.load` reads by default.
pub const MAX_HEADER_SIZE: usize = 10_000;

/// numpy's `ARRAY_ALIGN`: data starts at a multiple of this many bytes in files numpy writes.
pub const ARRAY_ALIGN: usize = 64;

/// numpy's `GROWTH_AXIS_MAX_DIGITS`: spare spaces numpy leaves so the header can be rewritten in
/// place when the array grows.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;

/// How deeply literals may nest in a header before it is refused (a valid one nests two deep;
/// Python's own parser gives up at 200 nested parentheses).
const MAX_DEPTH: usize = 256;

/// A parsed `.npy` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The format version `(major, minor)`: `(1, 0)`, `(2, 0)` or `(3, 0)`.
    pub version: (u8, u8),
    /// The element type, from `descr`.
    pub dtype: DType,
    /// `fortran_order`: the data are in column-major order.
    pub fortran_order: bool,
    /// `shape`.
    pub shape: Vec<u64>,
    /// Where the data start in the file: the length of magic string, version, length field and
    /// header together.
    pub data_offset: u64,
}

/// Why a `.npy` header was refused. numpy raises `ValueError` for each of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NpyError {
    message: String,
    overflow: bool,
}

impl NpyError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), overflow: false }
    }

    /// The message: numpy's where numpy has one for the same problem.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether a number in the header is too large for this host (numpy would report it later, as an
    /// `OverflowError` or "array is too big").
    pub fn is_overflow(&self) -> bool {
        self.overflow
    }
}

impl std::fmt::Display for NpyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NpyError {}

/// numpy's `ValueError` for a bad header, or an `OverflowError` ([`NpyError::is_overflow`]).
impl From<NpyError> for crate::Error {
    fn from(e: NpyError) -> Self {
        if e.overflow { Self::overflow(e.message) } else { Self::invalid(e.message) }
    }
}

/// Either an I/O error reading the file or a bad header.
#[derive(Debug)]
pub enum ReadError {
    /// Reading the file failed.
    Io(std::io::Error),
    /// The bytes are not a header this crate accepts.
    Header(NpyError),
}

impl From<NpyError> for ReadError {
    fn from(e: NpyError) -> Self {
        Self::Header(e)
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => e.fmt(f),
            Self::Header(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

#[cfg(unix)]
/// Reads `size` bytes at `offset`, or fails with numpy's `_read_bytes` message when the file ends.
fn read_bytes(file: &File, offset: u64, size: usize, what: &str) -> Result<Vec<u8>, ReadError> {
    let mut buf = vec![0u8; size];
    let mut got = 0;
    while got < size {
        let at = offset + u64::try_from(got).unwrap_or(u64::MAX);
        match file.read_at(&mut buf[got..], at) {
            Ok(0) => return Err(NpyError::new(format!("EOF: reading {what}, expected {size} bytes got {got}")).into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    Ok(buf)
}

/// Reads and checks the header at the start of `file` with positioned reads (the file's cursor is
/// not used; on Unix, where positioned reads are stable), like `np.lib.format.read_magic` followed by `read_array_header_1_0`/`_2_0`.
///
/// # Errors
/// [`ReadError::Io`] when reading fails, [`ReadError::Header`] for a file that is too short or
/// whose header is malformed, too long, or names a dtype this crate cannot map.
#[cfg(unix)]
pub fn read_header(file: &File) -> Result<Header, ReadError> {
    let magic = read_bytes(file, 0, 8, "magic string")?;
    let version = check_magic(&magic)?;
    let len_size = if version == (1, 0) { 2 } else { 4 };
    let len_bytes = read_bytes(file, 8, len_size, "array header length")?;
    let header_len = header_length(&len_bytes);
    check_header_bytes(header_len)?;
    let header = read_bytes(file, 8 + u64::try_from(len_size).unwrap_or(4), header_len, "array header")?;
    let mut all = magic;
    all.extend_from_slice(&len_bytes);
    all.extend_from_slice(&header);
    Ok(parse_header(&all)?)
}

fn check_magic(magic: &[u8]) -> Result<(u8, u8), NpyError> {
    if &magic[..6] != MAGIC_PREFIX {
        return Err(NpyError::new(format!(
            "the magic string is not correct; expected {}, got {}",
            py_bytes_repr(MAGIC_PREFIX),
            py_bytes_repr(&magic[..6])
        )));
    }
    let version = (magic[6], magic[7]);
    if !matches!(version, (1, 0) | (2, 0) | (3, 0)) {
        return Err(NpyError::new(format!(
            "we only support format version (1,0), (2,0), and (3,0), not ({}, {})",
            version.0, version.1
        )));
    }
    Ok(version)
}

fn header_length(bytes: &[u8]) -> usize {
    let n = bytes.iter().rev().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A header longer in bytes than `MAX_HEADER_SIZE` characters can take (4 bytes each in UTF-8)
/// is refused before it is read.
fn check_header_bytes(len: usize) -> Result<(), NpyError> {
    if len > MAX_HEADER_SIZE * 4 { Err(too_large(len)) } else { Ok(()) }
}

fn too_large(len: usize) -> NpyError {
    NpyError::new(format!(
        "Header info length ({len}) is large and may not be safe to load securely.\nTo allow loading, adjust \
         `max_header_size` or fully trust the `.npy` file using `allow_pickle=True`.\nFor safety against large \
         resource use or crashes, sandboxing may be necessary."
    ))
}

/// Parses a complete header: magic string, version, length field and the dictionary (the bytes
/// from the start of a `.npy` file up to its data; anything after the header is ignored).
///
/// # Errors
/// As [`read_header`], without the I/O ones.
pub fn parse_header(bytes: &[u8]) -> Result<Header, NpyError> {
    let eof = |what: &str, size: usize, got: usize| {
        NpyError::new(format!("EOF: reading {what}, expected {size} bytes got {got}"))
    };
    if bytes.len() < 8 {
        return Err(eof("magic string", 8, bytes.len()));
    }
    let version = check_magic(&bytes[..8])?;
    let len_size = if version == (1, 0) { 2 } else { 4 };
    let rest = &bytes[8..];
    if rest.len() < len_size {
        return Err(eof("array header length", len_size, rest.len()));
    }
    let header_len = header_length(&rest[..len_size]);
    check_header_bytes(header_len)?;
    let rest = &rest[len_size..];
    if rest.len() < header_len {
        return Err(eof("array header", header_len, rest.len()));
    }
    let raw = &rest[..header_len];
    let text: String = if version == (3, 0) {
        std::str::from_utf8(raw).map_err(|e| utf8_error(raw, &e))?.to_owned()
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    let chars = text.chars().count();
    if chars > MAX_HEADER_SIZE {
        return Err(too_large(chars));
    }
    let (dtype, fortran_order, shape) = parse_dict(&text)?;
    let data_offset = u64::try_from(8 + len_size + header_len).unwrap_or(u64::MAX);
    Ok(Header { version, dtype, fortran_order, shape, data_offset })
}

/// Python's `UnicodeDecodeError` message for a header that is not UTF-8 (format 3.0).
fn utf8_error(raw: &[u8], e: &std::str::Utf8Error) -> NpyError {
    let at = e.valid_up_to();
    let byte = raw[at];
    let message = match e.error_len() {
        None if raw.len() - at > 1 => {
            format!("'utf-8' codec can't decode bytes in position {at}-{}: unexpected end of data", raw.len() - 1)
        }
        None => format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: unexpected end of data"),
        Some(_) if matches!(byte, 0x80..=0xc1 | 0xf5..=0xff) => {
            format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: invalid start byte")
        }
        Some(_) => format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: invalid continuation byte"),
    };
    NpyError::new(message)
}

/// The header dictionary's three values, checked as numpy's `_read_array_header` checks them.
fn parse_dict(text: &str) -> Result<(DType, bool, Vec<u64>), NpyError> {
    let cannot_parse = || NpyError::new(format!("Cannot parse header: {}", quoted(&py_str_repr(text))));
    let mut parser = Parser { s: text.as_bytes(), text, pos: 0 };
    let value = parser.value(0).map_err(|()| cannot_parse())?;
    parser.skip_ws();
    if parser.pos != parser.s.len() {
        return Err(cannot_parse());
    }
    let Value::Dict(entries) = value else {
        return Err(NpyError::new(format!("Header is not a dictionary: {}", quoted(&value.repr()))));
    };
    // Later duplicates win, as in a Python dict display.
    let get = |key: &str| entries.iter().rev().find(|(k, _)| matches!(k, Value::Str(s) if s == key)).map(|(_, v)| v);
    let mut keys: Vec<&Value> = Vec::new();
    for (k, _) in &entries {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let expected = ["descr", "fortran_order", "shape"];
    let exact = keys.len() == 3 && expected.iter().all(|e| get(e).is_some());
    if !exact {
        let mut reprs: Vec<String> = keys.iter().map(|k| k.repr()).collect();
        reprs.sort();
        return Err(NpyError::new(format!(
            "Header does not contain the correct keys: [{}]",
            quoted(&reprs.join(", "))
        )));
    }
    let (Some(descr), Some(fortran), Some(shape)) = (get("descr"), get("fortran_order"), get("shape")) else {
        return Err(cannot_parse());
    };
    let shape_invalid = || NpyError::new(format!("shape is not valid: {}", quoted(&shape.repr())));
    let Value::Tuple(dims) = shape else {
        return Err(shape_invalid());
    };
    let mut out = Vec::with_capacity(dims.len());
    for d in dims {
        match d {
            Value::Int(n) => match u64::try_from(*n) {
                Ok(n) => out.push(n),
                Err(_) if *n < 0 => return Err(NpyError::new("negative dimensions are not allowed")),
                Err(_) => {
                    return Err(NpyError {
                        message: format!("shape {} has an axis longer than 2**64 - 1", quoted(&shape.repr())),
                        overflow: true,
                    });
                }
            },
            _ => return Err(shape_invalid()),
        }
    }
    let Value::Bool(fortran_order) = *fortran else {
        return Err(NpyError::new(format!("fortran_order is not a valid bool: {}", quoted(&fortran.repr()))));
    };
    let dtype = match descr {
        Value::Str(s) if matches!(s.trim_start_matches(['<', '>', '|', '=']), "O" | "O8" | "O4") => {
            return Err(NpyError::new("Array can't be memory-mapped: Python objects in dtype."));
        }
        Value::Str(s) => DType::parse(s).ok(),
        _ => None,
    };
    let dtype = dtype.ok_or_else(|| {
        NpyError::new(format!(
            "descr {} is not a dtype wasm-memmap can map (bool, int8..int64, uint8..uint64, float16, float32, \
             float64, complex64, complex128, in either byte order)",
            quoted(&descr.repr())
        ))
    })?;
    // Last, as numpy refuses it last (when it makes the array); the header's length bounds `out`.
    check_ndim(out.len()).map_err(|e| NpyError::new(e.into_message()))?;
    Ok((dtype, fortran_order, out))
}

/// A Python literal, as far as a header can hold one.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Str(String),
    /// Integers beyond `i128` are refused by the parser.
    Int(i128),
    Float(String),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// Python's `repr`.
    fn repr(&self) -> String {
        let join = |items: &[Value]| items.iter().map(Value::repr).collect::<Vec<_>>().join(", ");
        match self {
            Self::Str(s) => py_str_repr(s),
            Self::Int(n) => n.to_string(),
            Self::Float(f) => f.clone(),
            Self::Bool(true) => "True".into(),
            Self::Bool(false) => "False".into(),
            Self::None => "None".into(),
            Self::Tuple(items) if items.len() == 1 => format!("({},)", items[0].repr()),
            Self::Tuple(items) => format!("({})", join(items)),
            Self::List(items) => format!("[{}]", join(items)),
            Self::Dict(entries) => format!(
                "{{{}}}",
                entries.iter().map(|(k, v)| format!("{}: {}", k.repr(), v.repr())).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// A recursive-descent parser of the Python literals a header may hold; `Err(())` is a syntax
/// error (numpy's "Cannot parse header").
struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ()> {
        if depth > MAX_DEPTH {
            return Err(());
        }
        self.skip_ws();
        match *self.s.get(self.pos).ok_or(())? {
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    if self.eat(b'}') {
                        return Ok(Value::Dict(entries));
                    }
                    let key = self.value(depth + 1)?;
                    if !self.eat(b':') {
                        return Err(());
                    }
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                    if !self.eat(b',') {
                        return if self.eat(b'}') { Ok(Value::Dict(entries)) } else { Err(()) };
                    }
                }
            }
            open @ (b'(' | b'[') => {
                self.pos += 1;
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                let mut trailing_comma = false;
                loop {
                    if self.eat(close) {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    trailing_comma = self.eat(b',');
                    if !trailing_comma {
                        if self.eat(close) {
                            break;
                        }
                        return Err(());
                    }
                }
                if open == b'[' {
                    Ok(Value::List(items))
                } else if items.len() == 1 && !trailing_comma {
                    // `(3)` is just `3` in Python.
                    Ok(items.pop().ok_or(())?)
                } else {
                    Ok(Value::Tuple(items))
                }
            }
            quote @ (b'\'' | b'"') => self.string(quote),
            b'0'..=b'9' | b'-' | b'+' => self.number(),
            _ => {
                let rest = &self.s[self.pos..];
                for (word, value) in [("True", Value::Bool(true)), ("False", Value::Bool(false)), ("None", Value::None)]
                {
                    let w = word.as_bytes();
                    if rest.starts_with(w)
                        && !rest.get(w.len()).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    {
                        self.pos += w.len();
                        return Ok(value);
                    }
                }
                Err(())
            }
        }
    }

    /// A string literal without escapes other than `\\`, `\'`, `\"`, `\n`, `\t` (numpy writes none).
    fn string(&mut self, quote: u8) -> Result<Value, ()> {
        self.pos += 1;
        let mut out = String::new();
        let start = self.pos;
        let mut chunk_start = start;
        while let Some(&c) = self.s.get(self.pos) {
            if c == quote {
                out.push_str(self.text.get(chunk_start..self.pos).ok_or(())?);
                self.pos += 1;
                return Ok(Value::Str(out));
            }
            if c == b'\n' {
                return Err(());
            }
            if c == b'\\' {
                out.push_str(self.text.get(chunk_start..self.pos).ok_or(())?);
                let escaped = match self.s.get(self.pos + 1).ok_or(())? {
                    b'\\' => '\\',
                    b'\'' => '\'',
                    b'"' => '"',
                    b'n' => '\n',
                    b't' => '\t',
                    _ => return Err(()),
                };
                out.push(escaped);
                self.pos += 2;
                chunk_start = self.pos;
                continue;
            }
            self.pos += 1;
        }
        Err(())
    }

    fn number(&mut self) -> Result<Value, ()> {
        let start = self.pos;
        if matches!(self.s[self.pos], b'-' | b'+') {
            self.pos += 1;
            self.skip_ws();
        }
        let digits = self.pos;
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            self.pos += 1;
        }
        let body: String = self.text[digits..self.pos].chars().filter(|&c| c != '_').collect();
        if body.is_empty() || (body.len() > 1 && body.starts_with('0') && body.bytes().any(|b| b != b'0')) {
            return Err(());
        }
        if self.s.get(self.pos).is_some_and(|c| matches!(c, b'.' | b'e' | b'E' | b'j' | b'x' | b'o' | b'b' | b'L')) {
            // Floats, complex and non-decimal literals never occur in a valid header; they are
            // accepted only to name them in messages.
            while self.s.get(self.pos).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-')) {
                self.pos += 1;
            }
            return Ok(Value::Float(self.text[start..self.pos].to_owned()));
        }
        let magnitude: i128 = if body.len() > 38 { return Err(()) } else { body.parse().map_err(|_| ())? };
        Ok(Value::Int(if self.s[start] == b'-' { -magnitude } else { magnitude }))
    }
}

/// Python's `repr` of a `str`.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if u32::from(c) < 0x20 || u32::from(c) == 0x7f || (0x80..0xa0).contains(&u32::from(c)) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr` of a `bytes`.
fn py_bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') { b'"' } else { b'\'' };
    let mut out = String::from("b");
    out.push(char::from(quote));
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b == quote => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(char::from(quote));
    out
}

/// The header numpy's `open_memmap(mode='w+')` (and `np.save`) writes for an array of `dtype`,
/// `shape` and order: version 1.0 when the header fits its 16-bit length (always, for at most 64
/// axes), else 2.0; keys sorted, growth room after the dictionary, padded with spaces and a
/// newline so the data start at a multiple of [`ARRAY_ALIGN`].
pub fn header_bytes(dtype: &DType, fortran_order: bool, shape: &[u64]) -> Vec<u8> {
    let shape_repr = shape_str(shape);
    let fortran = if fortran_order { "True" } else { "False" };
    let mut dict = format!("{{'descr': '{}', 'fortran_order': {fortran}, 'shape': {shape_repr}, }}", dtype.str());
    let growth_axis = if fortran_order { shape.last() } else { shape.first() };
    if let Some(n) = growth_axis {
        dict.push_str(&" ".repeat(GROWTH_AXIS_MAX_DIGITS.saturating_sub(n.to_string().len())));
    }
    let hlen = dict.len() + 1;
    let wrap = |len_size: usize| ARRAY_ALIGN - ((8 + len_size + hlen) % ARRAY_ALIGN);
    let (version, len_field) = match u16::try_from(hlen + wrap(2)) {
        Ok(total) => (1u8, total.to_le_bytes().to_vec()),
        Err(_) => (2u8, u32::try_from(hlen + wrap(4)).unwrap_or(u32::MAX).to_le_bytes().to_vec()),
    };
    let padlen = wrap(len_field.len());
    let mut out = Vec::with_capacity(8 + len_field.len() + hlen + padlen);
    out.extend_from_slice(MAGIC_PREFIX);
    out.extend_from_slice(&[version, 0]);
    out.extend_from_slice(&len_field);
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', padlen));
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests;
