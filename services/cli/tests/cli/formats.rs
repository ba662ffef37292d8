//! Output formats found wanting by a QA walkthrough: `whatif` as a table and as CSV, the
//! checklist's `--lang`, formats taken from `--out`'s extension, Chinese tables of brokers,
//! areas and trend, the byte-order mark of every CSV, and the wording of errors and help.

use super::{AS_OF, fails, json_of, ok, okw, sample, temp_db_with, words};
use dangjian_export::ChecklistLang;

/// `whatif` withdrawing 中山医院 (U-ZR-HOSP): its only partner committee K-ZR-MC loses 90 of
/// healthcare (docs: README's worked example).
const WHATIF: &str = "whatif --without-unit U-ZR-HOSP --as-of 2026-06-30";

#[test]
fn whatif_prints_an_aligned_table_and_a_csv_of_the_needs() {
    let (_dir, db) = temp_db_with(&sample());
    let table = okw(&db, WHATIF);
    assert!(!table.contains('{'), "no JSON in the table: {table}");
    assert!(
        table.contains("撤出单位 withdrawn units: U-ZR-HOSP"),
        "{table}"
    );
    let row = |label: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("│ {label}")))
            .unwrap_or_else(|| panic!("no row {label}: {table}"))
            .split('┆')
            .map(|c| {
                c.trim_matches(|c: char| c == '│' || c.is_whitespace())
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(row("已满足"), ["已满足", "3390", "3300", "-90"]);
    assert_eq!(row("未满足"), ["未满足", "1150", "1240", "+90"]);
    assert_eq!(
        row("N-031"),
        ["N-031", "K-ZR-MC", "医疗卫生", "90", "0", "-90"]
    );
    assert!(
        table.contains("新增空白点 new blank spots: K-ZR-MC（无共建单位）"),
        "{table}"
    );
    assert!(
        table.contains("移除的资源 removed resources: R-038"),
        "{table}"
    );

    let csv = okw(&db, &format!("{WHATIF} --format csv"));
    assert_eq!(
        csv,
        "\u{feff}need,committee,domain,met_before,met_after,change\nN-031,K-ZR-MC,healthcare,90,0,-90\n"
    );

    // JSON stays the API's document.
    let doc = json_of(&db, &format!("{WHATIF} --format json"));
    assert_eq!(doc["delta"]["met_demand_change"], -90.0);
    assert!(doc["coverage"]["committees"].is_array() && doc["gaps"]["needs"].is_array());
}

#[test]
fn checklist_files_are_chinese_by_default_and_codes_with_lang_en() {
    let (dir, db) = temp_db_with(&sample());
    let checklist = format!("checklist P-K-TINGYI --as-of {AS_OF}");
    let zh = okw(&db, &format!("{checklist} --format csv"));
    assert!(
        zh.starts_with("\u{feff}编号,党组织,第一责任人,类别,事项,依据,期限,状态,预警\r\n"),
        "{zh}"
    );
    assert!(
        zh.contains(",责任事项,") && zh.contains(",未完成,红\r\n"),
        "{zh}"
    );
    let en = okw(&db, &format!("{checklist} --format csv --lang en"));
    assert!(
        en.starts_with("\u{feff}id,party_org,first_responsible,kind,item,facts,due,status,rag\r\n"),
        "{en}"
    );
    assert!(
        en.contains(",explicit,") && en.contains(",open,red\r\n"),
        "{en}"
    );
    // The same rows as the export crate writes for the API (one code, two callers).
    let doc: dangjian_model::ChecklistDoc =
        serde_json::from_value(json_of(&db, &format!("{checklist} --format json")))
            .expect("a checklist document");
    for lang in [ChecklistLang::Zh, ChecklistLang::En] {
        let api = dangjian_export::checklist_csv(&doc, lang).expect("csv");
        let cli = if lang == ChecklistLang::Zh { &zh } else { &en };
        assert_eq!(cli, &api);
    }

    let xlsx = dir.path().join("c.xlsx");
    ok(
        &db,
        &[
            &words(&checklist)[..],
            &["--format", "xlsx", "--out", xlsx.to_str().unwrap()],
        ]
        .concat(),
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("a workbook");
    let sheet = calamine::Reader::worksheet_range(&mut book, "责任清单").expect("sheet 责任清单");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "编号");
    assert_eq!(header[8], "预警");

    let table = okw(&db, &checklist);
    assert!(
        table.contains("类别") && table.contains("责任事项"),
        "{table}"
    );
    let table = okw(&db, &format!("{checklist} --lang en"));
    assert!(
        table.contains("kind") && table.contains("explicit"),
        "{table}"
    );
    // JSON does not depend on the language.
    assert_eq!(
        okw(&db, &format!("{checklist} --format json --lang en")),
        okw(&db, &format!("{checklist} --format json"))
    );
}

/// The first bytes of a file.
fn head(path: &std::path::Path, n: usize) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("written");
    bytes.truncate(n);
    bytes
}

