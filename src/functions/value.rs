//! How a function argument reads as text, integer, real or bytes: the `sqlite3_value_text`,
//! `_int64`, `_int`, `_double` and `_blob` coercions of SQLite 3.40.1, which the shell's
//! extensions rely on.
//!
//! The bundled library is newer and converts in places differently (a REAL becomes text with
//! 17 digits there, 15 in 3.40.1; text becomes a REAL by a different algorithm), so the
//! conversions are done here, from the argument's own storage class, the 3.40.1 way.

use std::borrow::Cow;

use rusqlite::types::ValueRef;
use rustc_apfloat::ieee::{Double, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert};

use crate::format::real::real_text;

/// `sqlite3Isspace`: the six ASCII white-space bytes.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `sqlite3_value_text`: `None` for NULL; numbers as 3.40.1 renders them (a REAL with
/// `%!.15g`); text and blob bytes as they are.
pub fn text<'a>(v: &ValueRef<'a>) -> Option<Cow<'a, [u8]>> {
    match *v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Cow::Owned(i.to_string().into_bytes())),
        ValueRef::Real(r) => Some(Cow::Owned(real_text(r).into_bytes())),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(Cow::Borrowed(t)),
    }
}

/// `sqlite3_value_text` up to its first NUL byte, as C code that takes the pointer sees it.
pub fn c_text<'a>(v: &ValueRef<'a>) -> Option<Cow<'a, [u8]>> {
    text(v).map(|t| match t.iter().position(|&b| b == 0) {
        Some(n) => match t {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..n]),
            Cow::Owned(mut o) => {
                o.truncate(n);
                Cow::Owned(o)
            }
        },
        None => t,
    })
}

/// `sqlite3_value_blob`: blob and text bytes; numbers as their text; `None` for NULL.
pub fn blob<'a>(v: &ValueRef<'a>) -> Option<Cow<'a, [u8]>> {
    text(v)
}

/// `sqlite3_value_int64`: a REAL is truncated (and clamped), text reads its leading integer.
pub fn int64(v: &ValueRef<'_>) -> i64 {
    match *v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => i,
        ValueRef::Real(r) => real_to_int64(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => text_to_int64(t),
    }
}

/// `sqlite3_value_int`: the 64-bit value cut to its low 32 bits, as C's `(int)` cast does.
pub fn int(v: &ValueRef<'_>) -> i32 {
    int64(v) as i32
}

/// `sqlite3_value_double`: text reads its leading number the way 3.40.1's `sqlite3AtoF` does.
pub fn double(v: &ValueRef<'_>) -> f64 {
    match *v {
        ValueRef::Null => 0.0,
        ValueRef::Integer(i) => i as f64,
        ValueRef::Real(r) => r,
        ValueRef::Text(t) | ValueRef::Blob(t) => atof(t),
    }
}

/// 3.40.1's `doubleToInt64`: clamps at the ends of the range; a NaN gives `i64::MIN`, as the
/// x86-64 conversion instruction does.
pub fn real_to_int64(r: f64) -> i64 {
    if r.is_nan() || r <= i64::MIN as f64 {
        i64::MIN
    } else if r >= i64::MAX as f64 {
        i64::MAX
    } else {
        r as i64
    }
}

