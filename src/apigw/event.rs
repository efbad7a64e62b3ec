//! The API Gateway proxy event (`sam local generate-event apigateway
//! aws-proxy`) turned into what a template sees.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

use serde_json::Value as Json;

use super::json::{to_value, write_json};
use crate::eval::value::{get_str, integer, JMap, Key, ListKind, Value};

/// An event that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextError {
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for ContextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ContextError {}

/// Everything a template can read: built once per event, shared by renders.
///
/// Templates can change the maps they are given (`$context.requestOverride`,
/// `$input.params().header.put(…)`), and those changes must not leak into the
/// next render. Renders hand out a working copy; the first mutation marks it
/// dirty and the next render starts from a fresh copy of the pristine maps, so
/// templates that only read (almost all) never pay for a copy.
#[derive(Debug)]
pub struct Env {
    /// The payload `$input` reads (request body, or the integration response).
    pub(crate) body: String,
    /// `body` parsed as JSON once, on first use.
    parsed_body: OnceCell<Result<super::doc::Json, String>>,
    pristine: Globals,
    live: RefCell<Globals>,
    dirty: Cell<bool>,
}

/// The maps an event provides.
#[derive(Debug, Clone)]
struct Globals {
    /// `$input.params()`: `{path={…}, querystring={…}, header={…}}`.
    params: Value,
    /// `$context`.
    context: Value,
    /// `$stageVariables`.
    stage_variables: Value,
}

impl Globals {
    fn deep_clone(&self) -> Globals {
        Globals {
            params: self.params.deep_clone(),
            context: self.context.deep_clone(),
            stage_variables: self.stage_variables.deep_clone(),
        }
    }
}

impl Clone for Env {
    fn clone(&self) -> Env {
        Env::new(self.body.clone(), self.pristine.clone())
    }
}

impl Env {
    fn new(body: String, pristine: Globals) -> Env {
        Env {
            body,
            parsed_body: OnceCell::new(),
            live: RefCell::new(pristine.deep_clone()),
            pristine,
            dirty: Cell::new(false),
        }
    }

    /// The payload `$input` reads.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The body as JSON (json-smart's permissive reading), parsed once.
    pub(crate) fn parsed_body(&self) -> &Result<super::doc::Json, String> {
        self.parsed_body
            .get_or_init(|| super::json::parse_permissive(&self.body))
    }

    /// Called as a render starts: undo what earlier renders changed.
    pub(crate) fn begin_render(&self) {
        if self.dirty.replace(false) {
            *self.live.borrow_mut() = self.pristine.deep_clone();
        }
    }

    /// Called before a template may mutate a map or list.
    pub(crate) fn touch(&self) {
        self.dirty.set(true);
    }

    /// `$input.params()` for this render.
    pub(crate) fn params(&self) -> Value {
        self.live.borrow().params.clone()
    }

    /// `$input.params().<name>` for this render, if the parameter map has
    /// that key.
    pub(crate) fn params_section(&self, name: &str) -> Option<Value> {
        match &self.live.borrow().params {
            Value::Map(m) => crate::eval::value::get_str(&m.borrow(), name).cloned(),
            _ => None,
        }
    }

    /// `$context` for this render.
    pub(crate) fn context(&self) -> Value {
        self.live.borrow().context.clone()
    }

    /// `$stageVariables` for this render.
    pub(crate) fn stage_variables(&self) -> Value {
        self.live.borrow().stage_variables.clone()
    }
}

fn skey(s: &str) -> Key {
    Key::Str(Rc::from(s))
}

fn string_map(j: Option<&Json>) -> Value {
    let mut m = JMap::default();
    if let Some(Json::Object(o)) = j {
        for (k, v) in o {
            let s = match v {
                Json::Null => continue,
                Json::String(s) => s.clone(),
                other => json_text(other),
            };
            m.insert(skey(k), Value::str(&s));
        }
    }
    Value::map(m)
}

