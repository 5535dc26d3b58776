//! Rendering result batches: table (readable with wide JSON cells), expanded
//! (one field per line), CSV with a header, JSON, NDJSON, Markdown.
//!
//! Every format goes through [`printable`] first: timestamps get one spelling, and the
//! text formats get every column as text (nested values as JSON), so no writer ever
//! meets a type it refuses.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Result, anyhow};
use comfy_table::{ContentArrangement, Table, presets};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::arrow::json::writer::{
    EncoderOptions, JsonArray, JsonFormat, LineDelimited, WriterBuilder, make_encoder,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

/// Output formats (`--format`, `\format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    #[value(alias = "jsonl")]
    Ndjson,
    #[value(alias = "md")]
    Markdown,
    /// A page of its own: the result as a table, and bars when it has a label and
    /// a number column.
    Html,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Markdown => "markdown",
            Self::Html => "html",
        })
    }
}

/// Expanded output (`\x`): one field per line, always, never, or when a row does
/// not fit the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expanded {
    Off,
    On,
    Auto,
}

impl std::fmt::Display for Expanded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Off => "off",
            Self::On => "on",
            Self::Auto => "auto",
        })
    }
}

/// How results are printed.
#[derive(Debug, Clone)]
pub struct PrintOptions {
    pub format: Format,
    /// Rows shown in table and markdown output (`None`: all).
    pub maxrows: Option<usize>,
    /// One field per line, for wide rows (table format).
    pub expanded: Expanded,
    /// Longest cell shown in table output; longer cells are cut with `…`.
    pub max_cell: usize,
    /// The terminal's width, when output goes to one (for `\x auto`).
    pub width: Option<usize>,
}

impl Default for PrintOptions {
    fn default() -> Self {
        Self {
            format: Format::Table,
            maxrows: Some(40),
            expanded: Expanded::Off,
            max_cell: 60,
            width: None,
        }
    }
}

/// The one spelling of a timestamp in every format: ISO 8601 in UTC with a `Z`, and
/// fractional seconds only when there are some (as CloudTrail writes `eventTime`).
/// Timestamps without a zone are UTC in trawl's sessions, so they are spelled alike.
const TIMESTAMP: &str = "%Y-%m-%dT%H:%M:%S%.fZ";

/// Formatting of scalar cells in the text formats.
fn cell_options() -> FormatOptions<'static> {
    FormatOptions::default()
        .with_timestamp_format(Some(TIMESTAMP))
        .with_timestamp_tz_format(Some(TIMESTAMP))
}

/// The JSON spelling of values, shared by the JSON formats and the JSON text of nested
/// cells, so a struct reads the same in a CSV cell as in `--format json`.
fn json_options() -> EncoderOptions {
    EncoderOptions::default()
        .with_timestamp_format(TIMESTAMP.to_string())
        .with_timestamp_tz_format(TIMESTAMP.to_string())
}

fn is_nested(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Struct(_)
            | DataType::List(_)
            | DataType::LargeList(_)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
            | DataType::FixedSizeList(..)
            | DataType::Map(..)
    )
}

/// A short name of a type for error messages: a nested type's full spelling would be
/// the whole schema of a `useridentity` on one line.
fn kind(t: &DataType) -> String {
    match t {
        DataType::Struct(_) => "struct".into(),
        DataType::Map(..) => "map".into(),
        DataType::Union(..) => "union".into(),
        t if is_nested(t) => "list".into(),
        t => t.to_string(),
    }
}

fn with_type(f: &Field, t: DataType) -> Field {
    f.clone().with_data_type(t)
}

/// `t` with every timestamp in it moved to UTC (the same instants), so the one format
/// string spells them all: a zone-aware `+02:00` value would otherwise print a false `Z`.
fn in_utc(t: &DataType) -> DataType {
    let inner = |f: &FieldRef| Arc::new(with_type(f, in_utc(f.data_type())));
    match t {
        DataType::Timestamp(unit, _) => DataType::Timestamp(*unit, Some("UTC".into())),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(inner).collect()),
        DataType::List(f) => DataType::List(inner(f)),
        DataType::LargeList(f) => DataType::LargeList(inner(f)),
        DataType::FixedSizeList(f, n) => DataType::FixedSizeList(inner(f), *n),
        DataType::Map(f, sorted) => DataType::Map(inner(f), *sorted),
        t => t.clone(),
    }
}

