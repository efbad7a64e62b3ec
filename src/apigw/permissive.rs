//! json-smart 2.2's permissive parser (`JSONParser.MODE_PERMISSIVE`), which
//! Jayway JsonPath uses to read a body for `$input.path`, `$input.json` and
//! `$util.parseJson`. It accepts much that is not JSON, and templates see
//! the result: text after the first value is ignored, keys and values may
//! be unquoted or single-quoted, commas may be missing or doubled, an
//! unknown escape vanishes. Written by hand because no JSON crate has these
//! rules; each one was measured against json-smart 2.2.
//!

use std::rc::Rc;

use super::doc::{Json, Map, Number};
use crate::eval::decimal::Decimal;

/// End of input, and json-smart's in-band end marker U+001A.
const EOI: u8 = 0x1a;

/// Nesting deeper than this fails the parse (Java overflows its stack far
/// below anything a body needs, somewhat deeper than this).
const MAX_DEPTH: usize = 1024;

/// The parser walks the UTF-8 bytes: every character json-smart treats
/// specially is ASCII, and no byte of a multi-byte character equals one,
/// so a non-ASCII character only ever passes through, as in json-smart.
/// Positions in messages count characters, as json-smart's do.
struct Parser<'s> {
    src: &'s str,
    s: &'s [u8],
    pos: usize,
    depth: usize,
    /// Object keys met so far, shared: the objects of an array repeat the
    /// same few keys, and one string for all of them spares an allocation
    /// (and a free) per key.
    keys: rustc_hash::FxHashMap<&'s str, Rc<str>>,
}

/// Most distinct keys shared in one body, and the longest.
const MAX_SHARED_KEYS: usize = 1024;
const MAX_SHARED_KEY_LEN: usize = 64;

fn is_ws1(c: u8) -> bool {
    matches!(c, b' ' | b'\r' | b'\n' | b'\t')
}

#[derive(Clone, Copy)]
enum Stop {
    Top,
    Value,
    Array,
    Key,
}

impl Stop {
    fn stops(self, c: u8) -> bool {
        c == EOI
            || match self {
                Stop::Top => false,
                Stop::Value => matches!(c, b',' | b'}'),
                Stop::Array => matches!(c, b',' | b']'),
                Stop::Key => c == b':',
            }
    }
}

/// Java's `String.trim`.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

impl<'s> Parser<'s> {
    fn c(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(EOI)
    }

    /// The character at byte `at`, for messages.
    fn char_at(&self, at: usize) -> char {
        self.src
            .get(at..)
            .and_then(|t| t.chars().next())
            .unwrap_or(EOI as char)
    }

    /// Byte offset `at` as json-smart's character position.
    fn char_pos(&self, at: usize) -> usize {
        self.src.get(..at).map_or(at, |t| t.chars().count())
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn read(&mut self) {
        self.pos += 1;
    }

    fn text(&self, from: usize, to: usize) -> &'s str {
        self.src.get(from..to.min(self.s.len())).unwrap_or_default()
    }

    fn skip_space(&mut self) {
        while self.c() <= b' ' && self.c() != EOI {
            self.read();
        }
    }

    fn skip_nq(&mut self, stop: Stop) {
        loop {
            let c = self.c();
            if c == EOI || (c < 126 && stop.stops(c)) {
                return;
            }
            self.read();
        }
    }

