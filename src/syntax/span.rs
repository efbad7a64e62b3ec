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

/// Where Velocity's lines start in a source: `\n`, `\r\n` and a lone `\r`
/// each end a line (JavaCC's character stream). Built once, it gives any
/// number of positions without rescanning the source from its start.
#[derive(Debug, Clone)]
pub struct VelocityLines {
    starts: Vec<usize>,
}

impl VelocityLines {
    /// The line starts of `source`.
    pub fn new(source: &str) -> VelocityLines {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        VelocityLines { starts }
    }

    /// The 1-based line and column Velocity's parser gives the character at
    /// `offset` of `source` (what `$foreach.info` prints): columns count
    /// UTF-16 units, and a tab moves to the next multiple of 8.
    pub fn line_col(&self, source: &str, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let mut column = 1u32;
        for c in source.get(start..offset).unwrap_or("").chars() {
            column = match c {
                '\t' => ((column - 1) / 8 + 1).saturating_mul(8).saturating_add(1),
                // The `\r` of a `\r\n` before `offset`'s `\n`.
                '\r' => column,
                c => column.saturating_add(c.len_utf16() as u32),
            };
        }
        (u32::try_from(line).unwrap_or(u32::MAX), column)
    }
}

#[cfg(test)]
mod tests {
    use super::VelocityLines;

    fn velocity_line_col(source: &str, offset: usize) -> (u32, u32) {
        VelocityLines::new(source).line_col(source, offset)
    }

    #[test]
    fn velocity_counts_tabs_to_stops_and_utf16_units() {
        assert_eq!(velocity_line_col("\t#", 1), (1, 9));
        assert_eq!(velocity_line_col("   \t #", 5), (1, 10));
        assert_eq!(velocity_line_col("é😀#", "é😀".len()), (1, 4));
        assert_eq!(velocity_line_col("a\r\n\rb", 4), (3, 1));
    }
}
