//! Properties, method calls and index notation on values, resolved the way
//! Velocity's introspector finds Java methods. Nothing reflective runs:
//! `getClass()` and friends resolve to null.

mod character;
mod collections;
pub(crate) use collections::map_get;
mod format;
mod regex;
mod statics;

pub(crate) use regex::translate as java_regex_source;
mod string;
mod text_block;

use std::rc::Rc;

use super::error::{EvalError, EvalErrorKind};
use super::interp::{EResult, Interp};
use num_bigint::{BigInt, Sign};
use num_traits::Signed;

use super::value::{big_integer, integer, ListKind, Value};
use crate::syntax::name::{Known, Name};
use crate::syntax::span::Span;

/// The outcome of looking a method up.
pub(crate) enum Call {
    /// The method ran and returned this.
    Done(Value),
    /// No method of that name and arity: Velocity renders null.
    Unresolved,
    /// Only a zero-argument overload exists but arguments were given:
    /// Velocity 1.7 picks it anyway and the call fails.
    ZeroArgOverload,
}

pub(crate) fn method_error(span: Span, message: String) -> Box<EvalError> {
    EvalError::boxed(EvalErrorKind::Method, span, message)
}

/// `$value.name`: Java getter (`getName`, `isName`) or `Map.get("name")`.
pub(crate) fn property(
    env: &crate::apigw::Env,
    value: &Value,
    name: &Name,
    span: Span,
) -> EResult<Value> {
    let v = match value {
        Value::Map(_) => map_entry(value, name).unwrap_or(Value::Null),
        Value::Entry(e) => match getter_name(name) {
            Some(Known::Key) => e.key.clone(),
            Some(Known::Value) => e.value(),
            _ => Value::Null,
        },
        Value::View(v) => match &**name {
            "empty" | "Empty" => Value::Bool(v.is_empty()),
            _ => Value::Null,
        },
        // Velocity tries `getName` for both `.name` and `.Name`.
        Value::LoopInfo(info) => loop_info_property(info, &lower_first(name)),
        Value::Loop(l) => match getter_name(name) {
            Some(Known::Index) => Value::Int(l.index.get()),
            Some(Known::Count) => Value::Int(l.index.get().saturating_add(1)),
            Some(Known::HasNext) => Value::Bool(l.has_next.get()),
            Some(Known::First) => Value::Bool(l.index.get() < 1),
            Some(Known::Last) => Value::Bool(!l.has_next.get()),
            Some(Known::Parent) => l.parent.clone(),
            Some(Known::Info) => Value::LoopInfo(l.info()),
            Some(Known::Topmost) => {
                let mut cur = Rc::clone(l);
                while let Value::Loop(p) = &cur.parent {
                    let p = Rc::clone(p);
                    cur = p;
                }
                Value::Loop(cur)
            }
            // `getReplaced()` comes before the map's entries, as the other
            // getters do.
            _ if matches!(&**name, "replaced" | "Replaced") => l.replaced.clone(),
            // Velocity's scope is a map whose `get` asks the parent scope
            // for a key it lacks.
            _ => l.get(&Value::str(name)),
        },
        // Velocity looks for `getName()`, then `isName()` (`$d.NaN` is
        // `isNaN()`).
        Value::Str(_) => getter(value, name, span)?,
        v if v.is_number() => getter(value, name, span)?,
        Value::List(l, _) => match &**name {
            "empty" | "Empty" => Value::Bool(l.borrow().is_empty()),
            _ => Value::Null,
        },
        Value::Input if getter_name(name) == Some(Known::Body) => {
            crate::apigw::input::body_value(env)
        }
        // A `#define` block is not a String: it has no getters.
        Value::Define(_) => Value::Null,
        _ => Value::Null,
    };
    Ok(v)
}

/// The entry `name` of `value` when it is a map that has one: the
/// property of a map, and most steps of most references, which the
/// interpreter reads with this before any general call.
#[inline(always)]
pub(crate) fn map_entry(value: &Value, name: &Name) -> Option<Value> {
    match value {
        Value::Map(m) => super::value::get_str(&m.borrow(), name).cloned(),
        _ => None,
    }
}

