//! Text that came from outside, made safe for a terminal and a one-line log.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every character that could move the cursor, end the line,
/// start an escape sequence or reorder what follows (C0 and C1 controls,
/// DEL, the Unicode bidirectional controls, line and paragraph separators)
/// written as `\u{..}`, and backslashes doubled so the escapes cannot be
/// forged. Unchanged, and not copied, when there is nothing to escape.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
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
        if c == '\\' {
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

/// A multi-line message of ours that may quote outside text (an error),
/// safe for a terminal: controls other than the line breaks between its
/// lines are written as `\u{..}`, backslashes kept as they are (the
/// message's own, such as a parser's `\u0000`, stay readable).
pub fn message_safe(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c != '\\' && c != '\n' && needs_escape(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\\' && c != '\n' && needs_escape(c) {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `error` and its sources, joined with `: ` as `anyhow` prints a chain.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A file's name as [`terminal_safe`] shows it: a name from a directory
/// being read (or a command line) may hold a newline or an escape sequence,
/// and would otherwise forge a line of output or drive the terminal.
pub fn path(path: &std::path::Path) -> String {
    terminal_safe(&path.display().to_string()).into_owned()
}

/// A JSON formatter that also writes as `\uXXXX` the characters JSON lets
/// through raw but a terminal obeys: DEL, the C1 controls, the Unicode
/// bidirectional controls and the line and paragraph separators (JSON
/// already escapes the C0 controls). What the text means is unchanged: any
/// JSON reader gets the same characters back.
struct TerminalSafeJson;

impl serde_json::ser::Formatter for TerminalSafeJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if u32::from(c) >= 0x7f && needs_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every such character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Writes `value` as one line of compact JSON, newline included, every
/// character a terminal would obey escaped (see [`TerminalSafeJson`]): for
/// JSON lines that quote outside text and may be read on a terminal.
pub fn json_line<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, TerminalSafeJson);
    // Serialising to a `Vec` fails only for a map with non-string keys,
    // which none of ours has.
    let _ = value.serialize(&mut serializer);
    out.push(b'\n');
}

fn needs_escape(c: char) -> bool {
    c == '\\' || whereby_webhooks_conformance::is_terminal_control(c)
}

#[cfg(test)]
mod tests {
    use super::*;

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
                .chars()
                .any(|c| c != '\n' && needs_escape(c) && c != '\\')
        );
        let read: serde_json::Value = serde_json::from_slice(&line).expect("JSON");
        assert_eq!(read["path"], text);
    }

    #[test]
    fn printable_ascii_is_kept_and_every_other_byte_checked() {
        let printable: String = (b' '..=b'~').map(char::from).collect();
        assert_eq!(terminal_safe(&printable), printable.replace('\\', "\\\\"));
        for c in ['\x7f', '\x1f', '\u{85}', '\u{2028}', '\u{e9}'] {
            let text = format!("ok{c}");
            let expected = if needs_escape(c) {
                format!("ok\\u{{{:x}}}", u32::from(c))
            } else {
                text.clone()
            };
            assert_eq!(terminal_safe(&text), expected, "{c:?}");
        }
    }

    #[test]
    fn controls_are_escaped() {
        assert!(matches!(
            terminal_safe("room.client.joined"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            terminal_safe("x\n2099 200 ok\x1b[2J\x1b]0;t\x07\u{9b}\u{202e}\\u{a}"),
            "x\\u{a}2099 200 ok\\u{1b}[2J\\u{1b}]0;t\\u{7}\\u{9b}\\u{202e}\\\\u{a}"
        );
    }
}
