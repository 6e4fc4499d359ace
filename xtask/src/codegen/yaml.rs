//! A YAML writer for JSON values whose output reads back as the same JSON
//! under YAML 1.2 *and* YAML 1.1 readers.
//!
//! YAML 1.1 readers (PyYAML's `safe_load`, older js-yaml, many Java tools) type
//! more plain scalars than YAML 1.2 does: `2021-01-21T16:29:59Z` becomes a
//! timestamp, `yes`/`no`/`on`/`off` booleans, `1_000` or `0o17` or `190:20`
//! numbers, `~` null. So a string is written plain only when it starts with a
//! letter, `/`, `_` or `$`, holds only letters, digits, spaces and `_./$-`,
//! and is none of the boolean or null words of either version; every other
//! string is quoted. Numbers are written in the one form both versions read as
//! a number (a float's exponent has a `.` before it and a sign).

use serde_json::{Map, Number, Value};

/// The YAML text of `value`, ending with a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar, 0));
            out.push('\n');
        }
    }
    out
}

/// Words some YAML reader types as a boolean or null, compared without case.
const RESERVED_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// Whether `text` can be written as a plain scalar that every YAML reader
/// reads back as this string: it starts with a letter, `/`, `_` or `$` (so no
/// YAML 1.1 number, timestamp or indicator), is no boolean or null word, and
/// holds no `: `, ` #`, final `:`, final space or character that needs escaping.
pub fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || matches!(first, '/' | '_' | '$'))
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && text.chars().all(is_printable)
        && !RESERVED_WORDS
            .iter()
            .any(|word| word.eq_ignore_ascii_case(text))
}

/// Whether `c` may appear unescaped in a YAML document: YAML 1.1 readers
/// refuse C1 controls and read U+0085, U+2028 and U+2029 as line breaks.
fn is_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'..)
}

/// A string as a single-line scalar: plain, single-quoted or double-quoted.
fn quoted(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else if text.chars().all(is_printable) {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        double_quoted(text)
    }
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_printable(c) => out.push(c),
            c if u32::from(c) <= 0xffff => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Whether a multi-line string can be a literal block (`|` or `|-`): every
/// character printable, no line starting with a space (that would need an
/// indentation indicator), at most one final newline.
fn literal_block_header(text: &str) -> Option<&'static str> {
    if !text.contains('\n') {
        return None;
    }
    let (body, header) = match text.strip_suffix('\n') {
        Some(body) => (body, "|"),
        None => (text, "|-"),
    };
    let fits = !body.is_empty()
        && !body.ends_with('\n')
        && body
            .split('\n')
            .all(|line| !line.starts_with(' ') && line.chars().all(is_printable))
        && body.split('\n').next().is_some_and(|line| !line.is_empty());
    fits.then_some(header)
}

