//! The demo plugin: replays the numpy session of the document this project comes from
//! (`shared/seed/session.md`), step by step, through the `memmap` interface, and prints it the way
//! IPython showed it, with the book's print options (`precision=4, suppress=True`, numpy 2.1's
//! repr without `shape=`).
//!
//! Usage: `demo [--seed N]`, with a writable directory granted as `.`; it leaves `mymmap`, a
//! 10000x10000 float64 array of 800,000,000 bytes. `demo --zarr LOCATION` replays the same session
//! on a Zarr v3 array at LOCATION (a directory beneath a grant, or an object-store location)
//! chunked 1000x1000, with the same transcript: `zarr.create_array(LOCATION, shape=(10000, 10000),
//! chunks=(1000, 1000), dtype='float64')`, then `zarr.open_array(LOCATION, mode='r+')`; only the
//! 10 chunks rows 0-4 touch are stored. `demo show LOCATION [numpy print options]` prints a Zarr
//! array (`wasm-memmap show --zarr`). `rng` is the SDK's `random::default_rng(N)`, which
//! draws what `np.random.default_rng(N)` draws, so the transcript is the one `session.py` beside this
//! crate prints with numpy for the same seed. The default seed, 12345, is the one the seed notes
//! (`shared/seed/session.md`) quote numpy's first numbers for.

use std::process::ExitCode;

use wasm_memmap_sdk::print::{FloatMode, Legacy, Sign};
use wasm_memmap_sdk::{Error, Memmap, PrintOptions, random, s, set_printoptions};

/// The seed used when `--seed` is not given (also `session.py`'s and the CLI's default).
const DEFAULT_SEED: u64 = 12345;

/// What the command line asks for.
enum Request {
    /// Replay the session, on the file `mymmap` or on the Zarr array at `zarr`.
    Session { seed: u64, zarr: Option<String> },
    /// Print the Zarr array at `location` as `repr(zarr_array[...])` would print under numpy's
    /// options (what `wasm-memmap show --zarr` runs).
    Show { location: String, options: PrintOptions },
}

const USAGE: &str = "usage: demo [--seed N] [--zarr LOCATION] | demo show LOCATION [--precision N] [--threshold N] \
                     [--edgeitems N] [--linewidth N] [--suppress] [--floatmode MODE] [--sign CHAR] [--legacy 2.1]";

fn parse_args() -> Result<Request, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |flag: &str, n: &str| -> Result<u64, String> {
        n.parse().map_err(|_| format!("{flag} needs a non-negative integer, got '{n}'"))
    };
    if args.first().is_some_and(|a| a == "show") {
        let location = args.get(1).ok_or_else(|| USAGE.to_string())?.clone();
        let mut options = PrintOptions::default();
        let mut rest = args[2..].iter();
        while let Some(flag) = rest.next() {
            if flag == "--suppress" {
                options.suppress = true;
                continue;
            }
            let value = rest.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
            let size = |n: u64| usize::try_from(n).map_err(|_| format!("{flag} {value} is too large"));
            match flag.as_str() {
                "--precision" => options.precision = size(number(flag, value)?)?,
                "--threshold" => options.threshold = size(number(flag, value)?)?,
                "--edgeitems" => options.edgeitems = size(number(flag, value)?)?,
                "--linewidth" => options.linewidth = size(number(flag, value)?)?,
                "--floatmode" => {
                    options.floatmode = match value.as_str() {
                        "fixed" => FloatMode::Fixed,
                        "unique" => FloatMode::Unique,
                        "maxprec" => FloatMode::MaxPrec,
                        "maxprec_equal" => FloatMode::MaxPrecEqual,
                        other => return Err(format!("unknown floatmode '{other}'")),
                    }
                }
                "--sign" => {
                    options.sign = match value.as_str() {
                        "-" => Sign::Minus,
                        "+" => Sign::Plus,
                        " " => Sign::Space,
                        other => return Err(format!("unknown sign '{other}'")),
                    }
                }
                "--legacy" => {
                    options.legacy = match value.as_str() {
                        "2.1" => Legacy::V2_1,
                        "False" | "false" => Legacy::None,
                        other => return Err(format!("unknown legacy '{other}'")),
                    }
                }
                other => return Err(format!("unknown option '{other}'; {USAGE}")),
            }
        }
        return Ok(Request::Show { location, options });
    }
    let (mut seed, mut zarr) = (DEFAULT_SEED, None);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        match flag.as_str() {
            "--seed" => seed = number(flag, value)?,
            "--zarr" => zarr = Some(value.clone()),
            _ => return Err(format!("{USAGE} (got {args:?})")),
        }
    }
    Ok(Request::Session { seed, zarr })
}

/// The array the session works on: the file `mymmap` (`np.memmap`), or a Zarr array chunked
/// 1000x1000 (`zarr.create_array` / `zarr.open_array`).
fn create(zarr: Option<&str>) -> Result<Memmap, Error> {
    match zarr {
        None => Memmap::options().dtype("float64").mode("w+").shape([10000, 10000]).open("mymmap"),
        Some(location) => Memmap::create_zarr(location, "float64", &[10000, 10000], &[1000, 1000]),
    }
}

fn reopen(zarr: Option<&str>) -> Result<Memmap, Error> {
    match zarr {
        None => Memmap::options().dtype("float64").shape([10000, 10000]).open("mymmap"),
        Some(location) => Memmap::open_zarr(location, "r+"),
    }
}

/// `wasm-memmap show --zarr`: the array's `repr` under `options`, as the CLI prints a file.
fn show(location: &str, options: PrintOptions) -> Result<(), Error> {
    set_printoptions(options);
    let a = Memmap::open_zarr(location, "r")?;
    println!("{}", a.repr()?);
    Ok(())
}

/// The session; with `zarr`, on a Zarr array at that location instead of the file, printing the
/// same transcript (a Zarr array holds and prints the same values).
fn session(seed: u64, zarr: Option<&str>) -> Result<(), Error> {
    set_printoptions(PrintOptions { precision: 4, suppress: true, legacy: Legacy::V2_1, ..PrintOptions::default() });
    let mut rng = random::default_rng(seed);

    println!("In [217]: mmap = np.memmap('mymmap', dtype='float64', mode='w+', shape=(10000, 10000))");
    println!();
    let mmap = create(zarr)?;

    println!("In [218]: mmap");
    println!("Out[218]:");
    println!("{}", mmap.repr()?);
    println!();

    println!("In [219]: section = mmap[:5]");
    println!();
    let section = mmap.view(s![..5])?;

    println!("In [220]: section[:] = rng.standard_normal((5, 10000))");
    println!();
    section.write(s![..], &rng.standard_normal(&[5, 10000]))?;

    println!("In [221]: mmap.flush()");
    println!();
    mmap.flush()?;

    println!("In [222]: mmap");
    println!("Out[222]:");
    println!("{}", mmap.repr()?);
    println!();

    println!("In [223]: del mmap");
    println!();
    drop(section);
    drop(mmap);

    println!("In [224]: mmap = np.memmap('mymmap', dtype='float64', shape=(10000, 10000))");
    println!();
    let mmap = reopen(zarr)?;

    println!("In [225]: mmap");
    println!("Out[225]:");
    println!("{}", mmap.repr()?);
    Ok(())
}

fn main() -> ExitCode {
    let request = match parse_args() {
        Ok(request) => request,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let result = match request {
        Request::Session { seed, zarr } => session(seed, zarr.as_deref()),
        Request::Show { location, options } => show(&location, options),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
