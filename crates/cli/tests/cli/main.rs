//! Tests of the `whereby-webhooks` binary, driven as a user runs it.
//!
//! One test binary with a module per command, so the crate links once.

mod attacks;
mod check_receiver;
mod diff;
mod first_use;
mod hardening;
mod help;
mod hostile_receivers;
mod load;
mod progress;
mod send_listen;
mod sign_verify;
mod spec_examples;
mod validate;

use std::path::PathBuf;

/// The binary, with a fixed terminal width and no colour preference from
/// the environment.
pub fn whereby() -> assert_cmd::Command {
    let mut command =
        assert_cmd::Command::cargo_bin("whereby-webhooks").expect("the binary is built");
    command
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(repo_root());
    command
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
pub fn assert_exit(output: &std::process::Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
