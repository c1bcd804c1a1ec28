//! The verified event as JavaScript receives it: the core's [`WebhookEvent`] as JSON, with
//! `valor` as the exact decimal text (a string) rather than a number that would lose `1500.00`.

use nfehook_core::{EventError, WebhookEvent};
use serde::Serialize;
use serde_json::{Map, json};

use crate::outcome::{self, Status};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventView<'a> {
    id: &'a str,
    event: &'a str,
    timestamp: String,
    data: DataView<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataView<'a> {
    nfe_chave: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    emitente: Option<&'a nfehook_core::Emitente>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_emissao: Option<String>,
}

/// The JSON of `event` for JavaScript: camelCase fields as delivered, timestamps in RFC 3339
/// UTC, absent optional fields left out, and `valor` as a string of its exact text.
///
/// ```
/// let body = br#"{"id":"d1","event":"nfe.cancelada","timestamp":"2024-03-10T13:45:30-03:00",
///   "data":{"nfeChave":"x","status":"cancelada","valor":1500.00}}"#;
/// let event = nfehook_core::WebhookEvent::from_json(body).unwrap();
/// assert_eq!(
///     nfehook_wasm::event::to_js_json(&event),
///     r#"{"id":"d1","event":"nfe.cancelada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"x","status":"cancelada","valor":"1500.00"}}"#
/// );
/// ```
#[must_use]
pub fn to_js_json(event: &WebhookEvent) -> String {
    let view = EventView {
        id: &event.id,
        event: event.event.as_str(),
        timestamp: event.timestamp.to_string(),
        data: DataView {
            nfe_chave: &event.data.nfe_chave,
            status: &event.data.status,
            emitente: event.data.emitente.as_ref(),
            valor: event.data.valor.as_ref().map(nfehook_core::Valor::as_str),
            data_emissao: event.data.data_emissao.map(|t| t.to_string()),
        },
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
        let event = WebhookEvent::from_json(body).unwrap();
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
        let event = WebhookEvent::from_json(body).unwrap();
        assert!(to_js_json(&event).contains(r#""event":"nfe.nova""#));
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
