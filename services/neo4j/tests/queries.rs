//! Every Cypher file in `queries/` runs on a real Neo4j and gives the hand-checked answers on
//! the every-table network (as of 2026-06-30). One test function: no races on the database.

mod common;

use common::*;
use dangjian_model::*;
use serde_json::{Value, json};

fn col(rows: &[serde_json::Map<String, Value>], c: &str) -> Vec<Value> {
    rows.iter()
        .map(|r| r.get(c).cloned().unwrap_or(Value::Null))
        .collect()
}

#[test]
fn query_files_answer_as_hand_checked() {
    let s = store();
    s.replace(&every_table()).expect("replace");
    let p = [("as_of", "2026-06-30"), ("scope", "city")];

    let rows = s
        .query_json(dangjian_neo4j::queries::BLANK_SPOTS, &p)
        .expect("blank spots");
    assert_eq!(
        col(&rows, "committee"),
        [json!("K2"), json!("K1"), json!("K3")]
    );
    assert_eq!(
        rows[1]["blank_spots"],
        json!(["no_youth_league", "no_women_federation"])
    );
    assert_eq!(
        rows[2]["blank_spots"],
        json!(["no_party_org", "no_members", "no_union", "no_youth_league"])
    );

    let rows = s
        .query_json(dangjian_neo4j::queries::SOLE_PARTNER_UNITS, &p)
        .expect("sole partners");
    assert_eq!(col(&rows, "unit"), [json!("U1"), json!("U2")]);
    assert_eq!(
        col(&rows, "committees"),
        [json!(["K2", "K1"]), json!(["K3"])]
    );

    let rows = s
        .query_json(dangjian_neo4j::queries::UNREACHABLE_NEEDS, &p)
        .expect("unreachable");
    assert_eq!(col(&rows, "need"), [json!("N2")]);
    let rows = s
        .query_json(
            dangjian_neo4j::queries::UNREACHABLE_NEEDS,
            &[("as_of", "2026-06-30"), ("scope", "S1")],
        )
        .expect("unreachable in S1");
    assert!(rows.is_empty());

    let rows = s
        .query_json(dangjian_neo4j::queries::STRANDED_RESOURCES, &p)
        .expect("stranded");
    assert_eq!(col(&rows, "resource"), [json!("R2"), json!("R3")]);

    let rows = s
        .query_json(
            dangjian_neo4j::queries::CHECKLIST_EXPLICIT,
            &[("as_of", "2026-06-30"), ("party_org", "P1")],
        )
        .expect("explicit");
    assert_eq!(col(&rows, "id"), [json!("Q1")]);
    assert_eq!(rows[0]["rag"], json!("amber"));
    assert_eq!(rows[0]["first_responsible"], json!("张书记"));
    let rows = s
        .query_json(
            dangjian_neo4j::queries::CHECKLIST_EXPLICIT,
            &[("as_of", "2026-08-01"), ("party_org", "P1")],
        )
        .expect("explicit later");
    assert_eq!(rows[0]["rag"], json!("red"));
    let rows = s
        .query_json(
            dangjian_neo4j::queries::CHECKLIST_EXPLICIT,
            &[("as_of", "2026-06-30"), ("party_org", "P2")],
        )
        .expect("explicit P2");
    assert_eq!(rows[0]["rag"], json!("none"));

    let rows = s
        .query_json(
            dangjian_neo4j::queries::CHECKLIST_PARTNERSHIPS,
            &[("as_of", "2026-06-30"), ("party_org", "P1")],
        )
        .expect("partnerships P1");
    assert_eq!(col(&rows, "facts"), [json!(["PS1", "U1", "S1"])]);
    assert_eq!(rows[0]["due"], json!("2027-01-01"));
    let rows = s
        .query_json(
            dangjian_neo4j::queries::CHECKLIST_PARTNERSHIPS,
            &[("as_of", "2026-06-30"), ("party_org", "P3")],
        )
        .expect("partnerships P3");
    assert_eq!(col(&rows, "partnership"), [json!("PS1")]);
    let rows = s
        .query_json(
            dangjian_neo4j::queries::CHECKLIST_PARTNERSHIPS,
            &[("as_of", "2026-06-30"), ("party_org", "P2")],
        )
        .expect("partnerships P2");
    assert!(rows.is_empty());

    // The all-Cypher roll-ups agree with coverage_via_cypher's (areas with committees).
    let doc = s
        .coverage_via_cypher("city", Date::from_ymd_opt(2026, 6, 30).expect("a date"))
        .expect("coverage");
    let rows = s
        .query_json(dangjian_neo4j::queries::COVERAGE_ROLLUPS, &p)
        .expect("rollups");
    let want: Vec<Value> = doc
        .rollups
        .iter()
        .filter(|r| r.committees > 0)
        .map(|r| serde_json::to_value(r).expect("json"))
        .collect();
    let got: Vec<Value> = rows.into_iter().map(Value::Object).collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        for k in [
            "id",
            "level",
            "committees",
            "blank_spots",
            "registered_members",
            "volunteer_hours",
        ] {
            assert_eq!(g[k], w[k], "{k} of {}", w["id"]);
        }
        assert_eq!(
            g["partners_in_reach_median"].as_f64(),
            w["partners_in_reach_median"].as_f64()
        );
    }
    // Every file is in the list that is compiled in.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../queries");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("queries/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".cypher"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = dangjian_neo4j::queries::ALL
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}
