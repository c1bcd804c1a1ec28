//! The local sandbox's own admin routes (`/_sandbox/*`: trigger an event, list, read and
//! resend deliveries, the account webhook), through the same transport as the Subscriptions
//! API: one error mapping ([`ApiError`]), the API key from the same [`Client`], no redirects.

use std::time::Duration;

use nfehook_sandbox::{
    AccountWebhook, AccountWebhookRequest, DeliverRequest, Delivery, DeliveryQuery, TriggerRequest,
    Triggered,
};
use reqwest::Method;

use crate::client::{Client, decode_data, encode};
use crate::error::{ApiError, Result};

const SANDBOX: &str = "_sandbox";
/// How often [`SandboxClient::first_attempt`] reads the delivery while it waits.
const POLL_EVERY: Duration = Duration::from_millis(150);

/// A test event sent through the sandbox's dispatcher, as [`SandboxClient::test_event`]
/// returns it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxTest {
    /// Every delivery the trigger created (one per matching webhook).
    pub triggered: Triggered,
    /// The delivery to the webhook the test was for, with its first attempt when one finished
    /// in time; `None` when that webhook does not take the event (inactive, filtered out).
    pub delivery: Option<Delivery>,
}

/// A client of a `nfehook-sandbox`'s admin routes, over a [`Client`] of its base URL and key.
///
/// Cheap to clone. POSTs (trigger, resend) are sent once; GET and PUT are retried as the
/// [`Client`]'s [`RetryPolicy`](crate::RetryPolicy) says.
///
/// ```
/// use nfehook_client::{Client, EventKind, SandboxClient};
/// use nfehook_sandbox::{DeliveryQuery, TriggerRequest};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = nfehook_sandbox::Sandbox::builder().bind("127.0.0.1:0").api_key("k").start().await?;
/// let client = Client::builder("k").base_url(sandbox.base_url()).build()?;
/// let admin = SandboxClient::new(client);
/// let triggered = admin.trigger(&TriggerRequest::new(EventKind::Processada)).await?;
/// assert!(triggered.deliveries.is_empty(), "no subscription yet");
/// assert!(admin.deliveries(&DeliveryQuery::default()).await?.is_empty());
/// assert_eq!(admin.delivery("nope").await.unwrap_err().kind(), "notFound");
/// assert!(admin.account_webhook().await?.is_none());
/// # sandbox.shutdown().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SandboxClient {
    client: Client,
}

impl SandboxClient {
    /// The admin routes of the sandbox `client` points at.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// `POST /_sandbox/events`: triggers an event; one delivery per matching webhook.
    ///
    /// # Errors
    /// [`ApiError::Validation`] for a bad request, and any other [`ApiError`].
    pub async fn trigger(&self, request: &TriggerRequest) -> Result<Triggered> {
        let url = self.client.url_at(&[SANDBOX, "events"], &[]);
        let answer = self
            .client
            .send_to(Method::POST, url, Some(encode(request)?))
            .await?;
        decode_data(&answer)
    }

    /// `POST /_sandbox/deliveries`: one delivery of the body exactly as given, to one
    /// subscription or to the account webhook.
    ///
    /// # Errors
    /// [`ApiError::Validation`] for a body that is not a delivery of its dialect,
    /// [`ApiError::NotFound`] for an unknown subscription or no account webhook,
    /// [`ApiError::Conflict`] for an inactive subscription, and any other [`ApiError`].
    pub async fn deliver(&self, request: &DeliverRequest) -> Result<Triggered> {
        let url = self.client.url_at(&[SANDBOX, "deliveries"], &[]);
        let answer = self
            .client
            .send_to(Method::POST, url, Some(encode(request)?))
            .await?;
        decode_data(&answer)
    }

    /// Delivers `request`'s body as given through the dispatcher and waits up to `wait` for
    /// the first attempt, and returns the delivery as it then stands: a test event, sent to one webhook only.
    ///
    /// # Errors
    /// As [`deliver`](Self::deliver).
    pub async fn test_body(&self, request: &DeliverRequest, wait: Duration) -> Result<SandboxTest> {
        let triggered = self.deliver(request).await?;
        let delivery = match triggered.deliveries.first() {
            Some(ours) => Some(self.first_attempt(&ours.id, wait).await?),
            None => None,
        };
        Ok(SandboxTest {
            triggered,
            delivery,
        })
    }