/// A non-string event value as a string: objects and arrays as compact JSON
/// (json-smart, `/` not escaped), scalars as Java prints them.
fn json_text(j: &Json) -> String {
    let v = to_value(j, ListKind::ArrayList);
    match v {
        Value::Map(_) | Value::List(..) => {
            let mut s = String::new();
            write_json(&v, &mut s, false);
            s
        }
        other => other.to_java_string().unwrap_or_default(),
    }
}

/// An event value as the Java object API Gateway builds from it: integers
/// are Integer or Long (Double beyond Long), other numbers Double.
fn event_value(j: &Json) -> Value {
    match j {
        Json::Number(n) => {
            let text = n.to_string();
            if !text.contains(['.', 'e', 'E']) {
                if let Ok(i) = text.parse::<i64>() {
                    return integer(i128::from(i));
                }
            }
            Value::Double(text.parse::<f64>().unwrap_or(0.0))
        }
        Json::Array(a) => Value::list(a.iter().map(event_value).collect()),
        Json::Object(o) => Value::map(o.iter().map(|(k, v)| (skey(k), event_value(v))).collect()),
        other => to_value(other, ListKind::ArrayList),
    }
}

/// Every scalar under `authorizer` is a string, as API Gateway passes them.
fn stringify(v: Value) -> Value {
    match v {
        Value::Map(m) => {
            let entries = m.borrow().clone();
            Value::map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, stringify(v)))
                    .collect(),
            )
        }
        Value::List(l, _) => Value::list(l.borrow().iter().cloned().map(stringify).collect()),
        Value::Null => Value::Null,
        other => Value::str(&other.to_java_string().unwrap_or_default()),
    }
}

fn ensure_map(m: &mut JMap, name: &str) -> Value {
    let existing = get_str(m, name).cloned();
    match existing {
        Some(v @ Value::Map(_)) => v,
        _ => {
            let v = Value::map(JMap::default());
            m.insert(skey(name), v.clone());
            v
        }
    }
}

/// Parse an event file. JSON allows a `\uD83D` escape that is half of a
/// surrogate pair (a truncated emoji), which serde_json refuses; such a half
/// is kept, as Java keeps it, by rewriting the escape to the character that
/// stands for a lone surrogate inside apigw-vtl's strings.
pub fn parse_event(text: &str) -> Result<Json, serde_json::Error> {
    match serde_json::from_str(text) {
        Err(e) if text.contains("\\u") => {
            let fixed = keep_lone_surrogate_escapes(text);
            if fixed == text {
                Err(e)
            } else {
                serde_json::from_str(&fixed)
            }
        }
        other => other,
    }
}

