#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod account;
mod api;
mod api_key;
mod clock;
pub mod command;
mod config;
mod deliver;
mod delivery;
mod dispatcher;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod openapi;
mod rate_limit;
mod reply;
mod sample;
mod sandbox;
mod sandbox_api;
mod secret;
mod server;
mod state;
mod store;
mod trigger;
mod validation;

pub use account::{AccountWebhook, AccountWebhookRequest};
pub use clock::{Clock, ManualClock};
pub use config::{DELIVERY_HORIZON, DispatchConfig, RateLimit, Storage};
pub use deliver::DeliverRequest;
pub use delivery::{Attempt, AttemptOutcome, Delivery, DeliveryQuery, DeliveryStatus};
pub use error::{Result, SandboxError};
/// Which webhook a delivery goes to (re-exported from `nfehook-core`, where its body shape and
/// signature header are defined).
pub use nfehook_core::Dialect;
pub use sandbox::{DEFAULT_BIND, RunningSandbox, Sandbox, SandboxBuilder};
pub use secret::{generate_api_key, generate_secret};
pub use trigger::{TriggerRequest, Triggered, TriggeredDelivery};
