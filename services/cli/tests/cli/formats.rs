//! Output formats found wanting by a QA walkthrough: `whatif` as a table and as CSV, the
//! checklist's `--lang`, formats taken from `--out`'s extension, Chinese tables of brokers,
//! areas and trend, the byte-order mark of every CSV, and the wording of errors and help.

use super::{json_of, okw, sample, temp_db_with};

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
        "need,committee,domain,met_before,met_after,change\nN-031,K-ZR-MC,healthcare,90,0,-90\n"
    );

    // JSON stays the API's document.
    let doc = json_of(&db, &format!("{WHATIF} --format json"));
    assert_eq!(doc["delta"]["met_demand_change"], -90.0);
    assert!(doc["coverage"]["committees"].is_array() && doc["gaps"]["needs"].is_array());
}
