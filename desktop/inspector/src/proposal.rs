//! The NF-e key a test event proposes: one that looks like a key issued this month, so a
//! receiver that checks the key's month (or its check digit) takes it as real. The core has no
//! clock, so the caller passes today's year and month.

use nfehook_core::ChaveAcesso;

/// CNPJ of the proposed issuer (valid check digits).
pub const PROPOSED_CNPJ: &str = "11222333000181";

/// A valid NF-e key of `year`-`month`: São Paulo (35), the issuer [`PROPOSED_CNPJ`], modelo 55
/// (NF-e), series 1, number 1, normal emission (1), a cNF made from the month and year (so the
/// same month always proposes the same key), its check digit computed; `None` for a month
/// outside 1–12 or a year outside 2000–2099 (the key holds two digits of it).
///
/// The key passes [`ChaveAcesso::parse_strict`] in its own month: the tax authority refuses a
/// cNF that is a trivial sequence or equals nNF, and a receiver may apply the same rules.
///
/// ```
/// let chave = nfehook_inspector::propose_chave(2026, 12).unwrap();
/// assert_eq!(chave.as_str(), "35261211222333000181550010000000011122673912");
/// assert_eq!((chave.ano(), chave.mes()), (2026, 12));
/// assert!(nfehook_inspector::propose_chave(2026, 13).is_none());
/// ```
#[must_use]
pub fn propose_chave(year: u16, month: u8) -> Option<ChaveAcesso> {
    if !(2000..=2099).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    let yy = year % 100;
    // cNF: month and year, then fixed digits that keep it from being a run, an ascending
    // sequence or nNF (000000001), which the strict rules refuse.
    let cnf = format!("{month:02}{yy:02}7391");
    // uf, aamm, cnpj, modelo, serie (3), numero (9), tpEmis, cNF (8).
    let first_43 = format!("35{yy:02}{month:02}{PROPOSED_CNPJ}550010000000011{cnf}");
    let digit = nfehook_core::chave::check_digit(first_43.as_bytes());
    ChaveAcesso::parse(&format!("{first_43}{digit}")).ok()
}

#[cfg(test)]
mod tests {
    use nfehook_core::{Documento, Modelo, TipoEmissao, Uf, YearMonth};

    use super::*;

    /// The modulo-11 check digit written out from the MOC's rule, independent of the core's.
    fn mod11(first_43: &str) -> u8 {
        let mut sum = 0u32;
        let mut weight = 2;
        for c in first_43.bytes().rev() {
            sum += u32::from(c - b'0') * weight;
            weight = if weight == 9 { 2 } else { weight + 1 };
        }
        let rest = sum % 11;
        u8::try_from(if rest < 2 { 0 } else { 11 - rest }).unwrap()
    }

    #[test]
    fn every_month_gives_a_valid_key_of_that_month_with_a_normal_emission() {
        for year in [2000, 2006, 2026, 2099] {
            for month in 1..=12 {
                let chave = propose_chave(year, month).unwrap();
                assert_eq!((chave.ano(), chave.mes()), (year, month));
                assert_eq!(chave.uf(), Uf::Sp);
                assert_eq!(chave.modelo(), Modelo::Nfe);
                assert_eq!(chave.tipo_emissao(), TipoEmissao::Normal);
                assert!(
                    matches!(chave.emitente(), Documento::Cnpj(c) if c.as_str() == PROPOSED_CNPJ)
                );
                let text = chave.as_str();
                assert_eq!(
                    text[43..].parse::<u8>().unwrap(),
                    mod11(&text[..43]),
                    "{text}"
                );
                assert!(!chave.is_legacy(), "{text}");
                // The strict rules take no key before 2006-01, whatever its cNF.
                if year < 2006 {
                    continue;
                }
                let today = YearMonth { year, month };
                assert_eq!(
                    ChaveAcesso::parse_strict(text, today)
                        .as_ref()
                        .map(ChaveAcesso::as_str),
                    Ok(text),
                    "{text}"
                );
                assert_eq!(chave.numero(), 1, "{text}");
            }
        }
    }

    #[test]
    fn a_month_or_year_a_key_cannot_hold_is_refused() {
        assert!(propose_chave(2026, 0).is_none());
        assert!(propose_chave(2026, 13).is_none());
        assert!(propose_chave(1999, 5).is_none());
        assert!(propose_chave(2100, 5).is_none());
    }
}
