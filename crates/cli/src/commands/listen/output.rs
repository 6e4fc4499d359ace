//! What `listen` prints and records about each delivery.
//!
//! Neither output ever blocks the server: both are written by threads of
//! their own, never by the async workers that answer requests, so a record
//! or a stdout that stops taking bytes costs answers at most their own
//! 4 s budget, and a signal still stops `listen` (see [`Writer::close`]).
//!
//! **The record** (with `--record`): a handler hands its delivery's record
//! line to the record thread and answers only once the thread says the
//! line is written. The thread writes every line waiting with one `write`
//! call of whole lines to the file opened for appending (so lines of two
//! `listen`s sharing a file never interleave), then acknowledges them. So
//! a delivery answered 2xx is in the file even if `listen` is killed with
//! `kill -9` the next moment (the kernel holds the written bytes), and a
//! line that cannot be written (a full disk, a pipe whose reader has gone)
//! or is not written within the handler's budget (a pipe nobody reads)
//! turns the answer into `503` with `Retry-After`, so that Whereby retries;
//! stderr says why. With `--fsync`, the thread also syncs the file to the
//! disk after each write and before acknowledging, which survives a power
//! cut too: one `fdatasync` covers every line of the batch, at the cost
//! measured in BENCHMARKS.md. A write that fails part-way leaves a
//! fragment; the next write starts with a newline, so that the next line
//! is not glued onto it (see [`append_lines`]).
//!
//! **Stdout**: handlers queue their judged [`Delivery`]; one thread prints
//! them, so lines never interleave and nothing is parsed again. It prints
//! in batches: once a delivery is queued, the thread waits up to
//! [`LINGER`] for more (or until [`BATCH`] deliveries wait) and prints them
//! all, so that under load it is woken once per batch, not once per line.
//!
//! **When stdout cannot keep up** (not read, as with a paused `less`), the
//! queue, [`QUEUE`] deliveries long, fills. A handler then waits for room,
//! within the time left of its 4 s budget, and if none comes it answers
//! `503` with `Retry-After` (Whereby retries a 5xx), counting the delivery
//! as shed; it never answers 2xx for a delivery it could not queue. Memory
//! stays bounded by the queue, not by the traffic.
//!
//! **Requests without a valid signature** are written one by one only
//! within the byte budget of [`super::budget`]; past it, the output thread
//! writes one summary line a second to stdout and to the record.

use std::fs::File;
use std::io::{self, IoSlice, Write as _};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::budget::{Budget, SUMMARY_EVERY, Summary};
use super::record_file::{Kind, RecordFile};
pub use super::render::Format;
use super::verdict::Delivery;

/// How many judged deliveries may wait for the output thread.
pub const QUEUE: usize = 1024;

/// A queue this long is printed at once.
const BATCH: usize = 128;

/// The longest a queued line waits before it is printed.
const LINGER: Duration = Duration::from_millis(10);

/// The most bytes of record lines that may wait for the record thread:
/// past it, a delivery is answered 503 at once.
const PENDING_MAX: usize = 64 * 1024 * 1024;

/// How long past its deadline a handler waits for a line the record thread
/// is already writing (still within Whereby's 5 s).
const CLAIMED_GRACE: Duration = Duration::from_millis(500);

/// How long closing waits for each output thread to finish.
const CLOSE_WITHIN: Duration = Duration::from_millis(300);

/// A delivery on its way to stdout, with the room it takes in the queue.
struct Queued {
    delivery: Box<Delivery>,
    _room: OwnedSemaphorePermit,
}

/// A record line's fate, shared by its handler and the record thread.
const QUEUED: u8 = 0;
const CLAIMED: u8 = 1;
const ABANDONED: u8 = 2;

/// A record line waiting for the record thread, with the way to tell its
/// handler whether it was written (none for summary lines).
struct Entry {
    line: Vec<u8>,
    claim: Option<(Arc<AtomicU8>, oneshot::Sender<bool>)>,
}

