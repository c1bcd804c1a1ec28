//! Starting and stopping a sandbox: [`Sandbox::builder`] and [`RunningSandbox`].

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::account::{AccountWebhook, AccountWebhookRequest};
use crate::api_key::ApiKey;
use crate::clock::Clock;
use crate::config::{DispatchConfig, RateLimit, Storage};
use crate::delivery::{Delivery, DeliveryQuery};
use crate::dispatcher::{self, DispatcherHandle};
use crate::error::{Result, SandboxError};
use crate::rate_limit::RateLimiter;
use crate::secret::generate_api_key;
use crate::state::AppState;
use crate::store::{DeliveryFilter, Store};
use crate::trigger::{TriggerRequest, Triggered};

/// Default listen address of [`SandboxBuilder::bind`].
pub const DEFAULT_BIND: &str = "127.0.0.1:8787";

/// Entry point: `Sandbox::builder()`.
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: in memory, generated API key, `127.0.0.1:8787`, no rate
    /// limit, 3 attempts with 5 s base backoff and a 30 s timeout.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Settings of a sandbox to start; every setter returns the builder.
#[derive(Clone)]
#[must_use]
pub struct SandboxBuilder {
    storage: Storage,
    api_key: Option<String>,
    bind: String,
    rate_limit: Option<RateLimit>,
    dispatch: DispatchConfig,
    clock: Clock,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            storage: Storage::InMemory,
            api_key: None,
            bind: DEFAULT_BIND.to_owned(),
            rate_limit: None,
            dispatch: DispatchConfig::default(),
            clock: Clock::System,
        }
    }
}

impl std::fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("storage", &self.storage)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("bind", &self.bind)
            .field("rate_limit", &self.rate_limit)
            .field("dispatch", &self.dispatch)
            .field("clock", &self.clock)
            .finish()
    }
}

impl SandboxBuilder {
    /// Keep data in the SQLite file at `path` (created when missing).
    pub fn db_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.storage = Storage::File(path.into());
        self
    }

    /// Keep data in memory only (the default).
    pub fn in_memory(mut self) -> Self {
        self.storage = Storage::InMemory;
        self
    }

    /// Where to keep data.
    pub fn storage(mut self, storage: Storage) -> Self {
        self.storage = storage;
        self
    }

    /// The API key clients must send in `X-API-KEY`; a random `sbx_…` key when not set.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Listen address, `host:port`; port 0 picks a free port (see [`RunningSandbox::addr`]).
    pub fn bind(mut self, addr: impl Into<String>) -> Self {
        self.bind = addr.into();
        self
    }

    /// Limit the Subscriptions API to `limit`; `429` with `Retry-After` beyond it.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The whole delivery schedule at once.
    pub fn dispatch(mut self, config: DispatchConfig) -> Self {
        self.dispatch = config;
        self
    }

    /// Attempts in all for one delivery (default 3).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.dispatch.max_attempts = attempts;
        self
    }

    /// Wait after the first failed attempt, doubled after each further one (default 5 s).
    pub fn backoff_base(mut self, base: Duration) -> Self {
        self.dispatch.backoff_base = base;
        self
    }

    /// Time a receiver has to answer one attempt (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.dispatch.attempt_timeout = timeout;
        self
    }

    /// Where the sandbox reads the time (the system clock by default); a [`ManualClock`]
    /// (`crate::ManualClock`) shows what happens after a long pause without waiting for it.
    ///
    /// [`ManualClock`]: crate::ManualClock
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// Opens the store, binds the socket and starts the server and the dispatcher as tasks
    /// of the current tokio runtime. Pending deliveries found in the store resume at once.
    ///
    /// # Errors
    /// [`SandboxError::InvalidConfig`], [`SandboxError::InvalidAddress`],
    /// [`SandboxError::Bind`] or [`SandboxError::Database`].
    pub async fn start(self) -> Result<RunningSandbox> {
        self.dispatch.validate()?;
        if let Some(limit) = &self.rate_limit {
            limit.validate()?;
        }
        let api_key = match self.api_key {
            Some(key) if key.trim().is_empty() || key.trim() != key => {
                return Err(SandboxError::InvalidConfig(
                    "the API key must not be empty or have surrounding spaces".into(),
                ));
            }
            Some(key) => key,
            None => generate_api_key(),
        };
        let addr = resolve(&self.bind).await?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let storage = self.storage.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(&storage)).await??;
        let http = dispatcher::http_client(&self.dispatch)?;

        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (dispatcher, dispatcher_task) = dispatcher::spawn(
            store.clone(),
            http,
            self.dispatch,
            self.clock.clone(),
            shutdown_rx.clone(),
        );
        let state = AppState {
            store: store.clone(),
            dispatcher: dispatcher.clone(),
            api_key: ApiKey::new(api_key.clone()),
            rate_limiter: self.rate_limit.map(|l| Arc::new(RateLimiter::new(l))),
            clock: self.clock.clone(),
        };
        let app = crate::server::router(state);
        let mut stop = shutdown_rx;
        let server = tokio::spawn(
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .into_future(),
        );
        tracing::info!(%addr, storage = ?self.storage, "sandbox started");
        Ok(RunningSandbox {
            addr,
            api_key: ApiKey::new(api_key),
            store,
            dispatcher,
            clock: self.clock,
            shutdown: shutdown_tx,
            server: Some(server),
            dispatcher_task: Some(dispatcher_task),
        })
    }
}

