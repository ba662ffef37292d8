//! The offline bulk load (`neo4j-admin database import full` on CSV files) into a fresh data
//! folder, started as a second local Neo4j: the network loads back equal, and coverage via
//! Cypher equals coverage via the engine on it.

mod common;

use common::*;
use dangjian_model::*;
use dangjian_neo4j::Neo4jStore;
use dangjian_testdata::neo4j::{SecondServer, script};

#[test]
fn bulk_load_into_a_fresh_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("neo4j");
    // Every table with its edge cases (empty strings and lists, absent optional fields, Chinese).
    let b = every_table();
    let admin = vec![
        "bash".to_owned(),
        script().display().to_string(),
        "admin".to_owned(),
    ];
    let report = dangjian_neo4j::bulk::bulk_load(&b, &dir, &admin).expect("bulk load");
    let adjacency_like = b.adjacency.len() + b.mass_links.len() + b.volunteering.len();
    // One node per row of a node table, plus the Meta pointer.
    assert_eq!(
        report.nodes as usize,
        b.row_count() - adjacency_like + 1,
        "{report:?}"
    );
    assert!(!dir.join("bulk-csv").exists(), "the CSV files are removed");

    let server = SecondServer::start(&dir);
    let uri = server.uri.clone();
    assert!(uri.starts_with("bolt://"), "{uri}");
    let s = Neo4jStore::connect(&uri).expect("connect to the bulk-loaded server");
    assert_eq!(s.load().expect("load"), b);
    assert_eq!(
        serde_json::to_string(&s.load().expect("load")).expect("json"),
        serde_json::to_string(&b).expect("json")
    );
    // The committees' volunteering digests were written with them, and coverage via Cypher
    // (which reads them) equals the engine's.
    assert_eq!(s.digest_drift().expect("drift"), 0);
    let as_of = Date::from_ymd_opt(2026, 6, 30).expect("date");
    assert_eq!(
        s.coverage_via_cypher("city", as_of)
            .expect("coverage via Cypher"),
        dangjian_engine::Engine::new(b.clone())
            .coverage("city", as_of)
            .expect("engine coverage")
    );
    // A refused second bulk load (the server runs) changes nothing.
    let err = dangjian_neo4j::bulk::bulk_load(&b, &dir, &admin).expect_err("server runs");
    assert!(err.to_string().contains("stop the server first"), "{err}");
    // The store works on as usual: an import through Bolt replaces generation 1.
    let mut b2 = b.clone();
    b2.districts[0].name = "改名".into();
    s.replace(&b2).expect("replace after the bulk load");
    assert_eq!(s.load().expect("load"), b2);
    assert_eq!(s.digest_drift().expect("drift"), 0);
}
