//! Parsing of the `Whereby-Signature` header value.

use std::fmt;
use std::str::Split;

use crate::error::{MalformedReason, VerifyError};
use crate::hex;

/// A parsed, well-formed `Whereby-Signature` header value.
///
/// Parsing checks the whole header before anything is hashed:
///
/// * the value is split on `,`; ASCII whitespace around each item is
///   ignored (`t=1, v1=...` is accepted, since proxies and hand-written test
///   clients add it), but an empty item (`t=1,,v1=...`) is malformed;
/// * each item is split on its **first** `=` into key and value; a missing
///   `=`, an empty key or whitespace inside the key is malformed;
/// * keys are case-sensitive. `t` is the timestamp and must appear exactly
///   once, as plain ASCII digits (no sign, spaces, or fraction) fitting a
///   `u64`; leading zeros are allowed and, like every digit, are hashed as
///   sent;
/// * `v1` is an HMAC-SHA256 in hex and may appear several times (secret
///   rotation). Each must be exactly 64 hex digits, or the header is
///   malformed: a value of any other shape can never match, and saying so
///   beats a vague "no match". Hex digits are accepted in either case
///   (senders emit lowercase; case carries no information, the bytes
///   compared are the same, and an attacker gains nothing from it);
/// * any other key (`v0`, future schemes) is ignored, whatever its value,
///   and is never enough on its own: at least one `v1` is required.
///
/// The type borrows the header text; it is `Copy` and does not allocate.
#[derive(Clone, Copy)]
pub struct SignatureHeader<'a> {
    timestamp: u64,
    timestamp_text: &'a str,
    /// The first `v1` tag, decoded while validating, so the usual
    /// single-signature header is decoded only once.
    first_v1: [u8; 32],
    /// The header text after the first `v1` item, where any further `v1`
    /// items are.
    after_first_v1: &'a str,
    v1_count: usize,
}

impl<'a> SignatureHeader<'a> {
    /// Parses and validates a header value, such as
    /// `t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3`.
    ///
    /// # Errors
    ///
    /// [`VerifyError::MalformedHeader`] (naming the first bad item),
    /// [`VerifyError::DuplicateTimestamp`], [`VerifyError::MissingTimestamp`]
    /// or [`VerifyError::NoV1Signature`], checked in that order as items
    /// are read from left to right.
    pub fn parse(header: &'a str) -> Result<Self, VerifyError> {
        match Self::parse_usual(header) {
            Some(parsed) => Ok(parsed),
            None => Self::parse_any(header),
        }
    }

    /// The shape Whereby documents (and [`sign`](crate::sign) produces),
    /// `t=<digits>,v1=<64 hex digits>` and nothing else, read without
    /// splitting and trimming items; `None` for any other header, which
    /// [`parse_any`](Self::parse_any) then reads. For every
    /// header it accepts, the result is the one `parse_any` gives (tested).
    fn parse_usual(header: &'a str) -> Option<Self> {
        let (digits, v1) = header.strip_prefix("t=")?.split_once(',')?;
        let first_v1 = hex::decode(v1.strip_prefix("v1=")?)?;
        Some(Self {
            timestamp: parse_timestamp(digits).ok()?,
            timestamp_text: digits,
            first_v1,
            after_first_v1: "",
            v1_count: 1,
        })
    }

