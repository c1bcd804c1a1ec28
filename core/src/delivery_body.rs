//! A delivery body someone wrote (a test event edited by hand, a body given to the sandbox),
//! checked before it is signed and sent: within its size bound, a delivery of a known event
//! whose name belongs to the body's dialect, about a valid NF-e key. Each problem has its own
//! variant and code; every caller maps this one check to its own error.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use crate::chave::{ChaveAcesso, ChaveError};
use crate::event::{Dialect, Event, EventKind, PayloadError};

/// Longest written delivery body accepted, in bytes (a real delivery is well under 2 KiB).
pub const MAX_DELIVERY_BODY_BYTES: usize = 64 * 1024;

/// Why a written delivery body is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryBodyError {
    /// Nothing but blanks.
    Empty,
    /// Longer than [`MAX_DELIVERY_BODY_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The bound.
        max: usize,
    },
    /// Not a delivery body of either dialect (the reason, with line and column).
    Payload(PayloadError),
    /// An event name neither dialect documents.
    UnknownEvent(String),
    /// An event of one dialect in the shape of the other (`event` holding an account event).
    MixedDialect {
        /// The event name.
        event: String,
        /// The dialect the name belongs to.
        event_dialect: Dialect,
        /// The dialect the body's shape says.
        body_dialect: Dialect,
    },
    /// The body's NF-e key is not valid.
    Chave(ChaveError),
}

impl DeliveryBodyError {
    /// A stable `snake_case` code: `empty`, `too_large`, `invalid_payload`, `unknown_event`,
    /// `mixed_dialect`, `invalid_chave`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::Payload(_) => "invalid_payload",
            Self::UnknownEvent(_) => "unknown_event",
            Self::MixedDialect { .. } => "mixed_dialect",
            Self::Chave(_) => "invalid_chave",
        }
    }
}

impl fmt::Display for DeliveryBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the body is empty"),
            Self::TooLarge { size, max } => {
                write!(f, "the body has {size} bytes; at most {max} are accepted")
            }
            Self::Payload(e) => write!(f, "{e}"),
            Self::UnknownEvent(name) => {
                write!(f, "unknown event `{name}`; expected one of ")?;
                for (i, kind) in EventKind::KNOWN.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(kind.as_str())?;
                }
                Ok(())
            }
            Self::MixedDialect {
                event,
                event_dialect,
                body_dialect,
            } => write!(
                f,
                "`{event}` is an event of the {event_dialect} dialect, in a body of the {body_dialect} dialect"
            ),
            Self::Chave(e) => write!(f, "invalid NF-e key: {e}"),
        }
    }
}

impl core::error::Error for DeliveryBodyError {}

/// The event a written `body` holds, when it may be sent as a delivery.
///
/// # Errors
/// The first [`DeliveryBodyError`] found, in the order the variants are listed.
///
/// ```
/// use nfehook_core::{check_delivery_body, DeliveryBodyError};
/// let body = r#"{"id":"1","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"52060433009911002506550120000007800267301615","status":"erro"}}"#;
/// assert_eq!(check_delivery_body(body).unwrap().event.as_str(), "nfe.erro");
/// assert_eq!(check_delivery_body("  ").unwrap_err(), DeliveryBodyError::Empty);
/// assert_eq!(check_delivery_body(&body.replace("nfe.erro", "nfe.x")).unwrap_err().code(), "unknown_event");
/// ```
pub fn check_delivery_body(body: &str) -> Result<Event, DeliveryBodyError> {
    if body.trim().is_empty() {
        return Err(DeliveryBodyError::Empty);
    }
    if body.len() > MAX_DELIVERY_BODY_BYTES {
        return Err(DeliveryBodyError::TooLarge {
            size: body.len(),
            max: MAX_DELIVERY_BODY_BYTES,
        });
    }
    let event = Event::from_json(body.as_bytes()).map_err(DeliveryBodyError::Payload)?;
    let Some(event_dialect) = event.event.dialect() else {
        return Err(DeliveryBodyError::UnknownEvent(
            event.event.as_str().to_owned(),
        ));
    };
    if event_dialect != event.dialect() {
        return Err(DeliveryBodyError::MixedDialect {
            event: event.event.as_str().to_owned(),
            event_dialect,
            body_dialect: event.dialect(),
        });
    }
    ChaveAcesso::parse(event.data.nfe_chave()).map_err(DeliveryBodyError::Chave)?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    use super::*;

    const CHAVE: &str = "52060433009911002506550120000007800267301615";

    fn body(event: &str, chave: &str) -> String {
        format!(
            r#"{{"id":"x","event":"{event}","timestamp":"2024-03-10T16:45:30Z","data":{{"nfeChave":"{chave}","status":"processada"}}}}"#
        )
    }

    #[test]
    fn a_delivery_of_either_dialect_is_read() {
        let event = check_delivery_body(&body("nfe.processada", CHAVE)).unwrap();
        assert_eq!(event.data.nfe_chave(), CHAVE);
        let account = format!(
            r#"{{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{{"chave_nfe":"{CHAVE}"}}}}"#
        );
        let event = check_delivery_body(&account).unwrap();
        assert_eq!(event.dialect(), Dialect::Account);
    }

    #[test]
    fn each_problem_has_its_code_and_reason() {
        let refused = |text: &str| check_delivery_body(text).unwrap_err();
        assert_eq!(refused(" \n").code(), "empty");
        let long = format!(
            "{}{}",
            body("nfe.processada", CHAVE),
            " ".repeat(MAX_DELIVERY_BODY_BYTES)
        );
        let err = refused(&long);
        assert_eq!(err.code(), "too_large");
        assert!(err.to_string().contains("at most 65536"), "{err}");
        assert_eq!(
            refused(
                &" ".repeat(MAX_DELIVERY_BODY_BYTES + 1)
                    .replacen(' ', "{", 1)
            )
            .code(),
            "too_large"
        );
        assert_eq!(refused("{").code(), "invalid_payload");
        assert!(refused("{").to_string().starts_with("invalid payload"));
        let err = refused(&body("nfe.inventado", CHAVE));
        assert_eq!(err.code(), "unknown_event");
        assert!(
            err.to_string()
                .contains("unknown event `nfe.inventado`; expected one of nfe.processada,"),
            "{err}"
        );
        let err = refused(&body("nfe.consulta.erro", CHAVE));
        assert_eq!(err.code(), "mixed_dialect");
        assert!(
            err.to_string()
                .contains("account dialect, in a body of the subscription dialect")
        );
        let err = refused(&body("nfe.processada", &format!("{}4", &CHAVE[..43])));
        assert_eq!(err.code(), "invalid_chave");
        assert!(err.to_string().contains("check digit"), "{err}");
    }
}
