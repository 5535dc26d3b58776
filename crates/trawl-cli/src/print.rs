//! Rendering result batches: table (readable with wide JSON cells), expanded
//! (one field per line), CSV with a header, JSON, NDJSON, Markdown.

use std::fmt::Write as _;

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
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
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Markdown => "markdown",
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
    pub expanded: bool,
    /// Longest cell shown in table output; longer cells are cut with `…`.
    pub max_cell: usize,
}

impl Default for PrintOptions {
    fn default() -> Self {
        Self {
            format: Format::Table,
            maxrows: Some(40),
            expanded: false,
            max_cell: 60,
        }
    }
}

fn cell_strings(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    limit: Option<usize>,
) -> Result<(Vec<String>, Vec<Vec<String>>, usize)> {
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
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
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
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
    match opts.format {
        Format::Table if opts.expanded => {
            let (header, rows, total) = cell_strings(schema, batches, opts.maxrows)?;
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
        Format::Table => {
            let (header, rows, total) = cell_strings(schema, batches, opts.maxrows)?;
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled);
            table.set_header(header);
            for row in &rows {
                table.add_row(row.iter().map(|c| cut(c, opts.max_cell)));
            }
            Ok(format!("{table}\n{}", footer(rows.len(), total)))
        }
        Format::Markdown => {
            let (header, rows, total) = cell_strings(schema, batches, opts.maxrows)?;
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
            let mut buf = Vec::new();
            {
                let mut w = datafusion::arrow::json::ArrayWriter::new(&mut buf);
                for b in batches {
                    w.write(b)?;
                }
                w.finish()?;
            }
            let mut s = String::from_utf8(buf)?;
            if s.is_empty() {
                s.push_str("[]");
            }
            s.push('\n');
            Ok(s)
        }
        Format::Ndjson => {
            let mut buf = Vec::new();
            {
                let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut buf);
                for b in batches {
                    w.write(b)?;
                }
                w.finish()?;
            }
            Ok(String::from_utf8(buf)?)
        }
    }
}