/// The property a `$foreach` getter called as a method reads.
fn loop_getter(method: &str) -> Option<Known> {
    Some(match method {
        "getIndex" => Known::Index,
        "getCount" => Known::Count,
        "hasNext" | "getHasNext" => Known::HasNext,
        "isFirst" | "getFirst" => Known::First,
        "isLast" | "getLast" => Known::Last,
        "getParent" => Known::Parent,
        "getTopmost" => Known::Topmost,
        "getInfo" => Known::Info,
        _ => return None,
    })
}

/// The known name of the getter `.name` reads: Velocity looks for
/// `getName()` whether the property is written `name` or `Name`.
pub(crate) fn getter_name(name: &Name) -> Option<Known> {
    match name.known() {
        Some(k) => Some(k),
        None if name.starts_with(|c: char| c.is_ascii_uppercase()) => {
            Known::from_text(&lower_first(name))
        }
        None => None,
    }
}

/// The value of the first of `getName()` and `isName()` that a string or
/// a number has. Kept out of line: the common properties are map keys.
#[inline(never)]
fn getter(value: &Value, name: &str, span: Span) -> EResult<Value> {
    let mut chars = name.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let rest = chars.as_str();
    for prefix in ["get", "is"] {
        let method = format!("{prefix}{first}{rest}");
        let call = match value {
            Value::Str(s) => string::call(s, &method, &[], span)?,
            v => number_call(v, &method, &[], span)?,
        };
        if let Call::Done(v) = call {
            return Ok(v);
        }
    }
    Ok(Value::Null)
}

/// The getters of `$foreach.info` (Velocity's `Scope.Info`).
fn loop_info_property(info: &super::value::LoopInfo, name: &str) -> Value {
    let number = |n: u32| Value::Int(i32::try_from(n).unwrap_or(i32::MAX));
    match name {
        "name" => Value::str("foreach"),
        "type" => Value::str("block"),
        "template" => Value::str("template"),
        "depth" => number(info.depth),
        "line" => number(info.line),
        "column" => number(info.column),
        _ => Value::Null,
    }
}

