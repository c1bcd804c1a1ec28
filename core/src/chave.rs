//! NF-e access keys (chave de acesso): 44 characters that identify a fiscal document.
//!
//! ```
//! use nfehook_core::{ChaveAcesso, ChaveError, Modelo, Uf};
//!
//! // The MOC's worked example, written as on a DANFE.
//! let chave = ChaveAcesso::parse("5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615").unwrap();
//! assert_eq!(chave.uf(), Uf::Go);
//! assert_eq!((chave.ano(), chave.mes()), (2006, 4));
//! assert_eq!(chave.modelo(), Modelo::Nfe);
//! assert_eq!(chave.numero(), 780);
//!
//! // ValidaNFe's documentation example has a wrong check digit.
//! assert_eq!(
//!     ChaveAcesso::parse("35170608530528000184550000000154301000771561"),
//!     Err(ChaveError::CheckDigit { expected: 9, found: 1 })
//! );
//! ```

use alloc::string::String;
use core::fmt;

use crate::cnpj::Cnpj;
use crate::cpf::Cpf;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::document::{self, DocumentError, DocumentKind, Documento, Text};
use crate::modelo::{Modelo, TipoEmissao};
use crate::uf::Uf;

/// Characters in an access key.
///
/// ```
/// assert_eq!(nfehook_core::chave::LEN, 44);
/// ```
pub const LEN: usize = 44;

/// Prefixes of an XML `Id` attribute (`infNFe/@Id="NFe…"`) the lenient parser drops.
const ID_PREFIXES: [&str; 7] = ["NFCom", "NF3e", "MDFe", "GTVe", "NFe", "CTe", "BPe"];

/// A year and month, the caller's "now" for strict checks (the core has no clock).
///
/// ```
/// let ym = nfehook_core::YearMonth { year: 2026, month: 11 };
/// assert!(ym > nfehook_core::YearMonth { year: 2026, month: 4 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    /// Four-digit year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
}

/// What the series number says about who issued the document (NF-e and NFC-e).
///
/// ```
/// use nfehook_core::{ChaveAcesso, FaixaSerie};
/// let chave = ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
/// assert_eq!(chave.faixa_serie(), FaixaSerie::EmitenteCnpj);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaixaSerie {
    /// 000–889: a CNPJ issuer's own system.
    EmitenteCnpj,
    /// 890–899: NF-e avulsa.
    Avulsa,
    /// 900–909: a CNPJ issuer through the tax authority's site.
    SiteFisco,
    /// 910–969: a CPF issuer.
    EmitenteCpf,
    /// 970–999: not assigned.
    Reservada,
}

/// Why a string is not a valid access key. Positions are 1-based over the 44 characters.
///
/// ```
/// use nfehook_core::{ChaveAcesso, ChaveError};
/// let err = ChaveAcesso::parse("123").unwrap_err();
/// assert_eq!(err, ChaveError::Length { found: 3 });
/// assert_eq!(err.to_string(), "access key has 3 characters; expected 44");
/// assert_eq!(err.code(), "length");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChaveError {
    /// Not 44 characters (after dropping separators).
    Length {
        /// Characters found.
        found: usize,
    },
    /// A character that may not stand at that position.
    InvalidCharacter {
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Positions 1–2 are no IBGE state code.
    UnknownUf {
        /// The code found.
        code: u8,
    },
    /// Positions 5–6 are not a month 01–12.
    InvalidMonth {
        /// The month found.
        month: u8,
    },
    /// Positions 7–20 are neither a valid CNPJ nor (after `000`) a valid CPF.
    InvalidEmitente {
        /// Which document positions 7–20 were read as.
        kind: DocumentKind,
        /// What is wrong with it.
        error: DocumentError,
    },
    /// Positions 21–22 are no known model.
    UnknownModel {
        /// The code found.
        code: u8,
    },
    /// Model 59, CF-e SAT, whose keys use another layout.
    CfeSatLayout,
    /// Position 35 is not an emission type of this model.
    UnknownEmissionType {
        /// The model's code.
        modelo: u8,
        /// The digit found.
        found: u8,
    },
    /// Positions 26–34 (nNF) are zero.
    NumberZero,
    /// Position 44 does not match the modulo 11 of the first 43.
    CheckDigit {
        /// The digit the rule gives.
        expected: u8,
        /// The digit written.
        found: u8,
    },
    /// Strict: a cNF the tax authority forbids (`00000000`, `12345678`, …).
    ReservedCodigoNumerico,
    /// Strict: cNF equal to nNF.
    CodigoNumericoEqualsNumero,
    /// Strict: a CPF issuer outside series 890–899 and 910–969.
    SerieNotForCpf {
        /// The series found.
        serie: u16,
    },
    /// Strict: AAMM before January 2006 or after the current month.
    DateOutOfRange {
        /// Year read.
        year: u16,
        /// Month read.
        month: u8,
    },
    /// Strict: letters in the CNPJ of a key issued before April 2026.
    AlphanumericCnpjTooEarly,
}

