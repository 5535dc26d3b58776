//! `array_agg(x ORDER BY ...)` grouped without a value object per row.
//!
//! Every detection lists its evidence as `array_agg(eventid ORDER BY eventtime,
//! eventid)`. DataFusion 55 runs an ordered `array_agg` through its row-at-a-time
//! accumulator, which turns each value and each ordering key into a `ScalarValue`:
//! on a hunt whose findings name 444k events that was two thirds of a detection's
//! time and most of its memory. This `array_agg` is DataFusion's in every other
//! respect; only the grouped, ordered, non-DISTINCT form runs here. It keeps the
//! input arrays, remembers which rows each group took, and sorts each group once on
//! Arrow's row encoding of its ordering keys when the group is emitted.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, ListArray, StructArray, new_empty_array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::interleave;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::arrow::row::{RowConverter, Rows, SortField};
use datafusion::common::{Result, exec_err, internal_err};
use datafusion::functions_aggregate::array_agg::ArrayAgg;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, EmitTo, GroupsAccumulator,
    ReversedUDAF, Signature,
};

/// DataFusion's `array_agg`, with the grouped ordered form below.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct OrderedArrayAgg {
    inner: ArrayAgg,
}

pub(super) fn array_agg_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(OrderedArrayAgg::default())
}

/// The grouped form handles this call: ordered, every row kept (nulls too), not
/// DISTINCT.
fn grouped_ordered(args: &AccumulatorArgs) -> bool {
    !args.is_distinct && !args.order_bys.is_empty() && !args.ignore_nulls && !args.is_reversed
}

