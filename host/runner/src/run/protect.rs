//! Directories no plugin may be granted: the compile cache (and any other the embedder names), whose
//! files are machine code the host runs. A grant is refused when it contains a protected directory
//! or lies inside one, whether or not the protected directory exists yet: a plugin granted `$HOME`
//! could otherwise create `~/.cache/wasm-memmap/` and plant code there for the next run. It is
//! refused too when the protected directory's path passes through a symbolic link inside the grant
//! (`XDG_CACHE_HOME=/data/cache`, a link to `~/.cache`, with `/data` granted): the plugin could
//! point the link at a directory of its own and fill the next run's cache.
//!
//! Each grant is opened once ([`Opened::open`]) and the opened directory is what is checked and what
//! the plugin gets, through WASI and `memmap` alike: checking a name and then opening it again would
//! let anyone who can rename entries on the way (another plugin with a grant above it) swap in a
//! link to the cache between the check and the open.

use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

/// POSIX's `PATH_MAX` on Linux: a path the kernel accepts has fewer bytes than this.
const PATH_MAX: usize = 4096;
/// The most directories walked up from one directory to the root (each step is a name at least two
/// bytes long in a path shorter than `PATH_MAX`): bounds the walk on a file system that loops.
const MAX_DEPTH: usize = PATH_MAX / 2;

/// A grant refused because it would give a plugin write access to a protected directory (or, for
/// a read-only grant, the key that authenticates its entries). The message names both directories
/// and no CLI flag; an embedder adds how its users move the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedDirGranted {
    /// The grant as given.
    pub grant: PathBuf,
    /// The protected directory it contains or lies inside, as given.
    pub protected: PathBuf,
    /// The symbolic link inside the grant that the protected directory's path passes through, when
    /// that is why the grant is refused (the plugin could point it elsewhere).
    pub link: Option<PathBuf>,
}

impl std::fmt::Display for ProtectedDirGranted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "granting {} would let the plugin write the compile cache {}: ",
            self.grant.display(),
            self.protected.display()
        )?;
        if let Some(link) = &self.link {
            write!(
                f,
                "its path passes through the symbolic link {}, which the plugin could point at a directory of its own; ",
                link.display()
            )?;
        }
        f.write_str("a grant may neither contain nor lie inside a compile cache, nor hold a symbolic link on its path, whose files are machine code this host runs; grant a directory outside it, or keep the compile cache elsewhere")
    }
}

impl std::error::Error for ProtectedDirGranted {}

/// A directory's (device, inode): its identity whatever name reaches it.
type FileId = (u64, u64);

fn id_of(metadata: &std::fs::Metadata) -> FileId {
    (metadata.dev(), metadata.ino())
}

/// Opens `path` as a directory (`O_DIRECTORY`, following links as any open does) only to look at it
/// (`O_PATH`: no read permission needed, as none is to walk a path).
fn open_dir_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC).open(path)
}

/// The identities of `dir` and of every directory above it up to the root, found through `..` of
/// the opened directories (`/proc/self/fd/N/..`), not through names: nobody can rename the answer
/// away while it is computed.
fn lineage(dir: std::fs::File) -> std::io::Result<Vec<FileId>> {
    let mut ids = vec![id_of(&dir.metadata()?)];
    let mut current = dir;
    for _ in 0..MAX_DEPTH {
        let parent = open_dir_file(&fd_path(current.as_raw_fd()).join(".."))?;
        let id = id_of(&parent.metadata()?);
        // The root is its own parent.
        if ids.last() == Some(&id) {
            return Ok(ids);
        }
        ids.push(id);
        current = parent;
    }
    Ok(ids)
}

/// The name under `/proc/self/fd` of this process's descriptor `fd`: opening it reopens the very
/// directory the descriptor holds (the kernel follows the descriptor, not a name).
fn fd_path(fd: std::os::fd::RawFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{fd}"))
}

/// The lineage of the deepest existing directory of `path` (a resolved path), and whether that is
/// `path` itself.
fn existing_lineage(path: &Path) -> std::io::Result<(Vec<FileId>, bool)> {
    for (depth, ancestor) in path.ancestors().enumerate() {
        if let Ok(dir) = open_dir_file(ancestor) {
            return Ok((lineage(dir)?, depth == 0));
        }
    }
    Ok((Vec::new(), false))
}

/// A granted directory, opened once: the descriptor the checks look at and the plugin gets.
pub(crate) struct Opened {
    dir: Dir,
    /// The kernel's name for it when opened (`/proc/self/fd/N`'s target): for comparing paths.
    real: PathBuf,
    /// Its identity and those of the directories above it.
    lineage: Vec<FileId>,
}

/// Why a grant reaches a protected directory.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// It does not.
    No,
    /// It contains it or lies inside it.
    Directly,
    /// The protected directory's path passes through this symbolic link inside the grant.
    Link(PathBuf),
}

impl Opened {
    /// Opens `host` (an ambient open, like `std::fs::File::open` on a directory).
    pub(crate) fn open(host: &Path) -> std::io::Result<Self> {
        let dir = Dir::open_ambient_dir(host, ambient_authority())?;
        let path = fd_path(dir.as_raw_fd());
        let real = std::fs::read_link(&path)?;
        let lineage = lineage(open_dir_file(&path)?)?;
        Ok(Self { dir, real, lineage })
    }

    /// `/proc/self/fd/N` for the opened directory: the name to give an API that opens a path (WASI's
    /// `preopened_dir`) so that it opens this same directory. Valid while `self` lives.
    pub(crate) fn proc_path(&self) -> PathBuf {
        fd_path(self.dir.as_raw_fd())
    }

