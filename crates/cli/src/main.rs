//! `whereby-webhooks`: validate, sign, verify, send and receive Whereby
//! webhooks against the published contract.
//!
//! The binary is thin: it parses arguments and hands each command to its
//! module, which uses the model, conformance and signature crates.

mod client;
mod commands;
mod exit;
mod secrets;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::Exit;

/// Validate, sign, verify, send and receive Whereby webhooks against the
/// published OpenAPI 3.1 contract.
#[derive(Debug, Parser)]
#[command(name = "whereby-webhooks", version, about, long_about = None)]
#[command(
    after_help = "Exit status: 0 success, 1 invalid input (a payload or signature), 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate webhook payloads (files, directories, NDJSON, stdin) against the spec
    Validate(commands::validate::Args),
    /// Print the embedded OpenAPI document
    Spec(commands::spec::Args),
    /// Print example events as NDJSON
    Examples(commands::examples::Args),
    /// Print a Whereby-Signature header value for a body
    Sign(commands::sign::Args),
    /// Verify a Whereby-Signature header against a body
    Verify(commands::verify::Args),
    /// Sign and POST an event to a receiver
    Send(commands::send::Args),
    /// Run a local receiver that verifies and validates every delivery
    Listen(commands::listen::Args),
    /// Compare two versions of the spec and tell which changes break receivers
    Diff(commands::diff::Args),
    /// Grade a receiver with real-looking authentic and forged deliveries
    CheckReceiver(commands::check_receiver::Args),
}

fn run() -> anyhow::Result<Exit> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with success, usage errors to stderr.
            let _ = err.print();
            return Ok(if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            });
        }
    };
    match cli.command {
        Command::Validate(args) => commands::validate::run(args),
        Command::Spec(args) => commands::spec::run(args),
        Command::Examples(args) => commands::examples::run(args),
        Command::Sign(args) => commands::sign::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Send(args) => commands::send::run(args),
        Command::Listen(args) => commands::listen::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::CheckReceiver(args) => commands::check_receiver::run(args),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(exit) => exit.into(),
        Err(err) => {
            if exit::is_broken_pipe(&err) {
                return Exit::Success.into();
            }
            eprintln!("error: {err:#}");
            Exit::Usage.into()
        }
    }
}
