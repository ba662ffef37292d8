//! What-if on hand-checked networks: a unit withdrawing isolates committees, ending a
//! partnership, the fair allocation re-shared after a withdrawal (deltas per need, committee
//! and domain), unknown ids, the request's wire form, and the stored network left unchanged.

use chrono::NaiveDate;
use dangjian_engine::{Engine, EngineError, WhatIf, WhatIfDoc};
use dangjian_model::{BlankSpot, Bundle, ServiceDomain};
use serde_json::json;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// S1 = {C1: K1, K2}, S2 = {C2: K3}. U1 partners S1 (street level) and provides R1 for K1's
/// need; U2 partners K3 and provides R2 there; member A1 works for U1.
fn network() -> Bundle {
    dangjian_testdata::bundle("engine-whatif.json")
}

/// Each changed need as (need, met before, met after, change).
fn need_deltas(doc: &WhatIfDoc) -> Vec<(&str, f64, f64, f64)> {
    let needs = doc.delta.needs.iter();
    needs
        .map(|n| (n.need.as_str(), n.met_before, n.met_after, n.change))
        .collect()
}

#[test]
fn withdrawing_a_unit_isolates_its_committees() {
    let original = network();
    let e = Engine::new(original.clone());
    let before = e.gaps("city", as_of()).expect("gaps");
    assert_eq!(before.met_demand, 11.0);
    let change = WhatIf {
        without_units: vec!["U1".into()],
        without_partnerships: vec![],
    };
    let doc = e.whatif(&change, "city", as_of()).expect("whatif");
    assert_eq!(doc.gaps.met_demand, 5.0);
    assert_eq!(doc.gaps.unreachable_needs, ["N1"]);
    assert_eq!(doc.delta.met_demand_change, -6.0);
    assert_eq!(doc.delta.unmet_demand_change, 6.0);
    let needs = need_deltas(&doc);
    assert_eq!(
        needs,
        [("N1", 6.0, 0.0, -6.0)],
        "N2 (healthcare) is unchanged"
    );
    let committees: Vec<(&str, f64, f64)> = doc
        .delta
        .committees
        .iter()
        .map(|c| (c.committee.as_str(), c.unmet_before, c.unmet_after))
        .collect();
    assert_eq!(committees, [("K1", 0.0, 6.0)]);
    let domains: Vec<(ServiceDomain, f64)> = doc
        .delta
        .domains
        .iter()
        .map(|d| (d.domain, d.change))
        .collect();
    assert_eq!(
        domains,
        [
            (ServiceDomain::ElderlyCare, -6.0),
            (ServiceDomain::Healthcare, 0.0)
        ]
    );
    assert_eq!(doc.delta.committees_losing_all_partners, ["K1", "K2"]);
    let spots: Vec<(&str, &[BlankSpot])> = doc
        .delta
        .new_blank_spots
        .iter()
        .map(|n| (n.committee.as_str(), n.flags.as_slice()))
        .collect();
    assert_eq!(
        spots,
        [
            ("K1", &[BlankSpot::NoPartners][..]),
            ("K2", &[BlankSpot::NoPartners][..])
        ]
    );
    assert_eq!(doc.delta.removed_partnerships, ["H1"]);
    assert_eq!(doc.delta.removed_resources, ["R1"]);
    assert_eq!(doc.coverage.committees[0].partners_in_reach, 0);

    // The stored network and the engine's answers are unchanged.
    assert_eq!(e.bundle(), &original);
    assert_eq!(e.gaps("city", as_of()).expect("gaps"), before);
}

