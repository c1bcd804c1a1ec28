//! The one HTTP client of deliveries (forwarded and triggered): no redirects followed, so a
//! signed body never goes to a host it was not sent to, and answers read only up to a bound.

use std::time::{Duration, Instant};

use crate::error::{CliError, Result};

/// Builds the client for deliveries.
pub fn delivery_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("nfehook/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| CliError::Server(format!("cannot build the HTTP client: {error}")))
}

/// Checks `url` is an absolute http(s) URL with a host.
pub fn parse_url(url: &str, flag: &str) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|error| CliError::Usage(format!("{flag}: invalid URL {url:?}: {error}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(CliError::Usage(format!(
            "{flag}: expected an http or https URL, got {url:?}"
        )));
    }
    Ok(parsed)
}

/// What came back from one request.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Its `Content-Type`.
    #[serde(skip)]
    pub content_type: Option<String>,
    /// Milliseconds from sending to the end of the (bounded) answer.
    pub latency_ms: u64,
    /// The body, read up to the bound.
    #[serde(skip)]
    pub body: Vec<u8>,
    /// Whether the body was longer than the bound (the rest was not read).
    pub body_truncated: bool,
    /// Why no answer came.
    pub error: Option<String>,
}

impl Answer {
    /// Whether a 2xx came back.
    pub fn acknowledged(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends `request`, reading at most `limit` bytes of the answer's body.
pub async fn send(request: reqwest::RequestBuilder, limit: usize) -> Answer {
    let started = Instant::now();
    let mut answer = Answer {
        status: None,
        content_type: None,
        latency_ms: 0,
        body: Vec::new(),
        body_truncated: false,
        error: None,
    };
    match request.send().await {
        Ok(mut response) => {
            answer.status = Some(response.status().as_u16());
            answer.content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        let room = limit - answer.body.len();
                        if chunk.len() > room {
                            answer.body.extend_from_slice(&chunk[..room]);
                            answer.body_truncated = true;
                            break;
                        }
                        answer.body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(error) => {
                        answer.error = Some(describe(&error));
                        break;
                    }
                }
            }
        }
        Err(error) => answer.error = Some(describe(&error)),
    }
    answer.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    answer
}

/// The error and its causes, without the URL (its query may carry a token).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
