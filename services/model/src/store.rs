//! The store seam: one interface, an embedded SQLite default and a Neo4j server store.
//! Stores are synchronous; async callers run them on a blocking thread.

use crate::bundle::Bundle;
use crate::problem::Problems;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// Errors a store reports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data would be invalid; nothing was changed.
    #[error("{0}")]
    Invalid(Problems),
    /// The store could not be opened, read or written.
    #[error("store error: {0}")]
    Backend(String),
    /// The stored schema is newer than this program understands.
    #[error(
        "the database schema version {found} is newer than this program ({supported}); upgrade dangjian"
    )]
    SchemaTooNew {
        /// Version found in the database.
        found: i64,
        /// Newest version this program knows.
        supported: i64,
    },
    /// A create names an id that is stored already; nothing was changed.
    #[error("{table} `{id}` exists already; use PATCH to change it")]
    Exists {
        /// Table of the row.
        table: String,
        /// The id given.
        id: String,
    },
    /// The stored row is not the version the write was based on (another writer changed it,
    /// or an import replaced the network); nothing was changed.
    #[error(
        "{table} `{id}` changed since version {expected} (it is at version {found}); read it again and retry"
    )]
    Stale {
        /// Table of the row.
        table: String,
        /// The row id.
        id: String,
        /// The version the write was based on.
        expected: u64,
        /// The stored version (0: the row is gone).
        found: u64,
    },
    /// An import replaced the network after the write was prepared; nothing was changed.
    #[error("an import replaced the network meanwhile (at change {import}); retry the write")]
    Replaced {
        /// The sequence of that import.
        import: u64,
    },
}

/// What a row write expects of the stored row; the store checks it inside its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Anything (id-less rows, merges).
    Any,
    /// No row with this id is stored (a create): else [`StoreError::Exists`].
    Absent,
    /// The stored row is at this version (an update): else [`StoreError::Stale`].
    Version(u64),
}

/// One row a write changes, as the change log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowChange {
    /// Bundle table name, e.g. `needs`.
    pub table: String,
    /// The row id (`None` for id-less rows such as volunteering).
    pub id: Option<String>,
    /// `create`, `update` or `add` (an id-less row).
    pub op: String,
    /// The row before (JSON), for updates.
    pub before: Option<Value>,
    /// The row after (JSON).
    pub after: Option<Value>,
    /// What the stored row must be for the write to go ahead.
    pub expect: Expect,
}

/// What one write does.
#[derive(Debug, Clone, Copy)]
pub enum WriteKind<'a> {
    /// An import replacing the whole network; the caller has validated the bundle.
    Replace(&'a Bundle),
    /// An import merged into the stored network by id; the caller has validated the merge.
    Merge(&'a Bundle),
    /// Rows (one or a batch): `partial` holds them, `changes` describes each for the change
    /// log and carries its expectation. The caller has validated the merged whole.
    Rows {
        /// The rows, as a partial bundle.
        partial: &'a Bundle,
        /// One entry per row of `partial`.
        changes: &'a [RowChange],
    },
}

/// One write, logged: committed by [`Store::commit`] in one transaction with its change-log
/// entries.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    /// The token id that made the write, or `cli`.
    pub actor: &'a str,
    /// What the write does.
    pub kind: WriteKind<'a>,
    /// The store sequence the write was prepared from: a row write is refused with
    /// [`StoreError::Replaced`] when an import committed after it.
    pub based_on: u64,
}

impl<'a> Commit<'a> {
    /// An import by `cli`, which no later write is prepared from.
    fn cli_import(kind: WriteKind<'a>) -> Commit<'a> {
        Commit {
            actor: "cli",
            kind,
            based_on: 0,
        }
    }
}

/// One change-log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEntry {
    /// Store sequence number, increasing by commit.
    pub seq: u64,
    /// UTC time of the commit, RFC 3339.
    pub at: String,
    /// Token id, or `cli`.
    pub actor: String,
    /// `create`, `update`, `add` (a row); `import`, `import_merge` (a whole bundle).
    pub op: String,
    /// Table (rows only).
    pub table: Option<String>,
    /// Row id (rows with ids only).
    pub id: Option<String>,
    /// The row before (updates).
    pub before: Option<Value>,
    /// The row after (rows), or the row counts (imports).
    pub after: Option<Value>,
}

