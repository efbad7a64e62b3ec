//! Byte spans into the original template source.

use std::ops::Range;

/// A half-open byte range `start..end` into the template source.
///
/// Offsets are `u32`: templates larger than 4 GiB are refused before parsing
/// (API Gateway caps a template at 300 KB anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte of the span.
    pub start: u32,
    /// One past the last byte of the span.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The span as a `usize` range, for slicing with `str::get`.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column (in characters) for a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let mut line = 1;
    let mut line_start = 0;
    for (i, b) in source.bytes().enumerate().take(offset) {
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = source
        .get(line_start..offset)
        .map_or(offset - line_start, |s| s.chars().count())
        + 1;
    (line, col)
}

/// Velocity's line and column of offsets asked for in increasing order,
/// counted in one pass over the source: the parser asks for them in source
/// order, so a template costs one scan up to its last position, however
/// many are asked for. (An earlier offset restarts the count.)
///
/// Lines end at `\n`, `\r\n` and a lone `\r` (JavaCC's character stream);
/// columns count UTF-16 units, and a tab moves to the next multiple of 8.
#[derive(Debug, Clone)]
pub struct VelocityCursor {
    offset: usize,
    line: u32,
    column: u32,
}

impl Default for VelocityCursor {
    fn default() -> VelocityCursor {
        VelocityCursor {
            offset: 0,
            line: 1,
            column: 1,
        }
    }
}

/// 1 for the bytes that count other than one column each: tabs, carriage
/// returns and all of UTF-8's multi-byte sequences.
const PLAIN_BREAKERS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0x80;
    while b < 256 {
        t[b] = 1;
        b += 1;
    }
    t[b'\t' as usize] = 1;
    t[b'\r' as usize] = 1;
    t
};

impl VelocityCursor {
    /// The 1-based line and column Velocity's parser gives the character at
    /// `offset` of `source` (what `$foreach.info` prints).
    pub fn line_col(&mut self, source: &str, offset: usize) -> (u32, u32) {
        if offset < self.offset {
            *self = VelocityCursor::default();
        }
        let bytes = source.as_bytes();
        let from = self.offset;
        let seg = bytes.get(from..offset).unwrap_or_default();
        let (mut line, mut column) = (self.line, self.column);
        // Most text before a directive is ASCII without tabs or carriage
        // returns: its lines are its newlines, and the column counts the
        // bytes after the last one. One pass finds out and counts.
        let (mut breakers, mut newlines, mut after) = (0u8, 0u32, None);
        for (i, &b) in seg.iter().enumerate() {
            breakers |= PLAIN_BREAKERS[usize::from(b)];
            if b == b'\n' {
                newlines = newlines.saturating_add(1);
                after = Some(seg.len() - i);
            }
        }
        if breakers == 0 {
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            (line, column) = match after {
                Some(after) => (line.saturating_add(newlines), count(after)),
                None => (line, column.saturating_add(count(seg.len()))),
            };
            (self.line, self.column) = (line, column);
            self.offset = offset.max(from);
            return (line, column);
        }
        // Byte by byte: a UTF-8 continuation byte adds nothing, a 4-byte
        // sequence's lead two UTF-16 units, any other lead one.
        for (i, &b) in seg.iter().enumerate() {
            (line, column) = match b {
                b'\n' => (line.saturating_add(1), 1),
                // The `\r` of a `\r\n` leaves the ending to the `\n`.
                b'\r' if bytes.get(from + i + 1) == Some(&b'\n') => (line, column),
                b'\r' => (line.saturating_add(1), 1),
                b'\t' => (
                    line,
                    ((column - 1) / 8 + 1).saturating_mul(8).saturating_add(1),
                ),
                0x80..=0xBF => (line, column),
                0xF0..=0xFF => (line, column.saturating_add(2)),
                _ => (line, column.saturating_add(1)),
            };
        }
        (self.line, self.column) = (line, column);
        self.offset = offset.max(from);
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::VelocityCursor;

    fn velocity_line_col(source: &str, offset: usize) -> (u32, u32) {
        VelocityCursor::default().line_col(source, offset)
    }

    #[test]
    fn velocity_counts_tabs_to_stops_and_utf16_units() {
        assert_eq!(velocity_line_col("\t#", 1), (1, 9));
        assert_eq!(velocity_line_col("   \t #", 5), (1, 10));
        assert_eq!(velocity_line_col("é😀#", "é😀".len()), (1, 4));
        assert_eq!(velocity_line_col("a\r\n\rb", 4), (3, 1));
        assert_eq!(velocity_line_col("a\r\nb", 2), (1, 2));
    }

    #[test]
    fn plain_text_counts_newlines_and_the_bytes_after_the_last() {
        let src = "ab\ncd\n\nefg\th\n  é#";
        assert_eq!(velocity_line_col(src, 0), (1, 1));
        assert_eq!(velocity_line_col(src, 2), (1, 3));
        assert_eq!(velocity_line_col(src, 3), (2, 1));
        assert_eq!(velocity_line_col(src, 9), (4, 3));
        // One cursor asked in order: plain runs, then a tab, then UTF-8.
        let mut cursor = VelocityCursor::default();
        let at = |c: &mut VelocityCursor, s: &str| c.line_col(src, src.find(s).unwrap());
        assert_eq!(at(&mut cursor, "d"), (2, 2));
        assert_eq!(at(&mut cursor, "g"), (4, 3));
        assert_eq!(at(&mut cursor, "h"), (4, 9));
        assert_eq!(at(&mut cursor, "é"), (5, 3));
        assert_eq!(at(&mut cursor, "#"), (5, 4));
    }

    /// Velocity's rule applied one character at a time.
    fn char_by_char(source: &str, offset: usize) -> (u32, u32) {
        let (mut line, mut column) = (1, 1);
        for (i, c) in source[..offset].char_indices() {
            match c {
                '\n' => (line, column) = (line + 1, 1),
                '\r' if source.as_bytes().get(i + 1) == Some(&b'\n') => {}
                '\r' => (line, column) = (line + 1, 1),
                '\t' => column = ((column - 1) / 8 + 1) * 8 + 1,
                c => column += c.len_utf16() as u32,
            }
        }
        (line, column)
    }

    #[test]
    fn runs_between_tabs_and_line_ends_count_as_characters_do() {
        let src = "a\tbé\r\n\t😀x\r\ry\tz€\n\n\t\tend";
        for offset in (0..=src.len()).filter(|&i| src.is_char_boundary(i)) {
            assert_eq!(
                velocity_line_col(src, offset),
                char_by_char(src, offset),
                "at {offset}"
            );
        }
    }

    #[test]
    fn a_cursor_moves_forward_and_restarts_for_earlier_offsets() {
        let src = "ab\n\tc\nd";
        let mut cursor = VelocityCursor::default();
        assert_eq!(cursor.line_col(src, 4), (2, 9));
        assert_eq!(cursor.line_col(src, 6), (3, 1));
        assert_eq!(cursor.line_col(src, 1), (1, 2));
        assert_eq!(cursor.line_col(src, 4), (2, 9));
    }
}
