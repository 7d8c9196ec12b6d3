//! Where a plugin's Zarr arrays may live: beneath a granted directory (`dir.rs`, every open through
//! cap-std, so a plugin cannot leave its grant by `..`, an absolute name or a symbolic link it
//! planted) or beneath a granted object-store prefix (`object.rs`, S3 through `object_store`, on
//! the process's one runtime of `runtime.rs`), and the write regions the embedder gave arrays.
//!
//! Both stores are rooted at their grant: the array's node path (`"/a.zarr"`) is the rest of the
//! plugin's location beneath the grant, so a key (`"a.zarr/c/0/1"`) names a file or object beneath
//! the grant and nothing else.

mod dir;
mod keys;
mod object;
mod runtime;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use wasmtime_wasi::FsPerms;
use zarrs_storage::StorageError;

use crate::ctx::MemmapCtx;
use crate::error::{Error, ErrorCode, GrantRefusal, quoted};
use crate::grants;

pub(crate) use object::StoreGrant;

/// The storage a Zarr array is read from and written to (zarrs' synchronous traits).
pub(crate) type Storage = Arc<dyn zarrs_storage::ReadableWritableListableStorageTraits>;

/// When the store's calls must give up (the run's deadline), shared by every request of one array.
#[derive(Debug, Default)]
pub(crate) struct StoreDeadline(Mutex<Option<Instant>>);

impl StoreDeadline {
    pub(crate) fn set(&self, deadline: Option<Instant>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = deadline;
    }

    pub(crate) fn get(&self) -> Option<Instant> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The most bytes a `zarr.json` may have: zarr-python's metadata documents are a few KB (a large
/// one, with many attributes, tens of KB), so a larger value was not written as one; it is refused
/// before any memory is set aside for it.
pub(crate) const METADATA_LIMIT: u64 = 1 << 20;

/// The most bytes one chunk may have until the array code sets its codec chain's own bound: the
/// default chunk-cache limit (256 MiB) and 1 MiB of codec framing.
pub(crate) const DEFAULT_CHUNK_LIMIT: u64 = (256 << 20) + (1 << 20);

/// The most bytes a store reads of one value (or of the ranges asked of it at once), checked before
/// any memory is set aside: a value planted by a plugin (a sparse 1 TiB file at a chunk's path) or
/// another writer of the bucket is refused with `io` instead of aborting the host on allocation.
/// `zarr.json` keys have [`METADATA_LIMIT`]; other keys (chunks) the bound the array sets with
/// [`ValueLimit::set_chunk`], [`DEFAULT_CHUNK_LIMIT`] until then. Shared by a location and its
/// storage.
#[derive(Debug)]
pub(crate) struct ValueLimit(AtomicU64);

impl Default for ValueLimit {
    fn default() -> Self {
        Self(AtomicU64::new(DEFAULT_CHUNK_LIMIT))
    }
}

impl ValueLimit {
    /// Sets the most bytes one encoded chunk may have: the codec chain's worst-case encoded size
    /// of one chunk.
    #[allow(dead_code, reason = "set by open-zarr and create-zarr (zarr/array)")]
    pub(crate) fn set_chunk(&self, bytes: u64) {
        self.0.store(bytes, Ordering::Relaxed);
    }

    /// The most bytes the value at `key` may have.
    pub(crate) fn of(&self, key: &str) -> u64 {
        if key.ends_with("zarr.json") { METADATA_LIMIT } else { self.0.load(Ordering::Relaxed) }
    }

