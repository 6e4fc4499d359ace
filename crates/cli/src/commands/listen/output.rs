//! What `listen` prints and records about each delivery, written by one
//! thread from a bounded queue.
//!
//! Request handlers queue a judged [`Delivery`]; a single thread turns each
//! into a record line (see [`crate::record`]) and a line on stdout, so lines
//! never interleave and nothing is parsed again.
//!
//! **When output cannot keep up** (stdout not read, as with a paused `less`;
//! a slow disk), the queue, [`QUEUE`] deliveries long, fills. A handler then
//! waits for room, within the time left of its 4 s budget, and if none comes
//! it answers `503` with `Retry-After` (Whereby retries a 5xx), counting the
//! delivery as shed; it never answers 2xx for a delivery it could not
//! queue. Memory stays bounded by the queue, not by the traffic.
//!
//! **Durability** (with `--record`): each record line is written with one
//! `write` call of the whole line, and a handler answers only once its line
//! is written (or, should the line not be written within the 4 s budget,
//! answers 503 and the line says so). So a delivery answered 2xx is in the file even if `listen` is
//! killed with `kill -9` the next moment (the kernel holds the written
//! bytes); a line that cannot be written turns the answer into `503`, so
//! that Whereby retries. With `--fsync`, every batch of lines is also synced
//! to the disk before the answers go out, which also survives a power cut,
//! at the cost measured in BENCHMARKS.md.

use std::fs::File;
use std::io::{self, Write as _};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

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

/// Most deliveries written in one batch.
const BATCH: usize = 256;

/// A delivery on its way to output, and who waits for its record line.
struct Queued {
    delivery: Box<Delivery>,
    written: Option<oneshot::Sender<bool>>,
}

/// The queue to the output thread. Cloning is cheap.
#[derive(Clone)]
pub struct Output {
    sender: mpsc::Sender<Queued>,
    recording: bool,
}

/// A place in the queue, reserved before the answer is decided.
pub struct Slot {
    permit: mpsc::OwnedPermit<Queued>,
    recording: bool,
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
}

impl Output {
    /// Waits for a place in the queue until `deadline`; `None` when none
    /// came (or output has stopped).
    pub async fn reserve(&self, deadline: std::time::Instant) -> Option<Slot> {
        let permit = tokio::time::timeout_at(deadline.into(), self.sender.clone().reserve_owned())
            .await
            .ok()?
            .ok()?;
        Some(Slot {
            permit,
            recording: self.recording,
        })
    }
}

impl Slot {
    /// Queues `delivery`; with `--record`, completes once its line is
    /// written, with whether it was, or at `deadline` with `false` (the
    /// line is then written with the 503 the sender gets).
    pub async fn send(self, delivery: Delivery, deadline: std::time::Instant) -> bool {
        if !self.recording {
            self.permit.send(Queued {
                delivery: Box::new(delivery),
                written: None,
            });
            return true;
        }
        let (written, done) = oneshot::channel();
        self.permit.send(Queued {
            delivery: Box::new(delivery),
            written: Some(written),
        });
        matches!(
            tokio::time::timeout_at(deadline.into(), done).await,
            Ok(Ok(true))
        )
    }
}

impl Writer {
    /// Starts the output thread, printing in `format` and appending to
    /// `record` when given.
    pub fn start(format: Format, record: Option<File>, fsync: bool) -> io::Result<Writer> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let recording = record.is_some();
        let thread = std::thread::Builder::new()
            .name("listen-output".to_owned())
            .spawn(move || write_all(receiver, format, record, fsync))?;
        Ok(Writer {
            output: Output { sender, recording },
            thread,
        })
    }

    /// A queue to the thread.
    pub fn output(&self) -> Output {
        self.output.clone()
    }

    /// Writes what is queued, then stops the thread. Every other [`Output`]
    /// must have been dropped (the server has stopped).
    pub fn close(self) -> Totals {
        drop(self.output);
        self.thread.join().unwrap_or_default()
    }
}

fn write_all(
    mut receiver: mpsc::Receiver<Queued>,
    format: Format,
    mut record: Option<File>,
    fsync: bool,
) -> Totals {
    let mut totals = Totals::default();
    let mut printed = Vec::new();
    let mut line = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut waiting = Vec::with_capacity(BATCH);
    // Ends when every sender is gone and the queue is empty.
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(queued) => batch.push(queued),
                Err(_) => break,
            }
        }
        // Record lines first, one write each, then the answers may go.
        if let Some(file) = record.as_mut() {
            let mut failed = false;
            for queued in &mut batch {
                // Its handler gave up waiting and answered 503.
                if queued
                    .written
                    .as_ref()
                    .is_some_and(oneshot::Sender::is_closed)
                {
                    queued.delivery.late = true;
                }
                line.clear();
                queued.delivery.record().write_line(&mut line);
                if failed || file.write_all(&line).is_err() {
                    failed = true;
                    queued.delivery.unrecorded = true;
                }
            }
            if fsync && !failed && file.sync_data().is_err() {
                failed = true;
                for queued in &mut batch {
                    queued.delivery.unrecorded = true;
                }
            }
            if failed {
                if totals.record_failures == 0 {
                    eprintln!(
                        "error: cannot append to the record file: check the disk; deliveries are answered 503 until it works"
                    );
                }
                totals.record_failures += batch
                    .iter()
                    .filter(|queued| queued.delivery.unrecorded)
                    .count() as u64;
            }
        }
        for queued in &mut batch {
            if let Some(written) = queued.written.take() {
                waiting.push((written, !queued.delivery.unrecorded));
            }
        }
        for (written, ok) in waiting.drain(..) {
            let _ = written.send(ok);
        }
        for queued in batch.drain(..) {
            let delivery = queued.delivery;
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
        // documentation).
        let mut stdout = io::stdout().lock();
        let _ = stdout.write_all(&printed).and_then(|()| stdout.flush());
        drop(stdout);
        printed.clear();
    }
    totals
}
