//! The bundle as a folder of CSV files, one `<table>.csv` per table: header = field names in
//! any order, list fields separated by `;`, an empty cell = an absent optional field.

use crate::cells::{self, text_to_value};
use crate::decode::Builder;
use crate::schema::SCHEMA;
use crate::{ReadError, WriteError};
use dangjian_model::{Bundle, Problem, TABLES};
use serde_json::{Map, Value};
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
        csv::ErrorKind::Io(source) => io_error(path, source),
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

fn read_table(path: &Path, t: usize, builder: &mut Builder) -> Result<(), ReadError> {
    let schema = &SCHEMA[t];
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 16, file));
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
    for (field, message) in header_problems {
        let location = format!("{}.csv line 1", schema.name);
        let p = Problem {
            table: schema.name.into(),
            location,
            id: None,
            field,
            message,
        };
        builder.problem(t, 1, p);
    }
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
        let mut row = Map::new();
        for (cell, field) in record.iter().zip(&columns) {
            if let Some(field) = field
                && let Some(v) = text_to_value(field.ty, field.presence, cell)
            {
                row.insert(field.name.to_string(), v);
            }
        }
        builder.push_row(t, line, Value::Object(row));
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
        let mut writer = csv::Writer::from_path(&path).map_err(|e| WriteError::Csv {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let fail = |e: csv::Error| WriteError::Csv {
            path: path.clone(),
            message: e.to_string(),
        };
        writer
            .write_record(schema.fields.iter().map(|f| f.name))
            .map_err(fail)?;
        for row in cells::table_rows(bundle, t) {
            let cells = cells::row_cells(schema, &row);
            writer
                .write_record(cells.iter().map(|c| c.text()))
                .map_err(fail)?;
        }
        writer.flush().map_err(|e| io(&path, e))?;
    }
    Ok(())
}
