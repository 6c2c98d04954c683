//! Registry timestamps (`2024-02-01T00:00:00.000Z`) as Unix seconds.

/// Parses an RFC 3339 UTC timestamp as the registry writes it
/// (`YYYY-MM-DDTHH:MM:SS[.fff]Z`, or with a `+HH:MM` offset). `None` otherwise.
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 19 || t.len() > 40 || !t.is_ascii() {
        return None;
    }
    let num = |range: std::ops::Range<usize>| t.get(range)?.parse::<i64>().ok();
    let bytes = t.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &t[19..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        r if r.len() == 6 && (r.starts_with('+') || r.starts_with('-')) => {
            let h: i64 = r.get(1..3)?.parse().ok()?;
            let m: i64 = r.get(4..6)?.parse().ok()?;
            let sign = if r.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A duration in seconds for people: `5 hours`, `3 days`, `2 years`.
pub fn human(seconds: i64) -> String {
    let s = seconds.max(0);
    let (n, unit) = if s < 3600 {
        (s / 60, "minute")
    } else if s < 2 * 86_400 {
        (s / 3600, "hour")
    } else if s < 2 * 365 * 86_400 {
        (s / 86_400, "day")
    } else {
        (s / (365 * 86_400), "year")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_time("2024-02-01T00:00:00Z"), Some(1_706_745_600));
        assert_eq!(parse_time("2024-02-01T01:00:00+01:00"), Some(1_706_745_600));
        assert_eq!(parse_time("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2024-02-01T00:00:00.000Zjunk"), None);
        assert_eq!(human(5 * 3600), "5 hours");
        assert_eq!(human(3 * 86_400), "3 days");
        assert_eq!(human(3 * 365 * 86_400), "3 years");
    }
}
