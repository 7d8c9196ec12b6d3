//! One file mapped into memory, shared by a map and all its views.

use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard};
use std::time::Instant;

use super::raw::{MappedRegion, MmapAccess};
use crate::ctx::MemmapStats;
use crate::error::{Error, ErrorCode};
use crate::meter::{CHECK_BYTES, Clock};

/// Whether a mapping is still mapped.
enum Slot {
    /// Mapped; `None` for an array of zero bytes, which maps nothing.
    Open(Option<Arc<MappedRegion>>),
    /// [`MappedFile::close`] flushed and unmapped it.
    Closed,
}

/// The bytes of one opened array, mapped from the file. Views share it through an `Arc`; the last
/// handle to go flushes it (see `Drop`), or [`MappedFile::close`] flushes and unmaps it earlier.
pub(crate) struct MappedFile {
    /// The mapping, behind a lock that every access holds for reading while it copies ([`MapGuard`])
    /// and that `close` takes for writing to unmap it, so no copy ever runs on unmapped memory.
    /// Host calls of one plugin run one at a time, so the lock is never contended: taking it is
    /// one atomic operation.
    raw: RwLock<Slot>,
    /// Set by `close` (after the slot is `Closed`), so the handle-level check costs one load.
    closed: AtomicBool,
    /// The bytes mapped, counted in the stats until the mapping is closed or dropped.
    len: usize,
    access: MmapAccess,
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
    /// [`MappedFile::needs_sync`]); emptied by the `flush` that syncs it.
    unsynced: Mutex<Unsynced>,
    /// Bytes counted in [`MemmapStats::copy_on_write_bytes`] while this mapping lives.
    copy_on_write: u64,
    stats: Arc<MemmapStats>,
    path: String,
    /// When every later flush of this mapping (a handle's drop, the mapping's own drop) must stop
    /// waiting for the disk: the run's deadline while the plugin runs, the teardown's once
    /// [`MappedFile::flush_until`] ran. `None`: flushes wait for the disk however long it takes.
    deadline: Mutex<Option<Instant>>,
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

impl MappedFile {
    pub(crate) fn new(
        raw: Option<MappedRegion>,
        access: MmapAccess,
        file: File,
        file_end: u64,
        stats: Arc<MemmapStats>,
        path: String,
    ) -> Self {
        let len = raw.as_ref().map_or(0, MappedRegion::len);
        stats.map_opened(len);
        stats.file_held();
        let copy_on_write = if access == MmapAccess::Copy { u64::try_from(len).unwrap_or(u64::MAX) } else { 0 };
        stats.copy_on_write_mapped(copy_on_write);
        Self {
            raw: RwLock::new(Slot::Open(raw.map(Arc::new))),
            closed: AtomicBool::new(false),
            len,
            access,
            file,
            file_end,
            dirty: AtomicBool::new(false),
            poisoned: AtomicBool::new(false),
            unsynced: Mutex::default(),
            copy_on_write,
            stats,
            path,
            deadline: Mutex::new(None),
        }
    }

    /// Bounds every later flush of this mapping that has no deadline of its own by `deadline`
    /// (see [`MappedFile::flush`]).
    pub(crate) fn set_deadline(&self, deadline: Option<Instant>) {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner) = deadline;
    }

