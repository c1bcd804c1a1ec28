//! Integration tests of the client: every operation against an in-process sandbox, and every
//! error kind against the sandbox or a tiny scripted server.

mod errors;
mod operations;
mod redirects;
#[cfg(feature = "sandbox")]
mod sandbox_admin;
mod support;
mod vectors;
