//! Deliveries and their attempts as the sandbox reports them (`GET /_sandbox/deliveries`).

use nfehook_core::{Dialect, EventKind, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::clock::{millis_to_secs, timestamp, timestamp_ms};
use crate::store::{DeliveryFilter, DeliveryRow, Status};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
    /// Its webhook (subscription or account webhook) was removed before it was delivered.
    Cancelled,
    /// Found pending past the [delivery horizon](crate::DELIVERY_HORIZON) (the sandbox was
    /// stopped too long): no further attempt is made.
    Expired,
}

/// The name a [`Dialect`] is stored and sent as, back to the dialect.
pub(crate) fn dialect_from_name(name: &str) -> Option<Dialect> {
    [Dialect::Subscription, Dialect::Account]
        .into_iter()
        .find(|dialect| dialect.as_str() == name)
}

/// Serde of a [`Dialect`] as its name (`"subscription"`, `"account"`); the core type has none.
pub(crate) mod dialect_serde {
    use nfehook_core::Dialect;
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands the field by reference
    pub(crate) fn serialize<S: Serializer>(
        dialect: &Dialect,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(dialect.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Dialect, D::Error> {
        let name = String::deserialize(deserializer)?;
        super::dialect_from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown dialect `{name}`; expected subscription or account"
            ))
        })
    }

    /// The same for an optional dialect (absent or null is `None`).
    pub(crate) mod option {
        use nfehook_core::Dialect;
        use serde::{Deserialize, Deserializer, Serializer};

        // serde's `with` hands the field by reference
        #[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
        pub(crate) fn serialize<S: Serializer>(
            dialect: &Option<Dialect>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match dialect {
                Some(dialect) => serializer.serialize_str(dialect.as_str()),
                None => serializer.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Dialect>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                None => Ok(None),
                Some(name) => super::super::dialect_from_name(&name)
                    .map(Some)
                    .ok_or_else(|| {
                        serde::de::Error::custom(format!(
                            "unknown dialect `{name}`; expected subscription or account"
                        ))
                    }),
            }
        }
    }
}

impl From<Status> for DeliveryStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Pending => DeliveryStatus::Pending,
            Status::Delivered => DeliveryStatus::Delivered,
            Status::Failed => DeliveryStatus::Failed,
            Status::Cancelled => DeliveryStatus::Cancelled,
            Status::Expired => DeliveryStatus::Expired,
        }
    }
}

impl From<DeliveryStatus> for Status {
    fn from(status: DeliveryStatus) -> Self {
        match status {
            DeliveryStatus::Pending => Status::Pending,
            DeliveryStatus::Delivered => Status::Delivered,
            DeliveryStatus::Failed => Status::Failed,
            DeliveryStatus::Cancelled => Status::Cancelled,
            DeliveryStatus::Expired => Status::Expired,
        }
    }
}

/// Where an attempt stands. An attempt is recorded `in_flight` before it is sent, and its
/// outcome is written over it when it ends, so the history never shows fewer requests than the
/// receiver got.
///
/// ```
/// use nfehook_sandbox::AttemptOutcome;
/// assert!(!AttemptOutcome::InFlight.is_finished());
/// assert!(AttemptOutcome::Interrupted.is_finished());
/// assert_eq!(serde_json::to_string(&AttemptOutcome::InFlight).unwrap(), r#""in_flight""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// Sent (or being sent); no answer yet.
    InFlight,
    /// The receiver answered 2xx.
    Succeeded,
    /// Another status, a connection error or no answer in time (see `error`).
    Failed,
    /// The sandbox stopped while it was in flight: the receiver may have got it. The delivery's
    /// next attempt sends it again.
    Interrupted,
}

impl AttemptOutcome {
    /// Whether the attempt has ended (every outcome but [`InFlight`](Self::InFlight)).
    #[must_use]
    pub fn is_finished(self) -> bool {
        self != AttemptOutcome::InFlight
    }

