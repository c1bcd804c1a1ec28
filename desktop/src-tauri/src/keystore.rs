//! Where API keys live: the OS keychain, or this process's memory when no keychain answers.
//!
//! Keys are never written to a plain file. In memory mode (headless Linux with no Secret
//! Service, for instance) a key lasts for the session and the UI says so.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::apikey::ApiKey;
use crate::error::{DesktopError, Result};

/// Keychain service name under which the app stores its keys (account = connection id).
pub const KEYCHAIN_SERVICE: &str = "dev.nfehook.desktop";

/// Why a keychain call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeychainFailure {
    /// There is no usable keychain here (no Secret Service, locked, no access).
    Unavailable(String),
    /// The keychain answered with an error.
    Other(String),
}

/// A secret store keyed by account name. [`OsKeychain`] is the real one.
pub trait Keychain: Send + Sync {
    /// The stored value, `None` when there is no entry.
    fn get(&self, account: &str) -> std::result::Result<Option<String>, KeychainFailure>;
    /// Stores (or replaces) the value.
    fn set(&self, account: &str, value: &str) -> std::result::Result<(), KeychainFailure>;
    /// Removes the entry; no entry is not an error.
    fn delete(&self, account: &str) -> std::result::Result<(), KeychainFailure>;
}

/// The OS keychain through the `keyring` crate.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

impl OsKeychain {
    /// A keychain view for `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> std::result::Result<keyring::Entry, KeychainFailure> {
        keyring::Entry::new(&self.service, account).map_err(failure)
    }
}

fn failure(err: keyring::Error) -> KeychainFailure {
    match err {
        keyring::Error::PlatformFailure(e) => KeychainFailure::Unavailable(e.to_string()),
        keyring::Error::NoStorageAccess(e) => KeychainFailure::Unavailable(e.to_string()),
        other => KeychainFailure::Other(other.to_string()),
    }
}

impl Keychain for OsKeychain {
    fn get(&self, account: &str) -> std::result::Result<Option<String>, KeychainFailure> {
        match self.entry(account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failure(e)),
        }
    }

    fn set(&self, account: &str, value: &str) -> std::result::Result<(), KeychainFailure> {
        self.entry(account)?.set_password(value).map_err(failure)
    }

    fn delete(&self, account: &str) -> std::result::Result<(), KeychainFailure> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(failure(e)),
        }
    }
}

/// Where keys are kept right now, as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyStorage {
    /// In the OS keychain, across sessions.
    Keychain,
    /// In memory only, for this session.
    Memory,
}

/// The app's API keys: keychain-backed when one answers, memory-only otherwise.
///
/// ```
/// use nfehook_desktop::{ApiKey, KeyStore, KeyStorage};
/// let keys = KeyStore::memory_only("no keychain in this example");
/// keys.set("prod", &ApiKey::new("abcd1234")).unwrap();
/// assert_eq!(keys.get("prod").unwrap().unwrap().last4(), "1234");
/// assert_eq!(keys.storage(), KeyStorage::Memory);
/// ```
pub struct KeyStore {
    keychain: Option<Box<dyn Keychain>>,
    /// Cache in keychain mode, the only copy in memory mode.
    memory: Mutex<HashMap<String, ApiKey>>,
    notice: Mutex<Option<String>>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("storage", &self.storage())
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// Uses `keychain` if a probe read answers (an entry or "no entry"); memory otherwise.
    pub fn detect(keychain: Box<dyn Keychain>) -> Self {
        match keychain.get("__probe__") {
            Ok(_) => Self {
                keychain: Some(keychain),
                memory: Mutex::default(),
                notice: Mutex::default(),
            },
            Err(KeychainFailure::Unavailable(reason) | KeychainFailure::Other(reason)) => {
                Self::memory_only(reason)
            }
        }
    }

    /// A store with no keychain; `reason` is kept for the UI's notice.
    pub fn memory_only(reason: impl Into<String>) -> Self {
        Self {
            keychain: None,
            memory: Mutex::default(),
            notice: Mutex::new(Some(reason.into())),
        }
    }

    /// Keychain or memory.
    pub fn storage(&self) -> KeyStorage {
        if self.keychain.is_some() && self.notice.lock().expect("notice lock").is_none() {
            KeyStorage::Keychain
        } else {
            KeyStorage::Memory
        }
    }

    /// Why keys are in memory only, when they are.
    pub fn notice(&self) -> Option<String> {
        self.notice.lock().expect("notice lock").clone()
    }

    /// Stores the key for `account`. If the keychain fails now, the key stays in memory and
    /// the store switches to memory mode with a notice, rather than losing the key.
    pub fn set(&self, account: &str, key: &ApiKey) -> Result<()> {
        if let Some(chain) = &self.keychain
            && self.storage() == KeyStorage::Keychain
            && let Err(KeychainFailure::Unavailable(r) | KeychainFailure::Other(r)) =
                chain.set(account, key.expose())
        {
            *self.notice.lock().expect("notice lock") = Some(r);
        }
        self.memory
            .lock()
            .expect("memory lock")
            .insert(account.to_owned(), key.clone());
        Ok(())
    }

