//! The `diff` command: what changed between two versions of the OpenAPI
//! document, judged from the receivers' side, for people (what breaks,
//! grouped by webhook, and a line counting the rest), for machines (one
//! JSON object per line, breaking first) or for release notes (Markdown).
//! A release's snapshot differs from the generated spec in hundreds of
//! compatible ways: the few breaking changes must not drown in them.
//!
//! The judging is `whereby_webhooks_conformance::diff`; this module reads
//! the two documents and prints. Text that comes from the documents has its
//! control characters escaped before it reaches the terminal.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufWriter, Read as _, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde_json::Value;
use whereby_webhooks_conformance::MAX_DOCUMENT_BYTES;
use whereby_webhooks_conformance::diff::{self, Change};
use whereby_webhooks_conformance::escape::terminal_safe;

use crate::exit::Exit;

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Both documents may be JSON or YAML (by extension, or by whether the text starts with `{`); one of \
them may be `-`, standard input. A change is breaking when a receiver written against OLD could \
mishandle a delivery described by NEW: a webhook, header or property removed, a property that may \
now be absent or null, a type widened, a value added to a closed list, a `const` changed, a \
constraint loosened. The human output lists the breaking changes, one line counting the compatible \
ones (--all lists them), and ends with a count such as `2 breaking, 40 compatible`. Identical \
documents print nothing.

Exit status: 0 nothing breaking changed, 1 something breaking changed, 2 usage or I/O error, or a \
document that is not an OpenAPI 3.1 webhooks document.")]
pub struct Args {
    /// The older document (file or `-`)
    #[arg(value_name = "OLD")]
    old: PathBuf,

    /// The newer document (file or `-`)
    #[arg(value_name = "NEW")]
    new: PathBuf,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// List the compatible changes too, after the breaking ones (human
    /// output; json and markdown always list them)
    #[arg(long, conflicts_with = "breaking_only")]
    all: bool,

    /// Print only the breaking changes, in every format
    #[arg(long)]
    breaking_only: bool,
}

/// How changes are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The breaking changes grouped by webhook, a line counting the
    /// compatible ones, and the counts.
    Human,
    /// One JSON object per change and line, breaking changes first.
    Json,
    /// Release notes: breaking changes, then the others, each change once
    /// with the webhooks it concerns.
    Markdown,
}