    /// Refuses `bytes` of the value at `key` (the whole value's size, or the sum of the ranges
    /// asked of it) when they are over its limit, with `io` naming the key, its size, the bound
    /// and `store`.
    pub(crate) fn check(&self, key: &str, store: &str, bytes: u64, ranges: bool) -> Result<(), StorageError> {
        let bound = self.of(key);
        if bytes <= bound {
            return Ok(());
        }
        let what = keys::describe(key);
        let size = if ranges {
            format!("the ranges asked of {what} in {store} are {bytes} bytes")
        } else {
            format!("{what} in {store} is {bytes} bytes")
        };
        let message = if key.ends_with("zarr.json") {
            format!("{size}, over the {bound} bytes Zarr metadata may take: it is not an array's metadata")
        } else {
            format!(
                "{size}, over the {bound} bytes one chunk of this array can take: it was not written by this array's codecs"
            )
        };
        Err(to_storage(Error::new(ErrorCode::Io, message)))
    }
}

/// A plugin's Zarr location resolved to a store and the array's node in it.
#[allow(dead_code, reason = "read by open-zarr and create-zarr (zarr/array)")]
pub(crate) struct ZarrLocation {
    /// The store, already narrowed to the grant (keys outside it cannot be named).
    pub storage: Storage,
    /// The array's node path in `storage`, as zarrs takes it (`"/"` or `"/a.zarr"`).
    pub node: String,
    /// The store as error messages name it (`"s3://bucket/prefix"`, `"directory 'data'"`).
    pub store: String,
    /// The location as the plugin gave it, normalised (or, for an array given a write region under
    /// another name, that name): the key of [`StoreGrants::region`].
    pub location: String,
    /// Whether the grant allows writes.
    pub writable: bool,
    /// The deadline every request of this array obeys.
    pub deadline: Arc<StoreDeadline>,
    /// The most bytes `storage` reads of one value: the array sets the bound of one encoded chunk
    /// with `value_limit.set_chunk(..)` (its codec chain's worst case) before reading chunks.
    pub value_limit: Arc<ValueLimit>,
}

/// The object-store prefixes granted to one plugin and the write regions of its arrays.
#[derive(Default)]
pub(crate) struct StoreGrants {
    stores: Vec<StoreGrant>,
    /// Per normalised location ([`normalise`]), one range of indices per axis.
    regions: HashMap<String, Vec<Range<u64>>>,
}

impl StoreGrants {
    /// Grants the object-store prefix `url` (`s3://bucket/prefix`), reached by the plugin as
    /// `url` itself or, with `guest`, under that name.
    ///
    /// # Errors
    /// `invalid-argument` for a URL that is not `s3://bucket[/prefix]`, a guest name that is not a
    /// path, or a store the host environment cannot configure.
    pub(crate) fn grant(&mut self, url: &str, guest: Option<&str>, perms: FsPerms) -> Result<(), Error> {
        self.stores.push(StoreGrant::new(url, guest, perms)?);
        Ok(())
    }

    /// Limits writes to the array at `location` to `region` (one range of indices per axis).
    ///
    /// # Errors
    /// `invalid-argument` for an empty or reversed range (`start >= stop`), or a location that
    /// names no array (`..` past its start).
    pub(crate) fn restrict(&mut self, location: &str, region: Vec<Range<u64>>) -> Result<(), Error> {
        grants::check_path(location)?;
        if let Some((axis, range)) = region.iter().enumerate().find(|(_, r)| r.start >= r.end) {
            return Err(Error::invalid(format!(
                "write region {} of '{}' has an empty or reversed range {}:{} on axis {axis}; each range needs start < stop",
                show_region(&region),
                quoted(location),
                range.start,
                range.end
            )));
        }
        let key = normalise(location)?;
        self.regions.insert(key, region);
        Ok(())
    }

    /// The write region of the array at the normalised `location`, if one was granted.
    #[allow(dead_code, reason = "read by open-zarr (zarr/array)")]
    pub(crate) fn region(&self, location: &str) -> Option<&[Range<u64>]> {
        self.regions.get(location).map(Vec::as_slice)
    }

    /// Every array given a write region, by its normalised location, in order.
    pub(crate) fn regioned(&self) -> Vec<(&str, &[Range<u64>])> {
        let mut all: Vec<(&str, &[Range<u64>])> =
            self.regions.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
        all.sort_unstable_by_key(|&(k, _)| k);
        all
    }
}

/// A region as numpy's slices write it: `[0:10, 5:8]`.
pub(crate) fn show_region(region: &[Range<u64>]) -> String {
    let axes: Vec<String> = region.iter().map(|r| format!("{}:{}", r.start, r.end)).collect();
    format!("[{}]", axes.join(", "))
}

/// The canonical form of a location, the key of the write regions: `s3://bucket/a/b` for a URL,
/// else the path with empty and `.` names dropped and each `..` taking the name before it away
/// (`"data/./x/../a.zarr"` is `"data/a.zarr"`, `"/data/"` is `"/data"`).
///
/// # Errors
/// `invalid-argument` for a `..` with no name before it, or a URL that is not `s3://bucket/...`.
pub(crate) fn normalise(location: &str) -> Result<String, Error> {
    fn lexical<'a>(location: &str, path: &'a str) -> Result<Vec<&'a str>, Error> {
        keys::lexical(path.split('/')).ok_or_else(|| {
            Error::invalid(format!("location '{}' has a '..' before any name: it names no array", quoted(location)))
        })
    }
    if let Some(rest) = location.strip_prefix("s3://") {
        // The bucket is the first name; a `..` cannot take it away.
        let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::invalid(format!("location '{}' names no bucket", quoted(location))));
        }
        let names = lexical(location, path)?;
        return Ok(if names.is_empty() {
            format!("s3://{bucket}")
        } else {
            format!("s3://{bucket}/{}", names.join("/"))
        });
    }
    let joined = lexical(location, location)?.join("/");
    Ok(match (location.starts_with('/'), joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    })
}

