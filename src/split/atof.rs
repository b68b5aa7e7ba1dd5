//! SQLite's text-to-REAL conversion (`sqlite3AtoF` of the bundled library, 3.54), bit for
//! bit, for the REAL literals of a dump (`split/dump_insert.rs`).
//!
//! A literal such as `0.10010407858096947997` must become exactly the double the library's
//! parser would store, and that is not always the correctly rounded one: the library keeps
//! at most about 19 significant digits in a 64-bit mantissa (later digits only move the
//! decimal exponent) and converts `mantissa × 10^exp` with its own 96-bit powers of ten
//! (`sqlite3Fp10Convert2`, after Russ Cox's fpfmt). No crate reproduces that, so this is a
//! transcription of those C functions; the tests in `run/bulk.rs` compare it with the
//! library itself on many literals, and fail if a new library converts differently.
//! (`functions/value.rs` has 3.40.1's older `sqlite3AtoF`, for the shell functions that
//! emulate that release; this one is the embedded library's.)

const BASE: [u64; 27] = [
    0x8000_0000_0000_0000, // 0: 1.0e+0 << 63
    0xa000_0000_0000_0000, // 1: 1.0e+1 << 60
    0xc800_0000_0000_0000, // 2: 1.0e+2 << 57
    0xfa00_0000_0000_0000, // 3: 1.0e+3 << 54
    0x9c40_0000_0000_0000, // 4: 1.0e+4 << 50
    0xc350_0000_0000_0000, // 5: 1.0e+5 << 47
    0xf424_0000_0000_0000, // 6: 1.0e+6 << 44
    0x9896_8000_0000_0000, // 7: 1.0e+7 << 40
    0xbebc_2000_0000_0000, // 8: 1.0e+8 << 37
    0xee6b_2800_0000_0000, // 9: 1.0e+9 << 34
    0x9502_f900_0000_0000, // 10: 1.0e+10 << 30
    0xba43_b740_0000_0000, // 11: 1.0e+11 << 27
    0xe8d4_a510_0000_0000, // 12: 1.0e+12 << 24
    0x9184_e72a_0000_0000, // 13: 1.0e+13 << 20
    0xb5e6_20f4_8000_0000, // 14: 1.0e+14 << 17
    0xe35f_a931_a000_0000, // 15: 1.0e+15 << 14
    0x8e1b_c9bf_0400_0000, // 16: 1.0e+16 << 10
    0xb1a2_bc2e_c500_0000, // 17: 1.0e+17 << 7
    0xde0b_6b3a_7640_0000, // 18: 1.0e+18 << 4
    0x8ac7_2304_89e8_0000, // 19: 1.0e+19 >> 0
    0xad78_ebc5_ac62_0000, // 20: 1.0e+20 >> 3
    0xd8d7_26b7_177a_8000, // 21: 1.0e+21 >> 6
    0x8786_7832_6eac_9000, // 22: 1.0e+22 >> 10
    0xa968_163f_0a57_b400, // 23: 1.0e+23 >> 13
    0xd3c2_1bce_cced_a100, // 24: 1.0e+24 >> 16
    0x8459_5161_4014_84a0, // 25: 1.0e+25 >> 20
    0xa56f_a5b9_9019_a5c8, // 26: 1.0e+26 >> 23
];
const SCALE: [u64; 26] = [
    0x8049_a4ac_0c58_11ae, // 0: 1.0e-351 << 1229
    0xcf42_894a_5dce_35ea, // 1: 1.0e-324 << 1140
    0xa76c_5823_38ed_2621, // 2: 1.0e-297 << 1050
    0x873e_4f75_e222_4e68, // 3: 1.0e-270 << 960
    0xda7f_5bf5_9096_6848, // 4: 1.0e-243 << 871
    0xb080_392c_c434_9dec, // 5: 1.0e-216 << 781
    0x8e93_8662_882a_f53e, // 6: 1.0e-189 << 691
    0xe658_29b3_046b_0afa, // 7: 1.0e-162 << 602
    0xba12_1a46_50e4_ddeb, // 8: 1.0e-135 << 512
    0x964e_858c_91ba_2655, // 9: 1.0e-108 << 422
    0xf2d5_6790_ab41_c2a2, // 10: 1.0e-81 << 333
    0xc428_d05a_a475_1e4c, // 11: 1.0e-54 << 243
    0x9e74_d1b7_91e0_7e48, // 12: 1.0e-27 << 153
    0xcccc_cccc_cccc_cccc, // 13: 1.0e-1 << 67 (special case)
    0xcecb_8f27_f420_0f3a, // 14: 1.0e+27 >> 26
    0xa70c_3c40_a64e_6c51, // 15: 1.0e+54 >> 116
    0x86f0_ac99_b4e8_dafd, // 16: 1.0e+81 >> 206
    0xda01_ee64_1a70_8de9, // 17: 1.0e+108 >> 295
    0xb01a_e745_b101_e9e4, // 18: 1.0e+135 >> 385
    0x8e41_ade9_fbeb_c27d, // 19: 1.0e+162 >> 475
    0xe5d3_ef28_2a24_2e81, // 20: 1.0e+189 >> 564
    0xb9a7_4a06_37ce_2ee1, // 21: 1.0e+216 >> 654
    0x95f8_3d0a_1fb6_9cd9, // 22: 1.0e+243 >> 744
    0xf24a_01a7_3cf2_dccf, // 23: 1.0e+270 >> 833
    0xc3b8_3581_09e8_4f07, // 24: 1.0e+297 >> 923
    0x9e19_db92_b4e3_1ba9, // 25: 1.0e+324 >> 1013
];
const SCALE_LO: [u32; 26] = [
    0x205b_896d, // 0: 1.0e-351 << 1229
    0x5206_4cad, // 1: 1.0e-324 << 1140
    0xaf2a_f2b8, // 2: 1.0e-297 << 1050
    0x5a77_44a7, // 3: 1.0e-270 << 960
    0xaf39_a475, // 4: 1.0e-243 << 871
    0xbd8d_794e, // 5: 1.0e-216 << 781
    0x547e_b47b, // 6: 1.0e-189 << 691
    0x0cb4_a5a3, // 7: 1.0e-162 << 602
    0x92f3_4d62, // 8: 1.0e-135 << 512
    0x3a6a_07f9, // 9: 1.0e-108 << 422
    0xfae2_7299, // 10: 1.0e-81 << 333
    0xaa97_e14c, // 11: 1.0e-54 << 243
    0x775e_a265, // 12: 1.0e-27 << 153
    0xcccc_cccc, // 13: 1.0e-1 << 67 (special case)
    0x0000_0000, // 14: 1.0e+27 >> 26
    0x9990_90b6, // 15: 1.0e+54 >> 116
    0x69a0_28bb, // 16: 1.0e+81 >> 206
    0xe80e_6f48, // 17: 1.0e+108 >> 295
    0x5ec0_5dd0, // 18: 1.0e+135 >> 385
    0x1458_8f14, // 19: 1.0e+162 >> 475
    0x8f16_68c9, // 20: 1.0e+189 >> 564
    0x6d95_3e2c, // 21: 1.0e+216 >> 654
    0x4abd_af10, // 22: 1.0e+243 >> 744
    0xbc63_3b39, // 23: 1.0e+270 >> 833
    0x0a86_2f81, // 24: 1.0e+297 >> 923
    0x6c07_a2c2, // 25: 1.0e+324 >> 1013
];

