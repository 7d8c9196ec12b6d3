//! Reading a whole array in cache-sized pieces: [`Memmap::chunks`] and [`Memmap::read_into`].

use std::marker::PhantomData;

use crate::element::Element;
use crate::error::{Error, ErrorCode, Result};
use crate::index::{Index, Slice};
use crate::memmap::Memmap;

/// The bytes one chunk holds (at most; whole elements). Chosen with `cargo run --release --bin
/// wasm-memmap-bench`, summing an 800 MB float64 file in a plugin: 16 KiB and 64 KiB blocks took
/// 417 and 424 ms, 256 KiB 362 ms, 1 MiB 351 ms, 8 MiB blocks move at a third of the speed of 1 MiB
/// ones (fresh pages each time). 256 KiB is as fast as 1 MiB and keeps a chunk in the L2 cache.
pub const CHUNK_BYTES: usize = 256 << 10;

/// An iterator over the elements of an array in C order, one [`CHUNK_BYTES`] block at a time; made
/// by [`Memmap::chunks`].
pub struct Chunks<'a, T> {
    map: &'a Memmap,
    /// The axis cut into pieces: every axis after it is taken whole, every axis before it is
    /// walked one position at a time (`outer`).
    axis: usize,
    /// How many positions of `axis` one chunk takes.
    step: u64,
    outer: Vec<u64>,
    next: u64,
    done: bool,
    _kind: PhantomData<T>,
}

impl<T: Element> Chunks<'_, T> {
    fn index(&self, stop: u64) -> Result<Vec<Index>> {
        let int = |v: u64| {
            i64::try_from(v).map_err(|_| Error::new(ErrorCode::Overflow, format!("position {v} does not fit in i64")))
        };
        let mut index: Vec<Index> = self.outer.iter().map(|&i| int(i).map(Index::At)).collect::<Result<_>>()?;
        index.push(Index::Slice(Slice { start: Some(int(self.next)?), stop: Some(int(stop)?), step: None }));
        Ok(index)
    }

    /// Moves to the next position of the outer axes (odometer, last fastest); false at the end.
    fn advance_outer(&mut self) -> bool {
        let shape = self.map.shape();
        for k in (0..self.outer.len()).rev() {
            self.outer[k] += 1;
            if self.outer[k] < shape[k] {
                return true;
            }
            self.outer[k] = 0;
        }
        false
    }
}

impl<T: Element> Chunks<'_, T> {
    /// The index of the next chunk (`None` at the end), `[]` for a 0-d array.
    fn next_index(&mut self) -> Option<Result<Vec<Index>>> {
        if self.done {
            return None;
        }
        let shape = self.map.shape();
        if shape.is_empty() {
            self.done = true;
            return Some(Ok(Vec::new()));
        }
        let len = shape[self.axis];
        let stop = self.next.saturating_add(self.step).min(len);
        let index = match self.index(stop) {
            Ok(index) => index,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.next = stop;
        if self.next >= len {
            self.next = 0;
            self.done = !self.advance_outer();
        }
        Some(Ok(index))
    }
}

impl<T: Element> Iterator for Chunks<'_, T> {
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_index()?.and_then(|index| self.map.read(index)))
    }
}

