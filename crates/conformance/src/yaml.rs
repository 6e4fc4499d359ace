//! Reading a spec's text into a JSON value: YAML within a size budget, and
//! JSON and YAML both refusing a key twice in one object.
//!
//! YAML's aliases (`*name`) repeat the node their anchor (`&name`) marks,
//! wherever they appear: a 2 MB document holding one 2 MB string and a
//! thousand aliases to it stands for 2 GB of JSON, and reading it as a
//! value took 3.9 GB. The YAML parser limits how many aliases it follows,
//! not how much they copy. So the value is built here, counting as it
//! grows both the length it would have written out as JSON and how many
//! values it holds, and reading stops once either passes its budget (see
//! [`Budget::for_text`]): four times the text or four times
//! [`MAX_DOCUMENT_BYTES`](crate::MAX_DOCUMENT_BYTES) of JSON, whichever is
//! larger, and one value per byte of text or two million values, whichever
//! is more. A document without aliases stays well under both: written out
//! as JSON it is at most a few times its YAML, and each of its values takes
//! at least two bytes of text.
//!
//! YAML that JSON cannot hold is refused rather than read as something
//! else: `.nan` and `.inf` (JSON has no such numbers) and merge keys (`<<:
//! *name`, which YAML 1.2 does not define and other tools apply). An
//! integer past 64 bits becomes a float, as in a JSON document.
//!
//! A mapping key becomes the JSON key every reader (js-yaml, PyYAML) makes
//! of it, by the value YAML 1.2's core schema resolves it to, tags
//! (`!!int`, `!!str`, ...) honoured: a string is itself, an integer is
//! written in decimal (`0x1F` is `"31"`, `200` is `"200"`), a boolean
//! `"true"` or `"false"` (`True` too), null `"null"` (`~` and an empty key
//! too). A key the readers would write differently is refused, with where
//! it is: a float (`1.0` is `"1"` to js-yaml and `"1.0"` to PyYAML), `.nan`
//! and `.inf`, an integer past 2^53 (JavaScript rounds it), and a plain key
//! YAML 1.2 reads as text but YAML 1.1 as a number or a boolean (`01`,
//! `1_000`, `1:20`, `yes`, `on`). Quoted, any of these is a string. Apart
//! from the keys and these refusals, the value read is the one
//! `yaml_serde::from_str::<Value>` gives; a test holds the two equal.
//!
//! JSON specs are read by the same visitor ([`read_json`]), without a
//! budget (JSON has no aliases). In both, an object with a key twice is
//! refused: serde_json and `yaml_serde` keep the last value, other parsers
//! the first, so such a spec means different things to different tools.
//! In YAML the keys are compared as the JSON keys they become, so two keys
//! written differently are one when they resolve to the same value: `~`,
//! `null` and `'null'`, `True` and `true`, `0x1F`, `0o37`, `31` and `"31"`.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::SpecError;

/// Reads the document in a file: YAML for `.yaml` and `.yml`, JSON for
/// `.json`, and otherwise JSON when the text starts with `{`.
/// The largest spec document read, in bytes: 160 times the published one.
pub const MAX_DOCUMENT_BYTES: u64 = 16 << 20;

/// How large a YAML document of `text_len` bytes may be once its aliases
/// are expanded, counted as the length of its JSON text.
pub(crate) fn max_expanded(text_len: usize) -> u64 {
    (text_len as u64).max(MAX_DOCUMENT_BYTES).saturating_mul(4)
}

/// How many values a YAML document of `text_len` bytes may hold once its
/// aliases are expanded.
pub(crate) fn max_values(text_len: usize) -> u64 {
    (text_len as u64).max(2_000_000)
}

