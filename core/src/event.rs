//! The delivery bodies of ValidaNFe webhooks in both dialects, read into one event model, and
//! their verification: signature, then JSON, then the replay window.
//!
//! ValidaNFe delivers in two dialects (spec sections 2 and 5): the *subscription* dialect
//! (`{"id","event","timestamp","data":{"nfeChave",...}}`, header `X-Webhook-Signature`) and the
//! *account* dialect (`{"evento","timestamp","dados":{"chave_nfe",...}}`, header
//! `X-ValidaNFe-Signature`). [`verify_event`] and [`Event::from_json`] accept both and give an
//! [`Event`] that says which one it came in.
//!
//! ```
//! use nfehook_core::{sign, verify_event, Dialect, EventKind, Verifier};
//!
//! let body = br#"{"id":"d-1","event":"nfe.cancelada","timestamp":"2024-03-10T16:45:30Z",
//!   "data":{"nfeChave":"52060433009911002506550120000007800267301615","status":"cancelada",
//!   "emitente":{"cnpj":"33009911002506","razaoSocial":"Empresa Exemplo LTDA"},
//!   "valor":1500.00,"dataEmissao":"2024-03-10T15:30:45Z"}}"#;
//! let header = sign("whsec_abc", body);
//! let now = 1_710_089_130 + 60; // one minute after the event
//! let event = verify_event(&Verifier::new("whsec_abc").unwrap(), body, &header, now, 300).unwrap();
//! assert_eq!(event.event, EventKind::Cancelada);
//! assert_eq!(event.dialect(), Dialect::Subscription);
//! assert_eq!(event.data.valor().unwrap().as_str(), "1500.00");
//! assert_eq!(event.data.chave().unwrap().uf().sigla(), "GO");
//!
//! let body = r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z",
//!   "dados":{"chave_nfe":"52060433009911002506550120000007800267301615",
//!   "erro_codigo":"404","erro_mensagem":"NF-e não encontrada"}}"#.as_bytes();
//! let header = sign("whsec_abc", body);
//! let event = verify_event(&Verifier::new("whsec_abc").unwrap(), body, &header, now, 300).unwrap();
//! assert_eq!(event.event, EventKind::ConsultaErro);
//! assert_eq!(event.dialect(), Dialect::Account);
//! assert!(event.id.starts_with("sha256:")); // no `id` in the body: a digest of it
//! ```

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use core::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use sha2::{Digest, Sha256};

use crate::account::AccountEventData;
use crate::chave::{ChaveAcesso, ChaveError};
use crate::header::SignatureError;
use crate::signature::VerifySignature;
use crate::timestamp::Timestamp;

/// The spec's symmetric replay window, for [`verify_event`]: deliveries older or newer than 5
/// minutes are refused. Receivers of retried deliveries want [`Window::RECEIVER`] instead.
///
/// ```
/// assert_eq!(nfehook_core::DEFAULT_TOLERANCE_SECS, 300);
/// ```
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// How far an event's `timestamp` may lie behind and ahead of the receiver's clock.
///
/// The two sides protect against different things. Every attempt of a delivery repeats the
/// event's `timestamp`, so the past side must cover the sender's whole retry horizon or a
/// genuine retry is refused as stale; the future side only absorbs clock skew. A duplicate
/// guard that remembers ids for longer than the past side makes a replay inside the window a
/// duplicate, and one after it is refused here.
///
/// ```
/// use nfehook_core::Window;
/// assert_eq!(Window::RECEIVER, Window { past_secs: 3600, future_secs: 300 });
/// assert_eq!(Window::symmetric(300), Window { past_secs: 300, future_secs: 300 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// How old an event may be, in seconds.
    pub past_secs: u64,
    /// How far ahead of the clock an event may be, in seconds.
    pub future_secs: u64,
}

impl Window {
    /// The receivers' default (the npm package, the inspector): an hour back, far past any
    /// sender's three attempts with backoff and a restart; five minutes ahead.
    pub const RECEIVER: Window = Window {
        past_secs: 3600,
        future_secs: 300,
    };

    /// The same tolerance on both sides.
    #[must_use]
    pub const fn symmetric(tolerance_secs: u64) -> Window {
        Window {
            past_secs: tolerance_secs,
            future_secs: tolerance_secs,
        }
    }

    /// Checks `timestamp` lies within this window of `now_unix`, as [`verify_event_within`]
    /// does after the signature and the JSON.
    ///
    /// # Errors
    /// [`EventError::TimestampTooOld`] or [`EventError::TimestampInFuture`], with the
    /// tolerance of its side.
    ///
    /// ```
    /// use nfehook_core::{Timestamp, Window};
    /// let produced = Timestamp::from_unix(1_000_000);
    /// assert!(Window::RECEIVER.check(produced, 1_000_000 + 3600).is_ok());
    /// assert_eq!(Window::RECEIVER.check(produced, 1_000_000 - 301).unwrap_err().code(), "timestamp_in_future");
    /// ```
    pub fn check(self, timestamp: Timestamp, now_unix: i64) -> Result<(), EventError> {
        check_window(timestamp, now_unix, self)
    }
}

/// The dialect a delivery came in: which body shape and which signature header.
///
/// ```
/// use nfehook_core::{Dialect, EventKind};
/// assert_eq!(Dialect::Account.as_str(), "account");
/// assert_eq!(Dialect::Account.signature_header(), "X-ValidaNFe-Signature");
/// assert_eq!(Dialect::Subscription.events()[0], EventKind::Processada);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// A subscription of the Subscriptions API (spec sections 1–3): `id`, `event`, `data`.
    Subscription,
    /// The account webhook of the admin panel (spec section 5): `evento`, `dados`.
    Account,
}

