//! Trino date and time functions on UTC millisecond timestamps, the type of the
//! lake's `eventTime`: ISO 8601 text (`from_iso8601_timestamp`, `to_iso8601`),
//! arithmetic (`date_diff`, `date_add`), fields (`year` ... `day_of_week`), Unix
//! time, and the MySQL and Joda patterns of `date_format`/`date_parse` and
//! `format_datetime`/`parse_datetime`.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMillisecondType};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ScalarUDF;

use super::datetime_pattern::{self as pattern, Civil, Part, PatternError};
use super::{ints, strings, udf, udf_any};

const DAY_MS: i64 = 86_400_000;

/// The timestamp type these functions take and give.
fn utc_millis() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

fn millis(a: &ArrayRef) -> Result<TimestampMillisecondArray> {
    let t = cast(a, &utc_millis())?;
    Ok(t.as_primitive::<TimestampMillisecondType>().clone())
}

/// A timestamp, date or ISO 8601 text argument as UTC milliseconds: Trino's date
/// functions take timestamps and dates, and Athena tables often keep times as text.
fn any_millis(a: &ArrayRef) -> Result<TimestampMillisecondArray> {
    if matches!(
        a.data_type(),
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
    ) {
        let s = strings(a)?;
        return Ok(s
            .iter()
            .map(|v| v.and_then(iso_millis))
            .collect::<TimestampMillisecondArray>()
            .with_timezone("UTC"));
    }
    millis(a)
}

fn timestamps(values: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(
        values
            .into_iter()
            .collect::<TimestampMillisecondArray>()
            .with_timezone("UTC"),
    )
}

/// Parses `YYYY-MM-DD[THH:MM:SS[.fff]][Z|±hh:mm]` as Trino's `from_iso8601_timestamp` does.
fn iso_millis(s: &str) -> Option<i64> {
    trawl_cloudtrail::parse_event_time(s).or_else(|| {
        let s = s.trim();
        (s.len() == 10)
            .then(|| trawl_cloudtrail::parse_event_time(&format!("{s}T00:00:00Z")))
            .flatten()
    })
}

fn unit_millis(unit: &str) -> Option<i64> {
    Some(
        match unit.trim().to_ascii_lowercase().trim_end_matches('s') {
            "millisecond" => 1,
            "second" => 1000,
            "minute" => 60_000,
            "hour" => 3_600_000,
            "day" => 86_400_000,
            "week" => 7 * 86_400_000,
            _ => return None,
        },
    )
}

/// (year, month, day) of a millisecond timestamp, UTC.
fn civil(ms: i64) -> (i64, i64, i64) {
    trawl_cloudtrail::civil_from_days(ms.div_euclid(DAY_MS))
}

/// Months since year 0 of a timestamp.
fn month_index(ms: i64) -> i64 {
    let (y, m, _) = civil(ms);
    y * 12 + m - 1
}

/// Trino `date_diff(unit, t1, t2)`: whole units from t1 to t2.
fn date_diff(unit: &str, a: i64, b: i64) -> Option<i64> {
    let u = unit.trim().to_ascii_lowercase();
    let u = u.trim_end_matches('s');
    match u {
        "month" | "quarter" | "year" => {
            let mut months = month_index(b) - month_index(a);
            // A partial month does not count: compare the offsets into the month.
            let day_ms = |t: i64| t - (civil(t).2 - 1) * DAY_MS - t.rem_euclid(DAY_MS);
            if months > 0 && b - day_ms(b) < a - day_ms(a) {
                months -= 1;
            } else if months < 0 && b - day_ms(b) > a - day_ms(a) {
                months += 1;
            }
            Some(match u {
                "month" => months,
                "quarter" => months / 3,
                _ => months / 12,
            })
        }
        _ => Some((b - a) / unit_millis(u)?),
    }
}

