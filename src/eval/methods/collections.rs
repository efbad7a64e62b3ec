//! `java.util.Map` and `java.util.List` methods.

use std::rc::Rc;

use super::{common, int_arg, int_result, method_error, Call};
use crate::eval::interp::EResult;
use crate::eval::value::{get_str, ArrayType, ListKind, ListRef, MapRef, Value};
use crate::eval::view::View;
use crate::syntax::span::Span;

/// Which of Java's collection interfaces a receiver has.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Map,
    List,
    /// A map's key set, values or entries: a `Collection`.
    Collection,
}

/// Java's collection methods that take a function (`removeIf`, `forEach`,
/// `compute`, `merge`, …). A template cannot make a function, so the only
/// call Velocity can make of them passes null, which they refuse; a
/// receiver without the method finds none. Checked after the methods a
/// collection has, which they do not name.
fn null_function(shape: Shape, name: &str, args: &[Value], span: Span) -> EResult<()> {
    let refused = match (name, args) {
        ("forEach", [Value::Null]) => true,
        ("removeIf", [Value::Null]) => shape != Shape::Map,
        ("replaceAll", [Value::Null]) => shape != Shape::Collection,
        ("compute" | "computeIfAbsent" | "computeIfPresent", [_, Value::Null])
        | ("merge", [_, _, Value::Null]) => shape == Shape::Map,
        _ => false,
    };
    if refused {
        return Err(super::null_pointer(span, name));
    }
    Ok(())
}

/// Call a `LinkedHashMap` method.
/// `map.get(key)`: the value, or null.
pub(crate) fn map_get(m: &MapRef, key: &Value) -> Value {
    let map = m.borrow();
    let found = match key {
        Value::Str(k) => get_str(&map, k),
        k => map.get(&k.to_key()),
    };
    found.cloned().unwrap_or_default()
}

pub(crate) fn map_call(m: &MapRef, name: &str, args: &[Value], span: Span) -> EResult<Call> {
    let done = |v: Value| Ok(Call::Done(v));
    match (name, args) {
        ("putAll", [Value::Null]) => Err(super::null_pointer(span, name)),
        ("get", [k]) => done(map_get(m, k)),
        ("getOrDefault", [k, d]) => done(m.borrow().get(&k.to_key()).cloned().unwrap_or(d.clone())),
        // Keys and comparisons are computed before a mutable borrow: the
        // argument may be the collection itself (`$m.put($m, 1)`).
        ("put", [k, v]) => {
            let key = k.to_key();
            done(m.insert(key, v.clone()).unwrap_or_default())
        }
        ("putAll", [Value::Map(other)]) => {
            let other = other.borrow().clone();
            for (k, v) in other {
                m.insert(k, v);
            }
            done(Value::str(""))
        }
        ("remove", [k]) => {
            let key = k.to_key();
            done(m.remove(&key).unwrap_or_default())
        }
        ("remove", [k, v]) => {
            let key = k.to_key();
            let matches = m.borrow().get(&key).is_some_and(|x| x == v);
            if matches {
                m.remove(&key);
            }
            done(Value::Bool(matches))
        }
        ("putIfAbsent", [k, v]) => {
            let key = k.to_key();
            let existing = m.borrow().get(&key).cloned().unwrap_or_default();
            if existing.is_null() {
                m.insert(key, v.clone());
            }
            done(existing)
        }
        ("replace", [k, v]) => {
            let key = k.to_key();
            let mut map = m.borrow_mut();
            match map.get_mut(&key) {
                Some(slot) => done(std::mem::replace(slot, v.clone())),
                None => done(Value::Null),
            }
        }
        ("replace", [k, old, new]) => {
            let key = k.to_key();
            let mut map = m.borrow_mut();
            match map.get_mut(&key) {
                Some(slot) if *slot == *old => {
                    *slot = new.clone();
                    done(Value::Bool(true))
                }
                _ => done(Value::Bool(false)),
            }
        }
        ("containsKey", [k]) => done(Value::Bool(m.borrow().contains_key(&k.to_key()))),
        ("containsValue", [v]) => done(Value::Bool(m.borrow().values().any(|x| x == v))),
        ("size", []) => done(int_result(m.borrow().len() as i64)),
        ("isEmpty", []) => done(Value::Bool(m.borrow().is_empty())),
        // A shallow copy, as `HashMap.clone()`.
        ("clone", []) => done(Value::map(m.borrow().clone())),
        ("keySet", []) => done(Value::View(Rc::new(View::Keys(m.clone())))),
        ("values", []) => done(Value::View(Rc::new(View::Values(m.clone())))),
        ("entrySet", []) => done(Value::View(Rc::new(View::Entries(m.clone())))),
        ("clear", []) => {
            m.clear();
            done(Value::str(""))
        }
        ("size" | "isEmpty" | "keySet" | "values" | "entrySet" | "clear", _) => {
            Ok(Call::ZeroArgOverload)
        }
        _ => {
            null_function(Shape::Map, name, args, span)?;
            Ok(common(&Value::Map(m.clone()), name, args))
        }
    }
}

