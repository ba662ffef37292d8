//! Logged writes on Neo4j (SPEC §5 "Writes (v2)"): a row write is one Cypher transaction that
//! MERGE/SET/DELETEs the affected nodes and relationships of the current generation — never a
//! rewrite of the network — and fails when an import switched the generation meanwhile;
//! imports keep the generation switch. The change log is `(:Change {seq, …})` nodes, the
//! store sequence and the last import's sequence live on `(:Meta {key: 'network'})`, and row
//! versions are `(:RowVersion {tbl, row_id, seq})` nodes (cleared by an import).

use crate::mapping::{self, NODE_TABLES, PROJECT_LIST_RELS, REF_RELS, REL_TABLES};
use crate::{Neo4jStore, backend, digest, to_bolt};
use dangjian_model::store::{Commit, Expect, RowChange, RowVersions, WriteKind, table_counts};
use dangjian_model::{Bundle, ChangeEntry, ChangeFilter, StoreError};
use neo4rs::{Query, Txn, query};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The indexes the change log and row versions use.
pub(crate) const SCHEMA: [&str; 3] = [
    "CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (c:Change) REQUIRE c.seq IS UNIQUE",
    "CREATE INDEX row_version IF NOT EXISTS FOR (v:RowVersion) ON (v.tbl, v.row_id)",
    "CREATE INDEX row_counter IF NOT EXISTS FOR (r:RowCounter) ON (r.gen, r.tbl)",
];

/// All rows of `q` inside `txn`.
async fn txn_rows(txn: &mut Txn, q: Query, what: &str) -> Result<Vec<neo4rs::Row>, StoreError> {
    let mut s = txn.execute(q).await.map_err(|e| backend(what, e))?;
    let mut out = Vec::new();
    while let Some(row) = s.next(txn.handle()).await.map_err(|e| backend(what, e))? {
        out.push(row);
    }
    Ok(out)
}

/// Column `c` of the first row of `q` inside `txn`.
async fn txn_scalar(txn: &mut Txn, q: Query, what: &str) -> Result<Option<i64>, StoreError> {
    let rows = txn_rows(txn, q, what).await?;
    match rows.first() {
        Some(row) => row
            .get::<Option<i64>>("c")
            .map_err(|e| backend(&format!("decoding {what}"), e)),
        None => Ok(None),
    }
}

fn json_text(v: Option<&Value>) -> Option<String> {
    v.map(Value::to_string)
}

impl Neo4jStore {
    /// The store sequence (0 before the first logged write).
    pub(crate) fn sequence_sync(&self) -> Result<u64, StoreError> {
        self.block_on(self.meta_counter("seq"))
    }

    /// A counter on the network pointer (`seq`, `import_seq`); 0 while unset.
    async fn meta_counter(&self, counter: &'static str) -> Result<u64, StoreError> {
        let cypher =
            format!("MATCH (m:Meta {{key: 'network'}}) RETURN coalesce(m.{counter}, 0) AS c");
        Ok(self.scalar(query(&cypher)).await?.unwrap_or(0).max(0) as u64)
    }

    /// The network, its sequence and its row versions.
    pub(crate) fn load_versioned_sync(&self) -> Result<(Bundle, u64, RowVersions), StoreError> {
        self.block_on(async {
            // Read the sequence first: a commit landing during the load is replayed later.
            let seq = self.meta_counter("seq").await?;
            let base = self.meta_counter("import_seq").await?;
            let mut rows = HashMap::new();
            for row in self
                .rows(query(
                    "MATCH (v:RowVersion) RETURN v.tbl AS t, v.row_id AS i, v.seq AS s",
                ))
                .await?
            {
                let t: String = row.get("t").map_err(|e| backend("row versions", e))?;
                let i: String = row.get("i").map_err(|e| backend("row versions", e))?;
                let s: i64 = row.get("s").map_err(|e| backend("row versions", e))?;
                rows.insert((t, i), s.max(0) as u64);
            }
            let bundle = self.load_async().await?;
            Ok((bundle, seq, RowVersions { base, rows }))
        })
    }

