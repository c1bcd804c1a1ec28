//! JSON envelopes of the API: `{"success": true, "data": ...}` and the error body.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// The envelope of a successful answer, written straight from `data` (a `json!` of it would
/// build the whole answer as a JSON tree first).
#[derive(Serialize)]
struct Success<T> {
    success: bool,
    data: T,
}

/// A successful answer: `status` with `{"success": true, "data": data}`.
pub(crate) fn ok(status: StatusCode, data: impl Serialize) -> Response {
    (
        status,
        axum::Json(Success {
            success: true,
            data,
        }),
    )
        .into_response()
}

/// The longest request body the sandbox reads (axum's default, stated so the answer can say it).
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Field errors keyed by the JSON field name.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

/// An error answer of the API (the project rules of the spec, section 1).
#[derive(Debug)]
pub(crate) enum Failure {
    /// 401: missing or invalid `X-API-KEY`.
    Unauthorized,
    /// 404 with what was not found.
    NotFound(&'static str),
    /// 409 with the reason.
    Conflict(&'static str),
    /// 400 with field errors.
    Invalid(FieldErrors),
    /// 400 for a body that is not the expected JSON.
    Malformed(String),
    /// 405: the route exists, not with this method.
    MethodNotAllowed,
    /// 429 with `Retry-After` seconds.
    RateLimited(u64),
    /// 413: the body is longer than [`MAX_BODY_BYTES`].
    PayloadTooLarge,
    /// 500; the cause is logged, not sent.
    Internal,
}

impl Failure {
    /// A 400 with one field error.
    pub(crate) fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Failure::Invalid(errors)
    }
}

impl From<crate::error::SandboxError> for Failure {
    fn from(err: crate::error::SandboxError) -> Self {
        match err {
            crate::error::SandboxError::InvalidRequest(message) => Failure::Malformed(message),
            other => {
                tracing::error!(error = %other, "internal error while answering a request");
                Failure::Internal
            }
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, message, errors) = match self {
            Failure::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "API key missing or invalid (send it in the X-API-KEY header)".to_owned(),
                None,
            ),
            Failure::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what} not found"), None),
            Failure::Conflict(why) => (StatusCode::CONFLICT, why.to_owned(), None),
            Failure::Invalid(errors) => (
                StatusCode::BAD_REQUEST,
                "One or more fields are invalid".to_owned(),
                Some(errors),
            ),
            Failure::Malformed(why) => (StatusCode::BAD_REQUEST, why, None),
            Failure::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed on this route".to_owned(),
                None,
            ),
            Failure::RateLimited(secs) => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({
                        "success": false,
                        "message": format!("Too many requests; retry after {secs} s"),
                    })),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                return response;
            }
            Failure::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request body too large (at most {MAX_BODY_BYTES} bytes)"),
                None,
            ),
            Failure::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal sandbox error".to_owned(),
                None,
            ),
        };
        let body = match errors {
            Some(errors) => json!({ "success": false, "message": message, "errors": errors }),
            None => json!({ "success": false, "message": message }),
        };
        (status, axum::Json(body)).into_response()
    }
}
