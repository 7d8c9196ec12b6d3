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
use wasm_memmap_arrayprint::{self as print, DtypeInfo, FloatMode, Legacy, PrintOptions, Scalar, Selection, Sign};
use wasm_memmap_numpy_core::{self as numpy, DType, Extent, MemmapArgs, Mode, Order, npy};

mod zarr;

/// The arguments of `show`: `np.memmap`'s and `np.set_printoptions`'s, named as numpy names them.
#[derive(Args, Debug)]
pub(crate) struct ShowArgs {
    /// The array file: raw element bytes, or a `.npy` file (recognised by its header, which gives
    /// dtype, shape and order; printed like `repr(np.load(FILE, mmap_mode='r'))`); or a Zarr v3
    /// array: a directory holding `zarr.json`, or `s3://BUCKET/PREFIX/ARRAY` (credentials and
    /// endpoint from the environment, as for `run --store`), printed like
    /// `repr(zarr.open_array(FILE, mode='r')[...])` with numpy's repr (class name `memmap`).
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
    /// For a Zarr array: stop reading after this many seconds of wall-clock time (fractions
    /// allowed), however many chunks or store requests remain; a store that never answers then
    /// fails the show instead of hanging it. A file is read directly and has no limit.
    #[arg(long, value_name = "SECONDS", value_parser = crate::sandbox::parse_seconds, default_value = "60")]
    timeout: std::time::Duration,
}

/// The default of `--max-elements`: about a megabyte of text, printed in well under a second.
const DEFAULT_MAX_ELEMENTS: u64 = 100_000;

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

/// Where the array lies in the file: numpy-core's [`Extent`] (shape, bytes) of a dtype at an offset.
struct Array {
    dtype: DType,
    extent: Extent,
    offset: u64,
}

fn parse_shape(s: &str) -> Result<Vec<u64>> {
    let inner = s.trim().trim_start_matches('(').trim_end_matches(')').trim();
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    let parts = || inner.split(',').map(str::trim).enumerate().filter(|(i, part)| !(part.is_empty() && *i > 0));
    // Counted before anything is built: 60,000 axes once overflowed the stack while printing.
    numpy::check_ndim(parts().count())?;
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
/// them (numpy's `np.load` recognises a `.npy` file the same way: by its magic string), sized by
/// numpy's rules for `np.memmap(file, mode='r')` (numpy-core's [`MemmapArgs`] and [`Extent`]).
fn describe(args: &ShowArgs, file: &File, file_len: u64) -> Result<Array> {
    let raw = args.dtype.is_some() || args.shape.is_some() || args.offset.is_some() || args.order.is_some();
    let mut magic = [0u8; 6];
    let is_npy = file_len >= 6 && file.read_exact_at(&mut magic, 0).is_ok() && &magic == npy::MAGIC_PREFIX;
    if is_npy && !raw {
        let header = npy::read_header(file).map_err(anyhow::Error::from)?;
        let dtype = header.dtype;
        let order = if header.fortran_order { Order::Fortran } else { Order::C };
        let extent = Extent::for_shape(&header.shape, header.data_offset, dtype, order)?;
        extent.check_file_len(Mode::ReadOnly, file_len)?;
        return Ok(Array { dtype, extent, offset: header.data_offset });
    }
    let dtype = DType::parse(args.dtype.as_deref().unwrap_or("uint8"))?;
    let order = Order::parse(args.order.as_deref().unwrap_or("C"))?;
    let shape = args.shape.as_deref().map(parse_shape).transpose()?;
    let offset = args.offset.unwrap_or(0);
    let extent = MemmapArgs { dtype, mode: Mode::ReadOnly, shape, offset, order }.extent(file_len)?;
    Ok(Array { dtype, extent, offset })
}

/// The element at byte `at` of the file, decoded by numpy-core in the file's byte order.
fn read_scalar(file: &File, at: u64, dtype: DType, buf: &mut [u8]) -> Result<Scalar> {
    file.read_exact_at(buf, at).with_context(|| format!("cannot read the element at byte {at}"))?;
    let value = numpy::Scalar::decode(dtype.kind(), buf, dtype.byte_order()).context("an element's bytes")?;
    Ok(Scalar::from(value))
}

/// Runs `show`: prints the array, or fails with numpy's message for the same mistake.
pub(crate) fn run(args: &ShowArgs, cache_dir: Option<PathBuf>, protected: Vec<PathBuf>) -> Result<ExitCode> {
    let options = args.print_options()?;
    let path = &args.file;
    if let Some(zarr) = zarr::location(path) {
        ensure!(
            args.dtype.is_none() && args.shape.is_none() && args.offset.is_none() && args.order.is_none(),
            "'{}' is a Zarr array: its zarr.json gives dtype, shape and order, so --dtype, --shape, --offset and \
             --order do not apply",
            path.display()
        );
        return zarr::show(&zarr, args, cache_dir, protected);
    }
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
    let Array { dtype, extent, offset } = describe(args, &file, file_len)?;
    let shape = extent.shape();
    let too_big = || {
        anyhow::anyhow!("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.")
    };
    // numpy's C or Fortran strides, from which each kept element's byte offset is found.
    let layout = extent.layout()?;
    let shape_usize: Vec<usize> =
        shape.iter().map(|&d| usize::try_from(d)).collect::<Result<_, _>>().map_err(|_| too_big())?;

    // The kept elements in C order of the kept shape, counted before any is read.
    let selection = Selection::new(&shape_usize, &options);
    let count = selection.len();
    let mut kept = Vec::new();
    if count != Some(0) {
        let max = args.max_elements;
        let shown = count.map_or_else(|| "more than 2**128".to_string(), |c| c.to_string());
        ensure!(
            count.is_some_and(|c| c <= u128::from(max)),
            "show would read and print {shown} elements of this array of shape {} (numpy's summarisation, with \
             threshold {} and edgeitems {}, keeps that many), more than --max-elements {max}; raise \
             --max-elements, or lower --threshold or --edgeitems to print fewer",
            numpy::shape_str(shape),
            options.threshold,
            options.edgeitems,
        );
        let mut buf = vec![0u8; dtype.itemsize()];
        for index in selection.indices() {
            let at: Vec<i64> = index.iter().map(|&i| i64::try_from(i)).collect::<Result<_, _>>()?;
            let pos = offset.checked_add(layout.item_offset(&at)?).ok_or_else(too_big)?;
            kept.push(read_scalar(&file, pos, dtype, &mut buf)?);
        }
    }
    let text = print::repr("memmap", &shape_usize, &kept, &DtypeInfo::from(dtype), &options);
    print_quietly(&text)
}

/// Writes `text` and a newline to stdout. A reader that went away (`show ... | head`) ends the
/// command quietly instead of `println!`'s panic, with status 141 (128 + `SIGPIPE`): what a shell
/// reports for `cat file | head`, and what `run` reports for a plugin whose stdout was closed, so
/// both say "output cut short" alike. The signal itself stays ignored: restoring its default would
/// act on the whole process, which also runs plugins whose mappings must be flushed at teardown.
fn print_quietly(text: &str) -> Result<ExitCode> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(ExitCode::from(u8::try_from(wasm_memmap_runner::STDOUT_CLOSED_EXIT).unwrap_or(1)))
        }
        Err(e) => Err(anyhow::Error::from(e).context("cannot write to stdout")),
    }
}
