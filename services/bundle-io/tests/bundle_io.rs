//! Integration tests of bundle reading and writing: every decoding and validation rule, with
//! the locations each format reports, and lossless round trips JSON ↔ CSV ↔ XLSX.

use dangjian_bundle_io::*;
use dangjian_model::*;
use serde_json::json;
use std::path::{Path, PathBuf};

fn date(s: &str) -> Date {
    s.parse().expect("test date")
}

/// A small valid bundle touching every table and every optional field.
fn sample() -> Bundle {
    dangjian_testdata::bundle("bundle-io-sample.json")
}

fn conformance() -> Bundle {
    read_path(&dangjian_testdata::path("net-1001.json")).expect("net-1001 is valid")
}

fn invalid(r: Result<Bundle, ReadError>) -> Vec<Problem> {
    match r {
        Err(ReadError::Invalid(p)) => p.0,
        other => panic!("expected problems, got {other:?}"),
    }
}

/// Asserts a problem exists at `location` on `field` whose message contains `needle`.
#[track_caller]
fn assert_problem(ps: &[Problem], location: &str, field: Option<&str>, needle: &str) {
    assert!(
        ps.iter().any(|p| p.location == location
            && p.field.as_deref() == field
            && p.message.contains(needle)),
        "no problem at {location} {field:?} containing {needle:?} in:\n{}",
        Problems(ps.to_vec())
    );
}

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_round_trip_and_sample_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = sample();
    assert_eq!(validate(&b), Ok(()));
    let path = dir.path().join("b.json");
    write_json(&b, &path).expect("write");
    assert_eq!(read_path(&path).expect("read"), b);
    let text = std::fs::read_to_string(&path).expect("text");
    assert!(text.contains("黄浦区"), "UTF-8 Chinese kept as is");
    assert!(
        !text.contains("\"expires\": null"),
        "absent optional fields stay absent"
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    let err = parse_json(b"{\n  \"districts\": [\n    {\"id\": \"D1\",, }\n  ]\n}").unwrap_err();
    match err {
        ReadError::Malformed { line, column, .. } => {
            assert_eq!(line, Some(3));
            assert!(column.is_some_and(|c| c > 10), "{column:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse_json(b""), Err(ReadError::Malformed { .. })));
}

#[test]
fn json_decoding_reports_every_problem_with_pointers() {
    let doc = json!({
        "districts": [{"id": "D1", "name": "区"}, {"id": "", "name": "空"}],
        "streets": [
            {"id": "S1", "name": "街", "district": "D1", "kind": "village"},
            {"id": "S2", "name": "街", "district": "D1", "kind": "street", "mayor": "x"},
            {"id": "S3", "district": "D1", "kind": "town"}],
        "party_orgs": [{"id": "P1", "name": "党委", "level": "politburo", "leads": "S2", "secretary": "某"}],
        "units": [{"id": "U1", "name": "厂", "category": "factory", "industry": "制造", "street": "S2"}],
        "mass_orgs": [{"id": "M1", "name": "会", "type": "club"}],
        "committees": [{"id": "K1", "name": "居", "community": "C1", "households": -4},
                       {"id": "K2", "name": "居", "community": "C1", "households": "many"}],
        "members": [{"id": "E1", "name": "甲", "birth_year": "1990", "skills": "唱歌"},
                    {"id": "E2", "name": "乙", "birth_year": 1990.5}],
        "partnerships": [{"id": "PS1", "unit": "U1", "target": "S2", "signed": "2026-02-30"},
                         {"id": "PS2", "unit": "U1", "target": "S2", "signed": "2026/01/01", "expires": 20260101}],
        "social_orgs": [{"id": "O1", "name": "社", "street": "S2", "domains": ["elderly_care", "karaoke"]}],
        "resources": [{"id": "R1", "name": "资", "provider": "U1", "domain": "healthcare", "capacity": 0},
                      {"id": "R2", "name": "资", "provider": "U1", "domain": "healthcare", "capacity": -3}],
        "needs": [{"id": "N1", "committee": "K1", "domain": "gardening", "demand": 0}],
        "projects": [{"id": "J1", "name": "项", "committee": "K1", "needs": [], "resources": [], "status": "paused"}],
        "volunteering": [{"member": "E1", "committee": "K1", "domain": "greening", "hours": -1, "date": "2025-01-01"}],
        "responsibilities": [{"id": "T1", "party_org": "P1", "item": "事", "status": "closed"}],
        "bogus": []
    });
    let ps = match parse_json(doc.to_string().as_bytes()) {
        Err(ReadError::Invalid(p)) => p.0,
        other => panic!("{other:?}"),
    };
    let expected: &[(&str, Option<&str>, &str)] = &[
        ("/bogus", None, "unknown table `bogus`"),
        ("/districts/1/id", Some("id"), "id is empty"),
        (
            "/streets/0/kind",
            Some("kind"),
            "unknown street kind `village`; expected one of: street, town",
        ),
        ("/streets/1/mayor", Some("mayor"), "unknown field `mayor`"),
        ("/streets/2/name", Some("name"), "required but missing"),
        ("/committees/0/households", Some("households"), "≥ 0"),
        (
            "/committees/1/households",
            Some("households"),
            "the text \"many\"",
        ),
        (
            "/party_orgs/0/level",
            Some("level"),
            "unknown party-org level `politburo`",
        ),
        (
            "/units/0/category",
            Some("category"),
            "unknown unit category `factory`",
        ),
        (
            "/mass_orgs/0/type",
            Some("type"),
            "unknown mass-org type `club`",
        ),
        (
            "/social_orgs/0/domains/1",
            Some("domains"),
            "unknown service domain `karaoke`; expected one of: employment, elderly_care",
        ),
        (
            "/members/0/birth_year",
            Some("birth_year"),
            "expected a whole number, found the text \"1990\"",
        ),
        ("/members/0/skills", Some("skills"), "must be a list"),
        ("/members/1/birth_year", Some("birth_year"), "whole number"),
        (
            "/partnerships/0/signed",
            Some("signed"),
            "`2026-02-30` is not a date",
        ),
        (
            "/partnerships/1/signed",
            Some("signed"),
            "`2026/01/01` is not a date",
        ),
        (
            "/partnerships/1/expires",
            Some("expires"),
            "expected a date",
        ),
        ("/resources/0/capacity", Some("capacity"), "greater than 0"),
        (
            "/resources/1/capacity",
            Some("capacity"),
            "greater than 0, found -3",
        ),
        (
            "/needs/0/domain",
            Some("domain"),
            "unknown service domain `gardening`",
        ),
        ("/needs/0/demand", Some("demand"), "greater than 0"),
        (
            "/projects/0/status",
            Some("status"),
            "unknown project status `paused`; expected one of: planned, active, done",
        ),
        ("/volunteering/0/hours", Some("hours"), "≥ 0"),
        (
            "/responsibilities/0/status",
            Some("status"),
            "unknown responsibility status `closed`",
        ),
    ];
    for (loc, field, needle) in expected {
        assert_problem(&ps, loc, *field, needle);
    }
    // Valid rows are validated too: D1 is fine; S2's reference to D1 resolves. No extra noise.
    assert_eq!(ps.len(), expected.len(), "{}", Problems(ps.clone()));
    let p = ps
        .iter()
        .find(|p| p.location == "/streets/0/kind")
        .expect("kind problem");
    assert_eq!(p.table, "streets");
    assert_eq!(p.id.as_deref(), Some("S1"));
}

#[test]
fn json_semantic_problems_come_with_decoding_problems_in_one_pass() {
    let doc = json!({
        "districts": [{"id": "D1", "name": "区"}],
        "streets": [{"id": "S1", "name": "街", "district": "D9", "kind": "street"},
                    {"id": "S2", "name": "街", "district": "D1", "kind": "nope"}],
        "communities": [{"id": "C1", "name": "社区", "street": "S2"}],
        "units": [{"id": "D1", "name": "厂", "category": "other", "industry": "", "street": "S1"}]
    });
    let ps = invalid(parse_json(doc.to_string().as_bytes()));
    assert_problem(
        &ps,
        "/streets/0",
        Some("district"),
        "no district has that id",
    );
    assert_problem(&ps, "/streets/1/kind", Some("kind"), "unknown street kind");
    assert_problem(&ps, "/units/0", Some("id"), "duplicate id `D1`");
    // C1 refers to S2, which failed to decode: not reported as dangling.
    assert_eq!(ps.len(), 3, "{}", Problems(ps.clone()));
    // Decoding only: the dangling district is not a decoding problem.
    let only = parse_json_value(doc).unwrap_err().0;
    assert_eq!(only.len(), 1, "{only:?}");
}

#[test]
fn semantic_problems_of_a_well_typed_json_file() {
    let mut b = sample();
    b.committees[1].id = "K1".into();
    b.party_orgs[0].parent = Some("P2".into());
    b.partnerships[0].expires = Some(date("2023-01-01"));
    b.resources[0].deployed_to = Some(vec!["C1".into()]);
    b.members[1].birth_year = 1800;
    b.social_orgs[0].domains.clear();
    b.adjacency[0].b = "K1".into();
    let bytes = serde_json::to_vec(&b).expect("json");
    let ps = invalid(parse_json(&bytes));
    assert_problem(
        &ps,
        "/committees/1",
        Some("id"),
        "duplicate id `K1`: already used by committee /committees/0",
    );
    assert_problem(&ps, "/party_orgs/0", Some("parent"), "cycle");
    assert_problem(&ps, "/party_orgs/1", Some("parent"), "cycle");
    assert_problem(&ps, "/partnerships/0", Some("expires"), "after signed");
    assert_problem(
        &ps,
        "/resources/0",
        Some("deployed_to"),
        "which is a community",
    );
    assert_problem(&ps, "/members/1", Some("birth_year"), "1800");
    assert_problem(&ps, "/social_orgs/0", Some("domains"), "empty");
    assert_problem(&ps, "/adjacency/0", Some("b"), "border itself");
    // The decode-only entry point accepts it.
    assert!(parse_json_unvalidated(&bytes).is_ok());
}

#[test]
fn decode_row_checks_one_row() {
    let ok: Member = decode_row(
        "members",
        "/members/0",
        &json!({"id": "E1", "name": "甲", "birth_year": 1980}),
    )
    .expect("a member");
    assert_eq!(ok.skills, Vec::<String>::new());
    let ps = decode_row::<Need>(
        "needs",
        "/needs/7",
        &json!({"id": "N1", "committee": "K1", "domain": "x", "demand": 0, "extra": 1}),
    )
    .unwrap_err()
    .0;
    assert_eq!(ps.len(), 3, "{ps:?}");
    assert_problem(&ps, "/needs/7/extra", Some("extra"), "unknown field");
    assert!(decode_row::<Need>("nope", "/nope/0", &json!({})).is_err());
}

#[test]
fn json_files_with_problems_are_walked_and_broken_files_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = serde_json::to_value(sample()).expect("json");
    doc["members"][1]["birth_year"] = json!("二〇〇一");
    doc["needs"][0]["committee"] = json!("K404");
    let path = write_file(dir.path(), "bad.json", &doc.to_string());
    let ps = invalid(read_path(&path));
    assert_problem(
        &ps,
        "/members/1/birth_year",
        Some("birth_year"),
        "whole number",
    );
    assert_problem(
        &ps,
        "/needs/0",
        Some("committee"),
        "no committee has that id",
    );
    assert_eq!(ps.len(), 2, "{}", Problems(ps.clone()));
    assert!(
        decode_path(&path).is_err(),
        "decoding alone still sees the bad birth year"
    );

    let path = write_file(dir.path(), "broken.json", "{\"districts\": [}");
    match read_path(&path) {
        Err(ReadError::Malformed {
            input,
            line,
            column,
            ..
        }) => {
            assert!(input.ends_with("broken.json"), "{input}");
            assert_eq!((line, column), (Some(1), Some(16)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_top_level_shapes() {
    let ps = invalid(parse_json(b"[1, 2]"));
    assert!(ps[0].message.contains("must be a JSON object"), "{ps:?}");
    let ps = invalid(parse_json(
        br#"{"members": {"id": "x"}, "units": null, "needs": [3]}"#,
    ));
    assert_problem(
        &ps,
        "/members",
        None,
        "must be a list of rows, found an object",
    );
    assert_problem(&ps, "/units", None, "must be a list of rows, found null");
    assert_problem(&ps, "/needs/0", None, "must be an object");
}

#[test]
fn big_valid_json_takes_the_typed_path() {
    let mut b = sample();
    let (member, volunteering) = (b.members[0].clone(), b.volunteering[0].clone());
    for i in 0..30_000 {
        let id = Id::from(format!("m{i}"));
        b.volunteering.push(Volunteering {
            member: id.clone(),
            ..volunteering.clone()
        });
        b.members.push(Member {
            id,
            ..member.clone()
        });
    }
    let bytes = serde_json::to_vec(&b).expect("json");
    assert_eq!(parse_json(&bytes).expect("valid"), b);
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_round_trip_is_lossless() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, b) in [("sample", sample()), ("net-1001", conformance())] {
        let out = dir.path().join(name);
        write_to_path(&b, &out, Format::Csv).expect("write csv");
        for table in TABLES {
            assert!(out.join(format!("{table}.csv")).exists(), "{table}.csv");
        }
        assert_eq!(read_path(&out).expect("read csv"), b, "{name}");
    }
}

#[test]
fn csv_missing_files_are_empty_tables_and_columns_may_be_reordered() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_file(dir.path(), "districts.csv", "name,id\n黄浦区,D1\n");
    write_file(dir.path(), "notes.txt", "ignored");
    write_file(
        dir.path(),
        "members.csv",
        "id,name,birth_year,skills,employer\nE1,\"王,五\",1990,护理; 法律,\nE2,赵六,1992.0,,\n",
    );
    let b = read_path(dir.path()).expect("valid");
    assert_eq!(b.districts[0].name, "黄浦区");
    assert_eq!(b.members[0].name, "王,五");
    assert_eq!(b.members[0].skills, vec!["护理", "法律"]);
    assert_eq!(b.members[0].employer, None);
    assert_eq!(b.members[1].birth_year, 1992);
    assert!(b.members[1].skills.is_empty());
    assert!(b.streets.is_empty());
}

#[test]
fn csv_problems_name_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_file(d, "districts.csv", "id,name\nD1,区\n,空\n");
    write_file(d, "extras.csv", "id\n");
    write_file(
        d,
        "streets.csv",
        "id,name,district,kind,mayor\nS1,街,D1,village,x\nS2,\"多行\n名字\",D9,town,\n",
    );
    write_file(d, "communities.csv", "id,name\nC1,社区\n");
    write_file(
        d,
        "members.csv",
        "id,name,birth_year\nE1,甲,abc\nE2,乙,1990,extra\n",
    );
    write_file(
        d,
        "partnerships.csv",
        "id,unit,target,signed,expires\nPS1,U1,S1,2026-02-30,\n",
    );
    write_file(
        d,
        "volunteering.csv",
        "member,committee,domain,hours,date\nE1,K1,greening,-2,2025-01-01\nE1,K1,gardening,x,2025/01/01\n",
    );
    let ps = invalid(read_path(d));
    assert_problem(&ps, "extras.csv", None, "unknown table file `extras.csv`");
    assert_problem(&ps, "districts.csv line 3", Some("id"), "id is empty");
    assert_problem(
        &ps,
        "streets.csv line 1",
        Some("mayor"),
        "unknown column `mayor`",
    );
    assert_problem(
        &ps,
        "streets.csv line 2",
        Some("kind"),
        "unknown street kind `village`",
    );
    // The quoted cell spans two lines, so the second street starts on line 3 and its semantic
    // problem (the district D9 does not exist) names that line.
    assert_problem(
        &ps,
        "streets.csv line 3",
        Some("district"),
        "no district has that id",
    );
    assert_problem(
        &ps,
        "communities.csv line 1",
        Some("street"),
        "required column `street` is missing",
    );
    assert_problem(
        &ps,
        "members.csv line 2",
        Some("birth_year"),
        "the text \"abc\"",
    );
    assert_problem(
        &ps,
        "members.csv line 3",
        None,
        "4 cells but the header has 3",
    );
    assert_problem(
        &ps,
        "partnerships.csv line 2",
        Some("signed"),
        "`2026-02-30` is not a date",
    );
    assert_problem(&ps, "volunteering.csv line 2", Some("hours"), "≥ 0");
    assert_problem(
        &ps,
        "volunteering.csv line 3",
        Some("domain"),
        "unknown service domain `gardening`",
    );
    assert_problem(
        &ps,
        "volunteering.csv line 3",
        Some("hours"),
        "the text \"x\"",
    );
    assert_problem(
        &ps,
        "volunteering.csv line 3",
        Some("date"),
        "`2025/01/01` is not a date",
    );
}

#[test]
fn csv_that_is_not_text_is_malformed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("districts.csv"), b"id,name\nD1,\xff\xfe\n").expect("write");
    match read_path(dir.path()) {
        Err(ReadError::Malformed { input, line, .. }) => {
            assert_eq!(input, "districts.csv");
            assert_eq!(line, Some(2));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- XLSX

#[test]
fn xlsx_round_trip_is_lossless() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, b) in [("sample", sample()), ("net-1001", conformance())] {
        let path = dir.path().join(format!("{name}.xlsx"));
        write_to_path(&b, &path, Format::Xlsx).expect("write xlsx");
        assert_eq!(read_path(&path).expect("read xlsx"), b, "{name}");
    }
}

#[test]
fn xlsx_template_has_every_sheet_with_bold_frozen_headers() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("template.xlsx");
    write_xlsx(&Bundle::default(), &path).expect("write");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("a workbook");
    assert_eq!(wb.sheet_names(), TABLES.map(String::from).to_vec());
    let range = wb.worksheet_range("members").expect("members sheet");
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let header = header.join(",");
    assert_eq!(header, "id,name,birth_year,employer,registered_at,skills");
    assert_eq!(
        read_path(&path).expect("an empty template reads"),
        Bundle::default()
    );
    // Freeze panes and bold live in the sheet XML and styles; check the raw parts.
    let sheet_xml = unzip_part(&path, "xl/worksheets/sheet10.xml");
    assert!(sheet_xml.contains("state=\"frozen\""), "{sheet_xml}");
    assert!(unzip_part(&path, "xl/styles.xml").contains("<b/>"));
}

#[test]
fn xlsx_columns_fit_chinese_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("wide.xlsx");
    let mut b = sample();
    b.districts[0].name = "上海市黄浦区外滩街道示范片区党建联建中心".into(); // 20 CJK = width 40
    write_xlsx(&b, &path).expect("write");
    let xml = unzip_part(&path, "xl/worksheets/sheet1.xml");
    // Column B (name) is 40 + 2 wide.
    assert!(xml.contains("min=\"2\" max=\"2\" width=\"42"), "{xml}");
}

/// One part (an XML file) of a written workbook.
fn unzip_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("open workbook");
    let mut archive = zip::ZipArchive::new(file).expect("a zip file");
    let mut text = String::new();
    archive
        .by_name(part)
        .expect("the part exists")
        .read_to_string(&mut text)
        .expect("utf-8 xml");
    text
}

