//! Files for people, written from the analytics documents: the responsibility checklist as
//! CSV or XLSX (Chinese or code headers), and tables as CSV. Every cell passes the one
//! spreadsheet formula guard (`dangjian_model::formula`). No HTTP, no store: the API and the
//! CLI both call this crate.

pub mod checklist;
pub mod error;
pub mod table;
pub mod workbook;

pub use checklist::{
    CHECKLIST_HEADER, CHECKLIST_HEADER_ZH, ChecklistLang, checklist_csv, checklist_header,
    checklist_rows, checklist_xlsx,
};
pub use error::ExportError;
pub use table::{Guard, csv_bytes};
pub use workbook::one_sheet_xlsx;
