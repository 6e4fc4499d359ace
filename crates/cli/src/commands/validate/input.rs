//! Turning the command line's paths into samples, in a stable order, one
//! bounded chunk at a time.
//!
//! Reading is bounded: no sample is kept beyond the size limit, so an
//! endless input (`/dev/zero`) or a huge line ends with a `too_large` error
//! after reading at most the limit, not after filling memory. What is about
//! the bytes of a file rather than about JSON is said here too: a UTF-8
//! byte order mark is skipped with a warning, and UTF-16 is named.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use whereby_webhooks_conformance::{Issue, IssueKind};

use crate::ndjson::{self, BOM};

/// One input: a file, or standard input.
#[derive(Debug)]
pub enum Input {
    /// Standard input: one JSON document when it is one, NDJSON otherwise.
    Stdin,
    /// A file: NDJSON when `ndjson`, one JSON document otherwise.
    File {
        /// The file.
        path: PathBuf,
        /// Whether it holds one event per line.
        ndjson: bool,
        /// Its size in bytes, for progress.
        size: u64,
    },
}

impl Input {
    /// The input's size in bytes, when known.
    pub fn size(&self) -> u64 {
        match self {
            Input::Stdin => 0,
            Input::File { size, .. } => *size,
        }
    }
}

/// Whether a file name says NDJSON.
fn is_ndjson(path: &Path) -> bool {
    has_extension(path, &["ndjson", "jsonl"])
}

/// Whether a file name says YAML, which `validate` does not read.
pub fn is_yaml(path: &Path) -> bool {
    has_extension(path, &["yaml", "yml"])
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The inputs the paths name, in order, and how many YAML files and
/// symbolic links the directories held (they are not read).
#[derive(Debug, Default)]
pub struct Expanded {
    /// The inputs, in order: each directory's files sorted by name.
    pub inputs: Vec<Input>,
    /// YAML files found in directories and skipped.
    pub yaml_skipped: usize,
    /// Symbolic links found in directories and skipped (not following
    /// them), and the first of them.
    pub links_skipped: Option<(usize, PathBuf)>,
    /// With `follow_symlinks`, the links back to a directory above them
    /// (loops) found and skipped, and the first of them with the directory
    /// it leads back to: what they lead to is read once already.
    pub loops_skipped: Option<(usize, PathBuf, PathBuf)>,
}

/// The inputs the paths name, in order: each directory's files sorted by
/// name. Paths that cannot be read are reported to `failed` and skipped.
///
/// A path named is read even when it is a symbolic link. The symbolic
/// links found inside a directory are skipped (and counted), so that
/// nothing outside the directory is read, unless `follow_symlinks`; then
/// they are followed wherever they lead, but each file and directory is
/// visited once (a chain of directories each holding two links to the next
/// would otherwise be walked two to the power of its depth times), and a
/// link back to a directory above it is skipped (and counted). Either way,
/// a file reached by several hard links is read once.
pub fn expand(
    paths: &[PathBuf],
    follow_symlinks: bool,
    failed: &mut dyn FnMut(String),
) -> Expanded {
    let mut expanded = Expanded::default();
    let inputs = &mut expanded.inputs;
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                failed(format!(
                    "cannot read {}: {err}",
                    whereby_webhooks_conformance::escape::path(path)
                ));
                continue;
            }
        };
        if !metadata.is_dir() {
            inputs.push(Input::File {
                path: path.clone(),
                ndjson: is_ndjson(path),
                size: metadata.len(),
            });
            continue;
        }
        let mut walk = walkdir::WalkDir::new(path)
            .follow_links(follow_symlinks)
            .sort_by_file_name()
            .into_iter();
        // What was visited: a file reached again (by a hard link, or a
        // symbolic link when following them) is not read again.
        let mut seen = HashSet::new();
        while let Some(entry) = walk.next() {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if entry.path_is_symlink() && entry.depth() > 0 && !follow_symlinks {
                        let (count, _) = expanded
                            .links_skipped
                            .get_or_insert_with(|| (0, path.to_owned()));
                        *count += 1;
                        continue;
                    }
                    if identity(&entry).is_some_and(|id| !seen.insert(id)) {
                        if entry.file_type().is_dir() {
                            walk.skip_current_dir();
                        }
                        continue;
                    }
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    if !has_extension(path, &["json", "ndjson", "jsonl"]) {
                        expanded.yaml_skipped += usize::from(is_yaml(path));
                        continue;
                    }
                    inputs.push(Input::File {
                        path: path.to_owned(),
                        ndjson: is_ndjson(path),
                        size: entry.metadata().map(|m| m.len()).unwrap_or(0),
                    });
                }
                Err(err) => {
                    // Every file of a loop is read, once: the link back is
                    // not an error.
                    if let (Some(ancestor), Some(link)) = (err.loop_ancestor(), err.path()) {
                        let (count, ..) = expanded
                            .loops_skipped
                            .get_or_insert_with(|| (0, link.to_owned(), ancestor.to_owned()));
                        *count += 1;
                        continue;
                    }
                    let at = whereby_webhooks_conformance::escape::path(err.path().unwrap_or(path));
                    // The error's own text repeats the path, unescaped.
                    let why = match (err.loop_ancestor(), err.io_error()) {
                        (Some(ancestor), _) => format!(
                            "a symbolic link loop back to {}",
                            whereby_webhooks_conformance::escape::path(ancestor)
                        ),
                        (None, Some(io)) => io.to_string(),
                        (None, None) => "cannot be read".to_owned(),
                    };
                    failed(format!("cannot read {at}: {why}"));
                }
            }
        }
    }
    expanded
}

