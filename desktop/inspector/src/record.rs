//! A received request as the inspector keeps it.

use std::fmt::Write as _;

use base64ct::{Base64, Encoding};
use nfehook_core::{Event, EventData, Timestamp, Window};
use nfehook_keys::{Validation, validate};
use serde::{Deserialize, Serialize};

use crate::config::NamedSecret;
use crate::verdict::{Verdict, verify_request};

/// One header as received (the value read as UTF-8, invalid bytes replaced).
pub type Header = (String, String);

/// A request that reached the inspector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// Increasing number, kept across restarts.
    pub id: u64,
    /// When it arrived, RFC 3339 UTC with milliseconds.
    pub received_at: String,
    /// When it arrived, Unix milliseconds.
    pub received_at_ms: i64,
    /// HTTP method.
    pub method: String,
    /// Path and query, as requested.
    pub path: String,
    /// The sender's address.
    pub remote_addr: Option<String>,
    /// Headers in the order received, names lowercase.
    pub headers: Vec<Header>,
    /// The body.
    pub body: Body,
    /// The signature verdict against the secrets chosen when it arrived.
    pub verdict: Verdict,
    /// What the body says as a ValidaNFe event, when it is JSON.
    pub event: Option<EventSummary>,
    /// The answer given.
    pub response: GivenResponse,
}

/// Largest indented copy of a JSON body, in bytes; a body whose copy would be larger is shown
/// as received. Indentation grows with nesting, so without a bound a 4 MiB body of nested
/// arrays would become hundreds of MiB.
pub const MAX_PRETTY_BYTES: usize = 1024 * 1024;

/// Deepest nesting that is indented; a deeper body is shown as received.
pub const MAX_PRETTY_DEPTH: usize = 64;

/// A request body: its exact bytes (as text when UTF-8, else base64), and an indented copy of
/// JSON with every number and string kept as written, within [`MAX_PRETTY_BYTES`] and
/// [`MAX_PRETTY_DEPTH`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    /// Bytes received.
    pub size: usize,
    /// The body, when it is UTF-8.
    pub text: Option<String>,
    /// The body in base64, when it is not UTF-8.
    pub base64: Option<String>,
    /// Indented JSON, when the body is JSON and its indented copy is within the bounds.
    pub pretty: Option<String>,
    /// The body is JSON but too large or too deep to indent: `pretty` is `None`, show `text`.
    #[serde(default)]
    pub pretty_truncated: bool,
}

impl Body {
    /// Reads received bytes.
    ///
    /// ```
    /// let body = nfehook_inspector::Body::new(br#"{"valor":1500.00,"a":[1,{}]}"#);
    /// assert_eq!(body.pretty.as_deref(), Some("{\n  \"valor\": 1500.00,\n  \"a\": [\n    1,\n    {}\n  ]\n}"));
    /// assert_eq!(nfehook_inspector::Body::new(&[0xff]).base64.as_deref(), Some("/w=="));
    ///
    /// let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    /// let body = nfehook_inspector::Body::new(deep.as_bytes());
    /// assert_eq!((body.pretty, body.pretty_truncated), (None, true));
    /// ```
    #[must_use]
    pub fn new(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let (pretty, pretty_truncated) = if is_json(bytes) {
                    let pretty = indent_json(text, MAX_PRETTY_BYTES, MAX_PRETTY_DEPTH);
                    let truncated = pretty.is_none();
                    (pretty, truncated)
                } else {
                    (None, false)
                };
                Self {
                    size: bytes.len(),
                    text: Some(text.to_owned()),
                    base64: None,
                    pretty,
                    pretty_truncated,
                }
            }
            Err(_) => Self {
                size: bytes.len(),
                text: None,
                base64: Some(Base64::encode_string(bytes)),
                pretty: None,
                pretty_truncated: false,
            },
        }
    }

    /// The exact bytes.
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        match (&self.text, &self.base64) {
            (Some(text), _) => text.as_bytes().to_vec(),
            (None, Some(b64)) => Base64::decode_vec(b64).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }
}

