//! `Double.toString` as Java 17 prints it (and Java 8 and 11 before it).
//! Until JDK 19 the digits were not always the shortest that round-trip:
//! large whole numbers keep digits below their precision, and the digit
//! loop's stopping test differs in places. API Gateway prints doubles with
//! this algorithm, so it is reproduced here: the Steele & White / dragon4
//! digit generation with Java's estimate, its three arithmetic widths (int,
//! long, big integer, whose stopping tests differ) and its rounding.
//! Checked against Java 17 on 300,000 doubles (`tests` below holds a sample).

use num_bigint::BigUint;
use num_traits::ToPrimitive;

/// Bits of `5^i`, for picking the arithmetic width.
fn n5_bits(i: i32) -> i32 {
    match i {
        i if i <= 0 => 0,
        // Java's table holds floor(i × log2(5)) + 1 up to 5^26, then
        // guesses 3 bits a power.
        1..=26 => ((f64::from(i) * 5f64.log2()).floor() as i32) + 1,
        i => i * 3,
    }
}

fn pow5(i: i32) -> BigUint {
    num_traits::pow(BigUint::from(5u8), i.max(0) as usize)
}

/// `estimateDecExp`: floor of log10 of the value, from its bits. The
/// constants are Java's own (not `LOG10_2`): the estimate must match.
#[allow(clippy::approx_constant)]
fn estimate_dec_exp(fract_bits: u64, bin_exp: i32) -> i32 {
    let d2 = f64::from_bits(0x3FF0_0000_0000_0000 | (fract_bits & 0x000F_FFFF_FFFF_FFFF));
    let d = (d2 - 1.5) * 0.289529654 + 0.176091259 + f64::from(bin_exp) * 0.301029995663981;
    d.floor() as i32
}

/// How many low decimal digits of a whole number are below a precision of
/// `2^p2`.
fn insignificant_digits_for_pow2(p2: i32) -> u32 {
    if p2 > 1 && p2 < 64 {
        // The table Java keeps: floor(p2 × log10(2)), rounded Java's way.
        const TABLE: [u32; 64] = [
            0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8,
            8, 9, 9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15,
            15, 15, 16, 16, 16, 17, 17, 17, 18, 18, 18, 19,
        ];
        TABLE.get(p2 as usize).copied().unwrap_or(0)
    } else {
        0
    }
}

/// The decimal digits of `|d|` (finite, non-zero) and the exponent such
/// that the value is `0.DIGITS × 10^exp`. `compatible` is `Double.toString`'s
/// mode; `String.format` asks for at least two digits always.
pub(crate) fn digits(d: f64, compatible: bool) -> (Vec<u8>, i32) {
    ieee_digits(d.to_bits(), 52, 11, compatible)
}

/// The digits of a `float` (finite, non-zero): Java runs the same
/// conversion with the float's 24 significant bits moved to the double's
/// positions, which is why `Float.toString` is not simply the shortest form.
fn float_digits(f: f32) -> (Vec<u8>, i32) {
    ieee_digits(u64::from(f.to_bits()), 23, 8, true)
}

/// `FloatingDecimal.getBinaryToASCIIConverter` for either width: `bits` is
/// the raw value, `fract_width` and `exp_width` its field sizes.
fn ieee_digits(bits: u64, fract_width: u32, exp_width: u32, compatible: bool) -> (Vec<u8>, i32) {
    let fract_mask = (1u64 << fract_width) - 1;
    let bias = (1i32 << (exp_width - 1)) - 1;
    let mut bin_exp = ((bits >> fract_width) & ((1u64 << exp_width) - 1)) as i32;
    let mut fract_bits = bits & fract_mask;
    let n_significant_bits;
    if bin_exp == 0 {
        // Subnormal: normalise (counted in 64 bits, which shifts both
        // widths alike).
        let leading = fract_bits.leading_zeros() as i32;
        let shift = leading - (63 - fract_width as i32);
        fract_bits <<= shift;
        bin_exp = 1 - shift;
        n_significant_bits = 64 - leading;
    } else {
        fract_bits |= 1 << fract_width;
        n_significant_bits = fract_width as i32 + 1;
    }
    bin_exp -= bias;
    dtoa(
        bin_exp,
        fract_bits << (52 - fract_width),
        n_significant_bits,
        compatible,
    )
}

