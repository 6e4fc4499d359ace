//! Changes between two versions of the OpenAPI document, judged from the
//! side of a webhook *receiver*.
//!
//! A webhook body is data the receiver reads, so it behaves like a response,
//! not a request: whatever lets a new delivery carry something an old
//! receiver was not told to expect breaks that receiver. A property that
//! may now be absent or `null`, a type that widened, a closed list that grew
//! or a constraint that loosened are breaking; a property or webhook added, a
//! constraint tightened or a value dropped from a list are not, because an
//! old receiver still understands every delivery. Descriptions, examples and
//! `x-` metadata are reported as informational.
//!
//! | change | breaking |
//! |---|---|
//! | webhook removed; `Whereby-Signature` header removed or changed | yes |
//! | property removed | yes |
//! | required → optional (also: required only under a condition), newly nullable | yes |
//! | type widened or changed (`integer` → `number`, `string` → `object`) | yes |
//! | value added to a closed `enum`, `const` changed, closed list opened | yes |
//! | constraint loosened (`minimum` removed, `maxLength` raised, `format` removed) | yes |
//! | `pattern`, `format` or `multipleOf` replaced by another | yes |
//! | a keyword this module does not judge changed (`not`, a general `oneOf`, ...) | yes |
//! | webhook or property added; optional → required; no longer nullable | no |
//! | value removed from a list; value added to an open list (`x-extensible-enum`) | no |
//! | type narrowed; constraint tightened | no |
//! | description, example, `x-` metadata | no (informational) |
//!
//! Each webhook's request body schema is compared as a whole: `$ref`s are
//! followed, `allOf` branches are merged, a property that an `if`/`then`
//! makes required is "required when ...", and `oneOf`/`anyOf` are understood
//! in their two common forms, a list of `const`s (a closed list) and
//! "X or `null`" (nullable X). A change in a shared component is therefore
//! reported once for **every webhook that reaches it**, each record naming
//! its webhook and the place in that webhook's body, so a receiver of one
//! event sees everything that concerns it.
//!
//! Webhooks are matched by their key in `webhooks`, properties by name,
//! headers by name (case-insensitively).
//!
//! ```
//! use serde_json::json;
//! use whereby_webhooks_conformance::diff::{ChangeKind, diff};
//!
//! let old = json!({"openapi": "3.1.0", "webhooks": {"ping": {"post": {"requestBody": {
//!     "content": {"application/json": {"schema": {"type": "object",
//!         "properties": {"id": {"type": "string"}}, "required": ["id"]}}}}}}}});
//! let mut new = old.clone();
//! new["webhooks"]["ping"]["post"]["requestBody"]["content"]["application/json"]["schema"]
//!     ["required"] = json!([]);
//! let changes = diff(&old, &new).unwrap();
//! assert_eq!(changes.len(), 1);
//! assert_eq!(changes[0].kind, ChangeKind::NowOptional);
//! assert_eq!(changes[0].pointer, "/id");
//! assert!(changes[0].breaking);
//! assert!(diff(&old, &old).unwrap().is_empty());
//! ```

#[cfg(test)]
mod large;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::document::{self, Webhook};
use crate::error::SpecError;

/// The header every delivery is signed in.
pub const SIGNATURE_HEADER: &str = "Whereby-Signature";

/// How many pairs of schemas one comparison looks at before giving up.
const BUDGET: usize = 200_000;
/// How much reading all those pairs' schemas may take, in keywords and
/// values read or copied: a list or schema shared by many places is read
/// once for each, and this bounds the total however it is shared.
const WORK: usize = 20_000_000;
/// How many bytes the changes found may take before giving up: a large
/// value changed in many places would otherwise be copied into each change.
const KEPT: usize = 256 << 20;

