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
//! integer past 64 bits becomes a float, as in a JSON document. Apart from
//! these, the value read is the one `yaml_serde::from_str::<Value>` gives;
//! a test holds the two equal.
//!
//! JSON specs are read by the same visitor ([`read_json`]), without a
//! budget (JSON has no aliases). In both, an object with a key twice is
//! refused: serde_json and `yaml_serde` keep the last value, other parsers
//! the first, so such a spec means different things to different tools.
//!
//! In YAML, a key is twice in a mapping when two keys are written the same
//! (`a` and `"a"` are one string), and also when two keys written
//! differently resolve to the same value: `~`, `null` and an empty key are
//! all null; `True` and `true` one boolean; `0x1F`, `0o37` and `31` one
//! integer; `1.0` and `1` one number; `.inf` and `.Inf` one float. The
//! value read keeps each key as written (`yaml_serde` reads it so), so the
//! keys are resolved in a second pass over the document ([`twice_by_value`]),
//! by the same resolver `yaml_serde` applies to plain scalars (YAML 1.2's
//! core schema). js-yaml refuses such a document; other tools keep one
//! value or the other.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::document::MAX_DOCUMENT_BYTES;
use crate::error::SpecError;

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
    let mut budget = Budget::for_text(text.len());
    let read = Seed {
        budget: &mut budget,
    }
    .deserialize(yaml_serde::Deserializer::from_str(text));
    match (read, budget.stopped) {
        (Ok(value), _) => match twice_by_value(text) {
            None => Ok(value),
            Some((error, key)) => Err(SpecError::DuplicateKey {
                reason: with_line(&error, || {
                    second_top_level_line_where(text, |written| {
                        resolve_key(written).as_ref() == Some(&key)
                    })
                }),
            }),
        },
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
        (Err(error), Some(Stop::NotJson)) => Err(SpecError::YamlNotJson {
            reason: error.to_string(),
        }),
        (Err(error), Some(Stop::Duplicate)) => Err(SpecError::DuplicateKey {
            reason: error.to_string(),
        }),
        (Err(error), None) => Err(SpecError::Yaml(error)),
    }
}

/// The line (from 1) where `key` starts a member of the top-level block
/// mapping of `text` for the second time, written plain, quoted or as an
/// explicit `? key`.
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
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| starts_member(line))
        .nth(1)
        .map(|(at, _)| at + 1)
}

/// The error's text, with the line of the second key added when
/// `yaml_serde` placed it at the top level (see [`read`]) and `line` finds
/// it.
fn with_line(error: &yaml_serde::Error, line: impl FnOnce() -> Option<usize>) -> String {
    match error
        .location()
        .is_none_or(|at| at.column() == 1)
        .then(line)
    {
        Some(Some(line)) => format!("{error}, the second at line {line}"),
        _ => error.to_string(),
    }
}

/// The line (from 1) where a member of the top-level block mapping of
/// `text` whose key, written plain or as `? key`, satisfies `matches`
/// starts for the second time.
fn second_top_level_line_where(text: &str, matches: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| plain_key(line).is_some_and(&matches))
        .nth(1)
        .map(|(at, _)| at + 1)
}

/// The key a line of a top-level block mapping starts, when written plain
/// or as `? key`.
fn plain_key(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("? ") {
        return Some(rest.trim_end());
    }
    // A line starting with `:` is the value of a `? key` above it.
    if line.starts_with([
        ' ', '\t', '#', '-', ':', '"', '\'', '{', '[', '%', '&', '*', '!',
    ]) {
        return None;
    }
    let colon = line
        .match_indices(':')
        .map(|(at, _)| at)
        .find(|&at| line[at + 1..].is_empty() || line[at + 1..].starts_with([' ', '\t']))?;
    Some(line[..colon].trim_end())
}

