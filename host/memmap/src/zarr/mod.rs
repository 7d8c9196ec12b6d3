//! Zarr v3 arrays behind the same `memmap` resource as mapped files (WIT `open-zarr`,
//! `create-zarr`, `chunks`):
//!
//! - `store/`: where they may be (granted directories through cap-std, granted object-store
//!   prefixes), and the write regions the embedder gave.
//! - `open.rs`: `open-zarr` and `create-zarr`, Zarr metadata to numpy dtypes and back.
//! - `array.rs`: [`ZarrArray`](array::ZarrArray), the array as the virtual C-order bytes every
//!   data path of the crate reads and writes (see `backing.rs`), with the chunk cache's policy:
//!   loading (in parallel), eviction (storing a changed chunk first), flushing, mode `c`.
//! - `linear.rs`: a byte range of the virtual space cut into runs inside chunks.
//! - `chunks.rs`: the least-recently-used cache of decoded chunks.
//! - `regioned.rs`: `create-zarr` and file writes that would bypass a write region, refused.
//! - `bounded.rs`: a chunk's encoded bytes checked against decompression bombs before decoding.
pub(crate) mod array;
mod bounded;
mod chunks;
mod linear;
pub(crate) mod open;
pub(crate) mod regioned;
pub(crate) mod store;
#[cfg(test)]
mod tests;
