//! A payload read into one flat, borrowed arena, for deciding quickly
//! whether it is valid.
//!
//! [`serde_json::Value`] gives every object its own hash-indexed map and
//! every string its own allocation. Judging a 500-byte event that way
//! costs more in building and freeing the value than in validating it. A
//! [`Tape`] holds the same document in three vectors: the nodes, the
//! members of all objects, and the elements of all arrays; strings and
//! keys borrow from the payload's text unless they hold escapes. The
//! JSON Schema validator reads it through [`TapeJson`], its
//! [`jsonschema::json::Json`] representation.
//!
//! The tape only answers "valid or not". A payload it cannot read (bad
//! syntax, bad encoding, a duplicate key, too deep) or that is not valid is
//! read again the usual way, so every issue is reported exactly as before;
//! `tests/tape.rs` checks that both readings judge alike.

use std::borrow::Cow;
use std::fmt;

use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// One value of a [`Tape`].
#[derive(Debug, Clone)]
enum Slot<'s> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'s, str>),
    /// `len` elements from `start` in [`Tape::elements`].
    Array {
        start: u32,
        len: u32,
    },
    /// `len` members from `start` in [`Tape::members`].
    Object {
        start: u32,
        len: u32,
    },
}

/// A parsed document: its root is the last node.
#[derive(Debug)]
pub(crate) struct Tape<'s> {
    nodes: Vec<Slot<'s>>,
    members: Vec<(Cow<'s, str>, u32)>,
    elements: Vec<u32>,
}

/// Objects up to this size are checked for a repeated key pairwise; larger
/// ones by sorting their keys.
const PAIRWISE: usize = 16;

impl<'s> Tape<'s> {
    /// Reads `text` as one JSON value; `None` for anything the tape does
    /// not take (a syntax error, a duplicate key, more than 128 levels, a
    /// document over `u32::MAX` nodes): the caller reads those the usual way.
    pub(crate) fn parse(text: &'s str) -> Option<Tape<'s>> {
        let mut builder = Builder {
            tape: Tape {
                nodes: Vec::with_capacity(text.len() / 16 + 4),
                members: Vec::with_capacity(text.len() / 24 + 4),
                elements: Vec::new(),
            },
            // Room for the members of the objects open at once in a
            // typical event, so that they are not grown one by one.
            scratch_members: Vec::with_capacity(32),
            scratch_elements: Vec::with_capacity(16),
        };
        let mut deserializer = serde_json::Deserializer::from_str(text);
        SlotSeed(&mut builder).deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(builder.tape)
    }

    /// The root value.
    pub(crate) fn root(&self) -> TapeNode<'_> {
        TapeNode::At {
            tape: self,
            index: u32::try_from(self.nodes.len() - 1).unwrap_or(0),
        }
    }
}

/// Builds a [`Tape`]: containers collect their children on scratch stacks
/// and move them to the tape, contiguous, when they close.
struct Builder<'s> {
    tape: Tape<'s>,
    scratch_members: Vec<(Cow<'s, str>, u32)>,
    scratch_elements: Vec<u32>,
}

impl<'s> Builder<'s> {
    fn push(&mut self, slot: Slot<'s>) -> Result<u32, Overflow> {
        let index = u32::try_from(self.tape.nodes.len()).map_err(|_| Overflow)?;
        self.tape.nodes.push(slot);
        Ok(index)
    }
}

/// More nodes than a `u32` counts.
struct Overflow;

impl Overflow {
    fn into_error<E: de::Error>(self) -> E {
        E::custom("document too large for the tape")
    }
}

