//! Comparing two schemas for the same place in a delivery.
//!
//! Each side is first flattened into a [`View`]: everything its `$ref`s,
//! `allOf` branches and conditionals say about one value, merged. Two views
//! are then compared keyword by keyword, and the properties, items and map
//! values they describe are compared in turn, each at its own JSON Pointer.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use serde_json::{Map, Value};

use super::{ChangeKind, Cx, DiffError};
use crate::document::local_pointer;
use crate::text::escape;

/// How deep views and comparisons go; deeper schemas are not compared.
pub(super) const MAX_DEPTH: usize = 64;

/// How a view names what lies past [`MAX_DEPTH`] schemas applied in place.
const DEEPER: &str = "schemas applied in place more than 64 deep";

/// Lower bounds: a smaller (or no) value accepts more.
const LOWER_BOUNDS: [&str; 5] = [
    "minimum",
    "exclusiveMinimum",
    "minLength",
    "minItems",
    "minProperties",
];
/// Upper bounds: a larger (or no) value accepts more.
const UPPER_BOUNDS: [&str; 5] = [
    "maximum",
    "exclusiveMaximum",
    "maxLength",
    "maxItems",
    "maxProperties",
];
/// Constraints that are either present or not, and cannot be ordered.
const SHAPES: [&str; 3] = ["pattern", "format", "multipleOf"];
/// Keywords that say nothing about which values are valid.
const METADATA: [&str; 13] = [
    "title",
    "description",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$comment",
    "$schema",
    "$id",
    "externalDocs",
    "discriminator",
];

/// Whether a keyword is metadata: documentation or an `x-` extension other
/// than the open list `x-extensible-enum`.
pub(crate) fn is_metadata(key: &str) -> bool {
    METADATA.contains(&key) || (key.starts_with("x-") && key != "x-extensible-enum")
}

/// A closed list of values.
#[derive(Debug, Clone)]
struct Values {
    values: Vec<Value>,
    /// Written as `const`.
    from_const: bool,
}

/// Everything the schemas applying to one value say about it.
#[derive(Debug, Default)]
struct View<'a> {
    /// The allowed types, `None` for any.
    types: Option<BTreeSet<String>>,
    /// `null` allowed through `nullable: true` or a `{type: null}` branch.
    null_branch: bool,
    values: Option<Values>,
    open: Option<Vec<Value>>,
    /// The keys of `open`, to add each value once.
    open_keys: HashSet<String>,
    properties: Vec<(String, Vec<&'a Value>)>,
    /// Where each property is in `properties`.
    property_index: HashMap<String, usize>,
    required: BTreeSet<String>,
    /// Properties required only when a condition (an `if`, as JSON) holds.
    conditional: BTreeMap<String, BTreeSet<Rc<str>>>,
    items: Vec<&'a Value>,
    additional: Vec<&'a Value>,
    bounds: BTreeMap<&'static str, Value>,
    shapes: BTreeMap<&'static str, Value>,
    metadata: Map<String, Value>,
    /// Keywords this tool does not judge: each keyword's distinct values,
    /// in the order met, with their keys.
    other: BTreeMap<String, (Vec<Value>, HashSet<String>)>,
    /// The references followed, to notice recursion.
    refs: BTreeSet<String>,
    /// How much reading the schemas took: keywords, and the values and
    /// members read or copied. The comparison counts it against its budget.
    work: usize,
}

