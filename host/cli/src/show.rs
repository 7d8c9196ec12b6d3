//! `wasm-memmap show`: prints an array file as numpy's `repr(np.memmap(...))` would, reading only
//! the elements numpy shows (with positioned reads, so an 800 MB file prints at once).
//!
//! The file may come from a plugin, so it is treated as hostile: it is opened with `O_NONBLOCK`
//! (a FIFO swapped in cannot make `show` wait) and checked to be a regular file on the opened
//! descriptor; a shape (from `--shape` or a `.npy` header) has at most numpy's 64 axes; and the
//! elements numpy's summarisation keeps are counted before any is read, and refused past
//! `--max-elements` (numpy keeps every element of an axis no longer than `2 * edgeitems`, so a
//! sparse `(6,)*10` file of 60 MB would print all 60 million).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail, ensure};
use clap::Args;
use half::f16;
use wasm_memmap_arrayprint::{
    self as print, DtypeInfo, DtypeKind, FloatKind, FloatMode, Legacy, PrintOptions, Scalar, Sign,
};
use wasm_memmap_numpy_core::npy;

/// The arguments of `show`: `np.memmap`'s and `np.set_printoptions`'s, named as numpy names them.
#[derive(Args, Debug)]
pub(crate) struct ShowArgs {
    /// The array file: raw element bytes, or a `.npy` file (recognised by its header, which gives
    /// dtype, shape and order; printed like `repr(np.load(FILE, mmap_mode='r'))`).
    file: PathBuf,
    /// The element type in numpy's spelling (`float64`, `f8`, `>i4`, `uint8`, ...) [default: uint8,
    /// as np.memmap's].
    #[arg(long, value_name = "D")]
    dtype: Option<String>,
    /// The shape as a comma-separated list (`10000,10000`; `""` or `()` for a 0-d array) [default:
    /// 1-D over the rest of the file].
    #[arg(long, value_name = "S")]
    shape: Option<String>,
    /// Where the array starts in the file, in bytes.
    #[arg(long, value_name = "N")]
    offset: Option<u64>,
    /// The memory layout: `C` (row-major) or `F` (column-major) [default: C].
    #[arg(long, value_name = "C|F")]
    order: Option<String>,
    /// Digits after the point (numpy's `precision`).
    #[arg(long, value_name = "N", default_value_t = 8)]
    precision: usize,
    /// Never use scientific notation for small numbers (numpy's `suppress=True`).
    #[arg(long)]
    suppress: bool,
    /// Summarise arrays with more elements than this (numpy's `threshold`).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    threshold: usize,
    /// Items shown at each end of a summarised axis (numpy's `edgeitems`).
    #[arg(long, value_name = "N", default_value_t = 3)]
    edgeitems: usize,
    /// Characters per line (numpy's `linewidth`).
    #[arg(long, value_name = "N", default_value_t = 75)]
    linewidth: usize,
    /// `fixed`, `unique`, `maxprec` or `maxprec_equal` (numpy's `floatmode`).
    #[arg(long, value_name = "MODE", default_value = "maxprec")]
    floatmode: String,
    /// `-`, `+` or ` ` (numpy's `sign`).
    #[arg(long, value_name = "CHAR", default_value = "-", allow_hyphen_values = true)]
    sign: String,
    /// `2.1` prints as numpy 2.1 did (no `shape=` on summarised arrays); `False` is current numpy.
    #[arg(long, value_name = "2.1")]
    legacy: Option<String>,
    /// The most elements to read and print, counted after numpy's summarisation; a file that
    /// would print more is refused (numpy itself would print them all). The default lets any
    /// array of up to 6 axes print with numpy's default options (6 items kept per long axis:
    /// 6**6 = 46,656) and stops a hostile shape such as (6,)*10 (60 million) at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ELEMENTS)]
    max_elements: u64,
}

/// The default of `--max-elements`: about a megabyte of text, printed in well under a second.
const DEFAULT_MAX_ELEMENTS: u64 = 100_000;

/// numpy's `NPY_MAXDIMS`.
const MAX_DIMS: usize = npy::MAX_DIMS;

