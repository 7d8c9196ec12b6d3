//! A Zarr store beneath a granted object-store prefix (`s3://bucket/prefix`): each key is an
//! object beneath the prefix, reached through `object_store`'s S3 client configured from the
//! host's environment (never from the plugin). An S3 `PUT` replaces an object whole, so readers see
//! the old chunk or the new one. Requests run on the process's one runtime (`runtime.rs`), each
//! bounded by the run's deadline and [`REQUEST_TIMEOUT`]; no answer, or a failure, is `io` naming
//! the key and the store.

use std::sync::{Arc, Once};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use wasmtime_wasi::FsPerms;
use zarrs_storage::byte_range::{ByteRange, ByteRangeIterator};
use zarrs_storage::{
    Bytes, ListableStorageTraits, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits, StorageError,
    StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix, WritableStorageTraits, store_set_partial_many,
};

use super::keys::{self, BadKey};
use super::runtime::{self, REQUEST_TIMEOUT};
use super::{Identity, StoreDeadline, ValueLimit, ZarrLocation, normalise, to_storage};
use crate::error::{Error, ErrorCode, GrantRefusal, quoted};
use crate::grants;

/// An object-store prefix granted to a plugin.
pub(crate) struct StoreGrant {
    /// `s3://bucket/prefix`, normalised.
    url: String,
    bucket: String,
    /// The prefix's names in the bucket.
    prefix: Vec<String>,
    /// The name the plugin reaches the prefix by, when it is not the URL itself.
    guest: Option<GuestName>,
    writable: bool,
    store: Arc<dyn ObjectStore>,
}

/// A store grant's guest name (`"/lake"`), matched the way directory grants' names are.
struct GuestName {
    shown: String,
    absolute: bool,
    names: Vec<String>,
}

/// rustls needs one process-wide crypto provider; object_store's client asks for ring's.
fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Already installed (by the embedder, or another library): that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Whether `name` is an S3 bucket name: 3 to 63 lowercase letters, digits, `.` and `-`, starting
/// and ending with a letter or digit.
fn is_bucket(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(name.chars().next())
        && edge(name.chars().last())
}

