//! The subscription secret, a string that never shows itself in `Debug` output.

use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Serialize};

/// A webhook secret such as `whsec_1234567890abcdef`.
///
/// Its UTF-8 bytes, as they stand, key the HMAC. `Debug` prints `Secret([REDACTED])`, so a
/// secret inside a logged struct does not leak; read it on purpose with [`Secret::expose`].
///
/// ```
/// use nfehook_core::Secret;
///
/// let secret = Secret::new("whsec_1234567890abcdef");
/// assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
/// assert_eq!(secret.expose(), "whsec_1234567890abcdef");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret string.
    ///
    /// ```
    /// let secret = nfehook_core::Secret::new(String::from("whsec_abc"));
    /// assert_eq!(secret.len(), 9);
    /// ```
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for signing or showing it to its owner on purpose.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Secret::new("s").expose(), "s");
    /// ```
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Secret::new("abc").len(), 3);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    ///
    /// ```
    /// assert!(nfehook_core::Secret::new("").is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl AsRef<[u8]> for Secret {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn serde_is_a_plain_string_and_debug_hides_it() {
        let secret: Secret = serde_json::from_str("\"whsec_x\"").unwrap();
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"whsec_x\"");
        assert!(!format!("{secret:?}").contains("whsec_x"));
    }
}
