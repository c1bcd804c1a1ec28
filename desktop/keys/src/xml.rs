//! NF-e XML documents (`nfeProc`, `NFe`, batches, events): keys from `<chNFe>` elements and
//! from the `Id="NFe…"` attribute of `infNFe`, read with a streaming parser. Namespace
//! prefixes are ignored. One document that names the same key twice (an authorised NF-e has
//! it in `infNFe/@Id` and in `protNFe/infProt/chNFe`) gives it once.

use quick_xml::Reader;
use quick_xml::events::Event;

/// A key attempt found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlKey {
    /// 1-based line where it was found.
    pub line: usize,
    /// The text as written (attribute value or element text, trimmed).
    pub text: String,
}

/// What a document gave: the keys, and the parse error that stopped it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct XmlKeys {
    pub keys: Vec<XmlKey>,
    /// Error message and the 1-based line it was found at; keys before it are kept.
    pub error: Option<(String, usize)>,
}

/// Whether `text` looks like an XML document.
pub(crate) fn looks_like_xml(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

/// Turns byte offsets, asked for in increasing order, into 1-based lines in one pass.
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset > self.offset {
            self.line += self.text[self.offset..offset]
                .split(|&b| b == b'\n')
                .count()
                - 1;
            self.offset = offset;
        }
        self.line
    }
}

/// Reads every key of the document.
pub(crate) fn keys(text: &str) -> XmlKeys {
    let mut reader = Reader::from_str(text);
    let mut lines = Lines::new(text);
    let mut out = XmlKeys::default();
    let mut seen = std::collections::HashSet::new();
    // Text of the `chNFe` element being read, if inside one.
    let mut in_chave: Option<(usize, String)> = None;
    let mut push = |out: &mut XmlKeys, line: usize, value: &str| {
        let value = value.trim();
        let normalized: String = value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        let normalized = normalized
            .strip_prefix("NFE")
            .unwrap_or(&normalized)
            .to_owned();
        if !value.is_empty() && seen.insert(normalized) {
            out.keys.push(XmlKey {
                line,
                text: value.to_owned(),
            });
        }
    };
    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(start)) => {
                let name = start.local_name();
                if name.as_ref() == b"chNFe" {
                    in_chave = Some((lines.at(position), String::new()));
                } else if name.as_ref() == b"infNFe" {
                    id_attribute(&start, lines.at(position), &mut out, &mut push);
                }
            }
            Ok(Event::Empty(start)) => {
                if start.local_name().as_ref() == b"infNFe" {
                    id_attribute(&start, lines.at(position), &mut out, &mut push);
                }
            }
            Ok(Event::Text(content)) => {
                if let (Some((_, value)), Ok(decoded)) = (in_chave.as_mut(), content.decode()) {
                    value.push_str(&decoded);
                }
            }
            Ok(Event::CData(content)) => {
                if let Some((_, value)) = in_chave.as_mut() {
                    value.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Ok(Event::End(end)) => {
                if end.local_name().as_ref() == b"chNFe"
                    && let Some((line, value)) = in_chave.take()
                {
                    push(&mut out, line, &value);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                out.error = Some((error.to_string(), lines.at(at)));
                break;
            }
        }
    }
    out
}

fn id_attribute(
    start: &quick_xml::events::BytesStart<'_>,
    line: usize,
    out: &mut XmlKeys,
    push: &mut impl FnMut(&mut XmlKeys, usize, &str),
) {
    for attribute in start.attributes().flatten() {
        if attribute.key.local_name().as_ref() == b"Id"
            && let Ok(value) = attribute.unescape_value()
        {
            push(out, line, &value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "52060433009911002506550120000007800267301615";

    #[test]
    fn nfe_proc_gives_its_key_once() {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">
  <NFe><infNFe versao="4.00" Id="NFe{KEY}"><ide><cUF>52</cUF></ide></infNFe></NFe>
  <protNFe versao="4.00"><infProt><chNFe>{KEY}</chNFe></infProt></protNFe>
</nfeProc>"#
        );
        let found = keys(&xml);
        assert_eq!(found.error, None);
        assert_eq!(
            found.keys,
            [XmlKey {
                line: 3,
                text: format!("NFe{KEY}")
            }]
        );
    }

    #[test]
    fn prefixed_names_events_and_errors() {
        let xml = format!(
            "<nfe:procEventoNFe xmlns:nfe=\"x\">\n<nfe:chNFe> {KEY} </nfe:chNFe>\n<chNFe>123</chNFe>\n<broken"
        );
        let found = keys(&xml);
        let texts: Vec<&str> = found.keys.iter().map(|k| k.text.as_str()).collect();
        assert_eq!(texts, [KEY, "123"]);
        assert_eq!(found.keys[1].line, 3);
        let (_, line) = found.error.expect("unterminated tag");
        assert_eq!(line, 4);
    }

    #[test]
    fn detection() {
        assert!(looks_like_xml("\u{feff}  <?xml?>"));
        assert!(!looks_like_xml("chave;valor"));
    }
}
