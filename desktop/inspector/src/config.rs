//! What the inspector answers, and the secrets it checks signatures with.

use nfehook_core::Secret;
use serde::{Deserialize, Serialize};

use crate::error::{InspectorError, Result};

/// Longest response delay, in milliseconds (two minutes: past a sender's 30 s timeout).
pub const MAX_DELAY_MS: u64 = 120_000;

/// The answer the inspector gives to every request, to test a sender's retries.
///
/// ```
/// let response = nfehook_inspector::ResponseConfig::default();
/// assert_eq!((response.status, response.delay_ms), (200, 0));
/// assert!(nfehook_inspector::ResponseConfig { status: 503, ..response.clone() }.validate().is_ok());
/// assert!(nfehook_inspector::ResponseConfig { status: 99, ..response }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResponseConfig {
    /// HTTP status, 200–599.
    pub status: u16,
    /// Wait before answering, in milliseconds (at most [`MAX_DELAY_MS`]).
    pub delay_ms: u64,
    /// Response body.
    pub body: String,
    /// Its `Content-Type`.
    pub content_type: String,
}

impl Default for ResponseConfig {
    fn default() -> Self {
        Self {
            status: 200,
            delay_ms: 0,
            body: "{\"received\":true}".to_owned(),
            content_type: "application/json".to_owned(),
        }
    }
}

impl ResponseConfig {
    /// Checks the status and the delay.
    ///
    /// # Errors
    /// [`InspectorError::InvalidStatus`], [`InspectorError::DelayTooLong`].
    pub fn validate(&self) -> Result<()> {
        if !(200..=599).contains(&self.status) {
            return Err(InspectorError::InvalidStatus(self.status));
        }
        if self.delay_ms > MAX_DELAY_MS {
            return Err(InspectorError::DelayTooLong(self.delay_ms));
        }
        Ok(())
    }
}

/// A secret to check signatures with, and the label shown when it matches (a subscription's
/// name, or "colado"). `Debug` never shows the secret.
///
/// ```
/// let s = nfehook_inspector::NamedSecret::new("Webhook Principal", "whsec_abc");
/// assert!(!format!("{s:?}").contains("whsec_abc"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSecret {
    /// Shown in verdicts.
    pub label: String,
    /// The secret.
    pub secret: Secret,
}

impl NamedSecret {
    /// A labelled secret.
    pub fn new(label: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            secret: Secret::new(secret),
        }
    }
}
