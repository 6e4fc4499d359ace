//! `docs/changelog.md`: the contract's history, newest first, read from the
//! provenance the generated OpenAPI document carries.
//!
//! Every webhook's `post` operation and every envelope and data property
//! schema carries `x-since` (the date Whereby's sources first show it, as
//! `YYYY-MM-DD`; `2022-04-01` for what predates the docs' history) and
//! `x-sources` (where that is seen, such as `whereby/docs@7e6c4f2
//! webhooks.md`). A webhook gives one line, "`assistant.requested` added";
//! a property gives one line for all the webhooks it appeared in on the
//! same date from the same sources, named by their tags when it appeared in
//! whole families ("to every room client and room session event"). A
//! property no newer than its webhook came with it and gets no line of its own.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;
use whereby_webhooks_conformance::resolve_ref;

use super::preamble;

/// Where the changelog is written.
pub const CHANGELOG_PATH: &str = "docs/changelog.md";

/// The date that stands for "before Whereby's docs history begins".
const BEFORE_HISTORY: &str = "2022-04-01";

/// How deep property walks go.
const MAX_DEPTH: usize = 32;

/// One line of the changelog.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    date: String,
    /// Webhooks (0) before properties (1) within a date.
    order: u8,
    text: String,
    sources: Vec<String>,
}

/// A property's dotted path, `x-since` and `x-sources`.
type Appearance = (String, String, Vec<String>);

/// A webhook as the changelog sees it.
struct Hook<'a> {
    key: &'a str,
    tags: Vec<&'a str>,
    since: Option<&'a str>,
    sources: Vec<String>,
    schema: Option<&'a Value>,
}

/// Renders the changelog of `document`.
pub fn render(document: &Value) -> Result<String, String> {
    let hooks = hooks(document)?;
    let mut lines: Vec<Line> = Vec::new();
    for hook in &hooks {
        if let Some(since) = hook.since {
            lines.push(Line {
                date: since.to_owned(),
                order: 0,
                text: format!("`{}` added", hook.key),
                sources: hook.sources.clone(),
            });
        }
    }
    // The webhooks where each property appeared, by (path, date, sources).
    let mut properties: Vec<(Appearance, Vec<&str>)> = Vec::new();
    for hook in &hooks {
        let mut found = Vec::new();
        if let Some(schema) = hook.schema {
            walk(document, schema, "", 0, &mut found);
        }
        for (path, since, sources) in found {
            // Nothing is added to a webhook before the webhook itself.
            if hook
                .since
                .is_some_and(|hook_since| since.as_str() <= hook_since)
            {
                continue;
            }
            let key = (path, since, sources);
            match properties.iter_mut().find(|(k, _)| *k == key) {
                Some((_, webhooks)) => webhooks.push(hook.key),
                None => properties.push((key, vec![hook.key])),
            }
        }
    }
    for ((path, since, sources), webhooks) in properties {
        let text = match path.split_once(VALUE_OF) {
            Some((path, value)) => format!(
                "value `{value}` of `{path}` added to {}",
                audience(&hooks, &webhooks)
            ),
            None => format!("`{path}` added to {}", audience(&hooks, &webhooks)),
        };
        lines.push(Line {
            date: since,
            order: 1,
            text,
            sources,
        });
    }
    lines.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then(a.order.cmp(&b.order))
            .then(a.text.cmp(&b.text))
    });

    let mut md = preamble("<!-- ", " -->");
    md.push_str("\n# Contract history\n\n");
    md.push_str(
        "What appeared in Whereby's webhooks and when, newest first, as the OpenAPI document \
         records it: each event's and property's `x-since` date, with the sources (`x-sources`) \
         that show it, and each value of a list by its `x-enumSince` date. A property no newer than its event came with it and is not listed separately. \
         ",
    );
    let _ = write!(
        md,
        "{BEFORE_HISTORY} stands for \"documented before the docs' history begins\".\n\n"
    );
    if lines.is_empty() {
        md.push_str("No event or property of the spec carries an `x-since` date yet.\n");
        return Ok(md);
    }
    for line in lines {
        let sources = if line.sources.is_empty() {
            String::new()
        } else {
            format!(" ({})", line.sources.join("; "))
        };
        let _ = writeln!(
            md,
            "- {}: {}{}",
            line.date,
            one_line(&line.text),
            one_line(&sources)
        );
    }
    Ok(md)
}

/// Text on one line of Markdown.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

