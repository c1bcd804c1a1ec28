//! Properties of signing and verification over arbitrary bodies and secrets.

use nfehook_core::{SignatureError, Verifier, sign, verify};
use proptest::prelude::*;
use std::fmt::Write as _;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn verify_accepts_what_sign_produces(secret in prop::collection::vec(any::<u8>(), 1..200), body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let header = sign(&secret, &body);
        prop_assert_eq!(verify(&secret, &body, &header), Ok(()));
        prop_assert_eq!(Verifier::new(&secret).unwrap().verify(&body, &header), Ok(()));
    }

    #[test]
    fn any_bit_flip_of_the_body_fails(secret in "[ -~]{1,64}", body in prop::collection::vec(any::<u8>(), 1..512), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let header = sign(&secret, &body);
        let mut tampered = body.clone();
        tampered[index.index(body.len())] ^= 1 << bit;
        prop_assert_eq!(verify(&secret, &tampered, &header), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_bit_flip_of_the_secret_fails(secret in prop::collection::vec(any::<u8>(), 1..100), body in prop::collection::vec(any::<u8>(), 0..512), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let header = sign(&secret, &body);
        let mut other = secret.clone();
        other[index.index(secret.len())] ^= 1 << bit;
        // HMAC pads keys shorter than a block with zeros, so a flip that only appends is impossible
        // here: lengths are equal and the bytes differ.
        prop_assert_eq!(verify(&other, &body, &header), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_bit_flip_of_the_mac_fails(secret in "[ -~]{1,64}", body in prop::collection::vec(any::<u8>(), 0..512), nibble in 0usize..64, bit in 0u8..4) {
        let header = sign(&secret, &body);
        let mut hex: Vec<u8> = header.into_bytes();
        let position = 7 + nibble;
        let value = u8::from_str_radix(std::str::from_utf8(&hex[position..=position]).unwrap(), 16).unwrap() ^ (1 << bit);
        hex[position] = b"0123456789abcdef"[usize::from(value)];
        let tampered = String::from_utf8(hex).unwrap();
        prop_assert_eq!(verify(&secret, &body, &tampered), Err(SignatureError::Mismatch));
    }

    #[test]
    fn arbitrary_headers_never_panic(header in any::<String>(), body in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = verify(b"k", &body, &header);
        let _ = nfehook_core::nfeio::verify(b"k", &body, &header);
    }

    #[test]
    fn arbitrary_chave_input_never_panics(input in any::<String>()) {
        if let Ok(chave) = nfehook_core::ChaveAcesso::parse(&input) {
            prop_assert_eq!(nfehook_core::ChaveAcesso::parse(chave.as_str()), Ok(chave));
            let _ = chave.emitente();
        }
    }
}

/// A JSON value of the kinds delivery fields meet: strings plain, escaped, non-ASCII or with a
/// lone surrogate, numbers good and bad, timestamps, literals, and small arrays and objects.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        r#""k""#,
        r#""""#,
        r#""processada""#,
        r#""nfe.erro""#,
        r#""nfe.consulta.erro""#,
        r#""ação 𝄞""#,
        r#""a\"b\\c\/\n\u00e3""#,
        r#""\ud800""#,
        r#""\x""#,
        r#""1500.00""#,
        "1500.00",
        "12.50",
        "404",
        "-0",
        "1e400",
        "01",
        "1.",
        "true",
        "false",
        "null",
        "nul",
        r#""2024-03-10T16:45:30Z""#,
        r#""2024-03-10T13:45:30-03:00""#,
        r#""2024-02-30T00:00:00Z""#,
        r#""2024-03-10T16:45:60Z""#,
        r#""2024-03-10T16:45:30.5Z""#,
    ])
    .prop_map(str::to_owned);
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((field_name(), inner), 0..6).prop_map(|fields| {
                let members: Vec<String> =
                    fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// The names both dialects use, at any level, and a few unknown or escaped ones.
fn field_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "id",
        "event",
        "evento",
        "timestamp",
        "data",
        "dados",
        "nfeChave",
        "status",
        "emitente",
        "cnpj",
        "razaoSocial",
        "valor",
        "dataEmissao",
        "chave_nfe",
        "tipo_consulta",
        "erro_codigo",
        "erro_mensagem",
        "arquivo_id",
        "url_download",
        "novo",
        r"st\u0061tus",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The in-place reader never reads a body otherwise than the owned one: the same event, or
    /// nothing (the owned reader then refuses it or reads a form left to it).
    #[test]
    fn the_in_place_reader_agrees_with_the_owned_one(
        fields in prop::collection::vec((field_name(), json_value()), 0..8),
        space in prop::sample::select(vec!["", " ", "\n  "]),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let members: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{space}{v}")).collect();
        let mut body = format!("{{{space}{}}}", members.join(&format!(",{space}")));
        if truncate {
            let mut at = cut.index(body.len() + 1);
            while !body.is_char_boundary(at) {
                at -= 1;
            }
            body.truncate(at);
        }
        let owned = nfehook_core::Event::from_json(body.as_bytes());
        let in_place = nfehook_core::event_ref::EventRef::from_json(body.as_bytes());
        if let Some(event) = in_place {
            prop_assert_eq!(Ok(event.to_event()), owned, "{}", body);
        }
    }

    /// Well-formed deliveries of either dialect, with any unknown fields, are read in place.
    #[test]
    fn common_deliveries_are_read_in_place(
        extra in prop::collection::vec(
            json_value().prop_filter("JSON", |v| serde_json::from_str::<serde_json::Value>(v).is_ok()),
            0..4,
        ),
        account in any::<bool>(),
        valor in prop::sample::select(vec!["1500.00", "\"10.5\"", "null", "0"]),
    ) {
        let extra = extra.iter().enumerate().fold(String::new(), |mut all, (i, v)| {
            let _ = write!(all, "\"novo{i}\":{v},");
            all
        });
        let body = if account {
            format!(r#"{{{extra}"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{{{extra}"chave_nfe":"k","erro_codigo":404}}}}"#)
        } else {
            format!(r#"{{{extra}"id":"d","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{{{extra}"nfeChave":"k","status":"erro","valor":{valor}}}}}"#)
        };
        let owned = nfehook_core::Event::from_json(body.as_bytes());
        prop_assert!(owned.is_ok(), "{}", body);
        let event = nfehook_core::event_ref::EventRef::from_json(body.as_bytes());
        prop_assert_eq!(event.map(|event| event.to_event()), owned.ok(), "{}", body);
    }
}
