//! The `wasm-memmap:array` interfaces implemented over [`WasmMemmap`].
//!
//! Every list or string a guest sends is bounded before the host builds anything from it: wasmtime
//! copies arguments into the host only up to the store's hostcall fuel
//! ([`MemmapLimits::hostcall_fuel`](crate::MemmapLimits::hostcall_fuel)); then a path is refused at
//! `PATH_MAX` bytes and a shape or data-shape past numpy's 64 axes as the first check of its call;
//! an index list is refused by counting (numpy's "too many indices" and "number of dimensions"
//! checks, which no valid list longer than 129 items passes); `at` lists of other than one per
//! axis, zero or one item, and `axes` lists of other than one per axis are refused before use.

use wasmtime::component::Resource;

use crate::WasmMemmap;
use crate::elements;
use crate::error::{ErrorCode, HostError};
use crate::generated::mmap::{self, HostMemmap};
use crate::generated::types::{self, Codec, Dtype, Elements, Index, Indices, Mode, Order, Scalar};
use crate::handle::Memmap;
use crate::item;
use crate::layout;
use crate::meter::HostStop;
use crate::onecopy::Target;
use crate::open::{self, OpenArgs};
use crate::reduce::{self, Reduction};
use crate::take;
use crate::zarr;

impl From<ErrorCode> for types::ErrorCode {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::NotFound => Self::NotFound,
            ErrorCode::AccessDenied => Self::AccessDenied,
            ErrorCode::InvalidArgument => Self::InvalidArgument,
            ErrorCode::IndexOutOfBounds => Self::IndexOutOfBounds,
            ErrorCode::Overflow => Self::Overflow,
            ErrorCode::ReadOnly => Self::ReadOnly,
            ErrorCode::Mismatch => Self::Mismatch,
            ErrorCode::LimitExceeded => Self::LimitExceeded,
            ErrorCode::Io => Self::Io,
        }
    }
}

impl types::Host for WasmMemmap<'_> {
    fn convert_error(&mut self, err: HostError) -> wasmtime::Result<types::Error> {
        let mut err = err.into_guest()?;
        self.ctx.report(&mut err);
        Ok(types::Error { code: err.code().into(), message: err.to_string() })
    }
}

impl WasmMemmap<'_> {
    /// The handle for a call that uses its mapping: fails first when the mapping was closed
    /// (through this handle or any other of the same map), so every such call says so.
    fn get(&self, handle: &Resource<Memmap>) -> Result<&Memmap, HostError> {
        let handle = self.table.get(handle)?;
        handle.map().check_open()?;
        Ok(handle)
    }
}

