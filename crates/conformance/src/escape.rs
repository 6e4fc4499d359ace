//! Text from outside (a payload, a header, a file name, a receiver's
//! answer), made safe for a terminal and a one-line log: every escaping in
//! the workspace goes through this module.
//!
//! **The rule.** Every character [`is_terminal_control`] names (anything
//! that could move the cursor, end a line, start an escape sequence or
//! reorder what follows) is written as an escape, and nothing else changes,
//! in two forms:
//!
//! * text, for a terminal or a plain log: `\u{hex}`, as Rust writes it.
//!   Outside text shown as it is ([`terminal_safe`], [`path`]) also has its
//!   backslashes doubled, so that `\u{1b}` on the screen always stands for
//!   an escaped character and a sender cannot forge one. A message that
//!   quotes outside text ([`message_safe`], [`lines_safe`]) keeps its
//!   backslashes: they are its own (a parser's `\u0000`) or escapes already
//!   made when the outside text was quoted. Outside text between double
//!   quotes ([`quoted_safe`]) has its double quotes written `\"` as well, so
//!   that the end of the quotation cannot be forged either.
//! * JSON, for a JSON line ([`json_line`]): `\uXXXX`, which JSON readers read
//!   back as the same character, so the value is unchanged.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` could move the cursor, end a line, start an escape sequence
/// or reorder the text that follows it on a terminal: the C0 and C1
/// controls, DEL, the Unicode bidirectional controls (the marks ALM, LRM and
/// RLM, the embeddings, overrides and isolates) and the line and paragraph
/// separators. Every escaping of outside text uses this one test.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Outside text shown as it is, on one line: every terminal control written
/// as `\u{..}` and backslashes doubled. Unchanged, and not copied, when
/// there is nothing to escape.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    escape(text, Backslashes::Doubled, LineFeeds::Escaped)
}

/// Outside text to be shown between double quotes, on one line: as
/// [`terminal_safe`], and every double quote written `\"`.
pub fn quoted_safe(text: &str) -> Cow<'_, str> {
    match terminal_safe(text) {
        Cow::Borrowed(plain) if !plain.contains('"') => Cow::Borrowed(plain),
        escaped => Cow::Owned(escaped.replace('"', "\\\"")),
    }
}

/// A message that quotes outside text, on one line: every terminal control
/// written as `\u{..}`, backslashes kept.
pub fn message_safe(text: &str) -> Cow<'_, str> {
    escape(text, Backslashes::Kept, LineFeeds::Escaped)
}

/// A message of several lines (an error with its usage, say) that quotes
/// outside text: as [`message_safe`], but the line feeds between its lines
/// are kept.
pub fn lines_safe(text: &str) -> Cow<'_, str> {
    escape(text, Backslashes::Kept, LineFeeds::Kept)
}

/// A file's name as [`terminal_safe`] shows it: a name from a directory
/// being read (or a command line) may hold a newline or an escape sequence,
/// and would otherwise forge a line of output or drive the terminal.
pub fn path(path: &std::path::Path) -> String {
    terminal_safe(&path.display().to_string()).into_owned()
}

/// Writes `value` as one line of compact JSON, newline included, with every
/// terminal control as `\uXXXX`: JSON escapes the C0 controls itself, and
/// lets DEL, the C1 controls, the bidirectional controls and the line and
/// paragraph separators through raw, which a terminal showing the line
/// would obey.
pub fn json_line<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, TerminalSafeJson);
    // Serialising to a `Vec` fails only for a map with non-string keys,
    // which no caller's value has.
    let _ = value.serialize(&mut serializer);
    out.push(b'\n');
}

#[derive(Clone, Copy, PartialEq)]
enum Backslashes {
    Doubled,
    Kept,
}

#[derive(Clone, Copy, PartialEq)]
enum LineFeeds {
    Escaped,
    Kept,
}

