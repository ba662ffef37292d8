//! The graph document and the trend on the generator's Shanghai-scale network: the index built
//! once per network version, a street's graph (as `/api/v1/graph` builds and serialises it, and
//! as GEXF), a district's graph, and a district's 12-month trend. Each figure is timed against a
//! fixed calibration workload run interleaved in the same process (as `engine/benches/shanghai.rs`).
//!
//! `cargo bench -p dangjian-visualizations --bench graph -- [--scale shanghai|district] [--reps N]
//! [--seed N] [--as-of YYYY-MM-DD] [--only TEXT]` (`--only`: the figures whose name or scope
//! contains TEXT)

use dangjian_engine::Engine;
use dangjian_model::Date;
use dangjian_synth::bench::{Options, biggest_areas, calibration, median};
use dangjian_synth::generate;
use dangjian_visualizations::graph::{GraphIndex, GraphOptions, to_gexf};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let o = Options::from_env().unwrap_or_else(|e| panic!("graph bench: {e}"));
    let (scale, reps, as_of) = (o.scale, o.reps, o.as_of);
    let only: Option<String> = std::env::args().skip_while(|a| a != "--only").nth(1);
    eprintln!("generating the {scale:?} network …");
    let bundle = generate(scale, o.seed);
    let biggest = biggest_areas(&bundle).expect("a street with committees");
    let (street, district) = (biggest.street, biggest.district);
    eprintln!(
        "{} rows; street {street}, district {district}",
        bundle.row_count()
    );
    let engine = Engine::new(bundle);
    let b = engine.bundle();
    let index = GraphIndex::new(b);
    let street_opts = GraphOptions::new(street.clone(), as_of);
    let district_opts = GraphOptions::new(district.clone(), as_of);
    let doc = index.graph(b, &street_opts).expect("street graph");
    let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    for e in &doc.edges {
        *by_kind
            .entry(format!("edge {}", e.kind.as_str()))
            .or_default() += 1;
    }
    for n in &doc.nodes {
        *by_kind
            .entry(format!("node {}", n.kind.as_str()))
            .or_default() += 1;
    }
    eprintln!(
        "street graph: {} nodes, {} edges {by_kind:?}",
        doc.nodes.len(),
        doc.edges.len()
    );
    let from = Date::from_ymd_opt(2025, 7, 1).expect("date");

    type Job<'a> = (&'static str, String, Option<f64>, Box<dyn Fn() + 'a>);
    // A scope's 12-month trend with no allocation cached.
    let engine = &engine;
    let cold_trend = |scope: String| -> Box<dyn Fn() + '_> {
        Box::new(move || {
            engine.clear_allocation_cache();
            black_box(engine.trend(&scope, from, as_of).expect("trend"));
        })
    };
    let jobs: Vec<Job> = vec![
        (
            "graph index (once per network)",
            "city".into(),
            None,
            Box::new(|| {
                black_box(GraphIndex::new(b));
            }),
        ),
        (
            "graph JSON (build + serialise)",
            street.clone(),
            Some(50.0),
            Box::new(|| {
                let d = index.graph(b, &street_opts).expect("graph");
                black_box(serde_json::to_vec(&d).expect("json"));
            }),
        ),
        (
            "graph GEXF (build + write)",
            street.clone(),
            Some(50.0),
            Box::new(|| {
                let d = index.graph(b, &street_opts).expect("graph");
                black_box(to_gexf(&d));
            }),
        ),
        (
            "graph JSON (build + serialise)",
            district.clone(),
            None,
            Box::new(|| {
                let d = index.graph(b, &district_opts).expect("graph");
                black_box(serde_json::to_vec(&d).expect("json"));
            }),
        ),
        (
            "coverage (one date, for comparison)",
            district.clone(),
            None,
            Box::new(|| {
                black_box(engine.coverage(&district, as_of).expect("coverage"));
            }),
        ),
        (
            "gaps (one date, for comparison)",
            district.clone(),
            None,
            Box::new(|| {
                black_box(engine.gaps(&district, as_of).expect("gaps"));
            }),
        ),
        (
            "city fair allocation, one date, computed (via gaps of one street)",
            "city".into(),
            None,
            Box::new(|| {
                engine.clear_allocation_cache();
                black_box(engine.gaps(&street, as_of).expect("gaps"));
            }),
        ),
        (
            "trend before (coverage + gaps document per month end, 2 threads), cold",
            district.clone(),
            None,
            Box::new(|| {
                engine.clear_allocation_cache();
                let dates = dangjian_engine::month_ends(from, as_of);
                std::thread::scope(|s| {
                    let (engine, district) = (&engine, &district);
                    for half in dates.chunks(dates.len().div_ceil(2)) {
                        s.spawn(move || {
                            for &d in half {
                                black_box(engine.coverage(district, d).expect("coverage"));
                                black_box(engine.gaps(district, d).expect("gaps"));
                            }
                        });
                    }
                });
            }),
        ),
        (
            "trend, 12 months, cold (no allocation cached)",
            district.clone(),
            Some(1000.0),
            cold_trend(district.clone()),
        ),
        (
            "trend, 12 months, again (components cached)",
            district.clone(),
            Some(1000.0),
            Box::new(|| {
                black_box(engine.trend(&district, from, as_of).expect("trend"));
            }),
        ),
        (
            "trend, 12 months, cold",
            street.clone(),
            Some(1000.0),
            cold_trend(street.clone()),
        ),
        (
            "trend, 12 months, cold",
            "city".into(),
            None,
            cold_trend("city".into()),
        ),
    ];
    let comps = engine.allocation_components(as_of);
    let served: Vec<&(usize, usize)> = comps.iter().filter(|c| c.1 > 0).collect();
    eprintln!(
        "allocation components on {as_of}: {} ({} with resources); largest {:?} (needs, resources) of {} needs",
        comps.len(),
        served.len(),
        comps.iter().max_by_key(|c| c.0),
        b.needs.len()
    );
    println!(
        "| figure | scope | reps | median ms | min ms | × calibration | target ms | target ÷ median |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, scope, target, f) in &jobs {
        if let Some(o) = &only
            && !format!("{name} {scope}").contains(o.as_str())
        {
            continue;
        }
        let mut times = Vec::new();
        let mut calib = Vec::new();
        for _ in 0..reps {
            calib.push(calibration());
            let t = Instant::now();
            f();
            times.push(t.elapsed());
        }
        let min = times.iter().copied().min().unwrap_or_default();
        let med = median(times);
        let cal = median(calib);
        let ratio = med.as_secs_f64() / cal.as_secs_f64();
        let (tgt, met) = match target {
            Some(t) => (
                format!("{t:.0}"),
                format!("{:.1}", t / (med.as_secs_f64() * 1000.0)),
            ),
            None => ("—".into(), "—".into()),
        };
        println!(
            "| {name} | {scope} | {reps} | {} | {} | {ratio:.2} | {tgt} | {met} |",
            ms(med),
            ms(min)
        );
    }
    println!(
        "\ncalibration (sort 1M u64) median: {} ms",
        ms(median((0..3).map(|_| calibration()).collect()))
    );
}
