//! `GET /api/v1/graph` (JSON, GraphML, GEXF) and `GET /api/v1/trend` on the Shanghai sample:
//! the documents agree with coverage and gaps computed by the other endpoints, the XML parses,
//! and each output is redacted for coordinators and viewers (SPEC §6).

use crate::diagrams::{AS_OF, sample, spawn_sample};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub async fn text(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, String) {
    let res = app.get_response(&app.url(path), token).await;
    let (status, ct) = (res.status(), content_type(&res));
    (status, ct, res.text().await.expect("body"))
}

/// The content type and body of a GET of `path` as admin, asserting the answer is 200.
pub async fn admin_text(app: &TestApp, path: &str) -> (String, String) {
    let (status, ct, body) = text(app, path, &app.tokens.admin).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    (ct, body)
}

/// The graph document for `query` (scope and options) on [`AS_OF`], read as admin.
async fn graph(app: &TestApp, query: &str) -> Value {
    let path = format!("/api/v1/graph?{query}&as_of={AS_OF}");
    app.get_ok(&path, &app.tokens.admin).await
}

/// The items of a graph document's node or edge list of one kind.
fn of_kind<'a>(items: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    list(items).iter().filter(move |x| x["kind"] == kind)
}

/// The ids of the communities and committees of 九里亭 (S-JLT), read from the bundle.
fn jlt_inside(b: &dangjian_model::Bundle) -> HashSet<&str> {
    let communities: HashSet<&str> = b
        .communities
        .iter()
        .filter(|c| c.street == "S-JLT")
        .map(|c| c.id.as_str())
        .collect();
    b.committees
        .iter()
        .filter(|k| communities.contains(k.community.as_str()))
        .map(|k| k.id.as_str())
        .chain(communities.iter().copied())
        .collect()
}

/// The items of a JSON array.
fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).expect("a list")
}

/// The sum of `key` over `items`, each of which must have it (read with `get`).
fn total<'a, T: std::iter::Sum<T>>(
    items: impl IntoIterator<Item = &'a Value>,
    key: &str,
    get: fn(&Value) -> Option<T>,
) -> T {
    items
        .into_iter()
        .map(|v| get(&v[key]).unwrap_or_else(|| panic!("`{key}` in {v}")))
        .sum()
}

