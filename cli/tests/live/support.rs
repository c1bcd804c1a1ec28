//! What the live suite starts: `nfehook` children in their own process group with output to
//! files under target/, an in-process sandbox and inspector (the "app") on a runtime of the
//! test's own, and ways to wait for a child's output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Every secret and API key the suite uses; none may appear in any output.
pub const SECRETS: [&str; 5] = [
    "whsec_live_suite_first_0123456789abcdef",
    "whsec_live_suite_second_0123456789abcdef",
    "nfeio-live-suite-secret-0123456789",
    "account-live-suite-secret-0123456789",
    "nfehook-live-suite-api-key-0123456789",
];
pub const SECRET_1: &str = SECRETS[0];
pub const SECRET_2: &str = SECRETS[1];
pub const NFEIO_SECRET: &str = SECRETS[2];
pub const ACCOUNT_SECRET: &str = SECRETS[3];
pub const API_KEY: &str = SECRETS[4];

pub const MOC_KEY: &str = "52060433009911002506550120000007800267301615";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Directory of this run's logs: target/tmp/cli-live.
fn log_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-live");
    std::fs::create_dir_all(&dir).expect("log dir");
    dir
}

/// Fails the test when `text` holds any of the suite's secrets or API key.
pub fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "a secret leaked into the output:\n{text}"
        );
    }
}

/// Runs `nfehook` to its end, without NFEHOOK_* from the environment, and checks it leaked
/// no secret.
pub fn nfehook(args: &[&str]) -> Output {
    nfehook_with_env(args, &[])
}

/// [`nfehook`] with extra environment variables.
pub fn nfehook_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nfehook"));
    command
        .args(args)
        .env_remove("NFEHOOK_SECRET")
        .env_remove("NFEHOOK_API_KEY")
        .env_remove("NFEHOOK_BASE_URL")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run nfehook");
    assert_no_secret(&String::from_utf8_lossy(&output.stdout));
    assert_no_secret(&String::from_utf8_lossy(&output.stderr));
    output
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A long-running `nfehook` (listen, sandbox) in its own process group, its output in files;
/// ended with SIGTERM (then SIGKILL) and waited for when dropped, whatever the outcome.
pub struct Child {
    child: std::process::Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Child {
    /// Starts `nfehook args…`.
    pub fn spawn(name: &str, args: &[&str]) -> Self {
        use std::os::unix::process::CommandExt as _;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let base = log_dir().join(format!("{name}-{}-{n}", std::process::id()));
        let stdout = base.with_extension("out");
        let stderr = base.with_extension("err");
        let child = Command::new(env!("CARGO_BIN_EXE_nfehook"))
            .args(args)
            .env_remove("NFEHOOK_SECRET")
            .env_remove("NFEHOOK_API_KEY")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).expect("stdout log"))
            .stderr(std::fs::File::create(&stderr).expect("stderr log"))
            .process_group(0)
            .spawn()
            .expect("spawn nfehook");
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// Standard output so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// Standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until standard error holds `listening on http://127.0.0.1:<port>/` and returns
    /// that URL.
    pub fn url(&mut self) -> String {
        self.url_in(false)
    }

    /// Waits until standard output (`true`) or error holds `listening on <url>`.
    pub fn url_in(&mut self, out: bool) -> String {
        const READY: &str = "listening on http://127.0.0.1:";
        let text = self.wait_stream(out, |text| text.contains(READY));
        let start = text.find(READY).expect("url") + "listening on ".len();
        text[start..]
            .split(|c: char| c.is_whitespace() || c == ')')
            .next()
            .expect("url")
            .trim_end_matches('/')
            .to_owned()
    }

