//! A Zarr v3 array as the bytes of a `memmap`: the whole array's C-order bytes (the virtual
//! linear space of `linear.rs`), read and written through a bounded cache of decoded chunks
//! (`chunks.rs`), in the array's declared byte order (zarrs decodes to the host's order; a
//! big-endian array is swapped on load and store), so every path of the crate that works on a
//! mapped file's bytes works unchanged.
//!
//! A chunk is read from the store when first touched (an absent chunk is the fill value, as Zarr
//! says), and written back whole: by `flush`, by its eviction from the cache, by the drop of the
//! last handle and by the teardown. zarrs stores each chunk with one `set` of the store, which the
//! stores make atomic (a temporary file renamed over the chunk, one object-store put), so a reader
//! never sees a torn chunk (true of this crate's two stores, a directory and an object store).
//! Mode `c` never stores: the chunks it changed stay private to the map, pinned in the cache.
//! Every decoded chunk, of every array of the plugin, counts against one chunk-cache limit
//! (`MemmapStats::chunk_cache_bytes`), reserved before the chunk is loaded. Changed chunks not
//! stored by the teardown's deadline are lost, and counted (`MemmapStats::zarr_chunks_lost`).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use wasm_memmap_numpy_core::{self as numpy, DType, Mode};
use zarrs::array::{Array, ArrayBytes};
use zarrs_storage::ReadableWritableListableStorageTraits;

use super::bounded::{self, Chain};
use super::chunks::{Cache, Chunk};
use super::linear::Grid;
use super::store::StoreDeadline;
use crate::ctx::MemmapStats;
use crate::error::{Error, ErrorCode, Limit};
use crate::meter::{CHECK_BYTES, Clock};

/// A zarrs array over the plugin's granted store.
pub(crate) type StoredArray = Array<dyn ReadableWritableListableStorageTraits>;

/// The limits a Zarr array applies itself, copied from the context's `MemmapLimits` at open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ZarrLimits {
    /// `max_chunk_cache_bytes`: decoded chunks held in host memory.
    pub cache_bytes: u64,
    /// `max_transfer_bytes`: what a reduction may copy out of the chunks at once.
    pub transfer_bytes: u64,
    /// `max_total_file_bytes`: chunk bytes stored over the run (shared with file growth).
    pub total_written: u64,
}

/// What `open-zarr` / `create-zarr` give a [`ZarrArray`].
pub(crate) struct ZarrParts {
    pub array: StoredArray,
    pub grid: Grid,
    pub dtype: DType,
    pub mode: Mode,
    pub region: Option<Vec<Range<u64>>>,
    /// The codec chain's bytes-to-bytes stages, which bound what a chunk may decode to.
    pub chain: Chain,
    /// The store as messages name it.
    pub store: String,
    /// The location as the plugin gave it.
    pub location: String,
    pub deadline: Arc<StoreDeadline>,
    pub limits: ZarrLimits,
    pub stats: Arc<MemmapStats>,
}

/// One opened Zarr array, shared by a map and all its views (what [`MappedFile`] is to a file).
///
/// [`MappedFile`]: crate::map::MappedFile
pub(crate) struct ZarrArray {
    parts: ZarrParts,
    /// One element of the fill value in the array's byte order.
    fill: Vec<u8>,
    cache: Mutex<Cache>,
    closed: AtomicBool,
}

fn to_usize(v: u64) -> Result<usize, Error> {
    usize::try_from(v).map_err(|_| Error::overflow(format!("{v} does not fit in this host's address space")))
}

fn to_u64(v: usize) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// The store's own error carried through zarrs' `StorageError` (see `store::to_storage`): a
/// refusal, or an `io` failure that names the key and the store already.
pub(crate) fn ours(err: &zarrs_storage::StorageError) -> Option<Error> {
    if let zarrs_storage::StorageError::IOError(io) = err
        && let Some(ours) = io.get_ref().and_then(|e| e.downcast_ref::<Error>())
    {
        return Some(ours.clone());
    }
    None
}

