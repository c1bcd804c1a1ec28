//! ValidaNFe delivery signatures: `X-Webhook-Signature: sha256=<hex>`, the HMAC-SHA256 of the
//! raw body keyed with the UTF-8 bytes of the subscription's secret (its `whsec_` prefix
//! included, nothing base64-decoded).
//!
//! ```
//! use nfehook_core::{sign, verify};
//!
//! let body = br#"{"id":"d1","event":"nfe.processada"}"#;
//! let header = sign("whsec_1234567890abcdef", body);
//! assert!(header.starts_with("sha256="));
//! assert_eq!(verify("whsec_1234567890abcdef", body, &header), Ok(()));
//! assert!(verify("whsec_other", body, &header).is_err());
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::header::{self, Algorithm, SignatureError};
use crate::secret::Secret;

/// Name of the HTTP header that carries a ValidaNFe signature.
///
/// ```
/// assert_eq!(nfehook_core::SIGNATURE_HEADER, "X-Webhook-Signature");
/// ```
pub const SIGNATURE_HEADER: &str = "X-Webhook-Signature";

/// Length in bytes of an HMAC-SHA256 tag.
///
/// ```
/// assert_eq!(nfehook_core::signature::MAC_LEN, 32);
/// ```
pub const MAC_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Signs `body` with `secret`, giving the header value `sha256=<64 lowercase hex>`.
///
/// ```
/// // RFC 4231, test case 2.
/// let header = nfehook_core::sign("Jefe", "what do ya want for nothing?");
/// assert_eq!(
///     header,
///     "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
/// );
/// ```
#[must_use]
pub fn sign(secret: impl AsRef<[u8]>, body: impl AsRef<[u8]>) -> String {
    // Signing has no secret to protect from an empty key, only verifying does.
    Verifier {
        keyed: keyed_hmac(secret.as_ref()),
    }
    .sign(body)
}

/// Verifies the header value `header` of a delivery whose raw body is `body`.
///
/// Keys the HMAC for this one call: to verify many deliveries under one secret, build a
/// [`Verifier`] once.
///
/// # Errors
/// [`SignatureError::Missing`] for an empty header, [`SignatureError::Malformed`] when no value
/// can be decoded, [`SignatureError::UnsupportedAlgorithm`] for `sha1=` and other schemes, and
/// [`SignatureError::Mismatch`] when the MAC is well formed but wrong, and
/// [`SignatureError::EmptySecret`] for an empty secret.
///
/// ```
/// use nfehook_core::{verify, SignatureError};
///
/// let header = nfehook_core::sign("s3cret", b"{}");
/// assert_eq!(verify("s3cret", b"{}", &header), Ok(()));
/// assert_eq!(verify("s3cret", b"{ }", &header), Err(SignatureError::Mismatch));
/// assert_eq!(verify("s3cret", b"{}", "  "), Err(SignatureError::Missing));
/// assert_eq!(verify("", b"{}", &nfehook_core::sign("", b"{}")), Err(SignatureError::EmptySecret));
/// ```
pub fn verify(
    secret: impl AsRef<[u8]>,
    body: impl AsRef<[u8]>,
    header: &str,
) -> Result<(), SignatureError> {
    Verifier::new(secret)?.verify(body, header)
}

/// Why a secret cannot key a [`Verifier`] or a [`KeyRing`].
///
/// An empty secret is what an unset environment variable or a blank setting gives; an HMAC
/// keyed with it would accept anything signed with the empty key, so it is refused.
///
/// ```
/// use nfehook_core::{KeyRing, SecretError, Verifier};
///
/// assert_eq!(Verifier::new("").unwrap_err(), SecretError::Empty);
/// let err = KeyRing::new(["whsec_new", ""]).unwrap_err();
/// assert_eq!(err, SecretError::EmptyInRing { position: 1 });
/// assert_eq!(err.to_string(), "secret 1 of the key ring is empty");
/// assert_eq!(err.code(), "empty_secret");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretError {
    /// The secret is empty.
    Empty,
    /// The secret at `position` (0-based) of the secrets given to a [`KeyRing`] is empty.
    EmptyInRing {
        /// Its index among the secrets given.
        position: usize,
    },
}

impl SecretError {
    /// A stable `snake_case` code for APIs and logs: `empty_secret`.
    ///
    /// ```
    /// assert_eq!(nfehook_core::SecretError::Empty.code(), "empty_secret");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty | Self::EmptyInRing { .. } => "empty_secret",
        }
    }
}

impl core::fmt::Display for SecretError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Empty => f.write_str("the secret is empty"),
            Self::EmptyInRing { position } => {
                write!(f, "secret {position} of the key ring is empty")
            }
        }
    }
}

