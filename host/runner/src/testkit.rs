//! The component test kit: test your own plugin in `cargo test`, as this project tests its own.
//!
//! A [`Sandbox`] is a fresh temporary directory granted to the plugin (read-write or read-only, as
//! `"."`), removed when the sandbox is dropped. Put input files in it ([`Sandbox::write`],
//! [`Sandbox::write_array`]), run a component file or bytes in it with arguments and limits
//! ([`Sandbox::run`], [`Sandbox::run_bytes`]), look at the [`Outcome`] (exit status, the limit that
//! stopped it, trap, stdout, stderr) and read back what the plugin wrote as typed values
//! ([`Sandbox::read_array`] for a raw file, `np.fromfile`; [`Sandbox::read_npy`] for a `.npy`
//! file, `np.load`).
//!
//! Every test of a process shares one engine ([`runner`], and [`fuel_runner`] for fuel limits) and
//! compiles each component once ([`plugin`]), as an embedder would: a test costs a run, not a
//! compile. The helpers panic with a message saying what failed (a test fails by panicking); the
//! plugin's own failure is not a panic but an [`Outcome`] to assert on.
//!
//! # Examples
//!
//! A plugin that writes row 0 of a 2×3 float64 file (here this workspace's test program `select`:
//! `select PATH SHAPE write INDEX` stores `1000 + k` at the k-th selected element):
//!
//! ```
//! use wasm_memmap_runner::Status;
//! use wasm_memmap_runner::testkit::Sandbox;
//!
//! let sandbox = Sandbox::new();
//! sandbox.write_array("data.f8", &[0.0f64; 6]);
//! let outcome = sandbox.run(wasm_memmap_guest_artifacts::test_programs::SELECT, &["data.f8", "2,3", "write", "0"]);
//! assert!(matches!(outcome.status, Status::Exited(0)), "{}", outcome.stderr_text());
//! assert_eq!(outcome.stdout_text(), "{\"shape\":[3]}\n");
//! assert_eq!(sandbox.read_array::<f64>("data.f8"), [1000.0, 1001.0, 1002.0, 0.0, 0.0, 0.0]);
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use wasm_memmap_host::{FsPerms, InstanceLimits, MemmapLimits};

use crate::{DirGrant, Outcome, Output, Plugin, RunConfig, Runner, Script, StoreGrant, WriteRegion};

/// A numpy scalar type an array file can hold: numpy-core's element types that are plain bytes
/// (every numpy kind but `bool`: `u8` .. `u64`, `i8` .. `i64`, `half::f16`, `f32`, `f64`,
/// `Complex<f32>`, `Complex<f64>`). The kit reads and writes them little-endian, numpy's default on
/// every machine this project runs on.
pub trait Element: wasm_memmap_numpy_core::Element + bytemuck::Pod {}

impl<T: wasm_memmap_numpy_core::Element + bytemuck::Pod> Element for T {}

/// numpy's `dtype.str` of `T` as the kit's files hold it: `"<f8"` for `f64`, `"|u1"` for `u8`.
pub fn typestr<T: Element>() -> String {
    wasm_memmap_numpy_core::DType::new(T::KIND, wasm_memmap_numpy_core::ByteOrder::Little).str()
}

/// The runner every test of the process shares: one engine, compiling in this process (test
/// components are trusted), no compile cache.
///
/// # Panics
/// When the engine cannot be built.
pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::new(None).expect("the host engine starts"))
}

/// A second shared runner that meters fuel ([`Runner::with_fuel`]), for runs with
/// [`InstanceLimits::fuel`].
///
/// # Panics
/// When the engine cannot be built.
pub fn fuel_runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::with_fuel(None).expect("the host engine starts"))
}

/// A third shared runner whose plugins may open zero-copy windows ([`Runner::with_windows`]), for
/// [`Sandbox::windows`].
///
/// # Panics
/// When the engine cannot be built.
pub fn windows_runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::with_windows(None).expect("the host engine starts"))
}

