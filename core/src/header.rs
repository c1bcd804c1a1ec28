//! Which header a ValidaNFe signature is read from ([`signature_header`]), and parsing of
//! signature header values, shared by the ValidaNFe (`sha256=`) and NFE.io (`sha1=`) schemes,
//! with the errors both report.
//!
//! A header may hold several signatures separated by commas or spaces. Each is
//! `<algorithm>=<value>` (the algorithm in any case) or a bare value; the value is hex in either
//! case or base64 (standard or URL-safe, padded or not) of the MAC. A signature for another
//! algorithm is refused, never used as a fallback.

use alloc::string::String;
use core::fmt;

use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
use subtle::ConstantTimeEq;

/// The header of the account webhook's deliveries (spec section 5).
///
/// ```
/// assert_eq!(nfehook_core::ACCOUNT_SIGNATURE_HEADER, "X-ValidaNFe-Signature");
/// ```
pub const ACCOUNT_SIGNATURE_HEADER: &str = "X-ValidaNFe-Signature";

/// The headers a ValidaNFe signature is read from, in the order [`signature_header`] tries them.
///
/// ```
/// assert_eq!(nfehook_core::SIGNATURE_HEADERS, ["X-Webhook-Signature", "X-ValidaNFe-Signature"]);
/// ```
pub const SIGNATURE_HEADERS: [&str; 2] =
    [crate::signature::SIGNATURE_HEADER, ACCOUNT_SIGNATURE_HEADER];

/// The signature of a delivery of either dialect: `X-Webhook-Signature` when the request has it
/// (even empty: that is what was sent), else `X-ValidaNFe-Signature`. Returns the header's name
/// and value, or `None` when neither is present (verify `""` then, to get
/// [`SignatureError::Missing`]).
///
/// `lookup` gets each name of [`SIGNATURE_HEADERS`] as written there; HTTP header names are
/// case-insensitive, so compare them so. Both `sha256=<hex>` and a bare hex value verify, as
/// every value form of this module does.
///
/// ```
/// use nfehook_core::header::signature_header;
///
/// let headers = [("x-validanfe-signature", "ab12")];
/// let find = |name: &str| {
///     headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
/// };
/// assert_eq!(signature_header(find), Some(("X-ValidaNFe-Signature", "ab12")));
/// assert_eq!(signature_header(|_| None::<&str>), None);
/// ```
pub fn signature_header<T>(
    mut lookup: impl FnMut(&'static str) -> Option<T>,
) -> Option<(&'static str, T)> {
    SIGNATURE_HEADERS
        .into_iter()
        .find_map(|name| lookup(name).map(|value| (name, value)))
}

/// At most this many signatures are read from one header; more is refused as malformed.
///
/// ```
/// assert_eq!(nfehook_core::header::MAX_SIGNATURES, 8);
/// ```
pub const MAX_SIGNATURES: usize = 8;

/// Longest algorithm name read before `=`; longer text is taken as a bare (base64) value.
const MAX_ALGORITHM_LEN: usize = 16;

/// The algorithm a signature in a header names.
///
/// ```
/// use nfehook_core::Algorithm;
/// assert_eq!(Algorithm::from_name("SHA256"), Algorithm::Sha256);
/// assert_eq!(Algorithm::from_name("v1"), Algorithm::Other);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `sha1=`: NFE.io's scheme.
    Sha1,
    /// `sha256=`: ValidaNFe's scheme.
    Sha256,
    /// `sha512=`.
    Sha512,
    /// Any other name.
    Other,
}

impl Algorithm {
    /// Reads an algorithm name, ignoring case.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Algorithm::from_name("sha1"), nfehook_core::Algorithm::Sha1);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        if name.eq_ignore_ascii_case("sha256") {
            Self::Sha256
        } else if name.eq_ignore_ascii_case("sha1") {
            Self::Sha1
        } else if name.eq_ignore_ascii_case("sha512") {
            Self::Sha512
        } else {
            Self::Other
        }
    }

    /// The lowercase name as written in a header (`"other"` for unknown ones).
    ///
    /// ```
    /// assert_eq!(nfehook_core::Algorithm::Sha256.name(), "sha256");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
            Self::Other => "other",
        }
    }
}

