//! Which parts of a cell are meant as access keys.
//!
//! A cell made only of letters, digits and the separators a key is written with (space, dot,
//! dash) and holding a digit is one key attempt, valid or not, or several keys when its groups
//! split into runs of exactly 44 characters (keys pasted on one line). Any other cell (prose,
//! an e-mail line, `Chave: 3517…`) is searched for runs of such groups holding at least
//! [`EMBEDDED_MIN_DIGITS`] digits; words made only of letters end a run there.

use nfehook_core::chave::LEN;

/// Digits a run inside free text must hold to be taken as a key attempt.
pub(crate) const EMBEDDED_MIN_DIGITS: usize = 20;

/// Prefixes of an XML `Id` that the core's lenient parser drops.
const ID_PREFIXES: [&str; 7] = ["NFCom", "NF3e", "MDFe", "GTVe", "NFe", "CTe", "BPe"];

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '\u{a0}')
}

/// Whether the whole cell is written like a key.
fn is_keyish(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || is_separator(c))
        && text.chars().any(|c| c.is_ascii_digit())
}

/// Characters the core counts: separators dropped, a leading `NFe`-style prefix dropped.
fn key_len(text: &str) -> usize {
    let text = text.trim_matches(is_separator);
    let text = ID_PREFIXES
        .iter()
        .find_map(|p| {
            text.get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| &text[p.len()..])
        })
        .unwrap_or(text);
    text.chars().filter(|&c| !is_separator(c)).count()
}

fn digits(text: &str) -> usize {
    text.chars().filter(char::is_ascii_digit).count()
}

/// Key attempts in one cell, in order. `strict_only`: only runs with at least
/// [`EMBEDDED_MIN_DIGITS`] digits count (used to tell whether a CSV column holds keys).
pub(crate) fn attempts(cell: &str, strict_only: bool) -> Vec<String> {
    let text = cell
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | ',' | ';'))
        .trim();
    if text.is_empty() {
        return Vec::new();
    }
    if is_keyish(text) {
        if strict_only && digits(text) < EMBEDDED_MIN_DIGITS {
            return Vec::new();
        }
        let whole = split_keys(text);
        if whole.iter().all(|k| key_len(k) == LEN) {
            return whole;
        }
        // Words around keys ("Chave 3517…"): when cutting them out leaves only whole keys,
        // those are the attempts; otherwise the cell is one attempt, reported as written.
        let embedded = embedded(text);
        if !embedded.is_empty() && embedded.iter().all(|k| key_len(k) == LEN) {
            return embedded;
        }
        return whole;
    }
    let found = embedded(text);
    if !found.is_empty() && found.iter().all(|k| key_len(k) == LEN) {
        return found;
    }
    // One token with a stray symbol (`5206043300#911…`) is one key with a bad character,
    // not two runs of digits; a `label=` or `label:` before it is dropped.
    if !text.contains(char::is_whitespace) {
        let token = strip_label(text);
        let n = token.chars().count();
        if (LEN - 4..=LEN + 4).contains(&n) && digits(token) >= EMBEDDED_MIN_DIGITS {
            return vec![token.to_owned()];
        }
    }
    found
}

/// Drops a leading `word=` or `word:` label.
fn strip_label(token: &str) -> &str {
    match token.find(['=', ':']) {
        Some(at) if at > 0 && token[..at].chars().all(|c| c.is_alphabetic() || c == '_') => {
            &token[at + 1..]
        }
        _ => token,
    }
}

/// Runs with enough digits inside free text, split into keys where they can be.
fn embedded(text: &str) -> Vec<String> {
    runs(text)
        .into_iter()
        .filter(|run| digits(run) >= EMBEDDED_MIN_DIGITS)
        .flat_map(|run| split_keys(&run))
        .collect()
}