/// What changed, as a stable snake_case name in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// A webhook is gone.
    WebhookRemoved,
    /// A new webhook.
    WebhookAdded,
    /// A header is no longer sent.
    HeaderRemoved,
    /// A new header.
    HeaderAdded,
    /// The signature header's schema or requirement changed.
    HeaderChanged,
    /// A property is gone.
    PropertyRemoved,
    /// A new property.
    PropertyAdded,
    /// A required property may now be absent (always, or under a condition).
    NowOptional,
    /// An optional property is now always (or more often) present.
    NowRequired,
    /// A value may now be `null`.
    NewlyNullable,
    /// A value may no longer be `null`.
    NoLongerNullable,
    /// A value may now have a type it could not have before.
    TypeChanged,
    /// A value can have fewer types than before.
    TypeNarrowed,
    /// A closed list (`enum`, or `oneOf` of `const`s) gained a value.
    EnumValueAdded,
    /// A list, closed or open, lost a value.
    EnumValueRemoved,
    /// A closed list became an open one: values beyond the listed ones may arrive.
    EnumOpened,
    /// An open list (`x-extensible-enum`) gained a known value.
    OpenValueAdded,
    /// A `const` changed, or was dropped.
    ConstChanged,
    /// A constraint accepts more than before.
    ConstraintLoosened,
    /// A constraint accepts less than before.
    ConstraintTightened,
    /// A `pattern`, `format` or `multipleOf` was replaced by another, which
    /// may accept values the old one did not.
    ConstraintChanged,
    /// A keyword this module does not judge changed; review it by hand.
    SchemaChanged,
    /// A description, example, title or `x-` extension changed.
    Metadata,
}

impl ChangeKind {
    /// The stable snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::WebhookRemoved => "webhook_removed",
            ChangeKind::WebhookAdded => "webhook_added",
            ChangeKind::HeaderRemoved => "header_removed",
            ChangeKind::HeaderAdded => "header_added",
            ChangeKind::HeaderChanged => "header_changed",
            ChangeKind::PropertyRemoved => "property_removed",
            ChangeKind::PropertyAdded => "property_added",
            ChangeKind::NowOptional => "now_optional",
            ChangeKind::NowRequired => "now_required",
            ChangeKind::NewlyNullable => "newly_nullable",
            ChangeKind::NoLongerNullable => "no_longer_nullable",
            ChangeKind::TypeChanged => "type_changed",
            ChangeKind::TypeNarrowed => "type_narrowed",
            ChangeKind::EnumValueAdded => "enum_value_added",
            ChangeKind::EnumValueRemoved => "enum_value_removed",
            ChangeKind::EnumOpened => "enum_opened",
            ChangeKind::OpenValueAdded => "open_value_added",
            ChangeKind::ConstChanged => "const_changed",
            ChangeKind::ConstraintLoosened => "constraint_loosened",
            ChangeKind::ConstraintTightened => "constraint_tightened",
            ChangeKind::ConstraintChanged => "constraint_changed",
            ChangeKind::SchemaChanged => "schema_changed",
            ChangeKind::Metadata => "metadata",
        }
    }

    /// Whether a change of this kind can break a receiver written against
    /// the old document.
    pub fn is_breaking(self) -> bool {
        matches!(
            self,
            ChangeKind::WebhookRemoved
                | ChangeKind::HeaderRemoved
                | ChangeKind::HeaderChanged
                | ChangeKind::PropertyRemoved
                | ChangeKind::NowOptional
                | ChangeKind::NewlyNullable
                | ChangeKind::TypeChanged
                | ChangeKind::EnumValueAdded
                | ChangeKind::EnumOpened
                | ChangeKind::ConstChanged
                | ChangeKind::ConstraintLoosened
                | ChangeKind::ConstraintChanged
                | ChangeKind::SchemaChanged
        )
    }

    /// Every kind.
    pub const ALL: [ChangeKind; 23] = [
        ChangeKind::WebhookRemoved,
        ChangeKind::WebhookAdded,
        ChangeKind::HeaderRemoved,
        ChangeKind::HeaderAdded,
        ChangeKind::HeaderChanged,
        ChangeKind::PropertyRemoved,
        ChangeKind::PropertyAdded,
        ChangeKind::NowOptional,
        ChangeKind::NowRequired,
        ChangeKind::NewlyNullable,
        ChangeKind::NoLongerNullable,
        ChangeKind::TypeChanged,
        ChangeKind::TypeNarrowed,
        ChangeKind::EnumValueAdded,
        ChangeKind::EnumValueRemoved,
        ChangeKind::EnumOpened,
        ChangeKind::OpenValueAdded,
        ChangeKind::ConstChanged,
        ChangeKind::ConstraintLoosened,
        ChangeKind::ConstraintTightened,
        ChangeKind::ConstraintChanged,
        ChangeKind::SchemaChanged,
        ChangeKind::Metadata,
    ];
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One change to the contract, for the receivers of one webhook.
///
/// Serialises as `{"webhook", "pointer", "kind", "breaking", "message",
/// "old", "new"}`; `old` and `new` are `null` where a side has nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The webhook's key in `webhooks`.
    pub webhook: String,
    /// Where in a delivery: a JSON Pointer into the request body (`""` is
    /// the whole body or the webhook itself, `/data/roleName` a property),
    /// with `*` standing for every item of an array or every value of a
    /// map; or `header:NAME` for a header.
    pub pointer: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Whether it can break a receiver written against the old document.
    pub breaking: bool,
    /// One sentence for people.
    pub message: String,
    /// The old value of what changed, if any.
    pub old: Option<Value>,
    /// The new value of what changed, if any.
    pub new: Option<Value>,
}

