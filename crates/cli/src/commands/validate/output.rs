//! What `validate` prints: a line per sample (human or JSON), a closing
//! summary, and a progress bar on a terminal for long runs.

use std::cell::Cell;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use whereby_webhooks_conformance::escape::terminal_safe;
use whereby_webhooks_conformance::{Issue, Report};

use super::input::{Source, StdinAs};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: invalid samples with their errors, and a summary.
    Human,
    /// One JSON object per sample and line, in input order.
    Json,
}

/// One sample's result in `--format json`; each issue in the conformance
/// crate's one JSON form.
#[derive(Serialize)]
struct JsonLine<'a> {
    #[serde(serialize_with = "serialize_display")]
    source: &'a Source,
    valid: bool,
    event_type: Option<&'a str>,
    errors: &'a [Issue],
}

fn serialize_display<S: serde::Serializer>(
    value: &&Source,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Whether stdout gets colour: only a terminal, and never with `NO_COLOR`
/// set to something.
fn colour_stdout() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && io::stdout().is_terminal()
}

const FAIL: Style = AnsiColor::Red.on_default().bold();
const PASS: Style = AnsiColor::Green.on_default();
const PLAIN: Style = Style::new();

/// Prints results and counts them.
pub struct Printer {
    format: Format,
    quiet: bool,
    colour: bool,
    /// Once stdout's reader has gone (`… | head`), the rest is dropped and
    /// the exit status still says whether every sample was valid.
    out: BufWriter<crate::exit::ReaderMayLeave<Stdout>>,
    valid: usize,
    invalid: usize,
}

impl Printer {
    /// A printer to stdout.
    pub fn new(format: Format, quiet: bool) -> Printer {
        Printer {
            format,
            quiet,
            colour: colour_stdout(),
            out: BufWriter::with_capacity(1 << 16, crate::exit::ReaderMayLeave::new(io::stdout())),
            valid: 0,
            invalid: 0,
        }
    }

    /// `style` when colour is on, no style otherwise.
    fn paint(&self, style: Style) -> Style {
        if self.colour { style } else { PLAIN }
    }

    /// Prints one sample's result.
    pub fn sample(&mut self, source: &Source, report: &Report) -> io::Result<()> {
        let valid = report.is_valid();
        if valid {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
        if valid && self.quiet {
            return Ok(());
        }
        match self.format {
            Format::Json => {
                let line = JsonLine {
                    source,
                    valid,
                    event_type: report.event_type.as_deref(),
                    errors: &report.errors,
                };
                // Issues quote payloads, which may hold terminal controls.
                let mut text = Vec::with_capacity(256);
                whereby_webhooks_conformance::escape::json_line(&line, &mut text);
                self.out.write_all(&text)
            }
            Format::Human => self.human(source, report),
        }
    }

    fn human(&mut self, source: &Source, report: &Report) -> io::Result<()> {
        let event_type = report
            .event_type
            .as_deref()
            .map_or("no event type".into(), shown_type);
        let source = source.to_string();
        let source = terminal_safe(&source);
        if report.is_valid() {
            let pass = self.paint(PASS);
            return writeln!(self.out, "{pass}ok{pass:#}      {source} ({event_type})");
        }
        let fail = self.paint(FAIL);
        writeln!(self.out, "{fail}invalid{fail:#} {source} ({event_type})")?;
        for issue in &report.errors {
            // The issue's one rendering, terminal-safe.
            writeln!(self.out, "  {issue}")?;
        }
        Ok(())
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Prints the summary (human format; saying how standard input was read,
    /// when it was) and returns how many samples were
    /// valid and invalid.
    pub fn finish(mut self, stdin_as: Option<StdinAs>) -> io::Result<(usize, usize)> {
        if self.format == Format::Human {
            write!(self.out, "{} valid, {} invalid", self.valid, self.invalid)?;
            match stdin_as {
                Some(how) => writeln!(self.out, " ({how})")?,
                None => writeln!(self.out)?,
            }
        }
        self.out.flush()?;
        Ok((self.valid, self.invalid))
    }
}

/// The longest event type shown whole in a result's first line (an issue
/// quotes values cut as short).
const MAX_SHOWN_TYPE: usize = 60;

/// An event type from a payload as a result's first line shows it: cut
/// after [`MAX_SHOWN_TYPE`] bytes (a payload's `type` may be a megabyte
/// long) and terminal-safe.
fn shown_type(event_type: &str) -> std::borrow::Cow<'_, str> {
    if event_type.len() <= MAX_SHOWN_TYPE {
        return terminal_safe(event_type);
    }
    let mut end = MAX_SHOWN_TYPE;
    while !event_type.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", terminal_safe(&event_type[..end])).into()
}

/// A progress bar on stderr, drawn only where [`crate::progress::wanted`]
/// (a terminal, output not JSON) and only once a run has taken long enough
/// to need one.
pub struct Progress {
    bar: ProgressBar,
    enabled: bool,
    started: Instant,
    shown: Cell<bool>,
}

/// How long a run goes before its progress bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(700);

impl Progress {
    /// A progress bar over `total` bytes (0 when unknown), for output in
    /// `format`.
    pub fn new(total: u64, format: Format) -> Progress {
        let enabled = crate::progress::wanted(format == Format::Json);
        let (bar, template) = if total > 0 {
            (
                ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()),
                "{bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            )
        } else {
            (
                ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
                "{spinner} {bytes} ({bytes_per_sec})",
            )
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Progress {
            bar,
            enabled,
            started: Instant::now(),
            shown: Cell::new(false),
        }
    }

    /// Counts `bytes` more as done.
    pub fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
        if self.enabled && !self.shown.get() && self.started.elapsed() >= SHOW_AFTER {
            self.shown.set(true);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Runs `f` with the bar out of the way of other output.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
