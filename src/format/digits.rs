//! Decimal digits of a double, and printf's `%!.Ng` layout of them.
//!
//! [`Digits::shortest`] gives the shortest digit string that reads back to the same double
//! (Ryu, through the `ryu` crate); [`Digits::rounded`] gives the first N significant digits
//! correctly rounded (the standard library's exact formatting). Both are parsed out of the
//! text those formatters write, into a small fixed buffer: no allocation.
//!
//! [`push_g`] lays digits out the way SQLite's printf lays out `%!.<P>g` (the `!` flag keeps
//! one digit after the point, trailing zeros dropped): fixed notation when the decimal
//! exponent is in `[-4, P-1]`, else `d.ddde±XX`.

use std::fmt::Write as _;

/// Up to 24 significant decimal digits with the decimal exponent of the first one: the value
/// is `0.d₁d₂…dₙ × 10^(exp+1)`, i.e. `d₁.d₂…dₙ × 10^exp`.
#[derive(Clone, Copy)]
pub struct Digits {
    buf: [u8; 24],
    len: usize,
    exp: i32,
}

/// A fixed stack buffer for the formatters' text.
struct Text {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Digits {
    /// The shortest digits that read back to `v` (`v` finite and positive).
    pub fn shortest(v: f64) -> Digits {
        let mut b = ryu::Buffer::new();
        Digits::parse(b.format_finite(v).as_bytes())
    }

    /// The first `n` significant digits of `v` (finite, positive), correctly rounded
    /// (`1 <= n <= 20`); trailing zeros are kept, so exactly `n` digits.
    pub fn rounded(v: f64, n: usize) -> Digits {
        let mut t = Text {
            buf: [0; 40],
            len: 0,
        };
        // `{:.Ne}` is exact (correctly rounded) in the standard library.
        let _ = write!(t, "{:.*e}", n.saturating_sub(1), v);
        let mut d = Digits::parse(&t.buf[..t.len]);
        // parse() drops trailing zeros; put them back.
        while d.len < n && d.len < d.buf.len() {
            d.buf[d.len] = b'0';
            d.len += 1;
        }
        d
    }

    /// Parses a formatter's text (`123.45`, `1e23`, `1.5e-7`, `0.001`; no sign) into digits
    /// without leading or trailing zeros. Zero gives one digit `0`, exponent 0.
    fn parse(s: &[u8]) -> Digits {
        let mut d = Digits {
            buf: [b'0'; 24],
            len: 0,
            exp: 0,
        };
        let (mantissa, e10) = match memchr::memchr(b'e', s) {
            Some(i) => {
                let (negative, digits) = match &s[i + 1..] {
                    [b'-', rest @ ..] => (true, rest),
                    [b'+', rest @ ..] => (false, rest),
                    rest => (false, rest),
                };
                let e = digits
                    .iter()
                    .fold(0i32, |e, &c| e * 10 + i32::from(c.wrapping_sub(b'0')));
                (&s[..i], if negative { -e } else { e })
            }
            None => (s, 0),
        };
        let (int, frac) = match memchr::memchr(b'.', mantissa) {
            Some(p) => (&mantissa[..p], &mantissa[p + 1..]),
            None => (mantissa, &[][..]),
        };
        let int_zeros = int.iter().take_while(|&&c| c == b'0').count();
        let int = &int[int_zeros..];
        let (digits_from_frac, exp) = if int.is_empty() {
            let zeros = frac.iter().take_while(|&&c| c == b'0').count();
            (&frac[zeros..], -(zeros as i32) - 1)
        } else {
            (frac, int.len() as i32 - 1)
        };
        for part in [int, digits_from_frac] {
            let take = part.len().min(d.buf.len() - d.len);
            d.buf[d.len..d.len + take].copy_from_slice(&part[..take]);
            d.len += take;
        }
        if d.len == 0 {
            d.len = 1;
            return d;
        }
        d.exp = exp + e10;
        while d.len > 1 && d.buf[d.len - 1] == b'0' {
            d.len -= 1;
        }
        d
    }

