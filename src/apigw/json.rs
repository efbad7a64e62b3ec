//! JSON in and out, as json-smart (API Gateway's JSON library) does it.

use std::rc::Rc;

use serde_json::Value as Json;

use crate::eval::value::{
    integer, map_with_capacity, write_java_double, write_key, DepthGuard, Key, ListKind, Value,
};

/// How JSON numbers become Java numbers.
#[derive(Clone, Copy)]
pub enum Numbers {
    /// json-smart: Integer, Long, BigInteger or Double.
    JsonSmart,
}

/// A JSON document as template values: objects are insertion-ordered maps,
/// arrays are json-smart arrays (`lists` picks the list kind).
pub fn to_value(j: &Json, lists: ListKind) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => number(n),
        Json::String(s) => Value::Str(Rc::from(s.as_str())),
        Json::Array(a) => list_of(a.iter().map(|x| to_value(x, lists)).collect(), lists),
        Json::Object(o) => map_of(
            o.len(),
            o.iter().map(|(k, v)| (k.as_str(), to_value(v, lists))),
        ),
    }
}

/// A JSON array as a list of the given kind.
fn list_of(items: Vec<Value>, kind: ListKind) -> Value {
    Value::List(Rc::new(crate::eval::value::ListCell::new(items)), kind)
}

/// A JSON object as an insertion-ordered map.
fn map_of<'a>(len: usize, entries: impl Iterator<Item = (&'a str, Value)>) -> Value {
    let mut m = map_with_capacity(len);
    for (k, v) in entries {
        m.insert(Key::Str(Rc::from(k)), v);
    }
    Value::map(m)
}

/// A body document as template values: objects are insertion-ordered maps,
/// arrays are json-smart arrays (`lists` picks the list kind).
pub fn doc_to_value(j: &super::doc::Json, lists: ListKind) -> Value {
    use super::doc::{Json as Doc, Number as N};
    match j {
        Doc::Null => Value::Null,
        Doc::Bool(b) => Value::Bool(*b),
        Doc::Number(N::Int(i)) => integer(*i),
        Doc::Number(N::Huge(i)) => Value::Huge(i.clone()),
        Doc::Number(N::Double(d)) => Value::Double(*d),
        Doc::Number(N::Decimal(d)) => Value::Decimal(d.clone()),
        Doc::String(s) => Value::Str(Rc::clone(s)),
        Doc::Array(a) => list_of(a.iter().map(|x| doc_to_value(x, lists)).collect(), lists),
        Doc::Object(o) => {
            let mut m = map_with_capacity(o.len());
            for (k, v) in o {
                m.insert(Key::Str(Rc::clone(k)), doc_to_value(v, lists));
            }
            Value::map(m)
        }
    }
}

/// A JSON number as json-smart reads it: its text as written (serde_json
/// keeps it), so long literals stay exact.
pub fn number(n: &serde_json::Number) -> Value {
    let text = n.to_string();
    let float = text.contains(['.', 'e', 'E']);
    match super::permissive::number_of(&text, float) {
        Some(n) => doc_to_value(&super::doc::Json::Number(n), ListKind::ArrayList),
        None => Value::Double(text.parse::<f64>().unwrap_or(0.0)),
    }
}

/// Bytes that may start a character json-smart escapes (see
/// [`needs_escape`]); all others are copied as they are.
const MAY_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'/' as usize] = true;
    t[0x7F] = true;
    t[0xC2] = true;
    t[0xE2] = true;
    t
};

/// Whether json-smart escapes the character that starts at `bytes[i]`:
/// `"`, `\`, controls, `/` when asked, U+007F–U+009F and U+2000–U+20FF.
fn needs_escape(bytes: &[u8], i: usize, escape_slash: bool) -> bool {
    match bytes.get(i) {
        Some(b'"' | b'\\' | 0x00..=0x1F | 0x7F) => true,
        Some(b'/') => escape_slash,
        // U+0080–U+009F: C2 80–C2 9F.
        Some(0xC2) => matches!(bytes.get(i + 1), Some(0x80..=0x9F)),
        // U+2000–U+20FF: E2 80 80–E2 83 BF.
        Some(0xE2) => matches!(bytes.get(i + 1), Some(0x80..=0x83)),
        _ => false,
    }
}

