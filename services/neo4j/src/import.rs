//! The fast write of a whole network as a new generation: `UNWIND` batches of `CREATE` (never
//! `MERGE`), several batches in flight at once, every node first, then the relationships by
//! lookups in the `(gen, id)` uniqueness index. Rows are serialised batch by batch, so the
//! client never holds the whole network twice.

use crate::mapping::{self, NODE_TABLES, REL_TABLES, RelTable};
use crate::progress::Progress;
use crate::{backend, digest, to_bolt};
use dangjian_model::{Bundle, StoreError};
use futures::stream::{self, StreamExt, TryStreamExt};
use neo4rs::{Graph, query};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Rows per `UNWIND` batch (one auto-commit transaction each).
pub const BATCH: usize = 10_000;
/// Batches in flight at once (each holds one pooled connection); `DANGJIAN_NEO4J_WRITERS`
/// overrides it (1 to [`MAX_WRITERS`]).
pub const WRITERS: usize = 8;
/// The most batches in flight `DANGJIAN_NEO4J_WRITERS` may ask for (the pool holds as many).
pub(crate) const MAX_WRITERS: usize = 16;

pub(crate) fn writers() -> usize {
    std::env::var("DANGJIAN_NEO4J_WRITERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .map_or(WRITERS, |w: usize| w.clamp(1, MAX_WRITERS))
}

/// A relationship from a reference field: source id, target id, position in a list field.
#[derive(Clone, Copy)]
pub(crate) struct RefEdge<'a> {
    pub s: &'a str,
    pub t: &'a str,
    pub pos: Option<usize>,
}

/// One unit of work: a batch of rows to send.
enum Job<'a> {
    /// Rows `start..end` of a node table.
    Nodes {
        table: &'static str,
        label: &'static str,
        start: usize,
        end: usize,
    },
    /// A slice of reference relationships of one type.
    Refs {
        rel: &'static str,
        edges: &'a [RefEdge<'a>],
    },
    /// Some rows (by index) of a relationship table.
    Table {
        t: &'static RelTable,
        rows: &'a [u32],
    },
}

impl Job<'_> {
    fn len(&self) -> usize {
        match self {
            Job::Nodes { start, end, .. } => end - start,
            Job::Refs { edges, .. } => edges.len(),
            Job::Table { rows, .. } => rows.len(),
        }
    }
}

/// Rows `start..end` of `rows` as lists: the values of `fields` in order (null where a field is
/// absent), then the row index.
fn lists<T: Serialize>(
    rows: &[T],
    fields: &[&str],
    start: usize,
    end: usize,
) -> Result<Vec<Value>, String> {
    rows[start..end]
        .iter()
        .enumerate()
        .map(|(i, r)| row_list(r, fields, start + i))
        .collect()
}

/// One row as a list: the values of `fields` in order, then `index`.
fn row_list<T: Serialize>(r: &T, fields: &[&str], index: usize) -> Result<Value, String> {
    match serde_json::to_value(r) {
        Ok(Value::Object(mut m)) => {
            let mut l: Vec<Value> = fields
                .iter()
                .map(|f| m.remove(*f).unwrap_or(Value::Null))
                .collect();
            l.push(json!(index));
            Ok(Value::Array(l))
        }
        Ok(other) => Err(format!("a row serialised to {other}, not an object")),
        Err(e) => Err(e.to_string()),
    }
}

macro_rules! by_table {
    ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
        /// The serde fields of table `table`'s rows, in declaration order.
        pub(crate) fn table_fields(table: &str) -> &'static [&'static str] {
            match table {
                $(stringify!($t) => mapping::fields_of::<dangjian_model::$row>(),)*
                _ => &[],
            }
        }

        /// Rows `start..end` of table `table` as lists of its fields (see [`lists`]).
        fn table_chunk(b: &Bundle, table: &str, start: usize, end: usize) -> Result<Vec<Value>, String> {
            match table {
                $(stringify!($t) => lists(&b.$t, table_fields(table), start, end),)*
                other => Err(format!("unknown table {other}")),
            }
        }

        /// The rows at `rows` of table `table` as lists of `fields` (see [`row_list`]).
        fn table_picks(b: &Bundle, table: &str, fields: &[&str], rows: &[u32]) -> Result<Vec<Value>, String> {
            match table {
                $(stringify!($t) => rows
                    .iter()
                    .map(|&i| row_list(&b.$t[i as usize], fields, i as usize))
                    .collect(),)*
                other => Err(format!("unknown table {other}")),
            }
        }
    };
}
dangjian_model::for_each_table!(by_table);

