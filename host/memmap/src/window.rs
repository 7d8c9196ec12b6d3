//! Zero-copy windows (the WIT's `window` interface): a page-aligned range of a map's file mapped
//! over a buffer in the plugin's own linear memory.
//!
//! Stub: every call is `unsupported` until the host supplies linear memory.

use wasmtime::component::Resource;

use crate::WasmMemmap;
use crate::generated::window::{self, HostWindow, WindowError, WindowPlan};
use crate::handle::Memmap;

/// A window's host state (the WIT's `window` resource).
#[derive(Debug)]
pub struct Window {
    _private: (),
}

fn unsupported() -> WindowError {
    WindowError::Unsupported("windows are not implemented yet".to_owned())
}

impl HostWindow for WasmMemmap<'_> {
    fn plan(&mut self, array: Resource<Memmap>) -> wasmtime::Result<Result<WindowPlan, WindowError>> {
        let _ = array;
        Ok(Err(unsupported()))
    }

    fn open(
        &mut self,
        array: Resource<Memmap>,
        buffer: Vec<u8>,
    ) -> wasmtime::Result<Result<Resource<Window>, WindowError>> {
        let _ = (array, buffer);
        Ok(Err(unsupported()))
    }

    fn flush(&mut self, this: Resource<Window>) -> wasmtime::Result<Result<(), WindowError>> {
        let _ = this;
        Ok(Err(unsupported()))
    }

    fn close(&mut self, this: Resource<Window>) -> wasmtime::Result<Result<(), WindowError>> {
        let _ = this;
        Ok(Err(unsupported()))
    }

    fn drop(&mut self, this: Resource<Window>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl window::Host for WasmMemmap<'_> {}
