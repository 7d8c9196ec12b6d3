//! One copy across the sandbox, both ways: `read-bytes`, `write-bytes` and `put` served by
//! hand-written `func_wrap`s that shadow the ones `bindgen!` generates (which can only return a
//! `Vec<u8>` and take one, each a second copy).
//!
//! - `read-bytes` returns a `bytes::Bytes`: for a contiguous selection in the plugin's byte order
//!   it borrows the mapping itself (see `map/lowering.rs`, and [`MemmapCtx::call_hook`], which
//!   must be installed for that), so wasmtime's lowering into the plugin's memory is the one copy;
//!   anything else is gathered into one buffer in one call, which is lowered.
//! - `write-bytes` and `put` take their data as a [`WasmList<u8>`], read in place in the
//!   plugin's memory (bounds-checked by wasmtime against that memory) and copied straight into
//!   the mapping inside the `SIGBUS` guard.
//!
//! Every check of the generated path is kept, in the same order: a closed map, the transfer limit
//! before anything is allocated or copied, the deadline and host fuel, a poisoned map.
//!
//! [`MemmapCtx::call_hook`]: crate::MemmapCtx::call_hook

use std::time::Instant;

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, WasmList};

use crate::WasmMemmap;
use crate::backing::Backing;
use crate::elements;
use crate::error::HostError;
use crate::generated::types::{self, Dtype, Index, Indices};
use crate::handle::Memmap;
use crate::layout::{self, Layout};
use crate::meter::Meter;
use crate::take;

/// The name `bindgen!` defines the `mmap` interface under.
const MMAP: &str = "wasm-memmap:array/mmap@0.1.0";

/// Shadows `read-bytes`, `write-bytes` and `put` in `linker` (which holds the generated
/// bindings) with their one-copy versions.
pub(crate) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> WasmMemmap<'_>,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let defined = define(linker, get);
    linker.allow_shadowing(false);
    defined
}

fn define<T: 'static>(linker: &mut Linker<T>, get: fn(&mut T) -> WasmMemmap<'_>) -> wasmtime::Result<()> {
    let mut mmap = linker.instance(MMAP)?;
    mmap.func_wrap(
        "[method]memmap.read-bytes",
        move |mut store: StoreContextMut<'_, T>, (this, index): (Resource<Memmap>, Vec<Index>)| {
            let mut view = get(store.data_mut());
            let result = view.read_bytes_one_copy(&this, &index);
            Ok((view.for_guest(result)?,))
        },
    )?;
    mmap.func_wrap(
        "[method]memmap.write-bytes",
        move |mut store: StoreContextMut<'_, T>,
              (this, index, data, data_shape): (Resource<Memmap>, Vec<Index>, WasmList<u8>, Option<Vec<u64>>)| {
            let target =
                get(store.data_mut()).prepare_write(&this, Target::Slice(&index), data.len(), data_shape.as_deref());
            finish_write(store, get, target, &data, data_shape.as_deref())
        },
    )?;
    mmap.func_wrap(
        "[method]memmap.put",
        move |mut store: StoreContextMut<'_, T>,
              (this, indices, data, data_shape): (Resource<Memmap>, Indices, WasmList<u8>, Option<Vec<u64>>)| {
            let target = get(store.data_mut()).prepare_write(
                &this,
                Target::Indices(&indices),
                data.len(),
                data_shape.as_deref(),
            );
            finish_write(store, get, target, &data, data_shape.as_deref())
        },
    )?;
    Ok(())
}

/// Where a write goes: a basic-indexing selection (`write-bytes`) or integer-array indices (`put`).
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Slice(&'a [Index]),
    Indices(&'a Indices),
}

/// Everything a write needs once the store's data is no longer borrowed (the data is read in
/// place from the plugin's memory, which borrows the store): taken out of the handle and the
/// context after every check that needs them.
struct Prepared<'a> {
    map: Backing,
    /// The selection (`write-bytes`), or the array the indices index (`put`).
    layout: Layout,
    target: Target<'a>,
    dtype: Dtype,
    deadline: Option<Instant>,
    /// The context's host fuel, metered here and given back after the write.
    fuel: Option<u64>,
}

/// Runs a prepared write on the data in the plugin's memory, gives the fuel back to the context
/// and turns the result into the plugin's.
fn finish_write<T>(
    mut store: StoreContextMut<'_, T>,
    get: fn(&mut T) -> WasmMemmap<'_>,
    prepared: Result<Prepared<'_>, HostError>,
    data: &WasmList<u8>,
    data_shape: Option<&[u64]>,
) -> wasmtime::Result<(Result<(), types::Error>,)> {
    let (result, fuel) = match prepared {
        Ok(p) => p.run(data.as_le_slice(&store), data_shape),
        Err(e) => (Err(e), None),
    };
    let mut view = get(store.data_mut());
    Ok((view.finish(result, fuel)?,))
}