impl Dialect {
    /// `"subscription"` or `"account"`.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Dialect::Subscription.as_str(), "subscription");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Subscription => "subscription",
            Self::Account => "account",
        }
    }

    /// The events documented for this dialect.
    ///
    /// ```
    /// use nfehook_core::{Dialect, EventKind};
    /// assert_eq!(Dialect::Account.events(), &EventKind::ACCOUNT);
    /// ```
    #[must_use]
    pub const fn events(self) -> &'static [EventKind; 3] {
        match self {
            Self::Subscription => &EventKind::SUBSCRIPTION,
            Self::Account => &EventKind::ACCOUNT,
        }
    }

    /// The header ValidaNFe sends this dialect's signature in (a receiver reads either, see
    /// [`crate::header::signature_header`]).
    ///
    /// ```
    /// assert_eq!(nfehook_core::Dialect::Subscription.signature_header(), nfehook_core::SIGNATURE_HEADER);
    /// ```
    #[must_use]
    pub const fn signature_header(self) -> &'static str {
        match self {
            Self::Subscription => crate::signature::SIGNATURE_HEADER,
            Self::Account => crate::header::ACCOUNT_SIGNATURE_HEADER,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of event, of either dialect. Names the service adds later are kept as
/// [`EventKind::Unknown`].
///
/// ```
/// use nfehook_core::{Dialect, EventKind};
/// assert_eq!(EventKind::from_name("nfe.erro"), EventKind::Erro);
/// assert_eq!(EventKind::from_name("guarda.upload.concluido").dialect(), Some(Dialect::Account));
/// assert_eq!(EventKind::from_name("nfe.denegada"), EventKind::Unknown("nfe.denegada".into()));
/// assert_eq!(EventKind::Processada.as_str(), "nfe.processada");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// `nfe.processada` (subscription): processed and validated.
    Processada,
    /// `nfe.cancelada` (subscription): officially cancelled.
    Cancelada,
    /// `nfe.erro` (subscription): processing failed.
    Erro,
    /// `nfe.consulta.concluida` (account): an NF-e query finished successfully.
    ConsultaConcluida,
    /// `nfe.consulta.erro` (account): an NF-e query failed.
    ConsultaErro,
    /// `guarda.upload.concluido` (account): the NF-e was stored in GuardaNFe.
    GuardaUploadConcluido,
    /// Any other name, kept as sent.
    Unknown(String),
}

impl EventKind {
    /// The events of the Subscriptions API (spec section 3): what a subscription's `events`
    /// may list.
    ///
    /// ```
    /// assert_eq!(nfehook_core::EventKind::SUBSCRIPTION.len(), 3);
    /// ```
    pub const SUBSCRIPTION: [EventKind; 3] = [Self::Processada, Self::Cancelada, Self::Erro];

    /// The events of the account webhook (spec section 5).
    ///
    /// ```
    /// assert_eq!(nfehook_core::EventKind::ACCOUNT[2].as_str(), "guarda.upload.concluido");
    /// ```
    pub const ACCOUNT: [EventKind; 3] = [
        Self::ConsultaConcluida,
        Self::ConsultaErro,
        Self::GuardaUploadConcluido,
    ];

    /// Every event the service documents, the subscription dialect's then the account
    /// webhook's: the one list the npm package's `EVENT_NAMES` and every message naming the
    /// known events are made from.
    ///
    /// ```
    /// use nfehook_core::EventKind;
    /// assert_eq!(EventKind::KNOWN[..3], EventKind::SUBSCRIPTION);
    /// assert_eq!(EventKind::KNOWN[3..], EventKind::ACCOUNT);
    /// ```
    pub const KNOWN: [EventKind; 6] = [
        Self::Processada,
        Self::Cancelada,
        Self::Erro,
        Self::ConsultaConcluida,
        Self::ConsultaErro,
        Self::GuardaUploadConcluido,
    ];

    /// The kind of an event name.
    ///
    /// ```
    /// assert!(nfehook_core::EventKind::from_name("nfe.processada").is_known());
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        match name {
            "nfe.processada" => Self::Processada,
            "nfe.cancelada" => Self::Cancelada,
            "nfe.erro" => Self::Erro,
            "nfe.consulta.concluida" => Self::ConsultaConcluida,
            "nfe.consulta.erro" => Self::ConsultaErro,
            "guarda.upload.concluido" => Self::GuardaUploadConcluido,
            other => Self::Unknown(other.to_string()),
        }
    }

    /// The event name (`"nfe.processada"`).
    ///
    /// ```
    /// assert_eq!(nfehook_core::EventKind::Cancelada.as_str(), "nfe.cancelada");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Processada => "nfe.processada",
            Self::Cancelada => "nfe.cancelada",
            Self::Erro => "nfe.erro",
            Self::ConsultaConcluida => "nfe.consulta.concluida",
            Self::ConsultaErro => "nfe.consulta.erro",
            Self::GuardaUploadConcluido => "guarda.upload.concluido",
            Self::Unknown(name) => name,
        }
    }

    /// The `data.status` a subscription delivery of this event carries (`"processada"`): the
    /// part of the name after `nfe.`. Account deliveries carry their own `status` (e.g.
    /// `autorizada`), not derived from the name.
    ///
    /// ```
    /// assert_eq!(nfehook_core::EventKind::Erro.status(), "erro");
    /// ```
    #[must_use]
    pub fn status(&self) -> &str {
        let name = self.as_str();
        name.strip_prefix("nfe.").unwrap_or(name)
    }

    /// The dialect the service documents this event in; `None` for unknown events.
    ///
    /// ```
    /// use nfehook_core::{Dialect, EventKind};
    /// assert_eq!(EventKind::Erro.dialect(), Some(Dialect::Subscription));
    /// assert_eq!(EventKind::from_name("x").dialect(), None);
    /// ```
    #[must_use]
    pub const fn dialect(&self) -> Option<Dialect> {
        match self {
            Self::Processada | Self::Cancelada | Self::Erro => Some(Dialect::Subscription),
            Self::ConsultaConcluida | Self::ConsultaErro | Self::GuardaUploadConcluido => {
                Some(Dialect::Account)
            }
            Self::Unknown(_) => None,
        }
    }

    /// Whether the service documents this event, in either dialect.
    ///
    /// ```
    /// assert!(!nfehook_core::EventKind::from_name("x").is_known());
    /// assert!(nfehook_core::EventKind::ConsultaErro.is_known());
    /// ```
    #[must_use]
    pub const fn is_known(&self) -> bool {
        self.dialect().is_some()
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Cow::<'de, str>::deserialize(deserializer).map(|name| Self::from_name(&name))
    }
}