#[derive(Default)]
struct Lines {
    entries: Vec<Entry>,
    bytes: usize,
    /// The record thread sleeps until a line is queued.
    idle: bool,
    closed: bool,
}

/// The record file and the lines waiting for it.
struct Journal {
    file: File,
    fsync: bool,
    lines: Mutex<Lines>,
    /// Wakes the record thread.
    more: Condvar,
    /// Whether a line not written in time was reported on stderr already.
    late: std::sync::Once,
}

impl Journal {
    /// Queues `entry`; false when the record is closed or too far behind.
    fn push(&self, entry: Entry) -> bool {
        let mut lines = lock(&self.lines);
        if lines.closed || lines.bytes.saturating_add(entry.line.len()) > PENDING_MAX {
            return false;
        }
        lines.bytes += entry.line.len();
        lines.entries.push(entry);
        let wake = std::mem::take(&mut lines.idle);
        drop(lines);
        if wake {
            self.more.notify_one();
        }
        true
    }

    /// Has `line` written, waiting until `deadline`; whether it was. (A
    /// line that does not hold an answer back is only [`Journal::push`]ed.)
    async fn append(&self, line: Vec<u8>, deadline: Instant) -> bool {
        let state = Arc::new(AtomicU8::new(QUEUED));
        let (ack, mut written) = oneshot::channel();
        let queued = self.push(Entry {
            line,
            claim: Some((Arc::clone(&state), ack)),
        });
        if !queued {
            self.report_late();
            return false;
        }
        match tokio::time::timeout_at(deadline.into(), &mut written).await {
            Ok(result) => result.unwrap_or(false),
            Err(_) => {
                let abandoned = state
                    .compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok();
                self.report_late();
                if abandoned {
                    return false;
                }
                // Being written: the answer must match the record.
                matches!(
                    tokio::time::timeout_at((deadline + CLAIMED_GRACE).into(), written).await,
                    Ok(Ok(true))
                )
            }
        }
    }

    fn report_late(&self) {
        self.late.call_once(|| {
            eprintln!(
                "error: the record took no line within the 4 s a delivery may wait (a pipe nobody reads?): deliveries are answered 503 until it does"
            );
        });
    }
}

/// Writes every line queued to the record, as the module documentation
/// says, until the journal is closed and empty.
fn keep_recording(journal: &Journal) {
    let mut torn = false;
    let mut failing: Option<io::ErrorKind> = None;
    let mut batch = Vec::new();
    let mut buffer = Vec::new();
    let mut acks = Vec::new();
    loop {
        {
            let mut lines = lock(&journal.lines);
            while lines.entries.is_empty() && !lines.closed {
                lines.idle = true;
                lines = journal
                    .more
                    .wait(lines)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            lines.idle = false;
            if lines.entries.is_empty() {
                return;
            }
            std::mem::swap(&mut batch, &mut lines.entries);
            lines.bytes = 0;
        }
        buffer.clear();
        for entry in batch.drain(..) {
            if let Some((state, ack)) = entry.claim {
                // A handler that gave up has answered 503: its line is not
                // written, so the record never says otherwise.
                if state
                    .compare_exchange(QUEUED, CLAIMED, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    continue;
                }
                buffer.extend_from_slice(&entry.line);
                acks.push((buffer.len(), ack));
            } else {
                buffer.extend_from_slice(&entry.line);
            }
        }
        if buffer.is_empty() {
            continue;
        }
        let (mut written, mut error) = append_lines(&mut &journal.file, &buffer, &mut torn);
        if journal.fsync
            && written > 0
            && let Err(sync) = journal.file.sync_data()
        {
            written = 0;
            error = Some(sync);
        }
        for (end, ack) in acks.drain(..) {
            let _ = ack.send(end <= written);
        }
        match error {
            Some(error) if failing != Some(error.kind()) => {
                failing = Some(error.kind());
                let why = match error.kind() {
                    io::ErrorKind::BrokenPipe => "its reader has gone",
                    io::ErrorKind::StorageFull => "the disk is full",
                    _ => "check the disk",
                };
                eprintln!(
                    "error: cannot append to the record file: {error} ({why}); deliveries are answered 503 until it takes lines again"
                );
            }
            Some(_) => {}
            None => failing = None,
        }
    }
}

/// What the handlers and the output threads share.
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the output thread.
    ready: Condvar,
    /// Room in the queue, [`QUEUE`] places.
    room: Arc<Semaphore>,
    /// The record, if any.
    journal: Option<Journal>,
    /// What requests without a valid signature may still write.
    budget: Budget,
    /// Record lines of authentic deliveries that could not be written (in
    /// time).
    record_failures: AtomicU64,
    /// Record lines of refused requests not written, the record being too
    /// far behind.
    refusals_unrecorded: AtomicU64,
    /// Deliveries queued for stdout, answered 2xx and otherwise.
    accepted: AtomicU64,
    rejected: AtomicU64,
    /// Deliveries printed.
    printed: AtomicU64,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Queued>,
    /// The output thread sleeps until a delivery is queued.
    idle: bool,
    /// The output thread waits for a batch to fill (or [`LINGER`] to pass).
    lingering: bool,
    closed: bool,
}

