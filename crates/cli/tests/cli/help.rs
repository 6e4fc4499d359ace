//! `--help` of the tool and of every command, as snapshots: a change to what a
//! user reads shows up in review. Accept changes with `INSTA_UPDATE=always`.

use crate::support::whereby;

fn help(args: &[&str]) -> String {
    let output = whereby().args(args).output().expect("run the binary");
    assert_eq!(output.status.code(), Some(0), "{args:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn validate_help() {
    insta::assert_snapshot!(help(&["validate", "--help"]));
}

#[test]
fn command_help() {
    for command in [
        "sign",
        "verify",
        "send",
        "listen",
        "check-receiver",
        "diff",
        "replay",
    ] {
        insta::assert_snapshot!(format!("{command}_help"), help(&[command, "--help"]));
    }
}
