//! Flags shared by several commands, parsed by one flattened group each so
//! that every command behaves and documents them alike.
//!
//! * [`SpecArgs`]: `--spec FILE` and `--strict` (`validate`, `listen`);
//! * [`AsOfArgs`]: `--as-of DATE|created` (`validate`, `listen`);
//! * [`ToleranceArgs`]: `--tolerance SECS` and `--no-tolerance` (`verify`,
//!   `listen`);
//! * [`parse_size()`]: sizes (`validate --max-size`, `listen --max-body`);
//! * [`ProfileArgs`]: `--profile NAME` (`sign`, `verify`, `validate`).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::builder::TypedValueParser as _;
use whereby_webhooks_conformance::{Options, Validator, escape};
use whereby_webhooks_signature::{DEFAULT_TOLERANCE, Profile, Scheme, Tolerance};

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
    /// The validator these flags ask for, compiled once: for today's
    /// contract, or for that of a date when `as_of` says one.
    ///
    /// # Errors
    ///
    /// When the document cannot be read or compiled.
    pub fn validator_as_of(&self, as_of: Option<&AsOf>) -> anyhow::Result<Validator> {
        let options = Options {
            strict: self.strict,
        };
        let Some(as_of) = as_of else {
            return self.today(options);
        };
        let document = match &self.spec {
            Some(path) => whereby_webhooks_conformance::read_document(path)
                .map_err(|error| self.unusable(&error))?,
            None => serde_json::from_str(whereby_webhooks_conformance::EMBEDDED_SPEC)
                .context("cannot read the embedded spec")?,
        };
        match as_of {
            AsOf::Date(date) => {
                if let Ok(then) = whereby_webhooks_conformance::history::as_of(&document, date)
                    && let Some(note) = then.note
                {
                    eprintln!("note: {note}");
                }
                Validator::as_of(&document, date, options)
            }
            AsOf::Created => Validator::as_of_created(&document, options),
        }
        .map_err(|error| self.unusable(&error))
    }

    /// The error for a document that cannot be used.
    fn unusable(&self, error: &whereby_webhooks_conformance::SpecError) -> anyhow::Error {
        anyhow::anyhow!(
            "cannot use {}: {}",
            self.spec.as_ref().map_or_else(
                || "the embedded spec".to_owned(),
                |path| format!("the spec {}", escape::path(path))
            ),
            escape::message_safe(&chain(error))
        )
    }

    fn today(&self, options: Options) -> anyhow::Result<Validator> {
        match &self.spec {
            // The error quotes the document (webhook names, references,
            // schema values), and is one line: all of it is escaped, line
            // breaks included (its file name is escaped already, and its
            // backslashes are kept as they are).
            Some(path) => Validator::from_path(path, options).map_err(|error| {
                anyhow::anyhow!(
                    "cannot use the spec {}: {}",
                    escape::path(path),
                    escape::message_safe(&chain(&error))
                )
            }),
            None => Validator::embedded(options).context("cannot compile the embedded spec"),
        }
    }

    /// How the document is named in messages.
    pub fn describe(&self) -> String {
        self.spec
            .as_ref()
            .map_or_else(|| "the embedded spec".to_owned(), |path| escape::path(path))
    }
}

/// Which date's contract payloads are judged against.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AsOfArgs {
    /// Judge against the contract as it stood on DATE (YYYY-MM-DD): only the events, properties
    /// and values Whereby had documented by then. `created` judges each event by the contract of
    /// its own `createdAt` date, for captures and archives. Without it, today's contract
    #[arg(long, value_name = "DATE|created", value_parser = parse_as_of)]
    pub as_of: Option<AsOf>,
}

/// A date of the contract, or each event's own date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsOf {
    /// The contract of one date, `YYYY-MM-DD`.
    Date(String),
    /// The contract of each event's `createdAt` date.
    Created,
}

/// Reads `--as-of`: `created`, or a calendar date.
pub fn parse_as_of(text: &str) -> Result<AsOf, String> {
    if text == "created" {
        return Ok(AsOf::Created);
    }
    whereby_webhooks_conformance::history::parse_date(text)
        .map(|date| AsOf::Date(date.to_owned()))
        .map_err(|error| format!("{error}, or `created`"))
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

/// Which signature scheme is spoken: Whereby's by default, or another
/// vendor's, as data from the signature crate.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ProfileArgs {
    /// The signature scheme: whereby (Whereby-Signature), stripe
    /// (Stripe-Signature), github (X-Hub-Signature-256), standard-webhooks
    /// (webhook-id, webhook-timestamp, webhook-signature)
    #[arg(
        long,
        value_name = "NAME",
        default_value = "whereby",
        value_parser = clap::builder::PossibleValuesParser::new(["whereby", "stripe", "github", "standard-webhooks"])
            .try_map(|name| name.parse::<Profile>()),
        hide_possible_values = true
    )]
    pub profile: Profile,
}

impl ProfileArgs {
    /// The scheme this profile names.
    pub fn scheme(self) -> &'static Scheme {
        self.profile.scheme()
    }

    /// Whether the default profile is in use.
    pub fn is_default(self) -> bool {
        self.profile == Profile::Whereby
    }
}

/// `error` and its sources, joined with `: ` as `anyhow` prints a chain.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Parses a size: bytes, or a number with `K`, `KiB`, `M`, `MiB`, `G`,
/// `GiB` (or `T`, `P`, `E`), every unit a power of 1024 whether it is
/// written `K`, `KB` or `KiB`; case is ignored, a fraction is rounded to the
/// byte (`1.5M`), and `_` may group digits. More than 0 bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    use parse_size::Error;
    match parse_size::Config::new().with_binary().parse_size(text) {
        Ok(0) => Err("the size limit must be more than 0 bytes".to_owned()),
        Ok(size) => Ok(size),
        Err(Error::PosOverflow) => Err(format!("`{}` is too large a size", text.trim())),
        Err(_) => Err(format!(
            "`{}` is not a size: write bytes, or a number with KiB, MiB or GiB, as in 1MiB or 4096",
            text.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_are_bytes_or_powers_of_1024() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("1MB"), Ok(1 << 20));
        assert_eq!(parse_size("2 k"), Ok(2048));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1.5M"), Ok(3 << 19));
        for refused in ["0", "0.1", "M", "-1", "1 MiBs", ""] {
            assert!(parse_size(refused).is_err(), "{refused:?}");
        }
        assert!(
            parse_size("16E")
                .expect_err("too large")
                .contains("too large")
        );
    }
}