/// An amount in BRL kept as the exact decimal text it was sent as (`1500.00` stays `1500.00`).
///
/// Serialises back as a JSON number with the same text. Read it through
/// [`WebhookEvent::from_json`] or `serde_json`; other deserialisers cannot keep the text.
///
/// ```
/// use nfehook_core::Valor;
/// let valor = Valor::parse("1500.00").unwrap();
/// assert_eq!(valor.as_str(), "1500.00");
/// assert_eq!(valor.centavos(), Some(150_000));
/// assert!(Valor::parse("1.500,00").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Valor(String);

/// The text is not a decimal number.
///
/// ```
/// let err = nfehook_core::Valor::parse("abc").unwrap_err();
/// assert_eq!(err.to_string(), "valor is not a decimal number");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValorError;

impl fmt::Display for ValorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("valor is not a decimal number")
    }
}

impl core::error::Error for ValorError {}

impl Valor {
    /// Checks `text` is a JSON decimal number (`-12.5`, `1500.00`, `1e3`) and keeps it.
    ///
    /// # Errors
    /// [`ValorError`] for anything else (commas, signs other than a leading `-`, blanks).
    ///
    /// ```
    /// assert!(nfehook_core::Valor::parse("-0.01").is_ok());
    /// assert!(nfehook_core::Valor::parse("01").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ValorError> {
        if is_json_number(text.as_bytes()) {
            Ok(Self(text.to_string()))
        } else {
            Err(ValorError)
        }
    }

    /// The decimal text as received.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Valor::parse("10.5").unwrap().as_str(), "10.5");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The amount in centavos, when it is written with at most two decimals and no exponent
    /// and fits an `i64`.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Valor::parse("10.5").unwrap().centavos(), Some(1050));
    /// assert_eq!(nfehook_core::Valor::parse("0.001").unwrap().centavos(), None);
    /// ```
    #[must_use]
    pub fn centavos(&self) -> Option<i64> {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if frac.len() > 2 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut cents: i64 = 0;
        for b in int
            .bytes()
            .chain(frac.bytes())
            .chain("00"[frac.len()..].bytes())
        {
            cents = cents.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        }
        Some(if negative { -cents } else { cents })
    }
}

impl fmt::Display for Valor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
pub(crate) fn is_json_number(b: &[u8]) -> bool {
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int_len = digits(&mut i);
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

impl Serialize for Valor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Valor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        // Tolerate an amount sent as a JSON string of a decimal; numbers, the usual case, skip
        // the string parse.
        let text = if text.starts_with('"') {
            serde_json::from_str::<Cow<'_, str>>(text).map_err(serde::de::Error::custom)?
        } else {
            Cow::Borrowed(text)
        };
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The issuer as the delivery names it.
///
/// ```
/// let e = nfehook_core::Emitente { cnpj: "12345678000195".into(), razao_social: "Exemplo".into() };
/// assert!(e.parsed_cnpj().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Emitente {
    /// CNPJ as sent (not validated, so a delivery is never lost to a bad document).
    pub cnpj: String,
    /// Company name.
    #[serde(default)]
    pub razao_social: String,
}

impl Emitente {
    /// The CNPJ, validated.
    ///
    /// # Errors
    /// [`crate::DocumentError`] when it is not a valid CNPJ.
    ///
    /// ```
    /// let e = nfehook_core::Emitente { cnpj: "x".into(), razao_social: String::new() };
    /// assert!(e.parsed_cnpj().is_err());
    /// ```
    pub fn parsed_cnpj(&self) -> Result<crate::Cnpj, crate::DocumentError> {
        crate::Cnpj::parse(&self.cnpj)
    }
}

/// The `data` of a delivery.
///
/// `nfeChave` is kept as sent: ValidaNFe's own examples carry keys with wrong check digits, and a
/// receiver should not lose a delivery over that. Read it with [`NfeEventData::chave`].
///
/// ```
/// let data: nfehook_core::NfeEventData =
///     serde_json::from_str(r#"{"nfeChave":"52060433009911002506550120000007800267301615","status":"processada"}"#).unwrap();
/// assert!(data.emitente.is_none());
/// assert_eq!(data.chave().unwrap().numero(), 780);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NfeEventData {
    /// The NF-e access key, as sent.
    pub nfe_chave: String,
    /// `processada`, `cancelada`, `erro` or what the service sends.
    pub status: String,
    /// The issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emitente: Option<Emitente>,
    /// The amount, as its exact decimal text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valor: Option<Valor>,
    /// When the NF-e was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_emissao: Option<Timestamp>,
}