/// The names of a path that match a grant's: empty names and `.` dropped.
fn names_of(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// The rest of `names` after `prefix`, when `prefix` starts it.
fn beneath(names: Vec<&str>, prefix: &[String]) -> Option<Vec<String>> {
    let starts = names.len() >= prefix.len() && prefix.iter().zip(&names).all(|(p, n)| p == n);
    starts.then(|| names[prefix.len()..].iter().map(|n| (*n).to_owned()).collect())
}

impl StoreGrant {
    /// Parses `url` and configures its store from the host's environment.
    ///
    /// # Errors
    /// `invalid-argument` for anything but `s3://bucket[/prefix]`, a guest name that is not a
    /// path, or a store the environment cannot configure.
    pub(crate) fn new(url: &str, guest: Option<&str>, perms: FsPerms) -> Result<Self, Error> {
        grants::check_path(url)?;
        let shown = quoted(url);
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(Error::invalid(format!(
                "store '{shown}' is not an S3 URL: a store is granted as 's3://bucket' or 's3://bucket/prefix'"
            )));
        };
        if rest.contains(['?', '#']) {
            return Err(Error::invalid(format!(
                "store '{shown}' has a query or a fragment: a store is granted as 's3://bucket' or 's3://bucket/prefix'"
            )));
        }
        let mut parts = rest.split('/');
        let bucket = parts.next().unwrap_or_default();
        if !is_bucket(bucket) {
            return Err(Error::invalid(format!(
                "store '{shown}' names the bucket '{}', which S3 does not allow: a bucket name is 3 to 63 lowercase letters, digits, '.' and '-'",
                quoted(bucket)
            )));
        }
        let prefix: Vec<&str> = parts.filter(|c| !c.is_empty()).collect();
        if let Some(bad) = prefix.iter().find(|n| matches!(**n, "." | "..") || n.chars().any(char::is_control)) {
            return Err(Error::invalid(format!(
                "store '{shown}' has the name '{}' in its prefix, which no object key may have ('.', '..' or a control character)",
                quoted(bad)
            )));
        }
        let guest = guest.map(GuestName::new).transpose()?;
        install_crypto();
        let store = AmazonS3Builder::from_env()
            .with_url(format!("s3://{bucket}"))
            // A failing store answers within the request bound instead of retrying for minutes.
            .with_retry(RetryConfig { max_retries: 2, retry_timeout: Duration::from_secs(20), ..Default::default() })
            .build()
            .map_err(|e| Error::invalid(format!("cannot configure store '{shown}' from the environment: {e}")))?;
        let prefix: Vec<String> = prefix.into_iter().map(str::to_owned).collect();
        Ok(Self {
            url: url_of(bucket, &prefix),
            bucket: bucket.to_owned(),
            prefix,
            guest,
            writable: matches!(perms, FsPerms::ReadWrite),
            store: Arc::new(store),
        })
    }

    /// The grant as refusals name it: its guest name, else its URL.
    pub(crate) fn name(&self) -> &str {
        self.guest.as_ref().map_or(&self.url, |g| &g.shown)
    }

    /// How many names of a location the grant takes (longer grants win).
    pub(crate) fn depth(&self) -> usize {
        self.guest.as_ref().map_or(self.prefix.len(), |g| g.names.len())
    }

    /// For a grant without a guest name covering the URL `location`, its names beneath the prefix.
    pub(crate) fn covers_url(&self, location: &str) -> Option<Vec<String>> {
        if self.guest.is_some() {
            return None;
        }
        let mut names = names_of(location.strip_prefix("s3://")?);
        if names.next()? != self.bucket {
            return None;
        }
        beneath(names.collect(), &self.prefix)
    }

    /// For a grant whose guest name starts the path `location`, its names beneath that name.
    pub(crate) fn covers_path(&self, location: &str) -> Option<Vec<String>> {
        let guest = self.guest.as_ref()?;
        if guest.absolute != location.starts_with('/') {
            return None;
        }
        beneath(names_of(location).collect(), &guest.names)
    }

    /// The array at `location`, whose names beneath the grant are `rest`.
    ///
    /// # Errors
    /// `access-denied` for a `..` climbing out of the prefix; `invalid-argument` for a name Zarr
    /// does not allow.
    pub(crate) fn locate(
        &self,
        location: &str,
        rest: &[String],
        deadline: Arc<StoreDeadline>,
    ) -> Result<(ZarrLocation, Identity), Error> {
        let names = keys::lexical(rest.iter().map(String::as_str)).ok_or_else(|| {
            Error::refused(
                GrantRefusal::LeadsOutside,
                format!("path '{}' leads outside its granted store prefix '{}'", quoted(location), self.name()),
            )
        })?;
        let node = keys::node_path(location, &names)?;
        let storage = ObjectStorage {
            store: Arc::clone(&self.store),
            base: self.prefix.join("/"),
            name: self.url.clone(),
            writable: self.writable,
            deadline: Arc::clone(&deadline),
            limit: Arc::default(),
        };
        let value_limit = Arc::clone(&storage.limit);
        let located = ZarrLocation {
            storage: Arc::new(storage),
            node,
            store: self.url.clone(),
            location: normalise(location)?,
            writable: self.writable,
            deadline,
            value_limit,
        };
        let names = self.prefix.iter().cloned().chain(names.iter().map(|n| (*n).to_owned())).collect();
        Ok((located, Identity::Prefix { bucket: self.bucket.clone(), names }))
    }
}

impl GuestName {
    fn new(name: &str) -> Result<Self, Error> {
        grants::check_path(name)?;
        let names: Vec<String> = names_of(name).map(str::to_owned).collect();
        let absolute = name.starts_with('/');
        if name.starts_with("s3:") || names.iter().any(|n| n == "..") || (!absolute && names.is_empty()) {
            return Err(Error::invalid(format!(
                "'{}' cannot name a store: a store's guest name is a path such as '/lake' or 'lake', without '..'",
                quoted(name)
            )));
        }
        Ok(Self { shown: name.to_owned(), absolute, names })
    }
}

