//! Development tasks for whereby-webhooks; run as `cargo xtask <task>`.
//!
//! `main` only dispatches: each task lives in its own module.

#[cfg(test)]
mod arrows;
mod codegen;
mod gate;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  generate   regenerate every published file (spec/, docs/)
  check      fail if any published file is stale, or if the spec breaks receivers
             since spec/released/ without a release decision; changes nothing
  release    make the generated spec the released one (spec/released/)

exit status: 0 fresh, 1 stale or breaking, 2 error";

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    let mode = match task.as_deref() {
        Some("generate") => codegen::Mode::Write,
        Some("check") => codegen::Mode::Check,
        Some("release") => return release(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let fresh = match codegen::generate(mode) {
        Ok(report) => {
            eprintln!("{}", report.summary());
            report.exit_code()
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    if mode == codegen::Mode::Check && fresh == ExitCode::SUCCESS {
        return match codegen::openapi::document() {
            Ok(document) => gate::check(&codegen::project_root(), &document),
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(2)
            }
        };
    }
    fresh
}

fn release() -> ExitCode {
    match codegen::openapi::document().and_then(|d| gate::release(&codegen::project_root(), &d)) {
        Ok(()) => ExitCode::SUCCESS,
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

    /// A first `cargo xtask` compiles for minutes: the alias leaves cargo's
    /// progress on, or the wait is silent. The task itself takes well under
    /// a second once built.
    #[test]
    fn the_alias_shows_the_build_progress() {
        let config =
            std::fs::read_to_string(crate::codegen::project_root().join(".cargo/config.toml"))
                .expect("read the cargo configuration");
        let alias = config
            .lines()
            .find_map(|line| line.trim().strip_prefix("xtask ="))
            .expect("the configuration defines the xtask alias");
        assert!(alias.contains("--package xtask"), "xtask ={alias}");
        for quiet in ["--quiet", "-q "] {
            assert!(!alias.contains(quiet), "xtask ={alias}");
        }
    }
}
