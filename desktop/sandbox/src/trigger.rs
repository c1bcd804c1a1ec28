//! Triggering an event: one pending delivery per subscription that wants it.

use nfehook_core::{
    ChaveAcesso, Emitente, EventKind, NfeEventData, Timestamp, Valor, WebhookEvent,
};
use serde::{Deserialize, Serialize};

use crate::clock::{millis_to_secs, now_millis, timestamp};
use crate::dispatcher::DispatcherHandle;
use crate::error::{Result, SandboxError};
use crate::sample;
use crate::store::{self, NewDelivery, Store};

/// An event to simulate, as sent to `POST /_sandbox/events`; fields left out get realistic
/// sample values (a valid NF-e key of the current month, a sample issuer, `1500.00`).
///
/// ```
/// use nfehook_core::EventKind;
/// let request = nfehook_sandbox::TriggerRequest::new(EventKind::Cancelada);
/// assert!(request.nfe_chave.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerRequest {
    /// One of the events of the spec (`nfe.processada`, `nfe.cancelada`, `nfe.erro`).
    pub event: EventKind,
    /// NF-e key of the event (validated); a random valid key when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfe_chave: Option<String>,
    /// Issuer; the key's CNPJ with a sample name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitente: Option<Emitente>,
    /// Amount in BRL, kept exactly as given; `1500.00` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valor: Option<Valor>,
    /// Issue time; 75 minutes before the event when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_emissao: Option<Timestamp>,
}

impl TriggerRequest {
    /// A request for `event` with every other field left to the sample values.
    #[must_use]
    pub fn new(event: EventKind) -> Self {
        Self {
            event,
            nfe_chave: None,
            emitente: None,
            valor: None,
            data_emissao: None,
        }
    }

    /// The same request for NF-e key `chave`.
    #[must_use]
    pub fn with_chave(mut self, chave: impl Into<String>) -> Self {
        self.nfe_chave = Some(chave.into());
        self
    }
}

/// What a trigger did: the event and one delivery per matching subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Triggered {
    /// The event.
    pub event: EventKind,
    /// The NF-e key the event is about (44 digits).
    pub nfe_chave: String,
    /// When the event was produced (the `timestamp` of every body).
    pub timestamp: Timestamp,
    /// Deliveries created, pending; empty when no subscription wants the event.
    pub deliveries: Vec<TriggeredDelivery>,
}

/// A delivery created by a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggeredDelivery {
    /// Delivery id: the `id` of its body, the same on every attempt.
    pub id: String,
    /// The subscription it goes to.
    pub subscription_id: String,
}

/// Stores one pending delivery per matching subscription, then wakes the dispatcher.
pub(crate) async fn trigger(
    store: &Store,
    dispatcher: &DispatcherHandle,
    request: TriggerRequest,
) -> Result<Triggered> {
    if matches!(request.event, EventKind::Unknown(_)) {
        return Err(SandboxError::InvalidRequest(format!(
            "unknown event `{}`; expected one of nfe.processada, nfe.cancelada, nfe.erro",
            request.event.as_str()
        )));
    }
    let now_ms = now_millis();
    let now = timestamp(millis_to_secs(now_ms));
    let chave = match &request.nfe_chave {
        Some(text) => ChaveAcesso::parse(text)
            .map_err(|err| SandboxError::InvalidRequest(format!("invalid nfeChave: {err}")))?,
        None => sample::chave(now),
    };
    let data = NfeEventData {
        nfe_chave: chave.as_str().to_owned(),
        status: request.event.status().to_owned(),
        emitente: Some(request.emitente.unwrap_or_else(|| sample::emitente(&chave))),
        valor: Some(request.valor.unwrap_or_else(sample::valor)),
        data_emissao: Some(
            request
                .data_emissao
                .unwrap_or_else(|| sample::data_emissao(now)),
        ),
    };
    let event = request.event.clone();
    let deliveries = store
        .call(move |conn| {
            let tx = conn.transaction()?;
            let targets = store::targets(&tx, event.as_str(), &data.nfe_chave)?;
            let new: Vec<NewDelivery> = targets
                .into_iter()
                .map(|target| {
                    let id = uuid::Uuid::new_v4().hyphenated().to_string();
                    let body = WebhookEvent {
                        id: id.clone(),
                        event: event.clone(),
                        timestamp: now,
                        data: data.clone(),
                    }
                    .to_json();
                    NewDelivery {
                        id,
                        subscription_id: target.subscription_id,
                        url: target.url,
                        event: event.as_str().to_owned(),
                        nfe_chave: data.nfe_chave.clone(),
                        body,
                    }
                })
                .collect();
            store::insert_deliveries(&tx, &new, now_ms)?;
            tx.commit()?;
            Ok(new)
        })
        .await?;
    tracing::info!(
        event = request.event.as_str(),
        deliveries = deliveries.len(),
        "event triggered"
    );
    dispatcher.wake();
    Ok(Triggered {
        event: request.event,
        nfe_chave: chave.as_str().to_owned(),
        timestamp: now,
        deliveries: deliveries
            .into_iter()
            .map(|d| TriggeredDelivery {
                id: d.id,
                subscription_id: d.subscription_id,
            })
            .collect(),
    })
}
