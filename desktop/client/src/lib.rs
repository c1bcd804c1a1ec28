#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api_key;
mod client;
mod error;
mod error_body;
mod retry;
#[cfg(feature = "sandbox")]
mod sandbox;

pub use api_key::ApiKey;
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
};
pub use error::{ApiError, Result};
pub use retry::RetryPolicy;
#[cfg(feature = "sandbox")]
pub use sandbox::{SandboxClient, SandboxTest};

/// The `nfehook-core` models this client speaks, re-exported for convenience.
pub use nfehook_core::{
    ChaveAcesso, EventKind, NewSubscription, Secret, Subscription, SubscriptionDetail,
    SubscriptionPatch,
};
