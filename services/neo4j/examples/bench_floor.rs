//! The bare write rate of a Neo4j server through Bolt, for `scripts/bench-neo4j.sh`: how fast
//! it creates nodes and relationships that carry nothing — no property, no index, no
//! constraint — in the import's own shape (`UNWIND` batches of `IMPORT_BATCH` rows,
//! `IMPORT_WRITERS` batches in flight, relationships between nodes found by internal id).
//! No import of the same number of nodes and relationships can be faster on that server, so
//! this is the ceiling the real import is measured against. The scratch nodes (label
//! `BenchFloor`) are deleted at the end. Prints one `key value` line per figure.
//!
//! `cargo run --release -p dangjian-neo4j --example bench_floor -- URI NODES RELATIONSHIPS`

use dangjian_neo4j::Neo4jStore;
use futures::stream::{self, StreamExt, TryStreamExt};
use neo4rs::{Graph, query};
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Create `n` bare nodes; their internal ids.
async fn nodes(graph: &Graph, n: usize) -> Result<Vec<i64>, Error> {
    let batch = dangjian_neo4j::IMPORT_BATCH;
    let sizes: Vec<usize> = (0..n).step_by(batch).map(|s| batch.min(n - s)).collect();
    let parts: Vec<Vec<i64>> = stream::iter(sizes)
        .map(|size| async move {
            let mut s = graph
                .execute(
                    query("UNWIND range(1, $n) AS i CREATE (x:BenchFloor) RETURN id(x) AS i")
                        .param("n", size as i64),
                )
                .await?;
            let mut ids = Vec::with_capacity(size);
            while let Some(row) = s.next().await? {
                ids.push(row.get::<i64>("i")?);
            }
            Ok::<_, Error>(ids)
        })
        .buffer_unordered(dangjian_neo4j::IMPORT_WRITERS)
        .try_collect()
        .await?;
    Ok(parts.concat())
}

/// Create `r` bare relationships among the nodes `ids`: the i-th from node i to node i + 1
/// (indices modulo the node count), so concurrent batches touch different nodes.
async fn relationships(graph: &Graph, ids: &[i64], r: usize) -> Result<(), Error> {
    let batch = dangjian_neo4j::IMPORT_BATCH;
    let n = ids.len();
    stream::iter((0..r).step_by(batch))
        .map(|start| async move {
            let rows: Vec<Vec<i64>> = (start..r.min(start + batch))
                .map(|i| vec![ids[i % n], ids[(i + 1) % n]])
                .collect();
            graph
                .run(
                    query(
                        "UNWIND $rows AS r MATCH (a) WHERE id(a) = r[0] \
                         MATCH (b) WHERE id(b) = r[1] CREATE (a)-[:BENCH_FLOOR]->(b)",
                    )
                    .param("rows", rows),
                )
                .await?;
            Ok::<_, Error>(())
        })
        .buffer_unordered(dangjian_neo4j::IMPORT_WRITERS)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_floor URI NODES RELATIONSHIPS";
    let uri = args.next().ok_or(usage)?;
    let n: usize = args.next().ok_or(usage)?.parse()?;
    let r: usize = args.next().ok_or(usage)?.parse()?;
    if n == 0 {
        return Err("NODES must be at least 1".into());
    }
    // The store's own connection pool and credentials (`NEO4J_USER`, `NEO4J_PASSWORD`).
    let store = Neo4jStore::connect(&uri)?;
    let graph = store.graph();
    store.block_on(async {
        let t = Instant::now();
        let ids = nodes(graph, n).await?;
        let node_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        relationships(graph, &ids, r).await?;
        let rel_secs = t.elapsed().as_secs_f64();
        println!("floor_nodes {n}");
        println!("floor_nodes_s {node_secs:.3}");
        println!("floor_relationships {r}");
        println!("floor_relationships_s {rel_secs:.3}");
        println!("floor_s {:.3}", node_secs + rel_secs);
        // The scratch nodes go in bounded transactions.
        loop {
            let mut s = graph
                .execute(query(
                    "MATCH (x:BenchFloor) WITH x LIMIT 10000 DETACH DELETE x RETURN count(*) AS c",
                ))
                .await?;
            let mut deleted = 0;
            while let Some(row) = s.next().await? {
                deleted = row.get::<i64>("c")?;
            }
            if deleted == 0 {
                break;
            }
        }
        Ok(())
    })
}
