//! [`Memmap`]: a numpy-style memory-mapped array, backed by the host's `memmap` resource.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::bindings::wasm_memmap::array::mmap;
use crate::dtype::{DType, Kind, Mode, Order};
use crate::element::Element;
use crate::error::{Error, ErrorCode, Result};
use crate::index::Index;

impl From<Infallible> for Error {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

/// numpy's spelling of a mode (`"r+"`), [`Mode::as_str`]; `Mode`'s `Display` prints the same.
pub fn mode_str(mode: Mode) -> &'static str {
    mode.as_str()
}

/// The arguments of `np.memmap(filename, dtype, mode, offset, shape, order)`, with numpy's defaults
/// (`uint8`, `r+`, offset 0, no shape, C order). Spellings are checked when the file is opened.
#[derive(Clone, Debug)]
pub struct MemmapOptions {
    dtype: Result<DType>,
    mode: Result<Mode>,
    shape: Option<Vec<u64>>,
    offset: u64,
    order: Result<Order>,
}

impl Default for MemmapOptions {
    fn default() -> Self {
        Self {
            dtype: Ok(DType::native(Kind::Uint8)),
            mode: Ok(Mode::ReadWrite),
            shape: None,
            offset: 0,
            order: Ok(Order::C),
        }
    }
}

impl MemmapOptions {
    /// numpy's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The element type: a [`DType`], a [`crate::Kind`] or a numpy spelling (`"float64"`, `">i4"`).
    pub fn dtype<D: TryInto<DType>>(mut self, dtype: D) -> Self
    where
        D::Error: Into<Error>,
    {
        self.dtype = dtype.try_into().map_err(Into::into);
        self
    }

    /// The mode: a [`Mode`] or numpy's string (`"r"`, `"r+"`, `"w+"`, `"c"`).
    pub fn mode<M: TryInto<Mode>>(mut self, mode: M) -> Self
    where
        M::Error: Into<Error>,
    {
        self.mode = mode.try_into().map_err(Into::into);
        self
    }

    /// The shape; without one the array is 1-D over the rest of the file. Required for `"w+"`.
    pub fn shape(mut self, shape: impl AsRef<[u64]>) -> Self {
        self.shape = Some(shape.as_ref().to_vec());
        self
    }

    /// Where the array starts in the file, in bytes (any value).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The layout: an [`Order`] or numpy's `"C"` / `"F"`.
    pub fn order<O: TryInto<Order>>(mut self, order: O) -> Self
    where
        O::Error: Into<Error>,
    {
        self.order = order.try_into().map_err(Into::into);
        self
    }

    /// Opens `path` (relative to a granted directory, or under a grant's absolute name), like
    /// `np.memmap(path, ...)`.
    ///
    /// # Errors
    /// A spelling numpy would refuse, and every error of the host's `open` (see [`ErrorCode`]):
    /// a missing file, a path outside the grants, a file too short for a read-only mode, a shape
    /// whose size overflows, ...
    pub fn open(&self, path: &str) -> Result<Memmap> {
        let mode = self.mode.clone()?;
        let dtype = self.dtype.clone()?;
        let order = self.order.clone()?;
        let handle =
            mmap::Memmap::open(path, dtype.into(), mode.into(), self.shape.as_deref(), self.offset, order.into())?;
        Ok(Memmap::wrap(handle))
    }
}

/// A numpy-style memory-mapped array (`np.memmap`): a whole map from [`Memmap::open`] /
/// [`MemmapOptions::open`], or a view from [`Memmap::view`] that shares its mapping.
///
/// Dropping it flushes the mapping to the file, like calling [`Memmap::flush`] (numpy itself does not;
/// this keeps a forgotten `flush` from losing data). The host does the same if the plugin ends
/// without dropping it, even by a panic. [`Memmap::close`] flushes and unmaps it earlier.
///
/// # Examples
/// The document's session (`section = mmap[:5]; section[:] = ...; mmap.flush()`):
/// ```no_run
/// use wasm_memmap_sdk::{s, Memmap};
/// let mmap = Memmap::options().dtype("float64").mode("w+").shape([10000, 10000]).open("mymmap")?;
/// let section = mmap.view(s![..5])?;
/// section.write(s![..], &vec![1.0f64; 5 * 10000])?;
/// mmap.flush()?;
/// println!("{}", mmap.repr()?);
/// # Ok::<(), wasm_memmap_sdk::Error>(())
/// ```
pub struct Memmap {
    handle: mmap::Memmap,
    shape: Vec<u64>,
    dtype: DType,
    /// Made by indexing ([`Memmap::view`]); numpy turns an empty one into a plain `ndarray`.
    indexed: bool,
    /// Set by [`Memmap::close`] on this map or any view of it (they share the flag, as they share
    /// the host's mapping), so that dropping them does not try to flush a closed mapping.
    closed: Arc<AtomicBool>,
}

