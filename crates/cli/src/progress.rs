//! Progress on stderr for runs over many inputs (`validate DIR`, `replay`,
//! `check-receiver`): drawn only where a person watches, that is when
//! stderr is a terminal and the output is not `--format json`. Piped, or
//! for a machine, a run prints exactly what it would without it.

use std::cell::Cell;
use std::io::{self, IsTerminal as _, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether a run draws progress: only when stderr is a terminal, and never
/// when its output is JSON for a machine.
pub fn enabled(stderr_is_terminal: bool, json: bool) -> bool {
    stderr_is_terminal && !json
}

/// [`enabled`] for this process's stderr.
pub fn wanted(json: bool) -> bool {
    enabled(io::stderr().is_terminal(), json)
}

/// How often a drawn bar refreshes on its own, so that the elapsed time
/// moves while an answer is awaited.
const STEADY_TICK: Duration = Duration::from_millis(500);

/// A progress bar on stderr, hidden unless drawing was [`wanted`], and
/// drawn from its first message on (what came before, a warning about the
/// input for one, is not drawn over); cleared when dropped, whichever way
/// the run ends, so an error is printed on a clean line.
pub struct Ticker {
    bar: ProgressBar,
    /// Drawing was wanted and has not started yet.
    to_start: Cell<bool>,
}

impl Ticker {
    /// A bar over `total` steps (a spinner when unknown), drawn with
    /// `template` (see [`indicatif::ProgressStyle`]) when `draw`.
    pub fn new(total: Option<u64>, template: &str, draw: bool) -> Ticker {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Ticker {
            bar,
            to_start: Cell::new(draw),
        }
    }

    /// Shows `message` (terminal-safe text only) in the bar's `{msg}`,
    /// drawing the bar from now on if it is wanted.
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
        if self.to_start.replace(false) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(STEADY_TICK);
        }
    }

    /// Counts one more step done.
    pub fn tick(&self) {
        self.bar.inc(1);
    }

    /// Wraps `inner` so that whole lines written to it go out with the bar
    /// out of their way (stdout and stderr may be the same terminal).
    pub fn above<W: Write>(&self, inner: W) -> Above<W> {
        Above {
            inner,
            bar: self.bar.clone(),
            pending: Vec::new(),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A writer that passes whole lines to its inner writer with the progress
/// bar cleared while they are written, and redrawn after. A line's pieces
/// wait until its end, so the bar never lands in the middle of one.
pub struct Above<W: Write> {
    inner: W,
    bar: ProgressBar,
    pending: Vec<u8>,
}

impl<W: Write> Above<W> {
    fn write_pending(&mut self, upto: usize) -> io::Result<()> {
        let (inner, pending) = (&mut self.inner, &self.pending[..upto]);
        self.bar.suspend(|| {
            inner.write_all(pending)?;
            inner.flush()
        })?;
        self.pending.drain(..upto);
        Ok(())
    }
}

impl<W: Write> Write for Above<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.write_pending(last + 1)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_pending(self.pending.len())
    }
}

impl<W: Write> Drop for Above<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Progress is for a person at a terminal: never in a pipe, never in
    /// JSON for a machine, even when stderr is a terminal.
    #[test]
    fn progress_is_drawn_only_on_a_terminal_and_never_for_json() {
        assert!(enabled(true, false));
        assert!(!enabled(true, true));
        assert!(!enabled(false, false));
        assert!(!enabled(false, true));
    }

    /// Lines go through whole and in order, a partial line at the end
    /// included once flushed; a hidden bar changes nothing.
    #[test]
    fn lines_pass_through_whole() {
        let ticker = Ticker::new(Some(3), "{pos}/{len}", false);
        let mut out = ticker.above(Vec::new());
        write!(out, "one ").expect("write");
        writeln!(out, "line").expect("write");
        ticker.tick();
        write!(out, "two\nthree\npart").expect("write");
        assert_eq!(out.inner, b"one line\ntwo\nthree\n");
        out.flush().expect("flush");
        assert_eq!(out.inner, b"one line\ntwo\nthree\npart");
    }
}