impl Queue {
    /// Whether a delivery just queued should wake the output thread: when it
    /// sleeps, or when it lingers and a whole batch now waits. The thread is
    /// then no longer idle nor lingering, so it is woken once.
    fn wake(&mut self) -> bool {
        let wake = self.idle || (self.lingering && self.waiting.len() >= BATCH);
        if wake {
            self.idle = false;
            self.lingering = false;
        }
        wake
    }
}

/// The way to the output threads. Cloning is cheap.
#[derive(Clone)]
pub struct Output {
    shared: Arc<Shared>,
}

/// A place in the queue, reserved before the answer is decided.
pub struct Slot {
    room: OwnedSemaphorePermit,
    shared: Arc<Shared>,
}

/// What the output threads did, once closed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Deliveries answered 2xx.
    pub accepted: u64,
    /// Deliveries answered otherwise.
    pub rejected: u64,
    /// Record lines of authentic deliveries that could not be written.
    pub record_failures: u64,
    /// Record lines of refused requests dropped (the record too far
    /// behind).
    pub refusals_unrecorded: u64,
    /// Deliveries queued for stdout but never printed (stdout not read).
    pub unprinted: u64,
    /// Whether the record thread was still writing when `listen` stopped.
    pub record_stuck: bool,
}

/// The output threads, to be closed once the server has stopped.
pub struct Writer {
    output: Output,
    printer: JoinHandle<()>,
    recorder: Option<JoinHandle<()>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves the counts and the
    // queue still usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Output {
    /// Waits for a place in the queue until `deadline`; `None` when none
    /// came.
    pub async fn reserve(&self, deadline: Instant) -> Option<Slot> {
        let room = match Arc::clone(&self.shared.room).try_acquire_owned() {
            Ok(room) => room,
            Err(_) => tokio::time::timeout_at(
                deadline.into(),
                Arc::clone(&self.shared.room).acquire_owned(),
            )
            .await
            .ok()?
            .ok()?,
        };
        Some(Slot {
            room,
            shared: Arc::clone(&self.shared),
        })
    }

    /// Whether lines of `bytes` about a request without a valid signature
    /// from `from` may be written (see [`super::budget`]).
    pub fn may_write_unauthenticated(&self, bytes: usize, from: std::net::IpAddr) -> bool {
        self.shared.budget.spend(bytes, from)
    }
}

