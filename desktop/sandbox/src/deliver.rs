//! A delivery of a body the caller wrote: the exact bytes given, checked to be a delivery of
//! its dialect, sent by the dispatcher (signed, retried) to one subscription or to the account
//! webhook. It is how a test event whose body the user edited reaches its webhook unchanged.

use nfehook_core::{Dialect, Event, check_delivery_body};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::dispatcher::DispatcherHandle;
use crate::error::{Result, SandboxError};
use crate::store::{self, NewDelivery, Store};
use crate::trigger::{Triggered, TriggeredDelivery};

/// A body to deliver as it is, as sent to `POST /_sandbox/deliveries`.
///
/// ```
/// let request = nfehook_sandbox::DeliverRequest::to_subscription("3f2b", "{}");
/// assert_eq!(request.subscription_id.as_deref(), Some("3f2b"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverRequest {
    /// The subscription a subscription-dialect body goes to; absent for an account-dialect
    /// body, which goes to the account webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The exact body to sign and send: a delivery of either dialect, at most
    /// [`nfehook_core::MAX_DELIVERY_BODY_BYTES`] bytes.
    pub body: String,
}

impl DeliverRequest {
    /// A request to deliver `body` to subscription `id`.
    #[must_use]
    pub fn to_subscription(id: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            subscription_id: Some(id.into()),
            body: body.into(),
        }
    }

    /// A request to deliver `body` to the account webhook.
    #[must_use]
    pub fn to_account(body: impl Into<String>) -> Self {
        Self {
            subscription_id: None,
            body: body.into(),
        }
    }
}

/// Why a given body is refused (before anything is stored).
fn invalid(message: impl Into<String>) -> SandboxError {
    SandboxError::InvalidRequest(message.into())
}

/// The event the body holds, checked by the core's one check of a written delivery body
/// ([`check_delivery_body`]), its reason given as the request's problem.
fn read_body(body: &str) -> Result<Event> {
    check_delivery_body(body).map_err(|e| invalid(format!("`body`: {e}")))
}

/// What can refuse a well-formed request once the store is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeliverRefusal {
    /// No subscription with that id.
    NoSubscription,
    /// The subscription is inactive: it takes no deliveries.
    Inactive,
    /// An account body, and no account webhook is set.
    NoAccountWebhook,
}

/// Stores one pending delivery of the body as given, then wakes the dispatcher.
pub(crate) async fn deliver(
    store: &Store,
    dispatcher: &DispatcherHandle,
    clock: &Clock,
    request: DeliverRequest,
) -> Result<std::result::Result<Triggered, DeliverRefusal>> {
    let event = read_body(&request.body)?;
    let dialect = event.dialect();
    let subscription_id = match (dialect, request.subscription_id) {
        (Dialect::Subscription, Some(id)) => Some(id.trim().to_ascii_lowercase()),
        (Dialect::Subscription, None) => {
            return Err(invalid(
                "`subscriptionId` is required: a subscription-dialect body goes to a subscription",
            ));
        }
        (Dialect::Account, Some(_)) => {
            return Err(invalid(
                "`subscriptionId` must be left out: an account-dialect body goes to the account webhook",
            ));
        }
        (Dialect::Account, None) => None,
    };
    let now_ms = clock.now_unix_millis();
    let new = NewDelivery {
        // The body's own `id` is the user's to edit (and may repeat): the delivery has its own.
        id: uuid::Uuid::new_v4().hyphenated().to_string(),
        dialect,
        subscription_id: None,
        url: String::new(),
        event: event.event.as_str().to_owned(),
        nfe_chave: event.data.nfe_chave().to_owned(),
        body: request.body,
    };
    let stored = store
        .call(move |conn| {
            let tx = conn.transaction()?;
            let found = match &subscription_id {
                Some(id) => match store::get_subscription(&tx, id)? {
                    None => Err(DeliverRefusal::NoSubscription),
                    Some(sub) if !sub.is_active => Err(DeliverRefusal::Inactive),
                    Some(sub) => Ok((Some(sub.id), sub.url)),
                },
                None => store::get_account_webhook(&tx)?
                    .map(|webhook| (None, webhook.url))
                    .ok_or(DeliverRefusal::NoAccountWebhook),
            };
            let (subscription_id, url) = match found {
                Ok(target) => target,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let new = NewDelivery {
                subscription_id,
                url,
                ..new
            };
            store::insert_deliveries(&tx, std::slice::from_ref(&new), now_ms)?;
            tx.commit()?;
            Ok(Ok(new))
        })
        .await?;
    let new = match stored {
        Ok(new) => new,
        Err(refusal) => return Ok(Err(refusal)),
    };
    tracing::info!(event = %new.event, "given body to be delivered");
    dispatcher.wake();
    Ok(Ok(Triggered {
        event: event.event,
        nfe_chave: new.nfe_chave,
        timestamp: event.timestamp,
        deliveries: vec![TriggeredDelivery {
            id: new.id,
            dialect: new.dialect,
            subscription_id: new.subscription_id,
        }],
    }))
}

#[cfg(test)]
mod tests {
    use nfehook_core::check_delivery_body;

    use super::read_body;

    const CHAVE: &str = "52060433009911002506550120000007800267301615";

    // The checks themselves are the core's (and tested there): here, that a good body is read
    // and a refusal names the request's field and carries the core's reason unchanged.
    #[test]
    fn the_core_check_decides_and_its_reason_names_the_field() {
        let good = format!(
            r#"{{"id":"x","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{{"nfeChave":"{CHAVE}","status":"processada"}}}}"#
        );
        assert_eq!(read_body(&good).unwrap().data.nfe_chave(), CHAVE);
        let bad = good.replace("nfe.processada", "nfe.inventado");
        let reason = check_delivery_body(&bad).unwrap_err().to_string();
        assert_eq!(
            read_body(&bad).unwrap_err().to_string(),
            format!("invalid request: `body`: {reason}")
        );
    }
}
