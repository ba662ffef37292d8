//! Phase timings for `scripts/bench-neo4j.sh` on the network stored in a Neo4j server: the
//! projection into the engine (`Store::load`), the engine build (`Engine::new`), full-city
//! coverage in the engine, and full-city coverage via the Cypher in `queries/`. Prints one
//! `key value` line per figure (seconds; minimum and median over the repetitions).
//!
//! `cargo run --release -p dangjian-neo4j --example bench_phases -- URI [AS_OF] [REPS]`

use dangjian_engine::Engine;
use dangjian_model::{Date, Store};
use dangjian_neo4j::Neo4jStore;
use std::time::Instant;

fn stats(name: &str, mut xs: Vec<f64>) {
    xs.sort_by(f64::total_cmp);
    let min = xs.first().copied().unwrap_or(f64::NAN);
    let median = xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN);
    println!("{name}_min {min:.4}");
    println!("{name}_median {median:.4}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let uri = args
        .next()
        .ok_or("usage: bench_phases URI [AS_OF] [REPS]")?;
    let as_of = Date::parse_from_str(
        &args.next().unwrap_or_else(|| "2026-06-30".into()),
        "%Y-%m-%d",
    )?;
    let reps: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let store = Neo4jStore::connect(&uri)?;

    let (mut load, mut build, mut engine_cov, mut cypher_cov) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rows = 0;
    let mut committees = 0;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let bundle = store.load()?;
        load.push(t.elapsed().as_secs_f64());
        rows = bundle.row_count();

        let t = Instant::now();
        let engine = Engine::new(bundle);
        build.push(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let doc = engine.coverage("city", as_of)?;
        engine_cov.push(t.elapsed().as_secs_f64());
        committees = doc.committees.len();

        let t = Instant::now();
        let via_cypher = store.coverage_via_cypher("city", as_of)?;
        cypher_cov.push(t.elapsed().as_secs_f64());
        if via_cypher != doc {
            return Err("coverage via Cypher differs from the engine's".into());
        }
    }
    println!("rows {rows}");
    println!("committees {committees}");
    stats("load", load);
    stats("build", build);
    stats("engine_coverage", engine_cov);
    stats("cypher_coverage", cypher_cov);
    Ok(())
}