impl ChaveError {
    /// A stable `snake_case` code.
    ///
    /// ```
    /// let err = nfehook_core::ChaveError::CheckDigit { expected: 9, found: 1 };
    /// assert_eq!(err.code(), "check_digit");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "length",
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::UnknownUf { .. } => "unknown_uf",
            Self::InvalidMonth { .. } => "invalid_month",
            Self::InvalidEmitente { .. } => "invalid_emitente",
            Self::UnknownModel { .. } => "unknown_model",
            Self::CfeSatLayout => "cfe_sat_layout",
            Self::UnknownEmissionType { .. } => "unknown_emission_type",
            Self::NumberZero => "number_zero",
            Self::CheckDigit { .. } => "check_digit",
            Self::ReservedCodigoNumerico => "reserved_codigo_numerico",
            Self::CodigoNumericoEqualsNumero => "codigo_numerico_equals_numero",
            Self::SerieNotForCpf { .. } => "serie_not_for_cpf",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::AlphanumericCnpjTooEarly => "alphanumeric_cnpj_too_early",
        }
    }

    /// The 1-based position in the key where the problem starts, where there is one.
    ///
    /// ```
    /// let err = nfehook_core::ChaveError::CheckDigit { expected: 9, found: 1 };
    /// assert_eq!(err.position(), Some(44));
    /// ```
    #[must_use]
    pub const fn position(&self) -> Option<usize> {
        Some(match self {
            Self::Length { .. } => return None,
            Self::InvalidCharacter { position, .. } => *position,
            Self::UnknownUf { .. } => 1,
            Self::InvalidMonth { .. } => 5,
            Self::DateOutOfRange { .. } => 3,
            Self::InvalidEmitente { kind, error } => {
                let start = match kind {
                    DocumentKind::Cnpj => 7,
                    DocumentKind::Cpf => 10,
                };
                match error {
                    DocumentError::InvalidCharacter { position, .. } => start + *position - 1,
                    DocumentError::CheckDigit { digit, .. } => 18 + *digit as usize,
                    _ => start,
                }
            }
            Self::AlphanumericCnpjTooEarly => 7,
            Self::UnknownModel { .. } | Self::CfeSatLayout => 21,
            Self::SerieNotForCpf { .. } => 23,
            Self::NumberZero => 26,
            Self::UnknownEmissionType { .. } => 35,
            Self::ReservedCodigoNumerico | Self::CodigoNumericoEqualsNumero => 36,
            Self::CheckDigit { .. } => 44,
        })
    }
}

impl fmt::Display for ChaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { found } => {
                write!(f, "access key has {found} characters; expected {LEN}")
            }
            Self::InvalidCharacter { position, found } => {
                write!(f, "invalid character {found:?} at position {position}")
            }
            Self::UnknownUf { code } => write!(f, "unknown UF code {code:02} at positions 1-2"),
            Self::InvalidMonth { month } => {
                write!(f, "month {month:02} at positions 5-6 is not 01-12")
            }
            Self::InvalidEmitente { kind, error } => {
                write!(f, "issuer {kind} at positions 7-20 is invalid: {error}")
            }
            Self::UnknownModel { code } => write!(f, "unknown model {code:02} at positions 21-22"),
            Self::CfeSatLayout => {
                f.write_str("model 59 (CF-e SAT) keys use another layout, not an NF-e key")
            }
            Self::UnknownEmissionType { modelo, found } => write!(
                f,
                "emission type {found} at position 35 is not allowed for model {modelo}"
            ),
            Self::NumberZero => f.write_str("document number (positions 26-34) is zero"),
            Self::CheckDigit { expected, found } => write!(
                f,
                "wrong check digit at position 44: expected {expected}, found {found}"
            ),
            Self::ReservedCodigoNumerico => {
                f.write_str("cNF (positions 36-43) is a sequence the tax authority forbids")
            }
            Self::CodigoNumericoEqualsNumero => {
                f.write_str("cNF (positions 36-43) equals the document number")
            }
            Self::SerieNotForCpf { serie } => write!(
                f,
                "series {serie:03} is not for a CPF issuer (890-899 or 910-969)"
            ),
            Self::DateOutOfRange { year, month } => write!(
                f,
                "issue month {year}-{month:02} is before 2006-01 or after the current month"
            ),
            Self::AlphanumericCnpjTooEarly => {
                f.write_str("alphanumeric CNPJ in a key issued before 2026-04")
            }
        }
    }
}

