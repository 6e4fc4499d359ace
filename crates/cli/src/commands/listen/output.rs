//! What `listen` prints and records about each delivery.
//!
//! **The record** (with `--record`): a handler writes its delivery's record
//! line itself, with one `write` call of the whole line to the file opened
//! for appending, and answers only once the line is written. So a delivery
//! answered 2xx is in the file even if `listen` is killed with `kill -9` the
//! next moment (the kernel holds the written bytes), and a line that cannot
//! be written turns the answer into `503`, so that Whereby retries. With
//! `--fsync`, the line is also synced to the disk before the answer, which
//! also survives a power cut, at the cost measured in BENCHMARKS.md: one
//! thread syncs the file over and over while lines are being written, and
//! each handler waits for the first sync that started after its write, so
//! that one `fdatasync` covers every line written before it. The file is in
//! the page cache, so a write takes microseconds; should the disk stall,
//! answers wait for it, and Whereby retries those it stops waiting for: no
//! delivery is answered 2xx without its line. A write that fails part-way
//! (a full disk) leaves a fragment; the next line written starts with a
//! newline, so that it is not glued onto it (see [`append_line`]).
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

use std::fs::File;
use std::io::{self, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::verdict::Delivery;

/// How `listen` prints each delivery on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line for people: time, status, type, id and the verdicts
    Human,
    /// One JSON object per line: the record line without headers and body
    Json,
}

/// How many judged deliveries may wait for the output thread.
pub const QUEUE: usize = 1024;

/// A queue this long is printed at once.
const BATCH: usize = 128;

/// The longest a queued line waits before it is printed.
const LINGER: Duration = Duration::from_millis(10);

/// A delivery on its way to stdout, with the room it takes in the queue.
struct Queued {
    delivery: Box<Delivery>,
    _room: OwnedSemaphorePermit,
}

/// Group syncing of the record file (`--fsync`).
struct Sync {
    /// Lines written so far, and whether the syncing thread should stop.
    written: Mutex<(u64, bool)>,
    /// Wakes the syncing thread.
    more: Condvar,
    /// Lines synced so far; `u64::MAX` once a sync failed.
    synced: tokio::sync::watch::Sender<u64>,
}

/// Syncs `file` whenever lines were written since the last sync.
fn sync_all(shared: &Shared) {
    let (Some(sync), Some(file)) = (&shared.sync, &shared.record) else {
        return;
    };
    let mut synced = 0;
    loop {
        let mut written = lock(&sync.written);
        while written.0 == synced && !written.1 {
            written = sync
                .more
                .wait(written)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if written.0 == synced {
            return;
        }
        let target = written.0;
        drop(written);
        if file.sync_data().is_err() {
            sync.synced.send_replace(u64::MAX);
            return;
        }
        synced = target;
        sync.synced.send_replace(synced);
    }
}

/// What the handlers and the output thread share.
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the output thread.
    ready: Condvar,
    /// Room in the queue, [`QUEUE`] places.
    room: Arc<Semaphore>,
    /// The record file, if any.
    record: Option<File>,
    /// With `--fsync`: how far the record file is synced.
    sync: Option<Sync>,
    /// Record lines that could not be written.
    record_failures: AtomicU64,
    /// Whether a failed write may have left part of a line in the record
    /// file (see [`append_line`]).
    torn: AtomicBool,
    /// Whether a record failure was reported on stderr already.
    reported: std::sync::Once,
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

/// The way to the output thread and the record file. Cloning is cheap.
#[derive(Clone)]
pub struct Output {
    shared: Arc<Shared>,
}

/// A place in the queue, reserved before the answer is decided.
pub struct Slot {
    room: OwnedSemaphorePermit,
    shared: Arc<Shared>,
}

/// Counts kept by the output thread.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Deliveries answered 2xx.
    pub accepted: u64,
    /// Deliveries answered otherwise.
    pub rejected: u64,
    /// Record lines that could not be written.
    pub record_failures: u64,
}