/// The runner for Python scripts ([`Sandbox::run_script`]): as [`runner`], but with a compile
/// cache, so the Python runner component (seconds to compile) is compiled once per machine rather
/// than once per test process: `$WASM_MEMMAP_CACHE_DIR` when set, else `wasm-memmap-testkit-UID` in
/// the temporary directory.
///
/// # Panics
/// When the engine cannot be built or the cache directory cannot be used (it belongs to another
/// user, say).
pub fn script_runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| {
        let dir = std::env::var_os("WASM_MEMMAP_CACHE_DIR").filter(|v| !v.is_empty()).map_or_else(
            || std::env::temp_dir().join(format!("wasm-memmap-testkit-{}", rustix::process::geteuid().as_raw())),
            PathBuf::from,
        );
        Runner::new(Some(dir.clone()))
            .unwrap_or_else(|e| panic!("cannot use {} as the compile cache: {e:?}", dir.display()))
    })
}

/// The Python runner compiled by `runner` (once per runner; see [`Runner::python_runner`]).
///
/// # Panics
/// When this build has no Python runner (componentize-py was missing), or it cannot be compiled.
pub fn python(runner: &Runner) -> Plugin {
    runner.python_runner().unwrap_or_else(|e| panic!("cannot load the Python runner: {e:?}"))
}

/// The component file at `path` compiled by `runner`, once per test process and runner.
///
/// # Panics
/// When the file cannot be read or is not a valid component.
pub fn plugin(runner: &'static Runner, path: impl AsRef<Path>) -> Plugin {
    let path = path.as_ref();
    compiled(runner, Key::File(path.to_path_buf()), || runner.load_file(path))
        .unwrap_or_else(|e| panic!("cannot compile {}: {e:?}", path.display()))
}

/// The component `wasm` compiled by `runner`, once per test process, runner and bytes.
///
/// # Panics
/// When `wasm` is not a valid component.
pub fn plugin_bytes(runner: &'static Runner, wasm: &[u8]) -> Plugin {
    let key = Key::Bytes(*blake3::hash(wasm).as_bytes());
    compiled(runner, key, || runner.load(wasm)).unwrap_or_else(|e| panic!("cannot compile the component: {e:?}"))
}

/// What a compiled component is cached under.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    File(PathBuf),
    Bytes([u8; 32]),
}

fn compiled(
    runner: &'static Runner,
    key: Key,
    compile: impl FnOnce() -> wasmtime::Result<Plugin>,
) -> wasmtime::Result<Plugin> {
    type Cache = Mutex<HashMap<(usize, Key), Plugin>>;
    static PLUGINS: OnceLock<Cache> = OnceLock::new();
    let mut cache = PLUGINS.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    let key = (std::ptr::from_ref(runner).addr(), key);
    if let Some(plugin) = cache.get(&key) {
        return Ok(plugin.clone());
    }
    let plugin = compile()?;
    cache.insert(key, plugin.clone());
    Ok(plugin)
}

/// The [`RunConfig`] for the component file at `path` (its file stem is the program name) with
/// `args` after the program name, `dirs` granted, output captured and the default limits.
pub fn config(path: impl AsRef<Path>, args: &[&str], dirs: Vec<DirGrant>) -> RunConfig {
    let name = path.as_ref().file_stem().map_or("plugin".into(), |s| s.to_string_lossy().into_owned());
    RunConfig {
        args: std::iter::once(name).chain(args.iter().map(|a| (*a).to_owned())).collect(),
        dirs,
        stdout: Output::Capture,
        stderr: Output::Capture,
        limits: MemmapLimits::default(),
        instance: InstanceLimits::default(),
        stores: Vec::new(),
        regions: Vec::new(),
    }
}

/// Runs the component file at `path` on `runner` with `config`.
///
/// # Panics
/// When it cannot be compiled or run (a grant that does not exist, an import the host lacks); a
/// trap or a non-zero exit is an [`Outcome`].
pub fn run_config(runner: &'static Runner, path: impl AsRef<Path>, config: &RunConfig) -> Outcome {
    let path = path.as_ref();
    runner.run(&plugin(runner, path), config).unwrap_or_else(|e| panic!("cannot run {}: {e:?}", path.display()))
}

/// Runs the component file at `path` with `args` (after the program name) and `dir` granted
/// read-write as `.`, capturing its output.
///
/// # Panics
/// As [`run_config`].
pub fn run_in(path: impl AsRef<Path>, args: &[&str], dir: &Path) -> Outcome {
    run_limited(path, args, dir, FsPerms::ReadWrite, MemmapLimits::default())
}

