//! `String.format` (java.util.Formatter) for the conversions templates use:
//! `%s %S %d %x %X %o %f %e %E %b %B %c %n %%`, with argument indexes,
//! flags `-0+ ,(#`, width and precision. Written by hand: no crate formats
//! with Java's rules (half-up rounding of the `Double.toString` digits,
//! `null` and boolean conversions, `IllegalFormatException`s).

use std::fmt::Write;

use num_bigint::BigUint;
use num_traits::Signed;

use super::super::java_double;
use super::super::value::Value;

/// Format `args` by `pattern`; `Err` carries the Java exception's message.
pub(crate) fn java_format(pattern: &str, args: &[Value]) -> Result<String, String> {
    format_args_or_null(pattern, Some(args))
}

/// Format by `pattern` with a null argument array, what a lone null
/// argument to `format(String, Object...)` becomes: every specifier reads
/// null.
pub(crate) fn java_format_null_array(pattern: &str) -> Result<String, String> {
    format_args_or_null(pattern, None)
}

fn format_args_or_null(pattern: &str, args: Option<&[Value]>) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = pattern.char_indices().peekable();
    let mut next_arg = 0usize;
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // %[index$][flags][width][.precision]conversion
        let mut spec = String::new();
        let conv = loop {
            match chars.next() {
                Some((_, ch)) if ch.is_ascii_alphabetic() || ch == '%' => break ch,
                Some((_, ch)) => spec.push(ch),
                None => return Err(format!("UnknownFormatConversionException: '%{spec}'")),
            }
        };
        let (index, rest) = match spec.split_once('$') {
            Some((i, rest)) => (
                Some(
                    i.parse::<usize>()
                        .map_err(|_| format!("bad index in %{spec}"))?,
                ),
                rest.to_string(),
            ),
            None => (None, spec.clone()),
        };
        let flags: String = rest
            .chars()
            .take_while(|c| "-#+ 0,(".contains(*c))
            .collect();
        let rest = rest.get(flags.len()..).unwrap_or("");
        let (width, precision) = match rest.split_once('.') {
            Some((w, p)) => (w, Some(p)),
            None => (rest, None),
        };
        let width: usize = if width.is_empty() {
            0
        } else {
            width
                .parse::<i32>()
                .ok()
                .and_then(|w| usize::try_from(w).ok())
                .ok_or_else(|| format!("IllegalFormatWidthException: %{spec}{conv}"))?
        };
        // Java reads both as an int; beyond the output limit the render
        // would run out of memory anyway.
        let precision: Option<usize> = match precision {
            Some(p) => Some(
                p.parse::<i32>()
                    .ok()
                    .and_then(|p| usize::try_from(p).ok())
                    .ok_or_else(|| format!("IllegalFormatPrecisionException: {p}"))?,
            ),
            None => None,
        };
        let limit = crate::eval::interp::MAX_OUTPUT;
        if width > limit || precision.is_some_and(|p| p > limit) {
            return Err(format!("OutOfMemoryError: %{spec}{conv}"));
        }
        let body = match conv {
            '%' => "%".to_string(),
            'n' => "\n".to_string(),
            _ => {
                let i = match index {
                    Some(i) => i.saturating_sub(1),
                    None => {
                        next_arg += 1;
                        next_arg - 1
                    }
                };
                let arg = match args {
                    Some(args) => args.get(i).ok_or_else(|| {
                        format!("MissingFormatArgumentException: Format specifier '%{spec}{conv}'")
                    })?,
                    None => &Value::Null,
                };
                // Formatter prints a null as "null" under any conversion but
                // `%b`, cut to the precision and padded with spaces only.
                if arg.is_null() && !matches!(conv, 's' | 'S' | 'b' | 'B') {
                    let text: String = "null".chars().take(precision.unwrap_or(4)).collect();
                    let text = if conv.is_ascii_uppercase() {
                        text.to_uppercase()
                    } else {
                        text
                    };
                    pad(
                        &mut out,
                        &text,
                        width,
                        if flags.contains('-') { "-" } else { "" },
                    );
                    continue;
                }
                convert(conv, arg, &flags, precision)?
            }
        };
        pad(&mut out, &body, width, &flags);
        if out.len() > limit {
            return Err("OutOfMemoryError: the formatted string is too long".into());
        }
    }
    Ok(out)
}