/// One attempt, or several when the space-separated groups fall into runs of exactly 44.
fn split_keys(text: &str) -> Vec<String> {
    let normalized = normalize(text);
    if key_len(&normalized) == LEN {
        return vec![normalized];
    }
    let groups: Vec<&str> = normalized.split(' ').collect();
    if groups.len() > 1 {
        let mut keys = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for group in &groups {
            current.push(group);
            let joined = current.join(" ");
            match key_len(&joined) {
                LEN => {
                    keys.push(joined);
                    current.clear();
                }
                n if n > LEN => break,
                _ => {}
            }
        }
        if current.is_empty() && keys.len() > 1 {
            return keys;
        }
    }
    vec![normalized]
}

/// Collapses runs of whitespace-like separators into one space.
fn normalize(text: &str) -> String {
    let text = text.replace('\u{a0}', " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Maximal runs of alphanumeric groups joined by single separators, cut at words made only
/// of letters (except a leading `NFe`-style prefix glued to digits).
fn runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut group = String::new();
    let mut pending_sep: Option<char> = None;
    let flush_group =
        |current: &mut String, group: &mut String, sep: Option<char>, runs: &mut Vec<String>| {
            if group.is_empty() {
                return;
            }
            if group.chars().all(|c| c.is_ascii_alphabetic()) {
                if !current.is_empty() {
                    runs.push(std::mem::take(current));
                }
            } else {
                if let (false, Some(sep)) = (current.is_empty(), sep) {
                    current.push(sep);
                }
                current.push_str(group);
            }
            group.clear();
        };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() {
            group.push(c);
        } else if is_separator(c)
            && !group.is_empty()
            && chars.peek().is_some_and(char::is_ascii_alphanumeric)
        {
            flush_group(&mut current, &mut group, pending_sep, &mut runs);
            pending_sep = Some(if c == '\u{a0}' { ' ' } else { c });
        } else {
            flush_group(&mut current, &mut group, pending_sep, &mut runs);
            pending_sep = None;
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
        }
    }
    flush_group(&mut current, &mut group, pending_sep, &mut runs);
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "52060433009911002506550120000007800267301615";
    const GROUPED: &str = "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615";

    #[test]
    fn whole_cells() {
        assert_eq!(attempts(KEY, false), [KEY]);
        assert_eq!(attempts(&format!("  {GROUPED}  "), false), [GROUPED]);
        assert_eq!(attempts(&format!("NFe{KEY}"), false), [format!("NFe{KEY}")]);
        assert_eq!(attempts(&format!("\"{KEY}\","), false), [KEY]);
        // A short number typed alone is an attempt (reported invalid), not silence.
        assert_eq!(attempts("123", false), ["123"]);
        assert!(attempts("123", true).is_empty());
        assert!(attempts("chave", false).is_empty());
        assert_eq!(attempts(&format!("Chave {GROUPED} ok"), false), [GROUPED]);
        assert_eq!(
            attempts(&format!("abc {KEY}1"), false),
            [format!("abc {KEY}1")]
        );
    }

    #[test]
    fn several_keys_on_one_line() {
        let line = format!("{KEY} {GROUPED}  {KEY}");
        assert_eq!(attempts(&line, false), [KEY, GROUPED, KEY]);
        // Not a clean split: one attempt, reported with its length.
        let line = format!("{KEY} 123");
        assert_eq!(attempts(&line, false), [format!("{KEY} 123")]);
    }

    #[test]
    fn keys_inside_prose() {
        let line = format!("Chave de acesso: {GROUPED}, emitida em 10.03.2024.");
        assert_eq!(attempts(&line, false), [GROUPED]);
        let line = format!("ver NFe{KEY}; e também {KEY}!");
        assert_eq!(
            attempts(&line, false),
            [format!("NFe{KEY}"), KEY.to_owned()]
        );
        assert!(attempts("Total: 3 notas, R$ 1.500,00", false).is_empty());
        // 43 digits in prose: still an attempt, so the preview can say it is short.
        let line = format!("chave={}", &KEY[..43]);
        assert_eq!(attempts(&line, false), [&KEY[..43]]);
        let symbol = format!("{}#{}", &KEY[..10], &KEY[11..]);
        assert_eq!(attempts(&symbol, false), std::slice::from_ref(&symbol));
        assert_eq!(attempts(&format!("chave:{symbol}"), false), [symbol]);
    }
}