    /// The key for `account`, from memory or the keychain.
    pub fn get(&self, account: &str) -> Result<Option<ApiKey>> {
        if let Some(k) = self.memory.lock().expect("memory lock").get(account) {
            return Ok(Some(k.clone()));
        }
        let Some(chain) = &self.keychain else {
            return Ok(None);
        };
        if self.storage() != KeyStorage::Keychain {
            return Ok(None);
        }
        match chain.get(account) {
            Ok(Some(v)) => {
                let key = ApiKey::new(v);
                self.memory
                    .lock()
                    .expect("memory lock")
                    .insert(account.to_owned(), key.clone());
                Ok(Some(key))
            }
            Ok(None) => Ok(None),
            Err(KeychainFailure::Unavailable(_)) => Ok(None),
            Err(KeychainFailure::Other(reason)) => Err(DesktopError::Keychain { reason }),
        }
    }

    /// Forgets the key for `account` everywhere.
    pub fn delete(&self, account: &str) -> Result<()> {
        self.memory.lock().expect("memory lock").remove(account);
        if let Some(chain) = &self.keychain
            && self.storage() == KeyStorage::Keychain
        {
            chain.delete(account).map_err(
                |(KeychainFailure::Unavailable(reason) | KeychainFailure::Other(reason))| {
                    DesktopError::Keychain { reason }
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;

    /// A keychain in a map, shared so a test can look inside; `fail_set` simulates a
    /// keychain that stops answering.
    #[derive(Default, Clone)]
    pub(crate) struct FakeKeychain {
        pub(crate) entries: Arc<Mutex<HashMap<String, String>>>,
        pub(crate) fail_set: bool,
        pub(crate) unavailable: bool,
    }

    impl Keychain for FakeKeychain {
        fn get(&self, account: &str) -> std::result::Result<Option<String>, KeychainFailure> {
            if self.unavailable {
                return Err(KeychainFailure::Unavailable("no secret service".into()));
            }
            Ok(self.entries.lock().unwrap().get(account).cloned())
        }
        fn set(&self, account: &str, value: &str) -> std::result::Result<(), KeychainFailure> {
            if self.fail_set {
                return Err(KeychainFailure::Other("locked".into()));
            }
            self.entries
                .lock()
                .unwrap()
                .insert(account.into(), value.into());
            Ok(())
        }
        fn delete(&self, account: &str) -> std::result::Result<(), KeychainFailure> {
            self.entries.lock().unwrap().remove(account);
            Ok(())
        }
    }

    #[test]
    fn keychain_mode_persists_in_keychain() {
        let chain = FakeKeychain::default();
        let store = KeyStore::detect(Box::new(chain.clone()));
        assert_eq!(store.storage(), KeyStorage::Keychain);
        assert!(store.notice().is_none());
        store.set("c1", &ApiKey::new("key-0001")).unwrap();
        assert_eq!(chain.entries.lock().unwrap()["c1"], "key-0001");

        // A new store (next launch) finds it in the keychain.
        let again = KeyStore::detect(Box::new(chain.clone()));
        assert_eq!(again.get("c1").unwrap().unwrap().last4(), "0001");
        again.delete("c1").unwrap();
        assert!(chain.entries.lock().unwrap().is_empty());
        assert!(again.get("c1").unwrap().is_none());
    }

    #[test]
    fn unavailable_keychain_falls_back_to_memory_with_notice() {
        let chain = FakeKeychain {
            unavailable: true,
            ..FakeKeychain::default()
        };
        let store = KeyStore::detect(Box::new(chain.clone()));
        assert_eq!(store.storage(), KeyStorage::Memory);
        assert_eq!(store.notice().as_deref(), Some("no secret service"));
        store.set("c1", &ApiKey::new("key-0002")).unwrap();
        assert_eq!(store.get("c1").unwrap().unwrap().expose(), "key-0002");
        assert!(chain.entries.lock().unwrap().is_empty());
    }

    #[test]
    fn failing_set_keeps_key_in_memory_and_says_so() {
        let chain = FakeKeychain {
            fail_set: true,
            ..FakeKeychain::default()
        };
        let store = KeyStore::detect(Box::new(chain));
        assert_eq!(store.storage(), KeyStorage::Keychain);
        store.set("c1", &ApiKey::new("key-0003")).unwrap();
        assert_eq!(store.storage(), KeyStorage::Memory);
        assert_eq!(store.notice().as_deref(), Some("locked"));
        assert_eq!(store.get("c1").unwrap().unwrap().last4(), "0003");
    }

    #[test]
    fn debug_does_not_show_keys() {
        let store = KeyStore::memory_only("x");
        store.set("c1", &ApiKey::new("supersecretkey")).unwrap();
        assert!(!format!("{store:?}").contains("supersecret"));
    }
}
