//! Settings of a sandbox: storage, rate limit and delivery schedule.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Result, SandboxError};

/// Where the sandbox keeps its data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Storage {
    /// A private in-memory SQLite database, gone when the sandbox stops.
    #[default]
    InMemory,
    /// A SQLite database file, created when missing; pending deliveries survive restarts.
    File(PathBuf),
}

/// A fixed-window rate limit on the Subscriptions API: at most `max_requests` per `window`.
///
/// Requests beyond the limit get `429 Too Many Requests` with `Retry-After` set to the whole
/// seconds left in the window (at least 1). `/_sandbox/` endpoints are not limited.
///
/// ```
/// use std::time::Duration;
/// let limit = nfehook_sandbox::RateLimit::new(60, Duration::from_secs(60));
/// assert_eq!(limit.max_requests, 60);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub max_requests: u32,
    /// Length of the window.
    pub window: Duration,
}

impl RateLimit {
    /// A limit of `max_requests` per `window`.
    #[must_use]
    pub fn new(max_requests: u32, window: Duration) -> Self {
        Self {
            max_requests,
            window,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.max_requests == 0 {
            return Err(SandboxError::InvalidConfig(
                "rate limit must allow at least one request".into(),
            ));
        }
        if self.window.is_zero() {
            return Err(SandboxError::InvalidConfig(
                "rate limit window must be longer than zero".into(),
            ));
        }
        Ok(())
    }
}

/// How long after an event is triggered its deliveries may still be attempted: 15 minutes.
///
/// The default schedule needs at most 75 s (three attempts of up to 30 s with 5 s and 10 s
/// between them); the rest covers a sandbox that was stopped a while. A pending delivery found
/// past it (after a long pause, when the store is opened again) is marked `expired` instead of
/// sent: a receiver refuses events older than its replay window (the npm package's is an hour),
/// so a late attempt would only look like a replay.
///
/// ```
/// assert_eq!(nfehook_sandbox::DELIVERY_HORIZON.as_secs(), 15 * 60);
/// ```
pub const DELIVERY_HORIZON: Duration = Duration::from_secs(15 * 60);

/// How deliveries are attempted.
///
/// Attempt `n + 1` is made `backoff_base * 2^(n - 1)` after attempt `n` failed, so the
/// defaults (3 attempts, 5 s base) wait 5 s then 10 s. Each attempt gives up after
/// `attempt_timeout`. The whole schedule must fit in [`DELIVERY_HORIZON`].
///
/// ```
/// use std::time::Duration;
/// let config = nfehook_sandbox::DispatchConfig::default();
/// assert_eq!(config.max_attempts, 3);
/// assert_eq!(config.attempt_timeout, Duration::from_secs(30));
/// assert_eq!(config.backoff_after(1), Duration::from_secs(5));
/// assert_eq!(config.backoff_after(2), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchConfig {
    /// Attempts in all for one delivery (the spec says 3).
    pub max_attempts: u32,
    /// Wait after the first failed attempt; doubled after each further failure.
    pub backoff_base: Duration,
    /// Time allowed for the receiver to answer one attempt (the spec says 30 s).
    pub attempt_timeout: Duration,
    /// Deliveries attempted at the same time, at most.
    pub concurrency: usize,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff_base: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
            concurrency: 16,
        }
    }
}

impl DispatchConfig {
    /// The wait after failed attempt number `attempt` (1-based) before the next one.
    #[must_use]
    pub fn backoff_after(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        self.backoff_base.saturating_mul(1 << exponent)
    }

    /// The latest a last attempt can start after the event when every attempt before it
    /// waits out the timeout: `(max_attempts - 1)` timeouts plus every backoff.
    ///
    /// ```
    /// let config = nfehook_sandbox::DispatchConfig::default();
    /// assert_eq!(config.schedule_span().as_secs(), 30 + 5 + 30 + 10);
    /// ```
    #[must_use]
    pub fn schedule_span(&self) -> Duration {
        // Closed form of the sum of `backoff_after(1..max_attempts)`: doubling up to the cap
        // of `backoff_after`, flat after it, so a huge attempt count costs no loop.
        let retries = self.max_attempts.saturating_sub(1);
        let doubling = retries.min(17);
        let flat = retries - doubling;
        let backoffs = self
            .backoff_base
            .saturating_mul((1 << doubling) - 1)
            .saturating_add(
                self.backoff_base
                    .saturating_mul(1 << 16)
                    .saturating_mul(flat),
            );
        self.attempt_timeout
            .saturating_mul(retries)
            .saturating_add(backoffs)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.schedule_span() > DELIVERY_HORIZON {
            return Err(SandboxError::InvalidConfig(format!(
                "the retry schedule takes up to {} s, longer than the delivery horizon of {} s",
                self.schedule_span().as_secs(),
                DELIVERY_HORIZON.as_secs()
            )));
        }
        if self.max_attempts == 0 {
            return Err(SandboxError::InvalidConfig(
                "at least one delivery attempt is needed".into(),
            ));
        }
        if self.attempt_timeout.is_zero() {
            return Err(SandboxError::InvalidConfig(
                "the attempt timeout must be longer than zero".into(),
            ));
        }
        if self.concurrency == 0 {
            return Err(SandboxError::InvalidConfig(
                "delivery concurrency must be at least 1".into(),
            ));
        }
        Ok(())
    }
}
