//! The `validate` command: judges webhook payloads, from files, directories,
//! NDJSON streams and `listen --record` files, against the OpenAPI document.
//!
//! Large inputs are read in ordered chunks and each chunk is validated on
//! all cores, so results come out in input order while memory stays bounded
//! by the chunk size, not the input size.

mod input;
mod output;

use std::path::PathBuf;

use anyhow::Context as _;
use base64::Engine as _;
use rayon::prelude::*;
use serde_json::Value;
use whereby_webhooks_conformance::{Options, Report, Validator};

use crate::exit::Exit;

use self::input::{Entry, Reader};
use self::output::{Format, Printer, Progress};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Inputs: a `*.json` file is one event; a `*.ndjson` or `*.jsonl` file is one event per line \
(blank lines skipped); directories are searched recursively for both, in name order; `-` reads \
NDJSON from standard input. Lines recorded by `listen --record` are recognised and their `body` \
is validated.

Exit status: 0 all valid, 1 some sample invalid or unparsable, 2 usage or I/O error (results of \
the readable inputs are still reported).")]
pub struct Args {
    /// Files, directories or `-` (standard input, NDJSON)
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,

    /// Validate against this OpenAPI 3.1 document (JSON or YAML) instead of the embedded one
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,

    /// Report properties the spec does not describe
    #[arg(long)]
    strict: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Print nothing for valid samples (human: invalid samples and the summary; json: only
    /// invalid samples)
    #[arg(long, short)]
    quiet: bool,
}

/// How many samples are read before they are validated together.
const CHUNK_SAMPLES: usize = 8192;
/// How many bytes of samples are read before they are validated together.
const CHUNK_BYTES: usize = 16 << 20;

/// Runs `validate`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let options = Options {
        strict: args.strict,
    };
    let validator = match &args.spec {
        Some(path) => Validator::from_path(path, options),
        None => Validator::embedded(options),
    }
    .context("cannot load the spec")?;

    let mut io_failed = false;
    let inputs = input::expand(&args.paths, &mut |message| {
        io_failed = true;
        eprintln!("error: {message}");
    });
    let progress = Progress::new(inputs.iter().map(input::Input::size).sum());
    let mut printer = Printer::new(args.format, args.quiet);
    let mut reader = Reader::new(inputs);
    let mut chunk = reader.next_chunk(CHUNK_SAMPLES, CHUNK_BYTES);
    while !chunk.entries.is_empty() {
        // Read the next chunk while this one is validated.
        let (reports, next) = rayon::join(
            || {
                chunk
                    .entries
                    .par_iter()
                    .map(|entry| match entry {
                        Entry::Sample { range, .. } => Some(judge(&validator, chunk.sample(range))),
                        Entry::Failed(_) => None,
                    })
                    .collect::<Vec<_>>()
            },
            || reader.next_chunk(CHUNK_SAMPLES, CHUNK_BYTES),
        );
        progress.suspend(|| -> anyhow::Result<()> {
            for (entry, report) in chunk.entries.iter().zip(&reports) {
                match (entry, report) {
                    (Entry::Sample { source, .. }, Some(report)) => {
                        printer.sample(source, report)?;
                    }
                    (Entry::Failed(message), _) => {
                        io_failed = true;
                        printer.flush()?;
                        eprintln!("error: {message}");
                    }
                    (Entry::Sample { .. }, None) => {}
                }
            }
            printer.flush()?;
            Ok(())
        })?;
        progress.advance((chunk.bytes.len() + chunk.entries.len()) as u64);
        chunk = next;
    }
    progress.finish();
    let (valid, invalid) = printer.finish()?;
    if valid + invalid == 0 && !io_failed {
        eprintln!(
            "warning: no samples found; give .json, .ndjson or .jsonl files, or directories holding them"
        );
    }
    Ok(if io_failed {
        Exit::Usage
    } else if invalid > 0 {
        Exit::Invalid
    } else {
        Exit::Success
    })
}

/// Validates one sample: a payload, or a line of a `listen --record` file,
/// whose `body` is the payload.
fn judge(validator: &Validator, bytes: &[u8]) -> Report {
    // Parse once here, exactly as `validate_bytes` does (duplicate keys
    // refused).
    let value = match whereby_webhooks_conformance::parse_payload(bytes) {
        Ok(value) => value,
        Err(issue) => return Report::failed(None, *issue),
    };
    match recorded_body(&value) {
        Some(Recorded::Json(body)) => validator.validate_value(body),
        Some(Recorded::Raw(raw)) => validator.validate_bytes(&raw),
        None => validator.validate_value(&value),
    }
}

/// The body of a recorded delivery.
enum Recorded<'a> {
    /// A body that was JSON, parsed.
    Json(&'a Value),
    /// A body that was not JSON, as its bytes.
    Raw(Vec<u8>),
}

/// The `body` of a line written by `listen --record`: an object with `body`
/// and `received_at` and no `type` of its own. A string `body` is the raw
/// text of a body that was not JSON, base64-encoded when
/// `"body_encoding": "base64"` says the bytes were not UTF-8 either.
fn recorded_body(value: &Value) -> Option<Recorded<'_>> {
    let object = value.as_object()?;
    if object.contains_key("type") || !object.contains_key("received_at") {
        return None;
    }
    Some(match object.get("body")? {
        Value::String(text) if object.get("body_encoding") == Some(&Value::from("base64")) => {
            Recorded::Raw(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_else(|_| text.clone().into_bytes()),
            )
        }
        Value::String(text) => Recorded::Raw(text.clone().into_bytes()),
        body => Recorded::Json(body),
    })
}
