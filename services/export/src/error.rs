//! Why a file could not be written.

/// An export failure (the documents themselves are always writable; these are the writers').
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The CSV writer failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// The workbook writer failed (a sheet name, a cell, the zip).
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
