//! `java.lang.String` methods. Java indexes strings in UTF-16 code units,
//! so index arithmetic goes through UTF-16 when the text is not ASCII.

use std::rc::Rc;

use super::{common, int_arg, int_result, method_error, regex, string_list, text_block, Call};
use crate::eval::interp::EResult;
use crate::eval::utf16;
use crate::eval::value::{ArrayType, ListKind, Value};
use crate::syntax::span::Span;

fn utf16(s: &str) -> Vec<u16> {
    utf16::units(s).collect()
}

/// UTF-16 units back to a string; a half of a surrogate pair survives
/// (see `eval::utf16`).
fn from_utf16(units: &[u16]) -> String {
    utf16::from_units(units)
}

/// `Character.isWhitespace`: Unicode spaces except no-break spaces, plus
/// the ASCII controls Java counts.
pub(super) fn java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}'
    ) || (c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{85}'))
}

/// How Java's case-insensitive comparisons see a UTF-16 unit: its upper
/// case, then that one's lower case, by single-character mappings only.
fn fold_case(u: u16) -> u32 {
    // A surrogate unit has no case: Java compares it as it is.
    let Some(c) = char::from_u32(u32::from(u)) else {
        return u32::from(u);
    };
    let mut up = c.to_uppercase();
    let upper = match (up.next(), up.next()) {
        (Some(x), None) => x,
        _ => c,
    };
    // The one character whose full lower case is longer than its simple
    // one: `İ` lowers to `i` in `Character.toLowerCase`.
    if upper == '\u{130}' {
        return u32::from('i');
    }
    let mut low = upper.to_lowercase();
    match (low.next(), low.next()) {
        (Some(x), None) => u32::from(x),
        _ => u32::from(upper),
    }
}

/// `String.compareToIgnoreCase`: unit by unit, upper then lower case.
fn compare_ignore_case(a: &str, b: &str) -> i32 {
    let (x, y) = (utf16(a), utf16(b));
    for (p, q) in x.iter().zip(&y) {
        if p != q {
            let (fp, fq) = (fold_case(*p), fold_case(*q));
            if fp != fq {
                return fp as i32 - fq as i32;
            }
        }
    }
    x.len() as i32 - y.len() as i32
}

