//! The `sign` command: print the `Whereby-Signature` header value for a body,
//! as Whereby would send it, or another scheme's headers with `--profile`.

use std::io::Write as _;
use std::path::PathBuf;

use sha2::Digest as _;
use whereby_webhooks_signature::{Message, now_unix, sign};

use crate::args::ProfileArgs;
use crate::body::EmptyBody;
use crate::exit::Exit;
use crate::secrets::SecretArgs;

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Signs with the first secret given (while rotating, list the current one first) and prints `t=<timestamp>,v1=<hex>`.

With --profile other than whereby, prints every header the scheme signs with, one `Name: value` per line, \
as curl's -H takes them (standard-webhooks: webhook-id, webhook-timestamp and webhook-signature; its secret is \
the base64 after `whsec_`).

Exit status: 0 signed, 2 usage or I/O error (no secret, an unreadable or empty body)."
)]
pub struct Args {
    /// The body to sign, byte for byte: a file, or `-` for standard input
    #[arg(long, value_name = "FILE", default_value = "-")]
    body: PathBuf,

    /// The signature's timestamp, in unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    timestamp: Option<u64>,

    /// The delivery's id, for schemes that sign one (standard-webhooks)
    /// [default: `msg_` and the first 24 hex digits of the SHA-256 of the
    /// timestamp and body]
    #[arg(long, value_name = "ID")]
    id: Option<String>,

    #[command(flatten)]
    profile: ProfileArgs,

    #[command(flatten)]
    secrets: SecretArgs,

    #[command(flatten)]
    empty: EmptyBody,
}

/// Runs `sign`: prints `t=<timestamp>,v1=<hex>` signed with the first
/// secret, or the profile's headers.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let timestamp = args.timestamp.unwrap_or_else(now_unix);
    if args.profile.is_default() {
        let secrets = args.secrets.resolve()?;
        let body = args.empty.read(&args.body)?;
        let header = sign(&secrets[0], timestamp, &body);
        writeln!(std::io::stdout().lock(), "{header}")?;
        return Ok(Exit::Success);
    }
    let scheme = args.profile.scheme();
    let secrets = args.secrets.resolve_for(scheme)?;
    let body = args.empty.read(&args.body)?;
    let id = args.id.unwrap_or_else(|| default_id(timestamp, &body));
    // The id is printed as a header value for curl's -H: a line break in it
    // would print a header line of its own.
    anyhow::ensure!(
        id.chars().all(|c| c == ' ' || c.is_ascii_graphic()),
        "--id \"{}\" cannot be sent as a header value: give printable ASCII without line breaks or other control characters",
        whereby_webhooks_conformance::escape::quoted_safe(&id)
    );
    let message = Message {
        id: Some(&id),
        timestamp,
        body: &body,
    };
    let mut out = std::io::stdout().lock();
    for (name, value) in scheme.sign(&secrets[0], &message) {
        writeln!(out, "{name}: {value}")?;
    }
    Ok(Exit::Success)
}

/// An id that differs for every body and second: `msg_` and 24 hex digits
/// of the SHA-256 of the timestamp's digits, `.` and the body.
fn default_id(timestamp: u64, body: &[u8]) -> String {
    let mut hash = sha2::Sha256::new();
    hash.update(timestamp.to_string().as_bytes());
    hash.update(b".");
    hash.update(body);
    let digest = hash.finalize();
    format!("msg_{}", hex::encode(&digest[..12]))
}
