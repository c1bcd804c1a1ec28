//! RFC 3339 timestamps without `std`: parsed to Unix seconds, printed in UTC.

use alloc::string::String;
use core::fmt;

/// An instant, to the nanosecond, read from and written as RFC 3339.
///
/// ```
/// use nfehook_core::Timestamp;
///
/// let t = Timestamp::parse("2024-03-10T13:45:30-03:00").unwrap();
/// assert_eq!(t.unix_seconds(), 1_710_089_130);
/// assert_eq!(t.to_string(), "2024-03-10T16:45:30Z");
/// assert_eq!(Timestamp::from_unix(0).to_string(), "1970-01-01T00:00:00Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

/// Why a string is not an RFC 3339 timestamp.
///
/// ```
/// let err = nfehook_core::Timestamp::parse("2024-02-30T00:00:00Z").unwrap_err();
/// assert_eq!(err.to_string(), "invalid timestamp: day out of range for the month");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimestampError {
    /// Not `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    Format,
    /// Month not 01–12.
    Month,
    /// Day not in the month.
    Day,
    /// Hour, minute, second or offset out of range.
    Time,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Format => "invalid timestamp: expected RFC 3339 like 2024-03-10T16:45:30Z",
            Self::Month => "invalid timestamp: month out of range",
            Self::Day => "invalid timestamp: day out of range for the month",
            Self::Time => "invalid timestamp: time or offset out of range",
        })
    }
}

impl core::error::Error for TimestampError {}

impl Timestamp {
    /// The instant `seconds` after 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Timestamp::from_unix(1_710_089_130).to_string(), "2024-03-10T16:45:30Z");
    /// ```
    #[must_use]
    pub const fn from_unix(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Timestamp::parse("1970-01-01T00:01:00Z").unwrap().unix_seconds(), 60);
    /// ```
    #[must_use]
    pub const fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past the second.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Timestamp::parse("2024-01-01T00:00:00.5Z").unwrap().subsec_nanos(), 500_000_000);
    /// ```
    #[must_use]
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses RFC 3339 (`T`, `t` or a space between date and time; `Z`, `z` or `±HH:MM`).
    ///
    /// # Errors
    /// [`TimestampError`] for anything else, or an impossible date or time.
    ///
    /// ```
    /// assert!(nfehook_core::Timestamp::parse("2024-03-10T15:30:45.123456Z").is_ok());
    /// assert!(nfehook_core::Timestamp::parse("10/03/2024").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return Err(TimestampError::Format);
        }
        if !matches!(b[10], b'T' | b't' | b' ') {
            return Err(TimestampError::Format);
        }
        let year = i64::from(digits(&b[0..4])?);
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        if !(1..=12).contains(&month) {
            return Err(TimestampError::Month);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(TimestampError::Day);
        }
        // 60 is a leap second; it is folded into the next second.
        if hour > 23 || minute > 59 || second > 60 {
            return Err(TimestampError::Time);
        }
        let mut rest = &b[19..];
        let mut nanos = 0u32;
        if let Some((b'.', fraction)) = rest.split_first() {
            let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if len == 0 {
                return Err(TimestampError::Format);
            }
            for (index, &c) in fraction[..len].iter().enumerate() {
                if index < 9 {
                    nanos += u32::from(c - b'0') * 10u32.pow(8 - index as u32);
                }
            }
            rest = &fraction[len..];
        }
        let offset = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let hours = i64::from(digits(&[*h1, *h2])?);
                let minutes = i64::from(digits(&[*m1, *m2])?);
                if hours > 23 || minutes > 59 {
                    return Err(TimestampError::Time);
                }
                let offset = hours * 3600 + minutes * 60;
                if *sign == b'-' { -offset } else { offset }
            }
            _ => return Err(TimestampError::Format),
        };
        let days = days_from_civil(year, month, day);
        let seconds =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
                - offset;
        Ok(Self { seconds, nanos })
    }
}

fn digits(bytes: &[u8]) -> Result<u32, TimestampError> {
    bytes.iter().try_fold(0u32, |n, &c| {
        if c.is_ascii_digit() {
            Ok(n * 10 + u32::from(c - b'0'))
        } else {
            Err(TimestampError::Format)
        }
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )?;
        if self.nanos != 0 {
            let mut fraction = alloc::format!("{:09}", self.nanos);
            while fraction.ends_with('0') {
                fraction.pop();
            }
            write!(f, ".{fraction}")?;
        }
        f.write_str("Z")
    }
}

impl core::str::FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl From<Timestamp> for String {
    fn from(timestamp: Timestamp) -> Self {
        alloc::format!("{timestamp}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn known_instants() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2000-02-29T23:59:59Z", 951_868_799),
            ("2024-03-10T16:45:30Z", 1_710_089_130),
            ("1969-12-31T23:59:59Z", -1),
            ("2038-01-19T03:14:08Z", 2_147_483_648),
        ];
        for (text, seconds) in cases {
            let t = Timestamp::parse(text).unwrap();
            assert_eq!(t.unix_seconds(), seconds, "{text}");
            assert_eq!(t.to_string(), text);
        }
    }

    #[test]
    fn round_trips_every_day_for_centuries() {
        let mut day = -200_000;
        while day < 200_000 {
            let t = Timestamp::from_unix(day * 86_400 + 3_723);
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
            day += 97;
        }
    }

    #[test]
    fn offsets_fractions_and_separators() {
        let a = Timestamp::parse("2024-03-10T16:45:30Z").unwrap();
        assert_eq!(Timestamp::parse("2024-03-10 13:45:30-03:00").unwrap(), a);
        assert_eq!(Timestamp::parse("2024-03-10t18:15:30+01:30").unwrap(), a);
        let frac = Timestamp::parse("2024-03-10T16:45:30.0100z").unwrap();
        assert_eq!(frac.subsec_nanos(), 10_000_000);
        assert_eq!(frac.to_string(), "2024-03-10T16:45:30.01Z");
    }

    #[test]
    fn each_error() {
        assert_eq!(Timestamp::parse("2024-03-10"), Err(TimestampError::Format));
        assert_eq!(
            Timestamp::parse("2024-03-10T16:45:30"),
            Err(TimestampError::Format)
        );
        assert_eq!(
            Timestamp::parse("2024-03-10T16:45:30.Z"),
            Err(TimestampError::Format)
        );
        assert_eq!(
            Timestamp::parse("2024-13-10T16:45:30Z"),
            Err(TimestampError::Month)
        );
        assert_eq!(
            Timestamp::parse("2023-02-29T16:45:30Z"),
            Err(TimestampError::Day)
        );
        assert_eq!(
            Timestamp::parse("2024-03-10T24:45:30Z"),
            Err(TimestampError::Time)
        );
        assert_eq!(
            Timestamp::parse("2024-03-10T16:45:30+24:00"),
            Err(TimestampError::Time)
        );
    }
}
