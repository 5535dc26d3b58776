//! The date-time patterns of Trino's formatting functions: MySQL specifiers for
//! `date_format`/`date_parse` (`%Y-%m-%d %H:%i:%s`) and Joda-Time patterns for
//! `format_datetime`/`parse_datetime` (`yyyy-MM-dd HH:mm:ss`). Both compile into one
//! list of [`Part`]s, which formats and parses UTC millisecond timestamps, so the two
//! spellings cannot drift apart.

use trawl_cloudtrail::{civil_from_days, days_from_civil, days_in_month};

const DAY_MS: i64 = 86_400_000;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Monday first, as ISO numbers them (1 = Monday).
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One element of a pattern. `width` is the least number of digits printed
/// (zero-padded); parsing takes up to [`Part::max_digits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Literal(String),
    Year {
        width: usize,
    },
    TwoDigitYear,
    WeekYear {
        width: usize,
    },
    Month {
        width: usize,
    },
    MonthAbbr,
    MonthName,
    Day {
        width: usize,
    },
    DayWithSuffix,
    DayOfYear {
        width: usize,
    },
    Hour24 {
        width: usize,
    },
    Hour12 {
        width: usize,
    },
    Minute {
        width: usize,
    },
    Second {
        width: usize,
    },
    /// Fraction of a second: `digits` printed; 1 to 9 digits parsed.
    Fraction {
        digits: usize,
    },
    AmPm,
    WeekdayAbbr,
    WeekdayName,
    /// 0 = Sunday .. 6 = Saturday (MySQL `%w`).
    WeekdaySunday0,
    /// 1 = Monday .. 7 = Sunday (Joda `e`).
    WeekdayIso,
    IsoWeek {
        width: usize,
    },
    Era,
    /// `+0000` (Joda `Z`) or `+00:00` (`ZZ`); times are UTC, so always zero.
    Offset {
        colon: bool,
    },
    /// `UTC` (Joda `z`, `ZZZ`).
    ZoneId,
}

/// A pattern that cannot be used, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PatternError(pub String);

fn push_literal(parts: &mut Vec<Part>, c: char) {
    if let Some(Part::Literal(s)) = parts.last_mut() {
        s.push(c);
    } else {
        parts.push(Part::Literal(c.to_string()));
    }
}

/// Compiles a MySQL format string as Trino reads it.
pub(super) fn mysql(format: &str) -> Result<Vec<Part>, PatternError> {
    let mut parts = Vec::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            push_literal(&mut parts, c);
            continue;
        }
        let Some(spec) = chars.next() else {
            // A trailing `%` stands for itself.
            push_literal(&mut parts, '%');
            break;
        };
        let colon = || Part::Literal(":".into());
        match spec {
            'a' => parts.push(Part::WeekdayAbbr),
            'b' => parts.push(Part::MonthAbbr),
            'c' => parts.push(Part::Month { width: 1 }),
            'D' => parts.push(Part::DayWithSuffix),
            'd' => parts.push(Part::Day { width: 2 }),
            'e' => parts.push(Part::Day { width: 1 }),
            'f' => parts.push(Part::Fraction { digits: 6 }),
            'H' => parts.push(Part::Hour24 { width: 2 }),
            'h' | 'I' => parts.push(Part::Hour12 { width: 2 }),
            'i' => parts.push(Part::Minute { width: 2 }),
            'j' => parts.push(Part::DayOfYear { width: 3 }),
            'k' => parts.push(Part::Hour24 { width: 1 }),
            'l' => parts.push(Part::Hour12 { width: 1 }),
            'M' => parts.push(Part::MonthName),
            'm' => parts.push(Part::Month { width: 2 }),
            'p' => parts.push(Part::AmPm),
            'r' => parts.extend([
                Part::Hour12 { width: 2 },
                colon(),
                Part::Minute { width: 2 },
                colon(),
                Part::Second { width: 2 },
                Part::Literal(" ".into()),
                Part::AmPm,
            ]),
            'S' | 's' => parts.push(Part::Second { width: 2 }),
            'T' => parts.extend([
                Part::Hour24 { width: 2 },
                colon(),
                Part::Minute { width: 2 },
                colon(),
                Part::Second { width: 2 },
            ]),
            // Trino reads both Monday-first week specifiers as the ISO week.
            'u' | 'v' => parts.push(Part::IsoWeek { width: 2 }),
            'W' => parts.push(Part::WeekdayName),
            'w' => parts.push(Part::WeekdaySunday0),
            'x' => parts.push(Part::WeekYear { width: 4 }),
            'Y' => parts.push(Part::Year { width: 4 }),
            'y' => parts.push(Part::TwoDigitYear),
            // Trino rejects the Sunday-first week specifiers too.
            'U' | 'V' | 'X' => {
                return Err(PatternError(format!(
                    "%{spec} (a Sunday-first week) is not supported, as in Trino: use %v and %x"
                )));
            }
            other => push_literal(&mut parts, other),
        }
    }
    Ok(parts)
}

