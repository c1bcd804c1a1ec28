//! The account webhook (spec section 5): one URL, its events and a secret, set in the account's
//! admin panel (here through `/_sandbox/account-webhook`), and the body its deliveries carry.

use nfehook_core::{EventKind, Timestamp};
use serde::{Deserialize, Serialize};

use crate::clock::{millis_to_secs, timestamp};
use crate::store::AccountWebhookRow;

/// The account events' names, comma-separated, for messages.
pub(crate) fn names() -> String {
    EventKind::ACCOUNT.map(|e| e.as_str().to_owned()).join(", ")
}

/// The account webhook as set, secret included (the sandbox is the user's own test service).
///
/// ```
/// let json = r#"{"url":"https://suaapp.com/validanfe","events":["nfe.consulta.erro"],
///   "secret":"segredo-da-conta","createdAt":"2024-03-10T16:45:30Z","updatedAt":"2024-03-10T16:45:30Z"}"#;
/// let webhook: nfehook_sandbox::AccountWebhook = serde_json::from_str(json).unwrap();
/// assert_eq!(webhook.events, [nfehook_core::EventKind::ConsultaErro]);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhook {
    /// Where deliveries go.
    pub url: String,
    /// The events delivered (account events, [`EventKind::ACCOUNT`]).
    pub events: Vec<EventKind>,
    /// HMAC-SHA256 key of the deliveries (its UTF-8 bytes as they stand).
    pub secret: String,
    /// When it was first set.
    pub created_at: Timestamp,
    /// When it was last set.
    pub updated_at: Timestamp,
}

impl std::fmt::Debug for AccountWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountWebhook")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &"[redacted]")
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

impl From<AccountWebhookRow> for AccountWebhook {
    fn from(row: AccountWebhookRow) -> Self {
        AccountWebhook {
            url: row.url,
            events: row
                .events
                .iter()
                .map(|name| EventKind::from_name(name))
                .collect(),
            secret: row.secret,
            created_at: timestamp(millis_to_secs(row.created_at)),
            updated_at: timestamp(millis_to_secs(row.updated_at)),
        }
    }
}

/// What to set the account webhook to, as sent to `PUT /_sandbox/account-webhook`. A `secret`
/// left out keeps the one the webhook had (a new `whsec_…` secret when there was none).
///
/// ```
/// use nfehook_core::EventKind;
/// let request = nfehook_sandbox::AccountWebhookRequest::new("https://suaapp.com/validanfe", &EventKind::ACCOUNT);
/// assert!(request.secret.is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhookRequest {
    /// Absolute http(s) URL with a host.
    pub url: String,
    /// One or more account events ([`EventKind::ACCOUNT`]), no repeats.
    pub events: Vec<EventKind>,
    /// 8 to 256 characters, no spaces; kept or generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl AccountWebhookRequest {
    /// A request for `url` and `events` that keeps the current secret.
    #[must_use]
    pub fn new(url: impl Into<String>, events: &[EventKind]) -> Self {
        Self {
            url: url.into(),
            events: events.to_vec(),
            secret: None,
        }
    }

    /// The same request with a chosen secret.
    #[must_use]
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }
}

impl std::fmt::Debug for AccountWebhookRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountWebhookRequest")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}