/// Whether the bytes are one JSON value. serde_json stops at 128 levels of nesting, so a body
/// nested deeper is not JSON here and gets no indented copy either.
fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// Re-indents valid JSON text token by token, never re-printing a number or string; `None` as
/// soon as the copy would be longer than `max_bytes` or nest deeper than `max_depth`.
fn indent_json(text: &str, max_bytes: usize, max_depth: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len().saturating_mul(2).min(max_bytes));
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        if out.len() > max_bytes {
            return None;
        }
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(char::is_ascii_whitespace) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or(']'));
                } else {
                    depth += 1;
                    if depth > max_depth {
                        return None;
                    }
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    (out.len() <= max_bytes).then_some(out)
}

/// The fields of a ValidaNFe event read from a body of either dialect (without trusting it:
/// shown whatever the verdict), with the access key decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    /// `subscription` (`event`, `data`) or `account` (`evento`, `dados`); `None` when the body
    /// is not a delivery of either dialect (then the other fields are read loosely).
    #[serde(default)]
    pub dialect: Option<String>,
    /// The body's `id`; for a body without one, the digest a receiver drops duplicates by
    /// (`sha256:<hex>`).
    pub id: Option<String>,
    /// `event` or `evento`.
    pub event: Option<String>,
    /// `timestamp`.
    pub timestamp: Option<String>,
    /// `data.nfeChave` or `dados.chave_nfe` as sent.
    pub nfe_chave: Option<String>,
    /// The key decoded, or what is wrong with it.
    #[serde(skip_deserializing, default = "empty_validation")]
    pub chave: Validation,
    /// The dialect's own fields in the order the spec lists them, by their camelCase names
    /// (`status`, `emitente`, `valor`, `dataEmissao`; `status`, `tipoConsulta`, `erroCodigo`,
    /// `erroMensagem`, `arquivoId`, `urlDownload`), those present only.
    #[serde(default)]
    pub fields: Vec<EventField>,
}

/// One field of an event, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventField {
    /// The field's camelCase name.
    pub name: String,
    /// Its value as text (`emitente` as `CNPJ · razão social`).
    pub value: String,
}

fn empty_validation() -> Validation {
    Validation::Empty
}

fn fields(data: &EventData) -> Vec<EventField> {
    let pairs: Vec<(&str, Option<String>)> = match data {
        EventData::Subscription(data) => vec![
            ("status", Some(data.status.clone())),
            (
                "emitente",
                data.emitente
                    .as_ref()
                    .map(|e| format!("{} · {}", e.cnpj, e.razao_social)),
            ),
            ("valor", data.valor.as_ref().map(|v| v.as_str().to_owned())),
            ("dataEmissao", data.data_emissao.map(|t| t.to_string())),
        ],
        EventData::Account(dados) => vec![
            ("status", dados.status.clone()),
            ("tipoConsulta", dados.tipo_consulta.clone()),
            ("erroCodigo", dados.erro_codigo.clone()),
            ("erroMensagem", dados.erro_mensagem.clone()),
            ("arquivoId", dados.arquivo_id.clone()),
            ("urlDownload", dados.url_download.clone()),
        ],
    };
    pairs
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|value| EventField {
                name: name.to_owned(),
                value,
            })
        })
        .collect()
}

