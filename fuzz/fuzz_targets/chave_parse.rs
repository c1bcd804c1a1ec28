//! Access keys of any shape: parse never panics, and what it accepts round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::{ChaveAcesso, YearMonth};

fuzz_target!(|input: &str| {
    if let Ok(chave) = ChaveAcesso::parse(input) {
        assert_eq!(ChaveAcesso::parse(chave.as_str()), Ok(chave));
        assert_eq!(ChaveAcesso::parse(&chave.grouped()), Ok(chave));
        assert_eq!(chave.as_str().len(), 44);
        let _ = (chave.emitente().formatted(), chave.codigo_numerico(), chave.site_autoriz());
    } else if let Err(error) = ChaveAcesso::parse(input) {
        let _ = (error.to_string(), error.position());
    }
    let today = YearMonth { year: 2026, month: 11 };
    if let Ok(strict) = ChaveAcesso::parse_strict(input, today) {
        assert_eq!(ChaveAcesso::parse(input), Ok(strict));
    }
});