#[test]
fn render_and_export_graph_take_the_format_from_the_out_extension() {
    let (dir, db) = temp_db_with(&sample());
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    ok(
        &db,
        &["render", "S-JLT", "--as-of", AS_OF, "--out", &out("x.png")],
    );
    assert_eq!(head(&dir.path().join("x.png"), 4), b"\x89PNG");
    ok(
        &db,
        &["render", "S-JLT", "--as-of", AS_OF, "--out", &out("x.dot")],
    );
    assert!(head(&dir.path().join("x.dot"), 7).starts_with(b"digraph"));
    // No extension it knows: SVG as before.
    ok(
        &db,
        &["render", "S-JLT", "--as-of", AS_OF, "--out", &out("x.img")],
    );
    assert!(
        String::from_utf8_lossy(&std::fs::read(dir.path().join("x.img")).unwrap()).contains("<svg")
    );
    let err = fails(
        &db,
        &[
            "render",
            "S-JLT",
            "--format",
            "png",
            "--out",
            &out("mism.svg"),
        ],
    );
    assert!(
        err.contains("--format png") && err.contains("mism.svg") && err.contains(".svg"),
        "{err}"
    );
    assert!(!dir.path().join("mism.svg").exists(), "nothing written");
    // An agreeing --format is fine.
    ok(
        &db,
        &[
            "render",
            "S-JLT",
            "--as-of",
            AS_OF,
            "--format",
            "svg",
            "--out",
            &out("y.SVG"),
        ],
    );

    let graph = ["export-graph", "--scope", "S-JLT", "--as-of", AS_OF];
    ok(&db, &[&graph[..], &["--out", &out("y.gexf")]].concat());
    let gexf = std::fs::read_to_string(dir.path().join("y.gexf")).unwrap();
    assert!(
        gexf.starts_with("<?xml") && gexf.contains("<gexf"),
        "{gexf}"
    );
    ok(&db, &[&graph[..], &["--out", &out("y.graphml")]].concat());
    assert!(
        std::fs::read_to_string(dir.path().join("y.graphml"))
            .unwrap()
            .contains("<graphml")
    );
    ok(&db, &[&graph[..], &["--out", &out("y.txt")]].concat());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("y.txt")).unwrap()).expect("JSON");
    assert!(json["nodes"].is_array());
    let err = fails(
        &db,
        &[&graph[..], &["--format", "json", "--out", &out("z.gexf")]].concat(),
    );
    assert!(
        err.contains("--format json") && err.contains("z.gexf"),
        "{err}"
    );
}