impl HostMemmap for WasmMemmap<'_> {
    fn open(
        &mut self,
        path: String,
        dtype: Dtype,
        mode: Mode,
        shape: Option<Vec<u64>>,
        offset: u64,
        order: Order,
    ) -> Result<Resource<Memmap>, HostError> {
        let map = open::open(self.ctx, OpenArgs { path, dtype, mode, shape, offset, order })?;
        Ok(self.table.push(map)?)
    }

    fn shape(&mut self, this: Resource<Memmap>) -> wasmtime::Result<Vec<u64>> {
        Ok(self.table.get(&this)?.layout().shape().to_vec())
    }

    fn strides(&mut self, this: Resource<Memmap>) -> wasmtime::Result<Vec<i64>> {
        Ok(self.table.get(&this)?.layout().strides().to_vec())
    }

    fn dtype(&mut self, this: Resource<Memmap>) -> wasmtime::Result<Dtype> {
        Ok(self.table.get(&this)?.origin().dtype)
    }

    fn mode(&mut self, this: Resource<Memmap>) -> wasmtime::Result<Mode> {
        Ok(self.table.get(&this)?.origin().mode)
    }

    fn offset(&mut self, this: Resource<Memmap>) -> wasmtime::Result<u64> {
        Ok(self.table.get(&this)?.origin().offset)
    }

    fn order(&mut self, this: Resource<Memmap>) -> wasmtime::Result<Order> {
        Ok(self.table.get(&this)?.origin().order)
    }

    fn path(&mut self, this: Resource<Memmap>) -> wasmtime::Result<String> {
        Ok(self.table.get(&this)?.origin().path.clone())
    }

    fn view(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<Resource<Memmap>, HostError> {
        self.ctx.check_new_handle()?;
        let parent = self.get(&this)?;
        let view = parent.with_layout(parent.layout().view(&index)?);
        Ok(self.table.push(view)?)
    }

    fn slice_read(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<Elements, HostError> {
        // `table.get` + `check_open` rather than `get`: the meter below borrows the context.
        let handle = self.table.get(&this)?;
        handle.map().check_open()?;
        let layout = handle.layout().view(&index)?;
        self.ctx.check_transfer(layout.size().saturating_mul(layout.itemsize()), "a read")?;
        let mut meter = self.ctx.meter();
        let values = elements::read(handle.map(), &layout, handle.origin().dtype, &mut meter)?;
        meter.finish()?;
        Ok(values)
    }

    fn slice_write(
        &mut self,
        this: Resource<Memmap>,
        index: Vec<Index>,
        data: Elements,
        data_shape: Option<Vec<u64>>,
    ) -> Result<(), HostError> {
        // Before anything formats it into a message (a mismatch names the data-shape).
        if let Some(shape) = &data_shape {
            layout::check_ndim(shape.len())?;
        }
        self.ctx.check_transfer(elements::byte_len(&data), "a write")?;
        let handle = self.table.get(&this)?;
        handle.map().check_open()?;
        let layout = handle.layout().view(&index)?;
        // A broadcast value is small but fills its whole selection, in one call nothing interrupts.
        self.ctx.check_transfer(layout.size().saturating_mul(layout.itemsize()), "a write")?;
        let mut meter = self.ctx.meter();
        elements::write(handle.map(), &layout, handle.origin().dtype, &data, data_shape.as_deref(), &mut meter)?;
        Ok(meter.finish()?)
    }

    fn flush(&mut self, this: Resource<Memmap>) -> Result<(), HostError> {
        let handle = self.get(&this)?;
        // Bounded by the run's deadline like every long call: past it the rest is left to the
        // kernel's write-back, still dirty for the teardown, and the call traps.
        let done = handle.map().flush_within(self.ctx.deadline())?;
        if !done {
            return Err(HostStop::Time.into());
        }
        Ok(())
    }

    fn close(&mut self, this: Resource<Memmap>) -> Result<(), HostError> {
        // Not `get`: closing a closed mapping is allowed and does nothing.
        let handle = self.table.get(&this)?;
        // As `flush`; out of time the mapping stays open, for the teardown to flush.
        let done = handle.map().close_within(self.ctx.deadline())?;
        if !done {
            return Err(HostStop::Time.into());
        }
        Ok(())
    }

    fn transpose(&mut self, this: Resource<Memmap>) -> Result<Resource<Memmap>, HostError> {
        self.ctx.check_new_handle()?;
        let parent = self.get(&this)?;
        let view = parent.with_layout(parent.layout().transposed());
        Ok(self.table.push(view)?)
    }

    fn permute(&mut self, this: Resource<Memmap>, axes: Vec<i64>) -> Result<Resource<Memmap>, HostError> {
        self.ctx.check_new_handle()?;
        let parent = self.get(&this)?;
        let view = parent.with_layout(parent.layout().permute(&axes)?);
        Ok(self.table.push(view)?)
    }

    fn open_npy(&mut self, path: String, mode: Mode) -> Result<Resource<Memmap>, HostError> {
        let map = open::open_npy(self.ctx, path, mode)?;
        Ok(self.table.push(map)?)
    }

    fn create_npy(
        &mut self,
        path: String,
        dtype: Dtype,
        shape: Vec<u64>,
        order: Order,
    ) -> Result<Resource<Memmap>, HostError> {
        let map = open::create_npy(self.ctx, path, dtype, shape, order)?;
        Ok(self.table.push(map)?)
    }

    fn open_zarr(&mut self, location: String, mode: Mode) -> Result<Resource<Memmap>, HostError> {
        let map = zarr::open::open_zarr(self.ctx, location, mode)?;
        Ok(self.table.push(map)?)
    }

    fn create_zarr(
        &mut self,
        location: String,
        dtype: Dtype,
        shape: Vec<u64>,
        chunks: Vec<u64>,
        order: Order,
        codecs: Vec<Codec>,
    ) -> Result<Resource<Memmap>, HostError> {
        let args = zarr::open::CreateArgs { location, dtype, shape, chunks, order, codecs };
        let map = zarr::open::create_zarr(self.ctx, args)?;
        Ok(self.table.push(map)?)
    }

    fn chunks(&mut self, this: Resource<Memmap>) -> wasmtime::Result<Option<Vec<u64>>> {
        Ok(self.table.get(&this)?.map().zarr().map(|array| array.chunk_shape().to_vec()))
    }

    fn drop(&mut self, this: Resource<Memmap>) -> wasmtime::Result<()> {
        let handle = self.table.delete(this)?;
        // The `Memmap`'s own `Drop` flushes, bounded by the run's deadline (the mapping's, see
        // `MemmapCtx::set_deadline`); flushing here first tells whether that deadline cut it
        // short, which traps like any call past it. A failure is logged by the drop, as before.
        // A Zarr array stores its chunks when its last handle goes (its own drop), not at every
        // view's drop.
        let done = handle.map().file().is_none() || handle.map().flush_within(self.ctx.deadline()).unwrap_or(true);
        drop(handle);
        if !done {
            return Err(HostStop::Time.trap());
        }
        Ok(())
    }

    fn sum(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<f64, HostError> {
        self.reduce(&this, &index, Reduction::Sum)
    }

    fn min(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<f64, HostError> {
        self.reduce(&this, &index, Reduction::Min)
    }

    fn max(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<f64, HostError> {
        self.reduce(&this, &index, Reduction::Max)
    }

    fn mean(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<f64, HostError> {
        self.reduce(&this, &index, Reduction::Mean)
    }

    fn item(&mut self, this: Resource<Memmap>, at: Vec<i64>) -> Result<Scalar, HostError> {
        let handle = self.get(&this)?;
        Ok(item::get(handle.map(), handle.layout(), handle.origin().dtype, &at)?)
    }

    fn read_bytes(&mut self, this: Resource<Memmap>, index: Vec<Index>) -> Result<Vec<u8>, HostError> {
        // Shadowed in the linker by `onecopy.rs`, which returns the bytes without this copy.
        Ok(self.read_bytes_one_copy(&this, &index)?.into())
    }

    fn write_bytes(
        &mut self,
        this: Resource<Memmap>,
        index: Vec<Index>,
        data: Vec<u8>,
        data_shape: Option<Vec<u64>>,
    ) -> Result<(), HostError> {
        // Shadowed in the linker by `onecopy.rs`, which reads the data in place.
        self.write_copied(&this, Target::Slice(&index), &data, data_shape.as_deref())
    }

    fn set_item(&mut self, this: Resource<Memmap>, at: Vec<i64>, value: Scalar) -> Result<(), HostError> {
        let handle = self.get(&this)?;
        Ok(item::set(handle.map(), handle.layout(), handle.origin().dtype, &at, &value)?)
    }

    fn take(&mut self, this: Resource<Memmap>, indices: Indices) -> Result<Vec<u8>, HostError> {
        let handle = self.table.get(&this)?;
        handle.map().check_open()?;
        let idx = take::integer_indices(&indices);
        // The indices and the result are bounded before the result is allocated.
        self.ctx.check_transfer(take::index_bytes(idx), "an index list")?;
        let (_, bytes) = take::selection(handle.layout(), idx)?;
        self.ctx.check_transfer(bytes, "a take")?;
        let mut meter = self.ctx.meter();
        let out = take::take(handle.map(), handle.layout(), handle.origin().dtype, idx, &mut meter)?;
        meter.finish()?;
        Ok(out)
    }

    fn put(
        &mut self,
        this: Resource<Memmap>,
        indices: Indices,
        data: Vec<u8>,
        data_shape: Option<Vec<u64>>,
    ) -> Result<(), HostError> {
        // Shadowed in the linker by `onecopy.rs`, which reads the data in place.
        self.write_copied(&this, Target::Indices(&indices), &data, data_shape.as_deref())
    }

    fn item_flat(&mut self, this: Resource<Memmap>, flat: i64) -> Result<Scalar, HostError> {
        let handle = self.get(&this)?;
        Ok(item::get_flat(handle.map(), handle.layout(), handle.origin().dtype, flat)?)
    }

    fn set_item_flat(&mut self, this: Resource<Memmap>, flat: i64, value: Scalar) -> Result<(), HostError> {
        let handle = self.get(&this)?;
        Ok(item::set_flat(handle.map(), handle.layout(), handle.origin().dtype, flat, &value)?)
    }
}

impl mmap::Host for WasmMemmap<'_> {}

impl WasmMemmap<'_> {
    /// A native reduction over `a[index]`. Nothing is copied to the plugin and nothing allocated,
    /// so the per-call transfer limit does not apply (see the WIT).
    fn reduce(&mut self, this: &Resource<Memmap>, index: &[Index], op: Reduction) -> Result<f64, HostError> {
        let handle = self.table.get(this)?;
        handle.map().check_open()?;
        let layout = handle.layout().view(index)?;
        let mut meter = self.ctx.meter();
        let value = reduce::reduce(handle.map(), &layout, handle.origin().dtype, op, &mut meter)?;
        meter.finish()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use wasmtime::component::ResourceTable;

    use super::*;
    use crate::error::Error;
    use crate::{Limit, MemmapCtxBuilder, MemmapLimits};

    /// What the plugin receives for a refused call: the library's message and the hint the
    /// embedder's hook added; the hook saw which limit refused it.
    #[test]
    fn the_plugin_reads_the_hint_of_the_embedders_hook() {
        let seen: Arc<Mutex<Vec<Option<Limit>>>> = Arc::default();
        let record = Arc::clone(&seen);
        let mut ctx = MemmapCtxBuilder::new()
            .limits(MemmapLimits { max_transfer_bytes: 8, ..MemmapLimits::default() })
            .on_error(move |e| {
                record.lock().expect("lock").push(e.limit());
                e.add_hint("ask for a larger transfer limit");
            })
            .build();
        let mut table = ResourceTable::new();
        let refused = ctx.check_transfer(16, "a read").expect_err("over");
        let mut view = WasmMemmap::new(&mut ctx, &mut table);
        let got = types::Host::convert_error(&mut view, refused.into()).expect("an error for the plugin");
        assert_eq!(got.code, types::ErrorCode::LimitExceeded);
        assert_eq!(
            got.message,
            "a read of 16 bytes is over the limit of 8 bytes per call; move the data in smaller selections; ask for a larger transfer limit"
        );
        assert_eq!(*seen.lock().expect("lock"), [Some(Limit::TransferBytes)]);
    }

    /// A stop of the whole plugin (its time ran out) is a trap: no error reaches the plugin or
    /// the hook.
    #[test]
    fn a_stop_is_a_trap_and_not_reported() {
        let seen: Arc<Mutex<usize>> = Arc::default();
        let record = Arc::clone(&seen);
        let mut ctx = MemmapCtxBuilder::new().on_error(move |_| *record.lock().expect("lock") += 1).build();
        let mut table = ResourceTable::new();
        let mut view = WasmMemmap::new(&mut ctx, &mut table);
        assert!(types::Host::convert_error(&mut view, Error::from(HostStop::Time).into()).is_err());
        assert_eq!(*seen.lock().expect("lock"), 0);
    }
}
