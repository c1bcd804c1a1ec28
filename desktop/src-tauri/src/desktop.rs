//! The app's logic with no window around it: connections, keys and the subscription
//! operations the commands expose. Every Tauri command is a one-line call into [`Desktop`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nfehook_core::SubscriptionPatch;
use serde::{Deserialize, Serialize};

use nfehook_client::Client;

use crate::api::{ApiFactory, SubscriptionsApi};
use crate::apikey::ApiKey;
use crate::client::build_client;
use crate::connection::{
    Connection, ConnectionKind, PRODUCTION_BASE_URL, SANDBOX_ID, Settings, normalize_base_url,
    normalize_name,
};
use crate::error::{DesktopError, Result};
use crate::keystore::{KeyStorage, KeyStore};
use crate::view::{Created, FormCheck, SubscriptionForm, SubscriptionRow, SubscriptionView};

/// How long a request on the sandbox connection waits for the embedded sandbox, which starts in
/// the background while the window opens, before it fails with
/// [`DesktopError::SandboxUnavailable`].
pub const SANDBOX_WAIT: Duration = Duration::from_secs(10);

/// How long [`Desktop::check_connection`] waits for the service's answer before it reports the
/// connection as offline: the check runs on a timer, so it must never pile up.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// The subscription id [`Desktop::check_connection`] asks for: the nil UUID, which no service
/// issues, so the answer is always a small "not found" and never a subscription's data.
const HEALTH_PROBE_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The embedded sandbox's state: `None` while it starts, then its endpoint or why it did not
/// start.
type SandboxState = Option<std::result::Result<SandboxEndpoint, String>>;

/// Where the embedded sandbox listens and the local key it accepts.
#[derive(Debug, Clone)]
pub struct SandboxEndpoint {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The sandbox's local API key.
    pub api_key: ApiKey,
}

/// The active connection with its base URL and key, for the tools that talk to the API and
/// the sandbox directly (NF-e keys import, test events, deliveries). `Debug` hides the key.
#[derive(Debug, Clone)]
pub struct ActiveEndpoint {
    /// Connection id (`sandbox`, or a UUID).
    pub id: String,
    /// What it talks to.
    pub kind: ConnectionKind,
    /// Base URL, no trailing slash.
    pub base_url: String,
    /// Its API key, when set.
    pub api_key: Option<ApiKey>,
}

/// A connection as the UI sees it: never the key, only whether one is set and its last 4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it talks to.
    pub kind: ConnectionKind,
    /// The base URL requests go to (the sandbox's once it runs).
    pub base_url: Option<String>,
    /// Whether an API key is set.
    pub key_set: bool,
    /// Last 4 characters of the key, when set.
    pub key_last4: Option<String>,
}

/// Everything the UI needs at start and after a settings change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Every connection, the sandbox first.
    pub connections: Vec<ConnectionView>,
    /// Id of the active one.
    pub active_id: String,
    /// Where API keys are kept.
    pub key_storage: KeyStorage,
    /// Why keys are in memory only, when they are.
    pub keychain_notice: Option<String>,
    /// Why the embedded sandbox is not running, when it is not.
    pub sandbox_error: Option<String>,
    /// Where an unreadable settings file was moved at start (the app then began with the
    /// defaults), for the UI to say so.
    pub settings_set_aside: Option<String>,
    /// The app's version.
    pub version: &'static str,
}

/// A healthy answer of the active connection (see [`Desktop::check_connection`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionHealth {
    /// The connection that was checked, so the UI can drop an answer for one it left.
    pub connection_id: String,
    /// How long the service took to answer, in milliseconds.
    pub latency_ms: u64,
}

/// A new connection from the connection settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    /// Display name.
    pub name: String,
    /// `production` or `custom` (a second sandbox connection cannot be added).
    pub kind: ConnectionKind,
    /// Required for `custom`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The API key, stored in the keychain; blank means none.
    #[serde(default)]
    pub api_key: Option<String>,
}

/// Changes to a connection; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionUpdate {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New base URL (custom connections only).
    #[serde(default)]
    pub base_url: Option<String>,
    /// New API key; blank is ignored (use `clear_key`).
    #[serde(default)]
    pub api_key: Option<String>,
    /// Forget the stored key.
    #[serde(default)]
    pub clear_key: bool,
}

