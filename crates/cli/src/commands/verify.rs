//! The `verify` command: check a `Whereby-Signature` header value against a
//! body, as a receiver must; or, with `--profile`, another scheme's headers.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use whereby_webhooks_signature::{
    Found, HEADER_NAME, Profile, Scheme, Secret, Tolerance, diagnose, now_unix,
};

use crate::args::{ProfileArgs, ToleranceArgs};
use crate::body::EmptyBody;
use crate::exit::Exit;
use crate::secrets::SecretArgs;

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Any of the secrets may match. When the signature does not verify, the likely cause is named \
(body_reserialized, body_trailing_newline, secret_whitespace, secret_mismatch, timestamp_in_milliseconds, \
stale_timestamp, future_timestamp, header_malformed) with its fix; with --computed, what the receiver's own \
code did wrong (computed_without_timestamp, computed_over_reserialized_body, computed_with_other_secret), even \
when the delivery itself is valid.

With --profile other than whereby, give each header the scheme signs with as --header 'Name: value' \
(a value without a name is the signature header's); the causes that scheme can have are named, and \
--computed is not read.

Exit status: 0 valid, 1 invalid (the reason is printed), 2 usage or I/O error."
)]
pub struct Args {
    /// The header's value, `t=<unix seconds>,v1=<hex>` (a leading
    /// `Whereby-Signature:` is ignored); with --profile, repeatable as
    /// `Name: value`
    #[arg(long, value_name = "VALUE", required = true)]
    header: Vec<String>,

    /// The body that was signed, byte for byte: a file, or `-` for standard
    /// input
    #[arg(long, value_name = "FILE", default_value = "-")]
    body: PathBuf,

    #[command(flatten)]
    tolerance: ToleranceArgs,

    /// The receiver's clock, in unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,

    /// The hex signature your receiver's code computed for this delivery:
    /// says what the code did wrong when it differs from the right one
    #[arg(long, value_name = "HEX", value_parser = parse_computed)]
    computed: Option<String>,

    /// Output format: `json` prints one object, `{"valid": ..., "kind":
    /// ..., "causes": [...]}`
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    #[command(flatten)]
    profile: ProfileArgs,

    #[command(flatten)]
    secrets: SecretArgs,

    #[command(flatten)]
    empty: EmptyBody,
}

/// How the verdict is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The verdict, then each likely cause with its fix, one line each
    Human,
    /// One JSON object
    Json,
}

/// Runs `verify`: exit 0 when the signature holds, 1 when it does not.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    if !args.profile.is_default() {
        return run_profile(args);
    }
    let [header] = args.header.as_slice() else {
        anyhow::bail!(
            "give one --header, the {HEADER_NAME} value (several are read with --profile)"
        );
    };
    let secrets = args.secrets.resolve()?;
    let body = args.empty.read(&args.body)?;
    let header = strip_header_name(header);
    let tolerance = args.tolerance.tolerance();
    let now = args.now.unwrap_or_else(now_unix);
    let (exit, line) = outcome(
        header,
        &body,
        &secrets,
        tolerance,
        now,
        args.tolerance.no_tolerance,
        args.computed.as_deref(),
        args.format,
    );
    // The exit status is the verdict, even once stdout's reader has gone.
    writeln!(
        crate::exit::ReaderMayLeave::new(std::io::stdout().lock()),
        "{line}"
    )?;
    Ok(exit)
}

/// `verify --profile`: the scheme's headers, its verdict and the causes it
/// can have.
fn run_profile(args: Args) -> anyhow::Result<Exit> {
    let scheme = args.profile.scheme();
    if args.computed.is_some() {
        anyhow::bail!(
            "--computed is read with the whereby profile only: compare your code's signature with `sign --profile {}`",
            scheme.name
        );
    }
    let headers = named_headers(scheme, &args.header);
    // Receivers read either of two signature headers, and `listen` refuses
    // such a request: reading the first would call it valid.
    let signatures = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(scheme.signature_header))
        .count();
    anyhow::ensure!(
        signatures <= 1,
        "give the {} header once, not {signatures} times: a request carrying it twice is refused, as receivers read either",
        scheme.signature_header
    );
    let secrets = args.secrets.resolve_for(scheme)?;
    let body = args.empty.read(&args.body)?;
    let now = args.now.unwrap_or_else(now_unix);
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (exit, line) = profile_outcome(
        scheme,
        &pairs,
        &body,
        &secrets,
        args.tolerance.tolerance(),
        now,
        args.tolerance.no_tolerance,
        args.format,
    );
    writeln!(
        crate::exit::ReaderMayLeave::new(std::io::stdout().lock()),
        "{line}"
    )?;
    Ok(exit)
}

