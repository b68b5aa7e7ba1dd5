//! Which snapshots a `--keep-*` policy keeps (restic's rules).
//!
//! A pure module: it is given snapshot ids with their times and a [`Policy`],
//! and says, for every snapshot, whether it is kept and why. Nothing is read
//! or deleted here.
//!
//! # The rules
//!
//! Snapshots are considered newest first. Equal times are ordered by id,
//! the smaller id first (treated as the newer), so that the outcome never
//! depends on the order of the input. A snapshot is kept if *any* rule keeps
//! it, and its [`Decision`] lists every rule that did:
//!
//! | rule | keeps | reason |
//! |---|---|---|
//! | `last N` | the N newest snapshots | `last snapshot` |
//! | `hourly N` | the newest snapshot of each of the N newest hours that have one | `hourly snapshot` |
//! | `daily N` | the same with days | `daily snapshot` |
//! | `weekly N` | the same with ISO 8601 weeks (Monday to Sunday, numbered within the ISO week-year) | `weekly snapshot` |
//! | `monthly N` | the same with calendar months | `monthly snapshot` |
//! | `yearly N` | the same with calendar years | `yearly snapshot` |
//! | `within D` | every snapshot less than D older than the *newest* snapshot (not than now) | `within 7d` (D in [`format_duration`]'s form) |
//! | `protect` | the given ids, whatever the rules say | `protected` |
//!
//! A bucket rule walks the snapshots newest to oldest and keeps the first
//! snapshot it meets in each new bucket, until it has used N buckets; hours,
//! days, … without any snapshot are skipped and do not count.
//!
//! **Bucket boundaries are in UTC**, whatever the machine's time zone: a day
//! runs from 00:00:00 to 23:59:59 UTC. (restic uses local time.) The calendar
//! arithmetic is the proleptic Gregorian calendar, done here on days since
//! 1970-01-01, for any `i64` time.
//!
//! A snapshot exactly D older than the newest is not within D (restic keeps
//! snapshots *newer* than the newest's time less D).
//!
//! A policy with no rule at all is refused ([`apply`] returns an error), since
//! it would remove every snapshot; `protect` alone does not count as a rule.
//!
//! Durations ([`parse_duration`]) use humantime's syntax: `7d`, `12h`,
//! `30m` (minutes; `M` is a month of 30.44 days), `1week`, `1y` (365.25 days),
//! `2h 30m`.

use std::collections::HashSet;
use std::time::Duration;

/// A `--keep-*` policy. Counts of 0 and `within: None` mean the rule is not used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--keep-last N`: the N newest snapshots.
    pub last: u32,
    /// `--keep-hourly N`: the newest snapshot of each of the N newest hours that have one.
    pub hourly: u32,
    /// `--keep-daily N`: the newest snapshot of each of the N newest days that have one.
    pub daily: u32,
    /// `--keep-weekly N`: the newest snapshot of each of the N newest ISO weeks that have one.
    pub weekly: u32,
    /// `--keep-monthly N`: the newest snapshot of each of the N newest months that have one.
    pub monthly: u32,
    /// `--keep-yearly N`: the newest snapshot of each of the N newest years that have one.
    pub yearly: u32,
    /// `--keep-within D`: every snapshot less than D older than the newest snapshot.
    /// A zero duration is no rule.
    pub within: Option<Duration>,
}

impl Policy {
    /// True when the policy has no rule at all (every count 0, no non-zero `within`):
    /// applying it would remove everything, so [`apply`] refuses it.
    pub fn is_empty(&self) -> bool {
        self.last == 0
            && self.hourly == 0
            && self.daily == 0
            && self.weekly == 0
            && self.monthly == 0
            && self.yearly == 0
            && self.within.is_none_or(|d| d.is_zero())
    }
}

/// One snapshot as the policy sees it.
#[derive(Debug, Clone)]
pub struct Item {
    /// The snapshot's id.
    pub id: String,
    /// When it was taken: seconds since the Unix epoch, UTC.
    pub time: i64,
    /// The sub-second part (nanoseconds): orders snapshots taken within one second.
    pub nanos: u32,
}

/// What the policy decided for one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The snapshot's id.
    pub id: String,
    /// Whether it is kept; true exactly when `reasons` is not empty.
    pub keep: bool,
    /// Why it is kept, in the order last, hourly, daily, weekly, monthly,
    /// yearly, within, protected; empty when it is removed.
    pub reasons: Vec<String>,
}

/// The calendar unit of a bucket rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    /// The bucket `time` falls in; equal keys mean the same bucket.
    fn key(self, time: i64) -> (i64, u32) {
        match self {
            Unit::Hour => (time.div_euclid(3600), 0),
            Unit::Day => (time.div_euclid(86_400), 0),
            Unit::Week => iso_week(time.div_euclid(86_400)),
            Unit::Month => {
                let (year, month, _) = civil_from_days(time.div_euclid(86_400));
                (year, month)
            }
            Unit::Year => (civil_from_days(time.div_euclid(86_400)).0, 0),
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Unit::Hour => "hourly snapshot",
            Unit::Day => "daily snapshot",
            Unit::Week => "weekly snapshot",
            Unit::Month => "monthly snapshot",
            Unit::Year => "yearly snapshot",
        }
    }
}

/// The state of one bucket rule during the walk.
struct Buckets {
    unit: Unit,
    left: u32,
    last: Option<(i64, u32)>,
}