    /// Checks that [`Self::proc_path`] reopens this directory (`/proc` is mounted and is the
    /// kernel's), so that what is handed on by that name is what was checked.
    pub(crate) fn verify_proc_path(&self) -> std::io::Result<()> {
        let reopened = id_of(&std::fs::metadata(self.proc_path())?);
        if self.lineage.first() == Some(&reopened) {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "{} does not reopen the granted directory (is /proc mounted?)",
                self.proc_path().display()
            )))
        }
    }

    /// The kernel's name for the directory when it was opened.
    pub(crate) fn real(&self) -> &Path {
        &self.real
    }

    /// The opened directory, for `memmap`.
    pub(crate) fn into_dir(self) -> Dir {
        self.dir
    }

    /// Whether granting this directory would reach `protected` (existing or not): compared by
    /// resolved paths and by the (device, inode) of the directories above each, so that a second
    /// name (a bind mount, a link) is caught too; and whether `protected`'s path as written passes
    /// through a symbolic link in a directory inside this one.
    pub(crate) fn reaches(&self, protected: &Path) -> std::io::Result<Reach> {
        let Some(&id) = self.lineage.first() else { return Ok(Reach::No) };
        let resolved = resolve(protected)?;
        if resolved.starts_with(&self.real) || self.real.starts_with(&resolved) {
            return Ok(Reach::Directly);
        }
        let (above, exists) = existing_lineage(&resolved)?;
        // The grant contains the protected directory, or the deepest part of its path that exists.
        if above.contains(&id) {
            return Ok(Reach::Directly);
        }
        // The grant lies inside the protected directory.
        if exists && above.first().is_some_and(|p| self.lineage.contains(p)) {
            return Ok(Reach::Directly);
        }
        let absolute = std::path::absolute(protected)?;
        for ancestor in absolute.ancestors() {
            if !std::fs::symlink_metadata(ancestor).is_ok_and(|m| m.file_type().is_symlink()) {
                continue;
            }
            let Some(parent) = ancestor.parent().and_then(|parent| open_dir_file(parent).ok()) else { continue };
            if lineage(parent)?.contains(&id) {
                return Ok(Reach::Link(ancestor.to_path_buf()));
            }
        }
        Ok(Reach::No)
    }
}

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn reaches(grant: &Path, protected: &Path) -> std::io::Result<bool> {
        Ok(Opened::open(grant)?.reaches(protected)? != Reach::No)
    }

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

    #[test]
    fn a_symbolic_link_on_the_protected_path_inside_the_grant_reaches_it() {
        // XDG_CACHE_HOME=/data/cache, a link to ~/.cache, and /data granted: the plugin could point
        // the link at a directory of its own, which the next run would take for its cache.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let (home, data) = (root.join("home"), root.join("data"));
        std::fs::create_dir_all(home.join(".cache/wasm-memmap")).unwrap();
        std::fs::create_dir_all(data.join("sub")).unwrap();
        std::os::unix::fs::symlink(home.join(".cache"), data.join("cache")).unwrap();
        let protected = data.join("cache/wasm-memmap");
        let opened = Opened::open(&data).unwrap();
        assert_eq!(opened.reaches(&protected).unwrap(), Reach::Link(data.join("cache")));
        // Not yet created behind the link: refused all the same.
        assert_eq!(opened.reaches(&data.join("cache/other/wasm-memmap")).unwrap(), Reach::Link(data.join("cache")));
        // A sibling of the link, and the link's target's neighbour, do not hold it.
        assert_eq!(Opened::open(&data.join("sub")).unwrap().reaches(&protected).unwrap(), Reach::No);
        std::fs::create_dir(home.join("other")).unwrap();
        assert_eq!(Opened::open(&home.join("other")).unwrap().reaches(&protected).unwrap(), Reach::No);
        // The link's target still reaches it directly.
        assert_eq!(Opened::open(&home.join(".cache")).unwrap().reaches(&protected).unwrap(), Reach::Directly);
    }

    #[test]
    fn the_opened_directory_is_what_is_checked_and_handed_on_whatever_its_name_becomes() {
        // The race: a plugin that can write `data` swaps `data/x` for a link to the cache between
        // the check of a grant of `data/x` and its open. Here the open comes first and the checks
        // and both consumers use the descriptor, so the swap after it changes nothing.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let cache = root.join("home/.cache/wasm-memmap");
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::create_dir_all(root.join("data/x")).unwrap();
        let opened = Opened::open(&root.join("data/x")).unwrap();
        std::fs::rename(root.join("data/x"), root.join("data/moved")).unwrap();
        std::os::unix::fs::symlink(&cache, root.join("data/x")).unwrap();
        assert_eq!(opened.reaches(&cache).unwrap(), Reach::No);
        opened.verify_proc_path().unwrap();
        // What WASI opens by the descriptor's name is the directory opened, not the cache.
        std::fs::write(opened.proc_path().join("planted"), b"x").unwrap();
        assert!(root.join("data/moved/planted").exists());
        assert!(!cache.join("planted").exists());
        // And memmap gets the same descriptor.
        let dir = opened.into_dir();
        assert!(dir.exists("planted"));
        // Opened after the swap, the name is the cache, and refused.
        assert_eq!(Opened::open(&root.join("data/x")).unwrap().reaches(&cache).unwrap(), Reach::Directly);
    }
}
