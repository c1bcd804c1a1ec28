//! Wall-clock time in the units the store keeps (Unix milliseconds).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_millis() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
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