/// The output thread, to be closed once the server has stopped.
pub struct Writer {
    output: Output,
    thread: JoinHandle<Totals>,
    syncer: Option<JoinHandle<()>>,
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
    pub async fn reserve(&self, deadline: std::time::Instant) -> Option<Slot> {
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
}

impl Slot {
    /// With `--record`, writes `delivery`'s record line (and syncs it with
    /// `--fsync`), marking it unrecorded when that fails; then queues it for
    /// stdout. Whether the line is in the record (`true` without
    /// `--record`).
    pub async fn send(self, mut delivery: Delivery, deadline: std::time::Instant) -> bool {
        let shared = self.shared;
        if let Some(file) = &shared.record {
            // Room for a typical line (about 1.6 KB), so it is not grown.
            let mut line = Vec::with_capacity(4096);
            delivery.write_record(&mut line);
            let mut written = append_line(&mut &*file, &mut line, &shared.torn);
            if let (true, Some(sync)) = (written, &shared.sync) {
                let mut synced = sync.synced.subscribe();
                let ticket = {
                    let mut lines = lock(&sync.written);
                    lines.0 += 1;
                    lines.0
                };
                sync.more.notify_one();
                // The sync thread may fail (u64::MAX): then this line is not
                // known to be on the disk.
                written = matches!(
                    tokio::time::timeout_at(deadline.into(), synced.wait_for(|s| *s >= ticket))
                        .await,
                    Ok(Ok(s)) if *s != u64::MAX
                );
            }
            if !written {
                delivery.unrecorded = true;
                shared.record_failures.fetch_add(1, Ordering::Relaxed);
                shared.reported.call_once(|| {
                    eprintln!(
                        "error: cannot append to the record file: check the disk; deliveries are answered 503 until it works"
                    );
                });
            }
        }
        let recorded = !delivery.unrecorded;
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

/// Appends `line` (a record line, newline included) to `file` with one
/// `write` call, more only when the system writes part of it; whether all
/// of it was written.
///
/// A write that fails part-way (a full disk) leaves the start of a line in
/// the file. `torn` remembers that, and the next line written, by any
/// handler, then starts with a newline of its own, in the same call: else
/// it would be glued onto that fragment, and the record of a delivery
/// answered 2xx would be unreadable. (When nothing of the failed line was
/// written, that newline makes an empty line, which readers of the record
/// skip.)
fn append_line(file: &mut impl io::Write, line: &mut Vec<u8>, torn: &AtomicBool) -> bool {
    let newline_first = torn.swap(false, Ordering::AcqRel);
    if newline_first {
        line.insert(0, b'\n');
    }
    let mut done = 0;
    while done < line.len() {
        match file.write(&line[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let whole = done == line.len();
    if !whole && (done > 0 || newline_first) {
        // The file may now end mid-line.
        torn.store(true, Ordering::Release);
    }
    whole
}

impl Writer {
    /// Starts the output thread, printing in `format`, with `record` (when
    /// given) for the handlers to append to.
    pub fn start(format: Format, record: Option<File>, fsync: bool) -> io::Result<Writer> {
        Self::start_to(format, record, fsync, Box::new(io::stdout()), LINGER)
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
            sync: (fsync && record.is_some()).then(|| Sync {
                written: Mutex::new((0, false)),
                more: Condvar::new(),
                synced: tokio::sync::watch::Sender::new(0),
            }),
            record,
            record_failures: AtomicU64::new(0),
            torn: AtomicBool::new(false),
            reported: std::sync::Once::new(),
        });
        let printer = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("listen-output".to_owned())
            .spawn(move || print_all(&printer, format, sink, linger))?;
        let syncer = if shared.sync.is_some() {
            let syncing = Arc::clone(&shared);
            Some(
                std::thread::Builder::new()
                    .name("listen-fsync".to_owned())
                    .spawn(move || sync_all(&syncing))?,
            )
        } else {
            None
        };
        Ok(Writer {
            output: Output { shared },
            thread,
            syncer,
        })
    }

    /// A way to the thread and the record.
    pub fn output(&self) -> Output {
        self.output.clone()
    }

    /// Prints what is queued, then stops the thread. Every other [`Output`]
    /// must have been dropped (the server has stopped).
    pub fn close(self) -> Totals {
        let shared = self.output.shared;
        if let Some(sync) = &shared.sync {
            lock(&sync.written).1 = true;
            sync.more.notify_one();
        }
        if let Some(syncer) = self.syncer {
            let _ = syncer.join();
        }
        lock(&shared.queue).closed = true;
        shared.ready.notify_one();
        let mut totals = self.thread.join().unwrap_or_default();
        totals.record_failures = shared.record_failures.load(Ordering::Relaxed);
        totals
    }
}

fn print_all(
    shared: &Shared,
    format: Format,
    mut sink: Box<dyn io::Write + Send>,
    linger: Duration,
) -> Totals {
    let mut totals = Totals::default();
    let mut printed = Vec::new();
    let mut batch = Vec::with_capacity(QUEUE);
    loop {
        let mut queue = lock(&shared.queue);
        // Sleep until a handler queues a delivery and wakes us.
        while queue.waiting.is_empty() && !queue.closed {
            queue.idle = true;
            queue = shared
                .ready
                .wait(queue)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
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
            return totals;
        }
        for queued in &batch {
            let delivery = &queued.delivery;
            if delivery.status().is_success() {
                totals.accepted += 1;
            } else {
                totals.rejected += 1;
            }
            match format {
                Format::Human => delivery.human_line(&mut printed),
                Format::Json => delivery.summary_line(&mut printed),
            }
        }
        // A closed stdout is not a reason to stop receiving; a stdout that
        // is not read blocks here, and the queue fills (see the module
        // documentation). Room in the queue is freed once printed.
        let _ = sink.write_all(&printed).and_then(|()| sink.flush());
        printed.clear();
        batch.clear();
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
            received_at: SystemTime::UNIX_EPOCH,
            method: Method::GET,
            path: "/".to_owned(),
            headers: Vec::new(),
            body: Kept::Unread,
            body_bytes: 0,
            verdict: Verdict::Refused(Refusal::Method(Method::GET)),
            elapsed: Duration::ZERO,
            unrecorded: false,
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
            slot.send(refused(), deadline).await;
        });
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
        let torn = AtomicBool::new(false);
        let mut disk = FillingDisk {
            written: Vec::new(),
            room: 100,
        };
        let first = b"{\"first\": \"a line the disk has room for\"}\n";
        assert!(append_line(&mut disk, &mut first.to_vec(), &torn));
        // Half of the second fits: it fails, and the file ends mid-line.
        disk.room = 10;
        assert!(!append_line(
            &mut disk,
            &mut b"{\"second\": 2}\n".to_vec(),
            &torn
        ));
        // Still full: nothing written, and the file still ends mid-line.
        assert!(!append_line(
            &mut disk,
            &mut b"{\"third\": 3}\n".to_vec(),
            &torn
        ));
        disk.room = 1000;
        assert!(append_line(
            &mut disk,
            &mut b"{\"fourth\": 4}\n".to_vec(),
            &torn
        ));
        assert!(append_line(
            &mut disk,
            &mut b"{\"fifth\": 5}\n".to_vec(),
            &torn
        ));
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
        let torn = AtomicBool::new(false);
        let mut disk = FillingDisk {
            written: Vec::new(),
            room: 0,
        };
        assert!(!append_line(
            &mut disk,
            &mut b"{\"lost\": 1}\n".to_vec(),
            &torn
        ));
        disk.room = 1000;
        assert!(append_line(
            &mut disk,
            &mut b"{\"next\": 2}\n".to_vec(),
            &torn
        ));
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
