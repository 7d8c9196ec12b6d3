//! The grant and limit flags shared by `demo` and `run`.

use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use wasm_memmap_runner::{DirGrant, FsPerms, InstanceLimits, MemmapLimits, StoreGrant, WriteRegion};

/// What a plugin may reach and use. Byte counts take a suffix: `K`/`KiB`, `M`/`MiB`, `G`/`GiB`,
/// `T`/`TiB` (powers of 1024) or `KB`, `MB`, `GB`, `TB` (powers of 1000).
#[derive(Args, Debug)]
pub(crate) struct SandboxArgs {
    /// Grant a directory read-write, like `wasmtime run --dir`: HOST is the directory here, GUEST
    /// the name the plugin uses for it (default: HOST as written, so `--dir .` is `.`). The plugin
    /// may map its files in every mode and change them through WASI. Repeat for more. [default:
    /// none; a plugin sees nothing it is not granted]
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,
    /// Grant a directory read-only: the plugin may map its files only with modes `r` and `c`
    /// (copy-on-write, changes stay in memory) and only read them through WASI. Repeat for more.
    /// [default: none]
    #[arg(long = "ro-dir", value_name = "HOST[::GUEST]")]
    pub ro_dirs: Vec<String>,
    /// Grant an object-store prefix read-write, for Zarr arrays (`memmap.open-zarr`,
    /// `create-zarr`): URL is `s3://BUCKET[/PREFIX]`, NAME the name the plugin uses for it
    /// (default: the URL itself, so the plugin opens `s3://BUCKET/PREFIX/a.zarr`; with
    /// `::/lake` it opens `/lake/a.zarr`). Credentials, region and endpoint come from this
    /// process's environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`); the plugin never sees them. Repeat for more.
    /// [default: none]
    #[arg(long = "store", value_name = "URL[::NAME]", value_parser = parse_store_rw)]
    pub stores: Vec<StoreGrant>,
    /// Grant an object-store prefix read-only: the plugin may open its Zarr arrays only with modes
    /// `r` and `c` (copy-on-write: changed chunks stay in host memory, never stored). Repeat for
    /// more. [default: none]
    #[arg(long = "ro-store", value_name = "URL[::NAME]", value_parser = parse_store_ro)]
    pub ro_stores: Vec<StoreGrant>,
    /// Let the plugin write the Zarr array at LOCATION (as the plugin names it) only inside this
    /// region, one START:STOP per axis in numpy's slice syntax (`'a.zarr[0:1000,2000:3000]'`),
    /// like the block of one Dask task. The region must fall on the array's chunk grid (checked
    /// when the plugin opens it); a write reaching outside it gets `access-denied`. Reads are not
    /// restricted. A `--dir` beneath which the array lies is then read-only to WASI (`memmap`
    /// keeps it read-write for the region's own writes), so that the plugin cannot rewrite the
    /// array's chunk files or `zarr.json` through ordinary file I/O. Repeat for more arrays.
    /// [default: none; granted arrays are writable whole]
    #[arg(long = "region", value_name = "LOCATION[START:STOP,...]", value_parser = parse_region)]
    pub regions: Vec<WriteRegion>,
    /// The most bytes of decoded Zarr chunks the host keeps in memory for each Zarr array the
    /// plugin opens (data move through a cache of whole chunks); older chunks are dropped to make
    /// room, a changed one stored first, and a chunk that cannot fit gives a `limit-exceeded`
    /// error. Chunks changed through a map of mode `c` exist nowhere else, so they stay: such a map
    /// that changes more than this is refused. [default: 256MiB; set it to at least a few chunks
    /// of the arrays the plugin uses]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_chunk_cache: Option<u64>,
    /// The most linear memory the plugin may grow to; past it `memory.grow` fails and a Rust plugin
    /// aborts (a trap). [default: 4GiB, all a wasm32 plugin can address; set lower on shared hosts]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,
    /// Stop the plugin (a trap) after this many seconds of wall-clock time (fractions allowed;
    /// 10 ms resolution). [default: none; reducing a large file can take minutes, and only you
    /// know how long is too long]
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,
    /// Stop the plugin (a trap) after it burns this much fuel (about one unit per wasm
    /// instruction): a deterministic limit. [default: none; metering fuel slows the plugin, so it
    /// is only turned on with this flag]
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// The most `memmap` handles (maps and views) alive at once; more gives the plugin a
    /// `limit-exceeded` error. [default: 10000; each map is a kernel mapping, of which a Linux
    /// process has 65530 for everything it runs]
    #[arg(long, value_name = "N")]
    pub max_handles: Option<u64>,
    /// The most maps (`open`, `create-npy`) alive at once, views not counted; more gives the plugin
    /// a `limit-exceeded` error. [default: 256, as --max-wasi-handles; each map holds a host file
    /// descriptor, of which a Linux process has 1024 by default for the host and all its plugins]
    #[arg(long, value_name = "N")]
    pub max_open_maps: Option<u64>,
    /// The most bytes mapped at once; more gives a `limit-exceeded` error. [default: 64GiB; mapped
    /// pages cost address space until touched, but copy-on-write pages a plugin writes become host
    /// memory]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_mapped: Option<u64>,
    /// The largest file a plugin may create (`w+`) or grow (`r+`) through `memmap`; larger gives a
    /// `limit-exceeded` error. [default: 1TiB; such files are sparse until written, but a plugin
    /// writing one out can fill a disk]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_file_size: Option<u64>,
    /// The most bytes a plugin may add to files through `memmap` in all, over its run: each `w+`
    /// creation, `r+` growth and `create-npy` counts what it adds, and each Zarr chunk stored
    /// counts its stored (encoded) bytes; more gives a `limit-exceeded`
    /// error. [default: 1TiB, the same as --max-file-size: the largest file a plugin may make is
    /// also the most it may make in all]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_total_file_size: Option<u64>,
    /// The most bytes mapped copy-on-write (mode `c`) at once; more gives a `limit-exceeded` error.
    /// [default: 1GiB; pages a plugin writes in such a map become host memory that no other limit
    /// counts, so this stays well under any machine's RAM]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_copy_on_write: Option<u64>,
    /// The most WASI handles (open files and directories, streams) the plugin may hold at once;
    /// opening more fails in the plugin with `insufficient-memory` (ENOMEM: WASI has no "too many
    /// open files"), not a trap. [default: 256; each is a host file descriptor, of which a Linux
    /// process has 1024 by default for the host and all its plugins]
    #[arg(long, value_name = "N")]
    pub max_wasi_handles: Option<u64>,
    /// The most bytes one `slice-read` or `slice-write` call may move; more gives a
    /// `limit-exceeded` error (read in smaller selections). [default: 256MiB; one call cannot be
    /// interrupted and its data is held twice, in the host and in the plugin]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_transfer: Option<u64>,
}

