//! Hostile and out-of-bounds inputs for every reader (SPEC §2): workbooks claiming huge sheets,
//! zip tricks, giant CSV records and cells, deeply nested JSON, numbers past the bounds, the
//! reserved id `city`; and the formula-injection guard of the writers, which must round-trip.

use dangjian_bundle_io::limits::*;
use dangjian_bundle_io::*;
use dangjian_model::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn seed_json() -> PathBuf {
    dangjian_testdata::seed_sample()
}

fn seed() -> Bundle {
    read_path(&seed_json()).expect("the seed bundle is valid")
}

/// Reads `path`, which must fail quickly as malformed; returns the error text.
fn refused(path: &Path) -> String {
    let started = Instant::now();
    let err = match read_path(path) {
        Err(e @ ReadError::Malformed { .. }) => e.to_string(),
        Err(other) => panic!("expected a malformed-input error, got {other}"),
        Ok(_) => panic!("expected a malformed-input error, got a bundle"),
    };
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    err
}

/// The sample written as a workbook `good.xlsx` in `dir`.
fn seed_xlsx(dir: &Path) -> PathBuf {
    let good = dir.join("good.xlsx");
    write_xlsx(&seed(), &good).expect("write");
    good
}

/// The sample written as a CSV folder in `dir`, with its `districts.csv` open for appending.
fn csv_bundle_appending(dir: &Path) -> (PathBuf, std::fs::File) {
    let folder = dir.join("bundle");
    write_csv_dir(&seed(), &folder).expect("export");
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(folder.join("districts.csv"))
        .expect("open");
    (folder, f)
}

/// `refused`, and the error names every one of `needles`.
fn refused_saying(path: &Path, needles: &[&str]) -> String {
    let err = refused(path);
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
    err
}

fn invalid(path: &Path) -> Vec<Problem> {
    match read_path(path) {
        Err(ReadError::Invalid(p)) => p.0,
        Err(other) => panic!("expected problems, got {other}"),
        Ok(_) => panic!("expected problems, got a bundle"),
    }
}

/// The workbook of issue 10: a `districts` sheet with a header, one row, and one cell at
/// XFD1048576 (the sheet's `<dimension>` then claims A1:XFD1048576, 17 billion cells).
pub fn write_xfd_workbook(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("districts").expect("name");
    sheet.write_string(0, 0, "id").expect("cell");
    sheet.write_string(0, 1, "name").expect("cell");
    sheet.write_string(1, 0, "D1").expect("cell");
    sheet.write_string(1, 1, "黄浦区").expect("cell");
    sheet.write_number(1_048_575, 16_383, 1.0).expect("cell");
    wb.save(path).expect("save");
}

#[test]
fn a_cell_at_xfd1048576_is_refused_without_a_dense_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("xfd.xlsx");
    write_xfd_workbook(&path);
    assert!(std::fs::metadata(&path).expect("written").len() < 10_000);
    refused_saying(
        &path,
        &[
            "sheet districts",
            "XFD1048576",
            &format!("at most {MAX_SHEET_COLUMNS} columns"),
        ],
    );
}

#[test]
fn a_declared_dimension_alone_costs_nothing() {
    // A sheet whose <dimension> claims the whole grid but whose cells are few reads fine.
    let dir = tempfile::tempdir().expect("tempdir");
    let good = seed_xlsx(dir.path());
    let b = seed();
    let patched = dir.path().join("dimension.xlsx");
    // Every sheet's <dimension ref="…"> claims the whole grid.
    splice_entries(
        &good,
        &patched,
        "xl/worksheets/",
        "<dimension ref=\"",
        '"',
        "A1:XFD1048576",
    );
    assert_eq!(read_path(&patched).expect("reads"), b);
}

/// Copies the workbook at `from` to `to`; in each entry whose name starts or ends with `entry`,
/// the text after the first `after` up to the next `until` becomes `with`.
fn splice_entries(from: &Path, to: &Path, entry: &str, after: &str, until: char, with: &str) {
    rewrite_zip(from, to, |name, data| {
        if !(name.starts_with(entry) || name.ends_with(entry)) {
            return data;
        }
        let text = String::from_utf8(data).expect("xml");
        let start = text
            .find(after)
            .unwrap_or_else(|| panic!("{after} in {name}"))
            + after.len();
        let end = start + text[start..].find(until).expect("the value's end");
        format!("{}{with}{}", &text[..start], &text[end..]).into_bytes()
    });
}

