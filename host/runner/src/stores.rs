//! Object-store grants and write regions of a run: the CLI's `--store URL[::NAME]`, `--ro-store`
//! and `--region 'LOCATION[START:STOP,...]'`, handed to
//! [`MemmapCtxBuilder::preopened_store`](wasm_memmap_host::MemmapCtxBuilder::preopened_store) and
//! [`MemmapCtxBuilder::write_region`](wasm_memmap_host::MemmapCtxBuilder::write_region).

use std::fmt;
use std::ops::Range;

use wasm_memmap_host::FsPerms;

/// An object-store prefix granted to a plugin (`s3://bucket/prefix`), under the name the plugin
/// uses for it (`None`: the URL itself), with `perms`. Credentials come from the host's
/// environment (`AWS_*`), never from the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreGrant {
    /// The prefix, `s3://bucket[/prefix]`.
    pub url: String,
    /// The name the plugin uses for it (`"/lake"`), or `None` for the URL itself.
    pub name: Option<String>,
    /// Whether the plugin may change arrays under it (read-only: modes `r` and `c` only).
    pub perms: FsPerms,
}

impl StoreGrant {
    /// Parses `URL[::NAME]` (`s3://bucket/prefix::/lake`), as `--dir` parses `HOST[::GUEST]`. The
    /// URL itself is checked when the run starts (by the host, which knows the stores it can reach).
    ///
    /// # Errors
    /// An empty URL or name.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_runner::{FsPerms, StoreGrant};
    /// let grant = StoreGrant::parse("s3://bucket/runs::/lake", FsPerms::ReadOnly)?;
    /// assert_eq!((grant.url.as_str(), grant.name.as_deref()), ("s3://bucket/runs", Some("/lake")));
    /// assert!(StoreGrant::parse("::/lake", FsPerms::ReadOnly).is_err());
    /// # Ok::<(), wasm_memmap_runner::SpecError>(())
    /// ```
    pub fn parse(spec: &str, perms: FsPerms) -> Result<Self, SpecError> {
        let (url, name) = match spec.split_once("::") {
            Some((url, name)) => (url, Some(name)),
            None => (spec, None),
        };
        if url.is_empty() {
            return Err(SpecError::new(spec, "the store URL is empty (give s3://BUCKET[/PREFIX][::NAME])"));
        }
        if name.is_some_and(str::is_empty) {
            return Err(SpecError::new(spec, "the name after '::' is empty (give s3://BUCKET[/PREFIX]::NAME)"));
        }
        Ok(Self { url: url.to_owned(), name: name.map(str::to_owned), perms })
    }
}

/// The only part of a Zarr array a plugin may write: one range of indices per axis, like the block
/// of a Dask task (`a[0:1000, 2000:3000]`). It must lie on the array's chunk grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRegion {
    /// The array, as the plugin names it (`"a.zarr"`, `"/lake/a.zarr"`).
    pub location: String,
    /// `start..stop` per axis.
    pub ranges: Vec<Range<u64>>,
}

impl WriteRegion {
    /// Parses numpy's slice syntax, one `START:STOP` per axis: `a.zarr[0:1000,2000:3000]`. Both
    /// ends are required (the array's shape is not known before the plugin opens it); a step,
    /// a negative or reversed range is refused.
    ///
    /// # Errors
    /// A spec without `[...]` at its end, an empty location, a range that is not `START:STOP`
    /// with `START < STOP`.
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_runner::WriteRegion;
    /// let region = WriteRegion::parse("s3://bucket/a.zarr[0:1000, 2000:3000]")?;
    /// assert_eq!(region.location, "s3://bucket/a.zarr");
    /// assert_eq!(region.ranges, [0..1000, 2000..3000]);
    /// assert!(WriteRegion::parse("a.zarr[0:10:2]").is_err());
    /// # Ok::<(), wasm_memmap_runner::SpecError>(())
    /// ```
    pub fn parse(spec: &str) -> Result<Self, SpecError> {
        let usage = "give LOCATION[START:STOP,START:STOP,...], one range per axis, like 'a.zarr[0:1000,2000:3000]'";
        let inner = spec.trim_end().strip_suffix(']').ok_or_else(|| SpecError::new(spec, usage))?;
        let open = inner.rfind('[').ok_or_else(|| SpecError::new(spec, usage))?;
        let (location, axes) = (&inner[..open], &inner[open + 1..]);
        if location.is_empty() {
            return Err(SpecError::new(spec, format!("the array's location is empty; {usage}")));
        }
        let ranges = axes
            .split(',')
            .enumerate()
            .map(|(axis, part)| {
                parse_range(part.trim()).map_err(|why| SpecError::new(spec, format!("axis {axis}: {why}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { location: location.to_owned(), ranges })
    }
}

/// One `START:STOP` of a region.
fn parse_range(part: &str) -> Result<Range<u64>, String> {
    let bound = |text: &str, which: &str| -> Result<u64, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!(
                "'{part}' has no {which}: give both ends, START:STOP (the array's shape is not known here)"
            ));
        }
        text.parse::<u64>().map_err(|_| format!("'{text}' is not a non-negative integer {which} in '{part}'"))
    };
    let mut pieces = part.split(':');
    let (Some(start), Some(stop), None) = (pieces.next(), pieces.next(), pieces.next()) else {
        return Err(format!("'{part}' is not START:STOP (a region takes no step and no single index)"));
    };
    let (start, stop) = (bound(start, "start")?, bound(stop, "stop")?);
    if start >= stop {
        return Err(format!("'{part}' is empty: START must be less than STOP"));
    }
    Ok(start..stop)
}

/// A `--store` or `--region` spec that does not parse, with what is wrong in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    spec: String,
    why: String,
}

impl SpecError {
    fn new(spec: &str, why: impl Into<String>) -> Self {
        Self { spec: spec.to_owned(), why: why.into() }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}': {}", self.spec, self.why)
    }
}

impl std::error::Error for SpecError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_numpy_slices_and_refuse_the_rest() {
        let region = WriteRegion::parse("/lake/a[b].zarr[0:5,10:20,0:1]").unwrap();
        assert_eq!(region.location, "/lake/a[b].zarr");
        assert_eq!(region.ranges, [0..5, 10..20, 0..1]);
        for (bad, says) in [
            ("a.zarr", "LOCATION[START:STOP"),
            ("a.zarr[0:10", "LOCATION[START:STOP"),
            ("[0:10]", "location is empty"),
            ("a.zarr[:10]", "no start"),
            ("a.zarr[0:]", "no stop"),
            ("a.zarr[5]", "not START:STOP"),
            ("a.zarr[0:10:2]", "not START:STOP"),
            ("a.zarr[-5:10]", "not a non-negative integer start"),
            ("a.zarr[10:10]", "is empty"),
            ("a.zarr[0:10,]", "axis 1"),
        ] {
            let e = WriteRegion::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.starts_with(&format!("'{bad}'")), "{bad}: {e}");
        }
    }

    #[test]
    fn store_grants_split_on_the_double_colon() {
        let grant = StoreGrant::parse("s3://bucket/p", FsPerms::ReadWrite).unwrap();
        assert_eq!((grant.url.as_str(), grant.name), ("s3://bucket/p", None));
        assert!(StoreGrant::parse("", FsPerms::ReadWrite).unwrap_err().to_string().contains("URL is empty"));
        assert!(StoreGrant::parse("s3://b::", FsPerms::ReadWrite).unwrap_err().to_string().contains("name"));
    }
}