#[test]
fn xlsx_accepts_float_numbers_and_excel_dates_and_reports_sheet_rows() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("filled.xlsx");
    let mut wb = Workbook::new();
    let date_format = XFormat::new().set_num_format("yyyy-mm-dd");
    let s = wb.add_worksheet();
    s.set_name("districts").expect("name");
    s.write_row(0, 0, ["id", "name"]).expect("row");
    s.write_row(1, 0, ["D1", "区"]).expect("row");
    let s = wb.add_worksheet();
    s.set_name("streets").expect("name");
    s.write_row(0, 0, ["id", "name", "district", "kind"])
        .expect("row");
    s.write_row(1, 0, ["S1", "街", "D1", "street"])
        .expect("row");
    let s = wb.add_worksheet();
    s.set_name("units").expect("name");
    s.write_row(0, 0, ["id", "name", "category", "industry", "street"])
        .expect("row");
    s.write_row(1, 0, ["U1", "厂", "enterprise", "制造", "S1"])
        .expect("row");
    let s = wb.add_worksheet();
    s.set_name("members").expect("name");
    s.write_row(0, 0, ["id", "name", "birth_year", "employer"])
        .expect("row");
    s.write_string(1, 0, "E1").expect("cell");
    s.write_string(1, 1, "甲").expect("cell");
    s.write_number(1, 2, 1992.0).expect("cell");
    s.write_string(1, 3, "U1").expect("cell");
    s.write_number(2, 0, 1001).expect("numeric id");
    s.write_string(2, 1, "乙").expect("cell");
    s.write_number(2, 2, 1990.5).expect("cell");
    s.write_string(2, 3, "U9").expect("cell");
    let s = wb.add_worksheet();
    s.set_name("partnerships").expect("name");
    s.write_row(0, 0, ["id", "unit", "target", "signed", "expires"])
        .expect("row");
    s.write_row(1, 0, ["PS1", "U1", "S1"]).expect("row");
    let dt = ExcelDateTime::from_ymd(2024, 3, 15).expect("date");
    s.write_datetime_with_format(1, 3, &dt, &date_format)
        .expect("cell");
    s.write_string(1, 4, "2026-01-01").expect("cell");
    s.write_row(3, 0, ["PS2", "U1", "S1", "2026-02-30"])
        .expect("row");
    let s = wb.add_worksheet();
    s.set_name("说明").expect("name");
    wb.save(&path).expect("save");

    let ps = invalid(read_path(&path));
    assert_problem(&ps, "sheet 说明", None, "unknown sheet `说明`");
    assert_problem(
        &ps,
        "sheet members row 3",
        Some("birth_year"),
        "whole number",
    );
    assert_problem(
        &ps,
        "sheet partnerships row 4",
        Some("signed"),
        "`2026-02-30` is not a date",
    );
    assert_eq!(ps.len(), 3, "{}", Problems(ps.clone()));

    // Without the bad rows and the extra sheet, it reads: 1992.0 is 1992, the Excel date is
    // a date, and a numeric id is the text "1001".
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("members").expect("name");
    s.write_row(0, 0, ["id", "name", "birth_year"])
        .expect("row");
    s.write_number(1, 0, 1001).expect("cell");
    s.write_string(1, 1, "甲").expect("cell");
    s.write_number(1, 2, 1992.0).expect("cell");
    let s = wb.add_worksheet();
    s.set_name("partnerships").expect("name");
    s.write_row(0, 0, ["id", "unit", "target", "signed"])
        .expect("row");
    s.write_datetime_with_format(1, 3, &dt, &date_format)
        .expect("cell");
    s.write_row(1, 0, ["PS1", "E9", "E9"]).expect("row");
    let path = dir.path().join("ok.xlsx");
    wb.save(&path).expect("save");
    let b = decode_path(&path).expect("decodes");
    assert_eq!(b.members[0].id, "1001");
    assert_eq!(b.members[0].birth_year, 1992);
    assert_eq!(b.partnerships[0].signed, date("2024-03-15"));
    // And the semantic check names the sheet row of the dangling reference.
    let ps = invalid(read_path(&path));
    assert_problem(
        &ps,
        "sheet partnerships row 2",
        Some("unit"),
        "no unit has that id",
    );
}