/// Why a signature value could not be read.
///
/// ```
/// use nfehook_core::{MalformedReason, SignatureError};
/// let err = nfehook_core::verify("k", b"", "sha256=abc").unwrap_err();
/// assert_eq!(err, SignatureError::Malformed(MalformedReason::WrongLength { found: 3, expected: 64 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MalformedReason {
    /// `sha256=` with nothing after it.
    MissingValue,
    /// Not hex nor base64 of the right length.
    InvalidEncoding,
    /// A value whose length fits neither hex nor base64 of the MAC.
    WrongLength {
        /// Characters found.
        found: usize,
        /// Hex characters expected.
        expected: usize,
    },
    /// More signatures than [`MAX_SIGNATURES`].
    TooManySignatures {
        /// Signatures found.
        found: usize,
    },
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingValue => f.write_str("no value after the algorithm name"),
            Self::InvalidEncoding => f.write_str("the value is neither hex nor base64"),
            Self::WrongLength { found, expected } => write!(
                f,
                "the value has {found} characters; expected {expected} hex characters (or base64 of the MAC)"
            ),
            Self::TooManySignatures { found } => write!(
                f,
                "{found} signatures in one header; at most {MAX_SIGNATURES} are read"
            ),
        }
    }
}

/// Why a signature header was rejected.
///
/// ```
/// use nfehook_core::SignatureError;
/// let err = nfehook_core::verify("k", b"body", "").unwrap_err();
/// assert_eq!(err, SignatureError::Missing);
/// assert_eq!(err.to_string(), "no signature: the header is missing or empty");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureError {
    /// The header is absent or blank.
    Missing,
    /// No signature in the header could be decoded.
    Malformed(MalformedReason),
    /// The header names only algorithms this scheme does not accept (no downgrade).
    UnsupportedAlgorithm(Algorithm),
    /// Well-formed, but no signature matches the body under any secret.
    Mismatch,
    /// The secret to verify with is empty (an unset environment variable, a blank setting),
    /// so nothing is verified.
    EmptySecret,
}

impl SignatureError {
    /// A stable `snake_case` code for APIs and logs.
    ///
    /// ```
    /// assert_eq!(nfehook_core::SignatureError::Mismatch.code(), "signature_mismatch");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing_signature",
            Self::Malformed(_) | Self::UnsupportedAlgorithm(_) => "malformed_signature",
            Self::Mismatch => "signature_mismatch",
            Self::EmptySecret => "empty_secret",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("no signature: the header is missing or empty"),
            Self::Malformed(reason) => write!(f, "malformed signature: {reason}"),
            Self::UnsupportedAlgorithm(algorithm) => write!(
                f,
                "unsupported signature algorithm `{}` for this scheme",
                algorithm.name()
            ),
            Self::Mismatch => f.write_str("signature mismatch: the body or the secret differs"),
            Self::EmptySecret => f.write_str("the secret is empty: nothing can be verified"),
        }
    }
}

impl core::error::Error for SignatureError {}

