//! Compiling an untrusted component in a child process under a time and a memory limit.
//!
//! Cranelift's time and memory grow with what a component holds: a 30 MB component of deeply
//! nested blocks takes seconds and gigabytes, before any limit of the plugin's instance applies.
//! In a child process both are bounded: the parent watches the child's resident memory (`VmRSS` in
//! `/proc/PID/status`, every 5 ms) and kills it (`SIGKILL`) past the memory limit or the deadline;
//! and the child limits its own address space (`setrlimit(RLIMIT_AS)`, [`AS_FACTOR`] times the
//! memory limit) so that no burst between two looks can take the machine's memory. The child is
//! the embedder's own executable, started with arguments that make it call [`serve_compile`]; it
//! sends back what [`wasmtime::component::Component::serialize`] makes.
//!
//! The protocol, over the child's stdin and stdout: the parent writes [`REQUEST_MAGIC`], one byte of
//! engine flags, the address-space limit (u64 little-endian), the component's length (u64
//! little-endian) and the component; the child answers with the serialized component and exits 0,
//! or writes an error to stderr and exits 2.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The first bytes of a request: a child started by mistake (or by another version) fails fast.
const REQUEST_MAGIC: &[u8; 16] = b"wasm-memmap-cc1\n";
/// Flag bit: the engine meters fuel (see [`super::Runner::with_fuel`]).
const FLAG_FUEL: u8 = 1;
/// Flag bit: the engine supports zero-copy windows (see [`super::Runner::with_windows`]).
const FLAG_WINDOWS: u8 = 2;
/// The most a child's error message is kept (16 KiB).
const MAX_CHILD_MESSAGE: u64 = 16 << 10;
/// The most a child's serialized output is read (4 GiB), whatever its memory limit: compiled code is
/// a few times the size of the component, which is capped well below this. Below it, the output may
/// be no larger than the child's memory limit (the child held all of it in memory).
const MAX_CHILD_OUTPUT: u64 = 4 << 30;
/// How often the parent checks whether the child has ended and how much memory it holds.
const POLL: Duration = Duration::from_millis(5);
/// The child's address space may be this many times its memory limit: compiling reserves much more
/// than it touches (a component that peaks at 870 MB resident reserves 2.2 GB), and the limit the
/// user sets is on memory really used.
const AS_FACTOR: u64 = 4;

/// How untrusted components are loaded: [`super::Runner::load_untrusted`] and
/// [`super::Runner::load_file`]. Trusted bytes ([`super::Runner::load`]) are compiled in process
/// whatever this says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileLimits {
    /// The largest component accepted, checked before the file is read. Default 128 MiB: a
    /// componentize-py Python runner is about 20 MB.
    pub max_component_bytes: u64,
    /// Compile in a child process under limits. Default none: compile in this process, unbounded;
    /// an embedder that runs components it did not build should set it.
    pub child: Option<ChildCompiler>,
}

impl Default for CompileLimits {
    fn default() -> Self {
        Self { max_component_bytes: 128 << 20, child: None }
    }
}

/// A child process that compiles components: `program` started with `args`, which must call
/// [`serve_compile`] (the `wasm-memmap` CLI runs itself with a hidden subcommand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildCompiler {
    /// The executable, usually [`std::env::current_exe`].
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Wall-clock time the compilation may take, from the child's start; then it is killed.
    pub timeout: Duration,
    /// The most resident memory the child may use; it is killed past it. Its address space is
    /// limited too, to four times this.
    pub max_memory_bytes: u64,
}

/// Why an untrusted component was not compiled. The messages name the limit and its value, and no
/// CLI flag; the CLI adds its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileLimitError {
    /// The component (or its file) is larger than [`CompileLimits::max_component_bytes`].
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The plugin file is not a regular file (a FIFO, a device, a directory).
    NotRegularFile,
    /// Compiling took longer than [`ChildCompiler::timeout`].
    TimedOut {
        /// The limit.
        limit: Duration,
    },
    /// Compiling needed more memory than [`ChildCompiler::max_memory_bytes`].
    OutOfMemory {
        /// The limit.
        limit: u64,
    },
}

