//! The binary64 functions of sqlite3 3.40.1's ieee754 extension.
//!
//! * `ieee754(X)`: `'ieee754(M,E)'` with X = M·2^E, M odd (or 0); an 8-byte blob is read as
//!   a big-endian double, anything else as a REAL. The arithmetic is 3.40.1's, so `-0.0`
//!   gives `ieee754(1,-3071)`, ±∞ `ieee754(±4503599627370496,972)` and `0.0`
//!   `ieee754(0,-1075)`.
//! * `ieee754_mantissa(X)`, `ieee754_exponent(X)`: M and E alone.
//! * `ieee754(M, E)`: the double M·2^E (E clamped to ±10000; overflow gives ∞, underflow 0).
//!   For M = -2^63 3.40.1 loops forever; litesh returns NULL.
//! * `ieee754_to_blob(X)`: an INTEGER or REAL as its 8 bytes big-endian; NULL otherwise.
//! * `ieee754_from_blob(B)`: an 8-byte blob as a double; NULL otherwise.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::value;

/// The double an argument stands for: an 8-byte blob big-endian, otherwise its REAL value.
fn argument_double(v: &ValueRef<'_>) -> f64 {
    match *v {
        ValueRef::Blob(b) if b.len() == 8 => {
            f64::from_bits(u64::from_be_bytes(b.try_into().unwrap_or_default()))
        }
        _ => value::double(v),
    }
}

/// 3.40.1's decomposition: `(mantissa, exponent)`.
pub fn decompose(r: f64) -> (i64, i64) {
    let negative = r < 0.0;
    let bits = if negative { -r } else { r }.to_bits() as i64;
    if bits == 0 {
        return (0, -1075);
    }
    // An arithmetic shift, as in C: the sign bit of -0.0 makes it negative.
    let mut e = bits >> 52;
    let mut m = bits & ((1 << 52) - 1);
    if e == 0 {
        m <<= 1;
    } else {
        m |= 1 << 52;
    }
    while e < 1075 && m > 0 && m & 1 == 0 {
        m >>= 1;
        e += 1;
    }
    if negative {
        m = -m;
    }
    (m, e - 1075)
}

/// 3.40.1's `ieee754(M, E)`; `None` for M = -2^63.
pub fn compose(m: i64, e: i64) -> Option<f64> {
    let mut e = e.clamp(-10000, 10000);
    let mut m = m;
    let negative = m < 0;
    if negative {
        m = m.checked_neg()?;
    } else if m == 0 && e > -1000 && e < 1000 {
        return Some(0.0);
    }
    while (m >> 32) & 0xffe0_0000 != 0 {
        m >>= 1;
        e += 1;
    }
    while m != 0 && (m >> 32) & 0xfff0_0000 == 0 {
        m <<= 1;
        e -= 1;
    }
    e += 1075;
    if e <= 0 {
        m = if 1 - e >= 64 { 0 } else { m >> (1 - e) };
        e = 0;
    } else if e > 0x7ff {
        e = 0x7ff;
    }
    let mut bits = (m & ((1 << 52) - 1)) as u64 | (e as u64) << 52;
    if negative {
        bits |= 1 << 63;
    }
    Some(f64::from_bits(bits))
}

fn ieee754_text(ctx: &Context<'_>) -> String {
    let (m, e) = decompose(argument_double(&ctx.get_raw(0)));
    format!("ieee754({m},{e})")
}

/// Registers the six functions.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("ieee754", 1, flags, |ctx| Ok(ieee754_text(ctx)))?;
    conn.create_scalar_function("ieee754", 2, flags, |ctx| {
        let m = value::int64(&ctx.get_raw(0));
        let e = value::int64(&ctx.get_raw(1));
        Ok(compose(m, e))
    })?;
    conn.create_scalar_function("ieee754_mantissa", 1, flags, |ctx| {
        Ok(decompose(argument_double(&ctx.get_raw(0))).0)
    })?;
    conn.create_scalar_function("ieee754_exponent", 1, flags, |ctx| {
        Ok(decompose(argument_double(&ctx.get_raw(0))).1)
    })?;
    conn.create_scalar_function("ieee754_to_blob", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(i) => Some((i as f64).to_bits().to_be_bytes().to_vec()),
            ValueRef::Real(r) => Some(r.to_bits().to_be_bytes().to_vec()),
            _ => None,
        })
    })?;
    conn.create_scalar_function("ieee754_from_blob", 1, flags, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Blob(b) if b.len() == 8 => Some(argument_double(&ValueRef::Blob(b))),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompositions_observed_from_sqlite3() {
        assert_eq!(decompose(2.0), (2, 0));
        assert_eq!(decompose(45.25), (181, -2));
        assert_eq!(decompose(-0.0), (1, -3071));
        assert_eq!(decompose(0.0), (0, -1075));
        assert_eq!(decompose(f64::INFINITY), (4503599627370496, 972));
        assert_eq!(decompose(f64::from_bits(1)), (1, -1074));
        assert_eq!(
            decompose(f64::from_bits(0x7ff8000000000001)),
            (6755399441055745, 972)
        );
    }

    #[test]
    fn compositions() {
        assert_eq!(compose(181, -2), Some(45.25));
        assert_eq!(compose(2, 0), Some(2.0));
        assert_eq!(compose(0, 2000), Some(f64::INFINITY));
        assert_eq!(compose(1, -1080), Some(0.0));
        assert_eq!(compose(1, 5000), Some(f64::INFINITY));
        assert_eq!(compose(i64::MIN, 0), None);
        assert_eq!(compose(-3, 1), Some(-6.0));
    }
}