/// Resolves a plugin's `location` against the directory grants and the store grants of `ctx`.
///
/// An array reached under another name than the one its write region was given for (a symbolic
/// link to its directory, the same directory granted twice, a prefix granted under a name and by
/// its URL) is the same array: its `location` is the region's, so the region applies.
///
/// # Errors
/// `access-denied` for a location no grant covers or one leading out of its grant (the refusals of
/// file paths, with the same messages); `invalid-argument` for a name Zarr does not allow.
pub(crate) fn resolve(ctx: &MemmapCtx, location: &str) -> Result<ZarrLocation, Error> {
    let (mut located, identity) = locate(ctx, location)?;
    let regions = &ctx.stores.regions;
    if identity != Identity::Unknown && !regions.contains_key(&located.location) {
        let mut named: Vec<&String> = regions.keys().collect();
        // The same answer whatever the map's order, when two region names reach one array.
        named.sort();
        if let Some(name) = named.into_iter().find(|name| locate(ctx, name).is_ok_and(|(_, other)| other == identity)) {
            located.location.clone_from(name);
        }
    }
    Ok(located)
}

/// What array a location reaches, whatever it is called.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// A directory, by device and inode.
    Directory { dev: u64, ino: u64 },
    /// An object-store prefix.
    Prefix { bucket: String, names: Vec<String> },
    /// A directory that does not exist (yet).
    Unknown,
}

/// [`resolve`] without looking at the write regions.
pub(crate) fn locate(ctx: &MemmapCtx, location: &str) -> Result<(ZarrLocation, Identity), Error> {
    grants::check_path(location)?;
    let deadline = Arc::new(StoreDeadline::default());
    deadline.set(ctx.deadline());
    let stores = &ctx.stores.stores;
    if location.starts_with("s3://") {
        let (grant, rest) = stores
            .iter()
            .filter_map(|g| g.covers_url(location).map(|rest| (g, rest)))
            .max_by_key(|(g, _)| g.depth())
            .ok_or_else(|| not_granted(ctx, location))?;
        return grant.locate(location, &rest, deadline);
    }
    // The longest grant name covering the path wins, whether a directory's or a store's; on a tie
    // the store (granted for Zarr arrays alone).
    let dir = grants::resolve(&ctx.grants, location);
    let store =
        stores.iter().filter_map(|g| g.covers_path(location).map(|rest| (g, rest))).max_by_key(|(g, _)| g.depth());
    match (dir, store) {
        (Ok(resolved), Some((grant, _))) if resolved.grant.prefix_len() > grant.depth() => {
            dir::locate(resolved.grant, location, deadline)
        }
        (_, Some((grant, rest))) => grant.locate(location, &rest, deadline),
        (Ok(resolved), None) => dir::locate(resolved.grant, location, deadline),
        (Err(err), None) if stores.is_empty() => Err(err),
        (Err(_), None) => Err(not_granted(ctx, location)),
    }
}

/// The refusal of a location no grant covers, naming the directories and the store prefixes
/// granted (the message of file paths, which name directories only, when no store is granted).
fn not_granted(ctx: &MemmapCtx, location: &str) -> Error {
    let mut names: Vec<String> = ctx.grants.iter().map(|g| format!("'{}'", g.guest())).collect();
    names.extend(ctx.stores.stores.iter().map(|g| format!("'{}'", g.name())));
    let granted =
        if names.is_empty() { "nothing is granted".to_owned() } else { format!("granted: {}", names.join(", ")) };
    Error::refused(
        GrantRefusal::NotGranted,
        format!("path '{}' is not inside a granted directory or store prefix ({granted})", quoted(location)),
    )
}