/// Compiles a Joda-Time pattern (the subset CloudTrail work needs: years, months,
/// days, weekdays, weeks, hours, minutes, seconds, fractions, AM/PM, era, zone).
pub(super) fn joda(pattern: &str) -> Result<Vec<Part>, PatternError> {
    let mut parts = Vec::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // `''` is a quote; `'text'` is literal text.
            if chars.get(i + 1) == Some(&'\'') {
                push_literal(&mut parts, '\'');
                i += 2;
                continue;
            }
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(PatternError("unterminated quote in the pattern".into())),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        push_literal(&mut parts, '\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        push_literal(&mut parts, other);
                        i += 1;
                    }
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            push_literal(&mut parts, c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        i += n;
        parts.push(match c {
            'G' => Part::Era,
            'y' | 'Y' if n == 2 => Part::TwoDigitYear,
            'y' | 'Y' => Part::Year { width: n },
            'x' if n == 2 => {
                return Err(PatternError(
                    "xx (a two-digit week year) is not supported".into(),
                ));
            }
            'x' => Part::WeekYear { width: n },
            'w' => Part::IsoWeek { width: n },
            'e' => Part::WeekdayIso,
            'E' if n >= 4 => Part::WeekdayName,
            'E' => Part::WeekdayAbbr,
            'D' => Part::DayOfYear { width: n },
            'M' if n >= 4 => Part::MonthName,
            'M' if n == 3 => Part::MonthAbbr,
            'M' => Part::Month { width: n },
            'd' => Part::Day { width: n },
            'a' => Part::AmPm,
            'h' => Part::Hour12 { width: n },
            'H' => Part::Hour24 { width: n },
            'm' => Part::Minute { width: n },
            's' => Part::Second { width: n },
            'S' => Part::Fraction { digits: n },
            'z' => Part::ZoneId,
            'Z' if n >= 3 => Part::ZoneId,
            'Z' => Part::Offset { colon: n == 2 },
            other => {
                return Err(PatternError(format!(
                    "the pattern letter {other:?} is not supported"
                )));
            }
        });
    }
    Ok(parts)
}

/// The calendar fields of a UTC millisecond timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Civil {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub millis: i64,
    /// ISO: 1 = Monday .. 7 = Sunday.
    pub weekday: i64,
    pub day_of_year: i64,
    pub iso_week: i64,
    pub week_year: i64,
}

/// ISO weekday (1 = Monday) of a day number since 1970-01-01 (a Thursday).
fn iso_weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// Whether an ISO week-year has 53 weeks: it starts on a Thursday, or is a leap year
/// starting on a Wednesday.
fn iso_weeks(year: i64) -> i64 {
    let jan1 = iso_weekday(days_from_civil(year, 1, 1));
    let leap = days_in_month(year, 2) == 29;
    if jan1 == 4 || (leap && jan1 == 3) {
        53
    } else {
        52
    }
}

pub(super) fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let weekday = iso_weekday(days);
    let day_of_year = days - days_from_civil(year, 1, 1) + 1;
    let mut week_year = year;
    let mut iso_week = (day_of_year - weekday + 10) / 7;
    if iso_week < 1 {
        week_year -= 1;
        iso_week = iso_weeks(week_year);
    } else if iso_week > iso_weeks(year) {
        week_year += 1;
        iso_week = 1;
    }
    Civil {
        year,
        month,
        day,
        hour: rem / 3_600_000,
        minute: rem / 60_000 % 60,
        second: rem / 1000 % 60,
        millis: rem % 1000,
        weekday,
        day_of_year,
        iso_week,
        week_year,
    }
}

fn pad(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
    }
    let digits = v.unsigned_abs().to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

fn ordinal_suffix(day: i64) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

fn hour12(hour: i64) -> i64 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

