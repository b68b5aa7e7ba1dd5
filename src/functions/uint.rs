//! The `uint` collation of sqlite3 3.40.1's uint extension: text compares byte by byte,
//! except that runs of ASCII digits compare by their numeric value, however long
//! (`'a9' < 'a10'`, and `'x00123y'` equals `'x123y'`). Signs, points and exponents are not
//! special.

use std::cmp::Ordering;

use rusqlite::Connection;

/// Compares two keys the `uint` way.
pub fn collate(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x.is_ascii_digit() {
            if !y.is_ascii_digit() {
                return x.cmp(&y);
            }
            while i < a.len() && a[i] == b'0' {
                i += 1;
            }
            while j < b.len() && b[j] == b'0' {
                j += 1;
            }
            let run =
                |s: &[u8], from: usize| s[from..].iter().take_while(|c| c.is_ascii_digit()).count();
            let (ra, rb) = (run(a, i), run(b, j));
            // The common length first; a longer run is the larger number.
            let k = ra.min(rb);
            if ra > k {
                return Ordering::Greater;
            }
            if rb > k {
                return Ordering::Less;
            }
            match a[i..i + k].cmp(&b[j..j + k]) {
                Ordering::Equal => {
                    i += k;
                    j += k;
                }
                other => return other,
            }
        } else if x != y {
            return x.cmp(&y);
        } else {
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

/// Registers the collation.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_collation("uint", |a, b| collate(a.as_bytes(), b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_compare_numerically() {
        assert_eq!(collate(b"a9", b"a10"), Ordering::Less);
        assert_eq!(collate(b"a100", b"a10"), Ordering::Greater);
        assert_eq!(collate(b"x00123y", b"x123y"), Ordering::Equal);
        assert_eq!(collate(b"abc", b"abd"), Ordering::Less);
        assert_eq!(collate(b"1", b"a"), Ordering::Less);
        assert_eq!(collate(b"ab", b"abc"), Ordering::Less);
        assert_eq!(collate(b"007", b"7"), Ordering::Equal);
    }
}
