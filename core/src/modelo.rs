//! Fiscal document models (position 21–22 of an access key) and emission types (position 35).

use core::fmt;

/// The fiscal document model of an access key.
///
/// ```
/// use nfehook_core::Modelo;
/// assert_eq!(Modelo::from_code(65), Some(Modelo::Nfce));
/// assert_eq!(Modelo::Nfce.nome(), "NFC-e");
/// assert_eq!(Modelo::from_code(59), None); // CF-e SAT has another layout
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Modelo {
    /// 55: NF-e.
    Nfe = 55,
    /// 65: NFC-e.
    Nfce = 65,
    /// 57: CT-e.
    Cte = 57,
    /// 67: CT-e OS.
    CteOs = 67,
    /// 64: GTV-e.
    GtvE = 64,
    /// 58: MDF-e.
    Mdfe = 58,
    /// 63: BP-e.
    Bpe = 63,
    /// 66: NF3e.
    Nf3e = 66,
    /// 62: NFCom.
    Nfcom = 62,
}

impl Modelo {
    /// The model of a code, `None` for unknown ones.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Modelo::from_code(55), Some(nfehook_core::Modelo::Nfe));
    /// ```
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            55 => Self::Nfe,
            65 => Self::Nfce,
            57 => Self::Cte,
            67 => Self::CteOs,
            64 => Self::GtvE,
            58 => Self::Mdfe,
            63 => Self::Bpe,
            66 => Self::Nf3e,
            62 => Self::Nfcom,
            _ => return None,
        })
    }

    /// The two-digit code.
    ///
    /// ```
    /// assert_eq!(nfehook_core::Modelo::Cte.code(), 57);
    /// ```
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The document's usual name (`"NF-e"`).
    ///
    /// ```
    /// assert_eq!(nfehook_core::Modelo::Mdfe.nome(), "MDF-e");
    /// ```
    #[must_use]
    pub const fn nome(self) -> &'static str {
        match self {
            Self::Nfe => "NF-e",
            Self::Nfce => "NFC-e",
            Self::Cte => "CT-e",
            Self::CteOs => "CT-e OS",
            Self::GtvE => "GTV-e",
            Self::Mdfe => "MDF-e",
            Self::Bpe => "BP-e",
            Self::Nf3e => "NF3e",
            Self::Nfcom => "NFCom",
        }
    }

    /// Whether position 36 holds `nSiteAutoriz` and cNF is 7 digits (NF3e and NFCom).
    ///
    /// ```
    /// assert!(nfehook_core::Modelo::Nfcom.has_site_autoriz());
    /// assert!(!nfehook_core::Modelo::Nfe.has_site_autoriz());
    /// ```
    #[must_use]
    pub const fn has_site_autoriz(self) -> bool {
        matches!(self, Self::Nf3e | Self::Nfcom)
    }

    /// Emission types this model allows (the legacy `0` aside).
    ///
    /// ```
    /// use nfehook_core::{Modelo, TipoEmissao};
    /// assert!(Modelo::Nfce.allows(TipoEmissao::ContingenciaOffline));
    /// assert!(!Modelo::Nfe.allows(TipoEmissao::ContingenciaOffline));
    /// ```
    #[must_use]
    pub const fn allows(self, tipo: TipoEmissao) -> bool {
        let code = tipo.code();
        match self {
            Self::Nfe => matches!(code, 1..=7),
            Self::Nfce => matches!(code, 1..=7 | 9),
            Self::Cte => matches!(code, 1 | 3 | 4 | 5 | 7 | 8),
            Self::CteOs => matches!(code, 1 | 5 | 7 | 8),
            Self::GtvE => matches!(code, 1 | 2 | 7 | 8),
            Self::Mdfe => matches!(code, 1..=3),
            Self::Bpe | Self::Nf3e | Self::Nfcom => matches!(code, 1 | 2),
        }
    }
}

impl fmt::Display for Modelo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.nome())
    }
}

