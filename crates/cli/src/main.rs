//! `whereby-webhooks`: validate, sign, verify, send and receive Whereby
//! webhooks against the published contract.
//!
//! The binary is thin: it parses arguments and hands each command to its
//! module, which uses the model, conformance and signature crates.

mod args;
mod body;
mod client;
mod commands;
mod exit;
mod ndjson;
mod progress;
mod record;
mod secrets;

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::exit::Exit;

/// Validate, sign, verify, send and receive Whereby webhooks against the
/// published OpenAPI 3.1 contract.
#[derive(Debug, Parser)]
#[command(name = "whereby-webhooks", version, about, long_about = None)]
#[command(after_help = "\
Examples:
  whereby-webhooks validate captured/                    check payloads against the spec
  cat event.json | whereby-webhooks validate -           one event, or NDJSON, on standard input
  whereby-webhooks examples room.client.joined           the spec's example events, as NDJSON
  whereby-webhooks listen --record deliveries.ndjson     a local receiver on 127.0.0.1:8787
  whereby-webhooks send http://127.0.0.1:8787/webhooks room.client.joined
  whereby-webhooks sign --body event.json                a Whereby-Signature header value
  whereby-webhooks <COMMAND> --help                      every flag of a command

Environment:
  WHEREBY_WEBHOOK_SECRET  the endpoint's signing secret, for sign, verify, send, listen, replay and
                          check-receiver (several separated by commas or spaces while rotating,
                          the current one first); --secret-file FILE reads them from a file instead

Exit status: 0 success, 1 invalid input (a payload, a signature, a receiver's non-2xx answer), 2 \
usage or I/O error.")]
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
    /// Send deliveries recorded by `listen --record` again, re-signed, to a receiver
    Replay(commands::replay::Args),
    /// Compare two versions of the spec and tell which changes break receivers
    Diff(commands::diff::Args),
    /// Grade a receiver with real-looking authentic and forged deliveries
    CheckReceiver(commands::check_receiver::Args),
}

/// What each command's exit status means, for the commands whose own help
/// does not say it already.
const EXIT_STATUSES: &[(&str, &str)] = &[
    ("spec", "Exit status: 0 printed, 2 I/O error."),
    (
        "examples",
        "Exit status: 0 printed, 2 usage error (an unknown event type).",
    ),
    (
        "listen",
        "Exit status: 0 stopped by Ctrl-C or SIGTERM, 2 cannot start (no secret, the address in \
use, a record file that cannot be opened).",
    ),
];

/// The command line's definition, with the exit statuses of every command
/// in its help.
fn command() -> clap::Command {
    let mut command = Cli::command();
    for (name, statuses) in EXIT_STATUSES {
        command = command.mut_subcommand(name, |sub| {
            let help = sub.get_after_help().map(ToString::to_string);
            match help {
                Some(help) if help.contains("Exit status") => sub,
                Some(help) => sub.after_help(format!("{help}\n\n{statuses}")),
                None => sub.after_help(*statuses),
            }
        });
    }
    command
}

fn run() -> anyhow::Result<Exit> {
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            // clap quotes a rejected value as given, escape sequences and
            // all, when it colours its message: with a control character on
            // the command line, the message goes out plain (no colours, no
            // sequences) and escaped.
            // A URL's password, which clap would quote as given, is
            // redacted, at the cost of the colours.
            let redacted = arguments_holding_credentials();
            if err.use_stderr() && (arguments_hold_controls() || !redacted.is_empty()) {
                let mut plain = err.render().to_string();
                for (argument, shown) in &redacted {
                    plain = plain.replace(argument.as_str(), shown);
                }
                let plain = client::redact_credentials(&plain);
                eprint!(
                    "{}",
                    whereby_webhooks_conformance::escape::lines_safe(&plain)
                );
                return Ok(Exit::Usage);
            }
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
        Command::Replay(args) => commands::replay::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::CheckReceiver(args) => commands::check_receiver::run(args),
    }
}

/// The command-line arguments that look like a URL with a user name or
/// password, or a query, in it, each with how it may be quoted.
fn arguments_holding_credentials() -> Vec<(String, String)> {
    std::env::args_os()
        .filter_map(|argument| {
            let argument = argument.to_string_lossy().into_owned();
            let shown = client::redact_argument(&argument);
            (shown != argument).then_some((argument, shown))
        })
        .collect()
}

/// Whether any command-line argument holds a character that could drive a
/// terminal.
fn arguments_hold_controls() -> bool {
    std::env::args_os().any(|argument| {
        argument
            .to_string_lossy()
            .chars()
            .any(whereby_webhooks_conformance::escape::is_terminal_control)
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(exit) => exit.into(),
        Err(err) => {
            if exit::is_broken_pipe(&err) {
                return Exit::Success.into();
            }
            eprintln!(
                "error: {}",
                whereby_webhooks_conformance::escape::lines_safe(&format!("{err:#}"))
            );
            Exit::Usage.into()
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every command's help says what its exit statuses mean.
    #[test]
    fn every_command_documents_its_exit_status() {
        let mut command = super::command();
        command.build();
        for sub in command.get_subcommands_mut() {
            if sub.get_name() == "help" {
                continue;
            }
            let help = sub.render_long_help().to_string();
            assert!(help.contains("Exit status"), "{}: {help}", sub.get_name());
        }
    }
}
