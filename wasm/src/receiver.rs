//! `Receiver`: the secrets of one subscription keyed once, verifying deliveries written into
//! the scratch buffer.

use nfehook_core::event_ref::EventRef;
use nfehook_core::signature::MAC_LEN;
use nfehook_core::{
    Event, EventError, KeyRing, SecretError, SignatureError, Verifier, VerifySignature, Window,
};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::outcome::{self, Status};
use crate::scratch;

/// The keyed HMAC state of one secret, or of several during a rotation.
///
/// A single secret skips the ring's per-call list of expected MACs.
#[derive(Clone, Debug)]
enum Keys {
    One(Verifier),
    Ring(KeyRing),
    /// An empty secret was given: every verification fails with `EmptySecret`.
    Refused(SecretError),
}

impl VerifySignature for Keys {
    fn verify_signature(&self, body: &[u8], header: &str) -> Result<(), SignatureError> {
        match self {
            Self::One(verifier) => match canonical_mac(header) {
                // The form ValidaNFe sends: skip the general header parser.
                Some(mac) if verifier.verify_mac(body, &mac) => Ok(()),
                Some(_) => Err(SignatureError::Mismatch),
                None => verifier.verify(body, header),
            },
            Self::Ring(ring) => ring.verify(body, header),
            Self::Refused(error) => Err((*error).into()),
        }
    }
}