impl EventSummary {
    /// Reads the event of a JSON body of either dialect; `None` when it is not a JSON object.
    ///
    /// ```
    /// let body = br#"{"id":"d1","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"52060433009911002506550120000007800267301615","status":"processada"}}"#;
    /// let summary = nfehook_inspector::EventSummary::read(body).unwrap();
    /// assert_eq!(summary.dialect.as_deref(), Some("subscription"));
    /// assert_eq!(summary.event.as_deref(), Some("nfe.processada"));
    /// assert!(matches!(summary.chave, nfehook_keys::Validation::Valid(ref info) if info.uf == "GO"));
    ///
    /// let body = br#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"52060433009911002506550120000007800267301615","erro_codigo":"404"}}"#;
    /// let summary = nfehook_inspector::EventSummary::read(body).unwrap();
    /// assert_eq!(summary.dialect.as_deref(), Some("account"));
    /// assert_eq!((summary.fields[0].name.as_str(), summary.fields[0].value.as_str()), ("erroCodigo", "404"));
    /// assert!(summary.id.unwrap().starts_with("sha256:"));
    /// ```
    #[must_use]
    pub fn read(body: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        if let Ok(event) = Event::from_json(body) {
            let nfe_chave = event.data.nfe_chave().to_owned();
            return Some(Self {
                dialect: Some(event.dialect().as_str().to_owned()),
                id: Some(event.id.clone()),
                event: Some(event.event.as_str().to_owned()),
                timestamp: Some(event.timestamp.to_string()),
                chave: validate(&nfe_chave),
                nfe_chave: Some(nfe_chave),
                fields: fields(&event.data),
            });
        }
        // Not a delivery of either dialect: show what can be read, under either dialect's name.
        let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        let nfe_chave = text(object.get("data").and_then(|d| d.get("nfeChave")))
            .or_else(|| text(object.get("dados").and_then(|d| d.get("chave_nfe"))));
        let chave = nfe_chave.as_deref().map_or(Validation::Empty, validate);
        Some(Self {
            dialect: None,
            id: text(object.get("id")),
            event: text(object.get("event")).or_else(|| text(object.get("evento"))),
            timestamp: text(object.get("timestamp")),
            nfe_chave,
            chave,
            fields: Vec::new(),
        })
    }
}

/// The answer the inspector gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GivenResponse {
    /// Status sent.
    pub status: u16,
    /// Delay before it, in milliseconds.
    pub delay_ms: u64,
}

/// RFC 3339 UTC with milliseconds.
pub(crate) fn rfc3339_millis(unix_ms: i64) -> String {
    let seconds = unix_ms.div_euclid(1000);
    let millis = unix_ms.rem_euclid(1000);
    let base = Timestamp::from_unix(seconds).to_string();
    match base.strip_suffix('Z') {
        Some(head) => format!("{head}.{millis:03}Z"),
        None => base,
    }
}

/// Headers a `curl` command sets itself, or that describe the old connection.
const CURL_SKIPPED: [&str; 6] = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "expect",
    "accept-encoding",
];

impl RecordedRequest {
    /// The verdict against other secrets (a subscription picked, or a secret pasted, after the
    /// request arrived), judged at the time it arrived.
    #[must_use]
    pub fn verify_with(&self, secrets: &[NamedSecret], window: Window) -> Verdict {
        verify_request(
            &self.headers,
            &self.body.bytes(),
            secrets,
            self.received_at_ms.div_euclid(1000),
            window,
        )
    }

    /// The request as an HTTP/1.1 message (headers as received, body as text or a note).
    #[must_use]
    pub fn raw(&self) -> String {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.path);
        for (name, value) in &self.headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        out.push_str("\r\n");
        match &self.body.text {
            Some(text) => out.push_str(text),
            None => {
                let _ = write!(out, "<{} bytes, not UTF-8>", self.body.size);
            }
        }
        out
    }

    /// A `curl` command that sends this request again to `base_url` (the inspector's URL, or
    /// any other receiver), with the same method, path, headers and exact body. Every part the
    /// sender chose is shell-quoted, the method too unless it is a plain word.
    ///
    /// ```
    /// # use nfehook_inspector::*;
    /// let request = RecordedRequest {
    ///     id: 1, received_at: String::new(), received_at_ms: 0, method: "POST".into(),
    ///     path: "/hook?a=1".into(), remote_addr: None,
    ///     headers: vec![("host".into(), "x".into()), ("content-type".into(), "application/json".into())],
    ///     body: Body::new(b"{\"n\":\"it's\"}"), verdict: Verdict::NoSecret, event: None,
    ///     response: GivenResponse { status: 200, delay_ms: 0 },
    /// };
    /// assert_eq!(
    ///     request.to_curl("http://127.0.0.1:8080/"),
    ///     "curl -X POST 'http://127.0.0.1:8080/hook?a=1' \\\n  -H 'content-type: application/json' \\\n  --data-binary '{\"n\":\"it'\\''s\"}'"
    /// );
    /// ```
    #[must_use]
    pub fn to_curl(&self, base_url: &str) -> String {
        let url = format!("{}{}", base_url.trim_end_matches('/'), self.path);
        let mut parts = vec![format!(
            "curl -X {} {}",
            shell_word(&self.method),
            shell_quote(&url)
        )];
        for (name, value) in &self.headers {
            if CURL_SKIPPED.contains(&name.to_ascii_lowercase().as_str()) {
                continue;
            }
            parts.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
        }
        if self.body.size > 0 {
            let data = match &self.body.text {
                Some(text) => shell_quote(text),
                None => ansi_c_quote(&self.body.bytes()),
            };
            parts.push(format!("--data-binary {data}"));
        }
        parts.join(" \\\n  ")
    }
}

