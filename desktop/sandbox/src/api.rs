//! The Subscriptions API of the spec (section 1) under `/Webhooks/Subscriptions`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use serde_json::{Value, json};

use crate::clock::{millis_to_secs, timestamp};
use crate::reply::{Failure, ok};
use crate::secret::generate_secret;
use crate::state::AppState;
use crate::store::{self, ChaveOutcome, SubscriptionRow, WriteOutcome};
use crate::validation;

const SUBSCRIPTION: &str = "Subscription";

/// Routes of the Subscriptions API (authentication and rate limit are layered by the caller).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/Webhooks/Subscriptions",
            get(list_subscriptions).post(create_subscription),
        )
        .route(
            "/Webhooks/Subscriptions/{id}",
            get(get_subscription)
                .put(update_subscription)
                .delete(delete_subscription),
        )
        .route(
            "/Webhooks/Subscriptions/{id}/NFe-Chaves",
            get(list_chaves).post(add_chave),
        )
        .route(
            "/Webhooks/Subscriptions/{id}/NFe-Chaves/{chave}",
            delete(remove_chave),
        )
}

/// Ids are UUIDs; they are stored lowercase, and anything else is simply not found.
fn normalise_id(id: &str) -> Result<String, Failure> {
    uuid::Uuid::parse_str(id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| Failure::NotFound(SUBSCRIPTION))
}

/// Fields shared by the summary and the detail.
fn base_view(row: &SubscriptionRow) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), json!(row.id));
    map.insert("name".into(), json!(row.name));
    map.insert("url".into(), json!(row.url));
    map.insert("isActive".into(), json!(row.is_active));
    map.insert("events".into(), json!(row.events));
    map.insert("secret".into(), json!(row.secret));
    map.insert(
        "createdAt".into(),
        json!(timestamp(millis_to_secs(row.created_at))),
    );
    map
}

/// The *summary* of the spec.
fn summary(row: &SubscriptionRow) -> Value {
    let mut map = base_view(row);
    map.insert(
        "lastDeliveryAt".into(),
        json!(row.last_delivery_at.map(|ms| timestamp(millis_to_secs(ms)))),
    );
    map.insert("nfeChavesCount".into(), json!(row.chaves_count));
    Value::Object(map)
}

/// The *detail* of the spec: the summary with `nfeChaves` in place of `nfeChavesCount`.
fn detail(row: &SubscriptionRow, chaves: &[String]) -> Value {
    let mut map = base_view(row);
    map.insert(
        "lastDeliveryAt".into(),
        json!(row.last_delivery_at.map(|ms| timestamp(millis_to_secs(ms)))),
    );
    map.insert("nfeChaves".into(), json!(chaves));
    Value::Object(map)
}

async fn list_subscriptions(State(state): State<AppState>) -> Result<Response, Failure> {
    let rows = state
        .store
        .call(|conn| store::list_subscriptions(conn))
        .await?;
    Ok(ok(
        StatusCode::OK,
        rows.iter().map(summary).collect::<Vec<_>>(),
    ))
}

async fn get_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = normalise_id(&id)?;
    let found = state
        .store
        .call(move |conn| {
            let Some(row) = store::get_subscription(conn, &id)? else {
                return Ok(None);
            };
            let chaves = store::list_chaves(conn, &id)?.unwrap_or_default();
            Ok(Some((row, chaves)))
        })
        .await?;
    let (row, chaves) = found.ok_or(Failure::NotFound(SUBSCRIPTION))?;
    Ok(ok(StatusCode::OK, detail(&row, &chaves)))
}

