//! `typeof(x)` with Trino's type names, `try(x)`, and Trino's cast to a ROW type.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StructArray};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, IntervalUnit, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err, internal_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::udf_any;

fn precision(unit: &TimeUnit) -> u8 {
    match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}

/// The Trino name of the type a value of `t` has in Trino.
pub fn trino_type_name(t: &DataType) -> String {
    match t {
        DataType::Null => "unknown".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 | DataType::UInt8 => "smallint".into(),
        DataType::Int32 | DataType::UInt16 => "integer".into(),
        DataType::Int64 | DataType::UInt32 => "bigint".into(),
        DataType::UInt64 => "decimal(20,0)".into(),
        DataType::Float16 | DataType::Float32 => "real".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".into(),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => "varbinary".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(unit, None) => format!("timestamp({})", precision(unit)),
        DataType::Timestamp(unit, Some(_)) => {
            format!("timestamp({}) with time zone", precision(unit))
        }
        DataType::Time32(unit) | DataType::Time64(unit) => format!("time({})", precision(unit)),
        DataType::Interval(IntervalUnit::YearMonth) => "interval year to month".into(),
        DataType::Interval(_) | DataType::Duration(_) => "interval day to second".into(),
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _) => format!("array({})", trino_type_name(f.data_type())),
        DataType::Struct(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| format!("{} {}", f.name(), trino_type_name(f.data_type())))
                .collect();
            format!("row({})", fields.join(", "))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map({}, {})",
                trino_type_name(kv[0].data_type()),
                trino_type_name(kv[1].data_type())
            ),
            other => format!("map({})", trino_type_name(other)),
        },
        DataType::Dictionary(_, v) => trino_type_name(v),
        DataType::RunEndEncoded(_, v) => trino_type_name(v.data_type()),
        other => other.to_string().to_ascii_lowercase(),
    }
}

/// `typeof(x)`: the type of `x` as Trino names it (`varchar`, `bigint`,
/// `timestamp(3) with time zone`, `array(row(arn varchar, ...))`).
pub(super) fn typeof_udf() -> ScalarUDF {
    udf_any("typeof", &[1], DataType::Utf8, |a| {
        let name = trino_type_name(a[0].data_type());
        Ok(Arc::new(StringArray::from(vec![name; a[0].len()])) as ArrayRef)
    })
}

/// `try(x)`: `x`. Trino turns an error inside `x` into NULL; trawl cannot catch an
/// error per row, but its Trino functions (`date_parse`, `json_extract_scalar`,
/// `from_iso8601_timestamp`, ...) already give NULL where Trino raises, and
/// `try(CAST(...))` is planned as `TRY_CAST` (see `trino_syntax`), which covers what
/// `try` guards in CloudTrail queries. Any other error still fails the query.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Try {
    signature: Signature,
}