/// Formats a UTC millisecond timestamp.
pub(super) fn format(parts: &[Part], ms: i64) -> String {
    let t = civil(ms);
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal(s) => out.push_str(s),
            Part::Year { width } => pad(&mut out, t.year, *width),
            Part::TwoDigitYear => pad(&mut out, t.year.rem_euclid(100), 2),
            Part::WeekYear { width } => pad(&mut out, t.week_year, *width),
            Part::Month { width } => pad(&mut out, t.month, *width),
            Part::MonthAbbr => out.push_str(&MONTHS[(t.month - 1) as usize][..3]),
            Part::MonthName => out.push_str(MONTHS[(t.month - 1) as usize]),
            Part::Day { width } => pad(&mut out, t.day, *width),
            Part::DayWithSuffix => {
                pad(&mut out, t.day, 1);
                out.push_str(ordinal_suffix(t.day));
            }
            Part::DayOfYear { width } => pad(&mut out, t.day_of_year, *width),
            Part::Hour24 { width } => pad(&mut out, t.hour, *width),
            Part::Hour12 { width } => pad(&mut out, hour12(t.hour), *width),
            Part::Minute { width } => pad(&mut out, t.minute, *width),
            Part::Second { width } => pad(&mut out, t.second, *width),
            Part::Fraction { digits } => {
                // Milliseconds are all there is; further digits are zeros.
                let ms = format!("{:03}", t.millis);
                let shown: String = ms
                    .chars()
                    .chain(std::iter::repeat('0'))
                    .take(*digits)
                    .collect();
                out.push_str(&shown);
            }
            Part::AmPm => out.push_str(if t.hour < 12 { "AM" } else { "PM" }),
            Part::WeekdayAbbr => out.push_str(&WEEKDAYS[(t.weekday - 1) as usize][..3]),
            Part::WeekdayName => out.push_str(WEEKDAYS[(t.weekday - 1) as usize]),
            Part::WeekdaySunday0 => pad(&mut out, t.weekday % 7, 1),
            Part::WeekdayIso => pad(&mut out, t.weekday, 1),
            Part::IsoWeek { width } => pad(&mut out, t.iso_week, *width),
            Part::Era => out.push_str(if t.year > 0 { "AD" } else { "BC" }),
            Part::Offset { colon: false } => out.push_str("+0000"),
            Part::Offset { colon: true } => out.push_str("+00:00"),
            Part::ZoneId => out.push_str("UTC"),
        }
    }
    out
}

/// What a parse has read so far.
#[derive(Default)]
struct Read {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    week_year: Option<i64>,
    iso_week: Option<i64>,
    weekday: Option<i64>,
    hour24: Option<i64>,
    hour12: Option<i64>,
    pm: Option<bool>,
    minute: i64,
    second: i64,
    millis: i64,
    offset_minutes: i64,
}

/// Reads 1 to `max` ASCII digits.
fn digits(s: &mut &str, max: usize) -> Option<i64> {
    let n = s
        .bytes()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n == 0 {
        return None;
    }
    let v = s[..n].parse().ok()?;
    *s = &s[n..];
    Some(v)
}

/// Reads one of `names` (or its first three letters when `abbr`), any case; gives its
/// index.
fn name(s: &mut &str, names: &[&str], abbr: bool) -> Option<i64> {
    for (i, full) in names.iter().enumerate() {
        let want = if abbr { &full[..3] } else { full };
        if s.len() >= want.len()
            && s.is_char_boundary(want.len())
            && s[..want.len()].eq_ignore_ascii_case(want)
        {
            *s = &s[want.len()..];
            return Some(i as i64);
        }
    }
    None
}

