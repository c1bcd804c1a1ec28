//! Where API keys live: the OS keychain, or this process's memory when no keychain answers.
//!
//! Keys are never written to a plain file. In memory mode (headless Linux with no Secret
//! Service, for instance) a key lasts for the session and the UI says so.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::Serialize;

use crate::apikey::ApiKey;
use crate::error::{DesktopError, Result};

/// Keychain service name under which the app stores its keys (account = connection id).
pub const KEYCHAIN_SERVICE: &str = "dev.nfehook.desktop";

/// How long the first use of the keys waits for a probe started in the background; a keychain
/// slower than this is treated as absent for the session (keys in memory, with a notice).
pub const PROBE_WAIT: Duration = Duration::from_secs(5);

/// What a probe gives back: the keychain that answered, or why it is not used.
type Probed = std::result::Result<Box<dyn Keychain>, String>;

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

/// Reads a probe entry: any answer (an entry or "no entry") means the keychain works.
fn probe(keychain: Box<dyn Keychain>) -> Probed {
    match keychain.get("__probe__") {
        Ok(_) => Ok(keychain),
        Err(KeychainFailure::Unavailable(reason) | KeychainFailure::Other(reason)) => Err(reason),
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
    /// The keychain once the probe is known to have answered; `None` in memory mode.
    keychain: OnceLock<Option<Box<dyn Keychain>>>,
    /// The answer of a probe still running in the background.
    pending: Mutex<Option<Receiver<Probed>>>,
    /// How long the first use waits for that answer.
    probe_wait: Duration,
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
        let store = Self::unsettled();
        store.settle(probe(keychain));
        store
    }

    /// Like [`KeyStore::detect`], with the probe on its own thread so that start-up does not
    /// wait for the keychain (a D-Bus round trip, or a service being activated); the first use
    /// of a key waits for its answer, at most [`PROBE_WAIT`].
    ///
    /// ```
    /// use nfehook_desktop::{KeyStore, KeyStorage};
    /// # struct Map(std::sync::Mutex<std::collections::HashMap<String, String>>);
    /// # impl nfehook_desktop::keystore::Keychain for Map {
    /// #     fn get(&self, a: &str) -> Result<Option<String>, nfehook_desktop::keystore::KeychainFailure> { Ok(self.0.lock().unwrap().get(a).cloned()) }
    /// #     fn set(&self, a: &str, v: &str) -> Result<(), nfehook_desktop::keystore::KeychainFailure> { self.0.lock().unwrap().insert(a.into(), v.into()); Ok(()) }
    /// #     fn delete(&self, a: &str) -> Result<(), nfehook_desktop::keystore::KeychainFailure> { self.0.lock().unwrap().remove(a); Ok(()) }
    /// # }
    /// let keys = KeyStore::detect_in_background(Box::new(Map(Default::default())));
    /// assert_eq!(keys.storage(), KeyStorage::Keychain); // waits for the probe
    /// ```
    pub fn detect_in_background(keychain: Box<dyn Keychain>) -> Self {
        Self::probe_in_background(keychain, PROBE_WAIT)
    }

    fn probe_in_background(keychain: Box<dyn Keychain>, wait: Duration) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("keychain-probe".to_owned())
            .spawn(move || {
                // The store may have stopped waiting; then the answer is not needed.
                let _ = tx.send(probe(keychain));
            });
        let mut store = Self::unsettled();
        store.probe_wait = wait;
        match spawned {
            Ok(_) => *store.pending.lock().expect("pending lock") = Some(rx),
            Err(err) => store.settle(Err(format!("the keychain probe could not start: {err}"))),
        }
        store
    }

    /// A store whose mode a probe is yet to settle.
    fn unsettled() -> Self {
        Self {
            keychain: OnceLock::new(),
            pending: Mutex::default(),
            probe_wait: PROBE_WAIT,
            memory: Mutex::default(),
            notice: Mutex::default(),
        }
    }

    /// The keychain in use, waiting (bounded) for a probe still running.
    fn keychain(&self) -> Option<&dyn Keychain> {
        self.keychain
            .get_or_init(|| {
                let rx = self.pending.lock().expect("pending lock").take()?;
                let probed = match rx.recv_timeout(self.probe_wait) {
                    Ok(probed) => probed,
                    Err(RecvTimeoutError::Timeout) => Err(format!(
                        "the keychain did not answer within {} ms",
                        self.probe_wait.as_millis()
                    )),
                    Err(RecvTimeoutError::Disconnected) => {
                        Err("the keychain probe stopped without an answer".to_owned())
                    }
                };
                self.resolve(probed)
            })
            .as_deref()
    }

    /// Records a probe's answer as the store's mode (the first one counts).
    fn settle(&self, probed: Probed) {
        if self.keychain.get().is_none() {
            let resolved = self.resolve(probed);
            let _ = self.keychain.set(resolved);
        }
    }

    fn resolve(&self, probed: Probed) -> Option<Box<dyn Keychain>> {
        match probed {
            Ok(chain) => {
                *self.notice.lock().expect("notice lock") = None;
                Some(chain)
            }
            Err(reason) => {
                *self.notice.lock().expect("notice lock") = Some(reason);
                None
            }
        }
    }

    /// A store with no keychain; `reason` is kept for the UI's notice.
    pub fn memory_only(reason: impl Into<String>) -> Self {
        Self {
            keychain: OnceLock::from(None),
            pending: Mutex::default(),
            probe_wait: PROBE_WAIT,
            memory: Mutex::default(),
            notice: Mutex::new(Some(reason.into())),
        }
    }

    /// Keychain or memory.
    pub fn storage(&self) -> KeyStorage {
        if self.keychain().is_some() && self.notice.lock().expect("notice lock").is_none() {
            KeyStorage::Keychain
        } else {
            KeyStorage::Memory
        }
    }

    /// Why keys are in memory only, when they are.
    pub fn notice(&self) -> Option<String> {
        self.keychain();
        self.notice.lock().expect("notice lock").clone()
    }

    /// Stores the key for `account`. If the keychain fails now, the key stays in memory and
    /// the store switches to memory mode with a notice, rather than losing the key.
    pub fn set(&self, account: &str, key: &ApiKey) -> Result<()> {
        if let Some(chain) = self.keychain()
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
        let Some(chain) = self.keychain() else {
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
        if let Some(chain) = self.keychain()
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

    /// A keychain that takes `delay` to answer each call.
    struct SlowKeychain {
        inner: FakeKeychain,
        delay: Duration,
    }

    impl Keychain for SlowKeychain {
        fn get(&self, account: &str) -> std::result::Result<Option<String>, KeychainFailure> {
            std::thread::sleep(self.delay);
            self.inner.get(account)
        }
        fn set(&self, account: &str, value: &str) -> std::result::Result<(), KeychainFailure> {
            self.inner.set(account, value)
        }
        fn delete(&self, account: &str) -> std::result::Result<(), KeychainFailure> {
            self.inner.delete(account)
        }
    }

    #[test]
    fn a_background_probe_returns_at_once_and_the_first_use_waits_for_it() {
        let chain = FakeKeychain::default();
        chain
            .entries
            .lock()
            .unwrap()
            .insert("c1".into(), "key-0004".into());
        let started = std::time::Instant::now();
        let slow = SlowKeychain {
            inner: chain,
            delay: Duration::from_millis(300),
        };
        let store = KeyStore::probe_in_background(Box::new(slow), Duration::from_secs(10));
        assert!(
            started.elapsed() < Duration::from_millis(300),
            "waited for the probe"
        );
        assert_eq!(store.get("c1").unwrap().unwrap().last4(), "0004");
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "did not wait for the probe"
        );
        assert_eq!(store.storage(), KeyStorage::Keychain);
    }

    #[test]
    fn a_keychain_slower_than_the_wait_means_memory_with_a_notice() {
        let slow = SlowKeychain {
            inner: FakeKeychain::default(),
            delay: Duration::from_secs(2),
        };
        let store = KeyStore::probe_in_background(Box::new(slow), Duration::from_millis(50));
        assert_eq!(store.storage(), KeyStorage::Memory);
        assert_eq!(
            store.notice().as_deref(),
            Some("the keychain did not answer within 50 ms")
        );
        store.set("c1", &ApiKey::new("key-0005")).unwrap();
        assert_eq!(store.get("c1").unwrap().unwrap().last4(), "0005");
    }

    #[test]
    fn an_unavailable_keychain_found_in_the_background_is_memory_with_its_reason() {
        let chain = FakeKeychain {
            unavailable: true,
            ..FakeKeychain::default()
        };
        let store = KeyStore::detect_in_background(Box::new(chain));
        assert_eq!(store.notice().as_deref(), Some("no secret service"));
        assert_eq!(store.storage(), KeyStorage::Memory);
    }

    #[test]
    fn debug_does_not_show_keys() {
        let store = KeyStore::memory_only("x");
        store.set("c1", &ApiKey::new("supersecretkey")).unwrap();
        assert!(!format!("{store:?}").contains("supersecret"));
    }
}
