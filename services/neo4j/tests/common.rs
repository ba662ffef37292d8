//! Test helper: a running local Neo4j (started with `scripts/neo4j-local start`, reused when it
//! runs) and a hand-built bundle that has rows in every table.
#![allow(dead_code)]

use dangjian_model::*;
use dangjian_neo4j::Neo4jStore;

pub use dangjian_testdata::neo4j::neo4j_uri;

pub fn store() -> Neo4jStore {
    Neo4jStore::connect(&neo4j_uri()).expect("connecting to the local Neo4j")
}

pub fn read_bundle(name: &str) -> Bundle {
    dangjian_testdata::bundle(name)
}

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

/// A small network with rows in every table, optional fields both set and unset, empty lists,
/// non-integer hours and Chinese names.
pub fn every_table() -> Bundle {
    dangjian_testdata::bundle("every-table.json")
}