impl Buckets {
    /// True when `time` opens a new bucket that the rule still has room for.
    fn take(&mut self, time: i64) -> bool {
        if self.left == 0 {
            return false;
        }
        let key = self.unit.key(time);
        if self.last == Some(key) {
            return false;
        }
        self.last = Some(key);
        self.left -= 1;
        true
    }
}

/// Decides, for every item, whether `policy` (or `protect`) keeps it.
///
/// The decisions come newest first (equal times by id, smaller first), one
/// per item, whatever the input's order. Ids in `protect` are always kept,
/// with the reason `protected`; ids in `protect` that are not among the items
/// are ignored. Returns an error when the policy has no rule
/// ([`Policy::is_empty`]), even if `protect` is not empty.
pub fn apply(policy: &Policy, items: &[Item], protect: &[String]) -> Result<Vec<Decision>, String> {
    if policy.is_empty() {
        return Err(
            "no --keep-* rule given: refusing to remove every snapshot (give at least one of \
             --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, \
             --keep-yearly, --keep-within)"
                .to_string(),
        );
    }

    let mut order: Vec<&Item> = items.iter().collect();
    order.sort_by(|a, b| {
        (b.time, b.nanos)
            .cmp(&(a.time, a.nanos))
            .then_with(|| a.id.cmp(&b.id))
    });

    let protect: HashSet<&str> = protect.iter().map(String::as_str).collect();
    let newest = order.first().map(|item| item.time);
    let within = policy
        .within
        .filter(|d| !d.is_zero())
        .map(|d| (d, format!("within {}", format_duration(d))));
    let mut rules = [
        (Unit::Hour, policy.hourly),
        (Unit::Day, policy.daily),
        (Unit::Week, policy.weekly),
        (Unit::Month, policy.monthly),
        (Unit::Year, policy.yearly),
    ]
    .map(|(unit, left)| Buckets {
        unit,
        left,
        last: None,
    });

    let mut decisions = Vec::with_capacity(order.len());
    for (index, item) in order.iter().enumerate() {
        let mut reasons = Vec::new();
        if u64::try_from(index).unwrap_or(u64::MAX) < u64::from(policy.last) {
            reasons.push("last snapshot".to_string());
        }
        for rule in &mut rules {
            if rule.take(item.time) {
                reasons.push(rule.unit.reason().to_string());
            }
        }
        if let (Some((limit, reason)), Some(newest)) = (&within, newest) {
            if is_within(newest, item.time, *limit) {
                reasons.push(reason.clone());
            }
        }
        if protect.contains(item.id.as_str()) {
            reasons.push("protected".to_string());
        }
        decisions.push(Decision {
            id: item.id.clone(),
            keep: !reasons.is_empty(),
            reasons,
        });
    }
    Ok(decisions)
}

/// True when `time` is less than `limit` older than `newest` (`time <= newest`).
fn is_within(newest: i64, time: i64, limit: Duration) -> bool {
    // i128 holds any difference of two i64 seconds in nanoseconds, and any Duration's nanoseconds.
    let age = (i128::from(newest) - i128::from(time)) * 1_000_000_000;
    let limit = i128::try_from(limit.as_nanos()).unwrap_or(i128::MAX);
    age < limit
}

/// Parses a duration for `--keep-within` and `--every`, in humantime's syntax:
/// a number and a unit, possibly several (`7d`, `12h`, `30m`, `1week`, `1y`,
/// `2h 30m`). `m` is minutes and `M` months (30.44 days); a year is 365.25 days.
/// A zero duration is refused, as is anything humantime does not parse.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    let duration = humantime::parse_duration(text).map_err(|e| {
        format!("invalid duration {s:?}: {e} (examples: 7d, 12h, 30m, 1week, 1y, 2h 30m)")
    })?;
    if duration.is_zero() {
        return Err(format!("invalid duration {s:?}: it must be more than zero"));
    }
    Ok(duration)
}

/// Writes a duration compactly in a form [`parse_duration`] reads back to the
/// same value: `7d`, `36h 30m` → `1d 12h 30m`, `1y`, `1M`, `400d`. Years (`y`,
/// 365.25 days) and months (`M`, 30.44 days) are used only when they make the
/// text shorter. Zero is `0s`.
pub fn format_duration(d: Duration) -> String {
    const NS: u128 = 1_000_000_000;
    const YEAR: (&str, u128) = ("y", 31_557_600 * NS);
    const MONTH: (&str, u128) = ("M", 2_630_016 * NS);
    const BASE: [(&str, u128); 7] = [
        ("d", 86_400 * NS),
        ("h", 3_600 * NS),
        ("m", 60 * NS),
        ("s", NS),
        ("ms", 1_000_000),
        ("us", 1_000),
        ("ns", 1),
    ];
    let total = d.as_nanos();
    if total == 0 {
        return "0s".to_string();
    }
    let decompose = |big: &[(&str, u128)]| -> Vec<String> {
        let mut rest = total;
        let mut parts = Vec::new();
        for (name, size) in big.iter().chain(BASE.iter()) {
            let n = rest / size;
            if n > 0 {
                parts.push(format!("{n}{name}"));
                rest %= size;
            }
        }
        parts
    };
    // Candidates in order of preference; the first with fewest parts wins.
    let candidates = [
        decompose(&[]),
        decompose(&[YEAR]),
        decompose(&[MONTH]),
        decompose(&[YEAR, MONTH]),
    ];
    let mut best = &candidates[0];
    for candidate in &candidates[1..] {
        if candidate.len() < best.len() {
            best = candidate;
        }
    }
    best.join(" ")
}