/// A shape as Python prints a tuple: `(6, 6)`, `(3,)`, `()`.
fn print_shape(shape: &[u64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// numpy's refusal of more than 64 axes.
fn check_ndim(ndim: usize) -> Result<()> {
    ensure!(ndim <= MAX_DIMS, "maximum supported dimension for an ndarray is currently {MAX_DIMS}, found {ndim}");
    Ok(())
}

impl ShowArgs {
    fn print_options(&self) -> Result<PrintOptions> {
        let floatmode = match self.floatmode.as_str() {
            "fixed" => FloatMode::Fixed,
            "unique" => FloatMode::Unique,
            "maxprec" => FloatMode::MaxPrec,
            "maxprec_equal" => FloatMode::MaxPrecEqual,
            other => bail!(
                "floatmode option must be one of \"fixed\", \"unique\", \"maxprec\", \"maxprec_equal\" (got '{other}')"
            ),
        };
        let sign = match self.sign.as_str() {
            "-" => Sign::Minus,
            "+" => Sign::Plus,
            " " => Sign::Space,
            other => bail!("sign option must be one of ' ', '+', or '-' (got '{other}')"),
        };
        let legacy = match self.legacy.as_deref() {
            None | Some("False" | "false") => Legacy::None,
            Some("2.1") => Legacy::V2_1,
            Some(other) => bail!(
                "legacy printing option '{other}' is not supported: `show` prints as numpy 2.4 (`False`) or 2.1 \
                 (`2.1`); numpy's '1.13', '1.21', '1.25' and '2.2' modes are left out"
            ),
        };
        Ok(PrintOptions {
            precision: self.precision,
            threshold: self.threshold,
            edgeitems: self.edgeitems,
            linewidth: self.linewidth,
            suppress: self.suppress,
            floatmode,
            sign,
            legacy,
        })
    }
}

/// Where the array lies in the file.
struct Array {
    dtype: DtypeInfo,
    shape: Vec<u64>,
    fortran: bool,
    offset: u64,
}

fn parse_shape(s: &str) -> Result<Vec<u64>> {
    let inner = s.trim().trim_start_matches('(').trim_end_matches(')').trim();
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    let parts = || inner.split(',').map(str::trim).enumerate().filter(|(i, part)| !(part.is_empty() && *i > 0));
    // Counted before anything is built: 60,000 axes once overflowed the stack while printing.
    check_ndim(parts().count())?;
    parts()
        .map(|(_, part)| {
            if part.starts_with('-') {
                bail!("negative dimensions are not allowed (--shape {s})")
            }
            part.parse::<u64>().with_context(|| format!("--shape {s}: '{part}' is not an axis length"))
        })
        .collect()
}

/// The array's description from the arguments, or from the header of a `.npy` file given without
/// them (numpy's `np.load` recognises a `.npy` file the same way: by its magic string).
fn describe(args: &ShowArgs, file: &File, file_len: u64) -> Result<Array> {
    let raw = args.dtype.is_some() || args.shape.is_some() || args.offset.is_some() || args.order.is_some();
    let mut magic = [0u8; 6];
    let is_npy = file_len >= 6 && file.read_exact_at(&mut magic, 0).is_ok() && &magic == npy::MAGIC_PREFIX;
    if is_npy && !raw {
        let header = npy::read_header(file).map_err(anyhow::Error::from)?;
        return Ok(Array {
            dtype: header.dtype.into(),
            shape: header.shape,
            fortran: header.fortran_order,
            offset: header.data_offset,
        });
    }
    let spec = args.dtype.as_deref().unwrap_or("uint8");
    let dtype = DtypeInfo::from_name(spec).with_context(|| format!("data type '{spec}' not understood"))?;
    let fortran = match args.order.as_deref().unwrap_or("C") {
        "C" | "c" | "A" | "a" | "K" | "k" => false,
        "F" | "f" => true,
        other => bail!("order must be one of 'C', 'F', 'A', or 'K' (got '{other}')"),
    };
    let offset = args.offset.unwrap_or(0);
    let itemsize = u64::try_from(dtype.itemsize())?;
    let shape = match &args.shape {
        Some(s) => parse_shape(s)?,
        None => {
            // numpy: bytes = filesize - offset, which must be a whole number of elements.
            let available = i128::from(file_len) - i128::from(offset);
            ensure!(
                available % i128::from(itemsize) == 0,
                "Size of available data is not a multiple of the data-type size."
            );
            ensure!(available >= 0, "negative dimensions are not allowed");
            vec![u64::try_from(available / i128::from(itemsize))?]
        }
    };
    Ok(Array { dtype, shape, fortran, offset })
}

/// The element at byte `at` of the file.
fn read_scalar(file: &File, at: u64, dtype: &DtypeInfo, buf: &mut [u8]) -> Result<Scalar> {
    file.read_exact_at(buf, at).with_context(|| format!("cannot read the element at byte {at}"))?;
    let size = buf.len();
    // Bytes into this machine's order: each part of a complex number separately.
    let unit = if dtype.kind() == DtypeKind::Complex { size / 2 } else { size };
    if !dtype.is_native() {
        buf.chunks_mut(unit).for_each(<[u8]>::reverse);
    }
    let uint = |b: &[u8]| b.iter().rev().fold(0u128, |acc, &x| (acc << 8) | u128::from(x));
    let float = |b: &[u8]| -> f64 {
        match b.len() {
            2 => f16::from_bits(u16::from_ne_bytes([b[0], b[1]])).to_f64(),
            4 => f64::from(f32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
            _ => f64::from_ne_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        }
    };
    Ok(match dtype.kind() {
        DtypeKind::Bool => Scalar::Bool(buf[0] != 0),
        DtypeKind::UInt => Scalar::Int(i128::try_from(uint(buf))?),
        DtypeKind::Int => {
            // Sign-extend from the element's width.
            let bits = u32::try_from(size * 8)?;
            let v = uint(buf);
            let shift = 128 - bits;
            Scalar::Int(i128::from_ne_bytes((v << shift).to_ne_bytes()) >> shift)
        }
        DtypeKind::Float => Scalar::Float(float(buf), dtype.float_kind()),
        DtypeKind::Complex => {
            let kind = if size == 8 { FloatKind::F32 } else { FloatKind::F64 };
            Scalar::Complex(float(&buf[..unit]), float(&buf[unit..]), kind)
        }
    })
}

/// Runs `show`: prints the array, or fails with numpy's message for the same mistake.
pub(crate) fn run(args: &ShowArgs) -> Result<ExitCode> {
    let options = args.print_options()?;
    let path = &args.file;
    // Checked before opening, as opening a device can itself do something (a tape rewinds); and
    // opened with O_NONBLOCK, so a FIFO swapped in after the check cannot make `show` wait for a
    // writer (O_NOCTTY: nor a terminal become the controlling one), then checked again on the
    // opened descriptor (fstat).
    if let Ok(meta) = std::fs::metadata(path) {
        ensure!(meta.is_file(), "'{}' is not a regular file", path.display());
    }
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path).map_err(
        |e| match e.kind() {
            // numpy's FileNotFoundError text, without its errno prefix.
            std::io::ErrorKind::NotFound => anyhow::anyhow!("No such file or directory: '{}'", path.display()),
            _ => anyhow::Error::from(e).context(format!("cannot open '{}'", path.display())),
        },
    )?;
    let meta = file.metadata().with_context(|| format!("cannot read '{}'", path.display()))?;
    ensure!(meta.is_file(), "'{}' is not a regular file", path.display());
    let file_len = meta.len();
    let Array { dtype, shape, fortran, offset } = describe(args, &file, file_len)?;
    check_ndim(shape.len())?;

    let itemsize = u64::try_from(dtype.itemsize())?;
    let too_big = || {
        anyhow::anyhow!("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.")
    };
    let nbytes = shape.iter().try_fold(itemsize, |acc, &d| acc.checked_mul(d)).ok_or_else(too_big)?;
    let end = offset.checked_add(nbytes).ok_or_else(too_big)?;
    // numpy maps the file with mode 'r': an empty file or one shorter than the array is refused.
    ensure!(file_len > 0, "cannot mmap an empty file");
    ensure!(end <= file_len, "mmap length is greater than file size");

    // C or Fortran strides in bytes (axes of length 0 count as 1, as numpy's do).
    let mut strides = vec![0u64; shape.len()];
    let mut step = itemsize;
    let axes: Vec<usize> = if fortran { (0..shape.len()).collect() } else { (0..shape.len()).rev().collect() };
    for axis in axes {
        strides[axis] = step;
        step = step.checked_mul(shape[axis].max(1)).ok_or_else(too_big)?;
    }
    let shape_usize: Vec<usize> =
        shape.iter().map(|&d| usize::try_from(d)).collect::<Result<_, _>>().map_err(|_| too_big())?;

    // The kept elements in C order of the kept shape: the cartesian product of each axis's indices.
    // Counted before any index list is built or any element read.
    let ranges = print::kept_ranges(&shape_usize, &options);
    let count = if shape.contains(&0) {
        Some(0)
    } else {
        ranges.iter().try_fold(1u128, |acc, axis| {
            let n = axis.iter().map(ExactSizeIterator::len).try_fold(0usize, usize::checked_add)?;
            acc.checked_mul(u128::try_from(n).ok()?)
        })
    };
    let mut kept = Vec::new();
    if count != Some(0) {
        let max = args.max_elements;
        let shown = count.map_or_else(|| "more than 2**128".to_string(), |c| c.to_string());
        ensure!(
            count.is_some_and(|c| c <= u128::from(max)),
            "show would read and print {shown} elements of this array of shape {} (numpy's summarisation, with \
             threshold {} and edgeitems {}, keeps that many), more than --max-elements {max}; raise \
             --max-elements, or lower --threshold or --edgeitems to print fewer",
            print_shape(&shape),
            options.threshold,
            options.edgeitems,
        );
        let indices: Vec<Vec<u64>> = ranges
            .iter()
            .map(|axis| axis.iter().cloned().flatten().map(|i| u64::try_from(i).unwrap_or(u64::MAX)).collect())
            .collect();
        let mut buf = vec![0u8; dtype.itemsize()];
        let mut at = vec![0usize; shape.len()];
        loop {
            let pos = at
                .iter()
                .zip(&indices)
                .zip(&strides)
                .try_fold(offset, |acc, ((&a, ix), &s)| ix[a].checked_mul(s).and_then(|b| acc.checked_add(b)));
            kept.push(read_scalar(&file, pos.ok_or_else(too_big)?, &dtype, &mut buf)?);
            let mut axis = at.len();
            let done = loop {
                if axis == 0 {
                    break true;
                }
                axis -= 1;
                at[axis] += 1;
                if at[axis] < indices[axis].len() {
                    break false;
                }
                at[axis] = 0;
            };
            if done {
                break;
            }
        }
    }
    println!("{}", print::repr("memmap", &shape_usize, &kept, &dtype, &options));
    Ok(ExitCode::SUCCESS)
}
