//! `SqliteStore`: the `Store` implementation over one SQLite file — one writer connection
//! behind a mutex, a small pool of read connections, every write one transaction.

use crate::changes::{self, Entry};
use crate::codec::{TextEnum, enum_at};
use crate::errors::{backend, backend_fail, io_error};
use crate::schema;
use crate::tables::{self, Fail, Mode};
use dangjian_model::{
    Bundle, ChangeEntry, ChangeFilter, Commit, RowVersions, Store, StoreError, TokenInfo, WriteKind,
};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The embedded default store: one SQLite file in WAL mode.
///
/// Writes go through one connection behind a mutex, each `replace`/`upsert` in one
/// `BEGIN IMMEDIATE` transaction; reads take a pooled connection and one read transaction, so
/// a reader sees the network before or after a write, never half of it.
///
/// `upsert` updates keyed rows in place (they keep their position) and appends new ones;
/// an id-less row (adjacency, mass link, volunteering) is appended unless an equal row is
/// already stored, including one appended earlier in the same upsert.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Lock a mutex even if a thread panicked while holding it: the connection inside is still
/// sound (an unfinished transaction was rolled back when its guard dropped).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SqliteStore {
    /// Open (creating the file and its directory if missing) and migrate the database at
    /// `path`.
    ///
    /// Refuses files that are not dangjian databases (`StoreError::Backend`) and files whose
    /// schema is newer than this program (`StoreError::SchemaTooNew`).
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(|e| io_error("create directory", dir, &e))?;
        }
        if path.is_dir() {
            return Err(StoreError::Backend(format!(
                "cannot open {}: it is a directory, not a database file",
                path.display()
            )));
        }
        if path.exists() {
            // Name the real reason (permission, …) rather than SQLite's generic "unable to open".
            std::fs::File::open(path).map_err(|e| io_error("open", path, &e))?;
        }
        let mut writer = Connection::open(path).map_err(|e| backend(path, "open", &e))?;
        schema::configure(&writer, path, true)?;
        schema::migrate(&mut writer, path)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when no network is stored (every bundle table is empty); tokens do not count.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.read("read", |conn| tables::all_empty(conn).map_err(Fail::from))
    }

    /// When the stored network was last replaced or upserted (RFC 3339), if ever.
    pub fn imported_at(&self) -> Result<Option<String>, StoreError> {
        self.read("read", |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT value FROM meta WHERE key = 'imported_at'")?;
            let mut rows = stmt.query([])?;
            Ok(match rows.next()? {
                Some(row) => Some(row.get(0)?),
                None => None,
            })
        })
    }

    fn open_reader(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|e| backend(&self.path, "open", &e))?;
        schema::configure(&conn, &self.path, false)?;
        Ok(conn)
    }

    /// Run `f` inside one read transaction on a pooled read connection.
    fn read<T>(
        &self,
        action: &str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let result: Result<T, Fail> = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let value = f(&tx)?;
            tx.finish()?;
            Ok(value)
        })();
        let result = result.map_err(|fail| backend_fail(&self.path, action, &fail));
        if result.is_ok() {
            let mut idle = lock(&self.readers);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
        result
    }

    /// Run `f` inside one IMMEDIATE write transaction and commit it; on any error nothing
    /// is changed.
    fn write<T>(
        &self,
        action: &str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(&self.path, action, &e))?;
        let value = f(&tx).map_err(|fail| backend_fail(&self.path, action, &fail))?;
        commit(tx).map_err(|fail| backend_fail(&self.path, action, &fail))?;
        Ok(value)
    }

    /// One logged write in one IMMEDIATE transaction: expectations checked, rows written,
    /// change-log entries appended; a refused expectation rolls everything back.
    fn commit_logged(&self, c: &Commit<'_>) -> Result<u64, StoreError> {
        let action = match c.kind {
            WriteKind::Replace(_) => "replace the network in",
            WriteKind::Merge(_) => "merge into",
            WriteKind::Rows { .. } => "write rows to",
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(&self.path, action, &e))?;
        let now = now.as_str();
        // An import is one entry holding its row counts.
        let import = |tx: &Transaction<'_>, op: &str, b: &Bundle| -> rusqlite::Result<u64> {
            let counts = dangjian_model::store::table_counts(b);
            let seq = changes::append(
                tx,
                &Entry {
                    at: now,
                    actor: c.actor,
                    op,
                    table: None,
                    id: None,
                    before: None,
                    after: Some(&counts),
                },
            )?;
            // Rows may have changed anywhere: every version moves on.
            changes::set_base(tx, seq)?;
            Ok(seq)
        };
        let result: Result<Result<u64, StoreError>, Fail> = (|| {
            let seq = match c.kind {
                WriteKind::Replace(bundle) => {
                    tables::drop_bulk_indexes(&tx)?;
                    tables::delete_all(&tx)?;
                    tables::write_bundle(&tx, bundle, Mode::Replace)?;
                    tables::create_bulk_indexes(&tx)?;
                    import(&tx, "import", bundle)?
                }
                WriteKind::Merge(partial) => {
                    tables::write_bundle(&tx, partial, Mode::Upsert)?;
                    import(&tx, "import_merge", partial)?
                }
                WriteKind::Rows { partial, changes } => {
                    let import = changes::base(&tx)?;
                    if import > c.based_on {
                        return Ok(Err(StoreError::Replaced { import }));
                    }
                    for change in changes {
                        if let Some(refused) = changes::check(&tx, change)? {
                            return Ok(Err(refused));
                        }
                    }
                    tables::write_bundle(&tx, partial, Mode::Upsert)?;
                    let mut last = 0;
                    for change in changes {
                        last = changes::append(
                            &tx,
                            &Entry {
                                at: now,
                                actor: c.actor,
                                op: &change.op,
                                table: Some(&change.table),
                                id: change.id.as_deref(),
                                before: change.before.as_ref(),
                                after: change.after.as_ref(),
                            },
                        )?;
                    }
                    last
                }
            };
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('imported_at', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?
            .execute([now])?;
            Ok(Ok(seq))
        })();
        match result {
            Err(fail) => Err(backend_fail(&self.path, action, &fail)),
            // Dropping `tx` rolls back.
            Ok(Err(refused)) => Err(refused),
            Ok(Ok(seq)) => {
                commit(tx).map_err(|fail| backend_fail(&self.path, action, &fail))?;
                Ok(seq)
            }
        }
    }
}

