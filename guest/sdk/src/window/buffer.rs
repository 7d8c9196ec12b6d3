//! The page-aligned buffer a window is mapped over: the one place in this crate that allocates
//! and borrows memory by hand, since a window needs a buffer aligned to 64 KiB whose pages are not
//! touched before the host replaces them (zeroing an 800 MB buffer first would cost more than
//! reading the file through the byte path).
//!
//! Why not safe code such as `bytemuck::zeroed_slice_box` of 64 KiB-aligned pages: it calls
//! `alloc_zeroed`, and Rust's std on `wasm32-wasip2` (the unix allocator over wasi-libc's
//! `malloc`) serves an alignment above 16 with `aligned_alloc` followed by `write_bytes(0)` over
//! the whole buffer: exactly the touch of every page this buffer exists to avoid (and wasi-libc's
//! dlmalloc clears `calloc` blocks itself, as it has no fresh-`mmap` chunks to skip).
#![allow(unsafe_code)]

use std::alloc::{self, Layout};
use std::ptr::NonNull;

use crate::error::{Error, ErrorCode, Result};

/// `len` bytes at an address aligned to `align`, from the global allocator. Freed when dropped;
/// [`PageBuffer::leak`] keeps it for good.
pub(crate) struct PageBuffer {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl PageBuffer {
    /// Allocates `len` (not 0) bytes aligned to `align` (a power of two), not initialised.
    pub(crate) fn new(len: usize, align: usize) -> Result<Self> {
        let layout = Layout::from_size_align(len, align).ok().filter(|l| l.size() > 0).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("a window buffer of {len} bytes aligned to {align} cannot be allocated"),
            )
        })?;
        // SAFETY: `layout` has a non-zero size (checked above).
        let ptr = unsafe { alloc::alloc(layout) };
        let ptr = NonNull::new(ptr).ok_or_else(|| {
            Error::new(ErrorCode::LimitExceeded, format!("out of memory for a window buffer of {len} bytes"))
        })?;
        Ok(Self { ptr, layout })
    }

    /// The buffer as bytes, for the host's `window.open` to map the file over and then for the
    /// plugin to read.
    ///
    /// Before `open` the bytes are uninitialised: this borrow is then only passed to the host
    /// import, which takes its address and length and replaces the pages (it never reads them);
    /// no Rust code reads them first. Initialising them would touch every page of a buffer that
    /// may be gigabytes long, the cost the window exists to avoid.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` is a live allocation of `layout.size()` bytes owned by `self`, borrowed
        // for as long as `self` is; see above for the bytes before `open`. After `open` they are
        // the file's pages, which the host maps and (for a shared map) other processes may
        // change, as with every memory map.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.layout.size()) }
    }

    /// The buffer as bytes to write (after `open`: the file's pages, or a private copy of them).
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as `bytes`, and `&mut self` makes this the only borrow.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.layout.size()) }
    }

    /// Gives up the memory without freeing it: for a buffer the host may still have a file mapped
    /// over (a failed close), which the allocator must never hand out again.
    pub(crate) fn leak(self) {
        std::mem::forget(self);
    }
}

impl Drop for PageBuffer {
    fn drop(&mut self) {
        // SAFETY: `ptr` was allocated by the global allocator with `layout` and not freed.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}