/// Whether `members` repeat a key.
fn repeats_a_key(members: &[(Cow<'_, str>, u32)]) -> bool {
    if members.len() <= PAIRWISE {
        return members
            .iter()
            .enumerate()
            .any(|(i, (key, _))| members[..i].iter().any(|(other, _)| other == key));
    }
    let mut keys: Vec<&str> = members.iter().map(|(key, _)| key.as_ref()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

/// Reads one value into the builder; gives its node's index.
struct SlotSeed<'b, 's>(&'b mut Builder<'s>);

impl<'de, 'b> DeserializeSeed<'de> for SlotSeed<'b, 'de> {
    type Value = u32;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'b> Visitor<'de> for SlotSeed<'b, 'de> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<u32, E> {
        self.0.push(Slot::Bool(value)).map_err(Overflow::into_error)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<u32, E> {
        self.0
            .push(Slot::Number(value.into()))
            .map_err(Overflow::into_error)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<u32, E> {
        self.0
            .push(Slot::Number(value.into()))
            .map_err(Overflow::into_error)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<u32, E> {
        // As `serde_json::Value` reads it.
        let slot = Number::from_f64(value).map_or(Slot::Null, Slot::Number);
        self.0.push(slot).map_err(Overflow::into_error)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<u32, E> {
        self.0
            .push(Slot::String(Cow::Borrowed(value)))
            .map_err(Overflow::into_error)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<u32, E> {
        self.0
            .push(Slot::String(Cow::Owned(value.to_owned())))
            .map_err(Overflow::into_error)
    }

    fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
        self.0.push(Slot::Null).map_err(Overflow::into_error)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u32, A::Error> {
        let builder = self.0;
        let mark = builder.scratch_elements.len();
        while let Some(element) = seq.next_element_seed(SlotSeed(builder))? {
            builder.scratch_elements.push(element);
        }
        let start = u32::try_from(builder.tape.elements.len())
            .map_err(|_| Overflow.into_error::<A::Error>())?;
        let len = u32::try_from(builder.scratch_elements.len() - mark)
            .map_err(|_| Overflow.into_error::<A::Error>())?;
        builder
            .tape
            .elements
            .extend(builder.scratch_elements.drain(mark..));
        builder
            .push(Slot::Array { start, len })
            .map_err(Overflow::into_error)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<u32, A::Error> {
        let builder = self.0;
        let mark = builder.scratch_members.len();
        while let Some(key) = access.next_key_seed(KeySeed)? {
            let value = access.next_value_seed(SlotSeed(builder))?;
            builder.scratch_members.push((key, value));
        }
        if repeats_a_key(&builder.scratch_members[mark..]) {
            return Err(de::Error::custom("duplicate key"));
        }
        let start = u32::try_from(builder.tape.members.len())
            .map_err(|_| Overflow.into_error::<A::Error>())?;
        let len = u32::try_from(builder.scratch_members.len() - mark)
            .map_err(|_| Overflow.into_error::<A::Error>())?;
        builder
            .tape
            .members
            .extend(builder.scratch_members.drain(mark..));
        builder
            .push(Slot::Object { start, len })
            .map_err(Overflow::into_error)
    }
}

/// Reads an object key, borrowed when it holds no escape.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }
}

/// The [`Json`] representation of a [`Tape`], for
/// `jsonschema::options_for::<TapeJson>()`.
pub(crate) struct TapeJson;

/// A node of a tape, or a lone string (an object key being validated by
/// `propertyNames`).
#[derive(Clone, Copy)]
pub(crate) enum TapeNode<'a> {
    /// The node at `index`.
    At { tape: &'a Tape<'a>, index: u32 },
    /// A string outside the tape.
    Name(&'a str),
}

impl<'a> TapeNode<'a> {
    fn slot(&self) -> Option<&'a Slot<'a>> {
        match *self {
            TapeNode::At { tape, index } => tape.nodes.get(index as usize),
            TapeNode::Name(_) => None,
        }
    }

    /// This string's text.
    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match *self {
            TapeNode::Name(name) => Some(name),
            TapeNode::At { .. } => match self.slot()? {
                Slot::String(string) => Some(string.as_ref()),
                _ => None,
            },
        }
    }

    /// The value of member `key`, when this is an object that has it.
    pub(crate) fn member(&self, key: &str) -> Option<TapeNode<'a>> {
        self.as_object()?.find(key)
    }
}

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = ();

    // A lookup scans the members, as a members pass does.
    const KEYS_PER_LOOKUP: usize = 2;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(TapeNode<'_>) -> T) -> T {
        f(TapeNode::Name(string))
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeObject<'a>;
    type Array = TapeArray<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<TapeObject<'a>> {
        match (*self, self.slot()?) {
            (TapeNode::At { tape, .. }, Slot::Object { start, len }) => Some(TapeObject {
                tape,
                members: tape.members.get(span(*start, *len))?,
            }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<TapeArray<'a>> {
        match (*self, self.slot()?) {
            (TapeNode::At { tape, .. }, Slot::Array { start, len }) => Some(TapeArray {
                tape,
                elements: tape.elements.get(span(*start, *len))?,
            }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.as_str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self.slot()? {
            Slot::Number(number) => Some(number),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.slot()? {
            Slot::Bool(value) => Some(*value),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.slot(), Some(Slot::Null))
    }

    fn json_type(&self) -> JsonType {
        match self.slot() {
            None => JsonType::String,
            Some(Slot::Null) => JsonType::Null,
            Some(Slot::Bool(_)) => JsonType::Boolean,
            Some(Slot::Number(_)) => JsonType::Number,
            Some(Slot::String(_)) => JsonType::String,
            Some(Slot::Array { .. }) => JsonType::Array,
            Some(Slot::Object { .. }) => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `const` and `enum` of strings, without building a value.
        match (self.as_str(), expected) {
            (Some(text), Value::String(expected)) => text == expected,
            (Some(_), _) => false,
            (None, _) => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(match *self {
            TapeNode::Name(name) => Value::String(name.to_owned()),
            TapeNode::At { tape, index } => to_value(tape, index),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match *self {
            TapeNode::At { tape, index } => Some(NodeIdentity::tagged(
                std::ptr::from_ref::<Tape<'_>>(tape) as usize,
                index,
            )),
            TapeNode::Name(_) => None,
        }
    }
}

/// The value of node `index`, built (for reports and the cold paths of the
/// validator). Depth is bounded by the parse (128 levels).
fn to_value(tape: &Tape<'_>, index: u32) -> Value {
    match tape.nodes.get(index as usize) {
        None | Some(Slot::Null) => Value::Null,
        Some(Slot::Bool(value)) => Value::Bool(*value),
        Some(Slot::Number(number)) => Value::Number(number.clone()),
        Some(Slot::String(string)) => Value::String(string.clone().into_owned()),
        Some(Slot::Array { start, len }) => Value::Array(
            tape.elements[span(*start, *len)]
                .iter()
                .map(|&element| to_value(tape, element))
                .collect(),
        ),
        Some(Slot::Object { start, len }) => Value::Object(
            tape.members[span(*start, *len)]
                .iter()
                .map(|(key, member)| (key.clone().into_owned(), to_value(tape, *member)))
                .collect(),
        ),
    }
}

/// The range `len` items from `start`, computed without overflow.
fn span(start: u32, len: u32) -> std::ops::Range<usize> {
    start as usize..start as usize + len as usize
}

/// An object of a tape.
#[derive(Clone, Copy)]
pub(crate) struct TapeObject<'a> {
    tape: &'a Tape<'a>,
    members: &'a [(Cow<'a, str>, u32)],
}

impl<'a> TapeObject<'a> {
    fn find(&self, key: &str) -> Option<TapeNode<'a>> {
        self.members
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, index)| TapeNode::At {
                tape: self.tape,
                index: *index,
            })
    }
}

/// The members of a tape's object, in order.
pub(crate) struct TapeMembers<'a> {
    tape: &'a Tape<'a>,
    members: std::slice::Iter<'a, (Cow<'a, str>, u32)>,
}

impl<'a> Iterator for TapeMembers<'a> {
    type Item = (&'a str, TapeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.members.next().map(|(name, index)| {
            (
                name.as_ref(),
                TapeNode::At {
                    tape: self.tape,
                    index: *index,
                },
            )
        })
    }
}

impl<'a> Object<'a, TapeJson> for TapeObject<'a> {
    type Node = TapeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = TapeMembers<'a>;

    fn len(&self) -> usize {
        self.members.len()
    }

    fn get(&self, key: &String) -> Option<TapeNode<'a>> {
        self.find(key)
    }

    fn members(&self) -> TapeMembers<'a> {
        TapeMembers {
            tape: self.tape,
            members: self.members.iter(),
        }
    }
}

/// An array of a tape.
#[derive(Clone, Copy)]
pub(crate) struct TapeArray<'a> {
    tape: &'a Tape<'a>,
    elements: &'a [u32],
}