impl Prepared<'_> {
    /// Writes `data`; returns the result and the fuel left, for the context.
    fn run(mut self, data: &[u8], data_shape: Option<&[u64]>) -> (Result<(), HostError>, Option<Option<u64>>) {
        let mut meter = Meter::new(self.deadline, &mut self.fuel);
        let written = match self.target {
            Target::Slice(_) => {
                elements::write_bytes(&self.map, &self.layout, self.dtype, data, data_shape, &mut meter)
            }
            Target::Indices(indices) => take::put(
                &self.map,
                &self.layout,
                self.dtype,
                take::integer_indices(indices),
                data,
                data_shape,
                &mut meter,
            ),
        };
        let result = written.map_err(HostError::from).and_then(|()| Ok(meter.finish()?));
        (result, Some(self.fuel))
    }
}

impl WasmMemmap<'_> {
    /// Gives back the fuel a write used (if it ran) and turns its result into the plugin's.
    fn finish(
        &mut self,
        result: Result<(), HostError>,
        fuel: Option<Option<u64>>,
    ) -> wasmtime::Result<Result<(), types::Error>> {
        if let Some(fuel) = fuel {
            self.ctx.fuel = fuel;
        }
        self.for_guest(result)
    }

    /// `write-bytes` or `put` with data already copied into the host (the generated bindings'
    /// path, which the linker's one-copy functions shadow).
    pub(crate) fn write_copied(
        &mut self,
        this: &Resource<Memmap>,
        target: Target<'_>,
        data: &[u8],
        data_shape: Option<&[u64]>,
    ) -> Result<(), HostError> {
        let (result, fuel) = match self.prepare_write(this, target, data.len(), data_shape) {
            Ok(p) => p.run(data, data_shape),
            Err(e) => (Err(e), None),
        };
        if let Some(fuel) = fuel {
            self.ctx.fuel = fuel;
        }
        result
    }

    /// The plugin's result for `result`: its error as the plugin sees it, or a trap.
    fn for_guest<R>(&mut self, result: Result<R, HostError>) -> wasmtime::Result<Result<R, types::Error>> {
        match result {
            Ok(value) => Ok(Ok(value)),
            Err(e) => Ok(Err(types::Host::convert_error(self, e)?)),
        }
    }

    /// `read-bytes` (see the module doc): as the generated path's checks, then lent or gathered.
    pub(crate) fn read_bytes_one_copy(
        &mut self,
        this: &Resource<Memmap>,
        index: &[Index],
    ) -> Result<bytes::Bytes, HostError> {
        let handle = self.table.get(this)?;
        handle.map().check_open()?;
        let layout = handle.layout().view(index)?;
        self.ctx.check_transfer(layout.size().saturating_mul(layout.itemsize()), "a read")?;
        let hooked = self.ctx.lent.hooked();
        let map = handle.map().clone();
        let dtype = handle.origin().dtype;
        let mut meter = self.ctx.meter();
        let (bytes, guard) = if hooked {
            elements::read_bytes_lent(&map, &layout, dtype, &mut meter)?
        } else {
            (bytes::Bytes::from(elements::read_bytes(&map, &layout, dtype, &mut meter)?), None)
        };
        meter.finish()?;
        if let Some(guard) = guard
            && let Backing::File(file) = map
        {
            // Last: from here until the call hook, a fault in the mapping is the lowering's.
            self.ctx.lent.hold(file, guard);
        }
        Ok(bytes)
    }

    /// The checks of `write-bytes` / `put` that come before the data is touched, in the generated
    /// path's order: the data-shape's length, the data's bytes against the transfer limit, a
    /// closed map, the selection, the selection's bytes (and the indices') against the limit.
    fn prepare_write<'a>(
        &mut self,
        this: &Resource<Memmap>,
        target: Target<'a>,
        data_len: usize,
        data_shape: Option<&[u64]>,
    ) -> Result<Prepared<'a>, HostError> {
        if let Some(shape) = data_shape {
            layout::check_ndim(shape.len())?;
        }
        self.ctx.check_transfer(u64::try_from(data_len).unwrap_or(u64::MAX), "a write")?;
        let handle = self.table.get(this)?;
        handle.map().check_open()?;
        let layout = match target {
            Target::Slice(index) => {
                let layout = handle.layout().view(index)?;
                // A broadcast value is small but fills its whole selection, in one call nothing interrupts.
                self.ctx.check_transfer(layout.size().saturating_mul(layout.itemsize()), "a write")?;
                layout
            }
            Target::Indices(indices) => {
                let indices = take::integer_indices(indices);
                // numpy refuses an assignment to a read-only array before looking at the indices.
                drop(handle.map().writer()?);
                self.ctx.check_transfer(take::index_bytes(indices), "an index list")?;
                let layout = handle.layout().clone();
                let (_, bytes) = take::selection(&layout, indices)?;
                self.ctx.check_transfer(bytes, "a put")?;
                layout
            }
        };
        Ok(Prepared {
            map: handle.map().clone(),
            layout,
            target,
            dtype: handle.origin().dtype,
            deadline: self.ctx.deadline(),
            fuel: self.ctx.fuel,
        })
    }
}
