//! Zero-copy windows: a map's file mapped straight into this plugin's memory, lent as a typed
//! slice ([`Memmap::window`], [`Memmap::window_mut`]). Reading a window is reading the file's
//! pages in place, as `np.memmap` does in a native process: no host call and no copy per access.
//!
//! Windows are opt-in for the embedder (`wasm-memmap run` enables them with a flag; see the
//! host's documentation): without them every window call fails with an error for which
//! [`Error::is_unsupported`] is true, and the plugin should fall back to [`Memmap::scan`] /
//! [`Memmap::read`], which work everywhere.

mod buffer;

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut, Range};

use buffer::PageBuffer;

use crate::bindings::wasm_memmap::array::window::{Window as WitWindow, WindowError, WindowPlan};
use crate::dtype::{DType, Kind, Mode};
use crate::element::Element;
use crate::error::{Error, ErrorCode, Result};
use crate::memmap::Memmap;

impl From<WindowError> for Error {
    fn from(e: WindowError) -> Self {
        match e {
            WindowError::Unsupported(message) => Error::unsupported(message),
            WindowError::Failed(e) => e.into(),
        }
    }
}

/// A `u64` from the host's plan as a `usize`.
fn size(value: u64, what: &str) -> Result<usize> {
    usize::try_from(value).map_err(|_| {
        Error::new(
            ErrorCode::Overflow,
            format!("a window's {what} of {value} bytes does not fit in this plugin's memory"),
        )
    })
}

/// What a guard holds: the map it borrows, the host's window and the buffer it is mapped over.
struct Mapped<'a, T> {
    /// Kept for the lifetime: the map outlives its windows, and the borrow is exclusive so no
    /// other call on the map can change the lent values (see [`Memmap::window`]).
    _map: &'a mut Memmap,
    /// `None` for an empty selection (nothing to map) and once closed.
    handle: Option<WitWindow>,
    buffer: Option<PageBuffer>,
    /// Where the selection's bytes are in `buffer`.
    data: Range<usize>,
    _values: PhantomData<T>,
}

impl<'a, T: Element> Mapped<'a, T> {
    /// Plans, checks that the selection can be lent as `&[T]`, allocates and opens.
    fn open(map: &'a mut Memmap) -> Result<Self> {
        map.check_kind::<T>("read")?;
        let dtype = map.dtype();
        refuse_untyped(dtype)?;
        let plan = WitWindow::plan(map.raw())?;
        let (length, align, data) = checked_plan::<T>(&plan, map.offset())?;
        let (handle, buffer) = if length == 0 {
            (None, None)
        } else {
            let buffer = PageBuffer::new(length, align)?;
            (Some(WitWindow::open(map.raw(), buffer.bytes())?), Some(buffer))
        };
        Ok(Self { _map: map, handle, buffer, data, _values: PhantomData })
    }

    fn values(&self) -> &[T] {
        let bytes = self.buffer.as_ref().and_then(|b| b.bytes().get(self.data.clone())).unwrap_or(&[]);
        // Length and alignment were checked when the window was opened.
        T::view_native(bytes).unwrap_or(&[])
    }

    fn values_mut(&mut self) -> &mut [T] {
        let data = self.data.clone();
        let bytes = self.buffer.as_mut().and_then(|b| b.bytes_mut().get_mut(data)).unwrap_or(&mut []);
        T::view_native_mut(bytes).unwrap_or(&mut [])
    }

    fn flush(&self) -> Result<()> {
        match &self.handle {
            Some(handle) => Ok(handle.flush()?),
            None => Ok(()),
        }
    }

    /// Closes the host's window, then frees the buffer; after a failed close the buffer may still
    /// have the file mapped over it, so it is never freed (the allocator must not hand out file
    /// pages as fresh memory).
    fn close(&mut self) -> Result<()> {
        let Some(handle) = self.handle.take() else { return Ok(()) };
        let closed = handle.close();
        drop(handle);
        match closed {
            Ok(()) => {
                self.buffer = None;
                Ok(())
            }
            Err(e) => {
                if let Some(buffer) = self.buffer.take() {
                    buffer.leak();
                }
                Err(e.into())
            }
        }
    }
}

