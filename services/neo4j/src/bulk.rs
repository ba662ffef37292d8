//! The offline bulk load of a whole network into a fresh database: CSV files with headers in the
//! format of `neo4j-admin database import full`, one per label and relationship type, holding
//! the same graph as an import through Bolt (generation 1, the `Meta` pointer set), and the
//! arguments that run the import tool on them.

use crate::digest;
use crate::import::{RefEdge, reference_edges, table_len};
use crate::mapping::REL_TABLES;
use dangjian_model::Bundle;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The property that names a node's empty lists: the import tool stores an empty array field as
/// no property at all, and `Store::load` puts them back from this.
pub const EMPTY_LISTS: &str = "_empty_lists";
/// The generation a bulk-loaded network gets.
pub const BULK_GEN: i64 = 1;
/// Separates the elements of a list inside one CSV field (the unit separator: it occurs in no
/// id, name or skill).
pub const ARRAY_DELIMITER: char = '\u{1f}';

/// An error while writing the CSV files.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("relationship {rel}: {message}")]
    Rel { rel: String, message: String },
    #[error("table {table}, row {row}: {message}")]
    Row {
        table: String,
        row: usize,
        message: String,
    },
}

/// The files written: `(kind, path)` with kind `nodes` or `relationships`, and what they hold.
#[derive(Debug, Default)]
pub struct CsvFiles {
    pub files: Vec<(&'static str, PathBuf)>,
    pub nodes: u64,
    pub relationships: u64,
    /// Whether some field holds a line break: the import tool then has to parse the files
    /// serially (`--multiline-fields=true`), which costs most of its speed.
    pub multiline: bool,
}

impl CsvFiles {
    /// The arguments of `neo4j-admin` that import these files into database `database`,
    /// replacing whatever it held (its report of bad entries goes next to the files).
    pub fn admin_args(&self, database: &str) -> Vec<String> {
        let mut args: Vec<String> = ["database", "import", "full"].map(String::from).to_vec();
        for (kind, path) in &self.files {
            args.push(format!("--{kind}={}", path.display()));
        }
        if let Some(dir) = self.files.first().and_then(|(_, p)| p.parent()) {
            args.push(format!(
                "--report-file={}",
                dir.join("import.report").display()
            ));
        }
        args.extend([
            format!("--array-delimiter={ARRAY_DELIMITER}"),
            format!("--multiline-fields={}", self.multiline),
            // Nodes are numbered by the writer (the string ids are plain properties): the
            // import tool's integer id map needs no string sorting or collision checks.
            "--id-type=integer".into(),
            "--overwrite-destination=true".into(),
            "--skip-duplicate-nodes=false".into(),
            "--bad-tolerance=0".into(),
            database.into(),
        ]);
        args
    }
}

/// The Neo4j CSV type of a JSON value (`None` for null).
fn csv_type(v: &Value) -> Option<&'static str> {
    match v {
        Value::Null => None,
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_f64() => Some("double"),
        Value::Number(_) => Some("long"),
        Value::String(_) => Some("string"),
        Value::Array(_) => Some("string[]"),
        Value::Object(_) => Some("string"),
    }
}

/// A string as a quoted CSV field.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// One field of a CSV row: nothing for an absent value (the property is not set), a quoted
/// string (so an empty string stays an empty string), a bare number or boolean.
fn cell(v: Option<&Value>) -> Result<String, String> {
    Ok(match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => quoted(s),
        Some(Value::Array(xs)) => {
            let mut parts = Vec::with_capacity(xs.len());
            for x in xs {
                match x {
                    Value::String(s) if s.contains(ARRAY_DELIMITER) => {
                        return Err(format!("a list element contains U+001F: {s:?}"));
                    }
                    Value::String(s) => parts.push(s.clone()),
                    other => parts.push(other.to_string()),
                }
            }
            quoted(&parts.join(&ARRAY_DELIMITER.to_string()))
        }
        Some(other) => other.to_string(),
    })
}

struct Out<'a> {
    dir: &'a Path,
    files: CsvFiles,
}