    /// The name it is stored and sent as (`in_flight`, `succeeded`, `failed`, `interrupted`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::InFlight => "in_flight",
            AttemptOutcome::Succeeded => "succeeded",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Interrupted => "interrupted",
        }
    }

    /// The outcome stored as `name`; the schema admits no other, and an unknown one reads as
    /// `interrupted` (the attempt's end was never recorded).
    pub(crate) fn parse(name: &str) -> Self {
        [
            AttemptOutcome::InFlight,
            AttemptOutcome::Succeeded,
            AttemptOutcome::Failed,
            AttemptOutcome::Interrupted,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == name)
        .unwrap_or(AttemptOutcome::Interrupted)
    }
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When the request was sent.
    pub started_at: Timestamp,
    /// Where it stands: in flight until its outcome is recorded.
    pub outcome: AttemptOutcome,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Time until the answer (or the failure), in milliseconds; 0 while in flight or when
    /// interrupted.
    pub latency_ms: u64,
    /// Why the attempt failed or was interrupted (`receiver answered HTTP 500`, `no answer
    /// within 30000 ms`, ...); `None` while in flight and when it succeeded.
    pub error: Option<String>,
}

/// A delivery: one event for one subscription or for the account webhook, with every attempt
/// made so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Delivery id: the `id` inside a subscription body; account bodies carry no id.
    pub id: String,
    /// Which webhook it goes to.
    #[serde(with = "dialect_serde")]
    pub dialect: Dialect,
    /// The subscription it is for (it may have been deleted since); `None` for the account
    /// webhook.
    pub subscription_id: Option<String>,
    /// The URL it is sent to (the webhook's URL when it was created).
    pub url: String,
    /// The event.
    pub event: EventKind,
    /// The NF-e key of the event.
    pub nfe_chave: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts finished so far (an interrupted one included); one in flight is listed in
    /// `attempts` but not counted here.
    pub attempts_made: u32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// When the event was triggered.
    pub created_at: Timestamp,
    /// When it was delivered, given up or cancelled.
    pub completed_at: Option<Timestamp>,
    /// The exact body sent (and signed) on every attempt.
    pub payload: Box<RawValue>,
    /// Attempts, first to last; the last may be in flight.
    pub attempts: Vec<Attempt>,
}

/// Which deliveries to list; the default lists them all, newest first.
///
/// ```
/// use nfehook_sandbox::{DeliveryQuery, DeliveryStatus, Dialect};
/// let query = DeliveryQuery { status: Some(DeliveryStatus::Pending), ..DeliveryQuery::default() };
/// assert!(query.subscription_id.is_none());
/// let account = DeliveryQuery { dialect: Some(Dialect::Account), limit: Some(50), ..DeliveryQuery::default() };
/// assert!(account.status.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryQuery {
    /// Only deliveries of this dialect (to subscriptions, or to the account webhook).
    #[serde(default, with = "dialect_serde::option")]
    pub dialect: Option<Dialect>,
    /// Only deliveries to this subscription.
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// Only deliveries in this state.
    #[serde(default)]
    pub status: Option<DeliveryStatus>,
    /// At most this many, the newest; all when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

impl DeliveryQuery {
    pub(crate) fn filter(&self) -> DeliveryFilter {
        DeliveryFilter {
            dialect: self.dialect,
            subscription_id: self
                .subscription_id
                .as_ref()
                .map(|id| id.to_ascii_lowercase()),
            status: self.status.map(Into::into),
            id: None,
            limit: self.limit,
        }
    }
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        let payload = RawValue::from_string(row.body)
            .unwrap_or_else(|_| RawValue::from_string("null".to_owned()).expect("null is JSON"));
        Delivery {
            id: row.id,
            dialect: row.dialect,
            subscription_id: row.subscription_id,
            url: row.url,
            event: EventKind::from_name(&row.event),
            nfe_chave: row.nfe_chave,
            status: row.status.into(),
            attempts_made: row.attempts_made,
            next_attempt_at: timestamp_ms(row.next_attempt_at),
            created_at: timestamp(millis_to_secs(row.created_at)),
            completed_at: timestamp_ms(row.completed_at),
            payload,
            attempts: row
                .attempts
                .into_iter()
                .map(|a| Attempt {
                    number: a.number,
                    started_at: timestamp(millis_to_secs(a.started_at)),
                    outcome: a.outcome,
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    error: a.error,
                })
                .collect(),
        }
    }
}