    /// Change-log entries, oldest first.
    pub(crate) fn changes_sync(&self, f: &ChangeFilter) -> Result<Vec<ChangeEntry>, StoreError> {
        let limit = if f.limit == 0 {
            i64::MAX
        } else {
            f.limit as i64
        };
        let q = query(
            "MATCH (c:Change) WHERE c.seq > $since \
             AND ($tbl IS NULL OR c.tbl = $tbl) AND ($id IS NULL OR c.row_id = $id) \
             RETURN c.seq AS seq, c.at AS at, c.actor AS actor, c.op AS op, c.tbl AS tbl, \
             c.row_id AS id, c.before AS before, c.after AS after ORDER BY c.seq LIMIT $limit",
        )
        .param("since", f.since.min(i64::MAX as u64) as i64)
        .param("tbl", f.table.clone())
        .param("id", f.id.clone())
        .param("limit", limit);
        let rows = self.block_on(self.rows(q))?;
        rows.iter()
            .map(|r| {
                let d = |e| backend("decoding a change", e);
                let json = |k: &str| -> Result<Option<Value>, StoreError> {
                    let text: Option<String> = r.get(k).map_err(d)?;
                    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
                };
                let seq: i64 = r.get("seq").map_err(d)?;
                Ok(ChangeEntry {
                    seq: seq.max(0) as u64,
                    at: r.get("at").map_err(d)?,
                    actor: r.get("actor").map_err(d)?,
                    op: r.get("op").map_err(d)?,
                    table: r.get("tbl").map_err(d)?,
                    id: r.get("id").map_err(d)?,
                    before: json("before")?,
                    after: json("after")?,
                })
            })
            .collect()
    }

