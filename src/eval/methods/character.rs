//! `java.lang.Character`, which `charAt` and `toCharArray` hand a template:
//! its instance methods, and its static methods called through an instance
//! (`$c.isDigit($c)`), as Velocity's introspector finds them.
//!
//! Velocity passes a Character only to a `char` parameter and an Integer
//! only to an `int` one, so `$c.isDigit(48)` picks `isDigit(int)` and
//! `$s.indexOf($c)` finds no method of String. Character classes follow
//! Rust's Unicode tables, which agree with Java's on ASCII and on the
//! letters, digits and spaces of most scripts.

use std::rc::Rc;

use super::{common, method_error, null_pointer, Call};
use crate::eval::interp::EResult;
use crate::eval::value::Value;
use crate::syntax::span::Span;

/// A code point or UTF-16 unit as a `char`; `None` for a lone surrogate.
fn as_char(code: u32) -> Option<char> {
    char::from_u32(code)
}

/// The class tests shared by the `char` and `int` overloads.
fn test(name: &str, code: u32) -> Option<bool> {
    let c = as_char(code);
    let is = |f: fn(char) -> bool| c.is_some_and(f);
    Some(match name {
        "isLetter" => is(char::is_alphabetic),
        "isDigit" => is(char::is_numeric),
        "isLetterOrDigit" => is(char::is_alphanumeric),
        "isAlphabetic" => is(char::is_alphabetic),
        "isUpperCase" => is(char::is_uppercase),
        "isLowerCase" => is(char::is_lowercase),
        "isWhitespace" => is(super::string::java_whitespace),
        "isSpaceChar" => is(|c| {
            matches!(c, ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}')
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
                )
        }),
        "isISOControl" => code <= 0x1f || (0x7f..=0x9f).contains(&code),
        _ => return None,
    })
}

/// `Character.toUpperCase`/`toLowerCase`: a mapping to one character only
/// (`ß` stays `ß`); anything else maps to itself.
fn map_case(name: &str, code: u32) -> Option<u32> {
    let upper = match name {
        "toUpperCase" => true,
        "toLowerCase" => false,
        _ => return None,
    };
    let Some(c) = as_char(code) else {
        return Some(code);
    };
    let one = |m: &mut dyn Iterator<Item = char>| match (m.next(), m.next()) {
        (Some(x), None) => u32::from(x),
        _ => code,
    };
    Some(if upper {
        one(&mut c.to_uppercase())
    } else {
        one(&mut c.to_lowercase())
    })
}

/// `Character.getNumericValue`: a digit's value, 10 to 35 for the Latin
/// letters (full-width too), -1 otherwise.
fn numeric_value(code: u32) -> i32 {
    let folded = match code {
        0xff10..=0xff19 => code - 0xff10 + u32::from(b'0'),
        0xff21..=0xff3a => code - 0xff21 + u32::from(b'A'),
        0xff41..=0xff5a => code - 0xff41 + u32::from(b'a'),
        _ => code,
    };
    as_char(folded)
        .and_then(|c| c.to_digit(36))
        .map_or(-1, |d| d as i32)
}

/// A `char` argument: a Character only.
fn char_arg(v: &Value) -> Option<u16> {
    match v {
        Value::Char(c) => Some(*c),
        _ => None,
    }
}

