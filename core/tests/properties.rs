//! Properties of signing and verification over arbitrary bodies and secrets.

use nfehook_core::{SignatureError, Verifier, sign, verify};
use proptest::prelude::*;

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
