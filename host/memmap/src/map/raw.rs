//! Everything `unsafe` in this crate besides the `SIGBUS` handler (`sigbus.rs`): creating memory
//! maps and copying bytes through them. The rest of the crate goes through the safe,
//! bounds-checked functions here.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;

use memmap2::{MmapOptions, MmapRaw};

/// How a file is mapped: Python's `mmap` `access=` argument, which `np.memmap` picks from its
/// mode as `r` -> `ACCESS_READ`, `r+`/`w+` -> `ACCESS_WRITE`, `c` -> `ACCESS_COPY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MmapAccess {
    /// `ACCESS_READ`: `mmap(PROT_READ, MAP_SHARED)`.
    Read,
    /// `ACCESS_WRITE`: `mmap(PROT_READ | PROT_WRITE, MAP_SHARED)`: writes reach the file.
    Write,
    /// `ACCESS_COPY`: `mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE)`: writes stay in this process.
    Copy,
}

/// The address range `mmap` returned for `len` bytes of a file starting at `offset` (any offset:
/// memmap2 aligns the mapping down to a page and hides the difference), with bounds-checked copies
/// through it that survive `SIGBUS`. Owned by one [`MappedFile`](super::MappedFile).
pub(crate) struct MappedRegion {
    map: MmapRaw,
    access: MmapAccess,
    /// What the `SIGBUS` handler needs to replace this mapping after a fault (see `sigbus.rs`).
    region: super::sigbus::Region,
}

impl MappedRegion {
    /// Maps `len` (> 0) bytes of `file` from `offset`. The file must be at least `offset + len` bytes
    /// long; the caller checks that and grows the file first where the mode allows.
    pub(crate) fn new(file: &File, offset: u64, len: usize, access: MmapAccess) -> io::Result<Self> {
        super::sigbus::install();
        let mut options = MmapOptions::new();
        options.offset(offset).len(len);
        let map = match access {
            MmapAccess::Read => options.map_raw_read_only(file)?,
            MmapAccess::Write => options.map_raw(file)?,
            // SAFETY: the mapping is private, so no other process sees our writes. Changes to the file
            // by others may show through pages we have not written; we only ever copy bytes out
            // through raw pointers (never hand out references into the mapping), so such a change
            // can tear a value, not break Rust's aliasing rules for our own data.
            MmapAccess::Copy => MmapRaw::from(unsafe { options.map_copy(file)? }),
        };
        let region = super::sigbus::Region::new(map.as_ptr().addr(), map.len(), access != MmapAccess::Read);
        Ok(Self { map, access, region })
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether a fault replaced pages of this mapping by anonymous ones (see `sigbus.rs`): its
    /// [`MappedRegion::flush`] then no longer reaches the file, whose own `fsync` must be used instead.
    pub(crate) fn replaced(&self) -> bool {
        self.region.replaced()
    }

    /// Tests only: the region the `SIGBUS` handler replaces.
    #[cfg(test)]
    pub(crate) fn region(&self) -> &super::sigbus::Region {
        &self.region
    }

    /// Runs `copy` with `SIGBUS` on this mapping turned into an error (see `sigbus.rs`).
    fn guarded(&self, copy: impl FnOnce()) -> io::Result<()> {
        let ((), faulted) = super::sigbus::guarded(&self.region, copy);
        if faulted { Err(io::Error::other(PageFault)) } else { Ok(()) }
    }

    fn check(&self, offset: usize, len: usize) -> io::Result<()> {
        match offset.checked_add(len) {
            Some(end) if end <= self.map.len() => Ok(()),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bytes {offset}..+{len} are outside the {}-byte mapping", self.map.len()),
            )),
        }
    }

    /// Copies `dst.len()` bytes starting at `offset` of the mapping into `dst`.
    pub(crate) fn read(&self, offset: usize, dst: &mut [u8]) -> io::Result<()> {
        self.check(offset, dst.len())?;
        // A page the file no longer covers reads as zeros and makes `guarded` fail.
        // SAFETY: `check` proved `offset..offset + dst.len()` lies inside the live mapping, which is
        // readable in every `MmapAccess`; `dst` is a distinct Rust buffer, so the ranges do not overlap.
        self.guarded(|| unsafe {
            std::ptr::copy_nonoverlapping(self.map.as_ptr().add(offset), dst.as_mut_ptr(), dst.len());
        })
    }

    /// Copies `src` into the mapping at `offset`.
    pub(crate) fn write(&self, offset: usize, src: &[u8]) -> io::Result<()> {
        self.check_writable()?;
        self.check(offset, src.len())?;
        // SAFETY: the range is inside the mapping (`check`), the mapping was made writable
        // (`check_writable`: `Write` and `Copy` map PROT_WRITE), and `src` is a Rust buffer that
        // cannot alias the mapping: guests only ever hand us copies in their own linear memory.
        self.guarded(|| unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), self.map.as_mut_ptr().add(offset), src.len());
        })
    }

    /// Writes `pattern` (one element) `count` times from `offset`, like a broadcast scalar
    /// assignment `a[...] = v`.
    pub(crate) fn fill(&self, offset: usize, pattern: &[u8], count: usize) -> io::Result<()> {
        let total = pattern
            .len()
            .checked_mul(count)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "fill size overflows"))?;
        self.check_writable()?;
        self.check(offset, total)?;
        let Some(&first) = pattern.first() else { return Ok(()) };
        if pattern.iter().all(|&b| b == first) {
            // SAFETY: as in `write`: `offset..offset + total` is inside the writable mapping.
            return self.guarded(|| unsafe { std::ptr::write_bytes(self.map.as_mut_ptr().add(offset), first, total) });
        }
        for i in 0..count {
            // `i * pattern.len() < total`, which did not overflow above.
            self.write(offset + i * pattern.len(), pattern)?;
        }
        Ok(())
    }

    fn check_writable(&self) -> io::Result<()> {
        if self.access == MmapAccess::Read {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, "mapping is read-only"));
        }
        Ok(())
    }

    /// `msync(MS_SYNC)` over the whole mapping for a shared mapping; nothing for the others, whose
    /// changes never reach the file.
    pub(crate) fn flush(&self) -> io::Result<()> {
        match self.access {
            MmapAccess::Write => self.map.flush(),
            MmapAccess::Read | MmapAccess::Copy => Ok(()),
        }
    }
}

