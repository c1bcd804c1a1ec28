//! The real `nfehook` binary against a sandbox, a local receiver and an app on 127.0.0.1.

mod api;
mod import;
mod listen;
mod sandbox;
mod support;
mod trigger;