fn dtoa(
    bin_exp: i32,
    fract_bits: u64,
    n_significant_bits: i32,
    compatible: bool,
) -> (Vec<u8>, i32) {
    let tail_zeros = fract_bits.trailing_zeros() as i32;
    let n_fract_bits = 53 - tail_zeros;
    let n_tiny_bits = (n_fract_bits - bin_exp - 1).max(0);
    // Whole numbers below 2^63: their digits, less the insignificant ones.
    if (-21..=62).contains(&bin_exp) && n_tiny_bits == 0 && n_fract_bits < 64 {
        let insignificant = if bin_exp > n_significant_bits {
            insignificant_digits_for_pow2(bin_exp - n_significant_bits - 1)
        } else {
            0
        };
        let value = if bin_exp >= 52 {
            fract_bits << (bin_exp - 52)
        } else {
            fract_bits >> (52 - bin_exp)
        };
        return long_digits(value, insignificant);
    }
    let mut dec_exp = estimate_dec_exp(fract_bits, bin_exp);
    let b5 = (-dec_exp).max(0);
    let mut b2 = b5 + n_tiny_bits + bin_exp;
    let s5 = dec_exp.max(0);
    let mut s2 = s5 + n_tiny_bits;
    let m5 = b5;
    let mut m2 = b2 - n_significant_bits;
    let fract = fract_bits >> tail_zeros;
    b2 -= n_fract_bits - 1;
    let common = b2.min(s2);
    b2 -= common;
    s2 -= common;
    m2 -= common;
    if n_fract_bits == 1 {
        m2 -= 1;
    }
    if m2 < 0 {
        b2 -= m2;
        s2 -= m2;
        m2 = 0;
    }
    let b_bits = n_fract_bits + b2 + n5_bits(b5);
    let ten_s_bits = s2 + 1 + n5_bits(s5 + 1);
    let mut out = Vec::with_capacity(20);
    let (low, high, low_digit_difference) = if b_bits < 64 && ten_s_bits < 64 {
        // Java's int or long loop, overflow and all.
        let width = if b_bits < 32 && ten_s_bits < 32 {
            32
        } else {
            64
        };
        let wrap = |v: i128| {
            if width == 32 {
                i128::from(v as i32)
            } else {
                i128::from(v as i64)
            }
        };
        let p5 = |i: i32| 5i128.pow(i.max(0) as u32);
        let mut b = (i128::from(fract) * p5(b5)) << b2.max(0);
        let s = p5(s5) << s2.max(0);
        let mut m = p5(m5) << m2.max(0);
        let tens = s * 10;
        let q = (b / s) as u8;
        b = 10 * (b % s);
        m = wrap(m * 10);
        let mut low = b < m;
        let mut high = wrap(b + m) > tens;
        if q == 0 && !high {
            dec_exp -= 1;
        } else {
            out.push(q);
        }
        // Scientific notation always shows a digit after the point.
        if !compatible || !(-3..8).contains(&dec_exp) {
            low = false;
            high = false;
        }
        while !low && !high {
            let q = (b / s) as u8;
            b = 10 * (b % s);
            m = wrap(m * 10);
            if m > 0 {
                low = b < m;
                high = wrap(b + m) > tens;
            } else {
                low = true;
                high = true;
            }
            out.push(q);
        }
        (low, high, wrap(wrap(b << 1) - tens).cmp(&0))
    } else {
        // Java's big-integer loop, whose stopping test is `b + m >= 10s`.
        let mut b = (BigUint::from(fract) * pow5(b5)) << b2.max(0) as usize;
        let s = pow5(s5) << s2.max(0) as usize;
        let mut m = pow5(m5) << m2.max(0) as usize;
        let ten_s = &s * 10u8;
        let digit = |b: &mut BigUint| -> u8 {
            let q = (&*b / &s).to_u8().unwrap_or(0);
            *b = (&*b % &s) * 10u8;
            q
        };
        let q = digit(&mut b);
        m *= 10u8;
        let mut low = b < m;
        let mut high = &b + &m >= ten_s;
        if q == 0 && !high {
            dec_exp -= 1;
        } else {
            out.push(q);
        }
        if !compatible || !(-3..8).contains(&dec_exp) {
            low = false;
            high = false;
        }
        while !low && !high {
            let q = digit(&mut b);
            m *= 10u8;
            low = b < m;
            high = &b + &m >= ten_s;
            out.push(q);
        }
        let diff = if high && low {
            (&b << 1usize).cmp(&ten_s)
        } else {
            std::cmp::Ordering::Equal
        };
        (low, high, diff)
    };
    let mut exp = dec_exp + 1;
    if high {
        let round_up = if low {
            match low_digit_difference {
                std::cmp::Ordering::Equal => out.last().is_some_and(|d| d & 1 != 0),
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
            }
        } else {
            true
        };
        if round_up {
            round_up_digits(&mut out, &mut exp);
        }
    }
    (out, exp)
}