impl core::error::Error for ChaveError {}

/// The machine form of a key error, the one shape the npm package, the desktop and the command
/// line give: `code`, `message` and `position` (where there is one), then the fields of the
/// variant, absent where they do not apply. `found` is always the text written at `position`,
/// as the user typed it (`"01"` for an unknown UF, `"x"`, `"1"` for a check digit); a wrong
/// count is `length` beside `expected` 44. An invalid issuer adds `documentKind`
/// (`"CNPJ"`/`"CPF"`), `documentCode` and the document error's fields.
///
/// ```
/// use nfehook_core::ChaveAcesso;
/// let err = ChaveAcesso::parse("01060433009911002506550120000007800267301615").unwrap_err();
/// assert_eq!(
///     serde_json::to_string(&err).unwrap(),
///     r#"{"code":"unknown_uf","message":"unknown UF code 01 at positions 1-2","position":1,"found":"01"}"#
/// );
/// ```
impl Serialize for ChaveError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &Text(self))?;
        if let Some(position) = self.position() {
            map.serialize_entry("position", &position)?;
        }
        match self {
            Self::Length { found } => {
                map.serialize_entry("expected", &LEN)?;
                map.serialize_entry("length", found)?;
            }
            Self::InvalidCharacter { found, .. } => map.serialize_entry("found", &Text(found))?,
            Self::UnknownUf { code }
            | Self::UnknownModel { code }
            | Self::InvalidMonth { month: code } => {
                map.serialize_entry("found", &Text(&format_args!("{code:02}")))?;
            }
            Self::InvalidEmitente { kind, error } => {
                map.serialize_entry("documentKind", kind)?;
                map.serialize_entry("documentCode", error.code())?;
                error.serialize_fields(&mut map)?;
            }
            Self::UnknownEmissionType { modelo, found } => {
                map.serialize_entry("modelo", modelo)?;
                map.serialize_entry("found", &Text(found))?;
            }
            Self::CheckDigit { expected, found } => {
                map.serialize_entry("expected", expected)?;
                map.serialize_entry("found", &Text(found))?;
            }
            Self::SerieNotForCpf { serie } => {
                map.serialize_entry("found", &Text(&format_args!("{serie:03}")))?;
            }
            Self::DateOutOfRange { year, month } => {
                map.serialize_entry("year", year)?;
                map.serialize_entry("month", month)?;
            }
            Self::CfeSatLayout
            | Self::NumberZero
            | Self::ReservedCodigoNumerico
            | Self::CodigoNumericoEqualsNumero
            | Self::AlphanumericCnpjTooEarly => {}
        }
        map.end()
    }
}

/// A valid access key, stored normalised: 44 ASCII characters, letters uppercase.
///
/// ```
/// use nfehook_core::{ChaveAcesso, Documento, TipoEmissao};
///
/// let chave = ChaveAcesso::parse("NFe52060412ABC34501DE35550120000007801267301610").unwrap();
/// assert_eq!(chave.as_str(), "52060412ABC34501DE35550120000007801267301610");
/// assert!(matches!(chave.emitente(), Documento::Cnpj(c) if c.is_alphanumeric()));
/// assert_eq!(chave.tipo_emissao(), TipoEmissao::Normal);
/// assert_eq!(chave.grouped(), "5206 0412 ABC3 4501 DE35 5501 2000 0007 8012 6730 1610");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChaveAcesso([u8; LEN]);

impl ChaveAcesso {
    /// Parses a key leniently: drops spaces, dots and dashes between groups and a leading
    /// `NFe` (or `CTe`, `MDFe`, …) of an XML `Id`, and upper-cases letters.
    ///
    /// # Errors
    /// A [`ChaveError`] naming the first problem: length, character, UF, month, model,
    /// emission type, number, issuer document, check digit, in that order.
    ///
    /// ```
    /// assert!(nfehook_core::ChaveAcesso::parse(" 5206.0433.0099.1100.2506.5501.2000.0007.8002.6730.1615 ").is_ok());
    /// ```
    pub fn parse(input: &str) -> Result<Self, ChaveError> {
        let mut key = [0u8; LEN];
        let mut count = 0;
        let mut non_ascii = None;
        for c in strip_id_prefix(input.trim()).chars() {
            if matches!(c, ' ' | '.' | '-') {
                continue;
            }
            if count < LEN {
                if c.is_ascii() {
                    key[count] = (c as u8).to_ascii_uppercase();
                } else {
                    non_ascii.get_or_insert((count + 1, c));
                }
            }
            count += 1;
        }
        if count != LEN {
            return Err(ChaveError::Length { found: count });
        }
        if let Some((position, found)) = non_ascii {
            return Err(ChaveError::InvalidCharacter { position, found });
        }
        Self::validate(key)
    }

