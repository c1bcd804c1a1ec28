//! Parsing and validation of request bodies into field errors (`400` with `errors`).
//!
//! Bodies are read as loose JSON first so that a field of the wrong type is reported under
//! its JSON name instead of as a serde error; the values are then checked with the same
//! rules the client and the UI use (`nfehook-core`'s `validate`). Unknown fields are ignored.

use nfehook_core::subscription::MAX_SECRET_LEN;
use nfehook_core::{
    ChaveAcesso, Dialect, EventKind, NewSubscription, Secret, SubscriptionPatch, validate_url,
};
use serde_json::{Map, Value};

use crate::account::AccountWebhookRequest;
use crate::reply::{Failure, FieldErrors};
use crate::store::SubscriptionChanges;

/// A validated create request.
#[derive(Debug)]
pub(crate) struct CreateInput {
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub is_active: bool,
    pub secret: Option<String>,
}

/// Reads the body as a JSON object.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::Malformed(
            "The request body is empty; send a JSON object".into(),
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::Malformed(
            "The request body must be a JSON object".into(),
        )),
        Err(err) => Err(Failure::Malformed(format!(
            "The request body is not valid JSON: {err}"
        ))),
    }
}

fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(message.into());
}

/// `Some` when present and not null.
fn present<'a>(map: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    map.get(field).filter(|v| !v.is_null())
}

fn string(map: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let value = present(map, field)?;
    let text = value.as_str().map(|s| s.trim().to_owned());
    if text.is_none() {
        push(errors, field, "must be a string");
    }
    text
}

fn events(map: &Map<String, Value>, errors: &mut FieldErrors) -> Option<Vec<EventKind>> {
    let value = present(map, "events")?;
    let names = value
        .as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect::<Option<Vec<_>>>());
    if let Some(names) = names {
        Some(names.into_iter().map(EventKind::from_name).collect())
    } else {
        push(errors, "events", "must be an array of event names");
        None
    }
}

fn flag(map: &Map<String, Value>, errors: &mut FieldErrors) -> Option<bool> {
    let value = present(map, "isActive")?;
    let flag = value.as_bool();
    if flag.is_none() {
        push(errors, "isActive", "must be true or false");
    }
    flag
}

fn merge(errors: &mut FieldErrors, found: FieldErrors) {
    for (field, problems) in found {
        errors.entry(field).or_insert(problems);
    }
}

fn names(events: &[EventKind]) -> Vec<String> {
    events.iter().map(|e| e.as_str().to_owned()).collect()
}

