//! End-to-end tests: real guest components (from `guest/`) run by the real host on real files, with
//! real numpy as the oracle.

mod durability;
mod errors;
mod session;
mod views;
