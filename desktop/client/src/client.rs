//! The client: configuration and one method per operation of the Subscriptions API.

use std::time::{Duration, Instant};

use nfehook_core::{
    ChaveAcesso, NewSubscription, NfeChaveBody, Subscription, SubscriptionDetail, SubscriptionPatch,
};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::api_key::ApiKey;
use crate::error::{ApiError, Result};
use crate::error_body;
use crate::retry::{RetryPolicy, retry_after, retryable_status};

/// Base URL of the real service.
pub const DEFAULT_BASE_URL: &str = "https://api.validanfe.com";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one whole request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The `User-Agent` sent unless replaced: the crate name and version.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
const SUBSCRIPTIONS: [&str; 2] = ["Webhooks", "Subscriptions"];
const CHAVES: &str = "NFe-Chaves";

/// Settings of a [`Client`]; start with [`Client::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    api_key: String,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
}

impl ClientBuilder {
    /// Base URL of the service (default [`DEFAULT_BASE_URL`]); a path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, from sending to the end of the answer (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Replaces the `User-Agent` (default `nfehook-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Retry policy of safe requests (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// The base URL must be `https`, except on a loopback host (a local sandbox), so the key
    /// never crosses a network in the clear.
    ///
    /// ```
    /// use nfehook_client::Client;
    /// assert!(Client::builder("k").base_url("http://127.0.0.1:8080").build().is_ok());
    /// let err = Client::builder("k").base_url("http://api.example.com").build().unwrap_err();
    /// assert_eq!(err.kind(), "config");
    /// ```
    ///
    /// # Errors
    /// [`ApiError::Config`] for an empty or unsendable API key, a base URL that is not
    /// absolute `http(s)`, plain `http` to a host that is not loopback, or a TLS setup
    /// failure.
    pub fn build(self) -> Result<Client> {
        let api_key = ApiKey::new(self.api_key)?;
        let base_url = Url::parse(self.base_url.trim()).map_err(|err| ApiError::Config {
            message: format!("invalid base URL: {err}"),
        })?;
        if !matches!(base_url.scheme(), "http" | "https")
            || base_url.cannot_be_a_base()
            || base_url.host().is_none()
        {
            return Err(ApiError::Config {
                message: "the base URL must be an absolute http or https URL".into(),
            });
        }
        if base_url.query().is_some() || base_url.fragment().is_some() {
            return Err(ApiError::Config {
                message: "the base URL must not have a query or fragment".into(),
            });
        }
        if base_url.scheme() == "http" && !is_loopback(&base_url) {
            return Err(ApiError::Config {
                message: "the base URL must be https (plain http only to a loopback host such as a local sandbox)".into(),
            });
        }
        let http = reqwest::Client::builder()
            // reqwest strips only `Authorization` and `Cookie` when it follows a redirect to
            // another origin, so following one would hand `X-API-KEY` (and a PUT's body) to
            // whatever host the `Location` names.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(base_url.scheme() == "https")
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|err| ApiError::Config {
                message: format!("cannot build the HTTP client: {err}"),
            })?;
        Ok(Client {
            http,
            base_url,
            api_key,
            retry: self.retry,
        })
    }
}

/// An async client of the ValidaNFe Subscriptions API.
///
/// Cheap to clone (the connection pool is shared). Every request carries `X-API-KEY` and
/// `Accept: application/json`. GET, PUT and DELETE are retried per its [`RetryPolicy`];
/// POST (create, add key) is sent once.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    api_key: ApiKey,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &self.api_key)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The `data` of a success envelope; `success` and unknown fields are ignored.
#[derive(serde::Deserialize)]
struct Data<T> {
    data: T,
}

