//! The shared vectors of `tests/vectors/` (also read by the npm package's tests).

use std::path::PathBuf;

use nfehook_core::{
    ChaveAcesso, Cnpj, Cpf, DocumentKind, Documento, EventData, EventKind, KeyRing, Verifier,
    YearMonth, nfeio, verify_event,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn bytes(case: &Value, field: &str) -> Vec<u8> {
    if let Some(hex) = case[format!("{field}_hex")].as_str() {
        base16ct::lower::decode_vec(hex).unwrap()
    } else {
        case[field].as_str().unwrap().as_bytes().to_vec()
    }
}

fn outcome<E: Copy>(result: Result<(), E>, code: impl Fn(E) -> &'static str) -> &'static str {
    result.map_or_else(code, |()| "ok")
}

#[test]
fn signature_vectors() {
    let vectors = load("signatures.json");
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() > 90);
    for case in cases {
        let (secret, body) = (bytes(case, "secret"), bytes(case, "body"));
        let header = case["header"].as_str().unwrap();
        let expected = case["expected"].as_str().unwrap();
        let name = case["name"].as_str().unwrap();
        let plain = outcome(nfehook_core::verify(&secret, &body, header), |e| e.code());
        let keyed = outcome(Verifier::new(&secret).unwrap().verify(&body, header), |e| {
            e.code()
        });
        let ring = outcome(
            KeyRing::new([&b"whsec_unrelated"[..], &secret])
                .unwrap()
                .verify(&body, header),
            |e| e.code(),
        );
        assert_eq!(
            (plain, keyed, ring),
            (expected, expected, expected),
            "{name}"
        );
        if expected == "ok"
            && header.starts_with("sha256=")
            && header[7..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            assert_eq!(nfehook_core::sign(&secret, &body), header, "{name}: sign");
        }
    }
}

#[test]
fn nfeio_vectors() {
    for case in load("nfeio.json")["cases"].as_array().unwrap() {
        let (secret, body) = (bytes(case, "secret"), bytes(case, "body"));
        let header = case["header"].as_str().unwrap();
        let got = outcome(nfeio::verify(&secret, &body, header), |e| e.code());
        assert_eq!(got, case["expected"].as_str().unwrap(), "{}", case["name"]);
    }
}

#[test]
fn chave_vectors() {
    let vectors = load("chaves.json");
    for case in vectors["valid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let chave = ChaveAcesso::parse(case["input"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            chave.as_str(),
            case["normalized"].as_str().unwrap(),
            "{name}"
        );
        let check = |field: &str, got: Value| {
            if !case[field].is_null() {
                assert_eq!(got, case[field], "{name}: {field}");
            }
        };
        check("uf", chave.uf().sigla().into());
        check("ufCode", chave.uf().code().into());
        check("ano", chave.ano().into());
        check("mes", chave.mes().into());
        check("emitente", chave.emitente().as_str().into());
        check("emitenteKind", chave.emitente().kind().as_str().into());
        check("modelo", chave.modelo().code().into());
        check("serie", chave.serie().into());
        check("numero", chave.numero().into());
        check("tipoEmissao", chave.tipo_emissao().code().into());
        check("codigoNumerico", chave.codigo_numerico().into());
        check("digito", chave.digito_verificador().into());
        check("legacy", chave.is_legacy().into());
        assert_eq!(
            ChaveAcesso::parse(&chave.grouped()),
            Ok(chave),
            "{name}: grouped"
        );
    }
    for case in vectors["invalid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let err = ChaveAcesso::parse(case["input"].as_str().unwrap()).expect_err(name);
        if let Some(code) = case["error"].as_str() {
            assert_eq!(err.code(), code, "{name}: {err}");
        }
        if let Some(position) = case["position"].as_u64() {
            assert_eq!(err.position(), Some(position as usize), "{name}");
        }
        if let (Some(expected), Some(found)) = (case["expected"].as_u64(), case["found"].as_u64()) {
            assert_eq!(
                err,
                nfehook_core::ChaveError::CheckDigit {
                    expected: expected as u8,
                    found: found as u8
                },
                "{name}"
            );
        }
        if let Some(found) = case["foundLength"].as_u64() {
            assert_eq!(
                err,
                nfehook_core::ChaveError::Length {
                    found: found as usize
                },
                "{name}"
            );
        }
    }
}

