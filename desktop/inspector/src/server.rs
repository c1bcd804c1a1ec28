//! The receiver: an axum server on a loopback address that records every request, checks its
//! signature, and answers with the configured status after the configured delay.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nfehook_core::Window;
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::config::{NamedSecret, ResponseConfig};
use crate::error::{InspectorError, Result};
use crate::guard;
use crate::record::{Body, EventSummary, GivenResponse, RecordedRequest, rfc3339_millis};
use crate::store::{DEFAULT_MAX_HISTORY_BYTES, Store};
use crate::verdict::{Verdict, verify_request};

/// Requests kept by default.
pub const DEFAULT_MAX_REQUESTS: usize = 200;
/// Largest body accepted by default (larger ones get `413` and are not recorded).
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// What subscribers of a running inspector receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum InspectorEvent {
    /// A request arrived (sent before the configured delay runs).
    Request {
        /// The request.
        request: Box<RecordedRequest>,
    },
    /// The history was cleared.
    Cleared,
}

/// Settings of an inspector; start with [`Inspector::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct InspectorBuilder {
    bind: String,
    data_dir: Option<PathBuf>,
    max_requests: usize,
    response: ResponseConfig,
    secrets: Vec<NamedSecret>,
    window: Window,
    body_limit: usize,
    max_history_bytes: usize,
}

/// The local webhook inspector.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use nfehook_inspector::{Inspector, NamedSecret, ResponseConfig};
/// let inspector = Inspector::builder()
///     .bind("127.0.0.1:0")                          // or a chosen port
///     .secrets(vec![NamedSecret::new("Webhook Principal", "whsec_0123456789abcdef")])
///     .response(ResponseConfig { status: 503, ..ResponseConfig::default() })
///     .start()
///     .await?;
/// assert!(inspector.url().starts_with("http://127.0.0.1:"));
/// let mut live = inspector.subscribe();
/// // ... a sender POSTs to inspector.url(); `live.recv().await` yields each request.
/// assert!(inspector.requests().is_empty());
/// inspector.shutdown().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Inspector;

impl Inspector {
    /// A builder: `127.0.0.1:0`, no history file, last 200 requests (a history file of at most
    /// 64 MiB), answer `200` at once, no secret, a receiver's timestamp window
    /// ([`Window::RECEIVER`]: an hour old, five minutes ahead).
    pub fn builder() -> InspectorBuilder {
        InspectorBuilder {
            bind: "127.0.0.1:0".to_owned(),
            data_dir: None,
            max_requests: DEFAULT_MAX_REQUESTS,
            response: ResponseConfig::default(),
            secrets: Vec::new(),
            window: Window::RECEIVER,
            body_limit: DEFAULT_BODY_LIMIT,
            max_history_bytes: DEFAULT_MAX_HISTORY_BYTES,
        }
    }
}

impl InspectorBuilder {
    /// Address to listen on: a loopback address and a port (`0`: any free port).
    pub fn bind(mut self, addr: impl Into<String>) -> Self {
        self.bind = addr.into();
        self
    }

    /// Directory of the history file, so the last requests survive restarts.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// How many requests to keep (at least 1).
    pub fn max_requests(mut self, max: usize) -> Self {
        self.max_requests = max.max(1);
        self
    }

    /// The answer to give.
    pub fn response(mut self, response: ResponseConfig) -> Self {
        self.response = response;
        self
    }

    /// Secrets to check signatures with.
    pub fn secrets(mut self, secrets: Vec<NamedSecret>) -> Self {
        self.secrets = secrets;
        self
    }

    /// How old, or how far ahead, an event's `timestamp` may be.
    pub fn window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// Largest body accepted.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Largest history file, in bytes; the oldest requests are dropped from it to stay under.
    pub fn max_history_bytes(mut self, bytes: usize) -> Self {
        self.max_history_bytes = bytes;
        self
    }

