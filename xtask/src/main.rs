//! Development tasks for whereby-webhooks; run as `cargo xtask <task>`.
//!
//! `main` only dispatches: each task lives in its own module.

mod codegen;
mod docs;
mod guide;
mod openapi;
mod vectors;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  generate   regenerate every published file (spec/, docs/)
  check      fail if any published file is stale; changes nothing

exit status: 0 fresh, 1 stale, 2 error";

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    let mode = match task.as_deref() {
        Some("generate") => codegen::Mode::Write,
        Some("check") => codegen::Mode::Check,
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match codegen::generate(mode) {
        Ok(report) => {
            eprintln!("{}", report.summary());
            report.exit_code()
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    /// The README says plain `cargo test` runs the drift check, which lives
    /// in this crate: so the workspace's default members include it.
    #[test]
    fn plain_cargo_test_runs_the_drift_check() {
        let manifest = std::fs::read_to_string(crate::codegen::project_root().join("Cargo.toml"))
            .expect("read the workspace manifest");
        let members = manifest
            .lines()
            .find_map(|line| line.strip_prefix("default-members"))
            .expect("the workspace lists default-members");
        assert!(members.contains("\"xtask\""), "default-members{members}");
    }
}