    /// `GET /_sandbox/deliveries`: the deliveries `query` selects, newest first, with their
    /// attempts.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn deliveries(&self, query: &DeliveryQuery) -> Result<Vec<Delivery>> {
        let status = query.status.map(|status| {
            serde_json::to_value(status)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default()
        });
        let mut pairs = Vec::new();
        if let Some(dialect) = query.dialect {
            pairs.push(("dialect", dialect.as_str()));
        }
        if let Some(id) = &query.subscription_id {
            pairs.push(("subscriptionId", id.as_str()));
        }
        if let Some(status) = &status {
            pairs.push(("status", status.as_str()));
        }
        let limit = query.limit.map(|n| n.to_string());
        if let Some(limit) = &limit {
            pairs.push(("limit", limit.as_str()));
        }
        let url = self.client.url_at(&[SANDBOX, "deliveries"], &pairs);
        let answer = self.client.send_to(Method::GET, url, None).await?;
        decode_data(&answer)
    }

    /// `GET /_sandbox/deliveries/{id}`: one delivery with its attempts.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] for an unknown id, and any other [`ApiError`].
    pub async fn delivery(&self, id: &str) -> Result<Delivery> {
        let url = self
            .client
            .url_at(&[SANDBOX, "deliveries", check_id(id)?], &[]);
        let answer = self.client.send_to(Method::GET, url, None).await?;
        decode_data(&answer)
    }

    /// The delivery `id` once its first attempt has finished, or as it stands after `wait`
    /// (the attempt may still be in flight: the receiver has 30 s to answer).
    ///
    /// # Errors
    /// [`ApiError::NotFound`], and any other [`ApiError`].
    pub async fn first_attempt(&self, id: &str, wait: Duration) -> Result<Delivery> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let delivery = self.delivery(id).await?;
            let finished = delivery
                .attempts
                .first()
                .is_some_and(|a| a.outcome.is_finished());
            if finished || tokio::time::Instant::now() >= deadline {
                return Ok(delivery);
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// `POST /_sandbox/deliveries/{id}/resend`: the same delivery (body, event id) made
    /// pending again, due now; its next attempt is numbered after the others.
    ///
    /// # Errors
    /// [`ApiError::NotFound`]; [`ApiError::Conflict`] while it is pending, when its webhook is
    /// gone or inactive, or its event is older than the delivery horizon; any other
    /// [`ApiError`].
    pub async fn resend(&self, id: &str) -> Result<Delivery> {
        let url = self
            .client
            .url_at(&[SANDBOX, "deliveries", check_id(id)?, "resend"], &[]);
        let answer = self.client.send_to(Method::POST, url, None).await?;
        decode_data(&answer)
    }

    /// `GET /_sandbox/account-webhook`: the account webhook, `None` while none is set.
    ///
    /// # Errors
    /// Any [`ApiError`] but the 404 of no webhook.
    pub async fn account_webhook(&self) -> Result<Option<AccountWebhook>> {
        let url = self.client.url_at(&[SANDBOX, "account-webhook"], &[]);
        match self.client.send_to(Method::GET, url, None).await {
            Ok(answer) => decode_data(&answer).map(Some),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// `PUT /_sandbox/account-webhook`: sets the account webhook (a secret is generated when
    /// the request has none and no webhook was set).
    ///
    /// # Errors
    /// [`ApiError::Validation`], and any other [`ApiError`].
    pub async fn set_account_webhook(
        &self,
        request: &AccountWebhookRequest,
    ) -> Result<AccountWebhook> {
        let url = self.client.url_at(&[SANDBOX, "account-webhook"], &[]);
        let answer = self
            .client
            .send_to(Method::PUT, url, Some(encode(request)?))
            .await?;
        decode_data(&answer)
    }
}

fn check_id(id: &str) -> Result<&str> {
    let trimmed = id.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        return Err(ApiError::InvalidArgument {
            message: "the delivery id is empty".into(),
        });
    }
    Ok(trimmed)
}
