//! The checklist as an XLSX workbook: bold header, frozen top row, widths fitting Chinese text.

use crate::error::AppError;
use dangjian_engine::{ChecklistLang, checklist_header, checklist_rows_lang};
use dangjian_model::ChecklistDoc;
use rust_xlsxwriter::{Format, Workbook};

/// Display width of a cell: CJK and other wide characters count two columns.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

/// Write the workbook to bytes.
pub fn checklist_xlsx(doc: &ChecklistDoc, lang: ChecklistLang) -> Result<Vec<u8>, AppError> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = checklist_header(lang);
    sheet
        .set_name(if lang == ChecklistLang::Zh {
            "责任清单"
        } else {
            "checklist"
        })
        .map_err(err)?;
    let bold = Format::new().set_bold();
    let rows = checklist_rows_lang(doc, lang);
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for (col, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            // The same formula guard as every CSV/XLSX the product writes.
            let value = dangjian_model::guard_formula(value);
            sheet
                .write_string((r + 1) as u32, col as u16, value.as_ref())
                .map_err(err)?;
            widths[col] = widths[col].max(display_width(&value));
        }
    }
    for (col, w) in widths.iter().enumerate() {
        sheet
            .set_column_width(col as u16, (*w).clamp(6, 80) as f64 + 2.0)
            .map_err(err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}