fn checked_index(len: usize, i: i64, span: Span) -> EResult<usize> {
    usize::try_from(i)
        .ok()
        .filter(|&i| i < len)
        .ok_or_else(|| method_error(span, format!("index {i} out of bounds for length {len}")))
}

/// Call an `ArrayList` (or json-smart `JSONArray`) method.
/// `addAll`, `containsAll`, `removeAll`, `retainAll` and `toArray(T[])` of a
/// null fail as Java's do.
fn null_collection_argument(name: &str, args: &[Value], span: Span) -> EResult<()> {
    let takes_collection = matches!(
        (name, args),
        (
            "addAll" | "containsAll" | "removeAll" | "retainAll",
            [.., Value::Null]
        ) | ("toArray", [Value::Null])
    );
    if takes_collection {
        return Err(super::null_pointer(span, name));
    }
    Ok(())
}

/// A resizing call on a Java array, which Velocity wraps in a fixed-size
/// list (`Arrays.asList`): Java's `AbstractList` throws only when the call
/// would change the size, so `remove` of an absent element is `false`, and
/// `add` and `remove(int)` always throw.
fn fixed_size_call(l: &ListRef, name: &str, args: &[Value], span: Span) -> EResult<Call> {
    let always_throws = name == "add" || matches!((name, args), ("remove", [Value::Int(_)]));
    if !always_throws {
        let before = l.borrow().len();
        let copy = Rc::new(crate::eval::value::ListCell::new(l.borrow().clone()));
        let outcome = list_call(&copy, ListKind::ArrayList, name, args, span)?;
        if copy.borrow().len() == before {
            return Ok(outcome);
        }
    }
    Err(method_error(
        span,
        format!("UnsupportedOperationException: {name}() on a Java array"),
    ))
}

/// Java's `Array.set`: a `String[]` takes strings and null, a `char[]`
/// characters; anything else is an `IllegalArgumentException` ("array
/// element type mismatch").
pub(crate) fn check_array_store(kind: ListKind, v: &Value, span: Span) -> EResult<()> {
    let fits = match kind {
        ListKind::JavaArray(ArrayType::String) => matches!(v, Value::Str(_) | Value::Null),
        ListKind::JavaArray(ArrayType::Char) => matches!(v, Value::Char(_)),
        _ => true,
    };
    if fits {
        return Ok(());
    }
    Err(method_error(
        span,
        "IllegalArgumentException: array element type mismatch".into(),
    ))
}

