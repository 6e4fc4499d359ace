//! The serialisations receivers make of a JSON body after parsing it: the
//! usual cause of a signature that does not match, tried by
//! [`crate::diagnose`] and sent by `check-receiver` as probes.

use serde::Serialize as _;
use serde_json::Value;

/// As JavaScript's `JSON.stringify(value)` writes it: compact, and a number
/// with no fractional part written as an integer (`2367`, where serde_json
/// writes `2367.0`; `-0` as `0`).
pub fn json_stringify(value: &Value) -> Vec<u8> {
    write_with(value, JsFormatter)
}

/// As Python's `json.dumps(value)` writes it by default: `", "` between
/// items, `": "` after a key, and every character past ASCII as `\uXXXX`
/// (a surrogate pair past the Basic Multilingual Plane).
pub fn python_dumps(value: &Value) -> Vec<u8> {
    write_with(value, PythonFormatter)
}

fn write_with(value: &Value, formatter: impl serde_json::ser::Formatter) -> Vec<u8> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // A `Value` always serialises: its map keys are strings.
    let _ = value.serialize(&mut serializer);
    out
}

/// Numbers as JavaScript writes them; the rest compact.
struct JsFormatter;

impl serde_json::ser::Formatter for JsFormatter {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e21 {
            // `-0` is written `0`, as JavaScript does.
            let value = if value == 0.0 { 0.0 } else { value };
            write!(writer, "{value:.0}")
        } else {
            serde_json::ser::CompactFormatter.write_f64(writer, value)
        }
    }
}

/// Python's `json.dumps` defaults.
struct PythonFormatter;

/// `", "` before every item but the first.
fn separate<W: ?Sized + std::io::Write>(writer: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        writer.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separate(writer, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separate(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}
