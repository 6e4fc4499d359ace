//! Opening `listen --record FILE`: the record is ours alone.
//!
//! The record holds every authentic delivery byte for byte, and `replay`
//! signs what it reads there, so a file someone else can read, write or
//! point elsewhere is refused at start (exit 2) rather than used:
//!
//! * a **symbolic link** is never followed (`O_NOFOLLOW`): one planted in
//!   a shared directory would send the record into its target;
//! * an existing file must **belong to the user** running `listen`, and
//!   **no group or other user may write it** (they could add or rewrite
//!   lines that `replay` then signs); one others may only read gets a
//!   warning, as records hold delivery bodies;
//! * it must be a **regular file or a pipe** (a named pipe of the user's,
//!   with a reader already waiting); a directory, device or socket is
//!   refused.
//!
//! Two spellings name this process's own descriptors, which the shell that
//! started it set up: `-`, and the descriptor paths `/dev/stdout`,
//! `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` (what a shell's
//! `--record >(command)` passes). Standard output (`-`, `/dev/stdout`,
//! descriptor 1) and standard error are written through the descriptor
//! itself, never opened anew (a second handle on the file stdout was sent
//! to would write over what stdout writes): with the record on standard
//! output, `listen` prints the record lines there instead of its own lines,
//! and the address on standard error. Standard input (descriptor 0) is
//! refused. Any other descriptor is opened through its path, and a regular
//! file behind it must pass the checks above.
//!
//! A new file is created with mode 0600. The file is opened for writing
//! only: when the reader of a pipe goes away, a write fails (instead of
//! blocking for ever, as it would if `listen` held the pipe's read end
//! too), and `listen` answers 503 until the record takes lines again.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};

/// What the record was opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    Regular,
    /// A pipe (named, or given as a descriptor path): it cannot be synced.
    Pipe,
    /// Standard output (`-`, `/dev/stdout`, descriptor 1).
    Stdout,
    /// A descriptor path naming something other than a file or a pipe (a
    /// terminal, `/dev/null`).
    Device,
}

/// An open record.
#[derive(Debug)]
pub struct RecordFile {
    /// Opened for appending, write only.
    pub file: File,
    /// What it is.
    pub kind: Kind,
}

/// The descriptor `path` names, when it names one of this process's own.
fn descriptor_of(path: &Path) -> Option<u32> {
    let text = path.to_str()?;
    match text {
        "-" | "/dev/stdout" => return Some(1),
        "/dev/stderr" => return Some(2),
        "/dev/stdin" => return Some(0),
        _ => {}
    }
    let number = text
        .strip_prefix("/dev/fd/")
        .or_else(|| text.strip_prefix("/proc/self/fd/"))?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// Opens the record at `path` as described in the module documentation.
/// When it is an existing regular file that ends in a torn line (a crash
/// mid-write in an earlier run), a newline is written first so that the
/// new records start on their own lines.
///
/// # Errors
///
/// When the path is refused (with why and what to do) or cannot be opened.
pub fn open(path: &Path) -> anyhow::Result<RecordFile> {
    let shown = whereby_webhooks_conformance::escape::path(path);
    match descriptor_of(path) {
        None => open_private(path, &shown),
        Some(0) => bail!(
            "the record {shown} is standard input, which `listen` does not write: give a file, or `-` for standard output"
        ),
        Some(1) => Ok(RecordFile {
            file: standard(Standard::Out).context("cannot write the record to standard output")?,
            kind: Kind::Stdout,
        }),
        Some(2) => {
            let file =
                standard(Standard::Err).context("cannot write the record to standard error")?;
            let kind = kind_of(&file.metadata()?).unwrap_or(Kind::Device);
            Ok(RecordFile { file, kind })
        }
        Some(number) => open_descriptor(path, number, &shown),
    }
}

/// Standard output or standard error.
#[derive(Clone, Copy)]
enum Standard {
    Out,
    Err,
}

/// A second handle on the same open file as standard output or error
/// (`dup`): it shares its position, so lines written through either never
/// overwrite each other.
#[cfg(unix)]
fn standard(which: Standard) -> std::io::Result<File> {
    use std::os::fd::AsFd as _;
    let fd = match which {
        Standard::Out => std::io::stdout().as_fd().try_clone_to_owned()?,
        Standard::Err => std::io::stderr().as_fd().try_clone_to_owned()?,
    };
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn standard(_: Standard) -> std::io::Result<File> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "a record on standard output or error is only supported on Unix",
    ))
}