/// `Name` to `name`: the property a getter reads.
fn lower_first(getter: &str) -> String {
    let mut chars = getter.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `$value.name(args)`.
#[inline]
pub(crate) fn call(
    it: &mut Interp,
    value: &Value,
    name: &Name,
    args: &[Value],
    span: Span,
) -> EResult<Value> {
    let known = name.known();
    let mutates = matches!(
        value,
        Value::Map(_) | Value::List(..) | Value::View(_) | Value::Entry(_)
    ) && known.is_some_and(Known::is_mutator);
    if mutates {
        it.env.touch();
    }
    let outcome = match value {
        Value::Str(s) => string::call(s, name, args, span)?,
        Value::List(l, kind) => collections::list_call(l, *kind, name, args, span)?,
        Value::Map(m) => collections::map_call(m, name, args, span)?,
        Value::Input => crate::apigw::input::call(it.env, known, args, span)?,
        Value::Util => crate::apigw::util::call(known, args, span)?,
        _ => other_call(it, value, name, args, span)?,
    };
    if mutates {
        // Adding a collection to itself in a loop grows it exponentially.
        super::interp::check_size(value, span)?;
    }
    // `equals`, `contains`, `indexOf`, … compared values past Java's stack.
    if super::value::take_equality_overflow() {
        return Err(super::interp::stack_overflow(span));
    }
    match outcome {
        Call::Done(v) => Ok(v),
        Call::Unresolved => unresolved(value, name, args, span),
        Call::ZeroArgOverload => Err(zero_arg_overload(name, args, span)),
    }
}

/// A call no method of the value's own took: null, but for the methods of
/// `java.lang.Object` on API Gateway's objects (`$input.toString()`).
#[cold]
fn unresolved(value: &Value, name: &str, args: &[Value], span: Span) -> EResult<Value> {
    if !matches!(value, Value::Input | Value::Util) {
        return Ok(Value::Null);
    }
    match common(value, name, args) {
        Call::Done(v) => Ok(v),
        Call::Unresolved => Ok(Value::Null),
        Call::ZeroArgOverload => Err(zero_arg_overload(name, args, span)),
    }
}

fn zero_arg_overload(name: &str, args: &[Value], span: Span) -> Box<EvalError> {
    method_error(
        span,
        format!(
            "wrong number of arguments for {name}(): it takes none but got {}",
            args.len()
        ),
    )
}

/// The methods of values other than strings, lists, maps, `$input` and
/// `$util`: kept apart so that those common calls stay short.
#[inline(never)]
fn other_call(
    it: &mut Interp,
    value: &Value,
    name: &str,
    args: &[Value],
    span: Span,
) -> EResult<Call> {
    Ok(match value {
        Value::Entry(e) => match (name, args) {
            ("getKey", []) => Call::Done(e.key.clone()),
            ("getValue", []) => Call::Done(e.value()),
            ("setValue", [v]) => Call::Done(e.set_value(v.clone())),
            _ => common(value, name, args),
        },
        Value::View(v) => collections::view_call(v, value, name, args, span)?,
        Value::LoopInfo(info) => match (name.strip_prefix("get"), args) {
            (Some(getter), []) if getter.starts_with(|c: char| c.is_uppercase()) => {
                match loop_info_property(info, &lower_first(getter)) {
                    Value::Null => common(value, name, args),
                    v => Call::Done(v),
                }
            }
            _ => common(value, name, args),
        },
        // `$foreach`'s getters called as methods.
        Value::Loop(l) => match (loop_getter(name), args) {
            (Some(prop), []) => Call::Done(property(it.env, value, &Name::from(prop), span)?),
            (None, [key]) if name == "get" => Call::Done(l.get(key)),
            (None, []) if name == "getReplaced" => Call::Done(l.replaced.clone()),
            // The scope's own `toString`, `equals` and `hashCode` (its map's
            // would not know the scope itself).
            (None, _) if matches!(name, "toString" | "equals" | "hashCode") => {
                common(value, name, args)
            }
            // Any other method is the scope's map's.
            _ => collections::map_call(&l.storage(), name, args, span)?,
        },
        // A `#define` block renders itself as its `toString()`; its other
        // method is Object's `equals`.
        Value::Define(body) => match (name, args) {
            ("toString", []) => Call::Done(Value::Str(Rc::from(it.define_to_string(body, span)?))),
            // Object.equals: the same block only.
            ("equals", [other]) => Call::Done(Value::Bool(
                matches!(other, Value::Define(o) if std::sync::Arc::ptr_eq(o, body)),
            )),
            _ => Call::Unresolved,
        },
        v if (v.is_number() || matches!(v, Value::Bool(_))) && name == "compareTo" => match args {
            [other] => Call::Done(java_compare_to(value, other, span)?),
            _ => Call::Unresolved,
        },
        v if v.is_number() => number_call(value, name, args, span)?,
        Value::Char(c) => character::call(*c, name, args, span)?,
        Value::Bool(b) => match statics::call(value, name, args, span)? {
            Some(v) => Call::Done(v),
            None => bool_call(*b, name, args),
        },
        _ => common(value, name, args),
    })
}

/// `Comparable.compareTo`: only a value of the receiver's own class
/// compares; Java's cast of anything else fails (and null is a
/// NullPointerException).
pub(crate) fn java_compare_to(value: &Value, other: &Value, span: Span) -> EResult<Value> {
    use std::cmp::Ordering;
    let ord = match (value, other) {
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        (Value::Long(a), Value::Long(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Double(a), Value::Double(b)) => java_double_order(*a, *b),
        (Value::Float(a), Value::Float(b)) => java_double_order(f64::from(*a), f64::from(*b)),
        (Value::BigInt(_) | Value::Huge(_), Value::BigInt(_) | Value::Huge(_))
        | (Value::Decimal(_), Value::Decimal(_)) => {
            super::arith::compare(value, other).unwrap_or(Ordering::Equal)
        }
        (_, Value::Null) => {
            return Err(method_error(
                span,
                "NullPointerException: compareTo(null)".into(),
            ))
        }
        _ => {
            return Err(method_error(
                span,
                format!(
                    "ClassCastException: {} cannot be cast to {}",
                    format::java_class(other),
                    format::java_class(value)
                ),
            ))
        }
    };
    Ok(Value::Int(ord as i32))
}

/// `Double.compare`: numeric order, except that `-0.0` is below `0.0` and
/// NaN equals itself and is above everything.
fn java_double_order(a: f64, b: f64) -> std::cmp::Ordering {
    let bits = |d: f64| {
        if d.is_nan() {
            0x7ff8_0000_0000_0000_i64
        } else {
            d.to_bits() as i64
        }
    };
    match a.partial_cmp(&b) {
        Some(std::cmp::Ordering::Equal) | None => bits(a).cmp(&bits(b)),
        Some(ord) => ord,
    }
}

/// Java's `hashCode()` of a value, where Java defines it by the value (not
/// by identity): strings, numbers, booleans, and lists, maps and entries by
/// their elements.
pub(crate) fn java_hash_code(value: &Value) -> Option<i32> {
    let mut budget = MAX_HASH_STEPS;
    hash_within(value, &mut budget)
}

/// Most collections one `hashCode()` opens: lists that share their
/// sublists (`#set($l = [$l, $l])` in a loop) take time exponential in
/// their depth, where Java would run until API Gateway's timeout.
const MAX_HASH_STEPS: u32 = 10_000_000;

fn hash_within(value: &Value, budget: &mut u32) -> Option<i32> {
    if matches!(
        value,
        Value::List(..) | Value::Map(_) | Value::Entry(_) | Value::View(_)
    ) {
        let Some(left) = budget.checked_sub(1) else {
            super::value::note_too_deep();
            return None;
        };
        *budget = left;
    }
    Some(match value {
        Value::Null => 0,
        Value::Str(s) => {
            super::utf16::units(s).fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)))
        }
        Value::Int(i) => *i,
        Value::Char(u) => i32::from(*u),
        Value::Long(l) => (*l ^ ((*l as u64) >> 32) as i64) as i32,
        Value::Double(d) => {
            let bits = if d.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                d.to_bits()
            };
            (bits ^ (bits >> 32)) as i32
        }
        Value::Float(f) => {
            if f.is_nan() {
                0x7fc0_0000
            } else {
                f.to_bits() as i32
            }
        }
        Value::Bool(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::BigInt(_) | Value::Huge(_) => big_integer_hash(&value.as_big_integer()?),
        // `31 * unscaledValue().hashCode() + scale()`.
        Value::Decimal(d) => big_integer_hash(d.unscaled())
            .wrapping_mul(31)
            .wrapping_add(d.scale()),
        Value::List(items, _) => {
            let _depth = hash_depth()?;
            let mut h = 1i32;
            for x in items.borrow().iter() {
                h = h.wrapping_mul(31).wrapping_add(hash_within(x, budget)?);
            }
            h
        }
        Value::Map(m) => {
            let _depth = hash_depth()?;
            let mut h = 0i32;
            for (k, v) in m.borrow().iter() {
                let k = hash_within(&super::value::key_value(k), budget)?;
                h = h.wrapping_add(k ^ hash_within(v, budget)?);
            }
            h
        }
        Value::Entry(e) => {
            let _depth = hash_depth()?;
            hash_within(&e.key, budget)? ^ hash_within(&e.value(), budget)?
        }
        // A key or entry set hashes as a set: the sum of its elements'.
        Value::View(v)
            if matches!(
                **v,
                super::view::View::Keys(_) | super::view::View::Entries(_)
            ) =>
        {
            let _depth = hash_depth()?;
            let mut h = 0i32;
            for x in v.items() {
                h = h.wrapping_add(hash_within(&x, budget)?);
            }
            h
        }
        // Velocity's scope is a map over its own entries.
        Value::Loop(l) => match &*l.storage.borrow() {
            Some(m) => hash_within(&Value::Map(Rc::clone(m)), budget)?,
            None => 0,
        },
        _ => return None,
    })
}

