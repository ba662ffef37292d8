//! The store seam: one interface, an embedded SQLite default and a Neo4j server store.
//! Stores are synchronous; async callers run them on a blocking thread.

use crate::bundle::Bundle;
use crate::problem::Problems;
use serde::{Deserialize, Serialize};

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
    /// Replace the stored network with `bundle`, atomically: all or nothing.
    /// The caller has validated `bundle`.
    fn replace(&self, bundle: &Bundle) -> Result<(), StoreError>;
    /// Upsert the rows of `partial` by id (rows without ids — adjacency, mass links,
    /// volunteering — are added unless an equal row exists), atomically. The caller has
    /// validated the merged whole.
    fn upsert(&self, partial: &Bundle) -> Result<(), StoreError>;
    /// Store a new token record.
    fn add_token(&self, token: &TokenInfo) -> Result<(), StoreError>;
    /// All token records.
    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// Mark a token revoked; false when no token has that id.
    fn revoke_token(&self, id: &str) -> Result<bool, StoreError>;
    /// A short description for logs and `--help`, e.g. `sqlite:/path/to.db`.
    fn describe(&self) -> String;
}