pub(crate) fn list_call(
    l: &ListRef,
    kind: ListKind,
    name: &str,
    args: &[Value],
    span: Span,
) -> EResult<Call> {
    let this = Value::List(l.clone(), kind);
    let done = |v: Value| Ok(Call::Done(v));
    let resizes = matches!(
        (name, args.len()),
        ("add", 1 | 2)
            | ("addAll", 1 | 2)
            | ("remove" | "removeAll" | "retainAll", 1)
            | ("clear", 0)
    );
    null_collection_argument(name, args, span)?;
    if resizes && matches!(kind, ListKind::JavaArray(_)) {
        return fixed_size_call(l, name, args, span);
    }
    match (name, args) {
        ("get", [i]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let l = l.borrow();
            let i = checked_index(l.len(), i, span)?;
            done(l.get(i).cloned().unwrap_or_default())
        }
        ("size", []) => done(int_result(l.borrow().len() as i64)),
        // A shallow copy of the same kind, as `ArrayList.clone()`. Velocity
        // sees a Java array through a list wrapper, which has no `clone()`.
        ("clone", []) if !matches!(kind, ListKind::JavaArray(_)) => done(Value::List(
            Rc::new(crate::eval::value::ListCell::new(l.borrow().clone())),
            kind,
        )),
        // json-smart's `JSONArray.toJSONString()`: how it prints.
        ("toJSONString", []) if kind == ListKind::JsonArray => done(
            this.to_java_string()
                .map_or(Value::Null, |s| Value::Str(Rc::from(s))),
        ),
        ("isEmpty", []) => done(Value::Bool(l.borrow().is_empty())),
        ("contains", [x]) => done(Value::Bool(l.borrow().iter().any(|v| v == x))),
        ("indexOf", [x]) => done(int_result(
            l.borrow()
                .iter()
                .position(|v| v == x)
                .map_or(-1, |p| p as i64),
        )),
        ("lastIndexOf", [x]) => done(int_result(
            l.borrow()
                .iter()
                .rposition(|v| v == x)
                .map_or(-1, |p| p as i64),
        )),
        ("add", [x]) => {
            l.changed().push(x.clone());
            done(Value::Bool(true))
        }
        ("add", [i, x]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let i = checked_index(l.borrow().len() + 1, i, span)?;
            l.changed().insert(i, x.clone());
            done(Value::str(""))
        }
        ("set", [i, x]) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            check_array_store(kind, x, span)?;
            let mut l = l.borrow_mut();
            let i = checked_index(l.len(), i, span)?;
            let old = std::mem::replace(
                l.get_mut(i)
                    .ok_or_else(|| method_error(span, "index".into()))?,
                x.clone(),
            );
            done(old)
        }
        ("remove", [Value::Int(i)]) => {
            let i = checked_index(l.borrow().len(), i64::from(*i), span)?;
            done(l.changed().remove(i))
        }
        ("remove", [x]) => {
            let pos = l.borrow().iter().position(|v| v == x);
            if let Some(p) = pos {
                l.changed().remove(p);
            }
            done(Value::Bool(pos.is_some()))
        }
        ("addAll", [i, other]) if is_collection_arg(other) => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let other = collection_elements(other);
            let at = checked_index(l.borrow().len() + 1, i, span)?;
            let changed = !other.is_empty();
            l.changed().splice(at..at, other);
            done(Value::Bool(changed))
        }
        ("containsAll", [other]) if is_collection_arg(other) => {
            let other = collection_elements(other);
            let l = l.borrow();
            done(Value::Bool(other.iter().all(|x| l.contains(x))))
        }
        ("removeAll" | "retainAll", [other]) if is_collection_arg(other) => {
            let other = collection_elements(other);
            let keep_listed = name == "retainAll";
            let keep: Vec<bool> = l
                .borrow()
                .iter()
                .map(|x| other.contains(x) == keep_listed)
                .collect();
            // Counted only when something goes, as in Java.
            if keep.iter().all(|k| *k) {
                return done(Value::Bool(false));
            }
            let mut flags = keep.into_iter();
            l.changed().retain(|_| flags.next().unwrap_or(true));
            done(Value::Bool(true))
        }
        ("sort", [Value::Null]) => {
            // Natural ordering: all strings, characters or numbers, else
            // Java's ClassCastException. Java 17's `ArrayList.sort` counts
            // as a change of structure.
            let mut l = l.changed();
            // Java compares only values of one class with each other.
            let same_class = l.windows(2).all(|w| match w {
                [a, b] => std::mem::discriminant(a) == std::mem::discriminant(b),
                _ => true,
            });
            let comparable = l
                .iter()
                .all(|x| matches!(x, Value::Str(_) | Value::Char(_)) || x.is_number());
            if !same_class || !comparable {
                return Err(method_error(
                    span,
                    "ClassCastException: sort(null) needs elements that compare with each other"
                        .into(),
                ));
            }
            l.sort_by(|a, b| match (a, b) {
                (Value::Str(x), Value::Str(y)) => {
                    crate::eval::utf16::units(x).cmp(crate::eval::utf16::units(y))
                }
                // Double.compareTo: a total order (NaN last, -0.0 < 0.0),
                // which sort_by requires.
                (Value::Double(x), Value::Double(y)) => {
                    java_double_order(*x).cmp(&java_double_order(*y))
                }
                (Value::Char(x), Value::Char(y)) => x.cmp(y),
                (a, b) => crate::eval::arith::compare(a, b).unwrap_or(std::cmp::Ordering::Equal),
            });
            done(Value::str(""))
        }
        ("addAll", [other]) if is_collection_arg(other) => {
            let other = collection_elements(other);
            // Java's `ArrayList.addAll` tells whether anything was added.
            let changed = !other.is_empty();
            // Counted even when nothing is added, as Java 17 does.
            l.changed().extend(other);
            done(Value::Bool(changed))
        }
        ("clear", []) => {
            l.changed().clear();
            done(Value::str(""))
        }
        // `AbstractList.equals`: any list with equal elements in order. A
        // Java array is equal only to itself.
        ("equals", [other]) => done(Value::Bool(match (kind, other) {
            (_, Value::List(o, _)) if Rc::ptr_eq(l, o) => true,
            (ListKind::JavaArray(_), _) => false,
            _ => list_elements(other).is_some_and(|o| *l.borrow() == o),
        })),
        ("iterator" | "listIterator", []) => done(Value::View(Rc::new(View::Cursor(
            l.borrow().clone(),
            std::cell::Cell::new(0),
        )))),
        ("toArray", []) => done(Value::List(
            Rc::new(crate::eval::value::ListCell::new(l.borrow().clone())),
            ListKind::JavaArray(ArrayType::Object),
        )),
        ("subList", [a, b]) => {
            let (Some(a), Some(b)) = (int_arg(a), int_arg(b)) else {
                return Ok(Call::Unresolved);
            };
            if a < 0 || b as usize > l.borrow().len() || a > b {
                return Err(method_error(
                    span,
                    format!("subList({a}, {b}) out of range"),
                ));
            }
            done(Value::View(Rc::new(View::Sub(
                l.clone(),
                a as usize,
                std::cell::Cell::new(b as usize),
            ))))
        }
        ("size" | "isEmpty" | "clear", _) => Ok(Call::ZeroArgOverload),
        _ => {
            null_function(Shape::List, name, args, span)?;
            Ok(common(&this, name, args))
        }
    }
}

