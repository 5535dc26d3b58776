//! Trino date and time functions (`from_iso8601_timestamp`, `to_iso8601`, `date_diff`,
//! `date_add`) on UTC millisecond timestamps, the type of the lake's `eventTime`.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMillisecondType};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ScalarUDF;

use super::{ints, strings, udf};

const DAY_MS: i64 = 86_400_000;

/// The timestamp type these functions take and give.
fn utc_millis() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

fn millis(a: &ArrayRef) -> Result<TimestampMillisecondArray> {
    let t = cast(a, &utc_millis())?;
    Ok(t.as_primitive::<TimestampMillisecondType>().clone())
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
pub(super) fn from_iso8601_timestamp_udf() -> ScalarUDF {
    udf(
        "from_iso8601_timestamp",
        vec![DataType::Utf8],
        utc_millis(),
        |a| {
            let s = strings(&a[0])?;
            Ok(Arc::new(
                s.iter()
                    .map(|v| v.and_then(iso_millis))
                    .collect::<TimestampMillisecondArray>()
                    .with_timezone("UTC"),
            ) as ArrayRef)
        },
    )
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
