//! Trino's aggregates that DataFusion lacks (`count_if`, `max_by`, `min_by`) and the
//! Trino names of those it has (`arbitrary`, `approx_percentile`, `every`).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::{SortOptions, sort_to_indices};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility, create_udaf,
};

/// `count_if(condition)`: the rows where it is true.
pub(super) fn count_if_udaf() -> AggregateUDF {
    create_udaf(
        "count_if",
        vec![DataType::Boolean],
        Arc::new(DataType::Int64),
        Volatility::Immutable,
        Arc::new(|_| Ok(Box::new(CountIf(0)))),
        Arc::new(vec![DataType::Int64]),
    )
}

#[derive(Debug)]
struct CountIf(i64);

impl Accumulator for CountIf {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(b) = values.first() else {
            return exec_err!("count_if takes one argument");
        };
        // Nulls are not true: true_count counts set bits of valid slots only.
        self.0 += b.as_boolean().true_count() as i64;
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(counts) = states.first() else {
            return exec_err!("count_if: no state");
        };
        let counts = counts.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        self.0 += counts.iter().flatten().sum::<i64>();
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Int64(Some(self.0))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(self.0)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

/// `max_by(x, y)` / `min_by(x, y)`: the `x` of the row with the greatest (least)
/// non-null `y`; ties give any of their `x`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ByExtreme {
    name: &'static str,
    max: bool,
    signature: Signature,
}

impl ByExtreme {
    fn new(name: &'static str, max: bool) -> Self {
        Self {
            name,
            max,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

pub(super) fn max_by_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(ByExtreme::new("max_by", true))
}

pub(super) fn min_by_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(ByExtreme::new("min_by", false))
}

impl AggregateUDFImpl for ByExtreme {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [x, _] => Ok(x.clone()),
            _ => exec_err!("{} takes two arguments", self.name),
        }
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let [x, y] = args.input_fields else {
            return exec_err!("{} takes two arguments", self.name);
        };
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "value"),
                x.data_type().clone(),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "key"),
                y.data_type().clone(),
                true,
            )),
        ])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let [x, y] = args.expr_fields else {
            return exec_err!("{} takes two arguments", self.name);
        };
        Ok(Box::new(ByAccumulator {
            max: self.max,
            best: None,
            x_type: x.data_type().clone(),
            y_type: y.data_type().clone(),
        }))
    }
}

#[derive(Debug)]
struct ByAccumulator {
    max: bool,
    /// (x, y) of the best row so far.
    best: Option<(ScalarValue, ScalarValue)>,
    x_type: DataType,
    y_type: DataType,
}

impl ByAccumulator {
    /// Takes the best row of `xs`/`ys` (the arguments, or partial states alike).
    fn offer(&mut self, xs: &ArrayRef, ys: &ArrayRef) -> Result<()> {
        if ys.null_count() == ys.len() {
            return Ok(());
        }
        let options = SortOptions {
            descending: self.max,
            nulls_first: false,
        };
        let top = sort_to_indices(ys, Some(options), Some(1))?;
        if top.is_empty() {
            return Ok(());
        }
        let i = top.value(0) as usize;
        let y = ScalarValue::try_from_array(ys, i)?;
        let better = match &self.best {
            None => true,
            Some((_, best)) => match y.partial_cmp(best) {
                Some(std::cmp::Ordering::Greater) => self.max,
                Some(std::cmp::Ordering::Less) => !self.max,
                _ => false,
            },
        };
        if better {
            self.best = Some((ScalarValue::try_from_array(xs, i)?, y));
        }
        Ok(())
    }
}

impl Accumulator for ByAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        match values {
            [xs, ys] => self.offer(xs, ys),
            _ => exec_err!("max_by/min_by take two arguments"),
        }
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.update_batch(states)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(match &self.best {
            Some((x, y)) => vec![x.clone(), y.clone()],
            None => vec![
                ScalarValue::try_from(&self.x_type)?,
                ScalarValue::try_from(&self.y_type)?,
            ],
        })
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        match &self.best {
            Some((x, _)) => Ok(x.clone()),
            None => ScalarValue::try_from(&self.x_type),
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.best.as_ref().map_or(0, |(x, y)| x.size() + y.size())
    }
}

/// Trino's names for DataFusion aggregates of the same meaning: `arbitrary` is
/// `any_value` (a non-null value of the group), `approx_percentile(x, p)` is
/// `approx_percentile_cont(x, p)`, `every` is `bool_and`.
pub(super) const AGGREGATE_ALIASES: &[(&str, &str)] = &[
    ("any_value", "arbitrary"),
    ("approx_percentile_cont", "approx_percentile"),
    ("bool_and", "every"),
];
