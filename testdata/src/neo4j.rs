//! The local Neo4j the tests run against (`scripts/neo4j-local`): the shared server of the
//! test suite, and second servers on a data folder of their own (for bulk loads).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `scripts/neo4j-local`.
pub fn script() -> PathBuf {
    repo_root().join("scripts/neo4j-local")
}

/// The Bolt URI of the suite's local Neo4j: `$DANGJIAN_TEST_NEO4J` or
/// `$DANGJIAN_TEST_NEO4J_URI` (exported by `scripts/test`), else `scripts/neo4j-local start`
/// (which reuses a running server). Panics with the log's tail, never skips, when Neo4j cannot
/// start.
pub fn neo4j_uri() -> String {
    static URI: OnceLock<String> = OnceLock::new();
    URI.get_or_init(|| {
        for var in ["DANGJIAN_TEST_NEO4J", "DANGJIAN_TEST_NEO4J_URI"] {
            if let Ok(uri) = std::env::var(var)
                && !uri.trim().is_empty()
            {
                return uri.trim().to_owned();
            }
        }
        local(None, "start")
    })
    .clone()
}

/// Runs `scripts/neo4j-local CMD`, on the data folder `dir` when given (with a 512 MiB heap),
/// else on the suite's own; returns the last line it printed (the Bolt URI for `start`).
/// Panics with the log's tail when the script fails.
pub fn local(dir: Option<&Path>, cmd: &str) -> String {
    let mut c = Command::new("bash");
    c.arg(script()).arg(cmd);
    if let Some(dir) = dir {
        c.env("NEO4J_LOCAL_DIR", dir).env("NEO4J_HEAP", "512m");
    }
    let out = c.output().expect("running scripts/neo4j-local");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log_dir = dir.map_or_else(|| repo_root().join(".neo4j-local"), Path::to_path_buf);
    let log = std::fs::read_to_string(log_dir.join("neo4j.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    assert!(
        out.status.success(),
        "scripts/neo4j-local {cmd} failed ({}):\n{stdout}\n{}\nlog tail (newest first):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        tail.join("\n")
    );
    let last = stdout.lines().last().unwrap_or_default().trim().to_owned();
    if cmd == "start" {
        assert!(
            last.starts_with("bolt://"),
            "unexpected last line from scripts/neo4j-local start: {last:?}"
        );
    }
    last
}

/// A second local Neo4j on its own data folder, stopped when dropped (also when an assertion
/// fails).
pub struct SecondServer {
    dir: PathBuf,
    /// Its Bolt URI.
    pub uri: String,
}

impl SecondServer {
    /// Starts Neo4j on `dir` (a folder `dangjian neo4j bulk-load` filled).
    pub fn start(dir: &Path) -> SecondServer {
        let uri = local(Some(dir), "start");
        SecondServer {
            dir: dir.to_path_buf(),
            uri,
        }
    }
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        local(Some(&self.dir), "stop");
    }
}
