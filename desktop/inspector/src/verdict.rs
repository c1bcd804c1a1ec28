//! The signature verdict on a received request, with the exact reason when it fails.

use nfehook_core::{
    EventError, SIGNATURE_HEADERS, Verifier, Window, nfeio, signature_header, verify_event_within,
};
use serde::{Deserialize, Serialize};

use crate::config::NamedSecret;

/// The signature scheme a request was checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Scheme {
    /// ValidaNFe, either dialect: `X-Webhook-Signature` (subscriptions) or
    /// `X-ValidaNFe-Signature` (the account webhook), `sha256=<hex>` or bare hex, with the
    /// replay window on `timestamp`.
    ValidaNfe,
    /// NFE.io: `X-Hub-Signature: sha1=<HEX>`.
    NfeIo,
}

/// Whether a request's signature holds against the chosen secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Verdict {
    /// No secret was chosen: nothing to check against.
    NoSecret,
    /// Signed with one of the secrets, and (ValidaNFe) fresh and well-formed.
    #[serde(rename_all = "camelCase")]
    Valid {
        /// Label of the secret that matched.
        secret_label: String,
        /// The scheme.
        scheme: Scheme,
    },
    /// Refused.
    #[serde(rename_all = "camelCase")]
    Invalid {
        /// `missing_signature`, `malformed_signature`, `signature_mismatch`,
        /// `timestamp_too_old`, `timestamp_in_future`, `invalid_payload`.
        code: String,
        /// The exact reason, in English, naming the header when it is missing.
        message: String,
        /// The header involved.
        header: String,
        /// The scheme.
        scheme: Scheme,
        /// The secret whose signature matched, when the failure came after the signature
        /// (a stale timestamp, a body that is not an event).
        secret_label: Option<String>,
    },
}

impl Verdict {
    /// Whether the signature was checked and holds.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid { .. })
    }

    /// The failure code, when refused.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Invalid { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The values of a header (case-insensitive), joined with `, ` when repeated.
pub(crate) fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Checks `body` against every secret. ValidaNFe's headers are read by the core's rule
/// (`X-Webhook-Signature`, else `X-ValidaNFe-Signature`) and used when present (or when no
/// NFE.io header is); the body may be of either dialect. The timestamp is judged against
/// `received_unix`, the time the request arrived, so a verdict computed again later gives the
/// same answer, within `window` (a receiver's is [`Window::RECEIVER`]: an hour old, to let
/// retries through, five minutes ahead).
///
/// ```
/// use nfehook_core::Window;
/// use nfehook_inspector::{verify_request, NamedSecret, Verdict};
/// let body = br#"{"id":"1","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro"}}"#;
/// let headers = vec![("x-webhook-signature".to_owned(), nfehook_core::sign("whsec_a", body))];
/// let secrets = [NamedSecret::new("old", "whsec_b"), NamedSecret::new("new", "whsec_a")];
/// let verdict = verify_request(&headers, body, &secrets, 1_710_089_130, Window::RECEIVER);
/// assert!(matches!(verdict, Verdict::Valid { ref secret_label, .. } if secret_label == "new"));
/// let verdict = verify_request(&[], body, &secrets, 1_710_089_130, Window::RECEIVER);
/// assert_eq!(verdict.code(), Some("missing_signature"));
///
/// let account = br#"{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{"chave_nfe":"k"}}"#;
/// let headers = vec![("X-ValidaNFe-Signature".to_owned(), nfehook_core::sign("whsec_a", account))];
/// assert!(verify_request(&headers, account, &secrets, 1_710_089_130, Window::RECEIVER).is_valid());
/// ```
#[must_use]
pub fn verify_request(
    headers: &[(String, String)],
    body: &[u8],
    secrets: &[NamedSecret],
    received_unix: i64,
    window: Window,
) -> Verdict {
    if secrets.is_empty() {
        return Verdict::NoSecret;
    }
    let found = signature_header(|name| header_value(headers, name));
    let hub = header_value(headers, nfeio::SIGNATURE_HEADER);
    if let (None, Some(hub)) = (&found, hub) {
        return verify_nfeio(&hub, body, secrets);
    }
    let present = found.is_some();
    // Named in a verdict: the header that was read, or every one that was looked for.
    let (name, header) = found.map_or_else(
        || (SIGNATURE_HEADERS.join(" or "), String::new()),
        |(name, value)| (name.to_owned(), value),
    );
    let mut first_error: Option<EventError> = None;
    for named in secrets {
        let verifier = match Verifier::new(&named.secret) {
            Ok(verifier) => verifier,
            // An empty secret verifies nothing; another one may.
            Err(error) => {
                first_error.get_or_insert(EventError::Signature(error.into()));
                continue;
            }
        };
        match verify_event_within(&verifier, body, &header, received_unix, window) {
            Ok(_) => {
                return Verdict::Valid {
                    secret_label: named.label.clone(),
                    scheme: Scheme::ValidaNfe,
                };
            }
            // Past the signature: this secret signed it, and this is the real problem.
            Err(
                error @ (EventError::InvalidPayload(_)
                | EventError::TimestampTooOld { .. }
                | EventError::TimestampInFuture { .. }),
            ) => {
                return invalid(
                    &error,
                    &name,
                    present,
                    Scheme::ValidaNfe,
                    Some(&named.label),
                );
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let error = first_error.unwrap_or(EventError::Signature(
        nfehook_core::SignatureError::Mismatch,
    ));
    invalid(&error, &name, present, Scheme::ValidaNfe, None)
}

fn verify_nfeio(header: &str, body: &[u8], secrets: &[NamedSecret]) -> Verdict {
    let mut first_error = None;
    for named in secrets {
        match nfeio::verify(&named.secret, body, header) {
            Ok(()) => {
                return Verdict::Valid {
                    secret_label: named.label.clone(),
                    scheme: Scheme::NfeIo,
                };
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    let error =
        EventError::Signature(first_error.unwrap_or(nfehook_core::SignatureError::Mismatch));
    invalid(&error, nfeio::SIGNATURE_HEADER, true, Scheme::NfeIo, None)
}

fn invalid(
    error: &EventError,
    header: &str,
    present: bool,
    scheme: Scheme,
    secret_label: Option<&str>,
) -> Verdict {
    let message = match error {
        EventError::Signature(nfehook_core::SignatureError::Missing) if !present => {
            format!("header {header} is missing")
        }
        EventError::Signature(nfehook_core::SignatureError::Missing) => {
            format!("header {header} is empty")
        }
        other => other.to_string(),
    };
    Verdict::Invalid {
        code: error.code().to_owned(),
        message,
        header: header.to_owned(),
        scheme,
        secret_label: secret_label.map(str::to_owned),
    }
}
