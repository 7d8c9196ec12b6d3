//! The directories a plugin may reach, and how a guest path resolves inside them.
//!
//! A guest path is matched against the guest names of the grants the way WASI's preopens are: a
//! relative path (`"mymmap"`, `"data/x"`) against the grant named `"."` or a relative grant name that
//! prefixes it, an absolute path (`"/data/x"`) against an absolute grant name. The rest of the path
//! is opened beneath the grant's directory by cap-std, which refuses every way out: `..` past the
//! grant, absolute paths, and symbolic links that lead outside.

use std::path::{Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use wasmtime_wasi::FsPerms;

use crate::error::{Error, ErrorCode, quoted};

/// POSIX's `PATH_MAX` on Linux: a path the kernel accepts has fewer bytes than this (the count
/// includes the terminating NUL). Longer guest paths are refused before anything is built from
/// them.
pub(crate) const PATH_MAX: usize = 4096;

/// Refuses a path of [`PATH_MAX`] bytes or more, as the kernel would (`ENAMETOOLONG`, Python's
/// `OSError: [Errno 36] File name too long`), before the host splits, copies or resolves it: the
/// first check of every call that takes a path.
///
/// # Errors
/// `io` (numpy raises `OSError`), quoting the start of the path and its length.
pub(crate) fn check_path(path: &str) -> Result<(), Error> {
    if path.len() < PATH_MAX {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::Io,
        format!(
            "[Errno {}] File name too long: '{}'; a path must be shorter than PATH_MAX ({PATH_MAX} bytes)",
            libc::ENAMETOOLONG,
            quoted(path)
        ),
    ))
}

/// A host directory a plugin may reach under the name `guest`.
pub(crate) struct Grant {
    dir: Dir,
    guest: String,
    absolute: bool,
    prefix: Vec<String>,
    perms: FsPerms,
}

/// A guest path resolved to a grant and the path beneath it.
pub(crate) struct Resolved<'a> {
    pub grant: &'a Grant,
    pub rest: PathBuf,
}

/// A path split into its names: `.` and empty components dropped, `..` kept for cap-std to judge.
/// Borrows from `path`: splitting a guest's path allocates nothing (1f22ff2 made a `String` per name).
fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

impl Grant {
    /// Opens `host` (like `std::fs::File::open` on a directory; needs ambient authority, which only
    /// the embedder has) to be reached by guests as `guest`.
    pub(crate) fn open(host: &Path, guest: &str, perms: FsPerms) -> std::io::Result<Self> {
        Ok(Self::from_dir(Dir::open_ambient_dir(host, ambient_authority())?, guest, perms))
    }

    /// The already opened `dir`, to be reached by guests as `guest`.
    pub(crate) fn from_dir(dir: Dir, guest: &str, perms: FsPerms) -> Self {
        Self {
            dir,
            guest: guest.to_owned(),
            absolute: guest.starts_with('/'),
            prefix: components(guest).map(str::to_owned).collect(),
            perms,
        }
    }

    pub(crate) fn dir(&self) -> &Dir {
        &self.dir
    }

    pub(crate) fn writable(&self) -> bool {
        matches!(self.perms, FsPerms::ReadWrite)
    }
}

/// Finds the grant for `path`: the one whose guest name is the longest prefix of it.
///
/// # Errors
/// `io` for a path of [`PATH_MAX`] bytes or more ([`check_path`]); `access-denied` when no grant
/// covers the path.
pub(crate) fn resolve<'a>(grants: &'a [Grant], path: &str) -> Result<Resolved<'a>, Error> {
    check_path(path)?;
    let absolute = path.starts_with('/');
    let covers = |g: &Grant| {
        let mut parts = components(path);
        g.prefix.iter().all(|p| parts.next() == Some(p.as_str()))
    };
    let best = grants.iter().filter(|g| g.absolute == absolute && covers(g)).max_by_key(|g| g.prefix.len());
    match best {
        Some(grant) => {
            let rest: PathBuf = components(path).skip(grant.prefix.len()).collect();
            // The grant's directory itself: cap-std names it ".", not "".
            let rest = if rest.as_os_str().is_empty() { PathBuf::from(".") } else { rest };
            Ok(Resolved { grant, rest })
        }
        None => Err(Error::new(ErrorCode::AccessDenied, not_granted_message(grants, path))),
    }
}

fn not_granted_message(grants: &[Grant], path: &str) -> String {
    if grants.is_empty() {
        return format!(
            "path '{}' is not inside a granted directory (no directory is granted; grant one with --dir or --ro-dir)",
            quoted(path)
        );
    }
    let names: Vec<String> = grants.iter().map(|g| format!("'{}'", g.guest)).collect();
    format!(
        "path '{}' is not inside a granted directory (granted: {}); grant its directory with --dir or --ro-dir",
        quoted(path),
        names.join(", ")
    )
}

/// The refusal of a writing `mode` (`r+`, `w+`) under a read-only grant, naming what would allow it.
pub(crate) fn read_only_message(path: &str, grant: &Grant, mode: &str) -> String {
    format!(
        "path '{}' is in the read-only grant '{}'; mode '{mode}' needs a read-write grant (--dir instead of --ro-dir, or FsPerms::ReadWrite); modes 'r' and 'c' work here",
        quoted(path),
        grant.guest
    )
}

/// The one message for every attempt to leave a grant, whether by `..`, an absolute path inside
/// the rest, or a symbolic link.
pub(crate) fn escape_message(path: &str, grant: &Grant) -> String {
    format!(
        "path '{}' leads outside its granted directory '{}'; grant the directory it leads to with --dir or --ro-dir",
        quoted(path),
        grant.guest
    )
}

/// Whether `err` is cap-std's refusal of a path that leaves the directory, as opposed to the OS's
/// own `EACCES`: cap-std reports escapes as a `PermissionDenied` error without an OS error number.
pub(crate) fn is_escape(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::PermissionDenied && err.raw_os_error().is_none()
}