impl Out<'_> {
    fn csv(
        &mut self,
        kind: &'static str,
        name: &str,
        header: Vec<String>,
        rows: impl Iterator<Item = Result<Vec<String>, BulkError>>,
    ) -> Result<(), BulkError> {
        let path = self.dir.join(format!("{name}.csv"));
        let io = |source| BulkError::Io {
            path: path.clone(),
            source,
        };
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io)?);
        let mut multiline = false;
        let mut line = |w: &mut BufWriter<File>, fields: &[String]| -> std::io::Result<()> {
            multiline |= fields.iter().any(|f| f.contains(['\n', '\r']));
            w.write_all(fields.join(",").as_bytes())?;
            w.write_all(b"\n")
        };
        line(&mut w, &header).map_err(io)?;
        let mut n = 0u64;
        for r in rows {
            line(&mut w, &r?).map_err(io)?;
            n += 1;
        }
        self.files.multiline |= multiline;
        w.flush().map_err(io)?;
        if kind == "nodes" {
            self.files.nodes += n;
        } else {
            self.files.relationships += n;
        }
        self.files.files.push((kind, path));
        Ok(())
    }
}

/// Column names with their Neo4j CSV types.
type Columns = Vec<(String, &'static str)>;

/// The rows of a table as JSON objects, with the columns in first-seen order and their types.
fn json_rows<T: Serialize>(
    table: &str,
    rows: &[T],
) -> Result<(Vec<Map<String, Value>>, Columns), BulkError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut columns: Vec<(String, &'static str)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let bad = |message: String| BulkError::Row {
            table: table.to_owned(),
            row: i,
            message,
        };
        let Value::Object(m) = serde_json::to_value(r).map_err(|e| bad(e.to_string()))? else {
            return Err(bad("not an object".into()));
        };
        for (k, v) in &m {
            let Some(t) = csv_type(v) else { continue };
            match columns.iter_mut().find(|(c, _)| c == k) {
                Some((_, ct)) if *ct == "long" && t == "double" => *ct = "double",
                Some(_) => {}
                None => columns.push((k.clone(), t)),
            }
        }
        out.push(m);
    }
    Ok((out, columns))
}

/// The import tool's number of every node, by id: nodes in bundle order, from 0.
type Numbers<'a> = std::collections::HashMap<&'a str, u64>;

/// The number of the node with id `id`.
fn number(numbers: &Numbers, id: &str) -> Result<String, String> {
    numbers
        .get(id)
        .map(u64::to_string)
        .ok_or_else(|| format!("`{id}` is no row of the network (a reference points at nothing)"))
}

/// Columns of a node file beyond its rows' fields: their headers, and each row's cells.
type Extra = (Vec<String>, Vec<Vec<String>>);

/// The committees' volunteering digests (`digest.rs`) as columns of their node file (an empty
/// digest is left out, like an empty list).
fn digest_columns(b: &Bundle) -> Result<Extra, BulkError> {
    let header = digest::PROPS
        .iter()
        .zip(["string[]", "double[]", "long[]", "long[]"])
        .map(|(c, t)| format!("{c}:{t}"))
        .collect();
    let mut cells = Vec::with_capacity(b.committees.len());
    for (row, d) in digest::of_bundle(b).into_iter().enumerate() {
        let bad = |message: String| BulkError::Row {
            table: "committees".into(),
            row,
            message,
        };
        if d.is_empty() {
            cells.push(vec![String::new(); 4]);
            continue;
        }
        let lists = [
            json!(d.date),
            json!(d.hours),
            json!(d.birth_year),
            json!(d.member),
        ];
        cells.push(
            lists
                .iter()
                .map(|l| cell(Some(l)))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
        );
    }
    Ok((header, cells))
}

