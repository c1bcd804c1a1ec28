//! A delivery body read in place: the fields of an [`Event`] as the text they are in the body,
//! borrowed, for callers that hand them on without building the owned event (the npm package
//! builds its JavaScript object from the body text it already holds).
//!
//! [`EventRef::from_json`] reads a body in one pass over its bytes, by the rules of
//! [`Event::from_json`] (the same field names, types, `null`s and defaults, the whole body
//! checked to be JSON), and gives the same event through [`EventRef::to_event`]. Where it gives
//! `None`, read the body with [`Event::from_json`]: it says why a body is not a delivery, and it
//! reads the rare forms this reader leaves to it (escaped keys, arrays in place of objects,
//! bytes that are not UTF-8, nesting deeper than 64).
//!
//! ```
//! use nfehook_core::event_ref::{EventRef, Text};
//! use nfehook_core::{Dialect, Event};
//!
//! let body = br#"{"id":"d-1","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z",
//!   "data":{"nfeChave":"52060433009911002506550120000007800267301615","status":"processada",
//!   "valor":1500.00,"emitente":{"cnpj":"33009911002506","razaoSocial":"Casa S\u00e3o Jo\u00e3o"}}}"#;
//! let event = EventRef::from_json(body).unwrap();
//! assert_eq!(event.dialect(), Dialect::Subscription);
//! assert_eq!(event.id, Some(Text::Plain("d-1")));
//! assert!(event.timestamp.is_normal());
//! let data = event.subscription().unwrap();
//! assert_eq!(data.valor, Some(Text::Plain("1500.00")));
//! let razao_social = data.emitente.unwrap().razao_social.unwrap();
//! assert_eq!(razao_social, Text::Escaped(r"Casa S\u00e3o Jo\u00e3o"));
//! assert_eq!(razao_social.value(), "Casa São João");
//! assert_eq!(event.to_event(), Event::from_json(body).unwrap());
//! assert!(EventRef::from_json(br#"{"event":"nfe.erro"}"#).is_none());
//! ```

use alloc::borrow::Cow;
use alloc::string::{String, ToString};

use crate::account::AccountEventData;
use crate::event::{
    Dialect, Emitente, Event, EventData, EventKind, NfeEventData, Valor, body_id, is_json_number,
};
use crate::timestamp::Timestamp;

/// A text field as it lies in the body. [`Text::raw`] is the span of the body it occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text<'a> {
    /// The span is the value: a JSON string's content without escapes, or the exact text of a
    /// number kept as sent (`valor`).
    Plain(&'a str),
    /// A JSON string's content between its quotes, with escapes (all valid: no lone
    /// surrogate).
    Escaped(&'a str),
    /// A number in a field that takes one as text (`erro_codigo`, `arquivo_id`): its value is
    /// the number as `serde_json` writes it (`12.50` is `12.5`).
    Number(&'a str),
}

impl<'a> Text<'a> {
    /// The span of the body this text occupies: a string's content (without its quotes), or a
    /// number.
    ///
    /// ```
    /// assert_eq!(nfehook_core::event_ref::Text::Escaped(r"a\nb").raw(), r"a\nb");
    /// ```
    #[must_use]
    pub const fn raw(self) -> &'a str {
        match self {
            Self::Plain(raw) | Self::Escaped(raw) | Self::Number(raw) => raw,
        }
    }

    /// The value, as [`Event`] holds it.
    ///
    /// ```
    /// use nfehook_core::event_ref::Text;
    /// assert_eq!(Text::Escaped(r"a\nb").value(), "a\nb");
    /// assert_eq!(Text::Number("12.50").value(), "12.5");
    /// assert_eq!(Text::Plain("x").value(), "x");
    /// ```
    #[must_use]
    pub fn value(self) -> Cow<'a, str> {
        match self {
            Self::Plain(raw) => Cow::Borrowed(raw),
            // Both were read once when the body was, so neither fails here.
            Self::Escaped(raw) => Cow::Owned(unescape(raw).unwrap_or_default()),
            Self::Number(raw) => Cow::Owned(number_text(raw).unwrap_or_default()),
        }
    }
}

/// The content of a JSON string with escapes, unescaped; `None` for a lone surrogate.
fn unescape(content: &str) -> Option<String> {
    let mut token = String::with_capacity(content.len() + 2);
    token.push('"');
    token.push_str(content);
    token.push('"');
    serde_json::from_str(&token).ok()
}

/// A number token as the text `serde_json` gives its value; `None` when it does not fit.
fn number_text(token: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Number>(token)
        .ok()
        .map(|number| number.to_string())
}

/// A timestamp field: its instant and its text as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRef<'a> {
    /// The instant.
    pub value: Timestamp,
    /// The text it was sent as (`2024-03-10T13:45:30-03:00`).
    pub text: Text<'a>,
}

