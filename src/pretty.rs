//! Re-indenting JSON output for reading (`render --pretty`).
//!
//! The point of a preview is to show what API Gateway sends, so only the
//! layout changes: every key, number and string stays exactly as the
//! template wrote it. Re-serializing a parsed value would rewrite escapes
//! (`"\/"`, `"\u00e9"`) and collapse duplicate keys, hiding the very
//! mistakes a user looks for.

/// `text` laid out two spaces per level with a final newline, when it is
/// one valid JSON value; `None` when it is not JSON, or when the layout
/// would pass `limit` bytes (many deep, short elements gain more
/// indentation than they have text).
pub fn reindent_json(text: &str, limit: usize) -> Option<String> {
    // Validation only, building nothing: a parsed tree of a 64 MiB output
    // took gigabytes. Duplicate keys and big numbers pass.
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let bytes = text.as_bytes();
    let mut out = Layout {
        text: String::with_capacity(text.len() + text.len() / 2),
        depth: 0,
        limit,
    };
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                let end = string_end(bytes, i)?;
                out.text.push_str(text.get(i..end)?);
                i = end;
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let next = skip_blanks(bytes, i + 1);
                out.text.push(char::from(c));
                if bytes.get(next) == Some(&close) {
                    // Empty: `{}` and `[]` stay on one line.
                    out.text.push(char::from(close));
                    i = next + 1;
                } else {
                    out.depth += 1;
                    out.new_line()?;
                    i += 1;
                }
            }
            b'}' | b']' => {
                out.depth = out.depth.saturating_sub(1);
                out.new_line()?;
                out.text.push(char::from(c));
                i += 1;
            }
            b',' => {
                out.text.push(',');
                out.new_line()?;
                i += 1;
            }
            b':' => {
                out.text.push_str(": ");
                i += 1;
            }
            // A number, `true`, `false` or `null`, as written.
            _ => {
                let end = scalar_end(bytes, i);
                out.text.push_str(text.get(i..end)?);
                i = end;
            }
        }
    }
    out.text.push('\n');
    (out.text.len() <= limit).then_some(out.text)
}

/// The re-indented text so far.
struct Layout {
    text: String,
    depth: usize,
    limit: usize,
}

impl Layout {
    /// Start a line at the current depth; `None` past the size limit.
    fn new_line(&mut self) -> Option<()> {
        if self.text.len() + 1 + 2 * self.depth > self.limit {
            return None;
        }
        self.text.push('\n');
        for _ in 0..self.depth {
            self.text.push_str("  ");
        }
        Some(())
    }
}

/// One past the closing quote of the string opening at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The end of the number or literal starting at `start`.
fn scalar_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(b) = bytes.get(i) {
        if matches!(b, b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// The first byte at or after `i` that is not JSON whitespace.
fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::reindent_json;

    fn pretty(text: &str) -> Option<String> {
        reindent_json(text, 1 << 20)
    }

    #[test]
    fn lays_out_objects_and_arrays_two_spaces_a_level() {
        assert_eq!(
            pretty(r#" {"a":[1, 2],"b" : {"c":null}, "d":[], "e":{ }} "#).as_deref(),
            Some("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {\n    \"c\": null\n  },\n  \"d\": [],\n  \"e\": {}\n}\n")
        );
        assert_eq!(pretty("\"x\"").as_deref(), Some("\"x\"\n"));
        assert_eq!(pretty("true").as_deref(), Some("true\n"));
    }

    #[test]
    fn keeps_keys_numbers_and_escapes_as_written() {
        assert_eq!(
            pretty(r#"{"a":1e999,"a":1.50,"s":"\/ {x, y: [z]} \"q\" \u00e9 \\"}"#).as_deref(),
            Some("{\n  \"a\": 1e999,\n  \"a\": 1.50,\n  \"s\": \"\\/ {x, y: [z]} \\\"q\\\" \\u00e9 \\\\\"\n}\n")
        );
        // Non-ASCII text in strings is copied as it is.
        assert_eq!(
            pretty("[\"é\",\"😀\"]").as_deref(),
            Some("[\n  \"é\",\n  \"😀\"\n]\n")
        );
    }

    #[test]
    fn refuses_what_is_not_one_json_value() {
        for text in [
            "",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "[1 2]",
            "{'a':1}",
            "NaN",
            "hello",
        ] {
            assert_eq!(pretty(text), None, "{text:?}");
        }
    }

    #[test]
    fn refuses_a_layout_past_the_limit() {
        let deep = format!("{}0{}", "[".repeat(50), "]".repeat(50));
        assert!(reindent_json(&deep, 1 << 20).is_some());
        assert_eq!(reindent_json(&deep, 1000), None);
    }
}