#[test]
fn ending_a_partnership_in_a_street_scope() {
    let e = Engine::new(network());
    let change = WhatIf {
        without_units: vec![],
        without_partnerships: vec!["H2".into()],
    };
    let doc = e.whatif(&change, "S2", as_of()).expect("whatif");
    assert_eq!(doc.coverage.scope, "S2");
    assert_eq!(doc.delta.committees_losing_all_partners, ["K3"]);
    assert_eq!(doc.delta.removed_partnerships, ["H2"]);
    assert!(doc.delta.removed_resources.is_empty());
    assert_eq!(doc.delta.met_demand_change, -5.0, "R2 no longer reaches K3");
    assert_eq!(doc.gaps.stranded_resources, ["R2"]);
}

#[test]
fn a_withdrawal_reshares_the_fair_allocation() {
    // R1 (U1, 100) serves K1 and K2; R2 (U2, 100) only K2. Both needs of 100 are met; without
    // U2, R1 is shared fairly: 50 and 50 — N1 loses 50 although it never had R2.
    let mut b = network();
    b.resources = serde_json::from_value(json!([
        {"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 100, "deployed_to": ["K1", "K2"]},
        {"id": "R2", "name": "陪护", "provider": "U2", "domain": "elderly_care", "capacity": 100, "deployed_to": ["K2"]}
    ]))
    .expect("resources");
    b.needs = serde_json::from_value(json!([
        {"id": "N1", "committee": "K1", "domain": "elderly_care", "demand": 100},
        {"id": "N2", "committee": "K2", "domain": "elderly_care", "demand": 100}
    ]))
    .expect("needs");
    b.projects.clear();
    let e = Engine::new(b);
    let change = WhatIf {
        without_units: vec!["U2".into()],
        without_partnerships: vec![],
    };
    let doc = e.whatif(&change, "S1", as_of()).expect("whatif");
    let needs = need_deltas(&doc);
    assert_eq!(
        needs,
        [("N1", 100.0, 50.0, -50.0), ("N2", 100.0, 50.0, -50.0)]
    );
    let committees: Vec<(&str, f64)> = doc
        .delta
        .committees
        .iter()
        .map(|c| (c.committee.as_str(), c.change))
        .collect();
    assert_eq!(committees, [("K1", 50.0), ("K2", 50.0)]);
    assert_eq!(doc.delta.met_demand_change, -100.0);
    assert_eq!(doc.delta.domains[0].change, -100.0);
}

#[test]
fn unknown_ids_are_errors() {
    let e = Engine::new(network());
    let unit = WhatIf {
        without_units: vec!["U9".into()],
        without_partnerships: vec![],
    };
    assert_eq!(
        e.whatif(&unit, "city", as_of()).err(),
        Some(EngineError::UnknownUnit("U9".into()))
    );
    let pship = WhatIf {
        without_units: vec![],
        without_partnerships: vec!["K1".into()],
    };
    assert_eq!(
        e.whatif(&pship, "city", as_of()).err(),
        Some(EngineError::UnknownPartnership("K1".into()))
    );
    let scope = WhatIf::default();
    assert!(matches!(
        e.whatif(&scope, "nowhere", as_of()),
        Err(EngineError::UnknownScope(_))
    ));
}

#[test]
fn request_wire_form() {
    let w: WhatIf =
        serde_json::from_value(json!({"without_units": ["U1"]})).expect("partial request");
    assert_eq!(w.without_units, ["U1"]);
    assert!(w.without_partnerships.is_empty());
    assert!(serde_json::from_value::<WhatIf>(json!({"without_unit": ["U1"]})).is_err());
    let e = Engine::new(network());
    let doc = e.whatif(&w, "city", as_of()).expect("whatif");
    let v = serde_json::to_value(&doc).expect("serialise");
    for key in [
        "met_demand_change",
        "unmet_demand_change",
        "needs",
        "committees",
        "domains",
        "committees_losing_all_partners",
        "new_blank_spots",
        "removed_partnerships",
        "removed_resources",
    ] {
        assert!(v["delta"].get(key).is_some(), "delta.{key}");
    }
    assert_eq!(v["delta"]["new_blank_spots"][0]["flags"][0], "no_partners");
}