fn long_digits(mut value: u64, insignificant: u32) -> (Vec<u8>, i32) {
    let mut exp = 0i32;
    if insignificant != 0 {
        let pow10 = 10u64.pow(insignificant);
        let residue = value % pow10;
        value /= pow10;
        exp += insignificant as i32;
        if residue >= pow10 >> 1 {
            value += 1;
        }
    }
    let text = value.to_string();
    let mut digits: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
    let n = digits.len() as i32;
    // Java keeps no trailing zeros of a whole number.
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    (digits, exp + n)
}

/// Add one unit in the last place of `0.DIGITS × 10^exp`; a carry out of
/// the first digit prepends a 1 and raises `exp`.
fn increment(digits: &mut Vec<u8>, exp: &mut i32) {
    if increment_digits(digits) {
        *exp += 1;
    }
}

/// Add one unit in the last place of `digits`; true when the carry went
/// out of the first digit and a 1 was prepended (the exponent must rise).
pub(crate) fn increment_digits(digits: &mut Vec<u8>) -> bool {
    for d in digits.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return false;
        }
    }
    digits.insert(0, 1);
    true
}

/// Java's `roundup`: the carry keeps the digit count.
fn round_up_digits(out: &mut Vec<u8>, exp: &mut i32) {
    let n = out.len().max(1);
    increment(out, exp);
    out.truncate(n);
}

/// Append `Double.toString(d)`.
pub fn write(d: f64, out: &mut String) {
    if !write_short_decimal(d, out) {
        write_with(d, || digits(d.abs(), true), out);
    }
}

/// Powers of ten up to the most decimal places [`write_short_decimal`] takes.
const SHORT_POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
/// One more than the largest digit string it takes.
const SHORT_MAX_DIGITS: f64 = 1e7;

/// Append `Double.toString(d)` for the doubles most templates print: the
/// nearest double to a decimal of at most 7 digits and 6 places (`10.5`,
/// `19.99`, `47.6062`) in Java's plain range, 10^-3 to 10^7. Java prints
/// exactly that decimal for every one of them: checked against Java 17 for
/// all 70 million (`corpus/oracle/ShortDecimals.java`). Returns false,
/// having written nothing, for any other double; the digit generation
/// costs ten times as much.
fn write_short_decimal(d: f64, out: &mut String) -> bool {
    let a = d.abs();
    if !(1e-3..SHORT_MAX_DIGITS).contains(&a) {
        return false;
    }
    for (places, scale) in SHORT_POW10.iter().enumerate() {
        let scaled = a * scale;
        if scaled >= SHORT_MAX_DIGITS {
            return false;
        }
        let m = scaled.round();
        // Division rounds correctly: equality means `a` is the double
        // nearest to the decimal m × 10^-places.
        if m >= SHORT_MAX_DIGITS || m / scale != a {
            continue;
        }
        let m = m as u64;
        let unit = 10u64.pow(places as u32);
        let (int, mut frac, mut places) = (m / unit, m % unit, places);
        while places > 0 && frac % 10 == 0 {
            frac /= 10;
            places -= 1;
        }
        if d < 0.0 {
            out.push('-');
        }
        out.push_str(itoa::Buffer::new().format(int));
        out.push('.');
        if places == 0 {
            out.push('0');
        } else {
            let mut buf = itoa::Buffer::new();
            let frac = buf.format(frac);
            for _ in frac.len()..places {
                out.push('0');
            }
            out.push_str(frac);
        }
        return true;
    }
    false
}

