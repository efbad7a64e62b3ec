//! Arithmetic and comparison as Velocity 1.7's `MathUtils` and comparison
//! nodes do them: integer results narrow to the smallest type of the
//! operands and widen on overflow; division by zero gives null.

use std::cmp::Ordering;

use std::rc::Rc;

use super::decimal::Decimal;
use super::error::{EvalError, EvalErrorKind};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use super::value::{big_integer, integer, Value, Wide};
use crate::syntax::ast::BinOp;
use crate::syntax::span::Span;

/// Size rank of an integer type, for `wrapPrimitive`.
fn rank(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 2,
        Value::Long(_) => 3,
        _ => 4,
    }
}

/// Narrow an exact integer result like `MathUtils.wrapPrimitive`: at least
/// the larger operand type, wider if the value needs it.
fn wrap(result: i128, a: &Value, b: &Value) -> Value {
    let min_rank = rank(a).max(rank(b));
    let v = integer(result);
    if rank(&v) >= min_rank {
        v
    } else if min_rank == 3 {
        Value::Long(i64::try_from(result).unwrap_or(0))
    } else {
        Value::BigInt(Wide(result))
    }
}

/// `Number.doubleValue()`; 0 for a value that is not a number.
pub(crate) fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => f64::from(*i),
        Value::Long(l) => *l as f64,
        Value::BigInt(b) => b.0 as f64,
        Value::Huge(b) => b.to_f64().unwrap_or(f64::NAN),
        Value::Double(d) => *d,
        Value::Float(f) => f64::from(*f),
        Value::Decimal(d) => d.to_f64(),
        _ => 0.0,
    }
}

/// `Number.floatValue()`: integers round to the nearest float directly, not
/// through a double.
pub(crate) fn as_f32(v: &Value) -> f32 {
    match v {
        Value::Float(f) => *f,
        v => match v.as_integer() {
            Some(i) => i as f32,
            None => as_f64(v) as f32,
        },
    }
}

/// `MathUtils.findCalculationBase` gives `BASE_FLOAT` when a Float meets
/// another Float or an integer (no Double, BigInteger or BigDecimal).
fn float_base(a: &Value, b: &Value) -> bool {
    let float_or_small = |v: &Value| matches!(v, Value::Float(_) | Value::Int(_) | Value::Long(_));
    (matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)))
        && float_or_small(a)
        && float_or_small(b)
}

/// `MathUtils.findCalculationBase` picks BigDecimal when an operand is one,
/// or when a BigInteger meets a Double.
fn decimal_base(a: &Value, b: &Value) -> bool {
    let big = |v: &Value| matches!(v, Value::BigInt(_) | Value::Huge(_));
    let double = |v: &Value| matches!(v, Value::Double(_) | Value::Float(_));
    matches!(a, Value::Decimal(_))
        || matches!(b, Value::Decimal(_))
        || (big(a) && double(b))
        || (double(a) && big(b))
}

/// `MathUtils.toBigDecimal`: BigDecimal and BigInteger exactly, any other
/// number through its `doubleValue()` (so a long beyond 2^53 rounds).
fn to_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Decimal(d) => Some((**d).clone()),
        Value::BigInt(i) => Some(Decimal::from_integer(i.0)),
        Value::Huge(i) => Some(Decimal::from_big_integer((**i).clone())),
        Value::Double(d) => Decimal::from_f64(*d),
        Value::Float(f) => Decimal::from_f64(f64::from(*f)),
        Value::Int(i) => Decimal::from_f64(f64::from(*i)),
        Value::Long(l) => Decimal::from_f64(*l as f64),
        _ => None,
    }
}

