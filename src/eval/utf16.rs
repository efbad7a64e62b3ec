//! Java strings are sequences of UTF-16 units: `substring` and `charAt` can
//! cut a surrogate pair, and the halves live on until output, where Java's
//! encoder joins adjacent halves back into one character and writes a lone
//! one as `?`. A Rust string cannot hold a lone surrogate, so one is kept
//! as a stand-in from the end of Supplementary Private Use Area-B
//! (U+10F800 + the unit's offset from U+D800), which only this module
//! creates and reads.

/// The first stand-in character; the range is 2,048 wide.
const BASE: u32 = 0x10_F800;

fn stand_in(unit: u16) -> char {
    char::from_u32(BASE + u32::from(unit) - 0xD800).unwrap_or('?')
}

fn surrogate_of(c: char) -> Option<u16> {
    let c = u32::from(c);
    (BASE..BASE + 0x800)
        .contains(&c)
        .then(|| (c - BASE + 0xD800) as u16)
}

/// The two halves of a character beyond the BMP, as stand-ins; `None` for
/// a BMP character and for a stand-in, which is one half already.
pub(crate) fn halves(c: char) -> Option<[char; 2]> {
    if surrogate_of(c).is_some() {
        return None;
    }
    let mut buf = [0u16; 2];
    match *c.encode_utf16(&mut buf) {
        [high, low] => Some([stand_in(high), stand_in(low)]),
        _ => None,
    }
}

/// The UTF-16 units Java sees in `s`.
pub(crate) fn units(s: &str) -> impl Iterator<Item = u16> + '_ {
    s.chars().flat_map(|c| {
        let mut buf = [0u16; 2];
        let (n, first, second) = match surrogate_of(c) {
            Some(u) => (1, u, 0),
            None => {
                let enc = c.encode_utf16(&mut buf);
                (
                    enc.len(),
                    enc.first().copied().unwrap_or(0),
                    enc.get(1).copied().unwrap_or(0),
                )
            }
        };
        [first, second].into_iter().take(n)
    })
}

/// `String.length()`.
pub(crate) fn len(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if surrogate_of(c).is_some() {
                1
            } else {
                c.len_utf16()
            }
        })
        .sum()
}

/// A string from UTF-16 units; unpaired surrogates become stand-ins.
pub(crate) fn from_units(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or_else(|e| stand_in(e.unpaired_surrogate())))
        .collect()
}

/// Whether `s` holds a lone surrogate.
pub(crate) fn has_lone_surrogate(s: &str) -> bool {
    // Stand-ins encode as F4 8F A0..BF xx in UTF-8. Nearly all text has no
    // F4 byte at all: ASCII text (most output), which the standard library
    // tests a word at a time without memchr's setup, or else memchr says so.
    let bytes = s.as_bytes();
    if s.is_ascii() || memchr::memchr(0xF4, bytes).is_none() {
        return false;
    }
    bytes
        .windows(3)
        .any(|w| w[0] == 0xF4 && w[1] == 0x8F && (0xA0..=0xBF).contains(&w[2]))
}

/// `s` with adjacent halves joined back into one character, as they are
/// one in Java.
pub(crate) fn rejoin(s: String) -> String {
    if has_lone_surrogate(&s) {
        from_units(&units(&s).collect::<Vec<_>>())
    } else {
        s
    }
}

/// What Java's UTF-8 encoder writes: adjacent halves joined, a lone one as
/// `?`. Also what `getBytes("UTF-8")` and `URLEncoder` see.
pub(crate) fn encode_for_output(s: &str) -> String {
    let units: Vec<u16> = units(s).collect();
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('?'))
        .collect()
}

/// Replace stand-ins in rendered output, in place when there are none.
pub(crate) fn finish_output(out: &mut String) {
    if has_lone_surrogate(out) {
        *out = encode_for_output(out);
    }
}

/// Bytes decoded as UTF-8 the way Java's decoder does, replacing malformed
/// input with U+FFFD. Java differs from `String::from_utf8_lossy` in one
/// place: an encoded surrogate (`ED A0..BF ..`) is a single malformed
/// sequence of three bytes, or two when the third is not a continuation.
pub(crate) fn decode_utf8_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let continuation = |b: Option<&u8>| b.is_some_and(|b| (0x80..=0xBF).contains(b));
                let skip = match bad {
                    [0xED, b2, ..] if (0xA0..=0xBF).contains(b2) => {
                        if continuation(bad.get(2)) {
                            3
                        } else {
                            2
                        }
                    }
                    _ => e.error_len().unwrap_or(bad.len()).max(1),
                };
                out.push('\u{FFFD}');
                rest = bad.get(skip..).unwrap_or_default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_malformed_utf8_as_java() {
        assert_eq!(decode_utf8_lossy(b"\xed\xa0\x80x"), "\u{FFFD}x");
        assert_eq!(decode_utf8_lossy(b"\xed\xa0Ax"), "\u{FFFD}Ax");
        assert_eq!(decode_utf8_lossy(b"caf\xe9"), "caf\u{FFFD}");
        assert_eq!(decode_utf8_lossy(b"\xc0\x80"), "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn halves_survive_until_output() {
        let emoji: Vec<u16> = "a\u{1F600}b".encode_utf16().collect();
        let left = from_units(&emoji[..2]);
        let right = from_units(&emoji[2..]);
        assert_eq!(len(&left), 2);
        assert_eq!(units(&left).collect::<Vec<_>>(), emoji[..2].to_vec());
        assert_eq!(encode_for_output(&left), "a?");
        let mut joined = format!("{left}{right}");
        finish_output(&mut joined);
        assert_eq!(joined, "a\u{1F600}b");
    }
}