impl std::fmt::Display for CompileLimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { size, limit } => {
                write!(f, "the component is {size} bytes, more than the limit of {limit} bytes for a plugin")
            }
            Self::NotRegularFile => f.write_str("not a regular file (a FIFO, device or directory cannot be a plugin)"),
            Self::TimedOut { limit } => write!(
                f,
                "compiling the plugin took longer than its time limit of {:.3} s and was stopped",
                limit.as_secs_f64()
            ),
            Self::OutOfMemory { limit } => {
                write!(f, "compiling the plugin needed more than its memory limit of {limit} bytes and was stopped")
            }
        }
    }
}

impl std::error::Error for CompileLimitError {}

/// Compiles `wasm` in the child `compiler` describes; returns what `Component::serialize` made.
pub(crate) fn compile_in_child(
    compiler: &ChildCompiler,
    options: super::EngineOptions,
    wasm: &[u8],
) -> wasmtime::Result<Vec<u8>> {
    let start = Instant::now();
    // A time limit too long to add to the clock is no time limit.
    let deadline = start.checked_add(compiler.timeout);
    // The serialized code was all in the child's memory: more than its limit means it broke it.
    let output_cap = compiler.max_memory_bytes.min(MAX_CHILD_OUTPUT);
    let child = Command::new(&compiler.program)
        .args(&compiler.args)
        // glibc reserves 64 MiB of address space per malloc arena, up to eight per core; two keep
        // the address space the limit counts close to the memory compiling really uses.
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| wasmtime::format_err!("cannot start the compiler process {}: {e}", compiler.program.display()))?;
    // From here on the child is killed on every way out, a panic included.
    let mut child = KillOnDrop(child);
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.0.stdin.take(), child.0.stdout.take(), child.0.stderr.take())
    else {
        wasmtime::bail!("the compiler process has no pipes");
    };
    let mut header = Vec::with_capacity(REQUEST_MAGIC.len() + 17);
    header.extend_from_slice(REQUEST_MAGIC);
    header.push(if options.fuel { FLAG_FUEL } else { 0 } | if options.windows { FLAG_WINDOWS } else { 0 });
    header.extend_from_slice(&compiler.max_memory_bytes.saturating_mul(AS_FACTOR).to_le_bytes());
    header.extend_from_slice(&u64::try_from(wasm.len()).unwrap_or(u64::MAX).to_le_bytes());
    let overflow = AtomicBool::new(false);
    let (status, output, message) = std::thread::scope(|s| {
        // Dropped (the child killed) before the scope joins the threads below, even when this
        // unwinds: they end when the child's pipes close.
        let mut child = child;
        // The request is written, and both answers read, on their own threads: a child that stops
        // reading (or floods stderr) cannot block the parent past its deadline.
        s.spawn(move || {
            // A child that died early closes the pipe: its exit status tells why.
            let _ = stdin.write_all(&header).and_then(|()| stdin.write_all(wasm));
        });
        let overflow = &overflow;
        let output = s.spawn(move || {
            let bytes = read_up_to(stdout, output_cap);
            // Past the cap the child is killed rather than waited for.
            if bytes.as_ref().is_ok_and(|b| u64::try_from(b.len()).unwrap_or(u64::MAX) > output_cap) {
                overflow.store(true, Ordering::Relaxed);
            }
            bytes
        });
        let message = s.spawn(move || read_keeping(stderr, MAX_CHILD_MESSAGE));
        let status = wait_until(&mut child.0, deadline, compiler.max_memory_bytes, overflow);
        (status, output.join(), message.join())
    });
    let message = message.ok().and_then(Result::ok).unwrap_or_default();
    let message = String::from_utf8_lossy(&message).trim().to_owned();
    let too_much_memory = CompileLimitError::OutOfMemory { limit: compiler.max_memory_bytes };
    // The output reader stopped at the cap: the child may have died of the closed pipe first.
    if overflow.load(Ordering::Relaxed) {
        return Err(too_much_memory.into());
    }
    let status = match status {
        Ended::Exited(status) => status,
        Ended::Failed(e) => wasmtime::bail!("cannot wait for the compiler process: {e}"),
        Ended::OutputTooLarge => return Err(too_much_memory.into()),
        Ended::TimedOut => return Err(CompileLimitError::TimedOut { limit: compiler.timeout }.into()),
        Ended::OutOfMemory => return Err(too_much_memory.into()),
    };
    if status.success() {
        return match output {
            Ok(Ok(bytes)) if u64::try_from(bytes.len()).unwrap_or(u64::MAX) <= output_cap => Ok(bytes),
            Ok(Ok(_)) => Err(too_much_memory.into()),
            Ok(Err(e)) => wasmtime::bail!("cannot read the compiler process's output: {e}"),
            Err(_) => wasmtime::bail!("the thread reading the compiler process's output panicked"),
        };
    }
    // Under RLIMIT_AS an allocation fails: Rust's allocator reports it and aborts, and wasmtime's own
    // mappings fail with ENOMEM ("Cannot allocate memory").
    let out_of_memory = ["memory allocation of", "Cannot allocate memory", "out of memory"]
        .iter()
        .any(|needle| message.contains(needle));
    if out_of_memory {
        return Err(too_much_memory.into());
    }
    match status.code() {
        Some(2) => wasmtime::bail!("{message}"),
        _ => wasmtime::bail!(
            "the compiler process failed ({status}){}",
            if message.is_empty() { String::new() } else { format!(": {message}") }
        ),
    }
}

