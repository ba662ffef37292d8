//! Times building and rendering each view on a generated Shanghai-scale network (a benchmark,
//! not a test): `cargo run --release -p dangjian-visualizations --example render_timings`.

use dangjian_engine::Engine;
use dangjian_model::Date;
use dangjian_synth::{Scale, generate};
use dangjian_visualizations::{DiagramOptions, Format, View, build_dot, render};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let bundle = generate(Scale::Shanghai, 1);
    let engine = Engine::new(bundle);
    eprintln!("network built in {:?}", t.elapsed());
    let as_of = Date::from_ymd_opt(2025, 6, 30).ok_or("date")?;
    let street = engine
        .bundle()
        .streets
        .first()
        .ok_or("no street")?
        .id
        .clone();
    let district = engine
        .bundle()
        .districts
        .first()
        .ok_or("no district")?
        .id
        .clone();
    // DUMP_DIR=/tmp/x writes each DOT there, to try `dot` flags by hand.
    let dump = std::env::var("DUMP_DIR").ok();
    // EDGE_BUDGET=n overrides the default edge budget, to compare.
    let edge_budget = std::env::var("EDGE_BUDGET")
        .ok()
        .and_then(|s| s.parse().ok());
    // ONLY=street (or district, city) times one scope.
    let only = std::env::var("ONLY").ok();
    println!(
        "| scope | view | nodes | edges | aggregated (committees) | build | render SVG | render PNG | PNG size |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (label, scope) in [
        ("street", street),
        ("district", district),
        ("city", "city".into()),
    ] {
        if only.as_deref().is_some_and(|o| o != label) {
            continue;
        }
        for view in View::ALL {
            let t = Instant::now();
            let mut opts = DiagramOptions::new(view, scope.as_str(), as_of);
            if let Some(n) = edge_budget {
                opts.edge_budget = n;
            }
            let d = build_dot(&engine, &opts)?;
            let build = t.elapsed();
            if let Some(dir) = &dump {
                std::fs::write(format!("{dir}/{label}_{}.dot", view.as_str()), &d.dot)?;
            }
            let t = Instant::now();
            render(&d.dot, Format::Svg, Duration::from_secs(120))?;
            let svg = t.elapsed();
            let t = Instant::now();
            let bytes = render(&d.dot, Format::Png, Duration::from_secs(120))?;
            let png = t.elapsed();
            // Width and height from the IHDR chunk.
            let dim = |at: usize| {
                bytes
                    .get(at..at + 4)
                    .and_then(|b| <[u8; 4]>::try_from(b).ok())
                    .map_or(0, u32::from_be_bytes)
            };
            println!(
                "| {label} | {} | {} | {} | {} ({}) | {:.2} s | {:.2} s | {:.2} s | {}×{} |",
                view.as_str(),
                d.nodes,
                d.edges,
                d.aggregated,
                d.committees_aggregated,
                build.as_secs_f64(),
                svg.as_secs_f64(),
                png.as_secs_f64(),
                dim(16),
                dim(20)
            );
        }
    }
    Ok(())
}
