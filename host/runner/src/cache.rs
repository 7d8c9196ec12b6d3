//! A directory of compiled components, so a plugin is compiled once per engine configuration.
//!
//! wasmtime's own `cache` feature would do this too, but pulls in zstd (a C build), a TOML
//! configuration file and a background worker; what we need is a file per (component, engine),
//! written atomically and authenticated.
//!
//! An entry is machine code this process runs without wasmtime being able to check it, so two
//! defences keep a plugin (or anyone else) from planting one:
//! - no run may grant a directory that contains or lies inside the cache (`run/protect.rs`);
//! - every entry carries a keyed MAC (BLAKE3 in keyed mode) made with a 32-byte secret kept in the
//!   cache directory (`key`, mode 0600, created with random bytes from the kernel). An entry whose
//!   tag does not verify is refused, recompiled and overwritten, and the caller is told so.
//!
//! The MAC covers the entry's name (the hash of the component and the engine settings) as well as
//! its bytes, so a genuine entry of one component copied under the name of another is refused too.

use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

/// The first bytes of every entry: the format, so an entry of an older layout is recognised.
const ENTRY_MAGIC: &[u8; 16] = b"wasm-memmap-cw3\n";
/// How much of a sealed entry is mapped at a time to be hashed: a multiple of any page size, large
/// enough that mapping costs little, small enough to keep resident memory low.
const MAP_WINDOW: usize = 4 << 20;
/// Length of the MAC that follows [`ENTRY_MAGIC`].
const TAG_LEN: usize = 32;
/// The largest entry read back (1 GiB). A Python runner's entry is about 37 MB; anything near this
/// is not ours, and reading it whole would only cost memory.
pub(crate) const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Name of the secret key's file inside the cache directory.
const KEY_FILE: &str = "key";
/// Length of the secret key (BLAKE3's key size).
const KEY_LEN: usize = 32;

/// Compiled components in `dir`, one `<blake3>.cwasm` file each, authenticated with `dir/key`.
///
/// The directory must be this user's alone: [`CompileCache::open`] creates it with mode 0700 and
/// refuses one that another user owns or that others may write. Keeping plugins out of it is
/// [`crate::Runner`]'s job.
pub(crate) struct CompileCache {
    dir: PathBuf,
    key: [u8; KEY_LEN],
    /// Whether entries are loaded through a sealed memory file (see [`CompileCache::get`]); the
    /// tests turn it off to check the other way.
    sealed: bool,
}

/// Where an entry lives and what it is: the file, and the digest its name spells (bound into the MAC).
pub(crate) struct EntryName {
    path: PathBuf,
    id: [u8; 32],
}

/// Why a cache entry was not used although a file was there. Shown to the user: an entry that fails
/// its MAC was written by someone other than this user's host.
#[derive(Debug)]
pub(crate) struct RefusedEntry(pub(crate) String);

/// Proof that an entry's keyed MAC verified: only this module can make one (its field is private),
/// and [`crate::precompiled::AuthenticatedCode`] asks for one.
pub(crate) struct MacVerified(());

/// Feeds `Hash` impls into BLAKE3, for wasmtime's engine-compatibility hash.
struct Blake3Hasher(blake3::Hasher);

impl Hasher for Blake3Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Only `write` is used: the digest is taken from the inner hasher.
        0
    }
}

