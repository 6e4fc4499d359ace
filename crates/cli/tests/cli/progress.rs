//! Long runs over many inputs (`validate DIR`, `replay`, `check-receiver`)
//! draw progress on a terminal only: piped, as here, stderr holds no
//! progress bar, no carriage return and no escape sequence, whatever the
//! format.

use crate::support::receiver::{Flaw, Receiver, SECRET};
use crate::support::{self, SECRET_ENV, assert_exit, temp_dir, whereby};

/// Asserts that `stderr` holds nothing a progress bar draws with.
fn assert_no_progress(stderr: &[u8], what: &str) {
    let text = String::from_utf8_lossy(stderr);
    assert!(
        !text.contains('\r') && !text.contains('\u{1b}'),
        "{what}: {text:?}"
    );
}

#[test]
fn validate_of_a_directory_draws_no_progress_when_piped() {
    for format in ["human", "json"] {
        let output = whereby()
            .args(["validate", "--format", format, "spec/examples"])
            .output()
            .expect("run");
        assert_exit(&output, 0);
        assert_no_progress(&output.stderr, format);
    }
}

#[test]
fn replay_draws_no_progress_when_piped() {
    let receiver = Receiver::start(Flaw::None);
    let dir = temp_dir();
    let record = dir.path().join("deliveries.ndjson");
    let line = support::record_line("authentic", 200, &support::example());
    std::fs::write(&record, format!("{line}\n").repeat(5)).expect("write the record");
    let output = whereby()
        .env(SECRET_ENV, SECRET)
        .arg("replay")
        .arg(&record)
        .arg(&receiver.url)
        .output()
        .expect("run");
    assert_exit(&output, 0);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.matches(" 200 in ").count(), 5, "{stdout}");
    assert_no_progress(&output.stderr, "replay");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "replayed 5 deliveries: 5 answered 2xx, 0 not; 0 skipped\n"
    );
}

#[test]
fn check_receiver_draws_no_progress_when_piped() {
    let receiver = Receiver::start(Flaw::None);
    for format in ["human", "json"] {
        let output = whereby()
            .env(SECRET_ENV, SECRET)
            .args([
                "check-receiver",
                &receiver.url,
                "--format",
                format,
                "--interval",
                "5",
            ])
            .output()
            .expect("run");
        assert_exit(&output, 0);
        assert_no_progress(&output.stderr, format);
    }
}
