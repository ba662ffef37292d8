//! Choosing and opening the store: `--neo4j URI`, `--db PATH`, or the default SQLite file
//! (created and filled with the embedded Shanghai sample on first use).

use anyhow::{Context, Result};
use dangjian_model::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The sample network shipped in `seed/`, embedded so the binary works anywhere.
pub const SAMPLE_JSON: &str = include_str!("../../../seed/shanghai-sample.json");

/// The default database path: $DANGJIAN_DB, else $XDG_DATA_HOME/dangjian/dangjian.db, else
/// ~/.local/share/dangjian/dangjian.db, else ./dangjian.db.
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("DANGJIAN_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|p| !p.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        });
    match base {
        Some(b) => b.join("dangjian").join("dangjian.db"),
        None => PathBuf::from("dangjian.db"),
    }
}

/// An opened store, with what the commands need to know about it.
pub struct Opened {
    pub store: Arc<dyn Store>,
    /// The Neo4j store, when that is the kind (for `--via cypher`).
    pub neo4j: Option<Arc<dangjian_neo4j::Neo4jStore>>,
}

/// Open the store the global options name.
pub fn open(db: Option<&Path>, neo4j: Option<&str>) -> Result<Opened> {
    if let Some(uri) = neo4j {
        let store = Arc::new(
            dangjian_neo4j::Neo4jStore::connect(uri)
                .with_context(|| format!("cannot connect to Neo4j at {uri}"))?,
        );
        if let Some(p) = crate::progress::for_stderr() {
            store.set_progress(p);
        }
        return Ok(Opened {
            store: store.clone(),
            neo4j: Some(store),
        });
    }
    let (path, is_default) = match db {
        Some(p) => (p.to_path_buf(), false),
        None => (default_db_path(), true),
    };
    let existed = path.exists();
    let store = dangjian_sqlite::SqliteStore::open(&path)
        .with_context(|| format!("cannot open the database {}", path.display()))?;
    if is_default && !existed {
        let bundle = dangjian_bundle_io::parse_json(SAMPLE_JSON.as_bytes())
            .context("the embedded sample network is invalid (a build problem)")?;
        store
            .replace(&bundle)
            .with_context(|| format!("cannot write the sample network to {}", path.display()))?;
        eprintln!(
            "created {} with the Shanghai sample network ({} rows); pass --db PATH to use another database",
            path.display(),
            bundle.row_count()
        );
    }
    Ok(Opened {
        store: Arc::new(store),
        neo4j: None,
    })
}