fn number(n: &Number) -> String {
    let text = n.to_string();
    if n.is_f64() && text.contains(['e', 'E']) {
        let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((&text, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_owned()
        } else {
            format!("{mantissa}.0")
        };
        let exponent = if exponent.starts_with(['-', '+']) {
            exponent.to_owned()
        } else {
            format!("+{exponent}")
        };
        format!("{mantissa}e{exponent}")
    } else {
        text
    }
}

/// A value written after `key: ` or `- `; `indent` is the indentation of the
/// lines of a literal block.
fn inline(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => match literal_block_header(s) {
            Some(header) => {
                let pad = " ".repeat(indent);
                let mut out = header.to_owned();
                for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                    out.push('\n');
                    if !line.is_empty() {
                        out.push_str(&pad);
                        out.push_str(line);
                    }
                }
                out
            }
            None => quoted(s),
        },
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    let pad = " ".repeat(indent);
    for (key, value) in map {
        out.push_str(&pad);
        out.push_str(&quoted(key));
        out.push(':');
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                write_map(out, inner, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, indent);
            }
            scalar => {
                out.push(' ');
                out.push_str(&inline(scalar, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    let pad = " ".repeat(indent);
    for item in items {
        if is_block(item) {
            // Render the item two columns in, then put the dash on its first line.
            let mut inner = String::new();
            match item {
                Value::Object(map) => write_map(&mut inner, map, indent + 2),
                Value::Array(items) => write_seq(&mut inner, items, indent + 2),
                _ => unreachable!("is_block holds only for arrays and objects"),
            }
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(&inner[indent + 2..]);
        } else {
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(&inline(item, indent + 2));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The implicit resolvers of PyYAML (YAML 1.1), plus the 1.1 spec's
    /// one-letter booleans: a plain scalar matching one is not read as a string.
    fn yaml11_types(plain: &str) -> Option<&'static str> {
        let resolvers = [
            (
                "bool",
                r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|y|Y|n|N)$",
            ),
            (
                "float",
                r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            ),
            (
                "int",
                r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
            ),
            ("merge", r"^<<$"),
            ("null", r"^(?:~|null|Null|NULL|)$"),
            (
                "timestamp",
                r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
            ),
            ("value", r"^=$"),
        ];
        static COMPILED: std::sync::OnceLock<Vec<(&'static str, regex::Regex)>> =
            std::sync::OnceLock::new();
        COMPILED
            .get_or_init(|| {
                resolvers
                    .into_iter()
                    .map(|(name, pattern)| {
                        (
                            name,
                            regex::Regex::new(pattern).expect("resolver patterns compile"),
                        )
                    })
                    .collect()
            })
            .iter()
            .find_map(|(name, regex)| regex.is_match(plain).then_some(*name))
    }

    const TROUBLE: &[&str] = &[
        "2021-01-21T16:29:59.681Z",
        "2021-01-21",
        "2021-1-2 3:04:05",
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "N",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "",
        "1.0",
        "1_000",
        "0x1F",
        "0b101",
        "017",
        "190:20:30",
        "190:20:30.15",
        "1e3",
        "6.8523015e+5",
        ".5",
        ".inf",
        "-.INF",
        ".NaN",
        "+1",
        "-1",
        "<<",
        "=",
        " leading",
        "trailing ",
        "key: value",
        "# comment",
        "- item",
        "[flow]",
        "{flow}",
        "&anchor",
        "*alias",
        "!tag",
        "|",
        ">",
        "'quoted'",
        "\"quoted\"",
        "%directive",
        "@reserved",
        "`reserved",
        "a\u{2028}b",
        "a\u{85}b",
        "tab\there",
    ];

    #[test]
    fn no_plain_scalar_is_typed_by_a_yaml_1_1_reader() {
        for text in TROUBLE {
            let written = quoted(text);
            assert!(
                written.starts_with(['\'', '"']),
                "{text:?} must be quoted, was written as {written}"
            );
        }
        for text in [
            "room.client.joined",
            "application/json",
            "$ref",
            "x-since",
            "Ada Lovelace",
        ] {
            assert_eq!(quoted(text), text, "{text} needs no quotes");
            assert_eq!(yaml11_types(text), None);
        }
    }

    #[test]
    fn the_resolver_table_itself_catches_the_trouble_cases() {
        // If this fails, the test above checks nothing for that case.
        for text in [
            "2021-01-21T16:29:59.681Z",
            "2021-01-21",
            "yes",
            "off",
            "~",
            "1_000",
            "0x1F",
            "190:20:30",
            ".inf",
            "<<",
            "=",
        ] {
            assert!(
                yaml11_types(text).is_some(),
                "{text} should be typed by YAML 1.1"
            );
        }
    }

    fn plain_scalars(yaml: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut in_block = None::<usize>;
        for line in yaml.lines() {
            let indent = line.len() - line.trim_start().len();
            if let Some(block_indent) = in_block {
                if line.is_empty() || indent > block_indent {
                    continue;
                }
                in_block = None;
            }
            let mut rest = line.trim_start();
            if rest.starts_with('#') {
                continue;
            }
            while let Some(after) = rest.strip_prefix("- ") {
                rest = after;
            }
            let (key, value) = match rest.split_once(": ") {
                Some((k, v)) if !k.starts_with(['\'', '"']) || k.ends_with(['\'', '"']) => {
                    (Some(k), v)
                }
                _ => match rest.strip_suffix(':') {
                    Some(k) => (Some(k), ""),
                    None => (None, rest),
                },
            };
            out.extend(key.map(str::to_owned));
            if value.starts_with('|') {
                in_block = Some(indent);
            } else if !value.is_empty() {
                out.push(value.to_owned());
            }
        }
        out
    }

    #[test]
    fn published_yaml_has_only_plain_strings_that_yaml_1_1_reads_as_strings() {
        let files = crate::codegen::files().expect("generation succeeds");
        let mut checked = 0;
        for (path, text) in files
            .iter()
            .filter(|(p, _)| p.ends_with(".yaml") || p.ends_with(".yml"))
        {
            for scalar in plain_scalars(text) {
                if scalar.starts_with(['\'', '"']) || matches!(scalar.as_str(), "{}" | "[]") {
                    continue;
                }
                let typed = yaml11_types(&scalar);
                // Numbers and booleans are meant to be typed; check they are not strings in the JSON.
                if typed.is_some() {
                    let parsed: Result<Value, _> = serde_json::from_str(&scalar);
                    assert!(
                        parsed.as_ref().is_ok_and(|v| !v.is_string()),
                        "{path}: plain scalar {scalar:?} is read as a {} by YAML 1.1 readers",
                        typed.unwrap_or_default()
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} scalars checked");
    }

    #[test]
    fn reads_back_as_the_same_json() {
        let value = json!({
            "createdAt": "2021-01-21T16:29:59.681Z",
            "answers": ["yes", "no", "on", "off", "y", "~", "null", null, true, 1, 2.5, 1e300, -3e-7],
            "nested": [[1, [2]], {"a": {"b": []}, "c": {}}, [{"d": "e", "f": ["g"]}]],
            "multi": "first line\n\nsecond: line # not a comment\n",
            "multi_strip": "a\nb",
            "indented": "a\n  b",
            "odd": "\u{2028} \t \u{1} \u{7f} é 😀",
            "2XX": {"$ref": "#/components/x"},
            "": "empty key",
        });
        let yaml = to_string(&value);
        let back: Value = yaml_serde::from_str(&yaml).expect("valid YAML");
        assert_eq!(back, value, "\n{yaml}");
        let files = crate::codegen::files().expect("generation succeeds");
        let mut compared = 0;
        for (path, text) in &files {
            let Some(stem) = path.strip_suffix(".yaml") else {
                continue;
            };
            let json_path = format!("{stem}.json");
            let (_, json) = files
                .iter()
                .find(|(p, _)| *p == json_path)
                .expect("each YAML document has a JSON twin");
            let from_yaml: Value = yaml_serde::from_str(text).unwrap();
            let from_json: Value = serde_json::from_str(json).unwrap();
            assert_eq!(from_yaml, from_json, "{path} differs from {json_path}");
            compared += 1;
        }
        assert_eq!(
            compared, 4,
            "the three OpenAPI documents and the conformance crate's copy of one"
        );
    }

    #[test]
    fn floats_keep_a_form_both_versions_read_as_numbers() {
        assert_eq!(number(&Number::from_f64(1e300).unwrap()), "1.0e+300");
        assert_eq!(number(&Number::from_f64(-3e-7).unwrap()), "-3.0e-7");
        assert_eq!(number(&Number::from_f64(2.5).unwrap()), "2.5");
        assert_eq!(yaml11_types("1.0e+300"), Some("float"));
        assert_eq!(yaml11_types("-3.0e-7"), Some("float"));
    }
}
