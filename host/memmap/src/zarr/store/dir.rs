//! A Zarr store beneath a granted directory: each key is a file path beneath the grant's
//! directory (`a.zarr/c/0/1`), every open through cap-std, so neither `..`, an absolute name nor a
//! symbolic link a plugin planted (through its own WASI grant) reaches outside. A value is stored
//! by writing a temporary file beside the key and renaming it over the key, so a concurrent reader
//! (another plugin, zarr-python) sees the old value or the new one, never a torn one; zarr-python's
//! `LocalStore` and `zarrs_filesystem` rewrite files in place.

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cap_std::fs::{Dir, MetadataExt, OpenOptions, OpenOptionsExt};
use zarrs_storage::byte_range::{ByteRange, ByteRangeIterator, InvalidByteRangeError};
use zarrs_storage::{
    Bytes, ListableStorageTraits, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits, StorageError,
    StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix, WritableStorageTraits, store_set_partial_many,
};

use super::keys::{self, BadKey};
use super::{Identity, StoreDeadline, ValueLimit, ZarrLocation, normalise, to_storage};
use crate::error::{Error, ErrorCode, quoted};
use crate::grants::{self, Grant};

/// Resolves `location`, which `grant` covers, to a store rooted at the grant's directory.
///
/// # Errors
/// `access-denied` with the file paths' escape message when the location climbs out of the grant
/// (`..`) or its directory is a symbolic link leading outside; `invalid-argument` for a name Zarr
/// does not allow.
pub(crate) fn locate(
    grant: &Grant,
    location: &str,
    deadline: Arc<StoreDeadline>,
) -> Result<(ZarrLocation, Identity), Error> {
    let beneath = location.split('/').filter(|c| !c.is_empty() && *c != ".").skip(grant.prefix_len());
    let names = keys::lexical(beneath).ok_or_else(|| grants::escape_error(location, grant))?;
    let node = keys::node_path(location, &names)?;
    let rest: PathBuf = if names.is_empty() { PathBuf::from(".") } else { names.iter().collect() };
    // An existing array directory that is a symbolic link out of the grant is refused here, with
    // the location's name; every key beneath it would be refused anyway.
    let identity = match grant.dir().metadata(&rest) {
        Ok(meta) if meta.is_dir() => Identity::Directory { dev: meta.dev(), ino: meta.ino() },
        Err(e) if grants::is_escape(&e) => return Err(grants::escape_error(location, grant)),
        _ => Identity::Unknown,
    };
    let dir = grant.dir().try_clone().map_err(|e| Error::from_io(&e, location))?;
    let store = DirStore::new(dir, grant.guest(), grant.writable());
    let value_limit = Arc::clone(&store.limit);
    let located = ZarrLocation {
        store: store.name(),
        storage: Arc::new(store),
        node,
        location: normalise(location)?,
        writable: grant.writable(),
        deadline,
        value_limit,
    };
    Ok((located, identity))
}

/// Temporary files get the key's name, this process's id and a number no other temporary file of
/// this process had, so two writers (threads or processes) never share one.
static TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// The suffix of temporary files, which listings leave out.
const TEMPORARY_SUFFIX: &str = ".partial";

/// A Zarr store whose keys are paths beneath a directory.
pub(crate) struct DirStore {
    dir: Dir,
    /// The grant's guest name: keys are shown to the plugin as paths beneath it.
    guest: String,
    writable: bool,
    /// The most bytes one value may have, checked before a read sets memory aside.
    limit: Arc<ValueLimit>,
}

impl DirStore {
    pub(crate) fn new(dir: Dir, guest: &str, writable: bool) -> Self {
        Self { dir, guest: guest.to_owned(), writable, limit: Arc::default() }
    }

    /// The store as messages name it: `directory 'data'`.
    pub(crate) fn name(&self) -> String {
        format!("directory '{}'", self.guest)
    }

    /// `key` as the plugin names the file: beneath the grant's guest name.
    fn guest_path(&self, key: &str) -> String {
        match self.guest.trim_end_matches('/') {
            "." => key.to_owned(),
            "" if self.guest.starts_with('/') => format!("/{key}"),
            guest => format!("{guest}/{key}"),
        }
    }

