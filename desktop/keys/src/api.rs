//! What the import needs from the Subscriptions API, as a trait, so that it runs against the
//! real client, the sandbox through the client, or a fake in tests.

use std::future::Future;

use nfehook_client::{ApiError, Client};
use nfehook_core::ChaveAcesso;

/// Adds one NF-e key to a subscription.
///
/// Implemented for [`nfehook_client::Client`]; `Ok` means the service answered 2xx, and
/// errors keep the client's meaning (`Conflict` for a key already there, `RateLimited` with
/// the service's `Retry-After`).
pub trait KeyApi: Send + Sync + 'static {
    /// `POST /Webhooks/Subscriptions/{id}/NFe-Chaves` with `chave`.
    fn add_chave(
        &self,
        subscription_id: &str,
        chave: ChaveAcesso,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

impl KeyApi for Client {
    async fn add_chave(&self, subscription_id: &str, chave: ChaveAcesso) -> Result<(), ApiError> {
        Client::add_chave(self, subscription_id, chave.as_str())
            .await
            .map(|_| ())
    }
}
