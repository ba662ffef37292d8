//! Outside-in tests of the `dangjian` binary on real SQLite files: import, export, coverage
//! on hand-checked networks, refused imports, formats, errors.

mod catalogue;
mod formats;
mod fuzz;
mod graph;
mod neo4j;
mod snapshots;
mod tidy;
mod writes;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-06-30";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dangjian"));
    // Never touch the user's default database from a test.
    c.env_remove("DANGJIAN_DB");
    c
}

/// The hand-checked network of the coverage edge cases (`testdata/cli-edges.json`).
fn edges() -> PathBuf {
    dangjian_testdata::path("cli-edges.json")
}

/// A file in `tests/cli/data/`.
fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/data")
        .join(name)
}

fn sample() -> PathBuf {
    dangjian_testdata::seed_sample()
}

fn run(db: &Path, args: &[&str]) -> Output {
    on_store("--db", db.as_os_str(), args)
}

/// `dangjian FLAG STORE args…` (`--db FILE` or `--neo4j URI`).
fn on_store(flag: &str, store: &std::ffi::OsStr, args: &[&str]) -> Output {
    let mut c = bin();
    c.arg(flag).arg(store).args(args);
    c.output().expect("the dangjian binary runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    succeeded(run(db, args), &format!("{args:?}"))
}

/// The stdout of a command that must succeed; panics with both streams when it did not.
fn succeeded(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "dangjian {what} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The words of a command line written as one string (for arguments without spaces).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// `ok` with the command line as one string.
fn okw(db: &Path, line: &str) -> String {
    ok(db, &words(line))
}

/// `ok` with the command line as one string, its output parsed as JSON.
fn json_of(db: &Path, line: &str) -> Value {
    let out = okw(db, line);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("dangjian {line}: not JSON ({e}): {out}"))
}

/// A new temporary folder with a database `net.db` holding the network `bundle` (imported
/// with `dangjian import`); keep the folder alive while the database is used.
fn temp_db_with(bundle: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = dir.path().join("net.db");
    ok(&db, &["import", bundle.to_str().expect("UTF-8 path")]);
    (dir, db)
}

fn fails(db: &Path, args: &[&str]) -> String {
    refused(run(db, args), &format!("{args:?}"))
}

/// The stderr of a command that must fail with an error (not a panic or a backtrace).
fn refused(out: Output, what: &str) -> String {
    assert!(!out.status.success(), "dangjian {what} should fail");
    let err = String::from_utf8(out.stderr).expect("UTF-8 errors");
    assert!(
        !err.contains("panicked"),
        "a panic instead of an error: {err}"
    );
    assert!(!err.contains("stack backtrace"), "a backtrace: {err}");
    err
}

fn coverage_json(db: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["coverage", "--as-of", AS_OF, "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(db, &args)).expect("coverage --format json is JSON")
}

/// The string `key` of every element of the JSON array `list`; panics when `list` is not an
/// array or an element lacks the key.
fn strs<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"));
    let field = |x: &'a Value| x[key].as_str().unwrap_or_else(|| panic!("no {key} in {x}"));
    items.iter().map(field).collect()
}

/// The item with this id in the coverage document's `list` (`committees` or `rollups`).
fn item<'a>(doc: &'a Value, list: &str, id: &str) -> &'a Value {
    doc[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} list"))
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} in the coverage document's {list}"))
}

fn committee<'a>(doc: &'a Value, id: &str) -> &'a Value {
    item(doc, "committees", id)
}

fn rollup<'a>(doc: &'a Value, id: &str) -> &'a Value {
    item(doc, "rollups", id)
}

