//! A scripted stand-in for the Subscriptions API: a key set per subscription, replies queued
//! per key, and counters of calls and of requests in flight.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nfehook_client::ApiError;
use nfehook_core::ChaveAcesso;
use nfehook_keys::KeyApi;
use tokio::time::Instant;

/// A scripted reply for one call.
#[derive(Debug, Clone)]
pub enum Reply {
    RateLimited(Option<Duration>),
    Server,
    NotFound,
    /// The key is stored, then the answer never comes (the app is closed meanwhile).
    StoreThenHang,
}

#[derive(Default)]
pub struct Fake {
    pub delay: Duration,
    keys: Mutex<HashSet<String>>,
    script: Mutex<HashMap<String, VecDeque<Reply>>>,
    pub calls: Mutex<Vec<(String, Instant)>>,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

impl Fake {
    pub fn new(delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            delay,
            ..Self::default()
        })
    }

    pub fn script(&self, key: &str, replies: impl IntoIterator<Item = Reply>) {
        self.script
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .extend(replies);
    }

    pub fn preload(&self, key: &str) {
        self.keys.lock().unwrap().insert(key.to_owned());
    }

    pub fn has(&self, key: &str) -> bool {
        self.keys.lock().unwrap().contains(key)
    }

    pub fn stored(&self) -> usize {
        self.keys.lock().unwrap().len()
    }

    pub fn calls_for(&self, key: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k == key)
            .count()
    }

    pub fn call_count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl KeyApi for Fake {
    async fn add_chave(&self, _subscription_id: &str, chave: ChaveAcesso) -> Result<(), ApiError> {
        let key = chave.as_str().to_owned();
        self.calls
            .lock()
            .unwrap()
            .push((key.clone(), Instant::now()));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let _guard = InFlight(&self.in_flight);
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        let reply = self
            .script
            .lock()
            .unwrap()
            .get_mut(&key)
            .and_then(VecDeque::pop_front);
        match reply {
            Some(Reply::RateLimited(retry_after)) => Err(ApiError::RateLimited { retry_after }),
            Some(Reply::Server) => Err(ApiError::Server {
                status: 503,
                message: "Service Unavailable".into(),
            }),
            Some(Reply::NotFound) => Err(ApiError::NotFound {
                message: "subscription not found".into(),
            }),
            Some(Reply::StoreThenHang) => {
                self.keys.lock().unwrap().insert(key);
                std::future::pending::<()>().await;
                unreachable!()
            }
            None => {
                if self.keys.lock().unwrap().insert(key) {
                    Ok(())
                } else {
                    Err(ApiError::Conflict {
                        message: "NF-e key already on the subscription".into(),
                    })
                }
            }
        }
    }
}