/// What tells a file or directory apart from every other, whatever the
/// path it is reached by: its device and inode.
#[cfg(unix)]
fn identity(entry: &walkdir::DirEntry) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    // Of what a link points to, when links are followed.
    let metadata = entry.metadata().ok()?;
    Some((metadata.dev(), metadata.ino()))
}

/// What tells a file or directory apart from every other, whatever the
/// path it is reached by: its canonical path.
#[cfg(not(unix))]
fn identity(entry: &walkdir::DirEntry) -> Option<PathBuf> {
    std::fs::canonicalize(entry.path()).ok()
}

/// Where a sample comes from: a file, or a line of an NDJSON input.
#[derive(Debug, Clone)]
pub struct Source {
    name: Arc<str>,
    line: Option<usize>,
}

impl Source {
    /// Whether the sample comes from a file named `*.yaml` or `*.yml`.
    pub fn is_yaml(&self) -> bool {
        is_yaml(Path::new(&*self.name))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What the reader produces, in input order.
#[derive(Debug)]
pub enum Entry {
    /// A payload to validate: `range` of the chunk's bytes.
    Sample {
        /// Where it comes from.
        source: Source,
        /// Where its bytes are in [`Chunk::bytes`], without the line ending.
        range: Range<usize>,
    },
    /// A sample judged while reading, without its bytes: too large, or not
    /// UTF-8 at all.
    Refused {
        /// Where it comes from.
        source: Source,
        /// What is wrong with it.
        issue: Issue,
    },
    /// Something worth saying about an input that does not stop it being
    /// read.
    Warning(String),
    /// An input that could not be read (further).
    Failed(String),
}

/// Consecutive entries, with the bytes of all their samples in one buffer.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The samples' bytes, one after the other.
    pub bytes: Vec<u8>,
    /// The entries, in input order.
    pub entries: Vec<Entry>,
}

impl Chunk {
    /// The bytes of one sample.
    pub fn sample(&self, range: &Range<usize>) -> &[u8] {
        &self.bytes[range.clone()]
    }
}

/// How standard input was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdinAs {
    /// One JSON document (pretty-printed, say).
    Document,
    /// One JSON document per line.
    Ndjson,
}

impl fmt::Display for StdinAs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StdinAs::Document => "standard input read as one JSON document",
            StdinAs::Ndjson => "standard input read as NDJSON, one event per line",
        })
    }
}

struct Lines {
    name: Arc<str>,
    lines: ndjson::Lines<Box<dyn BufRead + Send>>,
}

