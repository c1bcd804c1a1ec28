//! The startup trace: with `NFEHOOK_STARTUP_TRACE` set, each step from `main` to the first
//! paint prints its time since the process started, one line each on standard error
//! (`nfehook-desktop: <step> <ms> ms after start`), so `make figures-desktop` can say where
//! the time to the first paint goes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The environment variable that turns the trace on.
pub const TRACE_ENV: &str = "NFEHOOK_STARTUP_TRACE";

/// The step the UI reports once its first frame is on screen.
pub const FIRST_PAINT: &str = "first paint";

/// Times of the start-up steps, printed when tracing is on. Cheap to clone (threads of the
/// start-up share one).
///
/// ```
/// use nfehook_desktop::startup::StartupTrace;
/// let trace = StartupTrace::new(false);
/// trace.mark("settings loaded"); // prints nothing: tracing is off
/// assert!(trace.first_paint()); // the first report counts
/// assert!(!trace.first_paint()); // later ones do not
/// ```
#[derive(Debug, Clone)]
pub struct StartupTrace {
    started: Instant,
    enabled: bool,
    painted: Arc<AtomicBool>,
}

impl StartupTrace {
    /// A trace starting now, printing when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Self {
            started: Instant::now(),
            enabled,
            painted: Arc::default(),
        }
    }

    /// A trace starting now, on when [`TRACE_ENV`] is set.
    pub fn from_env() -> Self {
        Self::new(std::env::var_os(TRACE_ENV).is_some())
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Prints that `step` is done (when tracing is on).
    pub fn mark(&self, step: &str) {
        if self.enabled {
            eprintln!("{}", line(step, self.elapsed()));
        }
    }

    /// Records the UI's first paint: marks [`FIRST_PAINT`] the first time and says whether
    /// this call was it (later reports, after a reload or another view, are not a start).
    pub fn first_paint(&self) -> bool {
        let first = !self.painted.swap(true, Ordering::SeqCst);
        if first {
            self.mark(FIRST_PAINT);
        }
        first
    }
}

/// One line of the trace.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(
///     nfehook_desktop::startup::line("first paint", Duration::from_millis(412)),
///     "nfehook-desktop: first paint 412 ms after start"
/// );
/// ```
pub fn line(step: &str, elapsed: Duration) -> String {
    format!(
        "nfehook-desktop: {step} {} ms after start",
        elapsed.as_millis()
    )
}
