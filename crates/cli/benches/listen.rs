//! `listen` under load on loopback, against a bare server on the same stack.
//!
//! Run with `cargo bench -p whereby-webhooks --bench listen`.
//!
//! Each server runs as its own child process on an ephemeral 127.0.0.1
//! port, one after the other:
//!
//! * **bare**: tokio + hyper, HTTP/1.1, the same runtime settings as
//!   `listen` (multi-threaded, one worker per core); it reads the body and
//!   answers 200. This is the ceiling. (It is this bench binary itself,
//!   started again with `WHEREBY_BENCH_BARE_SERVER=1`.)
//! * **listen**: `whereby-webhooks listen` verifying the signature and
//!   validating each body against the embedded spec, printing its human
//!   line per delivery to a pipe that the bench drains, no record file.
//! * **listen + record**: the same with `--record` to a temporary file, so
//!   every delivery is also written as one NDJSON line with its headers and
//!   body, before it is answered.
//! * **listen + record + fsync**: the same, each batch of lines synced to
//!   the disk before the answers go out.
//!
//! A load generator in this process opens 16 keep-alive connections (one
//! thread each) and sends the same signed 500-byte `room.client.joined`
//! delivery back to back for a few seconds after a short warm-up, timing
//! every request. It prints requests per second, p50 and p99 latency, and
//! each configuration's throughput as a share of bare. Everything shares
//! the machine's cores: client, server and, for listen, its output thread.
//!
//! The configurations take turns, twice, and each one's numbers are
//! over both of its runs. `WHEREBY_BENCH_SECONDS` (per run, default 5),
//! `WHEREBY_BENCH_CONNECTIONS` (default 16) and `WHEREBY_BENCH_ROUNDS`
//! (default 2) change the run.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use whereby_webhooks_signature::{Secret, now_unix, sign};

const SECRET: &str = "bench-signing-secret";
const BARE_ENV: &str = "WHEREBY_BENCH_BARE_SERVER";
const WARM_UP: Duration = Duration::from_millis(500);

fn main() {
    if std::env::var_os(BARE_ENV).is_some() {
        bare::serve();
        return;
    }
    // `cargo bench` passes `--bench`; a filter selects nothing here.
    let seconds = env_number("WHEREBY_BENCH_SECONDS", 5);
    let connections = env_number("WHEREBY_BENCH_CONNECTIONS", 16);
    let rounds = env_number("WHEREBY_BENCH_ROUNDS", 2);
    let duration = Duration::from_secs(seconds);
    let (body, template) = delivery();

    println!("{}", machine());
    println!(
        "{connections} keep-alive connections; {rounds} rounds of {seconds} s per configuration, each after a {} ms warm-up; {}-byte body",
        WARM_UP.as_millis(),
        body.len()
    );
    let record_dir = std::env::temp_dir().join(format!("whereby-bench-{}", std::process::id()));
    std::fs::create_dir_all(&record_dir).expect("a temporary directory");
    let record = record_dir.join("record.ndjson");
    let record_arg = record.to_str().expect("a UTF-8 temporary path").to_owned();

    let configurations: [(&str, Server); 4] = [
        ("bare (reads body, answers 200)", Server::Bare),
        ("listen (verify + validate)", Server::Listen(vec![])),
        (
            "listen + --record",
            Server::Listen(vec!["--record".to_owned(), record_arg.clone()]),
        ),
        (
            "listen + --record --fsync",
            Server::Listen(vec![
                "--record".to_owned(),
                record_arg,
                "--fsync".to_owned(),
            ]),
        ),
    ];
    // The configurations take turns, `rounds` times, so that a slower
    // moment of the machine does not fall on one of them only.
    let mut results: Vec<(&str, LoadResult)> = configurations
        .iter()
        .map(|(name, _)| (*name, LoadResult::default()))
        .collect();
    for _ in 0..rounds {
        for ((_, server), (_, total)) in configurations.iter().zip(&mut results) {
            let mut child = server.start();
            let port = child.port;
            // A fresh signature per run, well inside the 300 s tolerance.
            let request = request(port, &body, &template);
            let result = load(port, &request, connections, duration);
            child.stop();
            total.add(result);
        }
    }
    for (_, result) in &mut results {
        result.latencies.sort_unstable();
    }
    let recorded = std::fs::read_to_string(&record)
        .map(|text| text.lines().count())
        .unwrap_or(0);
    let _ = std::fs::remove_dir_all(&record_dir);

    println!();
    println!(
        "{:<32} {:>10} {:>10} {:>10} {:>9} {:>8}",
        "configuration", "requests", "req/s", "p50", "p99", "vs bare"
    );
    let bare_rps = results[0].1.rps();
    for (name, result) in &results {
        println!(
            "{:<32} {:>10} {:>10.0} {:>8.3}ms {:>7.3}ms {:>7.1}%",
            name,
            result.latencies.len(),
            result.rps(),
            result.percentile(0.50).as_secs_f64() * 1000.0,
            result.percentile(0.99).as_secs_f64() * 1000.0,
            100.0 * result.rps() / bare_rps
        );
    }
    println!("(record file: {recorded} lines written by the record runs, warm-ups included)");
    for (name, result) in &results {
        assert_eq!(
            result.failures, 0,
            "{name}: {} requests were not answered 200",
            result.failures
        );
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("machine: {cores} cores, {model}")
}

/// The delivery sent: the first `room.client.joined` example, padded to
/// about 500 bytes by its display name, and the request head template.
fn delivery() -> (Vec<u8>, String) {
    let example = whereby_webhooks_model::all_examples()
        .into_iter()
        .next()
        .expect("an example");
    let mut event = serde_json::to_value(&example.event).expect("serialisable");
    let body = serde_json::to_vec(&event).expect("serialisable");
    if body.len() < 500 {
        let name = event["data"]["displayName"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        event["data"]["displayName"] =
            serde_json::Value::String(format!("{name}{}", "x".repeat(500 - body.len())));
    }
    let body = serde_json::to_vec(&event).expect("serialisable");
    let head = "POST /bench HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nWhereby-Signature: {signature}\r\n\r\n".to_owned();
    (body, head)
}

/// The whole request, signed now.
fn request(port: u16, body: &[u8], template: &str) -> Vec<u8> {
    let secret = Secret::new(SECRET).expect("non-empty");
    let signature = sign(&secret, now_unix(), body);
    let mut request = template
        .replace("{port}", &port.to_string())
        .replace("{length}", &body.len().to_string())
        .replace("{signature}", &signature)
        .into_bytes();
    request.extend_from_slice(body);
    request
}

enum Server {
    Bare,
    Listen(Vec<String>),
}

struct Running {
    child: Child,
    port: u16,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(&self) -> Running {
        let mut command = match self {
            Server::Bare => {
                let mut command = Command::new(std::env::current_exe().expect("this binary"));
                command.env(BARE_ENV, "1");
                command
            }
            Server::Listen(args) => {
                let mut command =
                    Command::new(PathBuf::from(env!("CARGO_BIN_EXE_whereby-webhooks")));
                command
                    .args(["listen", "--addr", "127.0.0.1:0"])
                    .args(args)
                    .env("WHEREBY_WEBHOOK_SECRET", SECRET);
                command
            }
        };
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("the address line");
        let port = first
            .trim_end()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        // The per-delivery lines go to a sink, as to a terminal nobody reads.
        let drain = std::thread::spawn(move || {
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });
        Running {
            child,
            port,
            drain: Some(drain),
        }
    }
}

impl Running {
    fn stop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("a pid"));
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
    }
}