impl AggregateUDFImpl for OrderedArrayAgg {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.inner.state_fields(args)
    }

    /// Both forms sort what they hold, so any input order gives the right answer;
    /// DataFusion then adds no sort of its own under the aggregate.
    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::Beneficial
    }

    fn with_beneficial_ordering(
        self: Arc<Self>,
        _beneficial_ordering: bool,
    ) -> Result<Option<Arc<dyn AggregateUDFImpl>>> {
        // Kept as it is: DataFusion's row form, made here without the flag, sorts
        // whatever it is given.
        Ok(Some(self))
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        self.inner.accumulator(acc_args)
    }

    /// Not reversed: DataFusion's reverse is its own `array_agg`, which would take
    /// the aggregate back from this one.
    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::NotSupported
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        grouped_ordered(&args) || self.inner.groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        if !grouped_ordered(&args) {
            return self.inner.create_groups_accumulator(args);
        }
        let value_type = args.expr_fields[0].data_type().clone();
        let ordering_types = args
            .order_bys
            .iter()
            .map(|e| e.expr.data_type(args.schema))
            .collect::<Result<Vec<_>>>()?;
        // As DataFusion names the fields of the ordering keys in the state.
        let ordering_fields: Fields = args
            .order_bys
            .iter()
            .zip(&ordering_types)
            .map(|(e, t)| Field::new(e.expr.to_string(), t.clone(), true))
            .collect();
        let converter = RowConverter::new(
            args.order_bys
                .iter()
                .zip(&ordering_types)
                .map(|(e, t)| SortField::new_with_options(t.clone(), e.options))
                .collect(),
        )?;
        Ok(Box::new(OrderedGroups {
            item: Arc::new(Field::new_list_field(value_type, true)),
            ordering_item: Arc::new(Field::new_list_field(
                DataType::Struct(ordering_fields.clone()),
                true,
            )),
            ordering_fields,
            converter,
            kept: Vec::new(),
            groups: Vec::new(),
        }))
    }

    fn supports_null_handling_clause(&self) -> bool {
        self.inner.supports_null_handling_clause()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// Input a group's rows point into: the values, the ordering keys, and the keys in
/// Arrow's row encoding (compared as bytes).
struct Kept {
    values: ArrayRef,
    orderings: Vec<ArrayRef>,
    rows: Rows,
}

/// One value a group took: which kept input, its row among the values and among
/// the ordering keys (the two differ in a merged state's lists).
#[derive(Clone, Copy)]
struct Entry {
    kept: u32,
    value: u32,
    ordering: u32,
}

struct OrderedGroups {
    item: FieldRef,
    ordering_item: FieldRef,
    ordering_fields: Fields,
    converter: RowConverter,
    kept: Vec<Kept>,
    groups: Vec<Vec<Entry>>,
}

fn index(n: usize) -> Result<u32> {
    match u32::try_from(n) {
        Ok(i) => Ok(i),
        Err(_) => exec_err!("array_agg: more than 2^32 rows in one aggregate"),
    }
}

impl OrderedGroups {
    fn keep(&mut self, values: ArrayRef, orderings: Vec<ArrayRef>) -> Result<u32> {
        let rows = self.converter.convert_columns(&orderings)?;
        let i = index(self.kept.len())?;
        self.kept.push(Kept {
            values,
            orderings,
            rows,
        });
        Ok(i)
    }

    /// The groups `emit_to` names, each sorted on its ordering keys (ties keep the
    /// order the rows came in). Input no group points into any more is let go.
    fn take(&mut self, emit_to: EmitTo) -> Vec<Vec<Entry>> {
        let mut taken = emit_to.take_needed(&mut self.groups);
        for g in &mut taken {
            let kept = &self.kept;
            g.sort_by(|a, b| {
                let (ra, rb) = (
                    kept[a.kept as usize].rows.row(a.ordering as usize),
                    kept[b.kept as usize].rows.row(b.ordering as usize),
                );
                ra.cmp(&rb)
            });
        }
        taken
    }

    fn release_if_done(&mut self) {
        if self.groups.iter().all(Vec::is_empty) {
            self.groups.clear();
            self.kept.clear();
        }
    }

    /// One list per group of `pick(kept)` at the rows `at(entry)` names. A group that
    /// took no row gets NULL where `null_if_empty` (as DataFusion's `array_agg`
    /// gives), an empty list otherwise (the ordering keys' state is not nullable).
    fn lists(
        &self,
        groups: &[Vec<Entry>],
        item: &FieldRef,
        null_if_empty: bool,
        pick: impl Fn(&Kept) -> Result<ArrayRef>,
        at: impl Fn(&Entry) -> u32,
    ) -> Result<ListArray> {
        let sources: Vec<ArrayRef> = self.kept.iter().map(&pick).collect::<Result<_>>()?;
        let refs: Vec<&dyn Array> = sources.iter().map(|a| a.as_ref()).collect();
        let indices: Vec<(usize, usize)> = groups
            .iter()
            .flatten()
            .map(|e| (e.kept as usize, at(e) as usize))
            .collect();
        let values = if indices.is_empty() {
            new_empty_array(item.data_type())
        } else {
            interleave(&refs, &indices)?
        };
        let offsets = OffsetBuffer::from_lengths(groups.iter().map(Vec::len));
        let nulls =
            null_if_empty.then(|| NullBuffer::from_iter(groups.iter().map(|g| !g.is_empty())));
        Ok(ListArray::try_new(item.clone(), offsets, values, nulls)?)
    }

    fn value_lists(&self, groups: &[Vec<Entry>]) -> Result<ListArray> {
        self.lists(
            groups,
            &self.item,
            true,
            |k| Ok(k.values.clone()),
            |e| e.value,
        )
    }

    fn ordering_lists(&self, groups: &[Vec<Entry>]) -> Result<ListArray> {
        let fields = self.ordering_fields.clone();
        self.lists(
            groups,
            &self.ordering_item,
            false,
            |k| {
                Ok(Arc::new(StructArray::try_new(
                    fields.clone(),
                    k.orderings.clone(),
                    None,
                )?) as ArrayRef)
            },
            |e| e.ordering,
        )
    }
}

fn passes(filter: Option<&BooleanArray>, i: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(i) && f.value(i))
}