impl fmt::Display for Change {
    /// `webhook /pointer: message`, with control characters escaped so that
    /// text from a document cannot drive a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = if self.pointer.is_empty() {
            String::new()
        } else {
            format!(" {}", self.pointer)
        };
        write!(
            f,
            "{}",
            crate::escape::terminal_safe(&format!("{}{place}: {}", self.webhook, self.message))
        )
    }
}

/// `text` as a Markdown code span, as every message quotes what it took
/// from a document (a name, a pointer, a value): between backticks, more
/// of them than any run of backticks inside it, with a space inside each
/// end when needed, so that it stays one inert span in release notes
/// whatever it holds, and reads unambiguously on a terminal. Empty text is
/// `*(empty)*`, outside any span: a span of it would read as a span of
/// spaces.
pub fn code(text: &str) -> String {
    if text.is_empty() {
        return "*(empty)*".to_owned();
    }
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.trim() != "");
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Why two documents could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// The old document is not a usable OpenAPI 3.1 webhooks document.
    #[error("the old document: {0}")]
    Old(SpecError),
    /// The new document is not a usable OpenAPI 3.1 webhooks document.
    #[error("the new document: {0}")]
    New(SpecError),
    /// The schemas are too large or too deeply shared to compare.
    #[error(
        "the documents are too complex to compare (more than {BUDGET} pairs of schemas, or {WORK} keywords and values read in them); simplify their schemas"
    )]
    TooComplex,
    /// The changes found take more memory than one comparison keeps.
    #[error(
        "the documents differ in more than {} MiB of changes; compare smaller documents",
        KEPT >> 20
    )]
    TooManyChanges,
}

/// Reads a document from a file: YAML for `.yaml` and `.yml`, JSON for
/// `.json`, and otherwise JSON when the text starts with `{`.
pub fn read_document(path: &Path) -> Result<Value, SpecError> {
    document::read(path)
}

/// Parses a document's text: JSON when it starts with `{`, YAML otherwise.
pub fn parse_document(text: &str) -> Result<Value, SpecError> {
    document::parse(text, None)
}

/// Every change from `old` to `new`, webhook by webhook in the old
/// document's order, then the added webhooks in the new document's order.
pub fn diff(old: &Value, new: &Value) -> Result<Vec<Change>, DiffError> {
    diff_limited(old, new, LIMITS)
}

/// How much one comparison may do and keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Pairs of schemas compared.
    pub pairs: usize,
    /// Keywords and values read (see [`WORK`]).
    pub work: usize,
    /// Bytes of changes kept (see [`KEPT`]).
    pub kept: usize,
}

const LIMITS: Limits = Limits {
    pairs: BUDGET,
    work: WORK,
    kept: KEPT,
};