/// Runs `diff`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    if is_stdin(&args.old) && is_stdin(&args.new) {
        bail!("only one of OLD and NEW can be `-` (standard input)");
    }
    let old = load(&args.old, "OLD")?;
    let new = load(&args.new, "NEW")?;
    // Errors name webhooks and references from the documents.
    let mut changes = diff::diff(&old, &new)
        .map_err(|e| anyhow::anyhow!(terminal_safe(&e.to_string()).into_owned()))?;
    let breaking = diff::any_breaking(&changes);
    // What breaks comes first; otherwise the engine's order (a stable sort).
    changes.sort_by_key(|change| !change.breaking);
    let listing = if args.breaking_only {
        Listing::BreakingOnly
    } else if args.all {
        Listing::All
    } else {
        Listing::Summary
    };
    // The exit status is the verdict, even once stdout's reader has gone.
    let mut out = BufWriter::new(crate::exit::ReaderMayLeave::new(io::stdout().lock()));
    if args.breaking_only && args.format != Format::Human {
        changes.retain(|change| change.breaking);
    }
    match args.format {
        Format::Human => human(&mut out, &changes, listing)?,
        Format::Json => {
            for change in &changes {
                serde_json::to_writer(&mut out, change)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Markdown => markdown(&mut out, &changes)?,
    }
    out.flush()?;
    Ok(if breaking {
        Exit::Invalid
    } else {
        Exit::Success
    })
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn load(path: &Path, which: &str) -> anyhow::Result<Value> {
    let shown = whereby_webhooks_conformance::escape::path(path);
    if is_stdin(path) {
        let mut text = String::new();
        io::stdin()
            .take(MAX_DOCUMENT_BYTES + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read {which} from standard input"))?;
        if text.len() as u64 > MAX_DOCUMENT_BYTES {
            bail!("{which} on standard input is larger than {MAX_DOCUMENT_BYTES} bytes");
        }
        return diff::parse_document(&text)
            .with_context(|| format!("cannot load {which} from standard input"));
    }
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.len() > MAX_DOCUMENT_BYTES
    {
        bail!("{which} ({shown}) is larger than {MAX_DOCUMENT_BYTES} bytes");
    }
    diff::read_document(path).with_context(|| format!("cannot load {which} ({shown})"))
}

/// Which changes the human output lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// The breaking ones, and one line counting the compatible ones.
    Summary,
    /// The breaking ones, then the compatible ones.
    All,
    /// The breaking ones only.
    BreakingOnly,
}

/// Changes grouped by webhook: webhooks in the order they first came, each
/// with its changes in order.
fn by_webhook<'a>(changes: &[&'a Change]) -> Vec<(&'a str, Vec<&'a Change>)> {
    let mut groups: Vec<(&str, Vec<&Change>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for &change in changes {
        match index.get(change.webhook.as_str()) {
            Some(&i) => groups[i].1.push(change),
            None => {
                index.insert(&change.webhook, groups.len());
                groups.push((&change.webhook, vec![change]));
            }
        }
    }
    groups
}

/// Prints `changes` grouped by webhook, each under its webhook's name.
fn grouped(out: &mut impl Write, changes: &[&Change]) -> io::Result<()> {
    for (webhook, list) in by_webhook(changes) {
        writeln!(out, "{}", terminal_safe(webhook))?;
        for change in list {
            let label = if change.breaking {
                "BREAKING"
            } else {
                "ok      "
            };
            writeln!(
                out,
                "  {label}  {}  [{}]",
                terminal_safe(&change.message),
                change.kind
            )?;
        }
    }
    Ok(())
}

/// The output for people: what breaks first, grouped by webhook; then the
/// compatible changes, listed (`--all`), counted on one line, or left out
/// (`--breaking-only`); then the counts, as `2 breaking, 40 compatible`.
fn human(out: &mut impl Write, changes: &[Change], listing: Listing) -> io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let (breaking, compatible): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|change| change.breaking);
    grouped(out, &breaking)?;
    let mut printed = !breaking.is_empty();
    if !compatible.is_empty() && listing != Listing::BreakingOnly {
        if printed {
            writeln!(out)?;
        }
        if listing == Listing::All {
            grouped(out, &compatible)?;
            writeln!(out)?;
        } else {
            let webhooks = by_webhook(&compatible).len();
            writeln!(
                out,
                "{} compatible change{} in {webhooks} webhook{} (--all lists {})",
                compatible.len(),
                plural(compatible.len()),
                plural(webhooks),
                if compatible.len() == 1 { "it" } else { "them" },
            )?;
        }
        printed = false;
    }
    if printed {
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} breaking, {} compatible",
        breaking.len(),
        compatible.len()
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Text for a Markdown line: control characters escaped, on one line.
/// What a message quotes from a document is in code spans
/// ([`diff::code`]), where Markdown and HTML are inert.
fn md(text: &str) -> String {
    terminal_safe(text).into_owned()
}

/// What makes two changes one line of release notes: breaking, kind, message.
type LineKey<'a> = (bool, &'static str, &'a str);