    /// An unquoted token up to a stop character, trimmed.
    fn nq(&mut self, stop: Stop) -> &'s str {
        let start = self.pos;
        self.skip_nq(stop);
        trim(self.text(start, self.pos))
    }

    /// "Unexpected character" at byte `at`, which starts a character.
    fn err_char(&self, at: usize) -> String {
        format!(
            "Unexpected character ({}) at position {}.",
            self.char_at(at),
            self.char_pos(at)
        )
    }

    /// "Unexpected End Of File" one character before byte `at`.
    fn err_eof_before(&self, at: usize, what: &str) -> String {
        self.err_eof_pos(self.char_pos(at).saturating_sub(1), what)
    }

    fn err_eof_pos(&self, pos: usize, what: &str) -> String {
        format!("Unexpected End Of File position {pos}: {what}")
    }

    fn value(&mut self, stop: Stop) -> Result<Json, String> {
        loop {
            let c = self.c();
            match c {
                c if is_ws1(c) && !self.at_end() => self.read(),
                b':' | b'}' | b']' => return Err(self.err_char(self.pos)),
                b'{' => return self.object(),
                b'[' => return self.array(),
                b'"' | b'\'' => return self.string(c),
                b'n' | b't' | b'f' | b'N' => {
                    let word = self.nq(stop);
                    return Ok(match word {
                        "null" => Json::Null,
                        "true" => Json::Bool(true),
                        "false" => Json::Bool(false),
                        "NaN" => Json::Number(Number::Double(f64::NAN)),
                        _ => Json::String(word.into()),
                    });
                }
                b'0'..=b'9' | b'-' => return self.number(stop),
                _ => return Ok(Json::String(self.nq(stop).into())),
            }
        }
    }

    fn number(&mut self, stop: Stop) -> Result<Json, String> {
        let start = self.pos;
        self.read();
        let digits = |p: &mut Parser| {
            while p.c().is_ascii_digit() {
                p.read();
            }
        };
        digits(self);
        let mut float = false;
        if self.c() == b'.' {
            float = true;
            self.read();
            digits(self);
        }
        if matches!(self.c(), b'e' | b'E') {
            float = true;
            self.read();
            if matches!(self.c(), b'+' | b'-') || self.c().is_ascii_digit() {
                self.read();
                digits(self);
            } else {
                self.skip_nq(stop);
                return Ok(Json::String(trim(self.text(start, self.pos)).into()));
            }
        }
        let end = self.pos;
        self.skip_space();
        let c = self.c();
        if c < 126 && !stop.stops(c) && c != EOI {
            self.skip_nq(stop);
            return Ok(Json::String(trim(self.text(start, self.pos)).into()));
        }
        let xs = trim(self.text(start, end));
        number_of(xs, float)
            .map(Json::Number)
            .ok_or_else(|| format!("NumberFormatException: For input string: \"{xs}\""))
    }

    fn string(&mut self, q: u8) -> Result<Json, String> {
        let open = self.pos;
        let close = self
            .s
            .get(open + 1..)
            .and_then(|r| memchr::memchr(q, r))
            .map(|k| open + 1 + k);
        let Some(close) = close else {
            return Err(self.err_eof_pos(self.char_pos(self.s.len()), "null"));
        };
        let body = self.text(open + 1, close);
        if memchr::memchr(b'\\', body.as_bytes()).is_none() {
            self.pos = close + 1;
            return Ok(Json::String(body.into()));
        }
        // The slow path: escapes, and raw control characters dropped.
        let mut out: Vec<u16> = Vec::with_capacity(body.len());
        self.read();
        loop {
            let c = self.c();
            if c == EOI {
                return Err(self.err_eof_before(self.pos, "null"));
            }
            if c == q {
                self.read();
                break;
            }
            if c == b'\\' {
                self.read();
                let e = self.c();
                if self.at_end() {
                    return Err(self.err_eof_pos(self.char_pos(self.pos), "EOF"));
                }
                let simple = match e {
                    b't' => Some('\t'),
                    b'n' => Some('\n'),
                    b'r' => Some('\r'),
                    b'f' => Some('\u{c}'),
                    b'b' => Some('\u{8}'),
                    b'\\' | b'/' | b'\'' | b'"' => Some(e as char),
                    _ => None,
                };
                if let Some(ch) = simple {
                    push_char(&mut out, ch);
                    self.read();
                } else if e == b'u' || e == b'x' {
                    let n = if e == b'u' { 4 } else { 2 };
                    let mut v = 0u32;
                    for _ in 0..n {
                        self.read();
                        if self.at_end() {
                            return Err(self.err_eof_pos(self.char_pos(self.pos), "EOF"));
                        }
                        let h = self.char_at(self.pos);
                        let Some(d) = h.to_digit(16) else {
                            return Err(format!(
                                "Unexpected unicode escape sequence {h} at position {}.",
                                self.char_pos(self.pos)
                            ));
                        };
                        v = v * 16 + d;
                    }
                    out.push(v as u16);
                    self.read();
                } else {
                    // An unknown escape drops both characters.
                    self.pos += self.char_at(self.pos).len_utf8();
                }
                continue;
            }
            if c < 0x80 {
                if !(c < 0x20 || c == 0x7f) {
                    out.push(u16::from(c));
                }
                self.read();
            } else {
                let ch = self.char_at(self.pos);
                push_char(&mut out, ch);
                self.pos += ch.len_utf8();
            }
        }
        let text = crate::eval::utf16::from_units(&out);
        Ok(Json::String(text.into()))
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "StackOverflowError: JSON nested deeper than {MAX_DEPTH} levels"
            ));
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Json, String> {
        self.enter()?;
        let r = self.array_items();
        self.depth -= 1;
        r
    }

    fn array_items(&mut self) -> Result<Json, String> {
        let mut items = Vec::new();
        self.read();
        loop {
            let c = self.c();
            match c {
                c if is_ws1(c) && !self.at_end() => self.read(),
                b']' => {
                    self.read();
                    return Ok(Json::Array(items));
                }
                b':' | b'}' => return Err(self.err_char(self.pos)),
                b',' => self.read(),
                EOI => return Err(self.err_eof_before(self.pos, "EOF")),
                _ => items.push(self.value(Stop::Array)?),
            }
        }
    }

    /// A quoted object key: shared with the same key met before when it
    /// has no escapes.
    fn key(&mut self, q: u8) -> Result<Rc<str>, String> {
        let start = self.pos + 1;
        let plain = self
            .s
            .get(start..)
            .and_then(|r| memchr::memchr2(q, b'\\', r))
            .filter(|&k| k <= MAX_SHARED_KEY_LEN && self.s.get(start + k) == Some(&q));
        if let Some(len) = plain {
            let text = self.text(start, start + len);
            let key = match self.keys.get(text) {
                Some(k) => Rc::clone(k),
                None => {
                    let k: Rc<str> = Rc::from(text);
                    if self.keys.len() < MAX_SHARED_KEYS {
                        self.keys.insert(text, Rc::clone(&k));
                    }
                    k
                }
            };
            self.pos = start + len + 1;
            return Ok(key);
        }
        match self.string(q)? {
            Json::String(k) => Ok(k),
            _ => Ok(Rc::from("")),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.enter()?;
        let r = self.object_entries();
        self.depth -= 1;
        r
    }

    fn object_entries(&mut self) -> Result<Json, String> {
        let mut map = Map::default();
        loop {
            self.read();
            let c = self.c();
            match c {
                c if is_ws1(c) && !self.at_end() => continue,
                b':' | b']' | b'[' | b'{' => return Err(self.err_char(self.pos)),
                b'}' => {
                    self.read();
                    return Ok(Json::Object(map));
                }
                b',' => continue,
                EOI => return Err(self.err_eof_before(self.pos, "null")),
                _ => {}
            }
            let key = if c == b'"' || c == b'\'' {
                self.key(c)?
            } else {
                self.nq(Stop::Key).into()
            };
            self.skip_space();
            if self.c() != b':' {
                if self.c() == EOI {
                    return Err(self.err_eof_before(self.pos, "null"));
                }
                // json-smart reports the character before the one it saw.
                return Err(format!(
                    "Unexpected character ({}) at position {}.",
                    self.char_at(self.pos),
                    self.char_pos(self.pos).saturating_sub(1)
                ));
            }
            self.read();
            if self.at_end() {
                return Err(self.err_eof_before(self.pos, "EOF"));
            }
            let v = self.value(Stop::Value)?;
            map.insert(key, v);
            self.skip_space();
            match self.c() {
                b'}' => {
                    self.read();
                    return Ok(Json::Object(map));
                }
                EOI => return Err(self.err_eof_before(self.pos, "null")),
                b',' => {}
                _ => {
                    return Err(format!(
                        "Unexpected token {} at position {}.",
                        self.char_at(self.pos),
                        self.char_pos(self.pos).saturating_sub(1)
                    ))
                }
            }
        }
    }
}

