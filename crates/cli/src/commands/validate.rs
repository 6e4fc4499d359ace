//! The `validate` command: judges webhook payloads, from files, directories,
//! NDJSON streams and `listen --record` files, against the OpenAPI document.
//!
//! Large inputs are read in ordered chunks and each chunk is validated on
//! all cores, so results come out in input order while memory stays bounded
//! by the chunk size, not the input size.

mod input;
mod output;

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::Value;
use whereby_webhooks_conformance::{Issue, IssueKind, Report, Validator};

use crate::args::SpecArgs;
use crate::exit::Exit;
use crate::record::{Record, RecordedBody};

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

    #[command(flatten)]
    spec: SpecArgs,

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
    let validator = args.spec.validator()?;

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
    // Parse once here, as `validate_bytes` does (checking UTF-8 first spares
    // the parser checking every string); on failure `validate_bytes` says
    // precisely why.
    let Some(value) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
    else {
        return validator.validate_bytes(bytes);
    };
    match Record::from_value(&value) {
        Some(record) => judge_record(validator, &record),
        None => validator.validate_value(&value),
    }
}

/// Validates the body of a line written by `listen --record`, and reports
/// a delivery that was refused as such, whatever its body.
fn judge_record(validator: &Validator, record: &Record) -> Report {
    let mut report = match record.body() {
        RecordedBody::Exact(raw) | RecordedBody::Reserialised(raw) => {
            validator.validate_bytes(&raw)
        }
        RecordedBody::Missing => Report {
            event_type: None,
            errors: Vec::new(),
        },
    };
    let note = |message: String| Issue {
        instance_path: String::new(),
        schema_path: String::new(),
        message,
        kind: IssueKind::Schema,
    };
    if let Some(refusal) = record.refusal() {
        report
            .errors
            .insert(0, note(format!("this line records {refusal}")));
    } else if matches!(record.body(), RecordedBody::Missing) {
        report.errors.push(note(
            "this line records no body to validate (only its first bytes were kept)".to_owned(),
        ));
    }
    report
}
