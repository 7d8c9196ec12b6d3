//! One memory-mapped file region shared by a map and all its views.

use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::ctx::MemmapStats;
use crate::error::{Error, ErrorCode};
use crate::raw::{MapKind, RawMap};

/// The bytes of one opened array, mapped from the file. Views share it through an `Arc`; the last
/// handle to go flushes it (see `Drop`).
pub(crate) struct Mapping {
    /// `None` for an array of zero bytes, which maps nothing.
    raw: Option<RawMap>,
    kind: MapKind,
    /// The file, to tell a truncation from another failure once a copy faulted.
    file: File,
    /// The file size the mapping needs: its offset plus its length.
    file_end: u64,
    /// Set by every write, cleared by a flush, so that dropping an unchanged map costs no `msync`.
    dirty: AtomicBool,
    /// Set when a copy touched a page the file no longer backs (see `sigbus.rs`); every later read
    /// or write fails.
    poisoned: AtomicBool,
    /// What the file system still has to make durable besides the mapped pages (see
    /// [`Mapping::needs_sync`]); emptied by the `flush` that syncs it.
    unsynced: Mutex<Unsynced>,
    /// Bytes counted in [`MemmapStats::copy_on_write_bytes`] while this mapping lives.
    copy_on_write: u64,
    stats: Arc<MemmapStats>,
    path: String,
}

/// Changes to a file made outside its mapping, which `msync` does not cover.
#[derive(Default)]
struct Unsynced {
    /// The file's size or header changed (`set_len`, `pwrite`): needs an `fsync` of the file.
    file: bool,
    /// The file was created: its directory, to `fsync` so that the new name survives a power loss
    /// (POSIX: syncing a file does not sync the directory entry naming it).
    dir: Option<File>,
}

impl Mapping {
    pub(crate) fn new(
        raw: Option<RawMap>,
        kind: MapKind,
        file: File,
        file_end: u64,
        stats: Arc<MemmapStats>,
        path: String,
    ) -> Self {
        let len = raw.as_ref().map_or(0, RawMap::len);
        stats.map_opened(len);
        let copy_on_write = if kind == MapKind::Private { u64::try_from(len).unwrap_or(u64::MAX) } else { 0 };
        stats.copy_on_write_mapped(copy_on_write);
        Self {
            raw,
            kind,
            file,
            file_end,
            dirty: AtomicBool::new(false),
            poisoned: AtomicBool::new(false),
            unsynced: Mutex::default(),
            copy_on_write,
            stats,
            path,
        }
    }

    /// Records that the file's size or header was changed by the open (a file `w+` or
    /// `create-npy` made, or `r+` grew), and, for a file it created, the directory holding its
    /// name: the next [`Mapping::flush`] syncs them even if no element is ever written.
    pub(crate) fn needs_sync(&self, dir: Option<File>) {
        let mut unsynced = self.unsynced.lock().unwrap_or_else(PoisonError::into_inner);
        unsynced.file = true;
        if dir.is_some() {
            unsynced.dir = dir;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.raw.as_ref().map_or(0, RawMap::len)
    }

    pub(crate) fn stats(&self) -> &MemmapStats {
        &self.stats
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// Access for reading. A file shrunk under the mapping (by the plugin reopening it with `w+` or
    /// through WASI, or by another process) is caught while copying, not checked here: touching a
    /// page past the end of the file raises `SIGBUS`, which `sigbus.rs` turns into an `io` error for
    /// the call that touched it and every later one ([`Mapping::poisoned_error`]). That costs
    /// nothing per call, and also covers a truncation in the middle of a call.
    pub(crate) fn reader(&self) -> Result<Access<'_>, Error> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(self.poisoned_error());
        }
        Ok(Access { raw: self.raw.as_ref(), map: self })
    }

    /// The error of every access after a copy touched a page the file no longer backs: names the
    /// path and, when the file is now shorter than the mapping needs, its new size.
    fn poisoned_error(&self) -> Error {
        let (path, need) = (&self.path, self.file_end);
        let message = match self.file.metadata() {
            Ok(meta) if meta.len() < need => format!(
                "'{path}' was truncated to {} bytes while mapped; the array needs {need} bytes of it, so it cannot be read or written any more",
                meta.len()
            ),
            _ => format!(
                "'{path}' could not be read or written: the file system could not back a mapped page (disk full, or the file was truncated and grown again), so it cannot be read or written any more"
            ),
        };
        Error::new(ErrorCode::Io, message)
    }

    /// Turns a failed copy into the guest's error, poisoning the mapping after a page fault.
    fn copy_error(&self, err: &std::io::Error) -> Error {
        if crate::raw::PageFault::is(err) {
            self.poisoned.store(true, Ordering::Release);
            return self.poisoned_error();
        }
        Error::new(ErrorCode::Io, err.to_string())
    }