    /// Parses exactly 44 characters, no separators, no lowercase, and applies the rules the tax
    /// authority enforces at issue time (cNF not a trivial sequence nor equal to nNF for NF-e
    /// and NFC-e, CPF issuers' series, AAMM from 2006-01 to `today`, letters in the CNPJ only from
    /// 2026-04).
    ///
    /// # Errors
    /// Every error of [`ChaveAcesso::parse`], and the strict ones.
    ///
    /// ```
    /// use nfehook_core::{ChaveAcesso, ChaveError, YearMonth};
    /// let today = YearMonth { year: 2026, month: 11 };
    /// // The MOC's example has cNF 26730161 and a 2006 date: fine.
    /// assert!(ChaveAcesso::parse_strict("52060433009911002506550120000007800267301615", today).is_ok());
    /// assert!(matches!(
    ///     ChaveAcesso::parse_strict("5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615", today),
    ///     Err(ChaveError::Length { .. })
    /// ));
    /// ```
    pub fn parse_strict(input: &str, today: YearMonth) -> Result<Self, ChaveError> {
        let chars = input.chars().count();
        if chars != LEN {
            return Err(ChaveError::Length { found: chars });
        }
        let mut key = [0u8; LEN];
        for (index, c) in input.chars().enumerate() {
            if !c.is_ascii() {
                return Err(ChaveError::InvalidCharacter {
                    position: index + 1,
                    found: c,
                });
            }
            key[index] = c as u8;
        }
        let chave = Self::validate(key)?;
        chave.check_strict(today)?;
        Ok(chave)
    }

    fn validate(key: [u8; LEN]) -> Result<Self, ChaveError> {
        for (index, &byte) in key.iter().enumerate() {
            let letter_ok = (6..18).contains(&index) && byte.is_ascii_uppercase();
            if !byte.is_ascii_digit() && !letter_ok {
                return Err(ChaveError::InvalidCharacter {
                    position: index + 1,
                    found: char::from(byte),
                });
            }
        }
        let chave = Self(key);
        let uf_code = chave.number(0, 2);
        if Uf::from_code(uf_code as u8).is_none() {
            return Err(ChaveError::UnknownUf {
                code: uf_code as u8,
            });
        }
        let month = chave.number(4, 6) as u8;
        if !(1..=12).contains(&month) {
            return Err(ChaveError::InvalidMonth { month });
        }
        let model_code = chave.number(20, 22) as u8;
        let Some(modelo) = Modelo::from_code(model_code) else {
            return Err(if model_code == 59 {
                ChaveError::CfeSatLayout
            } else {
                ChaveError::UnknownModel { code: model_code }
            });
        };
        let tp_emis = key[34] - b'0';
        let tipo_ok = match TipoEmissao::from_code(tp_emis) {
            Some(TipoEmissao::Legado) => modelo == Modelo::Nfe && chave.number(2, 6) <= 1103,
            Some(tipo) => modelo.allows(tipo),
            None => false,
        };
        if !tipo_ok {
            return Err(ChaveError::UnknownEmissionType {
                modelo: model_code,
                found: tp_emis,
            });
        }
        if chave.number(25, 34) == 0 {
            return Err(ChaveError::NumberZero);
        }
        chave.read_emitente()?;
        let expected = check_digit(&key[..LEN - 1]);
        let found = key[LEN - 1] - b'0';
        if expected != found {
            return Err(ChaveError::CheckDigit { expected, found });
        }
        Ok(chave)
    }