#[test]
fn a_file_that_is_not_a_workbook_is_malformed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(dir.path(), "broken.xlsx", "this is not a zip");
    assert!(matches!(read_path(&path), Err(ReadError::Malformed { .. })));
}

// ---------------------------------------------------------------- misc

#[test]
fn missing_paths_are_io_errors() {
    let err = read_path(Path::new("/definitely/not/here.json")).unwrap_err();
    assert!(matches!(err, ReadError::Io { .. }), "{err:?}");
}

#[test]
fn formats_from_paths_and_names() {
    assert_eq!(Format::from_path(Path::new("a/b.JSON")), Format::Json);
    assert_eq!(Format::from_path(Path::new("a/b.xlsx")), Format::Xlsx);
    assert_eq!(Format::from_path(Path::new("a/bundle")), Format::Csv);
    assert_eq!("xlsx".parse::<Format>(), Ok(Format::Xlsx));
    assert!("xml".parse::<Format>().is_err());
}

#[test]
fn json_to_csv_to_xlsx_to_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = conformance();
    let csv = dir.path().join("csv");
    write_csv_dir(&b, &csv).expect("csv");
    // Each file opens with a UTF-8 byte-order mark (Excel reads the Chinese right), which the
    // reader skips.
    let members = std::fs::read(csv.join("members.csv")).expect("members.csv");
    assert!(members.starts_with("\u{feff}id,".as_bytes()));
    let from_csv = read_path(&csv).expect("read csv");
    let xlsx = dir.path().join("x.xlsx");
    write_xlsx(&from_csv, &xlsx).expect("xlsx");
    let from_xlsx = read_path(&xlsx).expect("read xlsx");
    let json = dir.path().join("x.json");
    write_json(&from_xlsx, &json).expect("json");
    assert_eq!(read_path(&json).expect("read json"), b);
}