impl<T> Drop for Mapped<'_, T> {
    fn drop(&mut self) {
        // `close` needs `T: Element`, which `Drop` cannot ask for; the same steps without it.
        let Some(handle) = self.handle.take() else { return };
        if let Err(e) = handle.close() {
            eprintln!("wasm-memmap: closing a window when it was dropped failed: {}", Error::from(e));
            if let Some(buffer) = self.buffer.take() {
                buffer.leak();
            }
        }
    }
}

/// Refuses the arrays whose file bytes are not values of `T` as they lie: another byte order, and
/// `bool` (a file's byte other than 0 or 1 is no Rust `bool`).
fn refuse_untyped(dtype: DType) -> Result<()> {
    if dtype.kind() == Kind::Bool {
        return Err(Error::invalid(
            "a window cannot lend bool values: the file may hold bytes other than 0 and 1, which no Rust bool \
             can be; use read or scan, which read them as numpy does",
        ));
    }
    if dtype.needs_swap() {
        return Err(Error::invalid(format!(
            "a window lends the file's bytes as they are, and {} ({}) is not in this plugin's byte \
             order (little-endian); use read or scan, which convert",
            dtype.str(),
            dtype.name()
        )));
    }
    Ok(())
}

/// The plan's buffer length and alignment, and where the selection's values lie in the buffer,
/// checked: in range, a whole number of `T`, at an offset aligned for `T`.
fn checked_plan<T: Element>(plan: &WindowPlan, offset: u64) -> Result<(usize, usize, Range<usize>)> {
    let length = size(plan.length, "buffer length")?;
    let align = size(plan.align, "alignment")?;
    let start = size(plan.data_offset, "data offset")?;
    let len = size(plan.data_length, "data length")?;
    let data = start.checked_add(len).filter(|&end| end <= length).map(|end| start..end).ok_or_else(|| {
        Error::invalid(format!("the host's window plan puts {len} bytes at {start} in a {length}-byte buffer"))
    })?;
    if !align.is_power_of_two() || !len.is_multiple_of(size_of::<T>()) {
        return Err(Error::invalid(format!(
            "the host's window plan (alignment {align}, {len} bytes of data) does not hold whole elements"
        )));
    }
    if !start.is_multiple_of(align_of::<T>()) || align < align_of::<T>() {
        return Err(Error::invalid(format!(
            "a window cannot lend {} values: the array starts at byte {start} of its first page (its offset in \
             the file is {offset}), which is not a multiple of {}, their alignment; use read or scan",
            DType::native(T::KIND).name(),
            align_of::<T>()
        )));
    }
    Ok((length, align, data))
}

/// A read-only window: the elements of a map or contiguous view, in place in the file's pages,
/// lent as `&[T]` (C order) for as long as the guard lives; made by [`Memmap::window`]. Dropping
/// it closes the window (after a flush); [`Window::close`] does so and reports failure.
///
/// numpy: `np.memmap(path, mode='r')` itself, whose buffer is the file's pages.
pub struct Window<'a, T> {
    mapped: Mapped<'a, T>,
}

/// A writable window, lent as `&mut [T]`: writes go to the file in modes `r+` and `w+` (on disk
/// after [`WindowMut::flush`] or the close); a mode `c` map has no windows (see
/// [`Memmap::window_mut`]); made by [`Memmap::window_mut`].
///
/// numpy: `a = np.memmap(path, mode='r+'); a[...] = ...; a.flush()`.
pub struct WindowMut<'a, T> {
    mapped: Mapped<'a, T>,
}

impl<T: Element> Deref for Window<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.mapped.values()
    }
}

impl<T: Element> Deref for WindowMut<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.mapped.values()
    }
}

impl<T: Element> DerefMut for WindowMut<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.mapped.values_mut()
    }
}

/// `flush` and `close`, the same for both guards.
macro_rules! guard_calls {
    ($guard:ident) => {
        impl<T: Element> $guard<'_, T> {
            /// Writes the window's changed pages to the file, like `a.flush()` (`msync`); nothing
            /// to do for modes `r` and `c`.
            ///
            /// # Errors
            /// The operating system's, as [`ErrorCode::Io`]; a file truncated under the window.
            pub fn flush(&self) -> Result<()> {
                self.mapped.flush()
            }

            /// Flushes and closes the window now; the memory it used goes back to the allocator.
            ///
            /// # Errors
            /// As [`Self::flush`]. After a failure the buffer is never freed (the file may
            /// still be mapped over it).
            pub fn close(mut self) -> Result<()> {
                self.mapped.close()
            }
        }
    };
}