/// The app's one cache of API clients, per connection id: the subscriptions API handle of the
/// main screen and the `nfehook-client` the tools use. Every change of a connection, its key or
/// the sandbox's endpoint calls [`ClientCache::invalidate`], which also bumps a generation: a
/// client built from the old settings while the change happened is not kept, so no request
/// goes out with a replaced key or to a replaced URL.
#[derive(Default)]
struct ClientCache(Mutex<CacheEntries>);

#[derive(Default)]
struct CacheEntries {
    generation: u64,
    apis: HashMap<String, Arc<dyn SubscriptionsApi>>,
    clients: HashMap<String, Client>,
}

impl ClientCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, CacheEntries> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached value for `id`, else one made by `build` (kept unless the cache was
    /// invalidated meanwhile).
    fn get_or_build<T: Clone>(
        &self,
        id: &str,
        map: fn(&mut CacheEntries) -> &mut HashMap<String, T>,
        build: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let generation = {
            let mut entries = self.entries();
            if let Some(found) = map(&mut entries).get(id) {
                return Ok(found.clone());
            }
            entries.generation
        };
        let built = build()?;
        let mut entries = self.entries();
        if entries.generation == generation {
            map(&mut entries).insert(id.to_owned(), built.clone());
        }
        Ok(built)
    }

    fn invalidate(&self, id: &str) {
        let mut entries = self.entries();
        entries.generation += 1;
        entries.apis.remove(id);
        entries.clients.remove(id);
    }
}

/// The app's state and operations.
pub struct Desktop {
    settings_path: PathBuf,
    settings: Mutex<Settings>,
    settings_set_aside: Option<PathBuf>,
    keys: KeyStore,
    sandbox: tokio::sync::watch::Sender<SandboxState>,
    factory: Arc<dyn ApiFactory>,
    clients: ClientCache,
}

