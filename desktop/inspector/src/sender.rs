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
/// Most bytes of the sent body an outcome carries back (the caller has the whole body).
pub const MAX_SENT_EXCERPT: usize = 4096;

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
    /// The start of the exact body sent, at most [`MAX_SENT_EXCERPT`] bytes (cut between
    /// characters): the outcome crosses to the UI, which has the body already.
    pub sent_body: String,
    /// Size of the whole body sent, in bytes.
    pub sent_size: usize,
    /// Whether [`SendOutcome::sent_body`] is only the start of it.
    pub sent_body_truncated: bool,
    /// The header the signature was sent in (the dialect's).
    pub signature_header: String,
    /// The signature sent.
    pub signature: String,
}

/// The longest start of `text` of at most `max` bytes that ends between two characters.
fn excerpt(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The `User-Agent` of test deliveries: the crate name and version.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// POSTs `body` once to `url` with `Content-Type: application/json` and the signature made
/// with `secret`; a transport failure is part of the outcome, not an error.
///
/// A redirect is reported as the answer it is, never followed: a 307 would re-post the signed
/// body and its signature to whatever host it names. At most [`MAX_RESPONSE_BODY`] bytes of the
/// answer are read; the rest is never downloaded.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let outcome = nfehook_inspector::send_signed(
///     "http://127.0.0.1:9/hook", nfehook_core::Dialect::Account,
///     &nfehook_core::Secret::new("whsec_x"), "{}", std::time::Duration::from_secs(5)).await;
/// assert_eq!(outcome.signature_header, "X-ValidaNFe-Signature");
/// assert_eq!(outcome.status, None);
/// assert!(outcome.error.is_some());
/// assert_eq!(outcome.signature, nfehook_core::sign("whsec_x", "{}"));
/// # }
/// ```
pub async fn send_signed(
    url: &str,
    dialect: Dialect,
    secret: &Secret,
    body: &str,
    timeout: Duration,
) -> SendOutcome {
    let signature = nfehook_core::sign(secret, body);
    let mut outcome = SendOutcome {
        status: None,
        ok: false,
        latency_ms: 0,
        headers: Vec::new(),
        body: String::new(),
        body_truncated: false,
        error: None,
        sent_body: excerpt(body, MAX_SENT_EXCERPT).to_owned(),
        sent_size: body.len(),
        sent_body_truncated: body.len() > MAX_SENT_EXCERPT,
        signature_header: dialect.signature_header().to_owned(),
        signature,
    };
    let started = Instant::now();
    // The redirect policy belongs to a reqwest client, so this function owns the client it
    // sends with instead of trusting one passed in.
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout)
        .user_agent(USER_AGENT)
        .build()
    {
        Ok(http) => http,
        Err(err) => {
            outcome.error = Some(describe(&err));
            return outcome;
        }
    };
    let sent = http
        .post(url)
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(dialect.signature_header(), &outcome.signature)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(mut response) => {
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
            match read_at_most(&mut response, MAX_RESPONSE_BODY).await {
                Ok((kept, truncated)) => {
                    outcome.body = String::from_utf8_lossy(&kept).into_owned();
                    outcome.body_truncated = truncated;
                }
                Err(err) => outcome.error = Some(describe(&err)),
            }
        }
        Err(err) => outcome.error = Some(describe(&err)),
    }
    outcome.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    outcome
}