/// One level deeper into a value being hashed. Past the limit (a cycle:
/// `$m.put('me', $m)`) Java's `hashCode` overflows its stack, and so the
/// render fails.
fn hash_depth() -> Option<super::value::DepthGuard> {
    let guard = super::value::DepthGuard::enter();
    if guard.is_none() {
        super::value::note_too_deep();
    }
    guard
}

/// Methods every object has: `toString`, `equals`, `hashCode`.
pub(crate) fn common(value: &Value, name: &str, args: &[Value]) -> Call {
    match (name, args) {
        ("hashCode", []) => match java_hash_code(value) {
            Some(h) => Call::Done(Value::Int(h)),
            None => Call::Unresolved,
        },
        ("toString", []) => value.to_java_string().map_or(Call::Done(Value::Null), |s| {
            Call::Done(Value::Str(Rc::from(s)))
        }),
        ("equals", [other]) => Call::Done(Value::Bool(value == other)),
        // `getClass` is refused outright (no reflection), with any arguments.
        ("toString" | "hashCode", _) if !args.is_empty() => Call::ZeroArgOverload,
        _ => Call::Unresolved,
    }
}

/// Java's `NullPointerException` for a null argument of `name`.
pub(crate) fn null_pointer(span: Span, name: &str) -> Box<EvalError> {
    method_error(
        span,
        format!("NullPointerException: {name}() was called with null"),
    )
}