impl Memmap {
    fn wrap(handle: mmap::Memmap) -> Self {
        Self::wrap_sharing(handle, Arc::new(AtomicBool::new(false)))
    }

    /// A whole map the host opened (for the constructors in other modules, `zarr.rs`).
    pub(crate) fn from_handle(handle: mmap::Memmap) -> Self {
        Self::wrap(handle)
    }

    fn wrap_sharing(handle: mmap::Memmap, closed: Arc<AtomicBool>) -> Self {
        let shape = handle.shape();
        let dtype = DType::from(handle.dtype());
        Self { handle, shape, dtype, indexed: false, closed }
    }

    /// A view's handle, wrapped to share this map's closed flag.
    fn derive(&self, handle: mmap::Memmap) -> Self {
        Self::wrap_sharing(handle, Arc::clone(&self.closed))
    }

    /// The options of `np.memmap`, to open a file with.
    pub fn options() -> MemmapOptions {
        MemmapOptions::new()
    }

    /// `np.memmap(path, dtype, mode, shape=shape)` in one call.
    ///
    /// # Errors
    /// As [`MemmapOptions::open`].
    pub fn open(path: &str, dtype: &str, mode: &str, shape: Option<&[u64]>) -> Result<Self> {
        let options = Self::options().dtype(dtype).mode(mode);
        match shape {
            Some(shape) => options.shape(shape).open(path),
            None => options.open(path),
        }
    }

    /// The length of each axis, like `a.shape`.
    pub fn shape(&self) -> &[u64] {
        &self.shape
    }

    /// The number of axes, like `a.ndim`.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements, like `a.size`.
    pub fn size(&self) -> u64 {
        self.shape.iter().product()
    }

    /// The element type, like `a.dtype`.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Bytes between neighbours along each axis, like `a.strides`.
    pub fn strides(&self) -> Vec<i64> {
        self.handle.strides()
    }

    /// The mode the file was opened with, like `a.mode`. It prints as numpy spells it: `Display`
    /// as `print(a.mode)` (`r+`), `Debug` as `repr(a.mode)` (`'r+'`).
    ///
    /// # Examples
    /// ```
    /// use wasm_memmap_sdk::Mode;
    /// assert_eq!(Mode::ReadOnly.to_string(), "r");
    /// assert_eq!(format!("{:?}", Mode::CopyOnWrite), "'c'");
    /// assert_eq!(format!("{} {}", Mode::ReadWrite, Mode::Write), "r+ w+");
    /// ```
    pub fn mode(&self) -> Mode {
        self.handle.mode().into()
    }

    /// The file offset given to open, like `a.offset`.
    pub fn offset(&self) -> u64 {
        self.handle.offset()
    }

    /// The order given to open.
    pub fn order(&self) -> Order {
        self.handle.order().into()
    }

    /// The path as given to open (numpy's `a.filename` is the absolute host path, which a plugin
    /// does not see).
    pub fn path(&self) -> String {
        self.handle.path()
    }

    /// The view `a[index]` (numpy basic indexing); it shares the mapping.
    ///
    /// # Errors
    /// numpy's `IndexError`s as [`ErrorCode::IndexOutOfBounds`], a zero step as
    /// [`ErrorCode::InvalidArgument`].
    pub fn view(&self, index: impl AsRef<[Index]>) -> Result<Self> {
        let mut view = self.derive(self.handle.view(index.as_ref())?);
        view.indexed = true;
        Ok(view)
    }