    fn check_strict(&self, today: YearMonth) -> Result<(), ChaveError> {
        let issued = YearMonth {
            year: self.ano(),
            month: self.mes(),
        };
        if issued
            < (YearMonth {
                year: 2006,
                month: 1,
            })
            || issued > today
        {
            return Err(ChaveError::DateOutOfRange {
                year: issued.year,
                month: issued.month,
            });
        }
        let emitente = self.emitente();
        if let Documento::Cnpj(cnpj) = emitente
            && cnpj.is_alphanumeric()
            && issued
                < (YearMonth {
                    year: 2026,
                    month: 4,
                })
        {
            return Err(ChaveError::AlphanumericCnpjTooEarly);
        }
        if let Documento::Cpf(_) = emitente {
            let serie = self.serie();
            if self.tipo_emissao() != TipoEmissao::RegimeEspecialNff
                && !matches!(serie, 890..=899 | 910..=969)
            {
                return Err(ChaveError::SerieNotForCpf { serie });
            }
        }
        if self.is_nfe() {
            let cnf = &self.0[35..43];
            let trivial = cnf.iter().all(|&b| b == cnf[0])
                || b"0123456789012345678".windows(8).any(|w| w == cnf);
            if trivial {
                return Err(ChaveError::ReservedCodigoNumerico);
            }
            if self.number(35, 43) == self.number(25, 34) {
                return Err(ChaveError::CodigoNumericoEqualsNumero);
            }
        }
        Ok(())
    }

    /// Positions 7–20 read as CPF (after `000`) or CNPJ. When both readings are valid (a CNPJ
    /// such as `00000000000191`), the series decides: 910–969 is a CPF issuer's.
    fn read_emitente(&self) -> Result<Documento, ChaveError> {
        let doc = &self.as_str()[6..20];
        let cnpj = Cnpj::parse(doc);
        if let Some(cpf_digits) = doc.strip_prefix("000") {
            let cpf_series = matches!(self.serie(), 910..=969);
            return match (Cpf::parse(cpf_digits), cnpj) {
                (Ok(cpf), Err(_)) => Ok(Documento::Cpf(cpf)),
                (Ok(cpf), Ok(_)) if cpf_series => Ok(Documento::Cpf(cpf)),
                (_, Ok(cnpj)) => Ok(Documento::Cnpj(cnpj)),
                (Err(error), Err(_)) => Err(ChaveError::InvalidEmitente {
                    kind: DocumentKind::Cpf,
                    error,
                }),
            };
        }
        cnpj.map(Documento::Cnpj)
            .map_err(|error| ChaveError::InvalidEmitente {
                kind: DocumentKind::Cnpj,
                error,
            })
    }

    /// The decimal value of the digits in `start..end` (0-based, all digits there).
    fn number(&self, start: usize, end: usize) -> u32 {
        self.0[start..end]
            .iter()
            .fold(0, |n, &b| n * 10 + u32::from(b - b'0'))
    }

