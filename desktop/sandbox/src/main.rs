//! `nfehook-sandbox`: the local ValidaNFe webhook API as a command.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use nfehook_sandbox::{DEFAULT_BIND, DispatchConfig, RateLimit, Sandbox};

/// Local sandbox of the ValidaNFe webhook API: the Subscriptions API (subscriptions and NF-e
/// keys) and signed webhook deliveries with retries, kept in SQLite.
///
/// It prints `nfehook-sandbox listening on http://<addr>` on stdout when ready, logs to
/// stderr, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM. Pending deliveries are kept in the
/// database and resumed on the next start.
#[derive(Debug, Parser)]
#[command(name = "nfehook-sandbox", version, about, long_about)]
struct Args {
    /// Address to listen on, host:port (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_BIND)]
    listen: String,

    /// SQLite database file (created when missing); subscriptions and pending deliveries
    /// survive restarts.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "nfehook-sandbox.db",
        conflicts_with = "in_memory"
    )]
    db: PathBuf,

    /// Keep everything in memory instead of a file (lost on exit).
    #[arg(long)]
    in_memory: bool,

    /// API key clients must send in X-API-KEY. When absent, a random key is generated and
    /// printed once on stdout (it changes on every start).
    #[arg(
        long,
        value_name = "KEY",
        env = "NFEHOOK_SANDBOX_API_KEY",
        hide_env_values = true
    )]
    api_key: Option<String>,

    /// Rate limit of the Subscriptions API: requests allowed per window (0 = no limit).
    /// Requests beyond it get 429 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limit: u32,

    /// Length of the rate-limit window, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    rate_window_secs: u64,

    /// Delivery attempts in all for one event and subscription.
    #[arg(long, value_name = "N", default_value_t = 3)]
    max_attempts: u32,

    /// Wait after the first failed attempt, in milliseconds; doubled after each further one.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    backoff_ms: u64,

    /// Time a receiver has to answer one attempt, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    timeout_ms: u64,

    /// Deliveries attempted at the same time, at most.
    #[arg(long, value_name = "N", default_value_t = 16)]
    concurrency: usize,

    /// Log filter (error, warn, info, debug, trace, or a tracing directive such as
    /// `nfehook_sandbox=debug`); RUST_LOG is used when this is absent.
    #[arg(long, value_name = "FILTER")]
    log: Option<String>,
}

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
        .init();
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

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
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

    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            tracing::error!(error = %err, "cannot start the sandbox");
            eprintln!("nfehook-sandbox: {err}");
            return ExitCode::FAILURE;
        }
    };
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
        let _ = writeln!(out, "nfehook-sandbox listening on {}", sandbox.base_url());
        let _ = out.flush();
    }

    stop_signal().await;
    match sandbox.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "sandbox stopped with an error");
            ExitCode::FAILURE
        }
    }
}
