//! NFE.io delivery signatures, a scheme apart from ValidaNFe's: `X-Hub-Signature:
//! sha1=<HEX>`, the HMAC-SHA1 of the raw body keyed with the secret's UTF-8 bytes, written in
//! uppercase hex. Nothing is timestamped; drop duplicates by the `X-Hook-Id` header.
//!
//! A `sha256=` value is refused here, as `sha1=` is by [`crate::verify`]: neither scheme
//! falls back to the other.
//!
//! ```
//! use nfehook_core::nfeio;
//!
//! let header = nfeio::sign("probe-secret", b"{\"action\":\"ping\"}");
//! assert!(header.starts_with("sha1="));
//! assert!(nfeio::verify("probe-secret", b"{\"action\":\"ping\"}", &header).is_ok());
//! ```

use alloc::string::String;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::header::{self, Algorithm, SignatureError};

/// Name of the HTTP header that carries an NFE.io signature.
///
/// ```
/// assert_eq!(nfehook_core::nfeio::SIGNATURE_HEADER, "X-Hub-Signature");
/// ```
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// Name of the HTTP header that carries the NFE.io delivery id.
///
/// ```
/// assert_eq!(nfehook_core::nfeio::HOOK_ID_HEADER, "X-Hook-Id");
/// ```
pub const HOOK_ID_HEADER: &str = "X-Hook-Id";

const MAC_LEN: usize = 20;

fn mac(secret: &[u8], body: &[u8]) -> [u8; MAC_LEN] {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Signs `body` as NFE.io does: `sha1=` and 40 uppercase hex characters.
///
/// ```
/// let header = nfehook_core::nfeio::sign("k", b"");
/// assert_eq!(header.len(), 45);
/// assert_eq!(header[5..], header[5..].to_uppercase());
/// ```
#[must_use]
pub fn sign(secret: impl AsRef<[u8]>, body: impl AsRef<[u8]>) -> String {
    header::format_hex(
        "sha1=",
        &mac(secret.as_ref(), body.as_ref()),
        header::HexCase::Upper,
    )
}

/// Verifies an `X-Hub-Signature` value; hex of either case is accepted.
///
/// # Errors
/// The same [`SignatureError`] kinds as the ValidaNFe scheme; a `sha256=` value is
/// [`SignatureError::UnsupportedAlgorithm`].
///
/// ```
/// use nfehook_core::{nfeio, Algorithm, SignatureError};
///
/// let body = b"{}";
/// let header = nfeio::sign("k", body);
/// assert!(nfeio::verify("k", body, &header.to_lowercase()).is_ok());
/// let sha256 = nfehook_core::sign("k", body);
/// assert_eq!(
///     nfeio::verify("k", body, &sha256),
///     Err(SignatureError::UnsupportedAlgorithm(Algorithm::Sha256))
/// );
/// ```
pub fn verify(
    secret: impl AsRef<[u8]>,
    body: impl AsRef<[u8]>,
    header: &str,
) -> Result<(), SignatureError> {
    let expected = mac(secret.as_ref(), body.as_ref());
    header::check::<MAC_LEN>(header, Algorithm::Sha1, |candidate| {
        header::ct_eq(candidate, &expected)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "probe-secret-32chars-minimum-length-1";
    const BODY: &str = r#"{"action":"ping","webHook":{"Id":"9dd4c3e9df4043adb11df22dcd9d8ce1","Uri":"https://webhook.site/002aedc9-653d-49f9-8a81-9cc88dd741cb","Secret":"probe-secret-32chars-minimum-length-1","ContentType":"json","InsecureSsl":false,"Status":"active","Filters":["product_invoice.issued_successfully"],"CreatedOn":"2026-06-11T01:21:16.6890073+00:00","ModifiedOn":"2026-06-11T01:21:16.6890199+00:00"}}"#;
    const HEADER: &str = "sha1=22E979F2F1281DADB4F883975D951732DE5D396A";

    #[test]
    fn published_vector() {
        assert_eq!(sign(SECRET, BODY), HEADER);
        assert_eq!(verify(SECRET, BODY, HEADER), Ok(()));
    }

    #[test]
    fn tampered_body_or_wrong_secret_mismatch() {
        assert_eq!(
            verify(SECRET, BODY.replace("ping", "pong"), HEADER),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify("other", BODY, HEADER), Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_and_malformed() {
        assert_eq!(verify(SECRET, BODY, ""), Err(SignatureError::Missing));
        assert!(matches!(
            verify(SECRET, BODY, "sha1=XYZ"),
            Err(SignatureError::Malformed(_))
        ));
    }
}
