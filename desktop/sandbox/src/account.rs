//! The account webhook (spec section 5): one URL, its events and a secret, set in the account's
//! admin panel (here through `/_sandbox/account-webhook`), and the body its deliveries carry.

use nfehook_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::clock::{millis_to_secs, timestamp};
use crate::store::AccountWebhookRow;

/// Header the account webhook's deliveries carry their `sha256=<hex>` signature in.
///
/// ```
/// assert_eq!(nfehook_sandbox::ACCOUNT_SIGNATURE_HEADER, "X-ValidaNFe-Signature");
/// ```
pub const ACCOUNT_SIGNATURE_HEADER: &str = "X-ValidaNFe-Signature";

/// An event of the account webhook.
///
/// ```
/// use nfehook_sandbox::AccountEvent;
/// assert_eq!(AccountEvent::from_name("guarda.upload.concluido"), Some(AccountEvent::GuardaUploadConcluido));
/// assert_eq!(AccountEvent::ConsultaErro.as_str(), "nfe.consulta.erro");
/// assert_eq!(AccountEvent::from_name("nfe.processada"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountEvent {
    /// `nfe.consulta.concluida`: an NF-e query finished successfully.
    ConsultaConcluida,
    /// `nfe.consulta.erro`: an NF-e query failed.
    ConsultaErro,
    /// `guarda.upload.concluido`: an NF-e was stored in GuardaNFe.
    GuardaUploadConcluido,
}

impl AccountEvent {
    /// Every account event, in the order the spec lists them.
    pub const ALL: [AccountEvent; 3] = [
        AccountEvent::ConsultaConcluida,
        AccountEvent::ConsultaErro,
        AccountEvent::GuardaUploadConcluido,
    ];

    /// The event of a name, when it is an account event.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == name)
    }

    /// The event name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AccountEvent::ConsultaConcluida => "nfe.consulta.concluida",
            AccountEvent::ConsultaErro => "nfe.consulta.erro",
            AccountEvent::GuardaUploadConcluido => "guarda.upload.concluido",
        }
    }
}

impl Serialize for AccountEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AccountEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown account event `{name}`; expected one of {}",
                names()
            ))
        })
    }
}

/// The account events' names, comma-separated, for messages.
pub(crate) fn names() -> String {
    AccountEvent::ALL.map(AccountEvent::as_str).join(", ")
}

/// The account webhook as set, secret included (the sandbox is the user's own test service).
///
/// ```
/// let json = r#"{"url":"https://suaapp.com/validanfe","events":["nfe.consulta.erro"],
///   "secret":"segredo-da-conta","createdAt":"2024-03-10T16:45:30Z","updatedAt":"2024-03-10T16:45:30Z"}"#;
/// let webhook: nfehook_sandbox::AccountWebhook = serde_json::from_str(json).unwrap();
/// assert_eq!(webhook.events, [nfehook_sandbox::AccountEvent::ConsultaErro]);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhook {
    /// Where deliveries go.
    pub url: String,
    /// The events delivered.
    pub events: Vec<AccountEvent>,
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
                .filter_map(|name| AccountEvent::from_name(name))
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
/// use nfehook_sandbox::{AccountEvent, AccountWebhookRequest};
/// let request = AccountWebhookRequest::new("https://suaapp.com/validanfe", &AccountEvent::ALL);
/// assert!(request.secret.is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountWebhookRequest {
    /// Absolute http(s) URL with a host.
    pub url: String,
    /// One or more account events, no repeats.
    pub events: Vec<AccountEvent>,
    /// 8 to 256 characters, no spaces; kept or generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl AccountWebhookRequest {
    /// A request for `url` and `events` that keeps the current secret.
    #[must_use]
    pub fn new(url: impl Into<String>, events: &[AccountEvent]) -> Self {
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

/// The `dados` of an account event past `chave_nfe`, by event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum AccountFields {
    ConsultaConcluida {
        status: String,
        tipo_consulta: String,
    },
    ConsultaErro {
        erro_codigo: String,
        erro_mensagem: String,
    },
    GuardaUploadConcluido {
        arquivo_id: String,
        url_download: String,
    },
}

#[derive(Serialize)]
struct Dados<'a> {
    chave_nfe: &'a str,
    #[serde(flatten)]
    fields: &'a AccountFields,
}

#[derive(Serialize)]
struct Body<'a> {
    evento: &'a str,
    timestamp: Timestamp,
    dados: Dados<'a>,
}

/// The compact JSON body of an account delivery, fields in the order the spec shows them:
/// `{"evento","timestamp","dados":{"chave_nfe",...}}`, no `id`.
pub(crate) fn body(
    event: AccountEvent,
    timestamp: Timestamp,
    chave: &str,
    fields: &AccountFields,
) -> String {
    serde_json::to_string(&Body {
        evento: event.as_str(),
        timestamp,
        dados: Dados {
            chave_nfe: chave,
            fields,
        },
    })
    .expect("strings and a timestamp always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_published_shape() {
        let at = Timestamp::from_unix(1_710_089_130);
        let chave = "35240311222333000181550010000000011000000015";
        let fields = AccountFields::ConsultaErro {
            erro_codigo: "404".into(),
            erro_mensagem: "NF-e não encontrada".into(),
        };
        assert_eq!(
            body(AccountEvent::ConsultaErro, at, chave, &fields),
            r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"35240311222333000181550010000000011000000015","erro_codigo":"404","erro_mensagem":"NF-e não encontrada"}}"#
        );
        let fields = AccountFields::GuardaUploadConcluido {
            arquivo_id: "a1".into(),
            url_download: "https://api.validanfe.com/x".into(),
        };
        let text = body(AccountEvent::GuardaUploadConcluido, at, chave, &fields);
        assert!(
            text.ends_with(r#""arquivo_id":"a1","url_download":"https://api.validanfe.com/x"}}"#)
        );
    }

    #[test]
    fn event_names_round_trip_and_unknown_ones_are_refused() {
        for event in AccountEvent::ALL {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<AccountEvent>(&json).unwrap(), event);
        }
        let err = serde_json::from_str::<AccountEvent>(r#""nfe.erro""#).unwrap_err();
        assert!(err.to_string().contains("nfe.consulta.concluida"), "{err}");
    }
}
