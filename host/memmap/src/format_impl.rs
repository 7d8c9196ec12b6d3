//! The `format` interface: numpy's `repr`/`str` of a selection, printed by the host.

use wasmtime::component::Resource;

use crate::WasmMemmap;
use crate::error::{Error, HostError};
use crate::generated::format::{Host, PrintOptions, Style};
use crate::generated::types::{Dtype, Index};
use crate::handle::Memmap;

impl Host for WasmMemmap<'_> {
    fn format_memmap(
        &mut self,
        _array: Resource<Memmap>,
        _index: Vec<Index>,
        _style: Style,
        _class_name: String,
        _options: PrintOptions,
    ) -> Result<String, HostError> {
        Err(Error::invalid("format-memmap is not implemented yet").into())
    }

    fn format_bytes(
        &mut self,
        _dtype: Dtype,
        _shape: Vec<u64>,
        _data: Vec<u8>,
        _style: Style,
        _class_name: String,
        _options: PrintOptions,
    ) -> Result<String, HostError> {
        Err(Error::invalid("format-bytes is not implemented yet").into())
    }
}
