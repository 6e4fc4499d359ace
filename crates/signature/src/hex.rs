//! Lowercase hex encoding (with the `hex` crate) and case-insensitive
//! decoding of 32-byte tags.

use crate::secret::Tag;

/// Appends the lowercase hex form of `tag` to `out`.
pub(crate) fn encode_into(tag: &Tag, out: &mut String) {
    let mut digits = [0u8; 64];
    // `encode_to_slice` fails only when the output is not twice the input's
    // length, and 64 is twice 32; its output is always ASCII.
    if ::hex::encode_to_slice(tag, &mut digits).is_ok()
        && let Ok(digits) = core::str::from_utf8(&digits)
    {
        out.push_str(digits);
    }
}

/// Lowercase hex form of `tag`.
#[cfg(test)]
pub(crate) fn encode(tag: &Tag) -> String {
    let mut out = String::with_capacity(64);
    encode_into(tag, &mut out);
    out
}

/// Each byte's value as a hex digit of either case; `0xff` for any other
/// byte.
const DIGIT: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 16 {
        let value = i as u8;
        table[b"0123456789abcdef"[i] as usize] = value;
        table[b"0123456789ABCDEF"[i] as usize] = value;
        i += 1;
    }
    table
};

/// Decodes exactly 64 hex digits, in either case, into a tag; `None` for
/// anything else.
///
/// A table lookup per digit: every `v1` of every request is decoded here,
/// and the `hex` crate's `decode_to_slice` took 130-140 ns for the 64
/// digits, a fifth of a whole `verify`.
pub(crate) fn decode(text: &str) -> Option<Tag> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut tag = [0u8; 32];
    // A digit's value is at most 15; any byte that is not a digit sets the
    // high bits of `seen`.
    let mut seen = 0u8;
    for (byte, pair) in tag.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (DIGIT[usize::from(pair[0])], DIGIT[usize::from(pair[1])]);
        seen |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (seen & 0xf0 == 0).then_some(tag)
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
        // Every byte that is not a hex digit is refused, wherever it is.
        let valid = "0".repeat(64);
        for byte in 0..=u8::MAX {
            let is_hex = byte.is_ascii_hexdigit();
            for at in [0, 1, 31, 63] {
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
