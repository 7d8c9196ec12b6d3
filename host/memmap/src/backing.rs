//! What a `memmap` handle's bytes live in: a mapped file, or a Zarr array's chunks (decoded into a
//! cache in host memory). Every data path of the crate (slice reads and writes, `take`/`put`,
//! `item`, reductions, `format`, random fills) goes through [`Backing::reader`] or
//! [`Backing::writer`] and the [`Access`] they return, which has the same methods over both, so
//! numpy's semantics are the same code for a file and for a Zarr array. What only a file has
//! (lending a range to wasmtime's lowering, windows, the file itself) is reached by matching on
//! [`Backing::File`]; a Zarr array takes the copy path instead, and windows refuse it.

use std::sync::{Arc, Weak};
use std::time::Instant;

use crate::ctx::MemmapStats;
use crate::error::Error;
use crate::map::{MapGuard, MappedFile};
use crate::meter::Clock;
use crate::zarr::array::{ZarrAccess, ZarrArray};

/// The bytes behind a map and all its views. Cloning it shares them (an `Arc` each), as numpy's
/// views share their base's buffer.
#[derive(Clone)]
pub(crate) enum Backing {
    /// A file mapped into memory (`open`, `open-npy`, `create-npy`).
    File(Arc<MappedFile>),
    /// A Zarr v3 array (`open-zarr`, `create-zarr`), as the C-order bytes of the whole array.
    Zarr(Arc<ZarrArray>),
}

/// A [`Backing`] the context keeps without keeping it alive (see `MemmapCtx::flush_all`).
pub(crate) enum WeakBacking {
    File(Weak<MappedFile>),
    Zarr(Weak<ZarrArray>),
}

impl WeakBacking {
    pub(crate) fn upgrade(&self) -> Option<Backing> {
        match self {
            WeakBacking::File(map) => map.upgrade().map(Backing::File),
            WeakBacking::Zarr(array) => array.upgrade().map(Backing::Zarr),
        }
    }

    pub(crate) fn alive(&self) -> bool {
        match self {
            WeakBacking::File(map) => map.strong_count() > 0,
            WeakBacking::Zarr(array) => array.strong_count() > 0,
        }
    }
}

impl Backing {
    pub(crate) fn downgrade(&self) -> WeakBacking {
        match self {
            Backing::File(map) => WeakBacking::File(Arc::downgrade(map)),
            Backing::Zarr(array) => WeakBacking::Zarr(Arc::downgrade(array)),
        }
    }

    /// The mapped file, for what only a file has (lending, windows); `None` for a Zarr array.
    pub(crate) fn file(&self) -> Option<&Arc<MappedFile>> {
        match self {
            Backing::File(map) => Some(map),
            Backing::Zarr(_) => None,
        }
    }

    /// The Zarr array, for what only it has (its chunk shape).
    pub(crate) fn zarr(&self) -> Option<&Arc<ZarrArray>> {
        match self {
            Backing::File(_) => None,
            Backing::Zarr(array) => Some(array),
        }
    }

    /// Access for reading, for the length of one host call (see [`MappedFile::reader`]).
    pub(crate) fn reader(&self) -> Result<Access<'_>, Error> {
        Ok(match self {
            Backing::File(map) => Access::File(map.reader()?),
            Backing::Zarr(array) => Access::Zarr(array.reader()?),
        })
    }

    /// Access for writing: `read-only` for a map that may not be written.
    pub(crate) fn writer(&self) -> Result<Access<'_>, Error> {
        Ok(match self {
            Backing::File(map) => Access::File(map.writer()?),
            Backing::Zarr(array) => Access::Zarr(array.writer()?),
        })
    }

    /// Fails once the map was closed (see [`MappedFile::check_open`]).
    pub(crate) fn check_open(&self) -> Result<(), Error> {
        match self {
            Backing::File(map) => map.check_open(),
            Backing::Zarr(array) => array.check_open(),
        }
    }

    /// The path (or location) the plugin opened, for messages.
    pub(crate) fn path(&self) -> &str {
        match self {
            Backing::File(map) => map.path(),
            Backing::Zarr(array) => array.location(),
        }
    }

    pub(crate) fn stats(&self) -> &MemmapStats {
        match self {
            Backing::File(map) => map.stats(),
            Backing::Zarr(array) => array.stats(),
        }
    }

    /// `flush`: a file's `msync` (see [`MappedFile::flush_within`]), a Zarr array's dirty chunks
    /// stored; both only until `until`. `Ok(false)`: out of time, still dirty.
    ///
    /// # Errors
    /// The file's `io` error naming its path; a store's naming the chunk.
    pub(crate) fn flush_within(&self, until: Option<Instant>) -> Result<bool, Error> {
        match self {
            Backing::File(map) => map.flush_within(until).map_err(|e| Error::from_io(&e, map.path())),
            Backing::Zarr(array) => array.flush_within(until),
        }
    }

    /// `close`: flushed as [`Backing::flush_within`], then every later access refused.
    ///
    /// # Errors
    /// As [`Backing::flush_within`].
    pub(crate) fn close_within(&self, until: Option<Instant>) -> Result<bool, Error> {
        match self {
            Backing::File(map) => map.close_within(until).map_err(|e| Error::from_io(&e, map.path())),
            Backing::Zarr(array) => array.close_within(until),
        }
    }

    /// The flush of the handle's drop and of `flush_all`, bounded by the map's own deadline.
    ///
    /// # Errors
    /// As [`Backing::flush_within`].
    pub(crate) fn flush(&self) -> Result<(), Error> {
        match self {
            Backing::File(map) => map.flush().map_err(|e| Error::from_io(&e, map.path())),
            Backing::Zarr(array) => array.flush(),
        }
    }

    /// The teardown's flush: until `until`, and every later flush bounded by it too.
    ///
    /// # Errors
    /// As [`Backing::flush_within`].
    pub(crate) fn flush_until(&self, until: Instant) -> Result<(), Error> {
        match self {
            Backing::File(map) => map.flush_until(until).map_err(|e| Error::from_io(&e, map.path())),
            Backing::Zarr(array) => array.flush_until(until),
        }
    }

    /// Bounds every later flush without a deadline of its own (the run's deadline).
    pub(crate) fn set_deadline(&self, deadline: Option<Instant>) {
        match self {
            Backing::File(map) => map.set_deadline(deadline),
            Backing::Zarr(array) => array.set_deadline(deadline),
        }
    }
}

