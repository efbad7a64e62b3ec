//! Static methods of Java's number classes and Boolean. Velocity's
//! introspector finds a class's public static methods through any instance,
//! so templates call them on a number they hold: `#set($Integer = 0)` then
//! `$Integer.parseInt("ff", 16)`, `$d.compare($a, $b)`, `$n.toString(255, 16)`.

use std::cmp::Ordering;

use smallvec::SmallVec;

use super::{method_error, EResult};
use crate::eval::arith::{as_f32, as_f64};
use crate::eval::value::Value;
use crate::syntax::span::Span;

/// A Java number class, named by an instance of it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Integer,
    Long,
    Float,
    Double,
}

impl Class {
    fn of(value: &Value) -> Option<Class> {
        Some(match value {
            Value::Int(_) => Class::Integer,
            Value::Long(_) => Class::Long,
            Value::Float(_) => Class::Float,
            Value::Double(_) => Class::Double,
            _ => return None,
        })
    }

    /// Whether Java passes `arg` to a parameter of this class's primitive
    /// type: the same type, or a narrower one it widens.
    fn accepts(self, arg: &Value) -> bool {
        match arg {
            Value::Int(_) => true,
            Value::Long(_) => self != Class::Integer,
            Value::Float(_) => matches!(self, Class::Float | Class::Double),
            Value::Double(_) => self == Class::Double,
            _ => false,
        }
    }

    /// `arg` as this class's primitive, boxed back into a value.
    fn widen(self, arg: &Value) -> Value {
        match (self, arg) {
            (Class::Integer, v) => v.clone(),
            (Class::Long, Value::Int(i)) => Value::Long(i64::from(*i)),
            (Class::Long, v) => v.clone(),
            (Class::Float, v) => Value::Float(as_f32(v)),
            (Class::Double, v) => Value::Double(as_f64(v)),
        }
    }
}

/// The static method `name` of `value`'s class with `args`, when one
/// applies; `Ok(None)` leaves the call to the instance methods.
pub(super) fn call(
    value: &Value,
    name: &str,
    args: &[Value],
    span: Span,
) -> EResult<Option<Value>> {
    if let Some(text) = to_string_overload(value, name, args) {
        return Ok(Some(Value::str(&text)));
    }
    if let Value::Bool(_) = value {
        return Ok(boolean(name, args));
    }
    let Some(class) = Class::of(value) else {
        return Ok(None);
    };
    match args {
        [Value::Str(text), Value::Int(radix)] => {
            return parse_radix(class, name, Some(text), *radix, span)
        }
        // A null string still picks the (String, int) overload, which
        // refuses it before looking at the radix.
        [Value::Null, Value::Int(radix)] => return parse_radix(class, name, None, *radix, span),
        _ => {}
    }
    let numeric = args.iter().all(|a| class.accepts(a));
    if !numeric {
        return Ok(None);
    }
    let args: SmallVec<[Value; 2]> = args.iter().map(|a| class.widen(a)).collect();
    Ok(match (name, &args[..]) {
        ("max" | "min" | "sum", [a, b]) => Some(binary(name, a, b)),
        ("compare", [a, b]) => Some(Value::Int(match java_compare(a, b) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        })),
        ("valueOf", [a]) => Some(a.clone()),
        ("hashCode", [a]) => super::java_hash_code(a).map(Value::Int),
        ("signum", [Value::Int(i)]) => Some(Value::Int(i.signum())),
        ("signum", [Value::Long(l)]) => Some(Value::Int(l.signum() as i32)),
        ("bitCount", [Value::Int(i)]) => Some(Value::Int(i.count_ones() as i32)),
        ("bitCount", [Value::Long(l)]) => Some(Value::Int(l.count_ones() as i32)),
        ("toHexString" | "toBinaryString" | "toOctalString", [Value::Int(i)]) => {
            Some(Value::str(&unsigned_digits(name, u64::from(*i as u32))))
        }
        ("toHexString" | "toBinaryString" | "toOctalString", [Value::Long(l)]) => {
            Some(Value::str(&unsigned_digits(name, *l as u64)))
        }
        ("reverse", [Value::Int(i)]) => Some(Value::Int(i.reverse_bits())),
        ("reverse", [Value::Long(l)]) => Some(Value::Long(l.reverse_bits())),
        ("reverseBytes", [Value::Int(i)]) => Some(Value::Int(i.swap_bytes())),
        ("reverseBytes", [Value::Long(l)]) => Some(Value::Long(l.swap_bytes())),
        // The highest set bit alone; 0 for 0.
        ("highestOneBit", [Value::Int(i)]) => Some(Value::Int(if *i == 0 {
            0
        } else {
            (1u32 << (31 - i.leading_zeros())) as i32
        })),
        ("highestOneBit", [Value::Long(l)]) => Some(Value::Long(if *l == 0 {
            0
        } else {
            (1u64 << (63 - l.leading_zeros())) as i64
        })),
        ("lowestOneBit", [Value::Int(i)]) => Some(Value::Int(i & i.wrapping_neg())),
        ("lowestOneBit", [Value::Long(l)]) => Some(Value::Long(l & l.wrapping_neg())),
        ("numberOfLeadingZeros", [Value::Int(i)]) => Some(Value::Int(i.leading_zeros() as i32)),
        ("numberOfLeadingZeros", [Value::Long(l)]) => Some(Value::Int(l.leading_zeros() as i32)),
        ("numberOfTrailingZeros", [Value::Int(i)]) => Some(Value::Int(i.trailing_zeros() as i32)),
        ("numberOfTrailingZeros", [Value::Long(l)]) => Some(Value::Int(l.trailing_zeros() as i32)),
        ("isNaN", [Value::Double(d)]) => Some(Value::Bool(d.is_nan())),
        ("isNaN", [Value::Float(f)]) => Some(Value::Bool(f.is_nan())),
        ("isInfinite", [Value::Double(d)]) => Some(Value::Bool(d.is_infinite())),
        ("isInfinite", [Value::Float(f)]) => Some(Value::Bool(f.is_infinite())),
        ("isFinite", [Value::Double(d)]) => Some(Value::Bool(d.is_finite())),
        ("isFinite", [Value::Float(f)]) => Some(Value::Bool(f.is_finite())),
        _ => None,
    })
}

