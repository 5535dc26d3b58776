//! A lake file's Parquet writer whose columns can be encoded on several threads.
//!
//! `ArrowWriter` encodes a batch's columns one after another on the calling thread,
//! and encoding and compressing are most of a conversion's writing. A chunk of an
//! archive often holds a single day's rows, so writing days side by side left a core
//! idle. [`encode`] splits the work by (file, column) instead: a few threads take
//! those pieces, the heaviest first, and each file then appends its finished column
//! chunks as row groups, in order, so the files are the ones `ArrowWriter` writes.

use std::fs;
use std::ops::Range;
use std::sync::Mutex;

use arrow::array::{Array, RecordBatch};
use arrow::compute::interleave;
use arrow::datatypes::{FieldRef, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use crate::error::{Invariant, Result};

/// A row of a chunk: (batch, row in it).
pub type Picked = (usize, usize);

/// Rows to append to a file, and whether the file closes after them.
pub struct FileRows<'a> {
    pub file: &'a mut LakeFileWriter,
    pub rows: &'a [Picked],
    pub closes: bool,
}

/// Rows moved into one array at a time when picked rows are encoded.
pub const PIECE_ROWS: usize = 8192;

/// A Parquet file being written: its row groups so far, and the one being filled.
pub struct LakeFileWriter {
    writer: SerializedFileWriter<fs::File>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The leaf columns of each top-level field, as a range of leaf numbers.
    leaves: Vec<Range<usize>>,
    /// Leaf writers of the row group being filled.
    in_progress: Option<Vec<ArrowColumnWriter>>,
    buffered_rows: usize,
    group_rows: usize,
}

impl LakeFileWriter {
    /// Row groups are cut at the properties' row count only (the lake sets no byte
    /// limit).
    pub fn try_new(file: fs::File, schema: SchemaRef, props: WriterProperties) -> Result<Self> {
        let group_rows = props.max_row_group_row_count().unwrap_or(usize::MAX).max(1);
        // ArrowWriter's constructor is what puts the Arrow schema in the footer.
        let (writer, factory) =
            ArrowWriter::try_new(file, schema.clone(), Some(props))?.into_serialized_writer()?;
        let descr = writer.schema_descr();
        let mut leaves = vec![0..0; schema.fields().len()];
        for leaf in 0..descr.num_columns() {
            let root = descr.get_column_root_idx(leaf);
            let range = leaves.get_mut(root).ok_or(Invariant::LeafColumns)?;
            // Leaf 0 is the first field's first, so an untouched range ends at 0.
            *range = if range.end == 0 {
                leaf..leaf + 1
            } else {
                range.start..leaf + 1
            };
        }
        Ok(Self {
            writer,
            factory,
            schema,
            leaves,
            in_progress: None,
            buffered_rows: 0,
            group_rows,
        })
    }

    pub fn flushed_row_groups(&self) -> &[RowGroupMetaData] {
        self.writer.flushed_row_groups()
    }

    /// Memory held by the row group being filled (pages and encoders).
    pub fn memory_size(&self) -> usize {
        self.in_progress
            .iter()
            .flatten()
            .map(ArrowColumnWriter::memory_size)
            .sum()
    }

    fn new_writers(&self, ahead: usize) -> Result<Vec<ArrowColumnWriter>> {
        Ok(self
            .factory
            .create_column_writers(self.writer.flushed_row_groups().len() + ahead)?)
    }