async fn resolve(bind: &str) -> Result<SocketAddr> {
    let invalid = |reason: String| SandboxError::InvalidAddress {
        addr: bind.to_owned(),
        reason,
    };
    let mut addrs = tokio::net::lookup_host(bind)
        .await
        .map_err(|err| invalid(err.to_string()))?;
    addrs
        .next()
        .ok_or_else(|| invalid("it resolves to no address".into()))
}

/// A sandbox serving on [`addr`](Self::addr). Dropping it stops the server and the
/// dispatcher without waiting; [`shutdown`](Self::shutdown) waits for them.
pub struct RunningSandbox {
    addr: SocketAddr,
    api_key: ApiKey,
    store: Store,
    dispatcher: DispatcherHandle,
    clock: Clock,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    dispatcher_task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("addr", &self.addr)
            .field("api_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// The address it listens on (with the real port when bound to port 0).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL for an API client, e.g. `http://127.0.0.1:8787` (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API key it accepts (the generated one when none was set).
    #[must_use]
    pub fn api_key(&self) -> &str {
        self.api_key.expose()
    }

    /// Triggers an event in-process, as `POST /_sandbox/events` does.
    ///
    /// # Errors
    /// [`SandboxError::InvalidRequest`] for an unknown event, an invalid NF-e key or a field
    /// the event does not take; [`SandboxError::Database`] when the store fails.
    pub async fn trigger(&self, request: TriggerRequest) -> Result<Triggered> {
        crate::trigger::trigger(&self.store, &self.dispatcher, &self.clock, request).await
    }

    /// Sets the account webhook, as `PUT /_sandbox/account-webhook` does.
    ///
    /// # Errors
    /// [`SandboxError::InvalidRequest`] for an invalid URL, event list or secret;
    /// [`SandboxError::Database`] when the store fails.
    pub async fn set_account_webhook(
        &self,
        request: AccountWebhookRequest,
    ) -> Result<AccountWebhook> {
        let problems = crate::validation::account_webhook_problems(&request);
        if !problems.is_empty() {
            let described: Vec<String> = problems
                .iter()
                .map(|(field, found)| format!("{field}: {}", found.join("; ")))
                .collect();
            return Err(SandboxError::InvalidRequest(described.join(", ")));
        }
        crate::sandbox_api::put_account_webhook(&self.store, &self.clock, request).await
    }

    /// The account webhook, when one is set.
    ///
    /// # Errors
    /// [`SandboxError::Database`] when the store fails.
    pub async fn account_webhook(&self) -> Result<Option<AccountWebhook>> {
        let row = self
            .store
            .call(|conn| crate::store::get_account_webhook(conn))
            .await?;
        Ok(row.map(AccountWebhook::from))
    }

    /// Deliveries with their attempts, newest first, as `GET /_sandbox/deliveries` lists them.
    ///
    /// # Errors
    /// [`SandboxError::Database`] when the store fails.
    pub async fn deliveries(&self, query: DeliveryQuery) -> Result<Vec<Delivery>> {
        crate::sandbox_api::query_deliveries(&self.store, query.filter()).await
    }

    /// One delivery by id.
    ///
    /// # Errors
    /// [`SandboxError::Database`] when the store fails.
    pub async fn delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let filter = DeliveryFilter {
            id: Some(id.to_ascii_lowercase()),
            ..DeliveryFilter::default()
        };
        Ok(crate::sandbox_api::query_deliveries(&self.store, filter)
            .await?
            .into_iter()
            .next())
    }

    /// Stops accepting connections, lets requests in progress finish, stops the dispatcher
    /// (an attempt in flight is dropped and made again on the next start) and waits for both.
    ///
    /// # Errors
    /// [`SandboxError::Server`] when the server had failed, [`SandboxError::Task`] when a
    /// task panicked.
    pub async fn shutdown(mut self) -> Result<()> {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.dispatcher_task.take() {
            task.await?;
        }
        if let Some(server) = self.server.take() {
            server.await?.map_err(SandboxError::Server)?;
        }
        tracing::info!(addr = %self.addr, "sandbox stopped");
        Ok(())
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
