//! Reading the body that `sign`, `verify` and `send --body` work on.
//!
//! Standard input is the default of `sign` and `verify`, so a person who
//! forgot `--body` would wait at a silent terminal: there, the tool says that
//! it is reading. An empty body is nearly always a mistake (`: | sign`, a
//! wrong variable), so it is refused unless `--allow-empty` says otherwise.

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::bail;

use crate::secrets::read_body;

/// The `--allow-empty` flag of the commands that read a body.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct EmptyBody {
    /// Accept an empty body (refused by default: an empty body is usually a
    /// file or pipe that held nothing)
    #[arg(long)]
    pub allow_empty: bool,
}

impl EmptyBody {
    /// Reads the body from `path`, or from standard input when `path` is
    /// `-`, byte for byte.
    ///
    /// # Errors
    ///
    /// When it cannot be read, or is empty without `--allow-empty`.
    pub fn read(&self, path: &Path) -> anyhow::Result<Vec<u8>> {
        let stdin = path == Path::new("-");
        if stdin && std::io::stdin().is_terminal() {
            eprintln!(
                "reading the body from standard input (end it with Ctrl-D); give --body FILE to read a file"
            );
        }
        let body = read_body(Some(path))?;
        if body.is_empty() && !self.allow_empty {
            let from = if stdin {
                "standard input gave nothing".to_owned()
            } else {
                format!(
                    "{} is empty",
                    whereby_webhooks_conformance::escape::path(path)
                )
            };
            bail!(
                "the body is empty ({from}): give --body FILE, or --allow-empty if an empty body is meant"
            );
        }
        Ok(body)
    }
}