/// The Cypher that creates a batch of nodes labelled `label` from lists of `fields` (then the
/// row index), naming every property, and returns each row index with its node's internal id.
fn node_cypher(label: &str, fields: &[&str]) -> String {
    let props: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("`{f}`: r[{i}]"))
        .collect();
    let k = fields.len();
    format!(
        "UNWIND $rows AS r CREATE (n:Net:{label} {{{}, row: r[{k}], gen: $gen}}) \
         RETURN r[{k}] AS k, id(n) AS i",
        props.join(", ")
    )
}

/// The number of rows of table `table`.
pub(crate) fn table_len(b: &Bundle, table: &str) -> usize {
    dangjian_model::store::table_sizes(b)
        .into_iter()
        .find(|(t, _)| *t == table)
        .map_or(0, |(_, n)| n)
}

/// The reference relationships of `b` by type, in the order of `mapping::REF_RELS` (the same
/// relationships `mapping::reference_edges` describes), borrowing the ids.
pub(crate) fn reference_edges<'a>(b: &'a Bundle) -> Vec<(&'static str, Vec<RefEdge<'a>>)> {
    fn one<'a>(s: &'a str, t: &'a str) -> RefEdge<'a> {
        RefEdge { s, t, pos: None }
    }
    fn list<'a>(s: &'a str, ts: &'a [dangjian_model::Id]) -> impl Iterator<Item = RefEdge<'a>> {
        ts.iter().enumerate().map(move |(pos, t)| RefEdge {
            s,
            t,
            pos: Some(pos),
        })
    }
    /// The edges of an optional reference: `f` gives a row's id and the id it may name.
    fn opt<'a, T>(
        rows: &'a [T],
        f: impl Fn(&'a T) -> (&'a str, Option<&'a str>),
    ) -> Vec<RefEdge<'a>> {
        rows.iter()
            .filter_map(|r| match f(r) {
                (s, Some(t)) => Some(one(s, t)),
                (_, None) => None,
            })
            .collect()
    }
    let mut out: Vec<(&'static str, Vec<RefEdge<'a>>)> = Vec::new();
    let mut push = |rel: &'static str, edges: Vec<RefEdge<'a>>| {
        if edges.is_empty() {
            return;
        }
        if let Some(slot) = out.iter_mut().find(|(r, _)| *r == rel) {
            slot.1.extend(edges);
        } else {
            out.push((rel, edges));
        }
    };
    let mut ins: Vec<RefEdge> = b.streets.iter().map(|r| one(&r.id, &r.district)).collect();
    ins.extend(b.communities.iter().map(|r| one(&r.id, &r.street)));
    ins.extend(b.committees.iter().map(|r| one(&r.id, &r.community)));
    push("IN", ins);
    push(
        "PARENT",
        opt(&b.party_orgs, |r| (&r.id, r.parent.as_deref())),
    );
    push(
        "LEADS",
        b.party_orgs.iter().map(|r| one(&r.id, &r.leads)).collect(),
    );
    let mut located: Vec<RefEdge> = b.units.iter().map(|r| one(&r.id, &r.street)).collect();
    located.extend(b.social_orgs.iter().map(|r| one(&r.id, &r.street)));
    push("LOCATED_IN", located);
    push(
        "EMPLOYED_BY",
        opt(&b.members, |r| (&r.id, r.employer.as_deref())),
    );
    push(
        "REGISTERED_AT",
        opt(&b.members, |r| (&r.id, r.registered_at.as_deref())),
    );
    push(
        "SIGNED",
        b.partnerships.iter().map(|r| one(&r.unit, &r.id)).collect(),
    );
    push(
        "WITH",
        b.partnerships
            .iter()
            .map(|r| one(&r.id, &r.target))
            .collect(),
    );
    push(
        "PROVIDED_BY",
        b.resources
            .iter()
            .map(|r| one(&r.id, &r.provider))
            .collect(),
    );
    push(
        "DEPLOYED_TO",
        b.resources
            .iter()
            .flat_map(|r| list(&r.id, r.deployed_to.as_deref().unwrap_or_default()))
            .collect(),
    );
    let mut at: Vec<RefEdge> = b.needs.iter().map(|r| one(&r.id, &r.committee)).collect();
    at.extend(b.projects.iter().map(|r| one(&r.id, &r.committee)));
    push("AT", at);
    push(
        "OF",
        b.responsibilities
            .iter()
            .map(|r| one(&r.id, &r.party_org))
            .collect(),
    );
    push(
        "ADDRESSES",
        b.projects
            .iter()
            .flat_map(|p| list(&p.id, &p.needs))
            .collect(),
    );
    push(
        "USES",
        b.projects
            .iter()
            .flat_map(|p| list(&p.id, &p.resources))
            .collect(),
    );
    out
}