/// `s3://bucket/a/b`.
fn url_of(bucket: &str, names: &[String]) -> String {
    if names.is_empty() { format!("s3://{bucket}") } else { format!("s3://{bucket}/{}", names.join("/")) }
}

/// zarrs' storage over an object-store prefix.
struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    /// The prefix's path in the bucket (`""` for the bucket's root).
    base: String,
    /// `s3://bucket/prefix`, for messages.
    name: String,
    writable: bool,
    deadline: Arc<StoreDeadline>,
    /// The most bytes one value may have (or the ranges asked of it at once), checked against the
    /// size each answer announces before its body is read, and again while it is read.
    limit: Arc<ValueLimit>,
}

/// A ranged request's range, or `None` for the whole object.
fn get_range(range: ByteRange) -> Option<GetRange> {
    match range {
        ByteRange::FromStart(0, None) => None,
        ByteRange::FromStart(offset, None) => Some(GetRange::Offset(offset)),
        ByteRange::FromStart(offset, Some(len)) => Some(GetRange::Bounded(offset..offset.saturating_add(len))),
        ByteRange::Suffix(len) => Some(GetRange::Suffix(len)),
    }
}

/// What a read of ranges of an object found.
enum Answer {
    Values(Vec<Bytes>),
    Absent,
    /// More bytes came (or were announced) than the value's bound: this many, at least.
    Over(u64),
}

/// Whether `range` asks for no bytes (S3 refuses such a request).
fn is_empty(range: ByteRange) -> bool {
    matches!(range, ByteRange::FromStart(_, Some(0)) | ByteRange::Suffix(0))
}

impl ObjectStorage {
    /// The object of `key`, its names checked first.
    fn path(&self, key: &str) -> Result<Path, StorageError> {
        match keys::key_names(key) {
            Ok(_) => {}
            Err(BadKey::Parent) => {
                return Err(to_storage(Error::refused(
                    GrantRefusal::LeadsOutside,
                    format!("key '{}' leads outside its granted store prefix '{}'", quoted(key), self.name),
                )));
            }
            Err(BadKey::Malformed) => return Err(to_storage(keys::malformed(key, &self.name))),
        }
        let full = if self.base.is_empty() { key.to_owned() } else { format!("{}/{key}", self.base) };
        Path::parse(full).map_err(|_| to_storage(keys::malformed(key, &self.name)))
    }

    /// The objects' path for `prefix` (`None`: the bucket's root).
    fn prefix_path(&self, prefix: &StorePrefix) -> Result<Option<Path>, StorageError> {
        let key = prefix.as_str().trim_end_matches('/');
        if key.is_empty() {
            return Ok((!self.base.is_empty()).then(|| Path::from(self.base.as_str())));
        }
        self.path(key).map(Some)
    }

    /// The store key of the object at `location` (`None` outside the prefix).
    fn key_of(&self, location: &Path) -> Option<StoreKey> {
        let raw = location.as_ref();
        let key = if self.base.is_empty() { raw } else { raw.strip_prefix(self.base.as_str())?.strip_prefix('/')? };
        StoreKey::new(key).ok()
    }

