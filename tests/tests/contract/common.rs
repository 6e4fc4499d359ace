//! Loading the published files and compiling validators the way a user of a
//! plain JSON Schema validator would.

use std::path::{Path, PathBuf};

use jsonschema::{Draft, Validator};
use serde_json::Value;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository root")
        .to_path_buf()
}

pub fn read_json(relative: &str) -> Value {
    let path = root().join(relative);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// A draft 2020-12 validator that asserts formats (`date-time`).
pub fn compile(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("published schemas compile")
}

/// The standalone schema of one event type, compiled.
pub fn event_validator(ty: &str) -> Validator {
    compile(&read_json(&format!("spec/schemas/{ty}.json")))
}

/// The errors of `instance`, as `pointer: message` lines.
pub fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}
