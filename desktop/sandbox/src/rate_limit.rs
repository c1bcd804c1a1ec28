//! Fixed-window rate limiter of the Subscriptions API.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimit;

/// Counts requests in the current window.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            state: Mutex::new(Window {
                started: Instant::now(),
                count: 0,
            }),
        }
    }

    /// Counts one request; `Err(retry_after_secs)` when it is over the limit.
    pub(crate) fn check(&self) -> Result<(), u64> {
        self.check_at(Instant::now())
    }

    fn check_at(&self, now: Instant) -> Result<(), u64> {
        let mut window = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let elapsed = now.saturating_duration_since(window.started);
        if elapsed >= self.limit.window {
            window.started = now;
            window.count = 0;
        }
        if window.count < self.limit.max_requests {
            window.count += 1;
            return Ok(());
        }
        let left = self
            .limit
            .window
            .saturating_sub(now.saturating_duration_since(window.started));
        Err(ceil_secs(left).max(1))
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_limit_then_answers_with_the_time_left() {
        let limiter = RateLimiter::new(RateLimit::new(2, Duration::from_secs(10)));
        let t0 = Instant::now();
        assert_eq!(limiter.check_at(t0), Ok(()));
        assert_eq!(limiter.check_at(t0), Ok(()));
        assert_eq!(
            limiter.check_at(t0 + Duration::from_millis(2500)),
            Err(8),
            "7.5 s left rounds up to 8"
        );
        assert_eq!(limiter.check_at(t0 + Duration::from_secs(10)), Ok(()));
    }

    #[test]
    fn retry_after_is_at_least_one_second() {
        let limiter = RateLimiter::new(RateLimit::new(1, Duration::from_millis(300)));
        let t0 = Instant::now();
        assert_eq!(limiter.check_at(t0), Ok(()));
        assert_eq!(limiter.check_at(t0 + Duration::from_millis(299)), Err(1));
    }
}