    /// Commit one logged write.
    pub(crate) fn commit_sync(&self, c: &Commit<'_>) -> Result<u64, StoreError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.block_on(async {
            match c.kind {
                WriteKind::Replace(bundle) => {
                    self.replace_async(bundle).await?;
                    self.log_import(&now, c.actor, "import", bundle).await
                }
                WriteKind::Merge(partial) => {
                    // A merge import keeps the generation switch of an import.
                    let current = self.load_async().await?;
                    self.replace_async(&current.merged(partial)).await?;
                    self.log_import(&now, c.actor, "import_merge", partial)
                        .await
                }
                WriteKind::Rows { partial, changes } => {
                    self.in_txn("committing a write", async |txn| {
                        Self::write_rows(txn, &now, c.actor, c.based_on, partial, changes).await
                    })
                    .await
                }
            }
        })
    }

    /// The change-log entry of an import (one entry with row counts); every row's version
    /// moves to it.
    async fn log_import(
        &self,
        at: &str,
        actor: &str,
        op: &str,
        bundle: &Bundle,
    ) -> Result<u64, StoreError> {
        let current = self.current_gen().await?.unwrap_or(-1);
        self.in_txn("committing the change log", async |txn| {
            Self::log_import_in(txn, at, actor, op, bundle, current).await
        })
        .await
    }

    /// `body` in one transaction, committed (`committing` names it in a commit error) or, on
    /// any refusal or failure, rolled back: a transaction left open would keep the network
    /// pointer locked.
    async fn in_txn<T>(
        &self,
        committing: &str,
        body: impl AsyncFnOnce(&mut Txn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut txn = self
            .graph
            .start_txn()
            .await
            .map_err(|e| backend("starting a transaction", e))?;
        match body(&mut txn).await {
            Ok(value) => {
                txn.commit().await.map_err(|e| backend(committing, e))?;
                Ok(value)
            }
            Err(e) => {
                let _ = txn.rollback().await;
                Err(e)
            }
        }
    }

    async fn log_import_in(
        txn: &mut Txn,
        at: &str,
        actor: &str,
        op: &str,
        bundle: &Bundle,
        current: i64,
    ) -> Result<u64, StoreError> {
        let seq = txn_scalar(
            txn,
            query(
                "MATCH (m:Meta {key: 'network'}) SET m.seq = coalesce(m.seq, 0) + 1 \
                 SET m.import_seq = m.seq \
                 CREATE (c:Change {seq: m.seq, at: $at, actor: $actor, op: $op, after: $after}) \
                 RETURN m.seq AS c",
            )
            .param("at", at)
            .param("actor", actor)
            .param("op", op)
            .param("after", table_counts(bundle).to_string()),
            "logging an import",
        )
        .await?
        .ok_or_else(|| StoreError::Backend("neo4j: no network pointer after an import".into()))?;
        txn.run(query("MATCH (v:RowVersion) DELETE v"))
            .await
            .map_err(|e| backend("clearing row versions", e))?;
        txn.run(query("MATCH (r:RowCounter) WHERE r.gen <> $gen DELETE r").param("gen", current))
            .await
            .map_err(|e| backend("clearing row counters", e))?;
        Ok(seq.max(0) as u64)
    }

    /// The next row index of `table` in generation `gen_` (kept in a counter node, started
    /// from the table's row count).
    async fn next_row(
        txn: &mut Txn,
        gen_: i64,
        table: &str,
        count_cypher: &str,
    ) -> Result<i64, StoreError> {
        let existing = txn_scalar(
            txn,
            query("MATCH (r:RowCounter {gen: $gen, tbl: $tbl}) SET r.next = r.next + 1 RETURN r.next - 1 AS c")
                .param("gen", gen_)
                .param("tbl", table),
            "a row counter",
        )
        .await?;
        if let Some(n) = existing {
            return Ok(n);
        }
        let count = txn_scalar(txn, query(count_cypher).param("gen", gen_), "counting rows")
            .await?
            .unwrap_or(0);
        txn.run(
            query("CREATE (:RowCounter {gen: $gen, tbl: $tbl, next: $next})")
                .param("gen", gen_)
                .param("tbl", table)
                .param("next", count + 1),
        )
        .await
        .map_err(|e| backend("a row counter", e))?;
        Ok(count)
    }

    /// Rows written in place, in `txn`.
    async fn write_rows(
        txn: &mut Txn,
        at: &str,
        actor: &str,
        based_on: u64,
        partial: &Bundle,
        changes: &[RowChange],
    ) -> Result<u64, StoreError> {
        // Lock the pointer: imports switching generations and other writers wait for us.
        let rows = txn_rows(
            txn,
            query(
                "MATCH (m:Meta {key: 'network'}) SET m.seq = coalesce(m.seq, 0) \
                 RETURN m.current_gen AS g, coalesce(m.import_seq, 0) AS i, m.seq AS s",
            ),
            "locking the network",
        )
        .await?;
        let Some(meta) = rows.first() else {
            return Err(StoreError::Backend(
                "neo4j: no network imported yet: import one first".into(),
            ));
        };
        let d = |e| backend("reading the network pointer", e);
        let gen_: Option<i64> = meta.get("g").map_err(d)?;
        let import: i64 = meta.get("i").map_err(d)?;
        let seq: i64 = meta.get("s").map_err(d)?;
        let Some(gen_) = gen_ else {
            return Err(StoreError::Backend(
                "neo4j: no network imported yet: import one first".into(),
            ));
        };
        if import.max(0) as u64 > based_on {
            return Err(StoreError::Replaced {
                import: import.max(0) as u64,
            });
        }
        // Expectations.
        for change in changes {
            let Some(id) = change.id.as_deref() else {
                continue;
            };
            if change.expect == Expect::Any {
                continue;
            }
            let rows = txn_rows(
                txn,
                query(
                    "OPTIONAL MATCH (n:Net {gen: $gen, id: $id}) WITH n \
                     OPTIONAL MATCH (v:RowVersion {tbl: $tbl, row_id: $id}) \
                     RETURN n IS NOT NULL AS e, v.seq AS s",
                )
                .param("gen", gen_)
                .param("id", id)
                .param("tbl", change.table.as_str()),
                "checking a row version",
            )
            .await?;
            let (exists, version) = match rows.first() {
                Some(r) => (
                    r.get::<bool>("e").map_err(d)?,
                    r.get::<Option<i64>>("s").map_err(d)?,
                ),
                None => (false, None),
            };
            let found = if exists {
                version.unwrap_or(import).max(0) as u64
            } else {
                0
            };
            match change.expect {
                Expect::Absent if exists => {
                    return Err(StoreError::Exists {
                        table: change.table.clone(),
                        id: id.to_string(),
                    });
                }
                Expect::Version(expected) if expected != found => {
                    return Err(StoreError::Stale {
                        table: change.table.clone(),
                        id: id.to_string(),
                        expected,
                        found,
                    });
                }
                _ => {}
            }
        }
        // Node rows: set in place, their own reference relationships redrawn.
        for t in NODE_TABLES {
            let rows = mapping::table_rows(partial, t.table).map_err(|e| backend(t.table, e))?;
            for mut row in rows {
                row.remove("row");
                let id = row
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let existing = txn_scalar(
                    txn,
                    query(&format!(
                        "MATCH (n:{}:Net {{gen: $gen, id: $id}}) RETURN n.row AS c",
                        t.label
                    ))
                    .param("gen", gen_)
                    .param("id", id.as_str()),
                    "finding a row",
                )
                .await?;
                let index = match existing {
                    Some(i) => i,
                    None => {
                        Self::next_row(
                            txn,
                            gen_,
                            t.table,
                            &format!(
                                "MATCH (n:{}:Net {{gen: $gen}}) RETURN count(n) AS c",
                                t.label
                            ),
                        )
                        .await?
                    }
                };
                txn.run(
                    query(&format!(
                        "MERGE (n:Net:{} {{gen: $gen, id: $id}}) SET n = $props, n.gen = $gen, n.row = $row",
                        t.label
                    ))
                    .param("gen", gen_)
                    .param("id", id.as_str())
                    .param("row", index)
                    .param("props", to_bolt(Value::Object(row))?),
                )
                .await
                .map_err(|e| backend(&format!("writing {} `{id}`", t.table), e))?;
                let owned = REF_RELS
                    .iter()
                    .filter(|r| r.0 == t.table)
                    .map(|r| (r.2, r.3))
                    .chain(
                        PROJECT_LIST_RELS
                            .iter()
                            .filter(|_| t.table == "projects")
                            .map(|r| (r.1, true)),
                    );
                for (rel, from_row) in owned {
                    let pattern = if from_row {
                        format!("(n)-[r:{rel} {{gen: $gen}}]->()")
                    } else {
                        format!("(n)<-[r:{rel} {{gen: $gen}}]-()")
                    };
                    txn.run(
                        query(&format!(
                            "MATCH (n:Net {{gen: $gen, id: $id}}) MATCH {pattern} DELETE r"
                        ))
                        .param("gen", gen_)
                        .param("id", id.as_str()),
                    )
                    .await
                    .map_err(|e| backend("redrawing references", e))?;
                }
            }
        }
        for (rel, edges) in
            mapping::reference_edges(partial).map_err(|e| backend("references", e))?
        {
            let expected = edges.len() as i64;
            let rows: Vec<Value> = edges
                .into_iter()
                .map(|(s, t, p)| json!({"s": s, "t": t, "p": Value::Object(p)}))
                .collect();
            let written = txn_scalar(
                txn,
                query(&format!(
                    "UNWIND $rows AS r \
                     MATCH (a:Net {{gen: $gen, id: r.s}}) MATCH (b:Net {{gen: $gen, id: r.t}}) \
                     CREATE (a)-[x:{rel} {{gen: $gen}}]->(b) SET x += r.p RETURN count(x) AS c"
                ))
                .param("gen", gen_)
                .param("rows", to_bolt(Value::Array(rows))?),
                rel,
            )
            .await?
            .unwrap_or(0);
            if written != expected {
                return Err(StoreError::Backend(format!(
                    "neo4j: wrote {written} of {expected} {rel} relationships (a reference points at nothing)"
                )));
            }
        }
        // Relationship rows (adjacency, mass links, volunteering): added unless equal.
        for t in &REL_TABLES {
            let edges = mapping::rel_table_edges(partial, t).map_err(|e| backend(t.table, e))?;
            for (s, target, mut props) in edges {
                props.remove("row");
                let equal: Vec<String> =
                    t.props.iter().map(|p| format!("x.{p} = $p.{p}")).collect();
                let same = if equal.is_empty() {
                    "true".to_string()
                } else {
                    equal.join(" AND ")
                };
                let arrow = if t.table == "adjacency" { "-" } else { "->" };
                let exists = txn_scalar(
                    txn,
                    query(&format!(
                        "MATCH (a:Net {{gen: $gen, id: $s}})-[x:{} {{gen: $gen}}]{arrow}(b:Net {{gen: $gen, id: $t}}) \
                         WHERE {same} RETURN count(x) AS c",
                        t.rel
                    ))
                    .param("gen", gen_)
                    .param("s", s.as_str())
                    .param("t", target.as_str())
                    .param("p", to_bolt(Value::Object(props.clone()))?),
                    "finding an equal row",
                )
                .await?
                .unwrap_or(0);
                if exists > 0 {
                    continue;
                }
                let index = Self::next_row(
                    txn,
                    gen_,
                    t.table,
                    &format!(
                        "MATCH ()-[x:{} {{gen: $gen}}]->() RETURN count(x) AS c",
                        t.rel
                    ),
                )
                .await?;
                let written = txn_scalar(
                    txn,
                    query(&format!(
                        "MATCH (a:Net {{gen: $gen, id: $s}}) MATCH (b:Net {{gen: $gen, id: $t}}) \
                         CREATE (a)-[x:{} {{gen: $gen}}]->(b) SET x += $p, x.row = $row RETURN count(x) AS c",
                        t.rel
                    ))
                    .param("gen", gen_)
                    .param("s", s.as_str())
                    .param("t", target.as_str())
                    .param("row", index)
                    .param("p", to_bolt(Value::Object(props))?),
                    t.table,
                )
                .await?
                .unwrap_or(0);
                if written != 1 {
                    return Err(StoreError::Backend(format!(
                        "neo4j: a {} row refers to `{s}` or `{target}`, which is not stored",
                        t.table
                    )));
                }
            }
        }
        // The volunteering digests of the committees the write touched: a committee written in
        // place (its properties were replaced), one with a volunteering row added, one where a
        // member written in place volunteers (the digest holds birth years).
        let committees: Vec<String> = partial
            .committees
            .iter()
            .map(|k| k.id.to_string())
            .chain(partial.volunteering.iter().map(|v| v.committee.to_string()))
            .collect();
        let members: Vec<String> = partial.members.iter().map(|m| m.id.to_string()).collect();
        if !committees.is_empty() || !members.is_empty() {
            txn.run(digest::refresh(gen_, committees, members))
                .await
                .map_err(|e| backend("refreshing volunteering digests", e))?;
        }
        // The change log and row versions.
        let entries: Vec<Value> = changes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                json!({
                    "seq": seq + 1 + i as i64,
                    "op": c.op,
                    "tbl": c.table,
                    "id": c.id,
                    "before": json_text(c.before.as_ref()),
                    "after": json_text(c.after.as_ref()),
                })
            })
            .collect();
        let n = entries.len() as i64;
        txn.run(
            query(
                "UNWIND $rows AS r \
                 CREATE (c:Change {seq: r.seq, at: $at, actor: $actor, op: r.op, tbl: r.tbl, \
                 row_id: r.id, before: r.before, after: r.after}) \
                 WITH r WHERE r.id IS NOT NULL \
                 MERGE (v:RowVersion {tbl: r.tbl, row_id: r.id}) SET v.seq = r.seq",
            )
            .param("rows", to_bolt(Value::Array(entries))?)
            .param("at", at)
            .param("actor", actor),
        )
        .await
        .map_err(|e| backend("writing the change log", e))?;
        txn.run(
            query("MATCH (m:Meta {key: 'network'}) SET m.seq = m.seq + $n, m.imported_at = $at")
                .param("n", n)
                .param("at", at),
        )
        .await
        .map_err(|e| backend("moving the sequence", e))?;
        Ok((seq + n).max(0) as u64)
    }
}