/// The elements of a tape's array, in order.
pub(crate) struct TapeElements<'a> {
    tape: &'a Tape<'a>,
    elements: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for TapeElements<'a> {
    type Item = TapeNode<'a>;

    fn next(&mut self) -> Option<TapeNode<'a>> {
        self.elements.next().map(|index| TapeNode::At {
            tape: self.tape,
            index: *index,
        })
    }
}

impl<'a> Array<'a, TapeJson> for TapeArray<'a> {
    type Node = TapeNode<'a>;
    type ElementsIter = TapeElements<'a>;

    fn len(&self) -> usize {
        self.elements.len()
    }

    fn elements(&self) -> TapeElements<'a> {
        TapeElements {
            tape: self.tape,
            elements: self.elements.iter(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Value {
        let tape = Tape::parse(text).expect("parses");
        tape.root().to_value().into_owned()
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":[true,null,-2,3.5,"x\n\u00e9"],"c":{"d":{}},"e":[]}"#,
            "[]",
            "\"\"",
            "18446744073709551615",
            "-9223372036854775808",
            "1e308",
            r#"{"\u0061b":"c"}"#,
            // Containers that close while their parent's children are
            // still being collected.
            r#"[1,[2,3],{"a":[4,[5,6]],"b":7},[[8],[]],9]"#,
            r#"{"x":[[1,2],[3]],"y":{"z":[{"w":[9]},{}]},"v":[{"u":{"t":[]}}]}"#,
        ] {
            let expected: Value = serde_json::from_str(text).expect(text);
            assert_eq!(round_trip(text), expected, "{text}");
        }
    }

    #[test]
    fn refuses_what_the_usual_reading_refuses() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"[{"x":{"k":1,"k":1}}]"#,
            "{",
            "1 2",
            "",
            &format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ] {
            assert!(Tape::parse(text).is_none(), "{text}");
        }
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let mut repeated = many.clone();
        repeated.push("\"k7\":0".to_owned());
        assert!(Tape::parse(&format!("{{{}}}", many.join(","))).is_some());
        assert!(Tape::parse(&format!("{{{}}}", repeated.join(","))).is_none());
    }

    #[test]
    fn keeps_the_contract_the_validator_relies_on() {
        let text = jsonschema::json::conformance::document().to_string();
        let tape = Tape::parse(&text).expect("parses");
        jsonschema::json::conformance::assert_conformance::<TapeJson>(&tape.root());
    }

    #[test]
    fn each_node_has_an_identity_of_its_own() {
        // The validator's guard against a recursive schema revisiting the
        // same instance relies on it.
        let tape = Tape::parse(r#"{"a":[1,1],"b":{"c":1}}"#).expect("parses");
        let root = tape.root();
        let a = root.member("a").expect("a");
        let b = root.member("b").expect("b");
        assert!(root.identity().is_some());
        assert_eq!(a.identity(), root.member("a").and_then(|n| n.identity()));
        assert_ne!(a.identity(), b.identity());
        assert_ne!(a.identity(), root.identity());
        assert_eq!(TapeNode::Name("a").identity(), None);
    }

    #[test]
    fn finds_members_and_strings() {
        let tape = Tape::parse(r#"{"type":"room.client.joined","n":[1]}"#).expect("parses");
        let root = tape.root();
        assert_eq!(
            root.member("type").and_then(|t| t.as_str()),
            Some("room.client.joined")
        );
        assert!(root.member("n").is_some_and(|n| n.as_str().is_none()));
        assert!(root.member("missing").is_none());
    }
}