guard_calls!(Window);
guard_calls!(WindowMut);

impl Memmap {
    /// Maps the file's pages under this map's elements into the plugin's memory and lends them as
    /// `&[T]` in C order: a full scan reads the file in place with no host call and no copy, as
    /// numpy's `np.memmap` does. The selection must be one contiguous run of the file in C order
    /// (a whole C-order map, or a contiguous view such as `a.view(s![1000..2000])`).
    ///
    /// The guard borrows the map mutably: while it lends the slice, no other call on this map (a
    /// `write`, a `put`, another window) can run, so nothing in this plugin changes the lent
    /// values behind the borrow. Take windows of different views (each its own [`Memmap`]) to
    /// keep several open.
    ///
    /// # Safety
    /// This is a safe fn, with the caveat every memory map has (memmap2 makes `Mmap::map` unsafe
    /// for it): the slice shows the file's pages as they are, so a write to the same file through
    /// another handle (another [`Memmap`] of the same file, a window on another view of it, a WASI
    /// write) or by another process changes the lent values while they are borrowed (mode `r+`
    /// maps are shared). Do not write a file through one handle while a window onto the same bytes
    /// is open through another, and do not let other processes change files you map.
    ///
    /// # Errors
    /// [`Error::is_unsupported`] when the embedder did not enable windows or the map is mode `c`
    /// (fall back to [`Memmap::scan`]); [`ErrorCode::Mismatch`] when `T` is not the array's kind;
    /// [`ErrorCode::InvalidArgument`] for a `bool` array, a byte order other than this plugin's
    /// (little-endian), a selection that starts at an offset not aligned for `T` (a map opened at
    /// an odd `offset`), or one that is not contiguous; [`ErrorCode::LimitExceeded`] past the
    /// host's limits on windows.
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{Memmap, kernels};
    /// let mut a = Memmap::open("mymmap", "float64", "r", Some(&[10000, 10000]))?;
    /// // the guard (and its borrow of `a`) ends inside `map`, so the fallback may use `a` again
    /// let total = match a.window::<f64>().map(|values| kernels::sum_f64(&values)) {
    ///     Ok(total) => total,
    ///     Err(e) if e.is_unsupported() => {
    ///         let mut total = 0.0;
    ///         a.scan::<f64>(|block| total += kernels::sum_f64(block))?;
    ///         total
    ///     }
    ///     Err(e) => return Err(e),
    /// };
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn window<T: Element>(&mut self) -> Result<Window<'_, T>> {
        Ok(Window { mapped: Mapped::open(self)? })
    }

    /// As [`Memmap::window`], lending `&mut [T]`: in mode `r+` / `w+` writes go to the file
    /// (flushed by [`WindowMut::flush`] and when the guard is dropped). A mode `c` map has no
    /// windows: writes through a copy-on-write map live in its own private pages, which no second
    /// mapping can share ([`Error::is_unsupported`]; use [`Memmap::write`] there).
    ///
    /// # Errors
    /// [`ErrorCode::ReadOnly`] for a map opened with mode `r` ("assignment destination is
    /// read-only", numpy's words), and the errors of [`Memmap::window`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let mut a = Memmap::open("mymmap", "float64", "r+", Some(&[10000, 10000]))?;
    /// let mut values = a.window_mut::<f64>()?;
    /// values.iter_mut().for_each(|v| *v *= 2.0); // a *= 2
    /// values.flush()?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    ///
    /// Two live guards on one map (or a `write` / `put` while one lives) do not compile:
    /// ```compile_fail,E0499
    /// use wasm_memmap_sdk::Memmap;
    /// let mut a = Memmap::open("mymmap", "float64", "r+", Some(&[4]))?;
    /// let first = a.window_mut::<f64>()?;
    /// let second = a.window_mut::<f64>()?; // a second `&mut [f64]` over the same pages
    /// drop((first, second));
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn window_mut<T: Element>(&mut self) -> Result<WindowMut<'_, T>> {
        if self.mode() == Mode::ReadOnly {
            return Err(Error::new(ErrorCode::ReadOnly, "assignment destination is read-only"));
        }
        Ok(WindowMut { mapped: Mapped::open(self)? })
    }
}