/// `--header` values as `(name, value)`: `Name: value` when the text
/// before the first `:` is a header name, otherwise the value of the
/// scheme's signature header.
fn named_headers(scheme: &Scheme, given: &[String]) -> Vec<(String, String)> {
    given
        .iter()
        .map(|text| match text.split_once(':') {
            Some((name, value))
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                (name.to_owned(), value.trim().to_owned())
            }
            _ => (scheme.signature_header.to_owned(), text.trim().to_owned()),
        })
        .collect()
}

/// The verdict under a scheme and what is printed for it.
#[expect(
    clippy::too_many_arguments,
    reason = "the command's inputs, in one place"
)]
fn profile_outcome(
    scheme: &Scheme,
    headers: &[(&str, &str)],
    body: &[u8],
    secrets: &[Secret],
    tolerance: Tolerance,
    now: u64,
    unchecked: bool,
    format: Format,
) -> (Exit, String) {
    let diagnosis = scheme.diagnose(headers, body, secrets, tolerance, now);
    let exit = if diagnosis.verified.is_ok() {
        Exit::Success
    } else {
        Exit::Invalid
    };
    let message = match &diagnosis.verified {
        Ok(verified) => match verified.timestamp {
            Some(timestamp) => {
                let checked = if unchecked {
                    " (timestamp not checked)"
                } else if !scheme.checks.future {
                    " (the scheme accepts timestamps from the future)"
                } else {
                    ""
                };
                format!(
                    "valid: signed at {timestamp} ({}){checked}",
                    rfc3339_seconds(timestamp)
                )
            }
            None => format!(
                "valid (the {} scheme signs no timestamp: replays are not detected)",
                scheme.name
            ),
        },
        Err(error) => format!(
            "invalid: {}",
            whereby_webhooks_conformance::escape::terminal_safe(&error.to_string())
        ),
    };
    let text = match format {
        Format::Human => {
            let mut text = message;
            explain(&mut text, &diagnosis.causes, scheme);
            text
        }
        Format::Json => {
            let causes = causes_json(&diagnosis.causes, scheme);
            let value = serde_json::json!({
                "valid": diagnosis.verified.is_ok(),
                "profile": scheme.name,
                "signed_at": diagnosis.verified.as_ref().ok().and_then(|v| v.timestamp),
                "kind": diagnosis.verified.as_ref().err().map(|e| e.kind().as_str()),
                "message": message,
                "causes": causes,
            });
            let mut line = Vec::new();
            whereby_webhooks_conformance::escape::json_line(&value, &mut line);
            String::from_utf8_lossy(&line).trim_end().to_owned()
        }
    };
    (exit, text)
}

/// The verdict and what is printed for it (without the final newline);
/// never panics, whatever the header, tolerance and clock.
#[expect(
    clippy::too_many_arguments,
    reason = "the command's inputs, in one place"
)]
fn outcome(
    header: &str,
    body: &[u8],
    secrets: &[Secret],
    tolerance: Tolerance,
    now: u64,
    unchecked: bool,
    computed: Option<&str>,
    format: Format,
) -> (Exit, String) {
    let diagnosis = diagnose(header, body, secrets, tolerance, now, computed);
    let exit = if diagnosis.verified.is_ok() {
        Exit::Success
    } else {
        Exit::Invalid
    };
    let message = match &diagnosis.verified {
        Ok(timestamp) => {
            let when = rfc3339_seconds(*timestamp);
            let checked = if unchecked {
                " (timestamp not checked)"
            } else {
                ""
            };
            format!("valid: signed at {timestamp} ({when}){checked}")
        }
        Err(error) => format!("invalid: {error}"),
    };
    let text = match format {
        Format::Human => {
            let mut text = message;
            explain(&mut text, &diagnosis.causes, Profile::Whereby.scheme());
            text
        }
        Format::Json => {
            let causes = causes_json(&diagnosis.causes, Profile::Whereby.scheme());
            let value = serde_json::json!({
                "valid": diagnosis.verified.is_ok(),
                "signed_at": diagnosis.verified.as_ref().ok(),
                "kind": diagnosis.verified.as_ref().err().map(|e| e.kind().as_str()),
                "message": message,
                "causes": causes,
            });
            let mut line = Vec::new();
            whereby_webhooks_conformance::escape::json_line(&value, &mut line);
            String::from_utf8_lossy(&line).trim_end().to_owned()
        }
    };
    (exit, text)
}

