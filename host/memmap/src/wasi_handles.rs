//! A limit on the WASI handles a plugin holds (open files and directories, streams), answered with
//! an error the plugin can handle instead of a trap.
//!
//! wasmtime-wasi keeps every WASI resource in the store's `ResourceTable`, the same table that holds
//! `memmap` handles, and nothing bounds it but the table's capacity (1,000,000 by default). Each open
//! file or directory is also a host file descriptor, and a Linux process has 1024 of those by
//! default (`ulimit -n`) for the host and every plugin it runs. When the table is full,
//! wasmtime-wasi's `open-at` traps ("resource table has no free keys": its `FsError` turns a
//! `ResourceTableError` into a trap), which ends the plugin where a program expects `open` to fail.
//!
//! So [`limit_open_at`] replaces `wasi:filesystem/types.[method]descriptor.open-at` in the linker
//! with a wrapper that counts the plugin's WASI handles first and, at the limit, returns
//! `error-code::insufficient-memory` without opening anything. WASI 0.2 has no code for "too many
//! open files" (`EMFILE`); `insufficient-memory` is the code of a resource the system would not
//! give (`ENOMEM`, "Cannot allocate memory" in a Rust plugin's `io::Error`, kind `OutOfMemory`).
//! The host logs a warning naming the limit and counts the refusal
//! ([`MemmapStats::wasi_opens_refused`], which the CLI reports). Other calls that make WASI resources (streams, a
//! directory listing) are bounded by the table's capacity and trap past it, as before: a plugin
//! holds them only for the length of a read or write.

use std::sync::Arc;

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, ResourceTableError};
use wasmtime_wasi::WasiView;
use wasmtime_wasi::filesystem::WasiFilesystemView;
use wasmtime_wasi::p2::bindings::filesystem::types::{
    Descriptor, DescriptorFlags, ErrorCode, Host, HostDescriptor, OpenFlags, PathFlags,
};

use crate::MemmapStats;

/// The name wasmtime-wasi 48 defines `wasi:filesystem/types` under (its WIT's version); a guest
/// importing any 0.2.x version is linked to it.
const FILESYSTEM_TYPES: &str = "wasi:filesystem/types@0.2.12";

/// How many WASI handles a plugin may hold, and its `memmap` counters: how many entries of its
/// `ResourceTable` are `memmap` handles (which [`crate::MemmapLimits::max_handles`] bounds on its
/// own), and where a refusal is counted ([`MemmapStats::wasi_opens_refused`]).
#[derive(Debug, Clone)]
pub(crate) struct WasiHandleBudget {
    pub max: u64,
    pub stats: Arc<MemmapStats>,
}

/// Shadows `open-at` in `linker` (which must already hold wasmtime-wasi's p2 bindings) with one that
/// refuses to open past `budget`'s limit. See the module documentation.
///
/// # Errors
/// When the linker refuses the definition.
pub(crate) fn limit_open_at<T: WasiView + Send + 'static>(
    linker: &mut Linker<T>,
    budget: fn(&T) -> WasiHandleBudget,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    // Async, as the runner links WASI (`add_to_linker_async`): its `open-at` is awaited on the
    // plugin's fiber, so a time limit can stop it like any other WASI call.
    let defined = linker.instance(FILESYSTEM_TYPES)?.func_wrap_async(
        "[method]descriptor.open-at",
        move |mut store: StoreContextMut<'_, T>,
              (fd, path_flags, path, oflags, flags): (
            Resource<Descriptor>,
            PathFlags,
            String,
            OpenFlags,
            DescriptorFlags,
        )| {
            Box::new(async move {
            let WasiHandleBudget { max, stats } = budget(store.data());
            let state = store.data_mut();
            let entries = state.ctx().table.iter_mut().count();
            let held = u64::try_from(entries).unwrap_or(u64::MAX).saturating_sub(stats.live_handles());
            if held >= max {
                stats.wasi_open_refused();
                tracing::warn!(
                    held,
                    max,
                    "the plugin holds {held} WASI handles (open files and directories, streams), its limit of {max}; open-at returns insufficient-memory"
                );
                return Ok((Err(ErrorCode::InsufficientMemory),));
            }
            let mut view = state.filesystem();
            match HostDescriptor::open_at(&mut view, fd, path_flags, path, oflags, flags).await {
                Ok(opened) => Ok((Ok(opened),)),
                Err(e) => match Host::convert_error_code(&mut view, e) {
                    Ok(code) => Ok((Err(code),)),
                    // The table is full of other resources: the same answer as at the limit.
                    Err(trap) if matches!(trap.downcast_ref(), Some(ResourceTableError::Full)) => {
                        stats.wasi_open_refused();
                        Ok((Err(ErrorCode::InsufficientMemory),))
                    }
                    Err(trap) => Err(trap),
                },
            }
            })
        },
    );
    linker.allow_shadowing(false);
    defined
}