impl TimeRef<'_> {
    /// Whether the text as sent is already the instant's RFC 3339 UTC form
    /// (`YYYY-MM-DDTHH:MM:SSZ`, what `Timestamp`'s `Display` writes), so a caller can hand the
    /// text on as it is.
    ///
    /// ```
    /// use nfehook_core::event_ref::{EventRef, TimeRef};
    /// let read = |ts: &str| {
    ///     let body = format!(r#"{{"evento":"x","timestamp":"{ts}","dados":{{"chave_nfe":"k"}}}}"#);
    ///     EventRef::from_json(body.as_bytes()).unwrap().timestamp.is_normal()
    /// };
    /// assert!(read("2024-03-10T16:45:30Z"));
    /// assert!(!read("2024-03-10T13:45:30-03:00"));
    /// assert!(!read("2024-03-10T16:45:60Z")); // a leap second is the next minute's first
    /// ```
    #[must_use]
    pub fn is_normal(&self) -> bool {
        // `Timestamp::parse` checked every digit and the date, so in this form (no offset, no
        // fraction, no leap second) `Display` writes back the same characters.
        let b = self.text.raw().as_bytes();
        matches!(self.text, Text::Plain(_))
            && b.len() == 20
            && b[10] == b'T'
            && b[19] == b'Z'
            && &b[17..19] != b"60"
    }
}

/// The issuer as the delivery names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmitenteRef<'a> {
    /// `cnpj`.
    pub cnpj: Text<'a>,
    /// `razaoSocial`; absent is the empty name.
    pub razao_social: Option<Text<'a>>,
}

/// The `data` of a subscription delivery (the fields of [`NfeEventData`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NfeDataRef<'a> {
    /// `nfeChave`.
    pub nfe_chave: Text<'a>,
    /// `status`.
    pub status: Text<'a>,
    /// `emitente`.
    pub emitente: Option<EmitenteRef<'a>>,
    /// `valor`, as its exact decimal text.
    pub valor: Option<Text<'a>>,
    /// `dataEmissao`.
    pub data_emissao: Option<TimeRef<'a>>,
}

/// The `dados` of an account delivery (the fields of [`AccountEventData`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountDataRef<'a> {
    /// `chave_nfe`.
    pub chave_nfe: Text<'a>,
    /// `status`.
    pub status: Option<Text<'a>>,
    /// `tipo_consulta`.
    pub tipo_consulta: Option<Text<'a>>,
    /// `erro_codigo`.
    pub erro_codigo: Option<Text<'a>>,
    /// `erro_mensagem`.
    pub erro_mensagem: Option<Text<'a>>,
    /// `arquivo_id`.
    pub arquivo_id: Option<Text<'a>>,
    /// `url_download`.
    pub url_download: Option<Text<'a>>,
}

/// The dialect's own fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataRef<'a> {
    /// `data` of a subscription delivery.
    Subscription(NfeDataRef<'a>),
    /// `dados` of an account delivery.
    Account(AccountDataRef<'a>),
}

/// A delivery of either dialect read in place: what [`Event`] holds, as spans of the body.
///
/// `Debug` shows the fields, not the whole body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    body: &'a [u8],
    ascii: bool,
    /// The body's `id` when it has a non-empty one; `None` when the event's id is
    /// [`body_id`] of the body.
    pub id: Option<Text<'a>>,
    /// The event name (`event` or `evento`).
    pub event: Text<'a>,
    /// `timestamp`.
    pub timestamp: TimeRef<'a>,
    /// The dialect's fields.
    pub data: DataRef<'a>,
}

impl<'a> EventRef<'a> {
    /// Reads a delivery body of either dialect in place, without checking its signature.
    ///
    /// Gives `None` wherever [`Event::from_json`] gives an error, and for the forms the module
    /// leaves to it.
    ///
    /// ```
    /// let body = br#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z",
    ///   "dados":{"chave_nfe":"k","erro_codigo":404}}"#;
    /// let event = nfehook_core::event_ref::EventRef::from_json(body).unwrap();
    /// let dados = event.account().unwrap();
    /// assert_eq!(dados.erro_codigo.unwrap().value(), "404");
    /// assert_eq!(event.id, None);
    /// assert_eq!(event.to_event().id, nfehook_core::event::body_id(body));
    /// ```
    #[must_use]
    pub fn from_json(body: &'a [u8]) -> Option<Self> {
        let mut reader = Reader {
            bytes: body,
            at: 0,
            ascii: true,
        };
        reader.space();
        let top = reader.top()?;
        reader.space();
        if reader.at != body.len() {
            return None;
        }
        let data = match (top.event, top.evento) {
            (Some(_), None) => DataRef::Subscription(top.data?.finish()?),
            (None, Some(_)) => DataRef::Account(top.dados?.finish()?),
            _ => return None,
        };
        Some(Self {
            body,
            ascii: reader.ascii,
            id: top.id.filter(|id| !id.raw().is_empty()),
            event: top.event.or(top.evento)?,
            timestamp: top.timestamp?,
            data,
        })
    }

