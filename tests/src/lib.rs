//! Helpers of the cross-part suites of NFeHook (`suites/`): reading the sandbox's OpenAPI
//! document, validating JSON against the schemas it holds, and listing the routes the sandbox
//! registers in its source.
//!
//! ```
//! let doc = nfehook_tests::openapi::Document::load().unwrap();
//! assert!(doc.operations().iter().any(|op| op.path == "/Webhooks/Subscriptions" && op.method == "post"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod openapi;
pub mod routes;

/// Root of the workspace (the parent of this crate's directory).
///
/// # Panics
/// Never in this workspace: the crate directory always has a parent.
#[must_use]
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}
