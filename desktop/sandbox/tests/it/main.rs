//! Integration tests of the sandbox: its HTTP contract, its dispatcher against real
//! receivers, and its durability as a separate process.

mod api;
mod binary;
mod dispatch;
mod durability;
mod lifecycle;
mod process;
mod support;
