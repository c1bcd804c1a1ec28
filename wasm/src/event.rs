//! The verified event as JavaScript receives it: the core's [`Event`] of either dialect as one
//! JSON shape, `{dialect, id, event, timestamp, data}` with `data` in camelCase (`nfeChave` for
//! both dialects), and `valor` as the exact decimal text (a string) rather than a number that
//! would lose `1500.00`.

use nfehook_core::{Event, EventData, EventError};
use serde::Serialize;
use serde_json::{Map, json};

use crate::outcome::{self, Status};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventView<'a> {
    dialect: &'static str,
    id: &'a str,
    event: &'a str,
    timestamp: String,
    data: DataView<'a>,
}

/// Both dialects' fields; a dialect's absent fields, and the other dialect's, are left out.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct DataView<'a> {
    nfe_chave: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    emitente: Option<&'a nfehook_core::Emitente>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_emissao: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tipo_consulta: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erro_codigo: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erro_mensagem: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arquivo_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url_download: Option<&'a str>,
}

impl<'a> DataView<'a> {
    fn of(data: &'a EventData) -> Self {
        match data {
            EventData::Subscription(data) => DataView {
                nfe_chave: &data.nfe_chave,
                status: Some(&data.status),
                emitente: data.emitente.as_ref(),
                valor: data.valor.as_ref().map(nfehook_core::Valor::as_str),
                data_emissao: data.data_emissao.map(|t| t.to_string()),
                ..DataView::default()
            },
            EventData::Account(dados) => DataView {
                nfe_chave: &dados.chave_nfe,
                status: dados.status.as_deref(),
                tipo_consulta: dados.tipo_consulta.as_deref(),
                erro_codigo: dados.erro_codigo.as_deref(),
                erro_mensagem: dados.erro_mensagem.as_deref(),
                arquivo_id: dados.arquivo_id.as_deref(),
                url_download: dados.url_download.as_deref(),
                ..DataView::default()
            },
        }
    }
}

/// The JSON of `event` for JavaScript: camelCase fields, timestamps in RFC 3339 UTC, absent
/// optional fields left out, and `valor` as a string of its exact text.
///
/// ```
/// let body = br#"{"id":"d1","event":"nfe.cancelada","timestamp":"2024-03-10T13:45:30-03:00",
///   "data":{"nfeChave":"x","status":"cancelada","valor":1500.00}}"#;
/// let event = nfehook_core::Event::from_json(body).unwrap();
/// assert_eq!(
///     nfehook_wasm::event::to_js_json(&event),
///     r#"{"dialect":"subscription","id":"d1","event":"nfe.cancelada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"x","status":"cancelada","valor":"1500.00"}}"#
/// );
/// let body = br#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z",
///   "dados":{"chave_nfe":"x","erro_codigo":"404","erro_mensagem":"nada"}}"#;
/// let event = nfehook_core::Event::from_json(body).unwrap();
/// let json = nfehook_wasm::event::to_js_json(&event);
/// assert!(json.starts_with(r#"{"dialect":"account","id":"sha256:"#));
/// assert!(json.ends_with(r#""data":{"nfeChave":"x","erroCodigo":"404","erroMensagem":"nada"}}"#));
/// ```
#[must_use]
pub fn to_js_json(event: &Event) -> String {
    let view = EventView {
        dialect: event.dialect().as_str(),
        id: &event.id,
        event: event.event.as_str(),
        timestamp: event.timestamp.to_string(),
        data: DataView::of(&event.data),
    };
    serde_json::to_string(&view).unwrap_or_default()
}

/// Status and JSON details of a failed event verification.
pub(crate) fn error(error: &EventError) -> (Status, String) {
    let message = error.to_string();
    match error {
        EventError::Signature(signature) => outcome::signature_error(*signature),
        EventError::InvalidPayload(_) => (
            Status::InvalidPayload,
            outcome::error_json(Status::InvalidPayload, &message, Map::new()),
        ),
        EventError::TimestampTooOld {
            age_secs,
            tolerance_secs,
        } => (
            Status::TimestampTooOld,
            outcome::error_json(
                Status::TimestampTooOld,
                &message,
                outcome::fields(
                    json!({ "ageSeconds": age_secs, "toleranceSeconds": tolerance_secs }),
                ),
            ),
        ),
        EventError::TimestampInFuture {
            ahead_secs,
            tolerance_secs,
        } => (
            Status::TimestampInFuture,
            outcome::error_json(
                Status::TimestampInFuture,
                &message,
                outcome::fields(
                    json!({ "aheadSeconds": ahead_secs, "toleranceSeconds": tolerance_secs }),
                ),
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_keeps_every_field() {
        let body =
            br#"{"id":"delivery-uuid","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z",
          "data":{"nfeChave":"35170608530528000184550000000154301000771561","status":"processada",
          "emitente":{"cnpj":"12345678000195","razaoSocial":"Empresa Exemplo LTDA"},
          "valor":1500.00,"dataEmissao":"2024-03-10T15:30:45Z","extra":true}}"#;
        let event = Event::from_json(body).unwrap();
        let value: serde_json::Value = serde_json::from_str(&to_js_json(&event)).unwrap();
        assert_eq!(value["data"]["valor"], "1500.00");
        assert_eq!(
            value["data"]["emitente"]["razaoSocial"],
            "Empresa Exemplo LTDA"
        );
        assert_eq!(value["data"]["dataEmissao"], "2024-03-10T15:30:45Z");
        assert!(value["data"].get("extra").is_none());
    }

    #[test]
    fn unknown_events_keep_their_name() {
        let body = br#"{"id":"d","event":"nfe.nova","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"nova"}}"#;
        let event = Event::from_json(body).unwrap();
        assert!(to_js_json(&event).contains(r#""event":"nfe.nova""#));
    }

    #[test]
    fn account_fields_in_camel_case_and_no_subscription_fields() {
        let body = br#"{"evento":"guarda.upload.concluido","timestamp":"2024-03-10T16:45:30Z",
          "dados":{"chave_nfe":"k","arquivo_id":7,"url_download":"https://api.validanfe.com/f/7","novo":1}}"#;
        let event = Event::from_json(body).unwrap();
        let value: serde_json::Value = serde_json::from_str(&to_js_json(&event)).unwrap();
        assert_eq!(value["dialect"], "account");
        assert_eq!(value["id"], nfehook_core::event::body_id(body));
        assert_eq!(
            value["data"],
            json!({"nfeChave": "k", "arquivoId": "7", "urlDownload": "https://api.validanfe.com/f/7"})
        );
    }

    #[test]
    fn window_errors_carry_their_numbers() {
        let (status, json) = error(&EventError::TimestampTooOld {
            age_secs: 301,
            tolerance_secs: 300,
        });
        assert_eq!(status, Status::TimestampTooOld);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["ageSeconds"], 301);
        assert_eq!(value["toleranceSeconds"], 300);
        let (status, json) = error(&EventError::TimestampInFuture {
            ahead_secs: 999,
            tolerance_secs: 300,
        });
        assert_eq!(status, Status::TimestampInFuture);
        assert!(json.contains(r#""aheadSeconds":999"#));
    }
}