impl CompileCache {
    /// Opens (creating it if needed) the cache in `dir`, and its key (creating it on first use).
    ///
    /// # Errors
    /// When it cannot be created, or it belongs to another user, or others may write in it, or the
    /// key file is not a private file of this user's.
    pub(crate) fn open(dir: PathBuf) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
        let dir = dir.canonicalize()?;
        let meta = std::fs::metadata(&dir)?;
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me || meta.mode() & 0o022 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "compile cache {} must belong to this user (uid {me}) and be writable by no one else (it is uid {}, mode {:o})",
                    dir.display(),
                    meta.uid(),
                    meta.mode() & 0o7777
                ),
            ));
        }
        let key = load_or_create_key(&dir.join(KEY_FILE))?;
        Ok(Self { dir, key, sealed: true })
    }

    /// The cache directory, resolved (no symbolic links).
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for `wasm` under `engine`'s settings.
    pub(crate) fn entry(&self, engine: &Engine, wasm: &[u8]) -> EntryName {
        // BLAKE3 rather than SHA-256: a component from a file is hashed on every run, cached or
        // not, and a 20 MB component costs ~14 ms in SHA-256 against a few in BLAKE3.
        self.entry_for_digest(engine, blake3::hash(wasm).as_bytes(), wasm.len())
    }

    /// The entry for a component of `len` bytes whose BLAKE3 digest is `digest`: the same entry as
    /// [`CompileCache::entry`] gives its bytes. A component built with this program (the Python
    /// runner) is digested at build time, so finding its entry reads none of its bytes.
    pub(crate) fn entry_for_digest(&self, engine: &Engine, digest: &[u8; 32], len: usize) -> EntryName {
        let mut h = Blake3Hasher(blake3::Hasher::new());
        h.write(b"wasm-memmap compile cache v3\0");
        engine.precompile_compatibility_hash().hash(&mut h);
        h.write(&u64::try_from(len).unwrap_or(u64::MAX).to_le_bytes());
        h.write(digest);
        let id = *h.0.finalize().as_bytes();
        let name: String = id.iter().map(|b| format!("{b:02x}")).collect();
        EntryName { path: self.dir.join(format!("{name}.cwasm")), id }
    }

    /// Whether a file is stored for `entry` (it may still be refused when read).
    pub(crate) fn has(entry: &EntryName) -> bool {
        entry.path.is_file()
    }

    /// The keyed hash of one half of an entry's code (see [`CompileCache::tag_of`]).
    fn half_hasher(&self, half: u8) -> blake3::Hasher {
        let mut mac = blake3::Hasher::new_keyed(&self.key);
        mac.update(b"wasm-memmap compile cache half v3\0");
        mac.update(&[half]);
        mac
    }

    /// The entry's tag from the keyed hashes of the two halves of its `len` bytes of code: a keyed
    /// hash over the entry's name, the length and both. The halves are hashed apart so that a
    /// cached start checks them on two threads at once (a 37 MB entry is much of a cached start's
    /// time).
    fn tag_of(&self, entry: &EntryName, len: usize, halves: [blake3::Hash; 2]) -> blake3::Hash {
        let mut mac = blake3::Hasher::new_keyed(&self.key);
        mac.update(b"wasm-memmap compile cache entry v3\0");
        mac.update(&entry.id);
        mac.update(&u64::try_from(len).unwrap_or(u64::MAX).to_le_bytes());
        mac.update(halves[0].as_bytes());
        mac.update(halves[1].as_bytes());
        mac.finalize()
    }

    /// The tag of `code` as the entry `entry`, the second half hashed on a thread of its own (on
    /// this one if no thread can be started).
    fn tag(&self, entry: &EntryName, code: &[u8]) -> blake3::Hash {
        let (first, second) = code.split_at(code.len() / 2);
        let hash = |half: u8, bytes: &[u8]| self.half_hasher(half).update(bytes).finalize();
        let halves = std::thread::scope(|s| {
            let other = std::thread::Builder::new().spawn_scoped(s, || hash(1, second));
            let first = hash(0, first);
            let second = match other {
                Ok(thread) => thread.join().unwrap_or_else(|_| hash(1, second)),
                Err(_) => hash(1, second),
            };
            [first, second]
        });
        self.tag_of(entry, code.len(), halves)
    }

    /// The component stored for `entry`: `Ok(None)` when there is none, `Err` when a file is there
    /// but cannot be used (it fails its MAC, is too large, is not a regular file, or wasmtime
    /// rejects it); the caller compiles again and overwrites it.
    pub(crate) fn get(&self, engine: &Engine, entry: &EntryName) -> Result<Option<Component>, RefusedEntry> {
        use std::os::unix::fs::FileExt;
        let refuse = |why: String| RefusedEntry(format!("compile-cache entry {} {why}", entry.path.display()));
        let (file, len) = match open_regular(&entry.path, MAX_ENTRY_BYTES) {
            Ok(opened) => opened,
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(refuse(e.to_string())),
        };
        let cannot_read = |e: std::io::Error| refuse(format!("cannot be read: {e}"));
        let mut header = [0u8; ENTRY_MAGIC.len() + TAG_LEN];
        let header_len = u64::try_from(header.len()).unwrap_or(u64::MAX);
        let magic_len = u64::try_from(ENTRY_MAGIC.len()).unwrap_or(u64::MAX);
        let head = usize::try_from(len.min(header_len)).unwrap_or(0);
        file.read_exact_at(&mut header[..head], 0).map_err(cannot_read)?;
        if len < magic_len || !header.starts_with(ENTRY_MAGIC.as_slice()) {
            return Err(refuse("is not in this version's format; ignoring it".into()));
        }
        let Some(code_len) = len.checked_sub(header_len).and_then(|n| usize::try_from(n).ok()).filter(|&n| n > 0)
        else {
            return Err(refuse("is truncated; ignoring it".into()));
        };
        let (_, tag) = header.split_at(ENTRY_MAGIC.len());
        let stored = blake3::Hash::from_slice(tag).map_err(|e| refuse(e.to_string()))?;
        let mac_failed = || {
            refuse(
                "was not written by this user's wasm-memmap (its authentication tag does not match the cache key); ignoring it"
                    .into(),
            )
        };
        // The fast way: the code copied (by the kernel) into a memory file sealed against every
        // change, checked there through read-only mappings of it (no second copy), and mapped by
        // wasmtime rather than copied twice more. Where memory files are missing, or the sealed
        // file cannot be mapped, the code is read into this process's memory instead.
        if let Some((sealed, tag)) =
            self.sealed.then(|| self.seal_and_tag(entry, &file, header_len, code_len)).flatten()
        {
            // `blake3::Hash`'s equality is constant-time.
            if tag != stored {
                return Err(mac_failed());
            }
            let code = crate::precompiled::AuthenticatedCode::after_check(sealed, MacVerified(()));
            return crate::precompiled::load_authenticated(engine, &code)
                .map(Some)
                .map_err(|e| refuse(format!("cannot be loaded ({e}); ignoring it")));
        }
        // The code is read whole into memory, checked there, and deserialized from the same bytes:
        // the file can change after this without effect.
        let mut bytes = memmap2::MmapOptions::new().len(code_len).map_anon().map_err(cannot_read)?;
        // In 2 MiB pages where the kernel allows: 37 MB in 4 KiB pages cost ~9,000 page faults.
        // Only advice: without it the read faults page by page.
        let _ = bytes.advise(memmap2::Advice::HugePage);
        file.read_exact_at(&mut bytes, header_len).map_err(cannot_read)?;
        // `blake3::Hash`'s equality is constant-time.
        if self.tag(entry, &bytes) != stored {
            return Err(mac_failed());
        }
        crate::precompiled::load_precompiled(engine, &bytes)
            .map(Some)
            .map_err(|e| refuse(format!("cannot be loaded ({e}); ignoring it")))
    }

    /// `code_len` bytes of `file` from `at`, copied into a sealed memory file, and their tag as the
    /// entry `entry`, computed from that file after sealing; `None` when memory files or their
    /// mappings are not available here.
    fn seal_and_tag(
        &self,
        entry: &EntryName,
        file: &std::fs::File,
        at: u64,
        code_len: usize,
    ) -> Option<(crate::precompiled::SealedFile, blake3::Hash)> {
        let sealed = seal_copy(file, at, code_len).ok()?;
        let mid = code_len / 2;
        let hash = |half: u8, start: usize, end: usize| self.hash_mapped(&sealed, half, start, end);
        let halves = std::thread::scope(|s| {
            let other = std::thread::Builder::new().spawn_scoped(s, || hash(1, mid, code_len));
            let first = hash(0, 0, mid);
            let second = match other {
                Ok(thread) => thread.join().unwrap_or_else(|_| hash(1, mid, code_len)),
                Err(_) => hash(1, mid, code_len),
            };
            Some([first.ok()?, second.ok()?])
        })?;
        let tag = self.tag_of(entry, code_len, halves);
        Some((sealed, tag))
    }

    /// The keyed hash of bytes `start..end` of `sealed`, as half number `half` of an entry's code,
    /// mapped a window at a time: the whole entry mapped at once would count its 37 MB in the
    /// process's resident memory.
    fn hash_mapped(
        &self,
        sealed: &crate::precompiled::SealedFile,
        half: u8,
        start: usize,
        end: usize,
    ) -> std::io::Result<blake3::Hash> {
        let mut mac = self.half_hasher(half);
        let mut at = start;
        while at < end {
            let window_start = at - at % MAP_WINDOW;
            let window_end = window_start.saturating_add(MAP_WINDOW).min(end);
            let window = sealed.map(window_start, window_end - window_start)?;
            mac.update(window.get(at - window_start..).unwrap_or_default());
            at = window_end;
        }
        Ok(mac.finalize())
    }

    /// Stores `serialized` (from [`Component::serialize`]) as `entry`, replacing what is there.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub(crate) fn put(&self, entry: &EntryName, serialized: &[u8]) -> std::io::Result<()> {
        let tag = self.tag(entry, serialized);
        write_atomically(&entry.path, &[ENTRY_MAGIC.as_slice(), tag.as_bytes(), serialized])
    }
}

