//! The real binary started where there is no display: one line saying so, a non-zero exit, no
//! panic or backtrace.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nfehook_desktop::display::{NO_DISPLAY_EXIT, NoDisplay};

/// Runs the app binary with `env` added to an environment that names no display, in a process
/// group of its own with its output in files; ends the group if it has not exited in time.
/// Returns the exit code and what it wrote to stdout and stderr.
fn run_app(env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_nfehook-desktop"));
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        // Asked for, and still none may appear.
        .env("RUST_BACKTRACE", "1")
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .process_group(0);
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let group = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p| std::fs::read_to_string(p).unwrap();
    (
        status.and_then(|s| s.code()),
        read(&out_path),
        read(&err_path),
    )
}

#[test]
fn with_no_display_the_app_says_so_in_one_line_and_exits_non_zero() {
    for (lang, expected) in [
        ("C.UTF-8", NoDisplay::Unset.line("C.UTF-8")),
        ("pt_BR.UTF-8", NoDisplay::Unset.line("pt_BR.UTF-8")),
    ] {
        let (code, stdout, stderr) = run_app(&[("LANG", lang)]);
        assert_eq!(code, Some(NO_DISPLAY_EXIT), "LANG={lang}: {stderr}");
        assert_ne!(NO_DISPLAY_EXIT, 0);
        assert_eq!(stderr, format!("{expected}\n"), "LANG={lang}");
        assert_eq!(stdout, "", "LANG={lang}");
        for word in ["panicked", "backtrace", "gtk"] {
            assert!(!stderr.to_lowercase().contains(word), "{stderr}");
        }
    }
    let (_, _, english) = run_app(&[("LANG", "en_US.UTF-8")]);
    assert!(english.contains("no display"), "{english}");
    let (_, _, portuguese) = run_app(&[("LANG", "pt_BR.UTF-8")]);
    assert!(portuguese.contains("sem tela"), "{portuguese}");
}
