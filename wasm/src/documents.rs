//! NF-e access keys (chave de acesso), CNPJ and CPF for JavaScript: each answer is JSON,
//! `{"chave": {...}}` / `{"document": {...}}` or `{"error": {"code", "message", ...}}`.
//!
//! These are not on a hot path, so they take strings through wasm-bindgen's own glue. Errors are
//! the core's own machine form (`Serialize` of `ChaveError` and `InvalidDocument`), so the
//! package shows exactly what the desktop and the command line show.

use nfehook_core::{ChaveAcesso, DocumentKind, Documento, FaixaSerie, InvalidDocument};
use serde_json::{Value, json};
use wasm_bindgen::prelude::wasm_bindgen;

/// Decodes an access key leniently (separators, `NFe` prefix, lowercase letters) into JSON
/// with every field, or the error with its `code`, `position` and `expected`/`found`.
///
/// ```
/// let ok: serde_json::Value =
///     serde_json::from_str(&nfehook_wasm::documents::parse_chave("52060433009911002506550120000007800267301615")).unwrap();
/// assert_eq!(ok["chave"]["uf"]["sigla"], "GO");
/// let bad: serde_json::Value =
///     serde_json::from_str(&nfehook_wasm::documents::parse_chave("35170608530528000184550000000154301000771561")).unwrap();
/// assert_eq!(bad["error"]["code"], "check_digit");
/// assert_eq!(bad["error"]["expected"], 9);
/// assert_eq!(bad["error"]["found"], "1");
/// ```
#[wasm_bindgen(js_name = parseChave)]
#[must_use]
pub fn parse_chave(input: &str) -> String {
    match ChaveAcesso::parse(input) {
        Ok(chave) => json!({ "chave": chave_json(&chave) }),
        Err(error) => json!({ "error": error }),
    }
    .to_string()
}

/// Parses an access key under the tax authority's issue-time rules (exactly 44 characters, AAMM
/// from 2006-01 to `year`-`month`, …) into the same JSON as [`parse_chave`].
///
/// ```
/// let ok: serde_json::Value = serde_json::from_str(&nfehook_wasm::documents::parse_chave_strict(
///     "52060433009911002506550120000007800267301615", 2026, 11)).unwrap();
/// assert_eq!(ok["chave"]["ano"], 2006);
/// let grouped: serde_json::Value = serde_json::from_str(&nfehook_wasm::documents::parse_chave_strict(
///     "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615", 2026, 11)).unwrap();
/// assert_eq!(grouped["error"]["code"], "length");
/// ```
#[wasm_bindgen(js_name = parseChaveStrict)]
#[must_use]
pub fn parse_chave_strict(input: &str, year: u16, month: u8) -> String {
    match ChaveAcesso::parse_strict(input, nfehook_core::YearMonth { year, month }) {
        Ok(chave) => json!({ "chave": chave_json(&chave) }),
        Err(error) => json!({ "error": error }),
    }
    .to_string()
}

/// Whether `input` is a valid access key (lenient parsing).
///
/// ```
/// assert!(nfehook_wasm::documents::is_valid_chave("NFe52060433009911002506550120000007800267301615"));
/// assert!(!nfehook_wasm::documents::is_valid_chave("35170608530528000184550000000154301000771561"));
/// ```
#[wasm_bindgen(js_name = isValidChave)]
#[must_use]
pub fn is_valid_chave(input: &str) -> bool {
    ChaveAcesso::parse(input).is_ok()
}

/// Parses a `"cnpj"` or `"cpf"` (formatted or not) into JSON: its bare value and formatted
/// form, or the error.
///
/// ```
/// let ok: serde_json::Value =
///     serde_json::from_str(&nfehook_wasm::documents::parse_document("cnpj", "12ABC34501DE35")).unwrap();
/// assert_eq!(ok["document"]["formatted"], "12.ABC.345/01DE-35");
/// let bad: serde_json::Value =
///     serde_json::from_str(&nfehook_wasm::documents::parse_document("cpf", "123")).unwrap();
/// assert_eq!(bad["error"]["code"], "length");
/// ```
#[wasm_bindgen(js_name = parseDocument)]
#[must_use]
pub fn parse_document(kind: &str, input: &str) -> String {
    match document(kind, input) {
        Ok(document) => json!({ "document": document_json(&document) }),
        Err(error) => json!({ "error": error }),
    }
    .to_string()
}

