//! The endpoint signing secret, kept out of logs.

use std::fmt;
use std::str::FromStr;

use hmac::{KeyInit, Mac};

/// HMAC-SHA256 as used by the `v1` scheme.
type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The raw 32-byte HMAC-SHA256 tag of a message.
pub(crate) type Tag = [u8; 32];

/// A webhook endpoint's signing secret.
///
/// The secret string's UTF-8 bytes are the HMAC-SHA256 key, exactly as
/// written: nothing is trimmed or decoded, so a trailing newline read from a
/// file is part of the key (and will make every signature mismatch).
///
/// The key is absorbed into an HMAC state once, at construction, so signing
/// and verifying with the same `Secret` skips re-deriving the inner and outer
/// key blocks on every request. Keep one `Secret` per configured secret for
/// the lifetime of the process.
///
/// Neither [`Debug`](fmt::Debug) nor [`Display`](fmt::Display) reveals the
/// value: both print `Secret(****)`, so a `Secret` can sit in a config struct
/// that gets logged. There is deliberately no accessor that returns the key.
///
/// ```
/// use whereby_webhooks_signature::Secret;
///
/// let secret: Secret = "my-endpoint-secret".parse()?;
/// assert_eq!(format!("{secret:?}"), "Secret(****)");
/// assert!(Secret::new("").is_err());
/// # Ok::<(), whereby_webhooks_signature::EmptySecret>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    keyed: HmacSha256,
    /// The keys a stray newline or space explains (the secret trimmed, and
    /// with a newline added), for [`crate::diagnose`] only: keyed states,
    /// so that no copy of the key itself is kept.
    near: Box<[HmacSha256]>,
}

impl Secret {
    /// Wraps a signing secret, as copied from the endpoint's settings.
    ///
    /// # Errors
    ///
    /// [`EmptySecret`] if `secret` is empty or only whitespace: such a key
    /// is almost always a missing or mangled environment variable, and a
    /// signature made with it proves nothing. (A secret that merely starts
    /// or ends with whitespace is kept as written.)
    pub fn new(secret: &str) -> Result<Self, EmptySecret> {
        if secret.trim().is_empty() {
            return Err(EmptySecret);
        }
        Self::from_key_bytes(secret.as_bytes())
    }

    /// Builds a secret from raw key bytes (the public constructors take a
    /// string, as the endpoint settings hand one out).
    pub(crate) fn from_key_bytes(key: &[u8]) -> Result<Self, EmptySecret> {
        if key.is_empty() {
            return Err(EmptySecret);
        }
        // HMAC accepts keys of any length, so this never fails; if it ever
        // did, refusing the key is the safe outcome.
        let keyed = HmacSha256::new_from_slice(key).map_err(|_| EmptySecret)?;
        let trimmed = key.trim_ascii();
        let mut near = Vec::with_capacity(2);
        if !trimmed.is_empty() && trimmed.len() != key.len() {
            near.extend(HmacSha256::new_from_slice(trimmed).ok());
        }
        for stray in [&b"\n"[..], b"\r\n", b" "] {
            near.extend(HmacSha256::new_from_slice(&[key, stray].concat()).ok());
        }
        Ok(Self {
            keyed,
            near: near.into_boxed_slice(),
        })
    }

    /// The secrets a stray newline or space explains: this one trimmed (when
    /// that changes it), and with a trailing newline.
    pub(crate) fn near_misses(&self) -> impl Iterator<Item = Secret> + '_ {
        self.near.iter().map(|keyed| Secret {
            keyed: keyed.clone(),
            near: Box::new([]),
        })
    }

    /// HMAC-SHA256 of the concatenation of `parts`, keyed with this secret.
    pub(crate) fn tag(&self, parts: &[&[u8]]) -> Tag {
        let mut mac = self.keyed.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// Compares two tags in constant time (the comparison `Mac::verify_slice`
/// uses), so timing does not reveal how many leading bytes of a forged
/// signature are right.
pub(crate) fn tags_equal(a: &Tag, b: &Tag) -> bool {
    use hmac::digest::{CtOutput, Output};
    let a = CtOutput::<HmacSha256>::new(Output::<HmacSha256>::from(*a));
    let b = CtOutput::<HmacSha256>::new(Output::<HmacSha256>::from(*b));
    a == b
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl FromStr for Secret {
    type Err = EmptySecret;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for Secret {
    type Error = EmptySecret;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<String> for Secret {
    type Error = EmptySecret;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

/// The signing secret given to [`Secret::new`] was empty or only whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error(
    "signing secret is empty or only whitespace: set it to the endpoint's signing secret (is the environment variable missing?)"
)]
pub struct EmptySecret;

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(tag: &Tag) -> String {
        crate::hex::encode(tag)
    }

    /// RFC 4231 section 4, HMAC-SHA256 results, run through the same keyed
    /// state that `sign` and `verify` use.
    #[test]
    fn rfc4231_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 5] = [
            // Test case 1
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            // Test case 2
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            // Test case 4
            (
                (0x01..=0x19).collect(),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            // Test case 6: key longer than the block size
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            // Test case 7
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, expected) in cases {
            let secret = Secret::from_key_bytes(&key).expect("non-empty key");
            assert_eq!(hex(&secret.tag(&[&data])), expected);
            // Splitting the message must not change the tag.
            let (a, b) = data.split_at(data.len() / 2);
            assert_eq!(hex(&secret.tag(&[a, b])), expected);
        }
    }

    #[test]
    fn tags_equal_compares_every_byte() {
        let a: Tag = [7; 32];
        assert!(tags_equal(&a, &a));
        for i in 0..32 {
            let mut b = a;
            b[i] ^= 1;
            assert!(!tags_equal(&a, &b), "byte {i}");
        }
    }

    #[test]
    fn empty_key_bytes_rejected() {
        assert_eq!(Secret::from_key_bytes(&[]).err(), Some(EmptySecret));
        for blank in ["", " ", "   ", "\t\n", "\u{a0}\u{3000}"] {
            assert_eq!(Secret::new(blank).err(), Some(EmptySecret), "{blank:?}");
        }
        assert!(Secret::new(" padded ").is_ok());
    }
}
