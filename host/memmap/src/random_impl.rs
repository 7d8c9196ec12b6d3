//! The `random` interface: numpy's `Generator(PCG64(SeedSequence(seed)))`, drawn by the host.

use wasmtime::component::Resource;

use crate::WasmMemmap;
use crate::error::{Error, HostError};
use crate::generated::random::{Distribution, Host, HostGenerator};
use crate::generated::types::Index;
use crate::handle::Memmap;

/// One plugin's generator.
pub struct Generator {
    _rng: wasm_memmap_numpy_random::Generator,
}

impl HostGenerator for WasmMemmap<'_> {
    fn create(&mut self, _seed: Option<Vec<u32>>) -> Result<Resource<Generator>, HostError> {
        Err(Error::invalid("random generators are not implemented yet").into())
    }

    fn draw(
        &mut self,
        _this: Resource<Generator>,
        _distribution: Distribution,
        _count: u64,
    ) -> Result<Vec<u8>, HostError> {
        Err(Error::invalid("draw is not implemented yet").into())
    }

    fn fill(
        &mut self,
        _this: Resource<Generator>,
        _distribution: Distribution,
        _array: Resource<Memmap>,
        _index: Vec<Index>,
    ) -> Result<(), HostError> {
        Err(Error::invalid("fill is not implemented yet").into())
    }

    fn drop(&mut self, this: Resource<Generator>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for WasmMemmap<'_> {}
