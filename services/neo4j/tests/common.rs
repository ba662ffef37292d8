//! Test helper: a running local Neo4j (started with `scripts/neo4j-local start`, reused when it
//! runs) and a hand-built bundle that has rows in every table.
#![allow(dead_code)]

use dangjian_model::*;
use dangjian_neo4j::Neo4jStore;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Bolt URI of the local Neo4j, starting it when needed. Panics with the log tail (never
/// skips) when it cannot start.
pub fn neo4j_uri() -> String {
    static URI: OnceLock<String> = OnceLock::new();
    URI.get_or_init(|| {
        if let Ok(uri) = std::env::var("DANGJIAN_TEST_NEO4J_URI") {
            return uri;
        }
        let root = repo_root();
        let out = Command::new("bash")
            .arg(root.join("scripts/neo4j-local"))
            .arg("start")
            .output()
            .expect("running scripts/neo4j-local start");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            let log =
                std::fs::read_to_string(root.join(".neo4j-local/neo4j.log")).unwrap_or_default();
            let tail: Vec<&str> = log
                .lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            panic!(
                "the local Neo4j did not start ({}):\n{}\n{}\nlog tail:\n{}",
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr),
                tail.join("\n")
            );
        }
        let uri = stdout.lines().last().unwrap_or_default().trim().to_owned();
        assert!(
            uri.starts_with("bolt://"),
            "unexpected last line from neo4j-local: {uri:?}"
        );
        uri
    })
    .clone()
}

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