    /// The body read, which every span of the event lies in.
    ///
    /// ```
    /// let body = br#"{"evento":"x","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#;
    /// assert_eq!(nfehook_core::event_ref::EventRef::from_json(body).unwrap().body(), body);
    /// ```
    #[must_use]
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Whether the body is all ASCII (its byte positions are then its UTF-16 positions), as
    /// found while reading it.
    ///
    /// ```
    /// use nfehook_core::event_ref::EventRef;
    ///
    /// let body = r#"{"evento":"x","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#;
    /// assert!(EventRef::from_json(body.as_bytes()).unwrap().is_ascii());
    /// let body = body.replace(r#""k""#, r#""ç""#);
    /// assert!(!EventRef::from_json(body.as_bytes()).unwrap().is_ascii());
    /// ```
    #[must_use]
    pub const fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// The dialect the delivery came in.
    ///
    /// ```
    /// let body = br#"{"evento":"x","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#;
    /// let event = nfehook_core::event_ref::EventRef::from_json(body).unwrap();
    /// assert_eq!(event.dialect(), nfehook_core::Dialect::Account);
    /// ```
    #[must_use]
    pub const fn dialect(&self) -> Dialect {
        match self.data {
            DataRef::Subscription(_) => Dialect::Subscription,
            DataRef::Account(_) => Dialect::Account,
        }
    }

    /// The subscription dialect's fields, when the delivery came in it.
    ///
    /// ```
    /// let body = br#"{"evento":"x","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#;
    /// assert!(nfehook_core::event_ref::EventRef::from_json(body).unwrap().subscription().is_none());
    /// ```
    #[must_use]
    pub const fn subscription(&self) -> Option<&NfeDataRef<'a>> {
        match &self.data {
            DataRef::Subscription(data) => Some(data),
            DataRef::Account(_) => None,
        }
    }

    /// The account dialect's fields, when the delivery came in it.
    ///
    /// ```
    /// let body = br#"{"evento":"x","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#;
    /// let event = nfehook_core::event_ref::EventRef::from_json(body).unwrap();
    /// assert_eq!(event.account().unwrap().chave_nfe.raw(), "k");
    /// ```
    #[must_use]
    pub const fn account(&self) -> Option<&AccountDataRef<'a>> {
        match &self.data {
            DataRef::Account(dados) => Some(dados),
            DataRef::Subscription(_) => None,
        }
    }

    /// The owned event: what [`Event::from_json`] gives for the same body.
    ///
    /// ```
    /// let body = br#"{"id":"1","event":"nfe.erro","timestamp":"2024-03-10T13:45:30-03:00",
    ///   "data":{"nfeChave":"k","status":"erro"}}"#;
    /// let event = nfehook_core::event_ref::EventRef::from_json(body).unwrap().to_event();
    /// assert_eq!(event, nfehook_core::Event::from_json(body).unwrap());
    /// ```
    #[must_use]
    pub fn to_event(&self) -> Event {
        let owned = |text: Text<'_>| text.value().into_owned();
        let optional = |text: Option<Text<'_>>| text.map(owned);
        let data = match &self.data {
            DataRef::Subscription(data) => EventData::Subscription(NfeEventData {
                nfe_chave: owned(data.nfe_chave),
                status: owned(data.status),
                emitente: data.emitente.map(|emitente| Emitente {
                    cnpj: owned(emitente.cnpj),
                    razao_social: optional(emitente.razao_social).unwrap_or_default(),
                }),
                valor: data
                    .valor
                    .and_then(|valor| Valor::parse(&valor.value()).ok()),
                data_emissao: data.data_emissao.map(|time| time.value),
            }),
            DataRef::Account(dados) => EventData::Account(AccountEventData {
                chave_nfe: owned(dados.chave_nfe),
                status: optional(dados.status),
                tipo_consulta: optional(dados.tipo_consulta),
                erro_codigo: optional(dados.erro_codigo),
                erro_mensagem: optional(dados.erro_mensagem),
                arquivo_id: optional(dados.arquivo_id),
                url_download: optional(dados.url_download),
            }),
        };
        Event {
            id: self.id.map_or_else(|| body_id(self.body), owned),
            event: EventKind::from_name(&self.event.value()),
            timestamp: self.timestamp.value,
            data,
        }
    }
}