/// A memory file (`memfd`) holding `len` bytes of `file` from `at`, sealed so that nothing can
/// change, shrink or grow it any more; its size is checked after sealing.
fn seal_copy(file: &std::fs::File, at: u64, len: usize) -> std::io::Result<crate::precompiled::SealedFile> {
    use rustix::fs::{MemfdFlags, SealFlags};
    let memfd = rustix::fs::memfd_create("wasm-memmap-cache-entry", MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING)?;
    let copy = std::fs::File::from(memfd);
    let len = u64::try_from(len).map_err(std::io::Error::other)?;
    // `std::io::copy` between files copies in the kernel (`copy_file_range`, or `sendfile`).
    let mut source = file.try_clone()?;
    std::io::Seek::seek(&mut source, std::io::SeekFrom::Start(at))?;
    let copied = std::io::copy(&mut Read::take(source, len), &mut &copy)?;
    rustix::fs::fcntl_add_seals(&copy, SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)?;
    let sealed = crate::precompiled::SealedFile::new(copy)?;
    if copied != len || u64::try_from(sealed.len()).ok() != Some(len) {
        return Err(std::io::Error::other("the entry changed while it was copied"));
    }
    Ok(sealed)
}

/// Why [`read_capped`] gave no bytes.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Opening or reading failed.
    Io(std::io::Error),
    /// The path is not a regular file (a FIFO, a device, a directory...).
    NotRegular,
    /// The file holds more than the cap: `(size, cap)`.
    TooLarge(u64, u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot be read: {e}"),
            Self::NotRegular => f.write_str("is not a regular file"),
            Self::TooLarge(size, cap) => write!(f, "is {size} bytes, more than the limit of {cap} bytes"),
        }
    }
}