impl<'a> View<'a> {
    fn of(document: &'a Value, schemas: &[&'a Value]) -> View<'a> {
        let mut view = View::default();
        for schema in schemas {
            view.collect(document, schema, 0);
        }
        if view.null_branch
            && let Some(types) = &mut view.types
        {
            types.insert("null".to_owned());
        }
        view
    }

    fn property(&self, name: &str) -> Option<&Vec<&'a Value>> {
        let &at = self.property_index.get(name)?;
        Some(&self.properties[at].1)
    }

    fn add_property(&mut self, name: &str, schema: &'a Value) {
        self.work += 1;
        match self.property_index.get(name) {
            Some(&at) => self.properties[at].1.push(schema),
            None => {
                self.property_index
                    .insert(name.to_owned(), self.properties.len());
                self.properties.push((name.to_owned(), vec![schema]));
            }
        }
    }

    fn restrict_types(&mut self, types: BTreeSet<String>) {
        self.types = Some(match self.types.take() {
            None => types,
            Some(old) => old.intersection(&types).cloned().collect(),
        });
    }

    fn restrict_values(&mut self, values: Vec<Value>, from_const: bool) {
        self.values = Some(match self.values.take() {
            None => Values { values, from_const },
            Some(old) => {
                let allowed = keys(&values);
                Values {
                    values: old
                        .values
                        .into_iter()
                        .filter(|v| allowed.contains(&value_key(v)))
                        .collect(),
                    from_const: old.from_const && from_const,
                }
            }
        });
    }

    /// Keeps `value` of a keyword this tool does not judge, and counts
    /// copying it.
    fn other(&mut self, keyword: &str, value: &Value) {
        self.work += nodes(value);
        self.keep_other(keyword, value);
    }

    /// [`View::other`] for a value [`View::collect`] has already counted
    /// whole.
    fn keep_other(&mut self, keyword: &str, value: &Value) {
        let (values, seen) = self.other.entry(keyword.to_owned()).or_default();
        if seen.insert(value_key(value)) {
            values.push(value.clone());
        }
    }

    fn collect(&mut self, document: &'a Value, schema: &'a Value, depth: usize) {
        if depth > MAX_DEPTH {
            // Not read further; kept written out (references followed), so
            // that a change below is reported for review, not passed over.
            let mut out = Vec::new();
            expand(document, schema, &mut HashMap::new(), &mut out);
            self.work += out.len();
            let text = String::from_utf8_lossy(&out).into_owned();
            self.keep_other(DEEPER, &Value::String(text));
            return;
        }
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(true) => return,
            other => {
                self.other("schema", other);
                return;
            }
        };
        // A schema's own keywords first, then what it refers to and
        // combines: metadata beside a `$ref` overrides the target's.
        let mut keys: Vec<(&String, &Value)> = map.iter().collect();
        keys.sort_by_key(|(key, _)| matches!(key.as_str(), "$ref" | "allOf"));
        for (key, value) in keys {
            // Values copied into the view count whole; lists and maps of
            // schemas by their length (each schema counts where it is read).
            self.work += 1 + match key.as_str() {
                "allOf"
                | "anyOf"
                | "oneOf"
                | "if"
                | "then"
                | "else"
                | "properties"
                | "required"
                | "items"
                | "additionalProperties" => width(value),
                _ => nodes(value),
            };
            match key.as_str() {
                "$ref" => match value.as_str().and_then(local_pointer) {
                    Some(target) => {
                        if let Some(resolved) = document.pointer(&target) {
                            if self.refs.insert(target) {
                                self.collect(document, resolved, depth + 1);
                            }
                        } else {
                            self.keep_other(key, value);
                        }
                    }
                    None => self.keep_other(key, value),
                },
                "allOf" => {
                    for branch in value.as_array().into_iter().flatten() {
                        self.collect(document, branch, depth + 1);
                    }
                }
                "anyOf" | "oneOf" => self.alternatives(document, key, value, depth),
                "if" => self.conditional(document, map, value),
                "then" | "else" => {}
                "type" => {
                    let types = match value {
                        Value::String(t) => BTreeSet::from([t.clone()]),
                        Value::Array(ts) => ts
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                        _ => {
                            self.keep_other(key, value);
                            continue;
                        }
                    };
                    self.restrict_types(types);
                }
                "nullable" => {
                    if value == &Value::Bool(true) {
                        self.null_branch = true;
                    }
                }
                "const" => self.restrict_values(vec![value.clone()], true),
                "enum" => match value {
                    Value::Array(values) => self.restrict_values(values.clone(), false),
                    _ => self.keep_other(key, value),
                },
                "x-extensible-enum" => match value {
                    Value::Array(values) => {
                        let open = self.open.get_or_insert_with(Vec::new);
                        for value in values {
                            if self.open_keys.insert(value_key(value)) {
                                open.push(value.clone());
                            }
                        }
                    }
                    _ => self.keep_other(key, value),
                },
                "properties" => match value {
                    Value::Object(properties) => {
                        for (name, schema) in properties {
                            self.add_property(name, schema);
                        }
                    }
                    _ => self.other(key, value),
                },
                "required" => {
                    self.required.extend(
                        value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned),
                    );
                }
                "items" => self.items.push(value),
                "additionalProperties" => self.additional.push(value),
                _ => {
                    if let Some(bound) = LOWER_BOUNDS.iter().find(|b| **b == key) {
                        merge_bound(&mut self.bounds, bound, value, true);
                    } else if let Some(bound) = UPPER_BOUNDS.iter().find(|b| **b == key) {
                        merge_bound(&mut self.bounds, bound, value, false);
                    } else if let Some(shape) = SHAPES.iter().find(|s| **s == key) {
                        self.shapes.entry(shape).or_insert_with(|| value.clone());
                    } else if is_metadata(key) {
                        self.metadata
                            .entry(key.clone())
                            .or_insert_with(|| value.clone());
                    } else {
                        self.keep_other(key, value);
                    }
                }
            }
        }
    }

    /// `anyOf`/`oneOf`: a list of constants is a closed list; "X or null"
    /// is a nullable X; anything else is compared as written.
    fn alternatives(&mut self, document: &'a Value, key: &str, value: &'a Value, depth: usize) {
        let Some(branches) = value.as_array() else {
            self.other(key, value);
            return;
        };
        let followed: Vec<&Value> = branches
            .iter()
            .map(|b| crate::document::follow(document, b).unwrap_or(b))
            .collect();
        // The branches followed may be lists of any length.
        self.work += followed.iter().map(|b| nodes(b)).sum::<usize>();
        let constant = |b: &&Value| -> Option<Vec<Value>> {
            let map = b.as_object()?;
            let values = match (map.get("const"), map.get("enum")) {
                (Some(c), None) => vec![c.clone()],
                (None, Some(Value::Array(e))) => e.clone(),
                _ => return None,
            };
            map.keys()
                .all(|k| matches!(k.as_str(), "const" | "enum" | "type") || is_metadata(k))
                .then_some(values)
        };
        if !followed.is_empty()
            && let Some(lists) = followed.iter().map(constant).collect::<Option<Vec<_>>>()
        {
            let mut values: Vec<Value> = Vec::new();
            let mut seen = HashSet::new();
            let mut types = BTreeSet::new();
            for (branch, list) in followed.iter().zip(lists) {
                for v in list {
                    if seen.insert(value_key(&v)) {
                        values.push(v);
                    }
                }
                match branch.get("type") {
                    Some(Value::String(t)) => {
                        types.insert(t.clone());
                    }
                    Some(Value::Array(ts)) => {
                        types.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                    _ => {}
                }
            }
            if !types.is_empty() {
                self.restrict_types(types);
            }
            self.restrict_values(values, false);
            return;
        }
        let is_null = |b: &&Value| {
            b.get("type") == Some(&Value::from("null"))
                && b.as_object()
                    .is_some_and(|m| m.keys().all(|k| k == "type" || is_metadata(k)))
        };
        let rest: Vec<&Value> = followed.iter().copied().filter(|b| !is_null(b)).collect();
        if rest.len() == 1 && followed.len() == 2 {
            self.null_branch = true;
            self.collect(document, rest[0], depth + 1);
            return;
        }
        // The branches were counted above, as followed.
        self.keep_other(key, value);
    }

    /// `if`/`then`/`else`: what `then` requires is required when the
    /// condition holds, what `else` requires when it does not; the
    /// properties both describe are properties of the value.
    fn conditional(
        &mut self,
        document: &'a Value,
        map: &'a Map<String, Value>,
        condition: &'a Value,
    ) {
        let text = condition.to_string();
        self.work += nodes(condition);
        // One label for every property a branch requires, however many.
        for (branch_key, label) in [
            ("then", Rc::<str>::from(format!("when {text}"))),
            ("else", Rc::<str>::from(format!("unless {text}"))),
        ] {
            let Some(branch) = map.get(branch_key) else {
                continue;
            };
            let branch = crate::document::follow(document, branch).unwrap_or(branch);
            let Some(branch_map) = branch.as_object() else {
                continue;
            };
            self.work += nodes(branch);
            for (key, value) in branch_map {
                match key.as_str() {
                    "required" => {
                        for name in value.as_array().into_iter().flatten() {
                            if let Some(name) = name.as_str() {
                                self.conditional
                                    .entry(name.to_owned())
                                    .or_default()
                                    .insert(Rc::clone(&label));
                            }
                        }
                    }
                    "properties" => {
                        for (name, schema) in value.as_object().into_iter().flatten() {
                            self.add_property(name, schema);
                        }
                    }
                    key if is_metadata(key) => {}
                    _ => {
                        // Counted whole above.
                        self.keep_other(&format!("{branch_key} ({label})"), branch);
                        break;
                    }
                }
            }
        }
    }
}