/// A [`Backing`] held for one host call: a file's [`MapGuard`] or a Zarr array's [`ZarrAccess`],
/// with the same copies. Offsets are bytes of the array's C-order bytes (a file's mapping; for a
/// Zarr array the bytes the whole array would have as one C-order file).
pub(crate) enum Access<'a> {
    File(MapGuard<'a>),
    Zarr(ZarrAccess<'a>),
}

impl Access<'_> {
    /// Copies bytes out.
    pub(crate) fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), Error> {
        match self {
            Access::File(map) => map.read(offset, dst),
            Access::Zarr(array) => array.read(offset, dst),
        }
    }

    /// Copies bytes in (reached only through [`Backing::writer`]).
    pub(crate) fn write(&self, offset: usize, src: &[u8]) -> Result<(), Error> {
        match self {
            Access::File(map) => map.write(offset, src),
            Access::Zarr(array) => array.write(offset, src),
        }
    }

    /// Repeats one element `count` times from `offset`.
    pub(crate) fn fill(&self, offset: usize, element: &[u8], count: usize) -> Result<(), Error> {
        match self {
            Access::File(map) => map.fill(offset, element, count),
            Access::Zarr(array) => array.fill(offset, element, count),
        }
    }

    /// Copies the `item`-byte elements at `offsets` into `dst` (numpy's `take`).
    pub(crate) fn read_at(&self, offsets: &[usize], item: usize, dst: &mut [u8]) -> Result<(), Error> {
        match self {
            Access::File(map) => map.read_at(offsets, item, dst),
            Access::Zarr(array) => array.read_at(offsets, item, dst),
        }
    }

    /// Writes elements from `src` (the `k`-th at `k * src_step`) to `offsets`, in order (numpy's `put`).
    pub(crate) fn write_at(&self, offsets: &[usize], item: usize, src: &[u8], src_step: usize) -> Result<(), Error> {
        match self {
            Access::File(map) => map.write_at(offsets, item, src, src_step),
            Access::Zarr(array) => array.write_at(offsets, item, src, src_step),
        }
    }

    /// `count` values of `T` from `offset`, copied into a new vector with a look at `clock`
    /// between blocks (see [`MapGuard::read_vec`]).
    pub(crate) fn read_vec<T: bytemuck::Pod>(
        &self,
        offset: usize,
        count: usize,
        clock: Clock,
    ) -> Result<Vec<T>, Error> {
        match self {
            Access::File(map) => map.read_vec(offset, count, clock),
            Access::Zarr(array) => array.read_vec(offset, count, clock),
        }
    }

    /// Runs `f` on `len` bytes from `offset`: in place for a file; for a Zarr array on a buffer
    /// the chunks are copied into, counted against the per-call transfer limit (see
    /// [`ZarrAccess::with_bytes`]).
    pub(crate) fn with_bytes<R>(&self, offset: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
        match self {
            Access::File(map) => map.with_bytes(offset, len, f),
            Access::Zarr(array) => array.with_bytes(offset, len, f),
        }
    }

    /// [`Access::with_bytes`] over several ranges at once.
    pub(crate) fn with_bytes_parallel<R: Send>(
        &self,
        ranges: &[(usize, usize)],
        f: impl Fn(&[u8]) -> R + Sync,
    ) -> Result<Vec<R>, Error> {
        match self {
            Access::File(map) => map.with_bytes_parallel(ranges, f),
            Access::Zarr(array) => array.with_bytes_parallel(ranges, f),
        }
    }

    /// Loads what a read of `layout` will touch ahead of the copy where that helps: a Zarr array
    /// decodes the chunks of the selection in parallel; a file needs nothing.
    pub(crate) fn prefetch(&self, layout: &crate::layout::Layout) -> Result<(), Error> {
        match self {
            Access::File(_) => Ok(()),
            Access::Zarr(array) => array.prefetch(layout),
        }
    }

    /// Whether writes are limited to a region of the array (a Zarr array the embedder granted a
    /// write region of): each write path then checks its whole selection with
    /// [`Access::check_region`] before it writes anything.
    pub(crate) fn restricted(&self) -> bool {
        match self {
            Access::File(_) => false,
            Access::Zarr(array) => array.restricted(),
        }
    }

    /// `access-denied` when the bytes `[offset, offset + len)` reach outside the write region.
    pub(crate) fn check_region(&self, offset: usize, len: usize) -> Result<(), Error> {
        match self {
            Access::File(_) => Ok(()),
            Access::Zarr(array) => array.check_region(offset, len),
        }
    }
}