/// The error for a column a format cannot print: one line, without Arrow's spelling of
/// the type (for a struct, its whole field list).
fn refused(field: &Field, format: Format) -> anyhow::Error {
    anyhow!(
        "column `{}` ({}) cannot be printed as {format}",
        field.name(),
        kind(field.data_type())
    )
}

/// What a format can print: the column of `field`, its timestamps moved to UTC, and for
/// the text formats (`text`) turned into text, nested values as JSON.
fn printable_column(field: &Field, column: &ArrayRef, format: Format) -> Result<ArrayRef> {
    let refused = |_| refused(field, format);
    let utc = in_utc(column.data_type());
    let column = if &utc == column.data_type() {
        column.clone()
    } else {
        cast(column, &utc).map_err(refused)?
    };
    let text = matches!(
        format,
        Format::Table | Format::Csv | Format::Markdown | Format::Html
    );
    if !text || matches!(column.data_type(), DataType::Utf8) {
        return Ok(column);
    }
    if is_nested(column.data_type()) {
        let field = Arc::new(with_type(field, column.data_type().clone()));
        return trawl_engine::functions::values_as_json_text(
            &field,
            column.as_ref(),
            &json_options(),
        )
        .map_err(refused);
    }
    let mut out = StringBuilder::with_capacity(column.len(), column.len() * 16);
    let options = cell_options();
    let formatter = ArrayFormatter::try_new(column.as_ref(), &options).map_err(refused)?;
    for i in 0..column.len() {
        if column.is_null(i) {
            out.append_null();
        } else {
            out.append_value(formatter.value(i).to_string());
        }
    }
    Ok(Arc::new(out.finish()))
}

