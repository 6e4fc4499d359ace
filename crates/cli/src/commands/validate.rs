//! The `validate` command: judges webhook payloads, from files, directories,
//! NDJSON streams and `listen --record` files, against the OpenAPI document.
//!
//! Large inputs are read in ordered chunks and each chunk is validated on
//! all cores, so results come out in input order while memory stays bounded
//! by the chunk size, not the input size.

pub(crate) mod input;
mod output;

use std::io::IsTerminal as _;
use std::path::PathBuf;

use rayon::prelude::*;
use whereby_webhooks_conformance::escape::{lines_safe, message_safe};
use whereby_webhooks_conformance::{Issue, IssueKind, Report, Validator};
use whereby_webhooks_signature::{EventAt, Scheme};

use crate::args::{AsOfArgs, ProfileArgs, SpecArgs};
use crate::exit::Exit;
use crate::record::{Record, RecordedBody};

use self::input::{Chunk, Entry, Reader, Source};
use self::output::{Format, Printer, Progress};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Inputs: a `*.json` file is one event; a `*.ndjson` or `*.jsonl` file is one event per line \
(blank lines skipped); directories are searched recursively for both, in name order, skipping \
the symbolic links inside them unless --follow-symlinks is given; `-` reads \
standard input as one JSON document when it starts with `{` and is one (a pretty-printed event), \
as NDJSON otherwise, and the summary says which. Lines recorded by `listen --record` are \
recognised and their `body` is validated. Only JSON is read: convert YAML first. A UTF-8 byte \
order mark is skipped with a warning. A sample (a file, or a line) over --max-size is reported \
as too large without being read further.

With --profile github, the event is named by the X-GitHub-Event header and the body's `action`, and \
payloads are validated as the document's webhook of that name (`issues` and `opened`: `issues-opened`): \
give --event for bare payloads; a `listen --record` line carries its header.

Exit status: 0 all valid, 1 some sample invalid, unparsable or too large, 2 usage or I/O error, \
or no samples found (results of the readable inputs are still reported).")]
pub struct Args {
    /// Files, directories or `-` (standard input: one JSON document or NDJSON)
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    spec: SpecArgs,

    #[command(flatten)]
    as_of: AsOfArgs,

    #[command(flatten)]
    profile: ProfileArgs,

    /// The event of every bare payload, for profiles that name it in a
    /// header (github: the X-GitHub-Event value, such as `issues`)
    #[arg(long, value_name = "NAME")]
    event: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Print nothing for valid samples (human: invalid samples and the summary; json: only
    /// invalid samples)
    #[arg(long, short)]
    quiet: bool,

    /// The largest sample read, in bytes or with KiB, MiB or GiB; larger ones are reported as
    /// too large (kind `too_large`). A line of a `listen --record` file holds more than the body:
    /// raise this for bodies near listen's --max-body
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = crate::args::parse_size)]
    max_size: u64,

    /// Follow the symbolic links inside directories, wherever they point (outside the directory
    /// too), reading each file and directory once. Without it they are skipped, with a note
    #[arg(long)]
    follow_symlinks: bool,
}

/// How many samples are read before they are validated together.
const CHUNK_SAMPLES: usize = 8192;
/// How many bytes of samples are read before they are validated together.
const CHUNK_BYTES: usize = 16 << 20;

