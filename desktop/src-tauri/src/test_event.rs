//! "Enviar evento de teste": any of the six events in its dialect, on the sandbox through its
//! dispatcher (with its retries; account events go to the sandbox's account webhook), on other
//! connections signed here with the subscription's secret and POSTed once. Also the sandbox's
//! deliveries, with a resend, and the sandbox's account webhook.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nfehook_client::{SandboxClient, SandboxTest};
use nfehook_core::{ChaveAcesso, EventKind};
use nfehook_inspector::{SendOutcome, send_test};
use nfehook_sandbox::{AccountWebhook, AccountWebhookRequest, Delivery, DeliveryQuery};
use serde::{Deserialize, Serialize};

use crate::client::map_error;
use crate::connection::ConnectionKind;
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
    /// Any of the six events: `nfe.processada`, `nfe.cancelada`, `nfe.erro` (subscription
    /// dialect) or `nfe.consulta.concluida`, `nfe.consulta.erro`, `guarda.upload.concluido`
    /// (account dialect).
    pub event: String,
    /// The NF-e key (of the subscription, or typed).
    pub chave: String,
}

/// What a test delivery did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "via", rename_all = "camelCase")]
pub enum TestEventResult {
    /// Through the sandbox's dispatcher.
    Sandbox(SandboxTest),
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

fn unknown_event() -> DesktopError {
    DesktopError::Validation {
        message: None,
        fields: [("event".to_owned(), vec!["unknown_event".to_owned()])].into(),
    }
}

fn parse_event(name: &str) -> Result<EventKind> {
    let kind = EventKind::from_name(name);
    if kind.is_known() {
        Ok(kind)
    } else {
        Err(unknown_event())
    }
}

fn parse_chave(input: &str) -> Result<ChaveAcesso> {
    ChaveAcesso::parse(input).map_err(|e| DesktopError::Validation {
        message: Some(e.to_string()),
        fields: [("chave".to_owned(), vec![e.code().to_owned()])].into(),
    })
}

impl Tools {
    /// The sandbox's admin routes, over the active connection's client from the app's one
    /// client cache; refused on other connections.
    async fn sandbox(&self) -> Result<SandboxClient> {
        let (endpoint, client) = self.client().await?;
        if endpoint.kind == ConnectionKind::Sandbox {
            Ok(SandboxClient::new(client))
        } else {
            Err(sandbox_only())
        }
    }

    /// Sends a realistic test event for `chave` to the subscription: through the sandbox's
    /// dispatcher on the sandbox, signed here with the subscription's secret elsewhere.
    pub async fn send_test_event(
        &self,
        subscription_id: &str,
        input: &TestEventInput,
    ) -> Result<TestEventResult> {
        let kind = parse_event(&input.event)?;
        let chave = parse_chave(&input.chave)?;
        // One look-up of the active connection decides the path and gives its client.
        let (endpoint, client) = self.client().await?;
        if endpoint.kind == ConnectionKind::Sandbox {
            let test = SandboxClient::new(client)
                .test_event(kind, chave.as_str(), subscription_id, FIRST_ATTEMPT_WAIT)
                .await
                .map_err(map_error)?;
            return Ok(TestEventResult::Sandbox(test));
        }
        let detail = self.desktop.api().await?.get(subscription_id).await?;
        let outcome = send_test(
            &detail.url,
            &detail.secret,
            &kind,
            chave,
            unix_now(),
            DIRECT_TIMEOUT,
        )
        .await
        .ok_or_else(unknown_event)?;
        Ok(TestEventResult::Direct {
            url: detail.url,
            outcome,
        })
    }

    /// The sandbox's deliveries to a subscription, newest first, with their attempts.
    pub async fn list_deliveries(&self, subscription_id: &str) -> Result<Vec<Delivery>> {
        let query = DeliveryQuery {
            subscription_id: Some(subscription_id.to_owned()),
            ..DeliveryQuery::default()
        };
        self.sandbox()
            .await?
            .deliveries(&query)
            .await
            .map_err(map_error)
    }

    /// Sends a delivery again through the dispatcher: the same delivery, body and event id,
    /// one more attempt.
    pub async fn resend_delivery(&self, delivery_id: &str) -> Result<Delivery> {
        self.sandbox()
            .await?
            .resend(delivery_id)
            .await
            .map_err(map_error)
    }

    /// The sandbox's account webhook, its secret shown by its last four characters only.
    pub async fn account_webhook(&self) -> Result<Option<AccountWebhookView>> {
        let webhook = self
            .sandbox()
            .await?
            .account_webhook()
            .await
            .map_err(map_error)?;
        Ok(webhook.as_ref().map(AccountWebhookView::new))
    }

    /// Sets the sandbox's account webhook. The full secret comes back only when the sandbox
    /// generated it in this call (to be copied once); otherwise the last four characters.
    pub async fn set_account_webhook(
        &self,
        input: &AccountWebhookInput,
    ) -> Result<AccountWebhookSet> {
        let sandbox = self.sandbox().await?;
        let existed = sandbox
            .account_webhook()
            .await
            .map_err(map_error)?
            .is_some();
        let events: Vec<EventKind> = input
            .events
            .iter()
            .map(|e| EventKind::from_name(e))
            .collect();
        let mut request = AccountWebhookRequest::new(input.url.trim(), &events);
        request.secret = input.secret.clone().filter(|s| !s.is_empty());
        let webhook = sandbox
            .set_account_webhook(&request)
            .await
            .map_err(map_error)?;
        let generated = request.secret.is_none() && !existed;
        Ok(AccountWebhookSet {
            webhook: AccountWebhookView::new(&webhook),
            secret: generated.then(|| webhook.secret.clone()),
        })
    }
}

/// What the UI sends to set the account webhook.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhookInput {
    /// Where deliveries go.
    pub url: String,
    /// Account event names.
    pub events: Vec<String>,
    /// A chosen secret; absent or empty keeps the current one (or generates one).
    #[serde(default)]
    pub secret: Option<String>,
}

/// The account webhook as the UI sees it: no full secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhookView {
    /// Where deliveries go.
    pub url: String,
    /// Account event names.
    pub events: Vec<String>,
    /// The secret's last four characters.
    pub secret_last4: String,
}

impl AccountWebhookView {
    fn new(webhook: &AccountWebhook) -> Self {
        let chars: Vec<char> = webhook.secret.chars().collect();
        Self {
            url: webhook.url.clone(),
            events: webhook
                .events
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect(),
            secret_last4: chars[chars.len().saturating_sub(4)..].iter().collect(),
        }
    }
}

/// The answer of setting the account webhook.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhookSet {
    /// The webhook as set.
    pub webhook: AccountWebhookView,
    /// The secret the sandbox generated in this call, shown once.
    pub secret: Option<String>,
}
