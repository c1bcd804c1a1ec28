//! Whether a window can open here. Where no display server is named (`DISPLAY` and
//! `WAYLAND_DISPLAY` unset: a server, CI) or the named one does not answer, the app says so in
//! one line and exits with [`NO_DISPLAY_EXIT`], instead of the windowing toolkit's panic and
//! backtrace.

use std::ffi::OsStr;

/// The exit code of a start with no display.
pub const NO_DISPLAY_EXIT: i32 = 1;

/// Why no window can open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoDisplay {
    /// Neither `DISPLAY` nor `WAYLAND_DISPLAY` is set.
    #[error("no display: DISPLAY and WAYLAND_DISPLAY are unset")]
    Unset,
    /// A display is named but the toolkit could not open it.
    #[error("the display {display} could not be opened")]
    Unreachable {
        /// The `DISPLAY` or `WAYLAND_DISPLAY` value tried.
        display: String,
    },
}

impl NoDisplay {
    /// The one line printed for it, in Portuguese when `locale` (a `LANG`-style value such as
    /// `pt_BR.UTF-8`) is Portuguese, in English otherwise.
    ///
    /// ```
    /// use nfehook_desktop::display::NoDisplay;
    /// assert!(NoDisplay::Unset.line("pt_BR.UTF-8").contains("sem tela"));
    /// assert!(NoDisplay::Unset.line("C.UTF-8").contains("no display"));
    /// ```
    pub fn line(&self, locale: &str) -> String {
        let portuguese = locale.to_ascii_lowercase().starts_with("pt");
        match (self, portuguese) {
            (Self::Unset, true) => "nfehook-desktop: sem tela: DISPLAY e WAYLAND_DISPLAY não estão \
                 definidas; o app precisa de uma sessão gráfica (use o `nfehook` de linha de comando)"
                .to_owned(),
            (Self::Unset, false) => "nfehook-desktop: no display: DISPLAY and WAYLAND_DISPLAY are \
                 unset; the app needs a graphical session (use the `nfehook` command line)"
                .to_owned(),
            (Self::Unreachable { display }, true) => {
                format!("nfehook-desktop: não foi possível abrir a tela {display}")
            }
            (Self::Unreachable { display }, false) => {
                format!("nfehook-desktop: the display {display} could not be opened")
            }
        }
    }
}

/// The named display, from an environment read through `var`: `WAYLAND_DISPLAY` first (GTK's
/// order), then `DISPLAY`; blank values count as unset.
///
/// ```
/// use nfehook_desktop::display::{NoDisplay, named_display};
/// assert_eq!(named_display(|_| None), Err(NoDisplay::Unset));
/// assert_eq!(named_display(|n| (n == "DISPLAY").then(|| ":99".into())), Ok(":99".to_owned()));
/// ```
pub fn named_display(
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<String, NoDisplay> {
    ["WAYLAND_DISPLAY", "DISPLAY"]
        .into_iter()
        .filter_map(var)
        .map(|v| OsStr::to_string_lossy(&v).trim().to_owned())
        .find(|v| !v.is_empty())
        .ok_or(NoDisplay::Unset)
}

/// The locale messages are printed in: `LC_ALL`, then `LC_MESSAGES`, then `LANG`.
pub fn message_locale() -> String {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(std::env::var_os)
        .map(|v| v.to_string_lossy().into_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// Checks that a window can open: a display is named and GTK opens it (GTK is initialised here,
/// once, rather than by the window toolkit, which panics when it cannot). Systems without GTK
/// always have their window server.
pub fn check() -> Result<(), NoDisplay> {
    // The same systems as the `gtk` dependency's target in Cargo.toml.
    #[cfg(any(
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    {
        let display = named_display(|name| std::env::var_os(name))?;
        gtk::init().map_err(|_| NoDisplay::Unreachable { display })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_are_unset_and_wayland_comes_first() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).into())
            }
        };
        assert_eq!(
            named_display(env(&[("DISPLAY", " "), ("WAYLAND_DISPLAY", "")])),
            Err(NoDisplay::Unset)
        );
        assert_eq!(
            named_display(env(&[("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0")])),
            Ok("wayland-0".to_owned())
        );
    }

    #[test]
    fn one_line_in_the_locale() {
        for locale in ["pt_BR.UTF-8", "pt", "PT_pt", "en_US.UTF-8", "C", ""] {
            for err in [
                NoDisplay::Unset,
                NoDisplay::Unreachable {
                    display: ":7".into(),
                },
            ] {
                let line = err.line(locale);
                assert!(!line.contains('\n'), "{line}");
                assert!(line.starts_with("nfehook-desktop: "), "{line}");
            }
        }
        assert!(
            NoDisplay::Unset
                .line("en_US")
                .contains("DISPLAY and WAYLAND_DISPLAY")
        );
        assert!(
            NoDisplay::Unreachable {
                display: ":7".into()
            }
            .line("pt_BR")
            .contains("abrir a tela :7")
        );
    }
}
