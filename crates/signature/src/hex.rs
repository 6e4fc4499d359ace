//! Lowercase hex encoding and case-insensitive decoding of 32-byte tags.

use crate::secret::Tag;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends the lowercase hex form of `tag` to `out`.
pub(crate) fn encode_into(tag: &Tag, out: &mut String) {
    let mut digits = [0u8; 64];
    for (pair, byte) in digits.chunks_exact_mut(2).zip(tag) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    // Every byte comes from `DIGITS`, so this is always ASCII.
    if let Ok(digits) = core::str::from_utf8(&digits) {
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

/// Marks a byte that is not a hex digit in [`VALUES`].
const INVALID: u8 = 0xff;

/// The value of each hex digit (either case), [`INVALID`] for other bytes.
/// A table rather than a `match` keeps decoding branch-free.
const VALUES: [u8; 256] = {
    let mut values = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        values[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        values[b'a' as usize + i] = 10 + i as u8;
        values[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    values
};

/// Decodes exactly 64 hex digits, in either case, into a tag; `None` for
/// anything else.
pub(crate) fn decode(text: &str) -> Option<Tag> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut tag = [0u8; 32];
    // Valid values are below 16, so any invalid digit sets the high bit.
    let mut seen = 0u8;
    for (out, pair) in tag.iter_mut().zip(bytes.chunks_exact(2)) {
        let hi = VALUES[usize::from(pair[0])];
        let lo = VALUES[usize::from(pair[1])];
        seen |= hi | lo;
        *out = (hi << 4) | (lo & 0x0f);
    }
    (seen & 0x80 == 0).then_some(tag)
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
    fn rejects() {
        assert_eq!(decode(""), None);
        assert_eq!(decode(&"a".repeat(63)), None);
        assert_eq!(decode(&"a".repeat(65)), None);
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
