//! Reading and writing the network bundle as JSON, a folder of CSV files, or an XLSX workbook,
//! reporting every problem in one pass.
//!
//! Reading decodes first (syntax, unknown tables and fields, types, dates, vocabularies), then
//! validates the whole bundle semantically ([`dangjian_model::validate`]). Locations name the
//! input: `/members/3/birth_year` for JSON, `members.csv line 5`, `sheet members row 5`.

mod cells;
mod csv_dir;
mod decode;
pub mod limits;
mod schema;
mod xlsx;

pub use csv_dir::write_csv_dir;
pub use decode::{decode_row, parse_json_value};
pub use xlsx::write_xlsx;

use dangjian_model::{Bundle, Problems, validate};
use decode::{Builder, Origin};
use std::path::{Path, PathBuf};

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A file or folder could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The input is not well-formed: not JSON, broken CSV, not a workbook.
    #[error("{input}{}: {message}", position(*line, *column))]
    Malformed {
        /// The file (or `JSON document` for bytes).
        input: String,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// The input is well-formed, but its content is wrong; every problem is listed.
    #[error("{0}")]
    Invalid(Problems),
}

fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" line {l}, column {c}"),
        (Some(l), None) => format!(" line {l}"),
        _ => String::new(),
    }
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file or folder could not be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The JSON encoder failed.
    #[error("cannot write JSON to {}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A CSV file could not be written.
    #[error("cannot write CSV {}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV writer said.
        message: String,
    },
    /// The workbook could not be written.
    #[error("cannot write the workbook {}: {message}", path.display())]
    Xlsx {
        /// The file.
        path: PathBuf,
        /// What the XLSX writer said.
        message: String,
    },
}

/// The three interchange formats of SPEC §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON document.
    Json,
    /// A folder with one `<table>.csv` per table.
    Csv,
    /// An XLSX workbook with one sheet per table.
    Xlsx,
}

impl Format {
    /// The format a path names: `.json`, `.xlsx`, or else a folder of CSV files.
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("xlsx") => Format::Xlsx,
            _ => Format::Csv,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(format!(
                "unknown bundle format `{other}`; expected json, csv or xlsx"
            )),
        }
    }
}

/// Reads a bundle from a `.json` file, an `.xlsx` workbook, or a folder of CSV files, and
/// validates it whole. `ReadError::Invalid` lists every problem found.
pub fn read_path(path: &Path) -> Result<Bundle, ReadError> {
    load(path, true)
}

/// Like [`read_path`], but only decodes (no semantic validation), for partial bundles that are
/// merged into a stored network and validated as a whole afterwards.
pub fn decode_path(path: &Path) -> Result<Bundle, ReadError> {
    load(path, false)
}

/// A workbook or CSV folder decoded row by row, for rows that are merged into a stored network
/// and validated with it afterwards ([`decode_path_located`]).
#[derive(Debug)]
pub struct Located {
    /// The rows that decoded.
    pub bundle: Bundle,
    /// Per table (in [`dangjian_model::TABLES`] order), the location of every decoded row
    /// (`sheet needs row 3`, `needs.csv line 3`), so that problems found later can name it.
    pub rows: Vec<Vec<String>>,
    /// Every decoding problem (empty when all rows decoded), in sheet and row order.
    pub problems: Vec<dangjian_model::Problem>,
    /// The (table, id) of rows dropped for their problems: pass them to
    /// [`dangjian_model::validation_problems`] so references to them are not reported again.
    pub dropped: Vec<(&'static str, String)>,
}

/// Decodes a workbook (any file) or a folder of CSV files without semantic validation, keeping
/// where each row came from and going on past rows with problems, so that the rows that did
/// decode can still be validated with the network they join and every problem reported at once.
pub fn decode_path_located(path: &Path) -> Result<Located, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let builder = if meta.is_dir() {
        let mut builder = Builder::new(Origin::Csv);
        csv_dir::read_dir(path, &mut builder)?;
        builder
    } else {
        let mut builder = Builder::new(Origin::Xlsx);
        xlsx::read_workbook(path, &mut builder)?;
        builder
    };
    Ok(builder.finish_located())
}

