#![no_std]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod account;
pub mod chave;
pub mod cnpj;
pub mod cpf;
pub mod delivery_body;
pub mod document;
pub mod event;
pub mod event_ref;
pub mod header;
pub mod modelo;
pub mod nfeio;
pub mod secret;
pub mod signature;
pub mod subscription;
pub mod timestamp;
pub mod uf;

pub use account::{AccountEvent, AccountEventData};
pub use chave::{ChaveAcesso, ChaveError, FaixaSerie, YearMonth};
pub use cnpj::Cnpj;
pub use cpf::Cpf;
pub use delivery_body::{DeliveryBodyError, MAX_DELIVERY_BODY_BYTES, check_delivery_body};
pub use document::{DocumentError, DocumentKind, Documento, InvalidDocument};
pub use event::{
    DEFAULT_TOLERANCE_SECS, Dialect, Emitente, Event, EventData, EventError, EventKind,
    NfeEventData, PayloadError, Valor, ValorError, WebhookEvent, Window, verify_event,
    verify_event_within,
};
pub use header::{
    ACCOUNT_SIGNATURE_HEADER, Algorithm, MalformedReason, SIGNATURE_HEADERS, SignatureError,
    signature_header,
};
pub use modelo::{Modelo, TipoEmissao};
pub use secret::Secret;
pub use signature::{
    KeyRing, SIGNATURE_HEADER, SecretError, Verifier, VerifySignature, sign, verify,
};
pub use subscription::{
    Envelope, ErrorBody, FieldError, FieldProblem, NewSubscription, NfeChaveBody, Subscription,
    SubscriptionDetail, SubscriptionPatch, ValidationErrors, validate_url,
};
pub use timestamp::{Timestamp, TimestampError};
pub use uf::Uf;

/// The Rust example of the workspace's README, compiled and run with this crate's doctests so
/// that it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;