/// The MAC of a header in the exact form ValidaNFe sends, `sha256=` and 64 hex digits (any
/// case, nothing around them), or `None` for anything else, which the core's general parser
/// reads (and reports on). Both read such a header the same way: one well-formed signature.
///
/// The header is public input, so decoding it with branches leaks nothing; the comparison with
/// the expected MAC stays constant-time (`Verifier::verify_mac`).
///
/// ```
/// let header = nfehook_core::sign("k", b"body");
/// let mac = nfehook_wasm::receiver::canonical_mac(&header.to_uppercase()).unwrap();
/// assert_eq!(mac, nfehook_core::Verifier::new("k").unwrap().mac(b"body"));
/// assert_eq!(nfehook_wasm::receiver::canonical_mac(&format!(" {header}")), None);
/// assert_eq!(nfehook_wasm::receiver::canonical_mac("sha256=00"), None);
/// ```
#[must_use]
pub fn canonical_mac(header: &str) -> Option<[u8; MAC_LEN]> {
    let bytes = header.as_bytes();
    if bytes.len() != PREFIX.len() + 2 * MAC_LEN
        || !bytes[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
    {
        return None;
    }
    let mut mac = [0u8; MAC_LEN];
    for (byte, pair) in mac.iter_mut().zip(bytes[PREFIX.len()..].chunks_exact(2)) {
        *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(mac)
}

const PREFIX: &[u8] = b"sha256=";

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Verifies ValidaNFe deliveries under one or more secrets, keyed once at construction.
///
/// Its methods read their inputs from the [scratch buffer](crate::scratch); `Debug` never
/// shows a secret.
///
/// ```
/// use nfehook_wasm::{receiver::Receiver, scratch, outcome::Status};
///
/// let receiver = Receiver::from_secrets(&["whsec_new", "whsec_old"]);
/// let header = nfehook_core::sign("whsec_old", b"{}");
/// scratch::fill(&[b"{}", header.as_bytes()]);
/// assert_eq!(receiver.verify_signature(2, header.len()), Status::Ok as u32);
/// ```
#[wasm_bindgen]
#[derive(Clone, Debug)]
pub struct Receiver {
    keys: Keys,
    /// The first secret, keyed for signing; `None` when the secrets were refused.
    signer: Option<Verifier>,
}

#[wasm_bindgen]
impl Receiver {
    /// Keys every secret of `secrets`, given as their bytes back to back with the length of
    /// each in `lengths` (lengths past the end are cut short); the first secret also signs.
    /// The JavaScript side refuses an empty secret before getting here; one that gets here
    /// anyway makes every verification fail with `invalid_input` and every signature empty.
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new(secrets: &[u8], lengths: &[u32]) -> Receiver {
        let mut rest = secrets;
        let mut keys: Vec<&[u8]> = Vec::with_capacity(lengths.len());
        for &len in lengths {
            let (secret, tail) = rest.split_at((len as usize).min(rest.len()));
            keys.push(secret);
            rest = tail;
        }
        let keyed = Verifier::new(keys.first().copied().unwrap_or_default()).and_then(|signer| {
            let keys = if keys.len() <= 1 {
                Keys::One(signer.clone())
            } else {
                Keys::Ring(KeyRing::new(keys)?)
            };
            Ok((keys, signer))
        });
        match keyed {
            Ok((keys, signer)) => Receiver {
                keys,
                signer: Some(signer),
            },
            Err(error) => Receiver {
                keys: Keys::Refused(error),
                signer: None,
            },
        }
    }

    /// Verifies the header in the scratch buffer's `header_len` bytes after the body's
    /// `body_len` bytes. Returns a [`Status`] as a number; details of a failure wait in
    /// [`outcome::take_output`].
    #[wasm_bindgen(js_name = verifySignature)]
    #[must_use]
    pub fn verify_signature(&self, body_len: usize, header_len: usize) -> u32 {
        scratch::with_parts([body_len, header_len], |[body, header]| {
            match self.keys.verify_signature(body, header_text(header)) {
                Ok(()) => Status::Ok as u32,
                Err(error) => outcome::fail_signature(error),
            }
        })
        .unwrap_or_else(outcome::invalid_input)
    }

    /// Verifies a whole delivery: the signature (as [`Receiver::verify_signature`]), then the
    /// JSON event, then its timestamp against `now_secs` (seconds since the epoch): at most
    /// `past_secs` old and `future_secs` ahead (`Infinity` for no limit). On success the
    /// event waits in the [field slots](crate::fields) (`Status::Ok`), or as JSON in
    /// [`outcome::take_output`] for the rare bodies only the owned reader reads
    /// (`Status::OkAsJson`); on failure the error's JSON waits there.
    ///
    /// The two sides differ: the past one covers the sender's retries, the future one only
    /// clock skew.
    #[wasm_bindgen(js_name = verifyEvent)]
    #[must_use]
    pub fn verify_event(
        &self,
        body_len: usize,
        header_len: usize,
        now_secs: f64,
        past_secs: f64,
        future_secs: f64,
    ) -> u32 {
        // Float-to-int `as` saturates (NaN gives 0); the JavaScript side validates all three.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (now, past, future) = (
            now_secs.floor() as i64,
            past_secs as u64,
            future_secs as u64,
        );
        scratch::with_parts([body_len, header_len], |[body, header]| {
            let window = Window {
                past_secs: past,
                future_secs: future,
            };
            let verified = self
                .keys
                .verify_signature(body, header_text(header))
                .map_err(EventError::Signature)
                .and_then(|()| read_event(body, now, window));
            match verified {
                Ok(Read::Fields) => Status::Ok as u32,
                Ok(Read::Json(json)) => {
                    outcome::put(json);
                    Status::OkAsJson as u32
                }
                Err(error) => {
                    let (status, json) = crate::event::error(&error);
                    outcome::put(json);
                    status as u32
                }
            }
        })
        .unwrap_or_else(outcome::invalid_input)
    }

    /// The header value `sha256=<hex>` for the scratch buffer's first `body_len` bytes, under
    /// the first secret.
    #[must_use]
    pub fn sign(&self, body_len: usize) -> String {
        let Some(signer) = &self.signer else {
            return String::new();
        };
        scratch::with_parts([body_len], |[body]| signer.sign(body)).unwrap_or_default()
    }
}

impl Receiver {
    /// A receiver of UTF-8 secrets, for Rust callers and tests.
    ///
    /// ```
    /// use nfehook_wasm::{receiver::Receiver, scratch};
    ///
    /// let from_text = Receiver::from_secrets(&["a", "b"]);
    /// let from_bytes = Receiver::new(b"ab", &[1, 1]);
    /// scratch::fill(&[b"m"]);
    /// assert_eq!(from_text.sign(1), from_bytes.sign(1));
    /// assert_eq!(from_text.sign(1), nfehook_core::sign("a", b"m"));
    /// ```
    #[must_use]
    pub fn from_secrets(secrets: &[&str]) -> Receiver {
        let lengths: Vec<u32> = secrets
            .iter()
            .map(|s| u32::try_from(s.len()).unwrap_or(u32::MAX))
            .collect();
        Receiver::new(secrets.concat().as_bytes(), &lengths)
    }
}

/// How a verified event was handed over.
enum Read {
    /// In the field slots.
    Fields,
    /// As JSON, for the output slot.
    Json(String),
}

/// Reads a signed body and checks its window, in place when the body allows (the common case),
/// else with the core's owned reader, which also says why a body is refused.
fn read_event(body: &[u8], now: i64, window: Window) -> Result<Read, EventError> {
    if let Some(event) = EventRef::from_json(body) {
        window.check(event.timestamp.value, now)?;
        crate::fields::put(&event);
        return Ok(Read::Fields);
    }
    let event = Event::from_json(body).map_err(EventError::InvalidPayload)?;
    window.check(event.timestamp, now)?;
    Ok(Read::Json(crate::event::to_js_json(&event)))
}

/// The header bytes as text. They come from `TextEncoder`, so they are UTF-8; anything else
/// is read as an undecodable signature rather than trusted.
pub(crate) fn header_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("\u{0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(receiver: &Receiver, body: &[u8], header: &str) -> (u32, String) {
        scratch::fill(&[body, header.as_bytes()]);
        let status = receiver.verify_signature(body.len(), header.len());
        (status, outcome::take_output())
    }

    #[test]
    fn one_secret_verifies_and_rejects() {
        let receiver = Receiver::from_secrets(&["whsec_a"]);
        let header = nfehook_core::sign("whsec_a", b"body");
        assert_eq!(verify(&receiver, b"body", &header), (0, String::new()));
        let (status, details) = verify(&receiver, b"Body", &header);
        assert_eq!(status, Status::SignatureMismatch as u32);
        assert!(details.contains("signature_mismatch"));
        assert_eq!(
            verify(&receiver, b"body", "").0,
            Status::MissingSignature as u32
        );
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        for secrets in [&[""][..], &["whsec_a", ""], &[]] {
            let receiver = Receiver::from_secrets(secrets);
            let header = nfehook_core::sign("", b"body");
            let (status, details) = verify(&receiver, b"body", &header);
            assert_eq!(status, Status::InvalidInput as u32, "{secrets:?}");
            assert!(details.contains("empty_secret"), "{details}");
            scratch::fill(&[b"body"]);
            assert_eq!(receiver.sign(4), "");
        }
    }

    #[test]
    fn ring_accepts_every_secret_and_signs_with_the_first() {
        let receiver = Receiver::from_secrets(&["new", "old"]);
        for secret in ["new", "old"] {
            let header = nfehook_core::sign(secret, b"m");
            assert_eq!(verify(&receiver, b"m", &header).0, 0, "{secret}");
        }
        scratch::fill(&[b"m"]);
        assert_eq!(receiver.sign(1), nfehook_core::sign("new", b"m"));
    }

    #[test]
    fn events_verify_parse_and_check_the_window() {
        let receiver = Receiver::from_secrets(&["k"]);
        let body = br#"{"id":"d","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"c","status":"erro"}}"#;
        let header = nfehook_core::sign("k", body);
        let t = 1_710_089_130.0;
        let run = |now: f64, past: f64, future: f64| {
            scratch::fill(&[body, header.as_bytes()]);
            let status = receiver.verify_event(body.len(), header.len(), now, past, future);
            (status, outcome::take_output())
        };
        let (status, _) = run(t + 0.9, 300.0, 300.0);
        assert_eq!(status, Status::Ok as u32);
        let event = crate::fields::tests::build(std::str::from_utf8(body).unwrap());
        assert_eq!(event["dialect"], "subscription");
        assert_eq!(event["id"], "d");
        assert_eq!(event["event"], "nfe.erro");
        assert_eq!(
            run(t + 301.0, 300.0, 300.0).0,
            Status::TimestampTooOld as u32
        );
        assert_eq!(
            run(t - 301.0, 300.0, 300.0).0,
            Status::TimestampInFuture as u32
        );
        assert_eq!(run(t + 1e9, f64::INFINITY, 0.0).0, 0);

        // The two sides are independent, whichever is wider.
        assert_eq!(run(t + 3000.0, 3600.0, 300.0).0, 0);
        let (status, json) = run(t - 301.0, 3600.0, 300.0);
        assert_eq!(status, Status::TimestampInFuture as u32);
        assert!(json.contains(r#""toleranceSeconds":300"#), "{json}");
        assert_eq!(run(t - 3000.0, 300.0, 3600.0).0, 0);
        let (status, json) = run(t + 301.0, 300.0, 3600.0);
        assert_eq!(status, Status::TimestampTooOld as u32);
        assert!(json.contains(r#""toleranceSeconds":300"#), "{json}");

        let bad = b"not json";
        let header = nfehook_core::sign("k", bad);
        scratch::fill(&[bad, header.as_bytes()]);
        assert_eq!(
            receiver.verify_event(bad.len(), header.len(), t, 300.0, 300.0),
            Status::InvalidPayload as u32
        );
        assert!(outcome::take_output().contains("invalid_payload"));
    }

    #[test]
    fn rare_forms_come_back_as_json_and_refusals_as_the_owned_reader_says() {
        let receiver = Receiver::from_secrets(&["k"]);
        let t = 1_710_089_130.0;
        let run = |body: &[u8]| {
            let header = nfehook_core::sign("k", body);
            scratch::fill(&[body, header.as_bytes()]);
            let status = receiver.verify_event(body.len(), header.len(), t, 300.0, 300.0);
            (status, outcome::take_output())
        };
        // An escaped field name is read by the owned reader only.
        let body = br#"{"id":"d","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfe\u0043have":"c","status":"erro"}}"#;
        let (status, json) = run(body);
        assert_eq!(status, Status::OkAsJson as u32);
        let owned = Event::from_json(body).unwrap();
        assert_eq!(json, crate::event::to_js_json(&owned));
        // Its window is checked too.
        let header = nfehook_core::sign("k", body);
        scratch::fill(&[body, header.as_bytes()]);
        let late = receiver.verify_event(body.len(), header.len(), t + 301.0, 300.0, 300.0);
        assert_eq!(late, Status::TimestampTooOld as u32);
        // A refused body carries the owned reader's message.
        let body = br#"{"id":"d","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"status":"erro"}}"#;
        let (status, json) = run(body);
        assert_eq!(status, Status::InvalidPayload as u32);
        assert!(json.contains("missing field `nfeChave`"), "{json}");
    }

    #[test]
    fn account_deliveries_verify_with_a_bare_hex_signature() {
        let receiver = Receiver::from_secrets(&["k"]);
        let body = br#"{"evento":"nfe.consulta.concluida","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"c","status":"autorizada"}}"#;
        let signature = nfehook_core::sign("k", body);
        let bare = signature.trim_start_matches("sha256=");
        scratch::fill(&[body, bare.as_bytes()]);
        let status = receiver.verify_event(body.len(), bare.len(), 1_710_089_130.0, 300.0, 300.0);
        assert_eq!(status, Status::Ok as u32);
        let event = crate::fields::tests::build(std::str::from_utf8(body).unwrap());
        assert_eq!(event["dialect"], "account");
        assert_eq!(event["id"], nfehook_core::event::body_id(body));
        assert_eq!(
            event["data"],
            serde_json::json!({"nfeChave": "c", "status": "autorizada"})
        );
    }

    #[test]
    fn fast_path_agrees_with_the_core_on_every_single_byte_change() {
        let receiver = Receiver::from_secrets(&["whsec_a"]);
        let body = b"{\"id\":\"x\"}";
        let header = nfehook_core::sign("whsec_a", body);
        for at in 0..header.len() {
            for replacement in [b'0', b'f', b'F', b'g', b' ', b'=', b','] {
                let mut bytes = header.clone().into_bytes();
                bytes[at] = replacement;
                let variant = String::from_utf8(bytes).unwrap();
                let expected = nfehook_core::verify("whsec_a", body, &variant);
                let got = receiver.keys.verify_signature(body, &variant);
                assert_eq!(got, expected, "{variant}");
            }
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let receiver = Receiver::from_secrets(&["whsec_topsecret"]);
        assert!(!format!("{receiver:?}").contains("topsecret"));
    }

    #[test]
    fn invalid_utf8_header_is_malformed_not_a_panic() {
        let receiver = Receiver::from_secrets(&["k"]);
        scratch::fill(&[b"{}", &[0xff, 0xfe]]);
        assert_eq!(
            receiver.verify_signature(2, 2),
            Status::MalformedSignature as u32
        );
    }

    #[test]
    fn lengths_past_the_buffer_are_reported() {
        let receiver = Receiver::from_secrets(&["k"]);
        assert_eq!(
            receiver.verify_signature(usize::MAX, 1),
            Status::InvalidInput as u32
        );
        assert!(outcome::take_output().contains("invalid_input"));
    }
}
