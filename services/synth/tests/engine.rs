//! The real analytics engine finds on the sample what `seed/README.md` promises: every
//! blank-spot flag, unreachable needs, stranded resources, unmet demand and sole-partner units.

use dangjian_engine::Engine;
use dangjian_model::BlankSpot;
use std::collections::BTreeSet;

fn as_of() -> dangjian_model::Date {
    dangjian_model::Date::from_ymd_opt(2026, 6, 30).expect("a real date")
}

#[test]
fn engine_finds_every_blank_spot_in_the_sample() {
    let engine = Engine::new(dangjian_synth::shanghai_sample());
    let doc = engine.coverage("city", as_of()).expect("city coverage");
    assert_eq!(doc.committees.len(), 36);
    for flag in BlankSpot::ALL {
        assert!(
            doc.committees.iter().any(|c| c.blank_spots.contains(&flag)),
            "some committee has {flag:?}"
        );
    }
    let tingyi = doc
        .committees
        .iter()
        .find(|c| c.id == "K-TINGYI")
        .expect("亭谊");
    assert!(tingyi.blank_spots.is_empty(), "{:?}", tingyi.blank_spots);
    let no_partners: BTreeSet<&str> = doc
        .committees
        .iter()
        .filter(|c| c.blank_spots.contains(&BlankSpot::NoPartners))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(no_partners, BTreeSet::from(["K-PPZ-HT", "K-PPZ-WX2"]));
}

#[test]
fn engine_finds_every_resource_gap_in_the_sample() {
    let engine = Engine::new(dangjian_synth::shanghai_sample());
    let g = engine.gaps("city", as_of()).expect("city gaps");
    for n in ["N-018", "N-019", "N-020", "N-032", "N-050", "N-052"] {
        assert!(
            g.unreachable_needs.iter().any(|x| x == n),
            "{n}: {:?}",
            g.unreachable_needs
        );
    }
    for r in [
        "R-018", "R-020", "R-029", "R-039", "R-048", "R-057", "R-061",
    ] {
        assert!(
            g.stranded_resources.iter().any(|x| x == r),
            "{r}: {:?}",
            g.stranded_resources
        );
    }
    assert!(g.unmet_demand > 0.0 && g.met_demand > 0.0);
    for n in ["N-026", "N-033", "N-034"] {
        assert!(
            g.unmet_needs.iter().any(|u| u.need == n),
            "{n} is left unmet"
        );
    }
    let sole: BTreeSet<&str> = g
        .sole_partner_units
        .iter()
        .map(|s| s.unit.as_str())
        .collect();
    for u in ["U-ZR-HOSP", "U-ZR-IT", "U-PPZ-YOUTH"] {
        assert!(sole.contains(u), "{u}: {sole:?}");
    }
}

#[test]
fn engine_finds_every_gap_kind_in_a_generated_district() {
    let engine = Engine::new(dangjian_synth::generate(
        dangjian_synth::Scale::District,
        42,
    ));
    let doc = engine.coverage("city", as_of()).expect("city coverage");
    for flag in BlankSpot::ALL {
        let n = doc
            .committees
            .iter()
            .filter(|c| c.blank_spots.contains(&flag))
            .count();
        assert!(
            n > 0 && n < doc.committees.len(),
            "{flag:?} on {n} committees"
        );
    }
    let g = engine.gaps("city", as_of()).expect("city gaps");
    assert!(!g.unreachable_needs.is_empty());
    assert!(!g.stranded_resources.is_empty());
    assert!(!g.unmet_needs.is_empty());
    assert!(!g.sole_partner_units.is_empty());
    assert!(
        g.met_demand > g.unmet_demand / 10.0,
        "resources do sink somewhere"
    );
}