/// Reads samples from the inputs in order.
pub struct Reader {
    inputs: VecDeque<Input>,
    lines: Option<Lines>,
    pending: VecDeque<Entry>,
    max_size: usize,
    stdin: Box<dyn Fn() -> Box<dyn Read + Send> + Send>,
    stdin_as: Option<StdinAs>,
}

impl Reader {
    /// A reader of `inputs`, in order, refusing samples over `max_size`
    /// bytes.
    pub fn new(inputs: Vec<Input>, max_size: u64) -> Reader {
        Reader::with_stdin(inputs, max_size, || Box::new(io::stdin()))
    }

    /// A reader whose standard input is `stdin()`.
    fn with_stdin(
        inputs: Vec<Input>,
        max_size: u64,
        stdin: impl Fn() -> Box<dyn Read + Send> + Send + 'static,
    ) -> Reader {
        Reader {
            inputs: inputs.into(),
            lines: None,
            pending: VecDeque::new(),
            max_size: usize::try_from(max_size).unwrap_or(usize::MAX),
            stdin: Box::new(stdin),
            stdin_as: None,
        }
    }

    /// How standard input was read, once it has been.
    pub fn stdin_as(&self) -> Option<StdinAs> {
        self.stdin_as
    }

    /// The next entries, up to `max_samples` samples or about `max_bytes`
    /// bytes; empty at the end.
    pub fn next_chunk(&mut self, max_samples: usize, max_bytes: usize) -> Chunk {
        let chunk = Chunk {
            bytes: Vec::with_capacity(max_bytes.min(1 << 20)),
            entries: Vec::new(),
        };
        self.refill(chunk, max_samples, max_bytes)
    }

    /// [`Reader::next_chunk`] into a chunk done with, so that its memory
    /// is used again rather than allocated (and faulted in) afresh.
    pub fn refill(&mut self, mut chunk: Chunk, max_samples: usize, max_bytes: usize) -> Chunk {
        chunk.bytes.clear();
        chunk.entries.clear();
        while chunk.entries.len() < max_samples && chunk.bytes.len() < max_bytes {
            let Some(entry) = self.next_entry(&mut chunk.bytes) else {
                break;
            };
            chunk.entries.push(entry);
        }
        chunk
    }