    fn deadline(&self) -> Option<Instant> {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that the file's size or header was changed by the open (a file `w+` or
    /// `create-npy` made, or `r+` grew), and, for a file it created, the directory holding its
    /// name: the next [`MappedFile::flush`] syncs them even if no element is ever written.
    pub(crate) fn needs_sync(&self, dir: Option<File>) {
        let mut unsynced = self.unsynced.lock().unwrap_or_else(PoisonError::into_inner);
        unsynced.file = true;
        if dir.is_some() {
            unsynced.dir = dir;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The slot, read-locked. A panic never happens while the lock is held for writing (`close`
    /// only flushes and unmaps), so a poisoned lock still holds a consistent slot.
    fn slot(&self) -> RwLockReadGuard<'_, Slot> {
        self.raw.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn stats(&self) -> &MemmapStats {
        &self.stats
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// For windows (`window.rs`): the file, to map its pages again elsewhere.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// For windows: how the file is mapped (and so how a window onto it is).
    pub(crate) fn access(&self) -> MmapAccess {
        self.access
    }

    /// For windows: the flag a fault in a window onto this file sets, so that every later access
    /// of this map fails as after a fault of its own ([`MappedFile::poisoned_error`]).
    pub(crate) fn poison_flag(&self) -> &AtomicBool {
        &self.poisoned
    }

    /// Access for reading. A file shrunk under the mapping (by the plugin reopening it with `w+` or
    /// through WASI, or by another process) is caught while copying, not checked here: touching a
    /// page past the end of the file raises `SIGBUS`, which `sigbus.rs` turns into an `io` error for
    /// the call that touched it and every later one ([`MappedFile::poisoned_error`]). That costs
    /// nothing per call, and also covers a truncation in the middle of a call.
    pub(crate) fn reader(&self) -> Result<MapGuard<'_>, Error> {
        let slot = self.slot();
        if matches!(*slot, Slot::Closed) {
            return Err(self.closed_error());
        }
        if self.poisoned.load(Ordering::Acquire) {
            return Err(self.poisoned_error());
        }
        Ok(MapGuard { slot, map: self })
    }

    /// Fails with the error of a closed mapping once [`MappedFile::close`] ran: for the calls that
    /// do not copy (views, `flush`), and before any other check of the calls that do, so every
    /// call on any handle of a closed mapping says why it fails.
    pub(crate) fn check_open(&self) -> Result<(), Error> {
        if self.closed.load(Ordering::Acquire) { Err(self.closed_error()) } else { Ok(()) }
    }

    /// The error of every call through a handle of a closed mapping: Python's `mmap` raises
    /// `ValueError: mmap closed or invalid` for the same.
    fn closed_error(&self) -> Error {
        Error::invalid(format!(
            "'{}' was closed; this map and every view of it cannot be used any more (mmap closed or invalid): open it again",
            self.path
        ))
    }

    /// Flushes the mapping (as [`MappedFile::flush`]), unmaps it and gives back its bytes in the stats,
    /// like Python's `mmap.close()`: every later access through any handle of it fails with
    /// [`MappedFile::check_open`]'s error instead of touching unmapped memory. Closing again does
    /// nothing. When the flush fails, or does not finish by `until` (`Ok(false)`: the rest is
    /// handed to the kernel's write-back and still counts as unsynced), the mapping stays open (a
    /// later `close`, `flush` or the teardown tries again), so no written byte is given up.
    pub(crate) fn close_within(&self, until: Option<Instant>) -> std::io::Result<bool> {
        let mut slot = self.raw.write().unwrap_or_else(PoisonError::into_inner);
        if matches!(&*slot, Slot::Closed) {
            return Ok(true);
        }
        if !self.flush_slot(&slot, until, true)? {
            return Ok(false);
        }
        // Dropping the `MappedRegion` unmaps it.
        *slot = Slot::Closed;
        self.closed.store(true, Ordering::Release);
        drop(slot);
        self.stats.map_closed(self.len);
        self.stats.copy_on_write_unmapped(self.copy_on_write);
        Ok(true)
    }

    /// [`MappedFile::close_within`] bounded by the mapping's deadline (see [`MappedFile::flush`]).
    #[cfg(test)]
    pub(crate) fn close(&self) -> std::io::Result<()> {
        self.close_within(self.deadline()).map(|_| ())
    }

    /// The error of every access after a copy touched a page the file no longer backs: names the
    /// path and, when the file is now shorter than the mapping needs, its new size.
    pub(crate) fn poisoned_error(&self) -> Error {
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
        if super::raw::PageFault::is(err) {
            self.poisoned.store(true, Ordering::Release);
            return self.poisoned_error();
        }
        Error::new(ErrorCode::Io, err.to_string())
    }

    /// Access for writing: as [`MappedFile::reader`], for a mapping that may be written.
    pub(crate) fn writer(&self) -> Result<MapGuard<'_>, Error> {
        if self.access == MmapAccess::Read {
            return Err(Error::new(ErrorCode::ReadOnly, "assignment destination is read-only"));
        }
        self.reader()
    }

    /// Writes changed pages to the file and waits for the disk, like `np.memmap.flush` (`msync` with
    /// `MS_SYNC`); then makes what the open changed outside the mapping durable as well: the file's
    /// size and a `.npy` header (`fsync` of the file) and a new file's name (`fsync` of its
    /// directory), which numpy leaves to the OS. Only shared mappings have pages to write, and only
    /// after a write; the file and directory are synced once, by the first flush after the open.
    /// A closed mapping was flushed when it was closed: nothing to do.
    ///
    /// Bounded by the mapping's deadline ([`MappedFile::set_deadline`]: the run's, or the teardown's)
    /// as [`MappedFile::flush_within`] is; what is not synced by then stays dirty.
    pub(crate) fn flush(&self) -> std::io::Result<()> {
        self.flush_within(self.deadline()).map(|_| ())
    }

    /// [`MappedFile::flush`] that waits for the disk only until `until` (`None`: as long as it takes):
    /// `MS_SYNC` slice by slice ([`FLUSH_SLICE`]) while there is time, then `MS_ASYNC` for the rest
    /// (the kernel writes it back from the page cache on its own), counted in
    /// `MemmapStats::background_flushes`; the file and directory `fsync`s follow only in time (an
    /// `fsync` waits for every dirty page of the file, which the deadline keeps the host from
    /// doing). `Ok(false)` when it ran out of time: the mapping stays dirty and its `fsync`s
    /// pending, so a later flush (the teardown's, within its grace) tries again.
    pub(crate) fn flush_within(&self, until: Option<Instant>) -> std::io::Result<bool> {
        let slot = self.slot();
        self.flush_slot(&slot, until, true)
    }

    /// The flush of [`MappedFile::flush_within`] on a slot the caller holds locked. Without
    /// `keep_dirty`, pages handed to the kernel count as flushed (the teardown, which hands them
    /// over once and for all).
    fn flush_slot(&self, slot: &Slot, until: Option<Instant>, keep_dirty: bool) -> std::io::Result<bool> {
        let in_time = || until.is_none_or(|until| Instant::now() < until);
        let raw = match slot {
            Slot::Closed => return Ok(true),
            Slot::Open(None) => return self.sync_metadata(in_time),
            Slot::Open(Some(raw)) => raw,
        };
        if self.access != MmapAccess::Write || !self.dirty.swap(false, Ordering::AcqRel) {
            return self.sync_metadata(in_time);
        }
        let synced = if raw.replaced() {
            // After a fault the mapping is anonymous zero pages (see `sigbus.rs`), which `msync`
            // would sync instead of the file; the bytes written before the fault are in the file's
            // page cache, which `fsync` writes (`msync(MS_SYNC)` is the same `fdatasync` on Linux).
            // Past the deadline it is left to the kernel's write-back, which needs no call.
            if in_time() { self.file.sync_data().map(|()| true) } else { Ok(false) }
        } else {
            Self::sync_pages(raw, until)
        };
        match synced {
            Ok(true) => {
                self.stats.flushed();
                self.sync_metadata(in_time)
            }
            Ok(false) => {
                self.stats.flushed_in_background();
                if keep_dirty {
                    self.dirty.store(true, Ordering::Release);
                }
                Ok(false)
            }
            Err(e) => {
                // Still dirty: a later flush (or the drop) tries again.
                self.dirty.store(true, Ordering::Release);
                self.stats.flush_failed();
                Err(e)
            }
        }
    }

    /// `msync(MS_SYNC)` of the whole mapping, in slices while `until` has not passed; past it,
    /// `MS_ASYNC` for the rest and `Ok(false)`.
    fn sync_pages(raw: &MappedRegion, until: Option<Instant>) -> std::io::Result<bool> {
        let Some(until) = until else { return raw.flush().map(|()| true) };
        let len = raw.len();
        let mut done = 0;
        while done < len {
            if Instant::now() >= until {
                return raw.flush_range(done, len - done, false).map(|()| false);
            }
            let slice = FLUSH_SLICE.min(len - done);
            raw.flush_range(done, slice, true)?;
            done += slice;
        }
        Ok(true)
    }

    /// The `fsync`s of [`MappedFile::flush`] after the pages: the file, then the directory of a new
    /// file (in that order, so the name is never durable before the size and header it names),
    /// each only while `in_time` (else `Ok(false)`, still pending).
    /// What failed stays pending, for the next flush or the drop (though after a failed `fsync`
    /// Linux may report the next one as a success with the data lost, so the first failure is
    /// the one that counts: it reaches the plugin, or `MemmapStats::flush_failures`).
    fn sync_metadata(&self, in_time: impl Fn() -> bool) -> std::io::Result<bool> {
        let mut unsynced = self.unsynced.lock().unwrap_or_else(PoisonError::into_inner);
        if unsynced.file {
            if !in_time() {
                return Ok(false);
            }
            if let Err(e) = self.file.sync_all() {
                self.stats.flush_failed();
                return Err(e);
            }
            unsynced.file = false;
            self.stats.file_synced();
        }
        if let Some(dir) = &unsynced.dir {
            if !in_time() {
                return Ok(false);
            }
            if let Err(e) = dir.sync_all() {
                self.stats.flush_failed();
                return Err(e);
            }
            unsynced.dir = None;
            self.stats.dir_synced();
        }
        Ok(true)
    }
}

/// The bytes of the mapping one `msync` of [`MappedFile::flush_within`] covers: 32 MiB, under a
/// second of writing even on a slow disk, so the flush overshoots its time by at most that.
const FLUSH_SLICE: usize = 32 << 20;

impl MappedFile {
    /// The teardown's flush: [`MappedFile::flush_within`] `until`, and every later flush of this
    /// mapping (the drops of its handles and its own) is bounded by `until` too, so nothing after
    /// the teardown waits for the disk longer. Pages handed to the kernel here are not handed
    /// over again by those later flushes.
    pub(crate) fn flush_until(&self, until: Instant) -> std::io::Result<()> {
        self.set_deadline(Some(until));
        let slot = self.slot();
        self.flush_slot(&slot, Some(until), false).map(|_| ())
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        // The file is closed with this struct, after this function, closed map or not.
        self.stats.file_released();
        // `close` flushed it and took it out of the stats already.
        if matches!(*self.raw.get_mut().unwrap_or_else(PoisonError::into_inner), Slot::Closed) {
            return;
        }
        if let Err(e) = self.flush() {
            tracing::error!(path = %self.path, error = %e, "flushing a memmap on drop failed");
        }
        self.stats.map_closed(self.len());
        self.stats.copy_on_write_unmapped(self.copy_on_write);
    }
}

#[cfg(test)]
impl Slot {
    /// Tests only: the page-aligned bounds of the mapping.
    fn region_bounds(&self) -> (usize, usize) {
        match self {
            Slot::Open(Some(raw)) => raw.region().bounds(),
            _ => (0, 0),
        }
    }
}

/// The bytes of a mapping for the length of one host call (see [`MappedFile::reader`]): holds the
/// mapping's lock for reading, so `close` cannot unmap it meanwhile.
pub(crate) struct MapGuard<'a> {
    /// `Open` (checked by `reader`); `Open(None)` for an array of zero bytes.
    slot: RwLockReadGuard<'a, Slot>,
    map: &'a MappedFile,
}

impl MapGuard<'_> {
    fn raw(&self) -> Result<&Arc<MappedRegion>, Error> {
        match &*self.slot {
            Slot::Open(Some(raw)) => Ok(raw),
            Slot::Open(None) => Err(Error::invalid("the array has no bytes")),
            Slot::Closed => Err(self.map.closed_error()),
        }
    }

    /// Copies bytes out of the mapping.
    pub(crate) fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), Error> {
        if dst.is_empty() {
            return Ok(());
        }
        self.raw()?.read(offset, dst).map_err(|e| self.map.copy_error(&e))
    }