/// Reads the regular file at `path` whole, refusing anything else before reading a byte: the file
/// is opened with `O_NONBLOCK` (a FIFO with no writer does not block the open), checked with
/// `fstat` to be a regular file no larger than `cap`, and read through a `take(cap + 1)` so a file
/// that grows meanwhile is caught too.
pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (mut file, len) = open_regular(path, cap)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    (&mut file).take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > cap {
        return Err(ReadError::TooLarge(read, cap));
    }
    Ok(bytes)
}

/// Opens `path` as [`read_capped`] does and returns it with its size, checked against `cap`.
fn open_regular(path: &Path, cap: u64) -> Result<(std::fs::File, u64), ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge(meta.len(), cap));
    }
    Ok((file, meta.len()))
}

/// The key in `path`, or a new random one stored there (mode 0600) if there is none.
///
/// Two hosts starting at once may both create one: each writes a temporary file and links it into
/// place only if no key is there yet (`persist_noclobber`), so both end up with the same key.
fn load_or_create_key(path: &Path) -> std::io::Result<[u8; KEY_LEN]> {
    match read_key(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        other => return other,
    }
    let mut key = [0u8; KEY_LEN];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    // `tempfile` creates its files with mode 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&key)?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(key),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => read_key(path),
        Err(e) => Err(e.error),
    }
}

