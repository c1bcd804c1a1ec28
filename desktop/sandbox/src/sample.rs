//! Realistic sample data for triggered events when the caller leaves fields out.

use nfehook_core::{ChaveAcesso, Documento, Emitente, Timestamp, Valor};

/// CNPJ of the sample issuer (valid check digits).
pub(crate) const SAMPLE_CNPJ: &str = "11222333000181";
/// Name of the sample issuer.
pub(crate) const SAMPLE_RAZAO_SOCIAL: &str = "Empresa Exemplo LTDA";
/// Amount of the sample NF-e, in BRL.
pub(crate) const SAMPLE_VALOR: &str = "1500.00";
/// Status of a successful sample NF-e query.
pub(crate) const CONSULTA_STATUS: &str = "autorizada";
/// Kind of the sample NF-e query.
pub(crate) const TIPO_CONSULTA: &str = "completa";
/// Error code of a failed sample query (a string, as published).
pub(crate) const ERRO_CODIGO: &str = "404";
/// Error message of a failed sample query.
pub(crate) const ERRO_MENSAGEM: &str = "NF-e não encontrada na base da SEFAZ";
/// How long before the event the sample NF-e was issued, in seconds.
const ISSUED_BEFORE_EVENT_SECS: i64 = 75 * 60;

fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the operating system random source is unavailable");
    u32::from_le_bytes(bytes)
}

/// A valid NF-e key (model 55, São Paulo, normal issue) for the sample issuer, issued in
/// the month of `now`, with a random number and random code.
pub(crate) fn chave(now: Timestamp) -> ChaveAcesso {
    let date = now.to_string();
    let (yy, mm) = (&date[2..4], &date[5..7]);
    let numero = random_u32() % 999_999_999 + 1;
    let codigo = random_u32() % 100_000_000;
    let first_43 = format!("35{yy}{mm}{SAMPLE_CNPJ}55001{numero:09}1{codigo:08}");
    let digit = nfehook_core::chave::check_digit(first_43.as_bytes());
    ChaveAcesso::parse(&format!("{first_43}{digit}"))
        .expect("a key built with its own check digit is valid")
}

/// The issuer of `chave` when it is a CNPJ, else the sample issuer.
pub(crate) fn emitente(chave: &ChaveAcesso) -> Emitente {
    let cnpj = match chave.emitente() {
        Documento::Cnpj(cnpj) => cnpj.as_str().to_owned(),
        Documento::Cpf(_) => SAMPLE_CNPJ.to_owned(),
    };
    Emitente {
        cnpj,
        razao_social: SAMPLE_RAZAO_SOCIAL.to_owned(),
    }
}

/// The sample amount.
pub(crate) fn valor() -> Valor {
    Valor::parse(SAMPLE_VALOR).expect("the sample amount is a valid decimal")
}

/// Where GuardaNFe would serve the stored file `arquivo_id`.
pub(crate) fn url_download(arquivo_id: &str) -> String {
    format!("https://api.validanfe.com/GuardaNFe/Download/{arquivo_id}")
}

/// The sample issue time for an event produced at `now`.
pub(crate) fn data_emissao(now: Timestamp) -> Timestamp {
    Timestamp::from_unix(now.unix_seconds() - ISSUED_BEFORE_EVENT_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_keys_are_valid_random_and_of_the_current_month() {
        let now = Timestamp::from_unix(1_773_000_000); // 2026-03-08
        let a = chave(now);
        let b = chave(now);
        assert_ne!(a, b);
        assert_eq!((a.ano(), a.mes()), (2026, 3));
        assert!(a.is_nfe());
        assert_eq!(emitente(&a).cnpj, SAMPLE_CNPJ);
        assert!(data_emissao(now) < now);
        assert_eq!(valor().as_str(), "1500.00");
    }
}
