//! The names in a location and in a store key: what a store may be asked for, checked before any
//! file is opened or request sent, and how messages name a key.

use crate::error::{Error, quoted};

/// The names of `parts` read the way a path is: empty names and `.` dropped, `..` taking away the
/// name before it. `None` when a `..` has no name before it (it would leave where the path
/// starts).
pub(crate) fn lexical<'a>(parts: impl Iterator<Item = &'a str>) -> Option<Vec<&'a str>> {
    let mut names = Vec::new();
    for name in parts.filter(|c| !c.is_empty() && *c != ".") {
        if name == ".." {
            names.pop()?;
        } else {
            names.push(name);
        }
    }
    Some(names)
}

/// The zarrs node path of the array whose location has `names` beneath its grant (`"/"` for the
/// grant itself, else `"/a/b.zarr"`).
///
/// # Errors
/// `invalid-argument` for a name Zarr does not allow a node (one starting with `__`, which Zarr
/// reserves; one of dots only; one with a control character, which no object store takes).
pub(crate) fn node_path(location: &str, names: &[&str]) -> Result<String, Error> {
    if let Some(bad) = names.iter().find(|n| n.starts_with("__") || n.chars().all(|c| c == '.') || has_control(n)) {
        return Err(Error::invalid(format!(
            "location '{}' has the name '{}', which Zarr does not allow (names cannot start with '__', be dots only, or hold control characters)",
            quoted(location),
            quoted(bad)
        )));
    }
    Ok(format!("/{}", names.join("/")))
}

fn has_control(name: &str) -> bool {
    name.chars().any(char::is_control)
}

/// Why a key cannot name a file or object beneath the grant.
pub(crate) enum BadKey {
    /// A `..` name: it would leave the directory it is in.
    Parent,
    /// An empty name, `.`, or a control character.
    Malformed,
}

/// The names of a store key (`"a.zarr/c/0/1"`), each a plain name: zarrs builds keys from the
/// node path (checked by [`node_path`]) and chunk indices, but nothing reaches a file or an object
/// unchecked.
///
/// # Errors
/// [`BadKey`] for an empty key, an empty name, `.`, `..` or a control character.
pub(crate) fn key_names(key: &str) -> Result<Vec<&str>, BadKey> {
    let names: Vec<&str> = key.split('/').collect();
    for name in &names {
        match *name {
            ".." => return Err(BadKey::Parent),
            "" | "." => return Err(BadKey::Malformed),
            n if has_control(n) => return Err(BadKey::Malformed),
            _ => {}
        }
    }
    Ok(names)
}

/// The refusal of a malformed key, naming it and the store.
pub(crate) fn malformed(key: &str, store: &str) -> Error {
    Error::invalid(format!(
        "'{}' is not a key of {store}: a key is names separated by '/', none empty, '.', '..' or holding a control character",
        quoted(key)
    ))
}

/// How messages name the value at `key`: `metadata 'a.zarr/zarr.json'`, `chunk 'a.zarr/c/0/1'`.
pub(crate) fn describe(key: &str) -> String {
    let last = key.rsplit('/').next().unwrap_or(key);
    let kind = match last {
        "zarr.json" | ".zarray" | ".zattrs" | ".zgroup" | ".zmetadata" => "metadata",
        _ => "chunk",
    };
    format!("{kind} '{}'", quoted(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_names_never_climb_above_the_start() {
        assert_eq!(lexical("a/./b/../c//".split('/')), Some(vec!["a", "c"]));
        assert_eq!(lexical("a/../..".split('/')), None);
        assert_eq!(lexical("".split('/')), Some(vec![]));
    }

    #[test]
    fn keys_with_parent_or_empty_names_are_refused() {
        assert!(key_names("a.zarr/c/0/1").is_ok());
        assert!(matches!(key_names("a.zarr/../b"), Err(BadKey::Parent)));
        assert!(matches!(key_names(".."), Err(BadKey::Parent)));
        for bad in ["", "a//b", "a/./b", "a/b\u{7}", "a\nb"] {
            assert!(matches!(key_names(bad), Err(BadKey::Malformed)), "{bad:?}");
        }
    }

    #[test]
    fn node_paths_follow_zarr_names() {
        assert_eq!(node_path("x", &[]).expect("root"), "/");
        assert_eq!(node_path("x", &["a", "b.zarr"]).expect("ok"), "/a/b.zarr");
        assert!(node_path("x", &["__a"]).is_err());
        assert!(node_path("x", &["..."]).is_err());
    }

    #[test]
    fn keys_are_described_by_kind() {
        assert_eq!(describe("a.zarr/zarr.json"), "metadata 'a.zarr/zarr.json'");
        assert_eq!(describe("a.zarr/c/0/1"), "chunk 'a.zarr/c/0/1'");
    }
}