/// Descriptor `number` (3 or more), opened anew through `path`; a regular
/// file behind it must be the user's and not writable by others.
#[cfg(unix)]
fn open_descriptor(path: &Path, number: u32, shown: &str) -> anyhow::Result<RecordFile> {
    if std::fs::symlink_metadata(format!("/proc/self/fd/{number}")).is_err()
        && std::fs::symlink_metadata(format!("/dev/fd/{number}")).is_err()
    {
        bail!(
            "the record {shown} names descriptor {number}, which is not open: start listen with it open (as `--record >(command)` does), or give a file"
        );
    }
    let file = OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the record {shown} (descriptor {number})"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read what the record {shown} is"))?;
    let kind = kind_of(&meta).unwrap_or(Kind::Device);
    if kind == Kind::Regular {
        check_private(&meta, shown)?;
    }
    Ok(RecordFile { file, kind })
}

#[cfg(not(unix))]
fn open_descriptor(path: &Path, _: u32, shown: &str) -> anyhow::Result<RecordFile> {
    open_private(path, shown)
}

/// Refuses a file that is not the user's or that others may write; warns
/// when others may read it.
#[cfg(unix)]
fn check_private(meta: &std::fs::Metadata, shown: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let me = nix::unistd::geteuid().as_raw();
    if meta.uid() != me {
        bail!(
            "the record {shown} belongs to another user (uid {}, you are {me}): they could read and rewrite what `replay` later signs; give a file of your own",
            meta.uid()
        );
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        bail!(
            "the record {shown} may be written by others (mode {mode:o}): they could add deliveries that `replay` signs; `chmod go-w` it or give another file"
        );
    }
    if mode & 0o044 != 0 {
        eprintln!(
            "warning: the record file {shown} is readable by others (mode {mode:o}): `chmod 600` it; records hold delivery bodies"
        );
    }
    Ok(())
}

/// A regular file or a pipe, from what the system says of it.
#[cfg(unix)]
fn kind_of(meta: &std::fs::Metadata) -> Option<Kind> {
    use std::os::unix::fs::FileTypeExt as _;
    if meta.file_type().is_file() {
        Some(Kind::Regular)
    } else if meta.file_type().is_fifo() {
        Some(Kind::Pipe)
    } else {
        None
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &std::fs::Metadata) -> Option<Kind> {
    meta.file_type().is_file().then_some(Kind::Regular)
}

#[cfg(unix)]
fn open_private(path: &Path, shown: &str) -> anyhow::Result<RecordFile> {
    use nix::errno::Errno;
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    use std::os::unix::fs::OpenOptionsExt as _;

    let mut options = OpenOptions::new();
    options
        .append(true)
        .create(true)
        .mode(0o600)
        // Not through a symlink; and a named pipe nobody reads is an error
        // now, not a start that hangs.
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits());
    let file = match options.open(path) {
        Ok(file) => file,
        Err(error) => {
            let errno = error.raw_os_error().map(Errno::from_raw);
            let why = match errno {
                Some(Errno::ELOOP) => format!(
                    "the record {shown} is a symbolic link, which `listen` does not follow (one planted in a shared directory would send the record elsewhere): give the path of the file itself"
                ),
                Some(Errno::ENXIO) if is_socket(path) => {
                    format!("the record {shown} is a socket, not a file or a pipe: give a file")
                }
                Some(Errno::ENXIO) => format!(
                    "the record {shown} is a named pipe that nothing reads: start its reader first"
                ),
                Some(Errno::EISDIR) => {
                    format!("the record {shown} is a directory: give a file in it")
                }
                _ => format!(
                    "cannot open the record file {shown}: {error}: check the directory exists and is writable"
                ),
            };
            bail!(why);
        }
    };
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read what the record {shown} is"))?;
    let Some(kind) = kind_of(&meta) else {
        bail!(
            "the record {shown} is not a regular file or a pipe (a device or a socket): give a file"
        );
    };
    check_private(&meta, shown)?;
    // Writes block again, as the writing thread expects (on a pipe, a full
    // pipe then waits for its reader rather than failing at once).
    let flags = fcntl(&file, FcntlArg::F_GETFL)
        .map(OFlag::from_bits_truncate)
        .with_context(|| format!("cannot set up the record {shown}"))?;
    fcntl(&file, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))
        .with_context(|| format!("cannot set up the record {shown}"))?;
    let mut record = RecordFile { file, kind };
    if kind == Kind::Regular && meta.len() > 0 {
        close_torn_line(&mut record.file, path, &meta, shown)?;
    }
    Ok(record)
}

