//! Reading the lines of NDJSON input (`validate`'s inputs, `replay`'s
//! record files) in bounded memory, whatever the input is: a line without
//! end (`/dev/zero`, a pipe that never ends) is stopped at a limit rather
//! than read forever.
//!
//! [`Lines`] is the one reader: lines numbered from 1, their `\n` or
//! `\r\n` taken off, blank lines skipped (and counted), and a UTF-8 byte
//! order mark at the start of the input skipped and reported with the line
//! after it. What a line means is the caller's.

use std::io::{self, BufRead};

/// The UTF-8 byte order mark, which an editor may write at the start of a
/// file.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The lines of an NDJSON input, each at most `max` bytes.
pub struct Lines<R> {
    reader: R,
    max: usize,
    number: u64,
    /// A byte order mark was skipped, not yet reported.
    bom: bool,
}

/// What [`Lines::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line that is not blank, appended without its line end.
    Text {
        /// Its number, from 1.
        number: u64,
        /// Whether a byte order mark before it, at the start of the input,
        /// was skipped.
        bom: bool,
    },
    /// A line over the limit, not appended.
    TooLong {
        /// Its number, from 1.
        number: u64,
        /// How many bytes of it were read (with its line end).
        read: u64,
        /// Whether it was read to its end. When not, nothing after it can
        /// be read: where the next line starts is not known in bounded
        /// memory.
        ended: bool,
    },
}

impl<R: BufRead> Lines<R> {
    /// The lines of `reader`, each at most `max` bytes without its line end.
    pub fn new(reader: R, max: usize) -> Lines<R> {
        Lines {
            reader,
            max,
            number: 0,
            bom: false,
        }
    }

    /// Appends the next line that is not blank to `bytes`, or returns
    /// `None` at the end of the input. On an error nothing is appended.
    ///
    /// # Errors
    ///
    /// When the input cannot be read.
    pub fn next(&mut self, bytes: &mut Vec<u8>) -> io::Result<Option<Line>> {
        loop {
            let start = bytes.len();
            // Two bytes more for the line end, `\r\n`.
            let ended = read_line_bounded(&mut self.reader, bytes, self.max.saturating_add(2))
                .inspect_err(|_| bytes.truncate(start))?;
            if ended && bytes.len() == start {
                return Ok(None);
            }
            self.number += 1;
            let number = self.number;
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
                if bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
            }
            if number == 1 && bytes[start..].starts_with(BOM) {
                bytes.drain(start..start + BOM.len());
                self.bom = true;
            }
            let read = (bytes.len() - start) as u64;
            if !ended || bytes.len() - start > self.max {
                bytes.truncate(start);
                return Ok(Some(Line::TooLong {
                    number,
                    read,
                    ended,
                }));
            }
            // Blank as JSON reads it: spaces, tabs, carriage returns.
            if bytes[start..]
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
            {
                bytes.truncate(start);
                continue;
            }
            let bom = std::mem::take(&mut self.bom);
            return Ok(Some(Line::Text { number, bom }));
        }
    }
}

/// Appends the next line, with its `\n`, to `bytes`, but at most `max`
/// bytes of it. Returns whether the line ended (at `\n` or at the end of
/// the input) within `max` bytes; when it did not, at most `max` bytes of
/// it were appended and the rest is left unread.
fn read_line_bounded(
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

    #[test]
    fn lines_are_numbered_blank_ones_skipped_and_a_bom_reported_once() {
        let input = b"\xEF\xBB\xBF\r\n{\"a\":1}\r\n  \n{\"b\":2}\n\xEF\xBB\xBF3".to_vec();
        let mut lines = Lines::new(io::Cursor::new(input), 16);
        let mut bytes = Vec::new();
        let mut read = Vec::new();
        while let Some(line) = lines.next(&mut bytes).expect("read") {
            read.push(line);
        }
        assert_eq!(
            read,
            [
                Line::Text {
                    number: 2,
                    bom: true
                },
                Line::Text {
                    number: 4,
                    bom: false
                },
                Line::Text {
                    number: 5,
                    bom: false
                },
            ]
        );
        assert_eq!(bytes, b"{\"a\":1}{\"b\":2}\xEF\xBB\xBF3");
    }

    #[test]
    fn a_line_over_the_limit_is_not_kept() {
        let mut lines = Lines::new(io::Cursor::new(b"12345\r\n123456\n1".to_vec()), 5);
        let mut bytes = Vec::new();
        let first = lines.next(&mut bytes).expect("read");
        assert_eq!(
            first,
            Some(Line::Text {
                number: 1,
                bom: false
            })
        );
        let second = lines.next(&mut bytes).expect("read");
        assert_eq!(
            second,
            Some(Line::TooLong {
                number: 2,
                read: 6,
                ended: true
            })
        );
        assert_eq!(bytes, b"12345");
        let mut endless = Lines::new(io::BufReader::new(io::repeat(b'x')), 1 << 10);
        bytes.clear();
        assert!(matches!(
            endless.next(&mut bytes).expect("read"),
            Some(Line::TooLong { ended: false, .. })
        ));
        assert!(bytes.is_empty());
    }
}