    /// The path of `key` beneath the directory, its names checked first.
    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        match keys::key_names(key) {
            Ok(names) => Ok(names.iter().collect()),
            Err(BadKey::Parent) => Err(to_storage(grants::leads_outside(&self.guest_path(key), &self.guest))),
            Err(BadKey::Malformed) => Err(to_storage(keys::malformed(key, &self.name()))),
        }
    }

    /// The error of `doing` (`"reading"`) the value at `key`: cap-std's refusal of a path leaving
    /// the directory is the grants' escape refusal, anything else names the key and the store.
    fn failure(&self, doing: &str, key: &str, err: &std::io::Error) -> StorageError {
        if grants::is_escape(err) {
            return to_storage(grants::leads_outside(&self.guest_path(key), &self.guest));
        }
        let code = match err.kind() {
            std::io::ErrorKind::PermissionDenied => ErrorCode::AccessDenied,
            _ => ErrorCode::Io,
        };
        to_storage(Error::new(code, format!("{doing} {} in {} failed: {err}", keys::describe(key), self.name())))
    }

    fn check_writable(&self, key: &str) -> Result<(), StorageError> {
        if self.writable {
            return Ok(());
        }
        Err(to_storage(grants::read_only_write(&self.guest_path(key), &self.guest)))
    }

    /// The bytes of `ranges` of the file at `key`; `None` when there is no file (or a directory).
    fn read(&self, key: &StoreKey, ranges: Vec<ByteRange>) -> Result<Option<Vec<Bytes>>, StorageError> {
        let key = key.as_str();
        let path = self.path(key)?;
        let mut options = OpenOptions::new();
        // O_NONBLOCK: a FIFO planted at a key must not hang the host; it is refused below.
        options.read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
        let file = match self.dir.open_with(&path, &options) {
            Ok(file) => file.into_std(),
            Err(e) if absent(&e) => return Ok(None),
            Err(e) => return Err(self.failure("reading", key, &e)),
        };
        let meta = file.metadata().map_err(|e| self.failure("reading", key, &e))?;
        if meta.is_dir() {
            return Ok(None);
        }
        if !meta.is_file() {
            return Err(to_storage(Error::new(
                ErrorCode::Io,
                format!("reading {} in {} failed: it is not a regular file", keys::describe(key), self.name()),
            )));
        }
        let size = meta.len();
        let mut asked = 0u64;
        for &range in &ranges {
            let valid = match range {
                ByteRange::FromStart(offset, None) => offset <= size,
                ByteRange::FromStart(offset, Some(len)) => offset.checked_add(len).is_some_and(|end| end <= size),
                ByteRange::Suffix(len) => len <= size,
            };
            if !valid {
                return Err(InvalidByteRangeError::new(range, size).into());
            }
            asked = asked.saturating_add(range.length(size));
        }
        // Before any memory is set aside: a sparse 1 TiB file planted at a key is refused, not
        // allocated. Each range is read with its length from this one `metadata`, so a file growing
        // meanwhile is read no further.
        let whole = matches!(ranges.as_slice(), [ByteRange::FromStart(0, None)]);
        self.limit.check(key, &self.name(), asked, !whole)?;
        let mut out = Vec::with_capacity(ranges.len());
        for range in ranges {
            let len = usize::try_from(range.length(size))
                .map_err(|_| StorageError::Other(format!("{} is too large for this host", keys::describe(key))))?;
            let mut bytes = vec![0; len];
            file.read_exact_at(&mut bytes, range.start(size)).map_err(|e| self.failure("reading", key, &e))?;
            out.push(Bytes::from(bytes));
        }
        Ok(Some(out))
    }

    /// The directory holding `key`'s file, opened name by name following no symbolic link (made
    /// first when `create`), and the file's name in it; `None` when a directory on the way is
    /// absent (and not `create`).
    ///
    /// A write must not follow a link even within the grant: `b.zarr/c -> ../a.zarr/c` would land
    /// b's chunks in a.zarr, past a.zarr's write region. A link on the way is refused with
    /// `access-denied` naming it.
    fn parent_of<'k>(&self, doing: &str, key: &'k str, create: bool) -> Result<Option<(Dir, &'k str)>, StorageError> {
        let names = match keys::key_names(key) {
            Ok(names) => names,
            Err(BadKey::Parent) => {
                return Err(to_storage(grants::leads_outside(&self.guest_path(key), &self.guest)));
            }
            Err(BadKey::Malformed) => return Err(to_storage(keys::malformed(key, &self.name()))),
        };
        let Some((&last, on_the_way)) = names.split_last() else {
            return Err(to_storage(keys::malformed(key, &self.name())));
        };
        let mut options = OpenOptions::new();
        options.read(true).custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NOCTTY);
        // Opened anew for reading: the grant's own handle may be `O_PATH`, which cannot be synced.
        let dir = self.dir.open_with(".", &options).map(|d| Dir::from_std_file(d.into_std()));
        let mut dir = dir.map_err(|e| self.failure(doing, key, &e))?;
        let mut walked = 0;
        for &name in on_the_way {
            walked += name.len() + usize::from(walked > 0);
            if create
                && let Err(e) = dir.create_dir(name)
                && e.kind() != std::io::ErrorKind::AlreadyExists
            {
                return Err(self.failure(doing, key, &e));
            }
            let next = match dir.open_with(name, &options) {
                Ok(next) => Dir::from_std_file(next.into_std()),
                Err(_) if dir.symlink_metadata(name).is_ok_and(|m| m.file_type().is_symlink()) => {
                    // A link out of the grant (judged from the grant's directory, not this one)
                    // gets the file paths' escape refusal.
                    if self.dir.metadata(&key[..walked]).is_err_and(|e| grants::is_escape(&e)) {
                        return Err(to_storage(grants::leads_outside(&self.guest_path(key), &self.guest)));
                    }
                    return Err(to_storage(Error::new(
                        ErrorCode::AccessDenied,
                        format!(
                            "{doing} {} in {} was refused: '{}' is a symbolic link, and a store follows none when writing",
                            keys::describe(key),
                            self.name(),
                            quoted(&self.guest_path(&key[..walked]))
                        ),
                    )));
                }
                Err(e) if absent(&e) && !create => return Ok(None),
                Err(e) => return Err(self.failure(doing, key, &e)),
            };
            dir = next;
        }
        Ok(Some((dir, last)))
    }

    /// Writes `value` to a new temporary file beside `key`'s file and renames it over that file,
    /// in a directory reached through no symbolic link; then syncs the directory, so the new name
    /// survives a crash.
    fn replace(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        let fail = |e: &std::io::Error| self.failure("writing", key, e);
        let Some((parent, name)) = self.parent_of("writing", key, true)? else {
            return Err(fail(&std::io::Error::from(std::io::ErrorKind::NotFound)));
        };
        let n = TEMPORARY.fetch_add(1, Ordering::Relaxed);
        let temporary = format!(".{name}.{}.{n}{TEMPORARY_SUFFIX}", std::process::id());
        let mut options = OpenOptions::new();
        // O_EXCL: a name planted meanwhile (a symbolic link) is never written through.
        options.write(true).create_new(true).custom_flags(libc::O_NOCTTY);
        let mut file = parent.open_with(&temporary, &options).map_err(|e| fail(&e))?;
        // The data reach the disk before the name does: after a crash the key holds the old value
        // or the new one, not an empty file. The rename replaces a link at the key itself, never
        // what it leads to.
        let written = file
            .write_all(value)
            .and_then(|()| file.sync_data())
            .and_then(|()| parent.rename(&temporary, &parent, name));
        if let Err(e) = written {
            let _ = parent.remove_file(&temporary);
            return Err(fail(&e));
        }
        // The rename is in the directory: only its sync makes the new name durable (POSIX).
        parent.into_std_file().sync_all().map_err(|e| fail(&e))
    }

    /// Adds the keys beneath the directory `prefix` (`""` for the root) to `keys`, and, unless
    /// `recursive`, its subdirectories to `prefixes` instead of their keys. Symbolic links to
    /// files are keys; symbolic links to directories are not followed (no loops).
    fn walk(
        &self,
        prefix: &str,
        recursive: bool,
        keys: &mut Vec<StoreKey>,
        prefixes: &mut Vec<StorePrefix>,
    ) -> Result<(), StorageError> {
        let path = if prefix.is_empty() { PathBuf::from(".") } else { self.path(prefix)? };
        let entries = match self.dir.read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if absent(&e) => return Ok(()),
            Err(e) => return Err(self.failure("listing", prefix, &e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| self.failure("listing", prefix, &e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.ends_with(TEMPORARY_SUFFIX) && name.starts_with('.') {
                continue;
            }
            let full = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") };
            let kind = entry.file_type().map_err(|e| self.failure("listing", &full, &e))?;
            let is_file = kind.is_file() || (kind.is_symlink() && self.dir.metadata(&full).is_ok_and(|m| m.is_file()));
            if kind.is_dir() {
                if recursive {
                    self.walk(&full, true, keys, prefixes)?;
                } else if let Ok(p) = StorePrefix::new(format!("{full}/")) {
                    prefixes.push(p);
                }
            } else if is_file && let Ok(key) = StoreKey::new(full) {
                keys.push(key);
            }
        }
        Ok(())
    }

    fn keys_under(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
        self.walk(prefix.as_str().trim_end_matches('/'), true, &mut keys, &mut prefixes)?;
        keys.sort();
        Ok(keys)
    }
}

/// Whether `err` says there is nothing at the path: no such name, or a file where a directory on
/// the path was expected (`a.zarr/zarr.json/x`).
fn absent(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::NotFound || err.raw_os_error() == Some(libc::ENOTDIR)
}

impl ReadableStorageTraits for DirStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let read = self.read(key, byte_ranges.collect())?;
        Ok(read.map(|values| -> Box<dyn Iterator<Item = Result<Bytes, StorageError>>> {
            Box::new(values.into_iter().map(Ok))
        }))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        let path = self.path(key.as_str())?;
        match self.dir.metadata(&path) {
            Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
            Ok(_) => Ok(None),
            Err(e) if absent(&e) => Ok(None),
            Err(e) => Err(self.failure("reading the size of", key.as_str(), &e)),
        }
    }

    fn supports_get_partial(&self) -> bool {
        true
    }
}