fn load(path: &Path, validate_after: bool) -> Result<Bundle, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        let mut builder = Builder::new(Origin::Csv);
        csv_dir::read_dir(path, &mut builder)?;
        return builder.finish(validate_after).map_err(ReadError::Invalid);
    }
    let is_xlsx = match Format::from_path(path) {
        Format::Xlsx => true,
        Format::Json => false,
        // No telling extension: a workbook is a zip file.
        Format::Csv => {
            let mut magic = [0u8; 2];
            use std::io::Read;
            let n = std::fs::File::open(path)
                .and_then(|mut f| f.read(&mut magic))
                .map_err(io)?;
            n == 2 && &magic == b"PK"
        }
    };
    if is_xlsx {
        let mut builder = Builder::new(Origin::Xlsx);
        xlsx::read_workbook(path, &mut builder)?;
        return builder.finish(validate_after).map_err(ReadError::Invalid);
    }
    // serde_json's `from_reader` reads byte by byte through `Read` and is an order of
    // magnitude slower than decoding a slice (63 s against 4 s for a 340 MB Shanghai-scale
    // file), so the file is read whole; its text is dropped as soon as the bundle is decoded.
    if meta.len() > limits::MAX_JSON_BYTES {
        return Err(ReadError::Malformed {
            input: path.display().to_string(),
            line: None,
            column: None,
            message: format!(
                "the file is {} bytes; the limit is {} bytes",
                meta.len(),
                limits::MAX_JSON_BYTES
            ),
        });
    }
    let mut bytes = Vec::new();
    {
        use std::io::Read;
        std::fs::File::open(path)
            .map_err(io)?
            .take(limits::MAX_JSON_BYTES)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    decode_json(&bytes, &path.display().to_string(), validate_after)
}

/// Decodes and validates a bundle sent as JSON bytes (e.g. the body of `POST /import`).
pub fn parse_json(bytes: &[u8]) -> Result<Bundle, ReadError> {
    decode_json(bytes, "JSON document", true)
}

/// Decodes a bundle sent as JSON bytes without semantic validation (a partial bundle to merge).
pub fn parse_json_unvalidated(bytes: &[u8]) -> Result<Bundle, ReadError> {
    decode_json(bytes, "JSON document", false)
}

fn malformed(input: &str, e: &serde_json::Error) -> ReadError {
    if e.is_io() {
        return ReadError::Io {
            path: PathBuf::from(input),
            source: std::io::Error::other(e.to_string()),
        };
    }
    ReadError::Malformed {
        input: input.to_string(),
        line: Some(e.line() as u64),
        column: Some(e.column() as u64),
        message: e.to_string(),
    }
}

/// Refuses JSON nested deeper than [`limits::MAX_JSON_DEPTH`] before any decoding, naming
/// the line and column where the limit is passed. Strings are skipped (brackets inside them do
/// not count); anything else malformed is left to the decoder to report.
fn check_depth(bytes: &[u8], input: &str) -> Result<(), ReadError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut line, mut line_start) = (1u64, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limits::MAX_JSON_DEPTH {
                    // Columns count characters, like serde_json's.
                    let column = String::from_utf8_lossy(&bytes[line_start..=i])
                        .chars()
                        .count() as u64;
                    return Err(ReadError::Malformed {
                        input: input.to_string(),
                        line: Some(line),
                        column: Some(column),
                        message: format!(
                            "arrays and objects nested more than {} deep; a bundle nests 3 deep",
                            limits::MAX_JSON_DEPTH
                        ),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
    }
    Ok(())
}

fn decode_json(bytes: &[u8], input: &str, validate_after: bool) -> Result<Bundle, ReadError> {
    check_depth(bytes, input)?;
    // Fast path: typed decoding straight into the bundle, no intermediate values in memory.
    match serde_json::from_slice::<Bundle>(bytes) {
        Ok(bundle) => {
            if validate_after {
                validate(&bundle).map_err(ReadError::Invalid)?;
            }
            Ok(bundle)
        }
        Err(e) if e.is_syntax() || e.is_eof() => Err(malformed(input, &e)),
        Err(typed_error) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            walk_json(&mut de, input, typed_error, validate_after)
        }
    }
}

/// The slow path: walk the document row by row and field by field to find every problem,
/// not only serde's first.
fn walk_json<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    input: &str,
    typed_error: serde_json::Error,
    validate_after: bool,
) -> Result<Bundle, ReadError> {
    let mut builder = Builder::new(Origin::Json);
    if let Err(e) = decode::decode_stream(de, &mut builder) {
        if e.is_syntax() || e.is_eof() || e.is_io() {
            return Err(malformed(input, &e));
        }
        // Not an object at the top.
        return Err(ReadError::Invalid(Problems(vec![
            dangjian_model::Problem {
                table: String::new(),
                location: String::new(),
                id: None,
                field: None,
                message: format!("the bundle must be a JSON object with one list per table: {e}"),
            },
        ])));
    }
    match builder.finish(validate_after) {
        Err(problems) => Err(ReadError::Invalid(problems)),
        // The walk found nothing (e.g. a key given twice); report what serde saw.
        Ok(_) => Err(malformed(input, &typed_error)),
    }
}

/// Writes `bundle` as pretty-printed JSON.
pub fn write_json(bundle: &Bundle, path: &Path) -> Result<(), WriteError> {
    let file = std::fs::File::create(path).map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, bundle).map_err(|source| WriteError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    use std::io::Write;
    out.flush().map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bundle` at `path` in `format` (for CSV, `path` is the folder).
pub fn write_to_path(bundle: &Bundle, path: &Path, format: Format) -> Result<(), WriteError> {
    match format {
        Format::Json => write_json(bundle, path),
        Format::Csv => write_csv_dir(bundle, path),
        Format::Xlsx => write_xlsx(bundle, path),
    }
}
