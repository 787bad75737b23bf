//! Writing JSON text directly, so response keys keep the order the operation selected them in.

use std::fmt::Write as _;

/// Appends `text` as a JSON string literal.
pub(super) fn string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut plain_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0x00..=0x1F => "",
            _ => continue,
        };
        // Every byte matched above is ASCII, so `at` is a character boundary.
        out.push_str(&text[plain_from..at]);
        if escaped.is_empty() {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escaped);
        }
        plain_from = at + 1;
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn escapes_what_json_requires_and_keeps_unicode() {
        let mut out = String::new();
        string(&mut out, "a\"b\\c\nd\u{1}é🙂");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é🙂""#);
        let parsed: String = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(parsed, "a\"b\\c\nd\u{1}é🙂");
    }
}