fn merge_bound(
    bounds: &mut BTreeMap<&'static str, Value>,
    key: &'static str,
    value: &Value,
    lower: bool,
) {
    match (bounds.get(key).and_then(Value::as_f64), value.as_f64()) {
        (Some(old), Some(new)) if (lower && new <= old) || (!lower && new >= old) => {}
        _ => {
            bounds.insert(key, value.clone());
        }
    }
}

/// Whether a value of type `ty` is among `types`.
fn covered(ty: &str, types: &BTreeSet<String>) -> bool {
    types.contains(ty) || (ty == "integer" && types.contains("number"))
}

fn type_value(types: &BTreeSet<String>) -> Value {
    match types.len() {
        1 => Value::from(types.iter().next().cloned().unwrap_or_default()),
        _ => Value::from(types.iter().cloned().collect::<Vec<_>>()),
    }
}

/// A value's canonical text: two values have the same key exactly when
/// they are equal (`==`), so lists of any length are compared through
/// hash sets of keys, not value by value against each other.
fn value_key(value: &Value) -> String {
    let mut out = String::new();
    write_key(value, &mut out);
    out
}

fn write_key(value: &Value, out: &mut String) {
    match value {
        // Maps are equal whatever the order of their members.
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by_key(|(name, _)| *name);
            out.push('{');
            for (i, (name, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(name.as_str()).to_string());
                out.push(':');
                write_key(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_key(item, out);
            }
            out.push(']');
        }
        // `-0.0 == 0.0`; every other number is equal only to one written
        // the same way.
        Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => out.push_str("0.0"),
        other => out.push_str(&other.to_string()),
    }
}