/// Runs the component file at `path` with `args`, `dir` granted as `.` with `perms`, and `limits`.
///
/// # Panics
/// As [`run_config`].
pub fn run_limited(path: impl AsRef<Path>, args: &[&str], dir: &Path, perms: FsPerms, limits: MemmapLimits) -> Outcome {
    let mut config = config(&path, args, vec![DirGrant { host: dir.to_path_buf(), guest: ".".into(), perms }]);
    config.limits = limits;
    run_config(runner(), path, &config)
}

/// The values of a raw array file's bytes (`np.frombuffer(bytes, dtype)`), little-endian.
///
/// # Panics
/// When the length is not a whole number of `T`.
pub fn array_from_bytes<T: Element>(bytes: &[u8]) -> Vec<T> {
    let size = size_of::<T>();
    assert!(bytes.len().is_multiple_of(size), "{} bytes are not a whole number of {}", bytes.len(), typestr::<T>());
    let mut values = vec![T::zeroed(); bytes.len() / size];
    bytemuck::cast_slice_mut::<T, u8>(&mut values).copy_from_slice(bytes);
    if cfg!(target_endian = "big") {
        wasm_memmap_numpy_core::swap_bytes(T::KIND, bytemuck::cast_slice_mut::<T, u8>(&mut values));
    }
    values
}

/// The values of the raw array file at `path` (`np.fromfile(path, dtype)`).
///
/// # Panics
/// When it cannot be read or its length is not a whole number of `T`.
pub fn read_array<T: Element>(path: impl AsRef<Path>) -> Vec<T> {
    let path = path.as_ref();
    array_from_bytes(&std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())))
}

/// A `.npy` file read back: `np.load(path)`'s shape, order and values (in file order).
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray<T> {
    /// `shape`.
    pub shape: Vec<u64>,
    /// `fortran_order`: the values are in column-major order.
    pub fortran_order: bool,
    /// The values, in the order they are in the file.
    pub values: Vec<T>,
}

/// The `.npy` file at `path`, whose dtype must be `T`'s (`np.load(path)`).
///
/// # Panics
/// When it cannot be read, its header is refused (with numpy's message), its dtype is not
/// [`typestr`]`::<T>()`, or its data do not match its shape.
pub fn read_npy<T: Element>(path: impl AsRef<Path>) -> NpyArray<T> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let header = wasm_memmap_numpy_core::npy::read_header(&file)
        .unwrap_or_else(|e| panic!("{} is not a .npy file numpy reads: {e:?}", path.display()));
    let typestr = header.dtype.str();
    let want = self::typestr::<T>();
    assert_eq!(typestr, want, "{} holds {typestr}, not {want}", path.display());
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let offset = usize::try_from(header.data_offset).expect("a header fits in memory");
    let values = array_from_bytes::<T>(&bytes[offset.min(bytes.len())..]);
    let count = header.shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d)).expect("a shape whose size fits in u64");
    assert_eq!(
        u64::try_from(values.len()).ok(),
        Some(count),
        "{} holds {} values, its shape {:?} says {count}",
        path.display(),
        values.len(),
        header.shape
    );
    NpyArray { shape: header.shape, fortran_order: header.fortran_order, values }
}

/// A fresh temporary directory granted to a plugin as `"."`, with the limits its runs get; removed
/// when dropped. See the [module documentation](self).
#[derive(Debug)]
pub struct Sandbox {
    dir: tempfile::TempDir,
    perms: FsPerms,
    grants: Vec<DirGrant>,
    limits: MemmapLimits,
    instance: InstanceLimits,
    windows: bool,
    stores: Vec<StoreGrant>,
    regions: Vec<WriteRegion>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A new empty directory, granted read-write (`np.memmap` modes `r`, `r+`, `w+`, `c`).
    ///
    /// # Panics
    /// When no temporary directory can be made.
    pub fn new() -> Self {
        Self::with_perms(FsPerms::ReadWrite)
    }

