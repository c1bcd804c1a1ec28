//! The sandbox binary as a child process.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `nfehook-sandbox` binary; killed when dropped.
pub struct SandboxProcess {
    pub child: Child,
    pub base_url: String,
    /// The key printed on stdout when none was given.
    pub printed_key: Option<String>,
    /// Everything written to stderr so far (read by a thread so the pipe never fills up).
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

impl SandboxProcess {
    /// Starts the binary with `args` and waits for its "listening on" line.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nfehook-sandbox"))
            .args(args)
            .env_remove("NFEHOOK_SANDBOX_API_KEY")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the sandbox binary");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let mut pipe = child.stderr.take().unwrap();
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed_key = None;
        let base_url = loop {
            let line = lines
                .next()
                .expect("the sandbox prints its address")
                .unwrap();
            if let Some(key) = line.strip_prefix("API key (generated for this run): ") {
                assert!(printed_key.is_none(), "the key is printed once");
                printed_key = Some(key.trim().to_owned());
            } else if let Some(url) = line.strip_prefix("nfehook-sandbox listening on ") {
                break url.trim().to_owned();
            } else {
                panic!("unexpected line on stdout: {line}");
            }
        };
        Self {
            child,
            base_url,
            printed_key,
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the exit; returns its status and stderr.
    #[cfg(unix)]
    pub fn stop_with(mut self, signal: &str) -> (ExitStatus, String) {
        let pid = rustix::process::Pid::from_raw(i32::try_from(self.child.id()).unwrap())
            .expect("a child has a pid");
        let sig = match signal {
            "TERM" => rustix::process::Signal::TERM,
            "INT" => rustix::process::Signal::INT,
            other => panic!("unsupported signal {other}"),
        };
        rustix::process::kill_process(pid, sig).expect("send the signal");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the sandbox did not stop on SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.stderr_reader.take() {
            reader.join().unwrap();
        }
        let logs = self.stderr.lock().unwrap().clone();
        (status, logs)
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