    /// Any header, by the whole grammar.
    fn parse_any(header: &'a str) -> Result<Self, VerifyError> {
        if header.trim_ascii().is_empty() {
            return Err(VerifyError::MalformedHeader {
                item: None,
                reason: MalformedReason::EmptyHeader,
            });
        }
        if header.contains(';') && !header.contains(',') {
            return Err(VerifyError::MalformedHeader {
                item: None,
                reason: MalformedReason::SemicolonSeparated,
            });
        }
        let mut timestamp: Option<(u64, &'a str)> = None;
        let mut first_v1: Option<([u8; 32], &'a str)> = None;
        let mut v1_count = 0usize;
        // Byte offset of the item being read.
        let mut offset = 0usize;
        for (index, raw) in header.split(',').enumerate() {
            let item = index + 1;
            let malformed = |reason| VerifyError::MalformedHeader {
                item: Some(item),
                reason,
            };
            offset += raw.len() + 1;
            let (key, value) = split_item(raw).map_err(malformed)?;
            match key {
                "t" => {
                    if timestamp.is_some() {
                        return Err(VerifyError::DuplicateTimestamp { item });
                    }
                    timestamp = Some((parse_timestamp(value).map_err(malformed)?, value));
                }
                "sha256" => return Err(malformed(MalformedReason::Sha256Prefix)),
                "v1" if value.starts_with("sha256=") => {
                    return Err(malformed(MalformedReason::Sha256Prefix));
                }
                "v1" => {
                    let tag = hex::decode(value).ok_or_else(|| {
                        // Lengths are reported in characters, as a person
                        // reading the header would count them.
                        let len = value.chars().count();
                        malformed(if len == 64 {
                            MalformedReason::V1NotHex
                        } else {
                            MalformedReason::V1WrongLength { len }
                        })
                    })?;
                    if first_v1.is_none() {
                        // Past the last item, `offset` is one beyond the end.
                        first_v1 = Some((tag, header.get(offset..).unwrap_or("")));
                    }
                    v1_count += 1;
                }
                _ => {}
            }
        }
        let Some((timestamp, timestamp_text)) = timestamp else {
            return Err(VerifyError::MissingTimestamp);
        };
        let Some((first_v1, after_first_v1)) = first_v1 else {
            return Err(VerifyError::NoV1Signature);
        };
        Ok(Self {
            timestamp,
            timestamp_text,
            first_v1,
            after_first_v1,
            v1_count,
        })
    }

    /// The `t` value: when the sender signed, in unix seconds.
    #[must_use]
    pub const fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The `t` value exactly as sent: these are the bytes that precede the
    /// `.` in the signed message.
    #[must_use]
    pub const fn timestamp_text(&self) -> &'a str {
        self.timestamp_text
    }

    /// How many `v1` signatures the header carries (at least one).
    #[must_use]
    pub const fn v1_count(&self) -> usize {
        self.v1_count
    }

    /// The decoded `v1` signatures (raw HMAC-SHA256 tags), in header order.
    #[must_use]
    pub fn v1_signatures(&self) -> V1Signatures<'a> {
        V1Signatures {
            first: Some(self.first_v1),
            rest: self.after_first_v1.split(','),
            remaining: self.v1_count,
        }
    }
}

impl fmt::Debug for SignatureHeader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureHeader")
            .field("timestamp", &self.timestamp)
            .field("v1_count", &self.v1_count)
            .finish()
    }
}

/// Iterator over the decoded `v1` signatures of a [`SignatureHeader`];
/// see [`SignatureHeader::v1_signatures`].
#[derive(Debug, Clone)]
pub struct V1Signatures<'a> {
    first: Option<[u8; 32]>,
    rest: Split<'a, char>,
    /// Signatures not yet yielded; the rest of the header is not scanned
    /// once this reaches zero.
    remaining: usize,
}

