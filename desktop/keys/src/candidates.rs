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
    match cut_into_keys(&normalized, key_len) {
        Some(keys) if keys.len() > 1 => keys.into_iter().map(str::to_owned).collect(),
        _ => vec![normalized],
    }
}

/// Cuts `normalized` (groups joined by single spaces) into consecutive runs whose
/// [`key_len`] is exactly [`LEN`]; `None` when the groups do not fall into such runs.
///
/// Each group is measured once, with `head_len` for the first group of a run that holds a
/// non-separator (the one a `NFe` prefix can start) and by counting for the others: the key
/// length of a run is theirs summed, so the work is linear in the text, where re-measuring
/// the growing run at each group was quadratic on long runs of separator-only groups.
fn cut_into_keys(normalized: &str, mut head_len: impl FnMut(&str) -> usize) -> Option<Vec<&str>> {
    let mut keys = Vec::new();
    let mut start = 0;
    let mut len = 0;
    let mut headed = false;
    let mut offset = 0;
    for group in normalized.split(' ') {
        let end = offset + group.len();
        if headed {
            len += group.chars().filter(|&c| !is_separator(c)).count();
        } else {
            len += head_len(group);
            headed = !group.chars().all(is_separator);
        }
        match len {
            LEN => {
                keys.push(&normalized[start..end]);
                start = end + 1;
                len = 0;
                headed = false;
            }
            n if n > LEN => return None,
            _ => {}
        }
        offset = end + 1;
    }
    (start >= normalized.len()).then_some(keys)
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

    /// The definition `cut_into_keys` must agree with: the run re-joined and measured whole
    /// at each group (quadratic, fine on small inputs).
    fn cut_by_rejoining(normalized: &str) -> Option<Vec<String>> {
        let mut keys = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for group in normalized.split(' ') {
            current.push(group);
            let joined = current.join(" ");
            match key_len(&joined) {
                LEN => {
                    keys.push(joined);
                    current.clear();
                }
                n if n > LEN => return None,
                _ => {}
            }
        }
        current.is_empty().then_some(keys)
    }

    #[test]
    fn separator_only_groups_are_measured_once() {
        // Thousands of `-` groups before a digit: measuring the growing run at each group
        // read about 10^10 characters for this 200 kB cell.
        let cell = format!("{}1", "- ".repeat(100_000));
        let normalized = normalize(&cell);
        let mut measured = 0;
        let cut = cut_into_keys(&normalized, |group| {
            measured += group.len();
            key_len(group)
        });
        assert_eq!(cut, None);
        assert!(measured <= cell.len(), "{measured} bytes measured");
        assert_eq!(attempts(&cell, false), [normalized]);
        // Keys after such groups are still cut out, each from its own groups.
        let line = format!("{} {KEY} {GROUPED}", "- ".repeat(1000).trim_end());
        let mut measured = 0;
        let cut = cut_into_keys(&line, |group| {
            measured += group.len();
            key_len(group)
        });
        let first = format!("{} {KEY}", "- ".repeat(1000).trim_end());
        assert_eq!(cut, Some(vec![first.as_str(), GROUPED]));
        assert!(measured <= line.len(), "{measured} bytes measured");
    }

    proptest::proptest! {
        #[test]
        fn cutting_agrees_with_rejoining(groups in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::string::string_regex("[0-9]{1,12}").unwrap(),
                proptest::string::string_regex("[-.]{1,3}").unwrap(),
                proptest::string::string_regex("(NFe|CTe|nfe)?[0-9]{1,44}").unwrap(),
                proptest::string::string_regex("[0-9.-]{1,8}").unwrap(),
            ],
            1..40,
        )) {
            let normalized = groups.join(" ");
            let cut = cut_into_keys(&normalized, key_len)
                .map(|keys| keys.into_iter().map(str::to_owned).collect::<Vec<_>>());
            proptest::prop_assert_eq!(cut, cut_by_rejoining(&normalized));
        }
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
