//! `java.lang.Character`, which `charAt` and `toCharArray` hand a template:
//! its instance methods, and its static methods called through an instance
//! (`$c.isDigit($c)`), as Velocity's introspector finds them.
//!
//! Velocity passes a Character only to a `char` parameter and an Integer
//! only to an `int` one, so `$c.isDigit(48)` picks `isDigit(int)` and
//! `$s.indexOf($c)` finds no method of String. Digits follow Java's
//! (category Nd, Unicode 13); letters and case follow Rust's Unicode tables,
//! which agree with Java's on ASCII and most letters, but count letter-like
//! numerals and combining vowel signs as letters and map case in full
//! (`İ` lowers to two characters, and stays `İ` here).

use std::rc::Rc;

use super::{common, method_error, null_pointer, Call};
use crate::eval::interp::EResult;
use crate::eval::value::Value;
use crate::syntax::span::Span;

/// The digit zero of each run of ten decimal digits (general category Nd)
/// in Unicode 13, the version Java 17's `Character` follows.
const DIGIT_ZEROS: [u32; 65] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16B50, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// A decimal digit's value (`Character.isDigit`: category Nd only, so
/// `²` is not one).
pub(crate) fn decimal_digit(code: u32) -> Option<u32> {
    let at = DIGIT_ZEROS.partition_point(|z| *z <= code).checked_sub(1)?;
    let zero = DIGIT_ZEROS.get(at)?;
    (code - zero < 10).then(|| code - zero)
}

/// `Character.digit(code, radix)`: a decimal digit, or a Latin letter
/// (ASCII or full-width) worth 10 to 35, when below `radix`.
pub(crate) fn java_digit(code: u32, radix: u32) -> Option<u32> {
    if !(2..=36).contains(&radix) {
        return None;
    }
    let value = decimal_digit(code).or_else(|| match code {
        0x41..=0x5a => Some(code - 0x41 + 10),
        0x61..=0x7a => Some(code - 0x61 + 10),
        0xff21..=0xff3a => Some(code - 0xff21 + 10),
        0xff41..=0xff5a => Some(code - 0xff41 + 10),
        _ => None,
    })?;
    (value < radix).then_some(value)
}

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
        "isDigit" => decimal_digit(code).is_some(),
        "isLetterOrDigit" => is(char::is_alphabetic) || decimal_digit(code).is_some(),
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

/// `Character.getNumericValue`: a decimal digit's value, 10 to 35 for the
/// Latin letters (full-width too), the value of a superscript or subscript
/// digit (`²`), -1 otherwise. (Java also values other numerals, such as
/// Roman ones and fractions: not here.)
fn numeric_value(code: u32) -> i32 {
    let script = match code {
        0xb2 | 0xb3 => Some(code - 0xb0),
        0xb9 => Some(1),
        0x2070 | 0x2074..=0x2079 => Some(code - 0x2070),
        0x2080..=0x2089 => Some(code - 0x2080),
        _ => None,
    };
    script
        .or_else(|| java_digit(code, 36))
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
        ("digit", [Value::Char(x), Value::Int(radix)]) => {
            let d = java_digit(u32::from(*x), *radix as u32);
            return done(Value::Int(d.map_or(-1, |d| d as i32)));
        }
        ("digit", [Value::Int(x), Value::Int(radix)]) => {
            let d = java_digit(*x as u32, *radix as u32);
            return done(Value::Int(d.map_or(-1, |d| d as i32)));
        }
        // `forDigit(digit, radix)`: a lower-case digit character, or the
        // character 0 when either is out of range.
        ("forDigit", [Value::Int(d), Value::Int(radix)]) => {
            let c = match (u32::try_from(*d), u32::try_from(*radix)) {
                (Ok(d), Ok(r)) if (2..=36).contains(&r) && d < r => {
                    char::from_digit(d, r).map_or(0, |c| c as u16)
                }
                _ => 0,
            };
            return done(Value::Char(c));
        }
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
        assert_eq!(numeric_value(u32::from('²')), 2);
        assert_eq!(decimal_digit(u32::from('٣')), Some(3));
        assert_eq!(decimal_digit(u32::from('²')), None);
        assert_eq!(java_digit(0xff26, 16), Some(15));
        assert_eq!(java_digit(u32::from('z'), 35), None);
    }
}