/// The rows at `rows` of a relationship table as lists: source id, target id, row index, then
/// the kept fields (`t.props`).
fn table_edges(b: &Bundle, t: &RelTable, rows: &[u32]) -> Result<Vec<Value>, String> {
    let mut fields = vec![t.source, t.target];
    fields.extend(t.props);
    table_picks(b, t.table, &fields, rows)?
        .into_iter()
        .map(|l| {
            let Value::Array(mut l) = l else {
                return Err("a row is not a list".to_owned());
            };
            // [source, target, props…, row] → [source, target, row, props…]
            let row = l.pop().unwrap_or(Value::Null);
            l.insert(2, row);
            Ok(Value::Array(l))
        })
        .collect()
}

/// The Cypher that creates a batch of relationships of type `rel` between nodes given by their
/// internal ids (the cheapest lookup there is) from lists `[source, target, props…]`, naming
/// every property (`props`, from position 2), and fails (rolling the batch back) when an end is
/// missing: `c / (c - c)` divides by zero exactly when fewer relationships were made than rows
/// sent.
fn rel_cypher(rel: &str, props: &[&str]) -> String {
    let mut set = vec!["gen: $gen".to_owned()];
    set.extend(
        props
            .iter()
            .enumerate()
            .map(|(i, p)| format!("`{p}`: r[{}]", i + 2)),
    );
    format!(
        "UNWIND $rows AS r \
         MATCH (a) WHERE id(a) = r[0] MATCH (b) WHERE id(b) = r[1] \
         CREATE (a)-[x:{rel} {{{}}}]->(b) \
         WITH count(x) AS c \
         RETURN CASE WHEN c = size($rows) THEN c ELSE c / (c - c) END AS c",
        set.join(", ")
    )
}

/// The order in which a relationship type's rows are sent: concurrent batches should not
/// touch the same sparse node (creating a relationship locks a sparse node's chain; a dense
/// node takes concurrent inserts). So the rows are grouped by the end whose nodes recur in
/// this type with the fewest relationships each — the sparse end — unless every row has its
/// own node on that end, then by the other end. `ends` gives a row's (source, target).
fn send_order<'a>(n: usize, ends: impl Fn(usize) -> (&'a str, &'a str)) -> Vec<u32> {
    let distinct = |f: &dyn Fn(usize) -> &'a str| {
        (0..n)
            .map(f)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    let (ds, dt) = (distinct(&|i| ends(i).0), distinct(&|i| ends(i).1));
    let by_source = if ds == n {
        false
    } else if dt == n {
        true
    } else {
        ds >= dt
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    if by_source {
        order.sort_by_key(|&i| ends(i as usize));
    } else {
        order.sort_by_key(|&i| {
            let (s, t) = ends(i as usize);
            (t, s)
        });
    }
    order
}

/// The (source, target) ids of every row of relationship table `table`.
fn rel_ends<'a>(b: &'a Bundle, table: &str) -> Vec<(&'a str, &'a str)> {
    match table {
        "adjacency" => b.adjacency.iter().map(|r| (&*r.a, &*r.b)).collect(),
        "mass_links" => b
            .mass_links
            .iter()
            .map(|r| (&*r.mass_org, &*r.target))
            .collect(),
        "volunteering" => b
            .volunteering
            .iter()
            .map(|r| (&*r.member, &*r.committee))
            .collect(),
        other => unreachable!("REL_TABLES has no table {other}"),
    }
}

