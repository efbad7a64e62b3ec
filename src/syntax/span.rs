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

impl VelocityCursor {
    /// The 1-based line and column Velocity's parser gives the character at
    /// `offset` of `source` (what `$foreach.info` prints).
    pub fn line_col(&mut self, source: &str, offset: usize) -> (u32, u32) {
        if offset < self.offset {
            *self = VelocityCursor::default();
        }
        let bytes = source.as_bytes();
        let from = self.offset;
        for (i, c) in source.get(from..offset).unwrap_or("").char_indices() {
            let (line, column) = (self.line, self.column);
            (self.line, self.column) = match c {
                '\n' => (line.saturating_add(1), 1),
                // The `\r` of a `\r\n` leaves the ending to the `\n`.
                '\r' if bytes.get(from + i + 1) == Some(&b'\n') => (line, column),
                '\r' => (line.saturating_add(1), 1),
                '\t' => (
                    line,
                    ((column - 1) / 8 + 1).saturating_mul(8).saturating_add(1),
                ),
                c => (line, column.saturating_add(c.len_utf16() as u32)),
            };
        }
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
    fn a_cursor_moves_forward_and_restarts_for_earlier_offsets() {
        let src = "ab\n\tc\nd";
        let mut cursor = VelocityCursor::default();
        assert_eq!(cursor.line_col(src, 4), (2, 9));
        assert_eq!(cursor.line_col(src, 6), (3, 1));
        assert_eq!(cursor.line_col(src, 1), (1, 2));
        assert_eq!(cursor.line_col(src, 4), (2, 9));
    }
}