impl SandboxArgs {
    /// The grants for `run`: each `--dir` read-write, each `--ro-dir` read-only.
    pub(crate) fn grants(&self) -> Vec<DirGrant> {
        let rw = self.dirs.iter().map(|d| DirGrant::parse(d, FsPerms::ReadWrite));
        let ro = self.ro_dirs.iter().map(|d| DirGrant::parse(d, FsPerms::ReadOnly));
        rw.chain(ro).collect()
    }

    /// The object-store grants: each `--store` read-write, each `--ro-store` read-only.
    pub(crate) fn stores(&self) -> Vec<StoreGrant> {
        self.stores.iter().chain(&self.ro_stores).cloned().collect()
    }

    /// The write regions (`--region`).
    pub(crate) fn regions(&self) -> Vec<WriteRegion> {
        self.regions.clone()
    }

    /// The grants for `demo`: as [`SandboxArgs::grants`], but a directory given without `::GUEST`
    /// is seen as `.`, where the demo writes; with no grant at all, the current directory.
    pub(crate) fn demo_grants(&self) -> Vec<DirGrant> {
        let as_dot = |spec: &String, perms| {
            if spec.contains("::") {
                DirGrant::parse(spec, perms)
            } else {
                DirGrant { host: spec.into(), guest: ".".into(), perms }
            }
        };
        let grants: Vec<DirGrant> = self
            .dirs
            .iter()
            .map(|d| as_dot(d, FsPerms::ReadWrite))
            .chain(self.ro_dirs.iter().map(|d| as_dot(d, FsPerms::ReadOnly)))
            .collect();
        // A demo on an object store (`--zarr s3://...` with `--store`) needs no directory.
        if grants.is_empty() && self.stores.is_empty() && self.ro_stores.is_empty() {
            return vec![DirGrant { host: ".".into(), guest: ".".into(), perms: FsPerms::ReadWrite }];
        }
        grants
    }

