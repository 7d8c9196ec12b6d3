//! The native side of the benchmark: the same workloads in plain Rust over `memmap2`, and the
//! child-process resource usage (`wait4`). The only `unsafe` of this crate.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A read-only map of a whole file.
pub struct Map(memmap2::Mmap);

/// A read-write shared map of a whole file.
pub struct MapMut(memmap2::MmapMut);

impl Map {
    /// Maps `path` read-only.
    ///
    /// # Errors
    /// Opening or mapping the file.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        // SAFETY: the benchmark's data files are created by this program and nothing truncates or
        // writes them while it runs (the guest and numpy only read them, or write the scratch file,
        // which is mapped by `MapMut`).
        Ok(Self(unsafe { memmap2::Mmap::map(&file)? }))
    }

    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl MapMut {
    /// Maps `path` read-write, shared.
    ///
    /// # Errors
    /// Opening or mapping the file.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::options().read(true).write(true).open(path)?;
        // SAFETY: the scratch file is only written by the workloads, which run one at a time; no
        // process truncates it.
        Ok(Self(unsafe { memmap2::MmapMut::map_mut(&file)? }))
    }

    /// The mapped bytes.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

/// How a child process ended and what it used.
pub struct ChildRun {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: i64,
    /// Whether it exited with status 0.
    pub success: bool,
}

/// Runs `command` to its end and reports its wall time and peak RSS (`wait4`'s `rusage`, what
/// `/usr/bin/time -v` prints).
///
/// # Errors
/// Spawning or waiting.
pub fn run_child(command: &mut Command) -> io::Result<ChildRun> {
    let start = Instant::now();
    let child = command.spawn()?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|_| io::Error::other("pid out of range"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data for which all-zero bytes are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (we never call `Child::wait`); `status`
    // and `usage` are valid, writable locals.
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if got != pid {
        return Err(io::Error::last_os_error());
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok(ChildRun { wall, max_rss_kib: usage.ru_maxrss, success })
}
