//! A kept request sent again to any URL, its exact body re-signed with a chosen secret: to
//! check a receiver against a request that really arrived, or the inspector against another
//! secret. Sent as a test delivery is ([`send_signed`]): once, no redirects, a bounded read.

use std::time::Duration;

use nfehook_core::{Dialect, FieldProblem, Secret, validate_url};

use crate::record::RecordedRequest;
use crate::sender::{SendOutcome, send_signed};

/// Why a request cannot be replayed (nothing is sent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The target is not an absolute http(s) URL.
    #[error("the replay URL is not valid: {0}")]
    InvalidUrl(FieldProblem),
    /// No secret to sign with.
    #[error("a secret is needed to sign the replayed body")]
    NoSecret,
    /// The body is not UTF-8 text: a delivery is JSON, and a binary body cannot be re-signed
    /// as one.
    #[error("the request's body is not text ({size} bytes)")]
    NotText {
        /// Its size in bytes.
        size: usize,
    },
}

impl ReplayError {
    /// A stable `snake_case` code: `invalid_url`, `no_secret`, `not_text`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl(_) => "invalid_url",
            Self::NoSecret => "no_secret",
            Self::NotText { .. } => "not_text",
        }
    }
}

/// The dialect a request was sent in: its body's, else its signature header's, else the
/// subscription dialect.
fn dialect_of(request: &RecordedRequest) -> Dialect {
    if let Some(dialect) = request.event.as_ref().and_then(|e| e.dialect.as_deref()) {
        return if dialect == Dialect::Account.as_str() {
            Dialect::Account
        } else {
            Dialect::Subscription
        };
    }
    let account_header = Dialect::Account.signature_header();
    if request
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case(account_header))
    {
        Dialect::Account
    } else {
        Dialect::Subscription
    }
}

/// POSTs `request`'s exact body to `url` once, signed with `secret` in the header of the
/// request's dialect; what came back (or why nothing did) is the outcome.
///
/// # Errors
/// [`ReplayError`] when the URL is invalid, the secret empty or the body not text.
///
/// ```
/// # use nfehook_inspector::*;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let request = RecordedRequest {
///     id: 1, received_at: String::new(), received_at_ms: 0, method: "POST".into(),
///     path: "/".into(), remote_addr: None, headers: vec![],
///     body: Body::new(b"{}"), verdict: Verdict::NoSecret, event: None,
///     response: GivenResponse { status: 200, delay_ms: 0 },
/// };
/// let secret = nfehook_core::Secret::new("whsec_x");
/// let timeout = std::time::Duration::from_secs(5);
/// let sent = replay(&request, "http://127.0.0.1:9/hook", &secret, timeout).await.unwrap();
/// assert_eq!(sent.signature, nfehook_core::sign("whsec_x", "{}"));
/// assert_eq!(replay(&request, "127.0.0.1:9", &secret, timeout).await.unwrap_err().code(), "invalid_url");
/// # }
/// ```
pub async fn replay(
    request: &RecordedRequest,
    url: &str,
    secret: &Secret,
    timeout: Duration,
) -> Result<SendOutcome, ReplayError> {
    let url = url.trim();
    validate_url(url).map_err(ReplayError::InvalidUrl)?;
    if secret.expose().is_empty() {
        return Err(ReplayError::NoSecret);
    }
    let body = request.body.text.as_deref().ok_or(ReplayError::NotText {
        size: request.body.size,
    })?;
    Ok(send_signed(url, dialect_of(request), secret, body, timeout).await)
}