/// Reads `from` to its end, keeping at most `cap` bytes (and one more, to tell it was cut).
fn read_up_to(from: impl Read, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    from.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads `from` to its end, keeping at most `cap` bytes (and one more, to tell it was cut) and
/// discarding the rest: the writer is never blocked on a full pipe.
fn read_keeping(mut from: impl Read, cap: u64) -> std::io::Result<Vec<u8>> {
    let bytes = read_up_to(&mut from, cap)?;
    std::io::copy(&mut from, &mut std::io::sink())?;
    Ok(bytes)
}

/// A child process killed (and reaped) when dropped, unless it has ended and been waited for.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // Both are no-ops on a child already waited for (std remembers its status): no other
        // process that reused the id is signalled.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How the child ended.
enum Ended {
    /// By itself.
    Exited(ExitStatus),
    /// Killed at the deadline.
    TimedOut,
    /// Killed for holding more resident memory than its limit.
    OutOfMemory,
    /// Killed for writing more output than its memory limit.
    OutputTooLarge,
    /// Killed because it could not be waited for.
    Failed(std::io::Error),
}

/// Waits for `child` to end; kills it at `deadline` (`None`: no deadline), when its resident
/// memory exceeds `max_resident` bytes, when `overflow` is set, or when it cannot be waited for.
fn wait_until(child: &mut Child, deadline: Option<Instant>, max_resident: u64, overflow: &AtomicBool) -> Ended {
    let status_file = format!("/proc/{}/status", child.id());
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ended::Exited(status),
            Ok(None) => {}
            Err(e) => break Ended::Failed(e),
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            break Ended::TimedOut;
        }
        if resident_bytes(&status_file).is_some_and(|rss| rss > max_resident) {
            break Ended::OutOfMemory;
        }
        if overflow.load(Ordering::Relaxed) {
            break Ended::OutputTooLarge;
        }
        std::thread::sleep(POLL);
    };
    // Every way out but the child's own end kills it. Killing closes its pipes, which ends the
    // reading threads.
    let _ = child.kill();
    let _ = child.wait();
    ended
}