impl NfeEventData {
    /// The access key, parsed and validated.
    ///
    /// # Errors
    /// [`ChaveError`] when `nfe_chave` is not a valid key.
    ///
    /// ```
    /// let data = nfehook_core::NfeEventData {
    ///     nfe_chave: "35170608530528000184550000000154301000771561".into(),
    ///     status: "processada".into(), emitente: None, valor: None, data_emissao: None,
    /// };
    /// assert_eq!(data.chave().unwrap_err().code(), "check_digit");
    /// ```
    pub fn chave(&self) -> Result<ChaveAcesso, ChaveError> {
        ChaveAcesso::parse(&self.nfe_chave)
    }
}

/// One subscription delivery body (spec section 2). Every attempt of a delivery carries the
/// same `id`.
///
/// Receivers read deliveries of either dialect with [`Event`]; this is the body to build when
/// sending a subscription delivery (a sandbox, a test), and to read one known to be of this
/// dialect.
///
/// ```
/// let event = nfehook_core::WebhookEvent::from_json(br#"{"id":"1","event":"nfe.novo",
///   "timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"x","status":"novo"}}"#).unwrap();
/// assert!(!event.event.is_known());
/// assert!(event.to_json().contains(r#""event":"nfe.novo""#));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// Delivery id, the same on every attempt: drop duplicates by it.
    pub id: String,
    /// What happened.
    pub event: EventKind,
    /// When the event was produced (signed, so it bounds replays).
    pub timestamp: Timestamp,
    /// The NF-e the event is about.
    pub data: NfeEventData,
}

/// The body is not a delivery of either dialect.
///
/// ```
/// let err = nfehook_core::Event::from_json(b"{").unwrap_err();
/// assert!(err.to_string().starts_with("invalid payload:"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// Not JSON, or a field missing or of the wrong type: `serde_json`'s message, with line and
    /// column (within `data`/`dados` for their fields).
    Json(String),
    /// Neither `event` (subscription dialect) nor `evento` (account dialect).
    NoEventName,
    /// Both `event` and `evento`: which dialect it is cannot be told.
    BothEventNames,
    /// The dialect's data object (`data` or `dados`) is absent or `null`.
    MissingData {
        /// The dialect the event name says.
        dialect: Dialect,
    },
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid payload: ")?;
        match self {
            Self::Json(message) => f.write_str(message),
            Self::NoEventName => f.write_str(
                "no event name: expected `event` (subscription dialect) or `evento` (account dialect)",
            ),
            Self::BothEventNames => {
                f.write_str("both `event` and `evento`: the body mixes the two dialects")
            }
            Self::MissingData { dialect } => write!(
                f,
                "missing field `{}` ({dialect} dialect)",
                data_field(*dialect)
            ),
        }
    }
}

impl core::error::Error for PayloadError {}

fn json_error(error: &serde_json::Error) -> PayloadError {
    PayloadError::Json(error.to_string())
}

/// The name of a dialect's data object.
const fn data_field(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Subscription => "data",
        Dialect::Account => "dados",
    }
}

impl WebhookEvent {
    /// Reads a subscription delivery body, without checking its signature.
    ///
    /// # Errors
    /// [`PayloadError::Json`] for invalid JSON or a body that is not a subscription delivery.
    ///
    /// ```
    /// assert!(nfehook_core::WebhookEvent::from_json(b"{}").is_err());
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self, PayloadError> {
        serde_json::from_slice(body).map_err(|error| json_error(&error))
    }

    /// The body as JSON, fields in the spec's order.
    ///
    /// ```
    /// let json = r#"{"id":"1","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro","valor":10.50}}"#;
    /// let event = nfehook_core::WebhookEvent::from_json(json.as_bytes()).unwrap();
    /// assert_eq!(event.to_json(), json);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        match serde_json::to_string(self) {
            Ok(json) => json,
            Err(_) => unreachable!("a WebhookEvent always serialises"),
        }
    }
}

/// The dialect's own fields of an [`Event`].
///
/// ```
/// use nfehook_core::{AccountEventData, Dialect, EventData};
/// let data = EventData::Account(AccountEventData::new("k"));
/// assert_eq!(data.dialect(), Dialect::Account);
/// assert_eq!(data.nfe_chave(), "k");
/// assert_eq!(data.status(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventData {
    /// `data` of a subscription delivery.
    Subscription(NfeEventData),
    /// `dados` of an account delivery.
    Account(AccountEventData),
}

impl EventData {
    /// The dialect these fields belong to.
    ///
    /// ```
    /// # use nfehook_core::{AccountEventData, Dialect, EventData};
    /// assert_eq!(EventData::Account(AccountEventData::new("k")).dialect(), Dialect::Account);
    /// ```
    #[must_use]
    pub const fn dialect(&self) -> Dialect {
        match self {
            Self::Subscription(_) => Dialect::Subscription,
            Self::Account(_) => Dialect::Account,
        }
    }

    /// The NF-e access key as sent (`nfeChave` or `chave_nfe`).
    ///
    /// ```
    /// # use nfehook_core::{AccountEventData, EventData};
    /// assert_eq!(EventData::Account(AccountEventData::new("k")).nfe_chave(), "k");
    /// ```
    #[must_use]
    pub fn nfe_chave(&self) -> &str {
        match self {
            Self::Subscription(data) => &data.nfe_chave,
            Self::Account(dados) => &dados.chave_nfe,
        }
    }

    /// The access key, parsed and validated.
    ///
    /// # Errors
    /// [`ChaveError`] when the key is not valid.
    ///
    /// ```
    /// # use nfehook_core::{AccountEventData, EventData};
    /// assert!(EventData::Account(AccountEventData::new("k")).chave().is_err());
    /// ```
    pub fn chave(&self) -> Result<ChaveAcesso, ChaveError> {
        ChaveAcesso::parse(self.nfe_chave())
    }

