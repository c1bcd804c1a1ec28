//! The API key, kept out of `Debug` output, errors and logs.

use reqwest::header::HeaderValue;

use crate::error::{ApiError, Result};

/// A ValidaNFe API key (sent as `X-API-KEY`). Its `Debug` shows only that it is set.
///
/// ```
/// let key = nfehook_client::ApiKey::new("my-secret-token").unwrap();
/// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
/// assert_eq!(key.expose(), "my-secret-token");
/// ```
#[derive(Clone)]
pub struct ApiKey {
    text: String,
    header: HeaderValue,
}

impl ApiKey {
    /// Checks that `key` is non-empty visible ASCII (what an HTTP header can carry).
    ///
    /// # Errors
    /// [`ApiError::Config`] (which never repeats the key).
    pub fn new(key: impl Into<String>) -> Result<Self> {
        let text = key.into();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ApiError::Config {
                message: "the API key is empty".into(),
            });
        }
        if trimmed.len() != text.len() || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::Config {
                message: "the API key must be printable ASCII without spaces".into(),
            });
        }
        let mut header = HeaderValue::from_str(&text).map_err(|_| ApiError::Config {
            message: "the API key cannot be sent in an HTTP header".into(),
        })?;
        header.set_sensitive(true);
        Ok(Self { text, header })
    }

    /// The key itself, for storing it; never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.text
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }

    /// Replaces any occurrence of the key in `text` (a server message) with `[redacted]`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        text.replace(&self.text, "[redacted]")
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
    fn rejects_unusable_keys_without_echoing_them() {
        for bad in ["", "   ", " padded", "with space", "tab\tkey", "acentuação"] {
            let err = ApiKey::new(bad).unwrap_err();
            assert_eq!(err.kind(), "config");
            if !bad.trim().is_empty() {
                assert!(!err.to_string().contains(bad.trim()), "{err}");
            }
        }
    }

    #[test]
    fn scrubs_the_key_from_messages() {
        let key = ApiKey::new("k3y-value").unwrap();
        assert_eq!(key.scrub("bad key k3y-value!"), "bad key [redacted]!");
        assert!(key.header().is_sensitive());
    }
}