#[test]
fn coverage_edges_of_the_definitions() {
    let (_dir, db) = temp_db_with(&edges());
    let doc = coverage_json(&db, &[]);
    assert_eq!(doc["as_of"], AS_OF);
    assert_eq!(doc["scope"], "city");

    // The figures of each committee that the fixture's edge cases decide.
    for (id, figures) in [
        // P1 signed on as_of is active and direct; P4 reaches K1 through the street. MB1 is
        // exactly 35 (not young); MB2 gave zero hours at K1 (not a volunteer there).
        (
            "K1",
            serde_json::json!({
                "partners_direct": 1, "partners_in_reach": 2,
                "registered_members": 2, "members_per_1000_households": 2.0,
                "volunteer_hours": 5.0, "young_volunteers": 0,
                "mass_org_types": ["union", "youth_league"],
                "blank_spots": ["no_women_federation"], "party_org": true,
            }),
        ),
        // P2 expires on as_of: not active. Only the street-level P4 reaches K2. Hours exactly
        // one year before as_of do not count; the day after does.
        (
            "K2",
            serde_json::json!({
                "partners_direct": 0, "partners_in_reach": 1,
                "volunteer_hours": 2.0, "young_volunteers": 1,
                "blank_spots": ["no_party_org", "no_youth_league", "no_women_federation"],
            }),
        ),
        // Zero households: no ratio. Hours by an unregistered member count at the committee.
        // Community-level P3 and street-level P4 both reach K3.
        (
            "K3",
            serde_json::json!({
                "members_per_1000_households": null, "registered_members": 0,
                "volunteer_hours": 4.0, "young_volunteers": 1,
                "partners_in_reach": 2, "partners_direct": 0,
                "mass_org_types": ["union", "women_federation"],
                "blank_spots": ["no_party_org", "no_members", "no_youth_league"],
            }),
        ),
    ] {
        let got = committee(&doc, id);
        for (field, want) in figures.as_object().expect("figures") {
            assert_eq!(&got[field], want, "{id} {field}");
        }
    }

    let c1 = rollup(&doc, "C1");
    assert_eq!(c1["level"], "community");
    assert_eq!(c1["committees"], 2);
    assert_eq!(c1["registered_members"], 3);
    assert_eq!(c1["volunteer_hours"], 7.0);
    assert_eq!(c1["partners_in_reach_median"], 1.5);
    assert_eq!(c1["blank_spots"]["no_party_org"], 1);
    let city = rollup(&doc, "city");
    assert_eq!(city["committees"], 3);
    assert_eq!(city["partners_in_reach_median"], 2.0);
    assert_eq!(city["blank_spots"]["no_youth_league"], 2);

    // A scope restricts the committees.
    let c2 = coverage_json(&db, &["--scope", "C2"]);
    let ids = strs(&c2["committees"], "id");
    assert_eq!(ids, ["K3"]);

    // The day before P1 was signed, K1 has no direct partner.
    let before: Value = serde_json::from_str(&ok(
        &db,
        &["coverage", "--as-of", "2026-06-29", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(committee(&before, "K1")["partners_direct"], 0);
    assert_eq!(committee(&before, "K2")["partners_direct"], 1);
}

#[test]
fn json_csv_and_xlsx_give_identical_coverage_and_export_round_trips() {
    let (dir, a) = temp_db_with(&sample());
    let reference = coverage_json(&a, &[]);
    assert!(reference["committees"].as_array().unwrap().len() >= 20);

    for (format, out) in [
        ("csv", dir.path().join("csv")),
        ("xlsx", dir.path().join("net.xlsx")),
        ("json", dir.path().join("net.json")),
    ] {
        ok(
            &a,
            &["export", "--format", format, "--out", out.to_str().unwrap()],
        );
        let b = dir.path().join(format!("from-{format}.db"));
        ok(&b, &["import", out.to_str().unwrap()]);
        assert_eq!(
            coverage_json(&b, &[]),
            reference,
            "coverage after a {format} round trip"
        );
        let gaps_a = ok(&a, &["gaps", "--as-of", AS_OF, "--format", "json"]);
        let gaps_b = ok(&b, &["gaps", "--as-of", AS_OF, "--format", "json"]);
        assert_eq!(gaps_a, gaps_b, "gaps after a {format} round trip");
    }
}

#[test]
fn a_refused_import_changes_nothing_and_names_every_problem() {
    let (dir, db) = temp_db_with(&edges());
    let before = coverage_json(&db, &[]);

    let mut bad: Value = serde_json::from_str(&std::fs::read_to_string(edges()).unwrap()).unwrap();
    bad["committees"][1]["community"] = "C9".into(); // dangling
    bad["partnerships"][0]["signed"] = "2026-02-30".into(); // not a date
    bad["needs"] =
        serde_json::json!([{"id": "K1", "committee": "K1", "domain": "cooking", "demand": 0}]);
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, serde_json::to_string(&bad).unwrap()).unwrap();

    let err = fails(&db, &["import", bad_path.to_str().unwrap()]);
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(err.contains("/committees/1"), "{err}");
    assert!(err.contains("C9"), "{err}");
    assert!(err.contains("/partnerships/0"), "{err}");
    assert!(err.contains("2026-02-30"), "{err}");
    assert!(err.contains("cooking"), "{err}");
    assert_eq!(
        coverage_json(&db, &[]),
        before,
        "the stored network is unchanged"
    );

    // A merge that would leave the whole invalid is refused as well.
    let partial = dir.path().join("partial.json");
    std::fs::write(
        &partial,
        r#"{"members": [{"id": "MB9", "name": "周九", "birth_year": 1990, "registered_at": "K404", "skills": []}]}"#,
    )
    .unwrap();
    let err = fails(&db, &["import", "--merge", partial.to_str().unwrap()]);
    assert!(err.contains("K404"), "{err}");
    assert_eq!(coverage_json(&db, &[]), before);

    // A valid merge upserts by id.
    std::fs::write(
        &partial,
        r#"{"members": [{"id": "MB9", "name": "周九", "birth_year": 1990, "registered_at": "K3", "skills": []}]}"#,
    )
    .unwrap();
    ok(&db, &["import", "--merge", partial.to_str().unwrap()]);
    let after = coverage_json(&db, &[]);
    assert_eq!(committee(&after, "K3")["registered_members"], 1);
    assert_eq!(committee(&after, "K1")["registered_members"], 2);
}

#[test]
fn errors_are_one_paragraph_without_panics() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let err = fails(&db, &["import", "/nonexistent/net.json"]);
    assert!(err.contains("/nonexistent/net.json"), "{err}");
    ok(&db, &["import", edges().to_str().unwrap()]);
    let err = fails(&db, &["coverage", "--scope", "NOPE"]);
    assert!(err.contains("NOPE"), "{err}");
    let err = fails(&db, &["coverage", "--as-of", "2026-13-01"]);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{\"districts\": [").unwrap();
    let err = fails(&db, &["import", not_json.to_str().unwrap()]);
    assert!(err.contains("broken.json"), "{err}");
}

#[test]
fn tables_for_people_and_csv_for_scripts() {
    let (_dir, db) = temp_db_with(&edges());
    let table = ok(&db, &["coverage", "--as-of", AS_OF]);
    assert!(table.contains("一号居委会"), "{table}");
    assert!(table.contains("无党组织"), "{table}");
    // Chinese names are aligned: every row of the table has the same display width.
    let widths: Vec<usize> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(unicode_display_width)
        .collect();
    assert!(widths.len() >= 4);
    let first_table: Vec<usize> = widths.iter().copied().take(4).collect();
    assert!(
        first_table.windows(2).all(|w| w[0] == w[1]),
        "rows of unequal width: {first_table:?}\n{table}"
    );
    let csv = ok(&db, &["coverage", "--as-of", AS_OF, "--format", "csv"]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("\u{feff}id,name,community")
    );
    assert_eq!(lines.count(), 3);
}

fn unicode_display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let cp = c as u32;
            if (0x1100..=0x115F).contains(&cp)
                || (0x2E80..=0xA4CF).contains(&cp)
                || (0xAC00..=0xD7A3).contains(&cp)
                || (0xF900..=0xFAFF).contains(&cp)
                || (0xFE30..=0xFE4F).contains(&cp)
                || (0xFF00..=0xFF60).contains(&cp)
                || (0xFFE0..=0xFFE6).contains(&cp)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn the_default_database_is_created_with_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("default.db");
    let out = bin()
        .env("DANGJIAN_DB", &db)
        .args(["coverage", "--as-of", AS_OF, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sample"), "says it loaded the sample: {err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["committees"].as_array().unwrap().len() >= 20);
    // An explicit --db that does not exist is created empty, and says how to import.
    let empty = dir.path().join("empty.db");
    let err = fails(&empty, &["coverage"]);
    assert!(err.contains("import"), "{err}");
}

#[test]
fn generate_is_deterministic_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let db = dir.path().join("x.db");
    for p in [&a, &b] {
        ok(
            &db,
            &[
                "generate",
                "--scale",
                "district",
                "--seed",
                "7",
                "--out",
                p.to_str().unwrap(),
            ],
        );
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    ok(&db, &["import", a.to_str().unwrap()]);
    let doc = coverage_json(&db, &[]);
    assert!(doc["committees"].as_array().unwrap().len() >= 100);
}

#[test]
fn render_draws_the_fair_allocation_on_request() {
    let (dir, db) = temp_db_with(&sample());
    let dot = |extra: &[&str]| {
        let out = dir.path().join("p.dot");
        let mut args = vec![
            "render",
            "S-JLT",
            "--view",
            "partnerships",
            "--as-of",
            "2026-06-30",
            "--format",
            "dot",
            "--out",
            out.to_str().expect("path"),
        ];
        args.extend_from_slice(extra);
        ok(&db, &args);
        std::fs::read_to_string(&out).expect("DOT written")
    };
    let plain = dot(&[]);
    let with = dot(&["--allocations"]);
    assert!(!plain.contains("分配"), "no allocation edges unless asked");
    // 九里亭's elderly-care needs are served by the fair allocation (docs/指标口径.md).
    assert!(
        with.contains("养老 分配"),
        "allocation edges drawn on request:\n{with}"
    );
}
