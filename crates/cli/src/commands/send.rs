//! The `send` command: sign a delivery and POST it, as Whereby would.
//!
//! The body is either an example event (by type, and optionally by example
//! name), changed with `--set`/`--remove` to try edge cases, or a file sent
//! byte for byte. The example events are the model's, which the published
//! spec's examples are generated from.
//!
//! `--set POINTER=JSON` parses the value as JSON, strictly: `--set
//! /data/numClients=3` sets a number and a string needs its quotes
//! (`--set '/data/displayName="Ada"'`). A value that is not JSON is an error
//! rather than a string, so that a typo such as `=tru` is not sent as the
//! string `"tru"`.
//!
//! Each example is sent with a fresh `id` (64 lowercase hex digits, as
//! Whereby's are) and `createdAt` set to now, so that a receiver that
//! deduplicates on `id` (as receivers should) treats each send as a new
//! delivery; `--keep-id` sends the example's own.

mod document;

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, anyhow, bail};
use serde_json::Value;
use ureq::http::StatusCode;
use whereby_webhooks_model::{EventType, all_examples};
use whereby_webhooks_signature::{HEADER_NAME, Message, now_unix, sign};

use crate::args::ProfileArgs;
use crate::body::EmptyBody;
use crate::client::{self, MAX_TIMEOUT_SECS};
use crate::exit::Exit;
use crate::secrets::SecretArgs;
use whereby_webhooks_conformance::escape::terminal_safe;

/// Whereby gives up on a delivery after this long, and retries it.
const WHEREBY_TIMEOUT: Duration = Duration::from_secs(5);

/// Arguments of `send`.
#[derive(Debug, clap::Args)]
#[command(after_help = after_help())]
pub struct Args {
    /// The receiver's URL, http:// or https://
    #[arg(value_name = "URL", value_parser = client::parse_url)]
    url: String,

    /// The event type to send an example of, such as `room.client.joined`
    /// (or give --body to send a file); with --spec, a key of that
    /// document's `webhooks`, such as GitHub's `issues-opened`
    #[arg(value_name = "TYPE")]
    event_type: Option<String>,

    /// Send a body for a webhook of this OpenAPI document (JSON or YAML)
    /// instead of one of Whereby's examples: from --examples, else the
    /// document's own example, else a minimal body built from its schema
    /// (stderr says which)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["body", "example", "keep_id"])]
    spec: Option<PathBuf>,

    /// With --spec: a JSON file of example payloads (one, an array, or the
    /// index of @octokit/webhooks-examples) to take the body from
    #[arg(long, value_name = "FILE", requires = "spec")]
    examples: Option<PathBuf>,

    /// Send this file (or `-` for standard input) byte for byte instead of
    /// an example
    #[arg(long, value_name = "FILE", conflicts_with_all = ["event_type", "example", "set", "remove"])]
    body: Option<PathBuf>,

    /// Which example of the type to send, by name (listed below) [default: the first]
    #[arg(long, value_name = "NAME")]
    example: Option<String>,

    /// Send the example's own `id` and `createdAt` instead of a fresh id
    /// and the current time
    #[arg(long, conflicts_with = "body")]
    keep_id: bool,

    /// Set a field of the example: a JSON Pointer, `=`, and a JSON value
    /// (`/data/displayName="Ada"`, `/data/numClients=3`); repeatable
    #[arg(long, value_name = "POINTER=JSON")]
    set: Vec<String>,

    /// Remove a field of the example, by JSON Pointer (`/data/roomName`);
    /// repeatable, applied after --set
    #[arg(long, value_name = "POINTER")]
    remove: Vec<String>,

    /// The signature's timestamp, in unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    timestamp: Option<u64>,

    /// An extra request header, `Name: value`; repeatable. It replaces a
    /// default header of the same name (Content-Type, Whereby-Signature,
    /// User-Agent)
    #[arg(long = "header", value_name = "NAME:VALUE")]
    headers: Vec<String>,

