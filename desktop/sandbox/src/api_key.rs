//! The API key the sandbox accepts, compared in constant time and never printed by `Debug`.

use subtle::ConstantTimeEq;

/// The sandbox's API key.
#[derive(Clone)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    pub(crate) fn new(key: String) -> Self {
        Self(key)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this key; the comparison time does not depend on where they differ.
    pub(crate) fn matches(&self, candidate: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(candidate).into()
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_exact_key_and_hides_it() {
        let key = ApiKey::new("sbx_secret_value".into());
        assert!(key.matches(b"sbx_secret_value"));
        assert!(!key.matches(b"sbx_secret_valuf"));
        assert!(!key.matches(b"sbx_secret"));
        assert!(!key.matches(b""));
        assert!(!format!("{key:?}").contains("secret_value"));
    }
}
