//! `dangjian export-graph` (JSON, GraphML, GEXF) and `dangjian trend` on the sample network: the
//! same documents as the API, XML that parses, and clear errors for bad flags.

use super::{AS_OF, fails, ok, sample};
use serde_json::Value;
use std::collections::HashSet;

#[test]
fn export_graph_writes_json_graphml_and_gexf_of_one_graph() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    ok(&db, &["import", sample().to_str().unwrap()]);
    let json: Value = serde_json::from_str(&ok(
        &db,
        &[
            "export-graph",
            "--scope",
            "S-JLT",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    let ids: HashSet<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains("K-TINGYI") && ids.contains("S-JLT"));
    // The sample's 九里亭 committees get members from employers in three districts and from
    // members who gave no employer: four groups.
    let groups = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "unit_group")
        .count();
    assert_eq!(groups, 4, "{json}");

    let out = dir.path().join("g.gexf");
    ok(
        &db,
        &[
            "export-graph",
            "--scope",
            "S-JLT",
            "--as-of",
            AS_OF,
            "--format",
            "gexf",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let gexf = std::fs::read_to_string(&out).expect("written");
    let doc = roxmltree::Document::parse(&gexf).expect("GEXF parses");
    let gexf_ids: HashSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(gexf_ids, ids);

    let graphml = ok(
        &db,
        &[
            "export-graph",
            "--scope",
            "S-JLT",
            "--as-of",
            AS_OF,
            "--format",
            "graphml",
            "--kinds",
            "partnership",
        ],
    );
    let doc = roxmltree::Document::parse(&graphml).expect("GraphML parses");
    let kinds: HashSet<&str> = doc
        .descendants()
        .filter(|n| n.attribute("key") == Some("e_kind"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(kinds, HashSet::from(["partnership"]));

    let err = fails(
        &db,
        &["export-graph", "--scope", "S-JLT", "--kinds", "friends"],
    );
    assert!(err.contains("--kinds") && err.contains("friends"), "{err}");
    let err = fails(&db, &["export-graph", "--scope", "NOPE"]);
    assert!(err.contains("NOPE"), "{err}");
}

#[test]
fn trend_lists_month_ends_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["import", sample().to_str().unwrap()]);
    let doc: Value = serde_json::from_str(&ok(
        &db,
        &[
            "trend",
            "--scope",
            "S-JLT",
            "--from",
            "2026-01-01",
            "--to",
            AS_OF,
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    let dates: Vec<&str> = doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["as_of"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2026-01-31",
            "2026-02-28",
            "2026-03-31",
            "2026-04-30",
            "2026-05-31",
            AS_OF
        ]
    );
    let coverage: Value = serde_json::from_str(&ok(
        &db,
        &[
            "coverage", "--scope", "S-JLT", "--as-of", AS_OF, "--format", "json",
        ],
    ))
    .unwrap();
    let members: u64 = coverage["committees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["registered_members"].as_u64().unwrap())
        .sum();
    assert_eq!(
        doc["points"][5]["registered_members"].as_u64(),
        Some(members)
    );
    let csv = ok(
        &db,
        &[
            "trend",
            "--scope",
            "S-JLT",
            "--from",
            "2026-01-01",
            "--to",
            AS_OF,
            "--format",
            "csv",
        ],
    );
    assert!(
        csv.starts_with("as_of,committees,committees_with_blank_spots,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 7);
    let err = fails(
        &db,
        &["trend", "--from", "2026-07-01", "--to", "2026-01-01"],
    );
    assert!(err.contains("after"), "{err}");
    let err = fails(&db, &["trend", "--step", "week"]);
    assert!(err.contains("month"), "{err}");
}