impl core::error::Error for SecretError {}

impl From<SecretError> for SignatureError {
    fn from(_: SecretError) -> Self {
        SignatureError::EmptySecret
    }
}

/// Anything that checks a signature header against a raw body: a [`Verifier`] or a [`KeyRing`].
///
/// ```
/// use nfehook_core::{KeyRing, Verifier, VerifySignature};
///
/// fn check(v: &impl VerifySignature, body: &[u8], header: &str) -> bool {
///     v.verify_signature(body, header).is_ok()
/// }
/// let header = nfehook_core::sign("a", b"x");
/// assert!(check(&Verifier::new("a").unwrap(), b"x", &header));
/// assert!(check(&KeyRing::new(["b", "a"]).unwrap(), b"x", &header));
/// ```
pub trait VerifySignature {
    /// Checks `header` against `body`.
    ///
    /// # Errors
    /// As [`verify`].
    fn verify_signature(&self, body: &[u8], header: &str) -> Result<(), SignatureError>;
}

/// A secret keyed once into HMAC-SHA256, to sign or verify many bodies cheaply.
///
/// Cloning the keyed state per message skips the two key-block compressions that keying costs.
/// Its `Debug` output never shows the key.
///
/// ```
/// use nfehook_core::Verifier;
///
/// let verifier = Verifier::new("whsec_1234567890abcdef").unwrap();
/// for body in [&b"{}"[..], b"[1,2,3]"] {
///     let header = verifier.sign(body);
///     assert_eq!(verifier.verify(body, &header), Ok(()));
/// }
/// assert_eq!(format!("{verifier:?}"), "Verifier { key: [REDACTED] }");
/// ```
#[derive(Clone)]
pub struct Verifier {
    keyed: HmacSha256,
}

impl Verifier {
    /// Keys HMAC-SHA256 with the bytes of `secret`.
    ///
    /// # Errors
    /// [`SecretError::Empty`] for an empty secret.
    ///
    /// ```
    /// let v = nfehook_core::Verifier::new(nfehook_core::Secret::new("whsec_abc")).unwrap();
    /// assert_eq!(v.sign(b""), nfehook_core::sign("whsec_abc", b""));
    /// assert!(nfehook_core::Verifier::new(std::env::var("UNSET_NFEHOOK_SECRET").unwrap_or_default()).is_err());
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self {
            keyed: keyed_hmac(secret),
        })
    }

    /// The raw 32-byte HMAC-SHA256 of `body`.
    ///
    /// ```
    /// let mac = nfehook_core::Verifier::new("k").unwrap().mac(b"body");
    /// assert_eq!(mac.len(), 32);
    /// ```
    #[must_use]
    pub fn mac(&self, body: impl AsRef<[u8]>) -> [u8; MAC_LEN] {
        let mut mac = self.keyed.clone();
        mac.update(body.as_ref());
        mac.finalize().into_bytes().into()
    }

    /// The header value `sha256=<64 lowercase hex>` for `body`.
    ///
    /// ```
    /// let v = nfehook_core::Verifier::new("k").unwrap();
    /// assert_eq!(v.sign(b"body").len(), "sha256=".len() + 64);
    /// ```
    #[must_use]
    pub fn sign(&self, body: impl AsRef<[u8]>) -> String {
        header::format_hex("sha256=", &self.mac(body), header::HexCase::Lower)
    }

    /// Verifies `header` against `body`; see [`verify`].
    ///
    /// # Errors
    /// As [`verify`].
    ///
    /// ```
    /// let v = nfehook_core::Verifier::new("k").unwrap();
    /// let header = v.sign(b"body");
    /// assert!(v.verify(b"body", &header.to_uppercase()).is_ok());
    /// ```
    pub fn verify(&self, body: impl AsRef<[u8]>, header: &str) -> Result<(), SignatureError> {
        let expected = self.mac(body);
        header::check::<MAC_LEN>(header, Algorithm::Sha256, |candidate| {
            header::ct_eq(candidate, &expected)
        })
    }

    /// Checks an already-decoded 32-byte MAC against `body` in constant time.
    ///
    /// ```
    /// let v = nfehook_core::Verifier::new("k").unwrap();
    /// let mac = v.mac(b"body");
    /// assert!(v.verify_mac(b"body", &mac));
    /// assert!(!v.verify_mac(b"Body", &mac));
    /// ```
    #[must_use]
    pub fn verify_mac(&self, body: impl AsRef<[u8]>, mac: &[u8; MAC_LEN]) -> bool {
        header::ct_eq(&self.mac(body), mac)
    }
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Verifier { key: [REDACTED] }")
    }
}

impl VerifySignature for Verifier {
    fn verify_signature(&self, body: &[u8], header: &str) -> Result<(), SignatureError> {
        self.verify(body, header)
    }
}

