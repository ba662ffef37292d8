//! DOT of the three views: snapshots on a small network, escaping, masking, aggregation.

mod common;

use common::{as_of, big_district, dot_of, small_network};
use dangjian_engine::Engine;
use dangjian_visualizations::{
    DiagramOptions, View, VizError, build_dot, build_dot_from_docs, empty_gaps,
};
use expect_test::expect_file;

fn diagram(engine: &Engine, view: View, scope: &str) -> dangjian_visualizations::Diagram {
    dot_of(engine, view, scope).expect("diagram builds")
}

fn parses(dot: &str) {
    graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("DOT does not parse: {e}\n{dot}"));
}

/// The view of `scope` in the small network: it parses, and is the snapshot `file`.
fn snapshot(view: View, scope: &str, file: &str) -> dangjian_visualizations::Diagram {
    let engine = Engine::new(small_network());
    let d = diagram(&engine, view, scope);
    parses(&d.dot);
    expect_file![format!("snapshots/{file}")].assert_eq(&d.dot);
    d
}

#[test]
fn hierarchy_snapshot() {
    let d = snapshot(View::Hierarchy, "d1", "hierarchy_d1.dot");
    assert!(!d.aggregated);
    assert_eq!(d.title, "静安区 · 组织架构图 · 截至 2025-06-30");
}

#[test]
fn partnerships_snapshot() {
    snapshot(View::Partnerships, "s1", "partnerships_s1.dot");
}

#[test]
fn gaps_snapshot() {
    snapshot(View::Gaps, "d1", "gaps_d1.dot");
}

#[test]
fn every_view_sets_the_font_title_and_legend() {
    let engine = Engine::new(small_network());
    for view in View::ALL {
        let d = diagram(&engine, view, "s1");
        for kind in ["graph", "node", "edge"] {
            assert!(
                d.dot
                    .contains(&format!("{kind}[fontname=\"WenQuanYi Zen Hei\"")),
                "{view:?}: no fontname on {kind}"
            );
        }
        for (needle, what) in [
            ("labelloc=\"t\"", "title on top"),
            ("石门二路街道 · ", "title names the scope"),
            ("截至 2025-06-30", "title names the date"),
            ("<b>图例</b>", "legend"),
            ("subgraph \"cluster_s1\"", "street cluster"),
            ("subgraph \"cluster_cm1\"", "community cluster"),
        ] {
            assert!(d.dot.contains(needle), "{view:?}: {what}");
        }
    }
}

#[test]
fn hierarchy_names_each_leading_org_with_level_and_secretary() {
    let engine = Engine::new(small_network());
    let d = diagram(&engine, View::Hierarchy, "s1");
    assert!(d.dot.contains("石门二路街道党工委（党工委）· 书记 王建国"));
    assert!(d.dot.contains("恒丰社区党总支（党总支）· 书记 张伟"));
    assert!(d.dot.contains("新福康里居民区党支部（党支部）· 书记 陈静"));
    // c4 has no party org: said so and outlined in red.
    assert!(d.dot.contains("裕华居委会\\n未设党组织"));
}

#[test]
fn custom_font_is_used_everywhere() {
    let engine = Engine::new(small_network());
    let mut opts = DiagramOptions::new(View::Gaps, "s1", as_of());
    opts.font = "Noto Sans CJK SC".into();
    let d = build_dot(&engine, &opts).expect("builds");
    assert_eq!(d.dot.matches("fontname=\"Noto Sans CJK SC\"").count(), 3);
    assert!(!d.dot.contains("WenQuanYi"));
}

