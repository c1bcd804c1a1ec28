//! `nfehook-sandbox`: the local ValidaNFe webhook API as a command.

use std::process::ExitCode;

use clap::Parser;

/// Local sandbox of the ValidaNFe webhook API: the Subscriptions API (subscriptions and NF-e
/// keys) and signed webhook deliveries with retries, kept in SQLite.
///
/// It prints `nfehook-sandbox listening on http://<addr>` on stdout when ready, logs to
/// stderr, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM. Pending deliveries are kept in the
/// database and resumed on the next start.
#[derive(Debug, Parser)]
#[command(name = "nfehook-sandbox", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    args: nfehook_sandbox::command::ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match nfehook_sandbox::command::serve(cli.args, "nfehook-sandbox").await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("nfehook-sandbox: {err}");
            ExitCode::FAILURE
        }
    }
}
