//! PLACEHOLDER, deleted when `backup::retention` lands on main: the API prune is written
//! against, with a minimal implementation of restic's keep rules so prune works meanwhile.

use std::collections::HashSet;
use std::time::Duration;

/// Which snapshots to keep.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The newest N.
    pub last: u32,
    /// The newest in each of the last N hours that have one.
    pub hourly: u32,
    /// … days.
    pub daily: u32,
    /// … ISO weeks.
    pub weekly: u32,
    /// … months.
    pub monthly: u32,
    /// … years.
    pub yearly: u32,
    /// Everything newer than this before the newest snapshot.
    pub within: Option<Duration>,
}

/// A snapshot as retention sees it.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its id.
    pub id: String,
    /// Unix seconds.
    pub time: i64,
}

/// What happens to one item.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Its id.
    pub id: String,
    /// Kept?
    pub keep: bool,
    /// The rules that keep it.
    pub reasons: Vec<String>,
}

/// Applies the policy; `protect` ids are always kept.
pub fn apply(policy: &Policy, items: &[Item], protect: &[String]) -> Result<Vec<Decision>, String> {
    let mut order: Vec<&Item> = items.iter().collect();
    order.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); order.len()];
    let bucket = |t: i64, unit: &str| -> String {
        let d = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
        match unit {
            "hourly" => d.format("%Y-%m-%d %H").to_string(),
            "daily" => d.format("%Y-%m-%d").to_string(),
            "weekly" => d.format("%G-%V").to_string(),
            "monthly" => d.format("%Y-%m").to_string(),
            _ => d.format("%Y").to_string(),
        }
    };
    for r in reasons.iter_mut().take(policy.last as usize) {
        r.push("last snapshot".into());
    }
    for (unit, n) in [
        ("hourly", policy.hourly),
        ("daily", policy.daily),
        ("weekly", policy.weekly),
        ("monthly", policy.monthly),
        ("yearly", policy.yearly),
    ] {
        let mut seen = HashSet::new();
        for (i, it) in order.iter().enumerate() {
            if seen.len() as u32 >= n {
                break;
            }
            if seen.insert(bucket(it.time, unit)) {
                reasons[i].push(format!("{unit} snapshot"));
            }
        }
    }
    if let (Some(w), Some(newest)) = (policy.within, order.first()) {
        for (i, it) in order.iter().enumerate() {
            if newest.time - it.time <= w.as_secs() as i64 {
                reasons[i].push(format!("within {}s", w.as_secs()));
            }
        }
    }
    Ok(order
        .iter()
        .zip(reasons)
        .map(|(it, mut r)| {
            if protect.contains(&it.id) {
                r.push("protected".into());
            }
            Decision {
                id: it.id.clone(),
                keep: !r.is_empty(),
                reasons: r,
            }
        })
        .collect())
}

/// Parses `1y2m3d4h5m`-style durations (restic's: y, m(onth), d, h) or plain seconds `30s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
        num.clear();
        total += n * match c {
            'y' => 365 * 86400,
            'm' => 30 * 86400,
            'w' => 7 * 86400,
            'd' => 86400,
            'h' => 3600,
            's' => 1,
            _ => return Err(format!("bad duration {s:?}")),
        };
    }
    if !num.is_empty() {
        return Err(format!("bad duration {s:?}: a number needs a unit"));
    }
    Ok(Duration::from_secs(total))
}
