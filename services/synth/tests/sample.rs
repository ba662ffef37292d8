//! The Shanghai sample: equal to the committed seed file, sound references, every gap kind at
//! 2026-06-30, and the shape the brief asks for (sizes, categories, surveyed sites).

mod common;

use common::{BLANK_SPOT_FLAGS, Reach, as_of, blank_spots, gaps, reference_problems};
use dangjian_model::{Bundle, ItemStatus, MassOrgType, UnitCategory};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn seed_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../seed/shanghai-sample.json")
}

#[test]
fn sample_equals_the_committed_seed_file() {
    let text = std::fs::read_to_string(seed_file()).expect("seed/shanghai-sample.json exists");
    let parsed: Bundle = serde_json::from_str(&text).expect("the seed file parses as a bundle");
    let built = dangjian_synth::shanghai_sample();
    assert!(
        parsed == built,
        "seed/shanghai-sample.json has drifted from shanghai_sample(); \
         run `cargo run -p dangjian-synth --example write_sample`"
    );
}

#[test]
fn sample_passes_model_validation() {
    if let Err(problems) = dangjian_model::validate(&dangjian_synth::shanghai_sample()) {
        panic!("{problems}");
    }
}

#[test]
fn committed_seed_files_read_back_through_bundle_io() {
    let built = dangjian_synth::shanghai_sample();
    let dir = seed_file().with_file_name("");
    for name in ["shanghai-sample.json", "shanghai-sample.xlsx"] {
        let read = dangjian_bundle_io::read_path(&dir.join(name))
            .unwrap_or_else(|e| panic!("seed/{name} reads and validates: {e}"));
        assert!(
            read == built,
            "seed/{name} has drifted from shanghai_sample(); \
             run `cargo run -p dangjian-synth --example write_sample`"
        );
    }
}

#[test]
fn sample_is_deterministic() {
    assert_eq!(
        dangjian_synth::shanghai_sample(),
        dangjian_synth::shanghai_sample()
    );
}

