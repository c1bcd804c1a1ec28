//! What every request handler shares.

use std::sync::Arc;

use crate::api_key::ApiKey;
use crate::clock::Clock;
use crate::dispatcher::DispatcherHandle;
use crate::rate_limit::RateLimiter;
use crate::store::Store;

/// Shared state of the HTTP server.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub dispatcher: DispatcherHandle,
    pub api_key: ApiKey,
    pub rate_limiter: Option<Arc<RateLimiter>>,
    pub clock: Clock,
}
