//! `dangjian export-graph` (JSON, GraphML, GEXF) and `dangjian trend` on the sample network: the
//! same documents as the API, XML that parses, and clear errors for bad flags.

use super::{AS_OF, fails, json_of, ok, okw, sample, strs, temp_db_with, words};
use std::collections::HashSet;

#[test]
fn export_graph_writes_json_graphml_and_gexf_of_one_graph() {
    let (dir, db) = temp_db_with(&sample());
    let graph = format!("export-graph --scope S-JLT --as-of {AS_OF}");
    let json = json_of(&db, &format!("{graph} --format json"));
    let ids: HashSet<&str> = strs(&json["nodes"], "id").into_iter().collect();
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
    let gexf = format!("{graph} --format gexf --out");
    ok(&db, &[&words(&gexf)[..], &[out.to_str().unwrap()]].concat());
    let gexf = std::fs::read_to_string(&out).expect("written");
    let doc = roxmltree::Document::parse(&gexf).expect("GEXF parses");
    let gexf_ids: HashSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(gexf_ids, ids);
    // Laid out as the page shows it: every node has the service's position, in JSON and GEXF.
    for n in json["nodes"].as_array().unwrap() {
        assert!(n["x"].as_f64().is_some_and(f64::is_finite), "{n}");
        assert!(n["y"].as_f64().is_some_and(f64::is_finite), "{n}");
    }
    let placed = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "position")
        .count();
    assert_eq!(placed, ids.len(), "one viz:position per node");

    let graphml = okw(
        &db,
        &format!("{graph} --format graphml --kinds partnership"),
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
    let (_dir, db) = temp_db_with(&sample());
    let trend = format!("trend --scope S-JLT --from 2026-01-01 --to {AS_OF}");
    let doc = json_of(&db, &format!("{trend} --format json"));
    let dates = strs(&doc["points"], "as_of");
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
    let coverage = json_of(
        &db,
        &format!("coverage --scope S-JLT --as-of {AS_OF} --format json"),
    );
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
    let csv = okw(&db, &format!("{trend} --format csv"));
    assert!(
        csv.starts_with("\u{feff}as_of,committees,committees_with_blank_spots,"),
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
