//! The issuer's tax document, CNPJ or CPF, and the errors their validation reports.

use alloc::string::String;
use core::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::cnpj::Cnpj;
use crate::cpf::Cpf;

/// A valid CNPJ (company) or CPF (person).
///
/// ```
/// use nfehook_core::{Cnpj, Documento};
/// let doc = Documento::Cnpj(Cnpj::parse("08530528000184").unwrap());
/// assert_eq!(doc.formatted(), "08.530.528/0001-84");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Documento {
    /// Cadastro Nacional da Pessoa Jurídica.
    Cnpj(Cnpj),
    /// Cadastro de Pessoas Físicas.
    Cpf(Cpf),
}

impl Documento {
    /// The bare characters (14 for a CNPJ, 11 for a CPF).
    ///
    /// ```
    /// let doc = nfehook_core::Documento::Cpf(nfehook_core::Cpf::parse("52998224725").unwrap());
    /// assert_eq!(doc.as_str(), "52998224725");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Cnpj(cnpj) => cnpj.as_str(),
            Self::Cpf(cpf) => cpf.as_str(),
        }
    }

    /// The document as people write it (`12.ABC.345/01DE-35`, `529.982.247-25`).
    ///
    /// ```
    /// let doc = nfehook_core::Documento::Cpf(nfehook_core::Cpf::parse("52998224725").unwrap());
    /// assert_eq!(doc.formatted(), "529.982.247-25");
    /// ```
    #[must_use]
    pub fn formatted(&self) -> String {
        match self {
            Self::Cnpj(cnpj) => cnpj.formatted(),
            Self::Cpf(cpf) => cpf.formatted(),
        }
    }

    /// Which document it is.
    ///
    /// ```
    /// use nfehook_core::{Cnpj, DocumentKind, Documento};
    /// let doc = Documento::Cnpj(Cnpj::parse("08530528000184").unwrap());
    /// assert_eq!(doc.kind(), DocumentKind::Cnpj);
    /// assert_eq!(doc.kind().as_str(), "CNPJ");
    /// ```
    #[must_use]
    pub const fn kind(&self) -> DocumentKind {
        match self {
            Self::Cnpj(_) => DocumentKind::Cnpj,
            Self::Cpf(_) => DocumentKind::Cpf,
        }
    }
}

/// CNPJ or CPF: the kind of a [`Documento`], and the one name every output gives it
/// (`"CNPJ"`, `"CPF"`, also its `Serialize` form).
///
/// ```
/// use nfehook_core::DocumentKind;
/// assert_eq!(DocumentKind::Cpf.to_string(), "CPF");
/// assert_eq!(DocumentKind::from_name("cnpj"), Some(DocumentKind::Cnpj));
/// assert_eq!(DocumentKind::Cpf.parse("529.982.247-25").unwrap().as_str(), "52998224725");
/// assert_eq!(serde_json::to_string(&DocumentKind::Cnpj).unwrap(), r#""CNPJ""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A CNPJ.
    Cnpj,
    /// A CPF.
    Cpf,
}