/// The node file of one table; its nodes are numbered from `first`; `extra` columns after the
/// rows' fields.
fn node_file<T: Serialize>(
    out: &mut Out,
    table: &str,
    label: &str,
    rows: &[T],
    first: u64,
    extra: Option<Extra>,
) -> Result<(), BulkError> {
    let (rows, columns) = json_rows(table, rows)?;
    let columns: Vec<_> = columns.into_iter().filter(|(c, _)| c != "id").collect();
    let mut header = vec![":ID".to_owned(), "id:string".to_owned()];
    header.extend(columns.iter().map(|(c, t)| format!("{c}:{t}")));
    let (extra_header, mut extra_cells) = extra.unwrap_or_default();
    header.extend(extra_header);
    header.extend([
        format!("{EMPTY_LISTS}:string[]"),
        "row:long".into(),
        "gen:long".into(),
        ":LABEL".into(),
    ]);
    // Labels are split by the array delimiter too.
    let labels = format!("Net{ARRAY_DELIMITER}{label}");
    let table_name = table.to_owned();
    let it = rows.into_iter().enumerate().map(move |(i, m)| {
        let bad = |message: String| BulkError::Row {
            table: table_name.clone(),
            row: i,
            message,
        };
        let mut rec = vec![
            (first + i as u64).to_string(),
            cell(m.get("id")).map_err(bad)?,
        ];
        let mut empty = Vec::new();
        for (c, _) in &columns {
            match m.get(c) {
                Some(Value::Array(xs)) if xs.is_empty() => {
                    empty.push(Value::String(c.clone()));
                    rec.push(String::new());
                }
                v => rec.push(cell(v).map_err(bad)?),
            }
        }
        if let Some(cells) = extra_cells.get_mut(i) {
            rec.append(cells);
        }
        let empty = (!empty.is_empty()).then_some(Value::Array(empty));
        rec.push(cell(empty.as_ref()).map_err(bad)?);
        rec.extend([i.to_string(), BULK_GEN.to_string(), labels.clone()]);
        Ok(rec)
    });
    out.csv("nodes", label, header, it)
}