/// `(a, b, c)`, numpy's way of writing a shape.
pub(crate) fn tuple(v: &[u64]) -> String {
    match v {
        [one] => format!("({one},)"),
        _ => format!("({})", v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// `[0:10, 5:20]`, a region as a numpy index.
pub(crate) fn region_str(region: &[Range<u64>]) -> String {
    format!("[{}]", region.iter().map(|r| format!("{}:{}", r.start, r.end)).collect::<Vec<_>>().join(", "))
}

impl ZarrArray {
    pub(crate) fn new(parts: ZarrParts) -> Self {
        let mut fill = parts.array.fill_value().as_ne_bytes().to_vec();
        if parts.dtype.needs_swap() {
            numpy::swap_bytes(parts.dtype.kind(), &mut fill);
        }
        parts.stats.map_opened(0);
        parts.stats.file_held();
        Self { parts, fill, cache: Mutex::default(), closed: AtomicBool::new(false) }
    }

    pub(crate) fn location(&self) -> &str {
        &self.parts.location
    }

    pub(crate) fn stats(&self) -> &MemmapStats {
        &self.parts.stats
    }

    pub(crate) fn chunk_shape(&self) -> &[u64] {
        self.parts.grid.chunk_shape()
    }

    /// The decoded chunks held now, in bytes.
    #[cfg(test)]
    pub(crate) fn cached_bytes(&self) -> u64 {
        self.cache().bytes()
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        // A panic never happens while the cache is inconsistent: chunks are swapped in whole.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn check_open(&self) -> Result<(), Error> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::invalid(format!(
                "'{}' was closed; this map and every view of it cannot be used any more: open it again",
                self.parts.location
            )));
        }
        Ok(())
    }

    pub(crate) fn reader(&self) -> Result<ZarrAccess<'_>, Error> {
        self.check_open()?;
        Ok(ZarrAccess { array: self })
    }

    pub(crate) fn writer(&self) -> Result<ZarrAccess<'_>, Error> {
        if self.parts.mode == Mode::ReadOnly {
            return Err(Error::new(ErrorCode::ReadOnly, "assignment destination is read-only"));
        }
        self.reader()
    }

    pub(crate) fn set_deadline(&self, deadline: Option<Instant>) {
        self.parts.deadline.set(deadline);
    }

    /// The key of chunk `chunk` in the store, for messages (`"a.zarr/c/0/1"`).
    fn key(&self, chunk: u64) -> String {
        self.parts.array.chunk_key(&self.parts.grid.chunk_indices(chunk)).to_string()
    }

    /// The plugin's error for a chunk zarrs could not read or store: the store's own error (it
    /// names the key and the store) when it came from one, else `io` naming them here.
    fn array_error(&self, chunk: u64, what: &str, err: &zarrs::array::ArrayError) -> Error {
        if let zarrs::array::ArrayError::StorageError(e) = err
            && let Some(ours) = ours(e)
        {
            return ours;
        }
        self.io(chunk, what, err)
    }

    fn io(&self, chunk: u64, what: &str, err: &dyn std::fmt::Display) -> Error {
        Error::new(
            ErrorCode::Io,
            format!("chunk '{}' of {} could not be {what}: {err}", self.key(chunk), self.parts.store),
        )
    }

    /// Chunk `chunk` (at `indices`) read and decoded, after its encoded bytes were checked
    /// against the codec chain's bounds (`bounded.rs`); `None` when it is absent.
    fn decode(&self, chunk: u64, indices: &[u64]) -> Result<Option<ArrayBytes<'static>>, Error> {
        let parts = &self.parts;
        bounded::retrieve(&parts.array, &parts.chain, indices, parts.grid.chunk_bytes()).map_err(|e| match e {
            bounded::Refused::Bomb(why) => {
                Error::new(ErrorCode::Io, format!("chunk '{}' in {} {}", self.key(chunk), parts.store, why.0))
            }
            bounded::Refused::Array(e) => self.array_error(chunk, "read", &e),
        })
    }

    /// Reads and decodes chunk `chunk`: its bytes in the array's byte order (the fill value for
    /// an absent chunk).
    fn load(&self, chunk: u64) -> Result<Vec<u8>, Error> {
        let indices = self.parts.grid.chunk_indices(chunk);
        let len = to_usize(self.parts.grid.chunk_bytes())?;
        let Some(decoded) = self.decode(chunk, &indices)? else {
            return Ok(self.fill.repeat(len / self.fill.len().max(1)));
        };
        let mut bytes = decoded.into_fixed().map_err(|e| self.io(chunk, "read", &e))?.into_owned();
        if bytes.len() != len {
            let why = format!("it decodes to {} bytes, not the {len} of its shape", bytes.len());
            return Err(self.io(chunk, "read", &why));
        }
        if self.parts.dtype.needs_swap() {
            numpy::swap_bytes(self.parts.dtype.kind(), &mut bytes);
        }
        Ok(bytes)
    }

    /// Encodes and stores chunk `chunk` (bytes in the array's byte order), counting its bytes
    /// against the bytes-written limit first.
    fn store(&self, chunk: u64, bytes: &[u8]) -> Result<(), Error> {
        let size = to_u64(bytes.len());
        let stats = &self.parts.stats;
        let max = self.parts.limits.total_written;
        let after = stats.file_bytes_added().saturating_add(size);
        if after > max {
            return Err(Error::limit_exceeded(
                Limit::TotalFileBytes,
                format!(
                    "storing chunk '{}' of {} ({size} bytes) would make {after} bytes written by memmap in total, over the limit of {max} bytes in total; write fewer chunks",
                    self.key(chunk),
                    self.parts.store
                ),
            ));
        }
        let native: Cow<'_, [u8]> = if self.parts.dtype.needs_swap() {
            let mut swapped = bytes.to_vec();
            numpy::swap_bytes(self.parts.dtype.kind(), &mut swapped);
            Cow::Owned(swapped)
        } else {
            Cow::Borrowed(bytes)
        };
        let indices = self.parts.grid.chunk_indices(chunk);
        self.parts
            .array
            .store_chunk(&indices, ArrayBytes::new_flen(native))
            .map_err(|e| self.array_error(chunk, "stored", &e))?;
        stats.file_grown(size);
        Ok(())
    }

    /// Drops chunk `chunk` from the cache, giving its bytes back to the plugin's chunk-cache count.
    fn evict(&self, cache: &mut Cache, chunk: u64) {
        if let Some(gone) = cache.remove(chunk) {
            self.parts.stats.release_chunk_cache(to_u64(gone.bytes.len()));
        }
    }

    /// Reserves `needed` bytes for a chunk about to be loaded against the chunk-cache limit, which
    /// bounds all the plugin's Zarr arrays together (`MemmapStats::chunk_cache_bytes`): drops this
    /// array's least recently used chunks while they do not fit, storing a dirty one first. A
    /// mode `c` map's changed chunks cannot be dropped (they exist nowhere else).
    ///
    /// # Errors
    /// `limit-exceeded` when what cannot be dropped (here or in the plugin's other arrays) leaves
    /// no room; a store's error.
    fn reserve(&self, cache: &mut Cache, needed: u64) -> Result<(), Error> {
        let max = self.parts.limits.cache_bytes;
        let stats = &self.parts.stats;
        let private = self.parts.mode == Mode::CopyOnWrite;
        let victims: Vec<u64> = cache.oldest_first().collect();
        for victim in victims {
            if stats.chunk_cache_bytes().saturating_add(needed) <= max {
                break;
            }
            let dirty = cache.get(victim).is_some_and(|c| c.dirty);
            if dirty && private {
                continue;
            }
            if dirty && let Some(chunk) = cache.get(victim) {
                self.store(victim, &chunk.bytes)?;
            }
            self.evict(cache, victim);
        }
        let Err(held) = stats.reserve_chunk_cache(needed, max) else { return Ok(()) };
        let after = held.saturating_add(needed);
        let why = if private && cache.bytes() > 0 {
            format!(
                "the chunks this copy-on-write map changed hold {} bytes, which stay in host memory (they are never stored); ",
                cache.bytes()
            )
        } else {
            String::new()
        };
        Err(Error::limit_exceeded(
            Limit::ChunkCacheBytes,
            format!(
                "{why}a chunk of {needed} bytes of '{}' would make {after} bytes of decoded chunks in host memory (all this plugin's Zarr arrays together), over the limit of {max} bytes; use an array with smaller chunks, or fewer arrays at once",
                self.parts.location
            ),
        ))
    }

    /// The cached chunk `chunk`, loaded (after reserving its bytes) when it is not cached.
    fn chunk<'c>(&self, cache: &'c mut Cache, chunk: u64) -> Result<&'c mut Chunk, Error> {
        if !cache.contains(chunk) {
            let size = self.parts.grid.chunk_bytes();
            self.reserve(cache, size)?;
            match self.load(chunk) {
                Ok(bytes) => cache.insert(chunk, bytes, false),
                Err(e) => {
                    self.parts.stats.release_chunk_cache(size);
                    return Err(e);
                }
            }
        }
        cache.get_mut(chunk).ok_or_else(|| Error::invalid("a chunk left the cache while in use"))
    }

    /// Loads the chunks of `wanted` that are not cached, several at once on their own threads
    /// when there are several (each a store request and a decode), as many as fit in what the
    /// chunk-cache limit leaves free (after dropping this array's clean chunks `wanted` does not
    /// name): each batch is reserved before it is loaded, so loading ahead never holds more than
    /// the limit. What does not fit is loaded one by one as the read reaches it.
    fn prefetch(&self, cache: &mut Cache, wanted: &[u64]) -> Result<(), Error> {
        let chunk_bytes = self.parts.grid.chunk_bytes().max(1);
        let max = self.parts.limits.cache_bytes;
        let stats = &self.parts.stats;
        let mut missing: Vec<u64> = wanted.iter().copied().filter(|&c| !cache.contains(c)).collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.len() < 2 {
            return Ok(());
        }
        let all = chunk_bytes.saturating_mul(to_u64(missing.len()));
        let keep: std::collections::HashSet<u64> = wanted.iter().copied().collect();
        let victims: Vec<u64> = cache.oldest_first().collect();
        for victim in victims {
            if stats.chunk_cache_bytes().saturating_add(all) <= max {
                break;
            }
            if !keep.contains(&victim) && cache.get(victim).is_some_and(|c| !c.dirty) {
                self.evict(cache, victim);
            }
        }
        let free = max.saturating_sub(stats.chunk_cache_bytes());
        missing.truncate(usize::try_from(free / chunk_bytes).unwrap_or(usize::MAX));
        if missing.len() < 2 {
            return Ok(());
        }
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get).clamp(2, 8);
        for batch in missing.chunks(threads) {
            let reserved = chunk_bytes.saturating_mul(to_u64(batch.len()));
            if stats.reserve_chunk_cache(reserved, max).is_err() {
                // Another array took the room meanwhile.
                return Ok(());
            }
            let loaded: Vec<Result<Vec<u8>, Error>> = std::thread::scope(|scope| {
                let handles: Vec<_> = batch.iter().map(|&c| scope.spawn(move || self.load(c))).collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Error::invalid("a chunk decoder panicked"))))
                    .collect()
            });
            let mut failed = None;
            for (&c, bytes) in batch.iter().zip(loaded) {
                match bytes {
                    Ok(bytes) if failed.is_none() && to_u64(bytes.len()) == chunk_bytes => {
                        cache.insert(c, bytes, false);
                    }
                    Ok(_) => stats.release_chunk_cache(chunk_bytes),
                    Err(e) => {
                        stats.release_chunk_cache(chunk_bytes);
                        failed.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Ok(())
    }

    /// The chunks the bytes `[offset, offset + len)` lie in.
    fn chunks_of(&self, offset: u64, len: u64) -> Result<Vec<u64>, Error> {
        let mut chunks = Vec::new();
        self.parts.grid.for_each_run(offset, len, |run| {
            if chunks.last() != Some(&run.chunk) {
                chunks.push(run.chunk);
            }
            Ok(())
        })?;
        Ok(chunks)
    }

    /// Refuses a write of `[offset, offset + len)` reaching a chunk outside the write region.
    fn check_region(&self, offset: u64, len: u64) -> Result<(), Error> {
        let Some(region) = &self.parts.region else { return Ok(()) };
        let grid = &self.parts.grid;
        grid.for_each_run(offset, len, |run| {
            if grid.chunk_inside(run.chunk, region) {
                return Ok(());
            }
            Err(Error::new(
                ErrorCode::AccessDenied,
                format!(
                    "this plugin may write '{}' only inside the region {} (chunks of shape {}); the write reaches chunk {} outside it, so nothing was written",
                    self.parts.location,
                    region_str(region),
                    tuple(grid.chunk_shape()),
                    tuple(&grid.chunk_indices(run.chunk))
                ),
            ))
        })
    }

    /// Copies `[offset, offset + dst.len())` out of the chunks.
    fn read(&self, offset: u64, dst: &mut [u8]) -> Result<(), Error> {
        let len = to_u64(dst.len());
        let mut cache = self.cache();
        let wanted = self.chunks_of(offset, len)?;
        self.prefetch(&mut cache, &wanted)?;
        let mut done = 0usize;
        self.parts.grid.for_each_run(offset, len, |run| {
            let n = to_usize(run.len)?;
            let at = to_usize(run.at)?;
            let chunk = self.chunk(&mut cache, run.chunk)?;
            dst[done..done + n].copy_from_slice(&chunk.bytes[at..at + n]);
            done += n;
            Ok(())
        })
    }

    /// Writes the bytes `byte(k)` for `k` in `0..len` at `[offset, offset + len)`, after checking
    /// the write region for the whole range.
    fn write_with(&self, offset: u64, len: u64, mut fill: impl FnMut(usize, &mut [u8])) -> Result<(), Error> {
        self.check_region(offset, len)?;
        let mut cache = self.cache();
        let mut done = 0usize;
        self.parts.grid.for_each_run(offset, len, |run| {
            let n = to_usize(run.len)?;
            let at = to_usize(run.at)?;
            let chunk = self.chunk(&mut cache, run.chunk)?;
            fill(done, &mut chunk.bytes[at..at + n]);
            chunk.dirty = true;
            done += n;
            Ok(())
        })
    }

    /// `io` for the changed chunks `left` a flush had no time to store: how many, of which array
    /// in which store, and the first keys.
    fn not_stored(&self, left: &[u64]) -> Error {
        const SHOWN: usize = 3;
        let keys: Vec<String> = left.iter().take(SHOWN).map(|&c| format!("'{}'", self.key(c))).collect();
        let more = if left.len() > SHOWN { ", ..." } else { "" };
        Error::new(
            ErrorCode::Io,
            format!(
                "{} changed chunks of '{}' in {} were not stored before the deadline: {}{more}",
                left.len(),
                self.parts.location,
                self.parts.store,
                keys.join(", ")
            ),
        )
    }

    /// Stores every changed chunk while `until` has not passed (mode `c`: nothing, its chunks are
    /// private). Unlike a file's pages, which the kernel writes back after an out-of-time
    /// `msync`, a chunk not stored exists only here: running out of time is an error, never
    /// `Ok(false)` (a flush "in the background").
    ///
    /// # Errors
    /// `io` naming how many changed chunks were not stored before `until` and the first keys; the
    /// first chunk that could not be stored (`io` naming it, or `limit-exceeded`). The chunks not
    /// stored stay dirty for a later flush.
    pub(crate) fn flush_within(&self, until: Option<Instant>) -> Result<bool, Error> {
        if self.parts.mode == Mode::CopyOnWrite || self.closed.load(Ordering::Acquire) {
            return Ok(true);
        }
        let mut cache = self.cache();
        let dirty = cache.dirty();
        if dirty.is_empty() {
            return Ok(true);
        }
        for (k, &chunk) in dirty.iter().enumerate() {
            if until.is_some_and(|until| Instant::now() >= until) {
                self.parts.stats.flush_failed();
                return Err(self.not_stored(&dirty[k..]));
            }
            if let Some(c) = cache.get(chunk)
                && let Err(e) = self.store(chunk, &c.bytes)
            {
                self.parts.stats.flush_failed();
                return Err(e);
            }
            cache.mark_clean(chunk);
        }
        self.parts.stats.flushed();
        Ok(true)
    }

    /// [`ZarrArray::flush_within`] bounded by the array's deadline (the run's, or the teardown's).
    pub(crate) fn flush(&self) -> Result<(), Error> {
        self.flush_within(self.parts.deadline.get()).map(|_| ())
    }

    /// The teardown's flush: until `until`, and every later request of this array bounded by it.
    pub(crate) fn flush_until(&self, until: Instant) -> Result<(), Error> {
        self.set_deadline(Some(until));
        self.flush_within(Some(until)).map(|_| ())
    }

    /// Flushes, then refuses every later access and frees the cache (Python's `mmap.close()`).
    /// Out of time or after a failure the array stays open, so nothing written is given up.
    pub(crate) fn close_within(&self, until: Option<Instant>) -> Result<bool, Error> {
        if self.closed.load(Ordering::Acquire) {
            return Ok(true);
        }
        if !self.flush_within(until)? {
            return Ok(false);
        }
        let mut cache = self.cache();
        self.parts.stats.release_chunk_cache(cache.bytes());
        cache.clear();
        self.closed.store(true, Ordering::Release);
        drop(cache);
        self.parts.stats.map_closed(0);
        Ok(true)
    }
}

impl Drop for ZarrArray {
    /// The last handle of the array is gone: its changed chunks are stored now, bounded by the
    /// array's deadline. Those not stored (out of time, or the store failed) are lost: logged at
    /// error level and counted in `MemmapStats::zarr_chunks_lost`.
    fn drop(&mut self) {
        let stats = Arc::clone(&self.parts.stats);
        stats.file_released();
        if !self.closed.load(Ordering::Acquire) {
            if let Err(e) = self.flush() {
                let lost = to_u64(self.cache().dirty().len());
                stats.zarr_chunks_dropped(lost);
                tracing::error!(
                    location = %self.parts.location,
                    store = %self.parts.store,
                    lost,
                    error = %e,
                    "changed chunks of a dropped Zarr array were not stored and are lost"
                );
            }
            stats.map_closed(0);
        }
        stats.release_chunk_cache(self.cache().bytes());
    }
}

/// A [`ZarrArray`] held for one host call: the copies of [`MapGuard`](crate::map::MapGuard) over
/// the array's virtual C-order bytes.
pub(crate) struct ZarrAccess<'a> {
    array: &'a ZarrArray,
}

