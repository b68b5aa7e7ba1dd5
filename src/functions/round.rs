//! `round(X)` and `round(X, N)` with SQLite 3.40.1's results.
//!
//! The bundled library rounds correctly; 3.40.1 does not, and scripts see the difference
//! (`round(1.005, 2)` is 1.01 in 3.40.1, 1.0 when correctly rounded, since the double
//! nearest 1.005 lies below it). 3.40.1's rule, reproduced here:
//! * N is clamped to `0..=30` (NULL N gives NULL);
//! * a value beyond ±2^52 is returned as it is;
//! * with N = 0 the result is `(double)(sqlite3_int64)(X ± 0.5)`;
//! * otherwise X is printed with its own `%.Nf` (long-double arithmetic, see
//!   [`printf_fixed`]) and that text read back with its own `sqlite3AtoF` ([`value::atof`]).

use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{pure, value};
use crate::format::real::printf_fixed;

/// 3.40.1's `round(r, n)` for a double and a digit count already clamped to `0..=30`.
pub fn round(r: f64, n: u32) -> f64 {
    if !(-4503599627370496.0..=4503599627370496.0).contains(&r) {
        r
    } else if n == 0 {
        let half = if r < 0.0 { -0.5 } else { 0.5 };
        value::real_to_int64(r + half) as f64
    } else {
        value::atof(printf_fixed(r, n, false).as_bytes())
    }
}

fn round_sql(ctx: &Context<'_>) -> Option<f64> {
    let mut n = 0;
    if ctx.len() == 2 {
        let digits = ctx.get_raw(1);
        if let ValueRef::Null = digits {
            return None;
        }
        n = value::int(&digits).clamp(0, 30) as u32;
    }
    let x = ctx.get_raw(0);
    if let ValueRef::Null = x {
        return None;
    }
    Some(round(value::double(&x), n))
}

/// Replaces the library's `round` (one and two arguments).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("round", 1, pure(), |ctx| Ok(round_sql(ctx)))?;
    conn.create_scalar_function("round", 2, pure(), |ctx| Ok(round_sql(ctx)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_observed_from_sqlite3() {
        assert_eq!(round(1.005, 2), 1.01);
        assert_eq!(round(2.5, 0), 3.0);
        assert_eq!(round(-2.5, 0), -3.0);
        assert_eq!(round(0.12345678901234568, 20), 0.1234567890123456);
        assert_eq!(round(1e300, 2), 1e300);
        assert_eq!(round(123.456, 30), 123.456);
    }
}
