//! A directory of compiled components, so a plugin is compiled once per engine configuration.
//!
//! wasmtime's own `cache` feature would do this too, but pulls in zstd (a C build), a TOML
//! configuration file and a background worker; what we need is a file per (component, engine)
//! keyed by a SHA-256, written atomically.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Compiled components in `dir`, one `<sha256>.cwasm` file each.
///
/// A cache entry is machine code this process will run, so the directory must be this user's alone:
/// [`CompileCache::open`] creates it with mode 0700 and refuses one that another user owns or that
/// others may write. Keeping plugins out of it is [`crate::run::Runner`]'s job.
pub(crate) struct CompileCache {
    dir: PathBuf,
}

/// Feeds `Hash` impls into SHA-256, for wasmtime's engine-compatibility hash.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Only `write` is used: the digest is taken from the inner hasher.
        0
    }
}

impl CompileCache {
    /// Opens (creating it if needed) the cache in `dir`.
    ///
    /// # Errors
    /// When it cannot be created, or it belongs to another user, or others may write in it.
    pub(crate) fn open(dir: PathBuf) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
        let dir = dir.canonicalize()?;
        let meta = std::fs::metadata(&dir)?;
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me || meta.mode() & 0o022 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "compile cache {} must belong to this user (uid {me}) and be writable by no one else (it is uid {}, mode {:o})",
                    dir.display(),
                    meta.uid(),
                    meta.mode() & 0o7777
                ),
            ));
        }
        Ok(Self { dir })
    }

    /// The cache directory, resolved (no symbolic links).
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        let mut h = ShaHasher(Sha256::new());
        h.write(b"wasm-memmap compile cache v1\0");
        engine.precompile_compatibility_hash().hash(&mut h);
        h.write(&u64::try_from(wasm.len()).unwrap_or(u64::MAX).to_le_bytes());
        h.write(wasm);
        let digest = h.0.finalize();
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.cwasm"))
    }

    /// The component for `wasm`, from the cache when it holds one (`true`), else compiled now and
    /// stored (`false`). A cache that cannot be read or written costs a compile, never a failure.
    pub(crate) fn load(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<(Component, bool)> {
        let path = self.entry(engine, wasm);
        if path.is_file() {
            match crate::raw::load_precompiled(engine, &path) {
                Ok(component) => return Ok((component, true)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "ignoring an unusable compile-cache entry")
                }
            }
        }
        let component = Component::new(engine, wasm)?;
        match component.serialize() {
            Ok(bytes) => {
                if let Err(e) = write_atomically(&path, &bytes) {
                    tracing::warn!(path = %path.display(), error = %e, "cannot write the compile cache");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot serialize a compiled component"),
        }
        Ok((component, false))
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a reader sees the
/// whole file or none of it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