impl core::fmt::Debug for EventRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventRef")
            .field("id", &self.id)
            .field("event", &self.event)
            .field("timestamp", &self.timestamp)
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}

/// Where the first byte of `bytes` that ends a run of plain string content lies (a quote, a
/// backslash or a control character, and with `above_ascii` a byte above ASCII), eight bytes
/// at a time.
fn special_byte(bytes: &[u8], above_ascii: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte's high bit is set where it is zero (below 0x20, for `w - 0x20`); borrows only
    // ever flag bytes above a real one, so the lowest flag is the first such byte.
    let wide = if above_ascii { HIGH } else { 0 };
    let flags = |w: u64| {
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w)
            | (w & wide))
            & HIGH
    };
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = flags(word);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    let found = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20 || (above_ascii && b >= 0x80))?;
    Some(at + found)
}

// The reader. It accepts only what `Event::from_json` accepts (serde_json's grammar, its
// `null`s for optional fields, its refusal of a repeated field) and reads the same values from
// it; anything it is unsure of it refuses, for `Event::from_json` to decide.

/// How deep arrays and objects may nest in an unknown field before the reader gives up.
const MAX_DEPTH: u32 = 64;

// The body is checked to be UTF-8 where it may hold other bytes than ASCII, inside strings:
// anywhere else such a byte is not JSON, and the grammar refuses it. So the body is read once,
// not once to check it and once to read it.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// No string seen so far holds a byte above ASCII.
    ascii: bool,
}

/// The top-level fields, as read so far.
#[derive(Default)]
struct Top<'a> {
    id: Option<Text<'a>>,
    event: Option<Text<'a>>,
    evento: Option<Text<'a>>,
    timestamp: Option<TimeRef<'a>>,
    data: Option<NfeDataFields<'a>>,
    dados: Option<AccountDataFields<'a>>,
}

/// `data`'s fields as read, the required ones perhaps missing.
#[derive(Default)]
struct NfeDataFields<'a> {
    nfe_chave: Option<Text<'a>>,
    status: Option<Text<'a>>,
    emitente: Option<EmitenteRef<'a>>,
    valor: Option<Text<'a>>,
    data_emissao: Option<TimeRef<'a>>,
}

impl<'a> NfeDataFields<'a> {
    fn finish(self) -> Option<NfeDataRef<'a>> {
        Some(NfeDataRef {
            nfe_chave: self.nfe_chave?,
            status: self.status?,
            emitente: self.emitente,
            valor: self.valor,
            data_emissao: self.data_emissao,
        })
    }
}

/// `dados`'s fields as read, the key perhaps missing.
#[derive(Default)]
struct AccountDataFields<'a> {
    chave_nfe: Option<Text<'a>>,
    status: Option<Text<'a>>,
    tipo_consulta: Option<Text<'a>>,
    erro_codigo: Option<Text<'a>>,
    erro_mensagem: Option<Text<'a>>,
    arquivo_id: Option<Text<'a>>,
    url_download: Option<Text<'a>>,
}

