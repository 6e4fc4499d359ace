//! Exit statuses, documented in `--help`.

use std::process::ExitCode;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything was valid (or the command succeeded).
    Success,
    /// 1: some input was invalid: a payload that does not conform or cannot be
    /// parsed, or a signature that does not verify.
    Invalid,
    /// 2: a usage error or an I/O error; nothing was judged.
    Usage,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Invalid => 1,
            Exit::Usage => 2,
        })
    }
}

/// Whether an error is a closed stdout (`… | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Standard output for a command whose exit status is its verdict (`send`,
/// `replay`, `check-receiver`, `validate`, `verify`, `diff`): once its
/// reader has gone (`… | head -1`),
/// what is left to print is dropped, and the command still ends with its
/// verdict. A closed stdout is otherwise reported as success (see
/// [`is_broken_pipe`]), which would turn a failing answer into exit 0.
pub struct ReaderMayLeave<W> {
    inner: W,
    gone: bool,
}

impl<W> ReaderMayLeave<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        ReaderMayLeave { inner, gone: false }
    }
}

impl<W: std::io::Write> std::io::Write for ReaderMayLeave<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.gone {
            return Ok(bytes.len());
        }
        match self.inner.write(bytes) {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(bytes.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.gone {
            return Ok(());
        }
        match self.inner.flush() {
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(())
            }
            other => other,
        }
    }
}