    /// The status the delivery carries: always in the subscription dialect, for
    /// `nfe.consulta.concluida` in the account dialect.
    ///
    /// ```
    /// # use nfehook_core::{AccountEventData, EventData};
    /// let mut dados = AccountEventData::new("k");
    /// dados.status = Some("autorizada".into());
    /// assert_eq!(EventData::Account(dados).status(), Some("autorizada"));
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<&str> {
        match self {
            Self::Subscription(data) => Some(&data.status),
            Self::Account(dados) => dados.status.as_deref(),
        }
    }

    /// The amount of a subscription delivery, when it has one.
    ///
    /// ```
    /// # use nfehook_core::{AccountEventData, EventData};
    /// assert!(EventData::Account(AccountEventData::new("k")).valor().is_none());
    /// ```
    #[must_use]
    pub fn valor(&self) -> Option<&Valor> {
        match self {
            Self::Subscription(data) => data.valor.as_ref(),
            Self::Account(_) => None,
        }
    }
}

/// A delivery of either dialect, read into one model: its id, event name, timestamp and the
/// dialect's fields. Fields neither dialect documents are ignored.
///
/// ```
/// use nfehook_core::{Dialect, Event, EventData, EventKind};
///
/// let body = br#"{"evento":"guarda.upload.concluido","timestamp":"2024-03-10T16:45:30Z",
///   "dados":{"chave_nfe":"52060433009911002506550120000007800267301615","arquivo_id":"a-9",
///   "url_download":"https://api.validanfe.com/GuardaNFe/a-9"}}"#;
/// let event = Event::from_json(body).unwrap();
/// assert_eq!(event.dialect(), Dialect::Account);
/// assert_eq!(event.event, EventKind::GuardaUploadConcluido);
/// assert_eq!(event.id, nfehook_core::event::body_id(body));
/// let EventData::Account(dados) = &event.data else { unreachable!() };
/// assert_eq!(dados.arquivo_id.as_deref(), Some("a-9"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The body's `id` when it has a non-empty one (every attempt of a subscription delivery
    /// carries the same), else [`body_id`] of the signed body: drop duplicates by it.
    pub id: String,
    /// What happened (`event` or `evento`).
    pub event: EventKind,
    /// When the event was produced (signed, so it bounds replays).
    pub timestamp: Timestamp,
    /// The NF-e the event is about, with the dialect's own fields.
    pub data: EventData,
}

/// The fields both dialects are told apart by; the data object is read once the dialect is
/// known, so a field of one dialect's name in the other is ignored like any unknown field.
#[derive(Deserialize)]
struct AnyBody<'a> {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    event: Option<EventKind>,
    #[serde(default)]
    evento: Option<EventKind>,
    timestamp: Timestamp,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
    #[serde(default, borrow)]
    dados: Option<&'a RawValue>,
}

impl Event {
    /// Reads a delivery body of either dialect, without checking its signature. The dialect is
    /// the one its event-name field says: `event` (subscription) or `evento` (account).
    ///
    /// # Errors
    /// [`PayloadError`] for invalid JSON or a body that is not a delivery of either dialect.
    ///
    /// ```
    /// use nfehook_core::{Event, PayloadError};
    /// assert_eq!(
    ///     Event::from_json(br#"{"timestamp":"2024-03-10T16:45:30Z"}"#),
    ///     Err(PayloadError::NoEventName)
    /// );
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self, PayloadError> {
        let any: AnyBody<'_> = serde_json::from_slice(body).map_err(|e| json_error(&e))?;
        let (event, data) = match (any.event, any.evento) {
            (Some(event), None) => {
                let data = read_data(any.data, Dialect::Subscription)?;
                (event, EventData::Subscription(data))
            }
            (None, Some(evento)) => {
                let dados = read_data(any.dados, Dialect::Account)?;
                (evento, EventData::Account(dados))
            }
            (None, None) => return Err(PayloadError::NoEventName),
            (Some(_), Some(_)) => return Err(PayloadError::BothEventNames),
        };
        let id = match any.id {
            Some(id) if !id.is_empty() => id,
            _ => body_id(body),
        };
        Ok(Self {
            id,
            event,
            timestamp: any.timestamp,
            data,
        })
    }

    /// The body of this event in its dialect, as compact JSON: a [`WebhookEvent`] or an
    /// [`AccountEvent`](crate::AccountEvent), the exact bytes to sign when sending it. An account
    /// body carries no `id` (the published examples have none), so reading it back gives the
    /// digest of the new bytes as its id.
    ///
    /// ```
    /// use nfehook_core::{AccountEventData, Event, EventData, EventKind, Timestamp};
    /// let event = Event {
    ///     id: "ignored".into(),
    ///     event: EventKind::ConsultaErro,
    ///     timestamp: Timestamp::parse("2024-03-10T16:45:30Z").unwrap(),
    ///     data: EventData::Account(AccountEventData::new("k")),
    /// };
    /// assert_eq!(
    ///     event.to_json(),
    ///     r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#
    /// );
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        match &self.data {
            EventData::Subscription(data) => WebhookEvent {
                id: self.id.clone(),
                event: self.event.clone(),
                timestamp: self.timestamp,
                data: data.clone(),
            }
            .to_json(),
            EventData::Account(dados) => crate::account::AccountEvent {
                evento: self.event.clone(),
                timestamp: self.timestamp,
                dados: dados.clone(),
            }
            .to_json(),
        }
    }

    /// The dialect the delivery came in.
    ///
    /// ```
    /// let event = nfehook_core::Event::from_json(br#"{"id":"1","event":"nfe.erro",
    ///   "timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro"}}"#).unwrap();
    /// assert_eq!(event.dialect(), nfehook_core::Dialect::Subscription);
    /// ```
    #[must_use]
    pub const fn dialect(&self) -> Dialect {
        self.data.dialect()
    }
}

