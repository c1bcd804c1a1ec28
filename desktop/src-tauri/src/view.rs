//! What crosses the IPC boundary: the rows and views the UI renders, and the form it sends.

use std::collections::BTreeMap;

use nfehook_core::{
    EventKind, NewSubscription, Secret, Subscription, SubscriptionDetail, SubscriptionPatch,
};
use serde::{Deserialize, Serialize};

use crate::error::{DesktopError, Result};

/// One line of the subscriptions list. The secret is not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRow {
    /// UUID.
    pub id: String,
    /// Descriptive name.
    pub name: String,
    /// Delivery URL.
    pub url: String,
    /// Whether deliveries are sent.
    pub is_active: bool,
    /// Event names (`nfe.processada`, …), unknown ones kept.
    pub events: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC, absent before the first delivery.
    pub last_delivery_at: Option<String>,
    /// NF-e keys on the subscription, when the server said.
    pub key_count: Option<u64>,
}

impl From<&Subscription> for SubscriptionRow {
    fn from(s: &Subscription) -> Self {
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            url: s.url.clone(),
            is_active: s.is_active,
            events: s.events.iter().map(|e| e.as_str().to_owned()).collect(),
            created_at: s.created_at.to_string(),
            last_delivery_at: s.last_delivery_at.map(|t| t.to_string()),
            key_count: s.nfe_chaves_count,
        }
    }
}

/// The detail view: every field, the secret masked, the NF-e keys listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    /// The list fields (with `key_count` = number of keys listed).
    #[serde(flatten)]
    pub row: SubscriptionRow,
    /// The secret with all but its prefix and last 4 characters hidden.
    pub secret_mask: String,
    /// The NF-e access keys (44 characters each).
    pub nfe_chaves: Vec<String>,
}

impl From<&SubscriptionDetail> for SubscriptionView {
    fn from(d: &SubscriptionDetail) -> Self {
        Self {
            row: SubscriptionRow {
                id: d.id.clone(),
                name: d.name.clone(),
                url: d.url.clone(),
                is_active: d.is_active,
                events: d.events.iter().map(|e| e.as_str().to_owned()).collect(),
                created_at: d.created_at.to_string(),
                last_delivery_at: d.last_delivery_at.map(|t| t.to_string()),
                key_count: Some(d.nfe_chaves.len() as u64),
            },
            secret_mask: mask_secret(d.secret.expose()),
            nfe_chaves: d.nfe_chaves.clone(),
        }
    }
}

/// Hides a secret but its `whsec_` prefix and last 4 characters.
///
/// ```
/// use nfehook_desktop::view::mask_secret;
/// assert_eq!(mask_secret("whsec_0123456789abcdef0123456789abcdef"), "whsec_••••••••cdef");
/// assert_eq!(mask_secret("short"), "••••••••");
/// ```
pub fn mask_secret(secret: &str) -> String {
    let n = secret.chars().count();
    if n < 12 {
        return "••••••••".to_owned();
    }
    let prefix = if secret.starts_with("whsec_") {
        "whsec_"
    } else {
        ""
    };
    let last4: String = secret.chars().skip(n - 4).collect();
    format!("{prefix}••••••••{last4}")
}

/// The create/edit form as the UI sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionForm {
    /// Descriptive name.
    pub name: String,
    /// Delivery URL.
    pub url: String,
    /// Event names.
    pub events: Vec<String>,
    /// Active on save.
    pub is_active: bool,
    /// Own secret on create; blank or absent lets the server generate one.
    #[serde(default)]
    pub secret: Option<String>,
}

/// Result of checking a form: problems per field (codes) and warnings (codes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormCheck {
    /// Field name → problem codes; empty when the form can be sent.
    pub errors: BTreeMap<String, Vec<String>>,
    /// Codes of things worth saying that do not block: `insecureUrl` for `http://`.
    pub warnings: Vec<String>,
}

impl SubscriptionForm {
    fn events(&self) -> Vec<EventKind> {
        self.events
            .iter()
            .map(|e| EventKind::from_name(e))
            .collect()
    }

    fn secret(&self) -> Option<Secret> {
        self.secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Secret::new)
    }

    /// The create body, with the name and URL trimmed.
    pub fn to_new(&self) -> NewSubscription {
        NewSubscription {
            name: self.name.trim().to_owned(),
            url: self.url.trim().to_owned(),
            events: self.events(),
            is_active: self.is_active,
            secret: self.secret(),
        }
    }

    /// The update body: every field of the form (the secret cannot be changed by update).
    pub fn to_patch(&self) -> SubscriptionPatch {
        SubscriptionPatch {
            name: Some(self.name.trim().to_owned()),
            url: Some(self.url.trim().to_owned()),
            events: Some(self.events()),
            is_active: Some(self.is_active),
        }
    }

    /// Checks the form with `nfehook-core`'s rules, plus the `http://` warning.
    pub fn check(&self) -> FormCheck {
        let errors = match self.to_new().validate() {
            Ok(()) => BTreeMap::new(),
            Err(errs) => field_codes(&errs),
        };
        let warnings = if self.url.trim().to_ascii_lowercase().starts_with("http://") {
            vec!["insecureUrl".to_owned()]
        } else {
            Vec::new()
        };
        FormCheck { errors, warnings }
    }

    /// [`Self::check`] as an error when the form cannot be sent.
    pub fn ensure_valid(&self) -> Result<()> {
        let check = self.check();
        if check.errors.is_empty() {
            Ok(())
        } else {
            Err(DesktopError::Validation {
                message: None,
                fields: check.errors,
            })
        }
    }
}

/// Field name → problem codes from core's validation errors.
fn field_codes(errs: &nfehook_core::ValidationErrors) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &errs.0 {
        map.entry(e.field.to_owned())
            .or_default()
            .push(e.problem.code().to_owned());
    }
    map
}

/// What `create` returns: the new row and, when the server generated the secret, that secret,
/// shown to the user once.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The new subscription's row.
    pub subscription: SubscriptionRow,
    /// The generated secret; `None` when the user gave one.
    pub generated_secret: Option<String>,
}
