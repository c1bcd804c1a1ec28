//! What a call hands back to JavaScript: a small numeric status as the return value, and the
//! details (an event or an error) as JSON fetched with `takeOutput` only when needed.
//!
//! Keeping the success path to one number avoids building JavaScript objects across the
//! boundary for the common "verified" answer; error messages are written in Rust from the
//! core's `Display` impls so both languages say the same thing.

use std::cell::RefCell;

use nfehook_core::{Algorithm, MalformedReason, SignatureError};
use serde_json::{Map, Value, json};
use wasm_bindgen::prelude::wasm_bindgen;

/// Status of a verification: `Ok` or which stable error code the details carry.
///
/// ```
/// use nfehook_wasm::outcome::Status;
/// assert_eq!(Status::SignatureMismatch as u32, 3);
/// assert_eq!(Status::SignatureMismatch.code(), "signature_mismatch");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    /// Verified; for events the event's fields wait in the [field slots](crate::fields).
    Ok = 0,
    /// The signature header is absent or blank.
    MissingSignature = 1,
    /// The header could not be read, or names another algorithm.
    MalformedSignature = 2,
    /// Well formed, but no signature matches.
    SignatureMismatch = 3,
    /// The event's timestamp is older than the tolerance.
    TimestampTooOld = 4,
    /// The event's timestamp is further in the future than the tolerance.
    TimestampInFuture = 5,
    /// The signed body is not a valid event.
    InvalidPayload = 6,
    /// The JavaScript side passed lengths past the scratch buffer, or an empty secret (a bug
    /// of the package).
    InvalidInput = 7,
    /// Verified; the event waits as JSON in the output slot (a body in one of the rare forms
    /// only the core's owned reader reads).
    OkAsJson = 8,
}

impl Status {
    /// The stable `snake_case` code, as `WebhookVerificationError.code` shows it.
    ///
    /// ```
    /// assert_eq!(nfehook_wasm::outcome::Status::InvalidPayload.code(), "invalid_payload");
    /// ```
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Ok | Self::OkAsJson => "ok",
            Self::MissingSignature => "missing_signature",
            Self::MalformedSignature => "malformed_signature",
            Self::SignatureMismatch => "signature_mismatch",
            Self::TimestampTooOld => "timestamp_too_old",
            Self::TimestampInFuture => "timestamp_in_future",
            Self::InvalidPayload => "invalid_payload",
            Self::InvalidInput => "invalid_input",
        }
    }
}

