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
//! accepting connections, lets in-flight requests finish (each is answered
//! within 4 s of arriving), writes out every queued line and exits 0,
//! within 5 s of the signal whatever its outputs do (see
//! [`output::Writer::close`]).

mod budget;
mod forward;
mod output;
mod record_file;
mod render;
mod server;
mod verdict;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use whereby_webhooks_signature::Tolerance;

use self::forward::Forwarder;
use self::output::{Format, Writer};
use self::server::{ANSWER_WITHIN, State, Stopped};
use crate::args::{AsOfArgs, SpecArgs, ToleranceArgs};
use crate::exit::Exit;
use crate::secrets::SecretArgs;
use whereby_webhooks_conformance::judge::Judge;

/// Arguments of `listen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Answers, all within 4 s: 200 accepted (with --forward-to: the application's answer), including \
an authentic event of a type the spec does not describe, reported as unknown (the contract tells \
receivers to acknowledge those; --strict refuses them); 400 malformed or non-UTF-8 \
Whereby-Signature header; 401 missing or non-matching signature, or a timestamp out of tolerance; \
405 not a POST; 408 body too slow; 413 body over --max-body; 422 authentic but not conforming to \
the spec (or holding a duplicate key); 502 or 504 the --forward-to application unreachable, too \
slow, or giving no final answer; 503 (with Retry-After) output or the record not keeping up; 508 \
a --forward-to loop back to this listen. Only 5xx answers make Whereby retry.

Requests without a valid signature are printed and recorded one by one up to 12 KiB a second \
(bursts of 192 KiB), their path and header values cut at 256 bytes; past that, one summary line a \
second counts them.

--record refuses a symbolic link, a file of another user or one others may write, and anything \
but a regular file or a pipe of yours: the record is replayed and signed, so it must be yours alone. \
`--record -` (or /dev/stdout) writes the record lines on stdout instead of the usual lines (the \
address then goes to stderr); `--record >(command)` and /dev/fd/N work too.

--forward-to passes on every authentic delivery, conforming or not (Whereby documents retries only \
for a 5xx or a time-out, so we take a 4xx as the end of a delivery, and refusing would lose it); \
add --reject-invalid to answer 422 instead and not forward.

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
    /// conform, and do not forward it (by default it is forwarded: we take
    /// a 4xx as the end of a delivery, as Whereby documents retries only
    /// for a 5xx or a time-out)
    #[arg(long, requires = "forward_to")]
    reject_invalid: bool,

    #[command(flatten)]
    spec: SpecArgs,

    #[command(flatten)]
    as_of: AsOfArgs,

    /// How to print each delivery on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Append every delivery, accepted or refused, to FILE as one JSON line
    /// (created private to you, mode 0600; `-` for stdout)
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
    profile: crate::args::ProfileArgs,

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

/// `--max-body`: a size as `validate --max-size` takes it.
fn parse_max_body(text: &str) -> Result<usize, String> {
    let size = crate::args::parse_size(text)?;
    usize::try_from(size).map_err(|_| format!("`{text}` is too large a size"))
}