/// Commit, and when deferred foreign keys fail, name the offending rows (the transaction is
/// still open at that point, so `foreign_key_check` can see them) before rolling back.
fn commit(tx: Transaction<'_>) -> Result<(), Fail> {
    match tx.execute_batch("COMMIT") {
        Ok(()) => Ok(()),
        Err(err) => {
            let foreign_key =
                err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation);
            let what = if foreign_key {
                dangling_references(&tx).unwrap_or_default()
            } else {
                String::new()
            };
            // Dropping `tx` rolls the still-open transaction back.
            Err(Fail {
                what: if what.is_empty() {
                    "committing".to_string()
                } else {
                    format!("committing ({what})")
                },
                err,
            })
        }
    }
}

/// Up to five broken references, e.g. `members row 3 registered_at → committees: no such row`.
fn dangling_references(conn: &Connection) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        if found.len() == 5 {
            found.push("…".to_string());
            break;
        }
        let table: String = row.get(0)?;
        let rowid: Option<i64> = row.get(1)?;
        let parent: String = row.get(2)?;
        let fkid: i64 = row.get(3)?;
        let column: String = conn
            .prepare(&format!("PRAGMA foreign_key_list({table})"))?
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(3)?)))?
            .filter_map(Result::ok)
            .find(|(id, _)| *id == fkid)
            .map(|(_, from)| from)
            .unwrap_or_default();
        let value: Option<String> = match rowid {
            Some(rowid) if !column.is_empty() => conn
                .query_row(
                    &format!("SELECT {column} FROM {table} WHERE row_order = ?1"),
                    [rowid],
                    |r| r.get(0),
                )
                .ok(),
            _ => None,
        };
        found.push(format!(
            "{table} row {} {column} = {} → {parent}: no such id",
            rowid.map_or("?".to_string(), |r| r.to_string()),
            value.as_deref().unwrap_or("?")
        ));
    }
    Ok(found.join("; "))
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Bundle, StoreError> {
        self.read("load the network from", |tx| tables::read_bundle(tx))
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<u64, StoreError> {
        self.commit_logged(commit)
    }

    fn changes(&self, filter: &ChangeFilter) -> Result<Vec<ChangeEntry>, StoreError> {
        self.read("read the change log from", |tx| changes::read(tx, filter))
    }

    fn sequence(&self) -> Result<u64, StoreError> {
        self.read("read the change sequence from", |tx| {
            Ok(changes::sequence(tx)?)
        })
    }

    fn load_versioned(&self) -> Result<(Bundle, u64, RowVersions), StoreError> {
        self.read("load the network from", |tx| {
            let seq = changes::sequence(tx)?;
            let versions = changes::versions(tx)?;
            Ok((tables::read_bundle(tx)?, seq, versions))
        })
    }

    fn add_token(&self, token: &TokenInfo) -> Result<(), StoreError> {
        let exists = self.read("read tokens from", |tx| {
            Ok(tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM tokens WHERE id = ?1)")?
                .query_row([&token.id], |r| r.get::<_, bool>(0))?)
        })?;
        if exists {
            return Err(StoreError::Backend(format!(
                "cannot add token {} to {}: a token with that id already exists",
                token.id,
                self.path.display()
            )));
        }
        self.write("add a token to", |tx| {
            tx.prepare_cached(
                "INSERT INTO tokens (id, role, scope, hash, created, revoked)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                token.id,
                token.role.as_text(),
                token.scope,
                token.hash,
                token.created,
                token.revoked
            ])?;
            Ok(())
        })
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read("read tokens from", |tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, role, scope, hash, created, revoked FROM tokens ORDER BY row_order",
            )?;
            let tokens = stmt
                .query_map([], |r| {
                    Ok(TokenInfo {
                        id: r.get(0)?,
                        role: enum_at(r, 1)?,
                        scope: r.get(2)?,
                        hash: r.get(3)?,
                        created: r.get(4)?,
                        revoked: r.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(tokens)
        })
    }

    fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        self.write("revoke a token in", |tx| {
            let changed = tx
                .prepare_cached("UPDATE tokens SET revoked = 1 WHERE id = ?1")?
                .execute([id])?;
            Ok(changed > 0)
        })
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }
}