impl std::fmt::Debug for Desktop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desktop")
            .field("settings_path", &self.settings_path)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl Desktop {
    /// Loads the settings at `settings_path` (defaults when missing; an unreadable file is set
    /// aside, see [`Settings::load`]). The sandbox is starting until [`Desktop::set_sandbox`]
    /// is called; requests on its connection wait for it (at most [`SANDBOX_WAIT`]).
    pub fn new(
        settings_path: PathBuf,
        keys: KeyStore,
        factory: Arc<dyn ApiFactory>,
    ) -> Result<Self> {
        let loaded = Settings::load(&settings_path)?;
        Ok(Self {
            settings_path,
            settings: Mutex::new(loaded.settings),
            settings_set_aside: loaded.set_aside,
            keys,
            sandbox: tokio::sync::watch::Sender::new(None),
            factory,
            clients: ClientCache::default(),
        })
    }

    /// Records the embedded sandbox's endpoint, or why it did not start.
    pub fn set_sandbox(&self, endpoint: std::result::Result<SandboxEndpoint, String>) {
        self.sandbox.send_replace(Some(endpoint));
        self.clients.invalidate(SANDBOX_ID);
    }

    /// The sandbox's state now, without waiting.
    fn sandbox_now(&self) -> SandboxState {
        self.sandbox.borrow().clone()
    }

    /// The sandbox's endpoint once it has started (waiting at most [`SANDBOX_WAIT`]).
    async fn sandbox_endpoint(&self) -> Result<SandboxEndpoint> {
        let mut state = self.sandbox.subscribe();
        let started =
            match tokio::time::timeout(SANDBOX_WAIT, state.wait_for(Option::is_some)).await {
                Ok(Ok(state)) => state.clone(),
                Ok(Err(_)) | Err(_) => None,
            };
        match started {
            Some(Ok(endpoint)) => Ok(endpoint),
            Some(Err(_)) | None => Err(DesktopError::SandboxUnavailable),
        }
    }

    fn view(&self, c: &Connection) -> Result<ConnectionView> {
        let (base_url, key) = match c.kind {
            ConnectionKind::Sandbox => match self.sandbox_now() {
                Some(Ok(ep)) => (Some(ep.base_url), Some(ep.api_key)),
                Some(Err(_)) | None => (None, None),
            },
            ConnectionKind::Production => {
                (Some(PRODUCTION_BASE_URL.to_owned()), self.keys.get(&c.id)?)
            }
            ConnectionKind::Custom => (c.base_url.clone(), self.keys.get(&c.id)?),
        };
        Ok(ConnectionView {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: c.kind,
            base_url,
            key_set: key.is_some(),
            key_last4: key.map(|k| k.last4()),
        })
    }

    /// Connections, the active one, and the keychain and sandbox state.
    pub fn info(&self) -> Result<AppInfo> {
        let settings = self.settings.lock().expect("settings lock").clone();
        let connections = settings
            .connections
            .iter()
            .map(|c| self.view(c))
            .collect::<Result<Vec<_>>>()?;
        Ok(AppInfo {
            connections,
            active_id: settings.active,
            key_storage: self.keys.storage(),
            keychain_notice: self.keys.notice(),
            sandbox_error: self.sandbox_now().and_then(std::result::Result::err),
            settings_set_aside: self
                .settings_set_aside
                .as_ref()
                .map(|p| p.display().to_string()),
            version: env!("CARGO_PKG_VERSION"),
        })
    }

    fn save(&self, settings: &Settings) -> Result<()> {
        settings.save(&self.settings_path)
    }

    /// Adds a named connection (its key to the keychain) and makes it active.
    pub fn add_connection(&self, input: ConnectionInput) -> Result<ConnectionView> {
        let name = normalize_name(&input.name)?;
        let base_url = match input.kind {
            ConnectionKind::Sandbox => {
                return Err(DesktopError::InvalidConnection {
                    reason: "the sandbox connection already exists".to_owned(),
                });
            }
            ConnectionKind::Production => None,
            ConnectionKind::Custom => Some(normalize_base_url(
                non_blank(input.base_url.as_deref()).unwrap_or_default(),
            )?),
        };
        let conn = Connection {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            kind: input.kind,
            base_url,
        };
        if let Some(key) = non_blank(input.api_key.as_deref()) {
            self.keys.set(&conn.id, &ApiKey::new(key))?;
        }
        let mut settings = self.settings.lock().expect("settings lock");
        let mut next = settings.clone();
        next.connections.push(conn.clone());
        next.active = conn.id.clone();
        self.save(&next)?;
        *settings = next;
        drop(settings);
        self.view(&conn)
    }

    /// Renames a connection, changes its base URL or its key.
    pub fn update_connection(&self, id: &str, update: ConnectionUpdate) -> Result<ConnectionView> {
        let mut settings = self.settings.lock().expect("settings lock");
        let mut next = settings.clone();
        let conn = next.find_mut(id)?;
        if conn.kind == ConnectionKind::Sandbox {
            return Err(DesktopError::InvalidConnection {
                reason: "the sandbox connection cannot be edited".to_owned(),
            });
        }
        if let Some(name) = &update.name {
            conn.name = normalize_name(name)?;
        }
        if let Some(url) = non_blank(update.base_url.as_deref()) {
            if conn.kind != ConnectionKind::Custom {
                return Err(DesktopError::InvalidConnection {
                    reason: "only custom connections have a base URL".to_owned(),
                });
            }
            conn.base_url = Some(normalize_base_url(url)?);
        }
        let conn = conn.clone();
        // Before any change is made: even a half-done update (key stored, settings not
        // saved) must not leave a client with the old key or URL in use.
        self.clients.invalidate(id);
        if update.clear_key {
            self.keys.delete(id)?;
        }
        if let Some(key) = non_blank(update.api_key.as_deref()) {
            self.keys.set(id, &ApiKey::new(key))?;
        }
        self.save(&next)?;
        *settings = next;
        drop(settings);
        self.clients.invalidate(id);
        self.view(&conn)
    }

    /// Removes a connection and its key; the sandbox stays. Removing the active one makes
    /// the sandbox active.
    pub fn remove_connection(&self, id: &str) -> Result<()> {
        if id == SANDBOX_ID {
            return Err(DesktopError::InvalidConnection {
                reason: "the sandbox connection cannot be removed".to_owned(),
            });
        }
        let mut settings = self.settings.lock().expect("settings lock");
        let mut next = settings.clone();
        next.find_mut(id)?;
        next.connections.retain(|c| c.id != id);
        if next.active == id {
            SANDBOX_ID.clone_into(&mut next.active);
        }
        self.clients.invalidate(id);
        self.keys.delete(id)?;
        self.save(&next)?;
        *settings = next;
        drop(settings);
        self.clients.invalidate(id);
        Ok(())
    }

    /// Makes `id` the active connection.
    pub fn select_connection(&self, id: &str) -> Result<()> {
        let mut settings = self.settings.lock().expect("settings lock");
        let mut next = settings.clone();
        next.find_mut(id)?;
        id.clone_into(&mut next.active);
        self.save(&next)?;
        *settings = next;
        Ok(())
    }

    /// The active connection's id, kind, base URL and key (on the sandbox, once it runs).
    pub async fn active_endpoint(&self) -> Result<ActiveEndpoint> {
        let conn = {
            let settings = self.settings.lock().expect("settings lock");
            settings.find(&settings.active).cloned().ok_or_else(|| {
                DesktopError::UnknownConnection {
                    id: settings.active.clone(),
                }
            })?
        };
        let (base_url, api_key) = match conn.kind {
            ConnectionKind::Sandbox => {
                let ep = self.sandbox_endpoint().await?;
                (ep.base_url, Some(ep.api_key))
            }
            ConnectionKind::Production => {
                (PRODUCTION_BASE_URL.to_owned(), self.keys.get(&conn.id)?)
            }
            ConnectionKind::Custom => (
                conn.base_url
                    .clone()
                    .ok_or_else(|| DesktopError::InvalidConnection {
                        reason: "no base URL".to_owned(),
                    })?,
                self.keys.get(&conn.id)?,
            ),
        };
        Ok(ActiveEndpoint {
            id: conn.id,
            kind: conn.kind,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
        })
    }

    /// The API handle of the active connection (from the app's one client cache).
    pub async fn api(&self) -> Result<Arc<dyn SubscriptionsApi>> {
        Ok(self.active_api().await?.1)
    }

    /// The active connection's id with its API handle, both from one read of the settings, so
    /// a switch in between cannot pair one connection's id with another's answer.
    async fn active_api(&self) -> Result<(String, Arc<dyn SubscriptionsApi>)> {
        let ep = self.active_endpoint().await?;
        if ep.kind == ConnectionKind::Production && ep.api_key.is_none() {
            return Err(DesktopError::MissingApiKey);
        }
        let api = self.clients.get_or_build(
            &ep.id,
            |e| &mut e.apis,
            || self.factory.connect(&ep.base_url, ep.api_key.as_ref()),
        )?;
        Ok((ep.id, api))
    }

    /// The active connection and its `nfehook-client` (from the app's one client cache), for
    /// the tools that call the NF-e keys routes; a connection without a key is refused here.
    pub async fn client(&self) -> Result<(ActiveEndpoint, Client)> {
        let ep = self.active_endpoint().await?;
        let client = self.clients.get_or_build(
            &ep.id,
            |e| &mut e.clients,
            || {
                build_client(
                    &ep.base_url,
                    ep.api_key.as_ref().ok_or(DesktopError::MissingApiKey)?,
                )
            },
        )?;
        Ok((ep, client))
    }

    /// Checks the active connection with one real call whose answer has a fixed, small size
    /// whatever the account holds (the GET of one subscription id that no service issues),
    /// bounded by `timeout`: a healthy answer, or the typed error the UI shows (never the key; a
    /// service that does not answer in time is [`DesktopError::Offline`]). The API has no
    /// health route nor a page size, and listing every subscription every few seconds would
    /// spend a big account's rate limit; an authenticated "not found" proves the same: the
    /// service is reachable, the key is accepted and the rate limit lets calls through.
    pub async fn check_connection(&self, timeout: Duration) -> Result<ConnectionHealth> {
        let (connection_id, api) = self.active_api().await?;
        let started = std::time::Instant::now();
        let answer = tokio::time::timeout(timeout, api.get(HEALTH_PROBE_ID))
            .await
            .map_err(|_| DesktopError::Offline {
                reason: format!("no answer within {} s", timeout.as_secs()),
            })?;
        match answer {
            Ok(_) | Err(DesktopError::NotFound { .. }) => Ok(ConnectionHealth {
                connection_id,
                latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            }),
            Err(e) => Err(e),
        }
    }

    /// Every subscription of the active connection.
    pub async fn list_subscriptions(&self) -> Result<Vec<SubscriptionRow>> {
        let subs = self.api().await?.list().await?;
        Ok(subs.iter().map(SubscriptionRow::from).collect())
    }

    /// One subscription in full, secret masked.
    pub async fn get_subscription(&self, id: &str) -> Result<SubscriptionView> {
        Ok(SubscriptionView::from(&self.api().await?.get(id).await?))
    }

    /// Checks a form with core's rules (for inline validation as the user types).
    pub fn validate_subscription(&self, form: &SubscriptionForm) -> FormCheck {
        form.check()
    }

    /// Creates a subscription; returns the generated secret once when the form had none.
    pub async fn create_subscription(&self, form: &SubscriptionForm) -> Result<Created> {
        form.ensure_valid()?;
        let new = form.to_new();
        let created = self.api().await?.create(&new).await?;
        Ok(Created {
            subscription: SubscriptionRow::from(&created),
            generated_secret: new
                .secret
                .is_none()
                .then(|| created.secret.expose().to_owned()),
        })
    }

    /// Saves an edit (every field of the form but the secret) and returns the fresh view.
    pub async fn update_subscription(
        &self,
        id: &str,
        form: &SubscriptionForm,
    ) -> Result<SubscriptionView> {
        let form = SubscriptionForm {
            secret: None,
            ..form.clone()
        };
        form.ensure_valid()?;
        let api = self.api().await?;
        api.update(id, &form.to_patch()).await?;
        Ok(SubscriptionView::from(&api.get(id).await?))
    }

    /// Turns deliveries on or off.
    pub async fn set_subscription_active(&self, id: &str, active: bool) -> Result<()> {
        let patch = SubscriptionPatch {
            is_active: Some(active),
            ..SubscriptionPatch::default()
        };
        self.api().await?.update(id, &patch).await
    }

    /// Deletes a subscription.
    pub async fn delete_subscription(&self, id: &str) -> Result<()> {
        self.api().await?.delete(id).await
    }

    /// The subscription's secret in clear, for reveal and copy.
    pub async fn reveal_secret(&self, id: &str) -> Result<String> {
        Ok(self.api().await?.get(id).await?.secret.expose().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keystore::tests::FakeKeychain;
    use crate::testing::FakeFactory;

    struct Fixture {
        _dir: tempfile::TempDir,
        path: PathBuf,
        factory: Arc<FakeFactory>,
        chain: FakeKeychain,
        desktop: Desktop,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connections.json");
        let factory = Arc::new(FakeFactory::default());
        let chain = FakeKeychain::default();
        let desktop = Desktop::new(
            path.clone(),
            KeyStore::detect(Box::new(chain.clone())),
            factory.clone(),
        )
        .unwrap();
        desktop.set_sandbox(Ok(SandboxEndpoint {
            base_url: "http://127.0.0.1:9".into(),
            api_key: ApiKey::new("sbx_localkey1234"),
        }));
        Fixture {
            _dir: dir,
            path,
            factory,
            chain,
            desktop,
        }
    }

    fn form(name: &str, url: &str, secret: Option<&str>) -> SubscriptionForm {
        SubscriptionForm {
            name: name.into(),
            url: url.into(),
            events: vec!["nfe.processada".into()],
            is_active: true,
            secret: secret.map(Into::into),
        }
    }

    #[tokio::test]
    async fn first_launch_uses_the_sandbox() {
        let f = fixture();
        let info = f.desktop.info().unwrap();
        assert_eq!(info.active_id, SANDBOX_ID);
        assert_eq!(info.connections.len(), 1);
        let sandbox = &info.connections[0];
        assert_eq!(sandbox.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(sandbox.key_last4.as_deref(), Some("1234"));
        f.desktop.list_subscriptions().await.unwrap();
        assert_eq!(
            f.factory.connects.lock().unwrap()[0],
            ("http://127.0.0.1:9".to_owned(), Some("1234".to_owned()))
        );
    }

    #[tokio::test]
    async fn sandbox_not_running_is_a_typed_error() {
        let f = fixture();
        f.desktop.set_sandbox(Err("port in use".into()));
        let err = f.desktop.list_subscriptions().await.unwrap_err();
        assert!(matches!(err, DesktopError::SandboxUnavailable), "{err:?}");
        assert_eq!(
            f.desktop.info().unwrap().sandbox_error.as_deref(),
            Some("port in use")
        );
    }

    #[tokio::test]
    async fn the_health_check_asks_for_one_unknown_id_never_the_list() {
        let f = fixture();
        f.desktop
            .create_subscription(&form("A", "https://a.example.com/h", None))
            .await
            .unwrap();
        let health = f.desktop.check_connection(HEALTH_TIMEOUT).await.unwrap();
        assert_eq!(health.connection_id, SANDBOX_ID);
        let calls = f.factory.api.calls.lock().unwrap().clone();
        assert_eq!(calls.last().unwrap(), &format!("get {HEALTH_PROBE_ID}"));
        assert!(!calls.iter().any(|c| c == "list"), "{calls:?}");
    }

    /// An API whose list never answers, as a service that accepted the connection and hangs.
    struct Hanging;

    #[async_trait::async_trait]
    impl SubscriptionsApi for Hanging {
        async fn list(&self) -> Result<Vec<nfehook_core::Subscription>> {
            std::future::pending().await
        }
        async fn get(&self, _: &str) -> Result<nfehook_core::SubscriptionDetail> {
            std::future::pending().await
        }
        async fn create(
            &self,
            _: &nfehook_core::NewSubscription,
        ) -> Result<nfehook_core::Subscription> {
            std::future::pending().await
        }
        async fn update(&self, _: &str, _: &SubscriptionPatch) -> Result<()> {
            std::future::pending().await
        }
        async fn delete(&self, _: &str) -> Result<()> {
            std::future::pending().await
        }
    }

    impl ApiFactory for Hanging {
        fn connect(&self, _: &str, _: Option<&ApiKey>) -> Result<Arc<dyn SubscriptionsApi>> {
            Ok(Arc::new(Hanging))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_service_that_hangs_fails_the_health_check_as_offline_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let desktop = Desktop::new(
            dir.path().join("connections.json"),
            KeyStore::memory_only("tests"),
            Arc::new(Hanging),
        )
        .unwrap();
        desktop.set_sandbox(Ok(SandboxEndpoint {
            base_url: "http://127.0.0.1:9".into(),
            api_key: ApiKey::new("sbx_localkey1234"),
        }));
        let before = tokio::time::Instant::now();
        let err = desktop.check_connection(HEALTH_TIMEOUT).await.unwrap_err();
        assert_eq!(before.elapsed(), HEALTH_TIMEOUT);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "offline");
        assert_eq!(
            json["message"],
            "the service could not be reached: no answer within 5 s"
        );
    }

    #[tokio::test]
    async fn a_production_connection_without_a_key_fails_the_health_check_typed() {
        let f = fixture();
        f.desktop
            .add_connection(ConnectionInput {
                name: "Prod".into(),
                kind: ConnectionKind::Production,
                base_url: None,
                api_key: None,
            })
            .unwrap();
        let err = f
            .desktop
            .check_connection(HEALTH_TIMEOUT)
            .await
            .unwrap_err();
        assert!(matches!(err, DesktopError::MissingApiKey), "{err:?}");
    }

    /// A desktop whose sandbox has not said yet whether it started.
    fn starting() -> (tempfile::TempDir, Arc<FakeFactory>, Arc<Desktop>) {
        let dir = tempfile::tempdir().unwrap();
        let factory = Arc::new(FakeFactory::default());
        let desktop = Desktop::new(
            dir.path().join("connections.json"),
            KeyStore::memory_only("tests"),
            factory.clone(),
        )
        .unwrap();
        (dir, factory, Arc::new(desktop))
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_waits_for_the_sandbox_that_is_starting() {
        let (_dir, factory, desktop) = starting();
        let info = desktop.info().unwrap();
        assert_eq!(info.connections[0].base_url, None, "no URL while it starts");
        assert_eq!(info.sandbox_error, None, "starting is not an error");
        let late = Arc::clone(&desktop);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            late.set_sandbox(Ok(SandboxEndpoint {
                base_url: "http://127.0.0.1:9".into(),
                api_key: ApiKey::new("sbx_localkey5678"),
            }));
        });
        let before = tokio::time::Instant::now();
        desktop.list_subscriptions().await.unwrap();
        assert!(before.elapsed() >= Duration::from_millis(300));
        assert_eq!(
            factory.connects.lock().unwrap()[0],
            ("http://127.0.0.1:9".to_owned(), Some("5678".to_owned()))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_sandbox_that_never_starts_is_a_typed_error_after_the_wait() {
        let (_dir, factory, desktop) = starting();
        let before = tokio::time::Instant::now();
        let err = desktop.list_subscriptions().await.unwrap_err();
        assert!(matches!(err, DesktopError::SandboxUnavailable), "{err:?}");
        assert_eq!(before.elapsed(), SANDBOX_WAIT);
        assert_eq!(serde_json::to_value(&err).unwrap()["kind"], "sandbox");
        assert!(factory.connects.lock().unwrap().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_sandbox_that_failed_to_start_fails_at_once() {
        let (_dir, _factory, desktop) = starting();
        let waiting = Arc::clone(&desktop);
        let request = tokio::spawn(async move { waiting.list_subscriptions().await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        desktop.set_sandbox(Err("port in use".into()));
        let before = tokio::time::Instant::now();
        let err = request.await.unwrap().unwrap_err();
        assert!(matches!(err, DesktopError::SandboxUnavailable), "{err:?}");
        assert!(before.elapsed() < Duration::from_millis(10));
    }

    #[tokio::test]
    async fn create_returns_the_generated_secret_only_when_generated() {
        let f = fixture();
        let made = f
            .desktop
            .create_subscription(&form("ERP", "https://erp.example.com/hook", None))
            .await
            .unwrap();
        assert_eq!(
            made.generated_secret.as_deref(),
            Some("whsec_generated0123456789abcdef01234567")
        );
        assert_eq!(made.subscription.events, ["nfe.processada"]);
        let own = f
            .desktop
            .create_subscription(&form(
                "B",
                "https://b.example.com/h",
                Some("whsec_mine_0123456789"),
            ))
            .await
            .unwrap();
        assert!(own.generated_secret.is_none());
        // The list never carries secrets.
        let rows = serde_json::to_string(&f.desktop.list_subscriptions().await.unwrap()).unwrap();
        assert!(!rows.contains("whsec_"), "{rows}");
    }

    #[tokio::test]
    async fn invalid_form_is_refused_locally_with_core_codes() {
        let f = fixture();
        let bad = SubscriptionForm {
            events: vec![],
            ..form(" ", "ftp://x", None)
        };
        let err = f.desktop.create_subscription(&bad).await.unwrap_err();
        let DesktopError::Validation { fields, .. } = err else {
            panic!("expected validation, got {err:?}")
        };
        assert_eq!(fields["name"], ["blank"]);
        assert_eq!(fields["url"], ["unsupported_scheme"]);
        assert_eq!(fields["events"], ["no_events"]);
        assert!(
            f.factory.api.calls.lock().unwrap().is_empty(),
            "nothing sent"
        );
    }

    #[test]
    fn http_urls_warn_but_pass() {
        let f = fixture();
        let check = f
            .desktop
            .validate_subscription(&form("x", "http://127.0.0.1:8080/h", None));
        assert!(check.errors.is_empty());
        assert_eq!(check.warnings, ["insecureUrl"]);
        let check = f
            .desktop
            .validate_subscription(&form("x", "https://a.b/h", None));
        assert!(check.warnings.is_empty());
    }

    #[tokio::test]
    async fn conflict_passes_through_typed() {
        let f = fixture();
        let a = form("A", "https://same.example.com/h", None);
        f.desktop.create_subscription(&a).await.unwrap();
        let err = f.desktop.create_subscription(&a).await.unwrap_err();
        assert_eq!(err.kind(), "conflict");
    }

    #[tokio::test]
    async fn update_toggle_reveal_delete() {
        let f = fixture();
        let made = f
            .desktop
            .create_subscription(&form(
                "A",
                "https://a.example.com/h",
                Some("whsec_abcdefghijklmnop"),
            ))
            .await
            .unwrap();
        let id = made.subscription.id;
        let view = f
            .desktop
            .update_subscription(
                &id,
                &form("A2", "https://a2.example.com/h", Some("ignored")),
            )
            .await
            .unwrap();
        assert_eq!(view.row.name, "A2");
        assert_eq!(view.secret_mask, "whsec_••••••••mnop");
        assert_eq!(view.nfe_chaves.len(), 1);
        // The update sends every form field but never a secret.
        let calls = f.factory.api.calls.lock().unwrap().clone();
        let update = calls.iter().find(|c| c.starts_with("update")).unwrap();
        assert!(
            update.contains(r#""name":"A2""#) && !update.contains("secret"),
            "{update}"
        );

        f.desktop.set_subscription_active(&id, false).await.unwrap();
        assert!(!f.desktop.get_subscription(&id).await.unwrap().row.is_active);
        assert_eq!(
            f.desktop.reveal_secret(&id).await.unwrap(),
            "whsec_abcdefghijklmnop"
        );
        f.desktop.delete_subscription(&id).await.unwrap();
        assert_eq!(
            f.desktop.get_subscription(&id).await.unwrap_err().kind(),
            "notFound"
        );
    }

    #[tokio::test]
    async fn production_needs_a_key_kept_out_of_the_settings_file() {
        let f = fixture();
        let view = f
            .desktop
            .add_connection(ConnectionInput {
                name: "ValidaNFe".into(),
                kind: ConnectionKind::Production,
                base_url: None,
                api_key: None,
            })
            .unwrap();
        assert!(!view.key_set);
        let err = f.desktop.list_subscriptions().await.unwrap_err();
        assert!(matches!(err, DesktopError::MissingApiKey));

        let view = f
            .desktop
            .update_connection(
                &view.id,
                ConnectionUpdate {
                    api_key: Some(" prod-key-SECRET-9876 ".into()),
                    ..ConnectionUpdate::default()
                },
            )
            .unwrap();
        assert!(view.key_set);
        assert_eq!(view.key_last4.as_deref(), Some("9876"));
        f.desktop.list_subscriptions().await.unwrap();
        assert_eq!(
            f.factory.connects.lock().unwrap().last().unwrap(),
            &(PRODUCTION_BASE_URL.to_owned(), Some("9876".to_owned()))
        );
        assert_eq!(
            f.chain.entries.lock().unwrap()[&view.id],
            "prod-key-SECRET-9876"
        );
        let file = std::fs::read_to_string(&f.path).unwrap();
        assert!(
            file.contains("ValidaNFe") && !file.contains("SECRET"),
            "{file}"
        );
        let info = serde_json::to_string(&f.desktop.info().unwrap()).unwrap();
        assert!(!info.contains("SECRET"), "{info}");

        // A new app instance finds the connection active and the key in the keychain.
        let again = Desktop::new(
            f.path.clone(),
            KeyStore::detect(Box::new(f.chain.clone())),
            f.factory.clone(),
        )
        .unwrap();
        let info = again.info().unwrap();
        assert_eq!(info.active_id, view.id);
        assert_eq!(info.connections[1].key_last4.as_deref(), Some("9876"));

        f.desktop.remove_connection(&view.id).unwrap();
        assert!(f.chain.entries.lock().unwrap().is_empty());
        assert_eq!(f.desktop.info().unwrap().active_id, SANDBOX_ID);
    }

    #[test]
    fn custom_connections_check_their_url_and_the_sandbox_is_fixed() {
        let f = fixture();
        let err = f
            .desktop
            .add_connection(ConnectionInput {
                name: "Hml".into(),
                kind: ConnectionKind::Custom,
                base_url: Some("hml.example.com".into()),
                api_key: None,
            })
            .unwrap_err();
        assert_eq!(err.kind(), "connection");
        let ok = f
            .desktop
            .add_connection(ConnectionInput {
                name: "Hml".into(),
                kind: ConnectionKind::Custom,
                base_url: Some("https://hml.example.com/".into()),
                api_key: Some("k-1".into()),
            })
            .unwrap();
        assert_eq!(ok.base_url.as_deref(), Some("https://hml.example.com"));
        f.desktop.select_connection(SANDBOX_ID).unwrap();
        assert!(f.desktop.remove_connection(SANDBOX_ID).is_err());
        assert!(
            f.desktop
                .update_connection(SANDBOX_ID, ConnectionUpdate::default())
                .is_err()
        );
        assert!(f.desktop.select_connection("nope").is_err());
    }
}