fn pad(out: &mut String, body: &str, width: usize, flags: &str) {
    let len = body.chars().count();
    if len >= width {
        out.push_str(body);
        return;
    }
    let fill = width - len;
    if flags.contains('-') {
        out.push_str(body);
        out.push_str(&" ".repeat(fill));
    } else if flags.contains('0') {
        // Zeros go after the sign.
        let (sign, digits) = match body.strip_prefix(['-', '+', ' ']) {
            Some(d) => (body.get(..1).unwrap_or(""), d),
            None => ("", body),
        };
        out.push_str(sign);
        out.push_str(&"0".repeat(fill));
        out.push_str(digits);
    } else {
        out.push_str(&" ".repeat(fill));
        out.push_str(body);
    }
}

fn convert(
    conv: char,
    arg: &Value,
    flags: &str,
    precision: Option<usize>,
) -> Result<String, String> {
    let mismatch = || {
        format!(
            "IllegalFormatConversionException: {conv} != {}",
            java_class(arg)
        )
    };
    let text = match conv {
        's' | 'S' => {
            let s = if arg.is_null() {
                "null".to_string()
            } else {
                arg.to_java_string().unwrap_or_else(|| "null".into())
            };
            let s = match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            if conv == 'S' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'b' | 'B' => {
            let b = match arg {
                Value::Null => false,
                Value::Bool(b) => *b,
                _ => true,
            };
            let s = b.to_string();
            if conv == 'B' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'd' => {
            let big = arg.as_big_integer().ok_or_else(mismatch)?;
            signed(
                &group(&big.magnitude().to_string(), flags),
                big.is_negative(),
                flags,
            )
        }
        'x' | 'X' | 'o' => {
            // Integer and Long print their two's complement; a BigInteger
            // prints its sign and magnitude.
            let (negative, magnitude) = match arg {
                Value::Int(i) => (false, BigUint::from(*i as u32)),
                Value::Long(l) => (false, BigUint::from(*l as u64)),
                Value::BigInt(_) | Value::Huge(_) => {
                    let big = arg.as_big_integer().ok_or_else(mismatch)?;
                    (big.is_negative(), big.magnitude().clone())
                }
                _ => return Err(mismatch()),
            };
            let digits = match conv {
                'x' => magnitude.to_str_radix(16),
                'X' => magnitude.to_str_radix(16).to_uppercase(),
                _ => magnitude.to_str_radix(8),
            };
            let prefix = match (flags.contains('#'), conv) {
                (false, _) => "",
                (true, 'o') => "0",
                (true, 'x') => "0x",
                (true, _) => "0X",
            };
            let sign = if negative { "-" } else { "" };
            format!("{sign}{prefix}{digits}")
        }
        'f' | 'e' | 'E' | 'g' | 'G' => {
            let double = match arg {
                Value::Double(d) => Some(*d),
                // Formatter widens a Float to double.
                Value::Float(f) => Some(f64::from(*f)),
                _ => None,
            };
            if let Some(d) = double.filter(|d| !d.is_finite()) {
                return Ok(if d.is_nan() {
                    "NaN"
                } else if d > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                }
                .to_string());
            }
            let (number, negative) = match arg {
                Value::Double(_) | Value::Float(_) => {
                    let d = double.unwrap_or_default();
                    (Digits::of_double(d), d.is_sign_negative())
                }
                // A BigDecimal is formatted from its exact digits.
                Value::Decimal(d) => {
                    let (digits, exp) = d.digits();
                    let exact = true;
                    (Digits { digits, exp, exact }, d.signum() < 0)
                }
                _ => return Err(mismatch()),
            };
            let p = precision.unwrap_or(6);
            if conv == 'f' && number.exp + p as i64 > crate::eval::interp::MAX_OUTPUT as i64 {
                return Err("OutOfMemoryError: the formatted number is too long".into());
            }
            let body = match conv {
                'f' => group(&fixed(&number, p), flags),
                'g' | 'G' => general(&number, p, flags),
                _ => scientific(&number, p),
            };
            let body = if conv.is_ascii_uppercase() {
                body.to_uppercase()
            } else {
                body
            };
            // Java keeps the sign of -0.0 and of what rounds to zero.
            signed(&body, negative, flags)
        }
        // `Integer.toHexString(arg.hashCode())`.
        'h' | 'H' => match super::java_hash_code(arg) {
            Some(h) => {
                let s = format!("{:x}", h as u32);
                let s = match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                if conv == 'H' {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            None => return Err(mismatch()),
        },
        'c' | 'C' => {
            let s = match arg {
                Value::Char(u) => crate::eval::utf16::from_units(&[*u]),
                Value::Int(i) => char::from_u32(*i as u32)
                    .map(String::from)
                    .ok_or_else(|| format!("IllegalFormatCodePointException: {i}"))?,
                Value::Null => "null".into(),
                _ => return Err(mismatch()),
            };
            if conv == 'C' {
                s.to_uppercase()
            } else {
                s
            }
        }
        other => return Err(format!("UnknownFormatConversionException: '{other}'")),
    };
    Ok(text)
}

/// The Java class of a value, for messages and `%s`-style conversions.
pub(crate) fn java_class(v: &Value) -> &'static str {
    match v {
        Value::Str(_) => "java.lang.String",
        Value::Char(_) => "java.lang.Character",
        Value::Int(_) => "java.lang.Integer",
        Value::Long(_) => "java.lang.Long",
        Value::BigInt(_) | Value::Huge(_) => "java.math.BigInteger",
        Value::Float(_) => "java.lang.Float",
        Value::Double(_) => "java.lang.Double",
        Value::Bool(_) => "java.lang.Boolean",
        _ => "java.lang.Object",
    }
}

fn signed(digits: &str, negative: bool, flags: &str) -> String {
    if negative {
        if flags.contains('(') {
            format!("({digits})")
        } else {
            format!("-{digits}")
        }
    } else if flags.contains('+') {
        format!("+{digits}")
    } else if flags.contains(' ') {
        format!(" {digits}")
    } else {
        digits.to_string()
    }
}

/// Thousands separators for the `,` flag.
fn group(number: &str, flags: &str) -> String {
    if !flags.contains(',') {
        return number.to_string();
    }
    let (int, frac) = match number.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if let Some(f) = frac {
        grouped.push('.');
        grouped.push_str(f);
    }
    grouped
}

/// Round `digits` (of `0.DIGITS × 10^exp`) half-up to `keep` digits. The
/// exponent is an `i64`: a BigDecimal's reaches past `i32` (its scale is
/// an `int`, its digits many).
fn round_half_up(mut digits: Vec<u8>, mut exp: i64, keep: i64) -> (Vec<u8>, i64) {
    if keep < 0 {
        return (vec![0], exp);
    }
    let keep = keep as usize;
    if digits.len() <= keep {
        return (digits, exp);
    }
    let up = digits.get(keep).is_some_and(|d| *d >= 5);
    digits.truncate(keep);
    if up && java_double::increment_digits(&mut digits) {
        exp += 1;
    }
    (digits, exp)
}

/// A finite number's decimal digits, as `0.DIGITS × 10^exp`. Zero has no
/// digits, and the `exp` a single `0` digit would have: `%e` prints a
/// BigDecimal zero with its scale's exponent (`0E-19` is `0.000000e-19`).
struct Digits {
    digits: Vec<u8>,
    exp: i64,
    /// A BigDecimal's: its zero takes `%g`'s decimal form only when it
    /// equals `BigDecimal.ZERO`, scale included.
    exact: bool,
}

impl Digits {
    /// The digits Java's Formatter rounds for a finite double: those
    /// `Double.toString` would start from, not the exact binary value.
    fn of_double(d: f64) -> Digits {
        if d == 0.0 {
            return Digits {
                digits: Vec::new(),
                exp: 1,
                exact: false,
            };
        }
        let (digits, exp) = java_double::digits(d.abs(), false);
        Digits {
            digits,
            exp: i64::from(exp),
            exact: false,
        }
    }
}

fn fixed(n: &Digits, precision: usize) -> String {
    if n.digits.is_empty() {
        return zero_fixed(precision);
    }
    let (digits, exp) = round_half_up(n.digits.clone(), n.exp, n.exp + precision as i64);
    let digit = |i: i64| -> char {
        if i < 0 {
            return '0';
        }
        char::from(b'0' + digits.get(i as usize).copied().unwrap_or(0))
    };
    let mut s = String::new();
    if exp <= 0 {
        s.push('0');
    } else {
        for i in 0..exp {
            s.push(digit(i));
        }
    }
    if precision > 0 {
        s.push('.');
        for k in 0..precision as i64 {
            s.push(digit(exp + k));
        }
    }
    s
}

/// `%g`: `precision` significant digits (at least one), in decimal form
/// from 10^-4 up to 10^precision after rounding, scientific otherwise;
/// unlike C, Java keeps the trailing zeros.
fn general(n: &Digits, precision: usize, flags: &str) -> String {
    let p = precision.max(1);
    // A BigDecimal zero is `BigDecimal.ZERO` only at scale 0 (its `exp` is
    // then 1); at any other scale it takes the scientific form.
    if n.digits.is_empty() {
        return if !n.exact || n.exp == 1 {
            zero_fixed(p - 1)
        } else {
            scientific(n, p - 1)
        };
    }
    // The value is 0.DIGITS × 10^exp: its scientific exponent is exp - 1.
    let (_, exp) = round_half_up(n.digits.clone(), n.exp, p as i64);
    let sci = exp - 1;
    if (-4..p as i64).contains(&sci) {
        let decimals = usize::try_from(p as i64 - 1 - sci).unwrap_or(0);
        group(&fixed(n, decimals), flags)
    } else {
        scientific(n, p - 1)
    }
}

fn zero_fixed(precision: usize) -> String {
    let mut s = String::from("0");
    if precision > 0 {
        s.push('.');
        s.push_str(&"0".repeat(precision));
    }
    s
}

fn scientific(n: &Digits, precision: usize) -> String {
    let zero = n.digits.is_empty();
    let (digits, exp) = if zero {
        (vec![0], n.exp)
    } else {
        round_half_up(n.digits.clone(), n.exp, precision as i64 + 1)
    };
    let mut s = String::new();
    s.push(char::from(b'0' + digits.first().copied().unwrap_or(0)));
    if precision > 0 {
        s.push('.');
        for k in 1..=precision {
            s.push(char::from(b'0' + digits.get(k).copied().unwrap_or(0)));
        }
    }
    let e = exp - 1;
    let _ = write!(s, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(p: &str, args: &[Value]) -> String {
        java_format(p, args).unwrap()
    }

    #[test]
    fn integers_and_padding() {
        assert_eq!(
            f(
                "%05d|%-4d|%4d",
                &[Value::Int(42), Value::Int(7), Value::Int(-3)]
            ),
            "00042|7   |  -3"
        );
        assert_eq!(
            f(
                "%,d %+d %x %X %o",
                &[
                    Value::Int(1234567),
                    Value::Int(5),
                    Value::Int(255),
                    Value::Int(-1),
                    Value::Int(8)
                ]
            ),
            "1,234,567 +5 ff FFFFFFFF 10"
        );
    }

    #[test]
    fn floats_round_half_up_from_java_digits() {
        assert_eq!(
            f(
                "%.2f %.1f %.0f %f",
                &[
                    Value::Double(4.56789),
                    Value::Double(0.15),
                    Value::Double(2.5),
                    Value::Double(1.0)
                ]
            ),
            "4.57 0.2 3 1.000000"
        );
        assert_eq!(f("%.3e", &[Value::Double(12345.678)]), "1.235e+04");
        assert_eq!(f("%.2f", &[Value::Double(99.999)]), "100.00");
        assert_eq!(f("%.2f", &[Value::Double(0.001)]), "0.00");
    }

    #[test]
    fn strings_indexes_and_errors() {
        assert_eq!(f("%2$s-%1$s", &[Value::str("a"), Value::str("b")]), "b-a");
        assert_eq!(
            f(
                "%S %b %b %%%n",
                &[Value::str("x"), Value::Null, Value::str("")]
            ),
            "X false true %\n"
        );
        assert!(java_format("%d", &[Value::str("x")]).is_err());
        assert!(java_format("%s %s", &[Value::str("x")]).is_err());
    }
}