impl Slot {
    /// With `--record`, has `delivery`'s record line written (`line`, when
    /// already built; synced with `--fsync`), marking it unrecorded when
    /// that fails or takes past `deadline`; then queues it for stdout.
    /// Whether the line is in the record (`true` without `--record`).
    ///
    /// Only an authentic delivery waits for its line: the answer to any
    /// other request is a refusal whatever becomes of its line, which is
    /// queued for the record thread and not waited for.
    pub async fn send(
        self,
        mut delivery: Delivery,
        line: Option<Vec<u8>>,
        deadline: Instant,
    ) -> bool {
        let shared = self.shared;
        if let Some(journal) = &shared.journal {
            let line = line.unwrap_or_else(|| {
                // Room for a typical line (about 1.6 KB), so it is not grown.
                let mut line = Vec::with_capacity(4096);
                delivery.write_record(&mut line);
                line
            });
            if !delivery.verdict.is_authentic() {
                if !journal.push(Entry { line, claim: None }) {
                    shared.refusals_unrecorded.fetch_add(1, Ordering::Relaxed);
                }
            } else if !journal.append(line, deadline).await {
                delivery.unrecorded = true;
                shared.record_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        let recorded = !delivery.unrecorded;
        if delivery.status().is_success() {
            shared.accepted.fetch_add(1, Ordering::Relaxed);
        } else {
            shared.rejected.fetch_add(1, Ordering::Relaxed);
        }
        delivery.forget_what_stdout_does_not_show();
        let mut queue = lock(&shared.queue);
        queue.waiting.push(Queued {
            delivery: Box::new(delivery),
            _room: self.room,
        });
        let wake = queue.wake();
        drop(queue);
        if wake {
            shared.ready.notify_one();
        }
        recorded
    }
}

/// Appends `lines` (whole record lines) to `file`: with one `write` call,
/// more only when the system writes part of them. Returns how many bytes of
/// `lines` were written, and the error that stopped it, if one did.
///
/// A write that fails part-way (a full disk) leaves the start of a line in
/// the file. `torn` remembers that, and the next call then writes a
/// newline first, in the same call: else the next line would be glued onto
/// that fragment, and the record of a delivery answered 2xx would be
/// unreadable. (When nothing of the failed line was written, that newline
/// makes an empty line, which readers of the record skip.)
fn append_lines(
    file: &mut impl io::Write,
    lines: &[u8],
    torn: &mut bool,
) -> (usize, Option<io::Error>) {
    let mut newline = usize::from(*torn);
    let mut done = 0;
    let mut error = None;
    while done < lines.len() {
        let result = if newline == 1 {
            file.write_vectored(&[IoSlice::new(b"\n"), IoSlice::new(lines)])
        } else {
            file.write(&lines[done..])
        };
        match result {
            Ok(0) => {
                error = Some(io::Error::from(io::ErrorKind::WriteZero));
                break;
            }
            Ok(n) if newline == 1 => {
                newline = 0;
                *torn = false;
                done += n - 1;
            }
            Ok(n) => done += n,
            Err(failed) if failed.kind() == io::ErrorKind::Interrupted => {}
            Err(failed) => {
                error = Some(failed);
                break;
            }
        }
    }
    if done < lines.len() && done > 0 {
        // The file may now end mid-line.
        *torn = true;
    }
    (done, error)
}

/// Waits until `deadline` for `thread` to end; whether it did.
fn join_by(thread: JoinHandle<()>, deadline: Instant) -> bool {
    while !thread.is_finished() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = thread.join();
    true
}

impl Writer {
    /// Starts the output threads, printing in `format`, with `record` (when
    /// given) for the handlers to append to. With a record on stdout (`-`),
    /// only record lines go there.
    pub fn start(format: Format, record: Option<RecordFile>, fsync: bool) -> io::Result<Writer> {
        let sink: Box<dyn io::Write + Send> = match &record {
            Some(RecordFile {
                kind: Kind::Stdout, ..
            }) => Box::new(io::sink()),
            _ => Box::new(io::stdout()),
        };
        Self::start_to(format, record.map(|r| r.file), fsync, sink, LINGER)
    }

    /// [`Writer::start`], printing to `sink`, each batch waiting up to
    /// `linger` for more deliveries.
    fn start_to(
        format: Format,
        record: Option<File>,
        fsync: bool,
        sink: Box<dyn io::Write + Send>,
        linger: Duration,
    ) -> io::Result<Writer> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            room: Arc::new(Semaphore::new(QUEUE)),
            journal: record.map(|file| Journal {
                file,
                fsync,
                lines: Mutex::new(Lines::default()),
                more: Condvar::new(),
                late: std::sync::Once::new(),
            }),
            budget: Budget::new(),
            record_failures: AtomicU64::new(0),
            refusals_unrecorded: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            printed: AtomicU64::new(0),
        });
        let printing = Arc::clone(&shared);
        let printer = std::thread::Builder::new()
            .name("listen-output".to_owned())
            .spawn(move || print_all(&printing, format, sink, linger))?;
        let recorder = if shared.journal.is_some() {
            let recording = Arc::clone(&shared);
            Some(
                std::thread::Builder::new()
                    .name("listen-record".to_owned())
                    .spawn(move || {
                        if let Some(journal) = &recording.journal {
                            keep_recording(journal);
                        }
                    })?,
            )
        } else {
            None
        };
        Ok(Writer {
            output: Output { shared },
            printer,
            recorder,
        })
    }

    /// A way to the threads and the record.
    pub fn output(&self) -> Output {
        self.output.clone()
    }

    /// Prints what is queued and writes out the record, then stops the
    /// threads. Every other [`Output`] must have been dropped (the server
    /// has stopped). A thread stuck on an output that takes no bytes (a
    /// stdout or a pipe nobody reads) is left behind after
    /// [`CLOSE_WITHIN`], so that `listen` still ends; what it held was
    /// never answered 2xx, or is counted in [`Totals::unprinted`].
    pub fn close(self) -> Totals {
        let shared = self.output.shared;
        lock(&shared.queue).closed = true;
        shared.ready.notify_one();
        // The printer gives the last summary to the record: it goes first.
        let printed_all = join_by(self.printer, Instant::now() + CLOSE_WITHIN);
        let recorded_all = match (&shared.journal, self.recorder) {
            (Some(journal), Some(recorder)) => {
                lock(&journal.lines).closed = true;
                journal.more.notify_one();
                join_by(recorder, Instant::now() + CLOSE_WITHIN)
            }
            _ => true,
        };
        let accepted = shared.accepted.load(Ordering::Relaxed);
        let rejected = shared.rejected.load(Ordering::Relaxed);
        Totals {
            accepted,
            rejected,
            record_failures: shared.record_failures.load(Ordering::Relaxed),
            refusals_unrecorded: shared.refusals_unrecorded.load(Ordering::Relaxed),
            unprinted: if printed_all {
                0
            } else {
                (accepted + rejected).saturating_sub(shared.printed.load(Ordering::Relaxed))
            },
            record_stuck: !recorded_all,
        }
    }
}

