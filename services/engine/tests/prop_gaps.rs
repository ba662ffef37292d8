//! Property tests on small random networks: the engine's met demand equals an independent
//! max flow (Edmonds–Karp on a dense matrix over resource → need pairs, with reach expanded
//! committee by committee), it never exceeds capacity in reach or demand, and what-if leaves the
//! engine's bundle unchanged.

use chrono::NaiveDate;
use dangjian_engine::{Engine, WhatIf};
use dangjian_model::*;
use proptest::prelude::*;
use std::collections::{BTreeSet, VecDeque};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// (provider kind 0..4, pick, domain 0..2, capacity, deployed picks)
type ResourceSpec = (u8, usize, usize, u64, Option<Vec<usize>>);

#[derive(Debug, Clone)]
struct Spec {
    /// community → street (2 streets)
    communities: Vec<usize>,
    /// committee → community
    committees: Vec<usize>,
    /// (unit, target kind 0..3, target pick, signed offset days, expires offset days?)
    partnerships: Vec<(usize, u8, usize, i64, Option<i64>)>,
    /// (provider kind 0..4, pick, domain 0..2, capacity, deployed picks)
    resources: Vec<ResourceSpec>,
    /// (committee pick, domain, demand)
    needs: Vec<(usize, usize, u64)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(0usize..2, 1..4),
        prop::collection::vec(0usize..100, 1..7),
        prop::collection::vec(
            (
                0usize..3,
                0u8..3,
                0usize..100,
                -400i64..200,
                prop::option::of(-200i64..400),
            ),
            0..8,
        ),
        prop::collection::vec(
            (
                0u8..4,
                0usize..100,
                0usize..2,
                1u64..20,
                prop::option::of(prop::collection::vec(0usize..100, 0..3)),
            ),
            0..8,
        ),
        prop::collection::vec((0usize..100, 0usize..2, 1u64..20), 0..10),
    )
        .prop_map(
            |(communities, committees, partnerships, resources, needs)| {
                let nm = communities.len();
                Spec {
                    communities,
                    committees: committees.into_iter().map(|c| c % nm).collect(),
                    partnerships,
                    resources,
                    needs,
                }
            },
        )
}

fn build(s: &Spec) -> Bundle {
    let mut b = Bundle::default();
    b.districts.push(District {
        id: "D".into(),
        name: "区".into(),
    });
    for st in 0..2 {
        b.streets.push(Street {
            id: format!("S{st}"),
            name: format!("街道{st}"),
            district: "D".into(),
            kind: StreetKind::Street,
        });
    }
    for (c, st) in s.communities.iter().enumerate() {
        b.communities.push(Community {
            id: format!("C{c}"),
            name: format!("社区{c}"),
            street: format!("S{st}"),
        });
    }
    for (k, c) in s.committees.iter().enumerate() {
        b.committees.push(Committee {
            id: format!("K{k}"),
            name: format!("居委{k}"),
            community: format!("C{c}"),
            households: 10,
        });
    }
    for k in 1..s.committees.len() {
        b.adjacency.push(Adjacency {
            a: format!("K{}", k - 1),
            b: format!("K{k}"),
        });
    }
    for u in 0..3 {
        b.units.push(Unit {
            id: format!("U{u}"),
            name: format!("单位{u}"),
            category: UnitCategory::Other,
            industry: String::new(),
            street: format!("S{}", u % 2),
        });
    }
    b.social_orgs.push(SocialOrg {
        id: "O0".into(),
        name: "社会组织".into(),
        street: "S1".into(),
        domains: vec![],
    });
    let nm = s.communities.len();
    let nk = s.committees.len();
    let target = |kind: u8, pick: usize| match kind {
        0 => format!("S{}", pick % 2),
        1 => format!("C{}", pick % nm),
        _ => format!("K{}", pick % nk),
    };
    for (i, &(u, kind, pick, signed, expires)) in s.partnerships.iter().enumerate() {
        b.partnerships.push(Partnership {
            id: format!("H{i}"),
            unit: format!("U{u}"),
            target: target(kind, pick),
            signed: as_of() + chrono::Duration::days(signed),
            expires: expires.map(|e| as_of() + chrono::Duration::days(e)),
        });
    }
    let domains = [ServiceDomain::ElderlyCare, ServiceDomain::Childcare];
    for (i, (kind, pick, d, cap, deployed)) in s.resources.iter().enumerate() {
        let provider = match kind {
            0 => format!("U{}", pick % 3),
            1 => "O0".to_string(),
            2 => format!("S{}", pick % 2),
            _ => format!("C{}", pick % nm),
        };
        b.resources.push(Resource {
            id: format!("R{i}"),
            name: format!("资源{i}"),
            provider,
            domain: domains[*d],
            capacity: *cap,
            deployed_to: deployed
                .as_ref()
                .map(|v| v.iter().map(|p| format!("K{}", p % nk)).collect()),
        });
    }
    for (i, &(pick, d, demand)) in s.needs.iter().enumerate() {
        b.needs.push(Need {
            id: format!("N{i}"),
            committee: format!("K{}", pick % nk),
            domain: domains[d],
            demand,
        });
    }
    b
}