    /// Copies bytes into the mapping (reached only through [`MappedFile::writer`]).
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

impl MapGuard<'_> {
    /// Runs `f` on `len` bytes of the mapping from `offset`, read in place (for native reductions).
    pub(crate) fn with_bytes<R>(&self, offset: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
        if len == 0 {
            return Ok(f(&[]));
        }
        self.raw()?.with_bytes(offset, len, f).map_err(|e| self.map.copy_error(&e))
    }
}

impl MapGuard<'_> {
    /// Lends `len` bytes of the mapping from `offset` for wasmtime to copy into the plugin's memory
    /// (the one copy of a `read-bytes`, see `lowering.rs`): probes every page inside the `SIGBUS`
    /// guard first, [`CHECK_BYTES`] at a time with a look at `clock` between, so a file truncated
    /// before the call fails here with the `io` error of any read; then points the `SIGBUS`
    /// handler at the mapping until the returned guard is released (after the lowering).
    pub(crate) fn lend(
        &self,
        offset: usize,
        len: usize,
        clock: Clock,
    ) -> Result<(bytes::Bytes, super::LendGuard), Error> {
        let raw = self.raw()?;
        let block = usize::try_from(CHECK_BYTES).unwrap_or(usize::MAX);
        let mut done = 0;
        while done < len {
            if done > 0 {
                clock.check()?;
            }
            let n = block.min(len - done);
            let at = offset.checked_add(done).ok_or_else(|| Error::overflow("read offset"))?;
            raw.probe(at, n).map_err(|e| self.map.copy_error(&e))?;
            done += n;
        }
        let bytes = super::raw::lend(raw, offset, len).map_err(|e| self.map.copy_error(&e))?;
        Ok((bytes, super::LendGuard::hold(Arc::clone(raw))))
    }

    /// Copies the `item`-byte elements at `offsets` into `dst` (numpy's `take`).
    pub(crate) fn read_at(&self, offsets: &[usize], item: usize, dst: &mut [u8]) -> Result<(), Error> {
        if offsets.is_empty() {
            return Ok(());
        }
        self.raw()?.read_at(offsets, item, dst).map_err(|e| self.map.copy_error(&e))
    }

    /// Writes elements from `src` (the `k`-th at `k * src_step`) to `offsets`, in order (numpy's
    /// `put`; reached only through [`MappedFile::writer`]).
    pub(crate) fn write_at(&self, offsets: &[usize], item: usize, src: &[u8], src_step: usize) -> Result<(), Error> {
        if offsets.is_empty() {
            return Ok(());
        }
        self.map.dirty.store(true, Ordering::Release);
        self.raw()?.write_at(offsets, item, src, src_step).map_err(|e| self.map.copy_error(&e))
    }
}