/// Emission type (`tpEmis`), position 35 of an access key.
///
/// ```
/// use nfehook_core::TipoEmissao;
/// assert_eq!(TipoEmissao::from_code(4), Some(TipoEmissao::Epec));
/// assert_eq!(TipoEmissao::Epec.descricao(), "contingência EPEC");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TipoEmissao {
    /// 0: keys of the NF-e layout before 2.00 (until March 2011) had no emission type.
    Legado = 0,
    /// 1: normal.
    Normal = 1,
    /// 2: contingency on security form (FS-IA).
    ContingenciaFsIa = 2,
    /// 3: SCAN until 2014; Regime Especial NFF since NT 2021.002.
    RegimeEspecialNff = 3,
    /// 4: EPEC.
    Epec = 4,
    /// 5: contingency on security form for auxiliary documents (FS-DA).
    ContingenciaFsDa = 5,
    /// 6: SVC-AN.
    SvcAn = 6,
    /// 7: SVC-RS.
    SvcRs = 7,
    /// 8: SVC-SP (CT-e, GTV-e).
    SvcSp = 8,
    /// 9: NFC-e off-line contingency.
    ContingenciaOffline = 9,
}

impl TipoEmissao {
    /// The emission type of a digit.
    ///
    /// ```
    /// assert_eq!(nfehook_core::TipoEmissao::from_code(1), Some(nfehook_core::TipoEmissao::Normal));
    /// assert_eq!(nfehook_core::TipoEmissao::from_code(10), None);
    /// ```
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Legado,
            1 => Self::Normal,
            2 => Self::ContingenciaFsIa,
            3 => Self::RegimeEspecialNff,
            4 => Self::Epec,
            5 => Self::ContingenciaFsDa,
            6 => Self::SvcAn,
            7 => Self::SvcRs,
            8 => Self::SvcSp,
            9 => Self::ContingenciaOffline,
            _ => return None,
        })
    }

    /// The digit.
    ///
    /// ```
    /// assert_eq!(nfehook_core::TipoEmissao::SvcRs.code(), 7);
    /// ```
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// A short description in Portuguese, as fiscal teams name it.
    ///
    /// ```
    /// assert_eq!(nfehook_core::TipoEmissao::Normal.descricao(), "emissão normal");
    /// ```
    #[must_use]
    pub const fn descricao(self) -> &'static str {
        match self {
            Self::Legado => "leiaute anterior à versão 2.00",
            Self::Normal => "emissão normal",
            Self::ContingenciaFsIa => "contingência FS-IA",
            Self::RegimeEspecialNff => "regime especial NFF (antigo SCAN)",
            Self::Epec => "contingência EPEC",
            Self::ContingenciaFsDa => "contingência FS-DA",
            Self::SvcAn => "contingência SVC-AN",
            Self::SvcRs => "contingência SVC-RS",
            Self::SvcSp => "contingência SVC-SP",
            Self::ContingenciaOffline => "contingência off-line da NFC-e",
        }
    }
}

impl fmt::Display for TipoEmissao {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.descricao())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_allowed_types() {
        let allowed = |m: Modelo| -> alloc::vec::Vec<u8> {
            (0..=9)
                .filter_map(TipoEmissao::from_code)
                .filter(|t| m.allows(*t))
                .map(TipoEmissao::code)
                .collect()
        };
        assert_eq!(allowed(Modelo::Nfe), [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(allowed(Modelo::Nfce), [1, 2, 3, 4, 5, 6, 7, 9]);
        assert_eq!(allowed(Modelo::Cte), [1, 3, 4, 5, 7, 8]);
        assert_eq!(allowed(Modelo::CteOs), [1, 5, 7, 8]);
        assert_eq!(allowed(Modelo::GtvE), [1, 2, 7, 8]);
        assert_eq!(allowed(Modelo::Mdfe), [1, 2, 3]);
        for m in [Modelo::Bpe, Modelo::Nf3e, Modelo::Nfcom] {
            assert_eq!(allowed(m), [1, 2]);
        }
    }

    #[test]
    fn codes_round_trip() {
        for code in 0..=99 {
            if let Some(m) = Modelo::from_code(code) {
                assert_eq!(m.code(), code);
            }
        }
        for code in 0..=9 {
            assert_eq!(TipoEmissao::from_code(code).unwrap().code(), code);
        }
    }
}