/// Whether `path` is a socket (not following a symlink).
#[cfg(unix)]
fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt as _;
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_socket())
}

#[cfg(not(unix))]
fn open_private(path: &Path, shown: &str) -> anyhow::Result<RecordFile> {
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot open the record file {shown}: check the directory exists and is writable"
            )
        })?;
    if !file.metadata()?.is_file() {
        bail!("the record {shown} is not a regular file: give a file");
    }
    Ok(RecordFile {
        file,
        kind: Kind::Regular,
    })
}

/// Writes a newline when the file `written` (opened write only) ends
/// mid-line; the last byte is read through a second, read-only handle on
/// the same file.
#[cfg(unix)]
fn close_torn_line(
    written: &mut File,
    path: &Path,
    meta: &std::fs::Metadata,
    shown: &str,
) -> anyhow::Result<()> {
    use nix::fcntl::OFlag;
    use std::os::unix::fs::{FileExt as _, MetadataExt as _, OpenOptionsExt as _};

    // Not blocking: the path may have been swapped for a pipe meanwhile.
    let Ok(reader) = OpenOptions::new()
        .read(true)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits())
        .open(path)
    else {
        return Ok(());
    };
    let same = reader
        .metadata()
        .is_ok_and(|other| other.dev() == meta.dev() && other.ino() == meta.ino());
    let mut last = [0u8];
    let torn = same
        && reader
            .read_exact_at(&mut last, meta.len() - 1)
            .is_ok_and(|()| last[0] != b'\n');
    if torn {
        eprintln!(
            "warning: the record file {shown} ended in an incomplete line (an earlier run was cut short); new records start on the next line"
        );
        written
            .write_all(b"\n")
            .context("cannot append to the record file")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::descriptor_of;
    use std::path::Path;

    #[test]
    fn descriptor_paths_are_only_this_process_own() {
        for (path, number) in [
            ("-", 1),
            ("/dev/stdout", 1),
            ("/dev/stderr", 2),
            ("/dev/stdin", 0),
            ("/dev/fd/63", 63),
            ("/proc/self/fd/1", 1),
        ] {
            assert_eq!(descriptor_of(Path::new(path)), Some(number), "{path}");
        }
        for path in [
            "/dev/fd/",
            "/dev/fd/1/x",
            "/dev/fd/../../tmp/x",
            "/dev/fd/99999999999999999999",
            "/proc/1/fd/1",
            "/tmp/dev/stdout",
            "record.ndjson",
        ] {
            assert_eq!(descriptor_of(Path::new(path)), None, "{path}");
        }
    }
}
