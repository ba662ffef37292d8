//! Incremental application of writes against the whole rebuild it replaces, on the real
//! generator's network (`dangjian_synth::generate`): a one-row write of each table the API
//! writes, a batch of 10,000 volunteering rows and a run of sequential one-row writes, each
//! applied with `Engine::with_rows` (copy-on-write clone + located merge + index update) and
//! through the whole write path (located validation, merge, index update, with its parts),
//! timed against the first write path's deep bundle copy + merge + `Engine::new`, in the same
//! process.
//!
//! `cargo bench -p dangjian-engine --bench incremental -- [--scale shanghai|district]
//! [--seed N] [--reps N]`
//!
//! Prints a Markdown table: median and minimum of the reps, the rebuild's median ÷ the row's
//! median, and a calibration workload's median (sorting a million integers) measured
//! interleaved, so a noisy machine shows up in both. Freeing the previous version is not
//! timed: an engine frees a large network on a thread of its own.

use dangjian_engine::Engine;
use dangjian_model::{
    Bundle, Date, Member, Need, Partnership, Resource, Table, Volunteering, validate,
};
use dangjian_synth::bench::{Options, calibration, median};
use dangjian_synth::generate;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A copy of every row of a bundle (what cloning a bundle cost before copy-on-write tables).
fn deep_copy(b: &Bundle) -> Bundle {
    macro_rules! copy {
        ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
            Bundle { $($t: Table::from(b.$t.to_vec()),)* }
        };
    }
    dangjian_model::for_each_table!(copy)
}

struct Row {
    name: String,
    median: Duration,
    min: Duration,
    calib: Duration,
}

fn measure(name: &str, reps: usize, mut f: impl FnMut() -> Duration) -> Row {
    let mut times = Vec::with_capacity(reps);
    let mut calib = Vec::with_capacity(reps);
    for _ in 0..reps {
        calib.push(calibration());
        times.push(f());
    }
    let row = Row {
        name: name.to_string(),
        min: times.iter().copied().min().unwrap_or_default(),
        median: median(times),
        calib: median(calib),
    };
    eprintln!("  {name}: median {:.1?}", row.median);
    row
}

/// Times `f`; what it returns is freed afterwards, untimed.
fn timed_then_freed<T>(f: impl FnOnce() -> T) -> Duration {
    let t = Instant::now();
    let out = black_box(f());
    let d = t.elapsed();
    drop(out);
    d
}

/// Times `f`; what it returns is freed afterwards on a thread, untimed, as an engine frees
/// its network.
fn timed_then_freed_on_a_thread<T: Send + 'static>(f: impl FnOnce() -> T) -> Duration {
    let t = Instant::now();
    let out = black_box(f());
    let d = t.elapsed();
    std::thread::spawn(move || drop(out));
    d
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// A partial bundle holding what `put` adds.
fn partial(put: impl FnOnce(&mut Bundle)) -> Bundle {
    let mut p = Bundle::default();
    put(&mut p);
    p
}

/// One-row writes of each table the API writes, built from existing rows.
fn one_row_writes(b: &Bundle, serial: u32) -> Vec<(&'static str, Bundle)> {
    let date: Date = "2026-06-01".parse().expect("date");
    let k = &b.committees[b.committees.len() / 2];
    let m = &b.members[b.members.len() / 3];
    let mut need = b.needs[b.needs.len() / 2].clone();
    need.demand += 1;
    let mut res: Resource = b.resources[b.resources.len() / 2].clone();
    res.capacity += 1;
    let mut member: Member = m.clone();
    member.registered_at = Some(k.id.clone());
    let existing: &Partnership = &b.partnerships[b.partnerships.len() / 2];
    let mut q = b.responsibilities[0].clone();
    q.item = format!("{} ({serial})", q.item);
    vec![
        (
            "volunteering, 1 new row",
            partial(|p| {
                p.volunteering.push(Volunteering {
                    member: m.id.clone(),
                    committee: k.id.clone(),
                    domain: b.needs[0].domain,
                    hours: 2.5 + serial as f64,
                    date,
                })
            }),
        ),
        (
            "needs, 1 new row",
            partial(|p| {
                p.needs.push(Need {
                    id: format!("BENCH-N{serial}").into(),
                    committee: k.id.clone(),
                    domain: b.needs[0].domain,
                    demand: 5,
                })
            }),
        ),
        ("needs, 1 row updated", partial(|p| p.needs.push(need))),
        (
            "resources, 1 row updated",
            partial(|p| p.resources.push(res)),
        ),
        (
            "members, 1 row updated",
            partial(|p| p.members.push(member)),
        ),
        (
            "partnerships, 1 new row",
            partial(|p| {
                p.partnerships.push(Partnership {
                    id: format!("BENCH-P{serial}").into(),
                    unit: existing.unit.clone(),
                    target: k.id.clone(),
                    signed: date,
                    expires: None,
                })
            }),
        ),
        (
            "responsibilities, 1 row updated",
            partial(|p| p.responsibilities.push(q)),
        ),
    ]
}

