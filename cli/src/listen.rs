//! `nfehook listen`: a receiver on 127.0.0.1 that verifies every delivery with the inspector's
//! verdict (both ValidaNFe dialects, NFE.io's `X-Hub-Signature`, several secrets), prints one
//! line per request and, with `--forward-to`, passes the exact bytes and headers on to the
//! user's app and answers the sender what the app answered.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nfehook_inspector::{NamedSecret, Verdict, verify_request};
use serde_json::json;

use crate::error::{CliError, Result};
use crate::http::{Answer, send};
use crate::output::{Style, now_unix};

/// Options of `nfehook listen`. No `Debug`: they hold secrets.
#[derive(clap::Args)]
pub struct ListenArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the URL is printed on standard error).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// A secret to verify deliveries with; repeat for several (rotation, several
    /// subscriptions). Shown as `secret 1`, `secret 2`, never in full.
    #[arg(
        long = "secret",
        value_name = "SECRET",
        env = "NFEHOOK_SECRET",
        hide_env_values = true
    )]
    pub secrets: Vec<String>,
    /// Pass every request on to this URL (your app) and answer the sender what it answers.
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// Replay window on the event's `timestamp`, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = nfehook_core::DEFAULT_TOLERANCE_SECS)]
    pub tolerance: u64,
    /// Largest body accepted, in bytes (larger ones get 413 and are not forwarded).
    #[arg(long, value_name = "BYTES", default_value_t = nfehook_inspector::DEFAULT_BODY_LIMIT)]
    pub max_body: usize,
    /// Also start an in-memory sandbox whose subscription and account webhook deliver here,
    /// signed with a secret generated for this run; its URL, API key and that secret are
    /// printed on standard error (they are valid only while this command runs).
    #[arg(long)]
    pub sandbox: bool,
    /// Time the app has to answer a forwarded request, in seconds (ValidaNFe waits 30).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub forward_timeout: u64,
}

/// Longest answer of the app read and passed back to the sender.
const MAX_FORWARD_ANSWER: usize = 1024 * 1024;

/// Headers that describe the connection, not the request: never copied to the app.
const HOP_BY_HOP: [&str; 8] = [
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "proxy-connection",
];

struct Listener {
    secrets: Vec<NamedSecret>,
    tolerance: u64,
    max_body: usize,
    forward: Option<Forward>,
    json: bool,
    style: Style,
}

struct Forward {
    url: reqwest::Url,
    http: reqwest::Client,
    timeout: Duration,
}

/// Runs the receiver until Ctrl-C or SIGTERM.
pub async fn run(args: ListenArgs, json: bool) -> Result<()> {
    let forward = match &args.forward_to {
        Some(url) => Some(Forward {
            url: crate::http::parse_url(url, "--forward-to")?,
            http: crate::http::delivery_client()?,
            timeout: Duration::from_secs(args.forward_timeout.max(1)),
        }),
        None => None,
    };
    if args.secrets.iter().any(String::is_empty) {
        return Err(CliError::Usage("--secret must not be empty".into()));
    }
    let mut secrets: Vec<NamedSecret> = args
        .secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| NamedSecret::new(format!("secret {}", i + 1), secret.clone()))
        .collect();
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let socket = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| CliError::Server(format!("cannot listen on {addr}: {error}")))?;
    let addr = socket
        .local_addr()
        .map_err(|error| CliError::Server(format!("cannot listen on {addr}: {error}")))?;
    let sandbox = if args.sandbox {
        let (sandbox, secret) = start_sandbox(addr).await?;
        secrets.push(NamedSecret::new("sandbox", secret));
        Some(sandbox)
    } else {
        None
    };
    let forward_note = forward
        .as_ref()
        .map_or_else(String::new, |f| format!(", forwarding to {}", f.url));
    let secrets_note = match secrets.len() {
        0 => "no --secret: signatures are not checked".to_owned(),
        1 => "1 secret".to_owned(),
        n => format!("{n} secrets"),
    };
    // On standard error, so that standard output holds only the request lines.
    eprintln!(
        "nfehook listen: listening on http://{addr}/ ({secrets_note}{forward_note}); Ctrl-C to stop"
    );
    let state = Arc::new(Listener {
        secrets,
        tolerance: args.tolerance,
        max_body: args.max_body,
        forward,
        json,
        style: Style::detect(json),
    });
    let app = Router::new().fallback(receive).with_state(state);
    let served = axum::serve(socket, app)
        .with_graceful_shutdown(stop_signal())
        .await
        .map_err(|error| CliError::Server(format!("listen: {error}")));
    if let Some(sandbox) = sandbox {
        sandbox
            .shutdown()
            .await
            .map_err(|error| CliError::Server(format!("sandbox: {error}")))?;
    }
    served
}

