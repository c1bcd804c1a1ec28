//! CNPJ and CPF of any shape: parse never panics; accepted documents format and re-parse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::{Cnpj, Cpf};

fuzz_target!(|input: &str| {
    if let Ok(cnpj) = Cnpj::parse(input) {
        assert_eq!(Cnpj::parse(&cnpj.formatted()), Ok(cnpj));
        assert_eq!(Cnpj::check_digits(&cnpj.as_str()[..12]).map(|d| d.len()), Ok(2));
    }
    if let Ok(cpf) = Cpf::parse(input) {
        assert_eq!(Cpf::parse(&cpf.formatted()), Ok(cpf));
    }
    let _ = Cnpj::check_digits(input);
    let _ = Cpf::check_digits(input);
});
