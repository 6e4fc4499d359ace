//! The release gate: a breaking change for receivers must be released on
//! purpose.
//!
//! `spec/released/openapi.json` is the document of the last release, a
//! snapshot that nothing regenerates. `cargo xtask check` compares it with
//! the document generated now, judged from the receivers' side
//! (`whereby_webhooks_conformance::diff`), and fails when a change breaks
//! receivers unless one of these holds:
//!
//! - `info.version`'s major part was raised (`1.x` to `2.0`);
//! - the change is acknowledged in `spec/released/acknowledged.yaml`, one
//!   entry per change with `webhook` (or `"*"` for every webhook),
//!   `pointer`, `kind` and a `reason` that release notes can quote.
//!
//! `cargo xtask release` makes the generated document the released one and
//! empties the acknowledgements, which the new snapshot includes.

use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;
use whereby_webhooks_conformance::diff::{self, Change};

/// The document of the last release, relative to the root.
pub const RELEASED_PATH: &str = "spec/released/openapi.json";
/// Breaking changes since the last release that are intended.
pub const ACKNOWLEDGED_PATH: &str = "spec/released/acknowledged.yaml";

/// What an empty acknowledgements file holds.
const ACKNOWLEDGED_TEMPLATE: &str = "\
# Breaking changes for receivers since spec/released/openapi.json that are
# intended, so that `cargo xtask check` lets them through without a new major
# `info.version`. One entry per change, as `whereby-webhooks diff` reports it:
#
# - webhook: \"*\"                  # or one webhook's key
#   pointer: /data/roomSessionId
#   kind: now_optional
#   reason: Whereby's docs mark it optional (whereby/docs@7e6c4f2 webhooks.md)
#
# `cargo xtask release` empties this list.
[]
";

/// An intended breaking change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// A webhook's key, or `*` for every webhook.
    pub webhook: String,
    /// The change's pointer.
    pub pointer: String,
    /// The change's kind, by name.
    pub kind: String,
    /// Why it is intended.
    pub reason: String,
}

impl Acknowledgement {
    fn covers(&self, change: &Change) -> bool {
        (self.webhook == "*" || self.webhook == change.webhook)
            && self.pointer == change.pointer
            && self.kind == change.kind.name()
    }
}

/// The gate's judgement.
#[derive(Debug)]
pub struct Verdict {
    /// Every change since the release.
    pub changes: Vec<Change>,
    /// The breaking changes neither a major version nor an acknowledgement covers.
    pub unacknowledged: Vec<Change>,
    /// Acknowledgements that match no change any more.
    pub unused: Vec<Acknowledgement>,
    /// Whether `info.version`'s major part was raised.
    pub major_raised: bool,
}

impl Verdict {
    /// Whether the gate lets the document through.
    pub fn passes(&self) -> bool {
        self.unacknowledged.is_empty()
    }
}

/// Judges `generated` against `released`.
pub fn judge(
    released: &Value,
    generated: &Value,
    acknowledged: &[Acknowledgement],
) -> Result<Verdict, String> {
    let changes = diff::diff(released, generated).map_err(|e| e.to_string())?;
    let major_raised = match (major(released), major(generated)) {
        (Some(old), Some(new)) => new > old,
        _ => false,
    };
    let unacknowledged = if major_raised {
        Vec::new()
    } else {
        changes
            .iter()
            .filter(|c| c.breaking && !acknowledged.iter().any(|a| a.covers(c)))
            .cloned()
            .collect()
    };
    let unused = acknowledged
        .iter()
        .filter(|a| !changes.iter().any(|c| a.covers(c)))
        .cloned()
        .collect();
    Ok(Verdict {
        changes,
        unacknowledged,
        unused,
        major_raised,
    })
}

