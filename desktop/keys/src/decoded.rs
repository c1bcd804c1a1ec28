//! What a key says, and what is wrong with one, as plain serialisable data for a UI.

use nfehook_core::{ChaveAcesso, ChaveError};
use serde::Serialize;

/// The fields of a valid access key, decoded for display.
///
/// ```
/// use nfehook_core::ChaveAcesso;
/// let chave = ChaveAcesso::parse("52060433009911002506550120000007800267301615").unwrap();
/// let info = nfehook_keys::ChaveInfo::from(chave);
/// assert_eq!(info.uf, "GO");
/// assert_eq!(info.emitente, "33.009.911/0025-06");
/// assert_eq!((info.ano, info.mes, info.serie, info.numero), (2006, 4, 12, 780));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChaveInfo {
    /// The 44 characters, normalised.
    pub chave: String,
    /// Eleven groups of four, as printed on a DANFE.
    pub grouped: String,
    /// State abbreviation (`SP`).
    pub uf: &'static str,
    /// IBGE code of the state (35).
    pub uf_code: u8,
    /// State name.
    pub uf_nome: &'static str,
    /// Year of issue (2017).
    pub ano: u16,
    /// Month of issue, 1–12.
    pub mes: u8,
    /// Issuer document, formatted (`12.345.678/0001-95` or `123.456.789-09`).
    pub emitente: String,
    /// `CNPJ` or `CPF`.
    pub emitente_kind: &'static str,
    /// Model code (55, 65, …).
    pub modelo: u8,
    /// Model name (`NF-e`).
    pub modelo_nome: &'static str,
    /// Series.
    pub serie: u16,
    /// Document number.
    pub numero: u32,
    /// Emission type code (1 normal, …).
    pub tipo_emissao: u8,
    /// Emission type description.
    pub tipo_emissao_descricao: &'static str,
}

impl From<ChaveAcesso> for ChaveInfo {
    fn from(chave: ChaveAcesso) -> Self {
        let emitente = chave.emitente();
        let uf = chave.uf();
        let modelo = chave.modelo();
        let tipo = chave.tipo_emissao();
        Self {
            chave: chave.as_str().to_owned(),
            grouped: chave.grouped(),
            uf: uf.sigla(),
            uf_code: uf.code(),
            uf_nome: uf.nome(),
            ano: chave.ano(),
            mes: chave.mes(),
            emitente: emitente.formatted(),
            emitente_kind: emitente.kind().as_str(),
            modelo: modelo.code(),
            modelo_nome: modelo.nome(),
            serie: chave.serie(),
            numero: chave.numero(),
            tipo_emissao: tipo.code(),
            tipo_emissao_descricao: tipo.descricao(),
        }
    }
}

/// The live verdict on one typed or pasted key.
///
/// ```
/// use nfehook_keys::{validate, Validation};
/// assert!(matches!(validate("5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615"), Validation::Valid(_)));
/// assert!(matches!(validate("  "), Validation::Empty));
/// match validate("35170608530528000184550000000154301000771561") {
///     Validation::Invalid(problem) => assert_eq!(problem.code(), "check_digit"),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "camelCase")]
pub enum Validation {
    /// Nothing typed yet.
    Empty,
    /// A valid key and its fields.
    Valid(ChaveInfo),
    /// Not a valid key, and why, in the core's machine form (`code`, `message`, `position`,
    /// `expected`, `found`, `length`, … as the npm package gives them).
    Invalid(ChaveError),
}

/// Validates a key as the user types or pastes it (spaces, dots, dashes, the DANFE's grouped
/// form and an `NFe` prefix accepted).
#[must_use]
pub fn validate(input: &str) -> Validation {
    if input.trim().is_empty() {
        return Validation::Empty;
    }
    match ChaveAcesso::parse(input) {
        Ok(chave) => Validation::Valid(chave.into()),
        Err(error) => Validation::Invalid(error),
    }
}
