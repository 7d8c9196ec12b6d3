//! Directories no plugin may be granted: the compile cache (and any other the embedder names), whose
//! files are machine code the host runs. A grant is refused when it contains a protected directory
//! or lies inside one, whether or not the protected directory exists yet: a plugin granted `$HOME`
//! could otherwise create `~/.cache/wasm-memmap/` and plant code there for the next run.

use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

/// A grant refused because it would give a plugin write access to a protected directory (or, for
/// a read-only grant, the key that authenticates its entries). The message names both directories
/// and no CLI flag; an embedder adds how its users move the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedDirGranted {
    /// The grant as given.
    pub grant: PathBuf,
    /// The protected directory it contains or lies inside, as given.
    pub protected: PathBuf,
}

impl std::fmt::Display for ProtectedDirGranted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "granting {} would let the plugin write the compile cache {}: a grant may neither contain nor lie inside a compile cache, whose files are machine code this host runs; grant a directory outside it, or keep the compile cache elsewhere",
            self.grant.display(),
            self.protected.display()
        )
    }
}

impl std::error::Error for ProtectedDirGranted {}

/// `path` made absolute, with every existing prefix resolved by the kernel (`realpath`: symbolic
/// links and `..` followed as an `open` would follow them) and the part that does not exist yet
/// normalised lexically (`.` dropped, `..` removing the previous name). This is the path the
/// directory will have once created, unless someone who can write one of its existing parents
/// swaps a name meanwhile, and such a writer is refused as a grant by the same check.
pub(crate) fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut missing = Vec::new();
    let mut base = absolute.as_path();
    let resolved = loop {
        match base.canonicalize() {
            Ok(real) => break real,
            Err(_) => match (base.parent(), base.components().next_back()) {
                (Some(parent), Some(last)) => {
                    missing.push(last);
                    base = parent;
                }
                // The root itself did not resolve: keep the path as written.
                _ => break base.to_path_buf(),
            },
        }
    };
    let mut out = resolved;
    for component in missing.into_iter().rev() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => out.push(name),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Ok(out)
}

/// The (device, inode) of `path`, if it exists.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether granting `grant` (an existing directory) would reach `protected`: the grant contains it
/// or lies inside it. Compared both as resolved paths and by (device, inode) of every existing
/// ancestor, so a second name for the same directory (a bind mount, a hard-linked path) is caught
/// too.
pub(crate) fn reaches(grant: &Path, protected: &Path) -> std::io::Result<bool> {
    let grant = grant.canonicalize()?;
    let protected = resolve(protected)?;
    if protected.starts_with(&grant) || grant.starts_with(&protected) {
        return Ok(true);
    }
    let grant_id = file_id(&grant);
    // The grant contains the protected directory: the grant is one of its existing ancestors.
    if grant_id.is_some() && protected.ancestors().any(|a| file_id(a) == grant_id) {
        return Ok(true);
    }
    // The grant lies inside the protected directory: the protected directory is one of the grant's
    // ancestors (only possible when it exists).
    let protected_id = file_id(&protected);
    Ok(protected_id.is_some() && grant.ancestors().any(|a| file_id(a) == protected_id))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn resolve_follows_links_in_the_existing_part_and_normalises_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("a")).unwrap();
        std::os::unix::fs::symlink(real.join("a"), real.join("link")).unwrap();
        assert_eq!(resolve(&real.join("link/x/y")).unwrap(), real.join("a/x/y"));
        assert_eq!(resolve(&real.join("link/x/../y/./z")).unwrap(), real.join("a/y/z"));
        assert_eq!(resolve(&real.join("a/../link/x")).unwrap(), real.join("a/x"));
    }

    #[test]
    fn a_grant_containing_or_inside_a_protected_directory_reaches_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().canonicalize().unwrap();
        let cache = home.join(".cache/wasm-memmap");
        // Not created yet: $HOME and $HOME/.cache reach it, a sibling does not.
        std::fs::create_dir(home.join("data")).unwrap();
        assert!(reaches(&home, &cache).unwrap());
        assert!(!reaches(&home.join("data"), &cache).unwrap());
        std::fs::create_dir_all(cache.join("sub")).unwrap();
        assert!(reaches(&home.join(".cache"), &cache).unwrap());
        assert!(reaches(&cache, &cache).unwrap());
        assert!(reaches(&cache.join("sub"), &cache).unwrap());
        // Through a symbolic link to the cache, and the protected path given through `..`.
        std::os::unix::fs::symlink(&cache, home.join("data/c")).unwrap();
        assert!(reaches(&home.join("data/c"), &cache).unwrap());
        assert!(reaches(&home.join("data/c/sub"), &cache).unwrap());
        assert!(!reaches(&home.join("data"), &home.join("data/../.cache/wasm-memmap")).unwrap());
        assert!(reaches(&home.join(".cache"), &home.join("data/../.cache/wasm-memmap/new")).unwrap());
        // A name sharing a prefix is not inside.
        std::fs::create_dir(home.join(".cache/wasm-memmap2")).unwrap();
        assert!(!reaches(&home.join(".cache/wasm-memmap2"), &cache).unwrap());
    }
}