/// Validates a create body (`name`, `url`, `events` required; `isActive` defaults to true).
pub(crate) fn parse_create(body: &[u8]) -> Result<CreateInput, Failure> {
    let map = json_object(body)?;
    let mut errors = FieldErrors::new();
    for field in ["name", "url", "events"] {
        if present(&map, field).is_none() {
            push(&mut errors, field, "is required");
        }
    }
    let new = NewSubscription {
        name: string(&map, "name", &mut errors).unwrap_or_default(),
        url: string(&map, "url", &mut errors).unwrap_or_default(),
        events: events(&map, &mut errors).unwrap_or_default(),
        is_active: flag(&map, &mut errors).unwrap_or(true),
        secret: present(&map, "secret").and_then(|v| {
            let secret = v.as_str().map(Secret::new);
            if secret.is_none() {
                push(&mut errors, "secret", "must be a string");
            }
            secret
        }),
    };
    if let Err(found) = new.validate() {
        merge(&mut errors, found.into_field_map());
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    Ok(CreateInput {
        events: names(&new.events),
        name: new.name,
        url: new.url,
        is_active: new.is_active,
        secret: new.secret.map(|s| s.expose().to_owned()),
    })
}

/// Validates an update body: any of `name`, `url`, `events`, `isActive`; absent or null
/// fields stay as they are. The secret cannot be changed.
pub(crate) fn parse_update(body: &[u8]) -> Result<SubscriptionChanges, Failure> {
    let map = json_object(body)?;
    let mut errors = FieldErrors::new();
    let patch = SubscriptionPatch {
        name: string(&map, "name", &mut errors),
        url: string(&map, "url", &mut errors),
        events: events(&map, &mut errors),
        is_active: flag(&map, &mut errors),
    };
    if present(&map, "secret").is_some() {
        push(
            &mut errors,
            "secret",
            "cannot be changed; create a new subscription",
        );
    }
    if let Err(found) = patch.validate() {
        merge(&mut errors, found.into_field_map());
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    Ok(SubscriptionChanges {
        events: patch.events.as_deref().map(names),
        name: patch.name,
        url: patch.url,
        is_active: patch.is_active,
    })
}

/// Validates an NF-e key with `nfehook-core` and returns its 44-digit form.
pub(crate) fn chave(text: &str) -> Result<String, Failure> {
    ChaveAcesso::parse(text)
        .map(|key| key.as_str().to_owned())
        .map_err(|err| Failure::field("nfeChave", err.to_string()))
}

/// Reads the `nfeChave` of an add-key body.
pub(crate) fn parse_chave_body(body: &[u8]) -> Result<String, Failure> {
    let map = json_object(body)?;
    match present(&map, "nfeChave") {
        None => Err(Failure::field("nfeChave", "is required")),
        Some(Value::String(text)) => chave(text),
        Some(_) => Err(Failure::field("nfeChave", "must be a string of 44 digits")),
    }
}

/// Shortest caller-chosen account secret.
const MIN_ACCOUNT_SECRET_LEN: usize = 8;

/// What is wrong with an account webhook request, by field (empty when it is valid).
pub(crate) fn account_webhook_problems(request: &AccountWebhookRequest) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (index, event) in request.events.iter().enumerate() {
        if event.dialect() != Some(Dialect::Account) {
            push(
                &mut errors,
                "events",
                format!(
                    "item {index} is not an account event ({})",
                    crate::account::names()
                ),
            );
        }
    }
    if let Err(problem) = validate_url(&request.url) {
        push(&mut errors, "url", problem.to_string());
    }
    if request.events.is_empty() {
        push(&mut errors, "events", "must list at least one event");
    }
    for (index, event) in request.events.iter().enumerate() {
        if request.events[..index].contains(event) {
            push(
                &mut errors,
                "events",
                format!("item {index} repeats an event"),
            );
        }
    }
    if let Some(secret) = &request.secret {
        let len = secret.chars().count();
        if !(MIN_ACCOUNT_SECRET_LEN..=MAX_SECRET_LEN).contains(&len) {
            push(
                &mut errors,
                "secret",
                format!("must have {MIN_ACCOUNT_SECRET_LEN} to {MAX_SECRET_LEN} characters"),
            );
        } else if secret.chars().any(char::is_whitespace) {
            push(&mut errors, "secret", "must not contain spaces");
        }
    }
    errors
}

/// Validates a `PUT /_sandbox/account-webhook` body: `url` and `events` required, `secret`
/// optional (8 to 256 characters, no spaces).
pub(crate) fn parse_account_webhook(body: &[u8]) -> Result<AccountWebhookRequest, Failure> {
    let map = json_object(body)?;
    let mut errors = FieldErrors::new();
    for field in ["url", "events"] {
        if present(&map, field).is_none() {
            push(&mut errors, field, "is required");
        }
    }
    let secret = present(&map, "secret").and_then(|value| {
        let secret = value.as_str().map(str::to_owned);
        if secret.is_none() {
            push(&mut errors, "secret", "must be a string");
        }
        secret
    });
    let request = AccountWebhookRequest {
        url: string(&map, "url", &mut errors).unwrap_or_default(),
        events: account_events(&map, &mut errors),
        secret,
    };
    merge(&mut errors, account_webhook_problems(&request));
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    Ok(request)
}

/// The known account events of `events`; unknown names and wrong types are field errors.
fn account_events(map: &Map<String, Value>, errors: &mut FieldErrors) -> Vec<EventKind> {
    let Some(value) = present(map, "events") else {
        return Vec::new();
    };
    let Some(names) = value
        .as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
    else {
        push(errors, "events", "must be an array of event names");
        return Vec::new();
    };
    let mut events = Vec::with_capacity(names.len());
    for (index, name) in names.into_iter().enumerate() {
        match EventKind::from_name(name) {
            event if event.dialect() == Some(Dialect::Account) => events.push(event),
            _ => push(
                errors,
                "events",
                format!(
                    "item {index} is not an account event ({})",
                    crate::account::names()
                ),
            ),
        }
    }
    events
}