#[derive(Default)]
struct LoadResult {
    latencies: Vec<Duration>,
    elapsed: Duration,
    failures: usize,
}

impl LoadResult {
    fn add(&mut self, other: LoadResult) {
        self.latencies.extend(other.latencies);
        self.elapsed += other.elapsed;
        self.failures += other.failures;
    }

    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        self.latencies[index.min(self.latencies.len() - 1)]
    }
}

/// Sends `request` back to back on `connections` keep-alive connections.
fn load(port: u16, request: &[u8], connections: u64, duration: Duration) -> LoadResult {
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let request: Arc<[u8]> = Arc::from(request);
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (measuring, stop, request) = (
                Arc::clone(&measuring),
                Arc::clone(&stop),
                Arc::clone(&request),
            );
            std::thread::spawn(move || {
                let mut client = Client::connect(port);
                let mut latencies = Vec::with_capacity(1 << 16);
                let mut failures = 0;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let status = client.exchange(&request);
                    let took = started.elapsed();
                    if measuring.load(Ordering::Relaxed) {
                        if status == 200 {
                            latencies.push(took);
                        } else {
                            failures += 1;
                        }
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    std::thread::sleep(WARM_UP);
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(duration);
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failures = 0;
    for worker in workers {
        let (l, f) = worker.join().expect("a load thread");
        latencies.extend(l);
        failures += f;
    }
    LoadResult {
        latencies,
        elapsed,
        failures,
    }
}

/// A minimal keep-alive HTTP/1.1 client: one request at a time, answers
/// framed by `Content-Length`.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    line: String,
    body: Vec<u8>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Client {
            stream,
            reader,
            line: String::new(),
            body: Vec::new(),
        }
    }

    /// Sends the request and reads the answer; returns its status.
    fn exchange(&mut self, request: &[u8]) -> u16 {
        self.stream.write_all(request).expect("send");
        self.line.clear();
        self.reader.read_line(&mut self.line).expect("status line");
        let status = self
            .line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let mut length = 0usize;
        loop {
            self.line.clear();
            self.reader.read_line(&mut self.line).expect("a header");
            let line = self.line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).expect("the body");
        status
    }
}

/// The bare server: the same runtime and HTTP stack as `listen`, no checks.
mod bare {
    use std::convert::Infallible;
    use std::io::Write as _;

    use bytes::Bytes;
    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Incoming;
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper::{Request, Response};
    use hyper_util::rt::{TokioIo, TokioTimer};

    async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        // Read the body, as any receiver must, then answer.
        let _ = request.into_body().collect().await;
        Ok(Response::new(Full::new(Bytes::from_static(b"ok\n"))))
    }

    pub fn serve() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("addr");
            let mut stdout = std::io::stdout();
            let _ = writeln!(stdout, "listening on http://{addr}");
            let _ = stdout.flush();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service_fn(answer))
                        .await;
                });
            }
        });
    }
}
