//! The limits that keep reading a hostile file bounded in time and memory (SPEC §2: "a hostile
//! file is refused with a clear error in bounded time and memory, never a crash"). Each is far
//! above what a real city network needs (the Shanghai-scale bundle is about 340 MB of JSON) and
//! far below what would exhaust the machine. An error that hits one names the file, the place
//! and the limit.

/// Largest JSON bundle file read from disk (1 GiB). The service caps request bodies lower.
pub const MAX_JSON_BYTES: u64 = 1 << 30;

/// Deepest nesting of arrays and objects in a JSON bundle. A bundle nests 3 deep (document →
/// table → row → list); serde_json's own recursion limit (128) is a backstop behind this.
pub const MAX_JSON_DEPTH: usize = 16;

/// Largest single `<table>.csv` file (1 GiB).
pub const MAX_CSV_FILE_BYTES: u64 = 1 << 30;

/// Longest CSV record (one row, including quoted line breaks): 1 MiB. Enforced while reading,
/// so a 2 GB field is refused after its first mebibyte.
pub const MAX_CSV_RECORD_BYTES: usize = 1 << 20;

/// Most entries a CSV bundle folder may hold (files of any name).
pub const MAX_CSV_DIR_ENTRIES: usize = 10_000;

/// Longest text of one cell (CSV field or workbook cell), in bytes: 128 KiB, room for Excel's
/// own 32,767-character limit in any script.
pub const MAX_CELL_BYTES: usize = 128 * 1024;

/// Largest XLSX workbook file (256 MiB compressed).
pub const MAX_XLSX_FILE_BYTES: u64 = 256 << 20;

/// Most entries (files) in the workbook's zip archive. A bundle workbook has about 30.
pub const MAX_ZIP_ENTRIES: usize = 1_000;

/// Largest uncompressed size of one zip entry (1 GiB), both as declared in the central
/// directory and as actually inflated (a declared size can lie).
pub const MAX_ZIP_ENTRY_BYTES: u64 = 1 << 30;

/// Largest uncompressed size of all zip entries together (2 GiB), declared and inflated.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 2 << 30;

/// Most columns a table sheet may use, counted from the cells actually present: a table has at
/// most 8 fields, so a cell further right than this is refused, whatever `<dimension>` says.
pub const MAX_SHEET_COLUMNS: u32 = 64;

/// Highest row number a sheet may use: Excel's own limit (1,048,576).
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// Most non-empty cells in one workbook (all sheets): 30 million, about 3 GB of cell values at
/// worst; a Shanghai-scale network fits several times over.
pub const MAX_WORKBOOK_CELLS: usize = 30_000_000;