#[test]
fn quotes_and_backslashes_in_names_survive_a_round_trip() {
    let engine = Engine::new(small_network());
    let d = diagram(&engine, View::Partnerships, "s1");
    assert!(d.dot.contains(r#"\"红星\"科技\\有限公司"#), "{}", d.dot);
    let g = graphviz_rust::parse(&d.dot).expect("parses");
    let printed = graphviz_rust::print(g, &mut Default::default());
    assert!(printed.contains(r#"\"红星\"科技\\有限公司"#));
}

#[test]
fn partnerships_draw_members_as_counts_per_employer_and_committee() {
    let engine = Engine::new(small_network());
    let d = diagram(&engine, View::Partnerships, "s1");
    // u1's two members are registered at c1; m1 also volunteered 6 h at c2.
    assert!(d.dot.contains(r#""u1" -> "c1""#));
    assert!(d.dot.contains("报到 2 人"));
    assert!(d.dot.contains("志愿 1 人 · 6 小时"));
    // Only the volunteering within a year of as_of counts: 4.5 h, not 14.5.
    assert!(d.dot.contains("志愿 1 人 · 4.5 小时"));
    // The expired partnership p3 is not drawn; u3 is drawn as unpaired.
    assert!(d.dot.contains("市西中学\\n学校 · 教育\\n未结对共建"));
    // Partnership to a community ends at its cluster.
    assert!(d.dot.contains("lhead=\"cluster_cm1\""));
    // No member names, ever.
    for name in ["周一", "吴二", "郑三", "孙四", "钱五"] {
        assert!(!d.dot.contains(name), "member name {name} leaked");
    }
}

#[test]
fn gaps_name_flags_tables_and_sole_partners() {
    let engine = Engine::new(small_network());
    let gaps = engine.gaps("s1", as_of()).expect("gaps");
    let d = diagram(&engine, View::Gaps, "s1");
    assert!(d.dot.contains("空白点：无党组织"), "c4's flags are named");
    assert!(d.dot.contains("需求满足情况（按领域）"));
    assert!(d.dot.contains("无资源可达的需求"));
    assert!(d.dot.contains("悬浮资源"));
    for n in &gaps.unreachable_needs {
        assert!(
            d.dot.contains(&format!("<td align=\"left\">{n}</td>")),
            "need {n} listed"
        );
    }
    for s in &gaps.sole_partner_units {
        assert!(
            d.dot.contains(&format!("\"{}\" -> ", s.unit)),
            "sole partner {} drawn",
            s.unit
        );
        assert!(d.dot.contains("唯一共建单位（"));
    }
    assert!(
        !gaps.sole_partner_units.is_empty(),
        "fixture has a sole partner"
    );
}

#[test]
fn masking_reduces_secretaries_to_surnames() {
    let engine = Engine::new(small_network());
    for view in View::ALL {
        let mut opts = DiagramOptions::new(view, "d1", as_of());
        opts.mask_personal = true;
        let d = build_dot(&engine, &opts).expect("builds");
        for secret in ["王建国", "李红", "张伟", "陈静", "周一", "吴二", "郑三"] {
            assert!(!d.dot.contains(secret), "{view:?}: {secret} not masked");
        }
        assert!(d.dot.contains("书记 王*"), "{view:?}");
    }
}

#[test]
fn committee_scope_keeps_its_street_and_community_as_context() {
    let engine = Engine::new(small_network());
    let d = diagram(&engine, View::Partnerships, "c3");
    parses(&d.dot);
    assert!(d.title.starts_with("恒丰居委会 · 共建关系图"));
    assert!(d.dot.contains("subgraph \"cluster_cm2\""));
    assert!(!d.dot.contains("\"c1\""), "other committees are not drawn");
    assert!(d.dot.contains("\"u2\" -> \"c3\""));
}

#[test]
fn output_is_deterministic() {
    let a = diagram(&Engine::new(small_network()), View::Partnerships, "d1");
    let b = diagram(&Engine::new(small_network()), View::Partnerships, "d1");
    assert_eq!(a, b);
}

#[test]
fn unknown_scope_is_an_engine_error() {
    let engine = Engine::new(small_network());
    let err = dot_of(&engine, View::Hierarchy, "nowhere").expect_err("unknown scope");
    assert!(matches!(err, VizError::Engine(_)), "{err:?}");
}

#[test]
fn documents_for_another_scope_are_rejected() {
    let engine = Engine::new(small_network());
    let cov = engine.coverage("s1", as_of()).expect("coverage");
    let err = build_dot_from_docs(
        engine.bundle(),
        &cov,
        &empty_gaps("s1", as_of()),
        &DiagramOptions::new(View::Hierarchy, "d1", as_of()),
    )
    .expect_err("mismatch");
    assert!(matches!(err, VizError::DocumentMismatch { .. }));
}

#[test]
fn a_district_of_300_committees_aggregates_the_partnerships_view() {
    // 10 streets × 6 communities × 5 committees, 40 units per street.
    let engine = Engine::new(big_district(10, 6, 5, 40));
    let d = diagram(&engine, View::Partnerships, "d");
    assert!(d.aggregated);
    assert!(d.nodes <= 500, "{} nodes", d.nodes);
    assert!(d.title.contains("（已聚合："), "{}", d.title);
    assert!(
        d.dot.contains("驻区单位 · 企业"),
        "units counted per category"
    );
    assert!(
        d.dot.contains("居委会 5 个"),
        "committees counted per community"
    );
    parses(&d.dot);
    // The hierarchy alone fits the budget and is drawn in full.
    let h = diagram(&engine, View::Hierarchy, "d");
    assert!(!h.aggregated);
    assert_eq!(h.nodes, 300 + 1, "300 committees and the legend");
    // A tiny budget keeps aggregating, up to one node per district.
    let mut opts = DiagramOptions::new(View::Gaps, "d", as_of());
    opts.node_budget = 5;
    let g = build_dot(&engine, &opts).expect("builds");
    assert!(g.aggregated);
    assert!(g.title.contains("居委会按区计数"), "{}", g.title);
}

/// The street of a generated district with the most committees, and the network.
fn generated_street() -> (Engine, String) {
    let bundle = dangjian_synth::generate(dangjian_synth::Scale::District, 7);
    let engine = Engine::new(bundle);
    let cov = engine.coverage("city", as_of()).expect("coverage");
    let mut per_street: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &cov.committees {
        *per_street.entry(c.street.as_str()).or_default() += 1;
    }
    let (street, _) = per_street
        .iter()
        .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
        .expect("a street");
    let street = street.to_string();
    (engine, street)
}

#[test]
fn a_street_whose_members_work_all_over_the_district_draws_its_committees() {
    let (engine, street) = generated_street();
    let b = engine.bundle();
    let cov = engine.coverage(&street, as_of()).expect("coverage");
    let committees: Vec<&str> = cov.committees.iter().map(|c| c.id.as_str()).collect();
    assert!(
        (25..=40).contains(&committees.len()),
        "a street of about 30 committees ({})",
        committees.len()
    );
    // The premise: the members registered here work for units of many other streets.
    let unit_street: std::collections::HashMap<&str, &str> = b
        .units
        .iter()
        .map(|u| (u.id.as_str(), u.street.as_str()))
        .collect();
    let outside: std::collections::BTreeSet<&str> = b
        .members
        .iter()
        .filter(|m| {
            m.registered_at
                .as_deref()
                .is_some_and(|r| committees.contains(&r))
        })
        .filter_map(|m| m.employer.as_deref())
        .filter(|e| unit_street.get(e).is_some_and(|s| *s != street))
        .collect();
    let other_streets: std::collections::BTreeSet<&str> = outside
        .iter()
        .filter_map(|e| unit_street.get(e).copied())
        .collect();
    assert!(
        outside.len() > 50 && other_streets.len() >= 5,
        "{} outside employers in {} other streets",
        outside.len(),
        other_streets.len()
    );

    let d = diagram(&engine, View::Partnerships, &street);
    parses(&d.dot);
    assert!(!d.committees_aggregated, "{}", d.title);
    assert!(d.nodes <= 500, "{} nodes", d.nodes);
    assert!(d.edges <= 300, "{} edges", d.edges);
    for c in &committees {
        assert!(
            d.dot.contains(&format!("\n      \"{c}\"[")),
            "committee {c} drawn"
        );
    }
    assert!(!d.title.contains("居委会按"), "{}", d.title);
    if d.aggregated {
        assert!(d.title.contains("居委会逐个绘制"), "{}", d.title);
    }
    // Nothing from outside the street is drawn on its own: outside employers are counted.
    for e in &outside {
        assert!(
            !d.dot.contains(&format!("\"{e}\"")),
            "outside employer {e} drawn"
        );
    }
    // dot lays it out (no "trouble in init_rank" from edges into their own cluster).
    let svg = dangjian_visualizations::render(
        &d.dot,
        dangjian_visualizations::Format::Svg,
        std::time::Duration::from_secs(60),
    )
    .expect("renders");
    let svg = String::from_utf8(svg).expect("UTF-8");
    for c in &cov.committees {
        assert!(
            svg.contains(&format!(">{}</text>", c.name)),
            "{} in the SVG",
            c.name
        );
    }
}

#[test]
fn outside_employers_are_counted_per_category_before_anything_else() {
    let (engine, street) = generated_street();
    let b = engine.bundle();
    // With room for every edge, the first step is counting outside units per category; the
    // units of the street itself stay nodes.
    let mut opts = DiagramOptions::new(View::Partnerships, street.as_str(), as_of());
    opts.edge_budget = usize::MAX;
    let full = {
        let mut o = opts.clone();
        o.node_budget = usize::MAX;
        build_dot(&engine, &o).expect("builds")
    };
    assert!(!full.aggregated);
    opts.node_budget = full.nodes - 1;
    let d = build_dot(&engine, &opts).expect("builds");
    assert!(d.aggregated && !d.committees_aggregated, "{}", d.title);
    assert!(
        d.title
            .contains("（已聚合：外街道单位和社会组织按类别计数，居委会逐个绘制）"),
        "{}",
        d.title
    );
    assert!(
        d.dot.contains("外街道单位 · 企业"),
        "outside enterprises counted"
    );
    let own: Vec<&str> = b
        .units
        .iter()
        .filter(|u| u.street == street && full.dot.contains(&format!("\"{}\"[", u.id)))
        .map(|u| u.id.as_str())
        .collect();
    assert!(!own.is_empty(), "the street's own units are drawn");
    for u in own {
        assert!(
            d.dot.contains(&format!("\"{u}\"[")),
            "own unit {u} still drawn"
        );
    }
    assert!(d.nodes < full.nodes);
}