impl TryFrom<&Secret> for Verifier {
    type Error = SecretError;

    fn try_from(secret: &Secret) -> Result<Self, SecretError> {
        Self::new(secret)
    }
}

/// Several secrets accepted at once, for rotating a subscription's secret without dropping
/// deliveries signed with the old one.
///
/// A header passes when any of its signatures matches any of the secrets.
///
/// ```
/// use nfehook_core::{KeyRing, SignatureError};
///
/// let ring = KeyRing::new(["whsec_new", "whsec_old"]).unwrap();
/// let old = nfehook_core::sign("whsec_old", b"{}");
/// assert_eq!(ring.verify(b"{}", &old), Ok(()));
/// let other = nfehook_core::sign("whsec_other", b"{}");
/// assert_eq!(ring.verify(b"{}", &other), Err(SignatureError::Mismatch));
/// ```
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    verifiers: Vec<Verifier>,
}

impl KeyRing {
    /// A ring of every secret in `secrets`.
    ///
    /// # Errors
    /// [`SecretError::EmptyInRing`] when one of them is empty.
    ///
    /// ```
    /// let ring = nfehook_core::KeyRing::new(["a", "b"]).unwrap();
    /// assert_eq!(ring.len(), 2);
    /// ```
    pub fn new<S: AsRef<[u8]>>(secrets: impl IntoIterator<Item = S>) -> Result<Self, SecretError> {
        let verifiers = secrets
            .into_iter()
            .enumerate()
            .map(|(position, secret)| {
                Verifier::new(secret).map_err(|_| SecretError::EmptyInRing { position })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { verifiers })
    }

    /// Adds one more accepted secret.
    ///
    /// # Errors
    /// [`SecretError::Empty`] for an empty secret; the ring is left as it was.
    ///
    /// ```
    /// let mut ring = nfehook_core::KeyRing::default();
    /// ring.push("whsec_new").unwrap();
    /// assert!(ring.push("").is_err());
    /// assert_eq!(ring.len(), 1);
    /// ```
    pub fn push(&mut self, secret: impl AsRef<[u8]>) -> Result<(), SecretError> {
        self.verifiers.push(Verifier::new(secret)?);
        Ok(())
    }

    /// How many secrets the ring holds.
    ///
    /// ```
    /// assert_eq!(nfehook_core::KeyRing::new(["a"]).unwrap().len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.verifiers.len()
    }

    /// Whether the ring holds no secret (then every header is a mismatch).
    ///
    /// ```
    /// assert!(nfehook_core::KeyRing::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.verifiers.is_empty()
    }

    /// Verifies `header` against `body` under every secret of the ring.
    ///
    /// # Errors
    /// As [`verify`]; [`SignatureError::Mismatch`] when no secret matches.
    ///
    /// ```
    /// let ring = nfehook_core::KeyRing::new(["a", "b"]).unwrap();
    /// let header = format!("{}, {}", nfehook_core::sign("x", b"m"), nfehook_core::sign("b", b"m"));
    /// assert!(ring.verify(b"m", &header).is_ok());
    /// ```
    pub fn verify(&self, body: impl AsRef<[u8]>, header: &str) -> Result<(), SignatureError> {
        let body = body.as_ref();
        let expected: Vec<[u8; MAC_LEN]> = self.verifiers.iter().map(|v| v.mac(body)).collect();
        header::check::<MAC_LEN>(header, Algorithm::Sha256, |candidate| {
            // Every secret is compared, so timing does not tell which one matched.
            expected
                .iter()
                .fold(false, |found, mac| found | header::ct_eq(candidate, mac))
        })
    }
}

impl VerifySignature for KeyRing {
    fn verify_signature(&self, body: &[u8], header: &str) -> Result<(), SignatureError> {
        self.verify(body, header)
    }
}

impl From<Verifier> for KeyRing {
    fn from(verifier: Verifier) -> Self {
        Self {
            verifiers: alloc::vec![verifier],
        }
    }
}

fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (longer ones are hashed first), so this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::MalformedReason;
    use alloc::format;

    const SECRET: &str = "whsec_1234567890abcdef";
    const BODY: &[u8] = br#"{"id":"x"}"#;

    #[test]
    fn signs_lowercase_hex_with_prefix() {
        let header = sign(SECRET, BODY);
        let hex = header.strip_prefix("sha256=").unwrap();
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn accepts_any_case_prefix_and_hex_and_whitespace() {
        let header = sign(SECRET, BODY);
        let hex = &header[7..];
        for variant in [
            format!("SHA256={hex}"),
            format!("Sha256={}", hex.to_uppercase()),
            format!("  \tsha256={hex}\r\n"),
        ] {
            assert_eq!(verify(SECRET, BODY, &variant), Ok(()), "{variant}");
        }
    }

    #[test]
    fn accepts_base64_of_the_mac() {
        use base64ct::{Base64, Base64UrlUnpadded, Encoding};
        let mac = Verifier::new(SECRET).unwrap().mac(BODY);
        let std = Base64::encode_string(&mac);
        let url = Base64UrlUnpadded::encode_string(&mac);
        assert_eq!(verify(SECRET, BODY, &format!("sha256={std}")), Ok(()));
        assert_eq!(verify(SECRET, BODY, &format!("sha256={url}")), Ok(()));
        assert_eq!(verify(SECRET, BODY, &std), Ok(()));
    }

    #[test]
    fn accepts_bare_hex_like_the_services_own_sample() {
        let header = sign(SECRET, BODY);
        assert_eq!(verify(SECRET, BODY, &header[7..]), Ok(()));
    }

    #[test]
    fn any_of_several_signatures_passes() {
        let good = sign(SECRET, BODY);
        let bad = sign("whsec_other", BODY);
        assert_eq!(verify(SECRET, BODY, &format!("{bad},{good}")), Ok(()));
        assert_eq!(verify(SECRET, BODY, &format!("{bad} {good}")), Ok(()));
        assert_eq!(
            verify(SECRET, BODY, &format!("{bad}, {bad}")),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_when_blank() {
        assert_eq!(verify(SECRET, BODY, ""), Err(SignatureError::Missing));
        assert_eq!(verify(SECRET, BODY, " \t "), Err(SignatureError::Missing));
    }

    #[test]
    fn malformed_reasons() {
        assert_eq!(
            verify(SECRET, BODY, "sha256="),
            Err(SignatureError::Malformed(MalformedReason::MissingValue))
        );
        assert_eq!(
            verify(SECRET, BODY, "sha256=abcd"),
            Err(SignatureError::Malformed(MalformedReason::WrongLength {
                found: 4,
                expected: 64
            }))
        );
        let not_hex = "g".repeat(64);
        assert_eq!(
            verify(SECRET, BODY, &format!("sha256={not_hex}")),
            Err(SignatureError::Malformed(MalformedReason::InvalidEncoding))
        );
        let many = ["sha256=00"; 9].join(",");
        assert_eq!(
            verify(SECRET, BODY, &many),
            Err(SignatureError::Malformed(
                MalformedReason::TooManySignatures { found: 9 }
            ))
        );
    }

    #[test]
    fn other_algorithms_are_refused_not_downgraded() {
        let sha1 = crate::nfeio::sign(SECRET, BODY);
        assert_eq!(
            verify(SECRET, BODY, &sha1),
            Err(SignatureError::UnsupportedAlgorithm(Algorithm::Sha1))
        );
        assert_eq!(
            verify(SECRET, BODY, "v1=abc"),
            Err(SignatureError::UnsupportedAlgorithm(Algorithm::Other))
        );
    }

    #[test]
    fn mismatch_on_any_change() {
        let header = sign(SECRET, BODY);
        assert_eq!(
            verify(SECRET, b"{\"id\":\"y\"}", &header),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_1234567890abcdeg", BODY, &header),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn secret_is_used_as_is_not_base64_decoded() {
        // svix-style schemes decode the part after `whsec_`; ValidaNFe does not.
        let header = sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", BODY);
        assert_eq!(
            verify(b"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", BODY, &header),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn keyring_with_no_secret_never_matches() {
        let header = sign(SECRET, BODY);
        assert_eq!(
            KeyRing::default().verify(BODY, &header),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        // What the empty key signs must not pass, whatever the caller does with the error.
        let header = sign("", BODY);
        assert_eq!(Verifier::new("").unwrap_err(), SecretError::Empty);
        assert_eq!(
            Verifier::new(Secret::new("")).unwrap_err(),
            SecretError::Empty
        );
        assert!(Verifier::try_from(&Secret::new("")).is_err());
        assert_eq!(verify("", BODY, &header), Err(SignatureError::EmptySecret));
        assert_eq!(
            KeyRing::new([SECRET, "", "x"]).unwrap_err(),
            SecretError::EmptyInRing { position: 1 }
        );
        let mut ring = KeyRing::new([SECRET]).unwrap();
        assert_eq!(ring.push(""), Err(SecretError::Empty));
        assert_eq!(ring.len(), 1);
        assert_eq!(SignatureError::EmptySecret.code(), "empty_secret");
    }

    #[test]
    fn debug_redacts() {
        let ring = KeyRing::new([SECRET]).unwrap();
        let text = format!("{ring:?}");
        assert!(!text.contains("whsec"), "{text}");
    }
}
