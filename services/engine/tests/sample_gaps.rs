//! The sample network (`seed/shanghai-sample.json`), as a planner reads it: 亭谊居委会
//! (K-TINGYI) shows the same met and unmet in every scope that contains it — committee,
//! community, street, district, city — and its checklist items (own and supervision) carry
//! the same figures (SPEC §3 v2, issue 11).

use chrono::NaiveDate;
use dangjian_engine::Engine;
use dangjian_model::{ItemKind, NeedGap};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

fn sample() -> Engine {
    Engine::new(dangjian_testdata::seed_bundle())
}

#[test]
fn tingyi_has_the_same_numbers_at_every_scope() {
    let e = sample();
    let scopes = ["K-TINGYI", "C-JLT-N", "S-JLT", "D-SJ", "city"];
    let of_tingyi = |scope: &str| -> Vec<NeedGap> {
        e.gaps(scope, as_of())
            .expect("gaps")
            .needs
            .into_iter()
            .filter(|n| n.committee == "K-TINGYI")
            .collect()
    };
    let committee = of_tingyi("K-TINGYI");
    assert!(!committee.is_empty());
    assert!(
        committee.iter().any(|n| n.unmet > 0.0),
        "亭谊 has unmet demand in the sample"
    );
    for s in scopes {
        assert_eq!(of_tingyi(s), committee, "scope {s}");
    }
    // The committee scope's totals are the sums over its needs.
    let g = e.gaps("K-TINGYI", as_of()).expect("gaps");
    let unmet: f64 = committee.iter().map(|n| n.unmet).sum();
    assert!((g.unmet_demand - unmet).abs() < 0.01);
}

#[test]
fn tingyi_checklists_carry_the_allocation() {
    let e = sample();
    let g = e.gaps("K-TINGYI", as_of()).expect("gaps");
    let unmet: Vec<&NeedGap> = g.needs.iter().filter(|n| n.cause.is_some()).collect();
    let own = e
        .checklist("P-K-TINGYI", false, as_of())
        .expect("checklist");
    let street = e.checklist("P-S-JLT", true, as_of()).expect("checklist");
    for n in &unmet {
        let text = format!(
            "需求未满足 {}/{}（{}）",
            dangjian_model::format_amount(n.unmet),
            n.demand,
            n.need
        );
        let mine = own
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::UnmetNeed && i.item.contains(&text))
            .count();
        assert_eq!(mine, 1, "{text} in 亭谊's own list");
        let supervised = street
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Supervision && i.item.contains(&text))
            .count();
        assert!(
            supervised >= 2,
            "{text} supervised by the community and the street"
        );
    }
    let items = own
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::UnmetNeed)
        .count();
    assert_eq!(items, unmet.len());
}
