//! The receiver guide in `docs/webhooks.md`: a table of contents, signature
//! verification in seven languages, the test vectors, a full example
//! request, and how to test a receiver.
//!
//! The code is not written here. The Python, Node and Rust code is the
//! verification part of the example receivers in `examples/receivers/`, and
//! the Go, Ruby, PHP and Java code that of the programs in
//! `examples/snippets/`; each file marks it with `guide:start` and
//! `guide:end` comment lines. So the guide shows the code that CI runs
//! (`.ci/receivers.sh`) and cannot drift from it. The same holds for the
//! routing code of `examples/generated-models/`, which `.ci/consumers.sh`
//! runs against the models each generator writes.

use std::fmt::Write as _;

use super::project_root;
use super::vectors;

/// One language of "Verify the signature".
struct Snippet {
    language: &'static str,
    fence: &'static str,
    path: &'static str,
    /// What the file is.
    what: &'static str,
}

const SNIPPETS: [Snippet; 7] = [
    Snippet {
        language: "Python",
        fence: "python",
        path: "examples/receivers/python/receiver.py",
        what: "the example receiver (standard library only)",
    },
    Snippet {
        language: "Node.js",
        fence: "js",
        path: "examples/receivers/node/receiver.mjs",
        what: "the example receiver (Node built-ins only)",
    },
    Snippet {
        language: "Go",
        fence: "go",
        path: "examples/snippets/verify.go",
        what: "a command that checks one delivery (standard library only)",
    },
    Snippet {
        language: "Ruby",
        fence: "ruby",
        path: "examples/snippets/verify.rb",
        what: "a script that checks one delivery (standard library only)",
    },
    Snippet {
        language: "PHP",
        fence: "php",
        path: "examples/snippets/verify.php",
        what: "a script that checks one delivery (no extra extension)",
    },
    Snippet {
        language: "Java",
        fence: "java",
        path: "examples/snippets/Verify.java",
        what: "a single-file Java 17 program that checks one delivery (JDK only)",
    },
    Snippet {
        language: "Rust",
        fence: "rust",
        path: "examples/receivers/rust/receiver.rs",
        what: "the example receiver (hyper, with `whereby-webhooks-signature`)",
    },
];

/// One language of "Route on `type` before generated models".
struct Route {
    language: &'static str,
    fence: &'static str,
    path: &'static str,
    /// The generator whose output the code uses, and from which document.
    models: &'static str,
}

const ROUTES: [Route; 4] = [
    Route {
        language: "Python",
        fence: "python",
        path: "examples/generated-models/route.py",
        models: "the pydantic models datamodel-code-generator writes from `spec/openapi-3.0.yaml` \
                 (the command in [publishing.md](publishing.md#use-the-spec-with-your-tools))",
    },
    Route {
        language: "TypeScript",
        fence: "ts",
        path: "examples/generated-models/route.ts",
        models: "the types openapi-typescript writes from `spec/openapi.yaml`",
    },
    Route {
        language: "Go",
        fence: "go",
        path: "examples/generated-models/route.go",
        models: "the models openapi-generator's `go` generator writes, with default settings",
    },
    Route {
        language: "Rust",
        fence: "rust",
        path: "examples/generated-models/route.rs",
        models: "the types cargo-typify generates from `spec/schemas/event.json`",
    },
];

/// The checks of `whereby-webhooks check-receiver`: id, what it sends, when
/// it passes. The CLI's tests check that every check id appears here.
const CHECKS: [(&str, &str, &str); 12] = [
    (
        "accepts-every-event",
        "every example of every event type, freshly signed",
        "all answered 2xx",
    ),
    (
        "raw-body-signature",
        "authentic deliveries whose bytes are not the compact serialisation: indented, keys in another order, `\\u00e9`-style escapes, a trailing newline",
        "all 2xx",
    ),
    ("rejects-missing-signature", "no `Whereby-Signature`", "4xx"),
    (
        "rejects-bad-signature",
        "signed with another secret; headers anyone can write: a fresh `t` with no `v1`, an empty `v1`, only a `v0`",
        "all 4xx",
    ),
    (
        "rejects-tampered-body",
        "a valid header, the body changed after signing",
        "4xx",
    ),
    (
        "rejects-stale-timestamp",
        "correctly signed, `t` 10 minutes old",
        "4xx",
    ),
    (
        "rejects-future-timestamp",
        "correctly signed, `t` 10 minutes ahead",
        "4xx",
    ),
    (
        "accepts-unknown-event-type",
        "an authentic, well-formed event of a type not in the spec",
        "2xx",
    ),
    (
        "accepts-unknown-properties",
        "an authentic event with new properties in the envelope and in `data`",
        "2xx",
    ),
    (
        "accepts-unknown-enum-value",
        "an authentic event with a role name no list has",
        "2xx",
    ),
    (
        "accepts-redelivery",
        "the same authentic delivery twice (same `id`)",
        "2xx both times",
    ),
    (
        "answers-within-5s",
        "(all of the above)",
        "every answer within 5 s; reports p50 and max",
    ),
];

