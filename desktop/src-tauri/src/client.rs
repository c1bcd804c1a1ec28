//! [`SubscriptionsApi`] over `nfehook-client`, and the mapping of its errors to the UI's kinds.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use nfehook_client::{ApiError, Client, RetryPolicy};
use nfehook_core::{NewSubscription, Subscription, SubscriptionDetail, SubscriptionPatch};

use crate::api::{ApiFactory, SubscriptionsApi};
use crate::apikey::ApiKey;
use crate::error::{DesktopError, Result};

/// Retries suited to an interactive app: a few quick ones for transient failures; a long
/// `Retry-After` is shown to the user as a countdown instead of freezing the screen.
pub fn interactive_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(300),
        max_delay: Duration::from_secs(2),
        max_retry_after: Duration::from_secs(2),
    }
}

/// Makes [`Client`]s; every request goes from Rust, never from the webview.
#[derive(Debug, Clone, Default)]
pub struct ClientFactory;

impl ApiFactory for ClientFactory {
    fn connect(&self, base_url: &str, key: Option<&ApiKey>) -> Result<Arc<dyn SubscriptionsApi>> {
        let key = key.ok_or(DesktopError::MissingApiKey)?;
        Ok(Arc::new(ClientApi(build_client(base_url, key)?)))
    }
}

/// The one configuration of `nfehook-client` the app uses (timeouts, user agent, retries).
///
/// ```
/// use nfehook_desktop::{ApiKey, client::build_client};
/// assert!(build_client("http://127.0.0.1:9", &ApiKey::new("k")).is_ok());
/// assert_eq!(build_client("not a url", &ApiKey::new("k")).unwrap_err().kind(), "connection");
/// ```
pub fn build_client(base_url: &str, key: &ApiKey) -> Result<Client> {
    Client::builder(key.expose())
        .base_url(base_url)
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("nfehook-desktop/", env!("CARGO_PKG_VERSION")))
        .retry(interactive_retry())
        .build()
        .map_err(map_error)
}

/// The real API through `nfehook-client`.
#[derive(Debug, Clone)]
pub struct ClientApi(pub Client);

#[async_trait]
impl SubscriptionsApi for ClientApi {
    async fn list(&self) -> Result<Vec<Subscription>> {
        self.0.list_subscriptions().await.map_err(map_error)
    }

    async fn get(&self, id: &str) -> Result<SubscriptionDetail> {
        self.0.get_subscription(id).await.map_err(map_error)
    }

    async fn create(&self, new: &NewSubscription) -> Result<Subscription> {
        self.0.create_subscription(new).await.map_err(map_error)
    }

    async fn update(&self, id: &str, patch: &SubscriptionPatch) -> Result<()> {
        self.0
            .update_subscription(id, patch)
            .await
            .map(drop)
            .map_err(map_error)
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.0.delete_subscription(id).await.map_err(map_error)
    }
}

fn some(message: String) -> Option<String> {
    Some(message).filter(|m| !m.trim().is_empty())
}

/// The client's error as the UI's kind (wrong key, conflict, rate limit, offline, ...).
pub fn map_error(err: ApiError) -> DesktopError {
    match err {
        ApiError::Unauthorized { message } | ApiError::Forbidden { message } => {
            DesktopError::Unauthorized {
                message: some(message),
            }
        }
        ApiError::NotFound { message } => DesktopError::NotFound {
            message: some(message),
        },
        ApiError::Conflict { message } => DesktopError::Conflict {
            message: some(message),
        },
        ApiError::Validation { message, fields } => DesktopError::Validation {
            message: some(message),
            fields,
        },
        ApiError::RateLimited { retry_after } => DesktopError::RateLimited {
            retry_after: retry_after.map(|d| d.as_secs_f64().ceil() as u64),
            message: None,
        },
        ApiError::Server { status, message } | ApiError::UnexpectedStatus { status, message } => {
            DesktopError::Server {
                status,
                message: some(message),
            }
        }
        ApiError::Network { message, .. } => DesktopError::Offline { reason: message },
        ApiError::Timeout => DesktopError::Offline {
            reason: "the request timed out".to_owned(),
        },
        ApiError::Decode { message } => DesktopError::Server {
            status: 0,
            message: some(message),
        },
        ApiError::InvalidChave(e) => DesktopError::Validation {
            message: None,
            fields: [("nfeChave".to_owned(), vec![e.code().to_owned()])].into(),
        },
        ApiError::InvalidArgument { message } | ApiError::Config { message } => {
            DesktopError::InvalidConnection { reason: message }
        }
        other => DesktopError::Server {
            status: other.status().unwrap_or(0),
            message: some(other.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_kind_the_ui_branches_on() {
        let cases = [
            (
                ApiError::Forbidden {
                    message: "no".into(),
                },
                "unauthorized",
            ),
            (ApiError::Timeout, "offline"),
            (
                ApiError::Decode {
                    message: "bad json".into(),
                },
                "server",
            ),
            (
                ApiError::Server {
                    status: 503,
                    message: String::new(),
                },
                "server",
            ),
            (
                ApiError::UnexpectedStatus {
                    status: 418,
                    message: "teapot".into(),
                },
                "server",
            ),
            (
                ApiError::Config {
                    message: "bad base URL".into(),
                },
                "connection",
            ),
            (
                ApiError::RateLimited {
                    retry_after: Some(Duration::from_millis(1500)),
                },
                "rateLimited",
            ),
        ];
        for (err, kind) in cases {
            let label = err.to_string();
            assert_eq!(map_error(err).kind(), kind, "{label}");
        }
        // Retry-After rounds up to whole seconds for the countdown.
        let DesktopError::RateLimited { retry_after, .. } = map_error(ApiError::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        }) else {
            unreachable!()
        };
        assert_eq!(retry_after, Some(2));
        // An empty server message is dropped rather than shown as "".
        let DesktopError::Server { status, message } = map_error(ApiError::Server {
            status: 503,
            message: " ".into(),
        }) else {
            unreachable!()
        };
        assert_eq!((status, message), (503, None));
    }

    #[test]
    fn a_connection_without_a_key_is_refused_before_any_request() {
        let err = ClientFactory
            .connect("http://127.0.0.1:9", None)
            .err()
            .unwrap();
        assert!(matches!(err, DesktopError::MissingApiKey));
        let err = ClientFactory
            .connect("not a url", Some(&ApiKey::new("k")))
            .err()
            .unwrap();
        assert_eq!(err.kind(), "connection");
    }
}