fn decimal_math(op: BinOp, a: &Value, b: &Value, span: Span) -> Result<Value, Box<EvalError>> {
    let (Some(x), Some(y)) = (to_decimal(a), to_decimal(b)) else {
        // An infinite or NaN double has no BigDecimal: Java throws.
        return Err(no_decimal_value(span));
    };
    let out_of_reach = || {
        EvalError::boxed(
            EvalErrorKind::Limit,
            span,
            "ArithmeticException: BigDecimal operands too far apart in scale".into(),
        )
    };
    let r = match op {
        BinOp::Add => x.add(&y).ok_or_else(out_of_reach)?,
        BinOp::Sub => x.sub(&y).ok_or_else(out_of_reach)?,
        BinOp::Mul => x.mul(&y).ok_or_else(out_of_reach)?,
        BinOp::Div if y.is_zero() => return Ok(Value::Null),
        BinOp::Div => x.div_half_down(&y).ok_or_else(out_of_reach)?,
        BinOp::Mod => {
            if y.is_zero() {
                return Ok(Value::Null);
            }
            return Err(EvalError::boxed(
                EvalErrorKind::Method,
                span,
                "ArithmeticException: Cannot calculate the modulo of BigDecimals.".into(),
            ));
        }
        _ => return Ok(Value::Null),
    };
    Ok(Value::Decimal(Rc::new(r)))
}

/// An integer range end as Java's `Number.intValue()`.
pub fn int_value(v: &Value) -> Option<i32> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Long(l) => Some(*l as i32),
        Value::BigInt(b) => Some(b.0 as i32),
        Value::Huge(b) => Some(super::value::low_bits(b) as i32),
        Value::Decimal(d) => Some(d.whole_low_bits() as i32),
        Value::Double(d) => Some(*d as i32),
        Value::Float(f) => Some(*f as i32),
        _ => None,
    }
}

/// `+ - * / %` on two values; null when an operand is not a number or the
/// divisor is zero.
pub fn math(op: BinOp, a: &Value, b: &Value, span: Span) -> Result<Value, Box<EvalError>> {
    if !a.is_number() || !b.is_number() {
        return Ok(Value::Null);
    }
    if decimal_base(a, b) {
        return decimal_math(op, a, b, span);
    }
    if matches!(a, Value::Huge(_)) || matches!(b, Value::Huge(_)) {
        return big_math(op, a, b, span);
    }
    if let (Some(x), Some(y)) = (a.as_integer(), b.as_integer()) {
        let both_small = !matches!(a, Value::BigInt(_)) && !matches!(b, Value::BigInt(_));
        let r = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            // Velocity detects long overflow with `result / l2 != l1`,
            // which misses Long.MIN_VALUE * -1.
            BinOp::Mul if both_small => {
                let (l1, l2) = (x as i64, y as i64);
                let result = l1.wrapping_mul(l2);
                if l2 != 0 && result.wrapping_div(l2) != l1 {
                    x.checked_mul(y)
                } else {
                    Some(i128::from(result))
                }
            }
            BinOp::Mul => x.checked_mul(y),
            BinOp::Div | BinOp::Mod if y == 0 => return Ok(Value::Null),
            // Java long arithmetic wraps on Long.MIN_VALUE / -1.
            BinOp::Div | BinOp::Mod if both_small => {
                let (x, y) = (x as i64, y as i64);
                Some(i128::from(if op == BinOp::Div {
                    x.wrapping_div(y)
                } else {
                    x.wrapping_rem(y)
                }))
            }
            BinOp::Div => x.checked_div(y),
            // BigInteger.mod: never negative, and only for a positive divisor.
            BinOp::Mod if y < 0 => {
                return Err(EvalError::boxed(
                    EvalErrorKind::Method,
                    span,
                    "ArithmeticException: BigInteger: modulus not positive".into(),
                ))
            }
            BinOp::Mod => x.checked_rem_euclid(y),
            _ => None,
        };
        return match r {
            Some(r) => Ok(wrap(r, a, b)),
            // Beyond 128 bits: BigInteger has no limit.
            None => big_math(op, a, b, span),
        };
    }
    if float_base(a, b) {
        let (x, y) = (as_f32(a), as_f32(b));
        return Ok(match op {
            BinOp::Add => Value::Float(x + y),
            BinOp::Sub => Value::Float(x - y),
            BinOp::Mul => Value::Float(x * y),
            BinOp::Div | BinOp::Mod if y == 0.0 => Value::Null,
            BinOp::Div => Value::Float(x / y),
            BinOp::Mod => Value::Float(x % y),
            _ => Value::Null,
        });
    }
    let (x, y) = (as_f64(a), as_f64(b));
    Ok(match op {
        BinOp::Add => Value::Double(x + y),
        BinOp::Sub => Value::Double(x - y),
        BinOp::Mul => Value::Double(x * y),
        BinOp::Div if y == 0.0 => Value::Null,
        BinOp::Div => Value::Double(x / y),
        BinOp::Mod if y == 0.0 => Value::Null,
        BinOp::Mod => Value::Double(x % y),
        _ => Value::Null,
    })
}

