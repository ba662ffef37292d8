//! The bundle as an XLSX workbook, one sheet per table (sheet name = table name, header row =
//! field names). The writer's workbook doubles as the template coordinators fill in.

use crate::cells::{self, Cell, number_to_value, text_to_value};
use crate::decode::Builder;
use crate::schema::{Field, SCHEMA};
use crate::{ReadError, WriteError};
use calamine::{Data, Reader, Xlsx};
use dangjian_model::{Bundle, Problem, TABLES};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Map, Value};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// Reads every table sheet of the workbook at `path` into `builder`.
pub(crate) fn read_workbook(path: &Path, builder: &mut Builder) -> Result<(), ReadError> {
    let input = path.display().to_string();
    let malformed = |message: String| ReadError::Malformed {
        input: input.clone(),
        line: None,
        column: None,
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut workbook = Xlsx::new(std::io::BufReader::new(file))
        .map_err(|e| malformed(format!("not an XLSX workbook: {e}")))?;
    let sheets = workbook.sheet_names();
    for name in &sheets {
        if !TABLES.contains(&name.as_str()) {
            builder.problem(
                0,
                0,
                Problem {
                    table: String::new(),
                    location: format!("sheet {name}"),
                    id: None,
                    field: None,
                    message: format!(
                        "unknown sheet `{name}`; the sheets are named after the tables: {}",
                        TABLES.join(", ")
                    ),
                },
            );
        }
    }
    for (t, table) in TABLES.iter().enumerate() {
        if !sheets.iter().any(|s| s == table) {
            continue;
        }
        let range = workbook
            .worksheet_range(table)
            .map_err(|e| malformed(format!("cannot read sheet {table}: {e}")))?;
        read_sheet(&range, t, builder);
    }
    Ok(())
}

fn read_sheet(range: &calamine::Range<Data>, t: usize, builder: &mut Builder) {
    let schema = &SCHEMA[t];
    let Some((first_row, _)) = range.start() else {
        return; // an empty sheet is an empty table
    };
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return;
    };
    let header: Vec<String> = header.iter().map(|c| c.to_string()).collect();
    let header_row = u64::from(first_row) + 1;
    let cells::Header {
        columns,
        problems: header_problems,
        missing_required,
    } = cells::map_header(schema, &header);
    for (field, message) in header_problems {
        let p = Problem {
            table: schema.name.into(),
            location: format!("sheet {} row {header_row}", schema.name),
            id: None,
            field,
            message,
        };
        builder.problem(t, header_row, p);
    }
    if missing_required {
        return;
    }
    for (k, cells) in rows.enumerate() {
        let n = header_row + 1 + k as u64;
        if cells.iter().all(|c| match c {
            Data::Empty => true,
            Data::String(s) => s.trim().is_empty(),
            _ => false,
        }) {
            continue;
        }
        let mut row = Map::new();
        let mut bad_cells = Vec::new();
        for (cell, field) in cells.iter().zip(&columns) {
            let Some(field) = field else { continue };
            match cell_value(field, cell) {
                Ok(Some(v)) => {
                    row.insert(field.name.to_string(), v);
                }
                Ok(None) => {}
                Err(message) => bad_cells.push((field.name, message)),
            }
        }
        let id = row.get("id").and_then(Value::as_str).map(str::to_string);
        let pre = bad_cells
            .into_iter()
            .map(|(field, message)| Problem {
                table: schema.name.into(),
                location: format!("sheet {} row {n}", schema.name),
                id: id.clone(),
                field: Some(field.into()),
                message,
            })
            .collect();
        builder.push_row_with(t, n, Value::Object(row), pre);
    }
}

/// Types one workbook cell by its field. Numbers may arrive as floats (`1992.0` is a whole
/// number) and dates as Excel dates or as text.
fn cell_value(field: &Field, cell: &Data) -> Result<Option<Value>, String> {
    let (ty, presence) = (field.ty, field.presence);
    Ok(match cell {
        Data::Empty => text_to_value(ty, presence, ""),
        Data::String(s) => text_to_value(ty, presence, s),
        Data::Int(i) => number_to_value(ty, presence, *i as f64),
        Data::Float(f) => number_to_value(ty, presence, *f),
        Data::Bool(b) => Some(Value::Bool(*b)),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            text_to_value(ty, presence, &format!("{y:04}-{m:02}-{d:02}"))
        }
        Data::DateTimeIso(s) => text_to_value(ty, presence, s.get(..10).unwrap_or(s)),
        Data::DurationIso(s) => text_to_value(ty, presence, s),
        Data::Error(e) => return Err(format!("the cell holds the spreadsheet error {e}")),
    })
}

fn xlsx_error(path: &Path, e: XlsxError) -> WriteError {
    WriteError::Xlsx {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Display width of a cell's text, counting CJK characters as two columns.
fn text_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Writes `bundle` as a workbook at `path`: one sheet per table, every sheet present even when
/// empty, a bold frozen header row, and columns wide enough for their (Chinese) text.
pub fn write_xlsx(bundle: &Bundle, path: &Path) -> Result<(), WriteError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let err = |e| xlsx_error(path, e);
    for (t, schema) in SCHEMA.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(schema.name).map_err(err)?;
        let mut widths: Vec<usize> = schema.fields.iter().map(|f| text_width(f.name)).collect();
        for (c, f) in schema.fields.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, f.name, &bold)
                .map_err(err)?;
        }
        for (r, row) in cells::table_rows(bundle, t).iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in cells::row_cells(schema, row).iter().enumerate() {
                let col = c as u16;
                widths[c] = widths[c].max(text_width(cell.text()));
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        sheet.write_string(r, col, s).map_err(err)?;
                    }
                    Cell::Number(f, _) => {
                        sheet.write_number(r, col, *f).map_err(err)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        for (c, w) in widths.iter().enumerate() {
            let w = (*w).clamp(8, 60) + 2;
            sheet.set_column_width(c as u16, w as f64).map_err(err)?;
        }
    }
    workbook.save(path).map_err(err)
}
