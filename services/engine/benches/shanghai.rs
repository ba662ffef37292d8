//! Every in-engine figure of the speed targets on the real generator's Shanghai-scale network
//! (`dangjian_synth::generate(Scale::Shanghai, seed)`), each timed against a fixed calibration
//! workload run interleaved in the same process, so a noisy, shared machine shows up in both.
//!
//! `cargo bench -p dangjian-engine --bench shanghai -- [--scale shanghai|district] [--seed N]
//! [--reps N] [--as-of D]`
//!
//! Prints a Markdown table (median of the reps; the ratio to the calibration median; the target
//! and target ÷ measured, ≥ 1 when the target is met) and the scopes it chose. A benchmark, not
//! a test: `scripts/bench.sh` runs it and BENCHMARKS.md explains the columns.

use dangjian_engine::Engine;
use dangjian_model::{Bundle, PartyOrgLevel};
use dangjian_synth::bench::{Biggest, Options, biggest_areas, calibration, median, timed};
use dangjian_synth::generate;
use std::time::{Duration, Instant};

/// One row of the table.
struct Row {
    name: &'static str,
    scope: String,
    reps: usize,
    median: Duration,
    min: Duration,
    calib: Duration,
    target: Option<Duration>,
}

/// Times `f` `reps` times, each run preceded by one calibration run.
fn measure(
    name: &'static str,
    scope: &str,
    reps: usize,
    target: Option<Duration>,
    mut f: impl FnMut() -> Duration,
) -> Row {
    let mut times = Vec::with_capacity(reps);
    let mut calib = Vec::with_capacity(reps);
    for _ in 0..reps {
        calib.push(calibration());
        times.push(f());
    }
    let min = times.iter().copied().min().unwrap_or_default();
    let row = Row {
        name,
        scope: scope.to_string(),
        reps,
        median: median(times),
        min,
        calib: median(calib),
        target,
    };
    eprintln!("  {name} ({scope}): median {:.1?}", row.median);
    row
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

/// The street with the most committees, the district with the most, and the street's party org.
fn scopes(b: &Bundle) -> Result<(String, usize, String, usize, String), String> {
    let Biggest {
        street,
        street_committees: street_n,
        district,
        district_committees: district_n,
    } = biggest_areas(b).ok_or("no street with committees")?;
    let org = b
        .party_orgs
        .iter()
        .find(|o| o.leads == street && o.level == PartyOrgLevel::WorkingCommittee)
        .or_else(|| b.party_orgs.iter().find(|o| o.leads == street))
        .ok_or(format!("no party org leads {street}"))?
        .id
        .to_string();
    Ok((street, street_n, district, district_n, org))
}

fn run() -> Result<(), String> {
    let o = Options::from_env()?;
    let as_of = o.as_of;
    eprintln!("generating the {:?} network (seed {}) …", o.scale, o.seed);
    let t = Instant::now();
    let bundle = generate(o.scale, o.seed);
    let generated = t.elapsed();
    let rows = bundle.row_count();
    let (street, street_n, district, district_n, org) = scopes(&bundle)?;
    eprintln!("{rows} rows in {generated:.1?}; street {street}, district {district}, org {org}");

    let reps = o.reps;
    let few = reps.clamp(1, 3);
    let mut table = Vec::new();
    table.push(measure("Engine::new (build)", "city", few, None, || {
        let b = bundle.clone();
        timed(|| Engine::new(b))
    }));
    let engine = Engine::new(bundle);
    let e = &engine;
    let run_ok =
        |r: Result<(), dangjian_engine::EngineError>| r.map_err(|err| format!("engine: {err}"));
    // Fail early, with the message, if a scope is unknown.
    run_ok(e.coverage(&street, as_of).map(drop))?;
    run_ok(e.checklist(&org, true, as_of).map(drop))?;
    run_ok(e.brokers(&district, as_of, 20).map(drop))?;

    let target = |ms: u64| Some(Duration::from_millis(ms));
    table.push(measure("coverage", "city", reps, target(300), || {
        timed(|| e.coverage("city", as_of))
    }));
    table.push(measure("coverage", &street, reps * 3, None, || {
        timed(|| e.coverage(&street, as_of))
    }));
    // The fair allocation (SPEC §3 v2) against the plain max flow on the same networks, in
    // the same run: the ratio is the price of fairness. Max-flow time only for the baselines.
    let (plain, _) = e.bench_plain_max_flow(as_of, false);
    let (by_petgraph, _) = e.bench_plain_max_flow(as_of, true);
    if plain != by_petgraph {
        return Err(format!(
            "max flows differ: ours {plain:?}, petgraph {by_petgraph:?}"
        ));
    }
    let baseline = measure(
        "plain max flow, our Dinic (baseline)",
        "city",
        reps,
        None,
        || e.bench_plain_max_flow(as_of, false).1,
    );
    let baseline_ms = baseline.median;
    table.push(baseline);
    table.push(measure(
        "plain max flow, petgraph::algo::dinics",
        "city",
        1, // ~60× slower than ours: one run says enough
        None,
        || e.bench_plain_max_flow(as_of, true).1,
    ));
    let committee = e
        .scope_committees(&street)
        .map_err(|err| format!("engine: {err}"))?
        .first()
        .map(|k| k.id.clone())
        .ok_or("street without committees")?;
    let fair = measure(
        "fair allocation, computed (cache cleared) + gaps of one committee",
        "city",
        reps,
        target(1000),
        || {
            e.clear_allocation_cache();
            timed(|| e.gaps(&committee, as_of))
        },
    );
    let fair_ms = fair.median;
    table.push(fair);
    run_ok(e.gaps("city", as_of).map(drop))?; // fills the cache for what follows
    table.push(measure(
        "gaps (allocation cached)",
        "city",
        reps,
        target(2000),
        || timed(|| e.gaps("city", as_of)),
    ));
    table.push(measure(
        "gaps (allocation cached)",
        &street,
        reps * 3,
        target(5),
        || timed(|| e.gaps(&street, as_of)),
    ));
    table.push(measure(
        "gaps (allocation cached)",
        &committee,
        reps * 3,
        target(1),
        || timed(|| e.gaps(&committee, as_of)),
    ));
    eprintln!(
        "fair allocation ÷ plain max flow: {:.2}",
        fair_ms.as_secs_f64() / baseline_ms.as_secs_f64().max(1e-9)
    );
    table.push(measure(
        "candidate hop search (petgraph Bfs), every committee with an unmet need",
        "city",
        reps,
        None,
        || e.bench_candidate_search(as_of).1,
    ));
    table.push(measure(
        "checklist --subtree",
        &org,
        reps * 3,
        target(100),
        || timed(|| e.checklist(&org, true, as_of)),
    ));
    table.push(measure("brokers", &district, few, target(5000), || {
        timed(|| e.brokers(&district, as_of, 20))
    }));
    table.push(measure("areas", &district, few, None, || {
        timed(|| e.areas(&district, as_of))
    }));

    // Every street once (and every street's party org once), as the API's rotating load test
    // asks for them: the spread over streets, not just the one chosen above.
    let street_ids: Vec<&str> = e.bundle().streets.iter().map(|s| s.id.as_str()).collect();
    let street_orgs: Vec<&str> = e
        .bundle()
        .party_orgs
        .iter()
        .filter(|o| street_ids.contains(&o.leads.as_str()))
        .map(|o| o.id.as_str())
        .collect();
    type Op<'a> = Box<dyn Fn(&str) -> Duration + 'a>;
    let ops: [(&str, &[&str], Op); 4] = [
        (
            "coverage of each street",
            &street_ids,
            Box::new(|id| timed(|| e.coverage(id, as_of))),
        ),
        (
            "gaps of each street",
            &street_ids,
            Box::new(|id| timed(|| e.gaps(id, as_of))),
        ),
        (
            "checklist of each street's party org",
            &street_orgs,
            Box::new(|id| timed(|| e.checklist(id, false, as_of))),
        ),
        (
            "checklist --subtree of each street's party org",
            &street_orgs,
            Box::new(|id| timed(|| e.checklist(id, true, as_of))),
        ),
    ];
    let mut spread = Vec::new();
    for (label, ids, op) in ops {
        let mut each: Vec<(Duration, &str)> = ids.iter().map(|id| (op(id), *id)).collect();
        each.sort();
        let p90 = each
            .get(each.len() * 9 / 10)
            .map(|x| x.0)
            .unwrap_or_default();
        if let (Some(mid), Some(worst)) = (each.get(each.len() / 2), each.last()) {
            spread.push((label, each.len(), mid.0, p90, *worst));
        }
    }

    let calib = median(table.iter().map(|r| r.calib).collect());
    println!(
        "Network: {:?} scale, seed {}, {rows} rows (generated in {:.1} s); as_of {as_of}.",
        o.scale,
        o.seed,
        generated.as_secs_f64()
    );
    println!(
        "Street {street} ({street_n} committees, party org {org}); district {district} \
         ({district_n} committees). Calibration (sort 10⁶ u64): median {} ms.\n",
        ms(calib)
    );
    println!(
        "| figure | scope | runs | median ms | min ms | × calibration | target ms | target ÷ median |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for r in &table {
        let (t, headroom) = match r.target {
            Some(t) => (
                ms(t),
                format!(
                    "{:.1}{}",
                    t.as_secs_f64() / r.median.as_secs_f64().max(1e-9),
                    if r.median <= t { "" } else { " **missed**" }
                ),
            ),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {t} | {headroom} |",
            r.name,
            r.scope,
            r.reps,
            ms(r.median),
            ms(r.min),
            r.median.as_secs_f64() / r.calib.as_secs_f64().max(1e-9),
        );
    }
    println!(
        "\nFair allocation (computed, city) ÷ plain max flow (our Dinic, same networks, same run): \
         {:.2}.",
        fair_ms.as_secs_f64() / baseline_ms.as_secs_f64().max(1e-9)
    );
    println!("\n| each scope once | scopes | median ms | p90 ms | slowest ms | slowest |");
    println!("|---|---:|---:|---:|---:|---|");
    for (label, n, mid, p90, (worst, id)) in spread {
        println!(
            "| {label} | {n} | {} | {} | {} | {id} |",
            ms(mid),
            ms(p90),
            ms(worst)
        );
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shanghai bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
