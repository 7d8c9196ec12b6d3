//! End-to-end tests: real guest components (from `guest/`) run by the real host on real files, with
//! real numpy as the oracle.

// A test reports failure by panicking.
#![allow(clippy::unwrap_used)]

mod amplify;
mod bytes;
mod concurrency;
mod durability;
mod durable;
mod errors;
mod format;
mod hostile;
mod interop;
mod item;
mod limits;
mod modes;
mod npy;
mod onecopy;
mod openfiles;
mod random;
mod reduce;
mod rng;
mod sdk_paths;
mod session;
mod sigbus;
mod stall;
mod take;
mod transpose;
mod views;
mod window;
mod window_guard;
