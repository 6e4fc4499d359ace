//! The `verify` command: check a `Whereby-Signature` header value against a
//! body, as a receiver must.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use whereby_webhooks_signature::{DEFAULT_TOLERANCE, HEADER_NAME, Tolerance, now_unix, verify};

use crate::body::EmptyBody;
use crate::exit::Exit;
use crate::secrets::SecretArgs;

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Any of the secrets may match. Exit status: 0 valid, 1 invalid (the reason is printed), 2 usage or I/O error."
)]
pub struct Args {
    /// The header's value, `t=<unix seconds>,v1=<hex>` (a leading
    /// `Whereby-Signature:` is ignored)
    #[arg(long, value_name = "VALUE")]
    header: String,

    /// The body that was signed, byte for byte: a file, or `-` for standard
    /// input
    #[arg(long, value_name = "FILE", default_value = "-")]
    body: PathBuf,

    /// How many seconds the timestamp may be from now, either way
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TOLERANCE.as_secs())]
    tolerance: u64,

    /// Do not check the timestamp at all (for stored fixtures and captured
    /// requests; gives up replay protection)
    #[arg(long, conflicts_with = "tolerance")]
    no_tolerance: bool,

    /// The receiver's clock, in unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,

    #[command(flatten)]
    secrets: SecretArgs,

    #[command(flatten)]
    empty: EmptyBody,
}

/// Runs `verify`: exit 0 when the signature holds, 1 when it does not.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let secrets = args.secrets.resolve()?;
    let body = args.empty.read(&args.body)?;
    let header = strip_header_name(&args.header);
    let tolerance = if args.no_tolerance {
        Tolerance::Disabled
    } else {
        Tolerance::seconds(args.tolerance)
    };
    let now = args.now.unwrap_or_else(now_unix);
    let mut stdout = std::io::stdout().lock();
    match verify(header, &body, &secrets, tolerance, now) {
        Ok(timestamp) => {
            let when =
                humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(timestamp));
            let checked = if args.no_tolerance {
                " (timestamp not checked)"
            } else {
                ""
            };
            writeln!(stdout, "valid: signed at {timestamp} ({when}){checked}")?;
            Ok(Exit::Success)
        }
        Err(error) => {
            writeln!(stdout, "invalid: {error}")?;
            Ok(Exit::Invalid)
        }
    }
}

/// Drops a leading `Whereby-Signature:` (any case), as copied from a request
/// dump along with the value.
fn strip_header_name(header: &str) -> &str {
    let trimmed = header.trim_start();
    let name = HEADER_NAME.len();
    match (trimmed.get(..name), trimmed.get(name..)) {
        (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case(HEADER_NAME) => rest
            .trim_start()
            .strip_prefix(':')
            .map_or(header, str::trim_start),
        _ => header,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_header_name;

    #[test]
    fn header_name_is_optional() {
        assert_eq!(strip_header_name("t=1,v1=ab"), "t=1,v1=ab");
        assert_eq!(
            strip_header_name("Whereby-Signature: t=1,v1=ab"),
            "t=1,v1=ab"
        );
        assert_eq!(strip_header_name("whereby-signature:t=1"), "t=1");
        // Not followed by a colon: left alone, for the parser to reject.
        assert_eq!(
            strip_header_name("Whereby-Signature t=1"),
            "Whereby-Signature t=1"
        );
    }
}