impl DocumentKind {
    /// `"CNPJ"` or `"CPF"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cnpj => "CNPJ",
            Self::Cpf => "CPF",
        }
    }

    /// The kind named `cnpj` or `cpf`, in any case.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Cnpj, Self::Cpf]
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(name))
    }

    /// Parses `input` (formatted or not) as a document of this kind.
    ///
    /// # Errors
    /// The kind and the [`DocumentError`] of an invalid one.
    pub fn parse(self, input: &str) -> Result<Documento, InvalidDocument> {
        let parsed = match self {
            Self::Cnpj => Cnpj::parse(input).map(Documento::Cnpj),
            Self::Cpf => Cpf::parse(input).map(Documento::Cpf),
        };
        parsed.map_err(|error| InvalidDocument { kind: self, error })
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DocumentKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Documento {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a CNPJ or CPF is invalid. Positions are 1-based, counted over the bare characters.
///
/// ```
/// use nfehook_core::{Cnpj, DocumentError};
/// assert_eq!(
///     Cnpj::parse("08530528000185"),
///     Err(DocumentError::CheckDigit { digit: 2, expected: 4, found: 5 })
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentError {
    /// Not the right number of characters (separators aside).
    Length {
        /// Characters found.
        found: usize,
        /// Characters expected (14 or 11).
        expected: usize,
    },
    /// A character that may not stand at that position.
    InvalidCharacter {
        /// 1-based position among the bare characters.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Every digit the same (`00000000000000`, `11111111111`, …).
    AllSameDigit,
    /// A check digit does not match.
    CheckDigit {
        /// Which check digit: 1 or 2.
        digit: u8,
        /// The digit the rule gives.
        expected: u8,
        /// The digit written.
        found: u8,
    },
}

impl DocumentError {
    /// A stable `snake_case` code.
    ///
    /// ```
    /// assert_eq!(nfehook_core::DocumentError::AllSameDigit.code(), "all_same_digit");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "length",
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::AllSameDigit => "all_same_digit",
            Self::CheckDigit { .. } => "check_digit",
        }
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { found, expected } => {
                write!(f, "has {found} characters; expected {expected}")
            }
            Self::InvalidCharacter { position, found } => {
                write!(f, "invalid character {found:?} at position {position}")
            }
            Self::AllSameDigit => f.write_str("every digit is the same"),
            Self::CheckDigit {
                digit,
                expected,
                found,
            } => write!(f, "check digit {digit} is {found}; expected {expected}"),
        }
    }
}

impl core::error::Error for DocumentError {}

/// The machine form of a document error: `{"code", "message", ...fields}`, the same in the npm
/// package, the desktop and the command line. `found` is always the text written there (`"5"`,
/// `"x"`); a wrong count is `length` beside `expected`.
///
/// ```
/// let err = nfehook_core::DocumentError::CheckDigit { digit: 2, expected: 4, found: 5 };
/// assert_eq!(
///     serde_json::to_string(&err).unwrap(),
///     r#"{"code":"check_digit","message":"check digit 2 is 5; expected 4","digit":2,"expected":4,"found":"5"}"#
/// );
/// ```
impl Serialize for DocumentError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &Text(self))?;
        if let Self::InvalidCharacter { position, .. } = self {
            map.serialize_entry("position", position)?;
        }
        self.serialize_fields(&mut map)?;
        map.end()
    }
}

impl DocumentError {
    /// The fields of the machine form after `code`, `message` and `position`: also those of an
    /// access key's invalid issuer, whose `position` is the key's.
    pub(crate) fn serialize_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match self {
            Self::Length { found, expected } => {
                map.serialize_entry("expected", expected)?;
                map.serialize_entry("length", found)
            }
            Self::InvalidCharacter { found, .. } => map.serialize_entry("found", &Text(found)),
            Self::AllSameDigit => Ok(()),
            Self::CheckDigit {
                digit,
                expected,
                found,
            } => {
                map.serialize_entry("digit", digit)?;
                map.serialize_entry("expected", expected)?;
                map.serialize_entry("found", &Text(found))
            }
        }
    }
}

/// A CNPJ or CPF that failed validation: which kind it was read as, and why.
///
/// Its machine form is the [`DocumentError`]'s with `kind` after `message`, and its message
/// names the kind.
///
/// ```
/// use nfehook_core::DocumentKind;
/// let err = DocumentKind::Cpf.parse("123").unwrap_err();
/// assert_eq!(err.to_string(), "CPF has 3 characters; expected 11");
/// assert_eq!(
///     serde_json::to_string(&err).unwrap(),
///     r#"{"code":"length","message":"CPF has 3 characters; expected 11","kind":"CPF","expected":11,"length":3}"#
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InvalidDocument {
    /// The kind it was read as.
    pub kind: DocumentKind,
    /// What is wrong with it.
    pub error: DocumentError,
}

impl fmt::Display for InvalidDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.error)
    }
}

impl core::error::Error for InvalidDocument {}