/// Copies the zip at `from` to `to`, passing each entry's bytes through `f`.
fn rewrite_zip(from: &Path, to: &Path, f: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(from).expect("open")).expect("zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("inflate");
        out.start_file(&name, options).expect("start");
        out.write_all(&f(&name, data)).expect("write");
    }
    out.finish().expect("finish");
}

#[test]
fn a_zip_with_too_many_entries_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.xlsx");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..=MAX_ZIP_ENTRIES {
        out.start_file(format!("x/{i}"), options).expect("start");
    }
    out.finish().expect("finish");
    refused_saying(&path, &[&format!("the limit is {MAX_ZIP_ENTRIES}")]);
}

/// Offsets of every zip record with `signature` in `bytes`.
fn records(bytes: &[u8], signature: &[u8; 4]) -> Vec<usize> {
    bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w == signature)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn an_entry_declaring_a_huge_size_is_refused_before_inflating() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = seed_xlsx(dir.path());
    let mut bytes = std::fs::read(&good).expect("read");
    // Central directory headers: uncompressed size at offset 24 (4 bytes, little-endian).
    let central = records(&bytes, b"PK\x01\x02");
    assert!(!central.is_empty());
    let at = central[0] + 24;
    bytes[at..at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let path = dir.path().join("declared.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    refused_saying(&path, &["declares 4294967280 bytes"]);
}

#[test]
fn an_entry_lying_small_about_its_size_is_not_trusted() {
    // Every entry claims 1 byte uncompressed: the sizes are measured while inflating, so the
    // lie changes nothing (the unit tests of the reader check the cap on inflated bytes).
    let dir = tempfile::tempdir().expect("tempdir");
    let good = seed_xlsx(dir.path());
    let mut bytes = std::fs::read(&good).expect("read");
    for at in records(&bytes, b"PK\x01\x02") {
        bytes[at + 24..at + 28].copy_from_slice(&1u32.to_le_bytes());
    }
    for at in records(&bytes, b"PK\x03\x04") {
        bytes[at + 22..at + 26].copy_from_slice(&1u32.to_le_bytes());
    }
    let path = dir.path().join("lying.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let read = read_path(&path);
    assert!(
        read.as_ref().is_ok_and(|b| *b == seed()),
        "{:?}",
        read.err()
    );
}

#[test]
fn a_csv_record_past_the_limit_is_refused_while_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An unterminated quoted field of 3 MiB: never buffered whole.
    let (folder, mut f) = csv_bundle_appending(dir.path());
    f.write_all(b"D-BIG,\"").expect("write");
    f.write_all(&vec![b'x'; 3 << 20]).expect("write");
    drop(f);
    let err = refused_saying(
        &folder,
        &[&format!("longer than {MAX_CSV_RECORD_BYTES} bytes")],
    );
    assert!(err.starts_with("districts.csv line "), "{err}");
}

#[test]
fn a_giant_csv_cell_is_a_problem_with_its_row_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (folder, mut f) = csv_bundle_appending(dir.path());
    let name = "区".repeat(MAX_CELL_BYTES / 3 + 1);
    writeln!(f, "D-BIG,{name}").expect("write");
    drop(f);
    let ps = invalid(&folder);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(ps[0].field.as_deref(), Some("name"));
    assert!(ps[0].location.starts_with("districts.csv line "), "{ps:#?}");
    assert!(
        ps[0]
            .message
            .contains(&format!("the limit is {MAX_CELL_BYTES}"))
    );
}

