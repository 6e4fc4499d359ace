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