impl Serialize for InvalidDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.error.code())?;
        map.serialize_entry("message", &Text(self))?;
        map.serialize_entry("kind", &self.kind)?;
        if let DocumentError::InvalidCharacter { position, .. } = self.error {
            map.serialize_entry("position", &position)?;
        }
        self.error.serialize_fields(&mut map)?;
        map.end()
    }
}

/// Serialises anything `Display` as a string, with no allocation of its own.
pub(crate) struct Text<'a, T: fmt::Display + ?Sized>(pub(crate) &'a T);

impl<T: fmt::Display + ?Sized> Serialize for Text<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// Value of a document character in check-digit sums: its ASCII code minus 48.
pub(crate) const fn char_value(byte: u8) -> u32 {
    (byte - b'0') as u32
}

/// Modulo 11 check digit of `chars` under `weights` (same length): 0 when the remainder is 0
/// or 1, else 11 minus it.
pub(crate) fn mod11_digit(chars: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = chars
        .iter()
        .zip(weights)
        .map(|(&c, &w)| char_value(c) * w)
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => u8::try_from(11 - r).unwrap_or(0),
    }
}

/// Copies the characters of `input` into `out`, skipping the separators `. / - ` and spaces,
/// upper-casing letters; rejects anything else and a wrong count.
pub(crate) fn normalize<const N: usize>(
    input: &str,
    letters_until: usize,
) -> Result<[u8; N], DocumentError> {
    let mut out = [0u8; N];
    let mut count = 0;
    for byte in input.trim().bytes() {
        if matches!(byte, b'.' | b'/' | b'-' | b' ') {
            continue;
        }
        if count < N {
            out[count] = byte.to_ascii_uppercase();
        }
        count += 1;
    }
    if count != N {
        return Err(DocumentError::Length {
            found: count,
            expected: N,
        });
    }
    for (index, &byte) in out.iter().enumerate() {
        let letter_ok = index < letters_until && byte.is_ascii_uppercase();
        if !byte.is_ascii_digit() && !letter_ok {
            return Err(DocumentError::InvalidCharacter {
                position: index + 1,
                found: char::from(byte),
            });
        }
    }
    if out.iter().all(|&b| b == out[0]) {
        return Err(DocumentError::AllSameDigit);
    }
    Ok(out)
}

/// Checks a check-digit base: `len` characters, digits or (where `letters`) uppercase letters.
pub(crate) fn check_base(base: &str, len: usize, letters: bool) -> Result<&[u8], DocumentError> {
    let bytes = base.as_bytes();
    if bytes.len() != len {
        return Err(DocumentError::Length {
            found: base.chars().count(),
            expected: len,
        });
    }
    if let Some(index) = bytes
        .iter()
        .position(|b| !(b.is_ascii_digit() || (letters && b.is_ascii_uppercase())))
    {
        return Err(DocumentError::InvalidCharacter {
            position: index + 1,
            found: base[index..].chars().next().unwrap_or('?'),
        });
    }
    Ok(bytes)
}

/// Compares the two written check digits at the end of `chars` with `expected`.
pub(crate) fn check_digits(chars: &[u8], expected: [u8; 2]) -> Result<(), DocumentError> {
    let written = &chars[chars.len() - 2..];
    for (index, (&found, &want)) in written.iter().zip(&expected).enumerate() {
        let found = found - b'0';
        if found != want {
            return Err(DocumentError::CheckDigit {
                digit: u8::try_from(index + 1).unwrap_or(2),
                expected: want,
                found,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn errors_display_what_to_fix() {
        assert_eq!(
            DocumentError::Length {
                found: 13,
                expected: 14
            }
            .to_string(),
            "has 13 characters; expected 14"
        );
        assert_eq!(
            DocumentError::InvalidCharacter {
                position: 3,
                found: 'x'
            }
            .to_string(),
            "invalid character 'x' at position 3"
        );
        assert_eq!(
            DocumentError::CheckDigit {
                digit: 1,
                expected: 3,
                found: 4
            }
            .to_string(),
            "check digit 1 is 4; expected 3"
        );
        assert_eq!(DocumentError::AllSameDigit.code(), "all_same_digit");
    }
}