impl Default for Try {
    fn default() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Try {
    fn name(&self) -> &str {
        "try"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [t] => Ok(t.clone()),
            _ => exec_err!("try takes one argument"),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields {
            [f] => Ok(Arc::new(
                f.as_ref().clone().with_name("try").with_nullable(true),
            )),
            _ => exec_err!("try takes one argument"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match args.args.as_slice() {
            [v] => Ok(v.clone()),
            _ => exec_err!("try takes one argument"),
        }
    }
}

pub(super) fn try_udf() -> ScalarUDF {
    ScalarUDF::new_from_impl(Try::default())
}

/// `trino_row_cast(x, safe, 'a', CAST(NULL AS T), 'b', CAST(NULL AS U), ...)`: Trino's
/// `CAST(x AS ROW(a T, b U))` (written so by `trino_syntax`). Trino casts a row field
/// by field, by position, and names the fields anew; Arrow casts a struct only to one
/// with the same field names. `safe` (TRY_CAST) turns a field that does not cast into
/// NULL instead of an error.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RowCast {
    signature: Signature,
}

impl Default for RowCast {
    fn default() -> Self {
        Self {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

/// The row type a call casts to: its arguments after the value and `safe` are
/// (name literal, typed NULL) pairs.
fn row_type(fields: &[FieldRef], scalars: &[Option<&ScalarValue>]) -> Result<Fields> {
    let Some(source) = fields.first() else {
        return plan_err!("trino_row_cast: no value");
    };
    let targets = fields.len().saturating_sub(2) / 2;
    if fields.len() < 4 || !fields.len().is_multiple_of(2) {
        return plan_err!("trino_row_cast(value, safe, 'name', type, ...): wrong arguments");
    }
    match source.data_type() {
        DataType::Struct(f) if f.len() == targets => {}
        DataType::Struct(f) => {
            return plan_err!(
                "CAST(... AS ROW(...)): the value has {} fields, the ROW type {targets}",
                f.len()
            );
        }
        DataType::Null => {}
        other => {
            return plan_err!(
                "CAST(... AS ROW(...)): the value is a {}, not a row",
                trino_type_name(other)
            );
        }
    }
    (0..targets)
        .map(|i| {
            let name = match scalars.get(2 + 2 * i) {
                Some(Some(v)) => match v.try_as_str() {
                    Some(Some(n)) => n.to_string(),
                    _ => return plan_err!("trino_row_cast: field names are text literals"),
                },
                _ => return plan_err!("trino_row_cast: field names are text literals"),
            };
            Ok(Arc::new(Field::new(
                name,
                fields[3 + 2 * i].data_type().clone(),
                true,
            )))
        })
        .collect()
}

impl ScalarUDFImpl for RowCast {
    fn name(&self) -> &str {
        "trino_row_cast"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        internal_err!("trino_row_cast's type comes from its arguments' fields")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let fields = row_type(args.arg_fields, args.scalar_arguments)?;
        Ok(Arc::new(Field::new(
            self.name(),
            DataType::Struct(fields),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let DataType::Struct(fields) = args.return_field.data_type() else {
            return internal_err!("trino_row_cast returns a struct");
        };
        let safe = matches!(
            args.args.get(1),
            Some(ColumnarValue::Scalar(ScalarValue::Boolean(Some(true))))
        );
        let Some(value) = args.args.first() else {
            return internal_err!("trino_row_cast: no value");
        };
        let scalar = matches!(value, ColumnarValue::Scalar(_));
        let array = value.to_array(args.number_rows)?;
        let out: ArrayRef = match array.data_type() {
            DataType::Null => {
                datafusion::arrow::array::new_null_array(args.return_field.data_type(), array.len())
            }
            _ => {
                let Some(row) = array.as_any().downcast_ref::<StructArray>() else {
                    return exec_err!("trino_row_cast: the value is not a row");
                };
                let options = CastOptions {
                    safe,
                    ..CastOptions::default()
                };
                let columns = fields
                    .iter()
                    .zip(row.columns())
                    .map(|(f, c)| cast_with_options(c, f.data_type(), &options))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Arc::new(StructArray::try_new(
                    fields.clone(),
                    columns,
                    row.nulls().cloned(),
                )?)
            }
        };
        Ok(if scalar {
            ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?)
        } else {
            ColumnarValue::Array(out)
        })
    }
}

pub(super) fn row_cast_udf() -> ScalarUDF {
    ScalarUDF::new_from_impl(RowCast::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::Field;

    #[test]
    fn trino_names() {
        assert_eq!(trino_type_name(&DataType::Utf8View), "varchar");
        assert_eq!(
            trino_type_name(&trawl_cloudtrail::event_time_type()),
            "timestamp(3) with time zone"
        );
        let schema = trawl_cloudtrail::schema();
        let resources = schema.field_with_name("resources").unwrap();
        assert_eq!(
            trino_type_name(resources.data_type()),
            "array(row(arn varchar, arnprefix varchar, accountid varchar, type varchar))"
        );
        let f = Field::new("x", DataType::UInt32, false);
        assert_eq!(trino_type_name(f.data_type()), "bigint");
    }
}
