//! Signature headers of any shape: verify never panics, and what it accepts is tied to the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::{KeyRing, SignatureError, Verifier, nfeio, sign, verify};

fuzz_target!(|input: (&str, &[u8], &str)| {
    let (header, body, secret) = input;
    let Ok(verifier) = Verifier::new(secret) else {
        // An empty secret verifies nothing, not even what the empty key signs.
        assert_eq!(verify(secret, body, &sign(secret, body)), Err(SignatureError::EmptySecret));
        assert!(KeyRing::new([secret]).is_err());
        return;
    };
    if verifier.verify(body, header).is_ok() {
        // Acceptance is tied to this body: the same header never passes for another one.
        let mut other = body.to_vec();
        other.push(b'x');
        assert!(verifier.verify(&other, header).is_err(), "header accepted for two bodies");
    }
    let _ = KeyRing::new([secret, "whsec_other"]).unwrap().verify(body, header);
    let _ = nfeio::verify(secret, body, header);
    // A signature we make always verifies.
    assert!(verifier.verify(body, &sign(secret, body)).is_ok());
    assert!(nfeio::verify(secret, body, &nfeio::sign(secret, body)).is_ok());
});