/// Reads `text` as one YAML document, refusing it with
/// [`SpecError::Expanded`] when its aliases make it larger than
/// [`max_expanded`] or hold more than [`max_values`], and with
/// [`SpecError::YamlNotJson`] when it holds what JSON cannot.
pub(crate) fn read(text: &str) -> Result<Value, SpecError> {
    let mut budget = Budget::for_text(text);
    let read = Seed {
        budget: &mut budget,
    }
    .deserialize(yaml_serde::Deserializer::from_str(text));
    match (read, budget.stopped) {
        (Ok(value), _) => Ok(value),
        // `yaml_serde` places a key twice at its object's start, and says
        // nothing of a place at the start of the document: at the top
        // level (column 1), the line of the second is added, when the
        // mapping is written as a block.
        (Err(error), Some(Stop::Duplicate))
            if error.location().is_none_or(|at| at.column() == 1) =>
        {
            let line = budget
                .twice
                .as_deref()
                .and_then(|key| second_top_level_line(text, key));
            Err(SpecError::DuplicateKey {
                reason: match line {
                    Some(line) => format!("{error}, the second at line {line}"),
                    None => error.to_string(),
                },
            })
        }
        (Err(_), Some(Stop::Expanded)) => Err(SpecError::Expanded {
            max_bytes: max_expanded(text.len()),
            max_values: max_values(text.len()),
        }),
        // `yaml_serde` says nothing of a place at the start of the text.
        (Err(error), Some(Stop::NotJson)) => Err(SpecError::YamlNotJson {
            reason: match error.location() {
                Some(at) if at.line() == 1 && at.column() == 1 => {
                    format!("{error} at line 1 column 1")
                }
                _ => error.to_string(),
            },
        }),
        (Err(error), Some(Stop::Duplicate)) => Err(SpecError::DuplicateKey {
            reason: error.to_string(),
        }),
        (Err(error), None) => Err(SpecError::Yaml(error)),
    }
}

/// The line (from 1) where `key` starts a member of the top-level block
/// mapping of `text` for the second time, written plain, quoted, tagged or
/// as an explicit `? key`, and as any YAML value that is read as that JSON
/// key (`0x1F` for `31`).
fn second_top_level_line(text: &str, key: &str) -> Option<usize> {
    let double = serde_json::Value::from(key).to_string();
    let single = format!("'{}'", key.replace('\'', "''"));
    let starts_member = |line: &str| {
        [key, double.as_str(), single.as_str()].iter().any(|form| {
            line.strip_prefix(form)
                .and_then(|rest| rest.trim_start_matches([' ', '\t']).strip_prefix(':'))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        }) || line
            .strip_prefix("? ")
            .is_some_and(|rest| [key, double.as_str(), single.as_str()].contains(&rest.trim_end()))
            || plain_key(line).is_some_and(|written| json_key(written).as_deref() == Some(key))
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| starts_member(line))
        .nth(1)
        .map(|(at, _)| at + 1)
}

/// The key a line of a top-level block mapping starts, when written plain
/// (tagged or not) or as `? key`.
fn plain_key(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("? ") {
        return Some(rest.trim_end());
    }
    // A line starting with `:` is the value of a `? key` above it.
    if line.starts_with([' ', '\t', '#', '-', ':', '"', '\'', '{', '[', '%', '&', '*']) {
        return None;
    }
    let colon = line
        .match_indices(':')
        .map(|(at, _)| at)
        .find(|&at| line[at + 1..].is_empty() || line[at + 1..].starts_with([' ', '\t']))?;
    Some(line[..colon].trim_end())
}

/// The JSON key `written`, a mapping key on its own, is read as; `None`
/// when it is refused or not one scalar.
fn json_key(written: &str) -> Option<String> {
    Key {
        budget: &mut Budget::unlimited(written),
    }
    .deserialize(yaml_serde::Deserializer::from_str(written))
    .ok()
    .map(|key| key.json)
}

/// The largest integer a key may be: JavaScript's YAML readers hold a
/// number as a double, and write a larger one rounded
/// (9007199254740993 as "9007199254740992").
const MAX_SAFE_INTEGER: i128 = (1 << 53) - 1;

/// A mapping key read: its JSON text, and whether YAML resolved it from
/// something other than a string (so that keys written differently may be
/// one).
struct KeyRead {
    json: String,
    resolved: bool,
}

