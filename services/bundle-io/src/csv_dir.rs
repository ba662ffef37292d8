//! The bundle as a folder of CSV files, one `<table>.csv` per table: header = field names in
//! any order, list fields separated by `;`, an empty cell = an absent optional field.

use crate::cells::{self, text_to_value};
use crate::decode::Builder;
use crate::limits::{
    MAX_CELL_BYTES, MAX_CSV_DIR_ENTRIES, MAX_CSV_FILE_BYTES, MAX_CSV_RECORD_BYTES,
};
use crate::schema::SCHEMA;
use crate::{ReadError, WriteError};
use dangjian_model::{Bundle, Problem, TABLES};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

fn io_error(path: &Path, source: std::io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads every `<table>.csv` of `dir` into `builder`.
pub(crate) fn read_dir(dir: &Path, builder: &mut Builder) -> Result<(), ReadError> {
    let mut present = [false; TABLES.len()];
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        if names.len() >= MAX_CSV_DIR_ENTRIES {
            return Err(ReadError::Malformed {
                input: dir.display().to_string(),
                line: None,
                column: None,
                message: format!(
                    "the folder holds more than {MAX_CSV_DIR_ENTRIES} entries; a bundle has one \
                     file per table"
                ),
            });
        }
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    for name in names {
        let Some(stem) = name
            .len()
            .checked_sub(4)
            .filter(|&i| name.is_char_boundary(i) && name[i..].eq_ignore_ascii_case(".csv"))
            .map(|i| &name[..i])
        else {
            continue;
        };
        match TABLES.iter().position(|t| *t == stem) {
            Some(t) => present[t] = true,
            None => builder.problem(
                0,
                0,
                Problem {
                    table: String::new(),
                    location: name.clone(),
                    id: None,
                    field: None,
                    message: format!(
                        "unknown table file `{name}`; the files are named after the tables: {}",
                        TABLES.map(|t| format!("{t}.csv")).join(", ")
                    ),
                },
            ),
        }
    }
    for (t, table) in TABLES.iter().enumerate() {
        if present[t] {
            read_table(&dir.join(format!("{table}.csv")), t, builder)?;
        }
    }
    Ok(())
}

fn csv_error(path: &Path, e: csv::Error) -> ReadError {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let input = file.unwrap_or_else(|| path.display().to_string());
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => match source
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<RecordTooLong>())
        {
            Some(too_long) => ReadError::Malformed {
                input,
                line: Some(too_long.line),
                column: None,
                message: format!(
                    "a record longer than {MAX_CSV_RECORD_BYTES} bytes (the limit for one row)"
                ),
            },
            None => io_error(path, source),
        },
        kind => ReadError::Malformed {
            input,
            line,
            column: None,
            message: match kind {
                csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8 text: {err}"),
                other => format!("{other:?}"),
            },
        },
    }
}

/// A record ran past [`MAX_CSV_RECORD_BYTES`]; `line` is where it started.
#[derive(Debug)]
struct RecordTooLong {
    line: u64,
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: a record longer than {MAX_CSV_RECORD_BYTES} bytes",
            self.line
        )
    }
}

impl std::error::Error for RecordTooLong {}

/// Passes CSV bytes through, failing as soon as one record (a line, or several when a quoted
/// field holds line breaks) exceeds [`MAX_CSV_RECORD_BYTES`], so that a giant field is never
/// buffered whole. Quote state is tracked the way RFC 4180 defines it (`""` toggles twice).
struct RecordCap<R> {
    inner: R,
    in_quotes: bool,
    record_bytes: usize,
    line: u64,
    record_line: u64,
}

impl<R: std::io::Read> std::io::Read for RecordCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.record_bytes += 1;
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' => {
                    self.line += 1;
                    if !self.in_quotes {
                        self.record_bytes = 0;
                        self.record_line = self.line;
                    }
                }
                _ => {}
            }
            if self.record_bytes > MAX_CSV_RECORD_BYTES {
                return Err(std::io::Error::other(RecordTooLong {
                    line: self.record_line,
                }));
            }
        }
        Ok(n)
    }
}

fn read_table(path: &Path, t: usize, builder: &mut Builder) -> Result<(), ReadError> {
    let schema = &SCHEMA[t];
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let size = file.metadata().map_err(|e| io_error(path, e))?.len();
    if size > MAX_CSV_FILE_BYTES {
        return Err(ReadError::Malformed {
            input: format!("{}.csv", schema.name),
            line: None,
            column: None,
            message: format!("the file is {size} bytes; the limit is {MAX_CSV_FILE_BYTES} bytes"),
        });
    }
    use std::io::Read;
    let capped = RecordCap {
        inner: BufReader::with_capacity(1 << 16, file).take(MAX_CSV_FILE_BYTES),
        in_quotes: false,
        record_bytes: 0,
        line: 1,
        record_line: 1,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(capped);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Ok(()); // an empty file is an empty table
    }
    let cells::Header {
        columns,
        problems: header_problems,
        missing_required,
    } = cells::map_header(schema, &header);
    builder.header_problems(t, 1, header_problems);
    if missing_required {
        // Every row would repeat the header's problem.
        return Ok(());
    }
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            let p = Problem {
                table: schema.name.into(),
                location: format!("{}.csv line {line}", schema.name),
                id: None,
                field: None,
                message: format!(
                    "this line has {} cells but the header has {}",
                    record.len(),
                    header.len()
                ),
            };
            builder.problem(t, line, p);
            continue;
        }
        builder.push_cells(t, line, record.iter(), &columns, |field, cell| {
            if cell.len() > MAX_CELL_BYTES {
                return Err(format!(
                    "the cell holds {} bytes of text; the limit is {MAX_CELL_BYTES}",
                    cell.len()
                ));
            }
            Ok(text_to_value(field.ty, field.presence, cell))
        });
    }
    Ok(())
}

/// Writes `bundle` as one CSV file per table into `dir` (created if needed); every table gets
/// a file with its header, even when empty.
pub fn write_csv_dir(bundle: &Bundle, dir: &Path) -> Result<(), WriteError> {
    let io = |path: &Path, source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    for (t, schema) in SCHEMA.iter().enumerate() {
        let path = dir.join(format!("{}.csv", schema.name));
        // A UTF-8 byte-order mark first, like every CSV the product writes: Excel then reads
        // the Chinese as UTF-8 (the readers skip it).
        let mut file = std::fs::File::create(&path).map_err(|e| io(&path, e))?;
        std::io::Write::write_all(&mut file, "\u{feff}".as_bytes()).map_err(|e| io(&path, e))?;
        let mut writer = csv::Writer::from_writer(file);
        let fail = |e: csv::Error| WriteError::Csv {
            path: path.clone(),
            message: e.to_string(),
        };
        writer
            .write_record(schema.fields.iter().map(|f| f.name))
            .map_err(fail)?;
        for row in cells::table_rows(bundle, t) {
            let cells = cells::row_cells(schema, &row);
            // Text is guarded against formula injection; numbers are written as they are.
            writer
                .write_record(cells.iter().map(|c| match c {
                    cells::Cell::Text(s) => dangjian_model::guard_formula(s).into_owned(),
                    other => other.text().to_string(),
                }))
                .map_err(fail)?;
        }
        writer.flush().map_err(|e| io(&path, e))?;
    }
    Ok(())
}