/// A mapping key that is not a string, as YAML resolves it. Numbers that
/// are equal are one key, an integer and a float alike (`1` and `1.0`, as
/// js-yaml reads them); strings are left out, since two keys that resolve
/// to the same string are written the same, which [`read`] finds itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Resolved {
    Null,
    Bool(bool),
    /// An integer, or a float without a fraction in range.
    Int(i128),
    /// An integer past `i128`.
    Big(u128),
    /// Any other float, by its bits (every NaN the same one).
    Float(u64),
}

impl Resolved {
    fn float(value: f64) -> Resolved {
        #[expect(clippy::cast_precision_loss, reason = "only the range is compared")]
        let in_range = (i128::MIN as f64..i128::MAX as f64).contains(&value);
        if value.fract() == 0.0 && in_range {
            #[expect(clippy::cast_possible_truncation, reason = "a whole number in range")]
            return Resolved::Int(value as i128);
        }
        if value.is_nan() {
            return Resolved::Float(f64::NAN.to_bits());
        }
        Resolved::Float(value.to_bits())
    }
}

impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Resolved::Null => f.write_str("null"),
            Resolved::Bool(value) => write!(f, "{value}"),
            Resolved::Int(value) => write!(f, "{value}"),
            Resolved::Big(value) => write!(f, "{value}"),
            Resolved::Float(bits) => {
                let value = f64::from_bits(bits);
                match value {
                    f64::INFINITY => f.write_str(".inf"),
                    f64::NEG_INFINITY => f.write_str("-.inf"),
                    _ if value.is_nan() => f.write_str(".nan"),
                    _ => write!(f, "{value}"),
                }
            }
        }
    }
}

/// How a key written `written` on its own, as a plain scalar, resolves;
/// `None` for a string (or what is not one scalar).
fn resolve_key(written: &str) -> Option<Resolved> {
    KeyValue
        .deserialize(yaml_serde::Deserializer::from_str(written))
        .ok()
        .flatten()
}

/// The first mapping of `text` with two keys that resolve to the same
/// value though written differently: the error placing it, and the value.
/// `text` has been read whole already, within its budgets, so this second
/// pass over it is bounded as the first was. An error other than such a
/// key (none is expected) ends the pass without a finding.
fn twice_by_value(text: &str) -> Option<(yaml_serde::Error, Resolved)> {
    let mut twice = None;
    let error = KeyCheck { twice: &mut twice }
        .deserialize(yaml_serde::Deserializer::from_str(text))
        .err()?;
    twice.map(|key| (error, key))
}

/// Walks a value, checking the keys of each mapping by their resolved
/// value; keeps nothing else.
struct KeyCheck<'t> {
    twice: &'t mut Option<Resolved>,
}

impl<'de> DeserializeSeed<'de> for KeyCheck<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyCheck<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(KeyCheck {
                twice: &mut *self.twice,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key_seed(KeyValue)? {
            if let Some(key) = key
                && !keys.insert(key)
            {
                *self.twice = Some(key);
                return Err(de::Error::custom(format_args!(
                    "two keys of one object are the same YAML value, {key}, written differently (as ~ and null, True and true, or 0x1F and 31 are)"
                )));
            }
            map.next_value_seed(KeyCheck {
                twice: &mut *self.twice,
            })?;
        }
        Ok(())
    }
}

/// Reads a mapping key as YAML resolves it: `None` for a string.
struct KeyValue;

impl<'de> DeserializeSeed<'de> for KeyValue {
    type Value = Option<Resolved>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<Resolved>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyValue {
    type Value = Option<Resolved>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a mapping key")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Some(Resolved::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Some(Resolved::Int(value.into())))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Some(Resolved::Int(value.into())))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Self::Value, E> {
        Ok(Some(Resolved::Int(value)))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Self::Value, E> {
        Ok(Some(
            i128::try_from(value).map_or(Resolved::Big(value), Resolved::Int),
        ))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Some(Resolved::float(value)))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Resolved::Null))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Resolved::Null))
    }

    fn visit_some<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        self.deserialize(deserializer)
    }

    // A tagged key (`!name key`) is read as its scalar by the first pass,
    // whatever the tag: it counts as a string here.
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        de::IgnoredAny.visit_enum(data).map(|_| None)
    }
}