fn hooks(document: &Value) -> Result<Vec<Hook<'_>>, String> {
    let webhooks = document
        .get("webhooks")
        .and_then(Value::as_object)
        .ok_or("the document has no webhooks")?;
    let mut out = Vec::new();
    for (key, item) in webhooks {
        let item = resolve_ref(document, item);
        let op = item.get("post").map(|op| resolve_ref(document, op));
        let schema = op
            .and_then(|op| op.pointer("/requestBody/content/application~1json/schema"))
            .map(|s| resolve_ref(document, s));
        out.push(Hook {
            key,
            tags: op
                .and_then(|op| op.get("tags"))
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default(),
            since: op.and_then(|op| op.get("x-since")).and_then(Value::as_str),
            sources: op.map(sources).unwrap_or_default(),
            schema,
        });
    }
    Ok(out)
}

fn sources(schema: &Value) -> Vec<String> {
    schema
        .get("x-sources")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// What separates a property's path from one of its values in an
/// [`Appearance`] of a value.
const VALUE_OF: char = '\u{0}';

/// Every property under `schema` with an `x-since`, as (dotted path, date,
/// sources), and every value a list dates in `x-enumSince`, as (path,
/// [`VALUE_OF`], value; date; no sources). The date and sources beside a `$ref` win over the target's.
fn walk(document: &Value, schema: &Value, prefix: &str, depth: usize, out: &mut Vec<Appearance>) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = resolve_ref(document, schema);
    for branch in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(document, branch, prefix, depth + 1, out);
    }
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let path = format!("{prefix}{name}");
        let target = resolve_ref(document, property);
        let since = property
            .get("x-since")
            .or_else(|| target.get("x-since"))
            .and_then(Value::as_str);
        if let Some(since) = since {
            let mut list = sources(property);
            if list.is_empty() {
                list = sources(target);
            }
            if !out.iter().any(|(p, _, _)| *p == path) {
                out.push((path.clone(), since.to_owned(), list));
            }
        }
        // The values of a list, each dated in `x-enumSince`.
        for (value, date) in target
            .get("x-enumSince")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let key = format!("{path}{VALUE_OF}{value}");
            if let Some(date) = date.as_str()
                && !out.iter().any(|(p, _, _)| *p == key)
            {
                out.push((key, date.to_owned(), Vec::new()));
            }
        }
        walk(document, property, &format!("{path}."), depth + 1, out);
    }
}