impl GroupsAccumulator for OrderedGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let [value, orderings @ ..] = values else {
            return internal_err!("array_agg: no argument");
        };
        if orderings.len() != self.ordering_fields.len() {
            return internal_err!("array_agg: ordering keys missing from the input");
        }
        self.groups.resize_with(total_num_groups, Vec::new);
        let kept = self.keep(value.clone(), orderings.to_vec())?;
        for (row, &g) in group_indices.iter().enumerate() {
            if passes(opt_filter, row) {
                let r = index(row)?;
                self.groups[g].push(Entry {
                    kept,
                    value: r,
                    ordering: r,
                });
            }
        }
        Ok(())
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let [lists, ordering_lists] = values else {
            return internal_err!("array_agg: a state of {} columns, not 2", values.len());
        };
        let (lists, ordering_lists) = (lists.as_list::<i32>(), ordering_lists.as_list::<i32>());
        let Some(keys) = ordering_lists.values().as_struct_opt() else {
            return internal_err!("array_agg: the ordering state is not a list of structs");
        };
        self.groups.resize_with(total_num_groups, Vec::new);
        let kept = self.keep(lists.values().clone(), keys.columns().to_vec())?;
        let (vo, oo) = (lists.value_offsets(), ordering_lists.value_offsets());
        for (row, &g) in group_indices.iter().enumerate() {
            if lists.is_null(row) {
                continue;
            }
            let (v0, v1) = (vo[row] as usize, vo[row + 1] as usize);
            let o0 = oo[row] as usize;
            if oo[row + 1] as usize - o0 != v1 - v0 {
                return internal_err!("array_agg: values and ordering keys differ in length");
            }
            for k in 0..(v1 - v0) {
                self.groups[g].push(Entry {
                    kept,
                    value: index(v0 + k)?,
                    ordering: index(o0 + k)?,
                });
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = self.take(emit_to);
        let out = self.value_lists(&groups)?;
        self.release_if_done();
        Ok(Arc::new(out))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = self.take(emit_to);
        let values = self.value_lists(&groups)?;
        let orderings = self.ordering_lists(&groups)?;
        self.release_if_done();
        Ok(vec![Arc::new(values), Arc::new(orderings)])
    }

    /// Each row as a state of its own: a one-value list (NULL where filtered out).
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let [value, orderings @ ..] = values else {
            return internal_err!("array_agg: no argument");
        };
        let keys = StructArray::try_new(self.ordering_fields.clone(), orderings.to_vec(), None)?;
        let nulls = NullBuffer::from_iter((0..value.len()).map(|i| passes(opt_filter, i)));
        // A filtered-out row: a NULL list of values and no ordering keys.
        let kept: Vec<usize> = (0..value.len())
            .map(|i| usize::from(passes(opt_filter, i)))
            .collect();
        let take_kept = |a: &ArrayRef| -> Result<ArrayRef> {
            match opt_filter {
                None => Ok(a.clone()),
                Some(_) => {
                    let keep = BooleanArray::from_iter(kept.iter().map(|k| Some(*k == 1)));
                    Ok(datafusion::arrow::compute::filter(a, &keep)?)
                }
            }
        };
        let values = ListArray::try_new(
            self.item.clone(),
            OffsetBuffer::from_lengths(kept.iter().copied()),
            take_kept(value)?,
            Some(nulls),
        )?;
        let keys = ListArray::try_new(
            self.ordering_item.clone(),
            OffsetBuffer::from_lengths(kept.iter().copied()),
            take_kept(&(Arc::new(keys) as ArrayRef))?,
            None,
        )?;
        Ok(vec![Arc::new(values), Arc::new(keys)])
    }

    fn size(&self) -> usize {
        let kept: usize = self
            .kept
            .iter()
            .map(|k| {
                // The slices' own bytes: inputs are often slices of one larger batch.
                let bytes = |a: &ArrayRef| a.to_data().get_slice_memory_size().unwrap_or_default();
                bytes(&k.values) + k.orderings.iter().map(bytes).sum::<usize>() + k.rows.size()
            })
            .sum();
        let entries: usize = self
            .groups
            .iter()
            .map(|g| g.capacity() * std::mem::size_of::<Entry>())
            .sum();
        kept + entries + self.groups.capacity() * std::mem::size_of::<Vec<Entry>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::datasource::MemTable;
    use datafusion::execution::config::SessionConfig;
    use datafusion::prelude::SessionContext;

    /// Four partitions of rows in no order: group `g`, time `t` (with ties), id
    /// `id`, value `v` (some NULL).
    fn table() -> MemTable {
        let schema = Arc::new(Schema::new(vec![
            Field::new("g", DataType::Int64, true),
            Field::new("t", DataType::Int64, true),
            Field::new("id", DataType::Utf8, true),
            Field::new("v", DataType::Utf8, true),
        ]));
        let partitions = (0..4)
            .map(|p| {
                let rows = 0..700i64;
                let n = |i: i64| (i * 7919 + p * 104_729) % 1_000;
                let g: Int64Array = rows
                    .clone()
                    .map(|i| (n(i) % 37 != 0).then_some(n(i) % 23))
                    .collect();
                let t: Int64Array = rows
                    .clone()
                    .map(|i| (n(i) % 29 != 0).then_some(n(i) % 50))
                    .collect();
                let id: StringArray = rows.clone().map(|i| Some(format!("e{p}-{i:04}"))).collect();
                let v: StringArray = rows
                    .map(|i| (n(i) % 11 != 0).then(|| format!("v{}", n(i))))
                    .collect();
                let batch = RecordBatch::try_new(
                    schema.clone(),
                    vec![Arc::new(g), Arc::new(t), Arc::new(id), Arc::new(v)],
                )
                .unwrap();
                // Two batches per partition: states merge across batches too.
                vec![batch.slice(0, 300), batch.slice(300, 400)]
            })
            .collect();
        MemTable::try_new(schema, partitions).unwrap()
    }

    async fn answer(ctx: &SessionContext, sql: &str) -> String {
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        pretty_format_batches(&batches).unwrap().to_string()
    }

    /// `skip_partial`: the first aggregation stage turns rows straight into states
    /// after a few rows (`convert_to_state`), as it does on many distinct groups.
    fn session(ours: bool, skip_partial: bool) -> SessionContext {
        let mut config = SessionConfig::new().with_target_partitions(3);
        if skip_partial {
            let options = &mut config.options_mut().execution;
            options.skip_partial_aggregation_probe_rows_threshold = 10;
            options.skip_partial_aggregation_probe_ratio_threshold = 0.0;
        }
        let ctx = SessionContext::new_with_config(config);
        ctx.register_table("t", Arc::new(table())).unwrap();
        if ours {
            ctx.register_udaf(array_agg_udaf());
        }
        ctx
    }

    #[tokio::test]
    async fn grouped_ordered_answers_as_datafusion_does() {
        for skip_partial in [false, true] {
            compare(skip_partial).await;
        }
    }

    async fn compare(skip_partial: bool) {
        let (theirs, ours) = (session(false, skip_partial), session(true, skip_partial));
        for sql in [
            "SELECT g, array_agg(id ORDER BY t, id) AS ids FROM t GROUP BY g ORDER BY g",
            "SELECT g, array_agg(v ORDER BY t DESC NULLS LAST, id) AS vs FROM t GROUP BY g ORDER BY g",
            "SELECT g, array_agg(v ORDER BY v NULLS FIRST, id DESC) AS vs, count(*) AS n \
             FROM t GROUP BY g ORDER BY g",
            // FILTER leaves some groups with no value: NULL, not an empty list.
            "SELECT g, array_agg(id ORDER BY t, id) FILTER (WHERE t > 45) AS late \
             FROM t GROUP BY g ORDER BY g",
            // Grouped twice: the second aggregate merges states of the first.
            "SELECT g % 3 AS h, array_agg(id ORDER BY t, id) AS ids FROM t GROUP BY g % 3 ORDER BY h",
            // The forms it leaves to DataFusion.
            "SELECT g, array_agg(DISTINCT v ORDER BY v) AS vs FROM t GROUP BY g ORDER BY g",
            "SELECT g, array_agg(v ORDER BY t, id) IGNORE NULLS AS vs FROM t GROUP BY g ORDER BY g",
            "SELECT array_agg(id ORDER BY t, id) AS ids FROM t WHERE g = 5",
            // Many groups of few rows.
            "SELECT v, array_agg(id ORDER BY t DESC, id) FILTER (WHERE g > 3) AS ids              FROM t GROUP BY v ORDER BY v",
        ] {
            let expected = answer(&theirs, sql).await;
            assert!(expected.lines().count() > 4, "{sql}: {expected}");
            assert_eq!(
                answer(&ours, sql).await,
                expected,
                "{sql} (skip_partial {skip_partial})"
            );
        }
    }

    #[tokio::test]
    async fn the_grouped_form_is_the_one_that_runs() {
        let plan = session(true, false)
            .sql("EXPLAIN SELECT g, array_agg(id ORDER BY t, id) FROM t GROUP BY g")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let plan = pretty_format_batches(&plan).unwrap().to_string();
        // Beneficial, not required: no sort under the aggregate.
        assert!(!plan.contains("SortExec"), "{plan}");
        assert_eq!(OrderedArrayAgg::default().name(), "array_agg");
    }
}