/// The static methods of `java.lang.Boolean` that take booleans.
fn boolean(name: &str, args: &[Value]) -> Option<Value> {
    Some(match (name, args) {
        ("valueOf", [Value::Bool(a)]) => Value::Bool(*a),
        ("hashCode", [v @ Value::Bool(_)]) => Value::Int(super::java_hash_code(v)?),
        ("compare", [Value::Bool(a), Value::Bool(b)]) => Value::Int(a.cmp(b) as i32),
        ("logicalAnd", [Value::Bool(a), Value::Bool(b)]) => Value::Bool(*a && *b),
        ("logicalOr", [Value::Bool(a), Value::Bool(b)]) => Value::Bool(*a || *b),
        ("logicalXor", [Value::Bool(a), Value::Bool(b)]) => Value::Bool(a ^ b),
        _ => return None,
    })
}

/// The `toString` overloads with arguments: the static
/// `Integer.toString(int[, radix])`, `Long.toString(long[, radix])`,
/// `Double.toString(double)`, `Float.toString(float)` and
/// `Boolean.toString(boolean)`, and BigInteger's `toString(radix)`. `None`
/// when none takes `args` (Velocity then calls `toString()`, which fails).
fn to_string_overload(value: &Value, name: &str, args: &[Value]) -> Option<String> {
    if name != "toString" || args.is_empty() {
        return None;
    }
    if let (Value::Bool(_), [Value::Bool(b)]) = (value, args) {
        return Some(b.to_string());
    }
    if let (Value::BigInt(_) | Value::Huge(_), [Value::Int(radix)]) = (value, args) {
        return value
            .as_big_integer()
            .map(|b| b.to_str_radix(java_radix(*radix)));
    }
    let class = Class::of(value)?;
    match args {
        [x] if class.accepts(x) => class.widen(x).to_java_string(),
        [x, Value::Int(radix)]
            if matches!(class, Class::Integer | Class::Long) && class.accepts(x) =>
        {
            let x = match x {
                Value::Int(i) => i64::from(*i),
                Value::Long(l) => *l,
                _ => return None,
            };
            Some(radix_string(x, *radix))
        }
        _ => None,
    }
}

/// `Integer.parseInt(s, radix)`, `Long.parseLong(s, radix)` and their
/// `valueOf`.
fn parse_radix(
    class: Class,
    name: &str,
    text: Option<&str>,
    radix: i32,
    span: Span,
) -> EResult<Option<Value>> {
    let applies = match class {
        Class::Integer => matches!(name, "parseInt" | "valueOf"),
        Class::Long => matches!(name, "parseLong" | "valueOf"),
        _ => false,
    };
    if !applies {
        return Ok(None);
    }
    let Some(text) = text else {
        return Err(super::null_number(span));
    };
    parse_integer(class == Class::Long, text, radix, span).map(Some)
}