/// Carries one of the plugin's errors through zarrs' [`StorageError`] (as an `io::Error`'s
/// payload), for [`storage_error`] to take out again.
pub(crate) fn to_storage(err: Error) -> StorageError {
    StorageError::IOError(Arc::new(std::io::Error::other(err)))
}

/// The plugin's error for a storage error of zarrs: the store's own error (a refusal, an `io`
/// failure naming the key and the store) when it came from one of these stores, else `io` with
/// zarrs' words.
#[allow(dead_code, reason = "used by open-zarr and create-zarr (zarr/array)")]
pub(crate) fn storage_error(err: &StorageError) -> Error {
    carried(err).unwrap_or_else(|| Error::new(ErrorCode::Io, err.to_string()))
}

/// The store's own error inside `err`, when it came from one of these stores.
fn carried(err: &StorageError) -> Option<Error> {
    match err {
        StorageError::IOError(io) => carried_io(io),
        _ => None,
    }
}

fn carried_io(io: &std::io::Error) -> Option<Error> {
    io.get_ref().and_then(|e| e.downcast_ref::<Error>()).cloned()
}

/// The store's error inside an error of zarrs' array code (`Array::retrieve_*`, `store_*`), when
/// a store of this module failed or refused: the plugin gets it as it is (a refusal, or `io`
/// naming the key and the store), not zarrs' wording of it.
#[allow(dead_code, reason = "used by open-zarr and create-zarr (zarr/array)")]
pub(crate) fn array_store_error(err: &zarrs::array::ArrayError) -> Option<Error> {
    use zarrs::array::{ArrayError, CodecError};
    match err {
        ArrayError::StorageError(e) | ArrayError::CodecError(CodecError::StorageError(e)) => carried(e),
        ArrayError::CodecError(CodecError::IOError(io)) => carried_io(io),
        _ => None,
    }
}

/// [`array_store_error`] for an error of `Array::open` (reading `zarr.json`).
#[allow(dead_code, reason = "used by open-zarr (zarr/array)")]
pub(crate) fn open_store_error(err: &zarrs::array::ArrayCreateError) -> Option<Error> {
    match err {
        zarrs::array::ArrayCreateError::StorageError(e) => carried(e),
        _ => None,
    }
}