/// Appends each cause, its detail (escaped) and the fix `scheme` gives.
fn explain(text: &mut String, causes: &[Found], scheme: &Scheme) {
    for found in causes {
        text.push_str(&format!(
            "\n  {}: {}\n  fix: {}",
            found.cause,
            whereby_webhooks_conformance::escape::terminal_safe(&found.detail),
            scheme.fix(found.cause)
        ));
    }
}

/// Each cause as `verify --format json` writes it.
fn causes_json(causes: &[Found], scheme: &Scheme) -> Vec<serde_json::Value> {
    causes
        .iter()
        .map(|found| {
            serde_json::json!({
                "cause": found.cause.id(),
                "detail": found.detail,
                "fix": scheme.fix(found.cause),
            })
        })
        .collect()
}

/// `--computed`: the 64 hex digits of an HMAC-SHA256, as a receiver's
/// code prints them.
fn parse_computed(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_owned())
    } else {
        Err("give the 64 hex digits your code computed (its HMAC-SHA256, hex-encoded)".to_owned())
    }
}

/// The first second of year 10000: RFC 3339 has four-digit years, and
/// `humantime` panics from here on.
const YEAR_10000: u64 = 253_402_300_800;

/// `timestamp` as an RFC 3339 date, or a plain statement that it is beyond
/// the year 9999 (a timestamp is whatever a header says, so any `u64`).
pub fn rfc3339_seconds(timestamp: u64) -> String {
    if timestamp >= YEAR_10000 {
        return "after the year 9999".to_owned();
    }
    UNIX_EPOCH
        .checked_add(Duration::from_secs(timestamp))
        .map_or_else(
            || "after the year 9999".to_owned(),
            |time| humantime::format_rfc3339_seconds(time).to_string(),
        )
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
    use proptest::prelude::*;
    use whereby_webhooks_signature::{Secret, Tolerance, sign};

    use super::{Format, YEAR_10000, outcome, rfc3339_seconds, strip_header_name};
    use crate::exit::Exit;

    proptest! {
        /// Any signed timestamp, any clock, any window: a verdict, never a
        /// panic; and a valid one names its date or says it has none.
        #[test]
        fn no_timestamp_tolerance_or_clock_panics(
            t in any::<u64>(),
            now in any::<u64>(),
            window in any::<u64>(),
            disabled in any::<bool>(),
        ) {
            let secret = Secret::new("s").expect("non-empty");
            let header = sign(&secret, t, b"{}");
            let tolerance = if disabled { Tolerance::Disabled } else { Tolerance::seconds(window) };
            let (exit, line) = outcome(&header, b"{}", &[secret], tolerance, now, disabled, None, Format::Human);
            prop_assert!(line.starts_with("valid: ") || line.starts_with("invalid: "), "{}", line);
            prop_assert!(line.lines().count() <= 3, "{}", line);
            if disabled {
                prop_assert_eq!(exit, Exit::Success);
            }
        }

        /// Any `t` text, digits or not, in range of `i64` or `u64` or beyond.
        #[test]
        fn any_header_timestamp_text(t in any::<i64>(), extra in "[0-9]{0,3}") {
            let secret = Secret::new("s").expect("non-empty");
            let header = format!("t={t}{extra},v1={}", "0".repeat(64));
            let (exit, _) = outcome(&header, b"", &[secret], Tolerance::Disabled, 0, true, None, Format::Human);
            prop_assert_eq!(exit, Exit::Invalid);
        }
    }

    #[test]
    fn any_timestamp_has_a_date_or_a_statement() {
        assert_eq!(rfc3339_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_seconds(YEAR_10000 - 1), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339_seconds(YEAR_10000), "after the year 9999");
        assert_eq!(rfc3339_seconds(u64::MAX), "after the year 9999");
    }

    #[test]
    fn a_computed_signature_is_64_hex_digits() {
        let hex = "ab".repeat(32);
        assert_eq!(super::parse_computed(&format!(" {hex}\n")), Ok(hex.clone()));
        for junk in ["", "zz", &hex[..63], &format!("{hex}0"), &"g".repeat(64)] {
            assert!(super::parse_computed(junk).is_err(), "{junk:?}");
        }
    }

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
