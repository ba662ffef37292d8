//! The fair allocation in diagrams, on the sample network (`seed/shanghai-sample.json`, as of
//! 2026-06-30): the gaps view never draws a committee with unmet demand as "no gap", and the
//! partnerships view draws who serves whom (provider → committee, amount) only when asked,
//! rendered by the real `dot`.

mod common;

use common::date;
use dangjian_engine::Engine;
use dangjian_model::Bundle;
use dangjian_visualizations::{DiagramOptions, Format, View, build_dot, render};
use std::time::Duration;

fn sample() -> Engine {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../seed/shanghai-sample.json");
    let text = std::fs::read_to_string(path).expect("seed/shanghai-sample.json is in the repo");
    let bundle: Bundle = serde_json::from_str(&text).expect("the sample is a bundle");
    Engine::new(bundle)
}

/// The DOT statement of node `id` (its first line).
fn node_line<'a>(dot: &'a str, id: &str) -> &'a str {
    let key = format!("\"{id}\"[");
    dot.lines()
        .find(|l| l.trim_start().starts_with(&key))
        .unwrap_or_else(|| panic!("node {id} in the DOT"))
}

#[test]
fn committees_with_unmet_demand_are_never_green() {
    let e = sample();
    let as_of = date("2026-06-30");
    let d = build_dot(&e, &DiagramOptions::new(View::Gaps, "S-JLT", as_of)).expect("builds");
    let gaps = e.gaps("S-JLT", as_of).expect("gaps");
    // 亭宜苑 (K-JLT-TY2) has no blank spot but 2.83 of 150 elderly care unmet: yellow.
    let ty2 = node_line(&d.dot, "K-JLT-TY2");
    assert!(ty2.contains("无空白点"), "{ty2}");
    assert!(ty2.contains("养老 2.83"), "{ty2}");
    assert!(ty2.contains("fillcolor=\"#fcf3cf\""), "{ty2}");
    for n in gaps.needs.iter().filter(|n| n.unmet > 0.0) {
        let line = node_line(&d.dot, &n.committee);
        assert!(
            !line.contains("fillcolor=\"#d5f5e3\""),
            "{} has unmet demand but is green: {line}",
            n.committee
        );
    }
}

#[test]
fn partnerships_view_draws_allocations_on_request() {
    let e = sample();
    let as_of = date("2026-06-30");
    let mut opts = DiagramOptions::new(View::Partnerships, "S-JLT", as_of);
    let plain = build_dot(&e, &opts).expect("builds");
    assert!(!plain.dot.contains("分配"));
    opts.allocations = true;
    let d = build_dot(&e, &opts).expect("builds");
    // R-011 (九亭乐龄养老服务社) gives 196.23 to 亭谊's N-001 in the fair allocation.
    let edge = d
        .dot
        .lines()
        .find(|l| l.contains("\"O-JLT-ELDER\" -> \"K-TINGYI\"") && l.contains("养老 分配 196.23"))
        .unwrap_or_else(|| panic!("allocation edge in:\n{}", d.dot));
    assert!(edge.contains("资源下沉"), "{edge}");
    let svg = render(&d.dot, Format::Svg, Duration::from_secs(60)).expect("dot renders it");
    assert!(String::from_utf8_lossy(&svg).contains("分配 196.23"));
}