impl<'a> AccountDataFields<'a> {
    fn finish(self) -> Option<AccountDataRef<'a>> {
        Some(AccountDataRef {
            chave_nfe: self.chave_nfe?,
            status: self.status,
            tipo_consulta: self.tipo_consulta,
            erro_codigo: self.erro_codigo,
            erro_mensagem: self.erro_mensagem,
            arquivo_id: self.arquivo_id,
            url_download: self.url_download,
        })
    }
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// Steps over `byte`, or refuses.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// The fields of the object that starts here, each handed to `field` with the reader at its
    /// value; a repeated field is refused (`bit` gives each known name its own bit), an escaped
    /// name is left to the owned reader.
    fn object(
        &mut self,
        bit: impl Fn(&str) -> u32,
        mut field: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'{')?;
        self.space();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        let mut seen = 0u32;
        loop {
            let (name, false) = self.string_token()? else {
                return None;
            };
            let known = bit(name);
            if seen & known != 0 {
                return None;
            }
            seen |= known;
            self.space();
            self.expect(b':')?;
            self.space();
            field(self, name)?;
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
            self.space();
        }
    }

    fn top(&mut self) -> Option<Top<'a>> {
        let mut top = Top::default();
        self.object(
            |name| match name {
                "id" => 1,
                "event" => 2,
                "evento" => 4,
                "timestamp" => 8,
                "data" => 16,
                "dados" => 32,
                _ => 0,
            },
            |reader, name| {
                match name {
                    "id" => top.id = reader.nullable(Self::string)?,
                    "event" => top.event = reader.nullable(Self::string)?,
                    "evento" => top.evento = reader.nullable(Self::string)?,
                    "timestamp" => top.timestamp = Some(reader.time()?),
                    "data" => top.data = reader.nullable(Self::nfe_data)?,
                    "dados" => top.dados = reader.nullable(Self::account_data)?,
                    _ => reader.skip()?,
                }
                Some(())
            },
        )?;
        Some(top)
    }

    fn nfe_data(&mut self) -> Option<NfeDataFields<'a>> {
        let mut data = NfeDataFields::default();
        self.object(
            |name| match name {
                "nfeChave" => 1,
                "status" => 2,
                "emitente" => 4,
                "valor" => 8,
                "dataEmissao" => 16,
                _ => 0,
            },
            |reader, name| {
                match name {
                    "nfeChave" => data.nfe_chave = Some(reader.string()?),
                    "status" => data.status = Some(reader.string()?),
                    "emitente" => data.emitente = reader.nullable(Self::emitente)?,
                    "valor" => data.valor = reader.nullable(Self::valor)?,
                    "dataEmissao" => data.data_emissao = reader.nullable(Self::time)?,
                    _ => reader.skip()?,
                }
                Some(())
            },
        )?;
        Some(data)
    }

    fn emitente(&mut self) -> Option<EmitenteRef<'a>> {
        let (mut cnpj, mut razao_social) = (None, None);
        self.object(
            |name| match name {
                "cnpj" => 1,
                "razaoSocial" => 2,
                _ => 0,
            },
            |reader, name| {
                match name {
                    "cnpj" => cnpj = Some(reader.string()?),
                    "razaoSocial" => razao_social = Some(reader.string()?),
                    _ => reader.skip()?,
                }
                Some(())
            },
        )?;
        Some(EmitenteRef {
            cnpj: cnpj?,
            razao_social,
        })
    }

    fn account_data(&mut self) -> Option<AccountDataFields<'a>> {
        let mut dados = AccountDataFields::default();
        self.object(
            |name| match name {
                "chave_nfe" => 1,
                "status" => 2,
                "tipo_consulta" => 4,
                "erro_codigo" => 8,
                "erro_mensagem" => 16,
                "arquivo_id" => 32,
                "url_download" => 64,
                _ => 0,
            },
            |reader, name| {
                let d = &mut dados;
                match name {
                    "chave_nfe" => d.chave_nfe = Some(reader.string()?),
                    "status" => d.status = reader.nullable(Self::string)?,
                    "tipo_consulta" => d.tipo_consulta = reader.nullable(Self::string)?,
                    "erro_codigo" => d.erro_codigo = reader.nullable(Self::text_or_number)?,
                    "erro_mensagem" => d.erro_mensagem = reader.nullable(Self::string)?,
                    "arquivo_id" => d.arquivo_id = reader.nullable(Self::text_or_number)?,
                    "url_download" => d.url_download = reader.nullable(Self::string)?,
                    _ => reader.skip()?,
                }
                Some(())
            },
        )?;
        Some(dados)
    }

    /// `null` as absent, anything else read with `read`.
    #[allow(clippy::option_option)]
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A string; one with escapes is unescaped once to refuse a lone surrogate, as
    /// `serde_json` does for the strings it reads.
    fn string(&mut self) -> Option<Text<'a>> {
        let (content, escaped) = self.string_token()?;
        if escaped {
            unescape(content)?;
            Some(Text::Escaped(content))
        } else {
            Some(Text::Plain(content))
        }
    }

    /// The content of the string that starts here and whether it has escapes, each escape
    /// checked for its form only (as `serde_json` checks the strings it skips).
    fn string_token(&mut self) -> Option<(&'a str, bool)> {
        let (start, escaped) = self.string_span()?;
        let content = core::str::from_utf8(&self.bytes[start..self.at - 1]).ok()?;
        Some((content, escaped))
    }

    /// Steps over the string that starts here, as [`Reader::string_token`] reads it, and gives
    /// where its content starts and whether it has escapes. A string skipped whole (most of a
    /// long body) is checked for UTF-8 only when it holds bytes above ASCII.
    fn string_span(&mut self) -> Option<(usize, bool)> {
        self.expect(b'"')?;
        let start = self.at;
        let mut escaped = false;
        let mut wide = false;
        loop {
            self.at += special_byte(self.bytes.get(self.at..)?, !wide)?;
            match self.bytes[self.at] {
                b'"' => break,
                0x80.. => {
                    wide = true;
                    self.at += 1;
                }
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        if wide {
            core::str::from_utf8(&self.bytes[start..self.at]).ok()?;
            self.ascii = false;
        }
        self.at += 1;
        Some((start, escaped))
    }

    /// A number's text, by JSON's grammar.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digit()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digit()?;
        }
        core::str::from_utf8(&self.bytes[start..self.at]).ok()
    }

    /// At least one digit.
    fn digit(&mut self) -> Option<()> {
        self.peek().filter(u8::is_ascii_digit)?;
        self.digits();
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn time(&mut self) -> Option<TimeRef<'a>> {
        let text = self.string()?;
        let value = Timestamp::parse(&text.value()).ok()?;
        Some(TimeRef { value, text })
    }

    /// `valor`: a number's exact text, or a string holding one.
    fn valor(&mut self) -> Option<Text<'a>> {
        let text = if self.peek()? == b'"' {
            self.string()?
        } else {
            Text::Plain(self.number()?)
        };
        is_json_number(text.value().as_bytes()).then_some(text)
    }

    /// A string, or a number kept as its text.
    fn text_or_number(&mut self) -> Option<Text<'a>> {
        if self.peek()? == b'"' {
            self.string()
        } else {
            let number = self.number()?;
            number_text(number)?;
            Some(Text::Number(number))
        }
    }

    /// Steps over one value of any kind, checking its grammar. Nesting is tracked in a bit per
    /// level (set for an object), so it needs no recursion.
    fn skip(&mut self) -> Option<()> {
        let mut objects = 0u64;
        let mut depth = 0;
        loop {
            // At the start of a value.
            match self.peek()? {
                open @ (b'{' | b'[') => {
                    self.at += 1;
                    self.space();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.at += 1;
                    } else {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return None;
                        }
                        objects = (objects << 1) | u64::from(open == b'{');
                        if open == b'{' {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string_span()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => {
                    self.number()?;
                }
            }
            // After a value: close what ends here, then go on to the next value.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.space();
                let in_object = objects & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.at += 1;
                        self.space();
                        if in_object {
                            self.member_name()?;
                        }
                        break;
                    }
                    b'}' if in_object => {}
                    b']' if !in_object => {}
                    _ => return None,
                }
                self.at += 1;
                objects >>= 1;
                depth -= 1;
            }
        }
    }

    /// An object member's name and its colon, leaving the reader at its value.
    fn member_name(&mut self) -> Option<()> {
        self.string_span()?;
        self.space();
        self.expect(b':')?;
        self.space();
        Some(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    /// Both readers give the same event, or both refuse the body.
    fn agree(body: &str) {
        let owned = Event::from_json(body.as_bytes());
        let in_place = EventRef::from_json(body.as_bytes());
        assert_eq!(
            in_place.map(|event| event.to_event()),
            owned.clone().ok(),
            "{body}\nowned: {owned:?}"
        );
    }

    /// A body this reader leaves to `Event::from_json`, which reads it.
    fn left_to_owned(body: &str) {
        assert!(Event::from_json(body.as_bytes()).is_ok(), "{body}");
        assert_eq!(EventRef::from_json(body.as_bytes()), None, "{body}");
    }

    /// `depth` arrays, one in the other, around a number.
    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    const SPEC: &str = r#"{"id":"delivery-uuid","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"35170608530528000184550000000154301000771561","status":"processada","emitente":{"cnpj":"12345678000195","razaoSocial":"Empresa Exemplo LTDA"},"valor":1500.00,"dataEmissao":"2024-03-10T15:30:45Z"}}"#;
    const ACCOUNT: &str = r#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k","status":"s","tipo_consulta":"t","erro_codigo":"404","erro_mensagem":"NF-e não encontrada","arquivo_id":"a","url_download":"https://x"}}"#;

    #[test]
    fn spans_point_into_the_body() {
        // One binding: each use of a `const` may be a copy of its own.
        let body = SPEC;
        let event = EventRef::from_json(body.as_bytes()).unwrap();
        let data = event.subscription().unwrap();
        let at = |text: Text<'_>| text.raw().as_ptr() as usize - body.as_ptr() as usize;
        assert_eq!(&body[at(data.nfe_chave)..][..44], data.nfe_chave.raw());
        assert_eq!(body[..at(data.valor.unwrap())].chars().last(), Some(':'));
        assert_eq!(event.event, Text::Plain("nfe.processada"));
        assert!(data.data_emissao.unwrap().is_normal());
    }

    #[test]
    fn subscription_fields_read_as_the_owned_reader_does() {
        let subscription = [
            // Escapes in values, non-ASCII text, lone and paired surrogates.
            (
                r#""Empresa Exemplo LTDA""#,
                r#""Empresa \"Ex\u00e9mplo\"\/LTDA""#,
            ),
            (r#""Empresa Exemplo LTDA""#, r#""Empresa São João""#),
            (r#""nfeChave":"35"#, r#""nfeChave":"\u0033\u0035"#),
            (r#""Empresa Exemplo LTDA""#, r#""\ud800""#),
            (r#""Empresa Exemplo LTDA""#, r#""\ud83d\ude00""#),
            (r#""Empresa Exemplo LTDA""#, r#""\x""#),
            (r#""Empresa Exemplo LTDA""#, "\"a\u{1}b\""),
            // Nulls: optional fields absent, required ones refused.
            (r#""valor":1500.00"#, r#""valor":null"#),
            (r#"{"cnpj""#, r#"{"razaoSocial":null,"cnpj""#),
            (r#","razaoSocial":"Empresa Exemplo LTDA""#, ""),
            (r#""cnpj":"12345678000195","#, ""),
            (
                r#""emitente":{"cnpj":"12345678000195","razaoSocial":"Empresa Exemplo LTDA"}"#,
                r#""emitente":null"#,
            ),
            (
                r#""emitente":{"cnpj":"12345678000195","razaoSocial":"Empresa Exemplo LTDA"}"#,
                r#""emitente":"x""#,
            ),
            (r#""status":"processada""#, r#""status":null"#),
            (r#""id":"delivery-uuid""#, r#""id":null"#),
            (r#""id":"delivery-uuid""#, r#""id":"""#),
            (r#""id":"delivery-uuid""#, r#""id":7"#),
            (
                r#""timestamp":"2024-03-10T16:45:30Z""#,
                r#""timestamp":null"#,
            ),
            (r#""event":"nfe.processada""#, r#""event":null"#),
            (r#""event":"nfe.processada""#, r#""event":"""#),
            (r#""event":"nfe.processada""#, r#""event":"nfe.nova""#),
            // valor as a string, a bad number, other types.
            ("1500.00", r#""1500.10""#),
            ("1500.00", r#""1,5""#),
            ("1500.00", "1e400"),
            ("1500.00", "-0.5E+3"),
            ("1500.00", "01"),
            ("1500.00", "1."),
            ("1500.00", "-"),
            ("1500.00", "true"),
            ("1500.00", "[1]"),
            ("1500.00", r#""\u0031""#),
            // Timestamps in other forms, and bad ones.
            ("2024-03-10T16:45:30Z", "2024-03-10T13:45:30-03:00"),
            ("2024-03-10T16:45:30Z", "2024-03-10T16:45:30.120Z"),
            ("2024-03-10T16:45:30Z", r"2024-03-10T16:45:30\u005a"),
            ("2024-03-10T15:30:45Z", "2024-02-30T15:30:45Z"),
            ("2024-03-10T15:30:45Z", "2024-03-10T15:30:60Z"),
        ];
        for (from, to) in subscription {
            assert!(SPEC.contains(from), "{from}");
            agree(&SPEC.replacen(from, to, 1));
        }
    }

    #[test]
    fn unknown_and_repeated_fields_read_as_the_owned_reader_does() {
        let subscription = [
            // Repeated fields, unknown fields of every kind, the other dialect's names.
            (
                r#""status":"processada""#,
                r#""status":"processada","status":"x""#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","valor":null"#,
            ),
            (r#""id":"#, r#""timestamp":"2024-03-10T16:45:30Z","id":"#),
            (
                r#""status":"processada""#,
                r#""status":"processada","novo":[{"a":1e999,"b":[[],{}]}],"novo":2"#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","chave_nfe":5,"chave_nfe":6"#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","novo":[1,]"#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","novo":{"a":1,}"#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","novo":{"a"}"#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","novo":tru"#,
            ),
            (
                r#""status":"processada""#,
                r#""status":"processada","novo":"\ud800""#,
            ),
            (r#""id":"#, r#""evento":"x","id":"#),
            (r#""id":"#, r#""dados":null,"id":"#),
            (r#""id":"#, r#""dados":{},"id":"#),
            (r#""data":{"#, r#""data":null,"x":{"#),
            (r#""id":"#, r#""novo":"ÿ€𝄞","id":"#),
            // Around the body.
            (r#"{"id""#, " \n\t{\"id\""),
            (r#"{"id""#, "\u{feff}{\"id\""),
        ];
        for (from, to) in subscription {
            assert!(SPEC.contains(from), "{from}");
            agree(&SPEC.replacen(from, to, 1));
        }
        agree(SPEC);
        agree(&format!("{SPEC} \r\n"));
        agree(&format!("{SPEC} x"));
        agree(&format!("{SPEC}{SPEC}"));
        agree(ACCOUNT);
    }

    #[test]
    fn account_fields_read_as_the_owned_reader_does() {
        let account = [
            (r#""404""#, "404"),
            (r#""404""#, "12.50"),
            (r#""404""#, "1e3"),
            (r#""404""#, "18446744073709551616"),
            (r#""404""#, "-9223372036854775809"),
            (r#""404""#, "1e400"),
            (r#""404""#, "true"),
            (r#""404""#, "null"),
            (r#""a""#, "-0"),
            (r#""s""#, "null"),
            (r#""s""#, "1"),
            (r#""chave_nfe":"k""#, r#""chave_nfe":null"#),
            (r#""chave_nfe":"k","#, ""),
            (r#""dados":{"#, r#""event":"a","dados":{"#),
            (r#""dados":{"#, r#""data":{"status":"x"},"dados":{"#),
            (r#""dados":{"#, r#""dados":{"nfeChave":1,"#),
            (r#""dados":{"#, r#""dados":{"chave_nfe":"x"},"dados":{"#),
        ];
        for (from, to) in account {
            assert!(ACCOUNT.contains(from), "{from}");
            agree(&ACCOUNT.replacen(from, to, 1));
        }
        for body in [
            "",
            "{}",
            "null",
            "[]",
            "{",
            "{\"a\":1",
            r#"{"timestamp":"2024-03-10T16:45:30Z"}"#,
        ] {
            agree(body);
        }
        let deepest = nested(MAX_DEPTH as usize);
        agree(&SPEC.replacen(r#""id":"#, &format!(r#""novo":{deepest},"id":"#), 1));
    }

    #[test]
    fn rare_forms_are_left_to_the_owned_reader() {
        let deep = nested(MAX_DEPTH as usize + 1);
        for (from, to) in [
            (r#""razaoSocial""#, r#""raz\u0061oSocial""#),
            (r#""id":"#, r#""\u0069d":"#),
            (
                r#""emitente":{"cnpj":"12345678000195","razaoSocial":"Empresa Exemplo LTDA"}"#,
                r#""emitente":["1","2"]"#,
            ),
            (r#""id":"#, r#""dados":7,"id":"#),
            (r#""id":"#, &format!(r#""novo":{deep},"id":"#)),
        ] {
            assert!(SPEC.contains(from), "{from}");
            left_to_owned(&SPEC.replacen(from, to, 1));
        }
        left_to_owned(
            r#"["1","nfe.erro",null,"2024-03-10T16:45:30Z",{"nfeChave":"k","status":"erro"}]"#,
        );
        let mut bytes = SPEC.as_bytes().to_vec();
        let at = SPEC.find("\"event\"").unwrap();
        bytes.splice(at..at, b"\"novo\":\"\xff\",".iter().copied());
        assert!(Event::from_json(&bytes).is_ok());
        assert_eq!(EventRef::from_json(&bytes), None);
        // Bytes that are not UTF-8 in a field read, cut short by the closing quote, or outside
        // any string: never read in place.
        for (from, to) in [
            (&b"\"delivery-uuid\""[..], &b"\"delivery-\xc3\xa3\xff\""[..]),
            (b"\"delivery-uuid\"", b"\"delivery-\xc3\""),
            (b"\"novo\":\"\xff\"", b"\"novo\":\"\xe3\x81\""),
            (b"\"novo\":\"\xff\",", b"\"novo\":\"\xc3\xa3\",\xc3\xa3"),
        ] {
            let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
            let mut changed = bytes.clone();
            changed.splice(at..at + from.len(), to.iter().copied());
            assert_eq!(EventRef::from_json(&changed), None, "{changed:?}");
        }
        let at = SPEC.find("\"event\"").unwrap();
        let mut wide = SPEC.as_bytes().to_vec();
        wide.splice(at..at, "\"novo\":\"ação 𝄞\",".bytes());
        let event = EventRef::from_json(&wide).unwrap();
        assert!(!event.is_ascii());
        assert_eq!(Ok(event.to_event()), Event::from_json(&wide));
        assert!(EventRef::from_json(SPEC.as_bytes()).unwrap().is_ascii());
    }

    #[test]
    fn numbers_in_text_fields_keep_serde_json_s_text() {
        let body = ACCOUNT.replacen(r#""404""#, "12.50", 1);
        let event = EventRef::from_json(body.as_bytes()).unwrap();
        let code = event.account().unwrap().erro_codigo.unwrap();
        assert_eq!(code, Text::Number("12.50"));
        assert_eq!(code.value(), "12.5");
    }

    #[test]
    fn normal_timestamps_are_what_display_writes() {
        let mut seconds = -62_000_000_000_i64;
        while seconds < 250_000_000_000 {
            let text = Timestamp::from_unix(seconds).to_string();
            let body =
                format!(r#"{{"evento":"x","timestamp":"{text}","dados":{{"chave_nfe":"k"}}}}"#);
            let event = EventRef::from_json(body.as_bytes()).unwrap();
            assert_eq!(event.timestamp.is_normal(), text.len() == 20, "{text}");
            assert_eq!(event.timestamp.value.to_string(), text);
            seconds += 999_999_937;
        }
    }
}
