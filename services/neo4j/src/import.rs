//! The fast write of a whole network as a new generation: `UNWIND` batches of `CREATE` (never
//! `MERGE`), several batches in flight at once, every node first, then the relationships by
//! lookups in the `(gen, id)` uniqueness index. Rows are serialised batch by batch, so the
//! client never holds the whole network twice.

use crate::mapping::{NODE_TABLES, REL_TABLES, RelTable};
use crate::progress::Progress;
use crate::{backend, to_bolt};
use dangjian_model::{Bundle, StoreError};
use futures::stream::{self, StreamExt, TryStreamExt};
use neo4rs::{Graph, query};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Rows per `UNWIND` batch (one auto-commit transaction each).
pub(crate) const BATCH: usize = 10_000;
/// Batches in flight at once (each holds one pooled connection); `DANGJIAN_NEO4J_WRITERS`
/// overrides it (1 to [`WRITERS`]).
pub(crate) const WRITERS: usize = 4;

fn writers() -> usize {
    std::env::var("DANGJIAN_NEO4J_WRITERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .map_or(WRITERS, |w: usize| w.clamp(1, WRITERS))
}

/// A relationship from a reference field: source id, target id, position in a list field.
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
    /// Rows `start..end` of a relationship table.
    Table {
        t: &'static RelTable,
        start: usize,
        end: usize,
    },
}

impl Job<'_> {
    fn len(&self) -> usize {
        match self {
            Job::Nodes { start, end, .. } | Job::Table { start, end, .. } => end - start,
            Job::Refs { edges, .. } => edges.len(),
        }
    }
}

