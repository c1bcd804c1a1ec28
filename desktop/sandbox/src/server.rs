//! The HTTP router: authentication, rate limit, request logging and the fallback.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn, from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};

use crate::reply::{Failure, MAX_BODY_BYTES};
use crate::state::AppState;

/// Header that carries the API key.
const API_KEY_HEADER: &str = "x-api-key";

/// Every route of the sandbox.
pub(crate) fn router(state: AppState) -> Router {
    let api = crate::api::routes().route_layer(from_fn_with_state(state.clone(), rate_limit));
    Router::new()
        .merge(api)
        .merge(crate::sandbox_api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), authenticate))
        .merge(crate::openapi::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(map_response(body_too_large))
        .layer(from_fn(log_request))
        .with_state(state)
}

async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let allowed = request
        .headers()
        .get(API_KEY_HEADER)
        .is_some_and(|value| state.api_key.matches(value.as_bytes()));
    if allowed {
        next.run(request).await
    } else {
        Failure::Unauthorized.into_response()
    }
}

async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(limiter) = &state.rate_limiter
        && let Err(retry_after) = limiter.check()
    {
        return Failure::RateLimited(retry_after).into_response();
    }
    next.run(request).await
}

/// Logs method, path and status; never headers or bodies (they carry the key and secrets).
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// axum's body extractors answer an over-long body with a plain-text 413 of their own; every
/// other error of the API is the JSON envelope, so clients parse this one the same way.
async fn body_too_large(response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Failure::PayloadTooLarge.into_response()
    } else {
        response
    }
}

async fn not_found() -> Failure {
    Failure::NotFound("Route")
}

async fn method_not_allowed() -> Failure {
    Failure::MethodNotAllowed
}