/// Writes the summary of the requests without a valid signature that were
/// not written one by one, if one is due (or any are left, when
/// `closing`): a line on stdout, and one in the record.
fn summarise(shared: &Shared, format: Format, sink: &mut dyn io::Write, closing: bool) {
    let Some(summary) = shared.budget.summary(closing) else {
        return;
    };
    let line = summary_line(&summary, SystemTime::now());
    let printed = match format {
        Format::Human => format!(
            "{} {}\n",
            humantime::format_rfc3339_millis(SystemTime::now()),
            summary.sentence()
        )
        .into_bytes(),
        Format::Json => line.clone(),
    };
    let _ = sink.write_all(&printed).and_then(|()| sink.flush());
    if let Some(journal) = &shared.journal {
        journal.push(Entry { line, claim: None });
    }
}

/// The JSON line of a summary, newline included: record-shaped (see
/// [`crate::record`]), with `verdict` `suppressed`, `status` 0 (it is no one
/// request) and the count in `suppressed`.
fn summary_line(summary: &Summary, at: SystemTime) -> Vec<u8> {
    let mut line = Vec::new();
    whereby_webhooks_conformance::escape::json_line(
        &serde_json::json!({
        "received_at": humantime::format_rfc3339_millis(at).to_string(),
        "method": "-",
        "path": "-",
        "status": 0,
        "verdict": "suppressed",
        "reason": summary.sentence(),
            "suppressed": summary.count,
        }),
        &mut line,
    );
    line
}