impl MappedRegion {
    /// `msync` of `len` bytes from `offset` (inside the mapping) of a shared mapping: `MS_SYNC`
    /// (write the changed pages and wait for the disk) when `wait`, else `MS_ASYNC` (schedule the
    /// write-back and return). Nothing for the other kinds, whose changes never reach the file.
    pub(crate) fn flush_range(&self, offset: usize, len: usize, wait: bool) -> io::Result<()> {
        self.check(offset, len)?;
        match (self.access, wait) {
            (MmapAccess::Write, true) => self.map.flush_range(offset, len),
            (MmapAccess::Write, false) => self.map.flush_async_range(offset, len),
            (MmapAccess::Read | MmapAccess::Copy, _) => Ok(()),
        }
    }
}

/// The error of a copy that touched a page the file could not back (see `sigbus.rs`): the file was
/// truncated under the mapping, or the file system could not allocate a page (disk full).
#[derive(Debug)]
pub(crate) struct PageFault;

impl std::fmt::Display for PageFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a mapped page is no longer backed by the file (SIGBUS)")
    }
}

impl std::error::Error for PageFault {}

impl PageFault {
    /// Whether `err` is a [`PageFault`].
    pub(crate) fn is(err: &io::Error) -> bool {
        err.get_ref().is_some_and(|e| e.is::<PageFault>())
    }
}