/// 3.40.1's `sqlite3Atoi64` as `sqlite3_value_int64` uses it on text: optional white space
/// and sign, then decimal digits accumulated in 64 unsigned bits (wrapping), anything after
/// them ignored; values beyond the signed range clamp to its end on their side.
pub fn text_to_int64(t: &[u8]) -> i64 {
    let mut i = 0;
    while i < t.len() && is_space(t[i]) {
        i += 1;
    }
    let mut negative = false;
    if let Some(&c) = t.get(i) {
        if c == b'-' || c == b'+' {
            negative = c == b'-';
            i += 1;
        }
    }
    let mut u: u64 = 0;
    for &c in t[i..].iter().take_while(|c| c.is_ascii_digit()) {
        u = u.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
    }
    if u > i64::MAX as u64 {
        if negative {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if negative {
        -(u as i64)
    } else {
        u as i64
    }
}

/// The x87 80-bit `long double` SQLite 3.40.1 computes with on x86-64.
type Ld = X87DoubleExtended;

fn ld_from_i64(i: i64) -> Ld {
    Ld::from_i128(i128::from(i)).value
}

fn ld_from_f64(x: f64) -> Ld {
    let d = Double::from_bits(u128::from(x.to_bits()));
    d.convert(&mut false).value
}

/// A `long double` stored into a `double` (rounded to nearest, ties to even).
fn ld_to_f64(x: Ld) -> f64 {
    let d: Double = x.convert(&mut false).value;
    f64::from_bits(d.to_bits() as u64)
}

/// SQLite 3.40.1's `sqlite3AtoF`: the longest numeric prefix of `z` as a REAL, 0.0 when there
/// is none. Not correctly rounded: at most 18 or 19 significant digits are kept (the rest are
/// dropped), and the power of ten is applied in `long double` before rounding to `double`.
pub fn atof(z: &[u8]) -> f64 {
    let n = z.len();
    let mut i = 0;
    while i < n && is_space(z[i]) {
        i += 1;
    }
    if i >= n {
        return 0.0;
    }
    let mut negative = false;
    if z[i] == b'-' || z[i] == b'+' {
        negative = z[i] == b'-';
        i += 1;
    }
    // The significand keeps digits while it stays below this bound.
    const FULL: i64 = (i64::MAX - 9) / 10;
    let mut s: i64 = 0;
    let mut n_digits = 0;
    // Decimal exponent adjustment for digits dropped or taken after the point.
    let mut d: i32 = 0;
    let is_digit = |i: usize| i < n && z[i].is_ascii_digit();
    while i < n && z[i] == b'0' {
        i += 1;
        n_digits += 1;
    }
    while is_digit(i) && s < FULL {
        s = s * 10 + i64::from(z[i] - b'0');
        i += 1;
        n_digits += 1;
    }
    while is_digit(i) {
        i += 1;
        n_digits += 1;
        d += 1;
    }
    let mut e: i32 = 0;
    let mut e_negative = false;
    if i < n && z[i] == b'.' {
        i += 1;
        while is_digit(i) && s < FULL {
            s = s * 10 + i64::from(z[i] - b'0');
            i += 1;
            n_digits += 1;
            d -= 1;
        }
        while is_digit(i) {
            i += 1;
            n_digits += 1;
        }
    }
    if i < n && (z[i] == b'e' || z[i] == b'E') {
        i += 1;
        if i < n && (z[i] == b'-' || z[i] == b'+') {
            e_negative = z[i] == b'-';
            i += 1;
        }
        while is_digit(i) {
            e = if e < 10000 {
                e * 10 + i32::from(z[i] - b'0')
            } else {
                10000
            };
            i += 1;
        }
    }
    let mut e = if e_negative { -e } else { e } + d;
    let scale_down = e < 0;
    e = e.abs();
    if s == 0 {
        return if negative && n_digits > 0 { -0.0 } else { 0.0 };
    }
    if scale_down {
        while s % 10 == 0 && e > 0 {
            e -= 1;
            s /= 10;
        }
    } else {
        while s < i64::MAX / 10 && e > 0 {
            e -= 1;
            s *= 10;
        }
    }
    if negative {
        s = -s;
    }
    if e == 0 {
        return s as f64;
    }
    let ten = ld_from_f64(10.0);
    let mut scale = ld_from_f64(1.0);
    let sig = ld_from_i64(s);
    if e > 307 && e < 342 {
        while e % 308 != 0 {
            scale = (scale * ten).value;
            e -= 1;
        }
        if scale_down {
            ld_to_f64((sig / scale).value) / 1.0e308
        } else {
            ld_to_f64((sig * scale).value) * 1.0e308
        }
    } else if e >= 342 {
        if scale_down {
            0.0 * (s as f64)
        } else {
            1e308 * 1e308 * (s as f64)
        }
    } else {
        while e % 22 != 0 {
            scale = (scale * ten).value;
            e -= 1;
        }
        let big = ld_from_f64(1.0e22);
        while e > 0 {
            scale = (scale * big).value;
            e -= 22;
        }
        if scale_down {
            ld_to_f64((sig / scale).value)
        } else {
            ld_to_f64((sig * scale).value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_to_int64_reads_the_leading_integer() {
        assert_eq!(text_to_int64(b"  -12abc"), -12);
        assert_eq!(text_to_int64(b"3.9"), 3);
        assert_eq!(text_to_int64(b"1e5"), 1);
        assert_eq!(text_to_int64(b"abc"), 0);
        assert_eq!(text_to_int64(b"+7"), 7);
        assert_eq!(text_to_int64(b"9223372036854775808"), i64::MAX);
        assert_eq!(text_to_int64(b"-9223372036854775808"), i64::MIN);
        assert_eq!(text_to_int64(b"-9223372036854775807"), -i64::MAX);
    }

    #[test]
    fn real_to_int64_clamps() {
        assert_eq!(real_to_int64(1e300), i64::MAX);
        assert_eq!(real_to_int64(-1e300), i64::MIN);
        assert_eq!(real_to_int64(-2.7), -2);
    }

    #[test]
    fn atof_reads_prefixes() {
        assert_eq!(atof(b"2.5"), 2.5);
        assert_eq!(atof(b"  -1e3xyz"), -1000.0);
        assert_eq!(atof(b"abc"), 0.0);
        assert_eq!(atof(b".5"), 0.5);
        assert!(atof(b"-0").is_sign_negative());
        assert!(!atof(b"-").is_sign_negative());
        assert_eq!(atof(b"1e400"), f64::INFINITY);
        assert_eq!(atof(b"1e-400"), 0.0);
        assert_eq!(atof(b"0.1"), 0.1);
        assert_eq!(
            atof(b"123456789012345678901234567890"),
            1.2345678901234568e29
        );
    }

    #[test]
    fn value_text_of_a_real_has_15_digits() {
        assert_eq!(
            text(&ValueRef::Real(1.0 / 3.0)).unwrap().as_ref(),
            b"0.333333333333333"
        );
        assert_eq!(text(&ValueRef::Real(100.0)).unwrap().as_ref(), b"100.0");
        assert!(text(&ValueRef::Null).is_none());
    }
}
