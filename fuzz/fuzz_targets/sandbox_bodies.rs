//! The sandbox's request bodies (deserialisation and validation) on any bytes. The first
//! byte picks the endpoint, the rest is the body (or the path segment):
//! 0 create subscription, 1 update subscription, 2 add NF-e key, 3 NF-e key path segment,
//! 4 trigger event. Whatever is accepted satisfies the API's rules; whatever is refused is a
//! 400 with a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::{ChaveAcesso, EventKind};
use nfehook_sandbox::TriggerRequest;
use nfehook_sandbox::fuzzing::{
    Rejection, add_chave, chave_segment, create_subscription, trigger_event, update_subscription,
};

const FIELDS: [&str; 5] = ["name", "url", "events", "isActive", "secret"];

fn refused(rejection: &Rejection) {
    assert_eq!(rejection.status, 400, "{rejection:?}");
    assert!(!rejection.message.is_empty());
    for (field, problems) in &rejection.fields {
        assert!(
            FIELDS.contains(&field.as_str()) || field == "nfeChave",
            "{field}"
        );
        assert!(!problems.is_empty() && problems.iter().all(|p| !p.is_empty()));
    }
}

fn normalised_key(key: &str) {
    assert_eq!(key.len(), 44);
    // Digits, and uppercase letters where an alphanumeric CNPJ issued the NF-e.
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    );
    assert_eq!(
        ChaveAcesso::parse(key)
            .map(|k| k.as_str().to_owned())
            .as_deref(),
        Ok(key)
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 5 {
        0 => match create_subscription(body) {
            Ok(new) => {
                assert!(new.validate().is_ok(), "{new:?}");
                assert_eq!(new.name, new.name.trim());
                assert_eq!(new.url, new.url.trim());
                assert!(
                    new.events
                        .iter()
                        .all(|e| !matches!(e, EventKind::Unknown(_)))
                );
            }
            Err(rejection) => refused(&rejection),
        },
        1 => match update_subscription(body) {
            Ok(patch) => assert!(patch.validate().is_ok(), "{patch:?}"),
            Err(rejection) => refused(&rejection),
        },
        2 => match add_chave(body) {
            Ok(key) => normalised_key(&key),
            Err(rejection) => refused(&rejection),
        },
        3 => {
            if let Ok(segment) = std::str::from_utf8(body) {
                match chave_segment(segment) {
                    Ok(key) => normalised_key(&key),
                    Err(rejection) => refused(&rejection),
                }
            }
        }
        _ => match trigger_event(body) {
            Ok(request) => {
                // What was accepted reads back the same after a round trip.
                let json = serde_json::to_string(&request).expect("serialises");
                let again: TriggerRequest = serde_json::from_str(&json).expect("reads back");
                assert_eq!(again, request);
            }
            Err(rejection) => refused(&rejection),
        },
    }
});
