//! Gaps on hand-checked networks: street-level reach, `deployed_to` overriding the provider's
//! reach, a provider with no links, a need no resource reaches, resources no need can use,
//! street and social-org providers, candidate ranking, sole partners and scopes; and the fair
//! split of shared resources (SPEC §3 v2) on small networks worked out by hand.

use chrono::NaiveDate;
use dangjian_engine::Engine;
use dangjian_model::{Bundle, GapCause, GapsDoc, Id, ServiceDomain};
use serde_json::json;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// S1 = {C1: K1, K2; C2: K3}, S2 = {C3: K4}; adjacency K1–K2–K3–K4
/// (`testdata/engine-gaps.json`). U1 reaches K1..K3 through its street-level partnership (R1);
/// R2's `deployed_to` (K1) overrides U2's reach (K4); U3 has no partnership and reaches nothing
/// (R3); R4 reaches K4 but no legal-aid need exists anywhere; street S2 provides R5 to its own
/// committees; social org O1 provides R6 to the committees of its street.
pub fn network() -> Bundle {
    dangjian_testdata::bundle("engine-gaps.json")
}

fn city() -> GapsDoc {
    Engine::new(network()).gaps("city", as_of()).expect("gaps")
}

#[test]
fn matching_totals_per_domain() {
    let g = city();
    // elderly: R1 (10) + R2 (5) serve N1 + N2 = 15 exactly; N3 is out of reach.
    // childcare: R6 gives 2 of N4's 5; R5 meets N5.
    assert_eq!(
        (g.total_demand, g.met_demand, g.unmet_demand),
        (25, 18.0, 7.0)
    );
    let domains: Vec<(ServiceDomain, u64, f64, f64)> = g
        .by_domain
        .iter()
        .map(|d| (d.domain, d.demand, d.met, d.unmet))
        .collect();
    assert_eq!(
        domains,
        [
            (ServiceDomain::ElderlyCare, 19, 15.0, 4.0),
            (ServiceDomain::Childcare, 6, 3.0, 3.0)
        ],
        "only domains with needs, SPEC order"
    );
    assert_eq!(
        g.unused_capacity, 6.0,
        "R5 has 2 left, R4 (reaching K4, no legal-aid need) 4; R1, R2, R6 are used up; R3 reaches nothing"
    );
    // Who serves whom: N2 (K2) only R1 can serve, so R1 gives it 6 and N1 the other 4.
    let alloc = allocations_of(&g);
    assert_eq!(
        alloc,
        [
            ("R1", "N1", 4.0),
            ("R2", "N1", 5.0),
            ("R1", "N2", 6.0),
            ("R6", "N4", 2.0),
            ("R5", "N5", 1.0)
        ]
    );
    let causes: Vec<(&str, f64, Option<GapCause>)> = g
        .needs
        .iter()
        .map(|n| (n.need.as_str(), n.unmet, n.cause))
        .collect();
    assert_eq!(
        causes,
        [
            ("N1", 0.0, None),
            ("N2", 0.0, None),
            ("N3", 4.0, Some(GapCause::Unreachable)),
            ("N4", 3.0, Some(GapCause::Insufficient)),
            ("N5", 0.0, None)
        ]
    );
}

#[test]
fn unreachable_and_stranded() {
    let g = city();
    assert_eq!(g.unreachable_needs, ["N3"], "R2 is deployed to K1 only");
    assert_eq!(g.stranded_resources, ["R3", "R4"]);
}

