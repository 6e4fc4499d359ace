//! The `sign` command: print the `Whereby-Signature` header value for a body,
//! as Whereby would send it.

use std::io::Write as _;
use std::path::PathBuf;

use whereby_webhooks_signature::{now_unix, sign};

use crate::body::EmptyBody;
use crate::exit::Exit;
use crate::secrets::SecretArgs;

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Signs with the first secret given (while rotating, list the current one first) and prints `t=<timestamp>,v1=<hex>`.

Exit status: 0 signed, 2 usage or I/O error (no secret, an unreadable or empty body)."
)]
pub struct Args {
    /// The body to sign, byte for byte: a file, or `-` for standard input
    #[arg(long, value_name = "FILE", default_value = "-")]
    body: PathBuf,

    /// The signature's timestamp, in unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    timestamp: Option<u64>,

    #[command(flatten)]
    secrets: SecretArgs,

    #[command(flatten)]
    empty: EmptyBody,
}

/// Runs `sign`: prints `t=<timestamp>,v1=<hex>` signed with the first secret.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let secrets = args.secrets.resolve()?;
    let body = args.empty.read(&args.body)?;
    let timestamp = args.timestamp.unwrap_or_else(now_unix);
    let header = sign(&secrets[0], timestamp, &body);
    writeln!(std::io::stdout().lock(), "{header}")?;
    Ok(Exit::Success)
}
