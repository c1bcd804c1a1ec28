//! Delivery bodies of any bytes, correctly signed so the JSON and replay-window paths are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::{Event, EventData, Verifier, WebhookEvent, sign, verify_event};

fuzz_target!(|input: (&[u8], i64, u64)| {
    let (body, now, tolerance) = input;
    let secret = "whsec_fuzz";
    let header = sign(secret, body);
    match verify_event(&Verifier::new(secret), body, &header, now, tolerance) {
        Ok(event) => {
            // Reading the same bytes again gives the same event, digest id included.
            assert_eq!(Event::from_json(body).as_ref(), Ok(&event));
            // A subscription event serialises as its body and reads back to the same event.
            if let EventData::Subscription(data) = &event.data {
                let json = WebhookEvent {
                    id: event.id.clone(),
                    event: event.event.clone(),
                    timestamp: event.timestamp,
                    data: data.clone(),
                }
                .to_json();
                assert_eq!(Event::from_json(json.as_bytes()).as_ref(), Ok(&event));
            }
        }
        Err(error) => {
            assert!(!error.code().is_empty());
            let _ = error.to_string();
        }
    }
});
