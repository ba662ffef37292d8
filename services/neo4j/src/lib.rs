//! The Neo4j store through neo4rs, and coverage computed by the Cypher in queries/.
//!
//! The network lives in generations: every node and relationship of a network carries a `gen`
//! property, and the single `(:Meta {key: 'network'})` node points at the current one. `replace`
//! writes a new generation in `UNWIND` batches, switches the pointer in one transaction, then
//! deletes the old generation; a refused or interrupted import never moves the pointer, so the
//! previous network stays in place (leftovers are removed by the next import). The schema is
//! documented in `queries/README.md`.

mod coverage;
mod mapping;
pub mod queries;
mod writes;

use dangjian_model::{
    Bundle, ChangeEntry, ChangeFilter, Commit, RowVersions, Store, StoreError, TokenInfo,
};
use mapping::{Edge, NODE_TABLES, REL_TABLES, RelTable};
use neo4rs::{BoltMap, BoltType, ConfigBuilder, Graph, Query, Row, query};
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde_json::{Map, Value};
use std::sync::Mutex;
use tokio::runtime::Runtime;

/// Rows per `UNWIND` batch (one transaction each).
const BATCH: usize = 5_000;
/// How many times a multi-row read whose row count disagrees with `count()` is retried
/// (neo4rs issue #281).
const READ_ATTEMPTS: usize = 3;

/// A network stored in a Neo4j server, reached over Bolt.
pub struct Neo4jStore {
    rt: Runtime,
    graph: Graph,
    uri: String,
    /// Serialises writers within this process (one import at a time).
    write_lock: Mutex<()>,
}

fn backend(context: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("neo4j: {context}: {e}"))
}

fn to_bolt(v: Value) -> Result<BoltType, StoreError> {
    BoltType::try_from(v).map_err(|e| backend("converting a parameter", e))
}

impl Neo4jStore {
    /// Connect to `uri` (`bolt://host:port`), with the user and password from `NEO4J_USER` /
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
        let config = ConfigBuilder::default()
            .uri(uri)
            .user(user)
            .password(password)
            .fetch_size(2_000)
            .max_connections(8)
            .build()
            .map_err(|e| backend(&format!("configuring {uri}"), e))?;
        let graph = rt
            .block_on(async { Graph::connect(config) })
            .map_err(|e| backend(&format!("connecting to {uri}"), e))?;
        let store = Neo4jStore {
            rt,
            graph,
            uri: uri.to_owned(),
            write_lock: Mutex::new(()),
        };
        store
            .rt
            .block_on(store.count(query("RETURN 1 AS c")))
            .map_err(|e| StoreError::Backend(format!("neo4j: cannot reach {uri}: {e}")))?;
        store.rt.block_on(store.ensure_schema())?;
        Ok(store)
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

