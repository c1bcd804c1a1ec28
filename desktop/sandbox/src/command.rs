//! The sandbox as a command: its flags ([`ServeArgs`], a `clap::Args` that the
//! `nfehook-sandbox` binary and `nfehook sandbox` both flatten) and [`serve`], which runs it
//! until Ctrl-C or SIGTERM.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use crate::{DEFAULT_BIND, DispatchConfig, RateLimit, Result, Sandbox};

/// Flags of the sandbox server. `Debug` never shows the API key.
#[derive(Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on, host:port (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_BIND)]
    pub listen: String,

    /// SQLite database file (created when missing); subscriptions and pending deliveries
    /// survive restarts.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "nfehook-sandbox.db",
        conflicts_with = "in_memory"
    )]
    pub db: PathBuf,

    /// Keep everything in memory instead of a file (lost on exit).
    #[arg(long)]
    pub in_memory: bool,

    /// API key clients must send in X-API-KEY. When absent, a random key is generated and
    /// printed once on stdout (it changes on every start).
    #[arg(
        long,
        value_name = "KEY",
        env = "NFEHOOK_SANDBOX_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,

    /// Rate limit of the Subscriptions API: requests allowed per window (0 = no limit).
    /// Requests beyond it get 429 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub rate_limit: u32,

    /// Length of the rate-limit window, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub rate_window_secs: u64,

    /// Delivery attempts in all for one event and subscription.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_attempts: u32,

    /// Wait after the first failed attempt, in milliseconds; doubled after each further one.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub backoff_ms: u64,

    /// Time a receiver has to answer one attempt, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub timeout_ms: u64,

    /// Deliveries attempted at the same time, at most.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub concurrency: usize,

    /// Log filter (error, warn, info, debug, trace, or a tracing directive such as
    /// `nfehook_sandbox=debug`); RUST_LOG is used when this is absent.
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
}

impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("listen", &self.listen)
            .field("db", &self.db)
            .field("in_memory", &self.in_memory)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("rate_limit", &self.rate_limit)
            .field("rate_window_secs", &self.rate_window_secs)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_ms", &self.backoff_ms)
            .field("timeout_ms", &self.timeout_ms)
            .field("concurrency", &self.concurrency)
            .field("log", &self.log)
            .finish()
    }
}

/// Logs to standard error, filtered by `filter` or else `RUST_LOG` (default `info`); a
/// subscriber already set is kept.
fn init_logs(filter: Option<&str>) {
    let filter = match filter {
        Some(text) => tracing_subscriber::EnvFilter::new(text),
        None => tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .ok();
}

/// Resolves when SIGINT or SIGTERM arrives.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(signal) => signal,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; only Ctrl-C stops the sandbox");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => tracing::info!("SIGINT received, stopping"),
            _ = terminate.recv() => tracing::info!("SIGTERM received, stopping"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
        tracing::info!("Ctrl-C received, stopping");
    }
}

/// Starts the sandbox with `args`, prints `<program> listening on <url>` on standard output
/// (and the generated API key, when none was given), serves until Ctrl-C or SIGTERM, and
/// stops cleanly.
///
/// # Errors
/// What [`SandboxBuilder::start`](crate::SandboxBuilder::start) or
/// [`RunningSandbox::shutdown`](crate::RunningSandbox::shutdown) fail with.
pub async fn serve(args: ServeArgs, program: &str) -> Result<()> {
    init_logs(args.log.as_deref());

    let mut builder = Sandbox::builder()
        .bind(args.listen.clone())
        .dispatch(DispatchConfig {
            max_attempts: args.max_attempts,
            backoff_base: Duration::from_millis(args.backoff_ms),
            attempt_timeout: Duration::from_millis(args.timeout_ms),
            concurrency: args.concurrency,
        });
    builder = if args.in_memory {
        builder.in_memory()
    } else {
        builder.db_path(&args.db)
    };
    if args.rate_limit > 0 {
        builder = builder.rate_limit(RateLimit::new(
            args.rate_limit,
            Duration::from_secs(args.rate_window_secs),
        ));
    }
    let generated = args.api_key.is_none();
    if let Some(key) = args.api_key {
        builder = builder.api_key(key);
    }

    let sandbox = builder.start().await.inspect_err(|err| {
        tracing::error!(error = %err, "cannot start the sandbox");
    })?;
    {
        let mut out = std::io::stdout().lock();
        if generated {
            // Shown once, on stdout only: logs never carry the key.
            let _ = writeln!(
                out,
                "API key (generated for this run): {}",
                sandbox.api_key()
            );
        }
        let _ = writeln!(out, "{program} listening on {}", sandbox.base_url());
        let _ = out.flush();
    }

    stop_signal().await;
    sandbox.shutdown().await.inspect_err(|err| {
        tracing::error!(error = %err, "sandbox stopped with an error");
    })
}
