//! Property tests on small random networks, against reach and max flows computed here
//! independently (Edmonds–Karp on a dense matrix over resource → need pairs, with reach
//! expanded committee by committee): the city's met demand per domain is the max-flow value;
//! allocations respect capacities, demands, reach and domains; the allocation is fair in its
//! exchange form; a need has identical numbers in every scope; a scope's totals are sums over
//! its needs; the same input gives byte-identical JSON; what-if leaves the bundle unchanged.

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

/// An [`Id`] from a format string.
macro_rules! id {
    ($($arg:tt)*) => {
        Id::from(format!($($arg)*))
    };
}

fn build(s: &Spec) -> Bundle {
    let mut b = Bundle::default();
    b.districts.push(District {
        id: "D".into(),
        name: "区".into(),
    });
    for st in 0..2 {
        b.streets.push(Street {
            id: id!("S{st}"),
            name: format!("街道{st}"),
            district: "D".into(),
            kind: StreetKind::Street,
        });
    }
    for (c, st) in s.communities.iter().enumerate() {
        b.communities.push(Community {
            id: id!("C{c}"),
            name: format!("社区{c}"),
            street: id!("S{st}"),
        });
    }
    for (k, c) in s.committees.iter().enumerate() {
        b.committees.push(Committee {
            id: id!("K{k}"),
            name: format!("居委{k}"),
            community: id!("C{c}"),
            households: 10,
        });
    }
    for k in 1..s.committees.len() {
        b.adjacency.push(Adjacency {
            a: id!("K{}", k - 1),
            b: id!("K{k}"),
        });
    }
    for u in 0..3 {
        b.units.push(Unit {
            id: id!("U{u}"),
            name: format!("单位{u}"),
            category: UnitCategory::Other,
            industry: String::new(),
            street: id!("S{}", u % 2),
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
        0 => id!("S{}", pick % 2),
        1 => id!("C{}", pick % nm),
        _ => id!("K{}", pick % nk),
    };
    for (i, &(u, kind, pick, signed, expires)) in s.partnerships.iter().enumerate() {
        b.partnerships.push(Partnership {
            id: id!("H{i}"),
            unit: id!("U{u}"),
            target: target(kind, pick),
            signed: as_of() + chrono::Duration::days(signed),
            expires: expires.map(|e| as_of() + chrono::Duration::days(e)),
        });
    }
    let domains = [ServiceDomain::ElderlyCare, ServiceDomain::Childcare];
    for (i, (kind, pick, d, cap, deployed)) in s.resources.iter().enumerate() {
        let provider = match kind {
            0 => id!("U{}", pick % 3),
            1 => "O0".into(),
            2 => id!("S{}", pick % 2),
            _ => id!("C{}", pick % nm),
        };
        b.resources.push(Resource {
            id: id!("R{i}"),
            name: format!("资源{i}"),
            provider,
            domain: domains[*d],
            capacity: *cap,
            deployed_to: deployed
                .as_ref()
                .map(|v| v.iter().map(|p| id!("K{}", p % nk)).collect()),
        });
    }
    for (i, &(pick, d, demand)) in s.needs.iter().enumerate() {
        b.needs.push(Need {
            id: id!("N{i}"),
            committee: id!("K{}", pick % nk),
            domain: domains[d],
            demand,
        });
    }
    b
}

/// Committees (ids) a target id covers, computed from the bundle tables directly.
fn covered(b: &Bundle, target: &str) -> BTreeSet<Id> {
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
fn resource_reach(b: &Bundle, r: &Resource) -> BTreeSet<Id> {
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

/// Independent max-flow value for the needs of `scope_committees` in one domain (all domains
/// when `None`), with the capacity that can reach them and their demand.
fn reference(
    b: &Bundle,
    scope_committees: &BTreeSet<Id>,
    domain: Option<ServiceDomain>,
) -> (u64, u64, u64) {
    let needs: Vec<&Need> = b
        .needs
        .iter()
        .filter(|n| scope_committees.contains(&n.committee))
        .filter(|n| domain.is_none_or(|d| n.domain == d))
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

/// Every scope id of the generated network: the city, streets, communities, committees.
fn all_scopes(b: &Bundle) -> Vec<String> {
    let mut v = vec![
        "city".to_string(),
        "D".to_string(),
        "S0".into(),
        "S1".into(),
    ];
    v.extend(b.communities.iter().map(|c| c.id.to_string()));
    v.extend(b.committees.iter().map(|k| k.id.to_string()));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn city_met_per_domain_is_the_max_flow(s in spec()) {
        let b = build(&s);
        let e = Engine::new(b.clone());
        let all: BTreeSet<Id> = b.committees.iter().map(|k| k.id.clone()).collect();
        let g = e.gaps("city", as_of()).expect("gaps");
        for d in &g.by_domain {
            let (met, _, demand) = reference(&b, &all, Some(d.domain));
            prop_assert!((d.met - met as f64).abs() < 1e-6, "{:?}: {} vs max flow {}", d.domain, d.met, met);
            prop_assert_eq!(d.demand, demand);
        }
        let (met, cap_in_reach, demand) = reference(&b, &all, None);
        prop_assert!((g.met_demand - met as f64).abs() < 1e-6);
        prop_assert_eq!(g.total_demand, demand);
        prop_assert!(g.met_demand <= cap_in_reach.min(demand) as f64 + 1e-6);
        prop_assert!(g.unmet_needs.iter().all(|u| u.candidates.len() <= 5));
    }

    #[test]
    fn allocations_respect_capacity_demand_reach_and_domain(s in spec()) {
        let b = build(&s);
        let g = Engine::new(b.clone()).gaps("city", as_of()).expect("gaps");
        let mut given: std::collections::BTreeMap<&str, f64> = Default::default();
        let mut got: std::collections::BTreeMap<&str, f64> = Default::default();
        for a in &g.allocations {
            let r = b.resources.iter().find(|r| r.id == a.resource).expect("resource");
            let n = b.needs.iter().find(|n| n.id == a.need).expect("need");
            prop_assert_eq!(r.domain, n.domain, "{} gives to {} across domains", r.id, n.id);
            prop_assert!(resource_reach(&b, r).contains(&n.committee), "{} cannot reach {}", r.id, n.id);
            prop_assert!(a.amount > 0.0);
            *given.entry(r.id.as_str()).or_default() += a.amount;
            *got.entry(n.id.as_str()).or_default() += a.amount;
        }
        for r in &b.resources {
            let x = given.get(r.id.as_str()).copied().unwrap_or(0.0);
            prop_assert!(x <= r.capacity as f64 + 0.01 * b.needs.len() as f64, "{} gives {x}", r.id);
        }
        for n in &g.needs {
            prop_assert!(n.met <= n.demand as f64 + 1e-9 && n.met >= 0.0);
            let x = got.get(n.need.as_str()).copied().unwrap_or(0.0);
            prop_assert!((x - n.met).abs() <= 0.01 * b.resources.len().max(1) as f64, "{}: {x} vs {}", n.need, n.met);
            prop_assert!((n.met + n.unmet - n.demand as f64).abs() < 1e-9);
            prop_assert_eq!(n.cause.is_some(), n.unmet > 0.005);
        }
    }

    #[test]
    fn allocation_is_fair_in_exchange_form(s in spec()) {
        // If r gives x(r, j) > 0 to need j and can also serve need i, not fully met, then
        // ratio(i) ≥ ratio(j) (ratios from amounts rounded to cents: tolerance to match).
        let b = build(&s);
        let g = Engine::new(b.clone()).gaps("city", as_of()).expect("gaps");
        let need = |id: &str| g.needs.iter().find(|n| n.need == id).expect("need");
        for a in g.allocations.iter().filter(|a| a.amount > 0.005) {
            let r = b.resources.iter().find(|r| r.id == a.resource).expect("resource");
            let reach = resource_reach(&b, r);
            let j = need(&a.need);
            let rj = j.met / j.demand as f64;
            for i in &g.needs {
                if i.domain != r.domain || !reach.contains(&i.committee) || i.unmet <= 0.005 {
                    continue;
                }
                let ri = i.met / i.demand as f64;
                let tol = 0.005 + 0.005 / i.demand as f64 + 0.005 / j.demand as f64;
                prop_assert!(ri >= rj - tol, "{} gives to {} (ratio {rj}) but {} has ratio {ri}", r.id, j.need, i.need);
            }
        }
    }

    #[test]
    fn every_scope_shows_the_same_numbers_and_sums_them(s in spec()) {
        let b = build(&s);
        let e = Engine::new(b.clone());
        let city = e.gaps("city", as_of()).expect("gaps");
        for scope in all_scopes(&b) {
            let g = e.gaps(&scope, as_of()).expect("gaps");
            let ids: BTreeSet<Id> = e.scope_committees(&scope).expect("scope").iter().map(|k| k.id.clone()).collect();
            let expected: Vec<&NeedGap> = city.needs.iter().filter(|n| ids.contains(&n.committee)).collect();
            let got: Vec<&NeedGap> = g.needs.iter().collect();
            prop_assert_eq!(got, expected, "scope {}", scope);
            let demand: u64 = g.needs.iter().map(|n| n.demand).sum();
            let met: f64 = g.needs.iter().map(|n| n.met).sum();
            let unmet: f64 = g.needs.iter().map(|n| n.unmet).sum();
            let slack = 0.005 * (g.needs.len() + 1) as f64 + 1e-9;
            prop_assert_eq!(g.total_demand, demand);
            prop_assert!((g.met_demand - met).abs() <= slack, "{scope}: {} vs {met}", g.met_demand);
            prop_assert!((g.unmet_demand - unmet).abs() <= slack);
            let dm: f64 = g.by_domain.iter().map(|d| d.met).sum();
            prop_assert!((dm - g.met_demand).abs() <= 0.005 * g.by_domain.len() as f64 + 1e-9);
            let unmet_ids: Vec<&str> = g.unmet_needs.iter().map(|u| u.need.as_str()).collect();
            let with_cause: Vec<&str> = g.needs.iter().filter(|n| n.cause.is_some()).map(|n| n.need.as_str()).collect();
            prop_assert_eq!(unmet_ids, with_cause);
            // Allocations are the city's, restricted to the scope's needs.
            let alloc: Vec<&Allocation> = city.allocations.iter().filter(|a| g.needs.iter().any(|n| n.need == a.need)).collect();
            prop_assert_eq!(g.allocations.iter().collect::<Vec<_>>(), alloc);
        }
    }

    #[test]
    fn same_input_gives_byte_identical_json(s in spec()) {
        let b = build(&s);
        let one = serde_json::to_string(&Engine::new(b.clone()).gaps("city", as_of()).expect("gaps")).expect("json");
        let e = Engine::new(b);
        let _ = e.gaps("S0", as_of()).expect("gaps"); // a different first query fills the cache
        let two = serde_json::to_string(&e.gaps("city", as_of()).expect("gaps")).expect("json");
        prop_assert_eq!(one, two);
    }

    #[test]
    fn whatif_leaves_the_bundle_unchanged(s in spec(), unit in 0usize..3) {
        let b = build(&s);
        let e = Engine::new(b.clone());
        let before = e.gaps("city", as_of()).expect("gaps");
        let change = WhatIf { without_units: vec![id!("U{unit}")], without_partnerships: vec![] };
        let doc = e.whatif(&change, "city", as_of()).expect("whatif");
        prop_assert_eq!(e.bundle(), &b);
        prop_assert_eq!(&e.gaps("city", as_of()).expect("gaps"), &before);
        prop_assert!(doc.gaps.met_demand <= before.met_demand + 1e-9);
        prop_assert_eq!(doc.delta.met_demand_change, round2(doc.gaps.met_demand - before.met_demand));
        let change: f64 = doc.delta.domains.iter().map(|d| d.change).sum();
        prop_assert!((change - doc.delta.met_demand_change).abs() <= 0.01 * doc.delta.domains.len() as f64 + 1e-9);
    }
}
