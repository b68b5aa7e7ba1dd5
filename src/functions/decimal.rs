//! Arbitrary-precision decimal arithmetic on text, as sqlite3 3.40.1's decimal extension:
//! `decimal(X)`, `decimal_add(X,Y)`, `decimal_sub(X,Y)`, `decimal_mul(X,Y)`,
//! `decimal_cmp(X,Y)`, the aggregate (and window) function `decimal_sum(X)` and the
//! `decimal` collation.
//!
//! Arguments are read as text (a REAL as its 15-digit 3.40.1 text) with 3.40.1's lenient
//! rules, kept here exactly: leading white space and one sign, then digits with at most one
//! meaningful `.` (the last one wins), any other character skipped, an exponent after `e`
//! or `E` whose non-digit characters are skipped too (`'1.5e+2x1'` is 1.5e21). NULL in,
//! NULL out. The results keep 3.40.1's digit bookkeeping, quirks included: `'-0.0'` shows
//! as `0.0` but `'-0.00'` as `-0.00`, `decimal_add('-1','1')` is `-0`, and `decimal_cmp`
//! ranks `'0'` below `'0.0'` and `'1'` below `'1.0'` (it compares digit strings).
//! `decimal_mul` keeps all fraction digits, dropping trailing zeros down to the smaller
//! fraction length of its inputs. `decimal_sum` of no rows is NULL, of only NULLs `0`.

use std::cmp::Ordering;

use rusqlite::functions::{Aggregate, Context, WindowAggregate};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{pure, value};

/// A decimal number: digits (most significant first, possibly with leading zeros) of which
/// the last `frac` are after the decimal point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    frac: usize,
}

