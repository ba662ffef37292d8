//! Brokers (betweenness on the unit–committee reach graph) and areas (Louvain on adjacency and
//! shared partners) on small hand-checked networks.

use chrono::NaiveDate;
use dangjian_engine::{AreasDoc, BrokerMethod, BrokersDoc, Engine, EngineError};
use dangjian_model::{
    Adjacency, Bundle, Committee, Community, District, Id, Partnership, Street, StreetKind, Unit,
    UnitCategory,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn as_of() -> NaiveDate {
    d("2024-06-01")
}

/// One district, streets S1 (community CM1) and S2 (community CM2), committees K1..Kn in CM1
/// unless listed in `in_s2`, and units U*.
fn base(committees: &[&str], in_s2: &[&str], units: &[&str]) -> Bundle {
    Bundle {
        districts: (vec![District {
            id: "D1".into(),
            name: "徐汇区".into(),
        }])
        .into(),
        streets: ["S1", "S2"]
            .into_iter()
            .map(|s| Street {
                id: s.into(),
                name: format!("{s}街道"),
                district: "D1".into(),
                kind: StreetKind::Street,
            })
            .collect(),
        communities: [("CM1", "S1"), ("CM2", "S2")]
            .into_iter()
            .map(|(c, s)| Community {
                id: c.into(),
                name: format!("{c}社区"),
                street: s.into(),
            })
            .collect(),
        committees: committees
            .iter()
            .map(|k| Committee {
                id: (*k).into(),
                name: format!("{k}居委会"),
                community: if in_s2.contains(k) { "CM2" } else { "CM1" }.into(),
                households: 800,
            })
            .collect(),
        units: units
            .iter()
            .map(|u| Unit {
                id: (*u).into(),
                name: format!("{u}单位"),
                category: UnitCategory::Enterprise,
                industry: "服务".into(),
                street: "S1".into(),
            })
            .collect(),
        ..Bundle::default()
    }
}

fn partner(b: &mut Bundle, unit: &str, target: &str) {
    let id = Id::from(format!("P{}", b.partnerships.len() + 1));
    b.partnerships.push(Partnership {
        id,
        unit: unit.into(),
        target: target.into(),
        signed: d("2020-01-01"),
        expires: None,
    });
}

fn adjacent(b: &mut Bundle, x: &str, y: &str) {
    b.adjacency.push(Adjacency {
        a: x.into(),
        b: y.into(),
    });
}

/// A tree: UA–{K1,K2,K3}, UB–{K3,K4}, UC–{K4,K5,K6}. Removing UB splits it 4 | 4, so its
/// betweenness is 16; K3 and K4 split it 3 | 5 (15); UA and UC 1·1 + 1·6 + 1·6 = 13.
fn bridge_network() -> Bundle {
    let mut b = base(
        &["K1", "K2", "K3", "K4", "K5", "K6"],
        &["K4", "K5", "K6"],
        &["UA", "UB", "UC", "UX"],
    );
    for k in ["K1", "K2", "K3"] {
        partner(&mut b, "UA", k);
    }
    partner(&mut b, "UB", "K3");
    partner(&mut b, "UB", "K4");
    for k in ["K4", "K5", "K6"] {
        partner(&mut b, "UC", k);
    }
    // UX's agreement expired: not in the graph.
    b.partnerships.push(Partnership {
        id: "PX".into(),
        unit: "UX".into(),
        target: "S1".into(),
        signed: d("2019-01-01"),
        expires: Some(d("2024-01-01")),
    });
    b
}

#[test]
fn bridge_unit_has_the_highest_betweenness() {
    let e = Engine::new(bridge_network());
    let doc = e.brokers("D1", as_of(), 10).expect("brokers");
    assert_eq!(doc.method, BrokerMethod::Exact);
    assert_eq!(doc.samples, None);
    assert_eq!(doc.scope, "D1");
    let got = rows(&doc);
    assert_eq!(
        got,
        vec![("UB", 16.0, 2, 2), ("UA", 13.0, 3, 3), ("UC", 13.0, 3, 3)]
    );
    assert_eq!(doc.brokers[0].name, "UB单位");
    let top1 = e.brokers("D1", as_of(), 1).expect("brokers");
    assert_eq!(top1.brokers.len(), 1);
    assert_eq!(top1.brokers[0].unit, "UB");
}

/// Each broker as (unit, betweenness, partnerships, committees in reach).
fn rows(doc: &BrokersDoc) -> Vec<(&str, f64, u64, u64)> {
    doc.brokers
        .iter()
        .map(|b| {
            let unit = b.unit.as_str();
            (unit, b.betweenness, b.partnerships, b.committees_in_reach)
        })
        .collect()
}

#[test]
fn brokers_are_restricted_to_the_scope() {
    let e = Engine::new(bridge_network());
    // Within S1 only K1..K3: UB reaches K3 only, a leaf; UA is the hub of a star (3 pairs).
    let doc = e.brokers("S1", as_of(), 10).expect("brokers");
    let got = rows(&doc);
    // Star UA–{K1,K2,K3} plus UB on K3: UA lies on K1–K2, K1–K3, K2–K3, K1–UB, K2–UB.
    assert_eq!(got, vec![("UA", 5.0, 3, 3), ("UB", 0.0, 1, 1)]);
    // Street-level agreements reach every committee of the street.
    let mut b = bridge_network();
    partner(&mut b, "UX", "S2");
    let doc = Engine::new(b).brokers("S2", as_of(), 10).expect("brokers");
    let ux = doc
        .brokers
        .iter()
        .find(|b| b.unit == "UX")
        .expect("UX reaches S2");
    assert_eq!(ux.committees_in_reach, 3);
    assert_eq!(ux.partnerships, 1);
}

#[test]
fn brokers_unknown_scope() {
    let e = Engine::new(bridge_network());
    assert!(matches!(
        e.brokers("nowhere", as_of(), 5),
        Err(EngineError::UnknownScope(_))
    ));
    assert!(matches!(
        e.areas("nowhere", as_of()),
        Err(EngineError::UnknownScope(_))
    ));
}

fn cliques() -> Bundle {
    let ks = ["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8"];
    let mut b = base(&ks, &[], &["UX", "UY"]);
    for group in [&ks[..4], &ks[4..]] {
        for (i, x) in group.iter().enumerate() {
            for y in &group[i + 1..] {
                adjacent(&mut b, x, y);
            }
        }
    }
    adjacent(&mut b, "K4", "K5");
    // The same border listed the other way round counts once.
    adjacent(&mut b, "K5", "K4");
    b
}

fn area_ids(doc: &AreasDoc) -> Vec<Vec<&str>> {
    doc.areas
        .iter()
        .map(|a| a.committees.iter().map(Id::as_str).collect())
        .collect()
}

#[test]
fn two_cliques_joined_by_one_edge_make_two_areas() {
    let e = Engine::new(cliques());
    let doc = e.areas("city", as_of()).expect("areas");
    assert_eq!(
        area_ids(&doc),
        vec![vec!["K1", "K2", "K3", "K4"], vec!["K5", "K6", "K7", "K8"]]
    );
    assert_eq!(doc.areas[0].id, "A1");
    assert_eq!(doc.areas[1].id, "A2");
    assert_eq!(doc.areas[0].names[0], "K1居委会");
    // 13 edges; each area holds 6 with degree sum 13: Q = 2·(12/26 − (13/26)²) = 11/26.
    assert!(
        (doc.modularity - 11.0 / 26.0).abs() < 1e-9,
        "{}",
        doc.modularity
    );
    assert!(doc.areas.iter().all(|a| a.strongest_units.is_empty()));
}

#[test]
fn shared_partners_pull_committees_together_and_name_the_strongest_units() {
    let mut b = cliques();
    // UX reaches K1..K3 (adds 0.5 to each pair inside the first clique); UY reaches K4 and K5.
    for k in ["K1", "K2", "K3"] {
        partner(&mut b, "UX", k);
    }
    partner(&mut b, "UY", "K4");
    partner(&mut b, "UY", "K5");
    let doc = Engine::new(b.clone())
        .areas("city", as_of())
        .expect("areas");
    assert_eq!(
        area_ids(&doc),
        vec![vec!["K1", "K2", "K3", "K4"], vec!["K5", "K6", "K7", "K8"]]
    );
    let a1: Vec<(&str, u64)> = doc.areas[0]
        .strongest_units
        .iter()
        .map(|u| (u.unit.as_str(), u.committees))
        .collect();
    assert_eq!(a1, vec![("UX", 3), ("UY", 1)]);
    let a2: Vec<(&str, u64)> = doc.areas[1]
        .strongest_units
        .iter()
        .map(|u| (u.unit.as_str(), u.committees))
        .collect();
    assert_eq!(a2, vec![("UY", 1)]);
    assert_eq!(doc.areas[0].strongest_units[0].name, "UX单位");

    // Without adjacency, shared partners alone form the areas; a committee with neither is alone.
    let mut b = base(&["K1", "K2", "K3", "K4", "K5"], &[], &["UX", "UY"]);
    partner(&mut b, "UX", "K1");
    partner(&mut b, "UX", "K2");
    partner(&mut b, "UY", "K3");
    partner(&mut b, "UY", "K4");
    let doc = Engine::new(b).areas("S1", as_of()).expect("areas");
    assert_eq!(
        area_ids(&doc),
        vec![vec!["K1", "K2"], vec!["K3", "K4"], vec!["K5"]]
    );
    assert!((doc.modularity - 0.5).abs() < 1e-9, "{}", doc.modularity);
}

#[test]
fn areas_are_deterministic_and_cover_the_scope_once() {
    let e = Engine::new(cliques());
    let a = e.areas("S1", as_of()).expect("areas");
    let b = e.areas("S1", as_of()).expect("areas");
    assert_eq!(a, b);
    let mut all: Vec<&str> = area_ids(&a).into_iter().flatten().collect();
    all.sort_unstable();
    assert_eq!(all, vec!["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8"]);
    // An empty scope (S2 has no committees here) has no areas.
    let empty = e.areas("S2", as_of()).expect("areas");
    assert!(empty.areas.is_empty());
    assert_eq!(empty.modularity, 0.0);
}

#[test]
fn documents_serialise_with_contract_names() {
    let e = Engine::new(bridge_network());
    let v = serde_json::to_value(e.brokers("D1", as_of(), 1).expect("brokers")).expect("json");
    assert_eq!(v["method"], "exact");
    assert_eq!(v["brokers"][0]["unit"], "UB");
    assert_eq!(v["brokers"][0]["betweenness"], 16.0);
    let v = serde_json::to_value(Engine::new(cliques()).areas("D1", as_of()).expect("areas"))
        .expect("json");
    assert_eq!(v["areas"][0]["id"], "A1");
    assert!(v["areas"][0]["strongest_units"].is_array());
}
