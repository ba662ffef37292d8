//! Positions computed by the service for the interactive network (`GraphIndex::place`): the
//! same on every date, finite, never two nodes on one point, organisations outside the
//! hierarchy's boxes and near the places they serve — on a generated district-scale network.

use dangjian_model::{Bundle, Date};
use dangjian_visualizations::graph::{GraphDoc, GraphIndex, GraphOptions, NodeKind};
use std::collections::{HashMap, HashSet};

fn date(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// The generated district (seed 7) and its street with the most committees.
fn network() -> (Bundle, String, String) {
    let b = dangjian_synth::generate(dangjian_synth::Scale::District, 7);
    let street = dangjian_synth::bench::biggest_areas(&b)
        .expect("a street")
        .street;
    let district = b
        .streets
        .iter()
        .find(|s| s.id == street)
        .expect("the street")
        .district
        .to_string();
    (b, street, district)
}

fn placed(ix: &GraphIndex, b: &Bundle, opts: &GraphOptions) -> GraphDoc {
    let mut doc = ix.graph(b, opts).expect("graph");
    ix.place(b, &mut doc).expect("positions");
    doc
}

/// The positions (from `pts`) of the nodes of one kind.
fn points_of(doc: &GraphDoc, pts: &HashMap<String, (f64, f64)>, kind: NodeKind) -> Vec<(f64, f64)> {
    doc.nodes
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| pts[&n.id])
        .collect()
}

fn points(doc: &GraphDoc) -> HashMap<String, (f64, f64)> {
    doc.nodes
        .iter()
        .map(|n| {
            let (x, y) = (n.x.expect("x"), n.y.expect("y"));
            assert!(x.is_finite() && y.is_finite(), "{}: ({x}, {y})", n.id);
            (n.id.clone(), (x, y))
        })
        .collect()
}

/// Every node has a finite position and no two share a point.
fn check_distinct(doc: &GraphDoc) {
    let pts = points(doc);
    assert_eq!(pts.len(), doc.nodes.len());
    let mut seen: HashMap<(i64, i64), &str> = HashMap::new();
    for (id, (x, y)) in &pts {
        if let Some(other) = seen.insert((*x as i64, *y as i64), id) {
            panic!("{id} and {other} are both at ({x}, {y})");
        }
    }
}

#[test]
fn a_streets_positions_are_the_same_on_every_date_and_apart() {
    let (b, street, _) = network();
    let ix = GraphIndex::new(&b);
    let early = placed(
        &ix,
        &b,
        &GraphOptions::new(street.clone(), date("2024-06-30")),
    );
    let late = placed(
        &ix,
        &b,
        &GraphOptions::new(street.clone(), date("2025-06-30")),
    );
    // The premise: the two dates draw different graphs.
    assert_ne!(early.edges, late.edges, "the dates differ");
    check_distinct(&early);
    check_distinct(&late);
    let (pe, pl) = (points(&early), points(&late));
    let mut common = 0;
    for (id, p) in &pe {
        if let Some(q) = pl.get(id) {
            assert_eq!(p, q, "{id} moved between the dates");
            common += 1;
        }
    }
    assert!(common >= early.nodes.len() / 2, "{common} nodes in common");

    // A new index (a restarted service) gives the same positions.
    let again = placed(
        &GraphIndex::new(&b),
        &b,
        &GraphOptions::new(street.clone(), date("2025-06-30")),
    );
    assert_eq!(points(&again), pl);

    // Fewer kinds asked for: the nodes drawn are where they are with every kind.
    let mut opts = GraphOptions::new(street, date("2025-06-30"));
    opts.kinds = vec![dangjian_visualizations::graph::LinkKind::Partnership];
    let few = placed(&ix, &b, &opts);
    for (id, p) in points(&few) {
        assert_eq!(Some(&p), pl.get(&id), "{id}");
    }
}

