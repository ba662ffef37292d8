//! The Neo4j store through neo4rs, and coverage computed by the Cypher in queries/.
//!
//! The network lives in generations: every node and relationship of a network carries a `gen`
//! property, and the single `(:Meta {key: 'network'})` node points at the current one. `replace`
//! writes a new generation in concurrent `UNWIND … CREATE` batches (`import.rs`), switches the
//! pointer in one transaction, then deletes the old generation in the background (server-side,
//! `CALL { … } IN TRANSACTIONS`); a refused or interrupted import never moves the pointer, so the
//! previous network stays in place (leftovers are removed after the next import). The schema is
//! documented in `queries/README.md`.

pub mod bulk;
mod coverage;
mod digest;
mod import;
/// The shape of an import through Bolt: rows per `UNWIND` batch and batches in flight.
pub use import::{BATCH as IMPORT_BATCH, WRITERS as IMPORT_WRITERS};
mod mapping;
pub mod progress;
pub mod queries;
mod writes;

use dangjian_model::{
    Bundle, ChangeEntry, ChangeFilter, Commit, Id, RowVersions, Store, StoreError, TokenInfo,
};
use mapping::{NODE_TABLES, REL_TABLES, RelTable};
use neo4rs::{BoltList, BoltType, ConfigBuilder, Graph, Query, Row, query};
pub use progress::{NoProgress, Progress};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// Rows per record when a table is read (rows with the same `row / READ_CHUNK` travel together).
const READ_CHUNK: usize = 2_000;
/// Records per fetch when a table is read.
const TABLE_FETCH: usize = 4;

/// One row of a chunked read: `[row index, fields of T…]`, then, with `empty_lists` (the
/// fields of T), the names of the fields that are empty lists (a bulk-loaded node's
/// `bulk::EMPTY_LISTS`, null otherwise). With `node_id`, the row index is followed by the
/// node's internal id, returned beside the row.
fn decode_row<T: DeserializeOwned>(
    row: &BoltType,
    empty_lists: Option<&[&str]>,
    node_id: bool,
) -> Result<(i64, (i64, T)), String> {
    let BoltType::List(l) = row else {
        return Err("a row is not a list".into());
    };
    let Some((BoltType::Integer(i), fields)) = l.value.split_first() else {
        return Err("a row has no row index".into());
    };
    let (node, fields) = match (node_id, fields.split_first()) {
        (false, _) => (0, fields),
        (true, Some((BoltType::Integer(n), fields))) => (n.value, fields),
        (true, _) => return Err("a row has no node id".into()),
    };
    let fields = match (empty_lists, fields.split_last()) {
        (Some(names), Some((BoltType::List(empty), fields))) if !empty.value.is_empty() => {
            let mut fields = fields.to_vec();
            for e in &empty.value {
                let at = names
                    .iter()
                    .position(|n| matches!(e, BoltType::String(s) if s.value == *n));
                if let Some(slot) = at.and_then(|at| fields.get_mut(at)) {
                    *slot = BoltType::List(Default::default());
                }
            }
            std::borrow::Cow::Owned(fields)
        }
        (Some(_), Some((_, fields))) => std::borrow::Cow::Borrowed(fields),
        _ => std::borrow::Cow::Borrowed(fields),
    };
    let seq = serde::de::value::SeqDeserializer::<_, neo4rs::DeError>::new(fields.iter());
    Ok((
        i.value,
        (node, T::deserialize(seq).map_err(|e| e.to_string())?),
    ))
}

/// A table read for [`Neo4jStore::read_table`]: the elements `var` matched by `matching`,
/// collected as references, then records of [`READ_CHUNK`] rows built as they are pulled (the
/// server streams instead of aggregating the table first), each row the list `columns`, every
/// record with the table's size `total` — at least one record, so an empty stream is a short
/// read, not an empty table.
fn chunked(matching: &str, var: &str, columns: &str) -> String {
    format!(
        "{matching} WITH collect({var}) AS elems \
         UNWIND CASE size(elems) WHEN 0 THEN [0] ELSE range(0, size(elems) - 1, {READ_CHUNK}) END AS at \
         RETURN size(elems) AS total, [{var} IN elems[at..at + {READ_CHUNK}] | [{columns}]] AS rows"
    )
}