/// Trino `date_add(unit, n, t)`.
fn date_add(unit: &str, n: i64, t: i64) -> Option<i64> {
    let u = unit.trim().to_ascii_lowercase();
    let u = u.trim_end_matches('s');
    match u {
        "month" | "quarter" | "year" => {
            let months = n * match u {
                "month" => 1,
                "quarter" => 3,
                _ => 12,
            };
            let (y, m, d) = civil(t);
            let total = y * 12 + (m - 1) + months;
            let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            let nd = d.min(trawl_cloudtrail::days_in_month(ny, nm));
            Some(trawl_cloudtrail::days_from_civil(ny, nm, nd) * DAY_MS + t.rem_euclid(DAY_MS))
        }
        _ => Some(t + n * unit_millis(u)?),
    }
}

/// `from_iso8601_timestamp(text)`: null for text that is not ISO 8601.
/// A timestamp passes through: Athena's CloudTrail table keeps `eventtime` as text,
/// so its queries wrap it in `from_iso8601_timestamp`, and the lake's is a timestamp.
pub(super) fn from_iso8601_timestamp_udf() -> ScalarUDF {
    udf_any("from_iso8601_timestamp", &[1], utc_millis(), |a| {
        Ok(Arc::new(any_millis(&a[0])?) as ArrayRef)
    })
}