    /// The 44 characters.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.as_str().len(), 44);
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and uppercase letters are ever stored.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The key in 11 groups of 4 separated by spaces, as printed on a DANFE.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.grouped(), "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615");
    /// ```
    #[must_use]
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(LEN + 10);
        for (index, group) in self.as_str().as_bytes().chunks(4).enumerate() {
            if index > 0 {
                out.push(' ');
            }
            out.extend(group.iter().map(|&b| char::from(b)));
        }
        out
    }

    /// The issuer's state.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.uf().sigla(), "GO");
    /// ```
    #[must_use]
    pub fn uf(&self) -> Uf {
        // Checked in `validate`.
        Uf::from_code(self.number(0, 2) as u8).unwrap_or(Uf::Sp)
    }

    /// Year of issue (2000 + AA).
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.ano(), 2006);
    /// ```
    #[must_use]
    pub fn ano(&self) -> u16 {
        2000 + self.number(2, 4) as u16
    }

    /// Month of issue, 1–12.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.mes(), 4);
    /// ```
    #[must_use]
    pub fn mes(&self) -> u8 {
        self.number(4, 6) as u8
    }

    /// The issuer's CNPJ or CPF.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.emitente().formatted(), "33.009.911/0025-06");
    /// ```
    #[must_use]
    pub fn emitente(&self) -> Documento {
        match self.read_emitente() {
            Ok(doc) => doc,
            Err(_) => unreachable!("the issuer was validated on parse"),
        }
    }

    /// The document model.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.modelo(), nfehook_core::Modelo::Nfe);
    /// ```
    #[must_use]
    pub fn modelo(&self) -> Modelo {
        Modelo::from_code(self.number(20, 22) as u8).unwrap_or(Modelo::Nfe)
    }

    /// The series, 0–999.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.serie(), 12);
    /// ```
    #[must_use]
    pub fn serie(&self) -> u16 {
        self.number(22, 25) as u16
    }

    /// Who the series says issued the document.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.faixa_serie(), nfehook_core::FaixaSerie::EmitenteCnpj);
    /// ```
    #[must_use]
    pub fn faixa_serie(&self) -> FaixaSerie {
        match self.serie() {
            0..=889 => FaixaSerie::EmitenteCnpj,
            890..=899 => FaixaSerie::Avulsa,
            900..=909 => FaixaSerie::SiteFisco,
            910..=969 => FaixaSerie::EmitenteCpf,
            _ => FaixaSerie::Reservada,
        }
    }

    /// The document number (nNF), 1–999 999 999.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.numero(), 780);
    /// ```
    #[must_use]
    pub fn numero(&self) -> u32 {
        self.number(25, 34)
    }

    /// The emission type.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060412ABC34501DE35550120000007801267301610").unwrap();
    /// assert_eq!(chave.tipo_emissao(), nfehook_core::TipoEmissao::Normal);
    /// ```
    #[must_use]
    pub fn tipo_emissao(&self) -> TipoEmissao {
        TipoEmissao::from_code(self.0[34] - b'0').unwrap_or(TipoEmissao::Normal)
    }

    /// `nSiteAutoriz` (position 36) for NF3e and NFCom keys.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.site_autoriz(), None);
    /// ```
    #[must_use]
    pub fn site_autoriz(&self) -> Option<u8> {
        self.modelo().has_site_autoriz().then(|| self.0[35] - b'0')
    }

    /// The random numeric code cNF (8 digits; 7 for NF3e and NFCom).
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.codigo_numerico(), "26730161");
    /// ```
    #[must_use]
    pub fn codigo_numerico(&self) -> &str {
        let start = if self.modelo().has_site_autoriz() {
            36
        } else {
            35
        };
        &self.as_str()[start..43]
    }

    /// The check digit (position 44).
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert_eq!(chave.digito_verificador(), 5);
    /// ```
    #[must_use]
    pub fn digito_verificador(&self) -> u8 {
        self.0[LEN - 1] - b'0'
    }

    /// Whether this is an NF-e (55) or NFC-e (65) key, the documents ValidaNFe notifies.
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert!(chave.is_nfe());
    /// ```
    #[must_use]
    pub fn is_nfe(&self) -> bool {
        matches!(self.modelo(), Modelo::Nfe | Modelo::Nfce)
    }

    /// Whether the key predates layout 2.00 (no emission type, position 35 is `0`).
    ///
    /// ```
    /// let chave = nfehook_core::ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
    /// assert!(chave.is_legacy());
    /// ```
    #[must_use]
    pub fn is_legacy(&self) -> bool {
        self.tipo_emissao() == TipoEmissao::Legado
    }
}

/// The check digit of the first 43 characters of a key: modulo 11 with weights 2–9 from the
/// right, each character worth its ASCII code minus 48.
///
/// # Panics
/// Never for the 43 ASCII digits or uppercase letters it is meant for; other bytes give a
/// meaningless digit.
///
/// ```
/// assert_eq!(nfehook_core::chave::check_digit(b"5206043300991100250655012000000780026730161"), 5);
/// ```
#[must_use]
pub fn check_digit(first_43: &[u8]) -> u8 {
    let weights: [u32; LEN - 1] = core::array::from_fn(|i| 2 + ((LEN - 2 - i) % 8) as u32);
    document::mod11_digit(first_43, &weights)
}

fn strip_id_prefix(input: &str) -> &str {
    for prefix in ID_PREFIXES {
        if let Some(head) = input.get(..prefix.len())
            && head.eq_ignore_ascii_case(prefix)
        {
            return &input[prefix.len()..];
        }
    }
    input
}

impl fmt::Display for ChaveAcesso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ChaveAcesso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChaveAcesso({})", self.as_str())
    }
}