/// `pwr10to2(p)`: about `floor(log2(10^p))`.
fn pwr10to2(p: i32) -> i32 {
    (p * 108_853) >> 15
}

/// The high 64 bits of `a * b`, and the low 64 bits in `lo`.
fn multiply128(a: u64, b: u64) -> (u64, u64) {
    let r = u128::from(a) * u128::from(b);
    ((r >> 64) as u64, r as u64)
}

/// `sqlite3Multiply160`: the upper 96 bits of the 160-bit product of the 96-bit
/// `(a << 32) + a_lo` and `b`, as (upper 64 bits, the 32 bits below them).
fn multiply160(a: u64, a_lo: u32, b: u64) -> (u64, u32) {
    let mut r = u128::from(a) * u128::from(b);
    r += (u128::from(a_lo) * u128::from(b)) >> 32;
    ((r >> 64) as u64, ((r >> 32) & 0xffff_ffff) as u32)
}

/// `powerOfTen(p)`: the most significant 64 bits of `10^p`, and the next 32.
fn power_of_ten(p: i32) -> (u64, u32) {
    let (g, n);
    if p < 0 {
        if p == -1 {
            return (SCALE[13], SCALE_LO[13]);
        }
        let (mut gg, mut nn) = (p / 27, p % 27);
        if nn != 0 {
            gg -= 1;
            nn += 27;
        }
        (g, n) = (gg, nn);
    } else if p < 27 {
        return (BASE[p as usize], 0);
    } else {
        (g, n) = (p / 27, p % 27);
    }
    let i = (g + 13) as usize;
    let s = SCALE[i];
    if n == 0 {
        return (s, SCALE_LO[i]);
    }
    let (mut x, mut lo) = multiply160(s, SCALE_LO[i], BASE[n as usize]);
    if x & (1 << 63) == 0 {
        x = (x << 1) | u64::from((lo >> 31) & 1);
        lo = (lo << 1) | 1;
    }
    (x, lo)
}