impl MappedRegion {
    /// Calls `f` with the bytes `offset..offset + len` of the mapping, in place: the host's native
    /// reductions (`reduce.rs`) read a selection once, straight from the page cache, instead of
    /// copying it out first.
    pub(crate) fn with_bytes<R>(&self, offset: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        self.check(offset, len)?;
        // A page the file no longer covers reads as zeros and makes `guarded` fail (the value `f`
        // computed from them is dropped).
        let (result, faulted) = super::sigbus::guarded(&self.region, || {
            // SAFETY: `check` proved the range lies inside the live mapping, which is readable in
            // every `MmapAccess` and outlives this call (`&self`). Nothing in this host writes the
            // mapping while `f` runs: a plugin's host calls run one at a time and `f` only gets a
            // shared slice. The caveat every `memmap2::Mmap` user accepts remains: another process
            // (or another plugin mapping the same file) may change the file's bytes meanwhile. `f`
            // treats the bytes as plain numbers and never derives an index or a length from them,
            // so such a change can only change the value it computes.
            let bytes = unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(offset), len) };
            f(bytes)
        });
        if faulted { Err(io::Error::other(PageFault)) } else { Ok(result) }
    }
}

impl MappedRegion {
    /// `count` values of `T` copied from `offset` into a new vector, without first zeroing it (a
    /// read then touches its memory once instead of twice).
    pub(crate) fn read_vec<T: bytemuck::Pod>(&self, offset: usize, count: usize) -> io::Result<Vec<T>> {
        let len = count
            .checked_mul(size_of::<T>())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "read size overflows"))?;
        self.check(offset, len)?;
        let mut values = Vec::<T>::with_capacity(count);
        // SAFETY: the source range is inside the live, readable mapping (`check`); the destination is
        // the vector's fresh allocation of `count` values, `len` bytes, which cannot overlap the
        // mapping. `T: Pod` accepts any bytes, so after the copy the first `count` values are
        // initialised and `set_len` exposes only them.
        self.guarded(|| unsafe {
            std::ptr::copy_nonoverlapping(self.map.as_ptr().add(offset), values.as_mut_ptr().cast::<u8>(), len);
            values.set_len(count);
        })?;
        Ok(values)
    }
}

impl MappedRegion {
    /// [`MappedRegion::with_bytes`] for several ranges at once, each on a thread of its own (the first on
    /// the calling thread), so that a large native reduction faults in and reads its pages in
    /// parallel. Returns `f`'s results in the order of `ranges`. `SIGBUS` is caught on every
    /// thread: the guard is per thread, so each worker sets its own.
    pub(crate) fn with_bytes_parallel<R: Send>(
        &self,
        ranges: &[(usize, usize)],
        f: impl Fn(&[u8]) -> R + Sync,
    ) -> io::Result<Vec<R>> {
        for &(offset, len) in ranges {
            self.check(offset, len)?;
        }
        let part = |&(offset, len): &(usize, usize)| {
            super::sigbus::guarded(&self.region, || {
                // SAFETY: as in `with_bytes`: `check` proved the range lies inside the live, readable
                // mapping, which outlives the scope these threads run in (`&self`); nothing in this
                // host writes the mapping meanwhile (the plugin's call is still running), and `f`
                // gets a shared slice it only reads numbers from.
                let bytes = unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(offset), len) };
                f(bytes)
            })
        };
        let Some((first, rest)) = ranges.split_first() else { return Ok(Vec::new()) };
        let done: Vec<(R, bool)> = std::thread::scope(|scope| {
            let workers: Vec<_> = rest.iter().map(|range| scope.spawn(move || part(range))).collect();
            let mut done = vec![part(first)];
            for worker in workers {
                done.push(worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            done
        });
        if done.iter().any(|&(_, faulted)| faulted) {
            return Err(io::Error::other(PageFault));
        }
        Ok(done.into_iter().map(|(result, _)| result).collect())
    }
}

impl MappedRegion {
    /// The `SIGBUS` region of this mapping, for the guard that covers wasmtime's lowering of a
    /// lent range (`lowering.rs`).
    pub(super) fn sigbus_region(&self) -> &super::sigbus::Region {
        &self.region
    }

