//! The process's one tokio runtime for object-store requests, and the bounded wait for an answer.
//!
//! A request runs on this runtime's worker threads; the calling thread waits on a channel, at most
//! until the run's deadline and for at most [`REQUEST_TIMEOUT`]. The caller never enters the
//! runtime (`Runtime::block_on` panics on a thread already driving another runtime, as the
//! runner's plugin thread does), and a store that never answers costs the caller the bound, not
//! the run.

use std::future::Future;
use std::sync::OnceLock;
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};

/// The longest one request may take, whatever the run's deadline (S3's own SDKs wait about as
/// long for a response).
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Two workers: requests spend their time waiting on the network, not computing.
const WORKERS: usize = 2;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// Why a request has no answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NoAnswer {
    /// None within this long.
    Timeout(Duration),
    /// None before the run's deadline (or the deadline had passed).
    Deadline,
    /// The runtime could not be started, or dropped the request.
    Failed(String),
}

impl std::fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoAnswer::Timeout(t) => write!(f, "the store did not answer within {} s", t.as_secs_f64()),
            NoAnswer::Deadline => f.write_str("the store did not answer before the run's deadline"),
            NoAnswer::Failed(why) => f.write_str(why),
        }
    }
}

/// The runtime, started by the first request.
fn runtime() -> Result<&'static Runtime, NoAnswer> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .thread_name("memmap-store")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the object-store runtime: {e}"))
        })
        .as_ref()
        .map_err(|why| NoAnswer::Failed(why.clone()))
}

/// Runs `request` on the runtime and waits for its answer at most `timeout`, and at most until
/// `deadline`; a request not answered in time is dropped (its connection closed).
///
/// # Errors
/// [`NoAnswer`] when there is no answer in time or no runtime.
pub(crate) fn run<T: Send + 'static>(
    request: impl Future<Output = T> + Send + 'static,
    timeout: Duration,
    deadline: Option<Instant>,
) -> Result<T, NoAnswer> {
    let now = Instant::now();
    let (wait, late) = match deadline {
        Some(deadline) if deadline <= now + timeout => (deadline.saturating_duration_since(now), NoAnswer::Deadline),
        _ => (timeout, NoAnswer::Timeout(timeout)),
    };
    if wait.is_zero() {
        return Err(late);
    }
    let (answer, answered) = sync_channel(1);
    let task = runtime()?.spawn(async move {
        // The caller may have given up meanwhile: nobody to tell.
        let _ = answer.send(request.await);
    });
    match answered.recv_timeout(wait) {
        Ok(value) => Ok(value),
        Err(RecvTimeoutError::Timeout) => {
            task.abort();
            Err(late)
        }
        Err(RecvTimeoutError::Disconnected) => {
            Err(NoAnswer::Failed("the request was dropped without an answer".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_comes_back() {
        assert_eq!(run(async { 7 }, REQUEST_TIMEOUT, None), Ok(7));
    }

    /// A request that never answers costs the bound, then is abandoned; the earlier of the
    /// timeout and the deadline is the one reported.
    #[test]
    fn a_silent_request_gives_up_at_the_earlier_bound() {
        let forever = || std::future::pending::<()>();
        let start = Instant::now();
        assert_eq!(
            run(forever(), Duration::from_millis(100), None),
            Err(NoAnswer::Timeout(Duration::from_millis(100)))
        );
        let deadline = Instant::now() + Duration::from_millis(100);
        assert_eq!(run(forever(), REQUEST_TIMEOUT, Some(deadline)), Err(NoAnswer::Deadline));
        assert!(start.elapsed() < Duration::from_secs(5));
        // A deadline already passed sends nothing.
        assert_eq!(
            run(async { unreachable!() }, REQUEST_TIMEOUT, Some(Instant::now())),
            Err::<(), _>(NoAnswer::Deadline)
        );
    }

    /// The runner drives plugins on a current-thread runtime: waiting from inside one works.
    #[test]
    fn waits_from_inside_another_runtime() {
        let outer = Builder::new_current_thread().enable_all().build().expect("runtime");
        let value = outer.block_on(async { run(async { 3 }, REQUEST_TIMEOUT, None) });
        assert_eq!(value, Ok(3));
    }
}