impl Memmap {
    /// The elements in C order, in blocks of about [`CHUNK_BYTES`], like iterating over
    /// `np.nditer(a, flags=['external_loop', 'buffered'])`: the fast way to scan an array that is
    /// too large to read at once. Chunks follow the array's rows: a chunk never mixes the end of one
    /// block of the outer axes with the start of the next.
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `T` is not the array's kind. Each chunk is a `Result` with the
    /// errors of [`Memmap::read`].
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::Memmap;
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[10000, 10000]))?;
    /// let mut largest = f64::NEG_INFINITY;
    /// for chunk in a.chunks::<f64>()? {
    ///     largest = chunk?.into_iter().fold(largest, f64::max);
    /// }
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn chunks<T: Element>(&self) -> Result<Chunks<'_, T>> {
        if T::KIND != self.dtype().kind() {
            return Err(Error::new(
                ErrorCode::Mismatch,
                format!(
                    "cannot read {} values from a memmap of {}",
                    crate::DType::native(T::KIND).name(),
                    self.dtype().name()
                ),
            ));
        }
        let shape = self.shape();
        let target = u64::try_from((CHUNK_BYTES / self.dtype().itemsize().max(1)).max(1)).unwrap_or(u64::MAX);
        // The first axis from which on the trailing block fits in a chunk (the last axis always
        // qualifies: it is cut into pieces of `target` elements when its rows are longer).
        let mut axis = shape.len().saturating_sub(1);
        let mut block: u64 = 1;
        for k in (0..shape.len()).rev() {
            let inner = block;
            block = block.saturating_mul(shape[k].max(1));
            if inner > target {
                break;
            }
            axis = k;
            if block > target {
                break;
            }
        }
        let inner: u64 = shape.get(axis + 1..).map_or(1, |rest| rest.iter().product::<u64>().max(1));
        let step = (target / inner).max(1);
        Ok(Chunks {
            map: self,
            axis,
            step,
            outer: vec![0; axis],
            next: 0,
            done: shape.contains(&0),
            _kind: PhantomData,
        })
    }

    /// Reads `a[index]` in C order into `out`, like `np.copyto(out, a[index])`, and returns the
    /// number of elements read. Lets a loop reuse one buffer. The data cross the sandbox once as
    /// native-order bytes, into a list the component model allocates in the plugin's memory
    /// (there is no way for the host to write into a buffer the plugin chose), and are copied from
    /// it into `out` once; [`Memmap::scan`] skips that copy.
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `out.len()` is not the selection's element count or `T` is not
    /// the array's kind, and the errors of [`Memmap::read`].
    pub fn read_into<T: Element>(&self, index: impl AsRef<[Index]>, out: &mut [T]) -> Result<usize> {
        self.check_kind::<T>("read")?;
        let bytes = self.read_bytes(index)?;
        let count = bytes.len() / size_of::<T>();
        if count != out.len() {
            return Err(Error::new(
                ErrorCode::Mismatch,
                format!("the selection holds {count} elements but the buffer has room for {}", out.len()),
            ));
        }
        T::copy_from_native(out, &bytes).ok_or_else(Error::torn)?;
        Ok(count)
    }

    /// Calls `f` with the elements in C order, a block of about [`CHUNK_BYTES`] at a time (the
    /// blocks of [`Memmap::chunks`]), like a loop over `np.nditer(a, flags=['external_loop',
    /// 'buffered'])`: the fastest full scan through the host. Each block crosses the sandbox once
    /// and `f` borrows it where it landed (a copy is made only if the allocator returned a buffer
    /// not aligned for `T`, which the usual allocators never do).
    ///
    /// # Errors
    /// [`ErrorCode::Mismatch`] when `T` is not the array's kind, and the first error of a read
    /// (the blocks before it were passed to `f`).
    ///
    /// # Examples
    /// ```no_run
    /// use wasm_memmap_sdk::{Memmap, kernels};
    /// let a = Memmap::open("mymmap", "float64", "r", Some(&[10000, 10000]))?;
    /// let mut total = 0.0;
    /// a.scan::<f64>(|block| total += kernels::sum_f64(block))?;
    /// # Ok::<(), wasm_memmap_sdk::Error>(())
    /// ```
    pub fn scan<T: Element>(&self, mut f: impl FnMut(&[T])) -> Result<()> {
        let mut chunks = self.chunks::<T>()?;
        while let Some(index) = chunks.next_index() {
            let bytes = self.handle().read_bytes(&index?)?;
            match T::view_native(&bytes) {
                Some(values) => f(values),
                None => f(&T::from_native_vec(bytes).ok_or_else(Error::torn)?),
            }
        }
        Ok(())
    }
}
