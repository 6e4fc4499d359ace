//! Shared helpers: the repository root and validators built once.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;
use whereby_webhooks_conformance::{EMBEDDED_SPEC, Options, Validator};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the crate sits two levels below the repository root")
}

/// The embedded document, parsed.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::from_str(EMBEDDED_SPEC).expect("the embedded spec is JSON"))
}

/// The validator of the embedded document, default or strict.
pub fn validator(strict: bool) -> &'static Validator {
    static OPEN: OnceLock<Validator> = OnceLock::new();
    static STRICT: OnceLock<Validator> = OnceLock::new();
    let cell = if strict { &STRICT } else { &OPEN };
    cell.get_or_init(|| Validator::embedded(Options { strict }).expect("the embedded spec loads"))
}

/// A file under `CARGO_TARGET_TMPDIR` holding `text`, unique per name.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("conformance-tests");
    std::fs::create_dir_all(&dir).expect("create the temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a temporary file");
    path
}

/// `work()`, or a failure naming `what` if it takes more than two minutes.
pub fn within_two_minutes<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(work());
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("{what} were not reported within two minutes"))
}