/// [`diff`] within `limits`.
pub(crate) fn diff_limited(
    old: &Value,
    new: &Value,
    limits: Limits,
) -> Result<Vec<Change>, DiffError> {
    let old_hooks = document::webhooks(old).map_err(DiffError::Old)?;
    let new_hooks = document::webhooks(new).map_err(DiffError::New)?;
    let mut cx = Cx {
        old,
        new,
        webhook: String::new(),
        changes: Vec::new(),
        budget: limits.pairs,
        work: limits.work,
        kept: limits.kept,
        overflowed: false,
    };
    // Webhooks by key, found without a search: a document may have a great
    // many.
    let old_keys: HashSet<&str> = old_hooks.iter().map(|h| h.key.as_str()).collect();
    let new_by_key: HashMap<&str, &Webhook> =
        new_hooks.iter().map(|h| (h.key.as_str(), h)).collect();
    for hook in &old_hooks {
        cx.webhook = hook.key.clone();
        match new_by_key.get(hook.key.as_str()) {
            None => cx.push(
                "",
                ChangeKind::WebhookRemoved,
                format!("webhook {} removed", code(&hook.key)),
                None,
                None,
            ),
            Some(other) => compare_webhook(&mut cx, hook, other)?,
        }
    }
    for hook in &new_hooks {
        if !old_keys.contains(hook.key.as_str()) {
            cx.webhook = hook.key.clone();
            cx.push(
                "",
                ChangeKind::WebhookAdded,
                format!("webhook {} added", code(&hook.key)),
                None,
                None,
            );
        }
    }
    if cx.overflowed {
        return Err(DiffError::TooManyChanges);
    }
    Ok(cx.changes)
}

/// Whether any change breaks receivers.
pub fn any_breaking(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.breaking)
}

/// The comparison under way.
pub(crate) struct Cx<'a> {
    pub old: &'a Value,
    pub new: &'a Value,
    pub webhook: String,
    pub changes: Vec<Change>,
    /// Pairs of schemas left to compare.
    pub budget: usize,
    /// Reading left (see [`WORK`]).
    pub work: usize,
    /// Bytes of changes left to keep (see [`KEPT`]).
    pub kept: usize,
    /// Whether a change was dropped for want of room: the comparison
    /// stops at the next pair and fails.
    pub overflowed: bool,
}

impl Cx<'_> {
    pub(crate) fn push(
        &mut self,
        pointer: &str,
        kind: ChangeKind,
        message: String,
        old: Option<Value>,
        new: Option<Value>,
    ) {
        let size = std::mem::size_of::<Change>()
            + self.webhook.len()
            + pointer.len()
            + message.len()
            + [&old, &new]
                .into_iter()
                .flatten()
                .map(weight)
                .sum::<usize>();
        match self.kept.checked_sub(size) {
            Some(left) if !self.overflowed => self.kept = left,
            _ => {
                self.overflowed = true;
                return;
            }
        }
        self.changes.push(Change {
            webhook: self.webhook.clone(),
            pointer: pointer.to_owned(),
            kind,
            breaking: kind.is_breaking(),
            message,
            old,
            new,
        });
    }

    /// Counts one pair of schemas against the budget; fails too once a
    /// change could not be kept.
    pub(crate) fn spend(&mut self) -> Result<(), DiffError> {
        if self.overflowed {
            return Err(DiffError::TooManyChanges);
        }
        self.budget = self.budget.checked_sub(1).ok_or(DiffError::TooComplex)?;
        Ok(())
    }

    /// Counts the reading of a pair's schemas against the budget.
    pub(crate) fn spend_work(&mut self, work: usize) -> Result<(), DiffError> {
        self.work = self.work.checked_sub(work).ok_or(DiffError::TooComplex)?;
        Ok(())
    }
}

/// About how many bytes a value takes in memory.
fn weight(value: &Value) -> usize {
    let mut bytes = 0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        bytes += std::mem::size_of::<Value>();
        match value {
            Value::String(s) => bytes += s.len(),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (name, value) in map {
                    bytes += std::mem::size_of::<String>() + name.len();
                    stack.push(value);
                }
            }
            _ => {}
        }
    }
    bytes
}

/// Keys of an operation that are not metadata: compared on their own.
const OPERATION_STRUCTURE: [&str; 2] = ["parameters", "requestBody"];

