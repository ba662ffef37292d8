//! Renders the sample network's views to /tmp for a look: `cargo run -p dangjian-visualizations --example render_sample -- SCOPE VIEW OUT.png`.

use dangjian_engine::Engine;
use dangjian_model::{Bundle, Date};
use dangjian_visualizations::{DiagramOptions, Format, View, build_dot, render};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, scope, view, out] = args.as_slice() else {
        return Err("usage: render_sample SCOPE VIEW OUT.(png|svg|dot)".into());
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../seed/shanghai-sample.json");
    let bundle: Bundle = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let engine = Engine::new(bundle);
    let as_of = Date::from_ymd_opt(2025, 6, 30).ok_or("date")?;
    let view: View = view.parse()?;
    let t = Instant::now();
    let d = build_dot(&engine, &DiagramOptions::new(view, scope.as_str(), as_of))?;
    let format: Format = out.rsplit('.').next().unwrap_or("svg").parse()?;
    let bytes = render(&d.dot, format, Duration::from_secs(60))?;
    std::fs::write(out, bytes)?;
    eprintln!(
        "{} nodes, aggregated {}, {:?}",
        d.nodes,
        d.aggregated,
        t.elapsed()
    );
    Ok(())
}