impl MappedFile {
    /// Poisons the mapping after a fault while wasmtime copied from it (see `lowering.rs`) and
    /// returns the error every later access gets.
    pub(crate) fn lent_fault(&self) -> Error {
        self.poisoned.store(true, Ordering::Release);
        self.poisoned_error()
    }
}

impl MapGuard<'_> {
    /// `count` values of `T` from `offset`, copied into a new vector in blocks of
    /// [`CHECK_BYTES`] (1 MiB) with a look at `clock` between them: a read of hundreds of
    /// megabytes of pages that are not cached (each a disk read) stops within a block of the
    /// deadline. A read of one block or less is one copy; a longer one copies each block through
    /// a block-sized buffer that stays in the CPU's cache.
    pub(crate) fn read_vec<T: bytemuck::Pod>(
        &self,
        offset: usize,
        count: usize,
        clock: Clock,
    ) -> Result<Vec<T>, Error> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let raw = self.raw()?;
        let block = usize::try_from(CHECK_BYTES).unwrap_or(usize::MAX) / size_of::<T>().max(1);
        if count <= block {
            return raw.read_vec(offset, count).map_err(|e| self.map.copy_error(&e));
        }
        let mut values = Vec::with_capacity(count);
        let mut at = offset;
        while values.len() < count {
            if !values.is_empty() {
                clock.check()?;
            }
            let n = block.min(count - values.len());
            values.extend_from_slice(&raw.read_vec::<T>(at, n).map_err(|e| self.map.copy_error(&e))?);
            // `n * size_of::<T>()` is at most `CHECK_BYTES`; the sum stays inside the checked
            // mapping or `read_vec` refuses it next time round.
            at = at.checked_add(n * size_of::<T>()).ok_or_else(|| Error::overflow("read offset"))?;
        }
        Ok(values)
    }
}