impl Iterator for V1Signatures<'_> {
    type Item = [u8; 32];

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        // The header was validated by `SignatureHeader::parse`, so every
        // `v1` item decodes; anything that does not is skipped.
        let next = self.rest.find_map(|raw| match split_item(raw) {
            Ok(("v1", value)) => hex::decode(value),
            _ => None,
        });
        if next.is_none() {
            self.remaining = 0;
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for V1Signatures<'_> {}

impl std::iter::FusedIterator for V1Signatures<'_> {}

/// Trims an item and splits it on its first `=`.
fn split_item(raw: &str) -> Result<(&str, &str), MalformedReason> {
    let item = raw.trim_ascii();
    if item.is_empty() {
        return Err(MalformedReason::EmptyItem);
    }
    let (key, value) = item.split_once('=').ok_or(MalformedReason::MissingEquals)?;
    if key.is_empty() {
        return Err(MalformedReason::EmptyKey);
    }
    if key.bytes().any(|b| b.is_ascii_whitespace()) {
        return Err(MalformedReason::WhitespaceInKey);
    }
    Ok((key, value))
}

/// Parses plain unsigned decimal: ASCII digits only, fitting a `u64`.
pub(crate) fn parse_timestamp(text: &str) -> Result<u64, MalformedReason> {
    if text.is_empty() {
        return Err(MalformedReason::EmptyTimestamp);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MalformedReason::TimestampNotDigits);
    }
    text.bytes()
        .try_fold(0u64, |acc, digit| {
            acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
        })
        .ok_or(MalformedReason::TimestampOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Everything a parsed header holds.
    fn fields<'a>(h: &SignatureHeader<'a>) -> (u64, &'a str, [u8; 32], &'a str, usize) {
        (
            h.timestamp,
            h.timestamp_text,
            h.first_v1,
            h.after_first_v1,
            h.v1_count,
        )
    }

    /// Asserts that the quick reading, where it applies, agrees with the
    /// whole grammar; returns whether it applied.
    fn usual_agrees(header: &str) -> Result<bool, TestCaseError> {
        let Some(usual) = SignatureHeader::parse_usual(header) else {
            return Ok(false);
        };
        let any = SignatureHeader::parse_any(header);
        prop_assert!(
            any.is_ok(),
            "{header:?}: usual reading accepted, grammar says {any:?}"
        );
        if let Ok(any) = any {
            prop_assert_eq!(fields(&usual), fields(&any), "{:?}", header);
        }
        Ok(true)
    }

    #[test]
    fn usual_shape_is_read_quickly() {
        let header = format!("t=1700000000,v1={}", "0a".repeat(32));
        assert!(usual_agrees(&header).expect("agrees"));
        for other in [
            format!("t=1700000000, v1={}", "0a".repeat(32)),
            format!("t=1700000000,v1={},v1={}", "0a".repeat(32), "0b".repeat(32)),
            format!("v1={},t=1700000000", "0a".repeat(32)),
            format!("t=1700000000,v1={} ", "0a".repeat(32)),
            format!("t=18446744073709551616,v1={}", "0a".repeat(32)),
            format!("t=,v1={}", "0a".repeat(32)),
            format!("t=1700000000,v1=0x{}", "0a".repeat(31)),
        ] {
            assert!(!usual_agrees(&other).expect("agrees"), "{other:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Headers near the usual shape: a quick reading that accepted any
        /// of them must agree with the whole grammar.
        #[test]
        fn usual_reading_agrees_with_grammar(
            head in prop_oneof![6 => Just("t="), 1 => prop::sample::select(vec!["t =", " t=", "T=", "t==", "", "v1="])],
            digits in "[0-9]{0,22}|[+-]?[0-9]{1,5}|[0-9 +a-]{0,6}",
            comma in prop_oneof![6 => Just(","), 1 => prop::sample::select(vec![", ", " ,", ",,", ";", ""])],
            v1 in prop_oneof![6 => Just("v1="), 1 => prop::sample::select(vec!["v1 =", "V1=", "v0=", "v1==", "t="])],
            hex in prop_oneof![
                6 => "[0-9a-fA-F]{64}",
                1 => "[0-9a-fA-F]{62,66}|[0-9a-f]{63}[^0-9a-f]|[0-9a-f]{10}[g-zé ,=][0-9a-f]{53}|0x[0-9a-f]{62}",
            ],
            tail in prop_oneof![6 => Just(""), 1 => prop::sample::select(vec![" ", ",", ",v0=x", ",v1=00", "\n", ";"])],
        ) {
            let header = format!("{head}{digits}{comma}{v1}{hex}{tail}");
            usual_agrees(&header)?;
        }

        /// Arbitrary text: the quick reading never accepts what the grammar
        /// refuses.
        #[test]
        fn usual_reading_never_widens(header in "\\PC{0,100}") {
            usual_agrees(&header)?;
        }
    }

    #[test]
    fn timestamp_rules() {
        assert_eq!(parse_timestamp("0"), Ok(0));
        assert_eq!(parse_timestamp("0001"), Ok(1));
        assert_eq!(parse_timestamp(&u64::MAX.to_string()), Ok(u64::MAX));
        assert_eq!(
            parse_timestamp("18446744073709551616"),
            Err(MalformedReason::TimestampOverflow)
        );
        // A bad character is reported before the size.
        assert_eq!(
            parse_timestamp("99999999999999999999x"),
            Err(MalformedReason::TimestampNotDigits)
        );
        assert_eq!(parse_timestamp(""), Err(MalformedReason::EmptyTimestamp));
        for bad in ["+5", "-1", "1 2", " 1", "1.5", "123abc", "١٢٣"] {
            assert_eq!(
                parse_timestamp(bad),
                Err(MalformedReason::TimestampNotDigits),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn split_item_rules() {
        assert_eq!(split_item(" t=1 "), Ok(("t", "1")));
        assert_eq!(split_item("v0=a=b"), Ok(("v0", "a=b")));
        assert_eq!(split_item("k="), Ok(("k", "")));
        assert_eq!(split_item("  "), Err(MalformedReason::EmptyItem));
        assert_eq!(split_item("t"), Err(MalformedReason::MissingEquals));
        assert_eq!(split_item("=1"), Err(MalformedReason::EmptyKey));
        assert_eq!(split_item("t =1"), Err(MalformedReason::WhitespaceInKey));
    }
}