fn push_char(out: &mut Vec<u16>, c: char) {
    let mut buf = [0u16; 2];
    out.extend_from_slice(c.encode_utf16(&mut buf));
}

/// The number json-smart makes of the text `xs` of a JSON number, `float`
/// when it has a fraction or an exponent: Integer, Long or BigInteger by
/// size; a long float literal (over 18 characters) exactly, as a
/// BigDecimal, and other floats as a Double. `None` when `xs` is no number.
pub(crate) fn number_of(xs: &str, float: bool) -> Option<Number> {
    if !float {
        return Some(integer(xs));
    }
    if xs.chars().count() > 18 {
        return Decimal::parse(xs).map(|d| Number::Decimal(Rc::new(d)));
    }
    parse_java_double(xs).map(Number::Double)
}

/// An integer literal as json-smart stores it (a lone `-` is 0).
fn integer(xs: &str) -> Number {
    if xs == "-" {
        return Number::Int(0);
    }
    match xs.parse::<i128>() {
        Ok(i) => Number::Int(i),
        Err(_) => match xs.parse::<num_bigint::BigInt>() {
            Ok(b) => Number::Huge(Rc::new(b)),
            Err(_) => Number::Double(xs.parse().unwrap_or(0.0)),
        },
    }
}

/// `Double.parseDouble` on a number json-smart scanned (digits, `.`,
/// exponent): Rust's parser agrees on these, and overflow is infinity.
fn parse_java_double(xs: &str) -> Option<f64> {
    xs.parse().ok()
}

