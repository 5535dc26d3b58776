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
    match opts.format {
        Format::Table if opts.expanded == Expanded::On => expanded(schema, batches, opts),
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
            let text = format!("{table}\n{}", footer(rows.len(), total));
            let too_wide = |w: usize| text.lines().any(|l| l.chars().count() > w);
            if opts.expanded == Expanded::Auto && opts.width.is_some_and(too_wide) {
                return expanded(schema, batches, opts);
            }
            Ok(text)
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

/// One field per line, a block per row.
fn expanded(schema: &SchemaRef, batches: &[RecordBatch], opts: &PrintOptions) -> Result<String> {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::StringArray;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;

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
