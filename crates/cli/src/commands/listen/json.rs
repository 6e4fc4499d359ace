//! Parsing a body once, refusing duplicate object keys on the way.
//!
//! JSON parsers disagree on which value of a repeated key wins (most keep
//! the last, some the first), so a body such as
//! `{"type":"bogus.event", ..., "type":"room.client.joined"}` can mean one
//! thing to `listen` and another to the application it forwards to. The
//! body is parsed into a [`Value`] by a visitor that notices a key seen
//! before in the same object, so detecting duplicates costs no second pass.
//!
//! This is `listen`'s own check; it is kept behind [`parse_unique`] so that
//! it can give way to the conformance crate's `duplicate_key` issue once
//! that crate reports one.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A key that appears twice in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Where the object is, as a JSON Pointer to the repeated member.
    pub instance_path: String,
    /// The repeated key.
    pub key: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "duplicate key {} at {}: parsers disagree on which value wins; send each key once",
            serde_json::Value::from(self.key.as_str()),
            if self.instance_path.is_empty() {
                "/"
            } else {
                &self.instance_path
            }
        )
    }
}

/// How parsing went.
pub enum Parsed {
    /// The body, every key unique.
    Value(Value),
    /// A key repeats.
    Duplicate(DuplicateKey),
    /// Not JSON (the validator says precisely why).
    NotJson,
}

/// Parses `bytes` as one JSON value whose objects have unique keys.
pub fn parse_unique(bytes: &[u8]) -> Parsed {
    let path = RefCell::new(Vec::new());
    let found = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result = Seed {
        path: &path,
        found: &found,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (result, found.into_inner()) {
        (_, Some(duplicate)) => Parsed::Duplicate(duplicate),
        (Ok(value), None) => Parsed::Value(value),
        (Err(_), None) => Parsed::NotJson,
    }
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    path: &'a RefCell<Vec<String>>,
    found: &'a RefCell<Option<DuplicateKey>>,
}

fn pointer(path: &[String]) -> String {
    let mut out = String::new();
    for part in path {
        out.push('/');
        out.push_str(&part.replace('~', "~0").replace('/', "~1"));
    }
    out
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.path.borrow_mut().push(items.len().to_string());
            let item = seq.next_element_seed(self);
            self.path.borrow_mut().pop();
            match item? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.path.borrow_mut().push(key);
            let value = map.next_value_seed(self);
            let key = self.path.borrow_mut().pop().unwrap_or_default();
            let value = value?;
            if object.contains_key(&key) {
                let instance_path = {
                    let path = self.path.borrow();
                    let mut at = pointer(&path);
                    at.push_str(&pointer(std::slice::from_ref(&key)));
                    at
                };
                *self.found.borrow_mut() = Some(DuplicateKey { instance_path, key });
                return Err(de::Error::custom("duplicate key"));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unique_keys_parse_as_serde_json_does() {
        let text = br#"{"b":[1,-2,3.5,{"c":null,"d":true}],"a":"\u00e9","e":18446744073709551615}"#;
        let Parsed::Value(value) = parse_unique(text) else {
            panic!("parses")
        };
        assert_eq!(value, serde_json::from_slice::<Value>(text).expect("JSON"));
        assert_eq!(value["b"][3], json!({"c": null, "d": true}));
    }

    #[test]
    fn duplicates_are_found_where_they_are() {
        let cases: [(&[u8], &str, &str); 3] = [
            (
                br#"{"type":"bogus.event","id":"1","type":"room.client.joined"}"#,
                "/type",
                "type",
            ),
            (br#"{"data":{"a":1,"a/b":2,"a/b":3}}"#, "/data/a~1b", "a/b"),
            (br#"[{}, {"x":[{"k":1,"k":1}]}]"#, "/1/x/0/k", "k"),
        ];
        for (text, at, key) in cases {
            let Parsed::Duplicate(found) = parse_unique(text) else {
                panic!("a duplicate in {}", String::from_utf8_lossy(text))
            };
            assert_eq!(found.instance_path, at);
            assert_eq!(found.key, key);
            assert!(found.to_string().contains("duplicate key"));
        }
    }

    #[test]
    fn not_json_is_told_apart() {
        for text in [&b"{"[..], b"{} x", b"", b"\xff"] {
            assert!(matches!(parse_unique(text), Parsed::NotJson));
        }
        // Deep nesting hits serde_json's recursion limit, not the stack.
        let deep = "[".repeat(100_000);
        assert!(matches!(parse_unique(deep.as_bytes()), Parsed::NotJson));
    }
}
