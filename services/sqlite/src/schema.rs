//! Connection settings and schema migrations: an ordered list of SQL files applied once each,
//! the applied count kept in `PRAGMA user_version`.

use crate::errors::backend;
use dangjian_model::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// The migrations, oldest first; migration `i` brings the schema to version `i + 1`.
/// Never edit a released migration: append a new one.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_change_log.sql"),
];

/// The newest schema version this program knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of a dangjian database ("DJGR"), so that another program's SQLite
/// file is recognised and left alone.
pub const APPLICATION_ID: i64 = 0x444A_4752;

/// How long a connection waits for another writer before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Page cache per connection, in KiB (negative `cache_size` means KiB).
const WRITER_CACHE_KIB: i64 = 64 * 1024;
const READER_CACHE_KIB: i64 = 16 * 1024;

/// Keep the WAL file from staying huge after a big import has been checkpointed.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Settings every connection gets; the writer also switches the file to WAL.
pub(crate) fn configure(conn: &Connection, path: &Path, writer: bool) -> Result<(), StoreError> {
    let fail = |e| backend(path, "open", &e);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
    conn.set_prepared_statement_cache_capacity(64);
    if writer {
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "cannot open {}: the file system does not support SQLite WAL mode (journal mode \
                 stayed `{mode}`); put the database on a local disk",
                path.display()
            )));
        }
    }
    let cache = if writer {
        WRITER_CACHE_KIB
    } else {
        READER_CACHE_KIB
    };
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{cache};
         PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};"
    ))
    .map_err(fail)?;
    if !writer {
        conn.execute_batch("PRAGMA query_only = ON").map_err(fail)?;
    }
    Ok(())
}

/// Bring the schema up to [`SCHEMA_VERSION`], refusing files that are not dangjian databases
/// or that a newer program has migrated further.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    // A plain read first: an up-to-date database opens without waiting for the write lock,
    // even while another process is importing.
    if check_version(conn, path)? == SCHEMA_VERSION {
        return Ok(());
    }
    let fail = |e| backend(path, "migrate", &e);
    // IMMEDIATE: two processes opening a fresh file at once must not both migrate it.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| backend(path, "open", &e))?;
    let version = check_version(&tx, path)?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let start = usize::try_from(version).unwrap_or(0);
    for sql in &MIGRATIONS[start..] {
        tx.execute_batch(sql).map_err(fail)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(fail)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The schema version of a dangjian database (0 for a new, empty file); an error for another
/// program's file or a version newer than [`SCHEMA_VERSION`].
fn check_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let fail = |e| backend(path, "open", &e);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(fail)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(fail)?;
    let objects: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )
        .map_err(fail)?;
    let ours = app_id == APPLICATION_ID || (app_id == 0 && version == 0 && objects == 0);
    if !ours || version < 0 {
        return Err(StoreError::Backend(format!(
            "{} is not a dangjian database (it is another program's SQLite file); \
             choose another --db path",
            path.display()
        )));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version)
}
