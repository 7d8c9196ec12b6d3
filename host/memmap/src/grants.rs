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

use crate::error::{Error, ErrorCode, GrantRefusal, quoted};

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

    /// The name guests reach this directory by, as granted (`"."`, `"data"`, `"/data"`).
    pub(crate) fn guest(&self) -> &str {
        &self.guest
    }

    /// How many names of a guest path this grant's name takes (`"/data/x"` under `"/data"`: 1), to
    /// compare it with a store grant covering the same path.
    pub(crate) fn prefix_len(&self) -> usize {
        self.prefix.len()
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
        None => Err(Error::refused(GrantRefusal::NotGranted, not_granted_message(grants, path))),
    }
}

/// The refusal of a path no grant covers: names the grants by the names the guest knows them by,
/// and, when the path is relative but every grant has an absolute name (as a directory granted
/// without a guest name of its own often has: its host path), how the guest reaches the file.
fn not_granted_message(grants: &[Grant], path: &str) -> String {
    let shown = quoted(path);
    if grants.is_empty() {
        return format!("path '{shown}' is not inside a granted directory (no directory is granted)");
    }
    let names: Vec<String> = grants.iter().map(|g| format!("'{}'", g.guest)).collect();
    let mut message = format!("path '{shown}' is not inside a granted directory (granted: {})", names.join(", "));
    let relative = !path.starts_with('/');
    if relative && grants.iter().all(|g| g.absolute) {
        let first = grants[0].guest.trim_end_matches('/');
        message.push_str(&format!(
            "; a relative path reaches only a directory granted as '.' or under a relative name, and these are granted under absolute names: name the file by its granted directory, as in '{first}/{shown}'"
        ));
    }
    message
}

/// The refusal of a writing `mode` (`r+`, `w+`) under a read-only grant.
pub(crate) fn read_only_error(path: &str, grant: &Grant, mode: &str) -> Error {
    Error::refused(
        GrantRefusal::ReadOnly,
        format!(
            "path '{}' is in the read-only grant '{}'; mode '{mode}' needs a read-write grant; modes 'r' and 'c' work here",
            quoted(path),
            grant.guest
        ),
    )
}

/// The one refusal of every attempt to leave a grant, whether by `..`, an absolute path inside the
/// rest, or a symbolic link.
pub(crate) fn escape_error(path: &str, grant: &Grant) -> Error {
    leads_outside(path, &grant.guest)
}

/// [`escape_error`] for a grant known by its guest name only (a Zarr store holds a clone of the
/// grant's directory, not the grant).
pub(crate) fn leads_outside(path: &str, guest: &str) -> Error {
    Error::refused(
        GrantRefusal::LeadsOutside,
        format!("path '{}' leads outside its granted directory '{}'", quoted(path), guest),
    )
}

/// The refusal of a write (a Zarr chunk or metadata stored, erased) beneath a read-only grant
/// named `guest`: [`read_only_error`] for a call that has no mode of its own.
pub(crate) fn read_only_write(path: &str, guest: &str) -> Error {
    Error::refused(
        GrantRefusal::ReadOnly,
        format!("path '{}' is in the read-only grant '{guest}'; writing it needs a read-write grant", quoted(path)),
    )
}

/// Whether `err` is cap-std's refusal of a path that leaves the directory, as opposed to the OS's
/// own `EACCES`: cap-std reports escapes as a `PermissionDenied` error without an OS error number.
pub(crate) fn is_escape(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::PermissionDenied && err.raw_os_error().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(names: &[&str]) -> Vec<Grant> {
        let dir = std::env::temp_dir();
        names.iter().map(|n| Grant::open(&dir, n, FsPerms::ReadOnly).expect("open")).collect()
    }

    fn refusal(grants: &[Grant], path: &str) -> Error {
        resolve(grants, path).err().expect("refused")
    }

    /// A directory granted under an absolute name (here its host path, as when no guest name is
    /// given) and a relative path: the message says how the guest names the granted directory.
    #[test]
    fn a_relative_path_outside_absolute_grants_is_told_the_granted_name() {
        let err = refusal(&grants(&["/abs/data"]), "x");
        assert_eq!(err.code(), ErrorCode::AccessDenied);
        assert_eq!(err.grant(), Some(GrantRefusal::NotGranted));
        assert_eq!(
            err.message(),
            "path 'x' is not inside a granted directory (granted: '/abs/data'); a relative path reaches only a directory granted as '.' or under a relative name, and these are granted under absolute names: name the file by its granted directory, as in '/abs/data/x'"
        );
        // The name it suggests is granted.
        assert!(resolve(&grants(&["/abs/data"]), "/abs/data/x").is_ok());
    }

    /// Without grants, or with a relative grant, the refusal lists what is granted and nothing
    /// else; no message names a command-line flag.
    #[test]
    fn refusals_name_the_grants_and_no_flag() {
        assert_eq!(
            refusal(&[], "/data/x").message(),
            "path '/data/x' is not inside a granted directory (no directory is granted)"
        );
        assert_eq!(
            refusal(&grants(&[".", "/ro"]), "/etc/passwd").message(),
            "path '/etc/passwd' is not inside a granted directory (granted: '.', '/ro')"
        );
        let g = grants(&["/ro"]);
        let read_only = read_only_error("/ro/x", &g[0], "r+");
        assert_eq!(read_only.grant(), Some(GrantRefusal::ReadOnly));
        assert_eq!(read_only.code(), ErrorCode::AccessDenied);
        let escape = escape_error("/ro/../x", &g[0]);
        assert_eq!(escape.grant(), Some(GrantRefusal::LeadsOutside));
        assert_eq!(escape.message(), "path '/ro/../x' leads outside its granted directory '/ro'");
        for err in [read_only, escape, refusal(&g, "x"), refusal(&[], "x")] {
            assert!(!err.message().contains("--"), "{}", err.message());
        }
    }
}