/// Append `Float.toString(f)`.
pub fn write_float(f: f32, out: &mut String) {
    write_with(f64::from(f), || float_digits(f.abs()), out);
}

/// `FloatingDecimal.toJavaFormatString`, shared by both widths: `d` only
/// decides the special cases and the sign.
fn write_with(d: f64, digits: impl FnOnce() -> (Vec<u8>, i32), out: &mut String) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    if d < 0.0 {
        out.push('-');
    }
    let (digits, exp) = digits();
    let digit = |i: usize| char::from(b'0' + digits.get(i).copied().unwrap_or(0));
    if exp > 0 && exp <= 7 {
        let int_len = exp as usize;
        for i in 0..int_len {
            out.push(digit(i));
        }
        out.push('.');
        if digits.len() > int_len {
            for i in int_len..digits.len() {
                out.push(digit(i));
            }
        } else {
            out.push('0');
        }
    } else if exp <= 0 && exp > -3 {
        out.push_str("0.");
        for _ in 0..(-exp) {
            out.push('0');
        }
        for i in 0..digits.len() {
            out.push(digit(i));
        }
    } else {
        out.push(digit(0));
        out.push('.');
        if digits.len() > 1 {
            for i in 1..digits.len() {
                out.push(digit(i));
            }
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&(exp - 1).to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(d: f64) -> String {
        let mut out = String::new();
        write(d, &mut out);
        out
    }

    #[test]
    fn short_decimals_print_as_the_digit_generation_does() {
        let slow = |d: f64| {
            let mut out = String::new();
            write_with(d, || digits(d.abs(), true), &mut out);
            out
        };
        let mut taken = 0;
        for places in 0..=7 {
            for m in (0..40_000u32).chain((9_990_000..10_000_500).step_by(3)) {
                for d in [
                    f64::from(m) / 10f64.powi(places),
                    -f64::from(m) / 10f64.powi(places),
                ] {
                    let mut fast = String::new();
                    if write_short_decimal(d, &mut fast) {
                        taken += 1;
                        assert_eq!(fast, slow(d), "{d:e}");
                    } else {
                        assert!(fast.is_empty());
                    }
                }
            }
        }
        assert!(taken > 300_000, "the short path took only {taken}");
        // Outside its range or precision, the digit generation prints.
        for d in [
            0.0,
            1e-4,
            1e7,
            0.1 + 0.2,
            1.0 / 3.0,
            12345678.5,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(!write_short_decimal(d, &mut String::new()), "{d:e}");
        }
    }

    #[test]
    fn prints_as_java_17() {
        for (d, java) in [
            (1.0, "1.0"),
            (100.0, "100.0"),
            (10.5, "10.5"),
            (-19.99, "-19.99"),
            (47.6062, "47.6062"),
            (47.606209, "47.606209"),
            (0.00125, "0.00125"),
            (9999999.0, "9999999.0"),
            (0.001, "0.001"),
            (1.0e-4, "1.0E-4"),
            (1.0e7, "1.0E7"),
            (1234567.0, "1234567.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (2e23, "1.9999999999999998E23"),
            (1e23, "9.999999999999999E22"),
            (8.41e21, "8.409999999999999E21"),
            (4.9e-324, "4.9E-324"),
            (-4.611686018427388e18, "-4.6116860184273879E18"),
            (9.223372036854776e17, "9.2233720368547763E17"),
            (1.8446744073709552e19, "1.8446744073709552E19"),
            (-2.842170943040401e-14, "-2.8421709430404007E-14"),
        ] {
            assert_eq!(s(d), java, "{d:e}");
        }
    }
}