/// Whether `input` is a valid `"cnpj"` or `"cpf"`.
///
/// ```
/// assert!(nfehook_wasm::documents::is_valid_document("cnpj", "08.530.528/0001-84"));
/// assert!(!nfehook_wasm::documents::is_valid_document("cpf", "111.111.111-11"));
/// ```
#[wasm_bindgen(js_name = isValidDocument)]
#[must_use]
pub fn is_valid_document(kind: &str, input: &str) -> bool {
    document(kind, input).is_ok()
}

fn document(kind: &str, input: &str) -> Result<Documento, InvalidDocument> {
    DocumentKind::from_name(kind)
        .unwrap_or(DocumentKind::Cnpj)
        .parse(input)
}

fn document_json(document: &Documento) -> Value {
    json!({
        "kind": document.kind(),
        "value": document.as_str(),
        "formatted": document.formatted(),
    })
}

fn chave_json(chave: &ChaveAcesso) -> Value {
    let uf = chave.uf();
    let modelo = chave.modelo();
    let tipo = chave.tipo_emissao();
    json!({
        "chave": chave.as_str(),
        "grouped": chave.grouped(),
        "uf": { "code": uf.code(), "sigla": uf.sigla(), "nome": uf.nome() },
        "ano": chave.ano(),
        "mes": chave.mes(),
        "emitente": document_json(&chave.emitente()),
        "modelo": { "code": modelo.code(), "nome": modelo.nome() },
        "serie": chave.serie(),
        "faixaSerie": faixa_name(chave.faixa_serie()),
        "numero": chave.numero(),
        "tipoEmissao": { "code": tipo.code(), "descricao": tipo.descricao() },
        "siteAutoriz": chave.site_autoriz(),
        "codigoNumerico": chave.codigo_numerico(),
        "digitoVerificador": chave.digito_verificador(),
        "isNfe": chave.is_nfe(),
        "isLegacy": chave.is_legacy(),
    })
}

fn faixa_name(faixa: FaixaSerie) -> &'static str {
    match faixa {
        FaixaSerie::EmitenteCnpj => "emitente_cnpj",
        FaixaSerie::Avulsa => "avulsa",
        FaixaSerie::SiteFisco => "site_fisco",
        FaixaSerie::EmitenteCpf => "emitente_cpf",
        FaixaSerie::Reservada => "reservada",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn decodes_every_field_of_the_manuals_example() {
        let value = parse(&parse_chave(
            "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615",
        ));
        let chave = &value["chave"];
        assert_eq!(
            chave["chave"],
            "52060433009911002506550120000007800267301615"
        );
        assert_eq!(chave["uf"]["code"], 52);
        assert_eq!(chave["ano"], 2006);
        assert_eq!(chave["mes"], 4);
        assert_eq!(chave["emitente"]["kind"], "CNPJ");
        assert_eq!(chave["modelo"]["code"], 55);
        assert_eq!(chave["serie"], 12);
        assert_eq!(chave["numero"], 780);
        assert_eq!(chave["digitoVerificador"], 5);
        assert_eq!(chave["isNfe"], true);
        assert_eq!(chave["isLegacy"], true);
        assert_eq!(chave["siteAutoriz"], Value::Null);
    }

    #[test]
    fn errors_carry_code_position_and_values() {
        let value = parse(&parse_chave("123"));
        assert_eq!(value["error"]["code"], "length");
        assert_eq!(value["error"]["length"], 3);
        assert_eq!(value["error"]["expected"], 44);
        assert!(value["error"].get("position").is_none());

        let value = parse(&parse_chave("35170608530528000184550000000154302000771562"));
        assert_eq!(value["error"]["position"], 44);
        assert_eq!(value["error"]["expected"], 7);
        assert_eq!(value["error"]["found"], "2");
    }

    #[test]
    fn documents_parse_format_and_fail() {
        let value = parse(&parse_document("cpf", "52998224725"));
        assert_eq!(value["document"]["formatted"], "529.982.247-25");
        let value = parse(&parse_document("cnpj", "08530528000185"));
        assert_eq!(value["error"]["code"], "check_digit");
        assert_eq!(value["error"]["digit"], 2);
        assert_eq!(value["error"]["kind"], "CNPJ");
        assert!(
            value["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("CNPJ ")
        );
    }
}