/// Reads the key at `path`, which must be a regular file (not a link) of this user's that no one
/// else may read or write, holding exactly [`KEY_LEN`] bytes.
fn read_key(path: &Path) -> std::io::Result<[u8; KEY_LEN]> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let meta = file.metadata()?;
    let me = rustix::process::geteuid().as_raw();
    if !meta.file_type().is_file()
        || meta.uid() != me
        || meta.mode() & 0o077 != 0
        || u64::try_from(KEY_LEN).ok() != Some(meta.len())
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "compile-cache key {} must be a {KEY_LEN}-byte regular file of this user (uid {me}) that no one else may read or write (it is uid {}, mode {:o}, {} bytes); delete it to make a new one",
                path.display(),
                meta.uid(),
                meta.mode() & 0o7777,
                meta.len()
            ),
        ));
    }
    let mut key = [0u8; KEY_LEN];
    file.read_exact(&mut key)?;
    Ok(key)
}

/// Writes `parts` to a temporary file beside `path` and renames it into place, so a reader sees the
/// whole file or none of it.
fn write_atomically(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    for part in parts {
        tmp.write_all(part)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn engine() -> Engine {
        Engine::default()
    }

    /// The smallest valid component: the header alone.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn an_entry_round_trips_and_the_key_is_private() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::open(dir.path().join("c")).unwrap();
        let engine = engine();
        let entry = cache.entry(&engine, EMPTY_COMPONENT);
        assert!(cache.get(&engine, &entry).unwrap().is_none());
        let component = Component::new(&engine, EMPTY_COMPONENT).unwrap();
        cache.put(&entry, &component.serialize().unwrap()).unwrap();
        assert!(cache.get(&engine, &entry).unwrap().is_some());
        let key = std::fs::metadata(dir.path().join("c/key")).unwrap();
        assert_eq!((key.mode() & 0o777, key.len()), (0o600, 32));
        // A second open reads the same key: the entry still verifies.
        let again = CompileCache::open(dir.path().join("c")).unwrap();
        assert!(again.get(&engine, &entry).unwrap().is_some());
    }

    #[test]
    fn entries_under_another_key_or_name_or_edited_are_refused() {
        entries_are_refused(true);
        entries_are_refused(false);
    }

    /// As [`entries_under_another_key_or_name_or_edited_are_refused`], loading through a sealed
    /// memory file or by reading into memory.
    fn entries_are_refused(sealed: bool) {
        let engine = engine();
        let serialized = Component::new(&engine, EMPTY_COMPONENT).unwrap().serialize().unwrap();
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let mut ours = CompileCache::open(a.path().to_path_buf()).unwrap();
        ours.sealed = sealed;
        let theirs = CompileCache::open(b.path().to_path_buf()).unwrap();
        let entry = ours.entry(&engine, EMPTY_COMPONENT);
        // Made with another key, copied over ours.
        let foreign = theirs.entry(&engine, EMPTY_COMPONENT);
        theirs.put(&foreign, &serialized).unwrap();
        std::fs::copy(&foreign.path, &entry.path).unwrap();
        let err = ours.get(&engine, &entry).unwrap_err().0;
        assert!(err.ends_with("was not written by this user's wasm-memmap (its authentication tag does not match the cache key); ignoring it"), "{err}");
        // Ours, but for another component name: the name is bound into the tag.
        let other = EntryName { path: ours.dir().join("other.cwasm"), id: [7; 32] };
        ours.put(&entry, &serialized).unwrap();
        assert!(ours.get(&engine, &entry).unwrap().is_some());
        std::fs::copy(&entry.path, &other.path).unwrap();
        assert!(ours.get(&engine, &other).unwrap_err().0.contains("authentication tag does not match"));
        // Ours with one byte of the code flipped.
        let mut bytes = std::fs::read(&entry.path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&entry.path, &bytes).unwrap();
        assert!(ours.get(&engine, &entry).unwrap_err().0.contains("authentication tag does not match"));
        // Random bytes, and a truncated file.
        std::fs::write(&entry.path, [0x5a; 100]).unwrap();
        assert!(ours.get(&engine, &entry).unwrap_err().0.contains("not in this version's format"));
        std::fs::write(&entry.path, ENTRY_MAGIC).unwrap();
        assert!(ours.get(&engine, &entry).unwrap_err().0.contains("is truncated"));
    }

    #[test]
    fn a_sealed_entry_is_still_loaded_when_wasmtime_cannot_map_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::open(dir.path().to_path_buf()).unwrap();
        let engine = engine();
        let entry = cache.entry(&engine, EMPTY_COMPONENT);
        cache.put(&entry, &Component::new(&engine, EMPTY_COMPONENT).unwrap().serialize().unwrap()).unwrap();
        // As without `/proc`: wasmtime cannot open the sealed file by name, so the authenticated
        // bytes are copied into its memory instead of the entry being refused (and recompiled).
        crate::precompiled::WITHOUT_PROC.set(true);
        let loaded = cache.get(&engine, &entry);
        crate::precompiled::WITHOUT_PROC.set(false);
        assert!(loaded.unwrap().is_some());
        // An edited entry is still refused on that path: the check comes before either load.
        let mut bytes = std::fs::read(&entry.path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&entry.path, &bytes).unwrap();
        crate::precompiled::WITHOUT_PROC.set(true);
        let refused = cache.get(&engine, &entry);
        crate::precompiled::WITHOUT_PROC.set(false);
        assert!(refused.unwrap_err().0.contains("authentication tag does not match"));
    }

    #[test]
    fn the_tag_is_the_same_from_memory_and_from_windows_of_a_sealed_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::open(dir.path().to_path_buf()).unwrap();
        let entry = EntryName { path: dir.path().join("x.cwasm"), id: [3; 32] };
        // Three windows and a bit, so the halves start and end inside windows.
        let code: Vec<u8> = (0..=250u8).cycle().take(3 * MAP_WINDOW + 12_345).collect();
        let source = dir.path().join("source");
        std::fs::write(&source, [b"head".as_slice(), &code].concat()).unwrap();
        let file = std::fs::File::open(&source).unwrap();
        let (sealed, tag) = cache.seal_and_tag(&entry, &file, 4, code.len()).unwrap();
        assert_eq!(tag, cache.tag(&entry, &code));
        assert_eq!(sealed.len(), code.len());
        assert!(sealed.map(MAP_WINDOW, 3 * MAP_WINDOW).is_err());
    }

    #[test]
    fn only_a_memory_file_sealed_against_changes_is_taken_as_sealed() {
        use crate::precompiled::SealedFile;
        use rustix::fs::{MemfdFlags, SealFlags};
        let dir = tempfile::tempdir().unwrap();
        assert!(SealedFile::new(std::fs::File::create(dir.path().join("plain")).unwrap()).is_err());
        let memfd = |seals: SealFlags| {
            let fd = rustix::fs::memfd_create("test", MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING).unwrap();
            let file = std::fs::File::from(fd);
            (&file).write_all(b"code").unwrap();
            rustix::fs::fcntl_add_seals(&file, seals).unwrap();
            file
        };
        assert!(SealedFile::new(memfd(SealFlags::WRITE | SealFlags::SHRINK)).is_err());
        assert!(SealedFile::new(memfd(SealFlags::SHRINK | SealFlags::GROW)).is_err());
        let sealed = SealedFile::new(memfd(SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW)).unwrap();
        assert_eq!(&sealed.map(0, 4).unwrap()[..], b"code");
    }

    #[test]
    fn a_key_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        drop(CompileCache::open(dir.path().to_path_buf()).unwrap());
        std::fs::set_permissions(dir.path().join("key"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = CompileCache::open(dir.path().to_path_buf()).err().unwrap().to_string();
        assert!(err.contains("no one else may read or write (it is uid") && err.contains("mode 644"), "{err}");
    }

    #[test]
    fn read_capped_refuses_fifos_and_large_files_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let start = std::time::Instant::now();
        assert!(matches!(read_capped(&fifo, 10), Err(ReadError::NotRegular)));
        assert!(matches!(read_capped(dir.path(), 10), Err(ReadError::NotRegular)));
        let big = dir.path().join("big");
        std::fs::File::create(&big).unwrap().set_len(1 << 40).unwrap();
        assert!(matches!(read_capped(&big, 1 << 20), Err(ReadError::TooLarge(1_099_511_627_776, 1_048_576))));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
        std::fs::write(&big, b"abc").unwrap();
        assert_eq!(read_capped(&big, 3).unwrap(), b"abc");
    }
}