    /// Encodes a batch on this thread.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let n = (self.group_rows - self.buffered_rows).min(batch.num_rows() - offset);
            let part = batch.slice(offset, n);
            let mut writers = match self.in_progress.take() {
                Some(w) => w,
                None => self.new_writers(0)?,
            };
            for (f, field) in self.schema.fields().iter().enumerate() {
                let range = self.leaves[f].clone();
                let column = part.column(f);
                write_leaves(field, column, &mut writers[range])?;
            }
            self.in_progress = Some(writers);
            self.buffered_rows += n;
            offset += n;
            if self.buffered_rows >= self.group_rows {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes out the row group being filled, however full.
    pub fn flush(&mut self) -> Result<()> {
        let Some(writers) = self.in_progress.take() else {
            return Ok(());
        };
        let chunks = writers
            .into_iter()
            .map(ArrowColumnWriter::close)
            .collect::<Result<Vec<_>, _>>()?;
        self.append_row_group(chunks)
    }

    fn append_row_group(&mut self, chunks: Vec<ArrowColumnChunk>) -> Result<()> {
        self.buffered_rows = 0;
        let mut group = self.writer.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close()?;
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub fn into_inner(mut self) -> Result<fs::File> {
        self.flush()?;
        Ok(self.writer.into_inner()?)
    }
}

fn write_leaves(
    field: &FieldRef,
    column: &arrow::array::ArrayRef,
    writers: &mut [ArrowColumnWriter],
) -> Result<()> {
    let mut writers = writers.iter_mut();
    for leaf in compute_leaves(field, column)? {
        writers.next().ok_or(Invariant::LeafColumns)?.write(&leaf)?;
    }
    Ok(())
}

/// A stretch of one file's rows that fills (`closes`) or goes on filling one row group.
struct Segment<'a> {
    rows: &'a [Picked],
    closes: bool,
}

/// One field of one file: its leaf writers for each of the file's segments.
struct Unit {
    file: usize,
    field: usize,
    writers: Vec<Vec<ArrowColumnWriter>>,
}

enum Encoded {
    Closed(Vec<ArrowColumnChunk>),
    Open(Vec<ArrowColumnWriter>),
}

/// Appends to each file the rows picked (batch, row) from `batches`, in order, on up
/// to `threads` threads; a file marked to close gets its last row group written out
/// there too, however full.
pub fn encode(files: &mut [FileRows], batches: &[&RecordBatch], threads: usize) -> Result<()> {
    let Some(schema) = files.first().map(|f| f.file.schema.clone()) else {
        return Ok(());
    };
    // Plan each file's segments and hand out its leaf writers by field.
    let mut plans: Vec<Vec<Segment>> = Vec::with_capacity(files.len());
    let mut units = Vec::new();
    for (i, FileRows { file, rows, closes }) in files.iter_mut().enumerate() {
        let mut segments = Vec::new();
        let mut by_field: Vec<Vec<Vec<ArrowColumnWriter>>> =
            (0..schema.fields().len()).map(|_| Vec::new()).collect();
        let mut rest: &[Picked] = rows;
        let mut room = file.group_rows - file.buffered_rows;
        while !rest.is_empty() {
            let n = room.min(rest.len());
            let (part, after) = rest.split_at(n);
            let writers = match file.in_progress.take() {
                Some(w) => w,
                None => file.new_writers(segments.len())?,
            };
            let mut writers = writers.into_iter();
            for (f, range) in file.leaves.iter().enumerate() {
                by_field[f].push(writers.by_ref().take(range.len()).collect());
            }
            rest = after;
            segments.push(Segment {
                rows: part,
                closes: n == room || (rest.is_empty() && *closes),
            });
            room = file.group_rows;
        }
        for (field, writers) in by_field.into_iter().enumerate() {
            if !writers.is_empty() {
                units.push(Unit {
                    file: i,
                    field,
                    writers,
                });
            }
        }
        plans.push(segments);
    }
    // The heaviest first, so no thread is left with a long one at the end.
    let weight: Vec<usize> = (0..schema.fields().len())
        .map(|f| {
            batches
                .iter()
                .map(|b| value_bytes(b.column(f).as_ref()))
                .sum::<usize>()
                / batches.iter().map(|b| b.num_rows()).sum::<usize>().max(1)
        })
        .collect();
    units.sort_by_key(|u| {
        let rows: usize = plans[u.file].iter().map(|s| s.rows.len()).sum();
        std::cmp::Reverse(weight[u.field].max(1) * rows)
    });
    // A unit is taken whole (its writers move into the encoding), hence the slots.
    let slots: Vec<Mutex<Option<Unit>>> = units.into_iter().map(|u| Mutex::new(Some(u))).collect();
    let (plans, schema) = (&plans, &schema);
    let done = trawl_verify::par_map(&slots, threads, |slot| {
        let unit = slot
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .ok_or(Invariant::WriterThread)?;
        let (file, field) = (unit.file, unit.field);
        Ok::<_, crate::error::Error>((
            file,
            field,
            encode_unit(unit, &plans[file], schema, batches)?,
        ))
    });
    let mut results: Vec<Vec<Option<Vec<Encoded>>>> = files
        .iter()
        .map(|f| (0..f.file.leaves.len()).map(|_| None).collect())
        .collect();
    for encoded in done {
        let (file, field, encoded) = encoded?;
        results[file][field] = Some(encoded);
    }
    for (FileRows { file, .. }, (fields, segments)) in
        files.iter_mut().zip(results.into_iter().zip(plans))
    {
        let mut fields: Vec<std::vec::IntoIter<Encoded>> = fields
            .into_iter()
            .map(|e| e.unwrap_or_default().into_iter())
            .collect();
        for segment in segments {
            let mut chunks = Vec::new();
            let mut open = Vec::new();
            for field in fields.iter_mut() {
                match field.next() {
                    Some(Encoded::Closed(c)) => chunks.extend(c),
                    Some(Encoded::Open(w)) => open.extend(w),
                    None => return Err(Invariant::WriterThread.into()),
                }
            }
            if segment.closes {
                file.append_row_group(chunks)?;
            } else {
                file.in_progress = Some(open);
                file.buffered_rows += segment.rows.len();
            }
        }
    }
    Ok(())
}

/// Bytes of an array's values: a string view's own text, not the whole buffers it
/// points into (the raw records a batch's views share).
fn value_bytes(array: &dyn Array) -> usize {
    use arrow::array::AsArray;
    match array.as_string_view_opt() {
        Some(views) => views.views().iter().map(|v| *v as u32 as usize).sum(),
        None => array.get_buffer_memory_size(),
    }
}

/// Encodes one field of one file's rows, segment by segment.
fn encode_unit(
    unit: Unit,
    segments: &[Segment],
    schema: &SchemaRef,
    batches: &[&RecordBatch],
) -> Result<Vec<Encoded>> {
    let field = &schema.fields()[unit.field];
    let arrays: Vec<&dyn Array> = batches
        .iter()
        .map(|b| b.column(unit.field).as_ref())
        .collect();
    let mut out = Vec::with_capacity(segments.len());
    for (segment, mut writers) in segments.iter().zip(unit.writers) {
        for piece in segment.rows.chunks(PIECE_ROWS) {
            let column = interleave(&arrays, piece)?;
            write_leaves(field, &column, &mut writers)?;
        }
        out.push(if segment.closes {
            Encoded::Closed(
                writers
                    .into_iter()
                    .map(ArrowColumnWriter::close)
                    .collect::<Result<Vec<_>, _>>()?,
            )
        } else {
            Encoded::Open(writers)
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, Int32Array, ListArray, StringArray, StringViewArray, StructArray,
    };
    use arrow::compute::interleave_record_batch;
    use arrow::datatypes::{DataType, Field, Fields, Int32Type, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    fn schema() -> SchemaRef {
        let inner = Fields::from(vec![
            Field::new("a", DataType::Utf8, true),
            Field::new("b", DataType::Int32, true),
        ]);
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int32, false),
            Field::new("s", DataType::Struct(inner), true),
            Field::new(
                "l",
                DataType::List(Arc::new(Field::new("item", DataType::Int32, true))),
                true,
            ),
            Field::new("text", DataType::Utf8View, false),
        ]))
    }

