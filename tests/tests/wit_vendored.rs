//! The WIT contract lives once, in `wit/`; each crate that runs bindgen carries a copy so it can be
//! packaged alone. This test fails while a copy differs from the canonical files: run
//! `scripts/vendor-wit` after editing `wit/`.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

fn wit_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wit"))
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect()
}

#[test]
fn every_vendored_wit_copy_equals_the_canonical_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let canonical = wit_files(&root.join("wit"));
    assert!(!canonical.is_empty(), "wit/ holds no .wit file");
    for krate in ["host/memmap/wit", "guest/sdk/wit", "guest/python/wit/deps/array"] {
        let copy = wit_files(&root.join(krate));
        assert_eq!(
            copy.keys().collect::<Vec<_>>(),
            canonical.keys().collect::<Vec<_>>(),
            "{krate}/wit holds other files than wit/: run scripts/vendor-wit"
        );
        for (name, bytes) in &canonical {
            assert!(copy[name] == *bytes, "{krate}/wit/{name} differs from wit/{name}: run scripts/vendor-wit");
        }
    }
}
