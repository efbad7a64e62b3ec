//! A JSON document as json-smart builds it for Jayway JsonPath: the body
//! `$input.path`/`$input.json` read and `$util.parseJson` returns. Unlike
//! `serde_json::Value` it keeps json-smart's number types (Integer/Long/
//! BigInteger, Double with NaN and infinities, BigDecimal), which decide how
//! a value prints and computes in a template.

use std::fmt;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::eval::decimal::Decimal;

/// A json-smart number.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// Integer, Long or BigInteger.
    Int(i128),
    /// BigInteger beyond 128 bits.
    Huge(Rc<num_bigint::BigInt>),
    /// Double (json-smart's NaN too).
    Double(f64),
    /// BigDecimal: a float literal longer than 18 characters.
    Decimal(Rc<Decimal>),
}

impl Number {
    /// `doubleValue()`.
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Huge(i) => num_traits::ToPrimitive::to_f64(&**i).unwrap_or(f64::NAN),
            Number::Double(d) => *d,
            Number::Decimal(d) => d.to_f64(),
        }
    }
}

/// An object: keys in document order (json-smart's ordered mapper). Hashed
/// with FxHash, as template maps are: a body is parsed at every
/// `$util.parseJson`, and SipHash cost more than the parse of small objects.
pub type Map = IndexMap<Rc<str>, Json, rustc_hash::FxBuildHasher>;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string (shared: template values take it without copying).
    String(Rc<str>),
    /// An array.
    Array(Vec<Json>),
    /// An object.
    Object(Map),
}

impl Json {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Json::Number(n) => Some(n),
            _ => None,
        }
    }
}

/// Compact JSON, as json-smart writes it.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        super::json::write_doc_json(self, &mut s, false);
        f.write_str(&s)
    }
}