#[test]
fn brokers_areas_and_trend_print_chinese_aligned_tables() {
    let (_dir, db) = temp_db_with(&sample());
    let brokers = okw(
        &db,
        &format!("brokers --scope D-SJ --as-of {AS_OF} --limit 3"),
    );
    assert!(!brokers.contains("null"), "{brokers}");
    assert!(
        brokers.starts_with(
            "共建枢纽单位 brokers — 范围 D-SJ，截至 2026-06-30，中介中心度：精确计算 exact\n"
        ),
        "{brokers}"
    );
    assert!(
        brokers.contains("│ 单位 ") && brokers.contains("┆ 中介中心度 ┆"),
        "{brokers}"
    );
    assert!(
        brokers.contains("┆ 144.25 "),
        "two decimals at most: {brokers}"
    );
    let areas = okw(&db, &format!("areas --scope D-SJ --as-of {AS_OF}"));
    assert!(areas.contains("│ 片区 ┆ 居委会数 ┆"), "{areas}");
    assert!(
        areas.contains("U-SJ-BANK 泗泾联信村镇银行营业部（6）"),
        "{areas}"
    );

    let trend = okw(
        &db,
        &format!("trend --scope S-JLT --from 2026-01-01 --to {AS_OF}"),
    );
    assert!(!trend.contains('\t'), "{trend}");
    assert!(
        trend.contains("│ 截至 ") && trend.contains("┆ 未满足 │"),
        "{trend}"
    );
    let rows: Vec<usize> = trend
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(super::unicode_display_width)
        .collect();
    assert_eq!(rows.len(), 7, "header and six months: {trend}");
    assert!(rows.windows(2).all(|w| w[0] == w[1]), "aligned: {trend}");
}

#[test]
fn every_csv_starts_with_a_byte_order_mark_like_the_api_checklist() {
    let (_dir, db) = temp_db_with(&sample());
    for (line, header) in [
        (
            "coverage --scope S-JLT --as-of 2026-06-30",
            "id,name,community,",
        ),
        (
            "gaps --scope S-JLT --as-of 2026-06-30",
            "need,committee,domain,",
        ),
        (
            "brokers --scope D-SJ --as-of 2026-06-30",
            "unit,name,betweenness,",
        ),
        (
            "areas --scope D-SJ --as-of 2026-06-30",
            "id,committees,names,",
        ),
        ("trend --scope S-JLT --to 2026-06-30", "as_of,committees,"),
        ("changes", "seq,at,actor,"),
    ] {
        let csv = okw(&db, &format!("{line} --format csv"));
        assert!(
            csv.starts_with(&format!("\u{feff}{header}")),
            "{line}: {csv}"
        );
        assert_eq!(csv.matches('\u{feff}').count(), 1, "{line}");
    }
}

#[test]
fn help_describes_every_option_and_argument() {
    let help = |args: &[&str]| {
        let out = super::bin()
            .env("COLUMNS", "100")
            .args(args)
            .arg("--help")
            .output()
            .expect("runs");
        String::from_utf8(out.stdout).expect("UTF-8 help")
    };
    // The text clap prints for `what`: the rest of its line and the line after (help text sits
    // beside a short option or under a long one).
    let described = |text: &str, what: &str| {
        let mut lines = text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(what));
        let first = lines.next().unwrap_or_default().trim_start()[what.len()..].trim();
        format!("{first} {}", lines.next().unwrap_or_default().trim())
            .trim()
            .to_owned()
    };
    for command in ["checklist", "render"] {
        let text = help(&[command]);
        assert!(
            described(&text, "--as-of <YYYY-MM-DD>").starts_with("Date"),
            "{command}: {text}"
        );
    }
    let revoke = help(&["token", "revoke"]);
    assert!(
        described(&revoke, "<ID>").starts_with("The token's id"),
        "{revoke}"
    );
    assert!(help(&["generate"]).contains("every command but `generate` uses it"));
}

#[test]
fn an_os_error_is_told_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let missing = dir.path().join("nonexistent");
    let err = fails(&db, &["import", missing.to_str().unwrap()]);
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    ok(&db, &["import", sample().to_str().unwrap()]);
    let out = dir.path().join("no/such/folder/x.json");
    let err = fails(
        &db,
        &["export", "--format", "json", "--out", out.to_str().unwrap()],
    );
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    assert_eq!(err.matches("cannot write").count(), 1, "{err}");
}
