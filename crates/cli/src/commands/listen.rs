//! The `listen` command: a local webhook receiver that verifies, validates,
//! prints and records every delivery.
//!
//! Point a tunnel (or `whereby-webhooks send`) at it while developing: each
//! delivery is answered the way a careful production receiver would answer
//! it (see [`server`] for the status codes and why), one line per delivery
//! goes to stdout, and with `--record FILE` every delivery, accepted or not,
//! is appended to an NDJSON file that `whereby-webhooks validate` reads back
//! (see [`crate::record`] for the line format). With `--forward-to URL`, authentic
//! deliveries go on to the application, unchanged, and its answer is relayed
//! (see [`forward`]).
//!
//! The spec is compiled once, at startup. Ctrl-C (SIGINT) or SIGTERM stops
//! accepting connections, lets in-flight requests finish (up to 5 s), writes
//! out every queued line and exits 0.

mod forward;
mod output;
mod server;
mod verdict;

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use whereby_webhooks_signature::Tolerance;

use self::forward::Forwarder;
use self::output::{Format, Writer};
use self::server::{ANSWER_WITHIN, State, Stopped};
use crate::args::{SpecArgs, ToleranceArgs};
use crate::exit::Exit;
use crate::secrets::SecretArgs;

/// Arguments of `listen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Answers, all within 4 s: 200 accepted (with --forward-to: the application's answer); 400 malformed \
or non-UTF-8 Whereby-Signature header; 401 missing or non-matching signature, or a timestamp out \
of tolerance; 405 not a POST; 408 body too slow; 413 body over --max-body; 422 authentic but not \
conforming to the spec (or holding a duplicate key); 502 or 504 the --forward-to application \
unreachable, too slow, or giving no final answer; 503 (with Retry-After) output not keeping up. \
Only 5xx answers make Whereby retry.

--forward-to passes on every authentic delivery, conforming or not (Whereby never retries a 4xx, so \
refusing would lose it); add --reject-invalid to answer 422 instead and not forward.

Ctrl-C or SIGTERM stops accepting, finishes in-flight requests and writes out the record.

Exit status: 0 stopped cleanly, 2 usage or I/O error (including record lines that could not be \
written).")]
pub struct Args {
    /// The address to listen on: IP:PORT, localhost:PORT, or a bare PORT
    /// (on 127.0.0.1); port 0 picks a free port (the address is printed on
    /// the first line of stdout)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787", value_parser = parse_addr)]
    addr: SocketAddr,

    /// Forward every delivery whose signature holds to URL, byte for byte
    /// with its headers, and answer with URL's answer
    #[arg(long, value_name = "URL", value_parser = crate::client::parse_url)]
    forward_to: Option<String>,

    /// With --forward-to: answer 422 to an authentic body that does not
    /// conform, and do not forward it (by default it is forwarded, since
    /// Whereby never retries a 4xx)
    #[arg(long, requires = "forward_to")]
    reject_invalid: bool,

    #[command(flatten)]
    spec: SpecArgs,

    /// How to print each delivery on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Append every delivery, accepted or refused, to FILE as one JSON line
    /// (created private to you, mode 0600)
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,

    /// With --record: sync each batch of record lines to the disk before
    /// answering (survives a power cut, not only a crash; slower)
    #[arg(long, requires = "record")]
    fsync: bool,

    #[command(flatten)]
    tolerance: ToleranceArgs,

    /// The largest body accepted, in bytes or with KiB, MiB or GiB (as validate's --max-size);
    /// larger ones get 413
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_max_body)]
    max_body: usize,

    /// The most connections open at once [default: from the open-files
    /// limit, at most 2048]; at the limit, idle keep-alive connections are
    /// closed first
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,

    #[command(flatten)]
    secrets: SecretArgs,
}

/// Reads `IP:PORT`, `localhost:PORT`, `[::1]:PORT` or a bare `PORT`.
fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Some((host, port)) = text.rsplit_once(':')
        && host.eq_ignore_ascii_case("localhost")
    {
        return port
            .parse::<u16>()
            .map(|port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
            .map_err(|_| format!("`{port}` is not a port number (0 to 65535)"));
    }
    if text.contains("://") {
        return Err("give an address, not a URL: for example 127.0.0.1:8787".to_owned());
    }
    Err(
        "expected IP:PORT (127.0.0.1:8787, [::1]:8787, 0.0.0.0:8787), localhost:PORT, or a bare PORT"
            .to_owned(),
    )
}

/// Connections kept free for everything else (the record file, stdout,
/// forwarding).
const SPARE_FILES: u64 = 64;

/// Raises the soft open-files limit to the hard one, and sizes the
/// connection cap from it.
fn connection_limit(asked: Option<u32>) -> usize {
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    match asked {
        Some(n) => n as usize,
        None => usize::try_from(files.saturating_sub(SPARE_FILES).clamp(16, 2048)).unwrap_or(2048),
    }
}