/// Call a method of the Character `c`.
pub(super) fn call(c: u16, name: &str, args: &[Value], span: Span) -> EResult<Call> {
    let done = |v: Value| Ok(Call::Done(v));
    match (name, args) {
        ("charValue", []) => return done(Value::Char(c)),
        ("compareTo", [Value::Char(other)]) => {
            return done(Value::Int(i32::from(c) - i32::from(*other)))
        }
        ("compareTo", [Value::Null]) => return Err(null_pointer(span, name)),
        ("compareTo", [other]) => {
            return Err(method_error(
                span,
                format!(
                    "ClassCastException: {} cannot be cast to java.lang.Character",
                    super::format::java_class(other)
                ),
            ))
        }
        ("compare", [Value::Char(x), Value::Char(y)]) => {
            return done(Value::Int(i32::from(*x) - i32::from(*y)))
        }
        ("valueOf", [Value::Char(x)]) => return done(Value::Char(*x)),
        ("hashCode", [Value::Char(x)]) => return done(Value::Int(i32::from(*x))),
        ("getNumericValue", [Value::Char(x)]) => {
            return done(Value::Int(numeric_value(u32::from(*x))))
        }
        ("getNumericValue", [Value::Int(x)]) => return done(Value::Int(numeric_value(*x as u32))),
        ("toString", [arg]) => {
            let unit = match arg {
                Value::Char(x) => Some(u32::from(*x)),
                // `toString(int codePoint)`.
                Value::Int(x) => Some(*x as u32),
                _ => None,
            };
            if let Some(code) = unit {
                return match code {
                    0..=0xffff => done(Value::Str(Rc::from(
                        crate::eval::utf16::from_units(&[code as u16]),
                    ))),
                    _ => match as_char(code) {
                        Some(ch) => done(Value::str(ch.encode_utf8(&mut [0; 4]))),
                        None => Err(method_error(
                            span,
                            format!("IllegalArgumentException: not a valid Unicode code point: 0x{code:X}"),
                        )),
                    },
                };
            }
        }
        _ => {}
    }
    if let [arg] = args {
        if let Some(x) = char_arg(arg) {
            if let Some(b) = test(name, u32::from(x)) {
                // `isAlphabetic` takes an int code point only.
                if name != "isAlphabetic" {
                    return done(Value::Bool(b));
                }
            }
            if let Some(m) = map_case(name, u32::from(x)) {
                return done(Value::Char(m as u16));
            }
        }
        if let Value::Int(x) = arg {
            if let Some(b) = test(name, *x as u32) {
                return done(Value::Bool(b));
            }
            if let Some(m) = map_case(name, *x as u32) {
                return done(Value::Int(m as i32));
            }
        }
    }
    Ok(common(&Value::Char(c), name, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, args: &[Value]) -> Option<Value> {
        match call(u16::from(b'h'), name, args, Span::default()) {
            Ok(Call::Done(v)) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn overloads_as_velocity_picks_them() {
        // Measured with Velocity 1.7: `$c.toUpperCase()` finds no method,
        // `$c.toUpperCase($c)` is the static `char` overload.
        assert!(run("toUpperCase", &[]).is_none());
        assert_eq!(
            run("toUpperCase", &[Value::Char(u16::from(b'h'))]),
            Some(Value::Char(u16::from(b'H')))
        );
        assert_eq!(run("toUpperCase", &[Value::Int(104)]), Some(Value::Int(72)));
        assert_eq!(
            run("isLetter", &[Value::Char(u16::from(b'h'))]),
            Some(Value::Bool(true))
        );
        assert_eq!(run("isDigit", &[Value::Int(48)]), Some(Value::Bool(true)));
        assert!(run("isAlphabetic", &[Value::Char(u16::from(b'h'))]).is_none());
        assert_eq!(
            run("getNumericValue", &[Value::Char(u16::from(b'h'))]),
            Some(Value::Int(17))
        );
        assert_eq!(
            run("compareTo", &[Value::Char(u16::from(b'e'))]),
            Some(Value::Int(3))
        );
        assert_eq!(run("equals", &[Value::str("h")]), Some(Value::Bool(false)));
        assert_eq!(run("toString", &[]), Some(Value::str("h")));
        assert!(run("length", &[]).is_none());
    }

    #[test]
    fn case_maps_to_one_character_only() {
        assert_eq!(
            map_case("toUpperCase", u32::from('ß')),
            Some(u32::from('ß'))
        );
        assert_eq!(
            map_case("toLowerCase", u32::from('Ä')),
            Some(u32::from('ä'))
        );
        assert_eq!(map_case("toUpperCase", 0xd800), Some(0xd800));
        assert_eq!(map_case("trim", 0x41), None);
        assert_eq!(numeric_value(u32::from('7')), 7);
        assert_eq!(numeric_value(0xff21), 10);
        assert_eq!(numeric_value(u32::from('-')), -1);
    }
}