    /// Reads one byte of every page of `offset..offset + len` (and its last byte) inside the
    /// `SIGBUS` guard: a page the file no longer backs fails here, as a copy would, before the
    /// range is lent for wasmtime to copy outside any guard.
    pub(crate) fn probe(&self, offset: usize, len: usize) -> io::Result<()> {
        self.check(offset, len)?;
        if len == 0 {
            return Ok(());
        }
        let page = super::sigbus::page_size().max(1);
        self.guarded(|| {
            let base = self.map.as_ptr();
            // From the first byte, then every page boundary after it, then the last byte.
            let mut at = offset;
            let end = offset + (len - 1);
            loop {
                // SAFETY: `offset <= at <= end < offset + len`, inside the live, readable mapping
                // (`check`); a volatile read of one byte, whose value is dropped.
                unsafe { std::ptr::read_volatile(base.add(at)) };
                if at == end {
                    break;
                }
                at = (at - at % page + page).min(end);
            }
        })
    }

    /// Copies the `item`-byte elements at `offsets` into `dst`, one after the other (numpy's
    /// `take`), every range checked first.
    pub(crate) fn read_at(&self, offsets: &[usize], item: usize, dst: &mut [u8]) -> io::Result<()> {
        if offsets.len().checked_mul(item) != Some(dst.len()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "take buffer length mismatch"));
        }
        for &offset in offsets {
            self.check(offset, item)?;
        }
        let out = dst.as_mut_ptr();
        // SAFETY: every `offset..offset + item` lies inside the live, readable mapping (checked
        // above); `dst` holds exactly `offsets.len() * item` bytes, so `out + k * item` is in it,
        // and it is a Rust buffer distinct from the mapping.
        self.guarded(|| unsafe {
            for (k, &offset) in offsets.iter().enumerate() {
                std::ptr::copy_nonoverlapping(self.map.as_ptr().add(offset), out.add(k * item), item);
            }
        })
    }

    /// Writes `item`-byte elements to `offsets` (numpy's `put`): the `k`-th from `src` at
    /// `k * src_step` (`src_step` 0 repeats one element), in order, so the last of repeated
    /// offsets wins. Every range is checked first.
    pub(crate) fn write_at(&self, offsets: &[usize], item: usize, src: &[u8], src_step: usize) -> io::Result<()> {
        self.check_writable()?;
        let last = offsets.len().checked_sub(1).map(|n| n.checked_mul(src_step).and_then(|a| a.checked_add(item)));
        if matches!(last, Some(None)) || last.flatten().is_some_and(|end| end > src.len()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "put source too short"));
        }
        for &offset in offsets {
            self.check(offset, item)?;
        }
        // SAFETY: every destination range lies inside the writable mapping (checked above);
        // every source range `k * src_step..+item` lies inside `src` (the last one is checked
        // above and the others are lower). `src` is the plugin's memory or a host buffer, never
        // this mapping's own addresses (a zero-copy window maps the file at other addresses).
        self.guarded(|| unsafe {
            for (k, &offset) in offsets.iter().enumerate() {
                std::ptr::copy_nonoverlapping(src.as_ptr().add(k * src_step), self.map.as_mut_ptr().add(offset), item);
            }
        })
    }
}

/// A range of a mapping lent as a `bytes::Bytes`, for wasmtime to copy into the plugin's memory
/// as it lowers a `list<u8>` result: the one copy of a `read-bytes`. Holds the mapping mapped
/// (the `Arc`) for as long as the `Bytes` lives, even past a `close`.
struct Lent {
    region: std::sync::Arc<MappedRegion>,
    offset: usize,
    len: usize,
}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `lend` checked that `offset..offset + len` lies inside the mapping, which stays
        // mapped while `region` is held. Nothing in this host writes the mapping while the bytes
        // are lent: wasmtime copies them while lowering the result of the plugin's call, before
        // any other call of that plugin. As for `with_bytes`, another process may change the
        // file's bytes meanwhile; the bytes are only copied, never interpreted. A page the file no
        // longer backs raises `SIGBUS` here, caught by the lowering guard (`lowering.rs`).
        unsafe { std::slice::from_raw_parts(self.region.map.as_ptr().add(self.offset), self.len) }
    }
}