    /// Access for writing: as [`Mapping::reader`], for a mapping that may be written.
    pub(crate) fn writer(&self) -> Result<Access<'_>, Error> {
        if self.kind == MapKind::ReadOnly {
            return Err(Error::new(ErrorCode::ReadOnly, "assignment destination is read-only"));
        }
        self.reader()
    }

    /// Writes changed pages to the file and waits for the disk, like `np.memmap.flush` (`msync` with
    /// `MS_SYNC`); then makes what the open changed outside the mapping durable as well: the file's
    /// size and a `.npy` header (`fsync` of the file) and a new file's name (`fsync` of its
    /// directory), which numpy leaves to the OS. Only shared mappings have pages to write, and only
    /// after a write; the file and directory are synced once, by the first flush after the open.
    pub(crate) fn flush(&self) -> std::io::Result<()> {
        if let Some(raw) = &self.raw
            && self.kind == MapKind::Shared
            && self.dirty.swap(false, Ordering::AcqRel)
        {
            if let Err(e) = raw.flush() {
                // Still dirty: a later flush (or the drop) tries again.
                self.dirty.store(true, Ordering::Release);
                self.stats.flush_failed();
                return Err(e);
            }
            self.stats.flushed();
        }
        self.sync_metadata()
    }

    /// The `fsync`s of [`Mapping::flush`] after the pages: the file, then the directory of a new
    /// file (in that order, so the name is never durable before the size and header it names).
    /// What failed stays pending, for the next flush or the drop (though after a failed `fsync`
    /// Linux may report the next one as a success with the data lost, so the first failure is
    /// the one that counts: it reaches the plugin, or `MemmapStats::flush_failures`).
    fn sync_metadata(&self) -> std::io::Result<()> {
        let mut unsynced = self.unsynced.lock().unwrap_or_else(PoisonError::into_inner);
        if unsynced.file {
            if let Err(e) = self.file.sync_all() {
                self.stats.flush_failed();
                return Err(e);
            }
            unsynced.file = false;
            self.stats.file_synced();
        }
        if let Some(dir) = &unsynced.dir {
            if let Err(e) = dir.sync_all() {
                self.stats.flush_failed();
                return Err(e);
            }
            unsynced.dir = None;
            self.stats.dir_synced();
        }
        Ok(())
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!(path = %self.path, error = %e, "flushing a memmap on drop failed");
        }
        self.stats.map_closed(self.len());
        self.stats.copy_on_write_unmapped(self.copy_on_write);
    }
}

/// The bytes of a mapping for the length of one host call (see [`Mapping::reader`]).
pub(crate) struct Access<'a> {
    /// `None` for an array of zero bytes.
    raw: Option<&'a RawMap>,
    map: &'a Mapping,
}

impl Access<'_> {
    fn raw(&self) -> Result<&RawMap, Error> {
        self.raw.ok_or_else(|| Error::invalid("the array has no bytes"))
    }

    /// Copies bytes out of the mapping.
    pub(crate) fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), Error> {
        if dst.is_empty() {
            return Ok(());
        }
        self.raw()?.read(offset, dst).map_err(|e| self.map.copy_error(&e))
    }

    /// Copies bytes into the mapping (reached only through [`Mapping::writer`]).
    pub(crate) fn write(&self, offset: usize, src: &[u8]) -> Result<(), Error> {
        if src.is_empty() {
            return Ok(());
        }
        self.map.dirty.store(true, Ordering::Release);
        self.raw()?.write(offset, src).map_err(|e| self.map.copy_error(&e))
    }

    /// Repeats one element `count` times from `offset`.
    pub(crate) fn fill(&self, offset: usize, element: &[u8], count: usize) -> Result<(), Error> {
        if count == 0 {
            return Ok(());
        }
        self.map.dirty.store(true, Ordering::Release);
        self.raw()?.fill(offset, element, count).map_err(|e| self.map.copy_error(&e))
    }
}

impl Access<'_> {
    /// Runs `f` on `len` bytes of the mapping from `offset`, read in place (for native reductions).
    pub(crate) fn with_bytes<R>(&self, offset: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
        if len == 0 {
            return Ok(f(&[]));
        }
        self.raw()?.with_bytes(offset, len, f).map_err(|e| self.map.copy_error(&e))
    }
}

impl Access<'_> {
    /// `count` values of `T` from `offset`, copied once into a new vector.
    pub(crate) fn read_vec<T: bytemuck::Pod>(&self, offset: usize, count: usize) -> Result<Vec<T>, Error> {
        if count == 0 {
            return Ok(Vec::new());
        }
        self.raw()?.read_vec(offset, count).map_err(|e| self.map.copy_error(&e))
    }
}

impl Access<'_> {
    /// [`Access::with_bytes`] over several ranges at once, each on its own thread (see
    /// `RawMap::with_bytes_parallel`).
    pub(crate) fn with_bytes_parallel<R: Send>(
        &self,
        ranges: &[(usize, usize)],
        f: impl Fn(&[u8]) -> R + Sync,
    ) -> Result<Vec<R>, Error> {
        self.raw()?.with_bytes_parallel(ranges, f).map_err(|e| self.map.copy_error(&e))
    }
}