/// Append a JSON string literal with json-smart's escaping.
pub fn write_json_string(s: &str, out: &mut String, escape_slash: bool) {
    out.push('"');
    // Most strings need no escape at all: copy the runs between escapes.
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if MAY_ESCAPE[usize::from(b)] && needs_escape(bytes, i, escape_slash) {
            if let (Some(run), Some(rest)) = (s.get(start..i), s.get(i..)) {
                out.push_str(run);
                let c = rest.chars().next().unwrap_or_default();
                write_escaped_char(c, out, escape_slash);
                start = i + c.len_utf8();
            }
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Append one character of a JSON string, escaped as json-smart does.
fn write_escaped_char(c: char, out: &mut String, escape_slash: bool) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '/' if escape_slash => out.push_str("\\/"),
        c if (c as u32) < 0x20
            || (0x7f..=0x9f).contains(&(c as u32))
            || (0x2000..=0x20ff).contains(&(c as u32)) =>
        {
            out.push_str(&format!("\\u{:04X}", c as u32));
        }
        c => out.push(c),
    }
}

/// Append compact JSON text for a value.
pub fn write_json(v: &Value, out: &mut String, escape_slash: bool) {
    match v {
        Value::Null
        | Value::Input
        | Value::Util
        | Value::Define(_)
        | Value::Loop(_)
        | Value::LoopInfo(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(_) | Value::Long(_) | Value::BigInt(_) | Value::Huge(_) => {
            out.push_str(&v.to_java_string().unwrap_or_default())
        }
        // json-smart writes an infinite double as null.
        Value::Double(d) if d.is_infinite() => out.push_str("null"),
        Value::Double(d) => write_java_double(*d, out),
        Value::Float(f) if f.is_infinite() => out.push_str("null"),
        Value::Float(f) => crate::eval::java_double::write_float(*f, out),
        Value::Decimal(d) => out.push_str(&d.to_java_string()),
        Value::Str(s) => write_json_string(s, out, escape_slash),
        Value::List(items, _) => {
            write_container(['[', ']'], items.borrow().iter(), out, |x, out| {
                write_json(x, out, escape_slash)
            })
        }
        Value::Map(m) => write_container(['{', '}'], m.borrow().iter(), out, |(k, x), out| {
            match k {
                Key::Str(s) | Key::Other(s) => write_json_string(s, out, escape_slash),
                _ => {
                    let mut ks = String::new();
                    write_key(k, &mut ks);
                    write_json_string(&ks, out, escape_slash);
                }
            }
            out.push(':');
            write_json(x, out, escape_slash);
        }),
        // json-smart writes a Character as a bean without properties.
        Value::Char(_) => out.push_str("{}"),
        Value::Entry(_) => {
            let s = v.to_java_string().unwrap_or_default();
            write_json_string(&s, out, escape_slash);
        }
        Value::View(view) => {
            let items = Value::list(view.items());
            write_json(&items, out, escape_slash);
        }
    }
}

/// Append compact JSON text for a body document: what [`write_json`]
/// writes for [`doc_to_value`] of it, without building the values.
pub fn write_doc_json(j: &super::doc::Json, out: &mut String, escape_slash: bool) {
    use super::doc::{Json as Doc, Number as N};
    match j {
        Doc::Null => out.push_str("null"),
        Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Doc::Number(N::Int(i)) => out.push_str(itoa::Buffer::new().format(*i)),
        Doc::Number(N::Huge(i)) => out.push_str(&i.to_string()),
        Doc::Number(N::Double(d)) if d.is_infinite() => out.push_str("null"),
        Doc::Number(N::Double(d)) => write_java_double(*d, out),
        Doc::Number(N::Decimal(d)) => out.push_str(&d.to_java_string()),
        Doc::String(s) => write_json_string(s, out, escape_slash),
        Doc::Array(items) => write_doc_array(items.iter(), out, escape_slash),
        Doc::Object(o) => write_container(['{', '}'], o.iter(), out, |(k, x), out| {
            write_json_string(k, out, escape_slash);
            out.push(':');
            write_doc_json(x, out, escape_slash);
        }),
    }
}

/// Append a JSON array of body documents (see [`write_doc_json`]).
pub fn write_doc_array<'a>(
    items: impl Iterator<Item = &'a super::doc::Json>,
    out: &mut String,
    escape_slash: bool,
) {
    write_container(['[', ']'], items, out, |x, out| {
        write_doc_json(x, out, escape_slash)
    });
}