/// Reads the body chunk by chunk up to `limit` bytes, and whether more followed; the rest is
/// left unread (the connection is dropped with the response).
async fn read_at_most(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut kept = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - kept.len();
        if chunk.len() > room {
            kept.extend_from_slice(&chunk[..room]);
            return Ok((kept, true));
        }
        kept.extend_from_slice(&chunk);
    }
    Ok((kept, false))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::{HeaderMap, StatusCode, header};
    use tokio::net::TcpListener;

    use super::*;

    const SECRET: &str = "whsec_1234567890abcdef";

    /// An axum app on 127.0.0.1:0, stopped when the handle is dropped.
    struct Server {
        url: String,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn serve(app: axum::Router) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { url, task }
    }

    #[tokio::test]
    async fn a_redirect_is_reported_not_followed() {
        let signatures = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&signatures);
        let elsewhere = serve(axum::Router::new().fallback(move |headers: HeaderMap| {
            let seen = Arc::clone(&seen);
            async move {
                if headers.contains_key(nfehook_core::SIGNATURE_HEADER) {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                "got it"
            }
        }))
        .await;
        for status in [
            StatusCode::TEMPORARY_REDIRECT,
            StatusCode::PERMANENT_REDIRECT,
        ] {
            let location = format!("{}/stolen", elsewhere.url);
            let redirecting = serve(axum::Router::new().fallback(move || {
                let location = location.clone();
                async move { (status, [(header::LOCATION, location)]) }
            }))
            .await;
            let outcome = send_signed(
                &format!("{}/hook", redirecting.url),
                Dialect::Subscription,
                &Secret::new(SECRET),
                "{}",
                Duration::from_secs(5),
            )
            .await;
            assert_eq!(outcome.status, Some(status.as_u16()));
            assert!(!outcome.ok);
            assert_eq!(outcome.error, None);
            assert!(
                outcome
                    .headers
                    .iter()
                    .any(|(n, v)| n == "location" && v.starts_with(&elsewhere.url))
            );
        }
        assert_eq!(signatures.load(Ordering::SeqCst), 0);
    }

    /// A receiver that answers 200 and then writes an endless body, counting what it wrote,
    /// until the client goes away.
    async fn endless_answer() -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let written = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&written);
        let task = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            // Read the request head (the body is small and comes with it or right after).
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                stream.readable().await.unwrap();
                match stream.try_read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => return,
                }
            }
            let mut pending: Vec<u8> =
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n"
                    .to_vec();
            let chunk = vec![b'x'; 64 * 1024];
            loop {
                if pending.is_empty() {
                    pending.extend_from_slice(&chunk);
                }
                if stream.writable().await.is_err() {
                    return;
                }
                match stream.try_write(&pending) {
                    Ok(n) => {
                        counter.fetch_add(n, Ordering::SeqCst);
                        pending.drain(..n);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => return,
                }
            }
        });
        (url, written, task)
    }

    #[tokio::test]
    async fn only_what_is_shown_of_an_endless_answer_is_read() {
        let (url, written, server) = endless_answer().await;
        let started = Instant::now();
        let outcome = send_signed(
            &url,
            Dialect::Subscription,
            &Secret::new(SECRET),
            "{}",
            Duration::from_secs(10),
        )
        .await;
        assert_eq!(outcome.error, None, "{outcome:?}");
        assert_eq!(outcome.status, Some(200));
        assert!(outcome.body_truncated);
        assert_eq!(outcome.body.len(), MAX_RESPONSE_BODY);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        // The connection was dropped: the server stops, having written little more than the
        // socket buffers hold.
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the receiver is still writing: the answer is being read to its end")
            .unwrap();
        let written = written.load(Ordering::SeqCst);
        assert!(written < 32 * 1024 * 1024, "{written} bytes were written");
    }

    #[tokio::test]
    async fn a_short_answer_is_whole_and_not_cut() {
        for size in [0, 10, MAX_RESPONSE_BODY] {
            let app = axum::Router::new().fallback(move || async move { "y".repeat(size) });
            let server = serve(app).await;
            let outcome = send_signed(
                &server.url,
                Dialect::Subscription,
                &Secret::new(SECRET),
                "{}",
                Duration::from_secs(5),
            )
            .await;
            assert_eq!(
                (outcome.status, outcome.error.as_deref()),
                (Some(200), None)
            );
            assert_eq!(outcome.body.len(), size);
            assert!(!outcome.body_truncated, "{size}");
        }
    }

    #[test]
    fn every_built_test_body_passes_the_core_check_of_a_written_body() {
        let chave =
            nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615")
                .unwrap();
        for kind in &nfehook_core::EventKind::KNOWN {
            let (dialect, body) = test_body(kind, chave, 1_710_089_130).unwrap();
            let event = nfehook_core::check_delivery_body(&body).unwrap();
            assert_eq!((&event.event, event.dialect()), (kind, dialect));
        }
    }

    #[tokio::test]
    async fn only_the_start_of_a_long_sent_body_comes_back() {
        assert_eq!(excerpt("abc", 10), "abc");
        // "é" is two bytes: the cut falls before it, not inside it.
        assert_eq!(excerpt("aé", 2), "a");
        let body = format!("{{\"x\":\"{}\"}}", "é".repeat(MAX_SENT_EXCERPT));
        let outcome = send_signed(
            "http://127.0.0.1:9/hook",
            Dialect::Subscription,
            &nfehook_core::Secret::new(SECRET),
            &body,
            Duration::from_secs(2),
        )
        .await;
        assert!(outcome.sent_body_truncated);
        assert_eq!(outcome.sent_size, body.len());
        assert!(outcome.sent_body.len() <= MAX_SENT_EXCERPT);
        assert!(body.starts_with(&outcome.sent_body));
        assert_eq!(outcome.signature, nfehook_core::sign(SECRET, &body));
    }
}