    /// Waits until standard output has `n` lines, and returns them.
    pub fn lines(&mut self, n: usize) -> Vec<String> {
        self.wait_stream(true, |text| text.lines().count() >= n)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The `n` first lines of standard output as JSON.
    pub fn json_lines(&mut self, n: usize) -> Vec<serde_json::Value> {
        self.lines(n)
            .iter()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    fn wait_stream(&mut self, out: bool, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = if out { self.stdout() } else { self.stderr() };
            if done(&text) {
                return text;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "nfehook exited ({status}) before its output was complete:\n{}\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for nfehook's output:\n{}\n{}",
                self.stdout(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Ends the group and checks it exited cleanly and leaked no secret.
    pub fn stop(mut self) {
        let status = self.end();
        assert_no_secret(&self.stdout());
        assert_no_secret(&self.stderr());
        assert!(
            status.is_some_and(|s| s.success()),
            "nfehook did not exit cleanly: {status:?}\n{}",
            self.stderr()
        );
    }

    fn end(&mut self) -> Option<std::process::ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let group = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.child.wait();
        None
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.end();
    }
}

/// A tokio runtime of the test's own, on which the in-process servers run while the test
/// thread waits on children.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// An in-memory sandbox on 127.0.0.1 with the suite's API key, fast retries, and `limit`
/// requests per hour when given.
pub fn sandbox(
    rt: &tokio::runtime::Runtime,
    limit: Option<u32>,
) -> nfehook_sandbox::RunningSandbox {
    sandbox_with_window(rt, limit, Duration::from_secs(3600))
}

/// [`sandbox`] with a rate-limit window of `window`.
pub fn sandbox_with_window(
    rt: &tokio::runtime::Runtime,
    limit: Option<u32>,
    window: Duration,
) -> nfehook_sandbox::RunningSandbox {
    rt.block_on(async {
        let mut builder = nfehook_sandbox::Sandbox::builder()
            .bind("127.0.0.1:0")
            .in_memory()
            .api_key(API_KEY)
            .max_attempts(1)
            .backoff_base(Duration::from_millis(50));
        if let Some(limit) = limit {
            builder = builder.rate_limit(nfehook_sandbox::RateLimit::new(limit, window));
        }
        builder.start().await.expect("sandbox")
    })
}

/// An inspector standing in for the user's app, answering `status` with `body`.
pub fn app(
    rt: &tokio::runtime::Runtime,
    status: u16,
    body: &str,
) -> nfehook_inspector::RunningInspector {
    rt.block_on(async {
        nfehook_inspector::Inspector::builder()
            .bind("127.0.0.1:0")
            .response(nfehook_inspector::ResponseConfig {
                status,
                body: body.to_owned(),
                ..nfehook_inspector::ResponseConfig::default()
            })
            .start()
            .await
            .expect("app")
    })
}

/// Waits until `inspector` has recorded `n` requests, and returns them oldest first.
pub fn recorded(
    inspector: &nfehook_inspector::RunningInspector,
    n: usize,
) -> Vec<nfehook_inspector::RecordedRequest> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let requests = inspector.requests();
        if requests.len() >= n {
            return requests.into_iter().rev().collect();
        }
        assert!(
            Instant::now() < deadline,
            "the app got {} of {n} requests",
            requests.len()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// POSTs `body` with `headers` and returns the status and body of the answer.
pub fn post(
    rt: &tokio::runtime::Runtime,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    rt.block_on(async {
        let mut request = reqwest::Client::new().post(url).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("post");
        let status = response.status().as_u16();
        (status, response.text().await.expect("answer"))
    })
}

/// A valid NF-e key of the sample issuer with number `numero`.
pub fn valid_key(numero: u32) -> String {
    let first_43 = format!("3526121122233300018155001{numero:09}112345678");
    let digit = nfehook_core::chave::check_digit(first_43.as_bytes());
    format!("{first_43}{digit}")
}

/// The current time as an event timestamp.
fn now() -> nfehook_core::Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    nfehook_core::Timestamp::from_unix(i64::try_from(secs).expect("time"))
}

/// A subscription delivery body produced now.
pub fn subscription_body(id: &str) -> String {
    let now = now();
    format!(
        r#"{{"id":"{id}","event":"nfe.processada","timestamp":"{now}","data":{{"nfeChave":"{MOC_KEY}","status":"processada","valor":1500.00}}}}"#
    )
}

/// An account webhook body produced now.
pub fn account_body() -> String {
    let now = now();
    format!(
        r#"{{"evento":"nfe.consulta.concluida","timestamp":"{now}","dados":{{"chave_nfe":"{MOC_KEY}","status":"autorizada","tipo_consulta":"completa"}}}}"#
    )
}
