//! `java.math.BigDecimal`, for what templates meet of it: json-smart reads
//! a float literal longer than 18 characters as one, and Velocity's math
//! switches to BigDecimal when an operand is one (or mixes BigInteger with a
//! Double). Written on `num-bigint` because BigDecimal's printing, scale
//! and rounding rules are Java's own.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// Digits `coeff` with a decimal point `scale` (> 0) places from the right.
fn plain(sign: &str, coeff: &str, scale: i32) -> String {
    let point = coeff.len() as i64 - i64::from(scale);
    if point > 0 {
        let (a, b) = coeff.split_at(point as usize);
        format!("{sign}{a}.{b}")
    } else {
        format!(
            "{sign}0.{}{coeff}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    }
}

/// `unscaled × 10^-scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    unscaled: BigInt,
    scale: i32,
}

/// Most decimal digits an intermediate value may grow to. Scales reach
/// ±2^31 (`1e-2000000000` is a valid literal), so rescaling must be
/// bounded; Java would grind for minutes on such values.
const MAX_DIGITS: i64 = 100_000;

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

/// `10^n` when `n` is within `MAX_DIGITS`.
fn checked_pow10(n: i64) -> Option<BigInt> {
    (0..=MAX_DIGITS).contains(&n).then(|| pow10(n as u32))
}

impl Decimal {
    /// `new BigDecimal(String)`: `[+-]digits[.digits][(e|E)[+-]digits]`.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(k) => (body.get(..k)?, body.get(k + 1..)?.parse::<i32>().ok()?),
            None => (body, 0),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits = format!("{int}{frac}");
        let mut unscaled: BigInt = digits.parse().ok()?;
        if neg {
            unscaled = -unscaled;
        }
        let scale = i32::try_from(frac.len()).ok()?.checked_sub(exp)?;
        Some(Decimal { unscaled, scale })
    }

    /// `new BigDecimal(long)`.
    pub fn from_integer(i: i128) -> Decimal {
        Decimal {
            unscaled: BigInt::from(i),
            scale: 0,
        }
    }

    /// `new BigDecimal(BigInteger)`.
    pub fn from_big_integer(i: BigInt) -> Decimal {
        Decimal {
            unscaled: i,
            scale: 0,
        }
    }

    /// `new BigDecimal(double)`: the double's exact binary value.
    pub fn from_f64(d: f64) -> Option<Decimal> {
        if !d.is_finite() {
            return None;
        }
        if d == 0.0 {
            return Some(Decimal::from_integer(0));
        }
        let bits = d.to_bits();
        let neg = bits >> 63 == 1;
        let exp_bits = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        let (mut mant, mut exp) = if exp_bits == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp_bits - 1075)
        };
        while mant & 1 == 0 && mant != 0 {
            mant >>= 1;
            exp += 1;
        }
        let mut unscaled = BigInt::from(mant);
        let scale = if exp >= 0 {
            unscaled <<= exp as usize;
            0
        } else {
            // m / 2^k = m × 5^k / 10^k.
            let k = exp.unsigned_abs();
            unscaled *= num_traits::pow(BigInt::from(5u8), k as usize);
            k as i32
        };
        if neg {
            unscaled = -unscaled;
        }
        Some(Decimal { unscaled, scale })
    }

    /// The unscaled value at a larger `scale`; `None` past `MAX_DIGITS`.
    fn rescaled(&self, scale: i32) -> Option<BigInt> {
        let up = (i64::from(scale) - i64::from(self.scale)).max(0);
        Some(&self.unscaled * checked_pow10(up)?)
    }

    /// `add`, exact; `None` when the operands' scales are too far apart.
    pub fn add(&self, o: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(o.scale);
        Some(Decimal {
            unscaled: self.rescaled(scale)? + o.rescaled(scale)?,
            scale,
        })
    }

    /// `subtract`, exact; `None` as for `add`.
    pub fn sub(&self, o: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(o.scale);
        Some(Decimal {
            unscaled: self.rescaled(scale)? - o.rescaled(scale)?,
            scale,
        })
    }

    /// `multiply`, exact; `None` when the scale overflows (Java's
    /// "Overflow" ArithmeticException).
    pub fn mul(&self, o: &Decimal) -> Option<Decimal> {
        Some(Decimal {
            unscaled: &self.unscaled * &o.unscaled,
            scale: self.scale.checked_add(o.scale)?,
        })
    }

    /// `divide(o, ROUND_HALF_DOWN)`: the result keeps this scale. `None`
    /// when `o` is zero or its scale is out of reach.
    pub fn div_half_down(&self, o: &Decimal) -> Option<Decimal> {
        if o.unscaled.is_zero() {
            return None;
        }
        // r = a × 10^sb / b, rounded half down.
        let (num, den) = if o.scale >= 0 {
            (
                &self.unscaled * checked_pow10(i64::from(o.scale))?,
                o.unscaled.clone(),
            )
        } else {
            (
                self.unscaled.clone(),
                &o.unscaled * checked_pow10(-i64::from(o.scale))?,
            )
        };
        let (q, r) = num.div_rem(&den);
        let twice = r.abs() * 2u8;
        let away = twice > den.abs();
        let q = if away {
            if (num.is_negative()) != (den.is_negative()) {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        };
        Some(Decimal {
            unscaled: q,
            scale: self.scale,
        })
    }

    /// The exponent of the leading digit: `precision - scale - 1`.
    fn adjusted(&self) -> i64 {
        i64::from(self.precision()) - i64::from(self.scale) - 1
    }

    /// `compareTo`: by value, ignoring scale. Signs and leading-digit
    /// exponents decide first, so rescaling only ever spans the digits.
    pub fn compare(&self, o: &Decimal) -> Ordering {
        let (a, b) = (self.signum(), o.signum());
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        let by_exponent = self.adjusted().cmp(&o.adjusted());
        if by_exponent != Ordering::Equal {
            return if a > 0 {
                by_exponent
            } else {
                by_exponent.reverse()
            };
        }
        let scale = self.scale.max(o.scale);
        match (self.rescaled(scale), o.rescaled(scale)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => Ordering::Equal,
        }
    }

    /// `doubleValue()`.
    pub fn to_f64(&self) -> f64 {
        self.to_java_string().parse().unwrap_or(f64::NAN)
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.unscaled.is_zero()
    }

    /// The whole part, when it fits 128 bits, for `intValue()`-like uses.
    pub fn to_i128(&self) -> Option<i128> {
        if self.adjusted() >= 39 {
            return None;
        }
        if self.adjusted() < 0 {
            return Some(0);
        }
        if self.scale <= 0 {
            (&self.unscaled * checked_pow10(-i64::from(self.scale))?).to_i128()
        } else {
            (&self.unscaled / checked_pow10(i64::from(self.scale))?).to_i128()
        }
    }

    /// `toBigInteger()`: the whole part; `None` when it would have more
    /// than [`MAX_DIGITS`] digits.
    pub fn to_big_integer(&self) -> Option<BigInt> {
        if self.adjusted() < 0 {
            return Some(BigInt::from(0u8));
        }
        if self.scale <= 0 {
            Some(&self.unscaled * checked_pow10(-i64::from(self.scale))?)
        } else {
            Some(&self.unscaled / checked_pow10(i64::from(self.scale))?)
        }
    }

    /// The low 128 bits of the whole part, in two's complement: what
    /// `intValue()` and `longValue()` keep of `toBigInteger()`, however
    /// large the value (`1.8E+308` keeps 0).
    pub fn whole_low_bits(&self) -> i128 {
        let whole = if self.scale <= 0 {
            // 10^k modulo 2^128 is all the low bits need.
            let modulus = BigInt::from(1u8) << 128u32;
            let k = BigInt::from(-i64::from(self.scale));
            &self.unscaled * BigInt::from(10u8).modpow(&k, &modulus)
        } else {
            match checked_pow10(i64::from(self.scale)) {
                Some(p) => &self.unscaled / p,
                // More fraction digits than any whole part can have.
                None => BigInt::from(0u8),
            }
        };
        super::value::low_bits(&whole)
    }

    /// The magnitude's decimal digits as `0.DIGITS × 10^exp`; no digits
    /// for zero, with the `exp` of a single `0` digit (`1 - scale`).
    pub fn digits(&self) -> (Vec<u8>, i64) {
        if self.unscaled.is_zero() {
            return (Vec::new(), 1 - i64::from(self.scale));
        }
        let digits: Vec<u8> = self
            .unscaled
            .magnitude()
            .to_string()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        let exp = i64::try_from(digits.len()).unwrap_or(i64::MAX) - i64::from(self.scale);
        (digits, exp)
    }

    /// `scale()`.
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// `precision()`: digits in the unscaled value.
    pub fn precision(&self) -> i32 {
        if self.unscaled.is_zero() {
            1
        } else {
            self.unscaled.abs().to_string().len() as i32
        }
    }

    /// `unscaledValue()`, however large.
    pub fn unscaled(&self) -> &BigInt {
        &self.unscaled
    }

    /// `unscaledValue()`, when it fits 128 bits.
    pub fn unscaled_i128(&self) -> Option<i128> {
        self.unscaled.to_i128()
    }

    /// `signum()`.
    pub fn signum(&self) -> i32 {
        if self.unscaled.is_zero() {
            0
        } else if self.unscaled.is_negative() {
            -1
        } else {
            1
        }
    }

    /// `negate()`.
    pub fn negate(&self) -> Decimal {
        Decimal {
            unscaled: -&self.unscaled,
            scale: self.scale,
        }
    }

    /// `abs()`.
    pub fn abs(&self) -> Decimal {
        Decimal {
            unscaled: self.unscaled.abs(),
            scale: self.scale,
        }
    }

    /// `stripTrailingZeros()`; zero becomes `0`.
    pub fn strip_trailing_zeros(&self) -> Decimal {
        if self.unscaled.is_zero() {
            return Decimal::from_integer(0);
        }
        let ten = BigInt::from(10u8);
        let mut d = self.clone();
        loop {
            let (q, r) = d.unscaled.div_rem(&ten);
            if !r.is_zero() {
                return d;
            }
            d.unscaled = q;
            d.scale -= 1;
        }
    }

    /// `setScale(scale, roundingMode)` with the `BigDecimal.ROUND_*`
    /// constants; `Err` when mode 7 (UNNECESSARY) would have to round or
    /// the mode is unknown.
    pub fn set_scale(&self, scale: i32, mode: i32) -> Result<Decimal, String> {
        let too_far = || format!("ArithmeticException: setScale({scale}) is out of reach");
        if scale >= self.scale {
            return Ok(Decimal {
                unscaled: self.rescaled(scale).ok_or_else(too_far)?,
                scale,
            });
        }
        let divisor =
            checked_pow10(i64::from(self.scale) - i64::from(scale)).ok_or_else(too_far)?;
        let (q, r) = self.unscaled.div_rem(&divisor);
        if r.is_zero() {
            return Ok(Decimal { unscaled: q, scale });
        }
        let negative = self.unscaled.is_negative();
        let twice = r.abs() * 2u8;
        let half = twice.cmp(&divisor);
        let odd = q.is_odd();
        let away = match mode {
            0 => true,
            1 => false,
            2 => !negative,
            3 => negative,
            4 => half != Ordering::Less,
            5 => half == Ordering::Greater,
            6 => half == Ordering::Greater || (half == Ordering::Equal && odd),
            7 => return Err("ArithmeticException: Rounding necessary".into()),
            m => {
                return Err(format!(
                    "IllegalArgumentException: invalid rounding mode {m}"
                ))
            }
        };
        let q = if away {
            if negative {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        };
        Ok(Decimal { unscaled: q, scale })
    }

    /// `toPlainString()`; `None` when it would be longer than a render's
    /// output may be.
    pub fn to_plain_string(&self) -> Option<String> {
        if self.scale.unsigned_abs() as usize > crate::eval::interp::MAX_OUTPUT {
            return None;
        }
        let coeff = self.unscaled.abs().to_string();
        let sign = if self.unscaled.is_negative() { "-" } else { "" };
        if self.scale <= 0 {
            let zeros = if self.unscaled.is_zero() {
                String::new()
            } else {
                "0".repeat(self.scale.unsigned_abs() as usize)
            };
            return Some(format!("{sign}{coeff}{zeros}"));
        }
        Some(plain(sign, &coeff, self.scale))
    }

    /// `BigDecimal.toString()`.
    pub fn to_java_string(&self) -> String {
        let coeff = self.unscaled.abs().to_string();
        let sign = if self.unscaled.is_negative() { "-" } else { "" };
        if self.scale == 0 {
            return format!("{sign}{coeff}");
        }
        let adjusted = -i64::from(self.scale) + (coeff.len() as i64 - 1);
        if self.scale > 0 && adjusted >= -6 {
            return plain(sign, &coeff, self.scale);
        }
        let (first, rest) = coeff.split_at(1);
        let mut s = format!("{sign}{first}");
        if !rest.is_empty() {
            s.push('.');
            s.push_str(rest);
        }
        s.push('E');
        if adjusted >= 0 {
            s.push('+');
        }
        s.push_str(&adjusted.to_string());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn prints_as_java() {
        for (input, printed) in [
            ("0.1234567890123456789", "0.1234567890123456789"),
            ("1.7976931348623157E308", "1.7976931348623157E+308"),
            ("1e00000000000000000005", "1E+5"),
            ("-0.0000000000000000000", "0E-19"),
            ("1.2E-19", "1.2E-19"),
            ("1.5000000000000000000e+5", "150000.00000000000000"),
            ("100000000000000000000.", "100000000000000000000"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1E-7"),
        ] {
            assert_eq!(d(input).to_java_string(), printed, "{input}");
        }
    }

    #[test]
    fn arithmetic_as_java() {
        let bd = d("1.00000000000000000005");
        assert_eq!(
            bd.add(&Decimal::from_integer(1)).unwrap().to_java_string(),
            "2.00000000000000000005"
        );
        assert_eq!(
            bd.div_half_down(&Decimal::from_integer(3))
                .unwrap()
                .to_java_string(),
            "0.33333333333333333335"
        );
        let x = Decimal::from_f64(19.99).unwrap();
        assert_eq!(
            x.to_java_string(),
            "19.989999999999998436805981327779591083526611328125"
        );
        assert_eq!(Decimal::from_f64(0.5).unwrap().to_java_string(), "0.5");
        assert_eq!(Decimal::from_f64(1.0).unwrap().to_java_string(), "1");
        assert_eq!(d("1.0").compare(&d("1.00")), Ordering::Equal);
        assert_ne!(d("1.0"), d("1.00"));
    }

    #[test]
    fn far_apart_scales_stay_cheap() {
        let tiny = d("1.0000000000000000000e-2000000000");
        let huge = d("1.0000000000000000000e2000000000");
        assert_eq!(tiny.compare(&huge), Ordering::Less);
        assert_eq!(huge.negate().compare(&tiny), Ordering::Less);
        assert!(tiny.add(&huge).is_none());
        assert_eq!(huge.to_i128(), None);
        // Measured with Java: 1.7976931348623157E+308 and 12345678901234567E+40
        // as BigDecimal, longValue().
        let max = Decimal::parse("1.7976931348623157e308").unwrap();
        assert_eq!(max.whole_low_bits() as i64, 0);
        let big = Decimal::parse("12345678901234567e40").unwrap();
        assert_eq!(big.whole_low_bits() as i64, 9138127999864930304);
        assert_eq!(Decimal::parse("-7.9").unwrap().whole_low_bits(), -7);
        assert_eq!(tiny.to_i128(), Some(0));
        assert!(huge.to_plain_string().is_none());
    }
}