/// A key ordering doubles as `Double.compareTo` does: by bits, with every
/// NaN made one.
fn java_double_order(d: f64) -> i64 {
    let bits = if d.is_nan() {
        f64::NAN.to_bits()
    } else {
        d.to_bits()
    } as i64;
    // Flip negative numbers so that the integer order is the numeric one.
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// Java's refusal of an addition to a map's view.
fn unsupported(span: Span, name: &str) -> Box<crate::eval::error::EvalError> {
    method_error(
        span,
        format!("UnsupportedOperationException: {name}() on a map's key set, values or entry set"),
    )
}

/// Whether `v` is a Java `Collection`: a list, or a view of a map or list.
/// A Java array is not one, nor an iterator.
fn is_collection_arg(v: &Value) -> bool {
    match v {
        Value::List(_, kind) => !matches!(kind, ListKind::JavaArray(_)),
        Value::View(view) => !matches!(**view, View::Cursor(..)),
        _ => false,
    }
}

/// The elements of a Java collection ([`is_collection_arg`]); none for
/// anything else.
fn collection_elements(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l, _) if is_collection_arg(v) => l.borrow().clone(),
        Value::View(view) if is_collection_arg(v) => view.items(),
        _ => Vec::new(),
    }
}

/// The elements of `v` when it is a Java `List` (a list or a sub-list, not
/// an array), which `AbstractList.equals` compares in order.
fn list_elements(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l, kind) if !matches!(kind, ListKind::JavaArray(_)) => Some(l.borrow().clone()),
        Value::View(o) if o.is_list() => Some(o.items()),
        _ => None,
    }
}

/// `equals` of a view, as Java's collections answer it: a key or entry
/// set equals any set with the same elements (`AbstractSet`), a sub-list
/// any list with equal elements in order (`AbstractList`); a map's values
/// collection is equal only to itself, which the map hands out every time.
fn view_equals(v: &View, other: &Value) -> bool {
    match (v, other) {
        (View::Keys(_) | View::Entries(_), Value::View(o))
            if matches!(**o, View::Keys(_) | View::Entries(_)) =>
        {
            let items = v.items();
            o.len() == items.len() && o.items().iter().all(|x| items.contains(x))
        }
        (View::Values(m), Value::View(o)) => {
            matches!(&**o, View::Values(n) if Rc::ptr_eq(m, n))
        }
        (View::Sub(..), _) => list_elements(other).is_some_and(|o| v.items() == o),
        _ => false,
    }
}

