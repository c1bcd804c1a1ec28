//! Test deliveries sent by the app itself (to a connection other than the sandbox): a realistic
//! body built with `nfehook-core`, signed with the subscription's secret as ValidaNFe does, and
//! POSTed once, with what came back.

use std::time::{Duration, Instant};

use nfehook_core::{
    AccountEvent, AccountEventData, ChaveAcesso, Dialect, Documento, Emitente, EventKind,
    NfeEventData, Secret, Timestamp, Valor, WebhookEvent,
};
use serde::Serialize;

/// Longest response body kept, in bytes.
pub const MAX_RESPONSE_BODY: usize = 4096;

/// A realistic delivery of `kind` for `chave`, produced at `now_unix`: a fresh UUID as `id`,
/// the key's issuer as `emitente`, an amount, and an issue date an hour before.
///
/// ```
/// use nfehook_core::{ChaveAcesso, EventKind};
/// let chave = ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
/// let event = nfehook_inspector::test_event(EventKind::Cancelada, chave, 1_710_089_130);
/// assert_eq!(event.data.status, "cancelada");
/// assert_eq!(event.data.emitente.unwrap().cnpj, "33009911002506");
/// assert_eq!(event.timestamp.to_string(), "2024-03-10T16:45:30Z");
/// ```
#[must_use]
pub fn test_event(kind: EventKind, chave: ChaveAcesso, now_unix: i64) -> WebhookEvent {
    let cnpj = match chave.emitente() {
        Documento::Cnpj(cnpj) => cnpj.as_str().to_owned(),
        Documento::Cpf(cpf) => cpf.as_str().to_owned(),
    };
    WebhookEvent {
        id: uuid::Uuid::new_v4().to_string(),
        timestamp: Timestamp::from_unix(now_unix),
        data: NfeEventData {
            nfe_chave: chave.as_str().to_owned(),
            status: kind.status().to_owned(),
            emitente: Some(Emitente {
                cnpj,
                razao_social: "Empresa de Teste NFeHook LTDA".to_owned(),
            }),
            valor: Valor::parse("1500.00").ok(),
            data_emissao: Some(Timestamp::from_unix(now_unix - 3600)),
        },
        event: kind,
    }
}

/// A realistic delivery body of any of the six events, in its dialect, and the dialect: the
/// subscription events as [`test_event`] builds them; the account events as
/// `{"evento","timestamp","dados"}` with sample fields (`autorizada`/`completa`, error `404`, a
/// stored file). `None` for an event neither dialect documents.
///
/// ```
/// use nfehook_core::{ChaveAcesso, Dialect, EventKind};
/// let chave = ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
/// let (dialect, body) = nfehook_inspector::test_body(&EventKind::ConsultaErro, chave, 1_710_089_130).unwrap();
/// assert_eq!(dialect, Dialect::Account);
/// assert!(body.starts_with(r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"#));
/// ```
#[must_use]
pub fn test_body(kind: &EventKind, chave: ChaveAcesso, now_unix: i64) -> Option<(Dialect, String)> {
    let dialect = kind.dialect()?;
    if dialect == Dialect::Subscription {
        return Some((dialect, test_event(kind.clone(), chave, now_unix).to_json()));
    }
    let mut dados = AccountEventData::new(chave.as_str());
    match kind {
        EventKind::ConsultaConcluida => {
            dados.status = Some("autorizada".to_owned());
            dados.tipo_consulta = Some("completa".to_owned());
        }
        EventKind::ConsultaErro => {
            dados.erro_codigo = Some("404".to_owned());
            dados.erro_mensagem = Some("NF-e não encontrada na base da SEFAZ".to_owned());
        }
        _ => {
            let arquivo = uuid::Uuid::new_v4().to_string();
            dados.url_download = Some(format!(
                "https://api.validanfe.com/GuardaNFe/Download/{arquivo}"
            ));
            dados.arquivo_id = Some(arquivo);
        }
    }
    let body = AccountEvent {
        evento: kind.clone(),
        timestamp: Timestamp::from_unix(now_unix),
        dados,
    };
    Some((dialect, body.to_json()))
}

/// What a test delivery got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendOutcome {
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Whether the receiver acknowledged it (2xx).
    pub ok: bool,
    /// Time from sending to the end of the answer (or the failure).
    pub latency_ms: u64,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Response body, cut at [`MAX_RESPONSE_BODY`] bytes.
    pub body: String,
    /// Whether the body was cut.
    pub body_truncated: bool,
    /// Why no answer came (connection refused, timeout, invalid URL).
    pub error: Option<String>,
    /// The exact body sent.
    pub sent_body: String,
    /// The header the signature was sent in (the dialect's).
    pub signature_header: String,
    /// The signature sent.
    pub signature: String,
}

/// POSTs `body` once to `url` with `Content-Type: application/json` and the signature made
/// with `secret`, in the header of `dialect`; a transport failure is part of the outcome, not
/// an error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let outcome = nfehook_inspector::send_signed(
///     &reqwest::Client::new(), "http://127.0.0.1:9/hook", nfehook_core::Dialect::Account,
///     &nfehook_core::Secret::new("whsec_x"), "{}", std::time::Duration::from_secs(5)).await;
/// assert_eq!(outcome.signature_header, "X-ValidaNFe-Signature");
/// assert_eq!(outcome.status, None);
/// assert!(outcome.error.is_some());
/// assert_eq!(outcome.signature, nfehook_core::sign("whsec_x", "{}"));
/// # }
/// ```
pub async fn send_signed(
    http: &reqwest::Client,
    url: &str,
    dialect: Dialect,
    secret: &Secret,
    body: &str,
    timeout: Duration,
) -> SendOutcome {
    let signature = nfehook_core::sign(secret, body);
    let started = Instant::now();
    let sent = http
        .post(url)
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(dialect.signature_header(), &signature)
        .body(body.to_owned())
        .send()
        .await;
    let mut outcome = SendOutcome {
        status: None,
        ok: false,
        latency_ms: 0,
        headers: Vec::new(),
        body: String::new(),
        body_truncated: false,
        error: None,
        sent_body: body.to_owned(),
        signature_header: dialect.signature_header().to_owned(),
        signature,
    };
    match sent {
        Ok(response) => {
            outcome.status = Some(response.status().as_u16());
            outcome.ok = response.status().is_success();
            outcome.headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            match response.bytes().await {
                Ok(bytes) => {
                    outcome.body_truncated = bytes.len() > MAX_RESPONSE_BODY;
                    let kept = &bytes[..bytes.len().min(MAX_RESPONSE_BODY)];
                    outcome.body = String::from_utf8_lossy(kept).into_owned();
                }
                Err(err) => outcome.error = Some(describe(&err)),
            }
        }
        Err(err) => outcome.error = Some(describe(&err)),
    }
    outcome.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    outcome
}

/// The error and its causes, without the URL's query (it may carry a token).
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "connection failed".to_owned()
    } else if err.is_builder() {
        "invalid URL".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