/// Runs `validate`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let scheme = args.profile.scheme();
    let by_header = match scheme.event {
        EventAt::Header { header, .. } => Some(header),
        EventAt::BodyField(_) => None,
    };
    if by_header.is_none() && args.event.is_some() {
        anyhow::bail!(
            "--event is read with profiles that name the event in a header (github); the {} profile names it in the body",
            scheme.name
        );
    }
    let named = by_header.map(|header| Named {
        scheme,
        header,
        event: args.event.as_deref(),
    });
    let validator = args.spec.validator_as_of(args.as_of.as_of.as_ref())?;

    let mut io_failed = false;
    let expanded = input::expand(&args.paths, args.follow_symlinks, &mut |message| {
        io_failed = true;
        eprintln!("error: {}", lines_safe(&message));
    });
    if let Some((count, first)) = &expanded.links_skipped {
        let (links, them) = if *count == 1 {
            ("symbolic link", "it points")
        } else {
            ("symbolic links", "they point")
        };
        eprintln!(
            "note: skipped {count} {links} inside the directories read (the first {}): pass --follow-symlinks to read what {them} to",
            whereby_webhooks_conformance::escape::path(first)
        );
    }
    if let Some((count, first, ancestor)) = &expanded.loops_skipped {
        let links = if *count == 1 {
            "symbolic link"
        } else {
            "symbolic links"
        };
        eprintln!(
            "note: skipped {count} {links} back to a directory above (the first {}, a loop back to {}): its files are read once",
            whereby_webhooks_conformance::escape::path(first),
            whereby_webhooks_conformance::escape::path(ancestor)
        );
    }
    let inputs = expanded.inputs;
    if inputs
        .iter()
        .any(|input| matches!(input, input::Input::Stdin))
        && std::io::stdin().is_terminal()
    {
        eprintln!("reading events from standard input (end with Ctrl-D)");
    }
    let progress = Progress::new(inputs.iter().map(input::Input::size).sum(), args.format);
    // Validating recurses through the schemas (see VALIDATION_STACK): the
    // worker threads get the stack it needs. The pool is built once; a
    // second call keeps the first.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(whereby_webhooks_conformance::VALIDATION_STACK)
        .build_global();
    let mut printer = Printer::new(args.format, args.quiet);
    let mut reader = Reader::new(inputs, args.max_size);
    let mut chunk = reader.next_chunk(CHUNK_SAMPLES, CHUNK_BYTES);
    // The chunk before last, whose memory the next read reuses.
    let mut spare = Chunk {
        bytes: Vec::with_capacity(chunk.bytes.capacity()),
        entries: Vec::new(),
    };
    while !chunk.entries.is_empty() {
        // Read the next chunk while this one is validated.
        let (reports, next) = rayon::join(
            || {
                chunk
                    .entries
                    .par_iter()
                    .map(|entry| match entry {
                        Entry::Sample { source, range } => Some(match &named {
                            Some(named) => named.judge(&validator, chunk.sample(range)),
                            None => judge(&validator, source, chunk.sample(range)),
                        }),
                        Entry::Refused { issue, .. } => Some(Report {
                            event_type: None,
                            errors: vec![issue.clone()],
                        }),
                        Entry::Warning(_) | Entry::Failed(_) => None,
                    })
                    .collect::<Vec<_>>()
            },
            || reader.refill(spare, CHUNK_SAMPLES, CHUNK_BYTES),
        );
        progress.suspend(|| -> anyhow::Result<()> {
            for (entry, report) in chunk.entries.iter().zip(&reports) {
                match (entry, report) {
                    (
                        Entry::Sample { source, .. } | Entry::Refused { source, .. },
                        Some(report),
                    ) => {
                        printer.sample(source, report)?;
                    }
                    (Entry::Failed(message), _) => {
                        io_failed = true;
                        printer.flush()?;
                        eprintln!("error: {}", lines_safe(message));
                    }
                    (Entry::Warning(message), _) => {
                        printer.flush()?;
                        eprintln!("warning: {}", lines_safe(message));
                    }
                    (Entry::Sample { .. } | Entry::Refused { .. }, None) => {}
                }
            }
            printer.flush()?;
            Ok(())
        })?;
        progress.advance((chunk.bytes.len() + chunk.entries.len()) as u64);
        spare = std::mem::replace(&mut chunk, next);
    }
    progress.finish();
    let (valid, invalid) = printer.finish(reader.stdin_as())?;
    if valid + invalid == 0 {
        let yaml = match expanded.yaml_skipped {
            0 => String::new(),
            1 => " (a YAML file was skipped: only JSON is read, convert it first)".to_owned(),
            n => format!(" ({n} YAML files were skipped: only JSON is read, convert them first)"),
        };
        eprintln!(
            "error: no samples found{yaml}; give .json, .ndjson or .jsonl files, directories holding them, or - for standard input"
        );
        return Ok(Exit::Usage);
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
fn judge(validator: &Validator, source: &Source, bytes: &[u8]) -> Report {
    // A valid event, decided without building a value; a record line is
    // never one (it has no `type`).
    if let Some(event_type) = validator.accepts(bytes) {
        return Report {
            event_type: Some(event_type.to_owned()),
            errors: Vec::new(),
        };
    }
    // A line written by `listen --record`, read without building a value
    // of it: what its body and issues hold is kept as text.
    match Record::from_slice(bytes) {
        Some(Ok(record)) => return judge_record(validator, &record),
        Some(Err(error)) => return Report::failed(None, malformed_record(&error)),
        None => {}
    }
    // Parse once here, exactly as `validate_bytes` does (duplicate keys
    // refused).
    let value = match whereby_webhooks_conformance::parse_payload(bytes) {
        Ok(value) => value,
        Err(issue) => {
            let mut report = Report::failed(None, *issue);
            if source.is_yaml() {
                hint(
                    &mut report,
                    "only JSON is read, and this file is named as YAML: convert it to JSON first",
                );
            }
            return report;
        }
    };
    // An array of events gets its NDJSON hint from the conformance crate.
    validator.validate_value(&value)
}

/// A line shaped like a `listen --record` line that does not read as one,
/// and why (`error`, as the record reader gave it).
fn malformed_record(error: &str) -> Issue {
    Issue::new(
        IssueKind::MalformedRecord,
        "",
        format!(
            "this line has the shape of a `listen --record` line (a \"received_at\", no \"type\") but does not read as one: {}",
            message_safe(error)
        ),
    )
}

/// Where a profile that names the event in a header finds it: `--event`
/// for bare payloads, the header of a record.
struct Named<'a> {
    scheme: &'static Scheme,
    header: &'static str,
    event: Option<&'a str>,
}

