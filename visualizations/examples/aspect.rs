//! Sizes and aspect ratios of the sample network's diagrams, as `dot` draws them (a measurement,
//! not a test): `cargo run -p dangjian-visualizations --example aspect -- [OUT_DIR]` prints
//! one row per scope and view; with OUT_DIR, writes each DOT, SVG and PNG there to look at.

use dangjian_engine::Engine;
use dangjian_model::{Bundle, Date};
use dangjian_visualizations::{DiagramOptions, Format, View, build_dot, render};
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1);
    let scopes: Vec<String> = std::env::args().skip(2).collect();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../seed/shanghai-sample.json");
    let bundle: Bundle = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let engine = Engine::new(bundle);
    let as_of = Date::from_ymd_opt(2025, 6, 30).ok_or("date")?;
    let scopes = if scopes.is_empty() {
        ["S-JLT", "D-SJ", "D-PT", "city"].map(String::from).to_vec()
    } else {
        scopes
    };
    println!("| scope | view | SVG pt | ratio | PNG px |");
    println!("|---|---|---|---|---|");
    for scope in &scopes {
        for view in View::ALL {
            let d = build_dot(&engine, &DiagramOptions::new(view, scope.as_str(), as_of))?;
            let svg = render(&d.dot, Format::Svg, Duration::from_secs(60))?;
            let png = render(&d.dot, Format::Png, Duration::from_secs(60))?;
            let (w, h) = view_box(&String::from_utf8_lossy(&svg)).ok_or("no viewBox")?;
            let dim = |at: usize| {
                png.get(at..at + 4)
                    .and_then(|b| <[u8; 4]>::try_from(b).ok())
                    .map_or(0, u32::from_be_bytes)
            };
            println!(
                "| {scope} | {} | {w:.0}×{h:.0} | {:.2} | {}×{} |",
                view.as_str(),
                w / h,
                dim(16),
                dim(20)
            );
            if let Some(dir) = &out {
                let stem = format!("{dir}/{scope}_{}", view.as_str());
                std::fs::write(format!("{stem}.dot"), &d.dot)?;
                std::fs::write(format!("{stem}.svg"), &svg)?;
                std::fs::write(format!("{stem}.png"), &png)?;
            }
        }
    }
    Ok(())
}

/// Width and height from the svg root's `viewBox`.
fn view_box(svg: &str) -> Option<(f64, f64)> {
    let at = svg.find("viewBox=\"")? + 9;
    let rest = &svg[at..];
    let v: Vec<f64> = rest[..rest.find('"')?]
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    Some((*v.get(2)?, *v.get(3)?))
}
