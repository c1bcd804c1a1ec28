//! The Subscriptions API as the shell needs it, behind a trait so the command logic can be
//! tested against any implementation (the real client over HTTP, or a fake in unit tests).

use std::sync::Arc;

use async_trait::async_trait;
use nfehook_core::{NewSubscription, Subscription, SubscriptionDetail, SubscriptionPatch};

use crate::apikey::ApiKey;
use crate::error::Result;

/// The operations of the Subscriptions API used by this screens.
#[async_trait]
pub trait SubscriptionsApi: Send + Sync {
    /// `GET /Webhooks/Subscriptions`.
    async fn list(&self) -> Result<Vec<Subscription>>;
    /// `GET /Webhooks/Subscriptions/{id}`.
    async fn get(&self, id: &str) -> Result<SubscriptionDetail>;
    /// `POST /Webhooks/Subscriptions`.
    async fn create(&self, new: &NewSubscription) -> Result<Subscription>;
    /// `PUT /Webhooks/Subscriptions/{id}` (partial).
    async fn update(&self, id: &str, patch: &SubscriptionPatch) -> Result<()>;
    /// `DELETE /Webhooks/Subscriptions/{id}`.
    async fn delete(&self, id: &str) -> Result<()>;
}

/// Makes an API handle for a base URL and an optional key.
pub trait ApiFactory: Send + Sync {
    /// A handle talking to `base_url` (no trailing slash) with `key`.
    fn connect(&self, base_url: &str, key: Option<&ApiKey>) -> Result<Arc<dyn SubscriptionsApi>>;
}
