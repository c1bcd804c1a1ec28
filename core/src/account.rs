//! The account webhook's delivery body (spec section 5): `{"evento", "timestamp", "dados"}`,
//! signed in `X-ValidaNFe-Signature`.
//!
//! Receivers read deliveries of either dialect with [`crate::Event`]; [`AccountEvent`] is the
//! body to build when sending one (a sandbox, a test).
//!
//! ```
//! use nfehook_core::{AccountEvent, AccountEventData, Event, EventKind, Timestamp};
//!
//! let mut dados = AccountEventData::new("52060433009911002506550120000007800267301615");
//! dados.status = Some("autorizada".into());
//! dados.tipo_consulta = Some("completa".into());
//! let body = AccountEvent {
//!     evento: EventKind::ConsultaConcluida,
//!     timestamp: Timestamp::parse("2024-03-10T16:45:30Z").unwrap(),
//!     dados,
//! }
//! .to_json();
//! assert!(body.starts_with(r#"{"evento":"nfe.consulta.concluida","timestamp":"#));
//! let event = Event::from_json(body.as_bytes()).unwrap();
//! assert_eq!(event.data.status(), Some("autorizada"));
//! ```

use alloc::string::{String, ToString};

use serde::{Deserialize, Deserializer, Serialize};

use crate::chave::{ChaveAcesso, ChaveError};
use crate::event::EventKind;
use crate::timestamp::Timestamp;

/// One account-webhook delivery body. The published examples carry no `id`: a receiver keys
/// duplicates on [`crate::event::body_id`] (what [`crate::Event::id`] holds for this dialect).
///
/// ```
/// use nfehook_core::{AccountEvent, AccountEventData, EventKind, Timestamp};
/// let event = AccountEvent {
///     evento: EventKind::GuardaUploadConcluido,
///     timestamp: Timestamp::parse("2024-03-10T16:45:30Z").unwrap(),
///     dados: AccountEventData::new("k"),
/// };
/// assert_eq!(
///     event.to_json(),
///     r#"{"evento":"guarda.upload.concluido","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvent {
    /// What happened (`nfe.consulta.concluida`, `nfe.consulta.erro`, `guarda.upload.concluido`).
    pub evento: EventKind,
    /// When the event was produced (signed, so it bounds replays).
    pub timestamp: Timestamp,
    /// The NF-e the event is about, and the event's own fields.
    pub dados: AccountEventData,
}

impl AccountEvent {
    /// The body as compact JSON, fields in the published order: the exact bytes to sign.
    ///
    /// ```
    /// # use nfehook_core::{AccountEvent, AccountEventData, EventKind, Timestamp};
    /// let event = AccountEvent {
    ///     evento: EventKind::ConsultaErro,
    ///     timestamp: Timestamp::parse("2024-03-10T16:45:30Z").unwrap(),
    ///     dados: AccountEventData::new("k"),
    /// };
    /// assert!(!event.to_json().contains(' '));
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        match serde_json::to_string(self) {
            Ok(json) => json,
            Err(_) => unreachable!("an AccountEvent always serialises"),
        }
    }
}

/// The `dados` of an account delivery, under their published (`snake_case`) names. Every field
/// but the key is optional: each event carries its own (see the spec's table).
///
/// `chave_nfe` is kept as sent, as in the subscription dialect; read it with
/// [`AccountEventData::chave`].
///
/// ```
/// let dados: nfehook_core::AccountEventData = serde_json::from_str(
///     r#"{"chave_nfe":"k","erro_codigo":404,"erro_mensagem":"não encontrada","novo":1}"#,
/// ).unwrap();
/// assert_eq!(dados.erro_codigo.as_deref(), Some("404")); // a number is kept as its text
/// assert!(dados.status.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEventData {
    /// The NF-e access key, as sent.
    pub chave_nfe: String,
    /// `nfe.consulta.concluida`: the NF-e's status (e.g. `autorizada`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `nfe.consulta.concluida`: the kind of query (e.g. `completa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tipo_consulta: Option<String>,
    /// `nfe.consulta.erro`: the error code, a string such as `"404"` (a number is kept as its
    /// text).
    #[serde(
        default,
        deserialize_with = "text_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub erro_codigo: Option<String>,
    /// `nfe.consulta.erro`: the error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erro_mensagem: Option<String>,
    /// `guarda.upload.concluido`: the stored file's id (a number is kept as its text).
    #[serde(
        default,
        deserialize_with = "text_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub arquivo_id: Option<String>,
    /// `guarda.upload.concluido`: where to download the file (an https URL of the API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_download: Option<String>,
}

impl AccountEventData {
    /// `dados` with only the key set.
    ///
    /// ```
    /// let dados = nfehook_core::AccountEventData::new("k");
    /// assert_eq!(dados.chave_nfe, "k");
    /// assert!(dados.url_download.is_none());
    /// ```
    #[must_use]
    pub fn new(chave_nfe: impl Into<String>) -> Self {
        Self {
            chave_nfe: chave_nfe.into(),
            status: None,
            tipo_consulta: None,
            erro_codigo: None,
            erro_mensagem: None,
            arquivo_id: None,
            url_download: None,
        }
    }

    /// The access key, parsed and validated.
    ///
    /// # Errors
    /// [`ChaveError`] when `chave_nfe` is not a valid key.
    ///
    /// ```
    /// let dados = nfehook_core::AccountEventData::new("52060433009911002506550120000007800267301615");
    /// assert_eq!(dados.chave().unwrap().numero(), 780);
    /// ```
    pub fn chave(&self) -> Result<ChaveAcesso, ChaveError> {
        ChaveAcesso::parse(&self.chave_nfe)
    }
}

/// A string field that a sender may also write as a JSON number; the number keeps its text.
fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(
        Option::<TextOrNumber>::deserialize(deserializer)?.map(|value| match value {
            TextOrNumber::Text(text) => text,
            TextOrNumber::Number(number) => number.to_string(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_examples_read_and_write_back() {
        for json in [
            r#"{"evento":"nfe.consulta.concluida","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","status":"autorizada","tipo_consulta":"completa"}}"#,
            r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","erro_codigo":"404","erro_mensagem":"NF-e não encontrada"}}"#,
            r#"{"evento":"guarda.upload.concluido","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","arquivo_id":"a1","url_download":"https://api.validanfe.com/x"}}"#,
        ] {
            let event: AccountEvent = serde_json::from_str(json).unwrap();
            assert!(event.evento.is_known());
            assert_eq!(event.to_json(), json);
        }
    }

    #[test]
    fn null_and_mistyped_fields() {
        let dados: AccountEventData =
            serde_json::from_str(r#"{"chave_nfe":"k","arquivo_id":null,"erro_codigo":12.5}"#)
                .unwrap();
        assert_eq!(dados.arquivo_id, None);
        assert_eq!(dados.erro_codigo.as_deref(), Some("12.5"));
        assert!(
            serde_json::from_str::<AccountEventData>(r#"{"chave_nfe":"k","erro_codigo":true}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<AccountEventData>(r#"{"status":"autorizada"}"#).is_err());
    }
}