/// Bits a BigInteger result may have: far beyond any real template, it
/// stops a loop of squarings where Java would run out of memory.
pub(crate) const MAX_BIG_BITS: u64 = 1 << 20;

/// `MathUtils` over BigIntegers, for results beyond 128 bits.
fn big_math(op: BinOp, a: &Value, b: &Value, span: Span) -> Result<Value, Box<EvalError>> {
    let (Some(x), Some(y)) = (a.as_big_integer(), b.as_big_integer()) else {
        return Ok(Value::Null);
    };
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div | BinOp::Mod if y.is_zero() => return Ok(Value::Null),
        BinOp::Div => x / y,
        BinOp::Mod if y.is_negative() => {
            return Err(EvalError::boxed(
                EvalErrorKind::Method,
                span,
                "ArithmeticException: BigInteger: modulus not positive".into(),
            ))
        }
        BinOp::Mod => x.mod_floor(&y),
        _ => return Ok(Value::Null),
    };
    if r.bits() > MAX_BIG_BITS {
        return Err(EvalError::boxed(
            EvalErrorKind::Limit,
            span,
            "OutOfMemoryError: a BigInteger grew too large".into(),
        ));
    }
    Ok(big_integer(r))
}

/// `MathUtils.compare` and arithmetic fail on these two numbers: their
/// base is BigDecimal, which an infinite or NaN double has no value in
/// (`new BigDecimal(Infinity)` throws).
pub fn has_no_decimal_base(a: &Value, b: &Value) -> bool {
    let non_finite = |v: &Value| match v {
        Value::Double(d) => !d.is_finite(),
        Value::Float(f) => !f.is_finite(),
        _ => false,
    };
    (non_finite(a) || non_finite(b)) && decimal_base(a, b)
}

/// The error of an operation on an infinite or NaN double in BigDecimal.
pub fn no_decimal_value(span: Span) -> Box<EvalError> {
    EvalError::boxed(
        EvalErrorKind::Method,
        span,
        "NumberFormatException: Infinite or NaN".into(),
    )
}

/// Numeric order of two numbers; `None` when either is not a number.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if !a.is_number() || !b.is_number() {
        return None;
    }
    if let (Some(x), Some(y)) = (a.as_integer(), b.as_integer()) {
        return Some(x.cmp(&y));
    }
    if matches!(a, Value::Huge(_)) || matches!(b, Value::Huge(_)) {
        if let (Some(x), Some(y)) = (a.as_big_integer(), b.as_big_integer()) {
            return Some(x.cmp(&y));
        }
    }
    if decimal_base(a, b) {
        if let (Some(x), Some(y)) = (to_decimal(a), to_decimal(b)) {
            return Some(x.compare(&y));
        }
    }
    if float_base(a, b) {
        return Some(as_f32(a).partial_cmp(&as_f32(b)).unwrap_or(Ordering::Equal));
    }
    Some(as_f64(a).partial_cmp(&as_f64(b)).unwrap_or(Ordering::Equal))
}

/// Velocity's `==`: numbers by value, same-class objects by `equals`,
/// anything else by `toString`.
pub fn loose_equals(a: &Value, b: &Value) -> bool {
    if a.is_number() && b.is_number() {
        return compare(a, b) == Some(Ordering::Equal);
    }
    if same_class(a, b) {
        return a == b;
    }
    match (a.to_java_string(), b.to_java_string()) {
        (None, None) => true,
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn same_class(a: &Value, b: &Value) -> bool {
    use Value::*;
    matches!(
        (a, b),
        (Bool(_), Bool(_))
            | (Str(_), Str(_))
            | (List(..), List(..))
            | (Map(_), Map(_))
            | (Entry(_), Entry(_))
    )
}