impl Named<'_> {
    /// Validates one sample as the webhook its event names.
    fn judge(&self, validator: &Validator, bytes: &[u8]) -> Report {
        match Record::from_slice(bytes) {
            Some(Ok(record)) => {
                let event = record
                    .headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(self.header))
                    .map(|(_, value)| value.as_ref());
                let mut report = match record.body() {
                    RecordedBody::Exact(raw) | RecordedBody::Reserialised(raw) => {
                        self.validate(validator, event, &raw, "the record has no ")
                    }
                    RecordedBody::Missing => Report {
                        event_type: None,
                        errors: vec![Issue::refused_delivery(&format!(
                            "no body to validate: {}",
                            record.why_no_body()
                        ))],
                    },
                };
                if let Some(refusal) = record.refusal() {
                    report.errors.insert(0, Issue::refused_delivery(&refusal));
                }
                report
            }
            Some(Err(error)) => Report::failed(None, malformed_record(&error)),
            None => self.validate(
                validator,
                self.event,
                bytes,
                "give --event NAME: a bare payload has no ",
            ),
        }
    }

    fn validate(
        &self,
        validator: &Validator,
        event: Option<&str>,
        bytes: &[u8],
        missing: &str,
    ) -> Report {
        let value = match whereby_webhooks_conformance::parse_payload(bytes) {
            Ok(value) => value,
            Err(issue) => return Report::failed(None, *issue),
        };
        match self.scheme.webhook_key(event, &value) {
            Some(key) => validator.validate_value_as(&key, &value),
            None => Report::failed(
                None,
                Issue::new(
                    IssueKind::MissingType,
                    "",
                    format!(
                        "no event: the {} profile names it in the {} header; {missing}{} header",
                        self.scheme.name, self.header, self.header
                    ),
                ),
            ),
        }
    }
}

/// Adds advice to the message of a report's issue about the whole payload.
fn hint(report: &mut Report, advice: &str) {
    if let Some(issue) = report
        .errors
        .iter_mut()
        .find(|issue| issue.instance_path.is_empty())
    {
        issue.message = format!("{}; {advice}", issue.message);
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
    if let Some(refusal) = record.refusal() {
        report.errors.insert(0, Issue::refused_delivery(&refusal));
    } else if matches!(record.body(), RecordedBody::Missing) {
        report.errors.push(Issue::refused_delivery(&format!(
            "no body to validate: {}",
            record.why_no_body()
        )));
    }
    report
}