/// The reference with the guide added: the guide's sections after
/// "Verifying signatures" (or at the end), and a table of contents before
/// the first section.
pub fn add_to(reference: String) -> Result<String, String> {
    let sections = sections()?;
    let mut md = reference;
    let at = md
        .find("\n## Verifying signatures\n")
        .and_then(|start| md[start + 1..].find("\n## ").map(|end| start + 1 + end + 1))
        .unwrap_or(md.len());
    md.insert_str(at, &sections);
    let contents = contents(&md);
    let first = md.find("\n## ").map_or(md.len(), |i| i + 1);
    md.insert_str(first, &contents);
    Ok(md)
}

/// The guide's sections, each ending with a blank line.
fn sections() -> Result<String, String> {
    let mut md = String::new();
    md.push_str(
        "## Verify the signature\n\n\
         The rules above, in seven languages. Each function takes the secret, the \
         `Whereby-Signature` value, the raw body bytes and the current unix time, and says \
         whether the delivery is authentic. The Python, Node.js and Rust code is the code of \
         the example receivers in [`examples/receivers/`](../examples/receivers/); the Go, \
         Ruby, PHP and Java code is in [`examples/snippets/`](../examples/snippets/). CI runs \
         `whereby-webhooks check-receiver` against every example receiver and checks every \
         snippet against the [test vectors](#test-vectors).\n",
    );
    for snippet in &SNIPPETS {
        let code = region(snippet.path)?;
        let _ = write!(
            md,
            "\n### {}\n\nFrom [`{}`](../{}), {}.\n\n```{}\n{code}\n```\n",
            snippet.language, snippet.path, snippet.path, snippet.what, snippet.fence
        );
    }

    md.push_str(
        "\n## Route on `type` before generated models\n\n\
         Whereby's docs list the event types supported \"at the moment\", so a receiver \
         should expect types it does not know yet. Models generated from these documents do \
         not: their union of all events fails on an unknown `type` (CI checks that it does \
         for the Python, Go and Rust models below). We recommend reading `type` first, handing \
         the body to the generated model of each event you handle, and answering `2xx` to any \
         other, after the signature check. Each snippet runs in CI (`.ci/consumers.sh`) \
         against the models its tool generates, on every example and on an event of a new \
         type.\n",
    );
    for route in &ROUTES {
        let code = region(route.path)?;
        let _ = write!(
            md,
            "\n### {} (generated models)\n\nFrom [`{}`](../{}), for {}.\n\n```{}\n{code}\n```\n",
            route.language, route.path, route.path, route.models, route.fence
        );
    }

    let vectors = vectors::vectors()?;
    md.push_str(
        "\n## Test vectors\n\n\
         [`spec/test-vectors.json`](../spec/test-vectors.json) lists signed bodies to test an \
         implementation against: `{\"name\", \"secret\", \"timestamp\", \"body\", \"header\"}`, \
         where `header` is the `Whereby-Signature` of the UTF-8 bytes of `body`, signed with \
         `secret` at `timestamp`. With \"now\" set to `timestamp`, a correct implementation \
         accepts every vector; it rejects one whose body gained a byte, and (with a 300-second \
         tolerance) one checked 301 seconds before or after `timestamp`.\n\n\
         | name | secret | timestamp | header |\n|---|---|---|---|\n",
    );
    for vector in &vectors {
        let _ = writeln!(
            md,
            "| `{}` | `{}` | {} | `{}` |",
            vector.name, vector.secret, vector.timestamp, vector.header
        );
    }

    let compact = vectors
        .iter()
        .find(|v| v.name == "compact")
        .ok_or("no compact test vector")?;
    let _ = write!(
        md,
        "\n## A full example request\n\n\
         The `compact` test vector as a delivery. Whereby's docs say an HTTP request to the \
         endpoint URL, with the JSON body and the `Whereby-Signature` header; the method is \
         not named, and this contract models it as a `POST`. `Host`, `Content-Type` and \
         `Content-Length` are shown as any HTTP client sends a JSON `POST`, and Whereby may \
         send other headers too.\n\n\
         ```http\n\
         POST /webhooks HTTP/1.1\n\
         Host: receiver.example.com\n\
         Content-Type: application/json\n\
         Content-Length: {}\n\
         Whereby-Signature: {}\n\
         \n\
         {}\n\
         ```\n\n\
         The signing secret is `{}`. Verify over exactly those {} bytes of body: parse the JSON \
         only afterwards.\n",
        compact.body.len(),
        compact.header,
        compact.body,
        compact.secret,
        compact.body.len()
    );

    md.push_str(
        "\n## Test your receiver\n\n\
         `whereby-webhooks` (see the [README](../README.md)) tests a receiver from three sides. \
         Run a checking receiver of its own, and send it events or forward them to your \
         application:\n\n\
         ```sh\n\
         export WHEREBY_WEBHOOK_SECRET=...   # the endpoint's signing secret\n\
         whereby-webhooks listen --addr 127.0.0.1:8787 --forward-to http://127.0.0.1:3000/webhooks\n\
         ```\n\n\
         Send one example event, or a captured body byte for byte, to your receiver:\n\n\
         ```sh\n\
         whereby-webhooks send http://127.0.0.1:3000/webhooks room.client.joined\n\
         whereby-webhooks send http://127.0.0.1:3000/webhooks --body captured.json\n\
         ```\n\n\
         Grade your receiver with a battery of authentic and forged deliveries:\n\n\
         ```sh\n\
         whereby-webhooks check-receiver http://127.0.0.1:3000/webhooks\n\
         whereby-webhooks check-receiver http://127.0.0.1:3000/webhooks --format json --skip answers-within-5s\n\
         ```\n\n\
         It sends real-looking events, so point it at a test deployment: a receiver with side \
         effects acts on them. Every delivery it sends carries the request header \
         `Whereby-Webhooks-Test: check-receiver` (a header of this tool, not one of Whereby's), \
         so a receiver can recognise test traffic; otherwise each body is what Whereby would send, with a fresh \
         `id` (64 lowercase hex digits) and `createdAt`. Deliveries go one at a time, 100 ms \
         apart (`--interval`), in an order that changes from run to run. Authentic deliveries must get `2xx`; forged or replayed ones \
         `4xx`: Whereby retries a `5xx` (its docs say so), so a `5xx` gets a forgery sent again, and a \
         `2xx` accepts it. Exit status: `0` \
         when every check passes, `1` when any fails, `2` for a usage error or an unreachable \
         URL. `--only ID` and `--skip ID` select checks.\n\n\
         | check | sends | passes when |\n|---|---|---|\n",
    );
    for (id, sends, passes) in CHECKS {
        let _ = writeln!(md, "| `{id}` | {sends} | {passes} |");
    }
    md.push('\n');
    Ok(md)
}

