//! "Enviar evento de teste": on the sandbox through its dispatcher (with its retries), on other
//! connections signed here with the subscription's secret and POSTed once. Also the sandbox's
//! deliveries, with a resend.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nfehook_core::{ChaveAcesso, Dialect, EventKind, WebhookEvent};
use nfehook_inspector::{SendOutcome, send_signed, test_event};
use nfehook_sandbox::{Delivery, TriggerRequest, Triggered};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::connection::ConnectionKind;
use crate::desktop::ActiveEndpoint;
use crate::error::{DesktopError, Result};
use crate::tools::Tools;

/// Time allowed to the receiver of a direct test delivery (the service allows 30 s).
pub const DIRECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a sandbox test waits for the first attempt to be recorded.
pub const FIRST_ATTEMPT_WAIT: Duration = Duration::from_secs(8);

/// What to send.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEventInput {
    /// `nfe.processada`, `nfe.cancelada` or `nfe.erro`.
    pub event: String,
    /// The NF-e key (of the subscription, or typed).
    pub chave: String,
}

/// What a test delivery did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "via", rename_all = "camelCase")]
pub enum TestEventResult {
    /// Through the sandbox's dispatcher.
    #[serde(rename_all = "camelCase")]
    Sandbox {
        /// Deliveries the trigger created (one per matching subscription).
        triggered: Triggered,
        /// This subscription's delivery with its first attempt, when it matched.
        delivery: Option<Delivery>,
    },
    /// Signed here and POSTed once.
    #[serde(rename_all = "camelCase")]
    Direct {
        /// The subscription's URL.
        url: String,
        /// What came back.
        outcome: SendOutcome,
    },
}