impl Decimal {
    /// Reads text the lenient 3.40.1 way (see the module documentation).
    pub fn parse(z: &[u8]) -> Decimal {
        let n = z.len();
        let at = |i: usize| z.get(i).copied().unwrap_or(0);
        let mut i = 0;
        while value::is_space(at(i)) {
            i += 1;
        }
        let mut negative = false;
        if at(i) == b'-' || at(i) == b'+' {
            negative = at(i) == b'-';
            i += 1;
        }
        while i < n && z[i] == b'0' {
            i += 1;
        }
        let mut digits = Vec::with_capacity(n);
        // Digits seen when the (last) decimal point came.
        let mut point: Option<usize> = None;
        let mut exp: i64 = 0;
        while i < n {
            match z[i] {
                c @ b'0'..=b'9' => digits.push(c - b'0'),
                b'.' => point = Some(digits.len()),
                b'e' | b'E' => {
                    let mut j = i + 1;
                    if j >= n {
                        break;
                    }
                    let exp_negative = z[j] == b'-';
                    if z[j] == b'-' || z[j] == b'+' {
                        j += 1;
                    }
                    while j < n && exp < 1_000_000 {
                        if z[j].is_ascii_digit() {
                            exp = exp * 10 + i64::from(z[j] - b'0');
                        }
                        j += 1;
                    }
                    if exp_negative {
                        exp = -exp;
                    }
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let mut n_digit = digits.len() as i64;
        let mut n_frac = point.map_or(0, |p| n_digit - p as i64);
        if exp > 0 {
            if n_frac > 0 {
                if exp <= n_frac {
                    n_frac -= exp;
                    exp = 0;
                } else {
                    exp -= n_frac;
                    n_frac = 0;
                }
            }
            if exp > 0 {
                digits.resize(digits.len() + exp as usize, 0);
            }
        } else if exp < 0 {
            exp = -exp;
            // Digits before the point, less one (3.40.1's own count).
            let extra = n_digit - n_frac - 1;
            if extra != 0 {
                if extra >= exp {
                    n_frac += exp;
                    exp = 0;
                } else {
                    exp -= extra;
                    n_frac = n_digit - 1;
                }
            }
            if exp > 0 {
                let mut shifted = vec![0; exp as usize];
                shifted.extend_from_slice(&digits);
                digits = shifted;
                n_digit += exp;
                n_frac += exp;
            }
        }
        let _ = n_digit;
        Decimal {
            negative,
            digits,
            frac: usize::try_from(n_frac).unwrap_or(0),
        }
    }

    /// Reads an SQL value; `None` for NULL.
    pub fn from_value(v: &ValueRef<'_>) -> Option<Decimal> {
        value::text(v).map(|t| Decimal::parse(&t))
    }

    /// Zero as `decimal_sum` starts it.
    fn zero() -> Decimal {
        Decimal {
            negative: false,
            digits: vec![0],
            frac: 0,
        }
    }

    fn int_digits(&self) -> i64 {
        self.digits.len() as i64 - self.frac as i64
    }

    /// The text 3.40.1 shows for this number.
    pub fn render(&self) -> String {
        let d = &self.digits;
        let mut out = String::with_capacity(d.len() + 3);
        let is_zero = d.is_empty() || (d.len() == 1 && d[0] == 0);
        if self.negative && !is_zero {
            out.push('-');
        }
        let mut n = self.int_digits();
        if n <= 0 {
            out.push('0');
        }
        let mut j = 0;
        while n > 1 && d[j] == 0 {
            j += 1;
            n -= 1;
        }
        while n > 0 {
            out.push(char::from(b'0' + d[j]));
            j += 1;
            n -= 1;
        }
        if self.frac > 0 {
            out.push('.');
            loop {
                out.push(char::from(b'0' + d.get(j).copied().unwrap_or(0)));
                j += 1;
                if j >= d.len() {
                    break;
                }
            }
        }
        out
    }

    /// 3.40.1's comparison: by sign, then by the count of digits before the point, then
    /// digit by digit, then by length. Only the sign of the result is meaningful.
    pub fn compare(&self, other: &Decimal) -> i64 {
        if self.negative != other.negative {
            return if self.negative { -1 } else { 1 };
        }
        let (a, b) = if self.negative {
            (other, self)
        } else {
            (self, other)
        };
        let (sa, sb) = (a.int_digits(), b.int_digits());
        if sa != sb {
            return sa - sb;
        }
        match a.digits.iter().zip(&b.digits).find(|(x, y)| x != y) {
            Some((x, y)) => i64::from(*x) - i64::from(*y),
            None => a.digits.len() as i64 - b.digits.len() as i64,
        }
    }

    /// Pads with zeros to `n_digit` digits of which `n_frac` after the point.
    fn expand(&mut self, n_digit: usize, n_frac: usize) {
        let add_frac = n_frac - self.frac;
        let add_sig = n_digit - self.digits.len() - add_frac;
        if add_sig > 0 {
            let mut padded = vec![0; add_sig];
            padded.extend_from_slice(&self.digits);
            self.digits = padded;
        }
        if add_frac > 0 {
            self.digits.resize(self.digits.len() + add_frac, 0);
            self.frac += add_frac;
        }
    }

    /// Adds `other` into `self`, 3.40.1's way (one extra leading digit for the carry).
    pub fn add(&mut self, other: &Decimal) {
        let mut other = other.clone();
        let mut sig = self.int_digits() as usize;
        if sig > 0 && self.digits[0] == 0 {
            sig -= 1;
        }
        sig = sig.max(other.int_digits() as usize);
        let frac = self.frac.max(other.frac);
        let n = sig + frac + 1;
        self.expand(n, frac);
        other.expand(n, frac);
        if self.negative == other.negative {
            let mut carry = 0;
            for i in (0..n).rev() {
                let x = self.digits[i] + other.digits[i] + carry;
                carry = u8::from(x >= 10);
                self.digits[i] = x % 10;
            }
        } else {
            let (big, small) = if self.digits < other.digits {
                self.negative = !self.negative;
                (other.digits.clone(), self.digits.clone())
            } else {
                (self.digits.clone(), other.digits.clone())
            };
            let mut borrow = 0;
            for i in (0..n).rev() {
                let x = i16::from(big[i]) - i16::from(small[i]) - borrow;
                borrow = i16::from(x < 0);
                self.digits[i] = x.rem_euclid(10) as u8;
            }
        }
    }

    /// The product, laid out as 3.40.1 lays it out (two extra leading digits), with trailing
    /// fraction zeros dropped down to the smaller input fraction length.
    pub fn mul(&self, other: &Decimal) -> Decimal {
        let (na, nb) = (self.digits.len(), other.digits.len());
        let len = na + nb + 2;
        let mut acc = vec![0u32; len];
        for (i, &a) in self.digits.iter().enumerate() {
            for (j, &b) in other.digits.iter().enumerate() {
                acc[i + j + 3] += u32::from(a) * u32::from(b);
            }
        }
        for k in (1..len).rev() {
            let carry = acc[k] / 10;
            acc[k] %= 10;
            acc[k - 1] += carry;
        }
        let mut product = Decimal {
            negative: self.negative != other.negative,
            digits: acc.into_iter().map(|d| d as u8).collect(),
            frac: self.frac + other.frac,
        };
        let min_frac = self.frac.min(other.frac);
        while product.frac > min_frac && product.digits.last() == Some(&0) {
            product.frac -= 1;
            product.digits.pop();
        }
        product
    }

    /// The negated number.
    fn negated(mut self) -> Decimal {
        self.negative = !self.negative;
        self
    }
}

/// Reads both arguments; `None` when either is NULL.
fn two(ctx: &Context<'_>) -> Option<(Decimal, Decimal)> {
    Some((
        Decimal::from_value(&ctx.get_raw(0))?,
        Decimal::from_value(&ctx.get_raw(1))?,
    ))
}

/// `decimal_sum`: the running total, started at the first row (NULL rows included).
struct DecimalSum;

impl Aggregate<Decimal, Option<String>> for DecimalSum {
    fn init(&self, _ctx: &mut Context<'_>) -> rusqlite::Result<Decimal> {
        Ok(Decimal::zero())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Decimal) -> rusqlite::Result<()> {
        if let Some(d) = Decimal::from_value(&ctx.get_raw(0)) {
            acc.add(&d);
        }
        Ok(())
    }

    fn finalize(
        &self,
        _ctx: &mut Context<'_>,
        acc: Option<Decimal>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.map(|d| d.render()))
    }
}

impl WindowAggregate<Decimal, Option<String>> for DecimalSum {
    fn value(&self, acc: Option<&mut Decimal>) -> rusqlite::Result<Option<String>> {
        Ok(acc.map(|d| d.render()))
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut Decimal) -> rusqlite::Result<()> {
        if let Some(d) = Decimal::from_value(&ctx.get_raw(0)) {
            acc.add(&d.negated());
        }
        Ok(())
    }
}

/// The `decimal` collation.
pub fn collate(a: &[u8], b: &[u8]) -> Ordering {
    Decimal::parse(a).compare(&Decimal::parse(b)).cmp(&0)
}

/// Registers the functions and the collation.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("decimal", 1, pure(), |ctx| {
        Ok(Decimal::from_value(&ctx.get_raw(0)).map(|d| d.render()))
    })?;
    conn.create_scalar_function("decimal_cmp", 2, pure(), |ctx| {
        Ok(two(ctx).map(|(a, b)| a.compare(&b).signum()))
    })?;
    conn.create_scalar_function("decimal_add", 2, pure(), |ctx| {
        Ok(two(ctx).map(|(mut a, b)| {
            a.add(&b);
            a.render()
        }))
    })?;
    conn.create_scalar_function("decimal_sub", 2, pure(), |ctx| {
        Ok(two(ctx).map(|(mut a, b)| {
            a.add(&b.negated());
            a.render()
        }))
    })?;
    conn.create_scalar_function("decimal_mul", 2, pure(), |ctx| {
        Ok(two(ctx).map(|(a, b)| a.mul(&b).render()))
    })?;
    conn.create_window_function("decimal_sum", 1, pure(), DecimalSum)?;
    conn.create_collation("decimal", |a, b| collate(a.as_bytes(), b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s.as_bytes())
    }

    #[test]
    fn parse_and_render() {
        assert_eq!(d("1x2.5e1").render(), "125");
        assert_eq!(d("  +007.50e-3").render(), "0.00750");
        assert_eq!(d("-0.0").render(), "0.0");
        assert_eq!(d("-0.00").render(), "-0.00");
        assert_eq!(d("e5").render(), "0");
        assert_eq!(d("").render(), "0");
        assert_eq!(d("1e").render(), "1");
        assert_eq!(d("1.5e+2x1").render(), "1500000000000000000000");
        assert_eq!(d("0.5e-1").render(), "0.05");
    }

    #[test]
    fn arithmetic() {
        let mut a = d("-1");
        a.add(&d("1"));
        assert_eq!(a.render(), "-0");
        let mut a = d("0.1");
        a.add(&d("0.2"));
        assert_eq!(a.render(), "0.3");
        let mut a = d("100");
        a.add(&d("-99"));
        assert_eq!(a.render(), "1");
        assert_eq!(d("1.50").mul(&d("2.0")).render(), "3.0");
        assert_eq!(d("0").mul(&d("1.000")).render(), "0");
        assert_eq!(d("-12.5").mul(&d("4")).render(), "-50");
    }

    #[test]
    fn comparison_quirks() {
        assert!(d("0").compare(&d("0.0")) < 0);
        assert!(d("-0").compare(&d("0")) < 0);
        assert!(d("1.0").compare(&d("1")) > 0);
        assert!(d("10").compare(&d("9.99")) > 0);
        assert!(d("-10").compare(&d("-9")) < 0);
    }
}