fn print_all(
    shared: &Shared,
    format: Format,
    mut sink: Box<dyn io::Write + Send>,
    linger: Duration,
) {
    let mut printed = Vec::new();
    let mut batch = Vec::with_capacity(QUEUE);
    loop {
        let mut queue = lock(&shared.queue);
        // Sleep until a handler queues a delivery and wakes us, waking
        // every second to give the summary of unwritten requests.
        while queue.waiting.is_empty() && !queue.closed {
            queue.idle = true;
            queue = shared
                .ready
                .wait_timeout(queue, SUMMARY_EVERY)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
            if queue.waiting.is_empty() && !queue.closed {
                drop(queue);
                summarise(shared, format, &mut sink, false);
                queue = lock(&shared.queue);
            }
        }
        queue.idle = false;
        // Let more come, up to `linger` or a whole batch.
        let until = Instant::now() + linger;
        while queue.waiting.len() < BATCH && !queue.closed {
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                break;
            };
            queue.lingering = true;
            queue = shared
                .ready
                .wait_timeout(queue, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        queue.lingering = false;
        std::mem::swap(&mut batch, &mut queue.waiting);
        let done = queue.closed && batch.is_empty();
        drop(queue);
        if done {
            summarise(shared, format, &mut sink, true);
            return;
        }
        for queued in &batch {
            let delivery = &queued.delivery;
            match delivery.printed.as_deref() {
                Some(line) => printed.extend_from_slice(line),
                None => delivery.stdout_line(format, &mut printed),
            }
        }
        // A closed stdout is not a reason to stop receiving; a stdout that
        // is not read blocks here, and the queue fills (see the module
        // documentation). Room in the queue is freed once printed.
        let _ = sink.write_all(&printed).and_then(|()| sink.flush());
        shared
            .printed
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        printed.clear();
        batch.clear();
        summarise(shared, format, &mut sink, false);
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use hyper::Method;

    use super::super::verdict::{Kept, Refusal, Verdict};
    use super::*;

    /// A sink that keeps every `write` call apart.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

    impl io::Write for Writes {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            lock(&self.0).push(bytes.to_vec());
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Writes {
        fn calls(&self) -> usize {
            lock(&self.0).len()
        }

        fn lines(&self) -> usize {
            lock(&self.0)
                .iter()
                .flatten()
                .filter(|b| **b == b'\n')
                .count()
        }
    }

    fn refused() -> Delivery {
        Delivery {
            scheme: None,
            received_at: SystemTime::UNIX_EPOCH,
            method: Method::GET,
            path: "/".to_owned(),
            headers: Vec::new(),
            body: Kept::Unread,
            body_bytes: 0,
            verdict: Verdict::Refused(Refusal::Method(Method::GET)),
            elapsed: Duration::ZERO,
            unrecorded: false,
            printed: None,
        }
    }

    fn start(linger: Duration) -> (Writer, Writes, tokio::runtime::Runtime) {
        let sink = Writes::default();
        let writer = Writer::start_to(Format::Human, None, false, Box::new(sink.clone()), linger)
            .expect("an output thread");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        (writer, sink, runtime)
    }

    fn queue(output: &Output, runtime: &tokio::runtime::Runtime) {
        let deadline = std::time::Instant::now() + Duration::from_secs(1);
        runtime.block_on(async {
            let slot = output.reserve(deadline).await.expect("room in the queue");
            slot.send(refused(), None, deadline).await;
        });
    }

    /// [`append_lines`], saying whether all of `line` was written.
    fn append(disk: &mut FillingDisk, line: &[u8], torn: &mut bool) -> bool {
        append_lines(disk, line, torn).0 == line.len()
    }

    /// A file on a disk that fills up: takes `room` more bytes, then
    /// fails, until given more room.
    struct FillingDisk {
        written: Vec<u8>,
        room: usize,
    }

    impl io::Write for FillingDisk {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = bytes.len().min(self.room);
            self.room -= n;
            self.written.extend_from_slice(&bytes[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_after_a_failed_write_starts_on_its_own_line() {
        let mut torn = false;
        let mut disk = FillingDisk {
            written: Vec::new(),
            room: 100,
        };
        let first = b"{\"first\": \"a line the disk has room for\"}\n";
        assert!(append(&mut disk, first, &mut torn));
        // Half of the second fits: it fails, and the file ends mid-line.
        disk.room = 10;
        assert!(!append(&mut disk, b"{\"second\": 2}\n", &mut torn));
        // Still full: nothing written, and the file still ends mid-line.
        assert!(!append(&mut disk, b"{\"third\": 3}\n", &mut torn));
        disk.room = 1000;
        assert!(append(&mut disk, b"{\"fourth\": 4}\n", &mut torn));
        assert!(append(&mut disk, b"{\"fifth\": 5}\n", &mut torn));
        let text = String::from_utf8(disk.written).expect("ASCII");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "{\"first\": \"a line the disk has room for\"}",
                "{\"second\":",
                "{\"fourth\": 4}",
                "{\"fifth\": 5}"
            ],
            "{text:?}"
        );
    }

    #[test]
    fn a_write_that_wrote_nothing_leaves_no_empty_line() {
        let mut torn = false;
        let mut disk = FillingDisk {
            written: Vec::new(),
            room: 0,
        };
        assert!(!append(&mut disk, b"{\"lost\": 1}\n", &mut torn));
        disk.room = 1000;
        assert!(append(&mut disk, b"{\"next\": 2}\n", &mut torn));
        assert_eq!(disk.written, b"{\"next\": 2}\n");
    }

    #[test]
    fn a_delivery_to_an_idle_thread_waits_for_company() {
        // Woken by the first delivery, the thread waits for more before
        // printing, so the second, queued well within the linger, is
        // printed with it: one write, not one per line.
        let (writer, sink, runtime) = start(Duration::from_secs(2));
        let output = writer.output();
        // The thread asleep, waiting for the first delivery.
        let waited = std::time::Instant::now();
        while !lock(&output.shared.queue).idle && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
        queue(&output, &runtime);
        std::thread::sleep(Duration::from_millis(50));
        queue(&output, &runtime);
        drop(output);
        let totals = writer.close();
        assert_eq!(totals.rejected, 2);
        assert_eq!((sink.calls(), sink.lines()), (1, 2));
    }

    #[test]
    fn a_lone_delivery_is_printed_once_the_linger_is_over() {
        let (writer, sink, runtime) = start(Duration::from_millis(20));
        let output = writer.output();
        queue(&output, &runtime);
        let waited = std::time::Instant::now();
        while sink.lines() == 0 && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(sink.lines(), 1, "printed without waiting for more");
        drop(output);
        writer.close();
    }

    #[test]
    fn a_whole_batch_is_printed_without_waiting_for_the_linger() {
        // A linger far longer than the test: only a full batch can end it.
        let (writer, sink, runtime) = start(Duration::from_secs(600));
        let output = writer.output();
        for _ in 0..BATCH {
            queue(&output, &runtime);
        }
        let waited = std::time::Instant::now();
        while sink.lines() < BATCH && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(sink.lines(), BATCH);
        drop(output);
        writer.close();
    }

    #[test]
    fn closing_prints_what_waits_at_once() {
        let (writer, sink, runtime) = start(Duration::from_secs(600));
        let output = writer.output();
        queue(&output, &runtime);
        drop(output);
        let started = std::time::Instant::now();
        let totals = writer.close();
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_eq!((totals.rejected, sink.lines()), (1, 1));
    }
}