/// Checks every signature of `header` written for `algorithm`, calling `matches` with each
/// decoded `N`-byte MAC; `Ok` as soon as one matches.
pub(crate) fn check<const N: usize>(
    header: &str,
    algorithm: Algorithm,
    mut matches: impl FnMut(&[u8; N]) -> bool,
) -> Result<(), SignatureError> {
    let candidates = || {
        header
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|part| !part.is_empty())
    };
    let found = candidates().count();
    if found == 0 {
        return Err(SignatureError::Missing);
    }
    if found > MAX_SIGNATURES {
        return Err(SignatureError::Malformed(
            MalformedReason::TooManySignatures { found },
        ));
    }
    let mut first_error = None;
    let mut well_formed = false;
    for candidate in candidates() {
        match decode::<N>(candidate, algorithm) {
            Ok(mac) => {
                well_formed = true;
                if matches(&mac) {
                    return Ok(());
                }
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(match first_error {
        Some(error) if !well_formed => error,
        _ => SignatureError::Mismatch,
    })
}

/// Decodes one `<algorithm>=<value>` or bare value into an `N`-byte MAC.
fn decode<const N: usize>(
    candidate: &str,
    algorithm: Algorithm,
) -> Result<[u8; N], SignatureError> {
    let value = match candidate.split_once('=') {
        Some((name, value))
            if !name.is_empty()
                && name.len() <= MAX_ALGORITHM_LEN
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            let named = Algorithm::from_name(name);
            if named != algorithm {
                return Err(SignatureError::UnsupportedAlgorithm(named));
            }
            value
        }
        _ => candidate,
    };
    if value.is_empty() {
        return Err(SignatureError::Malformed(MalformedReason::MissingValue));
    }
    let mut mac = [0u8; N];
    let malformed = |reason| SignatureError::Malformed(reason);
    if value.len() == 2 * N {
        base16ct::mixed::decode(value, &mut mac)
            .map_err(|_| malformed(MalformedReason::InvalidEncoding))?;
        return Ok(mac);
    }
    let padded = N.div_ceil(3) * 4;
    let unpadded = (N * 4).div_ceil(3);
    let decoded = if value.len() == padded {
        decode_base64::<Base64, Base64Url>(value, &mut mac)
    } else if value.len() == unpadded {
        decode_base64::<Base64Unpadded, Base64UrlUnpadded>(value, &mut mac)
    } else {
        return Err(malformed(MalformedReason::WrongLength {
            found: value.len(),
            expected: 2 * N,
        }));
    };
    match decoded {
        Some(len) if len == N => Ok(mac),
        _ => Err(malformed(MalformedReason::InvalidEncoding)),
    }
}

/// Decodes standard base64, else URL-safe base64; the number of bytes decoded.
fn decode_base64<Std: Encoding, Url: Encoding>(value: &str, out: &mut [u8]) -> Option<usize> {
    if let Ok(decoded) = Std::decode(value, out) {
        return Some(decoded.len());
    }
    Url::decode(value, out).ok().map(<[u8]>::len)
}

/// Constant-time equality of two MACs of the same length.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Letter case of hex output.
#[derive(Clone, Copy)]
pub(crate) enum HexCase {
    Lower,
    Upper,
}

/// `prefix` followed by `mac` in hex.
pub(crate) fn format_hex(prefix: &str, mac: &[u8], case: HexCase) -> String {
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let digits = match case {
        HexCase::Lower => LOWER,
        HexCase::Upper => UPPER,
    };
    let mut out = String::with_capacity(prefix.len() + mac.len() * 2);
    out.push_str(prefix);
    for byte in mac {
        out.push(char::from(digits[usize::from(byte >> 4)]));
        out.push(char::from(digits[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn algorithm_names_round_trip() {
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            assert_eq!(Algorithm::from_name(algorithm.name()), algorithm);
        }
    }

    #[test]
    fn every_error_displays_its_cause() {
        let cases = [
            (SignatureError::Missing, "missing"),
            (
                SignatureError::Malformed(MalformedReason::MissingValue),
                "no value",
            ),
            (
                SignatureError::Malformed(MalformedReason::InvalidEncoding),
                "neither hex nor base64",
            ),
            (
                SignatureError::Malformed(MalformedReason::WrongLength {
                    found: 3,
                    expected: 64,
                }),
                "3 characters",
            ),
            (
                SignatureError::Malformed(MalformedReason::TooManySignatures { found: 9 }),
                "9 signatures",
            ),
            (
                SignatureError::UnsupportedAlgorithm(Algorithm::Sha1),
                "`sha1`",
            ),
            (SignatureError::Mismatch, "mismatch"),
        ];
        for (error, needle) in cases {
            assert!(error.to_string().contains(needle), "{error}");
        }
    }

    #[test]
    fn base64_of_wrong_length_mac_is_invalid() {
        // 44 base64 characters that decode to 31 bytes plus padding are refused.
        let err = decode::<32>(
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
            Algorithm::Sha256,
        );
        assert_eq!(
            err,
            Err(SignatureError::Malformed(MalformedReason::InvalidEncoding))
        );
    }

    #[test]
    fn hex_formatting_in_both_cases() {
        assert_eq!(format_hex("p=", &[0xab, 0x01], HexCase::Lower), "p=ab01");
        assert_eq!(format_hex("", &[0xab, 0x01], HexCase::Upper), "AB01");
    }
}
