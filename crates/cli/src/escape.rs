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

fn needs_escape(c: char) -> bool {
    c == '\\' || whereby_webhooks_conformance::is_terminal_control(c)
}

#[cfg(test)]
mod tests {
    use super::*;

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