thread_local! {
    static OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Stores `json` for the next [`take_output`].
pub(crate) fn put(json: String) {
    OUTPUT.set(json);
}

/// Takes the JSON the last call left: the event after a successful `verifyEvent`, or the error
/// details after a failure (`{"code", "message", ...}`). Empty when there is nothing.
///
/// ```
/// use nfehook_wasm::{outcome, scratch, receiver::Receiver};
///
/// let receiver = Receiver::from_secrets(&["k"]);
/// scratch::fill(&[b"{}", b"sha256=00"]);
/// assert_eq!(receiver.verify_signature(2, 9), outcome::Status::MalformedSignature as u32);
/// let details: serde_json::Value = serde_json::from_str(&outcome::take_output()).unwrap();
/// assert_eq!(details["code"], "malformed_signature");
/// assert_eq!(details["reason"], "wrong_length");
/// assert_eq!(outcome::take_output(), "");
/// ```
#[wasm_bindgen(js_name = takeOutput)]
#[must_use]
pub fn take_output() -> String {
    OUTPUT.take()
}

/// Details of a failure: the code, a message, and the fields a caller can act on.
pub(crate) fn error_json(status: Status, message: &str, extra: Map<String, Value>) -> String {
    let mut object = Map::with_capacity(extra.len() + 2);
    object.insert("code".into(), status.code().into());
    object.insert("message".into(), message.into());
    object.extend(extra);
    Value::Object(object).to_string()
}

/// Status and details of a signature failure.
pub(crate) fn signature_error(error: SignatureError) -> (Status, String) {
    let status = match error {
        SignatureError::Missing => Status::MissingSignature,
        SignatureError::Malformed(_) | SignatureError::UnsupportedAlgorithm(_) => {
            Status::MalformedSignature
        }
        SignatureError::Mismatch => Status::SignatureMismatch,
        // The package refuses empty secrets before keying them: reaching here is its bug.
        SignatureError::EmptySecret => Status::InvalidInput,
    };
    let extra = match error {
        SignatureError::Malformed(reason) => malformed_fields(reason),
        SignatureError::UnsupportedAlgorithm(algorithm) => fields(json!({
            "reason": "unsupported_algorithm",
            "algorithm": algorithm_name(algorithm),
        })),
        SignatureError::EmptySecret => fields(json!({ "reason": "empty_secret" })),
        SignatureError::Missing | SignatureError::Mismatch => Map::new(),
    };
    (status, error_json(status, &error.to_string(), extra))
}

fn malformed_fields(reason: MalformedReason) -> Map<String, Value> {
    fields(match reason {
        MalformedReason::MissingValue => json!({ "reason": "missing_value" }),
        MalformedReason::InvalidEncoding => json!({ "reason": "invalid_encoding" }),
        MalformedReason::WrongLength { found, expected } => {
            json!({ "reason": "wrong_length", "found": found, "expected": expected })
        }
        MalformedReason::TooManySignatures { found } => {
            json!({ "reason": "too_many_signatures", "found": found })
        }
    })
}

fn algorithm_name(algorithm: Algorithm) -> &'static str {
    algorithm.name()
}

pub(crate) fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Records the details of a signature failure and returns its status as the call's result.
pub(crate) fn fail_signature(error: SignatureError) -> u32 {
    let (status, json) = signature_error(error);
    put(json);
    status as u32
}

/// Records that the JavaScript side passed impossible lengths.
pub(crate) fn invalid_input() -> u32 {
    put(error_json(
        Status::InvalidInput,
        "input lengths reach past the scratch buffer",
        Map::new(),
    ));
    Status::InvalidInput as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_signature_error_maps_to_its_code_and_fields() {
        let cases = [
            (SignatureError::Missing, "missing_signature", None),
            (SignatureError::Mismatch, "signature_mismatch", None),
            (
                SignatureError::Malformed(MalformedReason::MissingValue),
                "malformed_signature",
                Some("missing_value"),
            ),
            (
                SignatureError::Malformed(MalformedReason::InvalidEncoding),
                "malformed_signature",
                Some("invalid_encoding"),
            ),
            (
                SignatureError::Malformed(MalformedReason::WrongLength {
                    found: 3,
                    expected: 64,
                }),
                "malformed_signature",
                Some("wrong_length"),
            ),
            (
                SignatureError::Malformed(MalformedReason::TooManySignatures { found: 9 }),
                "malformed_signature",
                Some("too_many_signatures"),
            ),
            (
                SignatureError::UnsupportedAlgorithm(Algorithm::Sha1),
                "malformed_signature",
                Some("unsupported_algorithm"),
            ),
        ];
        for (error, code, reason) in cases {
            let (status, json) = signature_error(error);
            let value = parse(&json);
            assert_eq!(status.code(), code);
            assert_eq!(value["code"], code);
            assert_eq!(value["message"], error.to_string());
            assert_eq!(value.get("reason").and_then(Value::as_str), reason);
        }
    }

    #[test]
    fn wrong_length_carries_found_and_expected() {
        let (_, json) = signature_error(SignatureError::Malformed(MalformedReason::WrongLength {
            found: 3,
            expected: 64,
        }));
        let value = parse(&json);
        assert_eq!(value["found"], 3);
        assert_eq!(value["expected"], 64);
    }

    #[test]
    fn output_is_taken_once() {
        put("x".into());
        assert_eq!(take_output(), "x");
        assert_eq!(take_output(), "");
    }
}
