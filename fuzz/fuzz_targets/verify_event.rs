//! Delivery bodies of any bytes, correctly signed so the JSON and replay-window paths are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::{Verifier, WebhookEvent, sign, verify_event};

fuzz_target!(|input: (&[u8], i64, u64)| {
    let (body, now, tolerance) = input;
    let secret = "whsec_fuzz";
    let header = sign(secret, body);
    match verify_event(&Verifier::new(secret), body, &header, now, tolerance) {
        Ok(event) => {
            // What was accepted serialises and reads back to the same event.
            let json = event.to_json();
            assert_eq!(WebhookEvent::from_json(json.as_bytes()).as_ref(), Ok(&event));
        }
        Err(error) => {
            assert!(!error.code().is_empty());
            let _ = error.to_string();
        }
    }
});