/// Write the CSV files of `b` into `dir` (created when missing).
pub fn write_csv(b: &Bundle, dir: &Path) -> Result<CsvFiles, BulkError> {
    std::fs::create_dir_all(dir).map_err(|source| BulkError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut numbers = Numbers::new();
    macro_rules! number_nodes {
        ($($t:ident: $row:ident,)*) => {$(
            for r in b.$t.iter() {
                let n = numbers.len() as u64;
                numbers.insert(&r.id, n);
            }
        )*};
    }
    dangjian_model::for_each_table!(keyed number_nodes);
    let numbers = &numbers;
    // One job per file (with its row count, to start the big ones first); the files are
    // written on every core and listed in this order.
    let mut jobs: Vec<(usize, Job)> = Vec::new();
    macro_rules! node_files {
        ($($t:ident: $row:ident,)*) => {$(
            // Numbered above, in this order: the table's first row has its first number.
            let at = b.$t.first().and_then(|r| numbers.get(r.id.as_str())).copied().unwrap_or(0);
            jobs.push((
                b.$t.len(),
                Box::new(move |out: &mut Out| {
                    let extra = match stringify!($t) {
                        "committees" => Some(digest_columns(b)?),
                        _ => None,
                    };
                    node_file(out, stringify!($t), stringify!($row), &b.$t, at, extra)
                }),
            ));
        )*};
    }
    dangjian_model::for_each_table!(keyed node_files);
    // The generation pointer.
    jobs.push((
        1,
        Box::new(|out: &mut Out| {
            out.csv(
                "nodes",
                "Meta",
                vec![
                    ":ID(Meta)".into(),
                    "key:string".into(),
                    "current_gen:long".into(),
                    "next_gen:long".into(),
                    ":LABEL".into(),
                ],
                std::iter::once(Ok(vec![
                    "0".into(),
                    quoted("network"),
                    BULK_GEN.to_string(),
                    (BULK_GEN + 1).to_string(),
                    "Meta".into(),
                ])),
            )
        }),
    ));
    for (rel, edges) in reference_edges(b) {
        jobs.push((
            edges.len(),
            Box::new(move |out: &mut Out| {
                let has_pos = edges.iter().any(|e| e.pos.is_some());
                let mut header = vec![":START_ID".to_owned(), ":END_ID".into(), "gen:long".into()];
                if has_pos {
                    header.push("pos:long".into());
                }
                header.push(":TYPE".into());
                let it = edges.into_iter().map(move |RefEdge { s, t, pos }| {
                    let at = |id| {
                        number(numbers, id).map_err(|message| BulkError::Rel {
                            rel: rel.to_owned(),
                            message,
                        })
                    };
                    let mut rec = vec![at(s)?, at(t)?, BULK_GEN.to_string()];
                    if has_pos {
                        rec.push(pos.map(|p| p.to_string()).unwrap_or_default());
                    }
                    rec.push(rel.to_owned());
                    Ok(rec)
                });
                out.csv("relationships", &format!("rel_{rel}"), header, it)
            }),
        ));
    }
    for t in &REL_TABLES {
        jobs.push((
            table_len(b, t.table),
            Box::new(move |out: &mut Out| rel_table_file(out, b, t, numbers)),
        ));
    }
    run_jobs(dir, jobs)
}

/// Writing one CSV file.
type Job<'a> = Box<dyn FnOnce(&mut Out) -> Result<(), BulkError> + Send + 'a>;

/// Run `jobs` (each with its size) on every core, biggest first; their files in job order.
fn run_jobs(dir: &Path, jobs: Vec<(usize, Job)>) -> Result<CsvFiles, BulkError> {
    let count = jobs.len();
    let mut queue: Vec<(usize, usize, Job)> = jobs
        .into_iter()
        .enumerate()
        .map(|(i, (size, job))| (size, i, job))
        .collect();
    queue.sort_by_key(|(size, i, _)| (std::cmp::Reverse(*size), *i));
    let queue = std::sync::Mutex::new(std::collections::VecDeque::from(queue));
    let done: std::sync::Mutex<Vec<Option<Result<CsvFiles, BulkError>>>> =
        std::sync::Mutex::new((0..count).map(|_| None).collect());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(count) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                    let Some((_, i, job)) = next else { break };
                    let mut out = Out {
                        dir,
                        files: CsvFiles::default(),
                    };
                    let written = job(&mut out).map(|()| out.files);
                    done.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(written);
                }
            });
        }
    });
    let mut files = CsvFiles::default();
    for written in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        let Some(written) = written else { continue };
        let written = written?;
        files.files.extend(written.files);
        files.nodes += written.nodes;
        files.relationships += written.relationships;
        files.multiline |= written.multiline;
    }
    Ok(files)
}