fn offset(s: &mut &str) -> Option<i64> {
    if let Some(rest) = s.strip_prefix('Z') {
        *s = rest;
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    *s = &s[1..];
    let h = digits(s, 2)?;
    if let Some(rest) = s.strip_prefix(':') {
        *s = rest;
    }
    let m = digits(s, 2)?;
    Some(sign * (h * 60 + m))
}

/// Two-digit years as MySQL and Joda's default pivot read them: 70-99 are 19xx.
fn expand_two_digit_year(y: i64) -> i64 {
    if y < 70 { 2000 + y } else { 1900 + y }
}

/// Parses text written in `parts` as a UTC millisecond timestamp; `None` when it does
/// not match (trailing text included) or names an impossible date. Fields the pattern
/// lacks take their values at 1970-01-01 00:00:00, as in Trino.
pub(super) fn parse(parts: &[Part], text: &str) -> Option<i64> {
    let mut s = text;
    let mut r = Read::default();
    for part in parts {
        match part {
            Part::Literal(lit) => s = s.strip_prefix(lit.as_str())?,
            Part::Year { .. } => r.year = Some(digits(&mut s, 4)?),
            Part::TwoDigitYear => r.year = Some(expand_two_digit_year(digits(&mut s, 2)?)),
            Part::WeekYear { .. } => r.week_year = Some(digits(&mut s, 4)?),
            Part::Month { .. } => r.month = Some(digits(&mut s, 2)?),
            Part::MonthAbbr => r.month = Some(name(&mut s, &MONTHS, true)? + 1),
            Part::MonthName => r.month = Some(name(&mut s, &MONTHS, false)? + 1),
            Part::Day { .. } => r.day = Some(digits(&mut s, 2)?),
            Part::DayWithSuffix => {
                let d = digits(&mut s, 2)?;
                s = s.strip_prefix(ordinal_suffix(d))?;
                r.day = Some(d);
            }
            Part::DayOfYear { .. } => r.day_of_year = Some(digits(&mut s, 3)?),
            Part::Hour24 { .. } => r.hour24 = Some(digits(&mut s, 2)?),
            Part::Hour12 { .. } => r.hour12 = Some(digits(&mut s, 2)?),
            Part::Minute { .. } => r.minute = digits(&mut s, 2)?,
            Part::Second { .. } => r.second = digits(&mut s, 2)?,
            Part::Fraction { .. } => {
                let n = s.bytes().take(9).take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                let ms: String = s[..n]
                    .chars()
                    .chain(std::iter::repeat('0'))
                    .take(3)
                    .collect();
                r.millis = ms.parse().ok()?;
                s = &s[n..];
            }
            Part::AmPm => {
                let up = s.get(..2)?.to_ascii_uppercase();
                r.pm = Some(match up.as_str() {
                    "AM" => false,
                    "PM" => true,
                    _ => return None,
                });
                s = &s[2..];
            }
            Part::WeekdayAbbr => r.weekday = Some(name(&mut s, &WEEKDAYS, true)? + 1),
            Part::WeekdayName => r.weekday = Some(name(&mut s, &WEEKDAYS, false)? + 1),
            Part::WeekdaySunday0 => {
                let w = digits(&mut s, 1)?;
                r.weekday = Some(if w == 0 { 7 } else { w });
            }
            Part::WeekdayIso => r.weekday = Some(digits(&mut s, 1)?),
            Part::IsoWeek { .. } => r.iso_week = Some(digits(&mut s, 2)?),
            Part::Era => {
                s = s
                    .strip_prefix("AD")
                    .or_else(|| s.strip_prefix("ad"))
                    .or_else(|| s.strip_prefix("CE"))?
            }
            Part::Offset { .. } => r.offset_minutes = offset(&mut s)?,
            Part::ZoneId => s = ["UTC", "GMT", "Z"].iter().find_map(|z| s.strip_prefix(z))?,
        }
    }
    if !s.is_empty() {
        return None;
    }
    let days = if let (Some(wy), Some(w), None) = (r.week_year, r.iso_week, r.month) {
        if !(1..=iso_weeks(wy)).contains(&w) {
            return None;
        }
        let jan4 = days_from_civil(wy, 1, 4);
        let monday = jan4 - (iso_weekday(jan4) - 1);
        let weekday = r.weekday.unwrap_or(1);
        if !(1..=7).contains(&weekday) {
            return None;
        }
        monday + (w - 1) * 7 + weekday - 1
    } else {
        let year = r.year.unwrap_or(1970);
        match (r.day_of_year, r.month, r.day) {
            (Some(doy), None, None) => {
                let len = if days_in_month(year, 2) == 29 {
                    366
                } else {
                    365
                };
                if !(1..=len).contains(&doy) {
                    return None;
                }
                days_from_civil(year, 1, 1) + doy - 1
            }
            (_, month, day) => {
                let (month, day) = (month.unwrap_or(1), day.unwrap_or(1));
                if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
                    return None;
                }
                days_from_civil(year, month, day)
            }
        }
    };
    let hour = match (r.hour24, r.hour12, r.pm) {
        (Some(h), _, _) => h,
        (None, Some(h), pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            h % 12 + if pm == Some(true) { 12 } else { 0 }
        }
        (None, None, Some(true)) => 12,
        (None, None, _) => 0,
    };
    if hour > 23 || r.minute > 59 || r.second > 59 {
        return None;
    }
    let time = ((hour * 60 + r.minute) * 60 + r.second) * 1000 + r.millis;
    Some(days * DAY_MS + time - r.offset_minutes * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        trawl_cloudtrail::parse_event_time(s).unwrap()
    }

    #[test]
    fn mysql_formats_as_trino() {
        // Trino's documented example: date_format(TIMESTAMP '2022-10-20 05:10:00', '%m-%d-%Y %H').
        let p = mysql("%m-%d-%Y %H").unwrap();
        assert_eq!(format(&p, t("2022-10-20T05:10:00Z")), "10-20-2022 05");
        let p = mysql("%Y-%m-%d %H:%i:%s.%f %a %b %W %M %j %p %r %T %e %c %k %l %D %w %v %x %y %%")
            .unwrap();
        assert_eq!(
            format(&p, t("2022-01-02T15:04:05.123Z")),
            // 2022-01-02 is a Sunday in ISO week 52 of 2021.
            "2022-01-02 15:04:05.123000 Sun Jan Sunday January 002 PM 03:04:05 PM 15:04:05 2 1 15 3 2nd 0 52 2021 22 %"
        );
    }

    #[test]
    fn mysql_parses_as_trino() {
        // Trino's documented example: date_parse('2022/10/20/05', '%Y/%m/%d/%H').
        let p = mysql("%Y/%m/%d/%H").unwrap();
        assert_eq!(parse(&p, "2022/10/20/05"), Some(t("2022-10-20T05:00:00Z")));
        let p = mysql("%d %b %Y %h:%i:%s %p").unwrap();
        assert_eq!(
            parse(&p, "07 Mar 2024 12:30:01 AM"),
            Some(t("2024-03-07T00:30:01Z"))
        );
        let p = mysql("%Y-%m-%d %H:%i:%s.%f").unwrap();
        assert_eq!(
            parse(&p, "2024-03-07 10:00:00.5"),
            Some(t("2024-03-07T10:00:00.500Z"))
        );
        // Missing fields are those of 1970-01-01 00:00:00.
        assert_eq!(parse(&mysql("%H:%i").unwrap(), "10:30"), Some(37_800_000));
        // No match, trailing text, impossible dates.
        let p = mysql("%Y-%m-%d").unwrap();
        assert_eq!(parse(&p, "2024-02-30"), None);
        assert_eq!(parse(&p, "2024-02-03x"), None);
        assert_eq!(parse(&p, "yesterday"), None);
        assert!(mysql("%U").is_err());
    }

    #[test]
    fn joda_formats_and_parses() {
        let p = joda("yyyy-MM-dd'T'HH:mm:ss.SSSZZ EEEE EEE MMM MMMM D a hh G ''").unwrap();
        assert_eq!(
            format(&p, t("2022-10-20T05:10:00.007Z")),
            "2022-10-20T05:10:00.007+00:00 Thursday Thu Oct October 293 AM 05 AD '"
        );
        let p = joda("yyyy-MM-dd HH:mm").unwrap();
        assert_eq!(
            parse(&p, "2022-10-20 05:10"),
            Some(t("2022-10-20T05:10:00Z"))
        );
        let p = joda("dd/MMM/yyyy:HH:mm:ss Z").unwrap();
        assert_eq!(
            parse(&p, "20/Oct/2022:07:10:00 +0200"),
            Some(t("2022-10-20T05:10:00Z"))
        );
        let p = joda("xxxx-'W'ww-e").unwrap();
        assert_eq!(format(&p, t("2021-01-03T00:00:00Z")), "2020-W53-7");
        assert_eq!(parse(&p, "2020-W53-7"), Some(t("2021-01-03T00:00:00Z")));
        assert!(joda("yyyy-MM-dd'T").is_err());
        assert!(joda("Q").is_err());
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        // 2008-12-29 (Monday) starts ISO week 1 of 2009; 2010-01-03 ends week 53 of 2009.
        let c = civil(t("2008-12-29T00:00:00Z"));
        assert_eq!((c.week_year, c.iso_week, c.weekday), (2009, 1, 1));
        let c = civil(t("2010-01-03T00:00:00Z"));
        assert_eq!((c.week_year, c.iso_week, c.weekday), (2009, 53, 7));
        let c = civil(t("2024-12-31T23:59:59Z"));
        assert_eq!((c.day_of_year, c.iso_week, c.week_year), (366, 1, 2025));
    }
}