    fn batch(schema: &SchemaRef, first: i32, n: i32) -> RecordBatch {
        let ids: Vec<i32> = (first..first + n).collect();
        let a: ArrayRef = Arc::new(StringArray::from_iter(
            ids.iter().map(|i| (i % 3 != 0).then(|| format!("a{i}"))),
        ));
        let b: ArrayRef = Arc::new(Int32Array::from_iter(ids.iter().map(|i| Some(i * 2))));
        let DataType::Struct(fields) = schema.field(1).data_type().clone() else {
            unreachable!("the test schema's second field is a struct")
        };
        let s = StructArray::new(fields, vec![a, b], None);
        let l = ListArray::from_iter_primitive::<Int32Type, _, _>(
            ids.iter()
                .map(|i| (i % 5 != 0).then(|| (0..i % 4).map(Some).collect::<Vec<_>>())),
        );
        let text = StringViewArray::from_iter_values(
            ids.iter()
                .map(|i| format!("{{\"event\":{i},\"pad\":\"{}\"}}", "x".repeat(40))),
        );
        RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int32Array::from(ids)),
                Arc::new(s),
                Arc::new(l),
                Arc::new(text),
            ],
        )
        .expect("a batch of the test schema")
    }

    fn rows<'a>(file: &'a mut LakeFileWriter, rows: &'a [Picked], closes: bool) -> FileRows<'a> {
        FileRows { file, rows, closes }
    }

    fn props() -> WriterProperties {
        WriterProperties::builder()
            .set_max_row_group_row_count(Some(700))
            .set_data_page_row_count_limit(100)
            .build()
    }

    /// Row group sizes and rows of a written file.
    fn read_back(path: &std::path::Path) -> (Vec<i64>, Vec<RecordBatch>) {
        let file = fs::File::open(path).expect("the written file");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file");
        let groups = builder
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        let batches = builder
            .build()
            .expect("a reader")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        (groups, batches)
    }

    fn concat_all(batches: &[RecordBatch]) -> RecordBatch {
        arrow::compute::concat_batches(&batches[0].schema(), batches).expect("one batch")
    }

    /// Rows picked across batches, encoded column by column on two threads over two
    /// calls (the second going on with the first's row group), come back as
    /// `ArrowWriter` writes them: same rows in the same order, same row groups.
    #[test]
    fn columns_encoded_on_threads_make_the_file_arrow_writer_makes() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let schema = schema();
        let batches: Vec<RecordBatch> = (0..3).map(|b| batch(&schema, b * 1000, 1000)).collect();
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        // Every row, in an order that jumps between batches.
        let picked: Vec<(usize, usize)> = (0..1000)
            .flat_map(|r| [(2, 999 - r), (0, r), (1, (r * 7) % 1000)])
            .collect();
        let expected = interleave_record_batch(&refs, &picked).expect("picked rows");

        let open = |name: &str| {
            let path = dir.path().join(name);
            let file = fs::File::create(&path).expect("a new file");
            let writer = LakeFileWriter::try_new(file, schema.clone(), props()).expect("a writer");
            (path, writer)
        };
        let (ours_path, mut ours) = open("ours.parquet");
        let (other_path, mut other) = open("other.parquet");
        let (first, second) = picked.split_at(1500);
        encode(
            &mut [
                rows(&mut ours, first, false),
                rows(&mut other, &picked[..10], false),
            ],
            &refs,
            2,
        )
        .expect("first chunk encoded");
        assert_eq!(ours.buffered_rows, 1500 - 2 * 700);
        assert_eq!(ours.flushed_row_groups().len(), 2);
        encode(&mut [rows(&mut ours, second, true)], &refs, 2).expect("second chunk encoded");
        assert_eq!(
            ours.buffered_rows, 0,
            "a closing file writes out its last rows"
        );
        ours.into_inner().expect("footer written");
        other.into_inner().expect("footer written");

        let theirs_path = dir.path().join("theirs.parquet");
        let mut theirs = ArrowWriter::try_new(
            fs::File::create(&theirs_path).expect("a new file"),
            schema.clone(),
            Some(props()),
        )
        .expect("an Arrow writer");
        theirs.write(&expected).expect("rows written");
        theirs.close().expect("footer written");

        let (our_groups, our_rows) = read_back(&ours_path);
        let (their_groups, their_rows) = read_back(&theirs_path);
        assert_eq!(our_groups, vec![700, 700, 700, 700, 200]);
        assert_eq!(our_groups, their_groups);
        assert_eq!(concat_all(&our_rows), concat_all(&their_rows));
        assert_eq!(concat_all(&our_rows), expected);
        let (other_groups, other_rows) = read_back(&other_path);
        assert_eq!(other_groups, vec![10]);
        assert_eq!(concat_all(&other_rows), expected.slice(0, 10).clone());
    }

    /// The one-thread path (`trawl compact`) cuts row groups inside a batch.
    #[test]
    fn batches_written_on_this_thread_fill_row_groups_to_their_size() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let schema = schema();
        let path = dir.path().join("sequential.parquet");
        let file = fs::File::create(&path).expect("a new file");
        let mut writer = LakeFileWriter::try_new(file, schema.clone(), props()).expect("a writer");
        let batches: Vec<RecordBatch> = (0..3).map(|b| batch(&schema, b * 500, 500)).collect();
        for b in &batches {
            writer.write(b).expect("rows written");
        }
        assert!(
            writer.memory_size() > 0,
            "the last 100 rows are still being filled"
        );
        writer.into_inner().expect("footer written");
        let (groups, rows) = read_back(&path);
        assert_eq!(groups, vec![700, 700, 100]);
        assert_eq!(concat_all(&rows), concat_all(&batches));
    }
}