fn compare_webhook(cx: &mut Cx<'_>, old: &Webhook, new: &Webhook) -> Result<(), DiffError> {
    let (old_item, old_op) = operation(cx.old, &old.key);
    let (new_item, new_op) = operation(cx.new, &new.key);
    // Metadata of the operation: summary, description, tags, responses, x-*.
    let empty = Map::new();
    let old_map = old_op.and_then(Value::as_object).unwrap_or(&empty);
    let new_map = new_op.and_then(Value::as_object).unwrap_or(&empty);
    metadata(
        cx,
        "",
        "the webhook's",
        old_map,
        new_map,
        &OPERATION_STRUCTURE,
    );
    compare_headers(cx, old_item, old_op, new_item, new_op)?;
    // Examples of the body.
    let old_media = media(cx.old, &old.schema_pointer);
    let new_media = media(cx.new, &new.schema_pointer);
    for key in ["examples", "example"] {
        let (a, b) = (
            old_media.and_then(|m| m.get(key)),
            new_media.and_then(|m| m.get(key)),
        );
        if a != b {
            cx.push(
                "",
                ChangeKind::Metadata,
                format!("the body's `{key}` changed"),
                a.cloned(),
                b.cloned(),
            );
        }
    }
    let (Some(old_schema), Some(new_schema)) = (
        cx.old.pointer(&old.schema_pointer),
        cx.new.pointer(&new.schema_pointer),
    ) else {
        return Ok(());
    };
    let (old_doc, new_doc) = (cx.old, cx.new);
    schema::compare(
        cx,
        &[old_schema],
        old_doc,
        &[new_schema],
        new_doc,
        "",
        &mut Vec::new(),
    )
}

/// The media type object holding a body schema (the schema's parent).
fn media<'a>(document: &'a Value, schema_pointer: &str) -> Option<&'a Value> {
    let parent = schema_pointer.strip_suffix("/schema")?;
    document.pointer(parent)
}

/// A webhook's path item and operation, `$ref`s followed.
fn operation<'a>(document: &'a Value, key: &str) -> (Option<&'a Value>, Option<&'a Value>) {
    let item = document
        .get("webhooks")
        .and_then(|hooks| hooks.get(key))
        .and_then(|item| document::follow(document, item));
    let op = item.and_then(|item| {
        ["post", "put", "patch", "delete", "get", "options"]
            .iter()
            .find_map(|method| {
                let op = item.get(*method)?;
                op.get("requestBody")?;
                document::follow(document, op)
            })
    });
    (item, op)
}

/// Reports the differing metadata keys of two objects: every key except
/// `structure`, each as one informational change.
pub(crate) fn metadata(
    cx: &mut Cx<'_>,
    pointer: &str,
    whose: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    structure: &[&str],
) {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        if structure.contains(&key.as_str()) {
            continue;
        }
        let (a, b) = (old.get(key), new.get(key));
        if a == b {
            continue;
        }
        let verb = match (a, b) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        };
        cx.push(
            pointer,
            ChangeKind::Metadata,
            format!("{whose} {} {verb}", code(key)),
            a.cloned(),
            b.cloned(),
        );
    }
}

/// The header parameters of a webhook, by lowercase name.
fn headers<'a>(
    document: &'a Value,
    item: Option<&'a Value>,
    op: Option<&'a Value>,
) -> Vec<(String, &'a Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Operation parameters override path item ones of the same name.
    for owner in [op, item].into_iter().flatten() {
        let Some(Value::Array(parameters)) = owner.get("parameters") else {
            continue;
        };
        for parameter in parameters {
            let Some(parameter) = document::follow(document, parameter) else {
                continue;
            };
            if parameter.get("in").and_then(Value::as_str) != Some("header") {
                continue;
            }
            let Some(name) = parameter.get("name").and_then(Value::as_str) else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            if seen.insert(name.clone()) {
                out.push((name, parameter));
            }
        }
    }
    out
}

/// Parts of a header parameter that are not metadata.
const HEADER_STRUCTURE: [&str; 6] = ["name", "in", "required", "schema", "content", "style"];

