//! Errors of the API client.

use std::collections::BTreeMap;
use std::time::Duration;

/// What a call to the Subscriptions API can fail with.
///
/// Messages come from the service's error body when it sends one (`message`, or a
/// ProblemDetails `title`/`detail`), else from the HTTP status. No variant ever holds the API
/// key. [`kind`](Self::kind) gives a stable camelCase tag for a UI.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 401: the API key is missing or invalid.
    #[error("unauthorized (401): {message}")]
    Unauthorized {
        /// The service's message.
        message: String,
    },
    /// 403: the key is valid but not allowed to do this.
    #[error("forbidden (403): {message}")]
    Forbidden {
        /// The service's message.
        message: String,
    },
    /// 404: the subscription (or NF-e key) does not exist.
    #[error("not found (404): {message}")]
    NotFound {
        /// The service's message.
        message: String,
    },
    /// 409: the URL is already registered, or the NF-e key is already on the subscription.
    #[error("conflict (409): {message}")]
    Conflict {
        /// The service's message.
        message: String,
    },
    /// 400 or 422: invalid data, with errors per field when the service sent them.
    #[error("invalid request: {message}{}", fields_suffix(.fields))]
    Validation {
        /// The service's message.
        message: String,
        /// Errors by field name (`url`, `events`, ...); may be empty.
        fields: BTreeMap<String, Vec<String>>,
    },
    /// 429: too many requests (after the retries allowed, for safe requests).
    #[error("rate limited (429){}", retry_after_suffix(*.retry_after))]
    RateLimited {
        /// What the service's `Retry-After` asked for, when it sent one.
        retry_after: Option<Duration>,
    },
    /// 5xx: the service failed (after the retries allowed, for safe requests).
    #[error("server error ({status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The service's message, or the status reason.
        message: String,
    },
    /// Any other unexpected HTTP status.
    #[error("unexpected HTTP status {status}: {message}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The service's message, or the status reason.
        message: String,
    },
    /// A 3xx answer: redirects are not followed, so the API key never leaves the base URL's
    /// origin. Check the base URL (`http` where the service wants `https`, a moved host).
    #[error("the service redirected ({status}) to {}; redirects are not followed", .location.as_deref().unwrap_or("no location"))]
    Redirect {
        /// The HTTP status (301, 302, 303, 307, 308, ...).
        status: u16,
        /// The origin (`scheme://host:port`) the `Location` header points to, without its
        /// path or query; `None` when absent or unreadable.
        location: Option<String>,
    },
    /// The service could not be reached, or the connection broke.
    #[error("network error: {message}")]
    Network {
        /// What went wrong, including the root cause.
        message: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// No answer within the request timeout.
    #[error("the request timed out")]
    Timeout,
    /// A success answer whose body is not what the API documents.
    #[error("cannot read the service's answer: {message}")]
    Decode {
        /// The parser's explanation (never the body itself).
        message: String,
    },
    /// The NF-e key is invalid; nothing was sent.
    #[error("invalid NF-e key: {0}")]
    InvalidChave(#[from] nfehook_core::ChaveError),
    /// An argument cannot be sent (an empty subscription id, ...); nothing was sent.
    #[error("invalid request argument: {message}")]
    InvalidArgument {
        /// What is wrong.
        message: String,
    },
    /// The client could not be built (base URL, API key format, TLS).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
}

fn fields_suffix(fields: &BTreeMap<String, Vec<String>>) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fields
        .iter()
        .map(|(field, problems)| format!("{field}: {}", problems.join("; ")))
        .collect();
    format!(" ({})", parts.join(", "))
}

fn retry_after_suffix(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; retry after {} s", wait.as_secs_f64()),
        None => String::new(),
    }
}

impl ApiError {
    /// A stable camelCase tag of the variant, for a UI to branch on: `unauthorized`,
    /// `forbidden`, `notFound`, `conflict`, `validation`, `rateLimited`, `server`,
    /// `unexpectedStatus`, `redirect`, `network`, `timeout`, `decode`, `invalidChave`,
    /// `invalidArgument`, `config`.
    ///
    /// ```
    /// let err = nfehook_client::ApiError::Timeout;
    /// assert_eq!(err.kind(), "timeout");
    /// ```
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "notFound",
            ApiError::Conflict { .. } => "conflict",
            ApiError::Validation { .. } => "validation",
            ApiError::RateLimited { .. } => "rateLimited",
            ApiError::Server { .. } => "server",
            ApiError::UnexpectedStatus { .. } => "unexpectedStatus",
            ApiError::Redirect { .. } => "redirect",
            ApiError::Network { .. } => "network",
            ApiError::Timeout => "timeout",
            ApiError::Decode { .. } => "decode",
            ApiError::InvalidChave(_) => "invalidChave",
            ApiError::InvalidArgument { .. } => "invalidArgument",
            ApiError::Config { .. } => "config",
        }
    }

    /// The HTTP status that caused this error, when there was one.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::Conflict { .. } => Some(409),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Server { status, .. }
            | ApiError::UnexpectedStatus { status, .. }
            | ApiError::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Result with an [`ApiError`].
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_fields_and_retry_after() {
        let mut fields = BTreeMap::new();
        fields.insert("url".to_owned(), vec!["must be absolute".to_owned()]);
        let err = ApiError::Validation {
            message: "invalid".into(),
            fields,
        };
        assert_eq!(
            err.to_string(),
            "invalid request: invalid (url: must be absolute)"
        );
        assert_eq!(err.kind(), "validation");
        let err = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(err.to_string(), "rate limited (429); retry after 3 s");
        assert_eq!(err.status(), Some(429));
    }
}
