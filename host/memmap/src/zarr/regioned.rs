//! What else could write an array given a write region, refused: `create-zarr` at the array, at a
//! directory or prefix holding it (which erases its chunks) or inside it, and a file opened for
//! writing beneath its directory (`memmap.open` in `r+`/`w+`, `create-npy` on a chunk key or its
//! `zarr.json`). A region limits what a plugin may change of the array; these paths would change
//! the rest of it without passing the region's check.
//!
//! Names are compared as written (normalised) and as what they reach: the directory each
//! location and its real parents are (a symbolic link or a second grant of the same directory
//! is the same array), or the object-store prefix.

use std::ops::Range;
use std::path::PathBuf;

use cap_std::fs::MetadataExt;

use super::store::{self, Identity, show_region};
use crate::ctx::MemmapCtx;
use crate::error::{Error, ErrorCode};
use crate::grants;

/// How deep a chain of real parents is followed (a path has at most this many names anyway).
const MAX_DEPTH: usize = 4096;

/// What `location` reaches and every real directory or prefix above it up to its grant's root,
/// nearest first; `true` when the first is `location` itself (it exists as a directory or is a
/// prefix), `false` when the chain starts at its nearest existing parent.
fn reach(ctx: &MemmapCtx, location: &str) -> (bool, Vec<Identity>) {
    if let Ok((_, Identity::Prefix { bucket, names })) = store::locate(ctx, location) {
        let chain =
            (0..=names.len()).rev().map(|k| Identity::Prefix { bucket: bucket.clone(), names: names[..k].to_vec() });
        return (true, chain.collect());
    }
    let Ok(resolved) = grants::resolve(&ctx.grants, location) else { return (false, Vec::new()) };
    let dir = resolved.grant.dir();
    let directory = |path: &PathBuf| match dir.metadata(path) {
        Ok(meta) if meta.is_dir() => Some(Identity::Directory { dev: meta.dev(), ino: meta.ino() }),
        _ => None,
    };
    let mut path = resolved.rest;
    if path.as_os_str().is_empty() {
        path.push(".");
    }
    // A last name that is a symbolic link stands for where it leads, even nowhere yet (`w+`
    // creates the file it names).
    for _ in 0..40 {
        let link = dir.symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        match dir.read_link(&path) {
            Ok(target) if link && target.is_relative() => {
                path.pop();
                path.push(target);
            }
            _ => break,
        }
    }
    // The nearest existing directory, by names: a name that does not exist (yet) is no link.
    let mut itself = true;
    while directory(&path).is_none() {
        itself = false;
        if !path.pop() || path.as_os_str().is_empty() {
            path = PathBuf::from(".");
            break;
        }
    }
    // Then its real parents: `..` after a symbolic link is the link target's parent.
    let mut chain = Vec::new();
    while let Some(identity) = directory(&path) {
        if chain.contains(&identity) || chain.len() >= MAX_DEPTH {
            break;
        }
        chain.push(identity);
        path.push("..");
    }
    (itself, chain)
}

/// Whether the normalised `outer` names `inner` or a directory or prefix above it.
fn lexically_holds(outer: &str, inner: &str) -> bool {
    inner == outer
        || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
        || (outer == "." && !inner.starts_with('/') && !inner.starts_with("s3://"))
        || (outer == "/" && inner.starts_with('/'))
}

/// The refusal of a write to `what` of the array `name` limited to `region`.
fn refused(what: &str, name: &str, region: &[Range<u64>]) -> Error {
    Error::new(
        ErrorCode::AccessDenied,
        format!(
            "{what} the Zarr array '{name}', which this plugin may write only inside the region {} (through open-zarr); nothing was written",
            show_region(region)
        ),
    )
}

/// Refuses `create-zarr` at `location` (normalised, and named as its region when it is an
/// array given one: `resolved`) when it is, holds or lies inside an array given a write region.
///
/// # Errors
/// `access-denied` naming the array and its region.
pub(crate) fn check_create(ctx: &MemmapCtx, location: &str, resolved: &str) -> Result<(), Error> {
    let regioned = ctx.stores.regioned();
    if regioned.is_empty() {
        return Ok(());
    }
    let (exists, mine) = reach(ctx, location);
    let normal = store::normalise(location)?;
    for (name, region) in regioned {
        let (array_exists, theirs) = reach(ctx, name);
        let same = resolved == name || normal == name;
        let holds = lexically_holds(&normal, name) || (exists && mine.first().is_some_and(|m| theirs.contains(m)));
        let inside =
            lexically_holds(name, &normal) || (array_exists && theirs.first().is_some_and(|t| mine.contains(t)));
        if same || (holds && inside) {
            return Err(refused(&format!("create-zarr at '{location}' would replace"), name, region));
        }
        if holds {
            return Err(refused(&format!("create-zarr at '{location}' would erase"), name, region));
        }
        if inside {
            return Err(refused(&format!("create-zarr at '{location}' would write inside"), name, region));
        }
    }
    Ok(())
}

/// Refuses opening the file `path` for writing when it lies beneath the directory of an array
/// given a write region (a chunk, its `zarr.json`).
///
/// # Errors
/// `access-denied` naming the array and its region.
pub(crate) fn check_file_write(ctx: &MemmapCtx, path: &str) -> Result<(), Error> {
    let regioned = ctx.stores.regioned();
    if regioned.is_empty() {
        return Ok(());
    }
    // The file's directory and the real ones above it (the file itself is no directory).
    let (_, mine) = reach(ctx, path);
    let normal = store::normalise(path)?;
    for (name, region) in regioned {
        let (array_exists, theirs) = reach(ctx, name);
        let inside =
            lexically_holds(name, &normal) || (array_exists && theirs.first().is_some_and(|t| mine.contains(t)));
        if inside {
            return Err(refused(&format!("opening '{path}' for writing would change"), name, region));
        }
    }
    Ok(())
}