fn compare_headers(
    cx: &mut Cx<'_>,
    old_item: Option<&Value>,
    old_op: Option<&Value>,
    new_item: Option<&Value>,
    new_op: Option<&Value>,
) -> Result<(), DiffError> {
    let (old_doc, new_doc) = (cx.old, cx.new);
    let old_headers = headers(old_doc, old_item, old_op);
    let new_headers = headers(new_doc, new_item, new_op);
    let old_by_name: HashMap<&str, &Value> =
        old_headers.iter().map(|(n, p)| (n.as_str(), *p)).collect();
    let new_by_name: HashMap<&str, &Value> =
        new_headers.iter().map(|(n, p)| (n.as_str(), *p)).collect();
    for (name, old) in &old_headers {
        let shown = old.get("name").and_then(Value::as_str).unwrap_or(name);
        let pointer = format!("header:{shown}");
        let Some(new) = new_by_name.get(name.as_str()) else {
            cx.push(
                &pointer,
                ChangeKind::HeaderRemoved,
                format!("header {} is no longer sent", code(shown)),
                Some((*old).clone()),
                None,
            );
            continue;
        };
        let empty = Map::new();
        metadata(
            cx,
            &pointer,
            "the header's",
            old.as_object().unwrap_or(&empty),
            new.as_object().unwrap_or(&empty),
            &HEADER_STRUCTURE,
        );
        let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
        if name.eq_ignore_ascii_case(SIGNATURE_HEADER) {
            let (a, b) = (signature_shape(old_doc, old), signature_shape(new_doc, new));
            if a != b {
                cx.push(
                    &pointer,
                    ChangeKind::HeaderChanged,
                    format!(
                        "header {} changed ({}): receivers verifying it may reject deliveries",
                        code(shown),
                        changed_parts(&a, &b)
                    ),
                    Some(a),
                    Some(b),
                );
            }
            continue;
        }
        if required(old) && !required(new) {
            cx.push(
                &pointer,
                ChangeKind::NowOptional,
                format!("header {} may now be absent", code(shown)),
                Some(Value::Bool(true)),
                Some(Value::Bool(false)),
            );
        } else if !required(old) && required(new) {
            cx.push(
                &pointer,
                ChangeKind::NowRequired,
                format!("header {} is now always sent", code(shown)),
                Some(Value::Bool(false)),
                Some(Value::Bool(true)),
            );
        }
        if let (Some(a), Some(b)) = (old.get("schema"), new.get("schema")) {
            schema::compare(cx, &[a], old_doc, &[b], new_doc, &pointer, &mut Vec::new())?;
        }
    }
    for (name, new) in &new_headers {
        if !old_by_name.contains_key(name.as_str()) {
            let shown = new.get("name").and_then(Value::as_str).unwrap_or(name);
            cx.push(
                &format!("header:{shown}"),
                ChangeKind::HeaderAdded,
                format!("header {} added", code(shown)),
                None,
                Some((*new).clone()),
            );
        }
    }
    Ok(())
}

/// The parts of a header's shape that differ: `required`, `schema.pattern`...
fn changed_parts(old: &Value, new: &Value) -> String {
    let mut parts = Vec::new();
    let empty = Map::new();
    let (a, b) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (x, y) = (a.get(key), b.get(key));
        if x == y {
            continue;
        }
        match (x, y) {
            (Some(Value::Object(x)), Some(Value::Object(y))) if key == "schema" => {
                let inner: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                parts.extend(
                    inner
                        .into_iter()
                        .filter(|k| x.get(*k) != y.get(*k))
                        .map(|k| code(&format!("schema.{k}"))),
                );
            }
            _ => parts.push(code(key)),
        }
    }
    parts.join(", ")
}

/// What of the signature header a verifier depends on: whether it is
/// required, its schema (`$ref`s followed) and its content, without
/// descriptions and examples.
fn signature_shape(document: &Value, parameter: &Value) -> Value {
    let mut out = Map::new();
    for key in ["in", "required", "style", "content"] {
        if let Some(value) = parameter.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(schema) = parameter.get("schema") {
        let schema = document::follow(document, schema).unwrap_or(schema);
        let mut schema = schema.clone();
        if let Value::Object(map) = &mut schema {
            map.retain(|key, _| !schema::is_metadata(key));
        }
        out.insert("schema".to_owned(), schema);
    }
    Value::Object(out)
}
