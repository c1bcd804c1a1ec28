//! Integration tests of the sandbox: its HTTP contract, its dispatcher against real
//! receivers, and its durability as a separate process.

mod account;
mod api;
mod binary;
mod dispatch;
mod durability;
mod horizon;
mod lifecycle;
mod process;
mod support;