/// The file of a relationship table (adjacency, mass links, volunteering).
fn rel_table_file(
    out: &mut Out,
    b: &Bundle,
    t: &'static crate::mapping::RelTable,
    numbers: &Numbers,
) -> Result<(), BulkError> {
    let (rows, columns) = match t.table {
        "adjacency" => json_rows(t.table, &b.adjacency)?,
        "mass_links" => json_rows(t.table, &b.mass_links)?,
        "volunteering" => json_rows(t.table, &b.volunteering)?,
        other => unreachable!("REL_TABLES has no table {other}"),
    };
    let props: Vec<(String, &'static str)> = columns
        .into_iter()
        .filter(|(c, _)| t.props.contains(&c.as_str()))
        .collect();
    let mut header = vec![":START_ID".to_owned(), ":END_ID".into(), "gen:long".into()];
    header.extend(props.iter().map(|(c, ty)| format!("{c}:{ty}")));
    header.extend(["row:long".into(), ":TYPE".into()]);
    let rel = t.rel;
    let it = rows.into_iter().enumerate().map(move |(i, m)| {
        let bad = |message: String| BulkError::Row {
            table: t.table.to_owned(),
            row: i,
            message,
        };
        let end = |f: &str| {
            let id = m.get(f).and_then(Value::as_str).unwrap_or_default();
            number(numbers, id).map_err(bad)
        };
        let mut rec = vec![end(t.source)?, end(t.target)?, BULK_GEN.to_string()];
        for (c, _) in &props {
            rec.push(cell(m.get(c)).map_err(bad)?);
        }
        rec.extend([i.to_string(), rel.to_owned()]);
        Ok(rec)
    });
    out.csv("relationships", &format!("rel_{rel}"), header, it)
}

/// What a bulk load did.
#[derive(Debug)]
pub struct BulkReport {
    pub nodes: u64,
    pub relationships: u64,
    /// Seconds spent writing the CSV files, and running the import tool.
    pub csv_secs: f64,
    pub import_secs: f64,
}

/// An error of [`bulk_load`].
#[derive(Debug, thiserror::Error)]
pub enum BulkLoadError {
    #[error(transparent)]
    Csv(#[from] BulkError),
    #[error("cannot run {command}: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("{command} failed ({status}); its output:\n{output}")]
    Admin {
        command: String,
        status: std::process::ExitStatus,
        output: String,
    },
}

/// Bulk-load `b` into the Neo4j data folder `into` (the folder `scripts/neo4j-local` uses as
/// `NEO4J_LOCAL_DIR`; its database `neo4j` is replaced): write the CSV files into
/// `into/bulk-csv/`, run `admin` (a command line that runs `neo4j-admin`, e.g.
/// `["scripts/neo4j-local", "admin"]`, given `NEO4J_LOCAL_DIR=into`) with the import
/// arguments, and remove the CSV files when it succeeded.
pub fn bulk_load(b: &Bundle, into: &Path, admin: &[String]) -> Result<BulkReport, BulkLoadError> {
    let started = std::time::Instant::now();
    let csv_dir = into.join("bulk-csv");
    let files = write_csv(b, &csv_dir)?;
    let csv_secs = started.elapsed().as_secs_f64();
    let (program, pre) = admin.split_first().ok_or_else(|| BulkLoadError::Spawn {
        command: String::new(),
        source: std::io::Error::other("no neo4j-admin command given"),
    })?;
    let command = admin.join(" ");
    let t = std::time::Instant::now();
    let out = std::process::Command::new(program)
        .args(pre)
        .args(files.admin_args("neo4j"))
        .env("NEO4J_LOCAL_DIR", into)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| BulkLoadError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !out.status.success() {
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        let tail: Vec<&str> = output.lines().rev().take(40).collect();
        return Err(BulkLoadError::Admin {
            command,
            status: out.status,
            output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let import_secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&csv_dir);
    Ok(BulkReport {
        nodes: files.nodes,
        relationships: files.relationships,
        csv_secs,
        import_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The import tool parses in parallel unless a field holds a line break; nodes are numbered
    /// for it and relationships name those numbers.
    #[test]
    fn files_number_the_nodes_and_ask_for_serial_parsing_only_when_needed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = dangjian_testdata::seed_bundle();
        let files = write_csv(&b, dir.path()).expect("csv");
        assert!(!files.multiline);
        let args = files.admin_args("neo4j");
        assert!(
            args.contains(&"--multiline-fields=false".to_owned()),
            "{args:?}"
        );
        assert!(args.contains(&"--id-type=integer".to_owned()), "{args:?}");
        let districts = std::fs::read_to_string(dir.path().join("District.csv")).expect("read");
        let mut lines = districts.lines();
        assert!(lines.next().expect("header").starts_with(":ID,id:string,"));
        assert!(
            lines
                .next()
                .expect("row")
                .starts_with(&format!("0,\"{}\",", b.districts[0].id)),
            "{districts}"
        );
        let streets = std::fs::read_to_string(dir.path().join("rel_IN.csv")).expect("read");
        let first = streets.lines().nth(1).expect("an IN row");
        let ids: Vec<u64> = first
            .split(',')
            .take(2)
            .map(|n| n.parse().expect("a node number"))
            .collect();
        // The first street is in its district: both ends are node numbers.
        let district = b
            .districts
            .iter()
            .position(|d| d.id == b.streets[0].district);
        assert_eq!(ids[1], district.expect("district") as u64, "{first}");

        b.districts[0].name = "黄浦\n区".into();
        let files = write_csv(&b, &dir.path().join("again")).expect("csv");
        assert!(files.multiline);
        assert!(
            files
                .admin_args("neo4j")
                .contains(&"--multiline-fields=true".to_owned())
        );
    }
}
