//! "Enviar evento de teste": a draft body of any of the six events in its dialect (with a key of
//! the current month proposed), which the user may edit whole; the body as edited is checked,
//! then on the sandbox delivered through its dispatcher byte for byte (with its retries; account
//! events go to the sandbox's account webhook), on other connections signed here with the
//! subscription's secret and POSTed once. Also the sandbox's deliveries, with a resend, and the
//! sandbox's account webhook.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nfehook_client::{SandboxClient, SandboxTest};
use nfehook_core::{
    ChaveAcesso, DeliveryBodyError, Dialect, EventKind, MAX_DELIVERY_BODY_BYTES, Timestamp,
    check_delivery_body,
};
use nfehook_inspector::{SendOutcome, propose_chave, send_signed, test_body};
use nfehook_sandbox::{
    AccountWebhook, AccountWebhookRequest, DeliverRequest, Delivery, DeliveryQuery,
};
use serde::{Deserialize, Serialize};

use crate::client::map_error;
use crate::connection::ConnectionKind;
use crate::error::{DesktopError, Result};
use crate::tools::Tools;

/// Time allowed to the receiver of a direct test delivery (the service allows 30 s).
pub const DIRECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Most deliveries listed at once (the newest): what the deliveries view shows and charts.
pub const MAX_DELIVERIES_LISTED: u32 = 500;
/// How long a sandbox test waits for the first attempt to be recorded.
pub const FIRST_ATTEMPT_WAIT: Duration = Duration::from_secs(8);

/// What to draft.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftInput {
    /// Any of the six events: `nfe.processada`, `nfe.cancelada`, `nfe.erro` (subscription
    /// dialect) or `nfe.consulta.concluida`, `nfe.consulta.erro`, `guarda.upload.concluido`
    /// (account dialect).
    pub event: String,
    /// The NF-e key (of the subscription, or typed); absent or blank: a key of the current
    /// month is proposed.
    #[serde(default)]
    pub chave: Option<String>,
}

/// The newest deliveries, and how many at most are listed (the list is cut there).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    /// Newest first, with their attempts.
    pub deliveries: Vec<Delivery>,
    /// Most deliveries listed at once: [`MAX_DELIVERIES_LISTED`].
    pub limit: u32,
}

/// A body that would be sent, to show and edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEventDraft {
    /// The key in the body (the one given, or the proposed one).
    pub chave: String,
    /// The body, compact JSON in the spec's field order.
    pub body: String,
    /// Longest body that may be sent, in bytes (the UI bounds the editor by it).
    pub max_body_bytes: usize,
}

/// What to send.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEventInput {
    /// The exact body, as the user left it; checked by [`check_delivery_body`] first.
    pub body: String,
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

fn invalid_body(err: &DeliveryBodyError) -> DesktopError {
    DesktopError::Validation {
        message: Some(err.to_string()),
        fields: [("body".to_owned(), vec![err.code().to_owned()])].into(),
    }
}

/// Today's year and month (UTC), for the proposed key.
fn this_month(now_unix: i64) -> (u16, u8) {
    let text = Timestamp::from_unix(now_unix).to_string();
    (
        text[..4].parse().unwrap_or(2000),
        text[5..7].parse().unwrap_or(1),
    )
}

/// A draft of `input.event` for its key, or for a key of the month of `now_unix` when none is
/// given.
///
/// # Errors
/// [`DesktopError::Validation`] for an unknown event or an invalid key.
pub fn draft(input: &DraftInput, now_unix: i64) -> Result<TestEventDraft> {
    let kind = parse_event(&input.event)?;
    let chave = match input.chave.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => parse_chave(text)?,
        _ => {
            let (year, month) = this_month(now_unix);
            propose_chave(year, month).ok_or_else(|| DesktopError::Validation {
                message: Some(format!("no key can be proposed for {year}-{month:02}")),
                fields: [("chave".to_owned(), vec!["no_proposal".to_owned()])].into(),
            })?
        }
    };
    let (_, body) = test_body(&kind, chave, now_unix).ok_or_else(unknown_event)?;
    Ok(TestEventDraft {
        chave: chave.as_str().to_owned(),
        body,
        max_body_bytes: MAX_DELIVERY_BODY_BYTES,
    })
}