    /// The significant digits.
    pub fn digits(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The decimal exponent of the first digit.
    pub fn exp(&self) -> i32 {
        self.exp
    }

    /// The digits from position `from` (0-based) up to `to`, as an integer (missing digits
    /// count as zeros).
    pub fn tail(&self, from: usize, to: usize) -> u64 {
        (from..to).fold(0, |acc, i| {
            acc * 10 + u64::from(self.buf.get(i).map_or(0, |c| c - b'0'))
        })
    }

    /// Keeps the first `n` digits, rounding the rest half up (the caller knows the rest is
    /// not a tie). A carry out of the first digit gives `1` with the exponent one higher.
    pub fn round_to(&mut self, n: usize) {
        if self.len <= n {
            return;
        }
        let up = self.buf[n] >= b'5';
        self.len = n;
        if up {
            let mut i = n;
            loop {
                if i == 0 {
                    self.buf[0] = b'1';
                    self.len = 1;
                    self.exp += 1;
                    break;
                }
                i -= 1;
                if self.buf[i] == b'9' {
                    self.buf[i] = b'0';
                } else {
                    self.buf[i] += 1;
                    break;
                }
            }
        }
        while self.len > 1 && self.buf[self.len - 1] == b'0' {
            self.len -= 1;
        }
    }
}

/// Appends `e`, a sign and at least two exponent digits, as printf does.
pub fn push_exponent(buf: &mut Vec<u8>, exp: i32) {
    buf.push(b'e');
    buf.push(if exp < 0 { b'-' } else { b'+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        buf.push(b'0');
    }
    let mut ib = itoa::Buffer::new();
    buf.extend_from_slice(ib.format(e).as_bytes());
}

/// Appends `digits × 10^exp` (no trailing zeros in `digits`) in the layout of SQLite's
/// `%!.<precision>g`: exponent form `d.ddde±XX` (at least one digit after the point) when
/// `exp < -4 || exp >= precision`, else fixed notation with at least one digit after the
/// point (`100.0`, `0.001`, `123.5`). The sign is the caller's.
pub fn push_g(buf: &mut Vec<u8>, d: &Digits, precision: i32) {
    let digits = d.digits();
    let exp = d.exp();
    if exp < -4 || exp >= precision {
        buf.push(digits[0]);
        buf.push(b'.');
        if digits.len() > 1 {
            buf.extend_from_slice(&digits[1..]);
        } else {
            buf.push(b'0');
        }
        push_exponent(buf, exp);
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        if digits.len() > int_len {
            buf.extend_from_slice(&digits[..int_len]);
            buf.push(b'.');
            buf.extend_from_slice(&digits[int_len..]);
        } else {
            buf.extend_from_slice(digits);
            buf.extend(std::iter::repeat_n(b'0', int_len - digits.len()));
            buf.extend_from_slice(b".0");
        }
    } else {
        buf.extend_from_slice(b"0.");
        buf.extend(std::iter::repeat_n(b'0', (-exp - 1) as usize));
        buf.extend_from_slice(digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(d: &Digits) -> (String, i32) {
        (String::from_utf8(d.digits().to_vec()).unwrap(), d.exp())
    }

    #[test]
    fn shortest_digits_and_exponents() {
        assert_eq!(show(&Digits::shortest(0.1)), ("1".into(), -1));
        assert_eq!(show(&Digits::shortest(100.0)), ("1".into(), 2));
        assert_eq!(show(&Digits::shortest(123.456)), ("123456".into(), 2));
        assert_eq!(show(&Digits::shortest(1e23)), ("1".into(), 23));
        assert_eq!(show(&Digits::shortest(1.5e-7)), ("15".into(), -7));
        assert_eq!(show(&Digits::shortest(0.00012)), ("12".into(), -4));
        assert_eq!(
            show(&Digits::shortest(1.0 / 3.0)),
            ("3333333333333333".into(), -1)
        );
        assert_eq!(
            show(&Digits::shortest(f64::MAX)),
            ("17976931348623157".into(), 308)
        );
        assert_eq!(show(&Digits::shortest(5e-324)), ("5".into(), -324));
    }

    #[test]
    fn rounded_digits_keep_their_count() {
        assert_eq!(
            show(&Digits::rounded(0.1, 18)),
            ("100000000000000006".into(), -1)
        );
        assert_eq!(show(&Digits::rounded(100.0, 5)), ("10000".into(), 2));
        assert_eq!(show(&Digits::rounded(9.96, 2)), ("10".into(), 1));
    }

    #[test]
    fn rounding_carries_into_the_exponent() {
        let mut d = Digits::shortest(9.9999999999999995);
        d.round_to(15);
        assert_eq!(show(&d), ("1".into(), 1));
        let mut d = Digits::shortest(0.12345678901234567);
        d.round_to(15);
        assert_eq!(show(&d), ("123456789012346".into(), -1));
        assert_eq!(Digits::rounded(0.1, 18).tail(15, 18), 6);
        assert_eq!(Digits::shortest(0.5).tail(0, 3), 500);
    }

    #[test]
    fn g_layouts() {
        let g = |v: f64, p| {
            let mut b = Vec::new();
            push_g(&mut b, &Digits::shortest(v), p);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(g(100.0, 15), "100.0");
        assert_eq!(g(1e15, 15), "1.0e+15");
        assert_eq!(g(1e14, 15), "100000000000000.0");
        assert_eq!(g(1e-5, 15), "1.0e-05");
        assert_eq!(g(1e-4, 15), "0.0001");
        assert_eq!(g(1.25e-300, 20), "1.25e-300");
        assert_eq!(g(123.5, 20), "123.5");
        assert_eq!(g(1e19, 20), "10000000000000000000.0");
        assert_eq!(g(1e20, 20), "1.0e+20");
    }
}