#[test]
fn unmet_needs_rank_candidates() {
    let g = city();
    let needs: Vec<(&str, &str, f64, GapCause)> = g
        .unmet_needs
        .iter()
        .map(|u| (u.need.as_str(), u.committee.as_str(), u.unmet, u.cause))
        .collect();
    assert_eq!(
        needs,
        [
            ("N3", "K4", 4.0, GapCause::Unreachable),
            ("N4", "K3", 3.0, GapCause::Insufficient)
        ]
    );

    // N3 (elderly care) at K4: U2 and S2 already reach K4. Only U1 and U3 offer elderly care;
    // U3 has 7 left and sits in S1 (one hop away, through K3), U1 is used up. O1 (childcare
    // only) is not a candidate, however near.
    let n3: Vec<_> = g.unmet_needs[0]
        .candidates
        .iter()
        .map(|c| {
            (
                c.provider.as_str(),
                c.name.as_str(),
                c.unused_capacity,
                c.hops,
                c.same_street,
                c.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        n3,
        [
            (
                "U3",
                "单位三",
                7.0,
                Some(1),
                false,
                "养老领域尚有闲置能力 7，距离 1 个相邻居委会"
            ),
            (
                "U1",
                "单位一",
                0.0,
                Some(1),
                false,
                "提供养老服务，但能力已用尽，距离 1 个相邻居委会"
            )
        ]
    );
    assert!(g.unmet_needs[0].candidates.iter().all(|c| c.domain_match));
    // N4 (childcare) at K3: U1 and O1 reach K3. S2 has 2 childcare left, one hop away; U2 and
    // U3 offer no childcare.
    let n4: Vec<_> = g.unmet_needs[1]
        .candidates
        .iter()
        .map(|c| (c.provider.as_str(), c.name.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        n4,
        [(
            "S2",
            "街道二",
            "托幼领域尚有闲置能力 2，距离 1 个相邻居委会"
        )]
    );
}

/// K1, K2, K3 in one community; resources as given; needs N1, N2, … at K1, K2, … with the
/// demands given (all elderly care).
fn shared(resources: serde_json::Value, demands: &[u64]) -> Engine {
    let needs: Vec<serde_json::Value> = (1..)
        .zip(demands)
        .map(|(i, d)| json!({"id": format!("N{i}"), "committee": format!("K{i}"), "domain": "elderly_care", "demand": d}))
        .collect();
    let b: Bundle = serde_json::from_value(json!({
        "districts": [{"id": "D1", "name": "一区"}],
        "streets": [{"id": "S1", "name": "街道一", "district": "D1", "kind": "street"}],
        "communities": [{"id": "C1", "name": "社区一", "street": "S1"}],
        "committees": [
            {"id": "K1", "name": "居委一", "community": "C1", "households": 100},
            {"id": "K2", "name": "居委二", "community": "C1", "households": 100},
            {"id": "K3", "name": "居委三", "community": "C1", "households": 100}
        ],
        "units": [{"id": "U1", "name": "单位一", "category": "enterprise", "industry": "IT", "street": "S1"}],
        "resources": resources,
        "needs": needs
    }))
    .expect("test bundle deserialises");
    Engine::new(b)
}

/// Each allocation as (resource, need, amount).
fn allocations_of(g: &GapsDoc) -> Vec<(&str, &str, f64)> {
    let rows = g.allocations.iter();
    rows.map(|a| (a.resource.as_str(), a.need.as_str(), a.amount))
        .collect()
}

fn met_of(g: &GapsDoc) -> Vec<(&str, f64)> {
    g.needs.iter().map(|n| (n.need.as_str(), n.met)).collect()
}

#[test]
fn two_needs_share_one_resource_half_and_half() {
    // One resource of 100 can serve two needs of 100: any split is a maximum flow; the fair
    // one is 50 and 50, not 100 and 0.
    let e = shared(
        json!([{"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 100, "deployed_to": ["K1", "K2"]}]),
        &[100, 100],
    );
    let g = e.gaps("city", as_of()).expect("gaps");
    assert_eq!(met_of(&g), [("N1", 50.0), ("N2", 50.0)]);
    assert_eq!((g.met_demand, g.unmet_demand), (100.0, 100.0));
    // The committee scopes show the same numbers.
    for (k, n) in [("K1", "N1"), ("K2", "N2")] {
        let gk = e.gaps(k, as_of()).expect("gaps");
        assert_eq!(met_of(&gk), [(n, 50.0)]);
        assert_eq!(gk.unmet_demand, 50.0);
    }
}

#[test]
fn a_bottleneck_need_is_frozen_and_the_rest_shared() {
    // R1 (100) serves K1 and K2, R2 (10) serves K2 and K3. N3 can only have R2's 10 (ratio
    // 0.1), so R2 gives all to N3 and N1, N2 share R1: 50 each. Ratios (0.1, 0.5, 0.5).
    let e = shared(
        json!([
            {"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 100, "deployed_to": ["K1", "K2"]},
            {"id": "R2", "name": "陪护", "provider": "U1", "domain": "elderly_care", "capacity": 10, "deployed_to": ["K2", "K3"]}
        ]),
        &[100, 100, 100],
    );
    let g = e.gaps("city", as_of()).expect("gaps");
    assert_eq!(met_of(&g), [("N1", 50.0), ("N2", 50.0), ("N3", 10.0)]);
    let alloc = allocations_of(&g);
    assert_eq!(
        alloc,
        [("R1", "N1", 50.0), ("R1", "N2", 50.0), ("R2", "N3", 10.0)]
    );
}

#[test]
fn uneven_reach_levels_the_ratios_and_rounds_to_cents() {
    // R1 (100) serves K1 and K2, R2 (30) only K1: N1 and N2 (100 each) both reach 65, with
    // R2's 30 and 35 of R1 going to N1. With N2 at 3× the demand, ratios level at 130/400:
    // N1 32.5, N2 97.5 — then R2 (30) + 2.5 of R1 to N1.
    let resources = json!([
        {"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 100, "deployed_to": ["K1", "K2"]},
        {"id": "R2", "name": "陪护", "provider": "U1", "domain": "elderly_care", "capacity": 30, "deployed_to": ["K1"]}
    ]);
    for (n2_demand, want) in [
        (100, [("N1", 65.0), ("N2", 65.0)]),
        (300, [("N1", 32.5), ("N2", 97.5)]),
    ] {
        let g = shared(resources.clone(), &[100, n2_demand]).gaps("city", as_of());
        assert_eq!(met_of(&g.expect("gaps")), want, "N2 demand {n2_demand}");
    }
    // Three needs of 5 sharing 10: 3.33 each after rounding, but the total is 10 exactly
    // (summed before rounding) and each unmet shows as 3 − 3.33.
    let e = shared(
        json!([{"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 10, "deployed_to": ["K1", "K2", "K3"]}]),
        &[5, 5, 5],
    );
    let g = e.gaps("city", as_of()).expect("gaps");
    assert_eq!(met_of(&g), [("N1", 3.33), ("N2", 3.33), ("N3", 3.33)]);
    assert_eq!((g.met_demand, g.unmet_demand), (10.0, 5.0));
    assert!(g.needs.iter().all(|n| n.unmet == 1.67));
}

#[test]
fn sole_partner_units_list_their_committees() {
    let g = city();
    let sole: Vec<(&str, Vec<&str>)> = g
        .sole_partner_units
        .iter()
        .map(|s| {
            (
                s.unit.as_str(),
                s.committees.iter().map(Id::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(sole, [("U1", vec!["K1", "K2", "K3"]), ("U2", vec!["K4"])]);
}

#[test]
fn street_scopes_match_their_own_needs() {
    let e = Engine::new(network());
    let s2 = e.gaps("S2", as_of()).expect("gaps");
    assert_eq!((s2.total_demand, s2.met_demand), (5, 1.0));
    assert_eq!(s2.unreachable_needs, ["N3"]);
    assert_eq!(
        s2.stranded_resources,
        ["R4"],
        "R4 reaches K4; R3's provider is in S1"
    );
    assert_eq!(s2.sole_partner_units.len(), 1);
    let s1 = e.gaps("S1", as_of()).expect("gaps");
    assert_eq!((s1.total_demand, s1.met_demand), (20, 17.0));
    assert_eq!(s1.stranded_resources, ["R3"]);
    assert!(s1.unreachable_needs.is_empty());
    let k3 = e.gaps("K3", as_of()).expect("gaps");
    assert_eq!(
        (k3.total_demand, k3.met_demand, k3.unused_capacity),
        (5, 2.0, 0.0)
    );
    let c3 = e.gaps("C3", as_of()).expect("gaps");
    assert_eq!(c3.total_demand, 5);
}

#[test]
fn expired_partnership_cuts_reach() {
    let mut b = network();
    b.partnerships[0].expires = NaiveDate::from_ymd_opt(2026, 6, 30);
    let g = Engine::new(b).gaps("city", as_of()).expect("gaps");
    // Without H1, R1 reaches nothing: only R2 (5) serves N1; N2 becomes unreachable.
    assert_eq!(g.by_domain[0].met, 5.0);
    assert_eq!(g.unreachable_needs, ["N2", "N3"]);
    assert!(g.stranded_resources.contains(&"R1".into()));
}

#[test]
fn amounts_at_the_bounds_do_not_overflow() {
    // SPEC §2 bounds: capacities and demands up to 10⁹. Ratios 10⁹ / (3 × 999,999,999) are
    // carried exactly (128-bit) and rounded to cents only in the document.
    let e = shared(
        json!([{"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 1_000_000_000u64, "deployed_to": ["K1", "K2", "K3"]}]),
        &[999_999_999, 999_999_999, 999_999_999],
    );
    let g = e.gaps("city", as_of()).expect("gaps");
    assert_eq!(
        met_of(&g),
        [
            ("N1", 333_333_333.33),
            ("N2", 333_333_333.33),
            ("N3", 333_333_333.33)
        ]
    );
    assert_eq!(g.met_demand, 1_000_000_000.0);
}

#[test]
fn the_cached_allocation_is_reused_and_a_domain_can_be_dropped_alone() {
    let e = Engine::new(network());
    let first = e.gaps("city", as_of()).expect("gaps");
    let k3 = e.gaps("K3", as_of()).expect("gaps");
    e.invalidate_allocation_domain(ServiceDomain::Childcare);
    assert_eq!(e.gaps("K3", as_of()).expect("gaps"), k3);
    assert_eq!(e.gaps("city", as_of()).expect("gaps"), first);
    e.clear_allocation_cache();
    assert_eq!(e.gaps("city", as_of()).expect("gaps"), first);
    // Another date is another allocation: without H1 (expired), R1 serves nobody.
    let later = NaiveDate::from_ymd_opt(2031, 1, 1).expect("date");
    let mut b = network();
    b.partnerships[0].expires = NaiveDate::from_ymd_opt(2030, 1, 1);
    let e = Engine::new(b);
    assert_eq!(e.gaps("city", as_of()).expect("gaps").met_demand, 18.0);
    assert_eq!(e.gaps("city", later).expect("gaps").by_domain[0].met, 5.0);
    assert_eq!(e.gaps("city", as_of()).expect("gaps").met_demand, 18.0);
}