pub(super) fn null_number(span: Span) -> Box<EvalError> {
    method_error(
        span,
        "NumberFormatException: Cannot parse null string: null".into(),
    )
}

fn number_error(span: Span, text: &str) -> Box<EvalError> {
    method_error(
        span,
        format!("NumberFormatException: For input string: \"{text}\""),
    )
}

/// `Double.parseDouble`: trims, allows a `d`/`f` suffix, `NaN`, `Infinity`.
fn parse_java_double(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| c <= ' ');
    let t = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    let body = t.trim_start_matches(['+', '-']);
    let lower = body.to_ascii_lowercase();
    let named = matches!(lower.as_str(), "inf" | "infinity" | "nan");
    if named && body != "Infinity" && body != "NaN" {
        return None;
    }
    t.parse().ok()
}

/// Methods of Integer, Long, BigInteger and Double, including the static
/// ones templates reach through an instance (`#set($Integer = 0)` then
/// `$Integer.parseInt(...)`).
fn number_call(value: &Value, name: &str, args: &[Value], span: Span) -> EResult<Call> {
    let f = super::arith::as_f64(value);
    let i = match value {
        Value::Decimal(d) => d.whole_low_bits(),
        Value::Huge(b) => super::value::low_bits(b),
        v => v.as_integer().unwrap_or(f as i128),
    };
    let done = |v: Value| Ok(Call::Done(v));
    if let Some(v) = statics::call(value, name, args, span)? {
        return done(v);
    }
    let is_int = matches!(value, Value::Int(_));
    let is_long = matches!(value, Value::Long(_));
    if let Value::Decimal(d) = value {
        if let Some(call) = decimal_call(d, name, args, span)? {
            return Ok(call);
        }
    }
    if let Value::BigInt(_) | Value::Huge(_) = value {
        if let Some(b) = value.as_big_integer() {
            if let Some(call) = big_integer_call(&b, name, args, span)? {
                return Ok(call);
            }
        }
    }
    // Java narrows a double to int or long by clamping to the type's range
    // (NaN is 0), as Rust's `as` does; integers keep their low bits.
    let is_floating = matches!(value, Value::Double(_) | Value::Float(_));
    let int = if is_floating { f as i32 } else { i as i32 };
    let long = if is_floating { f as i64 } else { i as i64 };
    match (name, args) {
        ("intValue", []) => done(Value::Int(int)),
        ("longValue", []) => done(Value::Long(long)),
        // Java narrows a double to int first, then to short or byte.
        ("shortValue", []) => done(Value::Int(i32::from(int as i16))),
        ("byteValue", []) => done(Value::Int(i32::from(int as i8))),
        ("doubleValue", []) => done(Value::Double(f)),
        ("floatValue", []) => done(Value::Float(super::arith::as_f32(value))),
        ("isNaN", []) if matches!(value, Value::Double(_) | Value::Float(_)) => {
            done(Value::Bool(f.is_nan()))
        }
        ("isInfinite", []) if matches!(value, Value::Double(_) | Value::Float(_)) => {
            done(Value::Bool(f.is_infinite()))
        }
        ("hashCode", []) => done(Value::Int(java_hash_code(value).unwrap_or(i as i32))),
        // Java's parsers of a null: `Integer`'s and `Long`'s say so, the others
        // dereference it.
        ("parseInt" | "valueOf", [Value::Null]) if is_int => Err(null_number(span)),
        ("parseLong" | "valueOf", [Value::Null]) if is_long => Err(null_number(span)),
        ("decode", [Value::Null]) if is_int || is_long => Err(null_pointer(span, name)),
        ("parseDouble" | "valueOf", [Value::Null]) if matches!(value, Value::Double(_)) => {
            Err(null_pointer(span, name))
        }
        ("parseInt" | "valueOf", [Value::Str(s)]) if is_int => {
            statics::parse_integer(false, s, 10, span).map(Call::Done)
        }
        ("parseLong" | "valueOf", [Value::Str(s)]) if is_long => {
            statics::parse_integer(true, s, 10, span).map(Call::Done)
        }
        ("parseDouble" | "valueOf", [Value::Str(s)]) if matches!(value, Value::Double(_)) => {
            match parse_java_double(s) {
                Some(d) => done(Value::Double(d)),
                None => Err(number_error(span, s)),
            }
        }
        ("decode", [Value::Str(text)]) if is_int || is_long => {
            decode_integer(is_long, text, span).map(Call::Done)
        }
        // Only the instance method has that name and it takes no argument:
        // Velocity calls it anyway, and the call fails.
        (
            "intValue" | "longValue" | "shortValue" | "byteValue" | "doubleValue" | "floatValue",
            [_, ..],
        ) => Ok(Call::ZeroArgOverload),
        ("isNaN" | "isInfinite", [_, ..])
            if matches!(value, Value::Double(_) | Value::Float(_)) =>
        {
            Ok(Call::ZeroArgOverload)
        }
        _ => Ok(common(value, name, args)),
    }
}

