//! Reading a YAML document into a JSON value within a size budget.
//!
//! YAML's aliases (`*name`) repeat the node their anchor (`&name`) marks,
//! wherever they appear: a 2 MB document holding one 2 MB string and a
//! thousand aliases to it stands for 2 GB of JSON, and reading it as a
//! value took 3.9 GB. The YAML parser limits how many aliases it follows,
//! not how much they copy. So the value is built here, counting the size
//! it would have written out as JSON as it grows, and reading stops once
//! that passes [`max_expanded`]: four times the text or four times
//! [`MAX_DOCUMENT_BYTES`](crate::MAX_DOCUMENT_BYTES), whichever is larger.
//! A document without aliases stays well under it: written out as JSON, it
//! is at most a few times its YAML. Apart from the budget, the value read is the one
//! `yaml_serde::from_str::<Value>` gives; a test holds the two equal.

use std::fmt;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::document::MAX_DOCUMENT_BYTES;
use crate::error::SpecError;

/// How large a YAML document of `text_len` bytes may be once its aliases
/// are expanded, counted as the length of its JSON text.
pub(crate) fn max_expanded(text_len: usize) -> u64 {
    (text_len as u64).max(MAX_DOCUMENT_BYTES).saturating_mul(4)
}

/// Reads `text` as one YAML document, refusing it with
/// [`SpecError::Expanded`] when its aliases make it larger than
/// [`max_expanded`].
pub(crate) fn read(text: &str) -> Result<Value, SpecError> {
    let max = max_expanded(text.len());
    let mut budget = Budget {
        left: max,
        exceeded: false,
    };
    let read = Seed {
        budget: &mut budget,
    }
    .deserialize(yaml_serde::Deserializer::from_str(text));
    match read {
        Ok(value) => Ok(value),
        Err(_) if budget.exceeded => Err(SpecError::Expanded { max }),
        Err(error) => Err(SpecError::Yaml(error)),
    }
}

/// What is left of the budget, and whether it ran out.
struct Budget {
    left: u64,
    exceeded: bool,
}

impl Budget {
    /// Takes `cost` bytes from the budget, or fails when fewer are left.
    fn spend<E: de::Error>(&mut self, cost: usize) -> Result<(), E> {
        match self.left.checked_sub(cost as u64) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.exceeded = true;
                Err(E::custom(
                    "the document is too large once its aliases are expanded",
                ))
            }
        }
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

/// The longest a float is written (`-2.2250738585072014e-308`).
const FLOAT_LEN: usize = 24;

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
        self.budget.spend(digits(value))?;
        Number::deserialize(de::value::I128Deserializer::<E>::new(value)).map(Value::Number)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        self.budget.spend(FLOAT_LEN + 16)?;
        Number::deserialize(de::value::U128Deserializer::<E>::new(value)).map(Value::Number)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        self.budget.spend(FLOAT_LEN)?;
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
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
            self.budget.spend(1)?;
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.budget.spend(2)?;
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // Its quotes, the colon and the comma.
            self.budget.spend(key.len().saturating_add(4))?;
            let value = map.next_value_seed(Seed {
                budget: &mut *self.budget,
            })?;
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
            "a: &x {b: [1, -2, 3.5, .nan, .inf, null, ~, true, 'q']}\nc: *x\nd: *x\n",
            "big: 18446744073709551615\nsmall: -9223372036854775808\n1: one\ntrue: yes\n",
            "- 340282366920938463463374607431768211455\n",
            "- -170141183460469231731687303715884105728\n",
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
            Err(SpecError::Expanded { max }) => assert_eq!(max, 64 << 20),
            other => panic!("{:?}", other.map(|_| "a value")),
        }
        // Forty aliases fit.
        let fits = text.lines().take(42).collect::<Vec<_>>().join("\n");
        let value = read(&fits).expect("within the budget");
        assert_eq!(value["list"].as_array().map(Vec::len), Some(40));
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