/// The draft of a test event now (its key proposed when none is given).
///
/// # Errors
/// As [`draft`].
pub fn draft_now(input: &DraftInput) -> Result<TestEventDraft> {
    draft(input, unix_now())
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

    /// Sends the body as the user left it, once checked, to the subscription (or, for an
    /// account event, to the account webhook): through the sandbox's dispatcher on the
    /// sandbox, signed here with the subscription's secret elsewhere.
    pub async fn send_test_event(
        &self,
        subscription_id: &str,
        input: &TestEventInput,
    ) -> Result<TestEventResult> {
        let event = check_delivery_body(&input.body).map_err(|e| invalid_body(&e))?;
        // One look-up of the active connection decides the path and gives its client.
        let (endpoint, client) = self.client().await?;
        if endpoint.kind == ConnectionKind::Sandbox {
            let request = match event.dialect() {
                Dialect::Subscription => {
                    DeliverRequest::to_subscription(subscription_id, input.body.clone())
                }
                Dialect::Account => DeliverRequest::to_account(input.body.clone()),
            };
            let test = SandboxClient::new(client)
                .test_body(&request, FIRST_ATTEMPT_WAIT)
                .await
                .map_err(map_error)?;
            return Ok(TestEventResult::Sandbox(test));
        }
        let detail = self.desktop.api().await?.get(subscription_id).await?;
        let outcome = send_signed(
            &detail.url,
            event.dialect(),
            &detail.secret,
            &input.body,
            DIRECT_TIMEOUT,
        )
        .await;
        Ok(TestEventResult::Direct {
            url: detail.url,
            outcome,
        })
    }

    /// The sandbox's newest deliveries to a subscription (to every webhook when `None`), at
    /// most [`MAX_DELIVERIES_LISTED`], with their attempts.
    pub async fn list_deliveries(&self, subscription_id: Option<&str>) -> Result<DeliveryList> {
        let query = DeliveryQuery {
            subscription_id: subscription_id.map(str::to_owned),
            limit: Some(MAX_DELIVERIES_LISTED),
            ..DeliveryQuery::default()
        };
        let deliveries = self
            .sandbox()
            .await?
            .deliveries(&query)
            .await
            .map_err(map_error)?;
        Ok(DeliveryList {
            deliveries,
            limit: MAX_DELIVERIES_LISTED,
        })
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

#[cfg(test)]
mod tests {
    use super::{DraftInput, draft, this_month};

    /// 2026-12-03T15:00:00Z.
    const NOW: i64 = 1_796_310_000;

    fn input(event: &str, chave: Option<&str>) -> DraftInput {
        DraftInput {
            event: event.to_owned(),
            chave: chave.map(str::to_owned),
        }
    }

    #[test]
    fn with_no_key_the_draft_proposes_one_of_the_current_month() {
        assert_eq!(this_month(NOW), (2026, 12));
        for chave in [None, Some("  ")] {
            let drafted = draft(&input("nfe.processada", chave), NOW).unwrap();
            assert_eq!(&drafted.chave[2..6], "2612", "{}", drafted.chave);
            assert!(drafted.body.contains(&drafted.chave));
            nfehook_core::check_delivery_body(&drafted.body).unwrap();
            assert_eq!(
                drafted.max_body_bytes,
                nfehook_core::MAX_DELIVERY_BODY_BYTES
            );
        }
    }

    #[test]
    fn a_given_key_and_an_account_event_are_drafted_in_their_dialect() {
        let chave = "52060433009911002506550120000007800267301615";
        let drafted = draft(&input("nfe.consulta.erro", Some(chave)), NOW).unwrap();
        assert_eq!(drafted.chave, chave);
        assert!(
            drafted.body.starts_with(r#"{"evento":"nfe.consulta.erro""#),
            "{}",
            drafted.body
        );
        let err = draft(&input("nfe.inventado", None), NOW).unwrap_err();
        assert_eq!(err.kind(), "validation");
        let err = draft(&input("nfe.erro", Some("123")), NOW).unwrap_err();
        assert_eq!(err.kind(), "validation");
    }
}
