//! `wasm-memmap show` on a Zarr v3 array: the bundled demo plugin opens it read-only through the
//! host's own Zarr support (the same chunk decoding, codecs, object-store access and sandbox as
//! `run`) and prints it with the `format` interface, so a Zarr array prints exactly as a file of
//! the same values does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use wasm_memmap_arrayprint::{FloatMode, Legacy, PrintOptions, Sign};
use wasm_memmap_runner::{
    DirGrant, FsPerms, InstanceLimits, MemmapLimits, Output, RunConfig, Runner, Status, Stop, StoreGrant,
};

use super::ShowArgs;

/// What the plugin is granted and how it names the array.
pub(super) enum Location {
    /// A directory holding `zarr.json`: it alone (not its parent, with its siblings) is granted
    /// read-only, under its own name.
    Dir { path: PathBuf, name: String },
    /// An object-store location: its parent prefix is granted read-only under its own URL.
    Store { prefix: String, url: String },
}

/// The Zarr array `path` names, if it names one: an `s3://` URL, or a directory holding
/// `zarr.json`.
pub(super) fn location(path: &Path) -> Option<Location> {
    let text = path.to_str()?;
    if let Some(rest) = text.strip_prefix("s3://") {
        let url = format!("s3://{}", rest.trim_end_matches('/'));
        // The array's parent prefix (the bucket, for an array at its root).
        let prefix = match url["s3://".len()..].rsplit_once('/') {
            Some((parent, _)) => format!("s3://{parent}"),
            None => url.clone(),
        };
        return Some(Location::Store { prefix, url });
    }
    if !path.join("zarr.json").is_file() {
        return None;
    }
    let path = path.canonicalize().ok()?;
    let name = path.file_name()?.to_str()?.to_owned();
    Some(Location::Dir { path, name })
}

/// The demo plugin's flags for numpy's print options.
fn option_flags(options: &PrintOptions) -> Vec<String> {
    let mut flags = vec![
        "--precision".into(),
        options.precision.to_string(),
        "--threshold".into(),
        options.threshold.to_string(),
        "--edgeitems".into(),
        options.edgeitems.to_string(),
        "--linewidth".into(),
        options.linewidth.to_string(),
        "--floatmode".into(),
        match options.floatmode {
            FloatMode::Fixed => "fixed",
            FloatMode::Unique => "unique",
            FloatMode::MaxPrec => "maxprec",
            FloatMode::MaxPrecEqual => "maxprec_equal",
        }
        .into(),
        "--sign".into(),
        match options.sign {
            Sign::Minus => "-",
            Sign::Plus => "+",
            Sign::Space => " ",
        }
        .into(),
        "--legacy".into(),
        match options.legacy {
            Legacy::None => "False",
            Legacy::V2_1 => "2.1",
        }
        .into(),
    ];
    if options.suppress {
        flags.push("--suppress".into());
    }
    flags
}

/// Prints the Zarr array at `location` under `args`' print options.
pub(super) fn show(
    location: &Location,
    args: &ShowArgs,
    cache_dir: Option<PathBuf>,
    protected: Vec<PathBuf>,
) -> Result<ExitCode> {
    let options = args.print_options()?;
    let runner = Runner::<()>::new(cache_dir)
        .map_err(anyhow::Error::from)
        .context("cannot set up the WebAssembly engine")?
        .protect_dirs(protected);
    let (name, dirs, stores) = match location {
        Location::Dir { path, name } => {
            (name.clone(), vec![DirGrant { host: path.clone(), guest: name.clone(), perms: FsPerms::ReadOnly }], vec![])
        }
        Location::Store { prefix, url } => {
            (url.clone(), vec![], vec![StoreGrant { url: prefix.clone(), name: None, perms: FsPerms::ReadOnly }])
        }
    };
    let plugin = runner
        .load(wasm_memmap_guest_artifacts::DEMO)
        .map_err(anyhow::Error::from)
        .context("cannot compile the plugin that reads Zarr arrays")?;
    // The plugin cannot count numpy's summarisation before reading, as `show` does for a file:
    // `--max-elements` bounds its one `format` call instead, at 64 bytes per element (the element
    // read, at most 16, and the text it prints).
    let limits = MemmapLimits { max_transfer_bytes: args.max_elements.saturating_mul(64), ..MemmapLimits::default() };
    let config = RunConfig {
        limits,
        args: ["demo", "show", &name].into_iter().map(str::to_owned).chain(option_flags(&options)).collect(),
        dirs,
        stores,
        stdout: Output::Inherit,
        stderr: Output::Capture,
        // A store may answer slowly or never; each request waits at most until this deadline too.
        instance: InstanceLimits { timeout: Some(args.timeout), ..InstanceLimits::default() },
        ..RunConfig::default()
    };
    let outcome = runner.run(&plugin, &config).map_err(anyhow::Error::from)?;
    match outcome.status {
        Status::Exited(0) => Ok(ExitCode::SUCCESS),
        Status::StdoutClosed => Ok(ExitCode::from(u8::try_from(outcome.exit_code()).unwrap_or(1))),
        Status::Stopped(Stop::Time { .. }) => bail!(
            "cannot show '{}': it took longer than {} s (raise --timeout)",
            args.file.display(),
            args.timeout.as_secs_f64()
        ),
        _ => {
            let stderr = outcome.stderr_text();
            let message = stderr.trim().trim_start_matches("error: ");
            if message.is_empty() {
                bail!("cannot show '{}': {:?}", args.file.display(), outcome.status);
            }
            bail!("cannot show '{}': {message}", args.file.display())
        }
    }
}