/// The one place every format goes through: the schema and batches as `format` prints
/// them. An error names the column and the format, in one line.
fn printable(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: Format,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let probe = RecordBatch::new_empty(schema.clone());
    let target = |columns: &[ArrayRef]| -> Schema {
        Schema::new_with_metadata(
            schema
                .fields()
                .iter()
                .zip(columns)
                .map(|(f, c)| with_type(f, c.data_type().clone()))
                .collect::<Vec<_>>(),
            schema.metadata().clone(),
        )
    };
    let convert = |b: &RecordBatch| -> Result<Vec<ArrayRef>> {
        schema
            .fields()
            .iter()
            .zip(b.columns())
            .map(|(f, c)| printable_column(f, c, format))
            .collect()
    };
    // The schema comes from converting an empty batch, so an empty result has one too.
    let out_schema = Arc::new(target(&convert(&probe)?));
    let batches = batches
        .iter()
        .map(|b| {
            let columns = convert(b)?;
            RecordBatch::try_new(out_schema.clone(), columns).map_err(|e| anyhow!("{e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    if !matches!(format, Format::Json | Format::Ndjson) {
        return Ok((out_schema, batches));
    }
    // The JSON writers refuse some types only when they meet them; ask first, naming
    // the column.
    for (f, c) in out_schema.fields().iter().zip(
        batches
            .first()
            .map(|b| b.columns().to_vec())
            .unwrap_or_default(),
    ) {
        make_encoder(f, c.as_ref(), &json_options()).map_err(|_| refused(f, format))?;
    }
    Ok((out_schema, batches))
}

/// JSON text of all batches, as an array or one object per line.
fn json_text<F: JsonFormat>(batches: &[RecordBatch]) -> Result<String> {
    let mut buf = Vec::new();
    {
        let mut w = WriterBuilder::new()
            .with_timestamp_format(TIMESTAMP.to_string())
            .with_timestamp_tz_format(TIMESTAMP.to_string())
            .build::<_, F>(&mut buf);
        for b in batches {
            w.write(b)?;
        }
        w.finish()?;
    }
    Ok(String::from_utf8(buf)?)
}

/// The first `limit` rows: the table and Markdown show no more, so no more are
/// turned into text.
fn head(batches: &[RecordBatch], limit: Option<usize>) -> Vec<RecordBatch> {
    let Some(mut left) = limit else {
        return batches.to_vec();
    };
    let mut out = Vec::new();
    for b in batches {
        if left == 0 {
            break;
        }
        let n = b.num_rows().min(left);
        out.push(b.slice(0, n));
        left -= n;
    }
    out
}

/// Header, cells of the first `limit` rows, and the row count `total` of the result.
fn cell_strings(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    limit: Option<usize>,
    total: usize,
) -> Result<(Vec<String>, Vec<Vec<String>>, usize)> {
    let header = schema.fields().iter().map(|f| f.name().clone()).collect();
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    'outer: for b in batches {
        let formatters = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for i in 0..b.num_rows() {
            if limit.is_some_and(|l| rows.len() >= l) {
                break 'outer;
            }
            rows.push(formatters.iter().map(|f| f.value(i).to_string()).collect());
        }
    }
    Ok((header, rows, total))
}

fn cut(s: &str, max: usize) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() <= max {
        s
    } else if let Some(arn) = cut_arn(&s, max) {
        arn
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// An ARN too long for its cell, cut in the middle: what tells two ARNs apart is the
/// account (after the fifth `:`) and the name at the end, not the path between.
fn cut_arn(s: &str, max: usize) -> Option<String> {
    if !s.starts_with("arn:") {
        return None;
    }
    let head_end = s.match_indices(':').nth(4)?.0 + 1;
    let head = &s[..head_end];
    let head_len = head.chars().count();
    // Room for the `…` and a useful part of the name, or cut the plain way.
    if head_len + 1 + 8 > max {
        return None;
    }
    let tail_len = max - head_len - 1;
    let rest: Vec<char> = s[head_end..].chars().collect();
    let tail: String = rest[rest.len().saturating_sub(tail_len)..].iter().collect();
    Some(format!("{head}…{tail}"))
}

fn footer(shown: usize, total: usize) -> String {
    if shown < total {
        format!("{total} rows ({shown} shown; \\maxrows or --maxrows to see more)\n")
    } else if total == 1 {
        "1 row\n".to_string()
    } else {
        format!("{total} rows\n")
    }
}

/// Renders batches as text in the chosen format.
pub fn render(schema: &SchemaRef, batches: &[RecordBatch], opts: &PrintOptions) -> Result<String> {
    let total = batches.iter().map(RecordBatch::num_rows).sum();
    let shown = match opts.format {
        Format::Table | Format::Markdown => head(batches, opts.maxrows),
        Format::Csv | Format::Json | Format::Ndjson | Format::Html => batches.to_vec(),
    };
    let (schema, batches) = printable(schema, &shown, opts.format)?;
    let (schema, batches) = (&schema, batches.as_slice());
    match opts.format {
        Format::Table if opts.expanded == Expanded::On => expanded(schema, batches, opts, total),
        Format::Table => {
            let (header, rows, total) = cell_strings(schema, batches, opts.maxrows, total)?;
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled);
            table.set_header(header);
            for row in &rows {
                table.add_row(row.iter().map(|c| cut(c, opts.max_cell)));
            }
            let text = format!("{table}\n{}", footer(rows.len(), total));
            let too_wide = |w: usize| text.lines().any(|l| l.chars().count() > w);
            if opts.expanded == Expanded::Auto && opts.width.is_some_and(too_wide) {
                return expanded(schema, batches, opts, total);
            }
            Ok(text)
        }
        Format::Markdown => {
            let (header, rows, total) = cell_strings(schema, batches, opts.maxrows, total)?;
            let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
            let mut out = format!(
                "| {} |\n|{}|\n",
                header
                    .iter()
                    .map(|h| esc(h))
                    .collect::<Vec<_>>()
                    .join(" | "),
                vec!["---"; header.len()].join("|")
            );
            for row in &rows {
                let _ = writeln!(
                    out,
                    "| {} |",
                    row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                );
            }
            if rows.len() < total {
                let _ = writeln!(out, "\n{}", footer(rows.len(), total).trim_end());
            }
            Ok(out)
        }
        Format::Csv => {
            let mut buf = Vec::new();
            {
                let mut w = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buf);
                // An empty result still has a header row.
                w.write(&RecordBatch::new_empty(schema.clone()))?;
                for b in batches {
                    w.write(b)?;
                }
            }
            Ok(String::from_utf8(buf)?)
        }
        Format::Json => {
            let mut s = json_text::<JsonArray>(batches)?;
            if s.is_empty() {
                s.push_str("[]");
            }
            s.push('\n');
            Ok(s)
        }
        Format::Ndjson => json_text::<LineDelimited>(batches),
        Format::Html => {
            let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let mut rows = Vec::with_capacity(total);
            for b in batches {
                let formatters = b
                    .columns()
                    .iter()
                    .map(|c| ArrayFormatter::try_new(c.as_ref(), &FormatOptions::default()))
                    .collect::<Result<Vec<_>, _>>()?;
                for i in 0..b.num_rows() {
                    rows.push(
                        b.columns()
                            .iter()
                            .zip(&formatters)
                            .map(|(c, f)| (!c.is_null(i)).then(|| f.value(i).to_string()))
                            .collect(),
                    );
                }
            }
            Ok(trawl_report::result_page(
                "trawl sql result",
                &header,
                &rows,
            ))
        }
    }
}

/// Rows drawn as bars by `\chart`; a longer result is drawn as a sparkline.
const CHART_BARS: usize = 40;

/// The last result as a terminal chart (`\chart`): bars of its first number column,
/// labelled by its first other column; past [`CHART_BARS`] rows, or without a label
/// column, a sparkline of the numbers in row order.
pub fn terminal_chart(schema: &SchemaRef, batches: &[RecordBatch], width: usize) -> Result<String> {
    let (schema, batches) = printable(schema, batches, Format::Csv)?;
    let total = batches.iter().map(RecordBatch::num_rows).sum();
    let (header, rows, _) = cell_strings(&schema, &batches, None, total)?;
    let number = |v: &str| v.trim().parse::<f64>().ok().filter(|f| f.is_finite());
    let numeric = |c: usize| {
        rows.iter().any(|r| r[c] != "NULL")
            && rows
                .iter()
                .all(|r| r[c] == "NULL" || number(&r[c]).is_some())
    };
    let Some(value) = (0..header.len()).find(|c| numeric(*c)) else {
        return Err(anyhow!(
            "\\chart needs a number column in the last result (it has {})",
            header.join(", ")
        ));
    };
    let values: Vec<f64> = rows
        .iter()
        .map(|r| number(&r[value]).unwrap_or(0.0))
        .collect();
    let label = (0..header.len()).find(|c| *c != value && !numeric(*c));
    let mut out = String::new();
    match label {
        Some(label) if rows.len() <= CHART_BARS => {
            let labels: Vec<String> = rows.iter().map(|r| cut(&r[label], 40)).collect();
            let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            let value_w = rows.iter().map(|r| r[value].len()).max().unwrap_or(0);
            let room = width.saturating_sub(label_w + value_w + 4).max(10);
            let max = values.iter().copied().fold(0.0, f64::max);
            let _ = writeln!(out, "{} by {}", header[value], header[label]);
            for ((l, v), r) in labels.iter().zip(&values).zip(&rows) {
                let eighths = if max > 0.0 {
                    (v.max(0.0) / max * room as f64 * 8.0).round() as usize
                } else {
                    0
                };
                let mut bar = "█".repeat(eighths / 8);
                if eighths % 8 > 0 {
                    bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
                }
                let _ = writeln!(out, "{l:>label_w$} │{bar} {}", r[value]);
            }
        }
        _ => {
            let (lo, hi) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                });
            const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
            // Wider than the terminal: each character is the largest of its rows.
            let cols = values.len().min(width.saturating_sub(2).max(10));
            let spark: String = (0..cols)
                .map(|i| {
                    let from = i * values.len() / cols;
                    let to = ((i + 1) * values.len() / cols).max(from + 1);
                    let v = values[from..to]
                        .iter()
                        .copied()
                        .fold(f64::NEG_INFINITY, f64::max);
                    let level = if hi > lo {
                        ((v - lo) / (hi - lo) * 7.0).round() as usize
                    } else {
                        7
                    };
                    LEVELS[level.min(7)]
                })
                .collect();
            let _ = writeln!(
                out,
                "{} over {} rows: min {lo}, max {hi}",
                header[value],
                values.len()
            );
            let _ = writeln!(out, "{spark}");
            if let Some(label) = label
                && let (Some(first), Some(last)) = (rows.first(), rows.last())
            {
                let _ = writeln!(out, "{} .. {}", first[label], last[label]);
            }
        }
    }
    Ok(out)
}

