//! Opting in to zero-copy windows (the WIT's `window` interface): a range of a map's file mapped
//! straight into the plugin's own linear memory, where the plugin reads and writes the file's
//! pages in place with no host call and no copy per access, as `np.memmap` does in a native
//! process (POSIX: `mmap(addr, len, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_SHARED, fd, offset)`
//! over a buffer the plugin allocated).
//!
//! Windows are off by default; nothing else changes speed when they are off. Two steps turn them on:
//!
//! 1. [`configure`] the engine's [`Config`]: the host then makes every linear memory itself (a
//!    4 GiB reservation plus wasmtime's guard, never moved), so it can map file pages into one.
//! 2. [`MemmapCtxBuilder::windows`](crate::MemmapCtxBuilder::windows) for each plugin instance,
//!    with its component: a component with other than one linear memory gets `unsupported`.
//!
//! Without step 1, `window.open` answers `unsupported` (the plugin's memory is wasmtime's own);
//! without step 2, `window.plan` and `window.open` do.
//!
//! # Costs and limits
//! Every memory of the engine reserves 4 GiB of address space (as wasmtime's default memories do
//! on 64-bit hosts), and data segments are copied in at instantiation instead of mapped
//! copy-on-write (`memory_init_cow(false)`: wasmtime 48 cannot do both). A window counts as a handle
//! ([`MemmapLimits::max_handles`](crate::MemmapLimits::max_handles)) and its bytes as mapped
//! bytes ([`MemmapLimits::max_mapped_bytes`](crate::MemmapLimits::max_mapped_bytes)); at most
//! 4096 windows are open in the process at once, and at most 256 of them are one plugin's. One window is at most
//! [`MemmapLimits::max_transfer_bytes`](crate::MemmapLimits::max_transfer_bytes) long (256 MiB by
//! default): its buffer crosses `open` as a `list<u8>`, which wasmtime counts against the call's
//! hostcall fuel as if it were copied (it is not), so larger arrays are scanned through windows
//! over views of them, or the embedder raises that limit. A file truncated under a window gives the plugin
//! zero pages and an `io` error at its next call, never a dead host (see the WIT).
//!
//! # Examples
//! ```
//! use wasm_memmap_host::MemmapCtxBuilder;
//! use wasmtime::component::Component;
//! use wasmtime::{Config, Engine};
//!
//! let mut config = Config::new();
//! wasm_memmap_host::windows::configure(&mut config);
//! let engine = Engine::new(&config)?;
//! let component = Component::new(&engine, wasm_memmap_guest_artifacts::DEMO)?;
//! let ctx = MemmapCtxBuilder::new().windows(&component).build();
//! # let _ = ctx;
//! # Ok::<(), wasmtime::Error>(())
//! ```

use std::sync::Arc;

use wasmtime::component::Component;
use wasmtime::{Config, InstanceAllocationStrategy};

use crate::map::WindowMemoryCreator;

/// Makes `config` an engine configuration that supports windows: every linear memory is made by
/// this crate (`Config::with_host_memory`), reserved in full and never moved; data segments are
/// copied in at instantiation (`memory_init_cow(false)`, without which wasmtime 48 panics when it
/// instantiates a module with data segments in such a memory); instances are allocated on demand
/// (the pooling allocator would bypass the host's memories). Compiled code depends on these
/// settings: a component compiled for another engine configuration is refused by this one, so a
/// compile cache must keep the two apart (wasmtime's compatibility check does).
pub fn configure(config: &mut Config) -> &mut Config {
    config
        .with_host_memory(Arc::new(WindowMemoryCreator))
        .memory_init_cow(false)
        .allocation_strategy(InstanceAllocationStrategy::OnDemand)
}

/// Whether a plugin instance may open windows, and why not (see
/// [`MemmapCtxBuilder::windows`](crate::MemmapCtxBuilder::windows)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WindowSupport {
    /// The linear memories the component defines; `None` when it cannot be known (a component
    /// that imports core modules).
    memories: Option<u32>,
}

impl WindowSupport {
    pub(crate) fn for_component(component: &Component) -> Self {
        Self { memories: component.resources_required().map(|r| r.num_memories) }
    }

    /// `Err` with the `unsupported` message when the component has other than one memory.
    pub(crate) fn check(self) -> Result<(), String> {
        match self.memories {
            Some(1) => Ok(()),
            Some(n) => Err(format!(
                "windows need a plugin with exactly one linear memory, and this one has {n}: use read-bytes and write-bytes"
            )),
            None => Err(
                "windows need a plugin with exactly one linear memory, and this one's memories cannot be counted (it imports core modules): use read-bytes and write-bytes"
                    .to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a component with exactly one memory may open windows; the refusal says how many it has.
    /// (A real component with two memories is not built here: the toolchain links one per plugin.)
    #[test]
    fn only_one_memory_is_supported() {
        assert_eq!(WindowSupport { memories: Some(1) }.check(), Ok(()));
        assert_eq!(
            WindowSupport { memories: Some(2) }.check(),
            Err("windows need a plugin with exactly one linear memory, and this one has 2: use read-bytes and write-bytes".to_owned())
        );
        assert!(WindowSupport { memories: None }.check().is_err());
        assert!(WindowSupport { memories: Some(0) }.check().is_err());
    }

    /// The test programs (Rust `wasm32-wasip2` components) have exactly one memory.
    #[test]
    fn a_rust_plugin_has_one_memory() {
        let mut config = Config::new();
        configure(&mut config);
        let engine = wasmtime::Engine::new(&config).expect("engine");
        let component = Component::new(&engine, wasm_memmap_guest_artifacts::DEMO).expect("compile");
        assert_eq!(WindowSupport::for_component(&component).check(), Ok(()));
    }
}
