//! Sandbox-only endpoints under `/_sandbox/`, authenticated like the rest.
//!
//! - `POST /_sandbox/events` — trigger an event ([`TriggerRequest`](crate::TriggerRequest));
//!   answers `202` with [`Triggered`](crate::Triggered).
//! - `GET /_sandbox/deliveries?subscriptionId=&status=` — deliveries with their attempts,
//!   newest first ([`Delivery`](crate::Delivery)).
//! - `GET /_sandbox/deliveries/{id}` — one delivery.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use crate::delivery::{Delivery, DeliveryQuery};
use crate::reply::{Failure, ok};
use crate::state::AppState;
use crate::store::{self, DeliveryFilter};
use crate::trigger::{TriggerRequest, trigger};

/// Routes under `/_sandbox/`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/events", post(trigger_event))
        .route("/_sandbox/deliveries", get(list_deliveries))
        .route("/_sandbox/deliveries/{id}", get(get_delivery))
}

/// Reads a trigger body: a JSON object, then a [`TriggerRequest`].
pub(crate) fn parse_trigger(body: &[u8]) -> Result<TriggerRequest, Failure> {
    crate::validation::json_object(body)?;
    serde_json::from_slice(body)
        .map_err(|err| Failure::Malformed(format!("Invalid trigger request: {err}")))
}

async fn trigger_event(State(state): State<AppState>, body: Bytes) -> Result<Response, Failure> {
    let request = parse_trigger(&body)?;
    let triggered = trigger(&state.store, &state.dispatcher, request).await?;
    Ok(ok(StatusCode::ACCEPTED, triggered))
}

pub(crate) async fn query_deliveries(
    store: &crate::store::Store,
    filter: DeliveryFilter,
) -> crate::Result<Vec<Delivery>> {
    let rows = store
        .call(move |conn| store::list_deliveries(conn, &filter))
        .await?;
    Ok(rows.into_iter().map(Delivery::from).collect())
}

async fn list_deliveries(
    State(state): State<AppState>,
    query: Result<Query<DeliveryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let Query(query) = query.map_err(|err| Failure::Malformed(format!("Invalid query: {err}")))?;
    let deliveries = query_deliveries(&state.store, query.filter()).await?;
    Ok(ok(StatusCode::OK, deliveries))
}

async fn get_delivery(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let filter = DeliveryFilter {
        id: Some(id.to_ascii_lowercase()),
        ..DeliveryFilter::default()
    };
    let delivery = query_deliveries(&state.store, filter)
        .await?
        .into_iter()
        .next()
        .ok_or(Failure::NotFound("Delivery"))?;
    Ok(ok(StatusCode::OK, delivery))
}