/// Reads `text` as one JSON document, as `serde_json::from_str::<Value>`
/// does, except that an object with a key twice is refused with
/// [`SpecError::DuplicateKey`] (serde_json keeps the last value; other
/// parsers keep the first).
pub(crate) fn read_json(text: &str) -> Result<Value, SpecError> {
    let mut budget = Budget::unlimited();
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
struct Budget {
    bytes: u64,
    values: u64,
    stopped: Option<Stop>,
    /// The key found twice, once [`Stop::Duplicate`].
    twice: Option<String>,
}

impl Budget {
    /// The budgets of a YAML document of `text_len` bytes.
    fn for_text(text_len: usize) -> Budget {
        Budget {
            bytes: max_expanded(text_len),
            values: max_values(text_len),
            stopped: None,
            twice: None,
        }
    }

    /// No budget: JSON has no aliases, so its text bounds its value.
    fn unlimited() -> Budget {
        Budget {
            bytes: u64::MAX,
            values: u64::MAX,
            stopped: None,
            twice: None,
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

    /// Stops reading: an object has `key` twice.
    fn duplicate<E: de::Error>(&mut self, key: &str) -> E {
        self.stopped = Some(Stop::Duplicate);
        self.twice = Some(key.to_owned());
        E::custom(format_args!(
            "the key {} appears twice in one object",
            serde_json::Value::from(key)
        ))
    }
}

/// Reads one value, spending its JSON length from the budget.
struct Seed<'b> {
    budget: &'b mut Budget,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
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

impl<'de> Visitor<'de> for Seed<'_> {
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
        while let Some(key) = map.next_key::<String>()? {
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
                return Err(self.budget.duplicate(&key));
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
        let mut budget = Budget::unlimited();
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
    /// `~` and `null`, `True` and `true`, `0x1F` and `31`, `1.0` and `1`,
    /// `0o17` and `15`, `.inf` and `.Inf` are one key each. They passed as
    /// two, where js-yaml refuses the document; they are refused now, with
    /// the value and where it is. Keys that only look alike (a quoted
    /// `"null"` is a string, `017` too) are still two keys.
    #[test]
    fn keys_equal_once_resolved_are_refused() {
        for (text, value, placed) in [
            ("~: 1\nnull: 2\n", "null", "the second at line 2"),
            (
                "a: 0\nTrue: 1\nb: 2\ntrue: 2\n",
                "true",
                "the second at line 4",
            ),
            ("0x1F: 1\n31: 2\n", "31", "the second at line 2"),
            ("1.0: 1\n1: 2\n", "1", "the second at line 2"),
            ("0o17: 1\n+15: 2\n", "15", "the second at line 2"),
            (".inf: 1\n.Inf: 2\n", ".inf", "the second at line 2"),
            ("? ~\n: 1\nNULL: 2\n", "null", "the second at line 3"),
            // Inside, `yaml_serde` places the object.
            (
                "x:\n  y:\n    FALSE: 1\n    false: 2\n",
                "false",
                "x.y: two keys",
            ),
            ("x: {Null: 1, ~: 2}\n", "null", "x: two keys"),
        ] {
            match read(text) {
                Err(SpecError::DuplicateKey { reason }) => {
                    assert!(
                        reason.contains(&format!("the same YAML value, {value},")),
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
        for text in [
            "'null': 1\n~: 2\n",
            "\"0x1F\": 1\n31: 2\n",
            "'1': 1\n1.0: 2\n",
            "017: 1\n15: 2\n",
            "017: 1\n0o17: 2\n",
            "a:\n  ~: 1\nb:\n  null: 2\n",
            "1: 1\n2: 2\n'3': 3\ntrue: 4\nfalse: 5\n~: 6\n",
        ] {
            let expected = yaml_serde::from_str::<Value>(text).expect("YAML");
            assert_eq!(read(text).ok(), Some(expected), "{text:?}");
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
