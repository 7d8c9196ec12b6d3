//! Which directory grants WASI gets read-only because a write region (`--region`) lies beneath
//! them: `memmap` checks a region on its own write paths only, so a plugin that could write the
//! array's chunk files or `zarr.json` through WASI (`open(path, 'wb')`) would bypass it.

use std::path::PathBuf;

use wasm_memmap_host::FsPerms;

use super::DirGrant;
use super::protect::{Opened, Reach};
use crate::stores::WriteRegion;

/// The permissions WASI gets for each of `dirs` (opened as `opened`): a read-write grant that
/// contains, lies inside or (through a symbolic link in it) reaches the directory of an array of
/// `regions` becomes read-only to WASI, while `memmap` keeps it read-write so that the region's
/// own writes still go through `open-zarr`. A region on an object store (`s3://...`) or under a
/// name no directory grant covers leaves every grant as it is.
///
/// # Errors
/// An error resolving an array's host path (as [`Opened::reaches`] reports it).
pub(super) fn wasi_perms(
    dirs: &[DirGrant],
    opened: &[Opened],
    regions: &[WriteRegion],
) -> std::io::Result<Vec<FsPerms>> {
    let arrays: Vec<PathBuf> = regions.iter().filter_map(|r| array_path(dirs, opened, &r.location)).collect();
    dirs.iter()
        .zip(opened)
        .map(|(grant, dir)| {
            if matches!(grant.perms, FsPerms::ReadOnly) {
                return Ok(FsPerms::ReadOnly);
            }
            for array in &arrays {
                if dir.reaches(array)? != Reach::No {
                    return Ok(FsPerms::ReadOnly);
                }
            }
            Ok(grant.perms)
        })
        .collect()
}

/// The host path of the array the plugin names `location`, found as `memmap` finds it: the grant
/// whose guest name is the longest prefix of it (both absolute or both relative, name by name).
fn array_path(dirs: &[DirGrant], opened: &[Opened], location: &str) -> Option<PathBuf> {
    if location.contains("://") {
        return None;
    }
    let names =
        |path: &str| path.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_owned).collect::<Vec<_>>();
    let wanted = names(location);
    let absolute = location.starts_with('/');
    let (dir, prefix) = dirs
        .iter()
        .zip(opened)
        .map(|(grant, dir)| (grant, dir, names(&grant.guest)))
        .filter(|(grant, _, prefix)| grant.guest.starts_with('/') == absolute && wanted.starts_with(prefix))
        .max_by_key(|(_, _, prefix)| prefix.len())
        .map(|(_, dir, prefix)| (dir, prefix.len()))?;
    Some(wanted[prefix..].iter().fold(dir.real().to_path_buf(), |path, name| path.join(name)))
}
