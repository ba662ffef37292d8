//! Print the integer column `c` of one Cypher query (for checks by hand while benchmarking).
//!
//! `cargo run -p dangjian-neo4j --example cypher_count -- URI 'MATCH (n) RETURN count(n) AS c'`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(uri), Some(q)) = (args.next(), args.next()) else {
        return Err("usage: cypher_count URI CYPHER".into());
    };
    let store = dangjian_neo4j::Neo4jStore::connect(&uri)?;
    println!("{}", store.count_query(&q)?);
    Ok(())
}
