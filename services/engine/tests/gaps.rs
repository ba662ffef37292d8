//! Gaps on a hand-checked network: street-level reach, `deployed_to` overriding the provider's
//! reach, a provider with no links, a need no resource reaches, resources no need can use,
//! street and social-org providers, candidate ranking, sole partners and scopes.

use chrono::NaiveDate;
use dangjian_engine::Engine;
use dangjian_model::{Bundle, GapsDoc, ServiceDomain};
use serde_json::json;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// S1 = {C1: K1, K2; C2: K3}, S2 = {C3: K4}; adjacency K1–K2–K3–K4.
pub fn network() -> Bundle {
    serde_json::from_value(json!({
        "districts": [{"id": "D1", "name": "一区"}],
        "streets": [
            {"id": "S1", "name": "街道一", "district": "D1", "kind": "street"},
            {"id": "S2", "name": "街道二", "district": "D1", "kind": "street"}
        ],
        "communities": [
            {"id": "C1", "name": "社区一", "street": "S1"},
            {"id": "C2", "name": "社区二", "street": "S1"},
            {"id": "C3", "name": "社区三", "street": "S2"}
        ],
        "committees": [
            {"id": "K1", "name": "居委一", "community": "C1", "households": 100},
            {"id": "K2", "name": "居委二", "community": "C1", "households": 100},
            {"id": "K3", "name": "居委三", "community": "C2", "households": 100},
            {"id": "K4", "name": "居委四", "community": "C3", "households": 100}
        ],
        "adjacency": [{"a": "K1", "b": "K2"}, {"a": "K2", "b": "K3"}, {"a": "K3", "b": "K4"}],
        "units": [
            {"id": "U1", "name": "单位一", "category": "enterprise", "industry": "IT", "street": "S1"},
            {"id": "U2", "name": "单位二", "category": "hospital", "industry": "医疗", "street": "S2"},
            {"id": "U3", "name": "单位三", "category": "school", "industry": "教育", "street": "S1"}
        ],
        "social_orgs": [{"id": "O1", "name": "社工站", "street": "S1", "domains": ["childcare"]}],
        "partnerships": [
            {"id": "H1", "unit": "U1", "target": "S1", "signed": "2020-01-01"},
            {"id": "H2", "unit": "U2", "target": "K4", "signed": "2020-01-01"}
        ],
        "resources": [
            // U1 reaches K1..K3 through its street-level partnership.
            {"id": "R1", "name": "助老", "provider": "U1", "domain": "elderly_care", "capacity": 10},
            // deployed_to overrides U2's reach (K4).
            {"id": "R2", "name": "义诊", "provider": "U2", "domain": "elderly_care", "capacity": 5, "deployed_to": ["K1"]},
            // U3 has no partnership: reaches nothing.
            {"id": "R3", "name": "陪护", "provider": "U3", "domain": "elderly_care", "capacity": 7},
            // reaches K4, but no legal-aid need exists anywhere.
            {"id": "R4", "name": "法律咨询", "provider": "U2", "domain": "legal_aid", "capacity": 4},
            // a street as provider reaches its own committees.
            {"id": "R5", "name": "托班", "provider": "S2", "domain": "childcare", "capacity": 3},
            // a social org reaches the committees of its street.
            {"id": "R6", "name": "四点半课堂", "provider": "O1", "domain": "childcare", "capacity": 2}
        ],
        "needs": [
            {"id": "N1", "committee": "K1", "domain": "elderly_care", "demand": 9},
            {"id": "N2", "committee": "K2", "domain": "elderly_care", "demand": 6},
            {"id": "N3", "committee": "K4", "domain": "elderly_care", "demand": 4},
            {"id": "N4", "committee": "K3", "domain": "childcare", "demand": 5},
            {"id": "N5", "committee": "K4", "domain": "childcare", "demand": 1}
        ]
    }))
    .expect("test bundle deserialises")
}

fn city() -> GapsDoc {
    Engine::new(network()).gaps("city", as_of()).expect("gaps")
}

#[test]
fn matching_totals_per_domain() {
    let g = city();
    // elderly: R1 (10) + R2 (5) serve N1 + N2 = 15 exactly; N3 is out of reach.
    // childcare: R6 gives 2 of N4's 5; R5 meets N5.
    assert_eq!((g.total_demand, g.met_demand, g.unmet_demand), (25, 18, 7));
    let domains: Vec<(ServiceDomain, u64, u64, u64)> = g
        .by_domain
        .iter()
        .map(|d| (d.domain, d.demand, d.met, d.unmet))
        .collect();
    assert_eq!(
        domains,
        [
            (ServiceDomain::ElderlyCare, 19, 15, 4),
            (ServiceDomain::Childcare, 6, 3, 3)
        ],
        "only domains with needs, SPEC order"
    );
    assert_eq!(
        g.unused_capacity, 2,
        "R5 has 2 left; R1, R2, R6 are used up"
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
    let needs: Vec<(&str, &str, u64)> = g
        .unmet_needs
        .iter()
        .map(|u| (u.need.as_str(), u.committee.as_str(), u.unmet))
        .collect();
    assert_eq!(needs, [("N3", "K4", 4), ("N4", "K3", 3)]);

    // N3 at K4: U2 and S2 already reach K4. U3 has 7 elderly-care capacity left and sits in
    // S1 (one hop away, through K3); then O1 and U1, one hop away, by id.
    let n3: Vec<(&str, &str)> = g.unmet_needs[0]
        .candidates
        .iter()
        .map(|c| (c.provider.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        n3,
        [
            ("U3", "同领域（养老）尚有余量 7，距离 1 个相邻居委会"),
            ("O1", "距离 1 个相邻居委会"),
            ("U1", "距离 1 个相邻居委会")
        ]
    );
    // N4 at K3: U1 and O1 reach K3. S2 has 2 childcare left one hop away; U3 lives in the same
    // street; U2 reaches K4, one hop away.
    let n4: Vec<(&str, &str)> = g.unmet_needs[1]
        .candidates
        .iter()
        .map(|c| (c.provider.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        n4,
        [
            ("S2", "同领域（托幼）尚有余量 2，距离 1 个相邻居委会"),
            ("U3", "同街道"),
            ("U2", "距离 1 个相邻居委会")
        ]
    );
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
                s.committees.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(sole, [("U1", vec!["K1", "K2", "K3"]), ("U2", vec!["K4"])]);
}

#[test]
fn street_scopes_match_their_own_needs() {
    let e = Engine::new(network());
    let s2 = e.gaps("S2", as_of()).expect("gaps");
    assert_eq!((s2.total_demand, s2.met_demand), (5, 1));
    assert_eq!(s2.unreachable_needs, ["N3"]);
    assert_eq!(
        s2.stranded_resources,
        ["R4"],
        "R4 reaches K4; R3's provider is in S1"
    );
    assert_eq!(s2.sole_partner_units.len(), 1);
    let s1 = e.gaps("S1", as_of()).expect("gaps");
    assert_eq!((s1.total_demand, s1.met_demand), (20, 17));
    assert_eq!(s1.stranded_resources, ["R3"]);
    assert!(s1.unreachable_needs.is_empty());
    let k3 = e.gaps("K3", as_of()).expect("gaps");
    assert_eq!(
        (k3.total_demand, k3.met_demand, k3.unused_capacity),
        (5, 2, 0)
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
    assert_eq!(g.by_domain[0].met, 5);
    assert_eq!(g.unreachable_needs, ["N2", "N3"]);
    assert!(g.stranded_resources.contains(&"R1".to_string()));
}