/// Row ids by internal node id, to resolve relationship ends read as node ids: a table indexed
/// from the smallest node id when the ids are dense (an import or a bulk load numbers a
/// table's nodes nearly consecutively, and a relationship table's rows then look their ends up
/// in order), else a hash map.
enum NodeIds {
    Dense { first: i64, ids: Vec<Option<Id>> },
    Sparse(HashMap<i64, Id>),
}

impl NodeIds {
    /// `nodes[i]` is the node of the row whose id is the `i`-th of `ids`.
    fn new<'a>(nodes: &[i64], ids: impl Iterator<Item = &'a Id>) -> Self {
        let (Some(&first), Some(&last)) = (nodes.iter().min(), nodes.iter().max()) else {
            return NodeIds::Sparse(HashMap::new());
        };
        match usize::try_from(last - first) {
            Ok(span) if span < 2 * nodes.len() => {
                let mut table = vec![None; span + 1];
                for (&node, id) in nodes.iter().zip(ids) {
                    table[(node - first) as usize] = Some(id.clone());
                }
                NodeIds::Dense { first, ids: table }
            }
            _ => NodeIds::Sparse(nodes.iter().copied().zip(ids.cloned()).collect()),
        }
    }

    fn get(&self, node: i64) -> Option<&Id> {
        match self {
            NodeIds::Dense { first, ids } => node
                .checked_sub(*first)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| ids.get(i))
                .and_then(Option::as_ref),
            NodeIds::Sparse(map) => map.get(&node),
        }
    }
}

/// The one index on the network's nodes: a generation's rows by id (writes, reads and
/// deletions of one generation seek on it).
const NET_CONSTRAINT: &str =
    "CREATE CONSTRAINT net_gen_id IF NOT EXISTS FOR (n:Net) REQUIRE (n.gen, n.id) IS UNIQUE";

/// Rows per server-side transaction when a generation is deleted.
const DELETE_BATCH: usize = 10_000;
/// How many times a multi-row read whose row count disagrees with `count()` is retried
/// (neo4rs issue #281).
const READ_ATTEMPTS: usize = 3;

/// A network stored in a Neo4j server, reached over Bolt.
pub struct Neo4jStore {
    rt: Runtime,
    graph: Graph,
    /// The pool the projection reads tables through: a few chunk records per fetch, so a
    /// table streams instead of arriving whole.
    tables: Graph,
    uri: String,
    /// Serialises writers within this process (one import at a time).
    write_lock: Mutex<()>,
    /// Where long operations report their progress.
    progress: RwLock<Arc<dyn Progress>>,
    /// Deletions of old generations still running on the server.
    background: Mutex<Vec<JoinHandle<Result<(), StoreError>>>>,
}

/// Every row of a query's stream, in order.
async fn collect_rows(
    s: Result<neo4rs::DetachedRowStream, neo4rs::Error>,
) -> Result<Vec<Row>, StoreError> {
    let mut s = s.map_err(|e| backend("query", e))?;
    let mut out = Vec::new();
    while let Some(row) = s.next().await.map_err(|e| backend("reading a row", e))? {
        out.push(row);
    }
    Ok(out)
}

fn backend(context: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("neo4j: {context}: {e}"))
}

fn to_bolt(v: Value) -> Result<BoltType, StoreError> {
    BoltType::try_from(v).map_err(|e| backend("converting a parameter", e))
}

