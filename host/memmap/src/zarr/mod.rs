//! Zarr v3 arrays behind the same `memmap` resource as mapped files (WIT `open-zarr`,
//! `create-zarr`): where they may be (`store.rs`: granted directories and object-store prefixes).
pub(crate) mod array;
mod chunks;
mod linear;
pub(crate) mod open;
pub(crate) mod store;
#[cfg(test)]
mod tests;