    /// The next entry, its bytes appended to `bytes`.
    fn next_entry(&mut self, bytes: &mut Vec<u8>) -> Option<Entry> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                return Some(entry);
            }
            if let Some(lines) = &mut self.lines {
                match next_line(lines, bytes, self.max_size) {
                    Ok(Line::Sample(entry)) => return Some(entry),
                    Ok(Line::AfterBom(entry)) => {
                        if let Entry::Sample { source, .. } = &entry {
                            self.pending.push_back(bom_warning(source));
                        }
                        self.pending.push_back(entry);
                    }
                    Ok(Line::Last(entry)) => {
                        self.lines = None;
                        return Some(entry);
                    }
                    Ok(Line::End) => self.lines = None,
                    Err(err) => {
                        let message = format!(
                            "cannot read {}: {err}",
                            whereby_webhooks_conformance::escape::terminal_safe(&lines.name)
                        );
                        self.lines = None;
                        return Some(Entry::Failed(message));
                    }
                }
                continue;
            }
            match self.inputs.pop_front()? {
                Input::Stdin => {
                    if let Some(entry) = self.open_stdin(bytes) {
                        return Some(entry);
                    }
                }
                Input::File {
                    path, ndjson: true, ..
                } => match File::open(&path) {
                    Ok(file) => {
                        self.lines = Some(Lines {
                            name: Arc::from(path.display().to_string()),
                            lines: ndjson::Lines::new(
                                Box::new(BufReader::with_capacity(1 << 16, file)),
                                self.max_size,
                            ),
                        });
                    }
                    Err(err) => {
                        return Some(Entry::Failed(format!(
                            "cannot read {}: {err}",
                            whereby_webhooks_conformance::escape::path(&path)
                        )));
                    }
                },
                Input::File { path, size, .. } => {
                    let source = Source {
                        name: Arc::from(path.display().to_string()),
                        line: None,
                    };
                    if size > self.max_size as u64 {
                        return Some(too_large(source, size, self.max_size, false));
                    }
                    let read = File::open(&path).and_then(|file| {
                        read_bounded(file, bytes, self.max_size).map_err(|err| {
                            io::Error::new(
                                err.kind(),
                                format!(
                                    "cannot read {}: {err}",
                                    whereby_webhooks_conformance::escape::terminal_safe(
                                        &source.to_string()
                                    )
                                ),
                            )
                        })
                    });
                    return Some(match read {
                        Ok(range) => self.whole(source, bytes, range),
                        Err(err) => Entry::Failed(err.to_string()),
                    });
                }
            }
        }
    }

    /// Standard input: one JSON document when it starts with `{` and either
    /// parses whole or its first line is an unfinished JSON value (a
    /// pretty-printed event); NDJSON otherwise.
    fn open_stdin(&mut self, bytes: &mut Vec<u8>) -> Option<Entry> {
        let mut stdin = (self.stdin)();
        let mut head = Vec::new();
        let source = Source {
            name: Arc::from("<stdin>"),
            line: None,
        };
        let read = (&mut stdin)
            .take((self.max_size as u64).saturating_add(1))
            .read_to_end(&mut head);
        if let Err(err) = read {
            return Some(Entry::Failed(format!("cannot read standard input: {err}")));
        }
        let text = head.strip_prefix(BOM).unwrap_or(&head);
        let starts_object = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if starts_object && head.len() <= self.max_size && is_one_document(text) {
            self.stdin_as = Some(StdinAs::Document);
            let start = bytes.len();
            bytes.extend_from_slice(&head);
            return Some(self.whole(source, bytes, start..bytes.len()));
        }
        // A pretty-printed document over the limit is one sample too large,
        // not one bad sample per line.
        if starts_object && head.len() > self.max_size && starts_unfinished(text, true) {
            self.stdin_as = Some(StdinAs::Document);
            return Some(too_large(source, head.len() as u64, self.max_size, true));
        }
        self.stdin_as = Some(StdinAs::Ndjson);
        // Within the limit, the input ended: never read again after the
        // end, which on a terminal would wait for a second Ctrl-D.
        let reader: Box<dyn BufRead + Send> = if head.len() <= self.max_size {
            Box::new(io::Cursor::new(head))
        } else {
            Box::new(BufReader::with_capacity(
                1 << 16,
                io::Cursor::new(head).chain(stdin),
            ))
        };
        self.lines = Some(Lines {
            name: source.name,
            lines: ndjson::Lines::new(reader, self.max_size),
        });
        None
    }

    /// The entry for a whole-file sample at `range` of `bytes`: refused
    /// (its bytes dropped) when too large or UTF-16; after a BOM, a warning,
    /// with the sample queued after it.
    fn whole(&mut self, source: Source, bytes: &mut Vec<u8>, range: Range<usize>) -> Entry {
        if range.len() > self.max_size {
            bytes.truncate(range.start);
            return too_large(source, range.len() as u64, self.max_size, false);
        }
        if let Some(issue) = utf16(&bytes[range.clone()], false) {
            bytes.truncate(range.start);
            return Entry::Refused { source, issue };
        }
        let mut range = range;
        if bytes[range.clone()].starts_with(BOM) {
            bytes.drain(range.start..range.start + BOM.len());
            range.end -= BOM.len();
            let warning = bom_warning(&source);
            self.pending.push_back(Entry::Sample { source, range });
            return warning;
        }
        Entry::Sample { source, range }
    }
}

fn bom_warning(source: &Source) -> Entry {
    Entry::Warning(format!(
        "{} starts with a UTF-8 byte order mark (EF BB BF): skipped it and read the rest; \
         JSON must not start with one (RFC 8259, section 8.1), and a receiver's parser may reject it",
        whereby_webhooks_conformance::escape::terminal_safe(&source.to_string())
    ))
}

/// Whether `text` is one JSON value, or begins with a line that is an
/// unfinished one (so the value spans lines and the text is not NDJSON).
fn is_one_document(text: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok() || starts_unfinished(text, false)
}