/// The civil date (year, month 1–12, day 1–31) of a day counted from
/// 1970-01-01 (day 0), in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Count from 0000-03-01, so that the leap day ends each 400-year era's years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // 0..=146096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // 0..=399
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // 0..=365, from March 1st
    let month_from_march = (5 * day_of_year + 2) / 153; // 0..=11, March = 0
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // 1..=31
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both fit: month is 1..=12, day 1..=31.
    (year, month as u32, day as u32)
}

/// The day (counted from 1970-01-01) of a civil date; the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let month = i64::from(month);
    let day = i64::from(day);
    // Years start on March 1st, so that February's length matters last.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The ISO 8601 week-year and week number (1–53) of a day counted from 1970-01-01.
fn iso_week(days: i64) -> (i64, u32) {
    // 1970-01-01 was a Thursday; weekday 0 is Monday.
    let weekday = (days + 3).rem_euclid(7);
    // A week belongs to the year that holds its Thursday, and is numbered by
    // how many Thursdays of that year come before or on it.
    let thursday = days - weekday + 3;
    let year = civil_from_days(thursday).0;
    let ordinal = thursday - days_from_civil(year, 1, 1); // 0-based day of the year
    let week = ordinal / 7 + 1; // 1..=53
    (year, week as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600;
    const DAY: i64 = 86_400;

    /// Unix seconds of a UTC date and time (through `days_from_civil`, which
    /// `civil_conversion_matches_a_day_by_day_walk` checks independently).
    fn ts(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
        days_from_civil(y, mo, d) * DAY + h * HOUR + mi * 60 + s
    }

    fn item(id: &str, time: i64) -> Item {
        Item {
            id: id.to_string(),
            time,
            nanos: 0,
        }
    }

    #[test]
    fn within_one_second_the_later_snapshot_is_the_newer() {
        let p = Policy {
            last: 1,
            ..Policy::default()
        };
        let items = [
            Item {
                id: "a".into(),
                time: 100,
                nanos: 900,
            },
            Item {
                id: "b".into(),
                time: 100,
                nanos: 100,
            },
        ];
        let d = apply(&p, &items, &[]).unwrap();
        assert_eq!(d[0].id, "a");
        assert!(d[0].keep && !d[1].keep);
    }

    /// Ids of the kept snapshots, newest first.
    fn kept(policy: &Policy, items: &[Item]) -> Vec<String> {
        apply(policy, items, &[])
            .unwrap()
            .into_iter()
            .filter(|d| d.keep)
            .map(|d| d.id)
            .collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    // ---- calendar ----

    /// Walks day by day from 1600-01-01 to past 2400, keeping the date with a
    /// month-length table and the ISO week by counting Mondays, and compares
    /// both conversions on every day. 1600-01-01 is day -135140: 2000-01-01
    /// is day 10957 (30 years with 7 leap days after 1970), and 400 Gregorian
    /// years are 146097 days. It was a Saturday, like 2000-01-01, since
    /// 146097 days are a whole number of weeks.
    #[test]
    fn civil_conversion_matches_a_day_by_day_walk() {
        let (mut y, mut m, mut d) = (1600_i64, 1_u32, 1_u32);
        let mut weekday = 5; // Monday = 0: a Saturday
        let mut iso: Option<(i64, u32)> = None; // unknown until the first week 1
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for days in -135_140_i64..160_000 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
            if weekday == 0 {
                // Week 1 is the week whose Thursday (this Monday + 3) is among
                // the first 7 days of January: Monday is Dec 29 to Jan 4.
                if m == 12 && d >= 29 {
                    iso = Some((y + 1, 1));
                } else if m == 1 && d <= 4 {
                    iso = Some((y, 1));
                } else {
                    iso = iso.map(|(year, week)| (year, week + 1));
                }
            }
            if let Some(expected) = iso {
                assert_eq!(iso_week(days), expected, "{y}-{m}-{d}");
            }
            let len = match m {
                2 if leap(y) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            weekday = (weekday + 1) % 7;
        }
        // The walk ended on day 160000: 2400-01-01 is 10957 + 146097 = 157054,
        // and 2946 days more are 2400..=2406 (2557 days), 2407 (365) and 24 days.
        assert_eq!((y, m, d), (2408, 1, 25));
    }

    #[test]
    fn known_timestamps() {
        assert_eq!(ts(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(ts(2000, 1, 1, 0, 0, 0), 946_684_800);
        assert_eq!(ts(2021, 1, 1, 0, 0, 0), 1_609_459_200);
        assert_eq!(ts(1969, 12, 31, 23, 59, 59), -1);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29)); // 10957 + 31 + 28
    }

    #[test]
    fn iso_weeks_at_year_boundaries() {
        let week = |y, m, d| iso_week(days_from_civil(y, m, d));
        // 2020 has 53 weeks (it began on a Wednesday and is a leap year); its
        // week 53 runs Mon 2020-12-28 to Sun 2021-01-03.
        assert_eq!(week(2020, 12, 28), (2020, 53));
        assert_eq!(week(2021, 1, 3), (2020, 53));
        assert_eq!(week(2021, 1, 4), (2021, 1));
        // 2026 begins on a Thursday, so it has 53 weeks too.
        assert_eq!(week(2026, 1, 1), (2026, 1));
        assert_eq!(week(2026, 12, 31), (2026, 53));
        assert_eq!(week(2027, 1, 3), (2026, 53));
        assert_eq!(week(2027, 1, 4), (2027, 1));
        // Mon 2024-12-30 already belongs to ISO year 2025.
        assert_eq!(week(2024, 12, 29), (2024, 52));
        assert_eq!(week(2024, 12, 30), (2025, 1));
        assert_eq!(week(2025, 1, 5), (2025, 1));
        // 2021-01-01 is a Friday, in the previous ISO year.
        assert_eq!(week(2021, 1, 1), (2020, 53));
        assert_eq!(week(1970, 1, 1), (1970, 1));
    }

    // ---- a regular timeline: one snapshot every hour for 60 days ----

    /// Hourly snapshots `h0000`..`h1439` from 2021-01-01 00:00 UTC (a Friday)
    /// to 2021-03-01 23:00 (a Monday). Snapshot `i` is on day `i / 24`
    /// (day 0 = Jan 1, day 31 = Feb 1, day 59 = Mar 1) at hour `i % 24`.
    fn hourly_timeline() -> Vec<Item> {
        let start = 1_609_459_200;
        (0..1440)
            .map(|i| item(&format!("h{i:04}"), start + i * HOUR))
            .collect()
    }

    fn h(list: &[u32]) -> Vec<String> {
        list.iter().map(|i| format!("h{i:04}")).collect()
    }

    #[test]
    fn hourly_timeline_last() {
        let items = hourly_timeline();
        let p = Policy {
            last: 5,
            ..Policy::default()
        };
        assert_eq!(kept(&p, &items), h(&[1439, 1438, 1437, 1436, 1435]));
    }

    #[test]
    fn hourly_timeline_hourly() {
        // Every snapshot is alone in its hour: the 30 newest.
        let items = hourly_timeline();
        let p = Policy {
            hourly: 30,
            ..Policy::default()
        };
        let expected: Vec<u32> = (1410..1440).rev().collect();
        assert_eq!(kept(&p, &items), h(&expected));
    }

    #[test]
    fn hourly_timeline_daily() {
        // The newest of each day is its 23:00 snapshot, 24 * day + 23; the
        // 7 newest days are days 59..53.
        let items = hourly_timeline();
        let p = Policy {
            daily: 7,
            ..Policy::default()
        };
        assert_eq!(
            kept(&p, &items),
            h(&[1439, 1415, 1391, 1367, 1343, 1319, 1295])
        );
    }

    #[test]
    fn hourly_timeline_weekly() {
        // Weeks start on Mondays: day 59 (Mar 1) alone; days 52..58 (Feb 22–28);
        // 45..51; 38..44. Each week's newest is its last day at 23:00.
        let items = hourly_timeline();
        let p = Policy {
            weekly: 4,
            ..Policy::default()
        };
        assert_eq!(kept(&p, &items), h(&[1439, 1415, 1247, 1079]));
        // All weeks: days 59, 58, 51, 44, 37, 30, 23, 16, 9, 2 — the last one
        // being Sun Jan 3, the end of 2020-W53 (Jan 1–3).
        let p = Policy {
            weekly: 100,
            ..Policy::default()
        };
        assert_eq!(
            kept(&p, &items),
            h(&[1439, 1415, 1247, 1079, 911, 743, 575, 407, 239, 71])
        );
    }

    #[test]
    fn hourly_timeline_monthly_and_yearly() {
        // March: day 59; February: day 58 (Feb 28); January: day 30 (Jan 31).
        // Only three months have snapshots, so asking for 5 keeps 3.
        let items = hourly_timeline();
        let p = Policy {
            monthly: 5,
            ..Policy::default()
        };
        assert_eq!(kept(&p, &items), h(&[1439, 1415, 743]));
        let p = Policy {
            monthly: 2,
            ..Policy::default()
        };
        assert_eq!(kept(&p, &items), h(&[1439, 1415]));
        // All in 2021.
        let p = Policy {
            yearly: 3,
            ..Policy::default()
        };
        assert_eq!(kept(&p, &items), h(&[1439]));
    }

    #[test]
    fn hourly_timeline_within() {
        // Within 2d of the newest: less than 48 hours older, so 47 hours back
        // (h1392) is the oldest kept; h1391 is exactly 48 hours older and goes.
        let items = hourly_timeline();
        let p = Policy {
            within: Some(Duration::from_secs(2 * DAY as u64)),
            ..Policy::default()
        };
        let expected: Vec<u32> = (1392..1440).rev().collect();
        assert_eq!(kept(&p, &items), h(&expected));
        // Within 36h 30m: up to 36 hours back.
        let p = Policy {
            within: Some(parse_duration("36h 30m").unwrap()),
            ..Policy::default()
        };
        let expected: Vec<u32> = (1403..1440).rev().collect();
        assert_eq!(kept(&p, &items), h(&expected));
    }

    #[test]
    fn hourly_timeline_combined() {
        // last 3: 1439 1438 1437; daily 7: 1439 1415 1391 1367 1343 1319 1295;
        // weekly 4: 1439 1415 1247 1079; monthly 3: 1439 1415 743.
        let items = hourly_timeline();
        let p = Policy {
            last: 3,
            daily: 7,
            weekly: 4,
            monthly: 3,
            ..Policy::default()
        };
        let decisions = apply(&p, &items, &[]).unwrap();
        assert_eq!(decisions.len(), 1440);
        let kept: Vec<String> = decisions
            .iter()
            .filter(|d| d.keep)
            .map(|d| d.id.clone())
            .collect();
        assert_eq!(
            kept,
            h(&[1439, 1438, 1437, 1415, 1391, 1367, 1343, 1319, 1295, 1247, 1079, 743])
        );
        let reasons = |id: &str| {
            decisions
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.reasons.clone())
                .unwrap()
        };
        assert_eq!(
            reasons("h1439"),
            ids(&[
                "last snapshot",
                "daily snapshot",
                "weekly snapshot",
                "monthly snapshot"
            ])
        );
        assert_eq!(reasons("h1438"), ids(&["last snapshot"]));
        assert_eq!(
            reasons("h1415"),
            ids(&["daily snapshot", "weekly snapshot", "monthly snapshot"])
        );
        assert_eq!(reasons("h1247"), ids(&["weekly snapshot"]));
        assert_eq!(reasons("h0743"), ids(&["monthly snapshot"]));
        assert_eq!(reasons("h1000"), Vec::<String>::new());
    }

    // ---- an irregular timeline with gaps ----

    /// Newest first:
    /// - `a` 2021-03-10 09:45 (Wednesday, ISO 2021-W10)
    /// - `b` 2021-03-10 09:15 (same hour as `a`, older)
    /// - `c` 2021-03-10 07:00
    /// - `d` 2021-03-08 23:59 (Monday, W10; no snapshot on the 9th)
    /// - `e` 2021-03-07 00:01 (Sunday, W09)
    /// - `f` 2021-02-14 12:00 (Sunday, W06)
    /// - `g` 2020-12-31 18:00 (Thursday, ISO 2020-W53)
    /// - `k` 2020-12-28 06:00 (Monday, 2020-W53, same month as `g`)
    /// - `m` 2019-06-01 00:00 (Saturday)
    fn irregular() -> Vec<Item> {
        vec![
            item("a", ts(2021, 3, 10, 9, 45, 0)),
            item("b", ts(2021, 3, 10, 9, 15, 0)),
            item("c", ts(2021, 3, 10, 7, 0, 0)),
            item("d", ts(2021, 3, 8, 23, 59, 0)),
            item("e", ts(2021, 3, 7, 0, 1, 0)),
            item("f", ts(2021, 2, 14, 12, 0, 0)),
            item("g", ts(2020, 12, 31, 18, 0, 0)),
            item("k", ts(2020, 12, 28, 6, 0, 0)),
            item("m", ts(2019, 6, 1, 0, 0, 0)),
        ]
    }

    fn only(f: impl FnOnce(&mut Policy)) -> Policy {
        let mut p = Policy::default();
        f(&mut p);
        p
    }

    #[test]
    fn irregular_each_rule() {
        let items = irregular();
        // The two in 09:xx count as one hour, the newer (a) kept; the hours
        // between 07:00 and the 8th's 23:00 are empty and do not count.
        assert_eq!(kept(&only(|p| p.hourly = 3), &items), ids(&["a", "c", "d"]));
        // Days with snapshots: 10th (a), 8th (d), 7th (e); the 9th is skipped.
        assert_eq!(kept(&only(|p| p.daily = 3), &items), ids(&["a", "d", "e"]));
        // Weeks: W10 (a; d is in it too), W09 (e), W06 (f), 2020-W53 (g; k too), then m.
        assert_eq!(
            kept(&only(|p| p.weekly = 4), &items),
            ids(&["a", "e", "f", "g"])
        );
        assert_eq!(
            kept(&only(|p| p.weekly = 10), &items),
            ids(&["a", "e", "f", "g", "m"])
        );
        // Months: 2021-03 (a), 2021-02 (f), 2020-12 (g; k too), 2019-06 (m).
        assert_eq!(
            kept(&only(|p| p.monthly = 3), &items),
            ids(&["a", "f", "g"])
        );
        // Years: 2021 (a), 2020 (g), 2019 (m); 2 asked for.
        assert_eq!(kept(&only(|p| p.yearly = 2), &items), ids(&["a", "g"]));
        assert_eq!(
            kept(&only(|p| p.yearly = 10), &items),
            ids(&["a", "g", "m"])
        );
        // Within 3d of a (Mar 10 09:45): back to Mar 7 09:45, exclusive: a b c d.
        assert_eq!(
            kept(
                &only(|p| p.within = Some(Duration::from_secs(3 * 86_400))),
                &items
            ),
            ids(&["a", "b", "c", "d"])
        );
        assert_eq!(kept(&only(|p| p.last = 2), &items), ids(&["a", "b"]));
    }

    #[test]
    fn irregular_combined() {
        // last 1: a; hourly 2: a c; daily 2: a d; weekly 2: a e; monthly 3: a f g;
        // yearly 3: a g m; within 1h: a b (b is 30 minutes older).
        let items = irregular();
        let p = Policy {
            last: 1,
            hourly: 2,
            daily: 2,
            weekly: 2,
            monthly: 3,
            yearly: 3,
            within: Some(Duration::from_secs(3_600)),
        };
        let decisions = apply(&p, &items, &[]).unwrap();
        let got: Vec<(&str, bool, Vec<&str>)> = decisions
            .iter()
            .map(|d| {
                (
                    d.id.as_str(),
                    d.keep,
                    d.reasons.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "a",
                    true,
                    vec![
                        "last snapshot",
                        "hourly snapshot",
                        "daily snapshot",
                        "weekly snapshot",
                        "monthly snapshot",
                        "yearly snapshot",
                        "within 1h"
                    ]
                ),
                ("b", true, vec!["within 1h"]),
                ("c", true, vec!["hourly snapshot"]),
                ("d", true, vec!["daily snapshot"]),
                ("e", true, vec!["weekly snapshot"]),
                ("f", true, vec!["monthly snapshot"]),
                ("g", true, vec!["monthly snapshot", "yearly snapshot"]),
                ("k", false, vec![]),
                ("m", true, vec!["yearly snapshot"]),
            ]
        );
    }

    // ---- boundaries and ties ----

    #[test]
    fn same_hour_keeps_the_newer() {
        let items = [
            item("older", ts(2022, 5, 5, 10, 0, 0)),
            item("newer", ts(2022, 5, 5, 10, 59, 59)),
            item("previous", ts(2022, 5, 5, 9, 59, 59)),
        ];
        assert_eq!(kept(&only(|p| p.hourly = 1), &items), ids(&["newer"]));
        assert_eq!(
            kept(&only(|p| p.hourly = 2), &items),
            ids(&["newer", "previous"])
        );
    }

    #[test]
    fn day_boundary_is_utc_midnight() {
        // 23:59:59 and the next 00:00:00 are two days; before the epoch too.
        let items = [
            item("mon", ts(2022, 5, 2, 0, 0, 0)),
            item("sun", ts(2022, 5, 1, 23, 59, 59)),
        ];
        assert_eq!(kept(&only(|p| p.daily = 2), &items), ids(&["mon", "sun"]));
        let items = [item("epoch", 0), item("before", -1)];
        assert_eq!(
            kept(&only(|p| p.daily = 2), &items),
            ids(&["epoch", "before"])
        );
        assert_eq!(
            kept(&only(|p| p.hourly = 2), &items),
            ids(&["epoch", "before"])
        );
        // 1969 and 1970 are two years; -1 and -3599 one hour.
        assert_eq!(
            kept(&only(|p| p.yearly = 2), &items),
            ids(&["epoch", "before"])
        );
        let items = [item("x", -1), item("y", -3_599), item("z", -3_601)];
        assert_eq!(kept(&only(|p| p.hourly = 5), &items), ids(&["x", "z"]));
    }

    #[test]
    fn week_boundary_sunday_monday() {
        // Sun 2022-05-01 23:59 (W17) and Mon 2022-05-02 00:00 (W18): two weeks.
        let items = [
            item("mon", ts(2022, 5, 2, 0, 0, 0)),
            item("sun", ts(2022, 5, 1, 23, 59, 0)),
        ];
        assert_eq!(kept(&only(|p| p.weekly = 2), &items), ids(&["mon", "sun"]));
        // Mon 2022-05-02 00:00 and Sun 2022-05-08 23:59: one week; the Sunday is newer.
        let items = [
            item("mon", ts(2022, 5, 2, 0, 0, 0)),
            item("sun", ts(2022, 5, 8, 23, 59, 0)),
            item("prev", ts(2022, 4, 30, 12, 0, 0)),
        ];
        assert_eq!(kept(&only(|p| p.weekly = 2), &items), ids(&["sun", "prev"]));
    }

    #[test]
    fn iso_year_differs_from_calendar_year() {
        // Thu 2020-12-31 and Sun 2021-01-03 are both in 2020-W53: one weekly
        // bucket, but two yearly ones. Mon 2021-01-04 opens 2021-W01.
        let items = [
            item("w01", ts(2021, 1, 4, 8, 0, 0)),
            item("jan3", ts(2021, 1, 3, 8, 0, 0)),
            item("dec31", ts(2020, 12, 31, 8, 0, 0)),
            item("dec27", ts(2020, 12, 27, 8, 0, 0)), // Sunday, 2020-W52
        ];
        assert_eq!(
            kept(&only(|p| p.weekly = 3), &items),
            ids(&["w01", "jan3", "dec27"])
        );
        assert_eq!(
            kept(&only(|p| p.yearly = 2), &items),
            ids(&["w01", "dec31"])
        );
        // Mon 2024-12-30 and Wed 2025-01-01 share 2025-W01; Sun 2024-12-29 is 2024-W52.
        let items = [
            item("jan1", ts(2025, 1, 1, 0, 0, 0)),
            item("dec30", ts(2024, 12, 30, 0, 0, 0)),
            item("dec29", ts(2024, 12, 29, 23, 0, 0)),
        ];
        assert_eq!(
            kept(&only(|p| p.weekly = 2), &items),
            ids(&["jan1", "dec29"])
        );
        // Week 53 of 2026 (Dec 28 – Jan 3) next to 2027-W01 and 2026-W52.
        let items = [
            item("w01", ts(2027, 1, 4, 0, 0, 0)),
            item("w53b", ts(2027, 1, 2, 0, 0, 0)),
            item("w53a", ts(2026, 12, 28, 0, 0, 0)),
            item("w52", ts(2026, 12, 27, 0, 0, 0)),
        ];
        assert_eq!(
            kept(&only(|p| p.weekly = 5), &items),
            ids(&["w01", "w53b", "w52"])
        );
    }

    #[test]
    fn within_is_relative_to_the_newest_not_now() {
        // All in 2000, long before now: within 1d still keeps the last day's.
        let newest = ts(2000, 6, 1, 12, 0, 0);
        let items = [
            item("n", newest),
            item("n-23h", newest - 23 * HOUR),
            item("n-24h", newest - 24 * HOUR),
            item("n-25h", newest - 25 * HOUR),
        ];
        let p = only(|p| p.within = Some(parse_duration("1d").unwrap()));
        assert_eq!(kept(&p, &items), ids(&["n", "n-23h"]));
        let d = apply(&p, &items, &[]).unwrap();
        assert_eq!(d[0].reasons, ids(&["within 1d"]));
        // One second more than 24h reaches n-24h.
        let p = only(|p| p.within = Some(Duration::from_secs(24 * 3_600 + 1)));
        assert_eq!(kept(&p, &items), ids(&["n", "n-23h", "n-24h"]));
    }

    #[test]
    fn protect() {
        let items = irregular();
        let p = only(|p| p.last = 1);
        let protect = ids(&["k", "a", "not-there"]);
        let d = apply(&p, &items, &protect).unwrap();
        let k = d.iter().find(|d| d.id == "k").unwrap();
        assert!(k.keep);
        assert_eq!(k.reasons, ids(&["protected"]));
        let a = d.iter().find(|d| d.id == "a").unwrap();
        assert_eq!(a.reasons, ids(&["last snapshot", "protected"]));
        let kept: Vec<&str> = d.iter().filter(|d| d.keep).map(|d| d.id.as_str()).collect();
        assert_eq!(kept, vec!["a", "k"]);
        assert_eq!(d.len(), items.len());
    }

    #[test]
    fn empty_policy_is_refused() {
        let items = irregular();
        assert!(Policy::default().is_empty());
        assert!(apply(&Policy::default(), &items, &[]).is_err());
        // Protect alone is no policy; nor is a zero keep-within.
        assert!(apply(&Policy::default(), &items, &ids(&["a"])).is_err());
        let zero = only(|p| p.within = Some(Duration::ZERO));
        assert!(zero.is_empty());
        assert!(apply(&zero, &items, &[]).is_err());
        for p in [
            only(|p| p.last = 1),
            only(|p| p.hourly = 1),
            only(|p| p.daily = 1),
            only(|p| p.weekly = 1),
            only(|p| p.monthly = 1),
            only(|p| p.yearly = 1),
            only(|p| p.within = Some(Duration::from_secs(1))),
        ] {
            assert!(!p.is_empty(), "{p:?}");
            assert!(apply(&p, &items, &[]).is_ok());
        }
        // No snapshots, a real policy: nothing to decide.
        assert_eq!(apply(&only(|p| p.daily = 3), &[], &[]), Ok(vec![]));
    }

    #[test]
    fn input_order_does_not_matter() {
        let items = irregular();
        let p = Policy {
            last: 2,
            hourly: 2,
            daily: 3,
            weekly: 2,
            monthly: 2,
            yearly: 1,
            within: Some(Duration::from_secs(2 * 86_400)),
        };
        let expected = apply(&p, &items, &ids(&["m"])).unwrap();
        let mut reversed = items.clone();
        reversed.reverse();
        let mut rotated = items.clone();
        rotated.rotate_left(4);
        let mut interleaved: Vec<Item> = items.iter().step_by(2).cloned().collect();
        interleaved.extend(items.iter().skip(1).step_by(2).cloned());
        for shuffled in [reversed, rotated, interleaved] {
            assert_eq!(apply(&p, &shuffled, &ids(&["m"])).unwrap(), expected);
        }
    }

    #[test]
    fn equal_times_are_ordered_by_id() {
        let t = ts(2023, 7, 7, 7, 7, 7);
        let items = [item("y", t), item("x", t), item("z", t - 10)];
        let swapped = [item("x", t), item("z", t - 10), item("y", t)];
        for input in [&items[..], &swapped[..]] {
            let d = apply(&only(|p| p.last = 1), input, &[]).unwrap();
            let order: Vec<&str> = d.iter().map(|d| d.id.as_str()).collect();
            assert_eq!(order, vec!["x", "y", "z"]);
            assert!(d[0].keep && !d[1].keep && !d[2].keep);
            // In one hour, the rule keeps the first in that order: x.
            assert_eq!(kept(&only(|p| p.hourly = 1), input), ids(&["x"]));
        }
    }

    #[test]
    fn extreme_times_do_not_panic() {
        let items = [
            item("max", i64::MAX),
            item("min", i64::MIN),
            item("zero", 0),
        ];
        let p = Policy {
            last: 1,
            hourly: 5,
            daily: 5,
            weekly: 5,
            monthly: 5,
            yearly: 5,
            within: Some(Duration::MAX),
        };
        let d = apply(&p, &items, &[]).unwrap();
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|d| d.keep));
        let p = only(|p| p.within = Some(Duration::from_secs(1)));
        assert_eq!(kept(&p, &items), ids(&["max"]));
    }

    // ---- durations ----

    #[test]
    fn parse_durations() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(secs("7d"), Ok(7 * 86_400));
        assert_eq!(secs("12h"), Ok(12 * 3_600));
        assert_eq!(secs("30m"), Ok(30 * 60));
        assert_eq!(secs("1week"), Ok(7 * 86_400));
        assert_eq!(secs("2w"), Ok(14 * 86_400));
        assert_eq!(secs("1y"), Ok(31_557_600));
        assert_eq!(secs("1M"), Ok(2_630_016));
        assert_eq!(secs("2h 30m"), Ok(9_000));
        assert_eq!(secs(" 90s "), Ok(90));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5_400)));
        for bad in ["", "  ", "7", "7x", "d7", "abc", "-1d", "1d-", "0", "0s"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains(&format!("{bad:?}")), "{bad:?}: {e}");
        }
        assert!(parse_duration("7x")
            .unwrap_err()
            .contains("unknown time unit"));
    }

    #[test]
    fn format_durations() {
        let f = |s: u64| format_duration(Duration::from_secs(s));
        assert_eq!(f(7 * 86_400), "7d");
        assert_eq!(f(12 * 3_600), "12h");
        assert_eq!(f(30 * 60), "30m");
        assert_eq!(f(9_000), "2h 30m");
        assert_eq!(f(36 * 3_600 + 1_800), "1d 12h 30m");
        assert_eq!(f(31_557_600), "1y");
        assert_eq!(f(2 * 31_557_600 + 2_630_016), "2y 1M");
        assert_eq!(f(2_630_016), "1M");
        assert_eq!(f(400 * 86_400), "400d");
        assert_eq!(f(60 * 86_400), "60d");
        assert_eq!(f(0), "0s");
        assert_eq!(format_duration(Duration::from_millis(1_500)), "1s 500ms");
        assert_eq!(format_duration(Duration::new(1, 1)), "1s 1ns");
    }

    // ---- properties ----

    fn timeline() -> impl Strategy<Value = Vec<Item>> {
        // Up to 60 snapshots spread over 100 seconds (many equal times, one
        // hour), 3 days or 3 years; unique ids in no particular order.
        prop_oneof![Just(100_i64), Just(259_200), Just(100_000_000)].prop_flat_map(|span| {
            prop::collection::vec((0..span, 0_u32..1_000), 0..60).prop_map(|v| {
                v.into_iter()
                    .enumerate()
                    .map(|(i, (t, n))| item(&format!("{n:03}-{i}"), 1_500_000_000 + t))
                    .collect()
            })
        })
    }

    fn policy() -> impl Strategy<Value = Policy> {
        (
            0_u32..5,
            0_u32..5,
            0_u32..5,
            0_u32..5,
            0_u32..5,
            0_u32..3,
            prop::option::of(0_u64..10_000_000),
        )
            .prop_map(
                |(last, hourly, daily, weekly, monthly, yearly, within)| Policy {
                    last,
                    hourly,
                    daily,
                    weekly,
                    monthly,
                    yearly,
                    within: within.map(Duration::from_secs),
                },
            )
    }

    proptest! {
        #[test]
        fn prop_reasons_match_keep(items in timeline(), p in policy()) {
            prop_assume!(!p.is_empty());
            let d = apply(&p, &items, &[]).unwrap();
            prop_assert_eq!(d.len(), items.len());
            for d in &d {
                prop_assert_eq!(d.keep, !d.reasons.is_empty());
            }
            // Newest first, ties by id; the same multiset of ids.
            let by_id: std::collections::HashMap<&str, i64> =
                items.iter().map(|i| (i.id.as_str(), i.time)).collect();
            for w in d.windows(2) {
                let (a, b) = (by_id[w[0].id.as_str()], by_id[w[1].id.as_str()]);
                prop_assert!(a > b || (a == b && w[0].id < w[1].id));
            }
            let mut got: Vec<&str> = d.iter().map(|d| d.id.as_str()).collect();
            let mut want: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn prop_keep_last_keeps_min_n_len(items in timeline(), n in 1_u32..80) {
            let d = apply(&only(|p| p.last = n), &items, &[]).unwrap();
            let kept = d.iter().filter(|d| d.keep).count();
            prop_assert_eq!(kept, (n as usize).min(items.len()));
            // They are the first ones, each for that one reason.
            for (i, d) in d.iter().enumerate() {
                prop_assert_eq!(d.keep, i < n as usize);
                if d.keep {
                    prop_assert_eq!(&d.reasons, &ids(&["last snapshot"]));
                }
            }
        }

        #[test]
        fn prop_daily_keeps_one_per_day(items in timeline(), n in 1_u32..10) {
            let d = apply(&only(|p| p.daily = n), &items, &[]).unwrap();
            let days: HashSet<i64> = items.iter().map(|i| i.time.div_euclid(86_400)).collect();
            let time: std::collections::HashMap<&str, i64> =
                items.iter().map(|i| (i.id.as_str(), i.time)).collect();
            let kept: Vec<i64> = d.iter().filter(|d| d.keep).map(|d| time[d.id.as_str()]).collect();
            prop_assert_eq!(kept.len(), (n as usize).min(days.len()));
            // One per day, and each is the newest of its day.
            let kept_days: HashSet<i64> = kept.iter().map(|t| t.div_euclid(86_400)).collect();
            prop_assert_eq!(kept_days.len(), kept.len());
            for t in &kept {
                let day = t.div_euclid(86_400);
                prop_assert!(items.iter().all(|i| i.time.div_euclid(86_400) != day || i.time <= *t));
            }
        }

        #[test]
        fn prop_order_irrelevant(items in timeline(), p in policy(), seed in 0_usize..1000) {
            prop_assume!(!p.is_empty());
            let expected = apply(&p, &items, &[]).unwrap();
            let mut shuffled = items.clone();
            if !shuffled.is_empty() {
                let len = shuffled.len();
                shuffled.rotate_left(seed % len);
                shuffled.reverse();
            }
            prop_assert_eq!(apply(&p, &shuffled, &[]).unwrap(), expected);
        }

        #[test]
        fn prop_format_round_trips(secs in 1_u64..10_000_000_000, nanos in 0_u32..1_000_000_000) {
            let d = Duration::new(secs, nanos);
            prop_assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
    }
}
