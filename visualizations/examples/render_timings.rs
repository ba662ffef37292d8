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
    println!("| scope | view | nodes | aggregated | build | render SVG | render PNG |");
    println!("|---|---|---|---|---|---|---|");
    for (label, scope) in [
        ("street", street),
        ("district", district),
        ("city", "city".to_string()),
    ] {
        for view in View::ALL {
            let t = Instant::now();
            let d = build_dot(&engine, &DiagramOptions::new(view, scope.as_str(), as_of))?;
            let build = t.elapsed();
            let t = Instant::now();
            render(&d.dot, Format::Svg, Duration::from_secs(120))?;
            let svg = t.elapsed();
            let t = Instant::now();
            render(&d.dot, Format::Png, Duration::from_secs(120))?;
            let png = t.elapsed();
            println!(
                "| {label} | {} | {} | {} | {:.2} s | {:.2} s | {:.2} s |",
                view.as_str(),
                d.nodes,
                d.aggregated,
                build.as_secs_f64(),
                svg.as_secs_f64(),
                png.as_secs_f64()
            );
        }
    }
    Ok(())
}
