//! Where a plugin's Zarr arrays may live: beneath a granted directory or a granted object-store
//! prefix. (Contract stub: the store engineer replaces the bodies.)

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use wasmtime_wasi::FsPerms;

use crate::ctx::MemmapCtx;
use crate::error::Error;

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

/// A plugin's Zarr location resolved to a store and the array's node in it.
pub(crate) struct ZarrLocation {
    /// The store, already narrowed to the grant (keys outside it cannot be named).
    pub storage: Storage,
    /// The array's node path in `storage`, as zarrs takes it (`"/"` or `"/a.zarr"`).
    pub node: String,
    /// The store as error messages name it (`"s3://bucket/prefix"`, `"directory 'data'"`).
    pub store: String,
    /// The location as the plugin gave it, normalised: the key of [`StoreGrants::region`].
    pub location: String,
    /// Whether the grant allows writes.
    pub writable: bool,
    /// The deadline every request of this array obeys.
    pub deadline: Arc<StoreDeadline>,
}

/// The object-store prefixes granted to one plugin and the write regions of its arrays.
#[derive(Default)]
pub(crate) struct StoreGrants {}

impl StoreGrants {
    /// Grants the object-store prefix `url` (`s3://bucket/prefix`), reached by the plugin as
    /// `url` itself or, with `guest`, under that name.
    pub(crate) fn grant(&mut self, url: &str, guest: Option<&str>, perms: FsPerms) -> Result<(), Error> {
        let _ = (url, guest, perms);
        Err(Error::invalid("object stores are not implemented yet"))
    }

    /// Limits writes to the array at `location` to `region` (one range of indices per axis).
    pub(crate) fn restrict(&mut self, location: &str, region: Vec<Range<u64>>) -> Result<(), Error> {
        let _ = (location, region);
        Err(Error::invalid("write regions are not implemented yet"))
    }

    /// The write region of the array at the normalised `location`, if one was granted.
    pub(crate) fn region(&self, location: &str) -> Option<&[Range<u64>]> {
        let _ = location;
        None
    }
}

/// Resolves a plugin's `location` against the directory grants and the store grants of `ctx`.
pub(crate) fn resolve(ctx: &MemmapCtx, location: &str) -> Result<ZarrLocation, Error> {
    let _ = (ctx, location);
    Err(Error::invalid("Zarr locations are not implemented yet"))
}
