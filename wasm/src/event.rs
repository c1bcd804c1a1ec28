//! The verified event as JavaScript receives it: the core's [`Event`] of either dialect as one
//! JSON shape, `{dialect, id, event, timestamp, data}` with `data` in camelCase (`nfeChave` for
//! both dialects), and `valor` as the exact decimal text (a string) rather than a number that
//! would lose `1500.00`.

use nfehook_core::{
    AccountEventData, Dialect, Emitente, Event, EventData, EventError, EventKind, NfeEventData,
    Timestamp, Valor,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};
use wasm_bindgen::prelude::wasm_bindgen;

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

/// An event as JavaScript writes one for a test delivery: the shape [`to_js_json`] gives, with
/// `dialect` optional (the event's own, else `subscription`) and `data.status` optional in the
/// subscription dialect (the event's, as [`EventKind::status`] gives it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventInput {
    #[serde(default)]
    dialect: Option<String>,
    #[serde(default)]
    id: Option<String>,
    event: EventKind,
    timestamp: Timestamp,
    data: DataInput,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataInput {
    nfe_chave: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    emitente: Option<Emitente>,
    #[serde(default)]
    valor: Option<Valor>,
    #[serde(default)]
    data_emissao: Option<Timestamp>,
    #[serde(default)]
    tipo_consulta: Option<String>,
    #[serde(default)]
    erro_codigo: Option<String>,
    #[serde(default)]
    erro_mensagem: Option<String>,
    #[serde(default)]
    arquivo_id: Option<String>,
    #[serde(default)]
    url_download: Option<String>,
}

/// The core event an [`EventInput`] describes.
fn event_of(input: EventInput) -> Result<Event, String> {
    let dialect = match input.dialect.as_deref() {
        None => input.event.dialect().unwrap_or(Dialect::Subscription),
        Some("subscription") => Dialect::Subscription,
        Some("account") => Dialect::Account,
        Some(other) => {
            return Err(format!(
                "unknown dialect `{other}`; expected `subscription` or `account`"
            ));
        }
    };
    let d = input.data;
    let data = match dialect {
        Dialect::Subscription => EventData::Subscription(NfeEventData {
            nfe_chave: d.nfe_chave,
            status: d.status.unwrap_or_else(|| input.event.status().to_owned()),
            emitente: d.emitente,
            valor: d.valor,
            data_emissao: d.data_emissao,
        }),
        Dialect::Account => EventData::Account(AccountEventData {
            chave_nfe: d.nfe_chave,
            status: d.status,
            tipo_consulta: d.tipo_consulta,
            erro_codigo: d.erro_codigo,
            erro_mensagem: d.erro_mensagem,
            arquivo_id: d.arquivo_id,
            url_download: d.url_download,
        }),
    };
    Ok(Event {
        id: input.id.unwrap_or_default(),
        event: input.event,
        timestamp: input.timestamp,
        data,
    })
}

/// The delivery body, in its dialect, of the event JavaScript describes as JSON (the shape
/// [`to_js_json`] gives), with the dialect and the lowercase name of the header its signature
/// goes in: `{"body", "dialect", "header"}`, or `{"error": <message>}`.
///
/// ```
/// let out = nfehook_wasm::event::test_delivery_body(
///     r#"{"event":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z",
///        "data":{"nfeChave":"k","erroCodigo":"404"}}"#,
/// );
/// let out: serde_json::Value = serde_json::from_str(&out).unwrap();
/// assert_eq!(out["dialect"], "account");
/// assert_eq!(out["header"], "x-validanfe-signature");
/// assert_eq!(
///     out["body"],
///     r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","erro_codigo":"404"}}"#
/// );
/// ```
#[wasm_bindgen(js_name = testDeliveryBody)]
#[must_use]
pub fn test_delivery_body(event_json: &str) -> String {
    let event = serde_json::from_str::<EventInput>(event_json)
        .map_err(|error| format!("not a test event: {error}"))
        .and_then(event_of);
    match event {
        Ok(event) => json!({
            "body": event.to_json(),
            "dialect": event.dialect().as_str(),
            "header": event.dialect().signature_header().to_ascii_lowercase(),
        })
        .to_string(),
        Err(message) => json!({ "error": message }).to_string(),
    }
}

/// The lowercase names of the headers a ValidaNFe signature is read from, in the order the
/// core's [`nfehook_core::signature_header`] tries them.
///
/// ```
/// assert_eq!(nfehook_wasm::event::signature_header_names(), ["x-webhook-signature", "x-validanfe-signature"]);
/// ```
#[wasm_bindgen(js_name = signatureHeaderNames)]
#[must_use]
pub fn signature_header_names() -> Vec<String> {
    nfehook_core::SIGNATURE_HEADERS
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .collect()
}

/// The names of the events the service documents: the subscription dialect's, then the
/// account webhook's.
///
/// ```
/// assert_eq!(nfehook_wasm::event::event_names()[3], "nfe.consulta.concluida");
/// ```
#[wasm_bindgen(js_name = eventNames)]
#[must_use]
pub fn event_names() -> Vec<String> {
    EventKind::KNOWN
        .iter()
        .map(|kind| kind.as_str().to_owned())
        .collect()
}

/// The receivers' default replay window, `[past, future]` in seconds
/// ([`nfehook_core::Window::RECEIVER`]).
///
/// ```
/// assert_eq!(nfehook_wasm::event::receiver_window(), [3600, 300]);
/// ```
#[wasm_bindgen(js_name = receiverWindow)]
#[must_use]
pub fn receiver_window() -> Vec<u32> {
    let window = nfehook_core::Window::RECEIVER;
    [window.past_secs, window.future_secs]
        .iter()
        .map(|&secs| u32::try_from(secs).unwrap_or(u32::MAX))
        .collect()
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
    fn test_deliveries_read_back_as_the_event_described() {
        let out = |json: &str| -> serde_json::Value {
            serde_json::from_str(&test_delivery_body(json)).unwrap()
        };
        let written = out(
            r#"{"id":"t-1","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","valor":"1500.00"}}"#,
        );
        assert_eq!(written["header"], "x-webhook-signature");
        let body = written["body"].as_str().unwrap();
        let event = Event::from_json(body.as_bytes()).unwrap();
        assert_eq!(event.id, "t-1");
        assert_eq!(event.data.status(), Some("processada"));
        assert!(body.contains(r#""valor":1500.00"#));
        // An unknown event goes in the dialect asked for.
        let written = out(
            r#"{"dialect":"account","event":"guarda.nova","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","arquivoId":"9"}}"#,
        );
        let event = Event::from_json(written["body"].as_str().unwrap().as_bytes()).unwrap();
        assert_eq!(event.dialect(), Dialect::Account);
        assert!(out(r#"{"dialect":"x","event":"a","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k"}}"#)["error"]
            .as_str()
            .unwrap()
            .contains("unknown dialect"));
        assert!(
            out(r#"{"event":"a"}"#)["error"]
                .as_str()
                .unwrap()
                .starts_with("not a test event")
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
