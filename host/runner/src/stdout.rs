//! The plugin's inherited stdout, ending the plugin quietly when the reader of this process's stdout
//! went away (`wasm-memmap run plugin.wasm | head`).
//!
//! wasmtime-wasi reports a broken pipe to the plugin as a closed stream; a Rust plugin's `println!`
//! then panics ("failed printing to stdout") and the run ends in a trap with a long backtrace,
//! where a Unix tool would be ended by `SIGPIPE` without a word. This stream is wasmtime-wasi's own
//! stdout stream, written in the same way, except that a closed pipe traps with [`StdoutClosed`],
//! which the runner reports as [`Status::StdoutClosed`](crate::Status::StdoutClosed).

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// The trap that ends a plugin whose stdout's reader went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the reader of the plugin's standard output went away")
    }
}

impl std::error::Error for StdoutClosed {}

/// A WASI stdout made of `inner` (wasmtime-wasi's, in the runner) whose closed pipe ends the plugin.
pub(crate) struct ClosableStdout<S> {
    inner: S,
}

impl ClosableStdout<wasmtime_wasi::cli::Stdout> {
    /// This process's stdout.
    pub(crate) fn stdout() -> Self {
        Self { inner: wasmtime_wasi::cli::stdout() }
    }
}

impl<S: StdoutStream> IsTerminal for ClosableStdout<S> {
    fn is_terminal(&self) -> bool {
        self.inner.is_terminal()
    }
}

impl<S: StdoutStream> StdoutStream for ClosableStdout<S> {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        self.inner.async_stream()
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(Closable(self.inner.p2_stream()))
    }
}

/// A stream whose `closed` becomes the [`StdoutClosed`] trap.
struct Closable(Box<dyn OutputStream>);

fn closed_traps<T>(result: StreamResult<T>) -> StreamResult<T> {
    match result {
        Err(StreamError::Closed) => Err(StreamError::Trap(wasmtime::Error::new(StdoutClosed))),
        other => other,
    }
}

impl OutputStream for Closable {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        closed_traps(self.0.write(bytes))
    }

    fn flush(&mut self) -> StreamResult<()> {
        closed_traps(self.0.flush())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        closed_traps(self.0.check_write())
    }
}

impl Pollable for Closable {
    // `Pollable` is an `async_trait`: this is the signature its `async fn ready` expands to.
    fn ready<'a, 'b>(&'a mut self) -> Pin<Box<dyn Future<Output = ()> + Send + 'b>>
    where
        'a: 'b,
        Self: 'b,
    {
        self.0.ready()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A stdout writing to a pipe, as the host's stdout is under `| head`.
    struct PipeOut(std::sync::Arc<std::io::PipeWriter>);

    impl IsTerminal for PipeOut {
        fn is_terminal(&self) -> bool {
            false
        }
    }

    impl StdoutStream for PipeOut {
        fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
            unreachable!("the runner uses p2 streams")
        }

        fn p2_stream(&self) -> Box<dyn OutputStream> {
            Box::new(PipeStream(self.0.clone()))
        }
    }

    /// Written as wasmtime-wasi writes its stdout: `write_all`, a broken pipe reported as closed.
    struct PipeStream(std::sync::Arc<std::io::PipeWriter>);

    impl OutputStream for PipeStream {
        fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
            use std::io::Write;
            (&*self.0).write_all(&bytes).map_err(|e| match e.kind() {
                std::io::ErrorKind::BrokenPipe => StreamError::Closed,
                _ => StreamError::LastOperationFailed(e.into()),
            })
        }

        fn flush(&mut self) -> StreamResult<()> {
            Ok(())
        }

        fn check_write(&mut self) -> StreamResult<usize> {
            Ok(4096)
        }
    }

    impl Pollable for PipeStream {
        fn ready<'a, 'b>(&'a mut self) -> Pin<Box<dyn Future<Output = ()> + Send + 'b>>
        where
            'a: 'b,
            Self: 'b,
        {
            Box::pin(async {})
        }
    }

    #[test]
    fn a_pipe_whose_reader_went_away_traps_with_stdout_closed_and_other_writes_pass() {
        let (reader, writer) = std::io::pipe().unwrap();
        let stdout = ClosableStdout { inner: PipeOut(std::sync::Arc::new(writer)) };
        let mut stream = stdout.p2_stream();
        stream.write(Bytes::from_static(b"first line\n")).unwrap();
        let mut got = [0u8; 11];
        std::io::Read::read_exact(&mut &reader, &mut got).unwrap();
        assert_eq!(&got, b"first line\n");
        // The reader goes away (Rust ignores SIGPIPE, so the write fails with EPIPE).
        drop(reader);
        match stream.write(Bytes::from_static(b"second line\n")) {
            Err(StreamError::Trap(e)) => assert!(e.downcast_ref::<StdoutClosed>().is_some(), "{e:?}"),
            other => panic!("expected the stdout-closed trap, got {other:?}"),
        }
    }
}
