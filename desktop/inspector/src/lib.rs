#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod error;
mod export;
mod guard;
mod proposal;
mod record;
mod replay;
mod sender;
mod server;
mod store;
mod verdict;

pub use config::{MAX_DELAY_MS, NamedSecret, ResponseConfig};
pub use error::{InspectorError, Result};
pub use export::write_jsonl;
pub use proposal::{PROPOSED_CNPJ, propose_chave};
pub use record::{
    Body, EventField, EventSummary, GivenResponse, Header, MAX_PRETTY_BYTES, MAX_PRETTY_DEPTH,
    RecordedRequest,
};
pub use replay::{ReplayError, replay};
pub use sender::{
    MAX_RESPONSE_BODY, MAX_SENT_EXCERPT, SendOutcome, send_signed, test_body, test_event,
};
pub use server::{
    DEFAULT_BODY_LIMIT, DEFAULT_MAX_REQUESTS, Inspector, InspectorBuilder, InspectorEvent,
    RunningInspector,
};
pub use store::{DEFAULT_MAX_HISTORY_BYTES, HISTORY_FILE, read_history};
pub use verdict::{Scheme, Verdict, verify_request};
