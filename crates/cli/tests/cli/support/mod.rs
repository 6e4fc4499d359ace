//! What every test of the binary shares: one way to build its command, the
//! temporary directories, output helpers, and the harnesses of `listen`
//! ([`listen`]) and of receivers for `check-receiver` ([`receiver`]).
//!
//! Every command of the binary is made by [`command`] (or [`whereby`], the
//! same with assert_cmd's helpers), so that every test runs it in the same
//! environment: no secret, a 100-column terminal, no colour preference, in
//! the repository root so that paths in its output are relative.

pub mod listen;
pub mod receiver;
pub mod snapshot;

use std::path::PathBuf;
use std::process::Output;

/// The environment variable the secrets come from.
pub const SECRET_ENV: &str = "WHEREBY_WEBHOOK_SECRET";

/// The path of the built binary, for tests that run it through another
/// program (`script`, a shell); [`command`] sets its environment.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_whereby-webhooks"))
}

/// The binary as a [`std::process::Command`]: no secret in its environment,
/// a terminal 100 columns wide, no colour preference, run in the repository
/// root.
pub fn command() -> std::process::Command {
    let mut command = std::process::Command::new(binary());
    command
        .env_remove(SECRET_ENV)
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(repo_root());
    command
}

/// [`command`] with assert_cmd's helpers (`write_stdin`, `assert`).
pub fn whereby() -> assert_cmd::Command {
    assert_cmd::Command::from_std(command())
}

/// The repository root; commands run there, so paths in output are relative.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the crate sits two levels below the repository root")
}

/// A fresh directory under `CARGO_TARGET_TMPDIR`.
pub fn temp_dir() -> tempfile::TempDir {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).expect("create the temporary base");
    tempfile::tempdir_in(base).expect("create a temporary directory")
}

/// Standard output as lines.
pub fn lines(output: &[u8]) -> Vec<String> {
    String::from_utf8(output.to_vec())
        .expect("output is UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Standard output as one JSON value per line.
pub fn json_lines(output: &[u8]) -> Vec<serde_json::Value> {
    lines(output)
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// Asserts the exit code of a finished command, showing its output when it
/// differs.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The first example event of the spec, compact.
pub fn example() -> String {
    let output = whereby()
        .args(["examples", "room.client.joined"])
        .output()
        .expect("examples runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .expect("an example")
        .to_owned()
}

/// A record line as `listen --record` writes it, for a delivery of `body`
/// to `/webhooks` answered `status` with `verdict`, no headers kept.
pub fn record_line(verdict: &str, status: u16, body: &str) -> serde_json::Value {
    serde_json::json!({
        "received_at": "2026-01-01T00:00:00.000Z",
        "method": "POST",
        "path": "/webhooks",
        "status": status,
        "verdict": verdict,
        "reason": "as recorded",
        "elapsed_ms": 1.0,
        "headers": {},
        "body_bytes": body.len(),
        "raw_body": body,
    })
}
