//! Event time parsing. CloudTrail writes `2014-03-06T21:22:54Z`; Logstash adds
//! milliseconds; hand-made fixtures use `2021-01-01 00:00:00`; a few writers add an
//! explicit offset. All become milliseconds since the epoch, UTC.

/// Parses an event time into milliseconds since 1970-01-01T00:00:00Z.
pub fn parse_event_time(s: &str) -> Option<i64> {
    parse_fast(s.as_bytes()).or_else(|| parse_slow(s))
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.fff...][Z|+00:00]`, the forms seen in practice.
fn parse_fast(b: &[u8]) -> Option<i64> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut ms = 0;
        for (i, c) in frac[..n.min(3)].iter().enumerate() {
            ms += i64::from(c - b'0') * [100, 10, 1][i];
        }
        millis = ms;
        rest = &frac[n..];
    }
    let offset_secs = match rest {
        b"" | b"Z" | b"z" | b"+00:00" | b"+0000" | b"-00:00" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = digits(&[*h1, *h2])?;
            let m = digits(&[*m1, *m2])?;
            let s = (h * 60 + m) * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * 1000 + millis)
}

/// Basic ISO-8601 (`20131102T010628Z`) and anything else RFC 3339 accepts.
fn parse_slow(s: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1-12) of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC calendar day (`YYYY-MM-DD`) of a millisecond timestamp.
pub fn utc_date(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A millisecond timestamp as CloudTrail writes `eventTime`: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_time(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let of_day = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        utc_date(millis),
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn cloudtrail_forms() {
        assert_eq!(
            parse_event_time("2014-03-06T21:22:54Z"),
            Some(chrono_ms("2014-03-06T21:22:54Z"))
        );
        assert_eq!(
            parse_event_time("2020-09-14T00:44:23.000Z"),
            Some(chrono_ms("2020-09-14T00:44:23Z"))
        );
        assert_eq!(
            parse_event_time("2020-09-14T00:44:23.5Z"),
            Some(chrono_ms("2020-09-14T00:44:23.5Z"))
        );
        assert_eq!(
            parse_event_time("2021-01-01 00:00:00"),
            Some(chrono_ms("2021-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse_event_time("2021-01-01T02:00:00+02:00"),
            Some(chrono_ms("2021-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse_event_time("20131102T010628Z"),
            Some(chrono_ms("2013-11-02T01:06:28Z"))
        );
        assert_eq!(parse_event_time("2024-02-30T00:00:00Z"), None);
        assert_eq!(parse_event_time("yesterday"), None);
        assert_eq!(parse_event_time(""), None);
    }

    #[test]
    fn dates_round_trip() {
        for days in [-1000, 0, 1, 59, 365, 10_957, 19_000, 20_000, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(utc_date(chrono_ms("2024-11-30T23:59:59Z")), "2024-11-30");
        assert_eq!(utc_date(chrono_ms("2024-12-01T00:00:00Z")), "2024-12-01");
        assert_eq!(utc_date(chrono_ms("1969-12-31T12:00:00Z")), "1969-12-31");
    }
}