/// An answer: the status and the body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl Client {
    /// A client of the real service with the default settings.
    ///
    /// # Errors
    /// [`ApiError::Config`] when the key cannot be sent in a header.
    pub fn new(api_key: impl Into<String>) -> Result<Self> {
        Self::builder(api_key).build()
    }

    /// A builder with the defaults, for `api_key`.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
        }
    }

    /// The base URL requests go to.
    #[must_use]
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `GET /Webhooks/Subscriptions`: every subscription (summaries).
    ///
    /// # Errors
    /// Any [`ApiError`] from the transport or the service.
    pub async fn list_subscriptions(&self) -> Result<Vec<Subscription>> {
        let answer = self.send(Method::GET, &[], None).await?;
        decode_data(&answer)
    }

    /// `GET /Webhooks/Subscriptions/{id}`: one subscription with its NF-e keys.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] for an unknown id, and any other [`ApiError`].
    pub async fn get_subscription(&self, id: &str) -> Result<SubscriptionDetail> {
        let answer = self.send(Method::GET, &[check_id(id)?], None).await?;
        decode_data(&answer)
    }

    /// `POST /Webhooks/Subscriptions`: creates a subscription (sent once, never retried).
    /// The service validates the fields; call [`NewSubscription::validate`] first to catch
    /// mistakes without a request.
    ///
    /// # Errors
    /// [`ApiError::Validation`], [`ApiError::Conflict`] for a URL already registered, and
    /// any other [`ApiError`].
    pub async fn create_subscription(&self, new: &NewSubscription) -> Result<Subscription> {
        let body = encode(new)?;
        let answer = self.send(Method::POST, &[], Some(body)).await?;
        decode_data(&answer)
    }

    /// `PUT /Webhooks/Subscriptions/{id}`: changes the fields set in `patch`. Returns the
    /// updated subscription when the service sends it back (the spec does not promise it).
    ///
    /// # Errors
    /// [`ApiError::NotFound`], [`ApiError::Validation`], [`ApiError::Conflict`], and any
    /// other [`ApiError`].
    pub async fn update_subscription(
        &self,
        id: &str,
        patch: &SubscriptionPatch,
    ) -> Result<Option<Subscription>> {
        let body = encode(patch)?;
        let answer = self.send(Method::PUT, &[check_id(id)?], Some(body)).await?;
        Ok(serde_json::from_slice::<Data<Subscription>>(&answer.body)
            .ok()
            .map(|d| d.data))
    }

    /// `DELETE /Webhooks/Subscriptions/{id}`: deletes a subscription; its pending
    /// deliveries are cancelled by the service. A 404 on a retry (after a lost answer)
    /// counts as done.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] for an unknown id, and any other [`ApiError`].
    pub async fn delete_subscription(&self, id: &str) -> Result<()> {
        self.send(Method::DELETE, &[check_id(id)?], None).await?;
        Ok(())
    }

    /// `GET /Webhooks/Subscriptions/{id}/NFe-Chaves`: the NF-e keys of a subscription, as
    /// the service stores them.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] for an unknown id, and any other [`ApiError`].
    pub async fn list_chaves(&self, id: &str) -> Result<Vec<String>> {
        let answer = self
            .send(Method::GET, &[check_id(id)?, CHAVES], None)
            .await?;
        decode_data(&answer)
    }

    /// `POST /Webhooks/Subscriptions/{id}/NFe-Chaves`: adds an NF-e key. The key is
    /// validated first (any common formatting accepted) and sent as its 44 digits, which
    /// are returned.
    ///
    /// # Errors
    /// [`ApiError::InvalidChave`] before any request; [`ApiError::Conflict`] when the key is
    /// already there; [`ApiError::NotFound`]; any other [`ApiError`].
    pub async fn add_chave(&self, id: &str, chave: &str) -> Result<ChaveAcesso> {
        let id = check_id(id)?;
        let chave = ChaveAcesso::parse(chave)?;
        let body = encode(&NfeChaveBody {
            nfe_chave: chave.as_str().to_owned(),
        })?;
        self.send(Method::POST, &[id, CHAVES], Some(body)).await?;
        Ok(chave)
    }

    /// `DELETE /Webhooks/Subscriptions/{id}/NFe-Chaves/{nfeChave}`: removes an NF-e key
    /// (validated first, sent as its 44 digits).
    ///
    /// # Errors
    /// [`ApiError::InvalidChave`] before any request; [`ApiError::NotFound`]; any other
    /// [`ApiError`].
    pub async fn remove_chave(&self, id: &str, chave: &str) -> Result<()> {
        let id = check_id(id)?;
        let chave = ChaveAcesso::parse(chave)?;
        self.send(Method::DELETE, &[id, CHAVES, chave.as_str()], None)
            .await?;
        Ok(())
    }

    /// `/Webhooks/Subscriptions/<segments>`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        self.url_at(&[SUBSCRIPTIONS.as_slice(), segments].concat(), &[])
    }

    /// `<base>/<path>?<query>`, each path segment and query pair percent-encoded.
    pub(crate) fn url_at(&self, path: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends one request under `/Webhooks/Subscriptions`.
    async fn send(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        self.send_to(method, self.url(segments), body).await
    }

    /// Sends one request to `url` (under the base URL), retrying safe methods; a non-2xx
    /// answer becomes an error. Every API this crate speaks goes through here: one error
    /// mapping, no redirects followed.
    pub(crate) async fn send_to(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        let path = url.path().to_owned();
        // POST creates things: a retry after a lost answer could create a second one.
        let retry_allowed = method != Method::POST;
        let mut retry = 0u32;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(API_KEY_HEADER, self.api_key.header().clone())
                .header(ACCEPT, "application/json");
            if let Some(bytes) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            let started = Instant::now();
            let outcome = request.send().await;
            let can_retry = retry_allowed && retry < self.retry.max_retries;
            let (error, wait) = match outcome {
                Ok(response) => {
                    let status = response.status();
                    tracing::debug!(
                        %method,
                        path,
                        status = status.as_u16(),
                        latency_ms = millis(started.elapsed()),
                        "ValidaNFe API answer"
                    );
                    if status.is_redirection() {
                        return Err(ApiError::Redirect {
                            status: status.as_u16(),
                            location: location_origin(&url, response.headers()),
                        });
                    }
                    let asked_wait = retry_after(response.headers());
                    let bytes = match response.bytes().await {
                        Ok(bytes) => bytes.to_vec(),
                        Err(err) if status.is_success() => return Err(self.transport_error(err)),
                        Err(_) => Vec::new(),
                    };
                    // A retried DELETE that finds nothing: the earlier attempt was applied
                    // and only its answer was lost, so the thing is gone as asked.
                    let gone =
                        method == Method::DELETE && retry > 0 && status == StatusCode::NOT_FOUND;
                    if status.is_success() || gone {
                        return Ok(Answer {
                            status,
                            body: bytes,
                        });
                    }
                    let error = self.status_error(status, &bytes, asked_wait);
                    if !(can_retry && retryable_status(status)) {
                        return Err(error);
                    }
                    let wait = match asked_wait {
                        Some(wait) if wait > self.retry.max_retry_after => return Err(error),
                        Some(wait) => wait,
                        None => self.retry.backoff(retry),
                    };
                    (error, wait)
                }
                Err(err) => {
                    let retryable = err.is_connect() || (err.is_request() && !err.is_timeout());
                    let error = self.transport_error(err);
                    if !(can_retry && retryable) {
                        return Err(error);
                    }
                    (error, self.retry.backoff(retry))
                }
            };
            retry += 1;
            tracing::warn!(
                %method,
                path,
                retry,
                wait_ms = millis(wait),
                error = %error,
                "retrying ValidaNFe API request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    fn transport_error(&self, err: reqwest::Error) -> ApiError {
        if err.is_timeout() {
            return ApiError::Timeout;
        }
        let mut message = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        ApiError::Network {
            message: self.api_key.scrub(&message),
            source: err,
        }
    }

    fn status_error(
        &self,
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> ApiError {
        let details = error_body::parse(body);
        let message = self.api_key.scrub(&details.message.unwrap_or_else(|| {
            status
                .canonical_reason()
                .map_or_else(|| format!("HTTP {}", status.as_u16()), str::to_owned)
        }));
        let fields = details
            .fields
            .into_iter()
            .map(|(field, problems)| {
                let problems = problems.iter().map(|p| self.api_key.scrub(p)).collect();
                (field, problems)
            })
            .collect();
        match status.as_u16() {
            400 | 422 => ApiError::Validation { message, fields },
            401 => ApiError::Unauthorized { message },
            403 => ApiError::Forbidden { message },
            404 => ApiError::NotFound { message },
            409 => ApiError::Conflict { message },
            429 => ApiError::RateLimited { retry_after },
            500..=599 => ApiError::Server {
                status: status.as_u16(),
                message,
            },
            other => ApiError::UnexpectedStatus {
                status: other,
                message,
            },
        }
    }
}

/// Whether the URL's host is this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

/// The origin (`scheme://host:port`) a redirect's `Location` points to, resolved against the
/// request URL; its path and query are dropped, as they may carry tokens.
fn location_origin(request: &Url, headers: &reqwest::header::HeaderMap) -> Option<String> {
    let location = headers.get(reqwest::header::LOCATION)?.to_str().ok()?;
    let target = request.join(location).ok()?;
    Some(target.origin().ascii_serialization())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn check_id(id: &str) -> Result<&str> {
    let trimmed = id.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        return Err(ApiError::InvalidArgument {
            message: "the subscription id is empty".into(),
        });
    }
    Ok(trimmed)
}

pub(crate) fn encode(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|err| ApiError::InvalidArgument {
        message: format!("cannot encode the request body: {err}"),
    })
}

pub(crate) fn decode_data<T: DeserializeOwned>(answer: &Answer) -> Result<T> {
    serde_json::from_slice::<Data<T>>(&answer.body)
        .map(|d| d.data)
        .map_err(|err| ApiError::Decode {
            message: format!(
                "HTTP {} answer is not the documented envelope: {err}",
                answer.status.as_u16()
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_under_the_base_and_encoded() {
        let client = Client::builder("k")
            .base_url("http://127.0.0.1:9/prefix/")
            .build()
            .unwrap();
        assert_eq!(
            client.url(&["a b/c?d", CHAVES]).as_str(),
            "http://127.0.0.1:9/prefix/Webhooks/Subscriptions/a%20b%2Fc%3Fd/NFe-Chaves"
        );
        let client = Client::new("k").unwrap();
        assert_eq!(
            client.url(&[]).as_str(),
            "https://api.validanfe.com/Webhooks/Subscriptions"
        );
    }

    #[test]
    fn bad_configuration_is_refused() {
        for base in ["ftp://x", "not a url", "mailto:a@b", "http://x/?q=1"] {
            let err = Client::builder("k").base_url(base).build().unwrap_err();
            assert_eq!(err.kind(), "config", "{base}");
        }
        assert_eq!(Client::new("").unwrap_err().kind(), "config");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for base in [
            "http://api.validanfe.com",
            "http://192.168.0.10:8080",
            "http://localhost.example.com",
        ] {
            let err = Client::builder("k").base_url(base).build().unwrap_err();
            assert_eq!(err.kind(), "config", "{base}");
            assert!(err.to_string().contains("https"), "{err}");
        }
        for base in [
            "http://127.0.0.1:9",
            "http://127.1.2.3:9",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:9",
            "https://api.validanfe.com",
            "https://192.168.0.10",
        ] {
            assert!(
                Client::builder("k").base_url(base).build().is_ok(),
                "{base}"
            );
        }
    }

    #[test]
    fn a_redirect_names_only_the_origin() {
        let request = Url::parse("https://api.validanfe.com/Webhooks/Subscriptions").unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(location_origin(&request, &headers), None);
        headers.insert(
            reqwest::header::LOCATION,
            "http://evil.example:8080/steal?token=abc".parse().unwrap(),
        );
        assert_eq!(
            location_origin(&request, &headers).as_deref(),
            Some("http://evil.example:8080")
        );
        headers.insert(reqwest::header::LOCATION, "/elsewhere".parse().unwrap());
        assert_eq!(
            location_origin(&request, &headers).as_deref(),
            Some("https://api.validanfe.com")
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let client = Client::new("super-secret-key").unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("super-secret-key"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn ids_must_be_present() {
        assert!(check_id(" ").is_err());
        assert!(check_id("..").is_err());
        assert_eq!(check_id(" abc ").unwrap(), "abc");
    }
}