/// The lines between `guide:start` and `guide:end` of a file, without the
/// indentation they share.
fn region(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(project_root().join(path))
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("guide:start"))
        .ok_or_else(|| format!("{path} has no `guide:start` line"))?;
    let end = lines
        .iter()
        .position(|l| l.contains("guide:end"))
        .filter(|&end| end > start)
        .ok_or_else(|| format!("{path} has no `guide:end` line after `guide:start`"))?;
    let body = &lines[start + 1..end];
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = body
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                &l[indent..]
            }
        })
        .collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    Ok(out.join("\n"))
}

/// The table of contents: every `##` and `###` heading outside code blocks.
fn contents(md: &str) -> String {
    let mut out = String::from("## Contents\n\n");
    let mut fenced = false;
    let mut used: Vec<String> = Vec::new();
    for line in md.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let (level, title) = if let Some(title) = line.strip_prefix("## ") {
            (0, title)
        } else if let Some(title) = line.strip_prefix("### ") {
            (1, title)
        } else {
            continue;
        };
        let base = slug(title);
        let count = used.iter().filter(|s| **s == base).count();
        used.push(base.clone());
        let anchor = if count == 0 {
            base
        } else {
            format!("{base}-{count}")
        };
        let _ = writeln!(out, "{}- [{title}](#{anchor})", "  ".repeat(level));
    }
    out.push('\n');
    out
}

/// GitHub's anchor for a heading: lowercase, letters, digits, `-` and `_`
/// kept, spaces as `-`, everything else dropped.
pub(crate) fn slug(title: &str) -> String {
    title
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_githubs() {
        assert_eq!(slug("`room.client.joined`"), "roomclientjoined");
        assert_eq!(
            slug("Where Whereby's sources disagree"),
            "where-wherebys-sources-disagree"
        );
        assert_eq!(slug("Node.js"), "nodejs");
    }

    #[test]
    fn every_language_has_its_region() {
        for snippet in &SNIPPETS {
            let code = region(snippet.path).unwrap();
            assert!(code.lines().count() > 5, "{}", snippet.path);
            assert!(!code.contains("guide:"), "{}", snippet.path);
            assert!(code.contains("300"), "{}: no tolerance", snippet.path);
        }
    }

    #[test]
    fn the_guide_goes_after_the_signature_rules_with_contents_first() {
        let md = "# T\n\nintro\n\n## A\n\na\n\n## Verifying signatures\n\nrules\n\n## B\n\n### `x.y`\n\n```\n## not a heading\n```\n".to_owned();
        let out = add_to(md).unwrap();
        let at = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("{needle}"));
        assert!(at("## Contents") < at("## A\n"));
        assert!(at("rules") < at("## Verify the signature"));
        assert!(at("## Test your receiver") < at("## B\n"));
        assert!(
            out.contains(
                "- [Verify the signature](#verify-the-signature)\n  - [Python](#python)\n"
            )
        );
        assert!(out.contains("  - [`x.y`](#xy)\n"));
        assert!(!out.contains("(#not-a-heading)"));
    }
}
