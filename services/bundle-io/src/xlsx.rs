//! The bundle as an XLSX workbook, one sheet per table (sheet name = table name, header row =
//! field names). The writer's workbook doubles as the template coordinators fill in.

use crate::cells::{self, Cell, number_to_value, text_to_value};
use crate::decode::Builder;
use crate::limits::{
    MAX_CELL_BYTES, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, MAX_WORKBOOK_CELLS, MAX_XLSX_FILE_BYTES,
    MAX_ZIP_ENTRIES, MAX_ZIP_ENTRY_BYTES, MAX_ZIP_TOTAL_BYTES,
};
use crate::schema::{Field, SCHEMA};
use crate::{ReadError, WriteError};
use calamine::{Data, Reader, Xlsx};
use dangjian_model::{Bundle, Problem, TABLES};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::Value;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// Reads every table sheet of the workbook at `path` into `builder`.
///
/// The file is read once into memory (at most [`MAX_XLSX_FILE_BYTES`]) and its zip archive
/// checked before the spreadsheet reader sees it: entry count, declared and actually inflated
/// sizes. Sheets are read cell by cell with calamine's streaming reader, keeping only the cells
/// present (never a dense range from the sheet's declared `<dimension>`).
pub(crate) fn read_workbook(path: &Path, builder: &mut Builder) -> Result<(), ReadError> {
    let input = path.display().to_string();
    let malformed = |message: String| ReadError::Malformed {
        input: input.clone(),
        line: None,
        column: None,
        message,
    };
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_XLSX_FILE_BYTES {
        return Err(malformed(format!(
            "the workbook is {size} bytes; the limit is {MAX_XLSX_FILE_BYTES} bytes"
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    use std::io::Read;
    file.take(MAX_XLSX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_XLSX_FILE_BYTES {
        return Err(malformed(format!(
            "the workbook is larger than the limit of {MAX_XLSX_FILE_BYTES} bytes"
        )));
    }
    check_zip(&bytes, &ZipLimits::DEFAULT)
        .map_err(|m| malformed(format!("not a readable XLSX workbook: {m}")))?;
    let mut workbook = contained(|| {
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not an XLSX workbook: {e}"))
    })
    .map_err(malformed)?;
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
    let mut cells_read = 0usize;
    for (t, table) in TABLES.iter().enumerate() {
        if !sheets.iter().any(|s| s == table) {
            continue;
        }
        let rows = contained(|| sheet_cells(&mut workbook, table, &mut cells_read))
            .map_err(|m| malformed(format!("sheet {table}: {m}")))?;
        read_sheet(&rows, t, builder);
    }
    Ok(())
}

/// Runs a piece of the spreadsheet reader, turning a panic inside calamine into an error.
///
/// calamine 0.31 indexes some tables unchecked (a cell `t="s"` whose shared-string index is
/// past the table panics at `xlsx/cells_reader.rs` `&strings[idx]`); the fuzzer found it. The
/// panic is caught here and reported as malformed content, and a panic hook installed once
/// keeps panics raised inside calamine's own source files off standard error (any other
/// panic is printed by the previous hook as before).
fn contained<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                previous(info);
            }
        }));
    });
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("no detail");
            Err(format!(
                "malformed workbook content (the spreadsheet reader failed: {what})"
            ))
        }
    }
}