fn run() -> Result<(), String> {
    let o = Options::from_env()?;
    eprintln!("generating the {:?} network (seed {}) …", o.scale, o.seed);
    let bundle = generate(o.scale, o.seed);
    let rows = bundle.row_count();
    eprintln!("{rows} rows");
    let as_of = o.as_of;
    let reps = o.reps;
    let few = reps.clamp(1, 3);
    let engine = Engine::new(bundle.clone());
    // A warm allocation cache, as in a running service.
    engine
        .gaps("city", as_of)
        .map_err(|e| format!("engine: {e}"))?;

    let mut table = Vec::new();
    let write = &one_row_writes(&bundle, 0)[0].1;
    // What the first write path did before building the next engine.
    let copy_and_merge = || {
        let mut b = deep_copy(engine.bundle());
        b.merge(write.clone());
        b
    };
    let rebuild = measure(
        "whole rebuild: bundle copy + merge + Engine::new (baseline)",
        few,
        || timed_then_freed(|| Engine::new(copy_and_merge())),
    );
    let base = rebuild.median;
    table.push(rebuild);
    table.push(measure(
        "before copy-on-write: deep bundle copy + scanning merge (volunteering, 1 row)",
        few,
        || timed_then_freed_on_a_thread(copy_and_merge),
    ));
    for (name, partial) in one_row_writes(&bundle, 1) {
        table.push(measure(
            &format!(
                "write path (located validation + clone + located merge + index update): {name}"
            ),
            reps,
            || {
                timed_then_freed_on_a_thread(|| {
                    validate::validate_upsert_located(engine.bundle(), &partial, &engine)
                        .expect("valid");
                    let mut b = engine.bundle().clone();
                    b.merge_located(partial.clone(), &engine);
                    engine.with_merged(b, &partial)
                })
            },
        ));
        table.push(measure(
            &format!("  of which: located validation: {name}"),
            reps,
            || {
                let t = Instant::now();
                black_box(validate::validate_upsert_located(
                    engine.bundle(),
                    &partial,
                    &engine,
                ))
                .expect("valid");
                t.elapsed()
            },
        ));
        table.push(measure(
            &format!("  before: validation by scan (`validate_upsert`): {name}"),
            few,
            || {
                let t = Instant::now();
                black_box(validate::validate_upsert(engine.bundle(), &partial)).expect("valid");
                t.elapsed()
            },
        ));
        table.push(measure(
            &format!("  of which: clone + located merge (copies the written table): {name}"),
            reps,
            || {
                timed_then_freed_on_a_thread(|| {
                    let mut b = engine.bundle().clone();
                    b.merge_located(partial.clone(), &engine);
                    b
                })
            },
        ));
        table.push(measure(&format!("incremental: {name}"), reps, || {
            timed_then_freed(|| engine.with_rows(&partial))
        }));
        table.push(measure(
            &format!("incremental, index update alone: {name}"),
            reps,
            || {
                let mut b = engine.bundle().clone();
                b.merge(partial.clone());
                timed_then_freed(|| engine.with_merged(b, &partial))
            },
        ));
    }
    // The live write path's steady state: the written table is the spare kept from the
    // table's previous write (owned by the writer once no version holds it), brought up to
    // date by that write's delta, so it is not copied.
    for (k, (name, first)) in one_row_writes(&bundle, 3).into_iter().enumerate() {
        let second = one_row_writes(&bundle, 4).swap_remove(k).1;
        table.push(measure(
            &format!("write in place (spare caught up + located merge + index update): {name}"),
            few,
            || {
                let before = deep_copy(engine.bundle());
                let mut b1 = engine.bundle().clone();
                let delta = b1.merge_located(first.clone(), &engine);
                let current = engine.with_merged(b1, &first);
                let (mut spares, mut deltas) = (Bundle::default(), Default::default());
                Bundle::keep_spares(&mut spares, &mut deltas, &before, delta);
                drop(before);
                let t = Instant::now();
                let (mut b2, taken) =
                    Bundle::from_spares(current.bundle(), &mut spares, &deltas, &second);
                assert_eq!(taken, 1);
                b2.merge_located(second.clone(), &current);
                let next = black_box(current.with_merged(b2, &second));
                let d = t.elapsed();
                std::thread::spawn(move || drop((next, current, spares)));
                d
            },
        ));
    }
    // A month of volunteering from a spreadsheet.
    let date: Date = "2026-05-01".parse().map_err(|e| format!("date: {e}"))?;
    let batch = Bundle {
        volunteering: (0..10_000usize)
            .map(|i| Volunteering {
                member: bundle.members[(i * 37) % bundle.members.len()].id.clone(),
                committee: bundle.committees[(i * 11) % bundle.committees.len()]
                    .id
                    .clone(),
                domain: bundle.needs[i % bundle.needs.len()].domain,
                hours: 1.0 + (i % 8) as f64 / 2.0,
                date: date + chrono::Days::new((i % 30) as u64),
            })
            .collect(),
        ..Bundle::default()
    };
    table.push(measure(
        "incremental: volunteering, batch of 10,000 rows",
        few,
        || timed_then_freed(|| engine.with_rows(&batch)),
    ));
    // Sequential one-row writes, each on the version the previous one made.
    let n = 20;
    let seq = measure(
        &format!("incremental: {n} sequential one-row writes (volunteering), per write"),
        few,
        || {
            let t = Instant::now();
            let mut e = Engine::new(Bundle::default());
            for i in 0..n {
                let mut w = one_row_writes(&bundle, i).swap_remove(0).1;
                w.volunteering[0].hours = 100.0 + i as f64;
                let from = if i == 0 { &engine } else { &e };
                e = from.with_rows(&w);
            }
            black_box(e);
            // Excludes nothing: the clone of the first version is inside the first write.
            t.elapsed() / n
        },
    );
    table.push(seq);
    // What the next read pays: the gaps of a street after a need write recompute only that
    // need's domain; the other domains' allocations are carried over.
    let street = bundle.streets[0].id.clone();
    let need_write = one_row_writes(&bundle, 2).swap_remove(1).1;
    table.push(measure(
        "gaps of a street after a one-row need write (one domain recomputed)",
        few,
        || {
            let next = engine.with_rows(&need_write);
            let t = Instant::now();
            black_box(next.gaps(&street, as_of).is_ok());
            t.elapsed()
        },
    ));
    table.push(measure(
        "gaps of a street after a whole rebuild (every domain recomputed)",
        few,
        || {
            let next = Engine::new(engine.bundle().merged(&need_write));
            let t = Instant::now();
            black_box(next.gaps(&street, as_of).is_ok());
            t.elapsed()
        },
    ));

    println!(
        "\n{rows} rows ({:?}, seed {}), {reps} reps (3 for the slow rows)\n",
        o.scale, o.seed
    );
    println!("| write | median ms | min ms | rebuild ÷ this | calibration ms |");
    println!("|---|---:|---:|---:|---:|");
    for r in &table {
        println!(
            "| {} | {} | {} | {:.1} | {} |",
            r.name,
            ms(r.median),
            ms(r.min),
            base.as_secs_f64() / r.median.as_secs_f64().max(1e-9),
            ms(r.calib)
        );
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
