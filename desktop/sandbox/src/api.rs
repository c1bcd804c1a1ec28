//! The Subscriptions API of the spec (section 1) under `/Webhooks/Subscriptions`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::json;

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

/// A subscription as the spec shows it, written straight from the stored row (no intermediate
/// JSON tree: a list of 10,000 subscriptions is one pass of the serialiser).
struct View<'a> {
    row: &'a SubscriptionRow,
    shape: Shape<'a>,
}

enum Shape<'a> {
    /// The create answer: the shared fields only.
    Created,
    /// The *summary* of the spec: with `lastDeliveryAt` and `nfeChavesCount`.
    Summary,
    /// The *detail* of the spec: the summary with `nfeChaves` in place of `nfeChavesCount`.
    Detail(&'a [String]),
}

impl View<'_> {
    fn summary(row: &SubscriptionRow) -> View<'_> {
        View {
            row,
            shape: Shape::Summary,
        }
    }
}

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let row = self.row;
        let mut out = serializer.serialize_struct("Subscription", 9)?;
        out.serialize_field("id", &row.id)?;
        out.serialize_field("name", &row.name)?;
        out.serialize_field("url", &row.url)?;
        out.serialize_field("isActive", &row.is_active)?;
        out.serialize_field("events", &row.events)?;
        out.serialize_field("secret", &row.secret)?;
        out.serialize_field("createdAt", &timestamp(millis_to_secs(row.created_at)))?;
        if !matches!(self.shape, Shape::Created) {
            let last = row.last_delivery_at.map(|ms| timestamp(millis_to_secs(ms)));
            out.serialize_field("lastDeliveryAt", &last)?;
        }
        match self.shape {
            Shape::Created => {}
            Shape::Summary => out.serialize_field("nfeChavesCount", &row.chaves_count)?,
            Shape::Detail(chaves) => out.serialize_field("nfeChaves", chaves)?,
        }
        out.end()
    }
}

async fn list_subscriptions(State(state): State<AppState>) -> Result<Response, Failure> {
    let rows = state
        .store
        .call(|conn| store::list_subscriptions(conn))
        .await?;
    Ok(ok(
        StatusCode::OK,
        rows.iter().map(View::summary).collect::<Vec<_>>(),
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
    Ok(ok(
        StatusCode::OK,
        View {
            row: &row,
            shape: Shape::Detail(&chaves),
        },
    ))
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
            Ok(ok(
                StatusCode::CREATED,
                View {
                    row: &row,
                    shape: Shape::Created,
                },
            ))
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
            Ok(ok(StatusCode::OK, View::summary(&row)))
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