/// `Integer.decode` or `Long.decode`: a sign, then `0x`, `0X` or `#` for
/// hexadecimal, a leading `0` for octal, and digits as `parseInt` reads
/// them (any Unicode decimal digit).
fn decode_integer(long: bool, text: &str, span: Span) -> EResult<Value> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = if let Some(h) = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0X"))
        .or_else(|| body.strip_prefix('#'))
    {
        (16, h)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, body.get(1..).unwrap_or(""))
    } else {
        (10, body)
    };
    if text.is_empty() || digits.starts_with(['+', '-']) {
        return Err(number_error(span, text));
    }
    // Java parses the digits, then negates; the most negative value, whose
    // digits overflow, is parsed again with its sign.
    match statics::parse_integer(long, digits, radix, span) {
        Ok(v) if negative => Ok(match v {
            Value::Int(n) => Value::Int(n.wrapping_neg()),
            Value::Long(n) => Value::Long(n.wrapping_neg()),
            v => v,
        }),
        Ok(v) => Ok(v),
        Err(_) if negative => statics::parse_integer(long, &format!("-{digits}"), radix, span),
        Err(e) => Err(e),
    }
}

/// `java.math.BigDecimal` methods beyond `Number`'s.
fn decimal_call(
    d: &super::decimal::Decimal,
    name: &str,
    args: &[Value],
    span: Span,
) -> EResult<Option<Call>> {
    let dec = |x: super::decimal::Decimal| Some(Call::Done(Value::Decimal(Rc::new(x))));
    Ok(match (name, args) {
        ("scale", []) => Some(Call::Done(Value::Int(d.scale()))),
        ("precision", []) => Some(Call::Done(Value::Int(d.precision()))),
        ("signum", []) => Some(Call::Done(Value::Int(d.signum()))),
        ("unscaledValue", []) => d.unscaled_i128().map(|u| Call::Done(integer(u))),
        ("toPlainString", []) => match d.to_plain_string() {
            Some(text) => Some(Call::Done(Value::Str(Rc::from(text)))),
            None => {
                return Err(method_error(
                    span,
                    "OutOfMemoryError: toPlainString() would be too long".into(),
                ))
            }
        },
        ("toEngineeringString", []) if d.scale() >= 0 => {
            Some(Call::Done(Value::Str(Rc::from(d.to_java_string()))))
        }
        ("negate", []) => dec(d.negate()),
        ("abs", []) => dec(d.abs()),
        ("stripTrailingZeros", []) => dec(d.strip_trailing_zeros()),
        ("toBigInteger", []) => match d.to_big_integer() {
            Some(b) => Some(Call::Done(big_integer(b))),
            None => {
                return Err(method_error(
                    span,
                    "OutOfMemoryError: toBigInteger() would be too long".into(),
                ))
            }
        },
        ("setScale", [Value::Int(scale), Value::Int(mode)]) => dec(d
            .set_scale(*scale, *mode)
            .map_err(|m| method_error(span, m))?),
        ("setScale", [Value::Int(scale)]) => {
            dec(d.set_scale(*scale, 7).map_err(|m| method_error(span, m))?)
        }
        _ => None,
    })
}

