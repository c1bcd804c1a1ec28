//! Where the sandbox reads the time, in the units the store keeps (Unix milliseconds).
//!
//! Every time the sandbox records or compares (creation of subscriptions and deliveries, the
//! event `timestamp`, when a retry is due, the delivery horizon) comes from one [`Clock`], so a
//! test can put the sandbox hours ahead with a [`ManualClock`] instead of waiting.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// The time source of a sandbox: the system clock (the default) or a [`ManualClock`].
///
/// ```
/// use std::time::Duration;
/// use nfehook_sandbox::{Clock, ManualClock};
///
/// let manual = ManualClock::at_unix_millis(1_710_089_130_000);
/// let clock = Clock::from(manual.clone());
/// manual.advance(Duration::from_secs(60));
/// assert_eq!(clock.now_unix_millis(), 1_710_089_190_000);
/// assert!(Clock::system().now_unix_millis() > 1_710_089_130_000);
/// ```
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The operating system's wall clock.
    #[default]
    System,
    /// A clock that moves only when told to.
    Manual(ManualClock),
}

impl Clock {
    /// The operating system's wall clock.
    #[must_use]
    pub fn system() -> Self {
        Self::System
    }

    /// Milliseconds since the Unix epoch, now.
    #[must_use]
    pub fn now_unix_millis(&self) -> i64 {
        match self {
            Self::System => {
                let since = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
            }
            Self::Manual(manual) => *manual.now.borrow(),
        }
    }

    /// Resolves when the time jumps (a [`ManualClock`] was moved); never for the system clock,
    /// whose time only flows. The dispatcher waits on it so a jump is seen at once.
    pub(crate) fn jumped(&self) -> ClockJumps {
        ClockJumps(match self {
            Self::System => None,
            Self::Manual(manual) => Some(manual.now.subscribe()),
        })
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Self {
        Self::Manual(manual)
    }
}

/// A clock that stands still until [`advance`](Self::advance)d or [`set`](Self::set); clones
/// share one time. For tests and demonstrations of what happens after a long pause.
///
/// ```
/// use std::time::Duration;
/// let clock = nfehook_sandbox::ManualClock::at_unix_millis(1_000);
/// clock.advance(Duration::from_millis(500));
/// assert_eq!(clock.now_unix_millis(), 1_500);
/// clock.set_unix_millis(10);
/// assert_eq!(clock.now_unix_millis(), 10);
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<i64>>,
}

impl ManualClock {
    /// A clock standing at `millis` since the Unix epoch.
    #[must_use]
    pub fn at_unix_millis(millis: i64) -> Self {
        Self {
            now: Arc::new(watch::Sender::new(millis)),
        }
    }

    /// The time it shows, in milliseconds since the Unix epoch.
    #[must_use]
    pub fn now_unix_millis(&self) -> i64 {
        *self.now.borrow()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.now.send_modify(|now| *now = now.saturating_add(by));
    }

    /// Puts the clock at `millis` since the Unix epoch (backwards too).
    pub fn set_unix_millis(&self, millis: i64) {
        self.now.send_replace(millis);
    }
}

/// Changes of a clock's time that do not come from its flow (see [`Clock::jumped`]).
pub(crate) struct ClockJumps(Option<watch::Receiver<i64>>);

impl ClockJumps {
    /// Waits for the next jump; pending forever for the system clock or a dropped clock.
    pub(crate) async fn next(&mut self) {
        if let Some(rx) = &mut self.0
            && rx.changed().await.is_ok()
        {
            return;
        }
        std::future::pending::<()>().await;
    }
}

/// Whole seconds of a Unix-milliseconds instant.
pub(crate) fn millis_to_secs(millis: i64) -> i64 {
    millis.div_euclid(1000)
}

/// A core [`Timestamp`](nfehook_core::Timestamp) of whole Unix seconds.
pub(crate) fn timestamp(secs: i64) -> nfehook_core::Timestamp {
    nfehook_core::Timestamp::from_unix(secs)
}

/// Optional Unix milliseconds as a core timestamp (second precision).
pub(crate) fn timestamp_ms(millis: Option<i64>) -> Option<nfehook_core::Timestamp> {
    millis.map(|ms| timestamp(millis_to_secs(ms)))
}

/// Whole milliseconds of a duration, as the store counts them.
pub(crate) fn duration_millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