impl Neo4jStore {
    /// Connect to `uri` (`bolt://host:port`, or `neo4j://host:port` for a cluster or Aura), with the user and password from `NEO4J_USER` /
    /// `NEO4J_PASSWORD` (defaults `neo4j` / `neo4j-local`, accepted by a server without auth),
    /// check the connection and create the constraints and indexes.
    pub fn connect(uri: &str) -> Result<Self, StoreError> {
        let user = std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".into());
        let password = std::env::var("NEO4J_PASSWORD").unwrap_or_else(|_| "neo4j-local".into());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| backend("starting the runtime", e))?;
        let config = |fetch: usize, connections: usize| {
            ConfigBuilder::default()
                .uri(uri)
                .user(user.as_str())
                .password(password.as_str())
                .fetch_size(fetch)
                .max_connections(connections)
                .build()
                .map_err(|e| backend(&format!("configuring {uri}"), e))
        };
        let (config, tables_config) = (
            config(10_000, import::MAX_WRITERS + 6)?,
            config(TABLE_FETCH, dangjian_model::TABLES.len())?,
        );
        let (graph, tables) =
            rt.block_on(async { (Graph::connect(config), Graph::connect(tables_config)) });
        let (graph, tables) = graph
            .and_then(|g| Ok((g, tables?)))
            .map_err(|e| backend(&format!("connecting to {uri}"), e))?;
        let store = Neo4jStore {
            rt,
            graph,
            tables,
            uri: uri.to_owned(),
            write_lock: Mutex::new(()),
            progress: RwLock::new(Arc::new(NoProgress)),
            background: Mutex::new(Vec::new()),
        };
        store
            .rt
            .block_on(store.count(query("RETURN 1 AS c")))
            .map_err(|e| StoreError::Backend(format!("neo4j: cannot reach {uri}: {e}")))?;
        store.rt.block_on(store.ensure_schema())?;
        Ok(store)
    }

    /// Report the progress of imports and projections to `p` from now on.
    pub fn set_progress(&self, p: Arc<dyn Progress>) {
        *self.progress.write().unwrap_or_else(|e| e.into_inner()) = p;
    }

    fn progress(&self) -> Arc<dyn Progress> {
        self.progress
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Wait until the deletions of old generations started by earlier imports are over (they
    /// run on the server in the background; dropping the store waits for them too). Returns the
    /// first error one of them met.
    pub fn wait_background(&self) -> Result<(), StoreError> {
        self.rt.block_on(self.await_background())
    }

    /// The neo4rs graph handle (for callers that run their own Cypher).
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Run a Cypher query that returns one integer column `c` (e.g. a `count()`), for checks
    /// and tests.
    pub fn count_query(&self, cypher: &str) -> Result<i64, StoreError> {
        self.rt.block_on(self.count(query(cypher)))
    }

    /// The number of the current network's committees whose volunteering digest (the lists
    /// coverage via Cypher reads) differs from their `VOLUNTEERED` relationships: 0 unless a
    /// write outside dangjian changed one without the other.
    pub fn digest_drift(&self) -> Result<i64, StoreError> {
        self.rt.block_on(self.count(digest::drift()))
    }

    /// Recompute every current committee's volunteering digest from its relationships (after
    /// writes made outside dangjian); returns the number of committees. The network itself is
    /// not changed, and nothing is logged.
    pub fn mend_digests(&self) -> Result<u64, StoreError> {
        self.rt.block_on(async {
            let Some(gen_) = self.current_gen().await? else {
                return Ok(0);
            };
            let rows = self
                .rows(
                    query("MATCH (k:Committee:Net {gen: $gen}) RETURN k.id AS id")
                        .param("gen", gen_),
                )
                .await?;
            let ids = rows
                .iter()
                .map(|r| r.get::<String>("id"))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| backend("reading committee ids", e))?;
            let n = ids.len() as u64;
            digest::refresh_all(&self.graph, ids, gen_).await?;
            Ok(n)
        })
    }

    /// Run any Cypher (e.g. one of [`queries::ALL`]) with string parameters; each row as a JSON
    /// object keyed by column, in order.
    pub fn query_json(
        &self,
        cypher: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<Map<String, Value>>, StoreError> {
        let mut q = query(cypher);
        for (k, v) in params {
            q = q.param(k, *v);
        }
        let rows = self.rt.block_on(self.rows(q))?;
        rows.iter()
            .map(|r| {
                r.to::<Map<String, Value>>()
                    .map_err(|e| backend("decoding a row", e))
            })
            .collect()
    }

    /// Run `f` on the store's runtime (for callers of [`Neo4jStore::graph`]: its connections
    /// live on that runtime).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The constraints the store needs, and no more: every extra index slows every import.
    /// `(:Net) (gen, id)` unique serves the relationship lookups of an import, lookups by id and
    /// (as a prefix seek on `gen`) the reads and deletions of one generation. Indexes of older
    /// versions of this store are dropped.
    async fn ensure_schema(&self) -> Result<(), StoreError> {
        let mut stmts = vec![
            NET_CONSTRAINT.to_owned(),
            "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE"
                .to_owned(),
            "CREATE CONSTRAINT token_id IF NOT EXISTS FOR (t:Token) REQUIRE t.id IS UNIQUE"
                .to_owned(),
            "DROP INDEX net_gen IF EXISTS".to_owned(),
        ];
        stmts.extend(writes::SCHEMA.map(String::from));
        for t in NODE_TABLES {
            stmts.push(format!(
                "DROP INDEX {}_gen_id IF EXISTS",
                t.label.to_lowercase()
            ));
        }
        for t in REL_TABLES {
            stmts.push(format!("DROP INDEX {}_gen IF EXISTS", t.rel.to_lowercase()));
        }
        for s in stmts {
            self.graph
                .run(query(&s))
                .await
                .map_err(|e| backend(&format!("schema `{s}`"), e))?;
        }
        self.graph
            .run(query("CALL db.awaitIndexes(300)"))
            .await
            .map_err(|e| backend("waiting for indexes", e))?;
        Ok(())
    }

    /// The first row's column `c` as an integer (`None` when there is no row or it is null).
    async fn scalar(&self, q: Query) -> Result<Option<i64>, StoreError> {
        let mut s = self
            .graph
            .execute(q)
            .await
            .map_err(|e| backend("query", e))?;
        let mut out = None;
        while let Some(row) = s.next().await.map_err(|e| backend("reading a row", e))? {
            if out.is_none() {
                out = row
                    .get::<Option<i64>>("c")
                    .map_err(|e| backend("decoding a count", e))?;
            }
        }
        Ok(out)
    }

    async fn count(&self, q: Query) -> Result<i64, StoreError> {
        Ok(self.scalar(q).await?.unwrap_or(0))
    }

    /// All rows of the read-only query `q`, in order, in a read transaction (on a cluster
    /// reached with `neo4j://` the server may route it to a follower).
    pub(crate) async fn read_rows(&self, q: Query) -> Result<Vec<Row>, StoreError> {
        let s = self.graph.execute_read(q).await;
        collect_rows(s).await
    }

    /// All rows of `q`, in order.
    pub(crate) async fn rows(&self, q: Query) -> Result<Vec<Row>, StoreError> {
        let s = self.graph.execute(q).await;
        collect_rows(s).await
    }

    /// The current generation, if a network was imported.
    pub(crate) async fn current_gen(&self) -> Result<Option<i64>, StoreError> {
        self.scalar(query(
            "MATCH (m:Meta {key: 'network'}) RETURN m.current_gen AS c",
        ))
        .await
    }

    /// One table of generation `gen_`: the rows of `q` (built by [`chunked`] from a `MATCH`
    /// and the columns of a row) — records of a column `rows`, each a list of rows `[row index,
    /// fields of T…]` (a few thousand rows per record: far fewer records to frame and decode
    /// than one per row), and a column `total`, the table's size — placed by index, so nothing
    /// is sorted and no row is held twice. Checked against `total` (neo4rs issue #281: a stream
    /// can end early), which the query computes from the rows it sends, so no second query
    /// counts the table: a short or inconsistent read is retried. With `node_ids` (the rows
    /// then carry `[row index, node id, fields…]`) the nodes' internal ids come back too, in
    /// row order; otherwise that list is empty.
    async fn read_table<T: DeserializeOwned>(
        &self,
        what: &str,
        q: impl Fn() -> Query,
        empty_lists: Option<&[&str]>,
        node_ids: bool,
    ) -> Result<(Vec<T>, Vec<i64>), StoreError> {
        let mut last = String::new();
        let started = std::time::Instant::now();
        for _ in 0..READ_ATTEMPTS {
            let mut expected: Option<usize> = None;
            let mut slots: Vec<Option<T>> = Vec::new();
            let mut nodes = Vec::new();
            let mut read = 0usize;
            let mut misplaced = 0usize;
            let mut s = self
                .tables
                .execute_read(q())
                .await
                .map_err(|e| backend(&format!("reading {what}"), e))?;
            let progress = self.progress();
            while let Some(record) = s
                .next()
                .await
                .map_err(|e| backend(&format!("reading {what}"), e))?
            {
                let total = record
                    .get::<i64>("total")
                    .ok()
                    .and_then(|t| usize::try_from(t).ok())
                    .ok_or_else(|| backend(&format!("decoding {what}"), "no row count"))?;
                if expected.is_none() {
                    expected = Some(total);
                    slots.resize_with(total, || None);
                    nodes.resize(if node_ids { total } else { 0 }, 0);
                } else if expected != Some(total) {
                    misplaced += 1;
                }
                let rows = record
                    .get::<BoltList>("rows")
                    .map_err(|e| backend(&format!("decoding {what}"), e))?;
                progress.advance(rows.value.len() as u64);
                for row in &rows.value {
                    read += 1;
                    let (i, (node, value)) = decode_row::<T>(row, empty_lists, node_ids)
                        .map_err(|e| backend(&format!("decoding {what}"), e))?;
                    let Ok(i) = usize::try_from(i) else {
                        misplaced += 1;
                        continue;
                    };
                    match slots.get_mut(i) {
                        Some(slot @ None) => {
                            *slot = Some(value);
                            if node_ids {
                                nodes[i] = node;
                            }
                        }
                        _ => misplaced += 1,
                    }
                }
            }
            if std::env::var_os("DANGJIAN_NEO4J_TRACE").is_some() {
                eprintln!(
                    "read {what}: {read} rows, {:.2}s",
                    started.elapsed().as_secs_f64()
                );
            }
            // Every query sends at least one record (an empty table: one with no rows).
            if expected == Some(read) && misplaced == 0 {
                // Every slot is filled: `read` rows landed in `read` distinct slots. (Sized
                // first: a flattened iterator does not know its length, and growing a vector of a
                // million rows by doubling copies and faults in several times its size.)
                let mut rows = Vec::with_capacity(read);
                rows.extend(slots.into_iter().flatten());
                return Ok((rows, nodes));
            }
            last = match expected {
                Some(total) => format!(
                    "{what}: read {read} rows ({misplaced} with a missing or repeated row \
                     index), the query counted {total}"
                ),
                None => format!("{what}: no record at all"),
            };
        }
        Err(StoreError::Backend(format!(
            "neo4j: a multi-row read came back short ({last})"
        )))
    }

    /// The rows of the node table with label `label`, decoded into `T` from lists of its
    /// fields in declaration order (no property names on the wire, no map per row); with
    /// `node_ids`, each row's internal node id too (see [`Self::read_table`]).
    async fn read_nodes<T: DeserializeOwned>(
        &self,
        table: &str,
        label: &str,
        gen_: i64,
        node_ids: bool,
    ) -> Result<(Vec<T>, Vec<i64>), StoreError> {
        let fields = mapping::fields_of::<T>();
        let mut list: Vec<String> = std::iter::once("n.row")
            .chain(node_ids.then_some("id(n)"))
            .map(str::to_owned)
            .collect();
        list.extend(fields.iter().map(|f| format!("n.`{f}`")));
        // A bulk-loaded node names its empty lists in one more column (see `bulk::EMPTY_LISTS`).
        list.push(format!("n.`{}`", bulk::EMPTY_LISTS));
        let list = list.join(", ");
        self.read_table(
            table,
            || {
                query(&chunked(
                    &format!("MATCH (n:{label}:Net {{gen: $gen}}) WHERE n.id IS NOT NULL"),
                    "n",
                    &list,
                ))
                .param("gen", gen_)
            },
            Some(fields),
            node_ids,
        )
        .await
    }

    /// A node table's rows and, through `ends`, its rows' ids by internal node id (what a
    /// relationship table read by [`Self::read_rels`] with `by_node_id` resolves its ends by).
    async fn read_keyed_nodes<T: DeserializeOwned>(
        &self,
        table: &str,
        label: &str,
        gen_: i64,
        id_of: impl Fn(&T) -> &Id,
        ends: tokio::sync::oneshot::Sender<NodeIds>,
    ) -> Result<Vec<T>, StoreError> {
        let (rows, nodes) = self.read_nodes::<T>(table, label, gen_, true).await?;
        let by_node = NodeIds::new(&nodes, rows.iter().map(id_of));
        // The receiver is gone only when the whole load failed already.
        let _ = ends.send(by_node);
        Ok(rows)
    }

    /// The rows of a relationship table, decoded into `T` from lists of its fields (the ends'
    /// ids and the relationship's properties). With `by_node_id`, an end is read as its
    /// internal node id (an integer in `T`) instead of its `id` property: no property read on
    /// the end nodes, which is most of the server's work for a large table.
    async fn read_rels<T: DeserializeOwned>(
        &self,
        t: &RelTable,
        gen_: i64,
        by_node_id: bool,
    ) -> Result<Vec<T>, StoreError> {
        let end = |f: &str| match by_node_id {
            true => format!("id({f}(x))"),
            false => format!("{f}(x).id"),
        };
        let list: Vec<String> = mapping::fields_of::<T>()
            .iter()
            .map(|f| match *f {
                f if f == t.source => end("startNode"),
                f if f == t.target => end("endNode"),
                f => format!("x.`{f}`"),
            })
            .collect();
        let list = list.join(", ");
        let rel = t.rel;
        let (rows, _) = self
            .read_table(
                t.table,
                || {
                    query(&chunked(
                        &format!("MATCH ()-[x:{rel} {{gen: $gen}}]->()"),
                        "x",
                        &format!("x.row, {list}"),
                    ))
                    .param("gen", gen_)
                },
                None,
                false,
            )
            .await?;
        Ok(rows)
    }

    /// The volunteering table (a million rows at Shanghai scale): its ends read as internal
    /// node ids and resolved by the members' and committees' reads (`members`, `committees`,
    /// from [`Self::read_keyed_nodes`] running beside it). An end that neither read holds (a
    /// write in between) fails the load, which is then read again.
    async fn read_volunteering(
        &self,
        gen_: i64,
        members: tokio::sync::oneshot::Receiver<NodeIds>,
        committees: tokio::sync::oneshot::Receiver<NodeIds>,
    ) -> Result<Vec<dangjian_model::Volunteering>, StoreError> {
        /// A volunteering row with its ends as internal node ids (fields in `Volunteering`'s
        /// order: the read lists them by name).
        #[derive(serde::Deserialize)]
        struct ByNode {
            member: i64,
            committee: i64,
            domain: dangjian_model::ServiceDomain,
            hours: f64,
            date: dangjian_model::Date,
        }
        let rows = self
            .read_rels::<ByNode>(mapping::rel_table("volunteering"), gen_, true)
            .await?;
        let gone = |_| StoreError::Backend("neo4j: reading members or committees failed".into());
        let (members, committees) = (
            members.await.map_err(gone)?,
            committees.await.map_err(gone)?,
        );
        let moved = || {
            StoreError::Backend(
                "neo4j: a volunteering row's member or committee changed while the network was read"
                    .into(),
            )
        };
        let started = std::time::Instant::now();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(dangjian_model::Volunteering {
                member: members.get(r.member).ok_or_else(moved)?.clone(),
                committee: committees.get(r.committee).ok_or_else(moved)?.clone(),
                domain: r.domain,
                hours: r.hours,
                date: r.date,
            });
        }
        if std::env::var_os("DANGJIAN_NEO4J_TRACE").is_some() {
            eprintln!(
                "resolved volunteering's ends: {:.2}s",
                started.elapsed().as_secs_f64()
            );
        }
        Ok(out)
    }

    /// Generation `gen_`, decoded table by table straight into the bundle's structs, every table
    /// streamed at once (each on its own pooled connection).
    async fn load_gen(&self, gen_: i64) -> Result<Bundle, StoreError> {
        let progress = self.progress();
        progress.begin("reading from Neo4j", None);
        let (member_ends, members_by_node) = tokio::sync::oneshot::channel();
        let (committee_ends, committees_by_node) = tokio::sync::oneshot::channel();
        let mut ends = (Some(member_ends), Some(committee_ends));
        let mut by_node = (Some(members_by_node), Some(committees_by_node));
        macro_rules! load {
            // Volunteering's ends are resolved through the members' and committees' reads.
            (@read members $row:ident id) => {
                self.read_keyed_nodes::<dangjian_model::$row>(
                    "members", "Member", gen_, |r| &r.id, ends.0.take().expect("once"))
            };
            (@read committees $row:ident id) => {
                self.read_keyed_nodes::<dangjian_model::$row>(
                    "committees", "Committee", gen_, |r| &r.id, ends.1.take().expect("once"))
            };
            (@read volunteering $row:ident) => {
                self.read_volunteering(
                    gen_, by_node.0.take().expect("once"), by_node.1.take().expect("once"))
            };
            (@read $t:ident $row:ident id) => {
                async {
                    let (rows, _) = self.read_nodes::<dangjian_model::$row>(
                        stringify!($t), stringify!($row), gen_, false).await?;
                    Ok::<_, StoreError>(rows)
                }
            };
            (@read $t:ident $row:ident) => {
                self.read_rels::<dangjian_model::$row>(mapping::rel_table(stringify!($t)), gen_, false)
            };
            ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {{
                // Boxed: seventeen read futures side by side would overflow a thread's stack.
                let tables = async { tokio::try_join!($(Box::pin(load!(@read $t $row $($id)?))),*) }.await;
                progress.end();
                let ($($t,)*) = tables?;
                Ok(Bundle { $($t: $t.into(),)* })
            }};
        }
        dangjian_model::for_each_table!(load)
    }

    async fn load_async(&self) -> Result<Bundle, StoreError> {
        let mut last = None;
        for _ in 0..READ_ATTEMPTS {
            let Some(g) = self.current_gen().await? else {
                return Ok(Bundle::default());
            };
            match self.load_gen(g).await {
                Ok(b) => {
                    // The pointer may have moved while we read (a concurrent import).
                    if self.current_gen().await? == Some(g) {
                        return Ok(b);
                    }
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            StoreError::Backend("neo4j: the network kept changing while it was read".into())
        }))
    }

    /// Delete, on the server, every network node (and its relationships) of a generation below
    /// `below` other than `keep`, in transactions of [`DELETE_BATCH`] rows. Each committed batch
    /// stays deleted if this is interrupted; what is left is deleted after the next import.
    async fn delete_gens(graph: &Graph, below: i64, keep: Option<i64>) -> Result<(), StoreError> {
        let q = query(&format!(
            "MATCH (n:Net) WHERE n.gen < $below AND n.gen <> $keep AND n.id IS NOT NULL \
             CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {DELETE_BATCH} ROWS"
        ))
        .param("below", below)
        .param("keep", keep.unwrap_or(-1));
        graph
            .run(q)
            .await
            .map_err(|e| backend("deleting an old network", e))?;
        Ok(())
    }

    /// Delete generation `gen_` (a refused import's), in the foreground.
    async fn delete_gen(&self, gen_: i64) -> Result<(), StoreError> {
        let q = query(&format!(
            "MATCH (n:Net {{gen: $gen}}) WHERE n.id IS NOT NULL \
             CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {DELETE_BATCH} ROWS"
        ))
        .param("gen", gen_);
        self.graph
            .run(q)
            .await
            .map_err(|e| backend("deleting a refused network", e))?;
        Ok(())
    }

    /// Wait for the background deletions (so two never delete the same nodes).
    async fn await_background(&self) -> Result<(), StoreError> {
        let handles: Vec<_> =
            std::mem::take(&mut *self.background.lock().unwrap_or_else(|e| e.into_inner()));
        let mut first = Ok(());
        for h in handles {
            let r = h
                .await
                .map_err(|e| backend("a background deletion", e))
                .and_then(|r| r);
            if first.is_ok() {
                first = r;
            }
        }
        first
    }

    async fn replace_async(&self, bundle: &Bundle) -> Result<(), StoreError> {
        self.await_background().await?;
        let old = self.current_gen().await?;
        let gen_ = self
            .scalar(query(
                "MERGE (m:Meta {key: 'network'}) ON CREATE SET m.next_gen = 1 \
                 SET m.next_gen = coalesce(m.next_gen, 1) + 1 RETURN m.next_gen - 1 AS c",
            ))
            .await?
            .ok_or_else(|| StoreError::Backend("neo4j: could not allocate a generation".into()))?;
        let progress = self.progress();
        progress.begin("writing to Neo4j", Some(import::item_count(bundle)));
        let written = import::write_gen(&self.graph, bundle, gen_, progress.as_ref()).await;
        progress.end();
        if let Err(e) = written {
            // Best effort: the pointer never moved; the next import cleans up anyway.
            let _ = self.delete_gen(gen_).await;
            return Err(e);
        }
        // The switch: one statement, one transaction.
        let moved = self
            .count(
                query(
                    "MATCH (m:Meta {key: 'network'}) WHERE m.current_gen IS NULL OR m.current_gen = $old \
                     SET m.current_gen = $gen RETURN count(m) AS c",
                )
                .param("gen", gen_)
                .param("old", old.unwrap_or(-1)),
            )
            .await?;
        if moved != 1 {
            let _ = self.delete_gen(gen_).await;
            return Err(StoreError::Backend(
                "neo4j: another import replaced the network meanwhile".into(),
            ));
        }
        // The old generation and leftovers of interrupted imports go in the background.
        let graph = self.graph.clone();
        let handle = self
            .rt
            .spawn(async move { Self::delete_gens(&graph, gen_, Some(gen_)).await });
        self.background
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(handle);
        Ok(())
    }

    async fn tokens_async(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = self
            .rows(query(
                "MATCH (t:Token) RETURN properties(t) AS p ORDER BY t.created, t.id",
            ))
            .await?;
        rows.iter()
            .map(|r| {
                let m = r
                    .get::<Value>("p")
                    .map_err(|e| backend("decoding a token", e))?;
                serde_json::from_value(m).map_err(|e| backend("decoding a token", e))
            })
            .collect()
    }
}