/// `java.math.BigInteger` methods beyond `Number`'s.
fn big_integer_call(b: &BigInt, name: &str, args: &[Value], span: Span) -> EResult<Option<Call>> {
    let done = |v: BigInt| Ok(Some(Call::Done(big_integer(v))));
    let other = |v: &Value| match v {
        Value::BigInt(_) | Value::Huge(_) => v.as_big_integer(),
        _ => None,
    };
    match (name, args) {
        ("negate", []) => done(-b),
        ("abs", []) => done(b.abs()),
        ("signum", []) => Ok(Some(Call::Done(Value::Int(match b.sign() {
            Sign::Minus => -1,
            Sign::NoSign => 0,
            Sign::Plus => 1,
        })))),
        // Bits of the two's complement without its sign bit.
        ("bitLength", []) => {
            let magnitude = if b.is_negative() { -b - 1u8 } else { b.clone() };
            let bits = i32::try_from(magnitude.bits()).unwrap_or(i32::MAX);
            Ok(Some(Call::Done(Value::Int(bits))))
        }
        ("hashCode", []) => Ok(Some(Call::Done(Value::Int(big_integer_hash(b))))),
        ("pow", [Value::Int(e)]) if *e >= 0 => {
            if b.bits().saturating_mul(*e as u64) > super::arith::MAX_BIG_BITS {
                return Err(EvalError::boxed(
                    EvalErrorKind::Limit,
                    span,
                    "OutOfMemoryError: a BigInteger grew too large".into(),
                ));
            }
            done(num_traits::pow(b.clone(), *e as usize))
        }
        ("add", [o]) => Ok(other(o).map(|o| Call::Done(big_integer(b + o)))),
        ("subtract", [o]) => Ok(other(o).map(|o| Call::Done(big_integer(b - o)))),
        ("multiply", [o]) => Ok(other(o).map(|o| Call::Done(big_integer(b * o)))),
        _ => Ok(None),
    }
}

/// `BigInteger.hashCode()`: the magnitude's 32-bit words, most significant
/// first, folded with 31, times the sign.
fn big_integer_hash(b: &BigInt) -> i32 {
    let (sign, words) = b.to_u32_digits();
    let hash = words
        .iter()
        .rev()
        .fold(0i32, |h, w| h.wrapping_mul(31).wrapping_add(*w as i32));
    match sign {
        Sign::Minus => hash.wrapping_neg(),
        _ => hash,
    }
}

/// Methods of `java.lang.Boolean`.
fn bool_call(b: bool, name: &str, args: &[Value]) -> Call {
    let parse = |s: &str| s.eq_ignore_ascii_case("true");
    match (name, args) {
        ("booleanValue", []) => Call::Done(Value::Bool(b)),
        ("booleanValue", [_, ..]) => Call::ZeroArgOverload,
        ("hashCode", []) => Call::Done(Value::Int(if b { 1231 } else { 1237 })),
        ("parseBoolean" | "valueOf", [Value::Str(s)]) => Call::Done(Value::Bool(parse(s))),
        // `Boolean.valueOf(String)`: null is false.
        ("valueOf", [Value::Null]) => Call::Done(Value::Bool(false)),
        ("parseBoolean", [Value::Null]) => Call::Done(Value::Bool(false)),
        _ => common(&Value::Bool(b), name, args),
    }
}