    /// A new empty directory, granted read-only (modes `r` and `c`): fill it with
    /// [`Sandbox::write`] first.
    ///
    /// # Panics
    /// When no temporary directory can be made.
    pub fn read_only() -> Self {
        Self::with_perms(FsPerms::ReadOnly)
    }

    fn with_perms(perms: FsPerms) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"));
        Self {
            dir,
            perms,
            grants: Vec::new(),
            limits: MemmapLimits::default(),
            instance: InstanceLimits::default(),
            windows: false,
            stores: Vec::new(),
            regions: Vec::new(),
        }
    }

    /// The directory on the host.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs under `limits` on `memmap` (default [`MemmapLimits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: MemmapLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Runs under `limits` on memory, time, fuel and WASI handles (default
    /// [`InstanceLimits::default`]); a fuel limit runs on [`fuel_runner`].
    #[must_use]
    pub fn instance_limits(mut self, limits: InstanceLimits) -> Self {
        self.instance = limits;
        self
    }

    /// Runs components on [`windows_runner`], so that they may open zero-copy windows (the WIT's
    /// `window` interface); without this they get `unsupported`. Not with a fuel limit (that
    /// runner does not meter fuel).
    #[must_use]
    pub fn windows(mut self) -> Self {
        self.windows = true;
        self
    }

    /// Grants another directory too (the sandbox's own stays `"."`).
    #[must_use]
    pub fn grant(mut self, grant: DirGrant) -> Self {
        self.grants.push(grant);
        self
    }

    /// Grants the object-store prefix `url` (`s3://bucket/prefix`) read-write too, named `name` in
    /// the plugin (`None`: the URL itself), like the CLI's `--store URL[::NAME]`; credentials and
    /// endpoint come from this process's environment (`AWS_*`).
    #[must_use]
    pub fn store(mut self, url: &str, name: Option<&str>) -> Self {
        self.stores.push(StoreGrant { url: url.to_owned(), name: name.map(str::to_owned), perms: FsPerms::ReadWrite });
        self
    }

    /// Grants the object-store prefix `url` read-only (Zarr modes `r` and `c`), like `--ro-store`.
    #[must_use]
    pub fn ro_store(mut self, url: &str, name: Option<&str>) -> Self {
        self.stores.push(StoreGrant { url: url.to_owned(), name: name.map(str::to_owned), perms: FsPerms::ReadOnly });
        self
    }

    /// Lets the plugin write the Zarr array `location` (as the plugin names it) only inside
    /// `ranges`, one `start..stop` per axis on the array's chunk grid, like the CLI's
    /// `--region 'LOCATION[START:STOP,...]'` (a Dask task given one block).
    #[must_use]
    pub fn region(mut self, location: &str, ranges: &[std::ops::Range<u64>]) -> Self {
        self.regions.push(WriteRegion { location: location.to_owned(), ranges: ranges.to_vec() });
        self
    }

    /// Writes `bytes` to the file `name` in the directory.
    ///
    /// # Panics
    /// When it cannot be written.
    pub fn write(&self, name: &str, bytes: &[u8]) {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// Writes `values` as the raw array file `name` (`values.tofile(name)`), little-endian.
    ///
    /// # Panics
    /// When it cannot be written.
    pub fn write_array<T: Element>(&self, name: &str, values: &[T]) {
        let mut bytes = bytemuck::cast_slice::<T, u8>(values).to_vec();
        if cfg!(target_endian = "big") {
            wasm_memmap_numpy_core::swap_bytes(T::KIND, &mut bytes);
        }
        self.write(name, &bytes);
    }

    /// Writes `values` as the `.npy` file `name` of `shape` in C order, numpy's header byte for byte
    /// (`np.save(name, values.reshape(shape))`).
    ///
    /// # Panics
    /// When `values` does not fill `shape`, or the file cannot be written.
    pub fn write_npy<T: Element>(&self, name: &str, shape: &[u64], values: &[T]) {
        let count = shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d));
        assert_eq!(count, u64::try_from(values.len()).ok(), "{} values do not fill the shape {shape:?}", values.len());
        let dtype = wasm_memmap_numpy_core::DType::new(T::KIND, wasm_memmap_numpy_core::ByteOrder::Little);
        let mut bytes = wasm_memmap_numpy_core::npy::header_bytes(&dtype, false, shape);
        let start = bytes.len();
        bytes.extend_from_slice(bytemuck::cast_slice::<T, u8>(values));
        if cfg!(target_endian = "big") {
            wasm_memmap_numpy_core::swap_bytes(T::KIND, &mut bytes[start..]);
        }
        self.write(name, &bytes);
    }

    /// The bytes of the file `name` in the directory.
    ///
    /// # Panics
    /// When it cannot be read.
    pub fn read(&self, name: &str) -> Vec<u8> {
        let path = self.dir.path().join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// The values of the raw array file `name` (`np.fromfile(name, dtype)`).
    ///
    /// # Panics
    /// As [`read_array`].
    pub fn read_array<T: Element>(&self, name: &str) -> Vec<T> {
        read_array(self.dir.path().join(name))
    }

    /// The `.npy` file `name` (`np.load(name)`).
    ///
    /// # Panics
    /// As [`read_npy`].
    pub fn read_npy<T: Element>(&self, name: &str) -> NpyArray<T> {
        read_npy(self.dir.path().join(name))
    }

    /// The [`RunConfig`] of a run in this sandbox of a program called `name` with `args`.
    pub fn config(&self, name: &str, args: &[&str]) -> RunConfig {
        let own = DirGrant { host: self.dir.path().to_path_buf(), guest: ".".into(), perms: self.perms };
        let mut config = config(name, args, std::iter::once(own).chain(self.grants.iter().cloned()).collect());
        config.limits = self.limits;
        config.instance = self.instance;
        config.stores.clone_from(&self.stores);
        config.regions.clone_from(&self.regions);
        config
    }

    fn runner(&self) -> &'static Runner {
        if self.windows {
            windows_runner()
        } else if self.instance.fuel.is_some() {
            fuel_runner()
        } else {
            runner()
        }
    }

    /// Runs the component file at `path` here with `args` after the program name.
    ///
    /// # Panics
    /// As [`run_config`].
    pub fn run(&self, path: impl AsRef<Path>, args: &[&str]) -> Outcome {
        let path = path.as_ref();
        let config = self.config(&path.to_string_lossy(), args);
        run_config(self.runner(), path, &config)
    }

    /// Runs the Python script file at `path` here (`python3 PATH ARGS...` with the sandbox's
    /// directory granted as `.`), on [`script_runner`]. The script's own folder is not granted: the
    /// host reads the script.
    ///
    /// # Panics
    /// When the script cannot be read ([`crate::ScriptError`]) or run; an exception or a non-zero
    /// exit is an [`Outcome`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_runner::testkit::Sandbox;
    ///
    /// let sandbox = Sandbox::new();
    /// let outcome = sandbox.run_script("tests/python/hello.py", &["world"]);
    /// assert_eq!(outcome.exit_code(), 0, "{}", outcome.stderr_text());
    /// ```
    pub fn run_script(&self, path: impl AsRef<Path>, args: &[&str]) -> Outcome {
        let path = path.as_ref();
        let script = Script::read(path).unwrap_or_else(|e| panic!("{e}"));
        self.run_script_source(&script, args)
    }

    /// Runs `script` (a file's path and text, see [`Script::new`]) here with `args` after its name.
    ///
    /// # Panics
    /// As [`Sandbox::run_script`].
    pub fn run_script_source(&self, script: &Script, args: &[&str]) -> Outcome {
        let runner = if self.instance.fuel.is_some() { fuel_runner() } else { script_runner() };
        runner
            .run_script(&python(runner), script, &self.config(script.path(), args))
            .unwrap_or_else(|e| panic!("cannot run {}: {e:?}", script.path()))
    }

    /// Runs the component `wasm` here with `args` after the program name (`plugin`).
    ///
    /// # Panics
    /// When `wasm` is not a valid component or cannot be run; a trap or a non-zero exit is an
    /// [`Outcome`].
    pub fn run_bytes(&self, wasm: &[u8], args: &[&str]) -> Outcome {
        let runner = self.runner();
        runner
            .run(&plugin_bytes(runner, wasm), &self.config("plugin", args))
            .unwrap_or_else(|e| panic!("cannot run the component: {e:?}"))
    }
}
