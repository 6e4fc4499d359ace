//! Reading the lines of NDJSON input (`validate`'s inputs, `replay`'s
//! record files) in bounded memory, whatever the input is: a line without
//! end (`/dev/zero`, a pipe that never ends) is stopped at a limit rather
//! than read forever.

use std::io::{self, BufRead};

/// The UTF-8 byte order mark, which an editor may write at the start of a
/// file.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Appends the next line, with its `\n`, to `bytes`, but at most `max`
/// bytes of it. Returns whether the line ended (at `\n` or at the end of
/// the input) within `max` bytes; when it did not, at most `max` bytes of
/// it were appended and the rest is left unread.
pub fn read_line_bounded(
    reader: &mut dyn BufRead,
    bytes: &mut Vec<u8>,
    max: usize,
) -> io::Result<bool> {
    let mut taken = 0;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if buffer.is_empty() {
            return Ok(true);
        }
        let (length, ended) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (buffer.len(), false),
        };
        if taken + length > max {
            return Ok(false);
        }
        bytes.extend_from_slice(&buffer[..length]);
        reader.consume(length);
        taken += length;
        if ended {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_up_to_the_limit_and_no_further() {
        let mut reader = io::Cursor::new(b"ab\ncdef\ng".to_vec());
        let mut bytes = Vec::new();
        assert!(read_line_bounded(&mut reader, &mut bytes, 3).expect("read"));
        assert_eq!(bytes, b"ab\n");
        bytes.clear();
        assert!(!read_line_bounded(&mut reader, &mut bytes, 3).expect("read"));
        assert!(bytes.len() <= 3);
        // Endless input without a line break stops at the limit.
        let mut endless = io::BufReader::new(io::repeat(0));
        bytes.clear();
        assert!(!read_line_bounded(&mut endless, &mut bytes, 1 << 20).expect("read"));
        assert!(bytes.len() <= 1 << 20);
    }
}
