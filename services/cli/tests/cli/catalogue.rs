//! The CLI half of the bad-input catalogue (issue 10): a table of hostile or wrong bundles in
//! every format, each with the exit status and a fragment of the message `dangjian import`
//! must give, each followed by a check that the stored network did not change (exported
//! before and after, byte for byte). The API half is `services/api/tests/api/catalogue.rs`.

use super::{bin, data, sample};
use dangjian_model::Bundle;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// How a case's input is made, in a fresh folder.
enum Input {
    /// The seed JSON with one change.
    Json(fn(&mut Value)),
    /// Raw bytes written to `case.json`.
    JsonBytes(fn() -> Vec<u8>),
    /// The seed exported as a CSV folder, then changed.
    Csv(fn(&Path)),
    /// The seed bundle with one change, written as a workbook.
    Xlsx(fn(&mut Bundle)),
    /// Raw bytes written to `case.xlsx`.
    XlsxBytes(fn() -> Vec<u8>),
    /// A file from `tests/cli/data/`.
    DataFile(&'static str),
    /// A partial bundle (JSON) imported with `--merge`.
    Merge(fn() -> Value),
    /// A path that does not exist.
    Missing,
}

struct Case {
    name: &'static str,
    input: Input,
    /// The exit status expected.
    exit: i32,
    /// A fragment the error message must contain.
    message: &'static str,
}

fn seed_json() -> Value {
    serde_json::from_slice(&std::fs::read(sample()).expect("seed")).expect("seed parses")
}

fn seed_bundle() -> Bundle {
    dangjian_bundle_io::read_path(&sample()).expect("seed is valid")
}

fn nested(depth: usize) -> Vec<u8> {
    format!("{{\"districts\": {}", "[".repeat(depth)).into_bytes()
}

/// Appends a line to one CSV file of the folder.
fn append(dir: &Path, file: &str, line: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(file))
        .expect("open");
    f.write_all(line).expect("append");
}

/// Replaces the first occurrence of `from` in one CSV file of the folder.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// A zip of `n` empty entries.
fn many_entries(n: usize) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..n {
        out.start_file(format!("x/{i}"), options).expect("start");
    }
    out.finish().expect("finish").into_inner()
}

fn seed_xlsx() -> Vec<u8> {
    std::fs::read(sample().with_extension("xlsx")).expect("seed xlsx")
}

