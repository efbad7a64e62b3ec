//! Properties, method calls and index notation on values, resolved the way
//! Velocity's introspector finds Java methods. Nothing reflective runs:
//! `getClass()` and friends resolve to null.

mod collections;
mod string;

use std::rc::Rc;

use super::error::{EvalError, EvalErrorKind};
use super::interp::{EResult, Interp};
use super::value::{integer, ListKind, Value};
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

pub(crate) fn method_error(span: Span, message: String) -> EvalError {
    EvalError::new(EvalErrorKind::Method, span, message)
}

/// `$value.name`: Java getter (`getName`, `isName`) or `Map.get("name")`.
pub(crate) fn property(it: &mut Interp, value: &Value, name: &str, span: Span) -> EResult<Value> {
    let v = match value {
        Value::Map(m) => m
            .borrow()
            .get(&super::value::StrKey(name))
            .cloned()
            .unwrap_or(Value::Null),
        Value::Entry(e) => match name {
            "key" => e.0.clone(),
            "value" => e.1.clone(),
            _ => Value::Null,
        },
        Value::Loop(l) => match name {
            "index" => Value::Int(l.index),
            "count" => Value::Int(l.index.saturating_add(1)),
            "hasNext" => Value::Bool(l.has_next),
            "first" => Value::Bool(l.index == 0),
            "last" => Value::Bool(!l.has_next),
            "parent" => l.parent.clone(),
            "topmost" => {
                let mut cur = Rc::clone(l);
                while let Value::Loop(p) = &cur.parent {
                    let p = Rc::clone(p);
                    cur = p;
                }
                Value::Loop(cur)
            }
            _ => Value::Null,
        },
        Value::Str(s) => {
            // Velocity looks for `getName()`, then `isName()`.
            let mut chars = name.chars();
            let first: String = chars
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            let rest = chars.as_str();
            for prefix in ["get", "is"] {
                let getter = format!("{prefix}{first}{rest}");
                if let Call::Done(v) = string::call(s, &getter, &[], span)? {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Value::List(l, _) => match name {
            "empty" => Value::Bool(l.borrow().is_empty()),
            _ => Value::Null,
        },
        Value::Input => crate::apigw::input::property(it.env, name),
        Value::Define(body) => {
            let s = it.define_to_string(body, span)?;
            return property(it, &Value::Str(Rc::from(s)), name, span);
        }
        _ => Value::Null,
    };
    Ok(v)
}

/// Map and list methods that change their receiver.
const MUTATORS: &[&str] = &[
    "put",
    "putAll",
    "putIfAbsent",
    "remove",
    "clear",
    "add",
    "addAll",
    "set",
    "removeAll",
    "retainAll",
    "replace",
    "replaceAll",
    "sort",
];

/// `$value.name(args)`.
pub(crate) fn call(
    it: &mut Interp,
    value: &Value,
    name: &str,
    args: &[Value],
    span: Span,
) -> EResult<Value> {
    if matches!(value, Value::Map(_) | Value::List(..)) && MUTATORS.contains(&name) {
        it.env.touch();
    }
    let outcome = match value {
        Value::Str(s) => string::call(s, name, args, span)?,
        Value::List(l, kind) => collections::list_call(l, *kind, name, args, span)?,
        Value::Map(m) => collections::map_call(m, name, args, span)?,
        Value::Entry(e) => match (name, args) {
            ("getKey", []) => Call::Done(e.0.clone()),
            ("getValue", []) => Call::Done(e.1.clone()),
            _ => common(value, name, args),
        },
        Value::Input => crate::apigw::input::call(it.env, name, args, span)?,
        Value::Util => crate::apigw::util::call(name, args, span)?,
        Value::Define(body) => {
            let s = it.define_to_string(body, span)?;
            return call(it, &Value::Str(Rc::from(s)), name, args, span);
        }
        Value::Int(_) | Value::Long(_) | Value::BigInt(_) | Value::Double(_) => {
            number_call(value, name, args)
        }
        _ => common(value, name, args),
    };
    match outcome {
        Call::Done(v) => Ok(v),
        Call::Unresolved => Ok(Value::Null),
        Call::ZeroArgOverload => Err(method_error(
            span,
            format!(
                "wrong number of arguments for {name}(): it takes none but got {}",
                args.len()
            ),
        )),
    }
}

/// Methods every object has: `toString`, `equals`, `hashCode`.
pub(crate) fn common(value: &Value, name: &str, args: &[Value]) -> Call {
    match (name, args) {
        ("toString", []) => value.to_java_string().map_or(Call::Done(Value::Null), |s| {
            Call::Done(Value::Str(Rc::from(s)))
        }),
        ("equals", [other]) => Call::Done(Value::Bool(value == other)),
        ("toString" | "getClass" | "hashCode", _) if !args.is_empty() => Call::ZeroArgOverload,
        _ => Call::Unresolved,
    }
}

fn number_call(value: &Value, name: &str, args: &[Value]) -> Call {
    let f = match value {
        Value::Int(i) => f64::from(*i),
        Value::Long(l) => *l as f64,
        Value::BigInt(b) => *b as f64,
        Value::Double(d) => *d,
        _ => 0.0,
    };
    let i = value.as_integer().unwrap_or(f as i128);
    match (name, args) {
        ("intValue", []) => Call::Done(Value::Int(i as i32)),
        ("longValue", []) => Call::Done(Value::Long(i as i64)),
        ("doubleValue", []) => Call::Done(Value::Double(f)),
        // `#set($Integer = 0)` then `$Integer.parseInt(...)`: a static
        // method reached through an instance, a common template idiom.
        ("parseInt" | "valueOf", [Value::Str(s)]) if matches!(value, Value::Int(_)) => {
            match s.parse::<i32>() {
                Ok(n) => Call::Done(Value::Int(n)),
                Err(_) => Call::Done(Value::Null),
            }
        }
        ("compareTo", [other]) if other.is_number() => {
            Call::Done(Value::Int(match super::arith::compare(value, other) {
                Some(std::cmp::Ordering::Less) => -1,
                Some(std::cmp::Ordering::Greater) => 1,
                _ => 0,
            }))
        }
        _ => common(value, name, args),
    }
}

/// `$value[arg]`: `get(arg)`, with negative list indexes counted from the end.
pub(crate) fn index(value: &Value, arg: &Value, span: Span) -> EResult<Value> {
    match value {
        Value::List(l, _) => {
            let l = l.borrow();
            let Some(i) = arg.as_integer() else {
                return Ok(Value::Null);
            };
            let i = if i < 0 { i + l.len() as i128 } else { i };
            usize::try_from(i)
                .ok()
                .and_then(|i| l.get(i).cloned())
                .ok_or_else(|| {
                    method_error(
                        span,
                        format!("index {i} out of bounds for a list of {}", l.len()),
                    )
                })
        }
        Value::Map(m) => Ok(m
            .borrow()
            .get(&arg.to_key())
            .cloned()
            .unwrap_or(Value::Null)),
        _ => Ok(Value::Null),
    }
}

/// `#set($value[key] = v)`.
pub(crate) fn set_index(value: &Value, key: &Value, v: Value, span: Span) -> EResult<()> {
    match value {
        Value::List(l, _) => {
            let mut l = l.borrow_mut();
            let len = l.len();
            let slot = key
                .as_integer()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| l.get_mut(i));
            match slot {
                Some(slot) => *slot = v,
                None => {
                    return Err(method_error(
                        span,
                        format!("index out of bounds for a list of {len}"),
                    ))
                }
            }
        }
        Value::Map(m) => {
            m.borrow_mut().insert(key.to_key(), v);
        }
        _ => {}
    }
    Ok(())
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
    Value::List(Rc::new(std::cell::RefCell::new(v)), kind)
}

/// An integer result as Java `int`.
pub(crate) fn int_result(i: i64) -> Value {
    integer(i128::from(i))
}
