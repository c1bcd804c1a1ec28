//! Test doubles shared by the unit tests: an in-memory Subscriptions API and its factory.

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
