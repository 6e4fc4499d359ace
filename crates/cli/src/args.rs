//! Flags shared by several commands, parsed by one flattened group each so
//! that every command behaves and documents them alike.
//!
//! * [`SpecArgs`]: `--spec FILE` and `--strict` (`validate`, `listen`);
//! * [`ToleranceArgs`]: `--tolerance SECS` and `--no-tolerance` (`verify`,
//!   `listen`).

use std::path::PathBuf;

use anyhow::Context as _;
use whereby_webhooks_conformance::{Options, Validator};
use whereby_webhooks_signature::{DEFAULT_TOLERANCE, Tolerance};

/// Which OpenAPI document payloads are judged against, and how strictly.
#[derive(Debug, Clone, clap::Args)]
pub struct SpecArgs {
    /// Validate against this OpenAPI 3.1 document (JSON or YAML) instead of
    /// the embedded one
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// Report properties the spec does not describe (as errors)
    #[arg(long)]
    pub strict: bool,
}

impl SpecArgs {
    /// The validator these flags ask for, compiled once.
    ///
    /// # Errors
    ///
    /// When the document cannot be read or compiled.
    pub fn validator(&self) -> anyhow::Result<Validator> {
        let options = Options {
            strict: self.strict,
        };
        match &self.spec {
            // The error quotes the document (webhook names, references,
            // schema values), and is one line: all of it is escaped, line
            // breaks included (its file name is escaped already, and its
            // backslashes are kept as they are).
            Some(path) => Validator::from_path(path, options).map_err(|error| {
                anyhow::anyhow!(
                    "cannot use the spec {}: {}",
                    crate::escape::path(path),
                    whereby_webhooks_conformance::terminal_safe(&crate::escape::chain(&error))
                )
            }),
            None => Validator::embedded(options).context("cannot compile the embedded spec"),
        }
    }

    /// How the document is named in messages.
    pub fn describe(&self) -> String {
        self.spec.as_ref().map_or_else(
            || "the embedded spec".to_owned(),
            |path| crate::escape::path(path),
        )
    }
}

/// How far a signature's timestamp may be from now.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ToleranceArgs {
    /// How many seconds a signature's timestamp may be from now, either way
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TOLERANCE.as_secs())]
    pub tolerance: u64,

    /// Do not check signature timestamps at all (gives up replay protection:
    /// for stored fixtures and captured requests only)
    #[arg(long, conflicts_with = "tolerance")]
    pub no_tolerance: bool,
}

impl ToleranceArgs {
    /// The tolerance these flags ask for.
    pub fn tolerance(self) -> Tolerance {
        if self.no_tolerance {
            Tolerance::Disabled
        } else {
            Tolerance::seconds(self.tolerance)
        }
    }
}
