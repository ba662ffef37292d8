//! The three views on the Shanghai sample network (`seed/shanghai-sample.json`): DOT snapshots
//! of one street, and every view of the whole city rendered by the real `dot`.

mod common;

use common::date;
use dangjian_engine::Engine;
use dangjian_model::Bundle;
use dangjian_visualizations::{DiagramOptions, Format, View, build_dot, render};
use expect_test::expect_file;
use std::time::Duration;

fn sample() -> Engine {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../seed/shanghai-sample.json");
    let text = std::fs::read_to_string(path).expect("seed/shanghai-sample.json is in the repo");
    let bundle: Bundle = serde_json::from_str(&text).expect("the sample is a bundle");
    Engine::new(bundle)
}

fn opts(view: View, scope: &str) -> DiagramOptions {
    DiagramOptions::new(view, scope, date("2025-06-30"))
}

#[test]
fn street_snapshots() {
    let engine = sample();
    for (view, file) in [
        (
            View::Hierarchy,
            expect_file!["snapshots/sample_S-JLT_hierarchy.dot"],
        ),
        (
            View::Partnerships,
            expect_file!["snapshots/sample_S-JLT_partnerships.dot"],
        ),
        (View::Gaps, expect_file!["snapshots/sample_S-JLT_gaps.dot"]),
    ] {
        let d = build_dot(&engine, &opts(view, "S-JLT")).expect("builds");
        assert!(!d.aggregated);
        assert!(d.title.starts_with("九里亭街道 · "), "{}", d.title);
        graphviz_rust::parse(&d.dot).expect("parses");
        file.assert_eq(&d.dot);
    }
}

#[test]
fn every_view_of_the_city_renders_with_every_committee_name() {
    let engine = sample();
    let names: Vec<String> = engine
        .bundle()
        .committees
        .iter()
        .map(|c| c.name.clone())
        .collect();
    for view in View::ALL {
        let d = build_dot(&engine, &opts(view, "city")).expect("builds");
        assert!(d.title.starts_with("全市 · "));
        let svg = render(&d.dot, Format::Svg, Duration::from_secs(60)).expect("renders");
        let text = String::from_utf8(svg).expect("UTF-8");
        for n in &names {
            assert!(
                text.contains(&format!(">{n}</text>")),
                "{view:?}: {n} missing"
            );
        }
    }
}

/// Width / height of a rendered SVG, from the svg root's `viewBox`.
fn svg_aspect(svg: &[u8]) -> f64 {
    let text = std::str::from_utf8(svg).expect("UTF-8");
    // dot's SVG carries a DOCTYPE.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).expect("SVG is XML");
    let vb: Vec<f64> = doc
        .root_element()
        .attribute("viewBox")
        .expect("viewBox on the svg root")
        .split_whitespace()
        .map(|v| v.parse().expect("a number"))
        .collect();
    assert_eq!(vb.len(), 4, "{vb:?}");
    vb[2] / vb[3]
}

#[test]
fn district_and_city_diagrams_are_neither_strips_nor_towers() {
    // Before committees and streets wrapped into grids, the sample's district hierarchy was
    // one row of twelve committees: 3,837 × 215 pt (17.8 : 1).
    let engine = sample();
    for (scope, view) in [
        ("D-SJ", View::Hierarchy),
        ("D-PT", View::Hierarchy),
        ("city", View::Hierarchy),
        ("S-JLT", View::Hierarchy),
        ("D-SJ", View::Gaps),
        ("city", View::Gaps),
    ] {
        let d = build_dot(&engine, &opts(view, scope)).expect("builds");
        let svg = render(&d.dot, Format::Svg, Duration::from_secs(60)).expect("renders");
        let r = svg_aspect(&svg);
        assert!(
            (1.0 / 3.0..=3.0).contains(&r),
            "{scope} {view:?}: width / height {r:.2}"
        );
    }
}