#[test]
fn document_vectors() {
    let vectors = load("documents.json");
    let cnpj = &vectors["cnpj"];
    for case in cnpj["valid"].as_array().unwrap() {
        let parsed = Cnpj::parse(case["input"].as_str().unwrap()).unwrap();
        assert_eq!(parsed.formatted(), case["formatted"].as_str().unwrap());
    }
    for case in cnpj["invalid"].as_array().unwrap() {
        let err = Cnpj::parse(case["input"].as_str().unwrap()).expect_err("invalid CNPJ");
        assert_eq!(err.code(), case["error"].as_str().unwrap(), "{case}");
    }
    let cpf = &vectors["cpf"];
    for case in cpf["valid"].as_array().unwrap() {
        let parsed = Cpf::parse(case["input"].as_str().unwrap()).unwrap();
        assert_eq!(
            Documento::Cpf(parsed).formatted(),
            case["formatted"].as_str().unwrap()
        );
    }
    for case in cpf["invalid"].as_array().unwrap() {
        let err = Cpf::parse(case["input"].as_str().unwrap()).expect_err("invalid CPF");
        assert_eq!(err.code(), case["error"].as_str().unwrap(), "{case}");
    }
}

/// The account dialect's fields under the JavaScript event's (camelCase) names, absent ones left
/// out, as the vectors' `data` lists them.
fn account_data(data: &EventData) -> serde_json::Value {
    let EventData::Account(dados) = data else {
        panic!("`data` is given for account cases only")
    };
    let mut map = serde_json::Map::new();
    map.insert("nfeChave".into(), dados.chave_nfe.clone().into());
    for (key, value) in [
        ("status", &dados.status),
        ("tipoConsulta", &dados.tipo_consulta),
        ("erroCodigo", &dados.erro_codigo),
        ("erroMensagem", &dados.erro_mensagem),
        ("arquivoId", &dados.arquivo_id),
        ("urlDownload", &dados.url_download),
    ] {
        if let Some(value) = value {
            map.insert(key.into(), value.clone().into());
        }
    }
    map.into()
}

#[test]
fn event_vectors() {
    for case in load("events.json")["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let verifier = Verifier::new(case["secret"].as_str().unwrap()).unwrap();
        let result = verify_event(
            &verifier,
            case["body"].as_str().unwrap().as_bytes(),
            case["header"].as_str().unwrap(),
            case["now"].as_i64().unwrap(),
            case["tolerance"].as_u64().unwrap(),
        );
        let expected = case["expected"].as_str().unwrap();
        match result {
            Ok(event) => {
                assert_eq!(expected, "ok", "{name}");
                for (field, got) in [
                    ("event", event.event.as_str().to_owned()),
                    ("id", event.id.clone()),
                    ("dialect", event.dialect().as_str().to_owned()),
                    ("nfeChave", event.data.nfe_chave().to_owned()),
                    ("status", event.data.status().unwrap_or_default().to_owned()),
                    (
                        "valor",
                        event
                            .data
                            .valor()
                            .map(|v| v.as_str().to_owned())
                            .unwrap_or_default(),
                    ),
                ] {
                    if let Some(want) = case[field].as_str() {
                        assert_eq!(got, want, "{name}: {field}");
                    }
                }
                if !case["data"].is_null() {
                    assert_eq!(account_data(&event.data), case["data"], "{name}: data");
                }
            }
            Err(err) => assert_eq!(err.code(), expected, "{name}: {err}"),
        }
    }
}

/// The machine form of errors and the event names, which the npm package's suite checks
/// against the same file.
#[test]
fn machine_form_vectors() {
    let vectors = load("machine.json");
    let names: Vec<&str> = EventKind::KNOWN.iter().map(EventKind::as_str).collect();
    assert_eq!(serde_json::to_value(names).unwrap(), vectors["eventNames"]);
    for case in vectors["chaves"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let error = match case["today"].as_str() {
            Some(today) => {
                let (year, month) = today.split_once('-').unwrap();
                let today = YearMonth {
                    year: year.parse().unwrap(),
                    month: month.parse().unwrap(),
                };
                ChaveAcesso::parse_strict(input, today).unwrap_err()
            }
            None => ChaveAcesso::parse(input).unwrap_err(),
        };
        assert_eq!(
            serde_json::to_value(error).unwrap(),
            case["error"],
            "{}",
            case["name"]
        );
    }
    for case in vectors["documents"].as_array().unwrap() {
        let kind = DocumentKind::from_name(case["kind"].as_str().unwrap()).unwrap();
        let error = kind.parse(case["input"].as_str().unwrap()).unwrap_err();
        assert_eq!(
            serde_json::to_value(error).unwrap(),
            case["error"],
            "{}",
            case["name"]
        );
    }
}
