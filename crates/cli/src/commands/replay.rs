//! The `replay` command: send deliveries recorded by `listen --record`
//! again, to a receiver under development.
//!
//! Each selected delivery's exact recorded bytes are POSTed to URL, in the
//! order recorded, with `Content-Type` as recorded (else
//! `application/json`) and a fresh `Whereby-Signature` made with the current
//! time (the recorded signature is stale by then, and a receiver checking
//! timestamps would refuse it). Only deliveries whose signature held when
//! they were recorded (`verdict` `authentic`) are replayed: anyone who can
//! reach `listen` can send it a body, and re-signing that body with the
//! real secret would make it authentic. The others, and those whose body was
//! not kept whole, are listed as skipped. One line per delivery, with the
//! receiver's answer. A line that is not a record (a torn line left by a
//! crash) is listed as skipped too, and the records after it are replayed.
//! A line longer than any record (64 MiB) stops the run at once with its
//! place: what follows it may never end (`/dev/zero`, a pipe). The record
//! is read from standard input when given as `-`; one holding no record at
//! all (empty, or only blank lines) is an error, as nothing was sent.
//!
//! With `--profile`, each delivery is signed with that scheme's headers
//! instead (its id: the record's `webhook-id` or the body's `id`; GitHub's
//! `X-GitHub-Event` and `X-GitHub-Delivery`: the record's, else the body's
//! `type` and `id`).

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use whereby_webhooks_signature::{EventAt, HEADER_NAME, Message, Scheme, Secret, now_unix, sign};

use crate::args::ProfileArgs;
use crate::client::{self, MAX_TIMEOUT_SECS};
use crate::exit::Exit;
use crate::ndjson;
use crate::record::{Record, RecordedBody};
use crate::secrets::SecretArgs;
use whereby_webhooks_conformance::escape::terminal_safe;

/// The longest line read from a record file, its line break included.
const MAX_LINE: usize = 64 * 1024 * 1024;

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  whereby-webhooks replay deliveries.ndjson http://localhost:3000/webhooks --only-accepted
  whereby-webhooks replay deliveries.ndjson http://localhost:3000/webhooks --type room.session.ended
  whereby-webhooks replay --dry-run deliveries.ndjson http://localhost:3000/webhooks

A line that is not a record (a torn line left by a crash) is listed as skipped, and the records \
after it are still replayed.

Without --only-accepted, deliveries listen refused for their body (422, a duplicate key \
included) are replayed too, since their signature held.

Exit status: 0 every answer 2xx, 1 some answer not 2xx (or no answer) or some line not a record, \
2 usage or I/O error (an unreadable record file, a file with no record in it, a line over 64 MiB, \
filters that match no record, a receiver that cannot be reached on the first delivery).")]
pub struct Args {
    /// A file written by `listen --record`, or `-` for standard input
    #[arg(value_name = "RECORD")]
    record: PathBuf,

    /// Where to send the deliveries
    #[arg(value_name = "URL", value_parser = client::parse_url)]
    url: String,

    /// Only the deliveries that were answered 2xx when recorded
    #[arg(long)]
    only_accepted: bool,

    /// Only deliveries of this event type; repeatable
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,

    /// Only the delivery with this event id; repeatable
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<String>,

    /// Print what would be sent, send nothing (needs no secret)
    #[arg(long)]
    dry_run: bool,

    /// Seconds to wait for each answer (1 to 86400)
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS))]
    timeout: u64,

    #[command(flatten)]
    profile: ProfileArgs,

    #[command(flatten)]
    secrets: SecretArgs,
}