/// The resident memory (`VmRSS`) in a `/proc/PID/status` file, in bytes; `None` when it cannot be
/// read (the process just ended, or no `/proc`: the address-space limit still holds).
fn resident_bytes(status_file: &str) -> Option<u64> {
    let status = std::fs::read_to_string(status_file).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

/// The child side: reads one request from stdin, compiles it under the memory limit it names and
/// writes the serialized component to stdout. Returns the process's exit code: 0 on success, 2 after
/// writing an error to stderr. An embedder calls this from the entry point its [`ChildCompiler`]
/// names, and nothing else.
pub fn serve_compile() -> std::process::ExitCode {
    match serve(std::io::stdin().lock(), std::io::stdout().lock()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn serve(mut input: impl Read, mut output: impl Write) -> wasmtime::Result<()> {
    let mut header = [0u8; REQUEST_MAGIC.len() + 17];
    input.read_exact(&mut header).map_err(|e| wasmtime::format_err!("cannot read the compile request: {e}"))?;
    let (magic, rest) = header.split_at(REQUEST_MAGIC.len());
    if magic != REQUEST_MAGIC {
        wasmtime::bail!("this is not a compile request from this version of wasm-memmap");
    }
    let (flags, rest) = rest.split_at(1);
    let (memory, len) = rest.split_at(8);
    let memory = u64::from_le_bytes(memory.try_into()?);
    let len = u64::from_le_bytes(len.try_into()?);
    // Before anything large is allocated, so the component itself counts against the limit.
    rustix::process::setrlimit(
        rustix::process::Resource::As,
        rustix::process::Rlimit { current: Some(memory), maximum: Some(memory) },
    )
    .map_err(|e| wasmtime::format_err!("cannot limit the compiler's memory to {memory} bytes: {e}"))?;
    let mut wasm = Vec::new();
    (&mut input).take(len).read_to_end(&mut wasm)?;
    if u64::try_from(wasm.len()).unwrap_or(u64::MAX) != len {
        wasmtime::bail!("the compile request was cut short");
    }
    let flags = flags.first().copied().unwrap_or(0);
    let options = super::EngineOptions { fuel: flags & FLAG_FUEL != 0, windows: flags & FLAG_WINDOWS != 0 };
    let engine = wasmtime::Engine::new(&super::engine_config(options))?;
    let component = wasmtime::component::Component::new(&engine, &wasm)?;
    drop(wasm);
    output.write_all(&component.serialize()?)?;
    output.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A "compiler" that is a shell command: it reads the request and does what `script` says.
    fn shell(script: &str, timeout: Duration, max_memory_bytes: u64) -> ChildCompiler {
        ChildCompiler {
            program: PathBuf::from("/bin/sh"),
            args: vec!["-c".into(), format!("cat >/dev/null; {script}").into()],
            timeout,
            max_memory_bytes,
        }
    }

    #[test]
    fn output_past_the_memory_limit_stops_the_child_at_once_even_without_a_practical_deadline() {
        // A time limit too long to add to the clock (`--compile-timeout 1e19`) is none, not a panic;
        // a child writing without end is stopped once its output passes its memory limit.
        let compiler = shell("exec yes", Duration::MAX, 64 << 20);
        let start = Instant::now();
        let err = compile_in_child(&compiler, crate::EngineOptions::default(), b"wasm").unwrap_err();
        assert_eq!(err.downcast_ref::<CompileLimitError>(), Some(&CompileLimitError::OutOfMemory { limit: 64 << 20 }));
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    }

    #[test]
    fn a_child_with_a_long_error_message_keeps_its_exit_status() {
        // 1 MB on stderr is more than the kept 16 KiB: the rest is drained rather than the pipe
        // closed (85c5109 closed it: the child died of SIGPIPE and its own exit status was lost).
        let compiler = shell(
            "head -c 1000000 /dev/zero | tr '\\0' e >&2; echo done >&2; exit 3",
            Duration::from_secs(60),
            1 << 30,
        );
        let start = Instant::now();
        let err = compile_in_child(&compiler, crate::EngineOptions::default(), b"wasm").unwrap_err().to_string();
        assert!(err.starts_with("the compiler process failed (exit status: 3): eeee"), "{}", &err[..80.min(err.len())]);
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    }
}
