//! The `spec` command: prints the OpenAPI document this build validates
//! against, so that other tools can use exactly the same contract.

use std::io::Write as _;

use whereby_webhooks_conformance::{EMBEDDED_SPEC, EMBEDDED_SPEC_YAML};

use crate::exit::Exit;

/// Arguments of `spec`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// How the document is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The embedded JSON text, byte for byte.
    Json,
    /// The embedded YAML text, byte for byte: the published
    /// `spec/openapi.yaml`, quoted so that YAML 1.1 and 1.2 readers agree.
    Yaml,
}

/// Runs `spec`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let text = match args.format {
        Format::Json => EMBEDDED_SPEC,
        Format::Yaml => EMBEDDED_SPEC_YAML,
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    Ok(Exit::Success)
}
