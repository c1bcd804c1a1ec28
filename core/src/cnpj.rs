//! CNPJ, numeric or alphanumeric (letters in the 12 base characters from July 2026).

use alloc::string::String;
use core::fmt;

use crate::document::{self, DocumentError};

const LEN: usize = 14;
const BASE: usize = 12;
const WEIGHTS_1: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const WEIGHTS_2: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/// A valid CNPJ: 12 base characters (digits, or from 2026 uppercase letters) and 2 check digits.
///
/// ```
/// use nfehook_core::Cnpj;
///
/// let cnpj = Cnpj::parse("12.ABC.345/01DE-35").unwrap();
/// assert_eq!(cnpj.as_str(), "12ABC34501DE35");
/// assert_eq!(cnpj.formatted(), "12.ABC.345/01DE-35");
/// assert!(cnpj.is_alphanumeric());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnpj([u8; LEN]);

impl Cnpj {
    /// Parses a CNPJ, bare or formatted; lowercase letters are upper-cased.
    ///
    /// # Errors
    /// [`DocumentError`] naming the length, the bad character and its position, or the check
    /// digit that does not match.
    ///
    /// ```
    /// assert!(nfehook_core::Cnpj::parse("08.530.528/0001-84").is_ok());
    /// assert!(nfehook_core::Cnpj::parse("00000000000000").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let chars = document::normalize::<LEN>(input, BASE)?;
        document::check_digits(&chars, compute(&chars[..BASE]))?;
        Ok(Self(chars))
    }

    /// The two check digits of a 12-character base (digits or uppercase letters).
    ///
    /// # Errors
    /// [`DocumentError::Length`] or [`DocumentError::InvalidCharacter`] for a bad base.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cnpj::check_digits("12ABC34501DE"), Ok([3, 5]));
    /// ```
    pub fn check_digits(base: &str) -> Result<[u8; 2], DocumentError> {
        let bytes = document::check_base(base, BASE, true)?;
        Ok(compute(bytes))
    }

    /// The 14 bare characters.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cnpj::parse("08.530.528/0001-84").unwrap().as_str(), "08530528000184");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and letters are ever stored.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Formatted as `12.ABC.345/01DE-35`.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cnpj::parse("08530528000184").unwrap().formatted(), "08.530.528/0001-84");
    /// ```
    #[must_use]
    pub fn formatted(&self) -> String {
        let s = self.as_str();
        alloc::format!(
            "{}.{}.{}/{}-{}",
            &s[0..2],
            &s[2..5],
            &s[5..8],
            &s[8..12],
            &s[12..14]
        )
    }

    /// Whether the base holds letters (the CNPJ format of 2026).
    ///
    /// ```
    /// assert!(!nfehook_core::Cnpj::parse("08530528000184").unwrap().is_alphanumeric());
    /// ```
    #[must_use]
    pub fn is_alphanumeric(&self) -> bool {
        self.0.iter().any(u8::is_ascii_uppercase)
    }

    /// The 8-character root shared by every branch of the company.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Cnpj::parse("08530528000184").unwrap().root(), "08530528");
    /// ```
    #[must_use]
    pub fn root(&self) -> &str {
        &self.as_str()[..8]
    }
}

fn compute(base: &[u8]) -> [u8; 2] {
    let first = document::mod11_digit(base, &WEIGHTS_1);
    let mut with_first = [0u8; BASE + 1];
    with_first[..BASE].copy_from_slice(base);
    with_first[BASE] = b'0' + first;
    [first, document::mod11_digit(&with_first, &WEIGHTS_2)]
}

impl fmt::Display for Cnpj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Cnpj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cnpj({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receita_federal_alphanumeric_example_is_valid() {
        let cnpj = Cnpj::parse("12.ABC.345/01DE-35").unwrap();
        assert_eq!(Cnpj::check_digits("12ABC34501DE"), Ok([3, 5]));
        assert_eq!(cnpj.root(), "12ABC345");
    }

    #[test]
    fn lowercase_is_upper_cased() {
        assert_eq!(
            Cnpj::parse("12abc34501de35").unwrap().as_str(),
            "12ABC34501DE35"
        );
    }

    #[test]
    fn letters_not_allowed_in_check_digits() {
        assert_eq!(
            Cnpj::parse("12ABC34501DE3A"),
            Err(DocumentError::InvalidCharacter {
                position: 14,
                found: 'A'
            })
        );
    }

    #[test]
    fn each_error_kind() {
        assert_eq!(
            Cnpj::parse("0853052800018"),
            Err(DocumentError::Length {
                found: 13,
                expected: 14
            })
        );
        assert_eq!(
            Cnpj::parse("0853052800018#"),
            Err(DocumentError::InvalidCharacter {
                position: 14,
                found: '#'
            })
        );
        assert_eq!(
            Cnpj::parse("11111111111111"),
            Err(DocumentError::AllSameDigit)
        );
        assert_eq!(
            Cnpj::parse("08530528000194"),
            Err(DocumentError::CheckDigit {
                digit: 1,
                expected: 8,
                found: 9
            })
        );
        assert_eq!(
            Cnpj::check_digits("12ABC"),
            Err(DocumentError::Length {
                found: 5,
                expected: 12
            })
        );
        assert_eq!(
            Cnpj::check_digits("12abc34501de"),
            Err(DocumentError::InvalidCharacter {
                position: 3,
                found: 'a'
            })
        );
    }

    #[test]
    fn banco_do_brasil_starts_with_zeros() {
        assert!(Cnpj::parse("00000000000191").is_ok());
    }
}