fn cases() -> Vec<Case> {
    use Input::*;
    vec![
        // ------------------------------------------------------------ bounds and reserved ids
        Case {
            name: "demand 7e18 (three needs would overflow the sums)",
            input: Json(|v| {
                for i in 0..3 {
                    v["needs"][i]["demand"] = json!(7_000_000_000_000_000_000u64);
                }
            }),
            exit: 1,
            message: "/needs/2 (id N-003), field `demand`: demand 7000000000000000000 is above the limit of 1000000000",
        },
        Case {
            name: "capacity one past the limit",
            input: Json(|v| v["resources"][0]["capacity"] = json!(1_000_000_001)),
            exit: 1,
            message: "/resources/0 (id R-001), field `capacity`: capacity 1000000001 is above the limit of 1000000000",
        },
        Case {
            name: "hours past 10,000 in one row",
            input: Json(|v| v["volunteering"][5]["hours"] = json!(10_000.5)),
            exit: 1,
            message: "/volunteering/5, field `hours`: hours 10000.5 is above the limit of 10000 per row",
        },
        Case {
            name: "demand larger than u64",
            input: Json(|v| v["needs"][0]["demand"] = json!(1e20)),
            exit: 1,
            message: "/needs/0/demand",
        },
        Case {
            name: "a street with the reserved id city",
            input: Json(|v| {
                let text = v.to_string().replace("\"S-JLT\"", "\"city\"");
                *v = serde_json::from_str(&text).expect("json");
            }),
            exit: 1,
            message: "/streets/0 (id city), field `id`: `city` is a reserved word and cannot be an id",
        },
        Case {
            name: "a merge adding a district with the reserved id city",
            input: Merge(|| json!({"districts": [{"id": "city", "name": "全市"}]})),
            exit: 1,
            message: "`city` is a reserved word",
        },
        Case {
            name: "a merge raising a demand past the limit",
            input: Merge(
                || json!({"needs": [{"id": "N-001", "committee": "K-TINGYI", "domain": "elderly_care", "demand": 2_000_000_000u64}]}),
            ),
            exit: 1,
            message: "demand 2000000000 is above the limit of 1000000000",
        },
        Case {
            name: "demand 0",
            input: Json(|v| v["needs"][0]["demand"] = json!(0)),
            exit: 1,
            message: "/needs/0 (id N-001), field `demand`: demand must be greater than 0",
        },
        Case {
            name: "negative hours",
            input: Json(|v| v["volunteering"][0]["hours"] = json!(-1)),
            exit: 1,
            message: "/volunteering/0, field `hours`: hours must be a finite number ≥ 0, not -1",
        },
        Case {
            name: "negative households",
            input: Json(|v| v["committees"][0]["households"] = json!(-5)),
            exit: 1,
            message: "/committees/0/households",
        },
        // ------------------------------------------------------------------- JSON structure
        Case {
            name: "JSON nested 17 deep",
            input: JsonBytes(|| nested(17)),
            exit: 1,
            // `{` is level 1, so the 16th `[` (column 14 + 16) is level 17.
            message: "line 1, column 30: arrays and objects nested more than 16 deep",
        },
        Case {
            name: "JSON nested a million deep",
            input: JsonBytes(|| nested(1_000_000)),
            exit: 1,
            message: "nested more than 16 deep",
        },
        Case {
            name: "JSON truncated",
            input: JsonBytes(|| {
                let b = std::fs::read(sample()).expect("seed");
                b[..b.len() / 2].to_vec()
            }),
            exit: 1,
            message: "EOF while parsing",
        },
        Case {
            name: "empty JSON file",
            input: JsonBytes(Vec::new),
            exit: 1,
            message: "EOF while parsing a value at line 1 column 0",
        },
        Case {
            name: "JSON that is a list",
            input: JsonBytes(|| b"[1, 2, 3]".to_vec()),
            exit: 1,
            message: "the bundle must be a JSON object with one list per table",
        },
        Case {
            name: "JSON that is not UTF-8",
            input: JsonBytes(|| {
                b"{\"districts\": [{\"id\": \"D1\", \"name\": \"\xff\xfe\"}]}".to_vec()
            }),
            exit: 1,
            message: "invalid unicode code point at line 1",
        },
        Case {
            name: "an unknown table",
            input: Json(|v| v["branches"] = json!([])),
            exit: 1,
            message: "unknown table `branches`",
        },
        Case {
            name: "an unknown field",
            input: Json(|v| v["districts"][0]["population"] = json!(1)),
            exit: 1,
            message: "/districts/0/population (id D-SJ), field `population`: unknown field `population`",
        },
        Case {
            name: "a number where text belongs",
            input: Json(|v| v["districts"][1]["name"] = json!(42)),
            exit: 1,
            message: "/districts/1/name (id D-PT), field `name`: expected text, found the number 42",
        },
        Case {
            name: "text where a number belongs",
            input: Json(|v| v["committees"][0]["households"] = json!("many")),
            exit: 1,
            message: "expected a whole number ≥ 0, found the text \"many\"",
        },
        Case {
            name: "a row that is not an object",
            input: Json(|v| v["streets"][0] = json!("S-JLT")),
            exit: 1,
            message: "/streets/0: a row must be an object",
        },
        Case {
            name: "a date that is not a date",
            input: Json(|v| v["partnerships"][0]["signed"] = json!("2025-02-30")),
            exit: 1,
            message: "`2025-02-30` is not a date",
        },
        Case {
            name: "an unknown service domain",
            input: Json(|v| v["needs"][0]["domain"] = json!("space_travel")),
            exit: 1,
            message: "unknown service domain `space_travel`",
        },
        Case {
            name: "a duplicate id across tables",
            input: Json(|v| v["units"][0]["id"] = json!("S-JLT")),
            exit: 1,
            message: "duplicate id `S-JLT`",
        },
        Case {
            name: "a dangling reference",
            input: Json(|v| v["committees"][0]["community"] = json!("C-NOWHERE")),
            exit: 1,
            message: "`community` refers to `C-NOWHERE`, but no community has that id",
        },
        Case {
            name: "an empty id",
            input: Json(|v| v["mass_orgs"][0]["id"] = json!("")),
            exit: 1,
            message: "id is empty",
        },
        Case {
            name: "a party-org cycle",
            input: Json(|v| v["party_orgs"][0]["parent"] = json!("P-K-TINGYI")),
            exit: 1,
            message: "cycle",
        },
        // ----------------------------------------------------------------------- CSV folder
        Case {
            name: "a CSV record past 1 MiB (a giant unterminated field)",
            input: Csv(|d| {
                let mut line = b"D-BIG,\"".to_vec();
                line.extend(std::iter::repeat_n(b'x', 2 << 20));
                append(d, "districts.csv", &line);
            }),
            exit: 1,
            message: "districts.csv line 5: a record longer than 1048576 bytes",
        },
        Case {
            name: "a CSV cell past 128 KiB",
            input: Csv(|d| {
                let line = format!("D-BIG,{}\n", "x".repeat(200_000));
                append(d, "districts.csv", line.as_bytes());
            }),
            exit: 1,
            message: "districts.csv line 5 (id D-BIG), field `name`: the cell holds 200000 bytes of text; the limit is 131072",
        },
        Case {
            name: "CSV that is not UTF-8",
            input: Csv(|d| append(d, "districts.csv", b"D-X,\xff\xfe\n")),
            exit: 1,
            message: "districts.csv line 5: not UTF-8",
        },
        Case {
            name: "a CSV line with too many cells",
            input: Csv(|d| append(d, "districts.csv", b"D-X,name,extra\n")),
            exit: 1,
            message: "this line has 3 cells but the header has 2",
        },
        Case {
            name: "an unknown CSV column",
            input: Csv(|d| edit(d, "districts.csv", "id,name", "id,name,population")),
            exit: 1,
            message: "unknown column `population`",
        },
        Case {
            name: "a missing required CSV column",
            input: Csv(|d| edit(d, "needs.csv", "demand", "amount")),
            exit: 1,
            message: "required column `demand` is missing",
        },
        Case {
            name: "a CSV demand of 7e18",
            input: Csv(|d| edit(d, "needs.csv", ",200\n", ",7000000000000000000\n")),
            exit: 1,
            message: "needs.csv line 2 (id N-001), field `demand`: demand 7000000000000000000 is above the limit",
        },
        Case {
            name: "an unknown CSV file",
            input: Csv(|d| std::fs::write(d.join("branches.csv"), "id\n").expect("write")),
            exit: 1,
            message: "unknown table file `branches.csv`",
        },
        Case {
            name: "a CSV street named city",
            input: Csv(|d| edit(d, "mass_orgs.csv", "G-SJ-UNION,", "city,")),
            exit: 1,
            message: "mass_orgs.csv line 2 (id city), field `id`: `city` is a reserved word",
        },
        // --------------------------------------------------------------------------- XLSX
        Case {
            name: "the issue's workbook with a cell at XFD1048576",
            input: DataFile("xfd1048576.xlsx"),
            exit: 1,
            message: "sheet districts: a cell at XFD1048576 is in column 16384; a table sheet may use at most 64 columns",
        },
        Case {
            name: "a zip with 1,001 entries",
            input: XlsxBytes(|| many_entries(1_001)),
            exit: 1,
            message: "the archive has 1001 entries; the limit is 1000",
        },
        Case {
            name: "an entry declaring 4 GB uncompressed",
            input: XlsxBytes(|| {
                let mut b = seed_xlsx();
                let at = b
                    .windows(4)
                    .position(|w| w == b"PK\x01\x02")
                    .expect("central");
                b[at + 24..at + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
                b
            }),
            exit: 1,
            message: "declares 4294967280 bytes uncompressed; the limit is 1073741824",
        },
        Case {
            name: "a truncated workbook",
            input: XlsxBytes(|| {
                let b = seed_xlsx();
                b[..b.len() / 2].to_vec()
            }),
            exit: 1,
            message: "not a readable XLSX workbook",
        },
        Case {
            name: "text named .xlsx",
            input: XlsxBytes(|| b"id,name\nD1,x\n".to_vec()),
            exit: 1,
            message: "not a readable XLSX workbook",
        },
        Case {
            name: "a workbook demand of 7e18",
            input: Xlsx(|b| b.needs[0].demand = 7_000_000_000_000_000_000),
            exit: 1,
            message: "sheet needs row 2 (id N-001), field `demand`: demand 7000000000000000000 is above the limit",
        },
        Case {
            name: "a workbook hours past the limit",
            input: Xlsx(|b| b.volunteering[0].hours = 20_000.0),
            exit: 1,
            message: "sheet volunteering row 2, field `hours`: hours 20000 is above the limit of 10000 per row",
        },
        Case {
            name: "a workbook with a district named city",
            input: Xlsx(|b| {
                let old = b.districts[2].id.clone();
                b.districts[2].id = "city".into();
                for s in &mut b.streets {
                    if s.district == old {
                        s.district = "city".into();
                    }
                }
            }),
            exit: 1,
            message: "sheet districts row 4 (id city), field `id`: `city` is a reserved word",
        },
        // --------------------------------------------------------------------------- paths
        Case {
            name: "a path that does not exist",
            input: Missing,
            exit: 1,
            message: "cannot read",
        },
    ]
}

/// Builds the case's input under `dir`; returns the path and whether to `--merge`.
fn build(input: &Input, dir: &Path, seed_csv: &Path) -> (PathBuf, bool) {
    match input {
        Input::Json(f) => {
            let mut v = seed_json();
            f(&mut v);
            let p = dir.join("case.json");
            std::fs::write(&p, serde_json::to_vec(&v).expect("json")).expect("write");
            (p, false)
        }
        Input::JsonBytes(f) => {
            let p = dir.join("case.json");
            std::fs::write(&p, f()).expect("write");
            (p, false)
        }
        Input::Csv(f) => {
            let p = dir.join("case-csv");
            std::fs::create_dir_all(&p).expect("mkdir");
            for e in std::fs::read_dir(seed_csv).expect("seed csv") {
                let e = e.expect("entry");
                std::fs::copy(e.path(), p.join(e.file_name())).expect("copy");
            }
            f(&p);
            (p, false)
        }
        Input::Xlsx(f) => {
            let mut b = seed_bundle();
            f(&mut b);
            let p = dir.join("case.xlsx");
            dangjian_bundle_io::write_xlsx(&b, &p).expect("write xlsx");
            (p, false)
        }
        Input::XlsxBytes(f) => {
            let p = dir.join("case.xlsx");
            std::fs::write(&p, f()).expect("write");
            (p, false)
        }
        Input::DataFile(name) => (data(name), false),
        Input::Merge(f) => {
            let p = dir.join("partial.json");
            std::fs::write(&p, serde_json::to_vec(&f()).expect("json")).expect("write");
            (p, true)
        }
        Input::Missing => (dir.join("no-such-bundle.json"), false),
    }
}

fn dangjian(db: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("dangjian runs")
}

fn export(db: &Path, out: &Path) -> Vec<u8> {
    let o = dangjian(
        db,
        &[
            "export",
            "--format",
            "json",
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    assert!(
        o.status.success(),
        "export: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(out).expect("exported")
}

#[test]
fn every_bad_input_is_refused_with_its_message_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("store.db");
    let seed_csv = dir.path().join("seed-csv");
    let o = dangjian(&db, &["import", sample().to_str().expect("utf-8")]);
    assert!(o.status.success());
    let o = dangjian(
        &db,
        &[
            "export",
            "--format",
            "csv",
            "--out",
            seed_csv.to_str().expect("utf-8"),
        ],
    );
    assert!(o.status.success());
    let before = export(&db, &dir.path().join("before.json"));
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let work = dir.path().join(format!("case-{i}"));
        std::fs::create_dir_all(&work).expect("mkdir");
        let (path, merge) = build(&case.input, &work, &seed_csv);
        let mut args = vec!["import", path.to_str().expect("utf-8")];
        if merge {
            args.push("--merge");
        }
        let out = dangjian(&db, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        if code != Some(case.exit) {
            failures.push(format!(
                "{}: exit {code:?}, expected {}: {err}",
                case.name, case.exit
            ));
        } else if !err.contains(case.message) || err.contains("panicked") {
            let shown: String = err.chars().take(1500).collect();
            failures.push(format!(
                "{}: message lacks `{}`: {shown}",
                case.name, case.message
            ));
        }
        let after = export(&db, &work.join("after.json"));
        if after != before {
            failures.push(format!("{}: the stored network changed", case.name));
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn csv_tables_guard_formula_like_text_and_keep_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("store.db");
    let mut v = seed_json();
    v["committees"][0]["name"] = json!("=HYPERLINK(\"http://x\")");
    v["committees"][1]["name"] = json!("-亭宜苑");
    let path = dir.path().join("formula.json");
    std::fs::write(&path, serde_json::to_vec(&v).expect("json")).expect("write");
    let o = dangjian(&db, &["import", path.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = dangjian(
        &db,
        &["coverage", "--as-of", "2026-06-30", "--format", "csv"],
    );
    assert!(o.status.success());
    let csv = String::from_utf8(o.stdout).expect("utf-8");
    // The csv writer quotes the field because of its `"`; the guard sits inside the quotes.
    assert!(
        csv.contains("K-TINGYI,\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{csv}"
    );
    assert!(csv.contains("K-JLT-TY2,'-亭宜苑,"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    // Numbers stay numbers: the household ratio of K-TINGYI is 9 / 2860 × 1000.
    assert!(csv.contains(",true,9,3.1468531468531467,"), "{csv}");
}