impl MemmapCtx {
    /// The storage a plugin's Zarr `location` resolves to under this context's grants, and the
    /// array's node path in it (`"/a.zarr"`): for an embedder that prepares or inspects the arrays
    /// its plugin sees, through the same checks (a read-only grant refuses writes, keys cannot
    /// leave the grant, requests give up at the [deadline](MemmapCtx::set_deadline)).
    ///
    /// # Errors
    /// The refusals of `open-zarr`'s location: `access-denied` outside the grants,
    /// `invalid-argument` for a name Zarr does not allow.
    pub fn zarr_storage(
        &self,
        location: &str,
    ) -> Result<(zarrs_storage::ReadableWritableListableStorage, String), Error> {
        let resolved = resolve(self, location)?;
        Ok((resolved.storage, resolved.node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemmapCtxBuilder;

    fn ctx(dir: &std::path::Path, perms: FsPerms) -> MemmapCtx {
        MemmapCtxBuilder::new().preopened_dir(dir, "data", perms).expect("granted").build()
    }

    fn refusal(ctx: &MemmapCtx, location: &str) -> Error {
        resolve(ctx, location).err().expect("refused")
    }

    /// A location beneath a directory grant: the store is rooted at the grant, the node is the
    /// rest; the array's directory need not exist yet (create-zarr makes it).
    #[test]
    fn directory_locations_resolve_beneath_their_grant() {
        let tmp = tempfile::tempdir().expect("tmp");
        let ctx = ctx(tmp.path(), FsPerms::ReadWrite);
        let located = resolve(&ctx, "data/./x/../a.zarr/").expect("resolved");
        assert_eq!(located.node, "/a.zarr");
        assert_eq!(located.store, "directory 'data'");
        assert_eq!(located.location, "data/a.zarr");
        assert!(located.writable);
        let key = zarrs_storage::StoreKey::new("a.zarr/zarr.json").expect("key");
        located.storage.set(&key, bytes::Bytes::from_static(b"{}")).expect("stored");
        assert_eq!(std::fs::read(tmp.path().join("a.zarr/zarr.json")).expect("file"), b"{}");
        assert_eq!(resolve(&ctx, "data").expect("resolved").node, "/");
        let read_only = self::ctx(tmp.path(), FsPerms::ReadOnly);
        assert!(!resolve(&read_only, "data/a.zarr").expect("resolved").writable);
    }

    /// Leaving the grant is refused with the file paths' own messages.
    #[test]
    fn directory_locations_outside_the_grant_are_refused_as_paths_are() {
        let outside = tempfile::tempdir().expect("tmp");
        let tmp = tempfile::tempdir().expect("tmp");
        std::os::unix::fs::symlink(outside.path(), tmp.path().join("link.zarr")).expect("symlink");
        let ctx = ctx(tmp.path(), FsPerms::ReadWrite);
        let err = refusal(&ctx, "data/../etc");
        assert_eq!(err.grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(err.message(), "path 'data/../etc' leads outside its granted directory 'data'");
        let err = refusal(&ctx, "data/link.zarr");
        assert_eq!(err.grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(err.message(), "path 'data/link.zarr' leads outside its granted directory 'data'");
        let err = refusal(&ctx, "/etc/a.zarr");
        assert_eq!(err.grant(), Some(GrantRefusal::NotGranted));
        assert_eq!(err.message(), "path '/etc/a.zarr' is not inside a granted directory (granted: 'data')");
        assert_eq!(refusal(&ctx, "data/__a").code(), ErrorCode::InvalidArgument);
    }

    /// Store grants: by URL without a guest name, by the guest name with one; the longest grant
    /// name wins over a directory grant; everything else is refused, naming what is granted.
    #[test]
    fn store_locations_resolve_beneath_their_prefix() {
        let tmp = tempfile::tempdir().expect("tmp");
        let ctx = MemmapCtxBuilder::new()
            .preopened_dir(tmp.path(), ".", FsPerms::ReadWrite)
            .expect("granted")
            .preopened_store("s3://bkt/p", None, FsPerms::ReadWrite)
            .expect("granted")
            .preopened_store("s3://bkt/q", Some("lake"), FsPerms::ReadOnly)
            .expect("granted")
            .build();
        let by_url = resolve(&ctx, "s3://bkt/p/x/a.zarr").expect("resolved");
        assert_eq!((by_url.node.as_str(), by_url.store.as_str()), ("/x/a.zarr", "s3://bkt/p"));
        assert_eq!(by_url.location, "s3://bkt/p/x/a.zarr");
        assert!(by_url.writable);
        let by_name = resolve(&ctx, "lake/a.zarr").expect("resolved");
        assert_eq!((by_name.node.as_str(), by_name.store.as_str()), ("/a.zarr", "s3://bkt/q"));
        assert!(!by_name.writable);
        // The directory granted as '.' still holds what the store's name does not cover.
        assert_eq!(resolve(&ctx, "lakes/a.zarr").expect("resolved").store, "directory '.'");
        // A prefix granted under a name is not reached by its URL.
        let err = refusal(&ctx, "s3://bkt/q/a.zarr");
        assert_eq!(err.grant(), Some(GrantRefusal::NotGranted));
        assert_eq!(
            err.message(),
            "path 's3://bkt/q/a.zarr' is not inside a granted directory or store prefix (granted: '.', 's3://bkt/p', 'lake')"
        );
        assert_eq!(refusal(&ctx, "s3://bkt/pp/a.zarr").grant(), Some(GrantRefusal::NotGranted));
        assert_eq!(refusal(&ctx, "s3://bkt/p/../q/a.zarr").grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(refusal(&ctx, "lake/../../a.zarr").grant(), Some(GrantRefusal::LeadsOutside));
    }

    #[test]
    fn locations_normalise_to_one_key() {
        assert_eq!(normalise("data/./x/../a.zarr/").expect("ok"), "data/a.zarr");
        assert_eq!(normalise("/data//a.zarr").expect("ok"), "/data/a.zarr");
        assert_eq!(normalise("s3://bkt/p//a.zarr/").expect("ok"), "s3://bkt/p/a.zarr");
        assert_eq!(normalise("./").expect("ok"), ".");
        assert_eq!(normalise("/").expect("ok"), "/");
        assert_eq!(normalise("../a").expect_err("refused").code(), ErrorCode::InvalidArgument);
        assert_eq!(normalise("s3://bkt/../a").expect_err("refused").code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn regions_are_kept_per_normalised_location() {
        let mut grants = StoreGrants::default();
        grants.restrict("data/./a.zarr/", vec![0..10, 20..30]).expect("granted");
        assert_eq!(grants.region("data/a.zarr"), Some(&[0..10, 20..30][..]));
        assert_eq!(grants.region("data/b.zarr"), None);
        // A 0-d array has no axes: its region is the one element.
        grants.restrict("/zero.zarr", Vec::new()).expect("granted");
        assert_eq!(grants.region("/zero.zarr"), Some(&[][..]));
    }

    /// A write region follows its array under any other name: a symbolic link to its directory,
    /// the directory granted a second time, the prefix reached by a second name.
    #[test]
    fn regions_follow_their_array_under_other_names() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::create_dir(tmp.path().join("a.zarr")).expect("mkdir");
        std::os::unix::fs::symlink("a.zarr", tmp.path().join("alias.zarr")).expect("symlink");
        let ctx = MemmapCtxBuilder::new()
            .preopened_dir(tmp.path(), "data", FsPerms::ReadWrite)
            .expect("granted")
            .preopened_dir(tmp.path(), "/again", FsPerms::ReadWrite)
            .expect("granted")
            .preopened_store("s3://bkt/p", None, FsPerms::ReadWrite)
            .expect("granted")
            .preopened_store("s3://bkt/p", Some("/lake"), FsPerms::ReadWrite)
            .expect("granted")
            .write_region("data/a.zarr", vec![0..10, 0..4])
            .expect("region")
            .write_region("s3://bkt/p/x.zarr", vec![0..5, 5..10])
            .expect("region")
            .build();
        for name in ["data/a.zarr", "data/alias.zarr", "/again/a.zarr", "/again/alias.zarr"] {
            let located = resolve(&ctx, name).expect("resolved");
            assert_eq!(located.location, "data/a.zarr", "{name}");
            assert_eq!(ctx.stores.region(&located.location), Some(&[0..10, 0..4][..]), "{name}");
        }
        assert_eq!(resolve(&ctx, "/lake/x.zarr").expect("resolved").location, "s3://bkt/p/x.zarr");
        assert_eq!(resolve(&ctx, "/lake/y.zarr").expect("resolved").location, "/lake/y.zarr");
        assert_eq!(resolve(&ctx, "data/b.zarr").expect("resolved").location, "data/b.zarr");
    }

    /// A store's refusal comes back out of zarrs' errors as it went in.
    #[test]
    fn store_errors_come_back_out_of_zarrs_errors() {
        let refusal = grants::read_only_write("data/a.zarr/c/0", "data");
        let wrapped = zarrs::array::ArrayError::StorageError(to_storage(refusal.clone()));
        assert_eq!(array_store_error(&wrapped), Some(refusal.clone()));
        let codec =
            zarrs::array::ArrayError::CodecError(zarrs::array::CodecError::StorageError(to_storage(refusal.clone())));
        assert_eq!(array_store_error(&codec), Some(refusal.clone()));
        let open = zarrs::array::ArrayCreateError::StorageError(to_storage(refusal.clone()));
        assert_eq!(open_store_error(&open), Some(refusal.clone()));
        assert_eq!(storage_error(&to_storage(refusal.clone())), refusal);
        let other = StorageError::Other("zarrs' own".into());
        assert_eq!(storage_error(&other).code(), ErrorCode::Io);
        assert_eq!(array_store_error(&zarrs::array::ArrayError::StorageError(other)), None);
    }

    #[test]
    fn empty_or_reversed_ranges_are_refused_by_name() {
        let mut grants = StoreGrants::default();
        #[allow(clippy::reversed_empty_ranges)]
        let err = grants.restrict("a.zarr", vec![0..10, 7..3]).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert_eq!(
            err.message(),
            "write region [0:10, 7:3] of 'a.zarr' has an empty or reversed range 7:3 on axis 1; each range needs start < stop"
        );
        let err = grants.restrict("a.zarr", vec![5..5, 0..1]).expect_err("refused");
        assert!(err.message().contains("5:5 on axis 0"), "{}", err.message());
        assert_eq!(grants.region("a.zarr"), None);
    }
}