/// Starts an in-memory sandbox on 127.0.0.1 whose subscription (every subscription event) and
/// account webhook (every account event) deliver to `addr`, signed with one generated secret,
/// and says on standard error how to use it.
async fn start_sandbox(addr: SocketAddr) -> Result<(nfehook_sandbox::RunningSandbox, String)> {
    use nfehook_core::EventKind;
    let failed = |error: &dyn std::fmt::Display| CliError::Server(format!("sandbox: {error}"));
    let sandbox = nfehook_sandbox::Sandbox::builder()
        .bind("127.0.0.1:0")
        .in_memory()
        .start()
        .await
        .map_err(|e| failed(&e))?;
    let secret = nfehook_sandbox::generate_secret();
    let client = nfehook_client::Client::builder(sandbox.api_key())
        .base_url(sandbox.base_url())
        .build()?;
    let subscription = client
        .create_subscription(&nfehook_client::NewSubscription {
            name: "nfehook listen".into(),
            url: format!("http://{addr}/"),
            events: EventKind::SUBSCRIPTION.to_vec(),
            is_active: true,
            secret: Some(nfehook_client::Secret::new(secret.clone())),
        })
        .await?;
    sandbox
        .set_account_webhook(
            nfehook_sandbox::AccountWebhookRequest::new(
                format!("http://{addr}/conta"),
                &EventKind::ACCOUNT,
            )
            .with_secret(secret.clone()),
        )
        .await
        .map_err(|e| failed(&e))?;
    // Shown on purpose, once: they exist only in this run's in-memory sandbox.
    eprintln!(
        "nfehook listen: sandbox on {} (API key {}); subscription {} and the account webhook \
         deliver here, signed with {secret}",
        sandbox.base_url(),
        sandbox.api_key(),
        subscription.id
    );
    eprintln!(
        "nfehook listen: try `nfehook trigger nfe.processada --sandbox {} --api-key {}`",
        sandbox.base_url(),
        sandbox.api_key()
    );
    Ok((sandbox, secret))
}

/// Resolves when SIGINT or SIGTERM arrives.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let Ok(mut terminate) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What a body says it is, read without trusting it (shown whatever the verdict).
struct Described {
    event: String,
    chave: String,
    dialect: Option<&'static str>,
}

fn describe_body(body: &[u8]) -> Described {
    if let Ok(event) = nfehook_core::Event::from_json(body) {
        return Described {
            event: event.event.as_str().to_owned(),
            chave: event.data.nfe_chave().to_owned(),
            dialect: Some(event.dialect().as_str()),
        };
    }
    // NFE.io bodies name their event `action`.
    let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let text = |key: &str| {
        value
            .as_ref()
            .and_then(|v| v.get(key))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    Described {
        event: text("event")
            .or_else(|| text("evento"))
            .or_else(|| text("action"))
            .unwrap_or_else(|| "-".to_owned()),
        chave: "-".to_owned(),
        dialect: None,
    }
}

async fn receive(
    State(state): State<Arc<Listener>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let received = now_unix();
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let Ok(bytes) = axum::body::to_bytes(body, state.max_body).await else {
        let line = Line {
            received,
            method: &method,
            path: &path,
            described: &Described {
                event: "-".into(),
                chave: "-".into(),
                dialect: None,
            },
            verdict: None,
            status: 413,
            forward: None,
            note: Some(format!("body larger than {} bytes", state.max_body)),
        };
        state.print(&line);
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(json!({ "error": "body too large" })),
        )
            .into_response();
    };
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let window = nfehook_core::Window::symmetric(state.tolerance);
    let verdict = verify_request(&pairs, &bytes, &state.secrets, received, window);
    let described = describe_body(&bytes);
    let (response, status, answer) = match &state.forward {
        Some(forward) => {
            let answer = forward.send(&method, &headers, bytes).await;
            let (response, status) = answer_sender(&answer);
            (response, status, Some(answer))
        }
        None => {
            let (status, body) = match &verdict {
                Verdict::Invalid { code, .. } => (
                    StatusCode::BAD_REQUEST,
                    json!({ "received": false, "error": code }),
                ),
                _ => (StatusCode::OK, json!({ "received": true })),
            };
            (
                (status, axum::Json(body)).into_response(),
                status.as_u16(),
                None,
            )
        }
    };
    state.print(&Line {
        received,
        method: &method,
        path: &path,
        described: &described,
        verdict: Some(&verdict),
        status,
        forward: answer.as_ref(),
        note: None,
    });
    response
}

