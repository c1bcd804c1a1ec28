//! Entry points for the fuzz targets (`fuzz/`, feature `fuzzing`): the parsers and validators
//! of the HTTP request bodies, run exactly as the handlers run them, with their outcome as
//! plain data. Not a stable API; not built without the feature.

use std::collections::BTreeMap;

use nfehook_core::{EventKind, NewSubscription, Secret, SubscriptionPatch};

use crate::reply::Failure;
use crate::trigger::TriggerRequest;

/// What the API would answer for a refused body: its status, message and field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status (400 for every body error).
    pub status: u16,
    /// The `message` of the error body.
    pub message: String,
    /// The `errors` of the error body, by field.
    pub fields: BTreeMap<String, Vec<String>>,
}

impl From<Failure> for Rejection {
    fn from(failure: Failure) -> Self {
        match failure {
            // What the handlers answer for a body: `Failure`'s `IntoResponse` makes both 400.
            Failure::Invalid(fields) => Rejection {
                status: 400,
                message: "One or more fields are invalid".to_owned(),
                fields,
            },
            Failure::Malformed(message) => Rejection {
                status: 400,
                message,
                fields: BTreeMap::new(),
            },
            other => {
                let message = format!("{other:?}");
                Rejection {
                    status: axum::response::IntoResponse::into_response(other)
                        .status()
                        .as_u16(),
                    message,
                    fields: BTreeMap::new(),
                }
            }
        }
    }
}

/// The body of `POST /Webhooks/Subscriptions`, as the handler reads it.
///
/// # Errors
/// The [`Rejection`] the API would answer.
pub fn create_subscription(body: &[u8]) -> Result<NewSubscription, Rejection> {
    let input = crate::validation::parse_create(body)?;
    Ok(NewSubscription {
        name: input.name,
        url: input.url,
        events: input
            .events
            .iter()
            .map(|e| EventKind::from_name(e))
            .collect(),
        is_active: input.is_active,
        secret: input.secret.map(Secret::new),
    })
}

/// The body of `PUT /Webhooks/Subscriptions/{id}`, as the handler reads it.
///
/// # Errors
/// The [`Rejection`] the API would answer.
pub fn update_subscription(body: &[u8]) -> Result<SubscriptionPatch, Rejection> {
    let changes = crate::validation::parse_update(body)?;
    Ok(SubscriptionPatch {
        name: changes.name,
        url: changes.url,
        events: changes
            .events
            .map(|events| events.iter().map(|e| EventKind::from_name(e)).collect()),
        is_active: changes.is_active,
    })
}

/// The body of `POST /Webhooks/Subscriptions/{id}/NFe-Chaves`: the key, normalised.
///
/// # Errors
/// The [`Rejection`] the API would answer.
pub fn add_chave(body: &[u8]) -> Result<String, Rejection> {
    Ok(crate::validation::parse_chave_body(body)?)
}

/// The `{chave}` path segment of `DELETE …/NFe-Chaves/{chave}`: the key, normalised.
///
/// # Errors
/// The [`Rejection`] the API would answer.
pub fn chave_segment(segment: &str) -> Result<String, Rejection> {
    Ok(crate::validation::chave(segment)?)
}

/// The body of `POST /_sandbox/events`, as the handler reads it (the NF-e key is validated
/// later, when the event is produced).
///
/// # Errors
/// The [`Rejection`] the API would answer.
pub fn trigger_event(body: &[u8]) -> Result<TriggerRequest, Rejection> {
    crate::sandbox_api::parse_trigger(body).map_err(Rejection::from)
}