fn markdown(out: &mut impl Write, changes: &[Change]) -> io::Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    // The same change in several webhooks (a shared component) is one line.
    let mut lines: Vec<(LineKey<'_>, Vec<&str>)> = Vec::new();
    let mut index: BTreeMap<LineKey<'_>, usize> = BTreeMap::new();
    for change in changes {
        let key = (change.breaking, change.kind.name(), change.message.as_str());
        match index.get(&key) {
            Some(&i) => lines[i].1.push(&change.webhook),
            None => {
                index.insert(key, lines.len());
                lines.push((key, vec![&change.webhook]));
            }
        }
    }
    writeln!(out, "## Contract changes\n")?;
    for (breaking, title) in [
        (true, "Breaking for receivers"),
        (false, "Not breaking for receivers"),
    ] {
        let section: Vec<_> = lines
            .iter()
            .filter(|((b, _, _), _)| *b == breaking)
            .collect();
        if section.is_empty() {
            continue;
        }
        writeln!(out, "### {title}\n")?;
        for ((_, kind, message), webhooks) in section {
            let webhooks: Vec<String> = webhooks.iter().map(|w| md(&diff::code(w))).collect();
            writeln!(out, "- {} ({kind}; {})", md(message), webhooks.join(", "))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use whereby_webhooks_conformance::diff::ChangeKind;

    fn change(webhook: &str, breaking: bool, message: &str) -> Change {
        Change {
            webhook: webhook.to_owned(),
            pointer: String::new(),
            kind: ChangeKind::Metadata,
            breaking,
            message: message.to_owned(),
            old: None,
            new: None,
        }
    }

    /// Webhooks in the order they first came, each with its changes in
    /// order, however they interleave.
    #[test]
    fn changes_are_grouped_by_webhook_in_order() {
        let changes = [
            change("b", false, "1"),
            change("a", false, "2"),
            change("b", true, "3"),
            change("c", false, "4"),
            change("a", true, "5"),
            change("b", false, "6"),
        ];
        let changes: Vec<&Change> = changes.iter().collect();
        let groups: Vec<(&str, Vec<&str>)> = by_webhook(&changes)
            .into_iter()
            .map(|(w, list)| (w, list.iter().map(|c| c.message.as_str()).collect()))
            .collect();
        assert_eq!(
            groups,
            [
                ("b", vec!["1", "3", "6"]),
                ("a", vec!["2", "5"]),
                ("c", vec!["4"]),
            ]
        );
    }

    fn human_lines(changes: &[Change], listing: Listing) -> Vec<String> {
        let mut out = Vec::new();
        human(&mut out, changes, listing).expect("write to memory");
        String::from_utf8(out)
            .expect("UTF-8")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn interleaved() -> [Change; 4] {
        [
            change("b", false, "1"),
            change("a", true, "2"),
            change("a", false, "3"),
            change("b", true, "4"),
        ]
    }

    /// Every breaking change before any compatible one, whichever webhook
    /// each belongs to.
    #[test]
    fn breaking_changes_lead_and_the_rest_is_one_line() {
        assert_eq!(
            human_lines(&interleaved(), Listing::Summary),
            [
                "a",
                "  BREAKING  2  [metadata]",
                "b",
                "  BREAKING  4  [metadata]",
                "",
                "2 compatible changes in 2 webhooks (--all lists them)",
                "2 breaking, 2 compatible",
            ]
        );
    }

    #[test]
    fn all_lists_the_compatible_changes_after_the_breaking_ones() {
        assert_eq!(
            human_lines(&interleaved(), Listing::All),
            [
                "a",
                "  BREAKING  2  [metadata]",
                "b",
                "  BREAKING  4  [metadata]",
                "",
                "b",
                "  ok        1  [metadata]",
                "a",
                "  ok        3  [metadata]",
                "",
                "2 breaking, 2 compatible",
            ]
        );
    }

    #[test]
    fn breaking_only_counts_what_it_leaves_out() {
        assert_eq!(
            human_lines(&interleaved(), Listing::BreakingOnly),
            [
                "a",
                "  BREAKING  2  [metadata]",
                "b",
                "  BREAKING  4  [metadata]",
                "",
                "2 breaking, 2 compatible",
            ]
        );
    }

    /// Nothing breaking: the compatible changes and the counts, with no
    /// empty line before them.
    #[test]
    fn without_a_breaking_change_the_summary_comes_first() {
        let changes = [change("a", false, "1")];
        assert_eq!(
            human_lines(&changes, Listing::Summary),
            [
                "1 compatible change in 1 webhook (--all lists it)",
                "0 breaking, 1 compatible",
            ]
        );
        assert_eq!(
            human_lines(&changes, Listing::All),
            [
                "a",
                "  ok        1  [metadata]",
                "",
                "0 breaking, 1 compatible"
            ]
        );
        assert_eq!(
            human_lines(&changes, Listing::BreakingOnly),
            ["0 breaking, 1 compatible"]
        );
    }

    #[test]
    fn identical_documents_print_nothing() {
        for listing in [Listing::Summary, Listing::All, Listing::BreakingOnly] {
            assert!(human_lines(&[], listing).is_empty(), "{listing:?}");
        }
    }
}