/// A plain word (`POST`, `PATCH`) as it is, anything else single-quoted: the method comes from
/// the sender (or an edited history file), and a method such as `POST$(touch /tmp/x)` must not
/// run when the command is pasted into a shell.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        text.to_owned()
    } else {
        shell_quote(text)
    }
}

/// POSIX single quotes: every byte literal, `'` written as `'\''`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Bash `$'…'` quoting with `\xHH` escapes, for bodies that are not text.
fn ansi_c_quote(bytes: &[u8]) -> String {
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millisecond_timestamps() {
        assert_eq!(
            rfc3339_millis(1_710_089_130_042),
            "2024-03-10T16:45:30.042Z"
        );
    }

    #[test]
    fn indentation_keeps_strings_and_numbers() {
        let text = r#"{"a":"x:{,}\"","v":1e3 ,"e":[]}"#;
        assert_eq!(
            indent_json(text, MAX_PRETTY_BYTES, MAX_PRETTY_DEPTH).as_deref(),
            Some("{\n  \"a\": \"x:{,}\\\"\",\n  \"v\": 1e3,\n  \"e\": []\n}")
        );
    }

    #[test]
    fn indentation_stops_at_its_bounds() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        // The innermost `[]` stays on its line: four brackets, three levels.
        assert!(indent_json(&nested(4), 1000, 3).is_some());
        assert_eq!(indent_json(&nested(5), 1000, 3), None);
        let wide = format!("[{}1]", "1,".repeat(100));
        assert_eq!(indent_json(&wide, 507, 8).map(|p| p.len()), Some(507));
        assert_eq!(indent_json(&wide, 506, 8), None);
    }

    #[test]
    fn a_4_mib_body_of_nested_arrays_is_shown_as_received() {
        // As deep as serde_json reads, repeated: indented whole, each group of 200 bytes
        // would take some 20 KB.
        let group = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let text = format!("[{}]", vec![group; 4 * 1024 * 1024 / 201].join(","));
        let body = Body::new(text.as_bytes());
        assert_eq!(body.text.as_deref(), Some(text.as_str()));
        assert_eq!((body.pretty, body.pretty_truncated), (None, true));
        // Shallow groups: within the depth, past the size.
        let group = format!("{}{}", "[".repeat(30), "]".repeat(30));
        let text = format!("[{}]", vec![group; 4 * 1024 * 1024 / 61].join(","));
        assert_eq!(Body::new(text.as_bytes()).pretty, None);
    }

    #[test]
    fn a_wide_body_whose_indented_copy_is_too_large_is_shown_as_received() {
        let text = format!("[{}1]", "1,".repeat(MAX_PRETTY_BYTES / 4));
        let body = Body::new(text.as_bytes());
        assert_eq!((body.pretty, body.pretty_truncated), (None, true));
        let body = Body::new(b"[1,2]");
        assert_eq!(
            (body.pretty.as_deref(), body.pretty_truncated),
            (Some("[\n  1,\n  2\n]"), false)
        );
    }

    #[test]
    fn a_method_that_is_not_a_plain_word_is_quoted() {
        assert_eq!(shell_word("PATCH"), "PATCH");
        assert_eq!(shell_word("POST$(touch /tmp/x)"), "'POST$(touch /tmp/x)'");
        assert_eq!(shell_word("A'B`c`"), "'A'\\''B`c`'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn binary_bodies_round_trip_and_quote() {
        let body = Body::new(&[0, b'\'', 0xff, b'a']);
        assert_eq!(body.bytes(), [0, b'\'', 0xff, b'a']);
        assert_eq!(ansi_c_quote(&body.bytes()), "$'\\x00\\'\\xffa'");
    }
}
