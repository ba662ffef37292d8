//! A scope's demand figures computed from only the connected components that hold its needs
//! (what the trend uses when the city allocation of a date is not computed yet) are the whole
//! city's fair allocation's, to the last bit (SPEC §3 v2: one allocation for the city; a
//! need's met demand never depends on the scope asked about): checked against the gaps
//! documents of a second engine that computes the city allocation, on the generator's
//! district-scale network (several components per domain) and on the conformance networks.

use chrono::NaiveDate;
use dangjian_engine::Engine;
use dangjian_model::{Bundle, Id};
use dangjian_synth::{Scale, generate};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Every street and community of the network, the city, the districts and every tenth committee.
fn scopes(b: &Bundle) -> Vec<Id> {
    let mut out: Vec<Id> = vec!["city".into()];
    out.extend(b.districts.iter().map(|x| x.id.clone()));
    out.extend(b.streets.iter().map(|x| x.id.clone()));
    out.extend(b.communities.iter().map(|x| x.id.clone()));
    out.extend(b.committees.iter().step_by(10).map(|x| x.id.clone()));
    out
}

/// Compare every scope's totals on a fresh engine (components only) with the gaps documents of
/// an engine that has computed the city allocation.
fn check(b: &Bundle, dates: &[NaiveDate]) -> usize {
    let mut checked = 0;
    for &as_of in dates {
        let partial = Engine::new(b.clone());
        let city = Engine::new(b.clone());
        let scopes = scopes(b);
        // The small scopes first, so the components are solved piecemeal before the city.
        for scope in scopes.iter().rev() {
            let got = partial.demand_totals(scope, as_of).expect("totals");
            let gaps = city.gaps(scope, as_of).expect("gaps");
            assert_eq!(
                got,
                (gaps.total_demand, gaps.met_demand, gaps.unmet_demand),
                "{scope} on {as_of}"
            );
            assert_eq!(got.1.to_bits(), gaps.met_demand.to_bits(), "{scope}");
            checked += 1;
        }
        // Once the city allocation is computed the totals are read from it: still the same.
        let street = &b.streets[0].id;
        assert_eq!(
            city.demand_totals(street, as_of).expect("totals"),
            partial.demand_totals(street, as_of).expect("totals")
        );
    }
    checked
}

#[test]
fn a_scopes_components_give_the_city_allocations_numbers() {
    let b = generate(Scale::District, 7);
    let as_of = d("2026-06-30");
    // The network must split into many components, or this test would compare the city with
    // itself.
    let comps = Engine::new(b.clone()).allocation_components(as_of);
    let served = comps.iter().filter(|c| c.1 > 0).count();
    assert!(served >= 12, "only {served} served components");
    assert!(b.needs.len() > 100, "{} needs", b.needs.len());
    let checked = check(&b, &[as_of, d("2025-09-30"), d("2024-01-31")]);
    assert!(checked > 100, "{checked}");
}

#[test]
fn the_conformance_networks_give_the_same_numbers_by_component() {
    for net in ["net-1001.json", "net-1002.json"] {
        let path = format!("{}/tests/data/{net}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("network");
        let b: Bundle = serde_json::from_str(&text).expect("bundle");
        check(&b, &[d("2026-06-30"), d("2026-01-31")]);
    }
}

#[test]
fn a_trend_point_has_the_gaps_documents_demand_figures() {
    let b = generate(Scale::District, 3);
    let district = b.districts[0].id.clone();
    let street = b.streets[1].id.clone();
    let trend_engine = Engine::new(b.clone());
    let gaps_engine = Engine::new(b);
    for scope in [&district, &street] {
        let t = trend_engine
            .trend(scope, d("2025-07-01"), d("2026-06-30"))
            .expect("trend");
        assert_eq!(t.points.len(), 12);
        for p in &t.points {
            let g = gaps_engine.gaps(scope, p.as_of).expect("gaps");
            assert_eq!(p.total_demand, g.total_demand as f64, "{scope} {}", p.as_of);
            assert_eq!(p.met_demand, g.met_demand, "{scope} {}", p.as_of);
            assert_eq!(p.unmet_demand, g.unmet_demand, "{scope} {}", p.as_of);
            let cov = gaps_engine.coverage(scope, p.as_of).expect("coverage");
            assert_eq!(p.committees, cov.committees.len() as u64);
        }
    }
}
