//! Integration suite of nfehook-keys: the parser on realistic inputs, and the import state
//! machine against a fake API and against the sandbox on 127.0.0.1.

mod fake;
mod import_fake;
mod import_sandbox;
mod parser;
mod support;