/// `sqlite3Fp10Convert2(d, p)`: the double for `d × 10^p` (`d` > 0).
fn fp10_convert2(d: u64, p: i32) -> f64 {
    if p < -348 {
        return 0.0;
    }
    if p > 347 {
        return f64::INFINITY;
    }
    let b = 64 - d.leading_zeros() as i32;
    let lp = pwr10to2(p);
    let mut e = 53 - b - lp;
    if e > 1074 {
        if e >= 1130 {
            return 0.0;
        }
        e = 1074;
    }
    let s = -(e - (64 - b) + lp + 3);
    let (mut pwr10h, mut pwr10l) = power_of_ten(p);
    if pwr10l != 0 {
        pwr10h = pwr10h.wrapping_add(1);
        pwr10l = !pwr10l;
    }
    let x = d << (64 - b);
    let (mut hi, lo) = multiply128(x, pwr10h);
    let mid1 = (lo >> 32) as u32;
    let mut sticky: u64 = 1;
    if hi & ((1u64 << s) - 1) == 0 {
        let mid2 = (multiply128(x, u64::from(pwr10l) << 32).0 >> 32) as u32;
        sticky = u64::from(mid1.wrapping_sub(mid2) > 1);
        hi -= u64::from(mid1 < mid2);
    }
    let mut u = (hi >> s) | sticky;
    let adj = i32::from(u >= (1u64 << 55) - 2);
    if adj != 0 {
        u = (u >> adj) | (u & 1);
        e -= adj;
    }
    let mut m = (u + 1 + ((u >> 2) & 1)) >> 2;
    if e <= -972 {
        return f64::INFINITY;
    }
    if m & (1 << 52) != 0 {
        m = (m & !(1 << 52)) | ((1075 - e) as u64) << 52;
    }
    f64::from_bits(m)
}

/// `sqlite3AtoF` on a numeric literal `-?[0-9]+(.[0-9]*)?([eE][+-]?[0-9]+)?` (the only
/// text it is given here; anything else stops the scan as in C, at the first byte that
/// does not fit).
pub fn atof(z: &[u8]) -> f64 {
    const LIMIT: u64 = (u64::MAX - 9) / 10;
    let digit = |i: usize| {
        z.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u64::from(c - b'0'))
    };
    let mut i = 0;
    let neg = z.first() == Some(&b'-');
    if neg || z.first() == Some(&b'+') {
        i += 1;
    }
    let mut s: u64 = 0;
    let mut d: i32 = 0;
    if let Some(v) = digit(i) {
        s = v;
        i += 1;
        while let Some(v) = digit(i) {
            s = s * 10 + v;
            i += 1;
            if s >= LIMIT {
                while digit(i).is_some() {
                    i += 1;
                    d += 1;
                }
                break;
            }
        }
    }
    if z.get(i) == Some(&b'.') {
        i += 1;
        while let Some(v) = digit(i) {
            if s < LIMIT {
                s = s * 10 + v;
                d -= 1;
            }
            i += 1;
        }
    }
    if matches!(z.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        let esign = match z.get(j) {
            Some(b'-') => {
                j += 1;
                -1
            }
            Some(b'+') => {
                j += 1;
                1
            }
            _ => 1,
        };
        if digit(j).is_some() {
            let mut exp: i32 = 0;
            while let Some(v) = digit(j) {
                exp = if exp < 10_000 {
                    exp * 10 + v as i32
                } else {
                    10_000
                };
                j += 1;
            }
            d += esign * exp;
        }
    }
    let r = if s == 0 { 0.0 } else { fp10_convert2(s, d) };
    if neg {
        -r
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::atof;

    #[test]
    fn simple_values() {
        assert_eq!(atof(b"0"), 0.0);
        assert!(atof(b"-0.0").is_sign_negative());
        assert_eq!(atof(b"1.5"), 1.5);
        assert_eq!(atof(b"-2.5e+20"), -2.5e20);
        assert_eq!(atof(b"1e999"), f64::INFINITY);
        assert_eq!(atof(b"-1e999"), f64::NEG_INFINITY);
        assert_eq!(atof(b"1e-999"), 0.0);
        assert_eq!(atof(b"0.1"), 0.1);
        assert_eq!(atof(b"9223372036854775808"), 9223372036854775808.0);
        assert_eq!(atof(b"1."), 1.0);
    }
}