impl MapGuard<'_> {
    /// [`MapGuard::with_bytes`] over several ranges at once, each on its own thread (see
    /// `MappedRegion::with_bytes_parallel`).
    pub(crate) fn with_bytes_parallel<R: Send>(
        &self,
        ranges: &[(usize, usize)],
        f: impl Fn(&[u8]) -> R + Sync,
    ) -> Result<Vec<R>, Error> {
        self.raw()?.with_bytes_parallel(ranges, f).map_err(|e| self.map.copy_error(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::raw::tests::mappings_over;

    fn shared(len: usize) -> (tempfile::TempDir, std::path::PathBuf, Arc<MemmapStats>, MappedFile) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.f8");
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        file.set_len(u64::try_from(len).expect("len")).expect("size");
        let raw = MappedRegion::new(&file, 0, len, MmapAccess::Write).expect("map");
        let stats = Arc::new(MemmapStats::default());
        let end = u64::try_from(len).expect("len");
        let map = MappedFile::new(Some(raw), MmapAccess::Write, file, end, Arc::clone(&stats), "x.f8".into());
        (dir, path, stats, map)
    }

    /// `close` flushes (the bytes are in the file), unmaps (no kernel mapping is left in the
    /// range), gives the bytes back in the stats, and every later access is the closed error;
    /// closing again, flushing the closed map and dropping it are harmless and count nothing.
    #[test]
    fn close_flushes_unmaps_and_refuses_later_access() {
        let (_dir, path, stats, map) = shared(1 << 16);
        let bounds = map.slot().region_bounds();
        map.writer().expect("open").write(100, &[9; 50]).expect("write");
        assert_eq!((stats.live_maps(), stats.mapped_bytes()), (1, 1 << 16));
        map.close().expect("close");
        assert_eq!((stats.live_maps(), stats.mapped_bytes(), stats.flushes()), (0, 0, 1));
        assert_eq!(mappings_over(bounds), 0, "unmapped");
        assert_eq!(&std::fs::read(&path).expect("read")[100..150], &[9; 50]);
        let closed = "'x.f8' was closed; this map and every view of it cannot be used any more (mmap closed or invalid): open it again";
        for err in [map.reader().err(), map.writer().err(), map.check_open().err()] {
            let err = err.expect("refused");
            assert_eq!((err.code(), err.message()), (ErrorCode::InvalidArgument, closed));
        }
        map.close().expect("close again");
        map.flush().expect("nothing to flush");
        drop(map);
        assert_eq!((stats.live_maps(), stats.mapped_bytes(), stats.flushes()), (0, 0, 1));
    }

    /// After a fault replaced the mapping by zero pages, bytes written before the truncation are
    /// still in the file's page cache: `flush` syncs the file (not the zero pages) and succeeds.
    #[test]
    fn a_flush_after_a_fault_syncs_the_file() {
        let (_dir, path, stats, map) = shared(1 << 16);
        map.writer().expect("open").write(0, &[5; 4096]).expect("write");
        File::options().write(true).open(&path).expect("fd").set_len(4096).expect("truncate");
        let err = map.writer().expect("open").write(8192, &[1; 8]).expect_err("past the end");
        assert_eq!(err.code(), ErrorCode::Io);
        map.flush().expect("fsync");
        assert_eq!(stats.flushes(), 1);
        assert_eq!(std::fs::read(&path).expect("read"), vec![5; 4096]);
        map.close().expect("close a poisoned map");
        assert_eq!((stats.live_maps(), stats.mapped_bytes()), (0, 0));
    }

    fn shared_map(dir: &std::path::Path, len: usize) -> (MappedFile, Arc<MemmapStats>) {
        let path = dir.join("data");
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        file.set_len(u64::try_from(len).expect("len")).expect("size");
        let raw = MappedRegion::new(&file, 0, len, MmapAccess::Write).expect("map");
        let stats = Arc::new(MemmapStats::default());
        let end = u64::try_from(len).expect("len");
        (MappedFile::new(Some(raw), MmapAccess::Write, file, end, Arc::clone(&stats), "data".into()), stats)
    }

    /// With no time left, `flush_until` hands the whole write-back to the kernel (`MS_ASYNC`) and
    /// counts it; the data is in the file (through the page cache) and the drop does not sync again.
    #[test]
    fn a_flush_out_of_time_is_left_to_the_kernel_and_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (map, stats) = shared_map(dir.path(), 3 * FLUSH_SLICE + 4096);
        map.writer().expect("writer").write(2 * FLUSH_SLICE + 10, &[7; 100]).expect("write");
        map.flush_until(Instant::now()).expect("flush");
        assert_eq!((stats.flushes(), stats.background_flushes()), (0, 1));
        drop(map);
        assert_eq!((stats.flushes(), stats.background_flushes()), (0, 1), "the drop synced again");
        let bytes = std::fs::read(dir.path().join("data")).expect("read");
        assert_eq!(&bytes[2 * FLUSH_SLICE + 10..2 * FLUSH_SLICE + 110], &[7; 100]);
    }

    /// With time enough, it is a whole `MS_SYNC` flush, slice by slice.
    #[test]
    fn a_flush_in_time_syncs_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (map, stats) = shared_map(dir.path(), 2 * FLUSH_SLICE + 4096);
        map.writer().expect("writer").write(2 * FLUSH_SLICE, &[9; 4096]).expect("write");
        map.flush_until(Instant::now() + std::time::Duration::from_secs(60)).expect("flush");
        assert_eq!((stats.flushes(), stats.background_flushes()), (1, 0));
        // Nothing changed since: a later flush writes nothing.
        map.flush_until(Instant::now()).expect("flush");
        assert_eq!((stats.flushes(), stats.background_flushes()), (1, 0));
    }

    /// After the teardown ran out of time (pages handed to the kernel, `fsync`s skipped), the drop
    /// of the mapping neither syncs the pages again nor makes the skipped `fsync`s (which would
    /// wait for every dirty page of the file): it is bounded by the teardown's deadline.
    #[test]
    fn a_drop_after_an_out_of_time_teardown_does_not_wait_for_the_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (map, stats) = shared_map(dir.path(), 2 * FLUSH_SLICE);
        map.needs_sync(Some(File::open(dir.path()).expect("dir")));
        map.writer().expect("writer").write(FLUSH_SLICE, &[3; 4096]).expect("write");
        map.flush_until(Instant::now()).expect("flush");
        let counts = |s: &MemmapStats| (s.flushes(), s.background_flushes(), s.file_syncs(), s.dir_syncs());
        assert_eq!(counts(&stats), (0, 1, 0, 0));
        drop(map);
        assert_eq!(counts(&stats), (0, 1, 0, 0), "the drop waited for the disk after the teardown's deadline");
    }

    /// The same after a fault replaced the mapping: out of time, the file is not `fsync`ed (by the
    /// teardown or the drop); the bytes written before the fault are in the file all the same.
    #[test]
    fn an_out_of_time_teardown_after_a_fault_does_not_fsync() {
        let (_dir, path, stats, map) = shared(1 << 16);
        map.writer().expect("open").write(0, &[5; 4096]).expect("write");
        File::options().write(true).open(&path).expect("fd").set_len(4096).expect("truncate");
        map.writer().expect("open").write(8192, &[1; 8]).expect_err("past the end");
        map.flush_until(Instant::now()).expect("flush");
        assert_eq!((stats.flushes(), stats.background_flushes()), (0, 1));
        drop(map);
        assert_eq!((stats.flushes(), stats.background_flushes()), (0, 1));
        assert_eq!(std::fs::read(&path).expect("read"), vec![5; 4096]);
    }

    /// A plugin's `flush` or `close` past its deadline (`Ok(false)`) leaves the mapping dirty and
    /// open, so a later flush without a deadline (or the teardown) still syncs it and the `fsync`s.
    #[test]
    fn a_call_out_of_time_keeps_the_map_dirty_and_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (map, stats) = shared_map(dir.path(), 2 * FLUSH_SLICE);
        map.needs_sync(None);
        map.writer().expect("writer").write(10, &[4; 10]).expect("write");
        assert!(!map.flush_within(Some(Instant::now())).expect("flush"));
        assert!(!map.close_within(Some(Instant::now())).expect("close"));
        map.check_open().expect("still open");
        assert_eq!((stats.flushes(), stats.background_flushes(), stats.file_syncs()), (0, 2, 0));
        let later = Some(Instant::now() + std::time::Duration::from_secs(60));
        assert!(map.close_within(later).expect("close"));
        assert_eq!((stats.flushes(), stats.file_syncs(), stats.live_maps()), (1, 1, 0));
        assert_eq!(&std::fs::read(dir.path().join("data")).expect("read")[10..20], &[4; 10]);
    }

    /// A contiguous read of more than 1 MiB is copied in 1 MiB blocks with a look at the clock
    /// between them: past the deadline it stops after the first block; without one it returns
    /// every byte, across the blocks' edges and from an offset that is not a multiple of 8.
    #[test]
    fn a_long_contiguous_read_is_copied_in_blocks_and_stops_at_the_deadline() {
        let len = 3 << 20;
        let (_dir, _path, _stats, map) = shared(len);
        let pattern: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).expect("byte")).collect();
        map.writer().expect("open").write(0, &pattern).expect("write");
        let access = map.reader().expect("open");
        let count = (len - 8) / 8;
        let passed = Clock::at(Some(Instant::now()));
        let err = access.read_vec::<u64>(3, count, passed).expect_err("the deadline has passed");
        assert_eq!(err, Error::from(crate::meter::HostStop::Time));
        let values = access.read_vec::<u64>(3, count, Clock::at(None)).expect("read");
        let bytes: &[u8] = bytemuck::cast_slice(&values);
        assert_eq!(bytes, &pattern[3..3 + count * 8]);
        // One block or less is one copy, whatever the clock says.
        let short = access.read_vec::<u8>(5, 1 << 20, passed).expect("one block");
        assert_eq!(short, pattern[5..5 + (1 << 20)]);
    }
}