/// Methods of a live collection view (`keySet()`, `values()`, `entrySet()`,
/// `subList()`); writes go to the collection behind it.
pub(crate) fn view_call(
    v: &View,
    this: &Value,
    name: &str,
    args: &[Value],
    span: Span,
) -> EResult<Call> {
    let done = |x: Value| Ok(Call::Done(x));
    if let View::Cursor(..) = v {
        return match (name, args) {
            ("hasNext", []) => done(Value::Bool(!v.is_empty())),
            ("next", []) => match v.next() {
                Some(x) => done(x),
                None => Err(method_error(span, "NoSuchElementException".into())),
            },
            _ => Ok(common(this, name, args)),
        };
    }
    null_collection_argument(name, args, span)?;
    match (name, args) {
        ("iterator", []) => done(Value::View(Rc::new(View::Cursor(
            v.items(),
            std::cell::Cell::new(0),
        )))),
        ("listIterator", []) if v.is_list() => done(Value::View(Rc::new(View::Cursor(
            v.items(),
            std::cell::Cell::new(0),
        )))),
        ("size", []) => done(int_result(v.len() as i64)),
        ("isEmpty", []) => done(Value::Bool(v.is_empty())),
        ("contains", [x]) => done(Value::Bool(v.items().contains(x))),
        ("containsAll", [other]) if is_collection_arg(other) => {
            let items = v.items();
            let other = collection_elements(other);
            done(Value::Bool(other.iter().all(|x| items.contains(x))))
        }
        // `AbstractCollection.removeAll`/`retainAll`: each element the
        // argument holds (or does not) goes, written through to the map or
        // list behind.
        ("removeAll" | "retainAll", [other]) if is_collection_arg(other) => {
            let other = collection_elements(other);
            let keep_listed = name == "retainAll";
            let mut changed = false;
            for x in v.items() {
                if other.contains(&x) != keep_listed {
                    changed |= v.remove(&x);
                }
            }
            done(Value::Bool(changed))
        }
        ("toArray", []) => done(Value::List(
            Rc::new(crate::eval::value::ListCell::new(v.items())),
            ListKind::JavaArray(ArrayType::Object),
        )),
        ("equals", [other]) => done(Value::Bool(view_equals(v, other))),
        ("clear", []) => {
            v.clear();
            done(Value::str(""))
        }
        // List methods exist on a sub-list only.
        ("get", [i]) if v.is_list() => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let i = checked_index(v.len(), i, span)?;
            done(v.get(i).unwrap_or_default())
        }
        ("set", [i, x]) if v.is_list() => {
            let Some(i) = int_arg(i) else {
                return Ok(Call::Unresolved);
            };
            let i = checked_index(v.len(), i, span)?;
            done(v.set(i, x.clone()).unwrap_or_default())
        }
        ("indexOf", [x]) if v.is_list() => done(int_result(
            v.items()
                .iter()
                .position(|y| y == x)
                .map_or(-1, |p| p as i64),
        )),
        ("remove", [Value::Int(i)]) if v.is_list() => {
            let i = checked_index(v.len(), i64::from(*i), span)?;
            match v.remove_at(i) {
                Some(x) => done(x),
                None => Ok(Call::Unresolved),
            }
        }
        ("remove", [x]) => done(Value::Bool(v.remove(x))),
        // A map's views remove but never add (`AbstractCollection.add`);
        // `addAll` adds each element, so only an empty one succeeds.
        ("add", [_]) if !v.is_list() => Err(unsupported(span, name)),
        ("addAll", [other @ (Value::List(..) | Value::View(_))]) if !v.is_list() => {
            let empty = match other {
                Value::List(l, _) => l.borrow().is_empty(),
                Value::View(o) => o.is_empty(),
                _ => false,
            };
            if empty {
                done(Value::Bool(false))
            } else {
                Err(unsupported(span, name))
            }
        }
        ("size" | "isEmpty" | "clear", _) => Ok(Call::ZeroArgOverload),
        _ => {
            let shape = if v.is_list() {
                Shape::List
            } else {
                Shape::Collection
            };
            null_function(shape, name, args, span)?;
            Ok(common(this, name, args))
        }
    }
}