#[test]
fn organisations_sit_outside_the_boxes_and_near_what_they_serve() {
    let (b, street, _) = network();
    let ix = GraphIndex::new(&b);
    let doc = placed(&ix, &b, &GraphOptions::new(street, date("2025-06-30")));
    let pts = points(&doc);
    let committees = points_of(&doc, &pts, NodeKind::Committee);
    assert!(committees.len() >= 20, "{} committees", committees.len());
    let (x0, x1) = committees
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = committees
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let orgs: Vec<&str> = doc
        .nodes
        .iter()
        .filter(|n| {
            matches!(
                n.kind,
                NodeKind::Unit | NodeKind::MassOrg | NodeKind::SocialOrg | NodeKind::UnitGroup
            )
        })
        .map(|n| n.id.as_str())
        .collect();
    assert!(orgs.len() > 50, "{} organisations", orgs.len());
    for id in &orgs {
        let (x, y) = pts[*id];
        assert!(
            x < x0 || x > x1 || y < y0 || y > y1,
            "{id} at ({x}, {y}) is among the committees ({x0}..{x1}, {y0}..{y1})"
        );
    }
    // A unit partnered with one committee only is nearer to it than to the average committee.
    let kinds: HashMap<&str, NodeKind> =
        doc.nodes.iter().map(|n| (n.id.as_str(), n.kind)).collect();
    let mut targets: HashMap<&str, HashSet<&str>> = HashMap::new();
    for e in &doc.edges {
        targets
            .entry(e.source.as_str())
            .or_default()
            .insert(e.target.as_str());
    }
    let dist = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
    let (mut near, mut far) = (0, 0);
    for (src, t) in &targets {
        if kinds.get(src) != Some(&NodeKind::Unit) || t.len() != 1 {
            continue;
        }
        let k = *t.iter().next().unwrap();
        if kinds.get(k) != Some(&NodeKind::Committee) {
            continue;
        }
        let own = dist(pts[*src], pts[k]);
        let mean =
            committees.iter().map(|c| dist(pts[*src], *c)).sum::<f64>() / committees.len() as f64;
        if own < mean {
            near += 1;
        } else {
            far += 1;
        }
    }
    assert!(near >= 10, "{near} units with one committee nearer to it");
    assert!(near >= 4 * far, "{near} near, {far} far");
}

#[test]
fn grouped_employers_and_a_folded_district_get_positions_too() {
    let (b, street, district) = network();
    let ix = GraphIndex::new(&b);
    let doc = placed(&ix, &b, &GraphOptions::new(street, date("2025-06-30")));
    let groups = doc
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::UnitGroup)
        .count();
    assert!(groups >= 1, "双报到 groups drawn");
    let folded = placed(&ix, &b, &GraphOptions::new(district, date("2025-06-30")));
    assert!(folded.aggregated);
    check_distinct(&folded);
    // The district is a box holding its streets: its centre lies inside their extent.
    let pts = points(&folded);
    let streets = points_of(&folded, &pts, NodeKind::Street);
    let d = folded
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::District)
        .expect("the district");
    let (dx, dy) = pts[&d.id];
    assert!(streets.iter().any(|s| s.0 <= dx) && streets.iter().any(|s| s.0 >= dx));
    assert!(streets.iter().any(|s| s.1 <= dy) && streets.iter().any(|s| s.1 >= dy));
    // Groups linked to every street are spread round the block (centred on the origin), not
    // piled on one side.
    let orgs: Vec<(f64, f64)> = folded
        .nodes
        .iter()
        .filter(|n| !matches!(n.kind, NodeKind::District | NodeKind::Street))
        .map(|n| pts[&n.id])
        .collect();
    assert!(orgs.len() >= 8, "{} groups", orgs.len());
    for (name, side) in [
        ("left", orgs.iter().filter(|p| p.0 < 0.0).count()),
        ("right", orgs.iter().filter(|p| p.0 > 0.0).count()),
        ("above", orgs.iter().filter(|p| p.1 < 0.0).count()),
        ("below", orgs.iter().filter(|p| p.1 > 0.0).count()),
    ] {
        assert!(side * 6 >= orgs.len(), "{side} of {} {name}", orgs.len());
    }
}