impl ZarrAccess<'_> {
    pub(crate) fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), Error> {
        self.array.read(to_u64(offset), dst)
    }

    pub(crate) fn write(&self, offset: usize, src: &[u8]) -> Result<(), Error> {
        self.array.write_with(to_u64(offset), to_u64(src.len()), |done, dst| {
            dst.copy_from_slice(&src[done..done + dst.len()]);
        })
    }

    pub(crate) fn fill(&self, offset: usize, element: &[u8], count: usize) -> Result<(), Error> {
        let size = element.len();
        if count == 0 || size == 0 {
            return Ok(());
        }
        let len = size.checked_mul(count).ok_or_else(|| Error::overflow("fill length"))?;
        self.array.write_with(to_u64(offset), to_u64(len), |done, dst| {
            // `done` is where this run starts in the repeated element.
            for (k, byte) in dst.iter_mut().enumerate() {
                *byte = element[(done + k) % size];
            }
        })
    }

    pub(crate) fn read_at(&self, offsets: &[usize], item: usize, dst: &mut [u8]) -> Result<(), Error> {
        for (k, &offset) in offsets.iter().enumerate() {
            let at = k.checked_mul(item).ok_or_else(|| Error::overflow("take offset"))?;
            let out = dst.get_mut(at..at + item).ok_or_else(|| Error::overflow("take offset"))?;
            self.read(offset, out)?;
        }
        Ok(())
    }

    pub(crate) fn write_at(&self, offsets: &[usize], item: usize, src: &[u8], src_step: usize) -> Result<(), Error> {
        // Every position is checked against the region before any is written.
        for &offset in offsets {
            self.check_region(offset, item)?;
        }
        for (k, &offset) in offsets.iter().enumerate() {
            let at = k.checked_mul(src_step).ok_or_else(|| Error::overflow("data offset"))?;
            let value = src.get(at..at + item).ok_or_else(|| Error::overflow("data offset"))?;
            self.write(offset, value)?;
        }
        Ok(())
    }

    pub(crate) fn read_vec<T: bytemuck::Pod>(
        &self,
        offset: usize,
        count: usize,
        clock: Clock,
    ) -> Result<Vec<T>, Error> {
        let mut values = vec![T::zeroed(); count];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut values);
        let block = usize::try_from(CHECK_BYTES).unwrap_or(usize::MAX);
        let mut done = 0;
        while done < bytes.len() {
            if done > 0 {
                clock.check()?;
            }
            let n = block.min(bytes.len() - done);
            let at = offset.checked_add(done).ok_or_else(|| Error::overflow("read offset"))?;
            self.read(at, &mut bytes[done..done + n])?;
            done += n;
        }
        Ok(values)
    }

    /// Runs `f` on a copy of `len` bytes from `offset`: a Zarr array has no bytes in place, so a
    /// reduction reads its selection's span out of the chunks into a buffer first, which counts
    /// against the per-call transfer limit as a read would.
    ///
    /// # Errors
    /// `limit-exceeded` for a span over the transfer limit; a chunk's `io` error.
    pub(crate) fn with_bytes<R>(&self, offset: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
        self.check_span(len)?;
        let mut buf = vec![0u8; len];
        self.read(offset, &mut buf)?;
        Ok(f(&buf))
    }

    /// [`ZarrAccess::with_bytes`] over several ranges, one after another (their spans together
    /// count against the transfer limit).
    pub(crate) fn with_bytes_parallel<R: Send>(
        &self,
        ranges: &[(usize, usize)],
        f: impl Fn(&[u8]) -> R + Sync,
    ) -> Result<Vec<R>, Error> {
        let total = ranges.iter().try_fold(0usize, |acc, &(_, len)| acc.checked_add(len));
        self.check_span(total.unwrap_or(usize::MAX))?;
        ranges.iter().map(|&(offset, len)| self.with_bytes(offset, len, &f)).collect()
    }

    fn check_span(&self, len: usize) -> Result<(), Error> {
        let max = self.array.parts.limits.transfer_bytes;
        let len = to_u64(len);
        if len > max {
            return Err(Error::limit_exceeded(
                Limit::TransferBytes,
                format!(
                    "a reduction over the Zarr array '{}' copies the {len} bytes its selection spans out of the chunks, over the limit of {max} bytes per call; reduce smaller selections",
                    self.array.parts.location
                ),
            ));
        }
        Ok(())
    }

    /// Loads the chunks the byte ranges `ranges` give touch (as many as the cache holds), several
    /// at once: for a selection read element by element (a strided view), which would otherwise
    /// load its chunks one after another as it reaches them.
    pub(crate) fn prefetch(&self, layout: &crate::layout::Layout) -> Result<(), Error> {
        let parts = &self.array.parts;
        // At most what the limit holds; `ZarrArray::prefetch` loads only what is free of it.
        let room = usize::try_from(parts.limits.cache_bytes / parts.grid.chunk_bytes().max(1)).unwrap_or(usize::MAX);
        let mut wanted = std::collections::BTreeSet::new();
        crate::elements::for_each_range(layout, |offset, len| {
            parts.grid.for_each_run(to_u64(offset), to_u64(len), |run| {
                wanted.insert(run.chunk);
                Ok(())
            })?;
            Ok(wanted.len() < room)
        })?;
        let wanted: Vec<u64> = wanted.into_iter().collect();
        let mut cache = self.array.cache();
        self.array.prefetch(&mut cache, &wanted)
    }

    /// Whether writes are limited to a region (so a write path checks its whole selection
    /// with [`ZarrAccess::check_region`] before writing).
    pub(crate) fn restricted(&self) -> bool {
        self.array.parts.region.is_some()
    }

    /// `access-denied` when `[offset, offset + len)` reaches a chunk outside the write region.
    pub(crate) fn check_region(&self, offset: usize, len: usize) -> Result<(), Error> {
        self.array.check_region(to_u64(offset), to_u64(len))
    }
}
