//! JSON in and out, as json-smart (API Gateway's JSON library) does it.

use std::rc::Rc;

use serde_json::Value as Json;

use crate::eval::value::{
    integer, write_java_double, write_key, DepthGuard, JMap, Key, ListKind, Value,
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
    let mut m = JMap::with_capacity_and_hasher(len, Default::default());
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
        Doc::String(s) => Value::Str(Rc::from(s.as_str())),
        Doc::Array(a) => list_of(a.iter().map(|x| doc_to_value(x, lists)).collect(), lists),
        Doc::Object(o) => map_of(
            o.len(),
            o.iter().map(|(k, v)| (k.as_str(), doc_to_value(v, lists))),
        ),
    }
}

/// A JSON number as json-smart reads it.
pub fn number(n: &serde_json::Number) -> Value {
    let text = n.to_string();
    let is_int = !text.contains(['.', 'e', 'E']);
    if is_int {
        if let Ok(i) = text.parse::<i128>() {
            return integer(i);
        }
    }
    Value::Double(text.parse::<f64>().unwrap_or(0.0))
}

/// Append a JSON string literal with json-smart's escaping.
pub fn write_json_string(s: &str, out: &mut String, escape_slash: bool) {
    out.push('"');
    for c in s.chars() {
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
    out.push('"');
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
            let Some(_depth) = DepthGuard::enter() else {
                out.push_str("null");
                return;
            };
            out.push('[');
            for (i, x) in items.borrow().iter().enumerate() {
                if out.len() > crate::eval::value::OUTPUT_BUDGET {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out, escape_slash);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let Some(_depth) = DepthGuard::enter() else {
                out.push_str("null");
                return;
            };
            out.push('{');
            for (i, (k, x)) in m.borrow().iter().enumerate() {
                if out.len() > crate::eval::value::OUTPUT_BUDGET {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                let mut ks = String::new();
                write_key(k, &mut ks);
                write_json_string(&ks, out, escape_slash);
                out.push(':');
                write_json(x, out, escape_slash);
            }
            out.push('}');
        }
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

/// Parse a body as json-smart's permissive mode does (see `permissive`).
pub fn parse_permissive(text: &str) -> Result<super::doc::Json, String> {
    super::permissive::parse(text)
}
