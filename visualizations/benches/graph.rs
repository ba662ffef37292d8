//! The graph document and the trend on the generator's Shanghai-scale network: the index built
//! once per network version, a street's graph (as `/api/v1/graph` builds and serialises it, and
//! as GEXF), a district's graph, and a district's 12-month trend. Each figure is timed against a
//! fixed calibration workload run interleaved in the same process (as `engine/benches/shanghai.rs`).
//!
//! `cargo bench -p dangjian-visualizations --bench graph -- [--scale shanghai|district] [--reps N]
//! [--only TEXT]` (`--only`: the figures whose name or scope contains TEXT)

use dangjian_engine::Engine;
use dangjian_model::{Bundle, Date};
use dangjian_synth::{Scale, generate};
use dangjian_visualizations::graph::{GraphIndex, GraphOptions, to_gexf};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Sort one million pseudo-random integers (splitmix64): a fixed workload independent of this
/// project's code (the same as the engine bench's).
fn calibration() -> Duration {
    let mut s: u64 = 0x2026_0630;
    let mut v: Vec<u64> = (0..1_000_000)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
        .collect();
    let t = Instant::now();
    v.sort_unstable();
    let d = t.elapsed();
    black_box(v);
    d
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The street and the district with the most committees (ties by id).
fn biggest(b: &Bundle) -> (String, String) {
    let street_of: HashMap<&str, &str> = b
        .communities
        .iter()
        .map(|c| (c.id.as_str(), c.street.as_str()))
        .collect();
    let district_of: HashMap<&str, &str> = b
        .streets
        .iter()
        .map(|s| (s.id.as_str(), s.district.as_str()))
        .collect();
    let mut per_street: HashMap<&str, usize> = HashMap::new();
    let mut per_district: HashMap<&str, usize> = HashMap::new();
    for k in &b.committees {
        if let Some(s) = street_of.get(k.community.as_str()) {
            *per_street.entry(s).or_default() += 1;
            if let Some(d) = district_of.get(s) {
                *per_district.entry(d).or_default() += 1;
            }
        }
    }
    let pick = |m: &HashMap<&str, usize>| {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(id, _)| id.to_string())
            .unwrap_or_default()
    };
    (pick(&per_street), pick(&per_district))
}

fn main() {
    let mut scale = Scale::Shanghai;
    let mut reps = 7usize;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => {
                scale = match args.next().as_deref() {
                    Some("district") => Scale::District,
                    _ => Scale::Shanghai,
                }
            }
            "--only" => only = args.next(),
            "--reps" => reps = args.next().and_then(|r| r.parse().ok()).unwrap_or(7).max(1),
            _ => {}
        }
    }
    let as_of = Date::from_ymd_opt(2026, 6, 30).expect("date");
    eprintln!("generating the {scale:?} network …");
    let bundle = generate(scale, 1);
    let (street, district) = biggest(&bundle);
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
            Box::new(|| {
                engine.clear_allocation_cache();
                black_box(engine.trend(&district, from, as_of).expect("trend"));
            }),
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
            Box::new(|| {
                engine.clear_allocation_cache();
                black_box(engine.trend(&street, from, as_of).expect("trend"));
            }),
        ),
        (
            "trend, 12 months, cold",
            "city".into(),
            None,
            Box::new(|| {
                engine.clear_allocation_cache();
                black_box(engine.trend("city", from, as_of).expect("trend"));
            }),
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
