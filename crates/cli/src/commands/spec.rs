//! The `spec` command: prints the OpenAPI document this build validates
//! against, so that other tools can use exactly the same contract; or, with
//! `--as-of`, the contract as it stood on a date.

use std::io::Write as _;

use anyhow::Context as _;
use whereby_webhooks_conformance::{EMBEDDED_SPEC, EMBEDDED_SPEC_YAML, history};

use crate::exit::Exit;

/// Arguments of `spec`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With --as-of, the document keeps only what Whereby had documented by DATE (each webhook's, \
property's and value's `x-since`), so `diff <(whereby-webhooks spec --as-of A) \
<(whereby-webhooks spec --as-of B)` tells what changed between two dates. A date before the \
docs' history begins (2022-04-01) gives the earliest contract, with a note.")]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,

    /// Print the contract as it stood on DATE (YYYY-MM-DD), as JSON
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<String>,
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

fn parse_date(text: &str) -> Result<String, String> {
    history::parse_date(text)
        .map(str::to_owned)
        .map_err(|error| error.to_string())
}

/// Runs `spec`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let dated;
    let text = match (&args.as_of, args.format) {
        (Some(_), Format::Yaml) => {
            eprintln!(
                "error: --as-of prints JSON only; leave out --format yaml, and convert the JSON if you need YAML"
            );
            return Ok(Exit::Usage);
        }
        (Some(date), Format::Json) => {
            let today: serde_json::Value =
                serde_json::from_str(EMBEDDED_SPEC).context("cannot read the embedded spec")?;
            let then = history::as_of(&today, date)?;
            if let Some(note) = &then.note {
                eprintln!("note: {note}");
            }
            dated = serde_json::to_string_pretty(&then.document)?;
            dated.as_str()
        }
        (None, Format::Json) => EMBEDDED_SPEC,
        (None, Format::Yaml) => EMBEDDED_SPEC_YAML,
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    Ok(Exit::Success)
}