/// Reads a mapping key as the JSON key every reader writes it as (see the
/// module's documentation), refusing one they write differently.
struct Key<'b, 't> {
    budget: &'b mut Budget<'t>,
}

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = KeyRead;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<KeyRead, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Key<'_, '_> {
    fn resolved<E: de::Error>(json: String) -> Result<KeyRead, E> {
        Ok(KeyRead {
            json,
            resolved: true,
        })
    }

    fn int<E: de::Error>(self, value: impl Into<i128> + fmt::Display + Copy) -> Result<KeyRead, E> {
        if value.into().abs() > MAX_SAFE_INTEGER {
            return Err(self.budget.refuse(&format!(
                "the key {value} is an integer past 2^53, which JavaScript's YAML readers round (as 9007199254740993 to 9007199254740992): quote it"
            )));
        }
        Self::resolved(value.into().to_string())
    }

    fn text<E: de::Error>(json: &str) -> Result<KeyRead, E> {
        Ok(KeyRead {
            json: json.to_owned(),
            resolved: false,
        })
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = KeyRead;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a mapping key JSON can hold")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<KeyRead, E> {
        Self::resolved(value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<KeyRead, E> {
        self.int(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<KeyRead, E> {
        self.int(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<KeyRead, E> {
        self.int(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<KeyRead, E> {
        match i128::try_from(value) {
            Ok(value) => self.int(value),
            Err(_) => Err(self.budget.refuse(&format!(
                "the key {value} is an integer past 2^53, which JavaScript's YAML readers round: quote it"
            ))),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<KeyRead, E> {
        Err(self.budget.refuse(&if value.is_finite() {
            format!(
                "the key {value:?} is a YAML float, which readers write differently as a JSON key (1.0 is \"1\" to js-yaml and \"1.0\" to PyYAML): quote it"
            )
        } else {
            "a key is .nan or .inf, numbers JSON does not have (and readers write differently as a key): quote it".to_owned()
        }))
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<KeyRead, E> {
        if written_plain(self.budget.text, value)
            && let Some(why) = read_otherwise_by_yaml_1_1(value)
        {
            return Err(self.budget.refuse(&format!(
                "the key {value} is text to YAML 1.2 readers (js-yaml), but {why}: quote it"
            )));
        }
        Self::text(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<KeyRead, E> {
        Self::text(value)
    }

    fn visit_none<E: de::Error>(self) -> Result<KeyRead, E> {
        Self::resolved("null".to_owned())
    }

    fn visit_unit<E: de::Error>(self) -> Result<KeyRead, E> {
        self.visit_none()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<KeyRead, D::Error> {
        self.deserialize(deserializer)
    }
}

/// Whether `key`, a slice of the YAML `text` being read, is written there
/// as a plain scalar without a tag: not between quotes, and not after a
/// `!tag` (a tag says what the key is). The YAML reader hands over a plain
/// or quoted key written without escapes as a slice of the text, and any
/// other as a copy, which is never plain.
fn written_plain(text: &str, key: &str) -> bool {
    let Some(at) = (key.as_ptr() as usize).checked_sub(text.as_ptr() as usize) else {
        return false;
    };
    if text.is_empty() || at.saturating_add(key.len()) > text.len() {
        return false;
    }
    let Some(before) = text.get(..at) else {
        return false;
    };
    let before = before.trim_end_matches([' ', '\t']);
    !before.ends_with(['"', '\''])
        && !before
            .rsplit(|c: char| c.is_ascii_whitespace() || matches!(c, '{' | '[' | ','))
            .next()
            .is_some_and(|token| token.starts_with('!'))
}

/// Why a plain key that YAML 1.2 reads as text is read as a number or a
/// boolean by YAML 1.1 readers (PyYAML), or `None` when it is not.
fn read_otherwise_by_yaml_1_1(key: &str) -> Option<&'static str> {
    if matches!(
        key,
        "yes" | "Yes" | "YES" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF"
    ) {
        return Some("YAML 1.1 readers (PyYAML) read it as a boolean");
    }
    let body = key.strip_prefix(['-', '+']).unwrap_or(key);
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            "a number with a leading zero is octal to YAML 1.1 readers (PyYAML) and decimal to other tools",
        );
    }
    let digits = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.'))
    };
    if body.contains('_')
        && body
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'_' | b'.' | b'x' | b'o'))
    {
        return Some("YAML 1.1 readers (PyYAML) read a number written with `_` as a number");
    }
    if body.contains(':') && body.split(':').all(digits) {
        return Some("YAML 1.1 readers (PyYAML) read it as a base-60 number");
    }
    None
}

/// Reads `text` as one JSON document, as `serde_json::from_str::<Value>`
/// does, except that an object with a key twice is refused with
/// [`SpecError::DuplicateKey`] (serde_json keeps the last value; other
/// parsers keep the first).
pub(crate) fn read_json(text: &str) -> Result<Value, SpecError> {
    let mut budget = Budget::unlimited("");
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let read = Seed {
        budget: &mut budget,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (read, budget.stopped) {
        (Ok(value), _) => Ok(value),
        (Err(error), Some(Stop::Duplicate)) => Err(SpecError::DuplicateKey {
            reason: error.to_string(),
        }),
        (Err(error), _) => Err(SpecError::Json(error)),
    }
}

/// Why reading stopped, when the YAML itself was fine.
#[derive(Clone, Copy)]
enum Stop {
    /// A budget ran out.
    Expanded,
    /// The document holds what JSON cannot.
    NotJson,
    /// An object has a key twice.
    Duplicate,
}

/// What is left of the budgets, and why reading stopped, if it did.
struct Budget<'t> {
    bytes: u64,
    values: u64,
    stopped: Option<Stop>,
    /// The key found twice, once [`Stop::Duplicate`].
    twice: Option<String>,
    /// The YAML text being read, to tell how a key is written there (see
    /// [`written_plain`]); empty for JSON.
    text: &'t str,
}

impl<'t> Budget<'t> {
    /// The budgets of the YAML document `text`.
    fn for_text(text: &'t str) -> Budget<'t> {
        Budget {
            bytes: max_expanded(text.len()),
            values: max_values(text.len()),
            stopped: None,
            twice: None,
            text,
        }
    }

    /// No budget: JSON has no aliases, so its text bounds its value; nor
    /// does a YAML key read on its own.
    fn unlimited(text: &'t str) -> Budget<'t> {
        Budget {
            bytes: u64::MAX,
            values: u64::MAX,
            stopped: None,
            twice: None,
            text,
        }
    }

    /// Takes one value of `cost` bytes from the budgets, or fails when
    /// either is spent.
    fn spend<E: de::Error>(&mut self, cost: usize) -> Result<(), E> {
        match (
            self.bytes.checked_sub(cost as u64),
            self.values.checked_sub(1),
        ) {
            (Some(bytes), Some(values)) => {
                self.bytes = bytes;
                self.values = values;
                Ok(())
            }
            _ => {
                self.stopped = Some(Stop::Expanded);
                Err(E::custom(
                    "the document is too large once its aliases are expanded",
                ))
            }
        }
    }

    /// Takes `cost` bytes of the JSON text around values (a comma, the
    /// quotes of a key).
    fn spend_bytes<E: de::Error>(&mut self, cost: usize) -> Result<(), E> {
        self.values = self.values.saturating_add(1);
        self.spend(cost)
    }

    /// Stops reading: the document holds what JSON cannot.
    fn refuse<E: de::Error>(&mut self, why: &str) -> E {
        self.stopped = Some(Stop::NotJson);
        E::custom(why)
    }

    /// Stops reading: an object has `key` twice, written differently in
    /// YAML when `resolved`.
    fn duplicate<E: de::Error>(&mut self, key: &str, resolved: bool) -> E {
        self.stopped = Some(Stop::Duplicate);
        self.twice = Some(key.to_owned());
        E::custom(format_args!(
            "the key {} appears twice in one object{}",
            serde_json::Value::from(key),
            if resolved {
                ", written differently (YAML reads 0x1F and 31, ~ and null, True and true as one key)"
            } else {
                ""
            }
        ))
    }
}

/// Reads one value, spending its JSON length from the budget.
struct Seed<'b, 't> {
    budget: &'b mut Budget<'t>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The length of `n` written in decimal, sign included.
fn digits(n: i128) -> usize {
    let sign = usize::from(n < 0);
    let mut n = n.unsigned_abs();
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    sign + digits
}

/// What a float counts for: short of the longest (24 bytes), so that a
/// document without aliases, whose floats may take two or three bytes of
/// text each (`.5,`), never counts more than three times its text.
const FLOAT_LEN: usize = 8;

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any value JSON can hold")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        self.budget.spend(5)?;
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        self.budget.spend(digits(value.into()))?;
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.budget.spend(digits(value.into()))?;
        Ok(Value::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        match (i64::try_from(value), u64::try_from(value)) {
            (Ok(small), _) => self.visit_i64(small),
            (_, Ok(small)) => self.visit_u64(small),
            // Past 64 bits, a float, as serde_json reads such a number.
            #[expect(clippy::cast_precision_loss, reason = "as a JSON document's number")]
            _ => self.visit_f64(value as f64),
        }
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        match u64::try_from(value) {
            Ok(small) => self.visit_u64(small),
            #[expect(clippy::cast_precision_loss, reason = "as a JSON document's number")]
            Err(_) => self.visit_f64(value as f64),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        self.budget.spend(FLOAT_LEN)?;
        match Number::from_f64(value) {
            Some(number) => Ok(Value::Number(number)),
            None => Err(self.budget.refuse(
                "it holds .nan, .inf or -.inf, numbers JSON does not have: write a JSON number",
            )),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        // Counted before it is copied.
        self.budget.spend(value.len().saturating_add(2))?;
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        self.budget.spend(value.len().saturating_add(2))?;
        Ok(Value::String(value))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.budget.spend(4)?;
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.visit_none()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.budget.spend(2)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Seed {
            budget: &mut *self.budget,
        })? {
            // The comma.
            self.budget.spend_bytes(1)?;
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.budget.spend(2)?;
        let mut members = Map::new();
        // The keys YAML resolved from another value than a string.
        let mut resolved = std::collections::HashSet::new();
        while let Some(KeyRead {
            json: key,
            resolved: from_value,
        }) = map.next_key_seed(Key {
            budget: &mut *self.budget,
        })? {
            if key == "<<" {
                return Err(self.budget.refuse(
                    "it has a merge key (<<), which this reader does not apply: write the keys out, or combine schemas with allOf",
                ));
            }
            // Its quotes, the colon and the comma.
            self.budget.spend_bytes(key.len().saturating_add(4))?;
            let value = map.next_value_seed(Seed {
                budget: &mut *self.budget,
            })?;
            if members.contains_key(&key) {
                let resolved = from_value || resolved.contains(&key);
                return Err(self.budget.duplicate(&key, resolved));
            }
            if from_value {
                resolved.insert(key.clone());
            }
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the budget in play, the value read is `yaml_serde`'s.
    #[test]
    fn reads_what_yaml_serde_reads() {
        let texts = [
            crate::EMBEDDED_SPEC_YAML,
            "a: &x {b: [1, -2, 3.5, 1e300, null, ~, true, 'q', \"<<\"]}\nc: *x\nd: *x\n",
            "big: 18446744073709551615\nsmall: -9223372036854775808\n1: one\ntrue: yes\n",
            "plain text",
            "",
        ];
        for text in texts {
            let expected = yaml_serde::from_str::<Value>(text).map_err(|error| error.to_string());
            let read = read(text).map_err(|error| match error {
                SpecError::Yaml(error) => error.to_string(),
                other => panic!("{other}"),
            });
            assert_eq!(read, expected, "{text}");
        }
    }

    /// What `yaml_serde` refuses is refused, with its error.
    #[test]
    fn refuses_what_yaml_serde_refuses() {
        for text in ["a: [1, 2", "a: *nowhere", "--- 1\n--- 2\n", "!tag 1"] {
            assert!(yaml_serde::from_str::<Value>(text).is_err(), "{text}");
            assert!(matches!(read(text), Err(SpecError::Yaml(_))), "{text}");
        }
    }

    /// Integers past 64 bits are floats, as serde_json reads them in a
    /// JSON document (`yaml_serde` refuses those up to 128 bits).
    #[test]
    fn integers_past_64_bits_are_floats() {
        for digits in [
            "18446744073709551616",
            "340282366920938463463374607431768211455",
            "-170141183460469231731687303715884105728",
            "-9223372036854775809",
        ] {
            let from_json: Value = serde_json::from_str(digits).expect("JSON");
            assert!(from_json.is_f64(), "{digits}");
            assert_eq!(
                read(&format!("- {digits}")).ok(),
                Some(Value::from(vec![from_json]))
            );
        }
    }

    /// What JSON cannot hold is refused, with where it is, rather than read
    /// as something else: `.nan` was read as `null`, and a merge key as a
    /// key named `<<` (so `required` in the merged mapping was lost).
    #[test]
    fn what_json_cannot_hold_is_refused() {
        for (text, what) in [
            ("const: .nan\n", ".nan"),
            ("a:\n  b: -.inf\n", ".nan"),
            (
                "base: &b {required: [x]}\nschema:\n  <<: *b\n  type: object\n",
                "merge key",
            ),
        ] {
            match read(text) {
                Err(error @ SpecError::YamlNotJson { .. }) => {
                    let message = error.to_string();
                    assert!(
                        message.contains(what) && message.contains("line"),
                        "{message}"
                    );
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    /// One 1 MiB string and 100 aliases to it: 100 MiB written out, past
    /// the 64 MiB a short document may expand to.
    #[test]
    fn aliases_may_not_expand_a_document_past_the_budget() {
        let big = "x".repeat(1 << 20);
        let mut text = format!("a: &big {big}\nlist:\n");
        for _ in 0..100 {
            text.push_str("- *big\n");
        }
        assert!(max_expanded(text.len()) < 100 << 20);
        match read(&text) {
            Err(SpecError::Expanded { max_bytes, .. }) => assert_eq!(max_bytes, 64 << 20),
            other => panic!("{:?}", other.map(|_| "a value")),
        }
        // Forty aliases fit.
        let fits = text.lines().take(42).collect::<Vec<_>>().join("\n");
        let value = read(&fits).expect("within the budget");
        assert_eq!(value["list"].as_array().map(Vec::len), Some(40));
    }

    /// Small values cost memory too (a value takes 32 bytes or more, where
    /// `0,` is two bytes of JSON): a 300 KB list of 100,000 zeros aliased
    /// a hundred times took 1.4 GB. At most two million values, or one per
    /// byte of a larger text, are read.
    #[test]
    #[ignore = "slow"]
    fn aliases_may_not_multiply_the_values_past_the_budget() {
        let zeros = vec!["0"; 100_000].join(", ");
        let mut text = format!("a: &zeros [{zeros}]\nlist:\n");
        for _ in 0..20 {
            text.push_str("- *zeros\n");
        }
        assert_eq!(max_values(text.len()), 2_000_000);
        assert!(matches!(
            read(&text),
            Err(SpecError::Expanded {
                max_values: 2_000_000,
                ..
            })
        ));
        let fits = text.lines().take(20).collect::<Vec<_>>().join("\n");
        let value = read(&fits).expect("within the budget");
        assert_eq!(value["list"].as_array().map(Vec::len), Some(18));
    }

    /// Keys are part of what an alias repeats: one key of 1 MiB in a map
    /// aliased 100 times is 100 MiB written out, in only 200 values.
    #[test]
    fn long_keys_count_against_the_budget() {
        let key = "k".repeat(1 << 20);
        // An explicit key (`? `): a plain one may not pass 1024 characters.
        let mut text = format!("a: &big\n  ? {key}\n  : 1\nlist:\n");
        for _ in 0..100 {
            text.push_str("- *big\n");
        }
        assert!(matches!(
            read(&text),
            Err(SpecError::Expanded {
                max_bytes: 67_108_864,
                ..
            })
        ));
    }

    /// Integers handed over as 128 bits read as the same number when they
    /// fit in 64 bits, signed or not; owned strings are read too (neither
    /// reader hands over either today).
    #[test]
    fn integers_of_128_bits_and_owned_strings_are_read() {
        use serde::de::IntoDeserializer as _;
        for (n, expected) in [
            (-5i128, serde_json::json!(-5)),
            (7, serde_json::json!(7)),
            (i128::from(u64::MAX), serde_json::json!(u64::MAX)),
        ] {
            let read: Result<Value, serde::de::value::Error> = visited(n.into_deserializer());
            assert_eq!(read.expect("a number"), expected, "{n}");
        }
        // An owned string, as a `Value` hands it over, is kept.
        for value in [serde_json::json!("text"), Value::Null] {
            assert_eq!(visited(value.clone()).expect("a value"), value);
        }
    }

    /// What the visitor makes of what `deserializer` hands it.
    fn visited<'de, D: de::Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        let mut budget = Budget::unlimited("");
        Seed {
            budget: &mut budget,
        }
        .deserialize(deserializer)
    }

    /// Aliases of aliases multiply: ten of ten of a 1 MiB string is
    /// 100 MiB, from a document of 1 MiB and a few lines.
    #[test]
    fn aliases_of_aliases_stop_at_the_budget() {
        let big = "x".repeat(1 << 20);
        let tens = |name: &str| vec![format!("*{name}"); 10].join(", ");
        let text = format!(
            "l0: &l0 {big}\nl1: &l1 [{}]\nl2: [{}]\n",
            tens("l0"),
            tens("l1")
        );
        assert!(matches!(read(&text), Err(SpecError::Expanded { .. })));
    }

    /// A JSON spec reads as serde_json reads it, trailing text and all.
    #[test]
    fn reads_json_as_serde_json_does() {
        let texts = [
            crate::EMBEDDED_SPEC,
            r#"{"a": [1, -0.0, 1e300, 18446744073709551616, "\u00e9\n", null, true, {}]}"#,
            "{} x",
            "{\"a\": ",
            "[1, 2,]",
            "",
        ];
        for text in texts {
            let expected = serde_json::from_str::<Value>(text).map_err(|error| error.to_string());
            let read = read_json(text).map_err(|error| match error {
                SpecError::Json(error) => error.to_string(),
                other => panic!("{other}"),
            });
            assert_eq!(read, expected, "{text}");
        }
    }

    /// A key twice at the top level is refused with the line of the
    /// second, however the key is written; `yaml_serde` gives no place.
    #[test]
    fn a_key_twice_at_the_top_level_names_its_line() {
        for (text, line) in [
            (
                "openapi: 3.1.0\ninfo:\n  title: x\nopenapi: 3.1.0\n",
                Some(4),
            ),
            ("a: 1\n\"a\": 2\n", Some(2)),
            ("'a': 1\nb: 2\n? a\n: 3\n", Some(3)),
            ("a : 1\nab: 2\na:\n  x: 1\n", Some(3)),
            ("# a comment\n---\nb: 1\nb: 2\n", Some(4)),
            // Flow style: no line is guessed.
            ("{a: 1, a: 2}", None),
            // Twice inside a member: placed by `yaml_serde`, not looked
            // for at the top level (where the key is twice too).
            ("type: 0\nx:\n  type: 1\n  type: 2\ntype: 3\n", None),
        ] {
            match read(text) {
                Err(SpecError::DuplicateKey { reason }) => match line {
                    Some(line) => assert!(
                        reason.ends_with(&format!("the second at line {line}")),
                        "{text:?}: {reason}"
                    ),
                    None => assert!(!reason.contains("the second"), "{text:?}: {reason}"),
                },
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    /// A key twice in one object is refused, with the key and where it is,
    /// in JSON and in YAML: serde_json and `yaml_serde` kept the last
    /// value, and other parsers keep the first, so the spec meant two
    /// things.
    #[test]
    fn a_key_twice_is_refused() {
        let json = r#"{"components": {"schemas": {"A": {"type": "string", "type": "integer"}}}}"#;
        let yaml = "components:\n  schemas:\n    A:\n      type: string\n      type: integer\n";
        for read in [read_json(json), read(yaml)] {
            match read {
                Err(error @ SpecError::DuplicateKey { .. }) => {
                    let message = error.to_string();
                    assert!(
                        message.contains("\"type\" appears twice") && message.contains("line"),
                        "{message}"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// YAML compares keys by the value they resolve to, not as written:
    /// `~` and `null`, `True` and `true`, `0x1F` and `31`, `0o17` and `15`
    /// are one key each. They passed as two, where js-yaml refuses the
    /// document; they are refused now, with the key and where it is. Keys
    /// that only look alike (`"0x1F"` is a string) are still two keys.
    #[test]
    fn keys_equal_once_resolved_are_refused() {
        for (text, key, placed) in [
            ("~: 1\nnull: 2\n", "null", "the second at line 2"),
            (
                "a: 0\nTrue: 1\nb: 2\ntrue: 2\n",
                "true",
                "the second at line 4",
            ),
            ("0x1F: 1\n31: 2\n", "31", "the second at line 2"),
            ("0o17: 1\n+15: 2\n", "15", "the second at line 2"),
            ("? ~\n: 1\nNULL: 2\n", "null", "the second at line 3"),
            // Inside, `yaml_serde` places the object.
            (
                "x:\n  y:\n    FALSE: 1\n    false: 2\n",
                "false",
                "x.y: the key",
            ),
            ("x: {Null: 1, ~: 2}\n", "null", "x: the key"),
        ] {
            match read(text) {
                Err(SpecError::DuplicateKey { reason }) => {
                    assert!(
                        reason.contains(&format!(
                            "the key \"{key}\" appears twice in one object, written differently"
                        )),
                        "{text:?}: {reason}"
                    );
                    assert!(
                        reason.contains(placed) && reason.contains("line"),
                        "{text:?}: {reason}"
                    );
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        for (text, expected) in [
            (
                "\"0x1F\": 1\n30: 2\n",
                serde_json::json!({"0x1F": 1, "30": 2}),
            ),
            (
                "a:\n  ~: 1\nb:\n  null: 2\n",
                serde_json::json!({"a": {"null": 1}, "b": {"null": 2}}),
            ),
            (
                "1: 1\n2: 2\n'3': 3\ntrue: 4\nfalse: 5\nnulls: 6\n",
                serde_json::json!({"1": 1, "2": 2, "3": 3, "true": 4, "false": 5, "nulls": 6}),
            ),
        ] {
            assert_eq!(read(text).ok(), Some(expected), "{text:?}");
        }
    }

    /// Each key becomes the JSON key its YAML value is written as, the
    /// same for every reader: an integer in decimal (`0x1F` is `"31"`, as
    /// js-yaml and PyYAML read it; it was kept as `"0x1F"`), null as
    /// `"null"`, a boolean as `"true"` or `"false"`, and tags are honoured.
    /// Keys the readers write differently are refused with where they are:
    /// floats (`1.0` is `"1"` to js-yaml, `"1.0"` to PyYAML), `.nan` and
    /// `.inf`, integers JavaScript rounds, and plain keys YAML 1.1 reads as
    /// numbers or booleans and YAML 1.2 as text (`01`, `1_000`, `yes`).
    /// Duplicates are found on the JSON key: `!!null ''` and `null`, or
    /// `0x1F` and `"31"`, passed as two keys.
    #[test]
    fn keys_are_read_as_one_json_key_for_every_reader() {
        for (text, expected) in [
            ("200: ok\n", serde_json::json!({"200": "ok"})),
            (
                "0x1F: a\n+7: b\n0b11: c\n",
                serde_json::json!({"31": "a", "7": "b", "3": "c"}),
            ),
            (
                "~: a\nTrue: b\nFALSE: c\n",
                serde_json::json!({"null": "a", "true": "b", "false": "c"}),
            ),
            (
                "-9007199254740991: a\n",
                serde_json::json!({"-9007199254740991": "a"}),
            ),
            (
                "'01': a\n\"yes\": b\n!!str 1_000: c\n'1.0': d\n",
                serde_json::json!({"01": "a", "yes": "b", "1_000": "c", "1.0": "d"}),
            ),
            (
                "!!int '0x10': a\n!!bool 'true': b\n",
                serde_json::json!({"16": "a", "true": "b"}),
            ),
            (
                "x: {0x1F: a, y: {~: b}}\n",
                serde_json::json!({"x": {"31": "a", "y": {"null": "b"}}}),
            ),
        ] {
            assert_eq!(read(text).ok(), Some(expected), "{text:?}");
        }
        for (text, line) in [
            ("0x1F: 1\n\"31\": 2\n", 2),
            ("'null': 1\n~: 2\n", 2),
            ("!!str 31: 1\n31: 2\n", 2),
            ("!!int '31': 1\n0x1F: 2\n", 2),
            ("!!bool 'true': 1\nTrue: 2\n", 2),
        ] {
            match read(text) {
                Err(SpecError::DuplicateKey { reason }) => assert!(
                    reason.contains("appears twice")
                        && reason.ends_with(&format!("the second at line {line}")),
                    "{text:?}: {reason}"
                ),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        // `!!null` on an empty quoted key is refused: the YAML reader
        // takes only `~`, `null`, `Null` and `NULL` for it.
        assert!(read("!!null \"\": 1\n~: 2\n").is_err());
        assert!(read("!!null '': 1\nnull: 2\n").is_err());
        for (text, what, line) in [
            ("1.0: 1\n'1': 2\n", "float", 1),
            ("a: 1\n1.5: 2\n", "float", 2),
            (".nan: 1\n", ".nan", 1),
            ("a:\n  .inf: 1\n", ".inf", 2),
            ("x:\n  -.Inf: 1\n", ".inf", 2),
            ("01: 1\n1: 2\n", "leading zero", 1),
            ("a: 0\n017: 1\n", "leading zero", 2),
            ("1_000: 1\n", "1_000", 1),
            ("1:20: 1\n", "1:20", 1),
            ("on: 1\n", "YAML 1.1", 1),
            ("x: {No: 1}\n", "YAML 1.1", 1),
            ("9007199254740993: 1\n", "2^53", 1),
            ("-9007199254740992: 1\n", "2^53", 1),
            ("340282366920938463463374607431768211455: 1\n", "2^53", 1),
        ] {
            match read(text) {
                Err(error @ SpecError::YamlNotJson { .. }) => {
                    let message = error.to_string();
                    assert!(
                        message.contains(what)
                            && message.contains(&format!("line {line}"))
                            && message.contains("quote it"),
                        "{text:?}: {message}"
                    );
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn digits_are_counted_with_the_sign() {
        for n in [
            0i128,
            9,
            10,
            -1,
            -10,
            99_999,
            i128::from(i64::MIN),
            i128::MAX,
            i128::MIN,
        ] {
            assert_eq!(digits(n), n.to_string().len(), "{n}");
        }
    }
}
