#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod api;
mod chave;
mod error;
mod http;
mod import;
mod listen;
mod output;
mod signature;
mod trigger;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{CliError, Result};

/// Receives, forwards, signs and verifies ValidaNFe webhook deliveries and checks NF-e
/// access keys.
///
/// Exit codes: 0 ok, 1 a signature, delivery or key does not verify, 2 bad usage or
/// unreadable input, 3 an API, network or server error.
#[derive(Parser)]
#[command(name = "nfehook", version, about, long_about)]
struct Cli {
    /// Print machine-readable JSON (one object per line) instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Receives deliveries on 127.0.0.1, verifies each and prints one line per request;
    /// with --forward-to, passes them on to your app.
    Listen(listen::ListenArgs),
    /// Sends a realistic signed event once to a receiver (--to), or triggers it through the
    /// sandbox (--sandbox).
    Trigger(trigger::TriggerArgs),
    /// Prints the signature header value (`sha256=…`) of a body.
    Sign(signature::SignArgs),
    /// Checks a signature header value against a raw body.
    Verify(signature::VerifyArgs),
    /// Validates NF-e access keys (chaves de acesso) and shows their fields.
    Chave(chave::ChaveArgs),
    /// Lists, shows, creates, updates and deletes webhook subscriptions.
    Subscriptions(api::SubscriptionsArgs),
    /// Lists, adds, removes and imports (from a file) the NF-e keys of a subscription.
    Chaves(api::ChavesArgs),
    /// Runs the local ValidaNFe sandbox (the same flags as `nfehook-sandbox`) until Ctrl-C.
    Sandbox(nfehook_sandbox::command::ServeArgs),
}

/// A runtime for the commands that do network I/O.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| CliError::Server(format!("cannot start the async runtime: {error}")))
}

fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Listen(args) => runtime()?.block_on(listen::run(args, json)),
        Command::Trigger(args) => runtime()?.block_on(trigger::run(args, json)),
        Command::Sign(args) => signature::sign(&args, json),
        Command::Verify(args) => signature::verify(&args, json),
        Command::Chave(args) => chave::run(&args, json),
        Command::Subscriptions(args) => runtime()?.block_on(api::subscriptions(args, json)),
        Command::Chaves(args) => runtime()?.block_on(api::chaves(args, json)),
        Command::Sandbox(args) => runtime()?
            .block_on(nfehook_sandbox::command::serve(args, "nfehook sandbox"))
            .map_err(|error| CliError::Server(format!("sandbox: {error}"))),
    }
}

/// Turns any panic into one line on standard error, and a closed standard output (`nfehook …
/// | head`) into a quiet exit, since `println!` panics when the reader has gone.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("unknown");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!("nfehook: internal error: {message}");
    }));
}

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if error.already_reported() && json {
                // Each item's verdict is already a JSON line on standard output.
            } else if json {
                println!(
                    "{}",
                    serde_json::json!({ "error": error.to_string(), "kind": error.kind() })
                );
            } else {
                eprintln!("nfehook: {error}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}