fn keep_lone_surrogate_escapes(text: &str) -> String {
    let hex4 = |s: &str| -> Option<u16> {
        let h = s.get(..4)?;
        u16::from_str_radix(h, 16).ok()
    };
    let is_high = |u: u16| (0xD800..0xDC00).contains(&u);
    let is_low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find('\\') {
        out.push_str(&rest[..k]);
        let esc = &rest[k..];
        let unit = esc.strip_prefix("\\u").and_then(hex4);
        match unit {
            Some(u) if is_high(u) || is_low(u) => {
                let next = esc
                    .get(6..)
                    .and_then(|n| n.strip_prefix("\\u"))
                    .and_then(hex4);
                if is_high(u) && next.is_some_and(is_low) {
                    // A proper pair: keep both escapes.
                    out.push_str(&esc[..12]);
                    rest = &esc[12..];
                    continue;
                }
                let stand_in = crate::eval::utf16::from_units(&[u]);
                let mut buf = [0u16; 2];
                for unit in stand_in
                    .chars()
                    .flat_map(|c| c.encode_utf16(&mut buf).to_vec())
                {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
                rest = &esc[6..];
            }
            _ => {
                // Any other escape: copy it whole (`\\` must not start one).
                let len = esc.chars().nth(1).map_or(1, |c| 1 + c.len_utf8());
                out.push_str(&esc[..len.min(esc.len())]);
                rest = &esc[len.min(esc.len())..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Env {
    /// Build from a proxy event; `integration_body` replaces the request body
    /// for response templates.
    pub fn from_event(event: &Json, integration_body: Option<&str>) -> Result<Env, ContextError> {
        let obj = match event {
            Json::Object(o) => o,
            // `null` too: a file holding only `null` is no event.
            _ => {
                return Err(ContextError {
                    message: "the event must be a JSON object (an API Gateway proxy event)".into(),
                })
            }
        };
        let body = match integration_body {
            Some(b) => b.to_string(),
            None => request_body(obj)?,
        };
        if body.len() > MAX_PAYLOAD {
            return Err(ContextError {
                message: format!(
                    "the {} is {} bytes: API Gateway refuses payloads over 10 MB",
                    if integration_body.is_some() {
                        "integration response"
                    } else {
                        "request body"
                    },
                    body.len()
                ),
            });
        }
        let mut params = JMap::default();
        params.insert(skey("path"), string_map(obj.get("pathParameters")));
        params.insert(
            skey("querystring"),
            string_map(obj.get("queryStringParameters")),
        );
        params.insert(skey("header"), string_map(obj.get("headers")));
        Ok(Env::new(
            body,
            Globals {
                params: Value::map(params),
                context: context(obj),
                stage_variables: match obj.get("stageVariables") {
                    Some(j @ Json::Object(_)) => event_value(j),
                    _ => Value::map(JMap::default()),
                },
            },
        ))
    }
}

/// API Gateway's payload quota, 10 MB, for a request body and an
/// integration's response alike. Beyond it API Gateway answers 413; here a
/// body's JSON could take gigabytes once parsed.
const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

fn request_body(obj: &serde_json::Map<String, Json>) -> Result<String, ContextError> {
    let b = match obj.get("body") {
        None | Some(Json::Null) => return Ok(String::new()),
        Some(Json::String(b)) => b.clone(),
        // A hand-written event may hold the body as JSON rather than text.
        Some(other) => json_text(other),
    };
    if obj.get("isBase64Encoded") == Some(&Json::Bool(true)) {
        // Decoded as API Gateway's Java does: no whitespace, optional padding.
        let bytes = super::util::java_base64_decode(&b).map_err(|e| ContextError {
            message: format!("the event says isBase64Encoded but its body is not Base64: {e}"),
        })?;
        return Ok(crate::eval::utf16::decode_utf8_lossy(&bytes));
    }
    Ok(b)
}

fn context(obj: &serde_json::Map<String, Json>) -> Value {
    let rc = match obj.get("requestContext") {
        Some(j @ Json::Object(_)) => event_value(j),
        _ => Value::map(JMap::default()),
    };
    let Value::Map(m) = &rc else { return rc };
    {
        let mut m = m.borrow_mut();
        if let Some(a) = get_str(&m, "authorizer").cloned() {
            m.insert(skey("authorizer"), stringify(a));
        }
        for (field, from) in [
            ("httpMethod", "httpMethod"),
            ("resourcePath", "resource"),
            ("path", "path"),
        ] {
            if matches!(get_str(&m, field), None | Some(Value::Null)) {
                match obj.get(from) {
                    None | Some(Json::Null) => {}
                    Some(j) => {
                        m.insert(skey(field), event_value(j));
                    }
                }
            }
        }
        let req = ensure_map(&mut m, "requestOverride");
        if let Value::Map(r) = req {
            let mut r = r.borrow_mut();
            for k in ["header", "path", "querystring"] {
                ensure_map(&mut r, k);
            }
        }
        if let Value::Map(r) = ensure_map(&mut m, "responseOverride") {
            ensure_map(&mut r.borrow_mut(), "header");
        }
    }
    rc
}
