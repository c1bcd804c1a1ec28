//! The API key as a value that never prints itself.

use std::fmt;

/// An API key (`X-API-KEY`). `Debug` and `Display` are redacted; only [`ApiKey::last4`] and
/// [`ApiKey::expose`] give anything of it away.
///
/// ```
/// use nfehook_desktop::ApiKey;
/// let key = ApiKey::new("sk_live_0123456789abcd");
/// assert_eq!(key.last4(), "abcd");
/// assert_eq!(format!("{key:?}"), "ApiKey(…abcd)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; surrounding whitespace (a paste artefact) is removed.
    pub fn new(key: impl Into<String>) -> Self {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.len() == key.len() {
            Self(key)
        } else {
            Self(trimmed.to_owned())
        }
    }

    /// The key itself, for the one place that sends it (the HTTP client).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the key is empty after trimming.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last four characters, what the UI shows to tell keys apart.
    pub fn last4(&self) -> String {
        let n = self.0.chars().count();
        self.0.chars().skip(n.saturating_sub(4)).collect()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey(…{})", self.last4())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_redacts() {
        let key = ApiKey::new("  abcdefgh12345678\n");
        assert_eq!(key.expose(), "abcdefgh12345678");
        assert_eq!(key.last4(), "5678");
        assert!(!format!("{key:?}").contains("abcdefgh"));
        assert_eq!(ApiKey::new("ab").last4(), "ab");
        assert!(ApiKey::new("   ").is_empty());
    }
}