/// Lends `len` bytes of `region` from `offset` (see [`Lent`]), after checking the range.
pub(crate) fn lend(region: &std::sync::Arc<MappedRegion>, offset: usize, len: usize) -> io::Result<bytes::Bytes> {
    region.check(offset, len)?;
    Ok(bytes::Bytes::from_owner(Lent { region: std::sync::Arc::clone(region), offset, len }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A file truncated under its mapping (here through a second descriptor, as another process
    /// would) makes the copy fail with `PageFault` instead of killing the process with SIGBUS, and
    /// leaves other mappings working.
    #[test]
    fn a_truncated_file_is_an_error_not_a_crash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data");
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        file.set_len(1 << 16).expect("size");
        let other_path = dir.path().join("other");
        let other_file =
            File::options().read(true).write(true).create(true).truncate(true).open(&other_path).expect("create");
        other_file.set_len(1 << 16).expect("size");
        for access in [MmapAccess::Read, MmapAccess::Write, MmapAccess::Copy] {
            file.set_len(1 << 16).expect("size");
            let map = MappedRegion::new(&file, 0, 1 << 16, access).expect("map");
            let other = MappedRegion::new(&other_file, 0, 1 << 16, MmapAccess::Write).expect("map");
            let mut buf = vec![1u8; 1 << 16];
            map.read(0, &mut buf).expect("read before truncation");
            File::options().write(true).open(&path).expect("second fd").set_len(4096).expect("truncate");
            if access != MmapAccess::Read {
                let err = map.write(8192, &[5; 100]).expect_err("write past the new end");
                assert!(PageFault::is(&err), "{access:?}: {err}");
            }
            let err = map.read(0, &mut buf).expect_err("read past the new end");
            assert!(PageFault::is(&err), "{access:?}: {err}");
            // The fault replaced the whole mapping by zero pages: everything reads as zeros, except
            // the bytes written above, which went to a zero page instead of the file.
            assert!(buf[..8192].iter().chain(&buf[8192 + 100..]).all(|&b| b == 0), "{access:?}");
            assert_eq!(std::fs::metadata(&path).expect("stat").len(), 4096, "{access:?}: nothing grew the file");
            other.write(60_000, &[9; 100]).expect("another mapping still works");
            let mut back = [0u8; 100];
            other.read(60_000, &mut back).expect("read back");
            assert_eq!(back, [9; 100]);
        }
    }

    /// How many lines of `/proc/self/maps` (kernel mappings) overlap `[start, end)`.
    pub(crate) fn mappings_over((start, end): (usize, usize)) -> usize {
        let maps = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
        maps.lines()
            .filter(|line| {
                let range = line.split_whitespace().next().expect("an address range");
                let (a, b) = range.split_once('-').expect("start-end");
                let a = usize::from_str_radix(a, 16).expect("hex");
                let b = usize::from_str_radix(b, 16).expect("hex");
                a < end && start < b
            })
            .count()
    }

    /// A file of `offset + len` bytes in a new directory, mapped from `offset` as `access`.
    fn mapped(offset: u64, len: usize, access: MmapAccess) -> (tempfile::TempDir, std::path::PathBuf, MappedRegion) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data");
        let file = File::options().read(true).write(true).create(true).truncate(true).open(&path).expect("create");
        file.set_len(offset + u64::try_from(len).expect("len")).expect("size");
        let map = MappedRegion::new(&file, offset, len, access).expect("map");
        (dir, path, map)
    }

    fn truncate(path: &std::path::Path, len: u64) {
        File::options().write(true).open(path).expect("second fd").set_len(len).expect("truncate");
    }

    /// Reads one byte of every other page of `bytes`, like a column of a uint8 array with rows of
    /// two pages (issue 10's attack).
    fn every_other_page(bytes: &[u8]) -> u64 {
        bytes.iter().step_by(8192).map(|&b| u64::from(b)).sum()
    }

    /// Issue 10, finding 2: touching every other page of a truncated file faulted once per page in
    /// 1f22ff2, and each fault split the mapping (two more kernel mappings each, until
    /// `vm.max_map_count` made the replacement fail and SIGBUS killed the process). Now the first
    /// fault replaces the whole mapping: one mapping before, one after, for every access and an
    /// offset that is not page-aligned, and the mapping reads zeros without faulting afterwards.
    #[test]
    fn faults_on_every_other_page_add_no_kernel_mappings() {
        for access in [MmapAccess::Read, MmapAccess::Write, MmapAccess::Copy] {
            let len = 64 << 20;
            let (_dir, path, map) = mapped(100, len, access);
            let bounds = map.region().bounds();
            assert_eq!(mappings_over(bounds), 1, "{access:?}");
            assert_eq!(map.with_bytes(0, len, every_other_page).expect("before truncation"), 0);
            truncate(&path, 0);
            let err = map.with_bytes(0, len, every_other_page).expect_err("past the end");
            assert!(PageFault::is(&err), "{access:?}: {err}");
            assert_eq!(mappings_over(bounds), 1, "{access:?}: 8192 faults, one replacement");
            assert!(map.replaced(), "{access:?}");
            // The replacement covers the whole range: touching it again raises no SIGBUS and adds
            // no mapping, and is still reported (the bytes are not the file's).
            let err = map.with_bytes(0, len, every_other_page).expect_err("replaced");
            assert!(PageFault::is(&err), "{access:?}: {err}");
            if access != MmapAccess::Read {
                assert!(PageFault::is(&map.fill(0, &[7], 1 << 20).expect_err("replaced")), "{access:?}");
            }
            assert_eq!(mappings_over(bounds), 1, "{access:?}");
        }
    }

    /// Several threads of one parallel reduction fault on the same truncated mapping at once: one
    /// replaces it, the others wait for it, every thread's fault is reported, one mapping remains.
    #[test]
    fn parallel_readers_of_a_truncated_mapping_all_fault_safely() {
        let len = 32 << 20;
        let (_dir, path, map) = mapped(0, len, MmapAccess::Write);
        let bounds = map.region().bounds();
        truncate(&path, 0);
        let ranges: Vec<(usize, usize)> = (0..4).map(|i| (i * (len / 4), len / 4)).collect();
        for _ in 0..3 {
            let err = map.with_bytes_parallel(&ranges, every_other_page).expect_err("past the end");
            assert!(PageFault::is(&err), "{err}");
        }
        assert_eq!(mappings_over(bounds), 1);
    }

    /// When the kernel refuses the whole-range replacement, the faulting page is replaced alone;
    /// when it refuses that too, the handler waits and tries again instead of letting SIGBUS kill
    /// the process.
    #[test]
    fn a_refused_replacement_falls_back_and_never_kills() {
        let len = 1 << 20;
        let (_dir, path, map) = mapped(0, len, MmapAccess::Write);
        let bounds = map.region().bounds();
        truncate(&path, 0);
        // The whole range refused once: the first page is replaced alone, splitting the mapping.
        map.region().fail_next_attempts(1);
        // The buffers are looked at afterwards (`black_box`): a copy into a buffer nobody reads may
        // be optimised away, and with it the touch of the page that faults.
        let mut buf = [0u8; 16];
        let err = map.read(0, &mut buf).expect_err("past the end");
        std::hint::black_box(&mut buf);
        assert!(PageFault::is(&err), "{err}");
        assert!(map.replaced());
        assert_eq!(mappings_over(bounds), 2, "the first page and the rest");
        // The next fault (another page) replaces the whole range, pieces and all.
        assert!(PageFault::is(&map.read(len - 16, &mut buf).expect_err("past the end")));
        std::hint::black_box(&mut buf);
        assert_eq!(mappings_over(bounds), 1);

        let (_dir, path, map) = mapped(0, len, MmapAccess::Copy);
        let bounds = map.region().bounds();
        truncate(&path, 0);
        // Both refused once: the handler sleeps 10 ms, then the whole range is replaced.
        map.region().fail_next_attempts(2);
        let started = std::time::Instant::now();
        let err = map.write(4096, &[1; 16]).expect_err("past the end");
        assert!(PageFault::is(&err), "{err}");
        assert!(started.elapsed() >= std::time::Duration::from_millis(10));
        assert_eq!(mappings_over(bounds), 1);
    }
}