/// The headers `scheme` signs a recorded `body` with now: its id is the
/// record's id header, else the body's `id`; a scheme naming the event in a
/// header gets the record's, else the body's `type`.
fn signed_by(
    scheme: &Scheme,
    secret: &Secret,
    record: &Record<'_>,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let recorded = |name: &str| {
        record
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.to_string())
    };
    let value = serde_json::from_slice::<serde_json::Value>(body).ok();
    let field = |name: &str| {
        value
            .as_ref()
            .and_then(|value| value.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let id = scheme
        .id_header
        .and_then(recorded)
        .or_else(|| field("id"))
        .unwrap_or_default();
    let message = Message {
        id: Some(&id),
        timestamp: now_unix(),
        body,
    };
    let mut headers = scheme.sign(secret, &message);
    if let EventAt::Header { header, .. } = scheme.event {
        let event = recorded(header)
            .or_else(|| field("type"))
            .unwrap_or_else(|| "ping".to_owned());
        scheme.name_delivery(&mut headers, event, id);
    }
    headers
}

/// Runs `replay`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    // A dry run signs nothing; a secret given to it is still checked, so
    // that the run it rehearses does not fail on it.
    let secrets = if args.dry_run && !args.secrets.given() {
        Vec::new()
    } else if args.profile.is_default() {
        args.secrets.resolve()?
    } else {
        args.secrets.resolve_for(args.profile.scheme())?
    };
    let (reader, shown): (Box<dyn BufRead>, String) = if args.record == Path::new("-") {
        (
            Box::new(std::io::stdin().lock()),
            "standard input".to_owned(),
        )
    } else {
        let shown = whereby_webhooks_conformance::escape::path(&args.record);
        let file = std::fs::File::open(&args.record)
            .with_context(|| format!("cannot open the record file {shown}"))?;
        // Only the lines the file has now: replaying into a `listen` that
        // records to this same file adds a line for each one sent.
        let length = match file.metadata() {
            Ok(metadata) if metadata.is_file() => metadata.len(),
            _ => u64::MAX,
        };
        (Box::new(BufReader::new(file.take(length))), shown)
    };
    let target = client::Target::new(&args.url, Duration::from_secs(args.timeout))?;
    // On a terminal, one tick per delivery sent and the one awaited.
    let ticker = crate::progress::Ticker::new(
        None,
        "{spinner} {pos} sent, {elapsed}; waiting for the answer to {wide_msg}",
        !args.dry_run && crate::progress::wanted(false),
    );
    let mut stdout = ticker.above(crate::exit::ReaderMayLeave::new(std::io::stdout().lock()));
    let (mut sent, mut failed, mut skipped) = (0u64, 0u64, 0u64);
    let mut tally = Tally::default();
    let mut line = Vec::new();
    let mut lines = ndjson::Lines::new(reader, MAX_LINE);
    loop {
        line.clear();
        let number = match lines
            .next(&mut line)
            .with_context(|| format!("cannot read {shown}"))?
        {
            None => break,
            // No record is that long. The lines after it are not read: it
            // may never end (`/dev/zero`, a pipe), and they cannot be told
            // apart from it in bounded memory.
            Some(ndjson::Line::TooLong { number, .. }) => {
                stdout.flush()?;
                bail!(
                    "{shown}:{number}: the line is longer than {} MiB, longer than any line `listen --record` writes: is this a record file? Nothing after it was read",
                    MAX_LINE >> 20
                );
            }
            Some(ndjson::Line::Text { number, bom }) => {
                if bom {
                    eprintln!(
                        "warning: {shown} starts with a byte order mark, which `listen --record` never writes; skipped"
                    );
                }
                number
            }
        };
        let at = format!("{shown}:{number}");
        let record = match Record::from_slice(&line) {
            Some(Ok(record)) => record,
            Some(Err(error)) => {
                unreadable(&mut stdout, &mut tally, &at, &terminal_safe(&error))?;
                continue;
            }
            None => {
                unreadable(&mut stdout, &mut tally, &at, "a torn line from a crash?")?;
                continue;
            }
        };
        tally.records += 1;
        if !selected(&args, &record) {
            continue;
        }
        tally.selected += 1;
        let what = format!(
            "{at} {} {}",
            terminal_safe(record.event_type.as_deref().unwrap_or("-")),
            terminal_safe(record.id.as_deref().unwrap_or("-"))
        );
        if record.verdict != "authentic" {
            skipped += 1;
            writeln!(
                stdout,
                "{what} skipped: it was not authentic when recorded (verdict `{}`), and replay signs only deliveries whose signature held",
                terminal_safe(&record.verdict)
            )?;
            continue;
        }
        let body = match record.body() {
            RecordedBody::Exact(body) => body,
            other => {
                let why = if matches!(other, RecordedBody::Reserialised(_)) {
                    "the record (of an earlier format) keeps the body re-serialised, not the bytes sent"
                } else {
                    record.why_no_body()
                };
                skipped += 1;
                writeln!(stdout, "{what} skipped: {why}")?;
                continue;
            }
        };
        let content_type = record
            .headers
            .get("content-type")
            .map_or("application/json", |value| value);
        // `listen` records only what arrived in a header; an altered record
        // may hold a line break or another control character.
        if hyper::header::HeaderValue::from_str(content_type).is_err() {
            skipped += 1;
            writeln!(
                stdout,
                "{what} skipped: its recorded content-type `{}` cannot be sent as a header (the record was altered?)",
                terminal_safe(content_type)
            )?;
            continue;
        }
        if args.dry_run {
            writeln!(
                stdout,
                "{what} would send {} bytes ({}) to {}",
                body.len(),
                terminal_safe(content_type),
                client::shown(&args.url)
            )?;
            continue;
        }
        ticker.set_message(what.clone());
        let signed = if args.profile.is_default() {
            vec![(HEADER_NAME, sign(&secrets[0], now_unix(), &body))]
        } else {
            signed_by(args.profile.scheme(), &secrets[0], &record, &body)
        };
        // Another scheme's event and id come from the record's headers or
        // the body's fields, either of which may have been altered.
        if let Some((name, value)) = signed
            .iter()
            .find(|(_, value)| hyper::header::HeaderValue::from_str(value).is_err())
        {
            skipped += 1;
            writeln!(
                stdout,
                "{what} skipped: its {name} `{}` cannot be sent as a header (the record was altered?)",
                terminal_safe(value)
            )?;
            continue;
        }
        let started = Instant::now();
        let mut request = target.post(&args.url).header("content-type", content_type);
        for (name, value) in signed {
            request = request.header(name, value);
        }
        let answer = request.send(&body[..]).and_then(client::read_answer);
        sent += 1;
        ticker.tick();
        // Nothing reached a receiver that cannot be connected to: as
        // `send` does, that is an error, not a failing answer.
        if sent == 1
            && let Err(error) = &answer
            && client::unreachable(error)
        {
            stdout.flush()?;
            bail!(
                "cannot reach {}{}: {}: {}",
                client::shown(&args.url),
                target.through(),
                terminal_safe(&error.to_string()),
                client::hint(error)
            );
        }
        match answer {
            Ok(answer) => {
                let text = String::from_utf8_lossy(&answer.body);
                let text = text.trim();
                if !(200..300).contains(&answer.status) {
                    failed += 1;
                }
                writeln!(
                    stdout,
                    "{what} {} in {:.1} ms{}{}",
                    answer.status,
                    started.elapsed().as_secs_f64() * 1000.0,
                    if text.is_empty() { "" } else { ": " },
                    terminal_safe(&text.chars().take(200).collect::<String>())
                )?;
            }
            Err(error) => {
                failed += 1;
                writeln!(
                    stdout,
                    "{what} no answer: {}",
                    terminal_safe(&error.to_string())
                )?;
            }
        }
    }
    stdout.flush()?;
    drop(stdout);
    drop(ticker);
    if tally.records == 0 && tally.unreadable > 0 {
        bail!("{shown} holds no line written by `listen --record`");
    }
    // Nothing to send is not a success: the wrong file, or an empty one.
    if tally.records == 0 {
        bail!("{shown} holds no record: give a file written by `listen --record`");
    }
    // A filter that matches nothing is most likely a typo: sending nothing
    // is not a success.
    let filtered = args.only_accepted || !args.types.is_empty() || !args.ids.is_empty();
    if filtered && tally.records > 0 && tally.selected == 0 {
        bail!(
            "none of the {} records of {shown} matches --type, --id and --only-accepted as given: nothing sent",
            tally.records
        );
    }
    if tally.unreadable > 0 {
        eprintln!(
            "warning: {} line(s) of {shown} are not records and were skipped",
            tally.unreadable
        );
    }
    if args.dry_run {
        eprintln!("dry run: nothing sent");
    } else {
        eprintln!(
            "replayed {sent} deliveries: {} answered 2xx, {failed} not; {skipped} skipped",
            sent - failed
        );
    }
    Ok(if failed > 0 || tally.unreadable > 0 {
        Exit::Invalid
    } else {
        Exit::Success
    })
}