/// Counts bytes written to it and refuses more than `limit`.
struct Counter {
    written: u64,
    limit: u64,
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written += buf.len() as u64;
        if self.written > self.limit {
            return Err(std::io::Error::other("over the limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The archive limits, the constants of [`crate::limits`] outside tests.
#[derive(Clone, Copy)]
struct ZipLimits {
    entries: usize,
    entry_bytes: u64,
    total_bytes: u64,
}

impl ZipLimits {
    const DEFAULT: ZipLimits = ZipLimits {
        entries: MAX_ZIP_ENTRIES,
        entry_bytes: MAX_ZIP_ENTRY_BYTES,
        total_bytes: MAX_ZIP_TOTAL_BYTES,
    };
}

/// Checks the workbook's zip archive against the limits: entry count, and the uncompressed
/// size of each entry and of all together, first as declared in the central directory, then
/// by inflating every entry (a declared size can lie).
fn check_zip(bytes: &[u8], limits: &ZipLimits) -> Result<(), String> {
    let ZipLimits {
        entries: max_entries,
        entry_bytes: max_entry,
        total_bytes: max_total,
    } = *limits;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    if zip.len() > max_entries {
        return Err(format!(
            "the archive has {} entries; the limit is {max_entries}",
            zip.len()
        ));
    }
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        let size = entry.size();
        if size > max_entry {
            return Err(format!(
                "entry `{}` declares {size} bytes uncompressed; the limit is {max_entry}",
                entry.name()
            ));
        }
        declared_total = declared_total.saturating_add(size);
    }
    if declared_total > max_total {
        return Err(format!(
            "the entries declare {declared_total} bytes uncompressed; the limit is {max_total}"
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_string();
        let limit = max_entry.min(max_total - total);
        let mut sink = Counter { written: 0, limit };
        match std::io::copy(&mut entry, &mut sink) {
            Ok(n) => total += n,
            Err(_) if sink.written > limit => {
                return Err(format!(
                    "entry `{name}` inflates past {limit} bytes (the limits are \
                     {max_entry} bytes per entry, {max_total} in all)"
                ));
            }
            Err(e) => return Err(format!("entry `{name}`: {e}")),
        }
    }
    Ok(())
}

/// The non-empty cells of one sheet, row by row (sheet row index → cells by column index),
/// read with the streaming cell reader and checked against the sheet limits.
type SheetCells = std::collections::BTreeMap<u32, Vec<(u32, Data)>>;

fn sheet_cells<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Xlsx<RS>,
    table: &str,
    cells_read: &mut usize,
) -> Result<SheetCells, String> {
    let mut reader = workbook
        .worksheet_cells_reader(table)
        .map_err(|e| e.to_string())?;
    let mut rows = SheetCells::new();
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        let (r, c) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if matches!(value, Data::Empty) {
            continue;
        }
        let at = cell_name(r, c);
        if c >= MAX_SHEET_COLUMNS {
            return Err(format!(
                "a cell at {at} is in column {}; a table sheet may use at most {MAX_SHEET_COLUMNS} columns",
                u64::from(c) + 1
            ));
        }
        if r >= MAX_SHEET_ROWS {
            return Err(format!(
                "a cell at {at} is in row {}; a sheet has at most {MAX_SHEET_ROWS} rows",
                u64::from(r) + 1
            ));
        }
        *cells_read += 1;
        if *cells_read > MAX_WORKBOOK_CELLS {
            return Err(format!(
                "the workbook has more than {MAX_WORKBOOK_CELLS} non-empty cells"
            ));
        }
        rows.entry(r).or_default().push((c, value));
    }
    Ok(rows)
}

/// A cell's name in A1 notation from 0-based row and column: (0, 0) → `A1`.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let d = ((c - 1) % 26) as u8;
        letters.push(b'A' + d);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

fn read_sheet(rows: &SheetCells, t: usize, builder: &mut Builder) {
    let schema = &SCHEMA[t];
    // The table starts at the first row and the leftmost column that hold a cell.
    let Some(first_col) = rows.values().flatten().map(|(c, _)| *c).min() else {
        return; // an empty sheet is an empty table
    };
    // Every row as wide as the widest row present (at most MAX_SHEET_COLUMNS), so that a
    // row whose last cells are empty still has them.
    let width = rows
        .values()
        .flatten()
        .map(|(c, _)| c - first_col + 1)
        .max()
        .unwrap_or(0);
    let dense = |cells: &Vec<(u32, Data)>| -> Vec<Data> {
        let mut out = vec![Data::Empty; width as usize];
        for (c, v) in cells {
            out[(c - first_col) as usize] = v.clone();
        }
        out
    };
    let mut rows = rows.iter();
    let Some((first_row, header)) = rows.next() else {
        return;
    };
    let header: Vec<String> = dense(header).iter().map(|c| c.to_string()).collect();
    let header_row = u64::from(*first_row) + 1;
    let cells::Header {
        columns,
        problems: header_problems,
        missing_required,
    } = cells::map_header(schema, &header);
    builder.header_problems(t, header_row, header_problems);
    if missing_required {
        return;
    }
    for (r, cells) in rows {
        let n = u64::from(*r) + 1;
        let cells = dense(cells);
        if cells.iter().all(|c| match c {
            Data::Empty => true,
            Data::String(s) => s.trim().is_empty(),
            _ => false,
        }) {
            continue;
        }
        builder.push_cells(t, n, &cells, &columns, cell_value);
    }
}

/// Types one workbook cell by its field. Numbers may arrive as floats (`1992.0` is a whole
/// number) and dates as Excel dates or as text.
fn cell_value(field: &Field, cell: &Data) -> Result<Option<Value>, String> {
    let (ty, presence) = (field.ty, field.presence);
    if let Data::String(s) = cell
        && s.len() > MAX_CELL_BYTES
    {
        return Err(format!(
            "the cell holds {} bytes of text; the limit is {MAX_CELL_BYTES}",
            s.len()
        ));
    }
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
                        let s = dangjian_model::guard_formula(s);
                        sheet.write_string(r, col, s.as_ref()).map_err(err)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A zip with `n` entries of `size` zero bytes each, deflated, every size declared as 1.
    fn lying_zip(n: usize, size: usize) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..n {
            out.start_file(format!("e{i}"), options).expect("start");
            out.write_all(&vec![0u8; size]).expect("write");
        }
        let mut bytes = out.finish().expect("finish").into_inner();
        let at: Vec<usize> = (0..bytes.len().saturating_sub(3))
            .filter(|&i| &bytes[i..i + 4] == b"PK\x01\x02")
            .collect();
        for i in at {
            bytes[i + 24..i + 28].copy_from_slice(&1u32.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn inflated_sizes_are_capped_whatever_the_archive_declares() {
        let limits = ZipLimits {
            entries: 10,
            entry_bytes: 10_000,
            total_bytes: 25_000,
        };
        // Declared 1 byte each; within the limits when inflated.
        assert_eq!(check_zip(&lying_zip(2, 9_000), &limits), Ok(()));
        let err = check_zip(&lying_zip(1, 100_000), &limits).expect_err("per entry");
        assert!(
            err.contains("entry `e0` inflates past 10000 bytes"),
            "{err}"
        );
        let err = check_zip(&lying_zip(3, 9_000), &limits).expect_err("in all");
        assert!(err.contains("entry `e2` inflates past 7000 bytes"), "{err}");
        let err = check_zip(&lying_zip(11, 1), &limits).expect_err("entries");
        assert!(err.contains("11 entries; the limit is 10"), "{err}");
    }

    #[test]
    fn cell_names_in_a1_notation() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