/// One field per line, a block per row.
fn expanded(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    opts: &PrintOptions,
    total: usize,
) -> Result<String> {
    let (header, rows, total) = cell_strings(schema, batches, opts.maxrows, total)?;
    let width = header.iter().map(|h| h.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let _ = writeln!(out, "-[ RECORD {} ]-", n + 1);
        for (h, v) in header.iter().zip(row) {
            let _ = writeln!(out, "{h:<width$} | {v}");
        }
    }
    out.push_str(&footer(rows.len(), total));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    #[test]
    fn chart_draws_bars_by_label_and_a_sparkline_for_long_results() {
        use datafusion::arrow::array::Int64Array;
        let schema = Arc::new(Schema::new(vec![
            Field::new("api", DataType::Utf8, false),
            Field::new("events", DataType::Int64, false),
        ]));
        let batch = |names: Vec<String>, counts: Vec<i64>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(StringArray::from(names)),
                    Arc::new(Int64Array::from(counts)),
                ],
            )
            .unwrap()
        };
        let b = batch(vec!["GetObject".into(), "PutObject".into()], vec![80, 20]);
        let text = terminal_chart(&schema, &[b], 60).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "events by api");
        let full = lines[1].matches('█').count();
        let quarter = lines[2].matches('█').count();
        assert!(
            lines[1].starts_with("GetObject │") && lines[1].ends_with(" 80"),
            "{text}"
        );
        // Bars in proportion: 80 against 20.
        assert!(
            full > 0 && (full as f64 / 4.0 - quarter as f64).abs() <= 1.0,
            "{text}"
        );
        let names: Vec<String> = (0..100).map(|i| format!("h{i}")).collect();
        let b = batch(names, (0..100).collect());
        let text = terminal_chart(&schema, &[b], 60).unwrap();
        assert!(
            text.starts_with("events over 100 rows: min 0, max 99"),
            "{text}"
        );
        let spark = text.lines().nth(1).unwrap();
        assert_eq!(spark.chars().count(), 58);
        assert!(spark.starts_with('▁') && spark.ends_with('█'), "{spark}");
        let words = Arc::new(Schema::new(vec![Field::new("api", DataType::Utf8, false)]));
        let b = RecordBatch::try_new(words.clone(), vec![Arc::new(StringArray::from(vec!["x"]))])
            .unwrap();
        assert!(
            terminal_chart(&words, &[b], 60)
                .unwrap_err()
                .to_string()
                .contains("number column")
        );
    }

    use datafusion::arrow::array::{
        Int32Array, StringArray, StructArray, TimestampMillisecondArray, UnionArray,
    };
    use datafusion::arrow::buffer::ScalarBuffer;
    use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, UnionFields};

    use super::*;

    fn opts(format: Format) -> PrintOptions {
        PrintOptions {
            format,
            ..PrintOptions::default()
        }
    }

    #[test]
    fn timestamps_are_spelled_once_in_utc_top_level_or_nested() {
        // 12:00:00.250 at +02:00 is 10:00:00.250 UTC; whole seconds get no fraction.
        let zoned = TimestampMillisecondArray::from(vec![1_772_359_200_250, 1_772_359_200_000])
            .with_timezone("+02:00");
        let t = Arc::new(zoned) as ArrayRef;
        let inner = Fields::from(vec![Field::new("at", t.data_type().clone(), true)]);
        let nested = StructArray::new(inner.clone(), vec![t.clone()], None);
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", t.data_type().clone(), true),
            Field::new("s", DataType::Struct(inner), true),
        ]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![t, Arc::new(nested) as ArrayRef]).unwrap();
        let csv = render(&schema, std::slice::from_ref(&batch), &opts(Format::Csv)).unwrap();
        assert_eq!(
            csv,
            "t,s\n\
             2026-03-01T10:00:00.250Z,\"{\"\"at\"\":\"\"2026-03-01T10:00:00.250Z\"\"}\"\n\
             2026-03-01T10:00:00Z,\"{\"\"at\"\":\"\"2026-03-01T10:00:00Z\"\"}\"\n"
        );
        let json = render(&schema, std::slice::from_ref(&batch), &opts(Format::Ndjson)).unwrap();
        assert_eq!(
            json.lines().next(),
            Some(r#"{"t":"2026-03-01T10:00:00.250Z","s":{"at":"2026-03-01T10:00:00.250Z"}}"#)
        );
        let table = render(&schema, &[batch], &opts(Format::Table)).unwrap();
        assert!(table.contains("│ 2026-03-01T10:00:00Z "), "{table}");
    }

    #[test]
    fn a_type_a_format_cannot_print_is_one_line_naming_column_and_format() {
        let fields =
            UnionFields::try_new(vec![0], vec![Field::new("a", DataType::Int32, false)]).unwrap();
        let union = UnionArray::try_new(
            fields,
            ScalarBuffer::from(vec![0i8]),
            None,
            vec![Arc::new(Int32Array::from(vec![1])) as ArrayRef],
        )
        .unwrap();
        let schema = Arc::new(Schema::new(vec![Field::new(
            "u",
            union.data_type().clone(),
            false,
        )]));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(union)]).unwrap();
        let err = render(&schema, &[batch], &opts(Format::Json)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `u` (union) cannot be printed as json"
        );
    }

    #[test]
    fn long_arns_keep_their_account_and_name() {
        let arn = "arn:aws:sts::123456789012:assumed-role/OrganizationAccountAccessRole-Long/alice-session";
        let cell = cut(arn, 48);
        assert_eq!(cell.chars().count(), 48);
        assert!(cell.starts_with("arn:aws:sts::123456789012:…"), "{cell}");
        assert!(cell.ends_with("/alice-session"), "{cell}");
        // Short ARNs and other text are cut at the end as before.
        assert_eq!(cut("arn:aws:iam::1:root", 48), "arn:aws:iam::1:root");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn expanded_auto_switches_only_when_a_row_is_too_wide() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Utf8, true),
            Field::new("b", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["x".repeat(30)])),
                Arc::new(StringArray::from(vec!["y".repeat(30)])),
            ],
        )
        .unwrap();
        let opts = |width| PrintOptions {
            expanded: Expanded::Auto,
            width,
            ..PrintOptions::default()
        };
        let wide = render(&schema, std::slice::from_ref(&batch), &opts(Some(200))).unwrap();
        assert!(wide.starts_with('┌'), "{wide}");
        let narrow = render(&schema, std::slice::from_ref(&batch), &opts(Some(40))).unwrap();
        assert!(narrow.starts_with("-[ RECORD 1 ]-"), "{narrow}");
        let unknown = render(&schema, &[batch], &opts(None)).unwrap();
        assert!(unknown.starts_with('┌'), "{unknown}");
    }
}