/// Runs `listen` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let scheme = args.profile.scheme();
    let secrets = if args.profile.is_default() {
        args.secrets.resolve()?
    } else {
        args.secrets.resolve_for(scheme)?
    };
    let validator = args.spec.validator_as_of(args.as_of.as_of.as_ref())?;
    let record = args.record.as_deref().map(record_file::open).transpose()?;
    let record_kind = record.as_ref().map(|record| record.kind);
    if args.fsync && record_kind.is_some_and(|kind| kind != record_file::Kind::Regular) {
        anyhow::bail!(
            "--fsync needs the record to be a regular file: a pipe or a terminal cannot be synced to a disk"
        );
    }
    let mark = format!("whereby-webhooks-{}", random_hex());
    let forward = args
        .forward_to
        .map(|url| Forwarder::new(url, ANSWER_WITHIN, mark.clone()))
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
        record: args
            .record
            .as_deref()
            .map(whereby_webhooks_conformance::escape::path),
        record_to_stdout: record_kind == Some(record_file::Kind::Stdout),
        forward: forward.as_ref().map(|f| f.shown_url().to_owned()),
        reject_invalid: args.reject_invalid,
        max_connections,
        scheme: (!args.profile.is_default()).then_some(scheme),
    };
    let detached = forward.is_some() || args.record.is_some();
    let state = Arc::new(State {
        judge: Judge::new(validator, secrets)
            .with_tolerance(tolerance)
            .with_scheme(scheme),
        max_body: args.max_body,
        forward,
        reject_invalid: args.reject_invalid,
        output: writer.output(),
        recording: args.record.is_some(),
        detached,
        bodies: State::body_budget(args.max_body),
        shed: AtomicU64::new(0),
        unlogged: AtomicU64::new(0),
        mark,
        format: args.format,
        diagnoses: server::DiagnosisRate::new(),
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
        if let Some(forward) = &state.forward {
            refuse_forwarding_to_self(forward, addr)?;
        }
        announce(addr, args.format, &describe)?;
        anyhow::Ok(server::serve(listener, Arc::clone(&state), max_connections, shutdown).await)
    });
    // Forwarding calls that outlived the grace period are abandoned.
    runtime.shutdown_timeout(Duration::from_millis(300));
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
    if totals.refusals_unrecorded > 0 {
        eprintln!(
            "warning: {} refused requests were answered but not recorded because the record was not keeping up",
            totals.refusals_unrecorded
        );
    }
    if totals.unprinted > 0 {
        eprintln!(
            "warning: {} deliveries were answered but not printed: stdout was not being read",
            totals.unprinted
        );
    }
    if totals.record_stuck {
        eprintln!(
            "error: the record was still taking lines when listen stopped (a pipe nobody reads?): every delivery answered 2xx was written, the others were answered 503"
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

/// 16 random hex digits.
fn random_hex() -> String {
    let mut bytes = [0u8; 8];
    // Without randomness, the time still tells runs apart.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos as u64 ^ u64::from(std::process::id())).to_le_bytes();
    }
    hex::encode(bytes)
}

/// Refuses a `--forward-to` that names `listen`'s own address: every
/// delivery would come back to it, round and round.
fn refuse_forwarding_to_self(forward: &Forwarder, bound: SocketAddr) -> anyhow::Result<()> {
    let Some((host, port)) = forward.host_and_port() else {
        return Ok(());
    };
    if port != bound.port() {
        return Ok(());
    }
    let resolved: Vec<IpAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map(|addrs| addrs.map(|addr| addr.ip()).collect())
        .unwrap_or_default();
    // `::ffff:127.0.0.1` is 127.0.0.1.
    let ours = bound.ip().to_canonical();
    let reaches_us = |ip: &IpAddr| {
        let ip = ip.to_canonical();
        ip == ours
            || (ours.is_unspecified() && (ip.is_loopback() || ip.is_unspecified()))
            || (ip.is_unspecified() && ours.is_loopback())
    };
    if resolved.iter().any(reaches_us) {
        anyhow::bail!(
            "--forward-to {} is this listen's own address ({}): every delivery would come back here; give the application's address",
            forward.shown_url(),
            server::url(bound)
        );
    }
    Ok(())
}

/// What the receiver checks, for the startup message.
struct Description {
    secrets: usize,
    tolerance: Tolerance,
    strict: bool,
    spec: String,
    record: Option<String>,
    record_to_stdout: bool,
    forward: Option<String>,
    reject_invalid: bool,
    max_connections: usize,
    /// The signature scheme, when it is not Whereby's.
    scheme: Option<&'static whereby_webhooks_signature::Scheme>,
}

/// Prints the bound address on stdout's first line, and what is checked on
/// stderr.
fn announce(addr: SocketAddr, format: Format, describe: &Description) -> anyhow::Result<()> {
    let url = server::url(addr);
    let line = match format {
        Format::Human => format!("listening on {url}"),
        Format::Json => serde_json::json!({ "listening": url }).to_string(),
    };
    if describe.record_to_stdout {
        // Stdout carries only record lines.
        eprintln!("{line}");
    } else {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()?;
    }
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {addr}, reachable from other machines: deliveries still need a valid signature"
        );
    }
    let tolerance = match (describe.tolerance.window(), describe.scheme) {
        (_, Some(scheme)) if scheme.timestamp.is_none() => format!(
            "the {} scheme: no timestamp is signed, replays are not detected",
            scheme.name
        ),
        (Some(window), Some(scheme)) if !scheme.checks.future => format!(
            "the {} scheme: timestamps at most {} s old (from the future accepted, as its libraries do)",
            scheme.name,
            window.as_secs()
        ),
        (Some(window), Some(scheme)) => format!(
            "the {} scheme: timestamps within {} s",
            scheme.name,
            window.as_secs()
        ),
        (Some(window), None) => format!("timestamps within {} s", window.as_secs()),
        (None, _) => "timestamps NOT checked".to_owned(),
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