impl ChangeEntry {
    /// Whether the entry is an import (replace or merge), after which a follower reloads.
    pub fn is_import(&self) -> bool {
        self.op.starts_with("import")
    }
}

/// Which change-log entries to read.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    /// Entries with a sequence number above this.
    pub since: u64,
    /// Only this table.
    pub table: Option<String>,
    /// Only this row id.
    pub id: Option<String>,
    /// At most this many (oldest first); 0 means no limit.
    pub limit: usize,
}

/// The version of every stored row: the sequence number of the last change that wrote it,
/// `base` (the last import) for rows no later change touched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowVersions {
    /// Sequence of the last import (0 when never).
    pub base: u64,
    /// (table, id) → sequence of the last change to that row after `base`.
    pub rows: HashMap<(String, String), u64>,
}

impl RowVersions {
    /// The version of a stored row.
    pub fn get(&self, table: &str, id: &str) -> u64 {
        self.rows
            .get(&(table.to_string(), id.to_string()))
            .copied()
            .unwrap_or(self.base)
    }
}

/// Role of an API token (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    /// Whole city, may write.
    Admin,
    /// One street or district subtree, read and write there only.
    Coordinator,
    /// Read, personal data masked.
    Viewer,
}

/// What a store keeps about a token (never the token itself, only its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Public identifier, e.g. `tok_3f2a…`, used by `token revoke`.
    pub id: String,
    pub role: TokenRole,
    /// Street or district id for coordinators (and optionally viewers).
    pub scope: Option<String>,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// RFC 3339 creation time.
    pub created: String,
    pub revoked: bool,
}

/// A place a network is stored.
pub trait Store: Send + Sync {
    /// The whole stored network (empty when nothing was imported yet).
    fn load(&self) -> Result<Bundle, StoreError>;
    /// Replace the stored network with `bundle`, atomically: all or nothing, logged as an
    /// import by `cli`. The caller has validated `bundle`.
    fn replace(&self, bundle: &Bundle) -> Result<(), StoreError> {
        self.commit(&Commit::cli_import(WriteKind::Replace(bundle)))
            .map(|_| ())
    }
    /// Upsert the rows of `partial` by id (rows without ids — adjacency, mass links,
    /// volunteering — are added unless an equal row exists), atomically, logged as a merge
    /// import by `cli`. The caller has validated the merged whole.
    fn upsert(&self, partial: &Bundle) -> Result<(), StoreError> {
        self.commit(&Commit::cli_import(WriteKind::Merge(partial)))
            .map(|_| ())
    }
    /// Store a new token record.
    fn add_token(&self, token: &TokenInfo) -> Result<(), StoreError>;
    /// All token records.
    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// Mark a token revoked; false when no token has that id.
    fn revoke_token(&self, id: &str) -> Result<bool, StoreError>;
    /// Commit one write with its change-log entries in one transaction, checking each row's
    /// [`Expect`] inside it; returns the sequence number of the last entry written.
    fn commit(&self, commit: &Commit<'_>) -> Result<u64, StoreError>;
    /// Change-log entries, oldest first.
    fn changes(&self, filter: &ChangeFilter) -> Result<Vec<ChangeEntry>, StoreError>;
    /// The sequence number of the last committed change (0 when none): other processes'
    /// commits show up here.
    fn sequence(&self) -> Result<u64, StoreError>;
    /// The stored network with its sequence number and row versions, read consistently.
    fn load_versioned(&self) -> Result<(Bundle, u64, RowVersions), StoreError>;
    /// A short description for logs and `--help`, e.g. `sqlite:/path/to.db`.
    fn describe(&self) -> String;
}

/// Each table's name (in [`crate::TABLES`] order) and its number of rows.
pub fn table_sizes(b: &Bundle) -> [(&'static str, usize); 17] {
    macro_rules! sizes {
        ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
            [$((stringify!($t), b.$t.len())),*]
        };
    }
    crate::for_each_table!(sizes)
}

/// Row counts per non-empty table, for the change-log entry of an import.
pub fn table_counts(b: &Bundle) -> Value {
    let counts = table_sizes(b);
    let mut map = serde_json::Map::new();
    for (table, n) in counts.into_iter().filter(|(_, n)| *n > 0) {
        map.insert(table.to_string(), Value::from(n));
    }
    map.insert("total".into(), Value::from(b.row_count()));
    Value::Object(map)
}