#[test]
fn sample_references_are_sound() {
    let problems = reference_problems(&dangjian_synth::shanghai_sample());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn sample_has_the_requested_shape() {
    let b = dangjian_synth::shanghai_sample();
    assert_eq!(b.districts.len(), 3);
    assert_eq!(b.streets.len(), 6);
    assert_eq!(b.communities.len(), 12);
    assert_eq!(b.committees.len(), 36);
    assert_eq!(b.committees.iter().filter(|k| k.households == 0).count(), 1);
    assert!(
        b.committees
            .iter()
            .all(|k| k.households == 0 || (800..=4000).contains(&k.households))
    );
    assert_eq!(b.units.len(), 40);
    let categories: BTreeSet<UnitCategory> = b.units.iter().map(|u| u.category).collect();
    assert_eq!(categories.len(), 6, "every unit category");
    let types: BTreeSet<MassOrgType> = b.mass_orgs.iter().map(|m| m.kind).collect();
    assert_eq!(types.len(), 4, "every mass-org type");
    assert_eq!(b.members.len(), 300);
    assert!(b.members.iter().any(|m| m.registered_at.is_none()));
    assert!(
        b.members
            .iter()
            .all(|m| (1960..=2002).contains(&m.birth_year))
    );
    assert!((55..=70).contains(&b.partnerships.len()));
    assert!((55..=70).contains(&b.resources.len()));
    assert!((45..=60).contains(&b.needs.len()));
    assert_eq!(b.volunteering.len(), 800);
    for site in dangjian_synth::SURVEYED_SITES {
        assert!(
            b.committees.iter().any(|k| k.id == site) || b.communities.iter().any(|c| c.id == site),
            "surveyed site {site}"
        );
    }
    // Names are Chinese.
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    assert!(b.committees.iter().all(|k| cjk(&k.name)));
    assert!(b.members.iter().all(|m| cjk(&m.name)));
    assert!(b.party_orgs.iter().all(|p| cjk(&p.secretary)));
}

#[test]
fn sample_has_every_blank_spot_and_a_clean_committee() {
    let b = dangjian_synth::shanghai_sample();
    let reach = Reach::new(&b, as_of());
    let spots = blank_spots(&b, &reach);
    for flag in BLANK_SPOT_FLAGS {
        assert!(
            spots.values().any(|f| f.contains(flag)),
            "some committee is {flag}"
        );
    }
    assert!(
        spots["K-TINGYI"].is_empty(),
        "亭谊 is fully covered: {:?}",
        spots["K-TINGYI"]
    );
    assert!(spots["K-PPZ-HT"].contains("no_partners"));
    assert!(spots["K-ZR-FL"].contains("no_party_org"));
    // The ids seed/README.md names.
    let has = |k: &str, flag: &str| spots[k].contains(flag);
    for k in ["K-SJ-NEW", "K-ZR-FL"] {
        assert!(has(k, "no_party_org"), "{k}");
    }
    for k in ["K-SJ-NEW", "K-PPZ-HT"] {
        assert!(has(k, "no_members"), "{k}");
    }
    let no_partners: BTreeSet<&str> = spots
        .iter()
        .filter(|(_, f)| f.contains("no_partners"))
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(no_partners, BTreeSet::from(["K-PPZ-WX2", "K-PPZ-HT"]));
    for k in ["K-SJ-GZ", "K-ZR-MC", "K-PPZ-WX1"] {
        assert!(has(k, "no_union"), "{k}");
    }
    for k in ["K-ZR-XY", "K-PPZ-WX2", "K-PPZ-HT"] {
        assert!(has(k, "no_women_federation"), "{k}");
    }
}

#[test]
fn sample_has_every_resource_gap() {
    let b = dangjian_synth::shanghai_sample();
    let reach = Reach::new(&b, as_of());
    let g = gaps(&b, &reach);
    assert!(
        g.unreachable.contains(&"N-050"),
        "和泰花园 elderly care is unreachable: {:?}",
        g.unreachable
    );
    assert!(g.unreachable.len() >= 4, "{:?}", g.unreachable);
    for r in [
        "R-018", "R-020", "R-029", "R-039", "R-048", "R-057", "R-061",
    ] {
        assert!(g.stranded.contains(&r), "{r} is stranded: {:?}", g.stranded);
    }
    assert!(g.surely_unmet.len() >= 3, "{:?}", g.surely_unmet);
    for u in ["U-ZR-HOSP", "U-ZR-IT", "U-PPZ-YOUTH"] {
        assert!(
            g.sole_partners.contains(u),
            "{u} is a sole partner: {:?}",
            g.sole_partners
        );
    }
}

#[test]
fn sample_dates_make_checklists_interesting() {
    let b = dangjian_synth::shanghai_sample();
    let as_of = as_of();
    let soon = as_of + chrono::Days::new(30);
    assert!(
        b.partnerships
            .iter()
            .any(|p| p.expires.is_some_and(|e| e <= as_of)),
        "expired"
    );
    assert!(
        b.partnerships
            .iter()
            .any(|p| p.expires.is_some_and(|e| e > as_of && e <= soon))
    );
    assert!(
        b.partnerships.iter().any(|p| p.signed > as_of),
        "signed but not yet started"
    );
    let open = |f: &dyn Fn(chrono::NaiveDate) -> bool| {
        b.responsibilities
            .iter()
            .any(|r| r.status == ItemStatus::Open && r.due.is_some_and(f))
    };
    assert!(open(&|d| d < as_of), "an overdue open item");
    assert!(
        open(&|d| d >= as_of && d <= soon),
        "an item due within 30 days"
    );
    assert!(open(&|d| d > soon), "an item due later");
    assert!(
        b.responsibilities
            .iter()
            .any(|r| r.status == ItemStatus::Done)
    );
    let year_ago = as_of - chrono::Days::new(365);
    assert!(
        b.volunteering.iter().any(|v| v.date <= year_ago),
        "some rows older than a year"
    );
    assert!(
        b.volunteering
            .iter()
            .filter(|v| v.date > year_ago && v.date <= as_of)
            .count()
            > 600
    );
    assert!(b.volunteering.iter().any(|v| v.hours == 0.0));
}
