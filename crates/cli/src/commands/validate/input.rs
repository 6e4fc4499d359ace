//! Turning the command line's paths into samples, in a stable order, one
//! bounded chunk at a time.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One input: a file, or standard input.
#[derive(Debug)]
pub enum Input {
    /// Standard input, read as NDJSON.
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

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The inputs the paths name, in order: each directory's files sorted by
/// name. Paths that cannot be read are reported to `failed` and skipped.
pub fn expand(paths: &[PathBuf], failed: &mut dyn FnMut(String)) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                failed(format!("cannot read {}: {err}", path.display()));
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
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if !entry.file_type().is_file()
                        || !has_extension(path, &["json", "ndjson", "jsonl"])
                    {
                        continue;
                    }
                    inputs.push(Input::File {
                        path: path.to_owned(),
                        ndjson: is_ndjson(path),
                        size: entry.metadata().map(|m| m.len()).unwrap_or(0),
                    });
                }
                Err(err) => {
                    let at = err.path().unwrap_or(path).display().to_string();
                    failed(format!("cannot read {at}: {err}"));
                }
            }
        }
    }
    inputs
}

/// Where a sample comes from: a file, or a line of an NDJSON input.
#[derive(Debug, Clone)]
pub struct Source {
    name: Arc<str>,
    line: Option<usize>,
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

struct Lines {
    name: Arc<str>,
    reader: Box<dyn BufRead + Send>,
    line: usize,
}

/// Reads samples from the inputs in order.
pub struct Reader {
    inputs: VecDeque<Input>,
    lines: Option<Lines>,
}

impl Reader {
    /// A reader of `inputs`, in order.
    pub fn new(inputs: Vec<Input>) -> Reader {
        Reader {
            inputs: inputs.into(),
            lines: None,
        }
    }

    /// The next entries, up to `max_samples` samples or about `max_bytes`
    /// bytes; empty at the end.
    pub fn next_chunk(&mut self, max_samples: usize, max_bytes: usize) -> Chunk {
        let mut chunk = Chunk {
            bytes: Vec::with_capacity(max_bytes.min(1 << 20)),
            entries: Vec::new(),
        };
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
            if let Some(lines) = &mut self.lines {
                match next_line(lines, bytes) {
                    Ok(Some(entry)) => return Some(entry),
                    Ok(None) => self.lines = None,
                    Err(err) => {
                        let message = format!("cannot read {}: {err}", lines.name);
                        self.lines = None;
                        return Some(Entry::Failed(message));
                    }
                }
                continue;
            }
            match self.inputs.pop_front()? {
                Input::Stdin => {
                    self.lines = Some(Lines {
                        name: Arc::from("<stdin>"),
                        reader: Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
                        line: 0,
                    });
                }
                Input::File {
                    path, ndjson: true, ..
                } => match File::open(&path) {
                    Ok(file) => {
                        self.lines = Some(Lines {
                            name: Arc::from(path.display().to_string()),
                            reader: Box::new(BufReader::with_capacity(1 << 16, file)),
                            line: 0,
                        });
                    }
                    Err(err) => {
                        return Some(Entry::Failed(format!(
                            "cannot read {}: {err}",
                            path.display()
                        )));
                    }
                },
                Input::File { path, .. } => {
                    let name = path.display().to_string();
                    let start = bytes.len();
                    return Some(
                        match File::open(&path).and_then(|mut f| f.read_to_end(bytes)) {
                            Ok(_) => Entry::Sample {
                                source: Source {
                                    name: Arc::from(name),
                                    line: None,
                                },
                                range: start..bytes.len(),
                            },
                            Err(err) => {
                                bytes.truncate(start);
                                Entry::Failed(format!("cannot read {name}: {err}"))
                            }
                        },
                    );
                }
            }
        }
    }
}

/// The next non-blank line of an NDJSON input, appended to `bytes`, or
/// `None` at its end.
fn next_line(lines: &mut Lines, bytes: &mut Vec<u8>) -> io::Result<Option<Entry>> {
    loop {
        let start = bytes.len();
        if let Err(err) = lines.reader.read_until(b'\n', bytes) {
            bytes.truncate(start);
            return Err(err);
        }
        if bytes.len() == start {
            return Ok(None);
        }
        lines.line += 1;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        if bytes[start..]
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            bytes.truncate(start);
            continue;
        }
        return Ok(Some(Entry::Sample {
            source: Source {
                name: Arc::clone(&lines.name),
                line: Some(lines.line),
            },
            range: start..bytes.len(),
        }));
    }
}