/// Whether the first non-blank line of `text` ends before the JSON value it
/// starts does: the start of a pretty-printed document, not a line of
/// NDJSON. With `whole_line`, only when that line's break is in `text` (a
/// line cut short by the end of `text` could be a long line of NDJSON).
fn starts_unfinished(text: &[u8], whole_line: bool) -> bool {
    let mut lines = text.split_inclusive(|&b| b == b'\n');
    let Some(first) = lines.find(|line| !line.iter().all(u8::is_ascii_whitespace)) else {
        return false;
    };
    let unfinished = (!whole_line || first.ends_with(b"\n"))
        && serde_json::from_slice::<serde::de::IgnoredAny>(first)
            .is_err_and(|err| err.classify() == serde_json::error::Category::Eof);
    // A line of its own after it that is a whole JSON value is NDJSON whose
    // first line is broken, not the rest of a document (whose lines, such
    // as `"type": "room.client.joined",`, are not values on their own).
    let second_is_a_value = lines
        .find(|line| !line.iter().all(u8::is_ascii_whitespace))
        .is_some_and(|line| serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok());
    unfinished && !second_is_a_value
}

/// Reads all of `reader` into `bytes`, but never more than `max + 1` bytes,
/// so that a sample over the limit is seen without reading it all.
fn read_bounded(reader: impl Read, bytes: &mut Vec<u8>, max: usize) -> io::Result<Range<usize>> {
    let start = bytes.len();
    let read = reader
        .take((max as u64).saturating_add(1))
        .read_to_end(bytes);
    if let Err(err) = read {
        bytes.truncate(start);
        return Err(err);
    }
    Ok(start..bytes.len())
}

/// A sample refused for its size, `size` bytes (or more, when it was not
/// read to its end).
fn too_large(source: Source, size: u64, max: usize, rest_unread: bool) -> Entry {
    let what = if source.line.is_some() {
        "the line"
    } else {
        "the sample"
    };
    let size = if rest_unread || size > max as u64 {
        format!("more than {}", human_size(max as u64))
    } else {
        human_size(size)
    };
    let mut message = format!(
        "{what} is {size}, over the limit of {} per sample: no Whereby event is that large; \
         raise the limit with --max-size if this one really is",
        human_size(max as u64)
    );
    if rest_unread {
        message.push_str(" (the rest of this input is not read)");
    }
    Entry::Refused {
        source,
        issue: issue(message, IssueKind::TooLarge),
    }
}

/// An issue about the payload as a whole.
fn issue(message: String, kind: IssueKind) -> Issue {
    Issue {
        kind,
        instance_path: String::new(),
        schema_path: String::new(),
        message,
        property: None,
        since: None,
        position: None,
    }
}

/// An encoding issue when `bytes` start as UTF-16 text: with a byte order
/// mark, or a NUL byte beside each ASCII byte.
fn utf16(bytes: &[u8], rest_unread: bool) -> Option<Issue> {
    let order = match bytes {
        [0xFF, 0xFE, ..] => "little-endian, with a byte order mark",
        [0xFE, 0xFF, ..] => "big-endian, with a byte order mark",
        [a, 0, ..] if a.is_ascii() && *a != 0 => "little-endian",
        [0, b, ..] if b.is_ascii() && *b != 0 => "big-endian",
        _ => return None,
    };
    let mut message = format!(
        "the payload is UTF-16 ({order}), not UTF-8 as JSON on the wire must be: \
         convert it first, e.g. `iconv -f UTF-16 -t UTF-8`"
    );
    if rest_unread {
        message.push_str(" (the rest of this input is not read)");
    }
    Some(issue(message, IssueKind::Encoding))
}

/// `bytes` as a size a person reads: `1 MiB`, `512 KiB`, `37 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 3] = [("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (unit, shift) in UNITS {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// What reading the next line of an NDJSON input gave.
enum Line {
    /// A sample; more may follow.
    Sample(Entry),
    /// The first sample, once a byte order mark before it was skipped.
    AfterBom(Entry),
    /// A sample after which the input is abandoned.
    Last(Entry),
    /// The end of the input.
    End,
}