/// Append a JSON array or object: `brackets` around the items, which
/// `write` appends, separated by commas. Past the printing depth it is
/// `null`; past the output budget it stops (the caller reports it).
fn write_container<T>(
    brackets: [char; 2],
    items: impl Iterator<Item = T>,
    out: &mut String,
    mut write: impl FnMut(T, &mut String),
) {
    let Some(_depth) = DepthGuard::enter() else {
        out.push_str("null");
        return;
    };
    let [open, close] = brackets;
    out.push(open);
    for (i, x) in items.enumerate() {
        if out.len() > crate::eval::value::OUTPUT_BUDGET {
            return;
        }
        if i > 0 {
            out.push(',');
        }
        write(x, out);
    }
    out.push(close);
}

/// Parse a body as json-smart's permissive mode does (see `permissive`).
pub fn parse_permissive(text: &str) -> Result<super::doc::Json, String> {
    super::permissive::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_character_by_character() {
        let texts = [
            "plain ascii",
            "q\"b\\s/l\n\r\t\u{8}\u{c}\u{1}\u{1f} \u{7f}",
            "é\u{80}\u{9f}\u{a0}ÿ",
            "\u{1fff}\u{2000}\u{2028}\u{20ff}\u{2100}€😀",
            "",
            "/",
        ];
        for t in texts {
            for slash in [false, true] {
                let mut expected = String::from('"');
                for c in t.chars() {
                    write_escaped_char(c, &mut expected, slash);
                }
                expected.push('"');
                let mut got = String::new();
                write_json_string(t, &mut got, slash);
                assert_eq!(got, expected, "{t:?}");
            }
        }
    }

    #[test]
    fn documents_write_as_their_values_do() {
        // The document written directly, then through template values.
        let both_ways = |doc: &super::super::doc::Json, slash: bool| {
            let mut direct = String::new();
            write_doc_json(doc, &mut direct, slash);
            let mut through_values = String::new();
            write_json(
                &doc_to_value(doc, ListKind::JsonArray),
                &mut through_values,
                slash,
            );
            (direct, through_values)
        };
        let body = r#"{"s":"a/\u2028\"","n":[1,-2,3000000000,123456789012345678901234567890,1.5,1e400,-0.0,1.0E-7,12345678901234567890.5,1234567890123456789012345678901234567890123,NaN],"o":{"":null,"t":true,"f":false,"e":{},"a":[]}}"#;
        let doc = parse_permissive(body).unwrap();
        for slash in [false, true] {
            let (direct, through_values) = both_ways(&doc, slash);
            assert_eq!(direct, through_values);
        }
        // Deeper than printing goes: both stop at the same depth.
        let nested = parse_permissive(&format!("{}1{}", "[".repeat(600), "]".repeat(600))).unwrap();
        let (deep, through_values) = both_ways(&nested, false);
        assert!(deep.contains("null"));
        assert_eq!(deep, through_values);
    }
}