/// Reads the dialect's data object, with errors located in it.
fn read_data<'de, T: Deserialize<'de>>(
    raw: Option<&'de RawValue>,
    dialect: Dialect,
) -> Result<T, PayloadError> {
    let raw = raw
        .filter(|raw| raw.get() != "null")
        .ok_or(PayloadError::MissingData { dialect })?;
    serde_json::from_str(raw.get()).map_err(|error| {
        PayloadError::Json(alloc::format!("in `{}`: {error}", data_field(dialect)))
    })
}

/// The id of a delivery whose body has none: `sha256:` and the 64 lowercase hex digits of the
/// SHA-256 of the exact body bytes. The same body always gives the same id, and the prefix keeps
/// it apart from any UUID a sender assigns.
///
/// ```
/// let id = nfehook_core::event::body_id(b"");
/// assert_eq!(id, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// ```
#[must_use]
pub fn body_id(body: &[u8]) -> String {
    crate::header::format_hex(
        "sha256:",
        &Sha256::digest(body),
        crate::header::HexCase::Lower,
    )
}

/// Why a delivery was refused by [`verify_event`].
///
/// ```
/// use nfehook_core::{verify_event, EventError, Verifier};
/// let err = verify_event(&Verifier::new("k").unwrap(), b"{}", "", 0, 300).unwrap_err();
/// assert_eq!(err.code(), "missing_signature");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventError {
    /// The signature header is missing, malformed or does not match.
    Signature(SignatureError),
    /// Signed, but not a delivery body of either dialect.
    InvalidPayload(PayloadError),
    /// Produced longer ago than the tolerance.
    TimestampTooOld {
        /// Seconds between the event and now.
        age_secs: u64,
        /// The tolerance applied.
        tolerance_secs: u64,
    },
    /// Produced further in the future than the tolerance (a skewed clock, or a forgery).
    TimestampInFuture {
        /// Seconds the event is ahead of now.
        ahead_secs: u64,
        /// The tolerance applied.
        tolerance_secs: u64,
    },
}

impl EventError {
    /// A stable `snake_case` code: `missing_signature`, `malformed_signature`,
    /// `signature_mismatch`, `invalid_payload`, `timestamp_too_old`, `timestamp_in_future`.
    ///
    /// ```
    /// let err = nfehook_core::EventError::TimestampTooOld { age_secs: 400, tolerance_secs: 300 };
    /// assert_eq!(err.code(), "timestamp_too_old");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Signature(error) => error.code(),
            Self::InvalidPayload(_) => "invalid_payload",
            Self::TimestampTooOld { .. } => "timestamp_too_old",
            Self::TimestampInFuture { .. } => "timestamp_in_future",
        }
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signature(error) => fmt::Display::fmt(error, f),
            Self::InvalidPayload(error) => fmt::Display::fmt(error, f),
            Self::TimestampTooOld {
                age_secs,
                tolerance_secs,
            } => write!(
                f,
                "timestamp too old: produced {age_secs} s ago, tolerance {tolerance_secs} s"
            ),
            Self::TimestampInFuture {
                ahead_secs,
                tolerance_secs,
            } => write!(
                f,
                "timestamp in the future: {ahead_secs} s ahead, tolerance {tolerance_secs} s"
            ),
        }
    }
}

impl core::error::Error for EventError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Signature(error) => Some(error),
            Self::InvalidPayload(error) => Some(error),
            _ => None,
        }
    }
}

impl From<SignatureError> for EventError {
    fn from(error: SignatureError) -> Self {
        Self::Signature(error)
    }
}

/// Verifies and reads a delivery of either dialect: the signature over the raw `body` first,
/// then the JSON ([`Event::from_json`]), then `timestamp` against `now_unix` (the caller's clock)
/// within `tolerance_secs` either way. Find `header` with [`crate::header::signature_header`].
///
/// # Errors
/// [`EventError`], whose [`EventError::code`] says which check failed.
///
/// ```
/// use nfehook_core::{sign, verify_event, KeyRing};
/// let body = br#"{"id":"1","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro"}}"#;
/// let ring = KeyRing::new(["whsec_new", "whsec_old"]).unwrap();
/// let header = sign("whsec_old", body);
/// let late = 1_710_089_130 + 301;
/// assert_eq!(verify_event(&ring, body, &header, late, 300).unwrap_err().code(), "timestamp_too_old");
/// assert!(verify_event(&ring, body, &header, late, 600).is_ok());
/// ```
pub fn verify_event<V: VerifySignature + ?Sized>(
    verifier: &V,
    body: &[u8],
    header: &str,
    now_unix: i64,
    tolerance_secs: u64,
) -> Result<Event, EventError> {
    verify_event_within(
        verifier,
        body,
        header,
        now_unix,
        Window::symmetric(tolerance_secs),
    )
}

/// [`verify_event`] with a different tolerance on each side of the clock.
///
/// # Errors
/// [`EventError`]; a timestamp error carries the tolerance of its own side.
///
/// ```
/// use nfehook_core::{sign, verify_event_within, Verifier, Window};
/// let body = br#"{"id":"1","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro"}}"#;
/// let header = sign("k", body);
/// let produced = 1_710_089_130;
/// let verifier = Verifier::new("k").unwrap();
/// // A retry 50 minutes later is accepted; an event 6 minutes ahead is not.
/// assert!(verify_event_within(&verifier, body, &header, produced + 3000, Window::RECEIVER).is_ok());
/// let ahead = verify_event_within(&verifier, body, &header, produced - 360, Window::RECEIVER);
/// assert_eq!(ahead.unwrap_err().code(), "timestamp_in_future");
/// ```
pub fn verify_event_within<V: VerifySignature + ?Sized>(
    verifier: &V,
    body: &[u8],
    header: &str,
    now_unix: i64,
    window: Window,
) -> Result<Event, EventError> {
    verifier.verify_signature(body, header)?;
    let event = Event::from_json(body).map_err(EventError::InvalidPayload)?;
    check_window(event.timestamp, now_unix, window)?;
    Ok(event)
}