fn str_arg(v: &Value) -> Option<&str> {
    match v {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn done_str(s: String) -> Call {
    Call::Done(Value::Str(Rc::from(s)))
}

fn index_of(hay: &[u16], needle: &[u16], from: i64) -> i64 {
    let from = from.max(0) as usize;
    if needle.is_empty() {
        return from.min(hay.len()) as i64;
    }
    if from >= hay.len() {
        return -1;
    }
    hay.get(from..)
        .and_then(|h| h.windows(needle.len()).position(|w| w == needle))
        .map_or(-1, |p| (p + from) as i64)
}

fn last_index_of(hay: &[u16], needle: &[u16], from: i64) -> i64 {
    if from < 0 {
        return -1;
    }
    let max_start = hay.len().saturating_sub(needle.len()).min(from as usize);
    if needle.len() > hay.len() {
        return -1;
    }
    (0..=max_start)
        .rev()
        .find(|&i| hay.get(i..i + needle.len()) == Some(needle))
        .map_or(-1, |i| i as i64)
}

fn substring(s: &str, begin: i64, end: Option<i64>, span: Span) -> EResult<Call> {
    let u = utf16(s);
    let end = end.unwrap_or(u.len() as i64);
    if begin < 0 || end > u.len() as i64 || begin > end {
        return Err(method_error(
            span,
            format!(
                "substring({begin}, {end}) out of range for a string of length {}",
                u.len()
            ),
        ));
    }
    Ok(done_str(from_utf16(
        u.get(begin as usize..end as usize).unwrap_or_default(),
    )))
}

/// `String.join` of strings (or nulls): fail before building a result past
/// the output limit.
fn check_join_size(items: &[Value], delimiter: &str, span: Span) -> EResult<()> {
    let size: u128 = items
        .iter()
        .map(|x| match x {
            Value::Str(s) => s.len() as u128,
            _ => 4,
        })
        .sum::<u128>()
        + (items.len() as u128) * (delimiter.len() as u128);
    if size > crate::eval::interp::MAX_OUTPUT as u128 {
        return Err(method_error(
            span,
            "OutOfMemoryError: join() result too long".into(),
        ));
    }
    Ok(())
}

/// Call a `java.lang.String` method.
pub(crate) fn call(s: &Rc<str>, name: &str, args: &[Value], span: Span) -> EResult<Call> {
    let v = |x: Value| Ok(Call::Done(x));
    // The methods whose first parameter is a string Java dereferences, at
    // the arities they have (`replace($null)` finds no method at all).
    let takes_string = match name {
        "contains"
        | "concat"
        | "endsWith"
        | "matches"
        | "compareTo"
        | "compareToIgnoreCase"
        | "contentEquals" => args.len() == 1,
        "startsWith" | "indexOf" | "lastIndexOf" | "split" => matches!(args.len(), 1 | 2),
        "format" => !args.is_empty(),
        _ => false,
    };
    // The string parameters Java dereferences: the first, both of a
    // replacement, the other string of `regionMatches`.
    let null_string = match (name, args) {
        // `replace(char, char)`: every occurrence of one UTF-16 unit.
        ("replace", [Value::Char(a), Value::Char(b)]) => {
            let units: Vec<u16> = utf16::units(s)
                .map(|u| if u == *a { *b } else { u })
                .collect();
            return Ok(done_str(from_utf16(&units)));
        }
        // An argument of another type finds no overload, null or not.
        ("replace" | "replaceAll" | "replaceFirst", [a, b])
            if !matches!(
                (a, b),
                (Value::Str(_) | Value::Null, Value::Str(_) | Value::Null)
            ) =>
        {
            return Ok(Call::Unresolved)
        }
        // `Matcher.replaceAll` reads its replacement only at a match.
        ("replaceAll", [a, _]) => a.is_null(),
        ("replace" | "replaceFirst", [a, b]) => a.is_null() || b.is_null(),
        ("regionMatches", [_, other, _, _]) | ("regionMatches", [_, _, other, _, _]) => {
            other.is_null()
        }
        _ => takes_string && args.first().is_some_and(Value::is_null),
    };
    if null_string {
        return Err(super::null_pointer(span, name));
    }
    match (name, args) {
        ("length", []) => v(int_result(utf16::len(s) as i64)),
        ("isEmpty", []) => v(Value::Bool(s.is_empty())),
        ("isBlank", []) => v(Value::Bool(s.chars().all(java_whitespace))),
        ("strip", []) => Ok(done_str(s.trim_matches(java_whitespace).to_string())),
        ("stripLeading", []) => Ok(done_str(s.trim_start_matches(java_whitespace).to_string())),
        ("stripTrailing", []) => Ok(done_str(s.trim_end_matches(java_whitespace).to_string())),
        ("hashCode", []) => v(Value::Int(
            super::java_hash_code(&Value::Str(s.clone())).unwrap_or_default(),
        )),
        ("toCharArray", []) => v(Value::List(
            Rc::new(crate::eval::value::ListCell::new(
                utf16::units(s).map(Value::Char).collect(),
            )),
            ListKind::JavaArray(ArrayType::Char),
        )),
        // `contentEquals(CharSequence)`: other arguments find no method.
        ("contentEquals", [x]) => match str_arg(x) {
            Some(x) => v(Value::Bool(x == &**s)),
            None => Ok(Call::Unresolved),
        },
        ("codePointAt", [i]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let u = utf16(s);
            let at = usize::try_from(i).ok().filter(|i| *i < u.len());
            match at {
                Some(i) => {
                    let cp = char::decode_utf16(u.get(i..).unwrap_or_default().iter().copied())
                        .next()
                        .map_or(0, |r| {
                            r.map_or_else(|e| u32::from(e.unpaired_surrogate()), u32::from)
                        });
                    v(Value::Int(cp as i32))
                }
                None => Err(method_error(
                    span,
                    format!(
                        "StringIndexOutOfBoundsException: index {i}, length {}",
                        u.len()
                    ),
                )),
            }
        }
        ("codePointBefore", [i]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let u = utf16(s);
            let before = usize::try_from(i)
                .ok()
                .filter(|i| (1..=u.len()).contains(i));
            match before {
                Some(i) => v(Value::Int(code_point_before(&u, i) as i32)),
                None => Err(method_error(
                    span,
                    format!(
                        "StringIndexOutOfBoundsException: index {i}, length {}",
                        u.len()
                    ),
                )),
            }
        }
        ("offsetByCodePoints", [i, n]) => match (int_arg(i), int_arg(n)) {
            (Some(i), Some(n)) => match offset_by_code_points(&utf16(s), i, n) {
                Some(at) => v(int_result(at as i64)),
                None => Err(method_error(
                    span,
                    format!("IndexOutOfBoundsException: offsetByCodePoints({i}, {n})"),
                )),
            },
            _ => Ok(Call::Unresolved),
        },
        ("compareToIgnoreCase", [x]) => match str_arg(x) {
            Some(x) => v(Value::Int(compare_ignore_case(s, x))),
            None => Ok(Call::Unresolved),
        },
        ("indent", [n]) => {
            let Some(n) = int_arg(n) else {
                return Ok(Call::Unresolved);
            };
            let out = text_block::indent(s, n, crate::eval::interp::MAX_OUTPUT)
                .map_err(|m| method_error(span, m))?;
            Ok(done_str(out))
        }
        ("stripIndent", []) => Ok(done_str(text_block::strip_indent(s))),
        ("translateEscapes", []) => {
            let out = text_block::translate_escapes(s).map_err(|m| method_error(span, m))?;
            Ok(done_str(out))
        }
        ("repeat", [n]) => {
            let Some(n) = int_arg(n) else {
                return Ok(Call::Unresolved);
            };
            let total = (s.len() as i64).saturating_mul(n);
            if n < 0 || total > crate::eval::interp::MAX_OUTPUT as i64 {
                return Err(method_error(
                    span,
                    format!("IllegalArgumentException: repeat({n})"),
                ));
            }
            Ok(done_str(s.repeat(n as usize)))
        }
        // Static methods reached through an instance, as templates do
        // with `#set($s = '')`.
        ("format", [Value::Str(p), rest @ ..]) => {
            let out = format_varargs(p, rest).map_err(|m| method_error(span, m))?;
            Ok(done_str(out))
        }
        // Java 15's `formatted(Object...)`: `String.format(this, …)`.
        ("formatted", args) => {
            let out = format_varargs(s, args).map_err(|m| method_error(span, m))?;
            Ok(done_str(out))
        }
        ("valueOf", [x]) => v(Value::Str(Rc::from(
            x.to_java_string().unwrap_or_else(|| "null".into()),
        ))),
        ("join", [Value::Str(d), Value::List(items, _)]) => {
            let items = items.borrow();
            if items
                .iter()
                .any(|x| !matches!(x, Value::Str(_) | Value::Null))
            {
                return Err(method_error(
                    span,
                    "ClassCastException: join() needs a list of strings".into(),
                ));
            }
            check_join_size(&items, d, span)?;
            let parts: Vec<String> = items
                .iter()
                .map(|x| x.to_java_string().unwrap_or_else(|| "null".into()))
                .collect();
            Ok(done_str(parts.join(d)))
        }
        // One null after the delimiter fits both `join(CharSequence,
        // CharSequence...)` and `join(CharSequence, Iterable)`: Velocity
        // finds the call ambiguous.
        ("join", [Value::Str(_), Value::Null]) => Ok(Call::Unresolved),
        ("join", [Value::Str(_), rest @ ..])
            if rest
                .iter()
                .any(|x| !matches!(x, Value::Str(_) | Value::Null)) =>
        {
            Ok(Call::Unresolved)
        }
        ("join", [Value::Str(d), rest @ ..]) if !rest.is_empty() => {
            check_join_size(rest, d, span)?;
            let parts: Vec<String> = rest
                .iter()
                .map(|x| x.to_java_string().unwrap_or_else(|| "null".into()))
                .collect();
            Ok(done_str(parts.join(d)))
        }
        ("getBytes", []) => v(Value::List(
            Rc::new(crate::eval::value::ListCell::new(
                utf16::encode_for_output(s)
                    .bytes()
                    .map(|b| Value::Int(i32::from(b as i8)))
                    .collect(),
            )),
            ListKind::JavaArray(ArrayType::Byte),
        )),
        ("getBytes", [Value::Str(charset)]) => {
            let bytes: Vec<u8> = match charset.to_ascii_uppercase().as_str() {
                "UTF-8" | "UTF8" => utf16::encode_for_output(s).bytes().collect(),
                "ISO-8859-1" | "LATIN1" => s
                    .chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                    .collect(),
                "US-ASCII" | "ASCII" => s
                    .chars()
                    .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                    .collect(),
                _ => {
                    return Err(method_error(
                        span,
                        format!("UnsupportedEncodingException: {charset}"),
                    ))
                }
            };
            v(Value::List(
                Rc::new(crate::eval::value::ListCell::new(
                    bytes
                        .into_iter()
                        .map(|b| Value::Int(i32::from(b as i8)))
                        .collect(),
                )),
                ListKind::JavaArray(ArrayType::Byte),
            ))
        }
        ("subSequence", [b, e]) => match (int_arg(b), int_arg(e)) {
            (Some(b), Some(e)) => substring(s, b, Some(e), span),
            _ => Ok(Call::Unresolved),
        },
        ("codePointCount", [b, e]) => match (int_arg(b), int_arg(e)) {
            (Some(b), Some(e)) => {
                let u = utf16(s);
                let range = usize::try_from(b).ok().zip(usize::try_from(e).ok());
                match range.and_then(|(b, e)| u.get(b..e)) {
                    Some(part) => v(int_result(
                        char::decode_utf16(part.iter().copied()).count() as i64
                    )),
                    None => Err(method_error(
                        span,
                        format!("IndexOutOfBoundsException: codePointCount({b}, {e})"),
                    )),
                }
            }
            _ => Ok(Call::Unresolved),
        },
        ("regionMatches", rest) if rest.len() == 4 || rest.len() == 5 => {
            let (ignore_case, rest) = match rest {
                [Value::Bool(ic), r @ ..] if r.len() == 4 => (*ic, r),
                r if r.len() == 4 => (false, r),
                _ => return Ok(Call::Unresolved),
            };
            let [off, other, ooff, len] = rest else {
                return Ok(Call::Unresolved);
            };
            let (Some(off), Some(other), Some(ooff), Some(len)) =
                (int_arg(off), str_arg(other), int_arg(ooff), int_arg(len))
            else {
                return Ok(Call::Unresolved);
            };
            let (a, b) = (utf16(s), utf16(other));
            let slice = |u: &[u16], at: i64| -> Option<Vec<u16>> {
                let at = usize::try_from(at).ok()?;
                let n = usize::try_from(len.max(0)).ok()?;
                u.get(at..at.checked_add(n)?).map(<[u16]>::to_vec)
            };
            let result = match (slice(&a, off), slice(&b, ooff)) {
                (Some(x), Some(y)) if ignore_case => {
                    let x = from_utf16(&x);
                    let y = from_utf16(&y);
                    compare_ignore_case(&x, &y) == 0
                }
                (Some(x), Some(y)) => x == y,
                _ => false,
            };
            v(Value::Bool(result))
        }
        ("toLowerCase", []) => Ok(done_str(s.to_lowercase())),
        ("toUpperCase", []) => Ok(done_str(s.to_uppercase())),
        ("trim", []) => Ok(done_str(s.trim_matches(|c: char| c <= ' ').to_string())),
        ("toString" | "intern", []) => v(Value::Str(s.clone())),
        ("length" | "isEmpty" | "toLowerCase" | "toUpperCase" | "trim" | "intern", _) => {
            Ok(Call::ZeroArgOverload)
        }
        ("substring", [b]) => match int_arg(b) {
            Some(b) => substring(s, b, None, span),
            None => Ok(Call::Unresolved),
        },
        ("substring", [b, e]) => match (int_arg(b), int_arg(e)) {
            (Some(b), Some(e)) => substring(s, b, Some(e), span),
            _ => Ok(Call::Unresolved),
        },
        ("charAt", [i]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let u = utf16(s);
            match usize::try_from(i).ok().and_then(|i| u.get(i)) {
                Some(c) => v(Value::Char(*c)),
                None => Err(method_error(
                    span,
                    format!(
                        "charAt({i}) out of range for a string of length {}",
                        u.len()
                    ),
                )),
            }
        }
        ("indexOf" | "lastIndexOf", [needle, rest @ ..]) if rest.len() <= 1 => {
            // indexOf(int ch) finds a character by its code, and a
            // surrogate code by itself (half of a pair, or a lone one).
            let n = match needle {
                Value::Int(c) => match u32::try_from(*c) {
                    Ok(unit @ 0xD800..=0xDFFF) => vec![unit as u16],
                    Ok(code) => match char::from_u32(code) {
                        Some(c) => c.encode_utf16(&mut [0; 2]).to_vec(),
                        None => return v(Value::Int(-1)),
                    },
                    Err(_) => return v(Value::Int(-1)),
                },
                other => match str_arg(other) {
                    Some(n) => utf16(n),
                    None => return Ok(Call::Unresolved),
                },
            };
            let from = match rest.first() {
                Some(f) => match int_arg(f) {
                    Some(f) => Some(f),
                    None => return Ok(Call::Unresolved),
                },
                None => None,
            };
            let h = utf16(s);
            let r = if name == "indexOf" {
                index_of(&h, &n, from.unwrap_or(0))
            } else {
                last_index_of(&h, &n, from.unwrap_or(h.len() as i64))
            };
            v(int_result(r))
        }
        ("contains", [x]) => match str_arg(x) {
            Some(x) => v(Value::Bool(s.contains(x))),
            None => Ok(Call::Unresolved),
        },
        ("startsWith", [x]) => match str_arg(x) {
            Some(x) => v(Value::Bool(s.starts_with(x))),
            None => Ok(Call::Unresolved),
        },
        ("startsWith", [x, off]) => match (str_arg(x), int_arg(off)) {
            (Some(x), Some(off)) => {
                let u = utf16(s);
                let ok = usize::try_from(off)
                    .ok()
                    .and_then(|o| u.get(o..))
                    .is_some_and(|rest| rest.starts_with(&utf16(x)));
                v(Value::Bool(ok))
            }
            _ => Ok(Call::Unresolved),
        },
        ("endsWith", [x]) => match str_arg(x) {
            Some(x) => v(Value::Bool(s.ends_with(x))),
            None => Ok(Call::Unresolved),
        },
        // `equalsIgnoreCase(String)`: a null is not equal, any other
        // argument finds no method.
        ("equalsIgnoreCase", [x]) => match (str_arg(x), x) {
            (Some(x), _) => {
                let (a, b) = (utf16(s), utf16(x));
                v(Value::Bool(
                    a.len() == b.len()
                        && a.iter()
                            .zip(&b)
                            .all(|(p, q)| p == q || fold_case(*p) == fold_case(*q)),
                ))
            }
            (None, Value::Null) => v(Value::Bool(false)),
            (None, _) => Ok(Call::Unresolved),
        },
        ("concat", [x]) => match str_arg(x) {
            Some(x) => Ok(done_str(format!("{s}{x}"))),
            None => Ok(Call::Unresolved),
        },
        ("replace", [a, b]) => match (str_arg(a), str_arg(b)) {
            (Some(a), Some(b)) => {
                // The result's size is known before it is built.
                let hits = if a.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(a).count()
                };
                let size = (s.len() as u128) + (hits as u128) * (b.len() as u128);
                if size > crate::eval::interp::MAX_OUTPUT as u128 {
                    return Err(method_error(
                        span,
                        "OutOfMemoryError: replace() result too long".into(),
                    ));
                }
                if a.is_empty() {
                    let mut out = String::from(b);
                    for c in s.chars() {
                        out.push(c);
                        out.push_str(b);
                    }
                    Ok(done_str(out))
                } else {
                    Ok(done_str(s.replace(a, b)))
                }
            }
            _ => Ok(Call::Unresolved),
        },
        ("replaceAll" | "replaceFirst", [a, b]) => match str_arg(a) {
            Some(a) => Ok(done_str(regex::replace(
                s,
                a,
                str_arg(b),
                name == "replaceAll",
                span,
            )?)),
            None => Ok(Call::Unresolved),
        },
        ("matches", [p]) => match str_arg(p) {
            Some(p) => v(Value::Bool(regex::matches(s, p, span)?)),
            None => Ok(Call::Unresolved),
        },
        ("split", [p, rest @ ..]) if rest.len() <= 1 => {
            let Some(p) = str_arg(p) else {
                return Ok(Call::Unresolved);
            };
            let limit = match rest.first() {
                Some(l) => match int_arg(l) {
                    Some(l) => l,
                    None => return Ok(Call::Unresolved),
                },
                None => 0,
            };
            let parts = regex::split(s, p, limit, span)?;
            v(string_list(parts, ListKind::JavaArray(ArrayType::String)))
        }
        ("compareTo", [x]) => match str_arg(x) {
            Some(x) => {
                let (a, b) = (utf16(s), utf16(x));
                let r = a
                    .iter()
                    .zip(&b)
                    .find(|(p, q)| p != q)
                    .map_or(a.len() as i64 - b.len() as i64, |(p, q)| {
                        i64::from(*p) - i64::from(*q)
                    });
                v(int_result(r))
            }
            // Any other argument fails Java's cast to String.
            None => v(super::java_compare_to(&Value::Str(s.clone()), x, span)?),
        },
        _ => Ok(common(&Value::Str(s.clone()), name, args)),
    }
}

/// `String.format` with Java's varargs: an `Object[]` (or `String[]`)
/// passed alone is the argument array itself, not one argument.
fn format_varargs(pattern: &str, args: &[Value]) -> Result<String, String> {
    if let [Value::Null] = args {
        return super::format::java_format_null_array(pattern);
    }
    if let [Value::List(items, ListKind::JavaArray(ArrayType::Object | ArrayType::String))] = args {
        let items = items.borrow().clone();
        return super::format::java_format(pattern, &items);
    }
    super::format::java_format(pattern, args)
}

/// `Character.codePointBefore`: the code point that ends before UTF-16
/// index `i` (1 ..= length), a surrogate pair read whole.
fn code_point_before(u: &[u16], i: usize) -> u32 {
    let low = u.get(i - 1).copied().unwrap_or(0);
    let high = i.checked_sub(2).and_then(|h| u.get(h)).copied();
    match high {
        Some(high) if (0xDC00..=0xDFFF).contains(&low) && (0xD800..=0xDBFF).contains(&high) => {
            0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
        }
        _ => u32::from(low),
    }
}

/// `Character.offsetByCodePoints`: the UTF-16 index `n` code points from
/// `i` (back when `n` is negative); `None` where Java throws.
fn offset_by_code_points(u: &[u16], i: i64, n: i64) -> Option<usize> {
    let is_high = |x: Option<&u16>| x.is_some_and(|c| (0xD800..=0xDBFF).contains(c));
    let is_low = |x: Option<&u16>| x.is_some_and(|c| (0xDC00..=0xDFFF).contains(c));
    let mut at = usize::try_from(i).ok().filter(|i| *i <= u.len())?;
    if n >= 0 {
        for _ in 0..n {
            if at >= u.len() {
                return None;
            }
            at += 1;
            if is_high(u.get(at - 1)) && is_low(u.get(at)) {
                at += 1;
            }
        }
    } else {
        for _ in 0..n.unsigned_abs() {
            at = at.checked_sub(1)?;
            if is_low(u.get(at)) && at > 0 && is_high(u.get(at - 1)) {
                at -= 1;
            }
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_drops_trailing_empties() {
        let sp = Span::default();
        assert_eq!(regex::split("a,b,,", ",", 0, sp).unwrap(), vec!["a", "b"]);
        assert_eq!(
            regex::split("a,b,,", ",", -1, sp).unwrap(),
            vec!["a", "b", "", ""]
        );
        assert_eq!(regex::split("a,b,c", ",", 2, sp).unwrap(), vec!["a", "b,c"]);
    }

    #[test]
    fn replacement_groups() {
        let sp = Span::default();
        assert_eq!(
            regex::replace("john smith", "(\\w+) (\\w+)", Some("$2 $1"), true, sp).unwrap(),
            "smith john"
        );
    }
}
