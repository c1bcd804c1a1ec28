//! `GET /openapi.json`: the OpenAPI 3.1 document of every route of the sandbox.
//!
//! The document is `openapi.json` beside `Cargo.toml`, embedded at build time. It is served
//! without an API key (it holds no data). The contract suite of `nfehook-tests`
//! (`tests/contract/`) keeps it true: every route the router registers is documented and vice
//! versa, every example validates against its schema, and live answers match the schemas.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The document, as served.
pub(crate) const DOCUMENT: &str = include_str!("../openapi.json");

/// The route serving [`DOCUMENT`]; merge it outside the authentication layer.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/openapi.json", get(document))
}

async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_is_openapi_3_1_json() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/openapi.json"]["get"].is_object());
    }
}
