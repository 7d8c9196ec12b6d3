//! The host side of a `memmap` resource handle.

use std::sync::Arc;

use crate::backing::Backing;
use crate::generated::types::{Dtype, Mode, Order};
use crate::layout::Layout;

/// What `open` was given; shared by a map and its views, which report it (like numpy's views keep
/// their base's `filename`, `offset` and `mode`).
#[derive(Debug)]
pub(crate) struct FileOrigin {
    pub path: String,
    pub dtype: Dtype,
    pub mode: Mode,
    pub offset: u64,
    pub order: Order,
}

/// The value behind a guest's `memmap` handle in the `ResourceTable`: one `np.memmap` object of
/// the plugin (a map it opened, or a view of one), that is a layout over a shared [`Backing`] (a
/// mapped file or a Zarr array).
/// Named after the WIT resource, as bindgen needs; hidden from the documentation
/// (embedders never handle one), as wasi-keyvalue hides its `Bucket`.
///
/// Dropping it flushes the mapping (`msync`, when it was written). A Zarr array's changed chunks
/// are stored by the drop of the array itself, when its last handle goes: a view's drop stores
/// nothing (it would store every dirty chunk again, a `put` each). That runs both when the guest
/// drops its handle and when the `ResourceTable` is dropped with the `Store` at the end of an
/// instance, including after a trap, so a plugin cannot lose data by forgetting a handle or crashing.
pub struct Memmap {
    map: Backing,
    origin: Arc<FileOrigin>,
    layout: Layout,
}

impl Memmap {
    pub(crate) fn new(map: Backing, origin: Arc<FileOrigin>, layout: Layout) -> Self {
        map.stats().handle_opened();
        Self { map, origin, layout }
    }

    /// The array's shape, like `a.shape`.
    pub fn shape(&self) -> &[u64] {
        self.layout.shape()
    }

    /// The path the plugin opened the file by (numpy's `a.filename`, but as the plugin named it).
    pub fn path(&self) -> &str {
        &self.origin.path
    }

    /// The bytes behind the handle; clone it to keep them alive past the call (a lent range, a
    /// window that must keep its file open, a write reading the plugin's memory in place).
    pub(crate) fn map(&self) -> &Backing {
        &self.map
    }

    pub(crate) fn origin(&self) -> &FileOrigin {
        &self.origin
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// A view sharing this handle's mapping.
    pub(crate) fn with_layout(&self, layout: Layout) -> Self {
        Self::new(self.map.clone(), Arc::clone(&self.origin), layout)
    }
}

impl Drop for Memmap {
    fn drop(&mut self) {
        // A file's `msync` of clean pages costs nothing; a Zarr array flushes in its own drop.
        if self.map.file().is_some()
            && let Err(e) = self.map.flush()
        {
            tracing::error!(path = %self.origin.path, error = %e, "flushing a dropped memmap handle failed");
        }
        self.map.stats().handle_closed();
    }
}

impl std::fmt::Debug for Memmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memmap").field("origin", &self.origin).field("layout", &self.layout).finish()
    }
}
