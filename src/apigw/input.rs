//! `$input`: the payload and the request parameters.

use std::rc::Rc;

use super::json::{doc_to_value, write_doc_array, write_doc_json};
use super::jsonpath::{compile_remembered, Found};
use super::Env;
use crate::eval::error::{EvalError, EvalErrorKind};
use crate::eval::methods::Call;
use crate::eval::value::{get_str, Key, ListKind, Value};
use crate::syntax::name::Known;
use crate::syntax::span::Span;

type EResult<T> = Result<T, Box<EvalError>>;

/// `$input.body`, the only getter besides `getBody()`.
pub(crate) fn body_value(env: &Env) -> Value {
    Value::str(body(env))
}

fn body(env: &Env) -> &str {
    if env.body.is_empty() {
        "{}"
    } else {
        &env.body
    }
}

fn path_error(span: Span, message: String) -> Box<EvalError> {
    EvalError::boxed(EvalErrorKind::JsonPath, span, message)
}

/// Evaluate a JSONPath over the body.
fn find<'e>(env: &'e Env, path: &str, span: Span) -> EResult<Found<'e>> {
    let remembered = compile_remembered(path);
    let compiled = remembered
        .as_ref()
        .as_ref()
        .map_err(|m| path_error(span, format!("invalid JSONPath `{path}`: {m}")))?;
    let doc = env
        .parsed_body()
        .as_ref()
        .map_err(|m| path_error(span, format!("the body is not JSON: {m}")))?;
    compiled
        .find(doc)
        .map_err(|m| path_error(span, format!("JSONPath `{path}` failed: {m}")))
}

/// `$input.path`: the values a JSONPath selects; `None` when it matches
/// nothing.
fn select(env: &Env, path: &str, span: Span) -> EResult<Option<Value>> {
    Ok(match find(env, path, span)? {
        Found::One(v) => Some(doc_to_value(&v, ListKind::JsonArray)),
        Found::Missing => None,
        Found::Many(vs) => Some(Value::List(
            Rc::new(crate::eval::value::ListCell::new(
                vs.iter()
                    .map(|v| doc_to_value(v, ListKind::JsonArray))
                    .collect(),
            )),
            ListKind::JsonArray,
        )),
    })
}

/// `$input.getBody()`, `path(p)`, `json(p)`, `params()`, `params(name)`.
pub(crate) fn call(env: &Env, name: Option<Known>, args: &[Value], span: Span) -> EResult<Call> {
    let Some(name) = name else {
        return Ok(Call::Unresolved);
    };
    match (name, args) {
        (Known::GetBody, []) => Ok(Call::Done(body_value(env))),
        (Known::Path, [Value::Str(p)]) => {
            if env.body.is_empty() {
                return Ok(Call::Done(Value::Null));
            }
            Ok(Call::Done(select(env, p, span)?.unwrap_or(Value::Null)))
        }
        (Known::Json, [Value::Str(p)]) => {
            if env.body.is_empty() {
                return Ok(Call::Done(Value::str("\"\"")));
            }
            // Written from the document: no template values are built. The
            // body's length bounds the text of most paths: no regrowing.
            let mut text = String::with_capacity(env.body.len().min(1 << 16) + 2);
            match find(env, p, span)? {
                Found::One(v) => write_doc_json(&v, &mut text, false),
                Found::Many(vs) => write_doc_array(vs.iter().map(|v| &**v), &mut text, false),
                Found::Missing => text.push_str("\"\""),
            }
            Ok(Call::Done(Value::Str(Rc::from(text))))
        }
        (Known::Params, []) => Ok(Call::Done(env.params())),
        (Known::Params, [Value::Str(n)]) => Ok(Call::Done(param_value(env, Some(n), span)?)),
        (Known::Params, [Value::Null]) => Ok(Call::Done(param_value(env, None, span)?)),
        (Known::Params, _) => Ok(Call::ZeroArgOverload),
        // An empty body reads as nothing before the path is looked at.
        (Known::Path, [Value::Null]) if env.body.is_empty() => Ok(Call::Done(Value::Null)),
        (Known::Json, [Value::Null]) if env.body.is_empty() => Ok(Call::Done(Value::str("\"\""))),
        (Known::Path | Known::Json, [Value::Null]) => Err(path_error(
            span,
            "IllegalArgumentException: path can not be null or empty".into(),
        )),
        _ => Ok(Call::Unresolved),
    }
}

/// `$input.params(name)`: path, then query string, then header; "" if absent.
pub fn param(env: &Env, name: &str) -> String {
    let mut s = String::new();
    // A section a render removed or replaced (until the next render
    // restores the event's map) reads as no parameter here.
    if let Ok(v) = param_value(env, Some(name), Span::new(0, 0)) {
        v.write_java(&mut s);
    }
    s
}

/// [`param`] as a template value: a string found is shared, not copied
/// (`$input.params('id')` is in most request templates). `None` is a null
/// name, which only a null key matches. A section the template removed,
/// nulled or replaced with a non-map fails the call, as the cast and lookup
/// in API Gateway's Java do.
fn param_value(env: &Env, name: Option<&str>, span: Span) -> EResult<Value> {
    let Value::Map(m) = env.params() else {
        return Ok(Value::str(""));
    };
    for section in ["path", "querystring", "header"] {
        let found = match get_str(&m.borrow(), section) {
            Some(Value::Map(s)) => match name {
                Some(name) => get_str(&s.borrow(), name).cloned(),
                None => s.borrow().get(&Key::Null).cloned(),
            },
            None | Some(Value::Null) => {
                return Err(param_error(
                    span,
                    format!("NullPointerException: the parameter map has no {section} map"),
                ))
            }
            Some(_) => {
                return Err(param_error(
                    span,
                    format!("ClassCastException: the parameter map's {section} is not a map"),
                ))
            }
        };
        match found {
            Some(v @ Value::Str(_)) => return Ok(v),
            Some(v) => return Ok(Value::str(&v.to_java_string().unwrap_or_default())),
            None => {}
        }
    }
    Ok(Value::str(""))
}

fn param_error(span: Span, message: String) -> Box<EvalError> {
    EvalError::boxed(EvalErrorKind::Method, span, message)
}