/// The app's answer passed back to the sender, or 502 when it gave none.
fn answer_sender(answer: &Answer) -> (Response, u16) {
    let Some(status) = answer.status.and_then(|s| StatusCode::from_u16(s).ok()) else {
        let body = json!({ "error": "the app did not answer", "reason": answer.error });
        return (
            (StatusCode::BAD_GATEWAY, axum::Json(body)).into_response(),
            StatusCode::BAD_GATEWAY.as_u16(),
        );
    };
    let mut response = (status, answer.body.clone()).into_response();
    if let Some(value) = answer
        .content_type
        .as_deref()
        .and_then(|ct| HeaderValue::from_str(ct).ok())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    (response, status.as_u16())
}

impl Forward {
    /// Sends the exact body and the request's headers (but those of the connection) to the app.
    async fn send(&self, method: &Method, headers: &HeaderMap, body: axum::body::Bytes) -> Answer {
        let mut copied = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            if HOP_BY_HOP.contains(&name.as_str()) {
                continue;
            }
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_str().as_bytes()),
                HeaderValue::from_bytes(value.as_bytes()),
            ) {
                copied.append(name, value);
            }
        }
        let request = self
            .http
            .request(method.clone(), self.url.clone())
            .timeout(self.timeout)
            .headers(copied)
            .body(body);
        send(request, MAX_FORWARD_ANSWER).await
    }
}

/// One request as printed.
struct Line<'a> {
    received: i64,
    method: &'a Method,
    path: &'a str,
    described: &'a Described,
    verdict: Option<&'a Verdict>,
    status: u16,
    forward: Option<&'a Answer>,
    note: Option<String>,
}

impl Listener {
    fn print(&self, line: &Line<'_>) {
        let time = nfehook_core::Timestamp::from_unix(line.received).to_string();
        if self.json {
            let value = json!({
                "time": time,
                "method": line.method.as_str(),
                "path": line.path,
                "event": line.described.event,
                "chave": line.described.chave,
                "dialect": line.described.dialect,
                "valid": line.verdict.is_some_and(Verdict::is_valid),
                "verdict": line.verdict,
                "status": line.status,
                "forward": line.forward,
                "note": line.note,
            });
            crate::output::json_line(&value);
            return;
        }
        let style = self.style;
        let verdict = match line.verdict {
            None => style.bad("refused"),
            Some(Verdict::NoSecret) => style.dim("unverified (no --secret)"),
            Some(Verdict::Valid {
                secret_label,
                scheme,
            }) => {
                let scheme = match scheme {
                    nfehook_inspector::Scheme::ValidaNfe => "",
                    nfehook_inspector::Scheme::NfeIo => ", NFE.io",
                };
                style.good(&format!("valid ({secret_label}{scheme})"))
            }
            Some(Verdict::Invalid { code, message, .. }) => {
                style.bad(&format!("invalid {code}: {message}"))
            }
        };
        let forward = match line.forward {
            None => String::new(),
            Some(answer) => match (answer.status, &answer.error) {
                (Some(status), _) => format!(
                    " {}",
                    style.dim(&format!("(app {status} in {} ms)", answer.latency_ms))
                ),
                (None, error) => format!(
                    " {}",
                    style.bad(&format!(
                        "(app unreachable after {} ms: {})",
                        answer.latency_ms,
                        error.as_deref().unwrap_or("no answer")
                    ))
                ),
            },
        };
        let note = line
            .note
            .as_deref()
            .map_or_else(String::new, |n| format!(" {n}"));
        println!(
            "{} {} {} {} {} {verdict}{note} -> {}{forward}",
            &time[11..19],
            line.method,
            line.path,
            line.described.event,
            line.described.chave,
            style.status(line.status),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_described_whatever_their_kind() {
        let account = br#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","erro_codigo":"404"}}"#;
        let described = describe_body(account);
        assert_eq!(
            (
                described.event.as_str(),
                described.chave.as_str(),
                described.dialect
            ),
            ("nfe.consulta.erro", "k", Some("account"))
        );
        assert_eq!(describe_body(br#"{"action":"ping"}"#).event, "ping");
        let unknown = describe_body(b"\xff");
        assert_eq!((unknown.event.as_str(), unknown.chave.as_str()), ("-", "-"));
    }
}