    /// The class name numpy's `repr` starts with: `memmap`, except for an empty selection made by
    /// indexing, which numpy's `memmap.__getitem__` returns as a plain `ndarray` (it shares no
    /// memory with the map), printed `array([], ...)`.
    pub(crate) fn class_name(&self) -> &'static str {
        if self.indexed && self.shape.contains(&0) { "array" } else { "memmap" }
    }

    pub(crate) fn check_kind<T: Element>(&self, what: &str) -> Result<()> {
        if T::KIND == self.dtype.kind() {
            return Ok(());
        }
        let wanted = DType::native(T::KIND);
        Err(Error::new(
            ErrorCode::Mismatch,
            format!("cannot {what} {} values in a memmap of {}", wanted.name(), self.dtype.name()),
        ))
    }

    /// The elements of `a[index]` in C order, like `a[index].flatten()`.
    ///
    /// The values arrive as a typed list, which the component model allocates in this plugin's
    /// memory with the alignment of `T`: the vector is that list, with no copy in the plugin.
    /// (Receiving `read-bytes` and copying them into a new `Vec<T>` measured 4 times slower over
    /// an 800 MB array in 256 KiB blocks.) To reuse one buffer, see [`Memmap::read_into`]; to
    /// look at every element of a large array, [`Memmap::scan`].
    ///
    /// # Errors
    /// `T` not being the array's kind ([`ErrorCode::Mismatch`]), and the errors of [`Memmap::view`].
    pub fn read<T: Element>(&self, index: impl AsRef<[Index]>) -> Result<Vec<T>> {
        self.check_kind::<T>("read")?;
        let data = self.handle.slice_read(index.as_ref())?;
        T::from_result(data).ok_or_else(|| Error::new(ErrorCode::Mismatch, "the host sent data of another kind"))
    }

    /// All elements in C order, like `a.flatten()`.
    ///
    /// # Errors
    /// As [`Memmap::read`].
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        self.read([])
    }

    /// `a[index] = data` with `data` in C order of the selection's shape.
    ///
    /// The data cross the sandbox once, as the slice's own bytes (no conversion in the plugin).
    ///
    /// # Errors
    /// [`ErrorCode::ReadOnly`] for a map opened with `"r"`, [`ErrorCode::Mismatch`] for another
    /// kind or length, and the errors of [`Memmap::view`].
    pub fn write<T: Element>(&self, index: impl AsRef<[Index]>, data: &[T]) -> Result<()> {
        self.check_kind::<T>("write")?;
        self.write_native(index.as_ref(), data, None)
    }

    /// `a[index] = data` where `data` has `data_shape`, broadcast by numpy's rules (a row is
    /// repeated over every row, a `[1]` or `[]` shape fills the selection).
    ///
    /// # Errors
    /// As [`Memmap::write`], and numpy's "could not broadcast" message.
    pub fn assign<T: Element>(&self, index: impl AsRef<[Index]>, data: &[T], data_shape: &[u64]) -> Result<()> {
        self.check_kind::<T>("write")?;
        self.write_native(index.as_ref(), data, Some(data_shape))
    }

    /// `write-bytes` with the slice's own bytes. The host counts a wrong length in bytes; this
    /// crate's message has always counted values ("3 values were given but the selection of shape
    /// (5, 10) holds 50"), so a `mismatch` is asked again of the typed call, which checks in the
    /// same order and writes nothing either (a length is checked before any byte is written).
    fn write_native<T: Element>(&self, index: &[Index], data: &[T], data_shape: Option<&[u64]>) -> Result<()> {
        match self.handle.write_bytes(index, T::native_bytes(data), data_shape) {
            Err(e) if e.code == ErrorCode::Mismatch => {
                Ok(self.handle.slice_write(index, T::as_param(data), data_shape)?)
            }
            result => Ok(result?),
        }
    }

    /// The elements of `a[index]` in C order as bytes in this plugin's byte order (little-endian),
    /// like `a[index].astype(a.dtype.newbyteorder('=')).tobytes()`: the fast path for moving
    /// data of any kind at once (a `bool` is one byte, 0 or 1; a complex number its real part then
    /// its imaginary part).
    ///
    /// # Errors
    /// The errors of [`Memmap::view`], and the host's per-call transfer limit.
    pub fn read_bytes(&self, index: impl AsRef<[Index]>) -> Result<Vec<u8>> {
        Ok(self.handle.read_bytes(index.as_ref())?)
    }

    /// `a[index] = np.frombuffer(data, a.dtype.newbyteorder('=')).reshape(data_shape)`: `data`
    /// holds elements in this plugin's byte order, shaped `data_shape` (`None`: the selection's
    /// shape) and broadcast to the selection by numpy's rules.
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `data` is not the itemsize times the elements of the shape, or
    /// the shape does not broadcast; otherwise as [`Memmap::write`].
    pub fn write_bytes(&self, index: impl AsRef<[Index]>, data: &[u8], data_shape: Option<&[u64]>) -> Result<()> {
        Ok(self.handle.write_bytes(index.as_ref(), data, data_shape)?)
    }

    /// `a[index] = value`.
    ///
    /// # Errors
    /// As [`Memmap::write`].
    pub fn fill<T: Element>(&self, index: impl AsRef<[Index]>, value: T) -> Result<()> {
        self.assign(index, &[value], &[])
    }

    /// Writes changes to disk and waits for them, like `a.flush()` (`msync`); after the open created
    /// or grew the file (or wrote a `.npy` header), the first flush also `fsync`s the file and a new
    /// file's directory.
    ///
    /// # Errors
    /// The operating system's, as [`ErrorCode::Io`].
    pub fn flush(&self) -> Result<()> {
        Ok(self.handle.flush()?)
    }

    /// Flushes the mapping and unmaps it now, like Python's `mmap.close()` (numpy has no
    /// `memmap.close`; closing the `mmap` under a numpy memmap crashes the process, numpy issue
    /// #13510). It closes the whole map: afterwards every call that uses the mapping, on this
    /// value or on any view of the same map, fails with [`ErrorCode::InvalidArgument`] ("'x.f8'
    /// was closed; ..."), while [`Memmap::shape`], [`Memmap::dtype`], [`Memmap::path`] and the
    /// other attributes still answer. Closing again does nothing, and dropping a closed map or
    /// its views is fine (they are not flushed again). The mapped bytes stop counting against
    /// the host's limit on bytes mapped at once.
    ///
    /// # Errors
    /// A failed flush, as [`ErrorCode::Io`]; the map then stays open.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{s, Memmap};
    /// let a = Memmap::open("mymmap", "float64", "r+", Some(&[3, 4]))?;
    /// a.fill(s![..], 1.0)?;
    /// a.close()?;
    /// assert!(a.read::<f64>(s![..]).is_err());
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn close(&self) -> Result<()> {
        self.handle.close()?;
        self.closed.store(true, Ordering::Release);
        Ok(())
    }

    /// The transpose `a.T` (axes reversed), a view sharing the mapping.
    ///
    /// # Errors
    /// [`ErrorCode::LimitExceeded`] when the host's handle limit is reached.
    pub fn t(&self) -> Result<Self> {
        Ok(self.derive(self.handle.transpose()?))
    }

    /// `np.transpose(a, axes)`: axis `i` of the view is axis `axes[i]` of `a` (negative values count
    /// from the end); a view sharing the mapping.
    ///
    /// # Errors
    /// numpy's: "axes don't match array", "axis 2 is out of bounds for array of dimension 2"
    /// ([`ErrorCode::IndexOutOfBounds`]), "repeated axis in transpose".
    pub fn transpose(&self, axes: &[i64]) -> Result<Self> {
        Ok(self.derive(self.handle.permute(axes)?))
    }

    /// Opens a `.npy` file, like `np.load(path, mmap_mode=mode)`: dtype, shape and order come from
    /// its header.
    ///
    /// # Errors
    /// numpy's header errors as [`ErrorCode::InvalidArgument`] ("the magic string is not correct;
    /// ...", "Cannot parse header: ..."), mode `"w+"` (use [`Memmap::create_npy`]), and the errors of
    /// [`MemmapOptions::open`].
    ///
    /// # Examples
    /// ```no_run
    /// let a = wasm_memmap_sdk::Memmap::open_npy("data.npy", "r")?;
    /// println!("{}", a.repr()?);
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn open_npy<M: TryInto<Mode>>(path: &str, mode: M) -> Result<Self>
    where
        M::Error: Into<Error>,
    {
        let mode: Mode = mode.try_into().map_err(Into::into)?;
        Ok(Self::wrap(mmap::Memmap::open_npy(path, mode.into())?))
    }

    /// Creates a `.npy` file with numpy's header, like `np.lib.format.open_memmap(path, mode='w+',
    /// dtype=dtype, shape=shape, fortran_order=(order == "F"))`; the array is zero and reports mode
    /// `r+`, as numpy's does.
    ///
    /// # Errors
    /// A dtype or order spelling numpy refuses, and the errors of [`MemmapOptions::open`] with
    /// mode `"w+"`.
    pub fn create_npy<D, O>(path: &str, dtype: D, shape: &[u64], order: O) -> Result<Self>
    where
        D: TryInto<DType>,
        D::Error: Into<Error>,
        O: TryInto<Order>,
        O::Error: Into<Error>,
    {
        let dtype: DType = dtype.try_into().map_err(Into::into)?;
        let order: Order = order.try_into().map_err(Into::into)?;
        Ok(Self::wrap(mmap::Memmap::create_npy(path, dtype.into(), shape, order.into())?))
    }

    /// numpy's `repr(a)` (`memmap([...])`) under the current print options
    /// ([`crate::set_printoptions`]). Reads only the elements it shows.
    ///
    /// # Errors
    /// A failed read.
    pub fn repr(&self) -> Result<String> {
        crate::show::repr(self)
    }

    /// The host's handle, for the operations in other modules (`chunks.rs`, `reduce.rs`).
    pub(crate) fn handle(&self) -> &mmap::Memmap {
        &self.handle
    }

    /// The WIT handle itself, for calls this crate does not wrap (the host's `format` and
    /// `random` interfaces, through [`crate::raw`]).
    #[doc(hidden)]
    pub fn raw(&self) -> &mmap::Memmap {
        &self.handle
    }
}

impl Drop for Memmap {
    fn drop(&mut self) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        if let Err(e) = self.handle.flush() {
            eprintln!("wasm-memmap: flushing '{}' when it was dropped failed: {e}", self.handle.path());
        }
    }
}

/// numpy's `str(a)`: the elements without the `memmap(...)` wrapper.
impl std::fmt::Display for Memmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::show::str(self).map_err(|_| std::fmt::Error)?)
    }
}

impl std::fmt::Debug for Memmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memmap {{ shape: {:?}, dtype: {:?} }}", self.shape, self.dtype)
    }
}