/// Names the webhooks a property appeared in: every event, every event of
/// whole tags, or the webhooks themselves.
fn audience(hooks: &[Hook<'_>], webhooks: &[&str]) -> String {
    let wanted: BTreeSet<&str> = webhooks.iter().copied().collect();
    if wanted.len() == hooks.len() && hooks.len() > 1 {
        return "every event".to_owned();
    }
    let mut tags: Vec<&str> = Vec::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for hook in hooks {
        for tag in &hook.tags {
            if tags.contains(tag) {
                continue;
            }
            let members: BTreeSet<&str> = hooks
                .iter()
                .filter(|h| h.tags.contains(tag))
                .map(|h| h.key)
                .collect();
            if members.len() > 1 && members.is_subset(&wanted) {
                tags.push(tag);
                covered.extend(members);
            }
        }
    }
    if !tags.is_empty() {
        let rest: Vec<String> = hooks
            .iter()
            .filter(|h| wanted.contains(h.key) && !covered.contains(h.key))
            .map(|h| format!("`{}`", h.key))
            .collect();
        let mut parts = vec![format!("every {} event", join(&tags))];
        if !rest.is_empty() {
            parts.push(join(&rest));
        }
        return parts.join(" and to ");
    }
    let names: Vec<String> = hooks
        .iter()
        .filter(|h| wanted.contains(h.key))
        .map(|h| format!("`{}`", h.key))
        .collect();
    join(&names)
}

/// "a", "a and b", "a, b and c".
fn join<T: AsRef<str>>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Three webhooks in two tags, with provenance the way the generated
    /// spec records it.
    fn fixture() -> Value {
        let hook = |tag: &str, schema: &str, since: &str| {
            json!({"post": {
                "tags": [tag],
                "x-since": since,
                "x-sources": [format!("whereby/docs@abc1234 webhooks.md ({since})")],
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": format!("#/components/schemas/{schema}")}}}}
            }})
        };
        let data = |extra: Value| {
            let mut properties = json!({
                "roomName": {"type": "string", "x-since": "2022-04-01",
                    "x-sources": ["whereby/docs@0000001 webhooks.md"]},
                "subdomain": {"type": "string", "x-since": "2025-09-08",
                    "x-sources": ["whereby/docs@7e6c4f2 webhooks.md"]}
            });
            for (k, v) in extra.as_object().unwrap() {
                properties[k] = v.clone();
            }
            json!({"type": "object", "properties": properties})
        };
        let event = |data_schema: &str| {
            json!({"type": "object", "properties": {
                "createdAt": {"type": "string", "x-since": "2022-04-01", "x-sources": ["whereby/docs@0000001 webhooks.md"]},
                "data": {"$ref": format!("#/components/schemas/{data_schema}"), "x-since": "2022-04-01"}
            }})
        };
        json!({
            "openapi": "3.1.0",
            "webhooks": {
                "room.client.joined": hook("room client", "Joined", "2022-04-01"),
                "room.client.left": hook("room client", "Left", "2022-04-01"),
                "assistant.requested": hook("assistant", "Assistant", "2025-12-12"),
            },
            "components": {"schemas": {
                "Joined": event("JoinedData"),
                "Left": event("LeftData"),
                "Assistant": event("AssistantData"),
                "JoinedData": data(json!({"isDialIn": {"type": "boolean", "x-since": "2024-03-01",
                    "x-sources": ["whereby/docs@1234567 webhooks.md"]}})),
                "LeftData": data(json!({})),
                "AssistantData": {"type": "object", "properties": {
                    "roomName": {"type": "string", "x-since": "2025-12-12"},
                    "assistantKey": {"type": "string", "x-since": "2025-12-12"}}},
            }}
        })
    }

    #[test]
    fn the_history_of_a_fixture_reads_newest_first() {
        let text = render(&fixture()).unwrap();
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
        assert_eq!(
            lines,
            [
                "- 2025-12-12: `assistant.requested` added (whereby/docs@abc1234 webhooks.md (2025-12-12))",
                "- 2025-09-08: `data.subdomain` added to every room client event (whereby/docs@7e6c4f2 webhooks.md)",
                "- 2024-03-01: `data.isDialIn` added to `room.client.joined` (whereby/docs@1234567 webhooks.md)",
                "- 2022-04-01: `room.client.joined` added (whereby/docs@abc1234 webhooks.md (2022-04-01))",
                "- 2022-04-01: `room.client.left` added (whereby/docs@abc1234 webhooks.md (2022-04-01))",
            ]
        );
        assert!(text.starts_with("<!-- Generated by `cargo xtask generate`"));
    }

    #[test]
    fn a_property_in_every_event_says_so() {
        let mut document = fixture();
        for name in ["JoinedData", "LeftData", "AssistantData"] {
            document["components"]["schemas"][name]["properties"]["locale"] = json!({
                "type": "string", "x-since": "2026-01-15",
                "x-sources": ["whereby/docs@89abcde webhooks.md"]});
        }
        let text = render(&document).unwrap();
        let first = text.lines().find(|l| l.starts_with("- ")).unwrap();
        assert_eq!(
            first,
            "- 2026-01-15: `data.locale` added to every event (whereby/docs@89abcde webhooks.md)"
        );
    }

    #[test]
    fn without_dates_the_changelog_says_so() {
        let mut document = fixture();
        document["webhooks"] = json!({"ping": {"post": {"requestBody": {"content": {
            "application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}}});
        let text = render(&document).unwrap();
        assert!(
            text.ends_with("No event or property of the spec carries an `x-since` date yet.\n")
        );
        assert!(render(&json!({})).is_err());
    }

    #[test]
    fn audiences_name_whole_tags_and_the_rest() {
        let hook = |key, tag| Hook {
            key,
            tags: vec![tag],
            since: None,
            sources: vec![],
            schema: None,
        };
        let hooks = [
            hook("a1", "a"),
            hook("a2", "a"),
            hook("b1", "b"),
            hook("b2", "b"),
            hook("c1", "c"),
        ];
        assert_eq!(
            audience(&hooks, &["a1", "a2", "b1", "b2", "c1"]),
            "every event"
        );
        assert_eq!(
            audience(&hooks, &["a1", "a2", "b1", "b2"]),
            "every a and b event"
        );
        assert_eq!(
            audience(&hooks, &["a1", "a2", "b1"]),
            "every a event and to `b1`"
        );
        assert_eq!(audience(&hooks, &["a1", "c1"]), "`a1` and `c1`");
    }
}