impl Drop for Neo4jStore {
    /// Let the background deletions finish (not from inside an async runtime, where blocking
    /// is not allowed: they are then abandoned and finished after the next import).
    fn drop(&mut self) {
        let pending = !self
            .background
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty();
        if pending && tokio::runtime::Handle::try_current().is_err() {
            let progress = self.progress();
            progress.begin("deleting the previous network in Neo4j", None);
            let _ = self.wait_background();
            progress.end();
        }
    }
}

impl Store for Neo4jStore {
    fn load(&self) -> Result<Bundle, StoreError> {
        self.rt.block_on(self.load_async())
    }

    fn commit(&self, commit: &Commit<'_>) -> Result<u64, StoreError> {
        self.commit_sync(commit)
    }

    fn changes(&self, filter: &ChangeFilter) -> Result<Vec<ChangeEntry>, StoreError> {
        self.changes_sync(filter)
    }

    fn sequence(&self) -> Result<u64, StoreError> {
        self.sequence_sync()
    }

    fn load_versioned(&self) -> Result<(Bundle, u64, RowVersions), StoreError> {
        self.load_versioned_sync()
    }

    fn add_token(&self, token: &TokenInfo) -> Result<(), StoreError> {
        let v = serde_json::to_value(token).map_err(|e| backend("encoding a token", e))?;
        let q = query("CREATE (t:Token) SET t = $t").param("t", to_bolt(v)?);
        self.rt
            .block_on(self.graph.run(q))
            .map_err(|e| backend("storing a token", e))?;
        Ok(())
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.rt.block_on(self.tokens_async())
    }

    fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let q = query("MATCH (t:Token {id: $id}) SET t.revoked = true RETURN count(t) AS c")
            .param("id", id);
        Ok(self.rt.block_on(self.count(q))? > 0)
    }

    fn describe(&self) -> String {
        format!("neo4j:{}", self.uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_resolve_dense_and_sparse_numbering_alike() {
        let ids: Vec<Id> = ["m1", "m2", "m3", "m4"].into_iter().map(Id::from).collect();
        // An import's numbering (nearly consecutive, not in row order) and a scattered one.
        for (nodes, dense) in [
            (vec![41, 40, 43, 44], true),
            (vec![7, 900, 12, 50_000], false),
        ] {
            let by_node = NodeIds::new(&nodes, ids.iter());
            assert_eq!(matches!(by_node, NodeIds::Dense { .. }), dense);
            for (node, id) in nodes.iter().zip(&ids) {
                assert_eq!(by_node.get(*node), Some(id), "node {node}");
            }
            for missing in [0, 42, 45, 899, -1, i64::MIN, i64::MAX] {
                assert_eq!(by_node.get(missing), None, "node {missing}");
            }
        }
        assert_eq!(NodeIds::new(&[], ids.iter()).get(0), None);
    }
}
