//! Test doubles shared by the unit tests: an in-memory Subscriptions API and its factory, and
//! the app on Tauri's mock runtime for driving commands through IPC.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use nfehook_core::{
    NewSubscription, Secret, Subscription, SubscriptionDetail, SubscriptionPatch, Timestamp,
};

use crate::api::{ApiFactory, SubscriptionsApi};
use crate::apikey::ApiKey;
use crate::error::{DesktopError, Result};

/// Subscriptions in a vector, with the service's URL-uniqueness rule (409).
#[derive(Default)]
pub(crate) struct FakeApi {
    pub(crate) subs: Mutex<Vec<Subscription>>,
    pub(crate) calls: Mutex<Vec<String>>,
}

impl FakeApi {
    fn call(&self, what: impl Into<String>) {
        self.calls.lock().unwrap().push(what.into());
    }

    fn find(&self, id: &str) -> Result<Subscription> {
        self.subs
            .lock()
            .unwrap()
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or(DesktopError::NotFound { message: None })
    }
}

#[async_trait]
impl SubscriptionsApi for FakeApi {
    async fn list(&self) -> Result<Vec<Subscription>> {
        self.call("list");
        Ok(self.subs.lock().unwrap().clone())
    }

    async fn get(&self, id: &str) -> Result<SubscriptionDetail> {
        self.call(format!("get {id}"));
        let s = self.find(id)?;
        Ok(SubscriptionDetail {
            id: s.id,
            name: s.name,
            url: s.url,
            is_active: s.is_active,
            events: s.events,
            secret: s.secret,
            created_at: s.created_at,
            last_delivery_at: s.last_delivery_at,
            nfe_chaves: vec!["35170608530528000184550000000154301000771561".into()],
        })
    }

    async fn create(&self, new: &NewSubscription) -> Result<Subscription> {
        self.call("create");
        let mut subs = self.subs.lock().unwrap();
        if subs.iter().any(|s| s.url == new.url) {
            return Err(DesktopError::Conflict {
                message: Some("URL already registered".into()),
            });
        }
        let sub = Subscription {
            id: format!("id-{}", subs.len() + 1),
            name: new.name.clone(),
            url: new.url.clone(),
            is_active: new.is_active,
            events: new.events.clone(),
            secret: new
                .secret
                .clone()
                .unwrap_or_else(|| Secret::new("whsec_generated0123456789abcdef01234567")),
            created_at: Timestamp::from_unix(1_710_000_000),
            last_delivery_at: None,
            nfe_chaves_count: Some(0),
        };
        subs.push(sub.clone());
        Ok(sub)
    }

    async fn update(&self, id: &str, patch: &SubscriptionPatch) -> Result<()> {
        self.call(format!(
            "update {id} {}",
            serde_json::to_string(patch).unwrap()
        ));
        let mut subs = self.subs.lock().unwrap();
        let s = subs
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or(DesktopError::NotFound { message: None })?;
        if let Some(v) = &patch.name {
            s.name.clone_from(v);
        }
        if let Some(v) = &patch.url {
            s.url.clone_from(v);
        }
        if let Some(v) = &patch.events {
            s.events.clone_from(v);
        }
        if let Some(v) = patch.is_active {
            s.is_active = v;
        }
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<()> {
        self.call(format!("delete {id}"));
        self.find(id)?;
        self.subs.lock().unwrap().retain(|s| s.id != id);
        Ok(())
    }
}

/// Hands out one shared [`FakeApi`] and records every connect (base URL, key's last 4).
#[derive(Default)]
pub(crate) struct FakeFactory {
    pub(crate) api: Arc<FakeApi>,
    pub(crate) connects: Mutex<Vec<(String, Option<String>)>>,
}

impl ApiFactory for FakeFactory {
    fn connect(&self, base_url: &str, key: Option<&ApiKey>) -> Result<Arc<dyn SubscriptionsApi>> {
        self.connects
            .lock()
            .unwrap()
            .push((base_url.to_owned(), key.map(ApiKey::last4)));
        Ok(self.api.clone())
    }
}

/// The app on Tauri's mock runtime (no window, no WebKit), with its real context:
/// tauri.conf.json and capabilities/, so the ACL is exercised.
pub(crate) mod ipc {
    use std::sync::Arc;

    use serde_json::Value;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;
    use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

    use super::FakeFactory;
    use crate::clipboard::tests::FakeClipboard;
    use crate::commands::AppState;
    use crate::tool_commands::ToolsState;
    use crate::tools::Tools;
    use crate::{ApiKey, Desktop, KeyStore, SandboxEndpoint};

    /// `tauri://localhost`, where the app is served from on Linux: the capability's "local" origin.
    pub(crate) const LOCAL: &str = "tauri://localhost";

    pub(crate) struct Harness {
        _app: App<MockRuntime>,
        window: WebviewWindow<MockRuntime>,
        pub(crate) clipboard: Arc<FakeClipboard>,
        _dir: tempfile::TempDir,
    }

    impl Harness {
        /// The tools the commands run on, to set up what a test needs behind them.
        pub(crate) fn tools(&self) -> ToolsState {
            Arc::clone(&self.window.state::<ToolsState>())
        }
    }

    pub(crate) fn harness() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let desktop = Arc::new(
            Desktop::new(
                dir.path().join("connections.json"),
                KeyStore::memory_only("no keychain in tests"),
                Arc::new(FakeFactory::default()),
            )
            .unwrap(),
        );
        // Nothing listens on port 9: calls that need the API fail as offline.
        desktop.set_sandbox(Ok(SandboxEndpoint {
            base_url: "http://127.0.0.1:9".into(),
            api_key: ApiKey::new("sbx_test_key_0000"),
        }));
        let tools = Tools::new(Arc::clone(&desktop), dir.path(), dir.path().join("exports"));
        let clipboard = Arc::new(FakeClipboard::default());
        let app = crate::with_commands(mock_builder())
            .manage(AppState {
                desktop,
                clipboard: clipboard.clone(),
                trace: crate::startup::StartupTrace::new(false),
            })
            .manage::<ToolsState>(Arc::new(tools))
            .build(tauri::generate_context!(test = true))
            .unwrap();
        let window = match app.get_webview_window("main") {
            Some(w) => w,
            None => WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap(),
        };
        Harness {
            _app: app,
            window,
            clipboard,
            _dir: dir,
        }
    }

    /// Invokes `cmd` as a page served from `origin` would.
    pub(crate) fn invoke(
        h: &Harness,
        cmd: &str,
        args: Value,
        origin: &str,
    ) -> Result<Value, Value> {
        get_ipc_response(
            &h.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: origin.parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }
}