/// Opens the record file for appending: created 0600; when it ends in a
/// torn line (a crash mid-write in an earlier run), a newline is written
/// first so that the new records start on their own lines.
fn open_record(path: &Path) -> anyhow::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true).read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        format!(
            "cannot open the record file {}: check the directory exists and is writable",
            crate::escape::path(path)
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = file.metadata()
            && meta.is_file()
            && meta.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "warning: the record file {} is readable by others (mode {:o}): `chmod 600` it; records hold delivery bodies",
                crate::escape::path(path),
                meta.permissions().mode() & 0o777
            );
        }
    }
    if file
        .metadata()
        .is_ok_and(|meta| meta.is_file() && meta.len() > 0)
    {
        let mut last = [0u8];
        let torn = file
            .seek(SeekFrom::End(-1))
            .and_then(|_| file.read_exact(&mut last))
            .is_ok_and(|()| last[0] != b'\n');
        if torn {
            eprintln!(
                "warning: the record file {} ended in an incomplete line (an earlier run was cut short); new records start on the next line",
                crate::escape::path(path)
            );
            file.write_all(b"\n")
                .context("cannot append to the record file")?;
        }
    }
    Ok(file)
}

/// `--max-body`: a size as `validate --max-size` takes it.
fn parse_max_body(text: &str) -> Result<usize, String> {
    let size = super::validate::input::parse_size(text)?;
    usize::try_from(size).map_err(|_| format!("`{text}` is too large a size"))
}

/// Runs `listen` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let secrets = args.secrets.resolve()?;
    let validator = args.spec.validator()?;
    let record = args.record.as_deref().map(open_record).transpose()?;
    let forward = args
        .forward_to
        .map(|url| Forwarder::new(url, ANSWER_WITHIN))
        .transpose()?;
    let tolerance = args.tolerance.tolerance();
    let max_connections = connection_limit(args.max_connections);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Judging recurses through the spec's schemas once per level of the
        // payload (at most 128) and per schema applied in place (at most
        // 256): more than the 2 MiB a worker has by default.
        .thread_stack_size(whereby_webhooks_conformance::VALIDATION_STACK)
        .build()
        .context("cannot start the async runtime")?;
    let writer =
        Writer::start(args.format, record, args.fsync).context("cannot start the output thread")?;
    let describe = Description {
        secrets: secrets.len(),
        tolerance,
        strict: args.spec.strict,
        spec: args.spec.describe(),
        record: args.record.as_deref().map(crate::escape::path),
        forward: forward.as_ref().map(|f| f.shown_url().to_owned()),
        reject_invalid: args.reject_invalid,
        max_connections,
    };
    let detached = forward.is_some() || args.fsync;
    let state = Arc::new(State {
        secrets,
        tolerance,
        validator,
        max_body: args.max_body,
        forward,
        reject_invalid: args.reject_invalid,
        output: writer.output(),
        recording: args.record.is_some(),
        detached,
        bodies: State::body_budget(args.max_body),
        shed: AtomicU64::new(0),
        unlogged: AtomicU64::new(0),
    });
    let served = runtime.block_on(async {
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
        anyhow::Ok(server::serve(listener, Arc::clone(&state), max_connections, shutdown).await)
    });
    // Forwarding calls that outlived the grace period are abandoned.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let shed = state.shed.load(Ordering::Relaxed);
    let unlogged = state.unlogged.load(Ordering::Relaxed);
    drop(state);
    let totals = writer.close();
    let stopped = served?;
    if stopped == Stopped::GraceExpired {
        eprintln!("warning: some connections were still busy after the grace period and were cut");
    }
    let all = totals.accepted + totals.rejected;
    eprintln!(
        "stopped: {all} {} ({} accepted, {} refused)",
        if all == 1 { "delivery" } else { "deliveries" },
        totals.accepted,
        totals.rejected
    );
    if shed > 0 {
        eprintln!(
            "warning: {shed} authentic deliveries were answered 503 (Whereby retries them) because output was not keeping up: is stdout read?"
        );
    }
    if unlogged > 0 {
        eprintln!(
            "warning: {unlogged} refused requests were answered but neither printed nor recorded because output was not keeping up"
        );
    }
    if totals.record_failures > 0 {
        eprintln!(
            "error: {} deliveries could not be recorded (each was answered 503): the record file is incomplete",
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
    spec: String,
    record: Option<String>,
    forward: Option<String>,
    reject_invalid: bool,
    max_connections: usize,
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
    let spec = &describe.spec;
    let mode = if describe.strict { "strict" } else { "open" };
    eprintln!(
        "verifying signatures with {} secret(s), {tolerance}; validating against {spec} ({mode})",
        describe.secrets
    );
    if let Some(record) = &describe.record {
        eprintln!("recording every delivery to {record}");
    }
    if let Some(forward) = &describe.forward {
        if describe.reject_invalid {
            eprintln!(
                "forwarding authentic, conforming deliveries to {forward}; refusing the others with 422"
            );
        } else {
            eprintln!(
                "forwarding every authentic delivery to {forward}, conforming or not (--reject-invalid to refuse those that do not)"
            );
        }
    }
    eprintln!("at most {} connections", describe.max_connections);
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

#[cfg(test)]
mod tests {
    use super::parse_addr;

    #[test]
    fn addresses_as_people_write_them() {
        for (text, addr) in [
            ("127.0.0.1:8787", "127.0.0.1:8787"),
            ("8787", "127.0.0.1:8787"),
            ("localhost:8787", "127.0.0.1:8787"),
            ("LOCALHOST:0", "127.0.0.1:0"),
            ("[::1]:9", "[::1]:9"),
            ("0.0.0.0:80", "0.0.0.0:80"),
        ] {
            assert_eq!(parse_addr(text).expect(text).to_string(), addr);
        }
        for (text, says) in [
            ("localhost:http", "not a port number"),
            ("http://127.0.0.1:8787", "not a URL"),
            ("example.com:80", "expected IP:PORT"),
            ("70000", "expected IP:PORT"),
        ] {
            let error = parse_addr(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
