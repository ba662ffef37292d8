//! The one workbook shape the product writes: one sheet, a bold frozen header row, columns as
//! wide as their text (CJK counts two columns), every cell a guarded string.

use crate::ExportError;
use rust_xlsxwriter::{Format, Workbook};
use unicode_width::UnicodeWidthStr;

/// Narrowest and widest column, in character columns (before the padding of two).
const WIDTH_RANGE: (usize, usize) = (6, 80);

/// A workbook of one sheet named `name` with a header row and rows of text, as bytes.
pub fn one_sheet_xlsx<R, C>(
    name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, ExportError>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (r, row) in rows.into_iter().enumerate() {
        for (col, value) in row.into_iter().enumerate() {
            // The same formula guard as every CSV/XLSX the product writes.
            let value = dangjian_model::guard_formula(value.as_ref());
            sheet.write_string((r + 1) as u32, col as u16, value.as_ref())?;
            if col >= widths.len() {
                widths.resize(col + 1, 0);
            }
            widths[col] = widths[col].max(value.width());
        }
    }
    for (col, w) in widths.iter().enumerate() {
        let w = (*w).clamp(WIDTH_RANGE.0, WIDTH_RANGE.1);
        sheet.set_column_width(col as u16, w as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}