fn sandbox_only() -> DesktopError {
    DesktopError::InvalidConnection {
        reason: "deliveries are only available on the sandbox connection".to_owned(),
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn parse_event(name: &str) -> Result<EventKind> {
    let kind = EventKind::from_name(name);
    // Test events are sent as subscription deliveries.
    if kind.dialect() == Some(Dialect::Subscription) {
        Ok(kind)
    } else {
        Err(DesktopError::Validation {
            message: None,
            fields: [("event".to_owned(), vec!["unknown_event".to_owned()])].into(),
        })
    }
}

fn parse_chave(input: &str) -> Result<ChaveAcesso> {
    ChaveAcesso::parse(input).map_err(|e| DesktopError::Validation {
        message: Some(e.to_string()),
        fields: [("chave".to_owned(), vec![e.code().to_owned()])].into(),
    })
}

/// The `data` of a sandbox envelope, or the error it carries.
#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

impl Tools {
    fn sandbox_endpoint(&self) -> Result<ActiveEndpoint> {
        let endpoint = self.endpoint()?;
        if endpoint.kind == ConnectionKind::Sandbox {
            Ok(endpoint)
        } else {
            Err(sandbox_only())
        }
    }

    async fn sandbox_call<T: DeserializeOwned>(
        &self,
        endpoint: &ActiveEndpoint,
        request: reqwest::RequestBuilder,
    ) -> Result<T> {
        let key = endpoint
            .api_key
            .as_ref()
            .ok_or(DesktopError::MissingApiKey)?;
        let response = request
            .header("X-API-KEY", key.expose())
            .header("Accept", "application/json")
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| DesktopError::Offline {
                reason: e.to_string(),
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| DesktopError::Offline {
            reason: e.to_string(),
        })?;
        if !status.is_success() {
            let message = serde_json::from_slice::<nfehook_core::ErrorBody>(&body)
                .ok()
                .map(|b| b.message);
            return Err(match status.as_u16() {
                404 => DesktopError::NotFound { message },
                400 | 422 => DesktopError::Validation {
                    message,
                    fields: std::collections::BTreeMap::new(),
                },
                code => DesktopError::Server {
                    status: code,
                    message,
                },
            });
        }
        serde_json::from_slice::<Data<T>>(&body)
            .map(|d| d.data)
            .map_err(|e| DesktopError::Server {
                status: 0,
                message: Some(e.to_string()),
            })
    }

    async fn trigger(
        &self,
        endpoint: &ActiveEndpoint,
        request: &TriggerRequest,
    ) -> Result<Triggered> {
        let url = format!("{}/_sandbox/events", endpoint.base_url);
        self.sandbox_call(endpoint, self.http.post(url).json(request))
            .await
    }

    async fn sandbox_delivery(&self, endpoint: &ActiveEndpoint, id: &str) -> Result<Delivery> {
        let url = format!("{}/_sandbox/deliveries/{id}", endpoint.base_url);
        self.sandbox_call(endpoint, self.http.get(url)).await
    }

    /// Sends a realistic test event for `chave` to the subscription.
    pub async fn send_test_event(
        &self,
        subscription_id: &str,
        input: &TestEventInput,
    ) -> Result<TestEventResult> {
        let kind = parse_event(&input.event)?;
        let chave = parse_chave(&input.chave)?;
        let endpoint = self.endpoint()?;
        if endpoint.kind == ConnectionKind::Sandbox {
            let request = TriggerRequest::new(kind).with_chave(chave.as_str());
            let triggered = self.trigger(&endpoint, &request).await?;
            let delivery = match triggered
                .deliveries
                .iter()
                .find(|d| d.subscription_id == subscription_id)
            {
                Some(ours) => Some(self.first_attempt(&endpoint, &ours.id).await?),
                None => None,
            };
            return Ok(TestEventResult::Sandbox {
                triggered,
                delivery,
            });
        }
        let detail = self.desktop.api()?.get(subscription_id).await?;
        let body = test_event(kind, chave, unix_now()).to_json();
        let outcome = send_signed(&detail.url, &detail.secret, &body, DIRECT_TIMEOUT).await;
        Ok(TestEventResult::Direct {
            url: detail.url,
            outcome,
        })
    }

    /// The delivery once its first attempt is recorded (or as it stands after a while).
    async fn first_attempt(&self, endpoint: &ActiveEndpoint, id: &str) -> Result<Delivery> {
        let deadline = tokio::time::Instant::now() + FIRST_ATTEMPT_WAIT;
        loop {
            let delivery = self.sandbox_delivery(endpoint, id).await?;
            if !delivery.attempts.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(delivery);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The sandbox's deliveries to a subscription, newest first, with their attempts.
    pub async fn list_deliveries(&self, subscription_id: &str) -> Result<Vec<Delivery>> {
        let endpoint = self.sandbox_endpoint()?;
        let mut url = reqwest::Url::parse(&format!("{}/_sandbox/deliveries", endpoint.base_url))
            .map_err(|e| DesktopError::InvalidConnection {
                reason: e.to_string(),
            })?;
        url.query_pairs_mut()
            .append_pair("subscriptionId", subscription_id);
        self.sandbox_call(&endpoint, self.http.get(url)).await
    }

    /// Sends a delivery's event again through the dispatcher: the same event, key, issuer,
    /// amount and issue date, as a new delivery (new id and timestamp).
    pub async fn resend_delivery(&self, delivery_id: &str) -> Result<Triggered> {
        let endpoint = self.sandbox_endpoint()?;
        let delivery = self.sandbox_delivery(&endpoint, delivery_id).await?;
        let event = WebhookEvent::from_json(delivery.payload.get().as_bytes()).map_err(|e| {
            DesktopError::Server {
                status: 0,
                message: Some(e.to_string()),
            }
        })?;
        let request = TriggerRequest {
            event: event.event,
            nfe_chave: Some(event.data.nfe_chave),
            emitente: event.data.emitente,
            valor: event.data.valor,
            data_emissao: event.data.data_emissao,
        };
        self.trigger(&endpoint, &request).await
    }
}