/// Rows `start..end` of `rows` as JSON objects with their `row` index and `gen`.
fn node_rows<T: Serialize>(
    rows: &[T],
    start: usize,
    end: usize,
    gen_: i64,
) -> Result<Vec<Value>, String> {
    rows[start..end]
        .iter()
        .enumerate()
        .map(|(i, r)| match serde_json::to_value(r) {
            Ok(Value::Object(mut m)) => {
                m.insert("row".into(), json!(start + i));
                m.insert("gen".into(), json!(gen_));
                Ok(Value::Object(m))
            }
            Ok(other) => Err(format!("a row serialised to {other}, not an object")),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

/// Rows `start..end` of node table `table`.
fn table_chunk(
    b: &Bundle,
    table: &str,
    start: usize,
    end: usize,
    gen_: i64,
) -> Result<Vec<Value>, String> {
    match table {
        "districts" => node_rows(&b.districts, start, end, gen_),
        "streets" => node_rows(&b.streets, start, end, gen_),
        "communities" => node_rows(&b.communities, start, end, gen_),
        "committees" => node_rows(&b.committees, start, end, gen_),
        "adjacency" => node_rows(&b.adjacency, start, end, gen_),
        "party_orgs" => node_rows(&b.party_orgs, start, end, gen_),
        "units" => node_rows(&b.units, start, end, gen_),
        "mass_orgs" => node_rows(&b.mass_orgs, start, end, gen_),
        "social_orgs" => node_rows(&b.social_orgs, start, end, gen_),
        "members" => node_rows(&b.members, start, end, gen_),
        "partnerships" => node_rows(&b.partnerships, start, end, gen_),
        "mass_links" => node_rows(&b.mass_links, start, end, gen_),
        "resources" => node_rows(&b.resources, start, end, gen_),
        "needs" => node_rows(&b.needs, start, end, gen_),
        "projects" => node_rows(&b.projects, start, end, gen_),
        "volunteering" => node_rows(&b.volunteering, start, end, gen_),
        "responsibilities" => node_rows(&b.responsibilities, start, end, gen_),
        other => Err(format!("unknown table {other}")),
    }
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

/// The rows of a relationship-table job as `{s, t, p}` objects.
fn table_edges(
    b: &Bundle,
    t: &RelTable,
    start: usize,
    end: usize,
    gen_: i64,
) -> Result<Vec<Value>, String> {
    table_chunk(b, t.table, start, end, gen_)?
        .into_iter()
        .map(|row| {
            let Value::Object(row) = row else {
                return Err("a row is not an object".to_owned());
            };
            let (source, target, p) = t.edge_of(&row);
            Ok(json!({"s": source, "t": target, "p": p}))
        })
        .collect()
}

/// The Cypher that creates a batch of relationships of type `rel` between nodes given by their
/// internal ids (the cheapest lookup there is), and fails (rolling the batch back) when an end
/// is missing: `c / (c - c)` divides by zero exactly when fewer relationships were made than
/// rows sent.
fn rel_cypher(rel: &str) -> String {
    format!(
        "UNWIND $rows AS r \
         MATCH (a) WHERE id(a) = r.s MATCH (b) WHERE id(b) = r.t \
         CREATE (a)-[x:{rel} {{gen: $gen}}]->(b) SET x += r.p \
         WITH count(x) AS c \
         RETURN CASE WHEN c = size($rows) THEN c ELSE c / (c - c) END AS c"
    )
}

/// The ids of rows `start..end` of node table `table`.
fn table_ids<'a>(b: &'a Bundle, table: &str, start: usize, end: usize) -> Vec<&'a str> {
    fn ids<T>(rows: &[T], start: usize, end: usize, id: impl Fn(&T) -> &str) -> Vec<&str> {
        rows[start..end].iter().map(id).collect()
    }
    match table {
        "districts" => ids(&b.districts, start, end, |r| &r.id),
        "streets" => ids(&b.streets, start, end, |r| &r.id),
        "communities" => ids(&b.communities, start, end, |r| &r.id),
        "committees" => ids(&b.committees, start, end, |r| &r.id),
        "party_orgs" => ids(&b.party_orgs, start, end, |r| &r.id),
        "units" => ids(&b.units, start, end, |r| &r.id),
        "mass_orgs" => ids(&b.mass_orgs, start, end, |r| &r.id),
        "social_orgs" => ids(&b.social_orgs, start, end, |r| &r.id),
        "members" => ids(&b.members, start, end, |r| &r.id),
        "partnerships" => ids(&b.partnerships, start, end, |r| &r.id),
        "resources" => ids(&b.resources, start, end, |r| &r.id),
        "needs" => ids(&b.needs, start, end, |r| &r.id),
        "projects" => ids(&b.projects, start, end, |r| &r.id),
        "responsibilities" => ids(&b.responsibilities, start, end, |r| &r.id),
        _ => Vec::new(),
    }
}

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
    let rows = table_chunk(b, table, *start, *end, gen_).map_err(|e| backend(table, e))?;
    let q = query(&format!(
        "UNWIND $rows AS r CREATE (n:Net:{label}) SET n = r RETURN r.row AS k, id(n) AS i"
    ))
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
    let (rel, rows) = match job {
        Job::Nodes { .. } => return Ok(()),
        Job::Refs { rel, edges } => {
            let mut rows = Vec::with_capacity(edges.len());
            for e in *edges {
                let p = match e.pos {
                    Some(pos) => json!({ "pos": pos }),
                    None => json!({}),
                };
                rows.push(json!({"s": lookup(rel, e.s)?, "t": lookup(rel, e.t)?, "p": p}));
            }
            (*rel, rows)
        }
        Job::Table { t, start, end } => {
            let mut rows =
                table_edges(b, t, *start, *end, gen_).map_err(|e| backend(t.table, e))?;
            for r in &mut rows {
                for end in ["s", "t"] {
                    let id = r[end].as_str().unwrap_or_default().to_owned();
                    r[end] = json!(lookup(t.table, &id)?);
                }
            }
            (t.rel, rows)
        }
    };
    let q = query(&rel_cypher(rel))
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
    let mut refs = reference_edges(b);
    // Batches in flight at once lock the nodes they connect: sorted by target, they touch
    // (nearly) disjoint sets of committees, streets, … instead of all of them each.
    for (_, edges) in &mut refs {
        edges.sort_by(|x, y| (x.t, x.s).cmp(&(y.t, y.s)));
    }
    let mut rels = Vec::new();
    for (rel, edges) in &refs {
        for chunk in edges.chunks(BATCH) {
            rels.push(Job::Refs { rel, edges: chunk });
        }
    }
    for t in &REL_TABLES {
        let n = table_len(b, t.table);
        for start in (0..n).step_by(BATCH) {
            rels.push(Job::Table {
                t,
                start,
                end: (start + BATCH).min(n),
            });
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    /// The sample network shipped in `seed/`.
    fn sample() -> Bundle {
        serde_json::from_str(include_str!("../../../seed/shanghai-sample.json")).expect("sample")
    }

    /// The borrowed, typed reference edges are exactly the generic ones of `mapping.rs`
    /// (which walk every reference field of the serialised rows).
    #[test]
    fn reference_edges_equal_the_generic_mapping() {
        let b = sample();
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

    /// Relationship-table rows become the same `{s, t, p}` as the generic mapping's edges.
    #[test]
    fn table_edges_equal_the_generic_mapping() {
        let b = sample();
        for t in &REL_TABLES {
            let n = table_len(&b, t.table);
            assert!(n > 0, "{} has rows in the sample", t.table);
            let ours = table_edges(&b, t, 0, n, 7).expect("ours");
            let generic: Vec<Value> = crate::mapping::rel_table_edges(&b, t)
                .expect("generic")
                .into_iter()
                .map(|(s, t, p)| json!({"s": s, "t": t, "p": p}))
                .collect();
            assert_eq!(ours, generic, "{}", t.table);
        }
        assert_eq!(item_count(&Bundle::default()), 0);
    }
}