macro_rules! ids_by_table {
    ($($t:ident: $row:ident,)*) => {
        /// The ids of rows `start..end` of node table `table`.
        fn table_ids<'a>(b: &'a Bundle, table: &str, start: usize, end: usize) -> Vec<&'a str> {
            match table {
                $(stringify!($t) => b.$t[start..end].iter().map(|r| r.id.as_str()).collect(),)*
                _ => Vec::new(),
            }
        }
    };
}
dangjian_model::for_each_table!(keyed ids_by_table);

/// Create the nodes of a node job; their internal ids, in row order.
async fn create_nodes(
    graph: &Graph,
    b: &Bundle,
    job: &Job<'_>,
    gen_: i64,
) -> Result<Vec<i64>, StoreError> {
    let Job::Nodes {
        table,
        label,
        start,
        end,
    } = job
    else {
        return Ok(Vec::new());
    };
    let rows = table_chunk(b, table, *start, *end).map_err(|e| backend(table, e))?;
    let q = query(&node_cypher(label, table_fields(table)))
        .param("gen", gen_)
        .param("rows", to_bolt(Value::Array(rows))?);
    let mut ids = vec![-1i64; end - start];
    let mut stream = graph
        .execute(q)
        .await
        .map_err(|e| backend(&format!("writing {table}"), e))?;
    let mut n = 0;
    while let Some(row) = stream
        .next()
        .await
        .map_err(|e| backend(&format!("writing {table}"), e))?
    {
        let k: i64 = row
            .get("k")
            .map_err(|e| backend("decoding a row index", e))?;
        let i: i64 = row.get("i").map_err(|e| backend("decoding a node id", e))?;
        let slot = usize::try_from(k)
            .ok()
            .and_then(|k| k.checked_sub(*start))
            .and_then(|k| ids.get_mut(k))
            .ok_or_else(|| backend(&format!("writing {table}"), "a row index out of range"))?;
        *slot = i;
        n += 1;
    }
    if n != end - start || ids.contains(&-1) {
        return Err(StoreError::Backend(format!(
            "neo4j: writing {table}: {n} of {} nodes reported back",
            end - start
        )));
    }
    Ok(ids)
}

/// Send one relationship job as one auto-commit transaction (neo4rs retries transient
/// failures such as deadlocks between concurrent batches).
async fn create_rels(
    graph: &Graph,
    b: &Bundle,
    job: &Job<'_>,
    gen_: i64,
    node_ids: &HashMap<&str, i64>,
) -> Result<(), StoreError> {
    let lookup = |what: &str, id: &str| {
        node_ids.get(id).copied().ok_or_else(|| {
            StoreError::Backend(format!(
                "neo4j: writing {what}: `{id}` is no row of the network (a reference points at nothing)"
            ))
        })
    };
    let (rel, props, rows) = match job {
        Job::Nodes { .. } => return Ok(()),
        Job::Refs { rel, edges } => {
            let with_pos = edges.iter().any(|e| e.pos.is_some());
            let mut rows = Vec::with_capacity(edges.len());
            for e in *edges {
                let mut r = vec![json!(lookup(rel, e.s)?), json!(lookup(rel, e.t)?)];
                if with_pos {
                    r.push(json!(e.pos));
                }
                rows.push(Value::Array(r));
            }
            (*rel, if with_pos { vec!["pos"] } else { Vec::new() }, rows)
        }
        Job::Table { t, rows } => {
            let mut rows = table_edges(b, t, rows).map_err(|e| backend(t.table, e))?;
            for r in &mut rows {
                for end in 0..2 {
                    let id = r[end].as_str().unwrap_or_default().to_owned();
                    r[end] = json!(lookup(t.table, &id)?);
                }
            }
            let props = std::iter::once("row").chain(t.props.iter().copied());
            (t.rel, props.collect(), rows)
        }
    };
    let q = query(&rel_cypher(rel, &props))
        .param("gen", gen_)
        .param("rows", to_bolt(Value::Array(rows))?);
    graph.run(q).await.map_err(|e| {
        if e.to_string().contains("/ by zero") {
            StoreError::Backend(format!(
                "neo4j: writing {rel}: a relationship's end is missing"
            ))
        } else {
            backend(&format!("writing {rel}"), e)
        }
    })?;
    Ok(())
}

