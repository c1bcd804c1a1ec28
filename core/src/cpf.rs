//! CPF: 9 base digits and 2 check digits.

use alloc::string::String;
use core::fmt;

use crate::document::{self, DocumentError};

const LEN: usize = 11;
const WEIGHTS_1: [u32; 9] = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const WEIGHTS_2: [u32; 10] = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];

/// A valid CPF.
///
/// ```
/// use nfehook_core::Cpf;
///
/// let cpf = Cpf::parse("529.982.247-25").unwrap();
/// assert_eq!(cpf.as_str(), "52998224725");
/// assert_eq!(cpf.formatted(), "529.982.247-25");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpf([u8; LEN]);

impl Cpf {
    /// Parses a CPF, bare or formatted.
    ///
    /// # Errors
    /// [`DocumentError`] naming the length, the bad character and its position, or the check
    /// digit that does not match.
    ///
    /// ```
    /// assert!(nfehook_core::Cpf::parse("52998224725").is_ok());
    /// assert!(nfehook_core::Cpf::parse("52998224724").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let chars = document::normalize::<LEN>(input, 0)?;
        document::check_digits(&chars, compute(&chars[..9]))?;
        Ok(Self(chars))
    }

    /// The two check digits of a 9-digit base.
    ///
    /// # Errors
    /// [`DocumentError::Length`] or [`DocumentError::InvalidCharacter`] for a bad base.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cpf::check_digits("529982247"), Ok([2, 5]));
    /// ```
    pub fn check_digits(base: &str) -> Result<[u8; 2], DocumentError> {
        let bytes = document::check_base(base, 9, false)?;
        Ok(compute(bytes))
    }

    /// The 11 bare digits.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cpf::parse("529.982.247-25").unwrap().as_str(), "52998224725");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Formatted as `123.456.789-09`.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cpf::parse("52998224725").unwrap().formatted(), "529.982.247-25");
    /// ```
    #[must_use]
    pub fn formatted(&self) -> String {
        let s = self.as_str();
        alloc::format!("{}.{}.{}-{}", &s[0..3], &s[3..6], &s[6..9], &s[9..11])
    }
}

/// CPF digits: r = (sum × 10) mod 11, and 10 becomes 0.
fn digit(chars: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = chars
        .iter()
        .zip(weights)
        .map(|(&c, &w)| document::char_value(c) * w)
        .sum();
    u8::try_from((sum * 10) % 11 % 10).unwrap_or(0)
}

fn compute(base: &[u8]) -> [u8; 2] {
    let first = digit(base, &WEIGHTS_1);
    let mut with_first = [0u8; 10];
    with_first[..9].copy_from_slice(base);
    with_first[9] = b'0' + first;
    [first, digit(&with_first, &WEIGHTS_2)]
}

impl fmt::Display for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpf({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_and_invalid() {
        assert!(Cpf::parse("123.456.789-09").is_ok());
        assert_eq!(
            Cpf::parse("12345678900"),
            Err(DocumentError::CheckDigit {
                digit: 2,
                expected: 9,
                found: 0
            })
        );
        assert_eq!(
            Cpf::parse("12345678919"),
            Err(DocumentError::CheckDigit {
                digit: 1,
                expected: 0,
                found: 1
            })
        );
        assert_eq!(
            Cpf::parse("12345678901"),
            Err(DocumentError::CheckDigit {
                digit: 2,
                expected: 9,
                found: 1
            })
        );
    }

    #[test]
    fn letters_and_uniform_rejected() {
        assert_eq!(
            Cpf::parse("1234567890A"),
            Err(DocumentError::InvalidCharacter {
                position: 11,
                found: 'A'
            })
        );
        assert_eq!(
            Cpf::parse("000.000.000-00"),
            Err(DocumentError::AllSameDigit)
        );
        assert_eq!(
            Cpf::check_digits("12345678"),
            Err(DocumentError::Length {
                found: 8,
                expected: 9
            })
        );
    }
}
