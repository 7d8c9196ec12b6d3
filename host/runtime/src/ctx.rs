//! The per-plugin state of the host: granted directories, limits and counters.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use wasmtime_wasi::FsPerms;

use crate::grants::Grant;
use crate::mapping::Mapping;

/// Default for [`MemmapCtxBuilder::max_transfer_bytes`]: 256 MiB. A `slice-read` allocates its result
/// twice over (in the host, then in guest memory), so one call must not be able to ask for the whole
/// of a large file; 256 MiB is far above the sizes that move data fastest (64 KiB to 8 MiB) and well
/// under a 4 GiB wasm32 memory.
pub const DEFAULT_MAX_TRANSFER_BYTES: u64 = 256 << 20;

/// Builds a [`MemmapCtx`]: which directories a plugin may reach and the limits it runs under.
///
/// Like `wasmtime_wasi::WasiCtxBuilder`, a context starts with no authority at all: a plugin can
/// open no file until a directory is granted with [`preopened_dir`](Self::preopened_dir).
pub struct MemmapCtxBuilder {
    grants: Vec<Grant>,
    max_transfer_bytes: u64,
}

impl Default for MemmapCtxBuilder {
    fn default() -> Self {
        Self { grants: Vec::new(), max_transfer_bytes: DEFAULT_MAX_TRANSFER_BYTES }
    }
}

impl MemmapCtxBuilder {
    /// A builder with no grants and the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets the plugin map files in the host directory `host_path`, which it names `guest_path`
    /// (`"."` for paths relative to it, or an absolute name such as `"/data"`), like
    /// `WasiCtxBuilder::preopened_dir` and `wasmtime run --dir HOST::GUEST`. With
    /// [`FsPerms::ReadOnly`] only modes `r` and `c` are allowed there.
    ///
    /// # Errors
    /// The error of opening `host_path` as a directory (it must exist).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_host::{FsPerms, MemmapCtxBuilder};
    /// let dir = tempfile::tempdir()?;
    /// let ctx = MemmapCtxBuilder::new().preopened_dir(dir.path(), ".", FsPerms::ReadWrite)?.build();
    /// # let _ = ctx;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn preopened_dir(
        mut self,
        host_path: impl AsRef<Path>,
        guest_path: &str,
        perms: FsPerms,
    ) -> std::io::Result<Self> {
        self.grants.push(Grant::open(host_path.as_ref(), guest_path, perms)?);
        Ok(self)
    }

    /// The most bytes one `slice-read` or `slice-write` call may move (default
    /// [`DEFAULT_MAX_TRANSFER_BYTES`]). A larger call fails with `limit-exceeded`; the plugin can
    /// carry on with smaller ones.
    pub fn max_transfer_bytes(mut self, bytes: u64) -> Self {
        self.max_transfer_bytes = bytes;
        self
    }

    /// The context, ready to be put in a `Store`'s data.
    pub fn build(self) -> MemmapCtx {
        MemmapCtx {
            grants: self.grants,
            max_transfer_bytes: self.max_transfer_bytes,
            stats: Arc::new(MemmapStats::default()),
            maps: Vec::new(),
        }
    }
}

/// The state the `memmap` interface needs for one plugin instance; keep one per `Store`.
pub struct MemmapCtx {
    pub(crate) grants: Vec<Grant>,
    pub(crate) max_transfer_bytes: u64,
    pub(crate) stats: Arc<MemmapStats>,
    /// Every mapping this plugin opened that may still live, for [`MemmapCtx::flush_all`].
    maps: Vec<Weak<Mapping>>,
}

impl MemmapCtx {
    /// Same as [`MemmapCtxBuilder::new`].
    pub fn builder() -> MemmapCtxBuilder {
        MemmapCtxBuilder::new()
    }

    /// Flushes every mapping the plugin still holds, like calling `flush` on each (`msync`).
    ///
    /// Mappings flush themselves when their last handle is dropped, which happens when the `Store`
    /// is dropped, trap or not. This is for embedders who keep a `Store` alive after a trap and want
    /// the data on disk now.
    ///
    /// # Errors
    /// The first `msync` failure; the other mappings are still flushed.
    pub fn flush_all(&mut self) -> std::io::Result<()> {
        self.maps.retain(|m| m.strong_count() > 0);
        let mut first_error = None;
        for map in self.maps.iter().filter_map(Weak::upgrade) {
            if let Err(e) = map.flush() {
                tracing::error!(path = %map.path(), error = %e, "flush_all failed");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Counters of what this context's mappings did; they stay readable after the `Store` is gone.
    pub fn stats(&self) -> Arc<MemmapStats> {
        Arc::clone(&self.stats)
    }

    pub(crate) fn track(&mut self, map: &Arc<Mapping>) {
        self.maps.retain(|m| m.strong_count() > 0);
        self.maps.push(Arc::downgrade(map));
    }
}

/// What a context's mappings did, counted as it happens. Shared (through `Arc`) with the mappings,
/// so the counts stay right while mappings are flushed and unmapped as a `Store` is dropped.
#[derive(Debug, Default)]
pub struct MemmapStats {
    opened: AtomicU64,
    live: AtomicU64,
    mapped_bytes: AtomicU64,
    flushes: AtomicU64,
}

impl MemmapStats {
    /// How many files were opened with `open`.
    pub fn opened(&self) -> u64 {
        self.opened.load(Ordering::Acquire)
    }

    /// How many mappings are alive now (a map and its views count once).
    pub fn live_maps(&self) -> u64 {
        self.live.load(Ordering::Acquire)
    }

    /// How many bytes are mapped now.
    pub fn mapped_bytes(&self) -> u64 {
        self.mapped_bytes.load(Ordering::Acquire)
    }

    /// How many `msync` calls wrote changed data to a file, whether asked for by `flush` or made
    /// when a handle was dropped or the instance ended.
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Acquire)
    }

    pub(crate) fn map_opened(&self, bytes: usize) {
        self.opened.fetch_add(1, Ordering::AcqRel);
        self.live.fetch_add(1, Ordering::AcqRel);
        self.mapped_bytes.fetch_add(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::AcqRel);
    }

    pub(crate) fn map_closed(&self, bytes: usize) {
        self.live.fetch_sub(1, Ordering::AcqRel);
        self.mapped_bytes.fetch_sub(u64::try_from(bytes).unwrap_or(u64::MAX), Ordering::AcqRel);
    }

    pub(crate) fn flushed(&self) {
        self.flushes.fetch_add(1, Ordering::AcqRel);
    }
}