/// Lines read so far that are records (and of them, those the filters
/// select), and that are not.
#[derive(Default)]
struct Tally {
    records: u64,
    selected: u64,
    unreadable: u64,
}

/// How many lines that are not records may come before the first record
/// before `replay` gives up on the file: it is likely not a record file.
const MAX_UNREADABLE_FIRST: u64 = 10;

/// Lists a line that is not a record as skipped (a crash can leave a torn
/// line between whole ones, and the records after it are still
/// replayed); gives up when the file starts with
/// [`MAX_UNREADABLE_FIRST`] of them. `why` is terminal-safe.
fn unreadable(
    stdout: &mut impl std::io::Write,
    tally: &mut Tally,
    at: &str,
    why: &str,
) -> anyhow::Result<()> {
    tally.unreadable += 1;
    writeln!(
        stdout,
        "{at} skipped: not a line written by `listen --record` ({why})"
    )?;
    if tally.records == 0 && tally.unreadable >= MAX_UNREADABLE_FIRST {
        stdout.flush()?;
        bail!(
            "{at}: the first {MAX_UNREADABLE_FIRST} lines are not records: is this a file written by `listen --record`?"
        );
    }
    Ok(())
}

/// Whether the filters select `record`.
fn selected(args: &Args, record: &Record) -> bool {
    (!args.only_accepted || record.is_accepted())
        && (args.types.is_empty()
            || record
                .event_type
                .as_ref()
                .is_some_and(|t| args.types.iter().any(|wanted| wanted == t)))
        && (args.ids.is_empty()
            || record
                .id
                .as_ref()
                .is_some_and(|id| args.ids.iter().any(|wanted| wanted == id)))
}