/// The next non-blank line of an NDJSON input, appended to `bytes`, or its
/// end. A line over `max` bytes is refused; when it did not end within the
/// limit, the input is abandoned (see [`ndjson::Line::TooLong`]).
fn next_line(lines: &mut Lines, bytes: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    let start = bytes.len();
    let source = |number: u64| Source {
        name: Arc::clone(&lines.name),
        line: usize::try_from(number).ok(),
    };
    Ok(match lines.lines.next(bytes)? {
        None => Line::End,
        Some(ndjson::Line::TooLong {
            number,
            read,
            ended,
        }) => {
            let entry = too_large(source(number), read, max, !ended);
            if ended {
                Line::Sample(entry)
            } else {
                Line::Last(entry)
            }
        }
        Some(ndjson::Line::Text { number, bom }) => {
            let source = source(number);
            if number == 1
                && let Some(issue) = utf16(&bytes[start..], true)
            {
                bytes.truncate(start);
                return Ok(Line::Last(Entry::Refused { source, issue }));
            }
            let entry = Entry::Sample {
                source,
                range: start..bytes.len(),
            };
            if bom {
                Line::AfterBom(entry)
            } else {
                Line::Sample(entry)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a reader produces, as (source, issue kind name or `ok`).
    fn read_all(reader: &mut Reader) -> Vec<(String, String)> {
        let mut out = Vec::new();
        loop {
            let chunk = reader.next_chunk(16, 1 << 20);
            if chunk.entries.is_empty() {
                return out;
            }
            assert!(chunk.bytes.len() <= 4 << 20, "a chunk stays bounded");
            for entry in chunk.entries {
                out.push(match entry {
                    Entry::Sample { source, .. } => (source.to_string(), "ok".to_owned()),
                    Entry::Refused { source, issue } => {
                        (source.to_string(), issue.kind.name().to_owned())
                    }
                    Entry::Warning(message) | Entry::Failed(message) => (message, String::new()),
                });
            }
        }
    }

    #[test]
    fn endless_standard_input_is_refused_after_the_limit() {
        for byte in [b'{', b'x', 0] {
            let mut reader = Reader::with_stdin(vec![Input::Stdin], 1 << 20, move || {
                Box::new(io::repeat(byte))
            });
            assert_eq!(
                read_all(&mut reader),
                [("<stdin>:1".to_owned(), "too_large".to_owned())]
            );
            assert_eq!(reader.stdin_as(), Some(StdinAs::Ndjson));
        }
    }

    #[test]
    fn a_line_over_the_limit_ends_its_input() {
        // Just over: the line ends within reach, so the next one is read.
        let text = format!("{}\n{{}}\n{}\n{{}}\n", "x".repeat(65), "y".repeat(100));
        let mut reader = Reader::with_stdin(vec![Input::Stdin], 64, move || {
            Box::new(io::Cursor::new(text.clone().into_bytes()))
        });
        assert_eq!(
            read_all(&mut reader),
            [
                ("<stdin>:1".to_owned(), "too_large".to_owned()),
                ("<stdin>:2".to_owned(), "ok".to_owned()),
                // Far over: not read to its end, and nothing after it.
                ("<stdin>:3".to_owned(), "too_large".to_owned()),
            ]
        );
    }

    #[test]
    fn one_document_or_ndjson() {
        assert!(is_one_document(b"{\"a\": 1}"));
        assert!(is_one_document(b"{\n  \"a\": 1\n}\n"));
        // Not JSON, but its first line is unfinished: one document.
        assert!(is_one_document(b"{\n  \"a\": 1\n  \"b\": 2\n}\n"));
        assert!(!is_one_document(b"{\"a\": 1}\n{\"a\": 2}\n"));
        assert!(!is_one_document(b"{\"a\": 1} x\n{\"a\": 2}\n"));
    }

    #[test]
    fn sizes_are_shown_in_the_largest_whole_unit() {
        assert_eq!(human_size(1 << 20), "1 MiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }
}
