//! Brazilian states by IBGE code, as the first two digits of an access key.

use core::fmt;

macro_rules! ufs {
    ($($variant:ident = $code:literal, $sigla:literal, $nome:literal;)*) => {
        /// A federative unit (state or Federal District), by IBGE code.
        ///
        /// ```
        /// use nfehook_core::Uf;
        /// let sp = Uf::from_code(35).unwrap();
        /// assert_eq!(sp, Uf::Sp);
        /// assert_eq!((sp.code(), sp.sigla(), sp.nome()), (35, "SP", "São Paulo"));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Uf {
            $(
                #[doc = $nome]
                $variant = $code,
            )*
        }

        impl Uf {
            /// Every UF, by IBGE code.
            ///
            /// ```
            /// assert_eq!(nfehook_core::Uf::ALL.len(), 27);
            /// ```
            pub const ALL: [Uf; 27] = [$(Uf::$variant),*];

            /// The UF of an IBGE code; `None` for codes that are no state (90–92 included).
            ///
            /// ```
            /// assert_eq!(nfehook_core::Uf::from_code(53), Some(nfehook_core::Uf::Df));
            /// assert_eq!(nfehook_core::Uf::from_code(91), None);
            /// ```
            #[must_use]
            pub const fn from_code(code: u8) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)*
                    _ => None,
                }
            }

            /// The UF of a two-letter abbreviation, any case.
            ///
            /// ```
            /// assert_eq!(nfehook_core::Uf::from_sigla("rj"), Some(nfehook_core::Uf::Rj));
            /// ```
            #[must_use]
            pub fn from_sigla(sigla: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|uf| uf.sigla().eq_ignore_ascii_case(sigla))
            }

            /// The two-letter abbreviation (`"SP"`).
            ///
            /// ```
            /// assert_eq!(nfehook_core::Uf::Go.sigla(), "GO");
            /// ```
            #[must_use]
            pub const fn sigla(self) -> &'static str {
                match self {
                    $(Self::$variant => $sigla,)*
                }
            }

            /// The state's name (`"São Paulo"`).
            ///
            /// ```
            /// assert_eq!(nfehook_core::Uf::Pa.nome(), "Pará");
            /// ```
            #[must_use]
            pub const fn nome(self) -> &'static str {
                match self {
                    $(Self::$variant => $nome,)*
                }
            }
        }
    };
}

ufs! {
    Ro = 11, "RO", "Rondônia";
    Ac = 12, "AC", "Acre";
    Am = 13, "AM", "Amazonas";
    Rr = 14, "RR", "Roraima";
    Pa = 15, "PA", "Pará";
    Ap = 16, "AP", "Amapá";
    To = 17, "TO", "Tocantins";
    Ma = 21, "MA", "Maranhão";
    Pi = 22, "PI", "Piauí";
    Ce = 23, "CE", "Ceará";
    Rn = 24, "RN", "Rio Grande do Norte";
    Pb = 25, "PB", "Paraíba";
    Pe = 26, "PE", "Pernambuco";
    Al = 27, "AL", "Alagoas";
    Se = 28, "SE", "Sergipe";
    Ba = 29, "BA", "Bahia";
    Mg = 31, "MG", "Minas Gerais";
    Es = 32, "ES", "Espírito Santo";
    Rj = 33, "RJ", "Rio de Janeiro";
    Sp = 35, "SP", "São Paulo";
    Pr = 41, "PR", "Paraná";
    Sc = 42, "SC", "Santa Catarina";
    Rs = 43, "RS", "Rio Grande do Sul";
    Ms = 50, "MS", "Mato Grosso do Sul";
    Mt = 51, "MT", "Mato Grosso";
    Go = 52, "GO", "Goiás";
    Df = 53, "DF", "Distrito Federal";
}

impl Uf {
    /// The IBGE code (`35` for SP).
    ///
    /// ```
    /// assert_eq!(nfehook_core::Uf::Sp.code(), 35);
    /// ```
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Uf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sigla())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_siglas_round_trip() {
        for uf in Uf::ALL {
            assert_eq!(Uf::from_code(uf.code()), Some(uf));
            assert_eq!(Uf::from_sigla(uf.sigla()), Some(uf));
        }
        for code in [0, 10, 18, 30, 34, 90, 91, 92, 99] {
            assert_eq!(Uf::from_code(code), None, "{code}");
        }
    }
}