    /// Give up after this many seconds (1 to 86400)
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS))]
    timeout: u64,

    #[command(flatten)]
    profile: ProfileArgs,

    #[command(flatten)]
    secrets: SecretArgs,

    #[command(flatten)]
    empty: EmptyBody,
}

/// What `send --help` says after the flags: what is sent, the examples of
/// each type, and the exit statuses.
fn after_help() -> String {
    let mut text = String::from(
        "Signs with the first secret and a fresh timestamp, POSTs with `Content-Type: application/json` \
and `Whereby-Signature`, and prints the answer's status, the time taken and the answer's body (its \
first 64 KiB). An answer whose body stops before its end, within its first 64 KiB, is no answer \
(exit 2); past them the rest is not read. An \
example is sent with a fresh `id` and `createdAt` = now (unless --keep-id), so that a receiver that \
deduplicates on `id` sees a new delivery each time.

Examples (--example NAME), the first of each type being the default:",
    );
    for ty in EventType::ALL {
        let names: Vec<&str> = all_examples()
            .into_iter()
            .filter(|example| example.event.event_type() == ty)
            .map(|example| example.name)
            .collect();
        text.push_str(&format!("\n  {ty}: {}", names.join(", ")));
    }
    text.push_str(
        "\n\nWith --profile stripe, github or standard-webhooks, the delivery is signed with that scheme's \
headers instead (standard-webhooks: webhook-id is the body's `id`; github: X-GitHub-Event is the body's \
`type` and X-GitHub-Delivery its `id`, unless given with --header).\n\nWith --spec DOC, TYPE names one of \
DOC's webhooks, and the body is the first example of it in --examples FILE, else DOC's own example, else a \
minimal body built from its schema; stderr says which. With --profile github, X-GitHub-Event is the \
examples entry's name, else DOC's example of that header.\n\nExit status: 0 on a 2xx answer, 1 on any other answer, 2 when the request could not be \
made (or a usage error).",
    );
    text
}