impl WritableStorageTraits for DirStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        self.check_writable(key.as_str())?;
        self.replace(key.as_str(), &value)
    }

    fn set_partial_many(&self, key: &StoreKey, offset_values: OffsetBytesIterator<'_>) -> Result<(), StorageError> {
        self.check_writable(key.as_str())?;
        // Read, patch, replace: the value is still replaced whole, atomically.
        store_set_partial_many(self, key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.check_writable(key.as_str())?;
        let Some((parent, name)) = self.parent_of("erasing", key.as_str(), false)? else { return Ok(()) };
        match parent.remove_file(name) {
            Ok(()) => Ok(()),
            Err(e) if absent(&e) => Ok(()),
            Err(e) => Err(self.failure("erasing", key.as_str(), &e)),
        }
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        let shown = prefix.as_str().trim_end_matches('/');
        self.check_writable(if shown.is_empty() { "." } else { shown })?;
        let fail = |e: &std::io::Error| self.failure("erasing", shown, e);
        if shown.is_empty() {
            // The grant's directory itself stays: its entries go.
            let entries = match self.dir.entries() {
                Ok(entries) => entries,
                Err(e) => return Err(fail(&e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| fail(&e))?;
                let name = entry.file_name();
                let removed = if entry.file_type().map_err(|e| fail(&e))?.is_dir() {
                    self.dir.remove_dir_all(&name)
                } else {
                    self.dir.remove_file(&name)
                };
                removed.or_else(|e| if absent(&e) { Ok(()) } else { Err(fail(&e)) })?;
            }
            return Ok(());
        }
        let Some((parent, name)) = self.parent_of("erasing", shown, false)? else { return Ok(()) };
        match parent.symlink_metadata(name) {
            Err(e) if absent(&e) => Ok(()),
            Err(e) => Err(fail(&e)),
            // A symbolic link is removed, never what it leads to.
            Ok(meta) if !meta.is_dir() => parent.remove_file(name).map_err(|e| fail(&e)),
            Ok(_) => match parent.remove_dir_all(name) {
                Err(e) if !absent(&e) => Err(fail(&e)),
                _ => Ok(()),
            },
        }
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl ListableStorageTraits for DirStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.keys_under(&StorePrefix::root())
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.keys_under(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
        self.walk(prefix.as_str().trim_end_matches('/'), false, &mut keys, &mut prefixes)?;
        keys.sort();
        prefixes.sort();
        Ok(StoreKeysPrefixes::new(keys, prefixes))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        let mut total = 0u64;
        for key in self.keys_under(prefix)? {
            total = total.saturating_add(self.size_key(&key)?.unwrap_or(0));
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;
    use std::path::Path;

    use cap_std::ambient_authority;

    use super::*;
    use crate::error::GrantRefusal;

    fn store(root: &Path, writable: bool) -> DirStore {
        DirStore::new(Dir::open_ambient_dir(root, ambient_authority()).expect("open"), "data", writable)
    }

    fn key(k: &str) -> StoreKey {
        StoreKey::new(k).expect("key")
    }

    fn error(err: StorageError) -> Error {
        super::super::storage_error(&err)
    }

    /// zarrs_storage's own conformance checks: writes (whole and partial), reads, byte ranges,
    /// listings and sizes.
    #[test]
    fn passes_zarrs_storage_checks() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = store(tmp.path(), true);
        zarrs_storage::store_test::store_write(&store).expect("write");
        zarrs_storage::store_test::store_read(&store).expect("read");
        zarrs_storage::store_test::store_list(&store).expect("list");
        zarrs_storage::store_test::store_list_size(&store).expect("size");
    }

    /// A symbolic link planted in the granted directory (a plugin with a WASI grant can make
    /// one) that leads outside is refused, reading and writing through it, with the file paths'
    /// escape message; the file outside is untouched.
    #[test]
    fn symbolic_links_out_of_the_grant_are_refused() {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::create_dir(outside.path().join("a.zarr")).expect("mkdir");
        std::fs::write(outside.path().join("a.zarr/zarr.json"), b"{}").expect("write");
        let granted = tempfile::tempdir().expect("tmp");
        symlink(outside.path().join("a.zarr"), granted.path().join("a.zarr")).expect("symlink");
        let store = store(granted.path(), true);
        let read = error(store.get(&key("a.zarr/zarr.json")).expect_err("refused"));
        assert_eq!(read.grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(read.message(), "path 'data/a.zarr/zarr.json' leads outside its granted directory 'data'");
        let write = error(store.set(&key("a.zarr/c/0"), Bytes::from_static(b"x")).expect_err("refused"));
        assert_eq!(write.message(), "path 'data/a.zarr/c/0' leads outside its granted directory 'data'");
        assert!(!outside.path().join("a.zarr/c").exists());
        assert_eq!(std::fs::read(outside.path().join("a.zarr/zarr.json")).expect("read"), b"{}");
        // A link at the key itself, too.
        symlink("/etc/passwd", granted.path().join("passwd")).expect("symlink");
        let err = error(store.get(&key("passwd")).expect_err("refused"));
        assert_eq!(err.message(), "path 'data/passwd' leads outside its granted directory 'data'");
        // Erasing the link removes the link, never what it leads to.
        store.erase_prefix(&StorePrefix::new("a.zarr/").expect("prefix")).expect("erased");
        assert!(outside.path().join("a.zarr/zarr.json").exists());
    }

    #[test]
    fn parent_names_in_keys_are_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = store(tmp.path(), true);
        let err = error(store.get(&key("a.zarr/../../x")).expect_err("refused"));
        assert_eq!(err.grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(err.message(), "path 'data/a.zarr/../../x' leads outside its granted directory 'data'");
        let err = error(store.set(&key("../x"), Bytes::new()).expect_err("refused"));
        assert_eq!(err.grant(), Some(GrantRefusal::LeadsOutside));
        assert!(!tmp.path().parent().expect("parent").join("x").exists());
    }

    #[test]
    fn a_read_only_grant_refuses_every_write() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join("k"), b"old").expect("write");
        let store = store(tmp.path(), false);
        for err in [
            store.set(&key("k"), Bytes::from_static(b"new")),
            store.erase(&key("k")),
            store.erase_prefix(&StorePrefix::root()),
            store.set_partial(&key("k"), 0, Bytes::from_static(b"n")),
        ] {
            let err = error(err.expect_err("refused"));
            assert_eq!(err.code(), ErrorCode::AccessDenied);
            assert_eq!(err.grant(), Some(GrantRefusal::ReadOnly));
        }
        assert_eq!(
            error(store.erase(&key("k")).expect_err("refused")).message(),
            "path 'data/k' is in the read-only grant 'data'; writing it needs a read-write grant"
        );
        assert_eq!(std::fs::read(tmp.path().join("k")).expect("read"), b"old");
        assert_eq!(store.get(&key("k")).expect("read"), Some(Bytes::from_static(b"old")));
    }

    /// A value is replaced by a rename: a reader running beside the writer sees the old value or
    /// the new one, whole, never a mix or a short one; no temporary file is left or listed.
    #[test]
    fn a_set_is_atomic_for_concurrent_readers() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Arc::new(store(tmp.path(), true));
        let k = key("a.zarr/c/0/0");
        const LEN: usize = 1 << 20;
        store.set(&k, Bytes::from(vec![0u8; LEN])).expect("set");
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (store, k, stop) = (Arc::clone(&store), k.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut reads = 0u32;
                while !stop.load(Ordering::Acquire) {
                    let value = store.get(&k).expect("read").expect("present");
                    assert_eq!(value.len(), LEN, "a short chunk");
                    let first = value[0];
                    assert!(value.iter().all(|&b| b == first), "a torn chunk");
                    reads += 1;
                }
                reads
            })
        };
        for round in 1..=40u8 {
            store.set(&k, Bytes::from(vec![round; LEN])).expect("set");
        }
        stop.store(true, Ordering::Release);
        let reads = reader.join().expect("reader");
        assert!(reads > 0);
        assert_eq!(store.get(&k).expect("read").expect("present")[0], 40);
        let names: Vec<_> = std::fs::read_dir(tmp.path().join("a.zarr/c/0")).expect("dir").collect();
        assert_eq!(names.len(), 1, "temporary files left behind");
        assert_eq!(store.list().expect("list"), vec![k]);
    }

    #[test]
    fn absent_keys_and_directories_read_as_none() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = store(tmp.path(), true);
        store.set(&key("a.zarr/zarr.json"), Bytes::from_static(b"{}")).expect("set");
        assert_eq!(store.get(&key("a.zarr/c/0")).expect("read"), None);
        assert_eq!(store.get(&key("a.zarr")).expect("read"), None);
        assert_eq!(store.get(&key("a.zarr/zarr.json/x")).expect("read"), None);
        assert_eq!(store.size_key(&key("a.zarr")).expect("size"), None);
        assert_eq!(
            store.get_partial(&key("a.zarr/zarr.json"), ByteRange::Suffix(1)).expect("read"),
            Some(Bytes::from_static(b"}"))
        );
        assert!(store.get_partial(&key("a.zarr/zarr.json"), ByteRange::FromStart(1, Some(5))).is_err());
    }

    /// A sparse 1 TiB file planted at a metadata key and at a chunk key (a plugin with a
    /// read-write grant can make one with `open(.., mode="w+", shape=(1<<40,))`) is refused with
    /// `io` naming the key, its size and the bound, before any memory is set aside; so are ranges
    /// asking more than the bound; values within it read.
    #[test]
    fn values_over_their_bound_are_refused_before_reading() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = store(tmp.path(), true);
        store.limit.set_chunk(8_454_144);
        std::fs::create_dir_all(tmp.path().join("a.zarr/c/0")).expect("mkdir");
        for planted in ["a.zarr/zarr.json", "a.zarr/c/0/0"] {
            let file = std::fs::File::create(tmp.path().join(planted)).expect("create");
            file.set_len(1 << 40).expect("sparse");
        }
        let err = error(store.get(&key("a.zarr/c/0/0")).expect_err("refused"));
        assert_eq!(err.code(), ErrorCode::Io);
        assert_eq!(
            err.message(),
            "chunk 'a.zarr/c/0/0' in directory 'data' is 1099511627776 bytes, over the 8454144 bytes one chunk of \
             this array can take: it was not written by this array's codecs"
        );
        let err = error(store.get(&key("a.zarr/zarr.json")).expect_err("refused"));
        assert_eq!(err.code(), ErrorCode::Io);
        assert_eq!(
            err.message(),
            "metadata 'a.zarr/zarr.json' in directory 'data' is 1099511627776 bytes, over the 1048576 bytes Zarr \
             metadata may take: it is not an array's metadata"
        );
        let ranges = [ByteRange::FromStart(0, Some(5_000_000)), ByteRange::Suffix(5_000_000)];
        let err =
            error(store.get_partial_many(&key("a.zarr/c/0/0"), Box::new(ranges.into_iter())).err().expect("refused"));
        assert_eq!(err.code(), ErrorCode::Io);
        assert!(
            err.message()
                .starts_with("the ranges asked of chunk 'a.zarr/c/0/0' in directory 'data' are 10000000 bytes")
        );
        // Within the bounds: read.
        let got = store.get_partial(&key("a.zarr/c/0/0"), ByteRange::Suffix(8_454_144)).expect("read").expect("there");
        assert_eq!(got.len(), 8_454_144);
        std::fs::write(tmp.path().join("a.zarr/zarr.json"), vec![b' '; 1 << 20]).expect("write");
        assert_eq!(store.get(&key("a.zarr/zarr.json")).expect("read").expect("there").len(), 1 << 20);
    }

    /// A symbolic link planted inside the grant (`b.zarr/c -> ../a.zarr/c`, or `b.zarr -> a.zarr`)
    /// is followed by no write: writing or erasing b's chunk through it is refused with
    /// `access-denied` naming the link, and a.zarr's chunk keeps its bytes (its write region is
    /// not bypassed through b).
    #[test]
    fn writes_follow_no_symbolic_link_inside_the_grant() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = store(tmp.path(), true);
        store.set(&key("a.zarr/c/0/0"), Bytes::from_static(b"a's chunk")).expect("set");
        std::fs::create_dir(tmp.path().join("b.zarr")).expect("mkdir");
        symlink("../a.zarr/c", tmp.path().join("b.zarr/c")).expect("symlink");
        symlink("a.zarr", tmp.path().join("l.zarr")).expect("symlink");
        let err = error(store.set(&key("b.zarr/c/0/0"), Bytes::from_static(b"b's chunk")).expect_err("refused"));
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        assert_eq!(
            err.message(),
            "writing chunk 'b.zarr/c/0/0' in directory 'data' was refused: 'data/b.zarr/c' is a symbolic link, and \
             a store follows none when writing"
        );
        let err = error(store.set(&key("l.zarr/c/0/0"), Bytes::from_static(b"b's chunk")).expect_err("refused"));
        assert!(err.message().contains("'data/l.zarr' is a symbolic link"), "{}", err.message());
        let err = error(store.erase(&key("b.zarr/c/0/0")).expect_err("refused"));
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        let err = error(store.erase_prefix(&StorePrefix::new("l.zarr/c/").expect("prefix")).expect_err("refused"));
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        assert_eq!(std::fs::read(tmp.path().join("a.zarr/c/0/0")).expect("read"), b"a's chunk");
        // Erasing the link as b's prefix removes the link, never a's chunks.
        store.erase_prefix(&StorePrefix::new("b.zarr/c/").expect("prefix")).expect("erased");
        assert!(!tmp.path().join("b.zarr/c").exists());
        assert_eq!(std::fs::read(tmp.path().join("a.zarr/c/0/0")).expect("read"), b"a's chunk");
    }
}