/// Checks `timestamp` lies within `window` of `now_unix`.
fn check_window(timestamp: Timestamp, now_unix: i64, window: Window) -> Result<(), EventError> {
    let age = i128::from(now_unix) - i128::from(timestamp.unix_seconds());
    let saturate = |n: i128| u64::try_from(n).unwrap_or(u64::MAX);
    if age > i128::from(window.past_secs) {
        return Err(EventError::TimestampTooOld {
            age_secs: saturate(age),
            tolerance_secs: window.past_secs,
        });
    }
    if -age > i128::from(window.future_secs) {
        return Err(EventError::TimestampInFuture {
            ahead_secs: saturate(-age),
            tolerance_secs: window.future_secs,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Verifier, sign};

    const SPEC_BODY: &str = r#"{
  "id": "delivery-uuid",
  "event": "nfe.processada",
  "timestamp": "2024-03-10T16:45:30Z",
  "data": {
    "nfeChave": "35170608530528000184550000000154301000771561",
    "status": "processada",
    "emitente": { "cnpj": "12345678000195", "razaoSocial": "Empresa Exemplo LTDA" },
    "valor": 1500.00,
    "dataEmissao": "2024-03-10T15:30:45Z"
  }
}"#;
    const T: i64 = 1_710_089_130;

    #[test]
    fn spec_example_reads_with_exact_valor() {
        let event = WebhookEvent::from_json(SPEC_BODY.as_bytes()).unwrap();
        assert_eq!(event.id, "delivery-uuid");
        assert_eq!(event.event, EventKind::Processada);
        assert_eq!(event.timestamp.unix_seconds(), T);
        let emitente = event.data.emitente.as_ref().unwrap();
        assert_eq!(emitente.razao_social, "Empresa Exemplo LTDA");
        assert_eq!(event.data.valor.as_ref().unwrap().as_str(), "1500.00");
        assert!(event.to_json().contains(r#""valor":1500.00"#));
        // The spec's own key has a wrong check digit: kept, and reported when asked.
        assert_eq!(
            event.data.chave(),
            Err(ChaveError::CheckDigit {
                expected: 9,
                found: 1
            })
        );
    }

    #[test]
    fn round_trip_is_stable() {
        let event = WebhookEvent::from_json(SPEC_BODY.as_bytes()).unwrap();
        let json = event.to_json();
        assert_eq!(WebhookEvent::from_json(json.as_bytes()).unwrap(), event);
    }

    #[test]
    fn valor_as_string_and_invalid_valor() {
        let body = SPEC_BODY.replace("1500.00", "\"1500.10\"");
        let event = WebhookEvent::from_json(body.as_bytes()).unwrap();
        assert_eq!(event.data.valor.unwrap().centavos(), Some(150_010));
        let body = SPEC_BODY.replace("1500.00", "true");
        assert!(WebhookEvent::from_json(body.as_bytes()).is_err());
    }

    #[test]
    fn json_number_grammar() {
        for ok in ["0", "-0", "1500.00", "1e3", "1.5E-2", "-12.5"] {
            assert!(Valor::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1,5", " 1", "NaN"] {
            assert!(Valor::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Valor::parse("-1.5").unwrap().centavos(), Some(-150));
        assert_eq!(Valor::parse("1e3").unwrap().centavos(), None);
    }

    const ACCOUNT_BODY: &str = r#"{"evento":"nfe.consulta.concluida","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"52060433009911002506550120000007800267301615","status":"autorizada","tipo_consulta":"completa"}}"#;

    #[test]
    fn both_dialects_read_into_one_model() {
        let event = Event::from_json(SPEC_BODY.as_bytes()).unwrap();
        assert_eq!(event.dialect(), Dialect::Subscription);
        assert_eq!(event.id, "delivery-uuid");
        assert_eq!(event.data.status(), Some("processada"));
        assert_eq!(event.data.valor().unwrap().as_str(), "1500.00");

        let event = Event::from_json(ACCOUNT_BODY.as_bytes()).unwrap();
        assert_eq!(event.dialect(), Dialect::Account);
        assert_eq!(event.event, EventKind::ConsultaConcluida);
        assert_eq!(event.timestamp.unix_seconds(), T);
        assert_eq!(event.data.chave().unwrap().numero(), 780);
        let EventData::Account(dados) = &event.data else {
            panic!("account data")
        };
        assert_eq!(dados.tipo_consulta.as_deref(), Some("completa"));
    }

    #[test]
    fn the_id_is_the_body_id_or_a_stable_digest() {
        let event = Event::from_json(ACCOUNT_BODY.as_bytes()).unwrap();
        assert_eq!(event.id, body_id(ACCOUNT_BODY.as_bytes()));
        assert_eq!(event.id.len(), "sha256:".len() + 64);
        assert_eq!(
            Event::from_json(ACCOUNT_BODY.as_bytes()).unwrap().id,
            event.id
        );
        let spaced = ACCOUNT_BODY.replace(',', ", ");
        assert_ne!(Event::from_json(spaced.as_bytes()).unwrap().id, event.id);
        // An account body with an id keeps it; an empty or null id falls back to the digest.
        let with_id = ACCOUNT_BODY.replace(r#"{"evento""#, r#"{"id":"a-1","evento""#);
        assert_eq!(Event::from_json(with_id.as_bytes()).unwrap().id, "a-1");
        for id in [r#""""#, "null"] {
            let body = SPEC_BODY.replace(r#""delivery-uuid""#, id);
            assert_eq!(
                Event::from_json(body.as_bytes()).unwrap().id,
                body_id(body.as_bytes())
            );
        }
        let no_id = SPEC_BODY.replace(r#""id": "delivery-uuid","#, "");
        assert!(
            Event::from_json(no_id.as_bytes())
                .unwrap()
                .id
                .starts_with("sha256:")
        );
    }

    #[test]
    fn unknown_fields_and_events_are_kept_apart() {
        // A `data` object in an account body is an unknown field like any other.
        let body = ACCOUNT_BODY.replace(r#""dados""#, r#""data":[1],"novo":{"x":1},"dados""#);
        let event = Event::from_json(body.as_bytes()).unwrap();
        assert_eq!(event.dialect(), Dialect::Account);
        let body = ACCOUNT_BODY.replace("nfe.consulta.concluida", "guarda.download.iniciado");
        let event = Event::from_json(body.as_bytes()).unwrap();
        assert_eq!(
            event.event,
            EventKind::Unknown("guarda.download.iniciado".into())
        );
        assert_eq!(event.dialect(), Dialect::Account);
    }

    #[test]
    fn bodies_of_neither_dialect_are_refused() {
        let refuse = |body: &str| Event::from_json(body.as_bytes()).unwrap_err();
        let ts = r#""timestamp":"2024-03-10T16:45:30Z""#;
        assert_eq!(
            refuse(&alloc::format!("{{{ts}}}")),
            PayloadError::NoEventName
        );
        assert_eq!(
            refuse(&alloc::format!(r#"{{"event":"a","evento":"b",{ts}}}"#)),
            PayloadError::BothEventNames
        );
        let missing = refuse(&alloc::format!(
            r#"{{"evento":"nfe.consulta.erro",{ts},"dados":null}}"#
        ));
        assert_eq!(
            missing,
            PayloadError::MissingData {
                dialect: Dialect::Account
            }
        );
        assert_eq!(
            missing.to_string(),
            "invalid payload: missing field `dados` (account dialect)"
        );
        let no_key = refuse(&alloc::format!(
            r#"{{"evento":"nfe.consulta.erro",{ts},"dados":{{}}}}"#
        ));
        assert!(
            no_key
                .to_string()
                .contains("in `dados`: missing field `chave_nfe`"),
            "{no_key}"
        );
        let no_key = refuse(&alloc::format!(
            r#"{{"id":"1","event":"nfe.erro",{ts},"data":{{"status":"erro"}}}}"#
        ));
        assert!(
            no_key
                .to_string()
                .contains("in `data`: missing field `nfeChave`"),
            "{no_key}"
        );
        assert!(matches!(
            refuse(r#"{"evento":"x","dados":{"chave_nfe":"k"}}"#),
            PayloadError::Json(_)
        ));
        for error in [PayloadError::NoEventName, PayloadError::BothEventNames] {
            assert!(error.to_string().contains("`evento`"));
        }
    }

    #[test]
    fn the_window_applies_to_the_account_dialect() {
        let body = ACCOUNT_BODY.as_bytes();
        let v = Verifier::new("whsec_x").unwrap();
        let header = sign("whsec_x", body);
        let bare = header.trim_start_matches("sha256=");
        assert_eq!(
            verify_event(&v, body, bare, T, 300).unwrap().dialect(),
            Dialect::Account
        );
        assert_eq!(
            verify_event(&v, body, &header, T + 301, 300)
                .unwrap_err()
                .code(),
            "timestamp_too_old"
        );
        assert_eq!(
            verify_event(&v, body, &header, T - 301, 300)
                .unwrap_err()
                .code(),
            "timestamp_in_future"
        );
    }

    #[test]
    fn events_write_back_as_their_dialect_body() {
        let event = Event::from_json(SPEC_BODY.as_bytes()).unwrap();
        assert_eq!(Event::from_json(event.to_json().as_bytes()), Ok(event));
        let event = Event::from_json(ACCOUNT_BODY.as_bytes()).unwrap();
        assert_eq!(event.to_json(), ACCOUNT_BODY);
    }

    #[test]
    fn every_known_event_round_trips_and_has_its_dialect() {
        for dialect in [Dialect::Subscription, Dialect::Account] {
            for kind in dialect.events() {
                assert_eq!(EventKind::from_name(kind.as_str()), *kind);
                assert_eq!(kind.dialect(), Some(dialect));
            }
        }
    }

    #[test]
    fn verify_event_checks_in_order() {
        let body = SPEC_BODY.as_bytes();
        let v = Verifier::new("whsec_x").unwrap();
        let header = sign("whsec_x", body);
        assert!(verify_event(&v, body, &header, T, 300).is_ok());
        assert_eq!(
            verify_event(&v, body, "sha256=00", T, 300)
                .unwrap_err()
                .code(),
            "malformed_signature"
        );
        assert_eq!(
            verify_event(&v, body, &sign("other", body), T, 300)
                .unwrap_err()
                .code(),
            "signature_mismatch"
        );
        let junk = b"not json";
        assert_eq!(
            verify_event(&v, junk, &sign("whsec_x", junk), T, 300)
                .unwrap_err()
                .code(),
            "invalid_payload"
        );
        assert_eq!(
            verify_event(&v, body, &header, T + 301, 300),
            Err(EventError::TimestampTooOld {
                age_secs: 301,
                tolerance_secs: 300
            })
        );
        assert_eq!(
            verify_event(&v, body, &header, T - 301, 300),
            Err(EventError::TimestampInFuture {
                ahead_secs: 301,
                tolerance_secs: 300
            })
        );
        assert!(verify_event(&v, body, &header, T + 300, 300).is_ok());
        assert!(verify_event(&v, body, &header, T - 300, 300).is_ok());
        assert!(verify_event(&v, body, &header, i64::MIN, u64::MAX).is_ok());
    }
}