    /// Run `f` on the store's runtime.
    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    async fn ensure_schema(&self) -> Result<(), StoreError> {
        let mut stmts = vec![
            "CREATE CONSTRAINT net_gen_id IF NOT EXISTS FOR (n:Net) REQUIRE (n.gen, n.id) IS UNIQUE"
                .to_owned(),
            "CREATE INDEX net_gen IF NOT EXISTS FOR (n:Net) ON (n.gen)".to_owned(),
            "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE".to_owned(),
            "CREATE CONSTRAINT token_id IF NOT EXISTS FOR (t:Token) REQUIRE t.id IS UNIQUE".to_owned(),
        ];
        stmts.extend(writes::SCHEMA.map(String::from));
        for t in NODE_TABLES {
            stmts.push(format!(
                "CREATE INDEX {}_gen_id IF NOT EXISTS FOR (n:{}) ON (n.gen, n.id)",
                t.label.to_lowercase(),
                t.label
            ));
        }
        for t in REL_TABLES {
            stmts.push(format!(
                "CREATE INDEX {}_gen IF NOT EXISTS FOR ()-[r:{}]-() ON (r.gen)",
                t.rel.to_lowercase(),
                t.rel
            ));
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

    /// All rows of `q`, in order.
    pub(crate) async fn rows(&self, q: Query) -> Result<Vec<Row>, StoreError> {
        let mut s = self
            .graph
            .execute(q)
            .await
            .map_err(|e| backend("query", e))?;
        let mut out = Vec::new();
        while let Some(row) = s.next().await.map_err(|e| backend("reading a row", e))? {
            out.push(row);
        }
        Ok(out)
    }

    /// The current generation, if a network was imported.
    pub(crate) async fn current_gen(&self) -> Result<Option<i64>, StoreError> {
        self.scalar(query(
            "MATCH (m:Meta {key: 'network'}) RETURN m.current_gen AS c",
        ))
        .await
    }

    /// One table of generation `gen_`: the rows of `q` (columns `i`, the row index, and `p`,
    /// decoded by `decode`), streamed and placed by index, so nothing is sorted on the server and
    /// no row is held twice. Checked against `count_q` (neo4rs issue #281): a short or
    /// inconsistent read is retried.
    async fn read_table<T>(
        &self,
        what: &str,
        q: impl Fn() -> Query,
        count_q: impl Fn() -> Query,
        decode: impl Fn(&Row) -> Result<T, String>,
    ) -> Result<Vec<T>, StoreError> {
        let mut last = String::new();
        for _ in 0..READ_ATTEMPTS {
            let expected = usize::try_from(self.count(count_q()).await?)
                .map_err(|e| backend(&format!("counting {what}"), e))?;
            let mut slots: Vec<Option<T>> = Vec::with_capacity(expected);
            slots.resize_with(expected, || None);
            let mut read = 0usize;
            let mut misplaced = 0usize;
            let mut s = self
                .graph
                .execute(q())
                .await
                .map_err(|e| backend(&format!("reading {what}"), e))?;
            while let Some(row) = s
                .next()
                .await
                .map_err(|e| backend(&format!("reading {what}"), e))?
            {
                read += 1;
                let i = row
                    .get::<i64>("i")
                    .map_err(|e| backend(&format!("decoding a row index of {what}"), e))?;
                let value = decode(&row).map_err(|e| backend(&format!("decoding {what}"), e))?;
                match usize::try_from(i).ok().and_then(|i| slots.get_mut(i)) {
                    Some(slot @ None) => *slot = Some(value),
                    _ => misplaced += 1,
                }
            }
            if read == expected && misplaced == 0 {
                // Every slot is filled: `expected` rows landed in `expected` distinct slots.
                return Ok(slots.into_iter().flatten().collect());
            }
            last = format!(
                "{what}: read {read} rows ({misplaced} with a missing or repeated row index), \
                 count() says {expected}"
            );
        }
        Err(StoreError::Backend(format!(
            "neo4j: a multi-row read came back short ({last})"
        )))
    }

    /// The rows of the node table with label `label`, decoded into `T`.
    async fn read_nodes<T: DeserializeOwned>(
        &self,
        table: &str,
        label: &str,
        gen_: i64,
    ) -> Result<Vec<T>, StoreError> {
        self.read_table(
            table,
            || {
                query(&format!(
                    "MATCH (n:{label}:Net {{gen: $gen}}) RETURN n.row AS i, properties(n) AS p"
                ))
                .param("gen", gen_)
            },
            || {
                query(&format!(
                    "MATCH (n:{label}:Net {{gen: $gen}}) RETURN count(n) AS c"
                ))
                .param("gen", gen_)
            },
            |row| {
                let mut m = row.get::<BoltMap>("p").map_err(|e| e.to_string())?;
                m.value.remove("gen");
                m.value.remove("row");
                let m = BoltType::Map(m);
                T::deserialize((&m).into_deserializer()).map_err(|e| e.to_string())
            },
        )
        .await
    }

    /// The rows of a relationship table, decoded into `T`.
    async fn read_rels<T: DeserializeOwned>(
        &self,
        t: &RelTable,
        gen_: i64,
    ) -> Result<Vec<T>, StoreError> {
        let mut fields = format!("{}: a.id, {}: b.id", t.source, t.target);
        for p in t.props {
            fields.push_str(&format!(", {p}: x.{p}"));
        }
        let rel = t.rel;
        self.read_table(
            t.table,
            || {
                query(&format!(
                    "MATCH (a)-[x:{rel} {{gen: $gen}}]->(b) RETURN x.row AS i, {{{fields}}} AS p"
                ))
                .param("gen", gen_)
            },
            || {
                query(&format!(
                    "MATCH ()-[x:{rel} {{gen: $gen}}]->() RETURN count(x) AS c"
                ))
                .param("gen", gen_)
            },
            |row| row.get::<T>("p").map_err(|e| e.to_string()),
        )
        .await
    }

    /// Generation `gen_`, decoded table by table straight into the bundle's structs.
    async fn load_gen(&self, gen_: i64) -> Result<Bundle, StoreError> {
        let [
            districts,
            streets,
            communities,
            committees,
            party_orgs,
            units,
            mass_orgs,
            social_orgs,
            members,
            partnerships,
            resources,
            needs,
            projects,
            responsibilities,
        ] = NODE_TABLES.map(|t| (t.table, t.label));
        let [adjacency, mass_links, volunteering] = &REL_TABLES;
        Ok(Bundle {
            districts: self.read_nodes(districts.0, districts.1, gen_).await?,
            streets: self.read_nodes(streets.0, streets.1, gen_).await?,
            communities: self.read_nodes(communities.0, communities.1, gen_).await?,
            committees: self.read_nodes(committees.0, committees.1, gen_).await?,
            adjacency: self.read_rels(adjacency, gen_).await?,
            party_orgs: self.read_nodes(party_orgs.0, party_orgs.1, gen_).await?,
            units: self.read_nodes(units.0, units.1, gen_).await?,
            mass_orgs: self.read_nodes(mass_orgs.0, mass_orgs.1, gen_).await?,
            social_orgs: self.read_nodes(social_orgs.0, social_orgs.1, gen_).await?,
            members: self.read_nodes(members.0, members.1, gen_).await?,
            partnerships: self
                .read_nodes(partnerships.0, partnerships.1, gen_)
                .await?,
            mass_links: self.read_rels(mass_links, gen_).await?,
            resources: self.read_nodes(resources.0, resources.1, gen_).await?,
            needs: self.read_nodes(needs.0, needs.1, gen_).await?,
            projects: self.read_nodes(projects.0, projects.1, gen_).await?,
            volunteering: self.read_rels(volunteering, gen_).await?,
            responsibilities: self
                .read_nodes(responsibilities.0, responsibilities.1, gen_)
                .await?,
        })
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

    /// Delete every node of generation `gen_` (or of every generation but `keep` when `gen_`
    /// is `None`), in batches.
    async fn delete_gens(&self, gen_: Option<i64>, keep: Option<i64>) -> Result<(), StoreError> {
        loop {
            let q = match gen_ {
                Some(g) => query(
                    "MATCH (n:Net {gen: $gen}) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS c",
                )
                .param("gen", g),
                None => query(
                    "MATCH (n:Net) WHERE n.gen <> $keep WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS c",
                )
                .param("keep", keep.unwrap_or(-1)),
            };
            let mut txn = self
                .graph
                .start_txn()
                .await
                .map_err(|e| backend("starting a transaction", e))?;
            let mut s = txn
                .execute(q)
                .await
                .map_err(|e| backend("deleting an old network", e))?;
            let mut n = 0i64;
            while let Some(row) = s
                .next(txn.handle())
                .await
                .map_err(|e| backend("deleting", e))?
            {
                n = row
                    .get::<i64>("c")
                    .map_err(|e| backend("decoding a count", e))?;
            }
            txn.commit()
                .await
                .map_err(|e| backend("committing a delete", e))?;
            if n == 0 {
                return Ok(());
            }
        }
    }

    /// Run a batched write, returning the sum of column `c` over all batches.
    async fn write_batches(
        &self,
        cypher: &str,
        gen_: i64,
        rows: Vec<Value>,
        what: &str,
    ) -> Result<i64, StoreError> {
        let mut total = 0i64;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Value> = rows.by_ref().take(BATCH).collect();
            let q = query(cypher)
                .param("gen", gen_)
                .param("rows", to_bolt(Value::Array(chunk))?);
            let mut txn = self
                .graph
                .start_txn()
                .await
                .map_err(|e| backend("starting a transaction", e))?;
            let mut s = txn
                .execute(q)
                .await
                .map_err(|e| backend(&format!("writing {what}"), e))?;
            while let Some(row) = s
                .next(txn.handle())
                .await
                .map_err(|e| backend(&format!("writing {what}"), e))?
            {
                total += row
                    .get::<i64>("c")
                    .map_err(|e| backend("decoding a count", e))?;
            }
            txn.commit()
                .await
                .map_err(|e| backend(&format!("committing {what}"), e))?;
        }
        Ok(total)
    }

    async fn write_edges(&self, rel: &str, gen_: i64, edges: Vec<Edge>) -> Result<(), StoreError> {
        let expected = edges.len() as i64;
        let rows: Vec<Value> = edges
            .into_iter()
            .map(|(s, t, p)| serde_json::json!({"s": s, "t": t, "p": Value::Object(p)}))
            .collect();
        let cypher = format!(
            "UNWIND $rows AS r \
             MATCH (a:Net {{gen: $gen, id: r.s}}) MATCH (b:Net {{gen: $gen, id: r.t}}) \
             CREATE (a)-[x:{rel} {{gen: $gen}}]->(b) SET x += r.p RETURN count(x) AS c"
        );
        let written = self.write_batches(&cypher, gen_, rows, rel).await?;
        if written != expected {
            return Err(StoreError::Backend(format!(
                "neo4j: wrote {written} of {expected} {rel} relationships (a reference points at nothing)"
            )));
        }
        Ok(())
    }

    /// Write `bundle` as generation `gen_` (nothing points at it yet).
    async fn write_gen(&self, bundle: &Bundle, gen_: i64) -> Result<(), StoreError> {
        for t in NODE_TABLES {
            let rows = mapping::table_rows(bundle, t.table).map_err(|e| backend(t.table, e))?;
            let expected = rows.len() as i64;
            let cypher = format!(
                "UNWIND $rows AS r CREATE (n:Net:{}) SET n = r, n.gen = $gen RETURN count(n) AS c",
                t.label
            );
            let rows = rows.into_iter().map(Value::Object).collect();
            let written = self.write_batches(&cypher, gen_, rows, t.table).await?;
            if written != expected {
                return Err(StoreError::Backend(format!(
                    "neo4j: wrote {written} of {expected} {} rows",
                    t.table
                )));
            }
        }
        for (rel, edges) in
            mapping::reference_edges(bundle).map_err(|e| backend("references", e))?
        {
            self.write_edges(rel, gen_, edges).await?;
        }
        for t in &REL_TABLES {
            let edges = mapping::rel_table_edges(bundle, t).map_err(|e| backend(t.table, e))?;
            self.write_edges(t.rel, gen_, edges).await?;
        }
        Ok(())
    }

    async fn replace_async(&self, bundle: &Bundle) -> Result<(), StoreError> {
        let old = self.current_gen().await?;
        // Leftovers of interrupted imports (and of interrupted deletes) go first.
        self.delete_gens(None, old).await?;
        let gen_ = self
            .scalar(query(
                "MERGE (m:Meta {key: 'network'}) ON CREATE SET m.next_gen = 1 \
                 SET m.next_gen = coalesce(m.next_gen, 1) + 1 RETURN m.next_gen - 1 AS c",
            ))
            .await?
            .ok_or_else(|| StoreError::Backend("neo4j: could not allocate a generation".into()))?;
        if let Err(e) = self.write_gen(bundle, gen_).await {
            // Best effort: the pointer never moved; the next import cleans up anyway.
            let _ = self.delete_gens(Some(gen_), None).await;
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
            let _ = self.delete_gens(Some(gen_), None).await;
            return Err(StoreError::Backend(
                "neo4j: another import replaced the network meanwhile".into(),
            ));
        }
        if let Some(o) = old {
            self.delete_gens(Some(o), None).await?;
        }
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