fn node_ids(doc: &Value) -> HashSet<String> {
    doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn the_street_graph_draws_the_hierarchy_and_counts_members_as_coverage_does() {
    let app = spawn_sample().await;
    let doc = graph(&app, "scope=S-JLT").await;
    let (_, cov) = app
        .get(
            &format!("/api/v1/coverage?scope=S-JLT&as_of={AS_OF}"),
            &app.tokens.admin,
        )
        .await;
    let nodes = doc["nodes"].as_array().expect("nodes");
    let by_id: HashMap<&str, &Value> = nodes
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    // Every committee of the street, inside its community, inside the street.
    let committees: Vec<&str> = cov["committees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(committees.contains(&"K-TINGYI"));
    for k in &committees {
        let n = by_id
            .get(k)
            .unwrap_or_else(|| panic!("committee {k} drawn"));
        assert_eq!(n["kind"], "committee");
        let community = n["parent"].as_str().expect("a committee has a parent");
        assert_eq!(by_id[community]["kind"], "community");
        assert_eq!(by_id[community]["parent"], "S-JLT");
    }
    assert_eq!(by_id["K-TINGYI"]["label"], "亭谊居委会");
    // Every edge joins drawn nodes.
    let ids = node_ids(&doc);
    let edges = doc["edges"].as_array().expect("edges");
    for e in edges {
        assert!(ids.contains(e["source"].as_str().unwrap()), "{e}");
        assert!(ids.contains(e["target"].as_str().unwrap()), "{e}");
    }
    // 双报到: per (group, committee), never per person; the sums are coverage's.
    let member_edges: Vec<&Value> = of_kind(&doc["edges"], "member").collect();
    assert!(!member_edges.is_empty());
    let members = total(member_edges.iter().copied(), "members", Value::as_u64);
    let hours = total(member_edges.iter().copied(), "hours", Value::as_f64);
    let cov_members = total(
        list(&cov["committees"]),
        "registered_members",
        Value::as_u64,
    );
    let cov_hours = total(list(&cov["committees"]), "volunteer_hours", Value::as_f64);
    assert_eq!(members, cov_members);
    assert!((hours - cov_hours).abs() < 0.01, "{hours} vs {cov_hours}");
    let mut pairs = HashSet::new();
    for e in &member_edges {
        assert!(
            e["source"].as_str().unwrap().starts_with("grp:"),
            "grouped by district: {e}"
        );
        assert!(
            pairs.insert((e["source"].clone(), e["target"].clone())),
            "one edge per pair"
        );
    }
    // 共建: exactly the active partnerships aimed at the street, its communities or committees.
    let b = sample();
    let as_of = date(AS_OF);
    let inside = jlt_inside(&b);
    let expected: HashSet<&str> = b
        .partnerships
        .iter()
        .filter(|p| p.is_active(as_of))
        .filter(|p| p.target == "S-JLT" || inside.contains(p.target.as_str()))
        .map(|p| p.id.as_str())
        .collect();
    let drawn: HashSet<&str> = of_kind(&doc["edges"], "partnership")
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(drawn, expected);
    assert!(!expected.is_empty());

    // Filters: only the kinds asked for; unit grouping draws employers.
    let only = graph(&app, "scope=S-JLT&kinds=partnership").await;
    assert!(
        only["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] == "partnership")
    );
    assert_eq!(only["edges"].as_array().unwrap().len(), expected.len());
    let per_unit = graph(&app, "scope=S-JLT&kinds=member&group=unit").await;
    let unit_members = total(list(&per_unit["edges"]), "members", Value::as_u64);
    assert_eq!(unit_members, cov_members);
    let (status, err) = app
        .get("/api/v1/graph?scope=S-JLT&kinds=friends", &app.tokens.admin)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("friends"),
        "{err}"
    );
    let (status, _) = app.get("/api/v1/graph?scope=NOPE", &app.tokens.admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn graphml_and_gexf_parse_and_carry_the_same_graph() {
    let app = spawn_sample().await;
    let doc = graph(&app, "scope=S-JLT").await;
    let ids = node_ids(&doc);
    let n_edges = doc["edges"].as_array().unwrap().len();

    let (ct, xml) = admin_text(
        &app,
        &format!("/api/v1/graph.graphml?scope=S-JLT&as_of={AS_OF}"),
    )
    .await;
    assert!(ct.starts_with("application/graphml+xml"), "{ct}");
    let parsed = roxmltree::Document::parse(&xml).expect("GraphML is XML");
    let root = parsed.root_element();
    assert_eq!(root.tag_name().name(), "graphml");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://graphml.graphdrawing.org/xmlns")
    );
    let g: HashSet<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .map(|n| n.attribute("id").unwrap().to_string())
        .collect();
    assert_eq!(g, ids);
    let edges: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("edge"))
        .collect();
    assert_eq!(edges.len(), n_edges);
    for e in &edges {
        assert!(
            ids.contains(e.attribute("source").unwrap())
                && ids.contains(e.attribute("target").unwrap())
        );
    }
    let tingyi = root
        .descendants()
        .find(|n| n.attribute("id") == Some("K-TINGYI"))
        .expect("K-TINGYI");
    assert!(
        tingyi
            .children()
            .any(|d| d.attribute("key") == Some("n_label") && d.text() == Some("亭谊居委会"))
    );

    let (ct, xml) = admin_text(&app, "/api/v1/graph.gexf?scope=S-JLT").await;
    assert!(ct.starts_with("application/gexf+xml"), "{ct}");
    let parsed = roxmltree::Document::parse(&xml).expect("GEXF is XML");
    let root = parsed.root_element();
    assert_eq!(root.tag_name().name(), "gexf");
    assert_eq!(root.attribute("version"), Some("1.3"));
    assert_eq!(root.tag_name().namespace(), Some("http://gexf.net/1.3"));
    let graph = root
        .children()
        .find(|n| n.has_tag_name("graph"))
        .expect("graph");
    assert_eq!(graph.attribute("defaultedgetype"), Some("directed"));
    let declared: HashSet<&str> = graph
        .descendants()
        .filter(|n| n.has_tag_name("attribute"))
        .map(|n| n.attribute("id").unwrap())
        .collect();
    let nodes: Vec<_> = graph
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .collect();
    assert!(
        nodes
            .iter()
            .any(|n| n.attribute("label") == Some("亭谊居委会"))
    );
    let gexf_ids: HashSet<&str> = nodes.iter().map(|n| n.attribute("id").unwrap()).collect();
    for e in graph.descendants().filter(|n| n.has_tag_name("edge")) {
        assert!(gexf_ids.contains(e.attribute("source").unwrap()));
        assert!(e.attribute("weight").unwrap().parse::<f64>().unwrap() >= 1.0);
    }
    for v in graph.descendants().filter(|n| n.has_tag_name("attvalue")) {
        assert!(
            declared.contains(v.attribute("for").unwrap()),
            "every attvalue is declared"
        );
    }
}

#[tokio::test]
async fn graphs_are_redacted_for_coordinators_and_hold_nothing_personal_for_viewers() {
    let app = spawn_sample().await;
    let b = sample();
    // A coordinator of 泗泾镇 cannot read 九里亭's graph in any format.
    for ext in ["", ".graphml", ".gexf"] {
        let (status, _, body) = text(
            &app,
            &format!("/api/v1/graph{ext}?scope=S-JLT"),
            &app.tokens.coord2,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{ext}");
        assert!(!body.contains("亭谊"), "{body}");
    }
    // A coordinator of 九里亭 sees its street, and no committee or community outside it.
    let inside = jlt_inside(&b);
    let outside_names: Vec<&str> = b
        .committees
        .iter()
        .filter(|k| !inside.contains(k.id.as_str()))
        .map(|k| k.name.as_str())
        .collect();
    let doc = app
        .get_ok(&format!("/api/v1/graph?as_of={AS_OF}"), &app.tokens.coord)
        .await;
    assert_eq!(doc["scope"], "S-JLT", "the token's street by default");
    for n in doc["nodes"].as_array().unwrap() {
        if matches!(n["kind"].as_str(), Some("committee" | "community")) {
            assert!(inside.contains(n["id"].as_str().unwrap()), "{n}");
        }
    }
    let (_, _, gexf) = text(
        &app,
        &format!("/api/v1/graph.gexf?as_of={AS_OF}&group=unit"),
        &app.tokens.coord,
    )
    .await;
    let (_, _, graphml) = text(
        &app,
        &format!("/api/v1/graph.graphml?as_of={AS_OF}"),
        &app.tokens.coord,
    )
    .await;
    for body in [&gexf, &graphml] {
        roxmltree::Document::parse(body).expect("XML");
        for k in b
            .committees
            .iter()
            .filter(|k| !inside.contains(k.id.as_str()))
        {
            assert!(
                !body.contains(&format!("\"{}\"", k.id)),
                "outside committee {} in the output",
                k.id
            );
        }
        for name in &outside_names {
            if !inside_names(&b, &inside).contains(name) {
                assert!(!body.contains(name), "outside committee name {name}");
            }
        }
    }
    // Nobody's name, in any format, for anyone: members are only counted.
    for token in [&app.tokens.viewer, &app.tokens.admin] {
        for ext in ["", ".graphml", ".gexf"] {
            let (status, _, body) = text(
                &app,
                &format!("/api/v1/graph{ext}?scope=S-JLT&as_of={AS_OF}&group=unit"),
                token,
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            for m in &b.members {
                assert!(!body.contains(&m.name), "a member's name in graph{ext}");
                assert!(
                    !body.contains(&format!("\"{}\"", m.id)),
                    "a member's id in graph{ext}"
                );
            }
            for o in &b.party_orgs {
                assert!(
                    !body.contains(&o.secretary),
                    "a secretary's name in graph{ext}"
                );
            }
        }
    }
}

fn inside_names<'a>(b: &'a dangjian_model::Bundle, inside: &HashSet<&str>) -> Vec<&'a str> {
    b.committees
        .iter()
        .filter(|k| inside.contains(k.id.as_str()))
        .map(|k| k.name.as_str())
        .collect()
}

#[tokio::test]
async fn the_trend_steps_by_month_and_ends_on_the_days_figures() {
    let app = spawn_sample().await;
    let doc = app
        .get_ok(
            &format!("/api/v1/trend?scope=S-JLT&from=2025-07-01&to={AS_OF}&step=month"),
            &app.tokens.admin,
        )
        .await;
    let points = doc["points"].as_array().expect("points");
    assert_eq!(points.len(), 12);
    assert_eq!(points[0]["as_of"], "2025-07-31");
    assert_eq!(points[11]["as_of"], AS_OF);
    let (_, cov) = app
        .get(
            &format!("/api/v1/coverage?scope=S-JLT&as_of={AS_OF}"),
            &app.tokens.admin,
        )
        .await;
    let (_, gaps) = app
        .get(
            &format!("/api/v1/gaps?scope=S-JLT&as_of={AS_OF}"),
            &app.tokens.admin,
        )
        .await;
    let last = &points[11];
    let ks = cov["committees"].as_array().unwrap();
    let blank = ks
        .iter()
        .filter(|k| !k["blank_spots"].as_array().unwrap().is_empty())
        .count() as u64;
    assert_eq!(last["committees_with_blank_spots"].as_u64(), Some(blank));
    let members = total(ks, "registered_members", Value::as_u64);
    assert_eq!(last["registered_members"].as_u64(), Some(members));
    assert_eq!(last["met_demand"].as_f64(), gaps["met_demand"].as_f64());
    assert_eq!(last["unmet_demand"].as_f64(), gaps["unmet_demand"].as_f64());
    assert!(doc["data_from"].is_string() && doc["data_to"].is_string());
    // Hours of the last 12 months move with the date: not every point is the same.
    let hours: HashSet<String> = points
        .iter()
        .map(|p| p["volunteer_hours"].to_string())
        .collect();
    assert!(hours.len() > 1, "{hours:?}");

    let (status, _) = app
        .get("/api/v1/trend?scope=S-JLT", &app.tokens.coord2)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get("/api/v1/trend?scope=S-JLT&step=week", &app.tokens.admin)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .get(
            "/api/v1/trend?scope=S-JLT&from=2000-01-01&to=2026-01-01",
            &app.tokens.admin,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let doc = app.get_ok("/api/v1/trend", &app.tokens.coord).await;
    assert_eq!(doc["scope"], "S-JLT");
}

#[tokio::test]
async fn a_district_is_drawn_per_street_with_the_same_totals() {
    let app = spawn_sample().await;
    let doc = graph(&app, "scope=D-SJ").await;
    assert_eq!(doc["aggregated"], true);
    let nodes = doc["nodes"].as_array().unwrap();
    assert!(
        nodes
            .iter()
            .all(|n| !matches!(n["kind"].as_str(), Some("committee" | "community")))
    );
    let streets: HashSet<&str> = of_kind(&doc["nodes"], "street")
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(streets, HashSet::from(["S-JLT", "S-SJ"]));
    let edges = doc["edges"].as_array().unwrap();
    for e in edges {
        let t = e["target"].as_str().unwrap();
        assert!(
            streets.contains(t) || t == "D-SJ",
            "every link ends at a street: {e}"
        );
    }
    // Totals survive the folding: 双报到 members and 共建 links.
    let full = graph(&app, "scope=D-SJ&aggregate=false").await;
    assert_eq!(full["aggregated"], false);
    let sum = |d: &Value, kind: &str, field: &str| -> u64 {
        of_kind(&d["edges"], kind)
            .map(|e| e[field].as_u64().unwrap_or(1))
            .sum()
    };
    assert_eq!(
        sum(&doc, "member", "members"),
        sum(&full, "member", "members")
    );
    let partnerships_full = of_kind(&full["edges"], "partnership").count();
    let folded: u64 = of_kind(&doc["edges"], "partnership")
        .map(|e| {
            e["label"]
                .as_str()
                .unwrap()
                .trim_start_matches("共建 ")
                .trim_end_matches(" 项")
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(folded as usize, partnerships_full);
    let units_full = of_kind(&full["nodes"], "unit").count();
    let units_folded: usize = of_kind(&doc["nodes"], "unit")
        .map(|n| {
            let l = n["label"].as_str().unwrap();
            l[l.find('（').unwrap() + '（'.len_utf8()..l.find(" 家").unwrap()]
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(units_folded, units_full, "every unit counted once");
}

/// Node positions by id from a JSON graph (every node must have them).
fn positions(doc: &Value) -> HashMap<String, (f64, f64)> {
    doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            let id = n["id"].as_str().expect("id").to_string();
            let x = n["x"].as_f64().unwrap_or_else(|| panic!("{id} has no x"));
            let y = n["y"].as_f64().unwrap_or_else(|| panic!("{id} has no y"));
            assert!(x.is_finite() && y.is_finite(), "{id}");
            (id, (x, y))
        })
        .collect()
}

#[tokio::test]
async fn the_service_places_nodes_the_same_on_every_date_and_in_every_format() {
    let app = spawn_sample().await;
    let get = |path: String| {
        let app = &app;
        async move { app.get_ok(&path, &app.tokens.admin).await }
    };
    let now = get(format!("/api/v1/graph?scope=S-JLT&as_of={AS_OF}")).await;
    let early = get("/api/v1/graph?scope=S-JLT&as_of=2025-01-31".to_string()).await;
    let (pn, pe) = (positions(&now), positions(&early));
    let mut points: HashSet<(i64, i64)> = HashSet::new();
    for (id, p) in &pn {
        assert!(
            points.insert((p.0 as i64, p.1 as i64)),
            "{id} shares its point"
        );
    }
    let mut common = 0;
    for (id, p) in &pe {
        if let Some(q) = pn.get(id) {
            assert_eq!(p, q, "{id} moved between the dates");
            common += 1;
        }
    }
    assert!(common > 10, "{common} nodes on both dates");
    // Fewer kinds: the same places.
    let few = get(format!(
        "/api/v1/graph?scope=S-JLT&as_of={AS_OF}&kinds=partnership"
    ))
    .await;
    for (id, p) in positions(&few) {
        assert_eq!(Some(&p), pn.get(&id), "{id}");
    }
    // Without positions when asked so.
    let bare = get(format!(
        "/api/v1/graph?scope=S-JLT&as_of={AS_OF}&positions=false"
    ))
    .await;
    assert!(
        bare["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n.get("x").is_none())
    );
    let (status, bad) = app
        .get(
            "/api/v1/graph?scope=S-JLT&positions=maybe",
            &app.tokens.admin,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    // GraphML: x and y data; GEXF: viz:position with y up.
    let (_, xml) = admin_text(
        &app,
        &format!("/api/v1/graph.graphml?scope=S-JLT&as_of={AS_OF}"),
    )
    .await;
    let parsed = roxmltree::Document::parse(&xml).expect("GraphML is XML");
    let tingyi = parsed
        .descendants()
        .find(|n| n.has_tag_name("node") && n.attribute("id") == Some("K-TINGYI"))
        .expect("K-TINGYI");
    let data = |key: &str| -> f64 {
        tingyi
            .children()
            .find(|d| d.attribute("key") == Some(key))
            .and_then(|d| d.text())
            .expect(key)
            .parse()
            .expect("a number")
    };
    assert_eq!((data("n_x"), data("n_y")), pn["K-TINGYI"]);
    let (_, xml) = admin_text(
        &app,
        &format!("/api/v1/graph.gexf?scope=S-JLT&as_of={AS_OF}"),
    )
    .await;
    let parsed = roxmltree::Document::parse(&xml).expect("GEXF is XML");
    let viz = "http://gexf.net/1.3/viz";
    let nodes: Vec<_> = parsed
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .collect();
    assert_eq!(nodes.len(), pn.len());
    for n in nodes {
        let id = n.attribute("id").unwrap();
        let pos = n
            .children()
            .find(|c| c.has_tag_name((viz, "position")))
            .unwrap_or_else(|| panic!("{id} has no viz:position"));
        let x: f64 = pos.attribute("x").unwrap().parse().unwrap();
        let y: f64 = pos.attribute("y").unwrap().parse().unwrap();
        assert_eq!((x, -y), pn[id], "{id}");
    }
}
