//! The demo plugin: replays the numpy session of the document this project comes from
//! (`shared/seed/session.md`), step by step, through the `memmap` interface, and prints it the way
//! IPython showed it, with the book's print options (`precision=4, suppress=True`, numpy 2.1's
//! repr without `shape=`).
//!
//! Usage: `demo [--seed N]`, with a writable directory granted as `.`; it leaves `mymmap`, a
//! 10000x10000 float64 array of 800,000,000 bytes. `rng` is the SDK's `random::default_rng(N)`, which
//! draws what `np.random.default_rng(N)` draws, so the transcript is the one `session.py` beside this
//! crate prints with numpy for the same seed. The default seed, 12345, is the one the seed notes
//! (`shared/seed/session.md`) quote numpy's first numbers for.

use std::process::ExitCode;

use wasm_memmap_sdk::print::Legacy;
use wasm_memmap_sdk::{Error, Memmap, PrintOptions, random, s, set_printoptions};

/// The seed used when `--seed` is not given (also `session.py`'s and the CLI's default).
const DEFAULT_SEED: u64 = 12345;

fn seed_from_args() -> Result<u64, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(DEFAULT_SEED),
        [flag, n] if flag == "--seed" => {
            n.parse().map_err(|_| format!("--seed needs a non-negative integer, got '{n}'"))
        }
        _ => Err(format!("usage: demo [--seed N] (got {args:?})")),
    }
}

fn session(seed: u64) -> Result<(), Error> {
    set_printoptions(PrintOptions { precision: 4, suppress: true, legacy: Legacy::V2_1, ..PrintOptions::default() });
    let mut rng = random::default_rng(seed);

    println!("In [217]: mmap = np.memmap('mymmap', dtype='float64', mode='w+', shape=(10000, 10000))");
    println!();
    let mmap = Memmap::options().dtype("float64").mode("w+").shape([10000, 10000]).open("mymmap")?;

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
    let mmap = Memmap::options().dtype("float64").shape([10000, 10000]).open("mymmap")?;

    println!("In [225]: mmap");
    println!("Out[225]:");
    println!("{}", mmap.repr()?);
    Ok(())
}

fn main() -> ExitCode {
    let seed = match seed_from_args() {
        Ok(seed) => seed,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match session(seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
