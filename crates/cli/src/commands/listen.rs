//! The `listen` command: a local webhook receiver that verifies, validates,
//! prints and records every delivery.
//!
//! Point a tunnel (or `whereby-webhooks send`) at it while developing: each
//! delivery is answered the way a careful production receiver would answer
//! it (see [`server`] for the status codes and why), one line per delivery
//! goes to stdout, and with `--record FILE` every delivery, accepted or not,
//! is appended to an NDJSON file that `whereby-webhooks validate` reads back
//! (see [`output`] for the line format). With `--forward-to URL`, authentic
//! deliveries go on to the application, unchanged, and its answer is relayed
//! (see [`forward`]).
//!
//! The spec is compiled once, at startup. Ctrl-C (SIGINT) or SIGTERM stops
//! accepting connections, lets in-flight requests finish (up to 5 s), writes
//! out every queued line and exits 0.

mod forward;
mod output;
mod server;

use std::fs::OpenOptions;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use whereby_webhooks_conformance::{Options, Validator};
use whereby_webhooks_signature::{DEFAULT_TOLERANCE, Tolerance};

use self::forward::Forwarder;
use self::output::{Format, Writer};
use self::server::{ANSWER_WITHIN, State, Stopped};
use crate::exit::Exit;
use crate::secrets::SecretArgs;

/// Arguments of `listen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Answers, all within 4 s: 200 accepted (with --forward-to: the application's answer); 400 malformed \
or non-UTF-8 Whereby-Signature header; 401 missing or non-matching signature, or a timestamp out \
of tolerance; 405 not a POST; 408 body too slow; 413 body over --max-body; 422 authentic but not \
conforming to the spec; 502 or 504 the --forward-to application unreachable or too slow (a 5xx, \
so Whereby retries). Only 5xx answers make Whereby retry.

Ctrl-C or SIGTERM stops accepting, finishes in-flight requests and writes out the record.")]
pub struct Args {
    /// The address to listen on; port 0 picks a free port (the address is
    /// printed on the first line of stdout)
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,

    /// Forward every delivery whose signature holds to URL, byte for byte
    /// with its headers, and answer with URL's answer
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,

    /// Report properties the spec does not describe (refused with 422)
    #[arg(long)]
    strict: bool,

    /// How to print each delivery on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Append every delivery, accepted or refused, to FILE as one JSON line
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,

    /// How many seconds a signature's timestamp may be from now, either way
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TOLERANCE.as_secs())]
    tolerance: u64,

    /// Do not check signature timestamps (gives up replay protection: for
    /// replaying captured deliveries only)
    #[arg(long, conflicts_with = "tolerance")]
    no_tolerance: bool,

    /// The largest body accepted, in bytes; larger ones get 413
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_body: usize,

    /// Validate against this OpenAPI document (JSON or YAML) instead of the
    /// embedded spec
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,

    #[command(flatten)]
    secrets: SecretArgs,
}

/// Runs `listen` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let secrets = args.secrets.resolve()?;
    let options = Options {
        strict: args.strict,
    };
    let validator = match &args.spec {
        Some(path) => Validator::from_path(path, options)
            .with_context(|| format!("cannot use the spec {}", path.display()))?,
        None => Validator::embedded(options).context("cannot compile the embedded spec")?,
    };
    let record = args
        .record
        .as_ref()
        .map(|path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| {
                    format!(
                        "cannot open the record file {}: check the directory exists and is writable",
                        path.display()
                    )
                })
        })
        .transpose()?;
    let forward = match args.forward_to {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Some(Forwarder::new(url, ANSWER_WITHIN))
        }
        Some(url) => bail!("--forward-to `{url}` is not an http:// or https:// URL"),
        None => None,
    };
    let tolerance = if args.no_tolerance {
        Tolerance::Disabled
    } else {
        Tolerance::seconds(args.tolerance)
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let writer = Writer::start(args.format, record).context("cannot start the output thread")?;
    let describe = Description {
        secrets: secrets.len(),
        tolerance,
        strict: args.strict,
        spec: args.spec.as_ref().map(|p| p.display().to_string()),
        record: args.record.as_ref().map(|p| p.display().to_string()),
        forward: forward.as_ref().map(|f| f.url().to_owned()),
    };
    let state = Arc::new(State {
        secrets,
        tolerance,
        validator,
        max_body: args.max_body,
        forward,
        output: writer.output(),
        recording: args.record.is_some(),
    });
    let stopped = runtime.block_on(async {
        // Signal handlers go in before the address is printed, so a signal
        // sent as soon as the address is known stops the server gracefully.
        let shutdown = shutdown_signal().context("cannot install the signal handlers")?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|error| {
                anyhow::anyhow!(
                    "cannot listen on {}: {error}: is another process using it? (port 0 picks a free port)",
                    args.addr
                )
            })?;
        let addr = listener.local_addr()?;
        announce(addr, args.format, &describe)?;
        anyhow::Ok(server::serve(listener, state, shutdown).await)
    })?;
    // Forwarding calls that outlived the grace period are abandoned.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let totals = writer.close();
    if stopped == Stopped::GraceExpired {
        eprintln!("warning: some connections were still busy after the grace period and were cut");
    }
    eprintln!(
        "stopped: {} deliveries ({} accepted, {} refused)",
        totals.accepted + totals.rejected,
        totals.accepted,
        totals.rejected
    );
    if totals.record_failures > 0 {
        eprintln!(
            "error: {} deliveries could not be recorded: the record file is incomplete",
            totals.record_failures
        );
        return Ok(Exit::Usage);
    }
    Ok(Exit::Success)
}

/// What the receiver checks, for the startup message.
struct Description {
    secrets: usize,
    tolerance: Tolerance,
    strict: bool,
    spec: Option<String>,
    record: Option<String>,
    forward: Option<String>,
}

/// Prints the bound address on stdout's first line, and what is checked on
/// stderr.
fn announce(addr: SocketAddr, format: Format, describe: &Description) -> anyhow::Result<()> {
    let url = server::url(addr);
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Human => writeln!(stdout, "listening on {url}")?,
        Format::Json => writeln!(stdout, "{}", serde_json::json!({ "listening": url }))?,
    }
    stdout.flush()?;
    drop(stdout);
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {addr}, reachable from other machines: deliveries still need a valid signature"
        );
    }
    let tolerance = match describe.tolerance.window() {
        Some(window) => format!("timestamps within {} s", window.as_secs()),
        None => "timestamps NOT checked".to_owned(),
    };
    let spec = describe.spec.as_deref().unwrap_or("the embedded spec");
    let mode = if describe.strict { "strict" } else { "open" };
    eprintln!(
        "verifying signatures with {} secret(s), {tolerance}; validating against {spec} ({mode})",
        describe.secrets
    );
    if let Some(record) = &describe.record {
        eprintln!("recording every delivery to {record}");
    }
    if let Some(forward) = &describe.forward {
        eprintln!("forwarding authentic deliveries to {forward}");
    }
    eprintln!("stop with Ctrl-C");
    Ok(())
}

/// Completes on the first SIGINT or SIGTERM. The handlers are installed
/// when this is called, not when the future is first polled.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