/// The major part of `info.version` (`1` of `1.0`).
fn major(document: &Value) -> Option<u64> {
    let version = document.pointer("/info/version")?.as_str()?;
    let digits: String = version
        .trim_start_matches(['v', 'V'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Reads the acknowledgements; a missing file acknowledges nothing.
pub fn read_acknowledgements(path: &Path) -> Result<Vec<Acknowledgement>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let value: Value = yaml_serde::from_str(&text)
        .map_err(|e| format!("{} is not valid YAML: {e}", path.display()))?;
    let entries = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(entries) => entries,
        _ => return Err(format!("{} must hold a list of entries", path.display())),
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let field = |name: &str| {
                entry
                    .get(name)
                    .and_then(Value::as_str)
                    .filter(|text| !text.trim().is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        format!(
                            "{}: entry {} needs a non-empty `{name}`",
                            path.display(),
                            index + 1
                        )
                    })
            };
            let pointer = entry
                .get("pointer")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    format!("{}: entry {} needs a `pointer`", path.display(), index + 1)
                })?;
            Ok(Acknowledgement {
                webhook: field("webhook")?,
                pointer,
                kind: field("kind")?,
                reason: field("reason")?,
            })
        })
        .collect()
}

/// Runs the gate on the files under `root` against the generated document,
/// printing what it finds. 0 passes, 1 fails, 2 cannot judge.
pub fn check(root: &Path, generated: &Value) -> ExitCode {
    match check_files(root, generated) {
        Ok(verdict) => {
            report(&verdict);
            if verdict.passes() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

/// Judges the generated document against the files under `root`.
pub fn check_files(root: &Path, generated: &Value) -> Result<Verdict, String> {
    let released_path = root.join(RELEASED_PATH);
    let text = std::fs::read_to_string(&released_path).map_err(|e| {
        format!("cannot read {RELEASED_PATH} ({e}); `cargo xtask release` creates it")
    })?;
    let released: Value =
        serde_json::from_str(&text).map_err(|e| format!("{RELEASED_PATH} is not JSON: {e}"))?;
    let acknowledged = read_acknowledgements(&root.join(ACKNOWLEDGED_PATH))?;
    judge(&released, generated, &acknowledged)
}

fn report(verdict: &Verdict) {
    for unused in &verdict.unused {
        eprintln!(
            "warning: {ACKNOWLEDGED_PATH}: the entry for {} {} {} matches no change; remove it",
            unused.webhook, unused.pointer, unused.kind
        );
    }
    if verdict.passes() {
        if verdict.major_raised && diff::any_breaking(&verdict.changes) {
            eprintln!(
                "note: breaking changes since {RELEASED_PATH} go out under a new major info.version"
            );
        }
        return;
    }
    eprintln!(
        "breaking changes for receivers since the last release ({RELEASED_PATH}), not acknowledged:"
    );
    for change in &verdict.unacknowledged {
        eprintln!("  {change}  [{}]", change.kind);
    }
    let others = verdict.changes.len() - verdict.unacknowledged.len();
    if others > 0 {
        eprintln!(
            "and {others} other change(s); `whereby-webhooks diff {RELEASED_PATH} spec/openapi.json --all` lists all"
        );
    }
    eprintln!(
        "raise info.version's major part, acknowledge each intended change in {ACKNOWLEDGED_PATH}, \
         or release the new document with `cargo xtask release` (see README, \"Release step\")"
    );
}

/// `cargo xtask release`: makes the generated document the released one and
/// empties the acknowledgements.
pub fn release(root: &Path, generated: &Value) -> Result<(), String> {
    let text = crate::codegen::to_json(generated)?;
    let path = root.join(RELEASED_PATH);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {RELEASED_PATH}: {e}"))?;
    std::fs::write(root.join(ACKNOWLEDGED_PATH), ACKNOWLEDGED_TEMPLATE)
        .map_err(|e| format!("cannot write {ACKNOWLEDGED_PATH}: {e}"))?;
    eprintln!(
        "released: {RELEASED_PATH} is now the generated document; {ACKNOWLEDGED_PATH} is empty"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A one-webhook document at `version` whose `id` is required or not.
    fn fixture(version: &str, id_required: bool) -> Value {
        let required = if id_required {
            json!(["id"])
        } else {
            json!([])
        };
        json!({
            "openapi": "3.1.0",
            "info": {"title": "fixture", "version": version},
            "webhooks": {"ping": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "properties": {"id": {"type": "string"}},
                    "required": required}}}}}}}
        })
    }

    fn acknowledgement(webhook: &str) -> Acknowledgement {
        Acknowledgement {
            webhook: webhook.to_owned(),
            pointer: "/id".to_owned(),
            kind: "now_optional".to_owned(),
            reason: "the source marks it optional".to_owned(),
        }
    }

    #[test]
    fn an_unacknowledged_breaking_change_fails() {
        let verdict = judge(&fixture("1.0", true), &fixture("1.1", false), &[]).unwrap();
        assert!(!verdict.passes());
        assert_eq!(verdict.unacknowledged.len(), 1);
        assert_eq!(verdict.unacknowledged[0].pointer, "/id");
    }

    #[test]
    fn a_raised_major_version_passes() {
        let verdict = judge(&fixture("1.0", true), &fixture("2.0", false), &[]).unwrap();
        assert!(verdict.major_raised);
        assert!(verdict.passes());
    }

    #[test]
    fn an_acknowledged_change_passes_and_only_that_one() {
        for webhook in ["ping", "*"] {
            let verdict = judge(
                &fixture("1.0", true),
                &fixture("1.0", false),
                &[acknowledgement(webhook)],
            )
            .unwrap();
            assert!(verdict.passes(), "{webhook}");
        }
        let other = Acknowledgement {
            kind: "newly_nullable".to_owned(),
            ..acknowledgement("*")
        };
        let verdict = judge(&fixture("1.0", true), &fixture("1.0", false), &[other]).unwrap();
        assert!(!verdict.passes());
        assert_eq!(verdict.unused.len(), 1);
    }

    #[test]
    fn a_non_breaking_change_passes() {
        let verdict = judge(&fixture("1.0", false), &fixture("1.0", true), &[]).unwrap();
        assert_eq!(verdict.changes.len(), 1);
        assert!(verdict.passes());
    }

    #[test]
    fn the_files_decide_and_release_resets_them() {
        let root = std::env::temp_dir().join(format!("xtask-gate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let generated = fixture("1.0", false);
        assert!(
            check_files(&root, &generated)
                .unwrap_err()
                .contains(RELEASED_PATH)
        );

        std::fs::create_dir_all(root.join("spec/released")).unwrap();
        std::fs::write(
            root.join(RELEASED_PATH),
            serde_json::to_string(&fixture("1.0", true)).unwrap(),
        )
        .unwrap();
        assert!(!check_files(&root, &generated).unwrap().passes());
        assert_eq!(check(&root, &generated), ExitCode::from(1));

        std::fs::write(
            root.join(ACKNOWLEDGED_PATH),
            "- webhook: ping\n  pointer: /id\n  kind: now_optional\n  reason: the source says so\n",
        )
        .unwrap();
        assert!(check_files(&root, &generated).unwrap().passes());

        std::fs::write(
            root.join(ACKNOWLEDGED_PATH),
            "- webhook: ping\n  pointer: /id\n",
        )
        .unwrap();
        assert!(
            check_files(&root, &generated)
                .unwrap_err()
                .contains("`kind`")
        );

        release(&root, &generated).unwrap();
        let verdict = check_files(&root, &generated).unwrap();
        assert!(verdict.changes.is_empty() && verdict.passes());
        assert_eq!(
            read_acknowledgements(&root.join(ACKNOWLEDGED_PATH)).unwrap(),
            vec![]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Plain `cargo test` fails when the generated spec breaks receivers
    /// without a release decision.
    #[test]
    fn the_generated_spec_passes_the_gate() {
        let generated = crate::codegen::openapi::document().unwrap();
        let verdict = check_files(&crate::codegen::project_root(), &generated).unwrap();
        assert!(
            verdict.passes(),
            "unacknowledged breaking changes: {:#?}",
            verdict.unacknowledged
        );
    }
}
