//! NFE.io's `X-Hub-Signature: sha1=<HEX>` scheme, over inputs in the scratch buffer.

use wasm_bindgen::prelude::wasm_bindgen;

use crate::outcome::{self, Status};
use crate::receiver::header_text;
use crate::scratch;

/// Verifies an NFE.io signature: the scratch buffer holds the body, the header and the secret
/// back to back with the given lengths. Returns a [`Status`] number.
///
/// ```
/// use nfehook_wasm::{nfeio, scratch, outcome::Status};
///
/// let header = nfehook_core::nfeio::sign("secret", b"{}");
/// scratch::fill(&[b"{}", header.as_bytes(), b"secret"]);
/// assert_eq!(nfeio::verify(2, header.len(), 6), Status::Ok as u32);
/// ```
#[wasm_bindgen(js_name = nfeioVerify)]
#[must_use]
pub fn verify(body_len: usize, header_len: usize, secret_len: usize) -> u32 {
    scratch::with_parts(
        [body_len, header_len, secret_len],
        |[body, header, secret]| match nfehook_core::nfeio::verify(
            secret,
            body,
            header_text(header),
        ) {
            Ok(()) => Status::Ok as u32,
            Err(error) => outcome::fail_signature(error),
        },
    )
    .unwrap_or_else(outcome::invalid_input)
}

/// The `sha1=<HEX>` value NFE.io would send for the scratch buffer's body and secret.
///
/// ```
/// use nfehook_wasm::{nfeio, scratch};
///
/// scratch::fill(&[b"{}", b"secret"]);
/// assert_eq!(nfeio::sign(2, 6), nfehook_core::nfeio::sign("secret", b"{}"));
/// ```
#[wasm_bindgen(js_name = nfeioSign)]
#[must_use]
pub fn sign(body_len: usize, secret_len: usize) -> String {
    scratch::with_parts([body_len, secret_len], |[body, secret]| {
        nfehook_core::nfeio::sign(secret, body)
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_vector_and_downgrade_refusal() {
        let secret = b"probe-secret-32chars-minimum-length-1";
        let body = br#"{"action":"ping"}"#;
        let header = nfehook_core::nfeio::sign(secret, body);
        scratch::fill(&[body, header.as_bytes(), secret]);
        assert_eq!(verify(body.len(), header.len(), secret.len()), 0);

        let sha256 = nfehook_core::sign(secret, body);
        scratch::fill(&[body, sha256.as_bytes(), secret]);
        assert_eq!(
            verify(body.len(), sha256.len(), secret.len()),
            Status::MalformedSignature as u32
        );
        assert!(outcome::take_output().contains("unsupported_algorithm"));
    }
}