/// The rule, for text.
fn escape(text: &str, backslashes: Backslashes, line_feeds: LineFeeds) -> Cow<'_, str> {
    let needs_escape = |c: char| {
        (c == '\\' && backslashes == Backslashes::Doubled)
            || (is_terminal_control(c) && !(c == '\n' && line_feeds == LineFeeds::Kept))
    };
    // Printable ASCII other than the backslash, the common case, is checked
    // a byte at a time.
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'\\')
        || !text.chars().any(needs_escape)
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' && needs_escape(c) {
            out.push_str("\\\\");
        } else if needs_escape(c) {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The rule, for JSON: a formatter that also writes as `\uXXXX` the
/// terminal controls JSON lets through raw. What the text means is
/// unchanged: any JSON reader gets the same characters back.
struct TerminalSafeJson;

impl serde_json::ser::Formatter for TerminalSafeJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if u32::from(c) >= 0x7f && is_terminal_control(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every such character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROLS: [char; 12] = [
        '\u{1b}', '\u{7}', '\n', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}', '\u{2028}',
        '\u{2029}', '\u{200f}', '\u{61c}', '\u{85}',
    ];

    /// Values from a payload reach validate's and listen's lines through
    /// this: bidi controls and line separators are escaped with the C0/C1
    /// controls, printable text is kept.
    #[test]
    fn every_terminal_control_is_escaped_in_every_form() {
        for c in CONTROLS {
            let text = format!("a{c}b");
            let escaped = format!("a\\u{{{:x}}}b", u32::from(c));
            assert_eq!(terminal_safe(&text), escaped, "{c:?}");
            assert_eq!(message_safe(&text), escaped, "{c:?}");
            if c != '\n' {
                assert_eq!(lines_safe(&text), escaped, "{c:?}");
            }
        }
        assert_eq!(lines_safe("a\nb\u{1b}"), "a\nb\\u{1b}");
        for text in ["ok é 日本", "room.client.joined"] {
            assert!(matches!(terminal_safe(text), Cow::Borrowed(_)));
            assert!(matches!(message_safe(text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn escapes_cannot_be_forged_in_outside_text() {
        assert_eq!(
            terminal_safe("x\n2099 200 ok\x1b[2J\x1b]0;t\x07\u{9b}\u{202e}\\u{a}"),
            "x\\u{a}2099 200 ok\\u{1b}[2J\\u{1b}]0;t\\u{7}\\u{9b}\\u{202e}\\\\u{a}"
        );
        // A message's own backslashes, and escapes already made, are kept.
        assert_eq!(message_safe("a \\u0000 b\u{1b}"), "a \\u0000 b\\u{1b}");
        assert_eq!(path(std::path::Path::new("a\\b\nc")), "a\\\\b\\u{a}c");
        // Nor can the end of a quotation.
        assert_eq!(quoted_safe(r#"\u{1b} " and \"#), r#"\\u{1b} \" and \\"#);
        assert!(matches!(quoted_safe("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn printable_ascii_is_kept_and_every_other_byte_checked() {
        let printable: String = (b' '..=b'~').map(char::from).collect();
        assert_eq!(terminal_safe(&printable), printable.replace('\\', "\\\\"));
        assert_eq!(message_safe(&printable), printable);
        for c in ['\x7f', '\x1f', '\u{85}', '\u{2028}', '\u{e9}'] {
            let text = format!("ok{c}");
            let expected = if is_terminal_control(c) {
                format!("ok\\u{{{:x}}}", u32::from(c))
            } else {
                text.clone()
            };
            assert_eq!(terminal_safe(&text), expected, "{c:?}");
        }
    }

    #[test]
    fn json_lines_escape_what_a_terminal_obeys_and_read_back_the_same() {
        let text = "a\u{9b}2J\u{202e}b\u{2028}c\u{7f}d\u{e9}\u{1b}[0m\\";
        let mut line = Vec::new();
        json_line(&serde_json::json!({ "path": text }), &mut line);
        let written = String::from_utf8(line.clone()).expect("UTF-8");
        assert_eq!(
            written,
            "{\"path\":\"a\\u009b2J\\u202eb\\u2028c\\u007fd\u{e9}\\u001b[0m\\\\\"}\n"
        );
        assert!(
            !written
                .trim_end_matches('\n')
                .chars()
                .any(is_terminal_control)
        );
        let read: serde_json::Value = serde_json::from_slice(&line).expect("JSON");
        assert_eq!(read["path"], text);
    }

    #[test]
    fn each_class_is_escaped_and_nothing_else() {
        for c in [
            '\u{0}', '\u{1b}', '\n', '\u{7f}', '\u{85}', '\u{9b}', '\u{200e}', '\u{200f}',
            '\u{2028}', '\u{2029}', '\u{202a}', '\u{202c}', '\u{202e}', '\u{2066}', '\u{2069}',
        ] {
            let text = format!("a{c}b");
            assert_eq!(
                terminal_safe(&text),
                format!("a\\u{{{:x}}}b", u32::from(c)),
                "{c:?}"
            );
        }
        // Neighbours of the escaped ranges, and ordinary text, stay as they are.
        for text in [
            "plain",
            "é ü 日本",
            "\u{200d}",
            "\u{2027}",
            "\u{202f}",
            "\u{2065}",
            "\u{206a}",
        ] {
            assert_eq!(terminal_safe(text), text, "{text:?}");
        }
        // A name that spells an escape is told from one that holds it.
        assert_eq!(terminal_safe("a\\u{1b}b"), "a\\\\u{1b}b");
        assert_eq!(terminal_safe("a\u{1b}b"), "a\\u{1b}b");
    }
}