/// `Integer.parseInt(text, radix)`, or `Long.parseLong` when `long`.
pub(super) fn parse_integer(long: bool, text: &str, radix: i32, span: Span) -> EResult<Value> {
    let fail = || {
        method_error(
            span,
            format!(
                "NumberFormatException: For input string: \"{text}\"{}",
                if radix == 10 {
                    String::new()
                } else {
                    format!(" under radix {radix}")
                }
            ),
        )
    };
    if !(2..=36).contains(&radix) {
        return Err(method_error(
            span,
            format!("NumberFormatException: radix {radix} out of range"),
        ));
    }
    // Java takes one leading sign, then `Character.digit`s of the radix:
    // any Unicode decimal digit, and Latin letters (full-width too).
    let negative = text.starts_with('-');
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() {
        return Err(fail());
    }
    let (min, max) = if long {
        (i128::from(i64::MIN), i128::from(i64::MAX))
    } else {
        (i128::from(i32::MIN), i128::from(i32::MAX))
    };
    let mut n: i128 = 0;
    for unit in digits.encode_utf16() {
        let d = super::character::java_digit(u32::from(unit), radix as u32).ok_or_else(fail)?;
        n = n * i128::from(radix) + i128::from(d);
        if n > max + 1 {
            return Err(fail());
        }
    }
    let n = if negative { -n } else { n };
    if n < min || n > max {
        return Err(fail());
    }
    Ok(if long {
        Value::Long(n as i64)
    } else {
        Value::Int(n as i32)
    })
}

/// `max`, `min` or `sum` of two values of one class, as Java computes them.
fn binary(name: &str, a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => Value::Int(match name {
            "max" => *a.max(b),
            "min" => *a.min(b),
            _ => a.wrapping_add(*b),
        }),
        (Value::Long(a), Value::Long(b)) => Value::Long(match name {
            "max" => *a.max(b),
            "min" => *a.min(b),
            _ => a.wrapping_add(*b),
        }),
        (Value::Float(a), Value::Float(b)) if name == "sum" => Value::Float(a + b),
        (Value::Float(a), Value::Float(b)) => {
            Value::Float(float_binary(name, f64::from(*a), f64::from(*b)) as f32)
        }
        _ => Value::Double(float_binary(name, as_f64(a), as_f64(b))),
    }
}

/// `Math.max`/`Math.min` (NaN wins, and 0.0 is above -0.0) or a sum.
fn float_binary(name: &str, a: f64, b: f64) -> f64 {
    if name == "sum" {
        return a + b;
    }
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    let a_first = match a.total_cmp(&b) {
        Ordering::Less => name == "min",
        _ => name == "max",
    };
    if a_first {
        a
    } else {
        b
    }
}

/// `Integer.compare` and friends; for floating point `Double.compare`,
/// where NaN is above everything and -0.0 below 0.0.
fn java_compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        (Value::Long(a), Value::Long(b)) => a.cmp(b),
        _ => {
            let canonical = |x: f64| if x.is_nan() { f64::NAN } else { x };
            canonical(as_f64(a)).total_cmp(&canonical(as_f64(b)))
        }
    }
}

/// Java's radix for number formatting: 2 to 36, and 10 for any other.
fn java_radix(radix: i32) -> u32 {
    u32::try_from(radix)
        .ok()
        .filter(|r| (2..=36).contains(r))
        .unwrap_or(10)
}

/// `Long.toString(x, radix)`: lowercase digits, a `-` for negatives.
fn radix_string(x: i64, radix: i32) -> String {
    let radix = java_radix(radix);
    let mut digits = Vec::new();
    let mut n = x.unsigned_abs();
    loop {
        digits.push(std::char::from_digit((n % u64::from(radix)) as u32, radix).unwrap_or('0'));
        n /= u64::from(radix);
        if n == 0 {
            break;
        }
    }
    if x < 0 {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

/// `toHexString`, `toBinaryString` or `toOctalString` of the bits `bits`.
fn unsigned_digits(name: &str, bits: u64) -> String {
    match name {
        "toHexString" => format!("{bits:x}"),
        "toBinaryString" => format!("{bits:b}"),
        _ => format!("{bits:o}"),
    }
}
