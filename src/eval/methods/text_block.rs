//! The String methods Java 12 to 15 added for text blocks: `indent`,
//! `stripIndent` and `translateEscapes`. They work line by line, with
//! Java's line terminators (`\n`, `\r`, `\r\n`) and `Character.isWhitespace`.

use super::string::java_whitespace;

/// `String.lines()`: the lines of `s` without their terminators; a final
/// terminator ends the last line instead of starting an empty one.
fn lines(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        let terminator = match (b, bytes.get(i + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\n' | b'\r', _) => 1,
            _ => 0,
        };
        if terminator == 0 {
            i += 1;
            continue;
        }
        out.push(s.get(start..i).unwrap_or(""));
        i += terminator;
        start = i;
    }
    if start < s.len() {
        out.push(s.get(start..).unwrap_or(""));
    }
    out
}

/// How many white-space characters `line` starts with. White space is in
/// the Basic Multilingual Plane, so this is also its length in UTF-16 units.
fn leading_whitespace(line: &str) -> usize {
    line.chars().take_while(|c| java_whitespace(*c)).count()
}

/// `line` without its first `n` characters.
fn skip_chars(line: &str, n: usize) -> &str {
    let at = line.char_indices().nth(n).map_or(line.len(), |(i, _)| i);
    line.get(at..).unwrap_or("")
}

/// `String.indent(n)`: `n` spaces added before each line, or up to `-n`
/// white-space characters taken from its start; every line then ends with
/// `\n`. `Err` when the result would pass `max_len` bytes (Java runs out
/// of memory).
pub(super) fn indent(s: &str, n: i64, max_len: usize) -> Result<String, String> {
    let lines = lines(s);
    let added = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
    let len = added
        .saturating_add(1)
        .saturating_mul(lines.len())
        .saturating_add(s.len());
    if len > max_len {
        return Err(format!("OutOfMemoryError: indent({n}) result too long"));
    }
    let mut out = String::with_capacity(len);
    for line in lines {
        if n > 0 {
            out.extend(std::iter::repeat(' ').take(added));
            out.push_str(line);
        } else {
            let drop = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
            out.push_str(skip_chars(line, drop.min(leading_whitespace(line))));
        }
        out.push('\n');
    }
    Ok(out)
}

/// `String.stripIndent()`: the indentation the lines share taken away, and
/// white space at the end of each line. A last line of only white space
/// counts towards the shared indentation; a string ending with a line
/// terminator shares none (Java's opt-out), and keeps a final `\n`.
pub(super) fn strip_indent(s: &str) -> String {
    let Some(last) = s.chars().last() else {
        return String::new();
    };
    let opt_out = matches!(last, '\n' | '\r');
    let lines = lines(s);
    let outdent = if opt_out {
        0
    } else {
        let mut outdent = lines
            .iter()
            .filter(|l| !l.chars().all(java_whitespace))
            .map(|l| leading_whitespace(l))
            .min()
            .unwrap_or(usize::MAX);
        if let Some(last) = lines.last().filter(|l| l.chars().all(java_whitespace)) {
            outdent = outdent.min(last.chars().count());
        }
        outdent
    };
    let mut out = String::with_capacity(s.len());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_end_matches(java_whitespace);
        if !trimmed.is_empty() {
            out.push_str(skip_chars(trimmed, outdent.min(leading_whitespace(line))));
        }
    }
    if opt_out {
        out.push('\n');
    }
    out
}

/// `String.translateEscapes()`: the escapes of a Java string literal
/// (`\n`, `\s`, octal `\0`–`\377`, an escaped line end that joins two
/// lines, …) replaced by what they stand for. `Err` is the message of the
/// IllegalArgumentException an unknown escape throws.
pub(super) fn translate_escapes(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().unwrap_or('\0');
        let translated = match e {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            's' => ' ',
            't' => '\t',
            '\'' | '"' | '\\' => e,
            '0'..='7' => {
                // Three digits at most, and only when the first is 0–3.
                let more = if e <= '3' { 2 } else { 1 };
                let mut code = e as u32 - '0' as u32;
                for _ in 0..more {
                    match chars.peek() {
                        Some(d @ '0'..='7') => {
                            code = (code << 3) | (*d as u32 - '0' as u32);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                char::from_u32(code).unwrap_or('\0')
            }
            '\n' => continue,
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                continue;
            }
            other => {
                let unit = other
                    .encode_utf16(&mut [0; 2])
                    .first()
                    .copied()
                    .unwrap_or(0);
                let shown = char::from_u32(u32::from(unit)).unwrap_or('?');
                return Err(format!(
                    "IllegalArgumentException: Invalid escape sequence: \\{shown} \\\\u{unit:04X}"
                ));
            }
        };
        out.push(translated);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_every_java_terminator() {
        assert_eq!(lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\n"), ["a"]);
        assert_eq!(lines("\n\n"), ["", ""]);
        assert!(lines("").is_empty());
    }

    #[test]
    fn indent_adds_or_takes_white_space_and_ends_lines() {
        let max = 1 << 20;
        assert_eq!(indent("a\r\n  b", 2, max).unwrap(), "  a\n    b\n");
        assert_eq!(indent("   a\n b\nc", -2, max).unwrap(), " a\nb\nc\n");
        assert_eq!(indent("a", 0, max).unwrap(), "a\n");
        assert_eq!(indent("", 3, max).unwrap(), "");
        assert!(indent("a\nb", 1 << 40, max).is_err());
    }

    #[test]
    fn strip_indent_takes_the_shared_indentation() {
        assert_eq!(strip_indent("    a\n      b  \n    "), "a\n  b\n");
        assert_eq!(strip_indent("  a\n    b\n"), "  a\n    b\n");
        assert_eq!(strip_indent("  a\n \t \n  b"), "a\n\nb");
    }

    #[test]
    fn translate_escapes_reads_java_literal_escapes() {
        assert_eq!(
            translate_escapes(r"a\tb\s\101\0\377x").unwrap(),
            "a\tb A\0\u{ff}x"
        );
        assert_eq!(translate_escapes("a\\\nb").unwrap(), "ab");
        assert_eq!(translate_escapes(r"\477").unwrap(), "'7");
        assert!(translate_escapes(r"\q").is_err());
        assert!(translate_escapes("end\\").is_err());
    }
}