impl core::str::FromStr for ChaveAcesso {
    type Err = ChaveError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for ChaveAcesso {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ChaveAcesso {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    const MOC: &str = "52060433009911002506550120000007800267301615";
    const ALNUM: &str = "52060412ABC34501DE35550120000007801267301610";
    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    /// A valid key from a 43-character body.
    fn with_digit(first_43: &str) -> alloc::string::String {
        alloc::format!("{first_43}{}", check_digit(first_43.as_bytes()))
    }

    #[test]
    fn worked_examples_of_the_spec() {
        assert_eq!(check_digit(&MOC.as_bytes()[..43]), 5);
        assert_eq!(check_digit(&ALNUM.as_bytes()[..43]), 0);
        let chave = ChaveAcesso::parse(ALNUM).unwrap();
        assert_eq!(chave.ano(), 2006);
    }

    #[test]
    fn validanfe_examples_are_invalid() {
        assert_eq!(
            ChaveAcesso::parse("35170608530528000184550000000154301000771561"),
            Err(ChaveError::CheckDigit {
                expected: 9,
                found: 1
            })
        );
        assert_eq!(
            ChaveAcesso::parse("35170608530528000184550000000154302000771562"),
            Err(ChaveError::CheckDigit {
                expected: 7,
                found: 2
            })
        );
    }

    #[test]
    fn lenient_forms() {
        let lower = ALNUM.to_lowercase();
        assert_eq!(ChaveAcesso::parse(&lower).unwrap().as_str(), ALNUM);
        assert!(ChaveAcesso::parse(&alloc::format!("NFe{MOC}")).is_ok());
        assert!(ChaveAcesso::parse(&alloc::format!("nfe{MOC}")).is_ok());
        let dashed = ChaveAcesso::parse(MOC).unwrap().grouped().replace(' ', "-");
        assert!(ChaveAcesso::parse(&dashed).is_ok());
    }

    #[test]
    fn strict_rejects_lowercase_and_separators() {
        assert_eq!(
            ChaveAcesso::parse_strict(&ALNUM.to_lowercase(), TODAY),
            Err(ChaveError::InvalidCharacter {
                position: 9,
                found: 'a'
            })
        );
    }

    #[test]
    fn each_structural_error() {
        assert_eq!(
            ChaveAcesso::parse(&MOC[..43]),
            Err(ChaveError::Length { found: 43 })
        );
        assert_eq!(
            ChaveAcesso::parse(&alloc::format!("{MOC}1")),
            Err(ChaveError::Length { found: 45 })
        );
        assert_eq!(
            ChaveAcesso::parse(&alloc::format!("{}é", &MOC[..43])),
            Err(ChaveError::InvalidCharacter {
                position: 44,
                found: 'é'
            })
        );
        let letter_in_uf = alloc::format!("A{}", &MOC[1..]);
        assert_eq!(
            ChaveAcesso::parse(&letter_in_uf),
            Err(ChaveError::InvalidCharacter {
                position: 1,
                found: 'A'
            })
        );
        assert_eq!(
            ChaveAcesso::parse(&with_digit(&alloc::format!("91{}", &MOC[2..43]))),
            Err(ChaveError::UnknownUf { code: 91 })
        );
        assert_eq!(
            ChaveAcesso::parse(&with_digit(&alloc::format!("520613{}", &MOC[6..43]))),
            Err(ChaveError::InvalidMonth { month: 13 })
        );
        assert_eq!(
            ChaveAcesso::parse(&with_digit(&alloc::format!("520600{}", &MOC[6..43]))),
            Err(ChaveError::InvalidMonth { month: 0 })
        );
        assert_eq!(
            ChaveAcesso::parse(&with_digit(&alloc::format!(
                "{}56{}",
                &MOC[..20],
                &MOC[22..43]
            ))),
            Err(ChaveError::UnknownModel { code: 56 })
        );
        assert_eq!(
            ChaveAcesso::parse(&with_digit(&alloc::format!(
                "{}59{}",
                &MOC[..20],
                &MOC[22..43]
            ))),
            Err(ChaveError::CfeSatLayout)
        );
        assert_eq!(
            ChaveAcesso::parse(&with_digit(&alloc::format!(
                "{}000000000{}",
                &MOC[..25],
                &MOC[34..43]
            ))),
            Err(ChaveError::NumberZero)
        );
    }

    #[test]
    fn emission_type_per_model_and_legacy() {
        // The MOC's example (2006) is legacy: tpEmis 0.
        assert!(ChaveAcesso::parse(MOC).unwrap().is_legacy());
        // The same key dated 2012 may not have tpEmis 0.
        let late = with_digit(&alloc::format!("5212{}", &MOC[4..43]));
        assert_eq!(
            ChaveAcesso::parse(&late),
            Err(ChaveError::UnknownEmissionType {
                modelo: 55,
                found: 0
            })
        );
        // 9 is NFC-e only.
        let nine = |model: &str| {
            with_digit(&alloc::format!(
                "{}{model}{}9{}",
                &ALNUM[..20],
                &ALNUM[22..34],
                &ALNUM[35..43]
            ))
        };
        assert_eq!(
            ChaveAcesso::parse(&nine("55")),
            Err(ChaveError::UnknownEmissionType {
                modelo: 55,
                found: 9
            })
        );
        assert_eq!(
            ChaveAcesso::parse(&nine("65")).unwrap().tipo_emissao(),
            TipoEmissao::ContingenciaOffline
        );
    }

    #[test]
    fn issuer_cpf_and_invalid_issuer() {
        // CPF 529.982.247-25 as issuer, series 920.
        let cpf_key = with_digit(&alloc::format!(
            "{}00052998224725{}920{}",
            &ALNUM[..6],
            "55",
            &ALNUM[25..43]
        ));
        let chave = ChaveAcesso::parse(&cpf_key).unwrap();
        assert_eq!(chave.emitente().kind().as_str(), "CPF");
        assert_eq!(chave.faixa_serie(), FaixaSerie::EmitenteCpf);
        let bad = with_digit(&alloc::format!(
            "{}08530528000185{}",
            &ALNUM[..6],
            &ALNUM[20..43]
        ));
        let err = ChaveAcesso::parse(&bad).unwrap_err();
        assert_eq!(
            err,
            ChaveError::InvalidEmitente {
                kind: DocumentKind::Cnpj,
                error: DocumentError::CheckDigit {
                    digit: 2,
                    expected: 4,
                    found: 5
                }
            }
        );
        assert_eq!(err.position(), Some(20));
        let zeros = with_digit(&alloc::format!(
            "{}00000000000000{}",
            &ALNUM[..6],
            &ALNUM[20..43]
        ));
        assert!(matches!(
            ChaveAcesso::parse(&zeros),
            Err(ChaveError::InvalidEmitente {
                error: DocumentError::AllSameDigit,
                ..
            })
        ));
        // Banco do Brasil's CNPJ starts with 000 and is not a CPF.
        let bb = with_digit(&alloc::format!(
            "{}00000000000191{}",
            &ALNUM[..6],
            &ALNUM[20..43]
        ));
        assert_eq!(
            ChaveAcesso::parse(&bb).unwrap().emitente().kind().as_str(),
            "CNPJ"
        );
    }

    #[test]
    fn strict_rules() {
        let base = "3517060853052800018455000000015430100077156";
        let good = with_digit(base);
        assert!(ChaveAcesso::parse_strict(&good, TODAY).is_ok());
        let reserved = with_digit(&alloc::format!("{}12345678", &base[..35]));
        assert_eq!(
            ChaveAcesso::parse_strict(&reserved, TODAY),
            Err(ChaveError::ReservedCodigoNumerico)
        );
        assert!(ChaveAcesso::parse(&reserved).is_ok());
        let same = with_digit(&alloc::format!("{}00015430", &base[..35]));
        assert_eq!(
            ChaveAcesso::parse_strict(&same, TODAY),
            Err(ChaveError::CodigoNumericoEqualsNumero)
        );
        let future = with_digit(&alloc::format!("3527{}", &base[4..]));
        assert_eq!(
            ChaveAcesso::parse_strict(&future, TODAY),
            Err(ChaveError::DateOutOfRange {
                year: 2027,
                month: 6
            })
        );
        assert_eq!(
            ChaveAcesso::parse_strict(ALNUM, TODAY),
            Err(ChaveError::AlphanumericCnpjTooEarly)
        );
        let cpf_key = with_digit(&alloc::format!(
            "352606{}55001{}",
            "00052998224725",
            &base[25..]
        ));
        assert_eq!(
            ChaveAcesso::parse_strict(&cpf_key, TODAY),
            Err(ChaveError::SerieNotForCpf { serie: 1 })
        );
    }

    #[test]
    fn every_error_has_code_and_message() {
        let errors = [
            ChaveError::Length { found: 1 },
            ChaveError::InvalidCharacter {
                position: 2,
                found: 'x',
            },
            ChaveError::UnknownUf { code: 99 },
            ChaveError::InvalidMonth { month: 13 },
            ChaveError::InvalidEmitente {
                kind: DocumentKind::Cpf,
                error: DocumentError::AllSameDigit,
            },
            ChaveError::UnknownModel { code: 1 },
            ChaveError::CfeSatLayout,
            ChaveError::UnknownEmissionType {
                modelo: 55,
                found: 9,
            },
            ChaveError::NumberZero,
            ChaveError::CheckDigit {
                expected: 1,
                found: 2,
            },
            ChaveError::ReservedCodigoNumerico,
            ChaveError::CodigoNumericoEqualsNumero,
            ChaveError::SerieNotForCpf { serie: 1 },
            ChaveError::DateOutOfRange {
                year: 2005,
                month: 1,
            },
            ChaveError::AlphanumericCnpjTooEarly,
        ];
        let mut codes: alloc::vec::Vec<&str> = errors.iter().map(ChaveError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        for error in errors {
            assert!(!error.to_string().is_empty());
        }
    }
}