/// Parse a body as json-smart's permissive mode does; `Err` is the
/// exception message (the render fails).
pub fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        src: text,
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
        keys: rustc_hash::FxHashMap::default(),
    };
    let v = p.value(Stop::Top)?;
    if v.is_null() {
        return Err("root can not be null".into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        match parse(s) {
            Ok(v) => v.to_string(),
            Err(e) => format!("E {e}"),
        }
    }

    #[test]
    fn permissive_forms_measured_on_json_smart() {
        assert_eq!(p(r#"{"a":1} xyz"#), r#"{"a":1}"#);
        assert_eq!(p("{'a':'b','c':[1,2,],}"), r#"{"a":"b","c":[1,2]}"#);
        assert_eq!(p(r#"{"a":007,"b":.5}"#), r#"{"a":7,"b":".5"}"#);
        assert_eq!(p(r#"{"a":1 /* c */}"#), r#"{"a":"1 /* c */"}"#);
        assert_eq!(
            p("{a: 'single', b: unquoted, c: 1}"),
            r#"{"a":"single","b":"unquoted","c":1}"#
        );
        assert_eq!(p("123 abc"), r#""123 abc""#);
        assert_eq!(p("[1 2]"), r#"["1 2"]"#);
        assert_eq!(p(r#"["a" "b"]"#), r#"["a","b"]"#);
        assert_eq!(p(r#"{"a":"x\qy","b":"\x41"}"#), r#"{"a":"xy","b":"A"}"#);
        assert_eq!(p("{a:b c}"), r#"{"a":"b c"}"#);
        assert_eq!(p("{a,b:1}"), r#"{"a,b":1}"#);
        assert_eq!(p("-"), "0");
        assert_eq!(p("1e"), r#""1e""#);
        assert_eq!(p(" "), r#""""#);
        assert!(p("null").starts_with("E "));
        assert!(p(r#"{"a" "b":1}"#).starts_with("E Unexpected character (\") at position 4"));
        assert!(p(r#"{a:"b" c}"#).starts_with("E Unexpected token c at position 6"));
        assert!(p("1e+").starts_with("E NumberFormatException"));
    }

    #[test]
    fn non_ascii_passes_through_and_positions_count_characters() {
        // Measured on json-smart 2.2: an unknown escape drops both
        // characters, a raw control character in an escaped string is
        // dropped, and a message's position counts characters, not bytes.
        assert_eq!(
            p("{\"a\":\"é\\qx\\u00e9\\\\€\u{1}z\", \"k€y\":[1,\"\\\"\",]}"),
            "{\"a\":\"éxé\\\\\\u20ACz\",\"k\\u20ACy\":[1,\"\\\"\"]}"
        );
        assert_eq!(p("{é: ü ,ö:1}"), "{\"é\":\"ü\",\"ö\":1}");
        assert!(p("{\"éé\" \"b\":1}").starts_with("E Unexpected character (\") at position 5"));
        assert!(p("[\"€").starts_with("E Unexpected End Of File position 3"));
    }
}