/// How many nodes and relationships writing `b` makes (the progress total).
pub(crate) fn item_count(b: &Bundle) -> u64 {
    let nodes: usize = NODE_TABLES.iter().map(|t| table_len(b, t.table)).sum();
    let rels: usize = reference_edges(b)
        .iter()
        .map(|(_, e)| e.len())
        .sum::<usize>()
        + REL_TABLES
            .iter()
            .map(|t| table_len(b, t.table))
            .sum::<usize>();
    (nodes + rels) as u64
}

/// Write `b` as generation `gen_` (nothing points at it yet): every node, then every
/// relationship.
pub(crate) async fn write_gen(
    graph: &Graph,
    b: &Bundle,
    gen_: i64,
    progress: &dyn Progress,
) -> Result<(), StoreError> {
    let mut nodes = Vec::new();
    for t in &NODE_TABLES {
        let n = table_len(b, t.table);
        for start in (0..n).step_by(BATCH) {
            nodes.push(Job::Nodes {
                table: t.table,
                label: t.label,
                start,
                end: (start + BATCH).min(n),
            });
        }
    }
    let t = std::time::Instant::now();
    let created: Vec<Vec<i64>> = stream::iter(nodes.iter())
        .map(|job| async move {
            let ids = create_nodes(graph, b, job, gen_).await?;
            progress.advance(job.len() as u64);
            Ok::<_, StoreError>(ids)
        })
        .buffered(writers())
        .try_collect()
        .await?;
    let mut node_ids: HashMap<&str, i64> =
        HashMap::with_capacity(created.iter().map(Vec::len).sum());
    for (job, ids) in nodes.iter().zip(created) {
        if let Job::Nodes {
            table, start, end, ..
        } = job
        {
            node_ids.extend(table_ids(b, table, *start, *end).into_iter().zip(ids));
        }
    }
    if std::env::var_os("DANGJIAN_NEO4J_TRACE").is_some() {
        eprintln!("nodes {:.2}s", t.elapsed().as_secs_f64());
    }
    let t = std::time::Instant::now();
    let refs: Vec<(&str, Vec<RefEdge>)> = reference_edges(b)
        .into_iter()
        .map(|(rel, edges)| {
            let order = send_order(edges.len(), |i| (edges[i].s, edges[i].t));
            (rel, order.into_iter().map(|i| edges[i as usize]).collect())
        })
        .collect();
    let tables: Vec<(&RelTable, Vec<u32>)> = REL_TABLES
        .iter()
        .map(|t| {
            let ends = rel_ends(b, t.table);
            (t, send_order(ends.len(), |i| ends[i]))
        })
        .collect();
    let mut rels = Vec::new();
    for (rel, edges) in &refs {
        for chunk in edges.chunks(BATCH) {
            rels.push(Job::Refs { rel, edges: chunk });
        }
    }
    for (t, order) in &tables {
        for chunk in order.chunks(BATCH) {
            rels.push(Job::Table { t, rows: chunk });
        }
    }
    let node_ids = &node_ids;
    stream::iter(rels.iter().map(Ok))
        .try_for_each_concurrent(writers(), |job| async move {
            create_rels(graph, b, job, gen_, node_ids).await?;
            progress.advance(job.len() as u64);
            Ok(())
        })
        .await?;
    if std::env::var_os("DANGJIAN_NEO4J_TRACE").is_some() {
        eprintln!("rels {:.2}s", t.elapsed().as_secs_f64());
    }
    let committees = b.committees.iter().map(|k| k.id.to_string()).collect();
    digest::refresh_all(graph, committees, gen_).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    /// The borrowed, typed reference edges are exactly the generic ones of `mapping.rs`
    /// (which walk every reference field of the serialised rows).
    #[test]
    fn reference_edges_equal_the_generic_mapping() {
        let b = dangjian_testdata::seed_bundle();
        let generic = crate::mapping::reference_edges(&b).expect("generic");
        let typed = reference_edges(&b);
        assert!(typed.iter().map(|(_, e)| e.len()).sum::<usize>() > 1_000);
        let typed: Vec<(&str, Vec<crate::mapping::Edge>)> = typed
            .into_iter()
            .map(|(rel, edges)| {
                let edges = edges
                    .into_iter()
                    .map(|e| {
                        let mut p = Map::new();
                        if let Some(pos) = e.pos {
                            p.insert("pos".into(), json!(pos));
                        }
                        (e.s.to_owned(), e.t.to_owned(), p)
                    })
                    .collect();
                (rel, edges)
            })
            .collect();
        let mut generic = generic;
        generic.retain(|(_, e)| !e.is_empty());
        assert_eq!(typed, generic);
    }

    /// Relationship-table rows become the generic mapping's edges as lists
    /// `[source, target, row, kept fields…]`.
    #[test]
    fn table_edges_equal_the_generic_mapping() {
        let b = dangjian_testdata::seed_bundle();
        for t in &REL_TABLES {
            let n = table_len(&b, t.table);
            assert!(n > 0, "{} has rows in the sample", t.table);
            let all: Vec<u32> = (0..n as u32).collect();
            let ours = table_edges(&b, t, &all).expect("ours");
            let generic: Vec<Value> = crate::mapping::rel_table_edges(&b, t)
                .expect("generic")
                .into_iter()
                .map(|(s, d, p)| {
                    let mut l = vec![json!(s), json!(d), p["row"].clone()];
                    l.extend(
                        t.props
                            .iter()
                            .map(|k| p.get(*k).cloned().unwrap_or(Value::Null)),
                    );
                    Value::Array(l)
                })
                .collect();
            assert_eq!(ours, generic, "{}", t.table);
            // Picked rows keep their own row index.
            let picked = table_edges(&b, t, &[n as u32 - 1, 0]).expect("picked");
            assert_eq!(picked, vec![generic[n - 1].clone(), generic[0].clone()]);
        }
        assert_eq!(item_count(&Bundle::default()), 0);
    }

    /// Node rows are sent as their fields in declaration order, then the row index, and the
    /// Cypher names each field at its position.
    #[test]
    fn node_lists_follow_the_declared_fields() {
        let b = dangjian_testdata::seed_bundle();
        let fields = table_fields("members");
        assert_eq!(
            fields,
            [
                "id",
                "name",
                "birth_year",
                "employer",
                "registered_at",
                "skills"
            ]
        );
        let rows = table_chunk(&b, "members", 2, 4).expect("rows");
        let m = &b.members[3];
        assert_eq!(rows[1][0], json!(m.id));
        assert_eq!(rows[1][2], json!(m.birth_year));
        assert_eq!(rows[1][6], json!(3));
        let cypher = node_cypher("Member", fields);
        assert!(cypher.contains("`birth_year`: r[2]"), "{cypher}");
        assert!(cypher.contains("row: r[6]"), "{cypher}");
        for t in &NODE_TABLES {
            assert_eq!(table_fields(t.table).first(), Some(&"id"), "{}", t.table);
        }
    }

    /// Rows are grouped by their sparse end: a member's volunteering rows travel together
    /// (members recur, each with few rows), registrations by committee (every member is
    /// registered once, so grouping by member would spread each committee over every batch).
    #[test]
    fn send_order_groups_rows_by_their_sparse_end() {
        let vol = [
            ("m1", "k1"),
            ("m2", "k1"),
            ("m1", "k2"),
            ("m3", "k2"),
            ("m2", "k3"),
        ];
        let order = send_order(vol.len(), |i| vol[i]);
        let sources: Vec<&str> = order.iter().map(|&i| vol[i as usize].0).collect();
        assert_eq!(sources, ["m1", "m1", "m2", "m2", "m3"]);
        let reg = [("m1", "k2"), ("m2", "k1"), ("m3", "k2"), ("m4", "k1")];
        let order = send_order(reg.len(), |i| reg[i]);
        let targets: Vec<&str> = order.iter().map(|&i| reg[i as usize].1).collect();
        assert_eq!(targets, ["k1", "k1", "k2", "k2"]);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3], "a permutation");
    }
}
