//! The change log and row versions inside the caller's transaction: appending entries,
//! checking a row write's expectation, and reading entries and versions back.

use crate::tables::{ALL_TABLES, Fail};
use dangjian_model::{ChangeEntry, ChangeFilter, Expect, RowChange, RowVersions, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::collections::HashMap;

/// The sequence number of the last change (0 when none).
pub(crate) fn sequence(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM change_log")?
        .query_row([], |r| r.get::<_, i64>(0))
        .map(|s| s.max(0) as u64)
}

/// Sequence of the last import (the version of rows no later change touched).
pub(crate) fn base(conn: &Connection) -> rusqlite::Result<u64> {
    let text: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'import_seq'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
}

/// Every row is now at version `seq` (after an import).
pub(crate) fn set_base(conn: &Connection, seq: u64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('import_seq', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([seq.to_string()])?;
    conn.prepare_cached("DELETE FROM row_versions")?
        .execute([])?;
    Ok(())
}

/// One entry to append.
pub(crate) struct Entry<'a> {
    pub(crate) at: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) op: &'a str,
    pub(crate) table: Option<&'a str>,
    pub(crate) id: Option<&'a str>,
    pub(crate) before: Option<&'a Value>,
    pub(crate) after: Option<&'a Value>,
}

/// Append an entry; a row with an id is now at the entry's sequence.
pub(crate) fn append(conn: &Connection, e: &Entry<'_>) -> rusqlite::Result<u64> {
    let json = |v: Option<&Value>| v.map(Value::to_string);
    conn.prepare_cached(
        "INSERT INTO change_log (at, actor, op, tbl, row_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.at,
        e.actor,
        e.op,
        e.table,
        e.id,
        json(e.before),
        json(e.after)
    ])?;
    let seq = conn.last_insert_rowid().max(0) as u64;
    if let (Some(table), Some(id)) = (e.table, e.id) {
        conn.prepare_cached(
            "INSERT INTO row_versions (tbl, row_id, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT(tbl, row_id) DO UPDATE SET seq = excluded.seq",
        )?
        .execute(params![table, id, seq as i64])?;
    }
    Ok(seq)
}

/// The refusal a row write's expectation meets, if any.
pub(crate) fn check(conn: &Connection, change: &RowChange) -> Result<Option<StoreError>, Fail> {
    let Some(id) = change.id.as_deref() else {
        return Ok(None);
    };
    if change.expect == Expect::Any {
        return Ok(None);
    }
    let Some(table) = ALL_TABLES
        .iter()
        .find(|t| t.keyed && t.name == change.table)
    else {
        return Ok(Some(StoreError::Backend(format!(
            "no keyed table `{}`",
            change.table
        ))));
    };
    let exists: bool = conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)",
            table.name
        ))?
        .query_row([id], |r| r.get(0))?;
    Ok(match change.expect {
        Expect::Any => None,
        Expect::Absent if exists => Some(StoreError::Exists {
            table: change.table.clone(),
            id: id.to_string(),
        }),
        Expect::Absent => None,
        Expect::Version(expected) => {
            let found = if exists {
                version(conn, table.name, id)?
            } else {
                0
            };
            (found != expected).then(|| StoreError::Stale {
                table: change.table.clone(),
                id: id.to_string(),
                expected,
                found,
            })
        }
    })
}

/// The version of a stored row.
fn version(conn: &Connection, table: &str, id: &str) -> rusqlite::Result<u64> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT seq FROM row_versions WHERE tbl = ?1 AND row_id = ?2")?
        .query_row([table, id], |r| r.get(0))
        .optional()?;
    match seq {
        Some(s) => Ok(s.max(0) as u64),
        None => base(conn),
    }
}

/// Every row's version.
pub(crate) fn versions(conn: &Connection) -> rusqlite::Result<RowVersions> {
    let mut rows = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT tbl, row_id, seq FROM row_versions")?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let seq: i64 = r.get(2)?;
        rows.insert((r.get(0)?, r.get(1)?), seq.max(0) as u64);
    }
    Ok(RowVersions {
        base: base(conn)?,
        rows,
    })
}

/// Change-log entries matching `filter`, oldest first.
pub(crate) fn read(conn: &Connection, filter: &ChangeFilter) -> Result<Vec<ChangeEntry>, Fail> {
    let limit = if filter.limit == 0 {
        -1
    } else {
        filter.limit as i64
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, op, tbl, row_id, before, after FROM change_log
         WHERE seq > ?1 AND (?2 IS NULL OR tbl = ?2) AND (?3 IS NULL OR row_id = ?3)
         ORDER BY seq LIMIT ?4",
    )?;
    let mut q = stmt.query(params![
        filter.since.min(i64::MAX as u64) as i64,
        filter.table,
        filter.id,
        limit
    ])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let json = |i: usize| -> rusqlite::Result<Option<Value>> {
            let text: Option<String> = r.get(i)?;
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
        };
        let seq: i64 = r.get(0)?;
        out.push(ChangeEntry {
            seq: seq.max(0) as u64,
            at: r.get(1)?,
            actor: r.get(2)?,
            op: r.get(3)?,
            table: r.get(4)?,
            id: r.get(5)?,
            before: json(6)?,
            after: json(7)?,
        });
    }
    Ok(out)
}
