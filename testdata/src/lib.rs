//! The fixture networks shared by the workspace's tests: one JSON file per network in this
//! folder (`testdata/*.json`), read by name, so each fixture is stored once.
//!
//! `net-1001.json` and `net-1002.json` are the conformance networks; `expected-*.json` their
//! independently computed coverage and gaps documents. The other files are the small
//! hand-checked networks of single test files, named after their test (`engine-gaps.json`, …).
//! [`neo4j`] starts and finds the local Neo4j the store and CLI tests share.

pub mod neo4j;

use dangjian_model::Bundle;
use serde_json::Value;
use std::path::PathBuf;

/// The path of a file in `testdata/`.
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The Shanghai sample network shipped in `seed/` (the product's own example, which the tests
/// also read).
pub fn seed_sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seed/shanghai-sample.json")
}

/// The Shanghai sample network of `seed/`, parsed; panics naming the file when it is not a
/// bundle.
pub fn seed_bundle() -> Bundle {
    let p = seed_sample();
    let text =
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A file's text; panics naming the file when it cannot be read.
pub fn text(name: &str) -> String {
    let p = path(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// A file as JSON; panics naming the file when it is not JSON.
pub fn json(name: &str) -> Value {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("testdata/{name}: {e}"))
}

/// A fixture network; panics naming the file and the place when it is not a bundle.
pub fn bundle(name: &str) -> Bundle {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("testdata/{name}: {e}"))
}