    /// Runs `request` for `doing` (`"reading"`) the value at `key`, within the bounds.
    fn request<T: Send + 'static>(
        &self,
        doing: &str,
        key: &str,
        request: impl Future<Output = object_store::Result<T>> + Send + 'static,
    ) -> Result<T, StorageError> {
        let failed = |why: &dyn std::fmt::Display| {
            let what = if key.is_empty() { "the prefix".to_owned() } else { keys::describe(key) };
            to_storage(Error::new(ErrorCode::Io, format!("{doing} {what} from {} failed: {why}", self.name)))
        };
        match runtime::run(request, REQUEST_TIMEOUT, self.deadline.get()) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(failed(&e)),
            Err(no_answer) => Err(failed(&no_answer)),
        }
    }

    fn check_writable(&self, key: &str) -> Result<(), StorageError> {
        if self.writable {
            return Ok(());
        }
        Err(to_storage(Error::refused(
            GrantRefusal::ReadOnly,
            format!(
                "key '{}' is in the read-only store grant '{}'; writing it needs a read-write grant",
                quoted(key),
                self.name
            ),
        )))
    }

    /// Every object beneath `prefix`: its key and size.
    fn objects(&self, prefix: &StorePrefix) -> Result<Vec<(StoreKey, u64)>, StorageError> {
        let path = self.prefix_path(prefix)?;
        let store = Arc::clone(&self.store);
        let listed = self.request("listing", prefix.as_str().trim_end_matches('/'), async move {
            store.list(path.as_ref()).try_collect::<Vec<_>>().await
        })?;
        let mut objects: Vec<(StoreKey, u64)> =
            listed.into_iter().filter_map(|meta| Some((self.key_of(&meta.location)?, meta.size))).collect();
        objects.sort();
        Ok(objects)
    }
}

