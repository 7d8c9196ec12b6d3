//! Python scripts: what the host hands the prebuilt Python runner component through the
//! `wasm-memmap:array/script` interface, and reading a script from a file.
//!
//! The host reads the script itself, before the run: the script's folder needs no grant, and the
//! plugin never sees the host's file system beyond its grants.

use std::path::{Path, PathBuf};

use wasmtime::StoreContextMut;
use wasmtime::component::{ComponentType, Linker, Lower};

use crate::RunState;
use crate::cache::{ReadError, read_capped};

/// The largest script [`Script::read`] accepts (16 MiB): the runner holds it twice (as bytes and as
/// compiled code) in a memory the plugin's own limit does not count.
pub const MAX_SCRIPT_BYTES: u64 = 16 << 20;

/// A Python script to run: the name its tracebacks, `sys.argv[0]` and `__file__` show, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    path: String,
    text: String,
}

/// The WIT record `script.source`, as the runner component receives it.
#[derive(ComponentType, Lower)]
#[component(record)]
struct Source {
    path: String,
    text: String,
}

impl Script {
    /// A script of `text` shown as `path` (`python3 -c` would show `<string>`; a name ending in
    /// `.py` reads better in tracebacks).
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self { path: path.into(), text: text.into() }
    }

    /// Reads the script file at `path` (named in tracebacks as given, as `python3 PATH` does). The
    /// file is checked to be a regular file of at most [`MAX_SCRIPT_BYTES`] before it is read, and
    /// must be UTF-8 (Python's default source encoding; a leading byte-order mark is dropped, as
    /// Python drops it).
    ///
    /// # Errors
    /// [`ScriptError`]: the file cannot be read, is not a regular file, is too large, or is not
    /// UTF-8.
    pub fn read(path: &Path) -> Result<Self, ScriptError> {
        let bytes = read_capped(path, MAX_SCRIPT_BYTES).map_err(|e| match e {
            ReadError::Io(error) => ScriptError::Read { path: path.to_path_buf(), error },
            ReadError::NotRegular => ScriptError::NotRegularFile { path: path.to_path_buf() },
            ReadError::TooLarge(size, limit) => ScriptError::TooLarge { path: path.to_path_buf(), size, limit },
        })?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).map(<[u8]>::to_vec).unwrap_or(bytes);
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.as_bytes().get(..e.utf8_error().valid_up_to()).unwrap_or_default();
            let line = valid.iter().filter(|&&b| b == b'\n').count().saturating_add(1);
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i.saturating_add(1));
            let column = valid.len().saturating_sub(line_start).saturating_add(1);
            let byte = e.as_bytes().get(valid.len()).copied().unwrap_or_default();
            ScriptError::NotUtf8 { path: path.to_path_buf(), line, column, byte }
        })?;
        Ok(Self { path: path.to_string_lossy().into_owned(), text })
    }

    /// The name tracebacks show.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The script's text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Why [`Script::read`] gave no script. The messages name the file and no CLI flag.
#[derive(Debug)]
pub enum ScriptError {
    /// The file cannot be opened or read (it does not exist, say).
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// The path is a directory, a FIFO or a device.
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than [`MAX_SCRIPT_BYTES`].
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The line of the first byte that is not UTF-8 (from 1).
        line: usize,
        /// Its column in bytes (from 1).
        column: usize,
        /// The byte.
        byte: u8,
    },
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, error } => write!(f, "cannot read script {}: {error}", path.display()),
            Self::NotRegularFile { path } => {
                write!(f, "script {} is not a regular file (a directory, FIFO or device cannot be run)", path.display())
            }
            Self::TooLarge { path, size, limit } => {
                write!(
                    f,
                    "script {} is {size} bytes, more than the limit of {limit} bytes for a script",
                    path.display()
                )
            }
            Self::NotUtf8 { path, line, column, byte } => write!(
                f,
                "script {} is not UTF-8 text: byte 0x{byte:02x} at line {line}, column {column} (save it as UTF-8)",
                path.display()
            ),
        }
    }
}

// The I/O error is part of the message, not a `source`: a report would print it twice.
impl std::error::Error for ScriptError {}

/// The Python runner component could not be built when this program was (componentize-py was
/// missing); the message says how to install it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonRunnerMissing(pub &'static str);

impl std::fmt::Display for PythonRunnerMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "this build has no Python runner: {}", self.0)
    }
}

impl std::error::Error for PythonRunnerMissing {}

/// The prebuilt Python runner component, or why this build has none.
pub(crate) fn runner_component() -> Result<wasm_memmap_python::Component, PythonRunnerMissing> {
    wasm_memmap_python::RUNNER.map_err(PythonRunnerMissing)
}

/// Adds `wasm-memmap:array/script.get` to `linker`: it hands the run's script to the runner
/// component. A run without a script (an ordinary plugin that imports the interface) traps there.
pub(crate) fn add_to_linker<D: 'static>(linker: &mut Linker<RunState<D>>) -> wasmtime::Result<()> {
    linker.instance("wasm-memmap:array/script@0.1.0")?.func_wrap(
        "get",
        |store: StoreContextMut<'_, RunState<D>>, (): ()| {
            let Some(script) = store.data().script.as_ref() else {
                wasmtime::bail!("this run was given no script: the script interface serves the Python runner's runs");
            };
            Ok((Source { path: script.path.clone(), text: script.text.clone() },))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn read_gives_the_text_and_the_path_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.py");
        std::fs::write(&path, b"\xEF\xBB\xBFprint('\xC3\xA9')\n").unwrap();
        let script = Script::read(&path).unwrap();
        assert_eq!((script.path(), script.text()), (path.to_str().unwrap(), "print('\u{e9}')\n"));
    }

    #[test]
    fn read_refuses_what_is_not_a_small_utf8_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.py");
        assert!(
            matches!(Script::read(&missing), Err(ScriptError::Read { error, .. }) if error.kind() == std::io::ErrorKind::NotFound)
        );
        assert!(matches!(Script::read(dir.path()), Err(ScriptError::NotRegularFile { .. })));
        let latin1 = dir.path().join("latin1.py");
        std::fs::write(&latin1, b"a = 1\nb = '\xe9'\n").unwrap();
        let err = Script::read(&latin1).unwrap_err();
        assert!(matches!(err, ScriptError::NotUtf8 { line: 2, column: 6, byte: 0xe9, .. }), "{err}");
        let huge = dir.path().join("huge.py");
        std::fs::File::create(&huge).unwrap().set_len(MAX_SCRIPT_BYTES + 1).unwrap();
        assert!(matches!(
            Script::read(&huge),
            Err(ScriptError::TooLarge { size, limit: MAX_SCRIPT_BYTES, .. }) if size == MAX_SCRIPT_BYTES + 1
        ));
    }
}