    /// The limits, each flag given replacing the library's default.
    pub(crate) fn limits(&self) -> Result<(MemmapLimits, InstanceLimits)> {
        let d = MemmapLimits::default();
        let memmap = MemmapLimits {
            max_transfer_bytes: self.max_transfer.unwrap_or(d.max_transfer_bytes),
            max_handles: self.max_handles.unwrap_or(d.max_handles),
            max_open_maps: self.max_open_maps.unwrap_or(d.max_open_maps),
            max_mapped_bytes: self.max_mapped.unwrap_or(d.max_mapped_bytes),
            max_file_size_bytes: self.max_file_size.unwrap_or(d.max_file_size_bytes),
            max_total_file_bytes: self.max_total_file_size.unwrap_or(d.max_total_file_bytes),
            max_copy_on_write_bytes: self.max_copy_on_write.unwrap_or(d.max_copy_on_write_bytes),
            max_chunk_cache_bytes: self.max_chunk_cache.unwrap_or(d.max_chunk_cache_bytes),
        };
        let d = InstanceLimits::default();
        if self.fuel == Some(0) {
            bail!("--fuel 0 would stop the plugin before it starts; give at least 1");
        }
        let instance = InstanceLimits {
            max_memory_bytes: self.max_memory.unwrap_or(d.max_memory_bytes),
            timeout: self.timeout.or(d.timeout),
            fuel: self.fuel.or(d.fuel),
            max_wasi_handles: self.max_wasi_handles.unwrap_or(d.max_wasi_handles),
        };
        Ok((memmap, instance))
    }
}

/// Parses a byte count with an optional unit suffix (`64GiB`, `512M`, `1000000`, `10KB`).
pub(crate) fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().map_err(|_| format!("'{text}' is not a byte count such as 4096, 64MiB or 1GB"))?;
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "K" | "k" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        "T" | "TiB" => 1 << 40,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        other => return Err(format!("unknown unit '{other}' in '{text}' (use KiB, MiB, GiB, TiB, KB, MB, GB or TB)")),
    };
    number.checked_mul(scale).ok_or_else(|| format!("'{text}' is more than {} bytes", u64::MAX))
}

/// Parses a positive number of seconds (`30`, `0.5`).
pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!("the timeout must be more than 0 seconds, not '{text}'"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("'{text}' seconds: {e}"))
}

/// Parses `--store URL[::NAME]`.
fn parse_store_rw(spec: &str) -> Result<StoreGrant, String> {
    StoreGrant::parse(spec, FsPerms::ReadWrite).map_err(|e| e.to_string())
}

/// Parses `--ro-store URL[::NAME]`.
fn parse_store_ro(spec: &str) -> Result<StoreGrant, String> {
    StoreGrant::parse(spec, FsPerms::ReadOnly).map_err(|e| e.to_string())
}

/// Parses `--region 'LOCATION[START:STOP,...]'`.
fn parse_region(spec: &str) -> Result<WriteRegion, String> {
    WriteRegion::parse(spec).map_err(|e| e.to_string())
}
