//! How results are written: colours only on a terminal (and never with `NO_COLOR`), times in
//! UTC, text cut to a length.

use std::io::IsTerminal as _;

/// Colours of human output on standard output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colours when standard output is a terminal and `NO_COLOR` is unset or empty
    /// (<https://no-color.org>), and never for `--json`.
    pub fn detect(json: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Self {
            colour: !json && !no_color && std::io::stdout().is_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Success.
    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Failure.
    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Secondary detail.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// An HTTP status, green for 2xx and red otherwise.
    pub fn status(self, status: u16) -> String {
        let text = status.to_string();
        if (200..300).contains(&status) {
            self.good(&text)
        } else {
            self.bad(&text)
        }
    }
}

/// Seconds since the Unix epoch on the system clock.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `text` cut to `max` characters, with `…` when it was longer.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

/// `1 key`, `2 keys`: a count with its noun, singular or plural.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Prints one JSON value as one line.
pub fn json_line(value: &serde_json::Value) {
    println!("{value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("ação", 10), "ação");
        assert_eq!(truncate("ação", 2), "aç…");
    }

    #[test]
    fn counts_agree() {
        assert_eq!(count(1, "delivery", "deliveries"), "1 delivery");
        assert_eq!(count(0, "delivery", "deliveries"), "0 deliveries");
    }

    #[test]
    fn no_colour_for_json() {
        assert_eq!(Style::detect(true).good("ok"), "ok");
    }
}