/// `$value[arg]`: `get(arg)`.
pub(crate) fn index(value: &Value, arg: &Value, span: Span) -> EResult<Value> {
    // A scope (`$foreach`) is read through its `get`: its map, then its
    // parent's.
    if let Value::Loop(l) = value {
        // A negative index counts from its own map's size.
        let at = effective_index(&Value::Map(l.storage()), arg, span)?;
        return Ok(l.get(&at.map_or_else(|| arg.clone(), Value::Int)));
    }
    let at = effective_index(value, arg, span)?;
    match value {
        // `List.get(int)` takes an Integer only: other arguments find no method.
        Value::List(l, _) => match at {
            Some(at) => {
                let l = l.borrow();
                usize::try_from(at)
                    .ok()
                    .and_then(|i| l.get(i).cloned())
                    .ok_or_else(|| out_of_bounds(at, l.len(), span))
            }
            None => Ok(Value::Null),
        },
        Value::Map(m) => {
            let key = at.map_or_else(|| arg.to_key(), |at| Value::Int(at).to_key());
            Ok(m.borrow().get(&key).cloned().unwrap_or(Value::Null))
        }
        _ => Ok(Value::Null),
    }
}

/// `#set($value[key] = v)`.
pub(crate) fn set_index(value: &Value, key: &Value, v: Value, span: Span) -> EResult<()> {
    // A scope (`$foreach`) is written through its `put`, into its own map.
    if let Value::Loop(l) = value {
        return set_index(&Value::Map(l.storage()), key, v, span);
    }
    let at = effective_index(value, key, span)?;
    match value {
        Value::List(l, kind) => {
            let Some(at) = at else {
                return Ok(());
            };
            collections::check_array_store(*kind, &v, span)?;
            let mut l = l.borrow_mut();
            let len = l.len();
            match usize::try_from(at).ok().and_then(|i| l.get_mut(i)) {
                Some(slot) => *slot = v,
                None => return Err(out_of_bounds(at, len, span)),
            }
        }
        Value::Map(m) => {
            let key = at.map_or_else(|| key.to_key(), |at| Value::Int(at).to_key());
            m.insert(key, v);
        }
        _ => {}
    }
    Ok(())
}

/// The Integer index `arg` stands for on `value`, `None` for an argument
/// that is not an Integer. Velocity counts a negative Integer from the end
/// by adding the value's `size()`, and fails on a value without one.
fn effective_index(value: &Value, arg: &Value, span: Span) -> EResult<Option<i32>> {
    let Value::Int(i) = *arg else {
        return Ok(None);
    };
    if i >= 0 {
        return Ok(Some(i));
    }
    let size = match value {
        Value::List(l, _) => l.borrow().len(),
        Value::Map(m) => m.borrow().len(),
        Value::View(v) => v.len(),
        other => {
            let what = match other {
                Value::Entry(_) => "a map entry",
                Value::Define(_) => "a #define block",
                Value::LoopInfo(_) => "$foreach.info",
                Value::Input => "$input",
                Value::Util => "$util",
                v => format::java_class(v),
            };
            return Err(method_error(
                span,
                format!(
                    "index {i}: a negative index needs a size() method, which {what} does not have"
                ),
            ));
        }
    };
    Ok(Some(
        i.saturating_add(i32::try_from(size).unwrap_or(i32::MAX)),
    ))
}

fn out_of_bounds(at: i32, len: usize, span: Span) -> Box<EvalError> {
    method_error(
        span,
        format!("index {at} out of bounds for a list of {len}"),
    )
}

/// A Java `int` argument: Integer only (Velocity does not narrow Long).
pub(crate) fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        _ => None,
    }
}

/// A list value of strings.
pub(crate) fn string_list(items: Vec<String>, kind: ListKind) -> Value {
    let v = items.into_iter().map(|s| Value::Str(Rc::from(s))).collect();
    Value::List(Rc::new(crate::eval::value::ListCell::new(v)), kind)
}

/// An integer result as Java `int`.
pub(crate) fn int_result(i: i64) -> Value {
    integer(i128::from(i))
}
