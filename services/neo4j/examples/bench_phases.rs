//! Phase timings for `scripts/bench-neo4j.sh` on the network stored in a Neo4j server: the
//! projection into the engine (`Store::load`), the engine build (`Engine::new`), full-city
//! coverage in the engine, and full-city coverage via the Cypher in `queries/`. Prints one
//! `key value` line per figure (seconds; minimum and median over the repetitions).
//!
//! `cargo run --release -p dangjian-neo4j --example bench_phases -- URI [AS_OF] [REPS] [IMPORT]`
//!
//! With `IMPORT` (a bundle JSON file) the network is first imported with `Store::replace` and
//! the write timed (`import`); `REPS` 0 then skips the rest. `cypher_coverage_first` is the
//! first Cypher coverage in the process (cold: plans not cached yet). `load_peak_rss_kib` is the process's
//! peak RSS right after the first `load` (before the engine is built).

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

/// The process's peak resident set (`VmHWM`), in KiB (0 where /proc is missing).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
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
    let import = args.next();
    let t = Instant::now();
    let store = Neo4jStore::connect(&uri)?;
    println!("connect {:.4}", t.elapsed().as_secs_f64());
    if let Some(path) = import {
        let bundle: dangjian_model::Bundle = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let t = Instant::now();
        store.replace(&bundle)?;
        let secs = t.elapsed().as_secs_f64();
        println!("import_rows {}", bundle.row_count());
        println!("import {secs:.4}");
        println!("import_rows_per_s {:.0}", bundle.row_count() as f64 / secs);
        if reps == 0 {
            return Ok(());
        }
    }

    let (mut load, mut build, mut engine_cov, mut cypher_cov) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rows = 0;
    let mut committees = 0;
    for rep in 0..reps.max(1) {
        let t = Instant::now();
        let bundle = store.load()?;
        load.push(t.elapsed().as_secs_f64());
        if rep == 0 {
            println!("load_peak_rss_kib {}", peak_rss_kib());
        }
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
    println!(
        "cypher_coverage_first {:.4}",
        cypher_cov.first().copied().unwrap_or(f64::NAN)
    );
    stats("cypher_coverage", cypher_cov);
    Ok(())
}