/// The keys of `values`.
fn keys(values: &[Value]) -> HashSet<String> {
    values.iter().map(value_key).collect()
}

/// How many values `value` holds, itself included.
fn nodes(value: &Value) -> usize {
    let mut count = 0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        count += 1;
        match value {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// How many items or members `value` has (0 for anything else).
fn width(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    }
}

/// A value as JSON, cut to 80 characters: only the start is written out,
/// however large the value.
fn show(value: &Value) -> String {
    /// Keeps the first `LIMIT` bytes written, then refuses more.
    struct Start(Vec<u8>);
    const LIMIT: usize = 400;
    impl std::io::Write for Start {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = LIMIT - self.0.len();
            if room == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            let take = buf.len().min(room);
            self.0.extend_from_slice(&buf[..take]);
            Ok(take)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut start = Start(Vec::new());
    // Stops with an error once the limit is reached: what was written is
    // the start, at least 100 characters of it, more than is shown.
    let _ = serde_json::to_writer(&mut start, value);
    let text = String::from_utf8_lossy(&start.0);
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        super::code(&format!("{cut}..."))
    } else {
        super::code(&text)
    }
}

/// Writes `schema` out to `out` with every local `$ref` replaced by what
/// it points to (a schema met again, by its number in `refs`), keys in
/// order, and without what only documents it (`description`, `title`,
/// examples, comments): equal output, equal contract below. A loop, not
/// recursion: a chain of references may be thousands long.
fn expand(document: &Value, schema: &Value, refs: &mut HashMap<String, usize>, out: &mut Vec<u8>) {
    enum Task<'v> {
        Value(&'v Value),
        Text(String),
    }
    let mut tasks = vec![Task::Value(schema)];
    while let Some(task) = tasks.pop() {
        let value = match task {
            Task::Text(text) => {
                out.extend_from_slice(text.as_bytes());
                continue;
            }
            Task::Value(value) => value,
        };
        match value {
            Value::Object(map) => {
                // Pushed in reverse: the target of a `$ref` comes out
                // first, then the object's own keywords.
                let keys: BTreeSet<&String> = map.keys().collect();
                tasks.push(Task::Text("}".to_owned()));
                for key in keys.into_iter().rev() {
                    if matches!(
                        key.as_str(),
                        "$ref" | "description" | "title" | "examples" | "example" | "$comment"
                    ) {
                        continue;
                    }
                    tasks.push(Task::Text(",".to_owned()));
                    tasks.push(Task::Value(&map[key]));
                    tasks.push(Task::Text(format!("{}:", Value::from(key.as_str()))));
                }
                tasks.push(Task::Text("{".to_owned()));
                if let Some(Value::String(reference)) = map.get("$ref") {
                    match refs.get(reference) {
                        Some(number) => tasks.push(Task::Text(format!("#{number}"))),
                        None => {
                            refs.insert(reference.clone(), refs.len());
                            match local_pointer(reference).and_then(|p| document.pointer(&p)) {
                                Some(target) => tasks.push(Task::Value(target)),
                                None => tasks.push(Task::Text(reference.clone())),
                            }
                        }
                    }
                }
            }
            Value::Array(items) => {
                tasks.push(Task::Text("]".to_owned()));
                for item in items.iter().rev() {
                    tasks.push(Task::Text(",".to_owned()));
                    tasks.push(Task::Value(item));
                }
                tasks.push(Task::Text("[".to_owned()));
            }
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
}

fn subject(pointer: &str) -> String {
    if pointer.is_empty() {
        "the body".to_owned()
    } else {
        super::code(pointer)
    }
}

/// When a property is required.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Always,
    /// Required when any of these conditions (`when X`, `unless X`) holds:
    /// each `if`/`then` (or `else`) requires it on its own.
    When(BTreeSet<Rc<str>>),
    Never,
}

impl Requirement {
    fn of(view: &View<'_>, name: &str) -> Requirement {
        if view.required.contains(name) {
            Requirement::Always
        } else if let Some(conditions) = view.conditional.get(name) {
            Requirement::When(conditions.clone())
        } else {
            Requirement::Never
        }
    }

    fn describe(&self) -> String {
        match self {
            Requirement::Always => "required".to_owned(),
            Requirement::Never => "optional".to_owned(),
            Requirement::When(conditions) => format!(
                "required {}",
                conditions
                    .iter()
                    .map(|condition| match condition.split_once(' ') {
                        // `when X` or `unless X`: X, the schema of an `if`,
                        // comes from the document.
                        Some((word, schema)) => format!("{word} {}", super::code(schema)),
                        None => super::code(condition),
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        }
    }

    fn as_value(&self) -> Value {
        match self {
            Requirement::Always => Value::Bool(true),
            Requirement::Never => Value::Bool(false),
            Requirement::When(conditions) => {
                Value::from(conditions.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            }
        }
    }
}

/// One side of a comparison, as the cycle guard knows it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The `$ref`s its view followed.
    Refs(BTreeSet<String>),
    /// A schema written inline (no `$ref` followed): the addresses of the
    /// schema values themselves, which differ from one level to the next.
    Inline(Vec<usize>),
}

/// The pairs of sides being compared further up.
pub(crate) type Seen = Vec<(Side, Side)>;

/// Compares the schemas `old` (in `old_doc`) and `new` (in `new_doc`) for
/// the value at `pointer`.
///
/// A pair of sides met again further down is a cycle, and is not compared
/// twice. A side that followed `$ref`s is known by them, so a recursive
/// schema stops where its references recur, however many children of its
/// own type it has. A side written inline is known by its schema values, so
/// a recursive schema compared with the same shape written out inline is
/// followed until the inline side ends (or the depth limit, which ends any
/// descent).
pub(crate) fn compare<'a>(
    cx: &mut Cx<'_>,
    old: &[&'a Value],
    old_doc: &'a Value,
    new: &[&'a Value],
    new_doc: &'a Value,
    pointer: &str,
    seen: &mut Seen,
) -> Result<(), DiffError> {
    cx.spend()?;
    if seen.len() > MAX_DEPTH {
        // Not compared further; but a change below is not passed over in
        // silence: the two sides are written out, references followed,
        // and told apart.
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for schema in old {
            expand(old_doc, schema, &mut HashMap::new(), &mut a);
        }
        for schema in new {
            expand(new_doc, schema, &mut HashMap::new(), &mut b);
        }
        cx.spend_work(a.len() + b.len())?;
        if a != b {
            cx.push(
                pointer,
                ChangeKind::SchemaChanged,
                format!(
                    "{} lies more than {MAX_DEPTH} levels down, deeper than this tool compares, and something in or below it changed: review it by hand",
                    subject(pointer)
                ),
                None,
                None,
            );
        }
        return Ok(());
    }
    let o = View::of(old_doc, old);
    let n = View::of(new_doc, new);
    cx.spend_work(o.work + n.work)?;
    let side = |view: &View<'_>, schemas: &[&Value]| {
        if view.refs.is_empty() {
            Side::Inline(
                schemas
                    .iter()
                    .map(|schema| std::ptr::from_ref::<Value>(schema) as usize)
                    .collect(),
            )
        } else {
            Side::Refs(view.refs.clone())
        }
    };
    let sides = (side(&o, old), side(&n, new));
    if seen.contains(&sides) {
        return Ok(());
    }
    seen.push(sides);
    let result = compare_views(cx, &o, old_doc, &n, new_doc, pointer, seen);
    seen.pop();
    result
}

fn compare_views<'a>(
    cx: &mut Cx<'_>,
    o: &View<'a>,
    old_doc: &'a Value,
    n: &View<'a>,
    new_doc: &'a Value,
    pointer: &str,
    seen: &mut Seen,
) -> Result<(), DiffError> {
    let what = subject(pointer);
    compare_types(cx, o, n, pointer, &what);
    compare_values(cx, o, n, pointer, &what);
    compare_bounds(cx, o, n, pointer, &what);
    for key in SHAPES {
        let (a, b) = (o.shapes.get(key), n.shapes.get(key));
        let (kind, message) = match (a, b) {
            (None, None) => continue,
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), None) => (
                ChangeKind::ConstraintLoosened,
                format!("{what} lost its `{key}` {}", show(a)),
            ),
            (None, Some(b)) => (
                ChangeKind::ConstraintTightened,
                format!("{what} gained `{key}` {}", show(b)),
            ),
            (Some(a), Some(b)) => (
                ChangeKind::ConstraintChanged,
                format!(
                    "{what}'s `{key}` changed from {} to {}; the new one may accept values the old did not",
                    show(a),
                    show(b)
                ),
            ),
        };
        cx.push(pointer, kind, message, a.cloned(), b.cloned());
    }
    super::metadata(
        cx,
        pointer,
        &format!("{what}'s"),
        &o.metadata,
        &n.metadata,
        &[],
    );
    let keywords: BTreeSet<&String> = o.other.keys().chain(n.other.keys()).collect();
    let empty = Vec::new();
    for keyword in keywords {
        let (a, b) = (
            o.other.get(keyword).map_or(&empty, |(v, _)| v),
            n.other.get(keyword).map_or(&empty, |(v, _)| v),
        );
        // The same keyword met again with another value (in another
        // `allOf` branch, say) is `keyword'`, then `keyword''`.
        for i in 0..a.len().max(b.len()) {
            let (a, b) = (a.get(i), b.get(i));
            if a != b && keyword == DEEPER {
                cx.push(
                    pointer,
                    ChangeKind::SchemaChanged,
                    format!(
                        "{what} applies schemas in place more than {MAX_DEPTH} deep, deeper than this tool compares, and something there changed: review it by hand"
                    ),
                    None,
                    None,
                );
            } else if a != b {
                let primes = "'".repeat(i);
                cx.push(
                    pointer,
                    ChangeKind::SchemaChanged,
                    format!(
                        "{what}'s {} changed; this tool does not judge it: review it by hand",
                        super::code(&format!("{keyword}{primes}"))
                    ),
                    a.cloned(),
                    b.cloned(),
                );
            }
        }
    }
    // Properties.
    for (name, old_schemas) in &o.properties {
        let child = format!("{pointer}/{}", escape(name));
        let Some(new_schemas) = n.property(name) else {
            cx.push(
                &child,
                ChangeKind::PropertyRemoved,
                format!("property {} removed", super::code(&child)),
                Some(Value::from(Requirement::of(o, name).describe())),
                None,
            );
            continue;
        };
        let (a, b) = (Requirement::of(o, name), Requirement::of(n, name));
        if a != b {
            let looser = match (&a, &b) {
                (Requirement::Never, _) => false,
                (_, Requirement::Never) => true,
                (Requirement::Always, _) => true,
                (Requirement::When(_), Requirement::Always) => false,
                (Requirement::When(x), Requirement::When(y)) => !x.is_subset(y),
            };
            let (kind, message) = if looser {
                (
                    ChangeKind::NowOptional,
                    format!(
                        "{} was {}, is now {}: it may be absent",
                        super::code(&child),
                        a.describe(),
                        b.describe()
                    ),
                )
            } else {
                (
                    ChangeKind::NowRequired,
                    format!(
                        "{} was {}, is now {}",
                        super::code(&child),
                        a.describe(),
                        b.describe()
                    ),
                )
            };
            cx.push(
                &child,
                kind,
                message,
                Some(a.as_value()),
                Some(b.as_value()),
            );
        }
        compare(cx, old_schemas, old_doc, new_schemas, new_doc, &child, seen)?;
    }
    for (name, _) in &n.properties {
        if o.property(name).is_none() {
            let child = format!("{pointer}/{}", escape(name));
            let requirement = Requirement::of(n, name).describe();
            cx.push(
                &child,
                ChangeKind::PropertyAdded,
                format!("property {} added ({requirement})", super::code(&child)),
                None,
                Some(Value::from(requirement)),
            );
        }
    }
    // Items and map values.
    for (label, a, b) in [
        ("items", &o.items, &n.items),
        ("additionalProperties", &o.additional, &n.additional),
    ] {
        let child = format!("{pointer}/*");
        let closed = |list: &Vec<&Value>| list.iter().any(|s| **s == Value::Bool(false));
        match (a.is_empty(), b.is_empty()) {
            (true, true) => {}
            (false, false) if label == "additionalProperties" && (closed(a) || closed(b)) => {
                if closed(a) != closed(b) {
                    compare_closed(cx, pointer, &what, closed(a), closed(b));
                }
            }
            (false, false) => compare(cx, a, old_doc, b, new_doc, &child, seen)?,
            (false, true) if label == "additionalProperties" && closed(a) => {
                compare_closed(cx, pointer, &what, true, false);
            }
            (true, false) if label == "additionalProperties" && closed(b) => {
                compare_closed(cx, pointer, &what, false, true);
            }
            (false, true) => cx.push(
                pointer,
                ChangeKind::ConstraintLoosened,
                format!("{what}'s `{label}` are no longer described: they may be anything"),
                Some(Value::from(
                    a.iter().map(|v| (*v).clone()).collect::<Vec<_>>(),
                )),
                None,
            ),
            (true, false) => cx.push(
                pointer,
                ChangeKind::ConstraintTightened,
                format!("{what}'s `{label}` are now described"),
                None,
                Some(Value::from(
                    b.iter().map(|v| (*v).clone()).collect::<Vec<_>>(),
                )),
            ),
        }
    }
    Ok(())
}

/// `additionalProperties: false` added or dropped: receivers ignore
/// properties they do not know, so neither breaks them.
fn compare_closed(cx: &mut Cx<'_>, pointer: &str, what: &str, old: bool, new: bool) {
    let message = if new {
        format!("{what} no longer allows undescribed properties")
    } else {
        format!("{what} now allows undescribed properties, which receivers ignore")
    };
    cx.push(
        pointer,
        ChangeKind::Metadata,
        message,
        Some(Value::Bool(!old)),
        Some(Value::Bool(!new)),
    );
}

fn compare_types(cx: &mut Cx<'_>, o: &View<'_>, n: &View<'_>, pointer: &str, what: &str) {
    let strip = |types: &Option<BTreeSet<String>>| {
        types.as_ref().map(|t| {
            t.iter()
                .filter(|t| *t != "null")
                .cloned()
                .collect::<BTreeSet<_>>()
        })
    };
    let (a, b) = (strip(&o.types), strip(&n.types));
    if a != b {
        let (kind, message) = match (&a, &b) {
            (None, Some(b)) => (
                ChangeKind::TypeNarrowed,
                format!("{what} is now limited to {}", show(&type_value(b))),
            ),
            (Some(a), None) => (
                ChangeKind::TypeChanged,
                format!(
                    "{what} was {} and may now be of any type",
                    show(&type_value(a))
                ),
            ),
            (Some(a), Some(b)) if b.iter().all(|t| covered(t, a)) => (
                ChangeKind::TypeNarrowed,
                format!(
                    "{what}'s type narrowed from {} to {}",
                    show(&type_value(a)),
                    show(&type_value(b))
                ),
            ),
            (Some(a), Some(b)) => (
                ChangeKind::TypeChanged,
                format!(
                    "{what}'s type changed from {} to {}",
                    show(&type_value(a)),
                    show(&type_value(b))
                ),
            ),
            (None, None) => return,
        };
        cx.push(
            pointer,
            kind,
            message,
            o.types.as_ref().map(type_value),
            n.types.as_ref().map(type_value),
        );
    }
    let nullable = |types: &Option<BTreeSet<String>>| types.as_ref().map(|t| t.contains("null"));
    match (nullable(&o.types), nullable(&n.types)) {
        (Some(false), Some(true)) => cx.push(
            pointer,
            ChangeKind::NewlyNullable,
            format!("{what} may now be null"),
            Some(Value::Bool(false)),
            Some(Value::Bool(true)),
        ),
        (Some(true), Some(false)) => cx.push(
            pointer,
            ChangeKind::NoLongerNullable,
            format!("{what} may no longer be null"),
            Some(Value::Bool(true)),
            Some(Value::Bool(false)),
        ),
        _ => {}
    }
}

fn compare_values(cx: &mut Cx<'_>, o: &View<'_>, n: &View<'_>, pointer: &str, what: &str) {
    match (&o.values, &n.values) {
        (Some(a), Some(b)) => {
            if a.from_const
                && b.from_const
                && a.values.len() == 1
                && b.values.len() == 1
                && a.values != b.values
            {
                cx.push(
                    pointer,
                    ChangeKind::ConstChanged,
                    format!(
                        "{what}'s `const` changed from {} to {}",
                        show(&a.values[0]),
                        show(&b.values[0])
                    ),
                    Some(a.values[0].clone()),
                    Some(b.values[0].clone()),
                );
                return;
            }
            let (a_keys, b_keys) = (keys(&a.values), keys(&b.values));
            for value in &b.values {
                if !a_keys.contains(&value_key(value)) {
                    cx.push(
                        pointer,
                        ChangeKind::EnumValueAdded,
                        format!("{what} may now be {}", show(value)),
                        None,
                        Some(value.clone()),
                    );
                }
            }
            for value in &a.values {
                if !b_keys.contains(&value_key(value)) {
                    cx.push(
                        pointer,
                        ChangeKind::EnumValueRemoved,
                        format!("{what} is no longer {}", show(value)),
                        Some(value.clone()),
                        None,
                    );
                }
            }
        }
        (Some(a), None) => {
            let old = Value::from(a.values.clone());
            if n.open.is_some() {
                cx.push(
                    pointer,
                    ChangeKind::EnumOpened,
                    format!(
                        "{what} became an open list: values other than {} may arrive",
                        show(&old)
                    ),
                    Some(old),
                    n.open.clone().map(Value::from),
                );
            } else if a.from_const && a.values.len() == 1 {
                cx.push(
                    pointer,
                    ChangeKind::ConstChanged,
                    format!("{what} is no longer pinned to {}", show(&a.values[0])),
                    Some(a.values[0].clone()),
                    None,
                );
            } else {
                cx.push(
                    pointer,
                    ChangeKind::ConstraintLoosened,
                    format!("{what} is no longer limited to {}", show(&old)),
                    Some(old),
                    None,
                );
            }
        }
        (None, Some(b)) => {
            let new = Value::from(b.values.clone());
            cx.push(
                pointer,
                ChangeKind::ConstraintTightened,
                format!("{what} is now limited to {}", show(&new)),
                o.open.clone().map(Value::from),
                Some(new),
            );
        }
        (None, None) => {
            let empty = Vec::new();
            let (a, b) = (
                o.open.as_ref().unwrap_or(&empty),
                n.open.as_ref().unwrap_or(&empty),
            );
            let (a_keys, b_keys) = (keys(a), keys(b));
            for value in b {
                if !a_keys.contains(&value_key(value)) {
                    cx.push(
                        pointer,
                        ChangeKind::OpenValueAdded,
                        format!(
                            "{what} gained the known value {} (an open list)",
                            show(value)
                        ),
                        None,
                        Some(value.clone()),
                    );
                }
            }
            for value in a {
                if !b_keys.contains(&value_key(value)) {
                    cx.push(
                        pointer,
                        ChangeKind::EnumValueRemoved,
                        format!("{what} no longer lists {} as a known value", show(value)),
                        Some(value.clone()),
                        None,
                    );
                }
            }
        }
    }
}

fn compare_bounds(cx: &mut Cx<'_>, o: &View<'_>, n: &View<'_>, pointer: &str, what: &str) {
    for (keys, lower) in [(LOWER_BOUNDS, true), (UPPER_BOUNDS, false)] {
        for key in keys {
            let (a, b) = (o.bounds.get(key), n.bounds.get(key));
            let loosened = match (a, b) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => match (a.as_f64(), b.as_f64()) {
                    (Some(a), Some(b)) if a == b => continue,
                    (Some(a), Some(b)) => (b < a) == lower,
                    // Not numbers: cannot be ordered, so assume the worst.
                    _ => true,
                },
            };
            let (kind, verb) = if loosened {
                (ChangeKind::ConstraintLoosened, "loosened")
            } else {
                (ChangeKind::ConstraintTightened, "tightened")
            };
            let show_side = |v: Option<&Value>| v.map_or_else(|| "none".to_owned(), show);
            cx.push(
                pointer,
                kind,
                format!(
                    "{what}'s `{key}` {verb}: {} -> {}",
                    show_side(a),
                    show_side(b)
                ),
                a.cloned(),
                b.cloned(),
            );
        }
    }
}

#[cfg(test)]
mod key_tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::value_key;

    /// Small JSON values drawn from few leaves, so that equal pairs are
    /// common: numbers written several ways, and maps in any member order.
    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            Just(json!(true)),
            Just(json!(false)),
            Just(json!(0)),
            Just(json!(1)),
            Just(json!(-1)),
            Just(json!(0.0)),
            Just(json!(-0.0)),
            Just(json!(1.0)),
            Just(json!(1.5)),
            Just(json!(u64::MAX)),
            Just(json!("")),
            Just(json!("a")),
            Just(json!("1")),
            Just(json!("\"a\"")),
            Just(json!("é\n")),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(vec!["a", "b", "c"]), inner), 0..3)
                    .prop_map(|members| {
                        Value::Object(
                            members
                                .into_iter()
                                .map(|(k, v)| (k.to_owned(), v))
                                .collect::<Map<String, Value>>(),
                        )
                    }),
            ]
        })
    }

    /// The same map with its members in reverse order.
    fn reversed(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), reversed(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }

    /// Numbers equal as values but written differently, and the reverse.
    #[test]
    fn numbers_share_a_key_when_they_are_equal() {
        for (a, b) in [
            (json!(0.0), json!(-0.0)),
            (json!([0.0]), json!([-0.0])),
            (json!({"a": -0.0}), json!({"a": 0.0})),
            (json!(1), json!(1.0)),
            (json!(-1), json!(-1.0)),
            (json!(u64::MAX), json!(1.8446744073709552e19)),
            (json!(0), json!(-0.0)),
        ] {
            assert_eq!(value_key(&a) == value_key(&b), a == b, "{a} / {b}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Keys stand for values exactly: equal values share a key, and
        /// different ones do not.
        #[test]
        fn keys_agree_with_equality(a in value(), b in value()) {
            prop_assert_eq!(value_key(&a) == value_key(&b), a == b, "{} / {}", a, b);
            let turned = reversed(&a);
            prop_assert_eq!(&turned, &a);
            prop_assert_eq!(value_key(&turned), value_key(&a));
        }
    }
}