    /// Loads the history, takes the port and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// [`InspectorError::InvalidAddress`], [`InspectorError::NotLoopback`],
    /// [`InspectorError::Bind`], [`InspectorError::History`], and the response's validation.
    pub async fn start(self) -> Result<RunningInspector> {
        self.response.validate()?;
        let addr: SocketAddr =
            self.bind
                .trim()
                .parse()
                .map_err(|_| InspectorError::InvalidAddress {
                    addr: self.bind.clone(),
                })?;
        if !addr.ip().is_loopback() {
            return Err(InspectorError::NotLoopback {
                addr: addr.to_string(),
            });
        }
        let store = Store::open(
            self.data_dir.as_deref(),
            self.max_requests,
            self.max_history_bytes,
        )?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| InspectorError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| InspectorError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let (events, _) = broadcast::channel(256);
        let (stop_tx, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            response: RwLock::new(self.response),
            secrets: RwLock::new(self.secrets),
            window: self.window,
            events,
            stop: stop_rx.clone(),
        });
        let app = Router::new()
            .fallback(capture)
            .layer(DefaultBodyLimit::max(self.body_limit))
            .layer(axum::middleware::from_fn_with_state(
                addr,
                guard::refuse_foreign,
            ))
            .with_state(Arc::clone(&shared));
        let mut stop = stop_rx;
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            })
            .await
        });
        tracing::info!(%addr, "inspector listening");
        Ok(RunningInspector {
            addr,
            shared,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

struct Shared {
    store: Mutex<Store>,
    response: RwLock<ResponseConfig>,
    secrets: RwLock<Vec<NamedSecret>>,
    window: Window,
    events: broadcast::Sender<InspectorEvent>,
    stop: watch::Receiver<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(PoisonError::into_inner).clone()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A running inspector. Dropping it stops the server without waiting.
pub struct RunningInspector {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for RunningInspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningInspector")
            .field("addr", &self.addr)
            .field("secrets", &read(&self.shared.secrets).len())
            .finish_non_exhaustive()
    }
}

impl RunningInspector {
    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its URL to paste into a subscription: `http://127.0.0.1:<port>/`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Live updates: every request as it arrives, and clears.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<InspectorEvent> {
        self.shared.events.subscribe()
    }

    /// The requests kept, newest first.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.store).items().rev().cloned().collect()
    }

    /// One request by id.
    #[must_use]
    pub fn request(&self, id: u64) -> Option<RecordedRequest> {
        lock(&self.shared.store).get(id).cloned()
    }

    /// Forgets every request (and empties the history file).
    ///
    /// # Errors
    /// [`InspectorError::History`].
    pub fn clear(&self) -> Result<()> {
        lock(&self.shared.store).clear()?;
        let _ = self.shared.events.send(InspectorEvent::Cleared);
        Ok(())
    }

    /// The answer currently given.
    #[must_use]
    pub fn response(&self) -> ResponseConfig {
        read(&self.shared.response)
    }

    /// Changes the answer for the next requests.
    ///
    /// # Errors
    /// [`InspectorError::InvalidStatus`], [`InspectorError::DelayTooLong`].
    pub fn set_response(&self, response: ResponseConfig) -> Result<()> {
        response.validate()?;
        *self
            .shared
            .response
            .write()
            .unwrap_or_else(PoisonError::into_inner) = response;
        Ok(())
    }

    /// Changes the secrets the next requests are checked with.
    pub fn set_secrets(&self, secrets: Vec<NamedSecret>) {
        *self
            .shared
            .secrets
            .write()
            .unwrap_or_else(PoisonError::into_inner) = secrets;
    }

    /// The verdict of a kept request against other secrets.
    #[must_use]
    pub fn verify_again(&self, id: u64, secrets: &[NamedSecret]) -> Option<Verdict> {
        self.request(id)
            .map(|r| r.verify_with(secrets, self.shared.window))
    }

    /// Stops accepting requests, ends delayed answers at once, and waits for the server.
    ///
    /// # Errors
    /// [`InspectorError::Server`] when the server task failed.
    pub async fn shutdown(mut self) -> Result<()> {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => return Err(InspectorError::Server(err.to_string())),
                Err(err) => return Err(InspectorError::Server(err.to_string())),
            }
        }
        Ok(())
    }
}

impl Drop for RunningInspector {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn capture(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received_at_ms = now_ms();
    let config = read(&shared.response);
    let secrets = read(&shared.secrets);
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let verdict = verify_request(
        &headers,
        &body,
        &secrets,
        received_at_ms.div_euclid(1000),
        shared.window,
    );
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let recorded = {
        let mut store = lock(&shared.store);
        let request = RecordedRequest {
            id: store.next_id(),
            received_at: rfc3339_millis(received_at_ms),
            received_at_ms,
            method: method.as_str().to_owned(),
            path,
            remote_addr: Some(remote.to_string()),
            headers,
            body: Body::new(&body),
            verdict,
            event: EventSummary::read(&body),
            response: GivenResponse {
                status: config.status,
                delay_ms: config.delay_ms,
            },
        };
        if let Err(err) = store.push(request.clone()) {
            tracing::warn!(error = %err, "inspector could not write its history");
        }
        request
    };
    tracing::debug!(id = recorded.id, method = %recorded.method, path = %recorded.path, "request recorded");
    let _ = shared.events.send(InspectorEvent::Request {
        request: Box::new(recorded),
    });
    if config.delay_ms > 0 {
        let mut stop = shared.stop.clone();
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(config.delay_ms)) => {}
            _ = stop.wait_for(|stopped| *stopped) => {}
        }
    }
    let status = StatusCode::from_u16(config.status).unwrap_or(StatusCode::OK);
    let mut response = (status, config.body).into_response();
    if let Ok(value) = HeaderValue::from_str(&config.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}
