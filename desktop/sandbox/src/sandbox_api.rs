//! Sandbox-only endpoints under `/_sandbox/`, authenticated like the rest.
//!
//! - `POST /_sandbox/events` — trigger an event ([`TriggerRequest`](crate::TriggerRequest));
//!   answers `202` with [`Triggered`](crate::Triggered).
//! - `GET /_sandbox/deliveries?dialect=&subscriptionId=&status=&limit=` — deliveries with their
//!   attempts, newest first ([`Delivery`](crate::Delivery)).
//! - `POST /_sandbox/deliveries` — deliver a body exactly as given
//!   ([`DeliverRequest`](crate::DeliverRequest)) to one subscription, or to the account webhook
//!   for an account-dialect body; answers `202` with [`Triggered`](crate::Triggered) (one
//!   delivery), `404` for an unknown subscription or no account webhook, `409` for an inactive
//!   subscription.
//! - `GET /_sandbox/deliveries/{id}` — one delivery.
//! - `POST /_sandbox/deliveries/{id}/resend` — the same delivery (same body and event id) made
//!   pending again for one more attempt; `409` while it is pending, when its webhook is gone or
//!   inactive, or when its event is older than the delivery horizon.
//! - `GET`, `PUT`, `DELETE /_sandbox/account-webhook` — the account webhook
//!   ([`AccountWebhook`](crate::AccountWebhook)); `404` while none is set, and deleting it
//!   cancels its pending deliveries.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use crate::account::{AccountWebhook, AccountWebhookRequest};
use crate::clock::{Clock, duration_millis};
use crate::config::DELIVERY_HORIZON;
use crate::deliver::{DeliverRefusal, DeliverRequest, deliver};
use crate::delivery::{Delivery, DeliveryQuery};
use crate::reply::{Failure, ok};
use crate::secret::generate_secret;
use crate::state::AppState;
use crate::store::{self, DeliveryFilter, ResendOutcome, Store};
use crate::trigger::{TriggerRequest, trigger};

/// Routes under `/_sandbox/`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/events", post(trigger_event))
        .route(
            "/_sandbox/deliveries",
            get(list_deliveries).post(deliver_body),
        )
        .route("/_sandbox/deliveries/{id}", get(get_delivery))
        .route("/_sandbox/deliveries/{id}/resend", post(resend_delivery))
        .route(
            "/_sandbox/account-webhook",
            get(get_account_webhook)
                .put(set_account_webhook)
                .delete(delete_account_webhook),
        )
}

const ACCOUNT_WEBHOOK: &str = "Account webhook";

/// Reads a trigger body: a JSON object, then a [`TriggerRequest`].
pub(crate) fn parse_trigger(body: &[u8]) -> Result<TriggerRequest, Failure> {
    crate::validation::json_object(body)?;
    serde_json::from_slice(body)
        .map_err(|err| Failure::Malformed(format!("Invalid trigger request: {err}")))
}

async fn trigger_event(State(state): State<AppState>, body: Bytes) -> Result<Response, Failure> {
    let request = parse_trigger(&body)?;
    let triggered = trigger(&state.store, &state.dispatcher, &state.clock, request).await?;
    Ok(ok(StatusCode::ACCEPTED, triggered))
}

async fn deliver_body(State(state): State<AppState>, body: Bytes) -> Result<Response, Failure> {
    crate::validation::json_object(&body)?;
    let request: DeliverRequest = serde_json::from_slice(&body)
        .map_err(|err| Failure::Malformed(format!("Invalid delivery request: {err}")))?;
    match deliver(&state.store, &state.dispatcher, &state.clock, request).await? {
        Ok(triggered) => Ok(ok(StatusCode::ACCEPTED, triggered)),
        Err(DeliverRefusal::NoSubscription) => Err(Failure::NotFound("Subscription")),
        Err(DeliverRefusal::NoAccountWebhook) => Err(Failure::NotFound(ACCOUNT_WEBHOOK)),
        Err(DeliverRefusal::Inactive) => Err(Failure::Conflict(
            "The subscription is inactive: it takes no deliveries",
        )),
    }
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

async fn resend_delivery(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = id.to_ascii_lowercase();
    let now = state.clock.now_unix_millis();
    let created_before = now.saturating_sub(duration_millis(DELIVERY_HORIZON));
    let key = id.clone();
    let outcome = state
        .store
        .call(move |conn| store::resend_delivery(conn, &key, created_before, now))
        .await?;
    match outcome {
        ResendOutcome::Done => {}
        ResendOutcome::NotFound => return Err(Failure::NotFound("Delivery")),
        ResendOutcome::Pending => {
            return Err(Failure::Conflict("The delivery is still pending"));
        }
        ResendOutcome::NoTarget => {
            return Err(Failure::Conflict(
                "The delivery's webhook is gone or inactive",
            ));
        }
        ResendOutcome::TooOld => {
            return Err(Failure::Conflict(
                "The delivery's event is older than the delivery horizon",
            ));
        }
    }
    tracing::info!(delivery_id = %id, "delivery to be sent again");
    state.dispatcher.wake();
    let filter = DeliveryFilter {
        id: Some(id),
        ..DeliveryFilter::default()
    };
    let delivery = query_deliveries(&state.store, filter)
        .await?
        .into_iter()
        .next()
        .ok_or(Failure::NotFound("Delivery"))?;
    Ok(ok(StatusCode::ACCEPTED, delivery))
}

/// Stores a validated account webhook request.
pub(crate) async fn put_account_webhook(
    store: &Store,
    clock: &Clock,
    request: AccountWebhookRequest,
) -> crate::Result<AccountWebhook> {
    let now = clock.now_unix_millis();
    let events: Vec<String> = request
        .events
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect();
    let row = store
        .call(move |conn| {
            store::put_account_webhook(
                conn,
                &request.url,
                &events,
                request.secret.as_deref(),
                &generate_secret(),
                now,
            )
        })
        .await?;
    tracing::info!("account webhook set");
    Ok(AccountWebhook::from(row))
}

async fn get_account_webhook(State(state): State<AppState>) -> Result<Response, Failure> {
    let webhook = state
        .store
        .call(|conn| store::get_account_webhook(conn))
        .await?
        .ok_or(Failure::NotFound(ACCOUNT_WEBHOOK))?;
    Ok(ok(StatusCode::OK, AccountWebhook::from(webhook)))
}

async fn set_account_webhook(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Failure> {
    let request = crate::validation::parse_account_webhook(&body)?;
    let webhook = put_account_webhook(&state.store, &state.clock, request).await?;
    Ok(ok(StatusCode::OK, webhook))
}

async fn delete_account_webhook(State(state): State<AppState>) -> Result<Response, Failure> {
    let now = state.clock.now_unix_millis();
    let deleted = state
        .store
        .call(move |conn| store::delete_account_webhook(conn, now))
        .await?;
    if !deleted {
        return Err(Failure::NotFound(ACCOUNT_WEBHOOK));
    }
    tracing::info!("account webhook removed; its pending deliveries are cancelled");
    state.dispatcher.wake();
    Ok(ok(StatusCode::OK, json!({ "deleted": true })))
}