async fn create_subscription(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Failure> {
    let input = validation::parse_create(&body)?;
    let row = SubscriptionRow {
        id: uuid::Uuid::new_v4().hyphenated().to_string(),
        name: input.name,
        url: input.url,
        is_active: input.is_active,
        events: input.events,
        secret: input.secret.unwrap_or_else(generate_secret),
        created_at: state.clock.now_unix_millis(),
        last_delivery_at: None,
        chaves_count: 0,
    };
    let stored = row.clone();
    let outcome = state
        .store
        .call(move |conn| store::insert_subscription(conn, &stored))
        .await?;
    match outcome {
        WriteOutcome::Done => {
            tracing::info!(subscription_id = %row.id, "subscription created");
            // The spec's create answer is the summary without lastDeliveryAt/nfeChavesCount.
            Ok(ok(StatusCode::CREATED, Value::Object(base_view(&row))))
        }
        WriteOutcome::UrlTaken => Err(Failure::Conflict(
            "A subscription with this URL already exists",
        )),
        WriteOutcome::NotFound => Err(Failure::Internal),
    }
}

async fn update_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Failure> {
    let id = normalise_id(&id)?;
    let changes = validation::parse_update(&body)?;
    let now = state.clock.now_unix_millis();
    let result = state
        .store
        .call(move |conn| {
            let outcome = store::update_subscription(conn, &id, &changes, now)?;
            let row = match outcome {
                WriteOutcome::Done => store::get_subscription(conn, &id)?,
                _ => None,
            };
            Ok((outcome, row))
        })
        .await?;
    match result {
        (WriteOutcome::Done, Some(row)) => {
            tracing::info!(subscription_id = %row.id, "subscription updated");
            Ok(ok(StatusCode::OK, summary(&row)))
        }
        (WriteOutcome::UrlTaken, _) => Err(Failure::Conflict(
            "A subscription with this URL already exists",
        )),
        _ => Err(Failure::NotFound(SUBSCRIPTION)),
    }
}

async fn delete_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = normalise_id(&id)?;
    let now = state.clock.now_unix_millis();
    let key = id.clone();
    let deleted = state
        .store
        .call(move |conn| store::delete_subscription(conn, &key, now))
        .await?;
    if !deleted {
        return Err(Failure::NotFound(SUBSCRIPTION));
    }
    tracing::info!(subscription_id = %id, "subscription deleted; its pending deliveries are cancelled");
    state.dispatcher.wake();
    Ok(ok(StatusCode::OK, json!({ "id": id })))
}

async fn list_chaves(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = normalise_id(&id)?;
    let chaves = state
        .store
        .call(move |conn| store::list_chaves(conn, &id))
        .await?
        .ok_or(Failure::NotFound(SUBSCRIPTION))?;
    Ok(ok(StatusCode::OK, chaves))
}

async fn add_chave(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, Failure> {
    let id = normalise_id(&id)?;
    let chave = validation::parse_chave_body(&body)?;
    let now = state.clock.now_unix_millis();
    let key = chave.clone();
    let outcome = state
        .store
        .call(move |conn| store::add_chave(conn, &id, &key, now))
        .await?;
    match outcome {
        ChaveOutcome::Done => Ok(ok(StatusCode::CREATED, json!({ "nfeChave": chave }))),
        ChaveOutcome::Conflict => Err(Failure::Conflict(
            "This NF-e key is already on the subscription",
        )),
        ChaveOutcome::SubscriptionNotFound => Err(Failure::NotFound(SUBSCRIPTION)),
    }
}

async fn remove_chave(
    State(state): State<AppState>,
    Path((id, chave)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let id = normalise_id(&id)?;
    let chave = validation::chave(&chave)?;
    let key = chave.clone();
    let outcome = state
        .store
        .call(move |conn| store::remove_chave(conn, &id, &key))
        .await?;
    match outcome {
        ChaveOutcome::Done => Ok(ok(StatusCode::OK, json!({ "nfeChave": chave }))),
        ChaveOutcome::Conflict => Err(Failure::NotFound("NF-e key on this subscription")),
        ChaveOutcome::SubscriptionNotFound => Err(Failure::NotFound(SUBSCRIPTION)),
    }
}