#[test]
fn json_nested_past_the_depth_limit_names_line_and_column() {
    for depth in [MAX_JSON_DEPTH + 1, 100_000] {
        let mut doc = String::from("{\"districts\": [\n");
        doc.push_str(&"[".repeat(depth));
        let err = match parse_json(doc.as_bytes()) {
            Err(e @ ReadError::Malformed { .. }) => e.to_string(),
            other => panic!("{other:?}"),
        };
        assert!(err.starts_with("JSON document line 2, column "), "{err}");
        assert!(
            err.contains(&format!("more than {MAX_JSON_DEPTH} deep")),
            "{err}"
        );
    }
    // Brackets inside strings do not count.
    let name = "[".repeat(100);
    let doc = format!(r#"{{"districts": [{{"id": "D1", "name": "{name}"}}]}}"#);
    assert_eq!(
        parse_json(doc.as_bytes()).expect("valid").districts[0].name,
        name
    );
}

#[test]
fn numbers_past_the_bounds_and_the_reserved_id_are_reported_in_every_format() {
    let mut b = seed();
    for n in &mut b.needs[..3] {
        n.demand = 7_000_000_000_000_000_000;
    }
    b.resources[0].capacity = MAX_CAPACITY + 1;
    b.volunteering[0].hours = 10_001.0;
    b.mass_orgs[0].id = "city".into();
    let old = seed().mass_orgs[0].id.clone();
    for l in &mut b.mass_links {
        if l.mass_org == old {
            l.mass_org = "city".into();
        }
    }
    for r in &mut b.resources {
        if r.provider == old {
            r.provider = "city".into();
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("b.json");
    write_json(&b, &json).expect("json");
    let csv = dir.path().join("b");
    write_csv_dir(&b, &csv).expect("csv");
    let xlsx = dir.path().join("b.xlsx");
    write_xlsx(&b, &xlsx).expect("xlsx");
    for (path, need0, hours0, mass0) in [
        (&json, "/needs/0", "/volunteering/0", "/mass_orgs/0"),
        (
            &csv,
            "needs.csv line 2",
            "volunteering.csv line 2",
            "mass_orgs.csv line 2",
        ),
        (
            &xlsx,
            "sheet needs row 2",
            "sheet volunteering row 2",
            "sheet mass_orgs row 2",
        ),
    ] {
        let ps = invalid(path);
        let has = |loc: &str, field: &str, needle: &str| {
            ps.iter().any(|p| {
                p.location == loc && p.field.as_deref() == Some(field) && p.message.contains(needle)
            })
        };
        assert!(
            has(need0, "demand", "above the limit of 1000000000"),
            "{ps:#?}"
        );
        assert!(has(hours0, "hours", "above the limit of 10000"), "{ps:#?}");
        assert!(has(mass0, "id", "reserved"), "{ps:#?}");
        let all: Vec<String> = ps
            .iter()
            .map(|p| format!("{} {:?} {}", p.location, p.field, p.message))
            .collect();
        assert_eq!(ps.len(), 6, "{}: {all:#?}", path.display());
    }
}

#[test]
fn formula_like_text_is_guarded_in_csv_and_xlsx_and_round_trips() {
    let mut b = seed();
    let old = b.districts[0].id.clone();
    let new_id = Id::from("-D-01");
    b.districts[0].id = new_id.clone();
    for s in &mut b.streets {
        if s.district == old {
            s.district = new_id.clone();
        }
    }
    b.districts[0].name = "=HYPERLINK(\"http://x\",\"点我\")".into();
    b.units[0].industry = "@SUM(A1)".into();
    b.units[1].industry = "'=already quoted".into();
    b.members[0].skills = vec!["+86 21".into(), "护理".into()];
    read_json_round_trip(&b);
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("b");
    write_csv_dir(&b, &csv).expect("csv");
    let districts = std::fs::read_to_string(csv.join("districts.csv")).expect("read");
    assert!(districts.contains("'-D-01,"), "{districts}");
    assert!(districts.contains("\"'=HYPERLINK("), "{districts}");
    let units = std::fs::read_to_string(csv.join("units.csv")).expect("read");
    assert!(units.contains("''=already quoted"), "{units}");
    assert_eq!(read_path(&csv).expect("csv re-imports"), b);
    let xlsx = dir.path().join("b.xlsx");
    write_xlsx(&b, &xlsx).expect("xlsx");
    {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("open");
        let range = wb.worksheet_range("districts").expect("sheet");
        assert_eq!(range.get((1, 0)), Some(&Data::String("'-D-01".into())));
        assert!(matches!(range.get((1, 1)), Some(Data::String(s)) if s.starts_with("'=")));
    }
    assert_eq!(read_path(&xlsx).expect("xlsx re-imports"), b);
}

fn read_json_round_trip(b: &Bundle) {
    validate(b).expect("the guarded sample is still valid");
}

#[test]
fn a_shared_string_index_past_the_table_is_an_error_not_a_panic() {
    // Found by the fuzzer: calamine 0.31 indexes shared strings unchecked.
    let dir = tempfile::tempdir().expect("tempdir");
    let good = seed_xlsx(dir.path());
    let bad = dir.path().join("bad-index.xlsx");
    // The first shared-string cell of sheet6 points far past the table.
    splice_entries(&good, &bad, "sheet6.xml", "t=\"s\"><v>", '<', "4294967295");
    refused_saying(&bad, &["sheet party_orgs: malformed workbook content"]);
}
