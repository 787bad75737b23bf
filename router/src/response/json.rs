//! A small JSON writer that appends straight to an output buffer, shared by response shaping and by the
//! executor's subgraph request bodies. Writing to a `Vec<u8>` cannot fail, so nothing here returns a `Result`.

use std::fmt::Display;
use std::io::Write as _;

use serde_json::{Number, Value};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as a JSON string literal, quotes included.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[clean_from..index]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0x0f)]);
                clean_from = index + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[clean_from..index]);
        out.extend_from_slice(escape);
        clean_from = index + 1;
    }
    out.extend_from_slice(&bytes[clean_from..]);
    out.push(b'"');
}

/// Appends `"key":` for an object member.
pub(crate) fn write_key(out: &mut Vec<u8>, key: &str) {
    write_str(out, key);
    out.push(b':');
}

/// Appends a JSON number in its shortest exact form.
pub(crate) fn write_number(out: &mut Vec<u8>, number: &Number) {
    write_display(out, number);
}

/// Appends anything whose `Display` form is valid JSON (numbers, integers).
pub(crate) fn write_display(out: &mut Vec<u8>, value: impl Display) {
    // Writing into a Vec<u8> only fails on allocation failure, which aborts instead of returning an error.
    let _ = write!(out, "{value}");
}

/// Appends any JSON value.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(out, number),
        Value::String(text) => write_str(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            out.push(b'{');
            for (index, (key, member)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_key(out, key);
                write_value(out, member);
            }
            out.push(b'}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn string_literal(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).expect("the writer emits UTF-8")
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_control_characters() {
        let text = "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}j é 🦀";
        let literal = string_literal(text);
        assert_eq!(literal, r#""a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj é 🦀""#);
        let back: String = serde_json::from_str(&literal).expect("the literal is valid JSON");
        assert_eq!(back, text);
    }

    #[test]
    fn values_round_trip_through_serde_json() {
        let value = json!({"a": [1, -2, 3.5, 1e300, true, false, null], "b": {"c": "x\"y"}, "": []});
        let mut out = Vec::new();
        write_value(&mut out, &value);
        let back: Value = serde_json::from_slice(&out).expect("the output is valid JSON");
        assert_eq!(back, value);
    }
}