/// `to_iso8601(t)`: `YYYY-MM-DDTHH:MM:SS.fffZ`, always with milliseconds, as Trino writes it.
pub(super) fn to_iso8601_udf() -> ScalarUDF {
    udf("to_iso8601", vec![utc_millis()], DataType::Utf8, |a| {
        let t = millis(&a[0])?;
        let out: StringArray = t
            .iter()
            .map(|v| {
                let ms = v?;
                let date = trawl_cloudtrail::utc_date(ms);
                let rem = ms.rem_euclid(86_400_000);
                let (h, m, s, f) = (
                    rem / 3_600_000,
                    rem / 60_000 % 60,
                    rem / 1000 % 60,
                    rem % 1000,
                );
                Some(format!("{date}T{h:02}:{m:02}:{s:02}.{f:03}Z"))
            })
            .collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `date_diff(unit, t1, t2)`. An unknown unit is an error rather than null, since it
/// is a typo in the query, not a property of the data.
pub(super) fn date_diff_udf() -> ScalarUDF {
    udf(
        "date_diff",
        vec![DataType::Utf8, utc_millis(), utc_millis()],
        DataType::Int64,
        |a| {
            let (unit, x, y) = (strings(&a[0])?, millis(&a[1])?, millis(&a[2])?);
            let mut out = Vec::with_capacity(x.len());
            for i in 0..x.len() {
                if unit.is_null(i) || x.is_null(i) || y.is_null(i) {
                    out.push(None);
                    continue;
                }
                match date_diff(unit.value(i), x.value(i), y.value(i)) {
                    Some(v) => out.push(Some(v)),
                    None => return exec_err!("date_diff: unknown unit {:?}", unit.value(i)),
                }
            }
            Ok(Arc::new(Int64Array::from(out)) as ArrayRef)
        },
    )
}

/// `date_add(unit, n, t)`; an unknown unit is an error, as in [`date_diff_udf`].
pub(super) fn date_add_udf() -> ScalarUDF {
    udf(
        "date_add",
        vec![DataType::Utf8, DataType::Int64, utc_millis()],
        utc_millis(),
        |a| {
            let (unit, n, t) = (strings(&a[0])?, ints(&a[1])?, millis(&a[2])?);
            let mut out = Vec::with_capacity(t.len());
            for i in 0..t.len() {
                if unit.is_null(i) || n.is_null(i) || t.is_null(i) {
                    out.push(None);
                    continue;
                }
                match date_add(unit.value(i), n.value(i), t.value(i)) {
                    Some(v) => out.push(Some(v)),
                    None => return exec_err!("date_add: unknown unit {:?}", unit.value(i)),
                }
            }
            Ok(Arc::new(TimestampMillisecondArray::from(out).with_timezone("UTC")) as ArrayRef)
        },
    )
}

/// A calendar field of a timestamp or date (`year(eventtime)`), as Trino's
/// `bigint`. `aliases` are Trino's other names for it (`dow` for `day_of_week`).
fn field_udf(name: &str, aliases: &[&'static str], f: fn(&Civil) -> i64) -> ScalarUDF {
    udf_any(name, &[1], DataType::Int64, move |a| {
        let t = any_millis(&a[0])?;
        let out: Int64Array = t
            .iter()
            .map(|v| v.map(|ms| f(&pattern::civil(ms))))
            .collect();
        Ok(Arc::new(out) as ArrayRef)
    })
    .with_aliases(aliases.iter().copied())
}

/// `year`, `quarter`, `month`, `week`, `day`, `day_of_week` (ISO: 1 = Monday ..
/// 7 = Sunday), `day_of_year`, `year_of_week`, `hour`, `minute`, `second`,
/// `millisecond`.
pub(super) fn field_udfs() -> Vec<ScalarUDF> {
    vec![
        field_udf("year", &[], |c| c.year),
        field_udf("quarter", &[], |c| (c.month - 1) / 3 + 1),
        field_udf("month", &[], |c| c.month),
        field_udf("week", &["week_of_year"], |c| c.iso_week),
        field_udf("day", &["day_of_month"], |c| c.day),
        field_udf("day_of_week", &["dow"], |c| c.weekday),
        field_udf("day_of_year", &["doy"], |c| c.day_of_year),
        field_udf("year_of_week", &["yow"], |c| c.week_year),
        field_udf("hour", &[], |c| c.hour),
        field_udf("minute", &[], |c| c.minute),
        field_udf("second", &[], |c| c.second),
        field_udf("millisecond", &[], |c| c.millis),
    ]
}

/// `date(x)`: the UTC day of a timestamp, or a `YYYY-MM-DD` (or ISO 8601) text.
pub(super) fn date_udf() -> ScalarUDF {
    udf_any("date", &[1], DataType::Date32, |a| {
        let t = any_millis(&a[0])?;
        let out: Date32Array = t
            .iter()
            .map(|v| v.and_then(|ms| i32::try_from(ms.div_euclid(DAY_MS)).ok()))
            .collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `from_iso8601_date(text)`: a date, null for text that is not one.
pub(super) fn from_iso8601_date_udf() -> ScalarUDF {
    udf(
        "from_iso8601_date",
        vec![DataType::Utf8],
        DataType::Date32,
        |a| {
            let s = strings(&a[0])?;
            let out: Date32Array = s
                .iter()
                .map(|v| {
                    let v = v?.trim();
                    let ms = (v.len() == 10).then(|| iso_millis(v)).flatten()?;
                    i32::try_from(ms.div_euclid(DAY_MS)).ok()
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// `last_day_of_month(x)`: the last day of the month of a timestamp or date.
pub(super) fn last_day_of_month_udf() -> ScalarUDF {
    udf_any("last_day_of_month", &[1], DataType::Date32, |a| {
        let t = any_millis(&a[0])?;
        let out: Date32Array = t
            .iter()
            .map(|v| {
                let (y, m, _) = civil(v?);
                let d =
                    trawl_cloudtrail::days_from_civil(y, m, trawl_cloudtrail::days_in_month(y, m));
                i32::try_from(d).ok()
            })
            .collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// `from_unixtime(seconds)`: Trino takes fractional seconds, so a `double`.
pub(super) fn from_unixtime_udf() -> ScalarUDF {
    udf(
        "from_unixtime",
        vec![DataType::Float64],
        utc_millis(),
        |a| {
            let secs = cast(&a[0], &DataType::Float64)?;
            let secs = secs.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
            Ok(timestamps(secs.iter().map(|v| {
                v.filter(|s| s.is_finite())
                    .map(|s| (s * 1000.0).round() as i64)
            })))
        },
    )
}

/// `to_unixtime(t)`: seconds since the epoch, with the milliseconds as a fraction.
pub(super) fn to_unixtime_udf() -> ScalarUDF {
    udf_any("to_unixtime", &[1], DataType::Float64, |a| {
        let t = any_millis(&a[0])?;
        let out: Float64Array = t.iter().map(|v| v.map(|ms| ms as f64 / 1000.0)).collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// Applies `f` to each (value, pattern) row, compiling each distinct pattern once
/// (it is nearly always one literal). A pattern that does not compile is an error,
/// since it is a mistake in the query rather than in the data.
fn with_patterns<T>(
    fname: &str,
    patterns: &StringArray,
    len: usize,
    compile: fn(&str) -> Result<Vec<Part>, PatternError>,
    mut f: impl FnMut(usize, &[Part]) -> Option<T>,
) -> Result<Vec<Option<T>>> {
    let mut compiled: Option<(String, Vec<Part>)> = None;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        if patterns.is_null(i) {
            out.push(None);
            continue;
        }
        let p = patterns.value(i);
        if compiled.as_ref().is_none_or(|(text, _)| text != p) {
            match compile(p) {
                Ok(parts) => compiled = Some((p.to_string(), parts)),
                Err(PatternError(why)) => return exec_err!("{fname}: pattern {p:?}: {why}"),
            }
        }
        let parts = compiled
            .as_ref()
            .map_or(&[][..], |(_, parts)| parts.as_slice());
        out.push(f(i, parts));
    }
    Ok(out)
}

/// `date_format(t, '%Y-%m-%d')` (MySQL) and `format_datetime(t, 'yyyy-MM-dd')` (Joda).
fn format_udf(
    name: &'static str,
    compile: fn(&str) -> Result<Vec<Part>, PatternError>,
) -> ScalarUDF {
    udf_any(name, &[2], DataType::Utf8, move |a| {
        let (t, p) = (any_millis(&a[0])?, strings(&a[1])?);
        let out = with_patterns(name, &p, t.len(), compile, |i, parts| {
            (!t.is_null(i)).then(|| pattern::format(parts, t.value(i)))
        })?;
        Ok(Arc::new(StringArray::from(out)) as ArrayRef)
    })
}

/// `date_parse(text, '%Y-%m-%d')` (MySQL) and `parse_datetime(text, 'yyyy-MM-dd')`
/// (Joda): null for text that does not match, so `try(...)` around them behaves as
/// in Trino (where it is an error). A timestamp passes through, as in
/// [`from_iso8601_timestamp_udf`]: Athena queries parse their text `eventtime` so.
fn parse_udf(
    name: &'static str,
    compile: fn(&str) -> Result<Vec<Part>, PatternError>,
) -> ScalarUDF {
    udf_any(name, &[2], utc_millis(), move |a| {
        if matches!(a[0].data_type(), DataType::Timestamp(..) | DataType::Date32) {
            return Ok(Arc::new(millis(&a[0])?) as ArrayRef);
        }
        let (s, p) = (strings(&a[0])?, strings(&a[1])?);
        let out = with_patterns(name, &p, s.len(), compile, |i, parts| {
            if s.is_null(i) {
                None
            } else {
                pattern::parse(parts, s.value(i))
            }
        })?;
        Ok(timestamps(out))
    })
}

pub(super) fn date_format_udf() -> ScalarUDF {
    format_udf("date_format", pattern::mysql)
}

pub(super) fn format_datetime_udf() -> ScalarUDF {
    format_udf("format_datetime", pattern::joda)
}

pub(super) fn date_parse_udf() -> ScalarUDF {
    parse_udf("date_parse", pattern::mysql)
}

pub(super) fn parse_datetime_udf() -> ScalarUDF {
    parse_udf("parse_datetime", pattern::joda)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let t = |s| trawl_cloudtrail::parse_event_time(s).unwrap();
        assert_eq!(
            date_diff("day", t("2026-01-01T00:00:00Z"), t("2026-01-08T12:00:00Z")),
            Some(7)
        );
        assert_eq!(
            date_diff(
                "month",
                t("2026-01-31T00:00:00Z"),
                t("2026-03-30T00:00:00Z")
            ),
            Some(1)
        );
        assert_eq!(
            date_add("month", 1, t("2026-01-31T10:00:00Z")),
            Some(t("2026-02-28T10:00:00Z"))
        );
        assert_eq!(
            date_add("hour", -2, t("2026-01-01T01:00:00Z")),
            Some(t("2025-12-31T23:00:00Z"))
        );
    }
}
