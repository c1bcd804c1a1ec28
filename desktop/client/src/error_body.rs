//! Lenient reading of error bodies: the project's `{"message", "errors"}`, ProblemDetails
//! (`title`, `detail`, `errors`), a JSON string, plain text, or nothing at all.

use std::collections::BTreeMap;

use serde_json::Value;

/// Longest piece of a plain-text body kept as a message, in characters.
const MAX_TEXT_CHARS: usize = 300;

/// What could be read from an error body.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ErrorDetails {
    pub message: Option<String>,
    pub fields: BTreeMap<String, Vec<String>>,
}

/// Reads whatever an error body says; never fails.
pub(crate) fn parse(body: &[u8]) -> ErrorDetails {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return ErrorDetails::default();
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => {
            let get = |key: &str| {
                map.get(key)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let message = match (get("title"), get("detail")) {
                (Some(title), Some(detail)) if get("message").is_none() => {
                    Some(format!("{title}: {detail}"))
                }
                _ => get("message")
                    .or_else(|| get("detail"))
                    .or_else(|| get("title"))
                    .or_else(|| get("error_description"))
                    .or_else(|| get("error"))
                    .map(str::to_owned),
            };
            ErrorDetails {
                message,
                fields: map.get("errors").map(fields).unwrap_or_default(),
            }
        }
        Ok(Value::String(message)) => ErrorDetails {
            message: Some(message).filter(|m| !m.trim().is_empty()),
            fields: BTreeMap::new(),
        },
        Ok(_) => ErrorDetails::default(),
        Err(_) if text.starts_with('<') => ErrorDetails::default(), // an HTML error page
        Err(_) => ErrorDetails {
            message: Some(one_line(text)),
            fields: BTreeMap::new(),
        },
    }
}

/// `errors` as a map of field to messages: values may be arrays or single strings; an array
/// of strings with no field is kept under `""`.
fn fields(value: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    match value {
        Value::Object(map) => {
            for (field, problems) in map {
                let list: Vec<String> = match problems {
                    Value::Array(items) => items.iter().map(as_text).collect(),
                    other => vec![as_text(other)],
                };
                out.insert(field.clone(), list);
            }
        }
        Value::Array(items) => {
            out.insert(String::new(), items.iter().map(as_text).collect());
        }
        Value::String(text) => {
            out.insert(String::new(), vec![text.clone()]);
        }
        _ => {}
    }
    out
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn one_line(text: &str) -> String {
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > MAX_TEXT_CHARS {
        let cut: String = collapsed.chars().take(MAX_TEXT_CHARS).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_project_envelope() {
        let got = parse(r#"{"success": false, "message": "Dados inválidos", "errors": {"url": ["URL inválida"], "events": "vazio"}}"#.as_bytes());
        assert_eq!(got.message.as_deref(), Some("Dados inválidos"));
        assert_eq!(got.fields["url"], vec!["URL inválida"]);
        assert_eq!(got.fields["events"], vec!["vazio"]);
    }

    #[test]
    fn reads_problem_details() {
        let got = parse(br#"{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "errors": {"Url": ["The Url field is required."]}}"#);
        assert_eq!(
            got.message.as_deref(),
            Some("One or more validation errors occurred.")
        );
        assert_eq!(got.fields["Url"], vec!["The Url field is required."]);
        let got = parse(br#"{"title": "Conflict", "detail": "URL already registered"}"#);
        assert_eq!(
            got.message.as_deref(),
            Some("Conflict: URL already registered")
        );
    }

    #[test]
    fn survives_text_html_and_nothing() {
        assert_eq!(parse(b"").message, None);
        assert_eq!(parse(b"  \n").message, None);
        assert_eq!(
            parse(b"Service Unavailable\n  try later")
                .message
                .as_deref(),
            Some("Service Unavailable try later")
        );
        assert_eq!(parse(b"<html><body>502</body></html>").message, None);
        assert_eq!(
            parse(br#""plain json string""#).message.as_deref(),
            Some("plain json string")
        );
        assert_eq!(parse(b"[1,2]"), ErrorDetails::default());
        assert_eq!(parse(b"{\"message\": 5}").message, None);
        let long = "x".repeat(1000);
        assert_eq!(
            parse(long.as_bytes()).message.unwrap().chars().count(),
            MAX_TEXT_CHARS + 1
        );
        assert_eq!(
            parse(&[0xff, 0xfe, b'a']).message.as_deref(),
            Some("\u{fffd}\u{fffd}a")
        );
    }
}