/// Committees (ids) a target id covers, computed from the bundle tables directly.
fn covered(b: &Bundle, target: &str) -> BTreeSet<String> {
    b.committees
        .iter()
        .filter(|k| {
            let community = b.communities.iter().find(|c| c.id == k.community);
            k.id == target || k.community == target || community.is_some_and(|c| c.street == target)
        })
        .map(|k| k.id.clone())
        .collect()
}

/// The committees a resource can serve, by SPEC §3, written independently of the engine.
fn resource_reach(b: &Bundle, r: &Resource) -> BTreeSet<String> {
    if let Some(d) = &r.deployed_to {
        return d.iter().cloned().collect();
    }
    if b.units.iter().any(|u| u.id == r.provider) {
        return b
            .partnerships
            .iter()
            .filter(|p| p.unit == r.provider && p.is_active(as_of()))
            .flat_map(|p| covered(b, &p.target))
            .collect();
    }
    if let Some(o) = b.social_orgs.iter().find(|o| o.id == r.provider) {
        return covered(b, &o.street);
    }
    covered(b, &r.provider)
}

/// Edmonds–Karp on a dense capacity matrix.
fn edmonds_karp(cap: &mut [Vec<u64>], s: usize, t: usize) -> u64 {
    let n = cap.len();
    let mut total = 0;
    loop {
        let mut prev = vec![usize::MAX; n];
        prev[s] = s;
        let mut q = VecDeque::from([s]);
        while let Some(u) = q.pop_front() {
            for v in 0..n {
                if prev[v] == usize::MAX && cap[u][v] > 0 {
                    prev[v] = u;
                    q.push_back(v);
                }
            }
        }
        if prev[t] == usize::MAX {
            return total;
        }
        let mut f = u64::MAX;
        let mut v = t;
        while v != s {
            f = f.min(cap[prev[v]][v]);
            v = prev[v];
        }
        let mut v = t;
        while v != s {
            cap[prev[v]][v] -= f;
            cap[v][prev[v]] += f;
            v = prev[v];
        }
        total += f;
    }
}

/// Independent met demand and capacity in reach for the needs of `scope_committees`.
fn reference(b: &Bundle, scope_committees: &BTreeSet<String>) -> (u64, u64, u64) {
    let needs: Vec<&Need> = b
        .needs
        .iter()
        .filter(|n| scope_committees.contains(&n.committee))
        .collect();
    let nr = b.resources.len();
    let n = 2 + nr + needs.len();
    let (s, t) = (0, 1);
    let mut cap = vec![vec![0u64; n]; n];
    let mut cap_in_reach = 0;
    for (i, r) in b.resources.iter().enumerate() {
        let reach = resource_reach(b, r);
        let mut serves = false;
        for (j, need) in needs.iter().enumerate() {
            if need.domain == r.domain && reach.contains(&need.committee) {
                cap[2 + i][2 + nr + j] = u64::MAX / 4;
                serves = true;
            }
        }
        if serves {
            cap[s][2 + i] = r.capacity;
            cap_in_reach += r.capacity;
        }
    }
    let mut demand = 0;
    for (j, need) in needs.iter().enumerate() {
        cap[2 + nr + j][t] = need.demand;
        demand += need.demand;
    }
    (edmonds_karp(&mut cap, s, t), cap_in_reach, demand)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn met_demand_is_the_max_flow(s in spec(), street in 0usize..3) {
        let b = build(&s);
        let e = Engine::new(b.clone());
        let scope = if street == 2 { "city".to_string() } else { format!("S{street}") };
        let committees: BTreeSet<String> = e
            .scope_committees(&scope)
            .expect("scope")
            .iter()
            .map(|k| k.id.clone())
            .collect();
        let g = e.gaps(&scope, as_of()).expect("gaps");
        let (met, cap_in_reach, demand) = reference(&b, &committees);
        prop_assert_eq!(g.met_demand, met);
        prop_assert_eq!(g.total_demand, demand);
        prop_assert!(g.met_demand <= cap_in_reach.min(demand));
        prop_assert_eq!(g.unused_capacity, cap_in_reach - met);
        let unmet: u64 = g.unmet_needs.iter().map(|u| u.unmet).sum();
        prop_assert_eq!(unmet, g.unmet_demand);
        prop_assert!(g.unmet_needs.iter().all(|u| u.candidates.len() <= 5));
    }

    #[test]
    fn whatif_leaves_the_bundle_unchanged(s in spec(), unit in 0usize..3) {
        let b = build(&s);
        let e = Engine::new(b.clone());
        let before = e.gaps("city", as_of()).expect("gaps");
        let change = WhatIf { without_units: vec![format!("U{unit}")], without_partnerships: vec![] };
        let doc = e.whatif(&change, "city", as_of()).expect("whatif");
        prop_assert_eq!(e.bundle(), &b);
        prop_assert_eq!(&e.gaps("city", as_of()).expect("gaps"), &before);
        prop_assert!(doc.gaps.met_demand <= before.met_demand);
        prop_assert_eq!(doc.delta.met_demand_change, doc.gaps.met_demand as i64 - before.met_demand as i64);
    }
}