/// 64 lowercase hex digits from the system's random source: an event `id`
/// in the form Whereby's take.
fn fresh_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow!("cannot make a fresh id: {error}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Gives an example a fresh `id` and `createdAt` = now.
fn refresh(event: &mut Value) -> anyhow::Result<()> {
    if let Some(object) = event.as_object_mut() {
        object.insert("id".to_owned(), Value::String(fresh_id()?));
        let now = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        object.insert("createdAt".to_owned(), Value::String(now));
    }
    Ok(())
}

/// Runs `send`: exit 0 on a 2xx answer, 1 on any other answer, 2 when the
/// request could not be made.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let scheme = args.profile.scheme();
    let secrets = if args.profile.is_default() {
        args.secrets.resolve()?
    } else {
        args.secrets.resolve_for(scheme)?
    };
    // The event header's value, for a body built for another document.
    let mut event_header = None;
    let body = match (&args.body, &args.event_type) {
        (Some(path), _) => args.empty.read(path)?,
        (None, Some(key)) if args.spec.is_some() => {
            let path = args.spec.as_deref().unwrap_or(std::path::Path::new("-"));
            let spec = whereby_webhooks_conformance::read_document(path).map_err(|error| {
                anyhow!(
                    "cannot load --spec {}: {error}",
                    whereby_webhooks_conformance::escape::path(path)
                )
            })?;
            let examples = args
                .examples
                .as_deref()
                .map(document::read_examples)
                .transpose()?;
            let built = document::build(&spec, key, examples.as_ref(), scheme)?;
            eprintln!(
                "sending {}: {}",
                terminal_safe(key),
                built.source.describe()
            );
            let mut event = built.body;
            for assignment in &args.set {
                apply_set(&mut event, assignment)?;
            }
            for pointer in &args.remove {
                remove(&mut event, pointer)?;
            }
            event_header = built.event_header;
            serde_json::to_vec(&event)?
        }
        (None, None) => {
            let known: Vec<String> = EventType::ALL.iter().map(ToString::to_string).collect();
            bail!(
                "say what to send: an event type to send its example ({}), or --body FILE to send a file byte for byte",
                known.join(", ")
            );
        }
        (None, Some(event_type)) => {
            let mut event = example(event_type, args.example.as_deref())?;
            if !args.keep_id {
                refresh(&mut event)?;
            }
            for assignment in &args.set {
                apply_set(&mut event, assignment)?;
            }
            for pointer in &args.remove {
                remove(&mut event, pointer)?;
            }
            serde_json::to_vec(&event)?
        }
    };
    let headers = parse_headers(&args.headers)?;
    let timestamp = args.timestamp.unwrap_or_else(now_unix);
    let signed = if args.profile.is_default() {
        vec![(HEADER_NAME, sign(&secrets[0], timestamp, &body))]
    } else {
        let value = serde_json::from_slice::<Value>(&body).ok();
        let field = |name: &str| {
            value
                .as_ref()
                .and_then(|value| value.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let id = match field("id") {
            Some(id) => id,
            None => fresh_id()?,
        };
        let message = Message {
            id: Some(&id),
            timestamp,
            body: &body,
        };
        let mut signed = scheme.sign(&secrets[0], &message);
        let event = event_header
            .clone()
            .or_else(|| field("type"))
            .unwrap_or_else(|| "ping".to_owned());
        scheme.name_delivery(&mut signed, event, id);
        signed
    };

    let target = client::Target::new(&args.url, Duration::from_secs(args.timeout))?;
    // An `Authorization` given with --header wins over the URL's
    // credentials.
    let mut request = if headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
    {
        target.agent.post(&args.url)
    } else {
        target.post(&args.url)
    };
    for (name, value) in with_defaults(headers, signed) {
        // A value taken from the body (an `id`, a `type`) may hold what no
        // header can: refused here, before anything is sent, rather than
        // reported as if the receiver had answered badly.
        if ureq::http::HeaderValue::from_str(&value).is_err() {
            bail!(
                "the {name} header would be `{}`, taken from the body, which a header cannot hold (a line break or another control character): change the body",
                terminal_safe(&value)
            );
        }
        request = request.header(name, value);
    }
    let started = Instant::now();
    let answer = request
        .send(&body[..])
        .and_then(client::read_answer)
        .map_err(|error| {
            anyhow!(
                "cannot send to {}{}: {}: {}",
                client::shown(&args.url),
                target.through(),
                terminal_safe(&error.to_string()),
                client::hint(&error)
            )
        })?;
    let elapsed = started.elapsed();
    let status = StatusCode::from_u16(answer.status).ok();

    let mut stdout = crate::exit::ReaderMayLeave::new(std::io::stdout().lock());
    // A status with no standard reason (599) is written alone.
    let reason = status
        .and_then(|s| s.canonical_reason())
        .map_or(String::new(), |reason| format!(" {reason}"));
    writeln!(
        stdout,
        "{}{reason} in {:.1} ms",
        answer.status,
        elapsed.as_secs_f64() * 1000.0
    )?;
    let text = String::from_utf8_lossy(&answer.body);
    for line in text.trim_end().lines() {
        writeln!(stdout, "  {}", terminal_safe(line))?;
    }
    if answer.cut {
        writeln!(
            stdout,
            "  (the body goes on past its first {} KiB, shown above)",
            client::MAX_ANSWER / 1024
        )?;
    }
    if elapsed > WHEREBY_TIMEOUT {
        eprintln!(
            "warning: the answer took longer than Whereby's 5 s limit: Whereby would have timed out and retried; answer first, work later"
        );
    }
    Ok(if status.is_some_and(|s| s.is_success()) {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

/// The example event of `event_type` named `name` (or the first), as JSON.
fn example(event_type: &str, name: Option<&str>) -> anyhow::Result<Value> {
    let ty: EventType = event_type.parse().map_err(|_| {
        let known: Vec<String> = EventType::ALL.iter().map(ToString::to_string).collect();
        anyhow!(
            "unknown event type `{event_type}`: use one of {}, or send a file with --body",
            known.join(", ")
        )
    })?;
    let examples: Vec<_> = all_examples()
        .into_iter()
        .filter(|example| example.event.event_type() == ty)
        .collect();
    let chosen = match name {
        None => examples.first(),
        Some(name) => examples.iter().find(|example| example.name == name),
    };
    let Some(chosen) = chosen else {
        let names: Vec<&str> = examples.iter().map(|example| example.name).collect();
        bail!(
            "`{event_type}` has no example named `{}`: use one of {}",
            name.unwrap_or_default(),
            names.join(", ")
        );
    };
    Ok(serde_json::to_value(&chosen.event)?)
}

/// Applies one `POINTER=JSON` assignment.
fn apply_set(event: &mut Value, assignment: &str) -> anyhow::Result<()> {
    let Some((pointer, json)) = assignment.split_once('=') else {
        bail!("--set `{assignment}` has no `=`: write POINTER=JSON, as in /data/numClients=3");
    };
    let value: Value = serde_json::from_str(json).with_context(|| {
        format!(
            "--set {pointer}: `{json}` is not JSON: quote strings, as in '{pointer}=\"{json}\"'"
        )
    })?;
    set(event, pointer, value).map_err(|reason| anyhow!("--set {pointer}: {reason}"))
}

/// Sets the value at `pointer`, creating the last key of an object (or
/// appending to an array with `-`); the parent must exist.
fn set(root: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let (parent, last) = split_pointer(pointer)?;
    let Some(parent) = root.pointer_mut(parent) else {
        return Err(format!("`{parent}` does not exist in the example"));
    };
    match parent {
        Value::Object(object) => {
            object.insert(last, value);
            Ok(())
        }
        Value::Array(array) if last == "-" => {
            array.push(value);
            Ok(())
        }
        Value::Array(array) => match last.parse::<usize>().ok().and_then(|i| array.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(format!(
                "`{last}` is not an index of the array (0 to {}, or `-` to append)",
                array.len().saturating_sub(1)
            )),
        },
        _ => Err("its parent is neither an object nor an array".to_owned()),
    }
}

/// Removes the value at `pointer`, which must exist.
fn remove(root: &mut Value, pointer: &str) -> anyhow::Result<()> {
    let missing = || anyhow!("--remove {pointer}: no such field in the example");
    let (parent, last) = split_pointer(pointer).map_err(|reason| anyhow!("--remove {reason}"))?;
    match root.pointer_mut(parent).ok_or_else(missing)? {
        Value::Object(object) => object.shift_remove(&last).map(drop).ok_or_else(missing),
        Value::Array(array) => match last.parse::<usize>() {
            Ok(index) if index < array.len() => {
                array.remove(index);
                Ok(())
            }
            _ => Err(missing()),
        },
        _ => Err(missing()),
    }
}

/// Splits `/a/b~1c` into the parent pointer `/a` and the unescaped last
/// token `b/c`.
fn split_pointer(pointer: &str) -> Result<(&str, String), String> {
    if pointer.is_empty() {
        return Err("the pointer is empty: point at a field, as in /data/displayName".to_owned());
    }
    if !pointer.starts_with('/') {
        return Err(format!(
            "`{pointer}` is not a JSON Pointer: start it with `/`, as in /{pointer}"
        ));
    }
    let at = pointer.rfind('/').unwrap_or(0);
    let last = pointer[at + 1..].replace("~1", "/").replace("~0", "~");
    Ok((&pointer[..at], last))
}

/// The default headers, each replaced by a given header of the same name,
/// then the other given headers.
fn with_defaults(
    given: Vec<(String, String)>,
    signed: Vec<(&'static str, String)>,
) -> Vec<(String, String)> {
    let defaults = [("Content-Type", "application/json".to_owned())];
    let mut headers: Vec<(String, String)> = defaults
        .into_iter()
        .chain(signed)
        .filter(|(name, _)| !given.iter().any(|(g, _)| g.eq_ignore_ascii_case(name)))
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    headers.extend(given);
    headers
}

/// Parses `Name: value` headers.
fn parse_headers(headers: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    headers
        .iter()
        .map(|header| {
            let (name, value) = header
                .split_once(':')
                .filter(|(name, _)| !name.trim().is_empty())
                .ok_or_else(|| {
                    anyhow!("--header `{header}` is not `Name: value`: write it as in 'X-Test: 1'")
                })?;
            let (name, value) = (name.trim(), value.trim());
            if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                bail!(
                    "--header `{header}`: `{name}` is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)"
                );
            }
            if hyper::header::HeaderValue::from_str(value).is_err() {
                bail!("--header `{header}`: the value must be printable ASCII (no control characters)");
            }
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn set_replaces_and_adds() {
        let mut value = json!({"data": {"a": 1, "list": [1, 2]}, "k/e~y": 0});
        apply_set(&mut value, "/data/a=\"x\"").expect("replace");
        apply_set(&mut value, "/data/b=null").expect("add");
        apply_set(&mut value, "/data/list/1=true").expect("index");
        apply_set(&mut value, "/data/list/-={}").expect("append");
        apply_set(&mut value, "/k~1e~0y=5").expect("escaped");
        assert_eq!(
            value,
            json!({"data": {"a": "x", "b": null, "list": [1, true, {}]}, "k/e~y": 5})
        );
    }

    #[test]
    fn set_errors_say_what_to_do() {
        let mut value = json!({"data": {"list": []}});
        let message = |result: anyhow::Result<()>| format!("{:#}", result.expect_err("error"));
        assert!(message(apply_set(&mut value, "/data/x=Ada")).contains("quote strings"));
        assert!(message(apply_set(&mut value, "/data/x")).contains("no `=`"));
        assert!(message(apply_set(&mut value, "data/x=1")).contains("start it with `/`"));
        assert!(message(apply_set(&mut value, "/nope/x=1")).contains("does not exist"));
        assert!(message(apply_set(&mut value, "/data/list/3=1")).contains("not an index"));
        assert!(message(apply_set(&mut value, "=1")).contains("pointer is empty"));
    }

    #[test]
    fn remove_fields() {
        let mut value = json!({"data": {"a": 1, "b": 2, "list": [1, 2]}});
        remove(&mut value, "/data/a").expect("field");
        remove(&mut value, "/data/list/0").expect("index");
        assert_eq!(value, json!({"data": {"b": 2, "list": [2]}}));
        assert!(remove(&mut value, "/data/a").is_err());
        assert!(remove(&mut value, "/data/list/5").is_err());
    }

    #[test]
    fn examples_by_type_and_name() {
        let first = example("room.client.joined", None).expect("first");
        assert_eq!(first["type"], "room.client.joined");
        let error = example("room.client.teleported", None).expect_err("unknown");
        assert!(
            error.to_string().contains("room.session.started"),
            "{error}"
        );
        let error = example("room.client.joined", Some("nope")).expect_err("no such name");
        assert!(error.to_string().contains("use one of"), "{error}");
    }

    #[test]
    fn headers_parse() {
        let parsed =
            parse_headers(&["X-A: 1".to_owned(), "x-b:two:three".to_owned()]).expect("headers");
        assert_eq!(
            parsed,
            [
                ("X-A".to_owned(), "1".to_owned()),
                ("x-b".to_owned(), "two:three".to_owned())
            ]
        );
        assert!(parse_headers(&["no colon".to_owned()]).is_err());
        assert!(parse_headers(&[": empty name".to_owned()]).is_err());
    }

    #[test]
    fn given_headers_replace_defaults() {
        let given = vec![("whereby-signature".to_owned(), "t=1,v1=00".to_owned())];
        let headers = with_defaults(given, vec![(HEADER_NAME, "t=2,v1=ff".to_owned())]);
        assert_eq!(
            headers,
            [
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("whereby-signature".to_owned(), "t=1,v1=00".to_owned()),
            ]
        );
    }
}