impl ReadableStorageTraits for ObjectStorage {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let path = self.path(key.as_str())?;
        let ranges: Vec<ByteRange> = byte_ranges.collect();
        let store = Arc::clone(&self.store);
        let wanted = ranges.clone();
        let bound = self.limit.of(key.as_str());
        let got = self.request("reading", key.as_str(), async move {
            // The bytes of the answers so far; each answer's announced length is checked before its
            // body is read (no memory for a planted 1 TiB object), and the body is read no further
            // than the bound in case more comes than was announced. `Over(bytes)`: refused below.
            let mut asked = 0u64;
            let mut out = Vec::with_capacity(wanted.len());
            if wanted.iter().all(|r| is_empty(*r)) {
                // Whether the object is there decides `None`; no bytes are asked for.
                match store.head(&path).await {
                    Ok(_) => return Ok(Answer::Values(vec![Bytes::new(); wanted.len()])),
                    Err(object_store::Error::NotFound { .. }) => return Ok(Answer::Absent),
                    Err(e) => return Err(e),
                }
            }
            for range in wanted {
                if is_empty(range) {
                    out.push(Bytes::new());
                    continue;
                }
                let options = GetOptions { range: get_range(range), ..Default::default() };
                match store.get_opts(&path, options).await {
                    Ok(result) => {
                        let announced = result.range.end.saturating_sub(result.range.start);
                        if asked.saturating_add(announced) > bound {
                            return Ok(Answer::Over(asked.saturating_add(announced)));
                        }
                        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
                        let mut stream = result.into_stream();
                        while let Some(piece) = stream.next().await {
                            let piece = piece?;
                            let got = u64::try_from(body.len().saturating_add(piece.len())).unwrap_or(u64::MAX);
                            if asked.saturating_add(got) > bound {
                                return Ok(Answer::Over(asked.saturating_add(got)));
                            }
                            body.extend_from_slice(&piece);
                        }
                        asked = asked.saturating_add(u64::try_from(body.len()).unwrap_or(u64::MAX));
                        out.push(Bytes::from(body));
                    }
                    Err(object_store::Error::NotFound { .. }) => return Ok(Answer::Absent),
                    Err(e) => return Err(e),
                }
            }
            Ok(Answer::Values(out))
        })?;
        let got = match got {
            Answer::Values(got) => got,
            Answer::Absent => return Ok(None),
            Answer::Over(bytes) => {
                let whole = matches!(ranges.as_slice(), [ByteRange::FromStart(0, None)]);
                self.limit.check(key.as_str(), &self.name, bytes, !whole)?;
                return Err(StorageError::Other(format!("{} is over its bound", keys::describe(key.as_str()))));
            }
        };
        // S3 answers a range reaching past the end with what there is: a short answer is the
        // invalid range zarrs expects.
        for (range, bytes) in ranges.iter().zip(&got) {
            let short = match range {
                ByteRange::FromStart(_, Some(len)) | ByteRange::Suffix(len) => {
                    u64::try_from(bytes.len()).ok() != Some(*len)
                }
                ByteRange::FromStart(..) => false,
            };
            if short {
                return Err(StorageError::Other(format!(
                    "reading {} from {} failed: the range {range:?} reaches past its end",
                    keys::describe(key.as_str()),
                    self.name
                )));
            }
        }
        Ok(Some(Box::new(got.into_iter().map(Ok))))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        let path = self.path(key.as_str())?;
        let store = Arc::clone(&self.store);
        self.request("reading the size of", key.as_str(), async move {
            match store.head(&path).await {
                Ok(meta) => Ok(Some(meta.size)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    fn supports_get_partial(&self) -> bool {
        true
    }
}

impl WritableStorageTraits for ObjectStorage {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        self.check_writable(key.as_str())?;
        let path = self.path(key.as_str())?;
        let store = Arc::clone(&self.store);
        self.request(
            "writing",
            key.as_str(),
            async move { store.put(&path, PutPayload::from(value)).await.map(|_| ()) },
        )
    }

    fn set_partial_many(&self, key: &StoreKey, offset_values: OffsetBytesIterator<'_>) -> Result<(), StorageError> {
        self.check_writable(key.as_str())?;
        store_set_partial_many(self, key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.check_writable(key.as_str())?;
        let path = self.path(key.as_str())?;
        let store = Arc::clone(&self.store);
        self.request("erasing", key.as_str(), async move {
            match store.delete(&path).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                other => other,
            }
        })
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        let shown = prefix.as_str().trim_end_matches('/');
        self.check_writable(shown)?;
        let objects = self.objects(prefix)?;
        // S3 deletes up to 1000 objects per request (DeleteObjects): one bounded request each.
        for batch in objects.chunks(1000) {
            let paths = batch.iter().map(|(key, _)| self.path(key.as_str())).collect::<Result<Vec<Path>, _>>()?;
            let store = Arc::clone(&self.store);
            self.request("erasing", shown, async move {
                let paths = futures_util::stream::iter(paths.into_iter().map(Ok)).boxed();
                let deleted: Vec<object_store::Result<Path>> = store.delete_stream(paths).collect().await;
                deleted
                    .into_iter()
                    .filter(|r| !matches!(r, Err(object_store::Error::NotFound { .. })))
                    .collect::<object_store::Result<Vec<Path>>>()
                    .map(|_| ())
            })?;
        }
        Ok(())
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl ListableStorageTraits for ObjectStorage {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.list_prefix(&StorePrefix::root())
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        Ok(self.objects(prefix)?.into_iter().map(|(key, _)| key).collect())
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        let path = self.prefix_path(prefix)?;
        let store = Arc::clone(&self.store);
        let listed = self.request("listing", prefix.as_str().trim_end_matches('/'), async move {
            store.list_with_delimiter(path.as_ref()).await
        })?;
        let mut keys: Vec<StoreKey> = listed.objects.iter().filter_map(|meta| self.key_of(&meta.location)).collect();
        let mut prefixes: Vec<StorePrefix> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| StorePrefix::new(format!("{}/", self.key_of(p)?.as_str())).ok())
            .collect();
        keys.sort();
        prefixes.sort();
        Ok(StoreKeysPrefixes::new(keys, prefixes))
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        Ok(self.objects(prefix)?.iter().fold(0u64, |total, (_, size)| total.saturating_add(*size)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        StoreGrant::new(url, None, FsPerms::ReadWrite).err().expect("refused").message().to_owned()
    }

    #[test]
    fn urls_that_are_not_s3_buckets_are_refused() {
        assert_eq!(
            refused("gs://bkt/p"),
            "store 'gs://bkt/p' is not an S3 URL: a store is granted as 's3://bucket' or 's3://bucket/prefix'"
        );
        assert!(refused("/data").contains("is not an S3 URL"));
        assert!(refused("s3://").contains("names the bucket ''"));
        assert!(refused("s3://Bad_Bucket/p").contains("names the bucket 'Bad_Bucket'"));
        assert!(refused("s3://bkt/a/../b").contains("has the name '..' in its prefix"));
        assert!(refused("s3://bkt/p?x=1").contains("has a query or a fragment"));
        let err = StoreGrant::new("s3://bkt/p", Some("../lake"), FsPerms::ReadWrite).err().expect("refused");
        assert!(err.message().contains("cannot name a store"), "{}", err.message());
    }

    #[test]
    fn grants_cover_their_prefix_only() {
        let grant = StoreGrant::new("s3://bkt/p/q/", None, FsPerms::ReadWrite).expect("granted");
        assert_eq!(grant.name(), "s3://bkt/p/q");
        assert_eq!(grant.covers_url("s3://bkt/p/q/a.zarr"), Some(vec!["a.zarr".to_owned()]));
        assert_eq!(grant.covers_url("s3://bkt/p/q"), Some(vec![]));
        assert_eq!(grant.covers_url("s3://bkt/p/qq/a.zarr"), None);
        assert_eq!(grant.covers_url("s3://other/p/q/a.zarr"), None);
        assert_eq!(grant.covers_path("/p/q/a.zarr"), None);
        let named = StoreGrant::new("s3://bkt/p", Some("/lake"), FsPerms::ReadOnly).expect("granted");
        assert_eq!(named.covers_path("/lake/x/a.zarr"), Some(vec!["x".to_owned(), "a.zarr".to_owned()]));
        assert_eq!(named.covers_path("lake/a.zarr"), None);
        assert_eq!(named.covers_url("s3://bkt/p/a.zarr"), None);
    }

    #[test]
    fn keys_cannot_leave_the_prefix() {
        let grant = StoreGrant::new("s3://bkt/p", None, FsPerms::ReadWrite).expect("granted");
        let (located, _) = grant.locate("s3://bkt/p/a.zarr", &["a.zarr".to_owned()], Arc::default()).expect("located");
        assert_eq!(located.node, "/a.zarr");
        let err = located.storage.get(&StoreKey::new("a.zarr/../../q/x").expect("key")).expect_err("refused");
        let err = super::super::storage_error(&err);
        assert_eq!(err.grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(err.message(), "key 'a.zarr/../../q/x' leads outside its granted store prefix 's3://bkt/p'");
        let err =
            grant.locate("s3://bkt/p/../q", &["..".to_owned(), "q".to_owned()], Arc::default()).err().expect("refused");
        assert_eq!(err.message(), "path 's3://bkt/p/../q' leads outside its granted store prefix 's3://bkt/p'");
    }

    /// An object over its bound is refused with `io` naming the key, its size, the bound and the
    /// store, from the size its answer announces (no memory for the body); so are ranges asking
    /// more than the bound together; values within it read.
    #[test]
    fn values_over_their_bound_are_refused() {
        let storage = ObjectStorage {
            store: Arc::new(object_store::memory::InMemory::new()),
            base: "p".to_owned(),
            name: "s3://bkt/p".to_owned(),
            writable: true,
            deadline: Arc::default(),
            limit: Arc::default(),
        };
        storage.limit.set_chunk(1000);
        let k = StoreKey::new("a.zarr/c/0").expect("key");
        storage.set(&k, Bytes::from(vec![7u8; 1001])).expect("set");
        let err = super::super::storage_error(&storage.get(&k).expect_err("refused"));
        assert_eq!(err.code(), ErrorCode::Io);
        assert_eq!(
            err.message(),
            "chunk 'a.zarr/c/0' in s3://bkt/p is 1001 bytes, over the 1000 bytes one chunk of this array can take: \
             it was not written by this array's codecs"
        );
        let ranges = [ByteRange::FromStart(0, Some(600)), ByteRange::Suffix(600)];
        let err = storage.get_partial_many(&k, Box::new(ranges.into_iter())).err().expect("refused");
        assert!(super::super::storage_error(&err).message().starts_with("the ranges asked of chunk 'a.zarr/c/0'"));
        storage.set(&k, Bytes::from(vec![7u8; 1000])).expect("set");
        assert_eq!(storage.get(&k).expect("read").expect("there").len(), 1000);
        assert_eq!(storage.get_partial(&k, ByteRange::Suffix(10)).expect("read").expect("there").len(), 10);
    }
}
