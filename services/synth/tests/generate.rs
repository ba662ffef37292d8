//! The generator: deterministic per seed, valid, sized as asked, with a skewed partnership degree
//! and blank spots for the analytics to find.

mod common;

use common::{BLANK_SPOT_FLAGS, Reach, as_of, blank_spots, gaps, reference_problems};
use dangjian_synth::{MAX_DEGREE, Scale, generate, skewed_degree};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

fn district() -> &'static dangjian_model::Bundle {
    static B: OnceLock<dangjian_model::Bundle> = OnceLock::new();
    B.get_or_init(|| generate(Scale::District, 42))
}

#[test]
fn same_seed_same_bundle_other_seed_other_bundle() {
    let again = generate(Scale::District, 42);
    assert!(&again == district(), "same seed must give the same bundle");
    let other = generate(Scale::District, 43);
    assert!(
        &other != district(),
        "another seed must give another bundle"
    );
    assert_ne!(other.members[0].name, district().members[0].name);
}

/// `n` (the size of `what`) lies in `lo..=hi`.
fn within(what: &str, n: usize, lo: usize, hi: usize) {
    assert!((lo..=hi).contains(&n), "{what}: {n} not in {lo}..={hi}");
}

#[test]
fn district_scale_sizes() {
    let b = district();
    within("districts", b.districts.len(), 1, 1);
    within("streets", b.streets.len(), 10, 10);
    within("communities", b.communities.len(), 30, 60);
    within("committees", b.committees.len(), 250, 310);
    within("units", b.units.len(), 1_600, 2_400);
    within("members", b.members.len(), 25_000, 50_000);
    within("partnerships", b.partnerships.len(), 4_000, 9_000);
    within("resources", b.resources.len(), 4_000, 6_000);
    within("needs", b.needs.len(), 2_000, 3_000);
    within("projects", b.projects.len(), 700, 1_200);
    within("volunteering", b.volunteering.len(), 40_000, 60_000);
    within("responsibilities", b.responsibilities.len(), 700, 1_300);
    assert!(b.mass_orgs.len() >= 3 && !b.mass_links.is_empty() && !b.social_orgs.is_empty());
    let unregistered = b
        .members
        .iter()
        .filter(|m| m.registered_at.is_none())
        .count();
    assert!(
        unregistered * 100 > b.members.len() * 3,
        "some members are not registered"
    );
    // Community sizes 5–8.
    let mut per_community: HashMap<&str, usize> = HashMap::new();
    for k in &b.committees {
        *per_community.entry(&k.community).or_default() += 1;
    }
    assert!(
        per_community.values().all(|n| (5..=8).contains(n)),
        "{per_community:?}"
    );
}

#[test]
fn district_scale_is_valid() {
    let problems = reference_problems(district());
    assert!(
        problems.is_empty(),
        "{:#?}",
        &problems[..problems.len().min(20)]
    );
    if let Err(p) = dangjian_model::validate(district()) {
        panic!("{p}");
    }
}

#[test]
fn other_seeds_are_valid_too() {
    for seed in [0, 1, u64::MAX] {
        let b = generate(Scale::District, seed);
        let problems = reference_problems(&b);
        assert!(
            problems.is_empty(),
            "seed {seed}: {:#?}",
            &problems[..problems.len().min(20)]
        );
        assert!(dangjian_model::validate(&b).is_ok(), "seed {seed}");
    }
}

#[test]
fn district_scale_partnership_degree_is_skewed() {
    let b = district();
    let mut degree: HashMap<&str, usize> = b.units.iter().map(|u| (u.id.as_str(), 0)).collect();
    for p in &b.partnerships {
        *degree.entry(&p.unit).or_default() += 1;
    }
    let mut d: Vec<usize> = degree.values().copied().collect();
    d.sort_unstable();
    let median = d[d.len() / 2];
    let max = d[d.len() - 1];
    assert_eq!(median, 2, "median partnerships per unit");
    assert!(
        max >= 30,
        "a hub unit with many partnerships, got max {max}"
    );
    assert!(d[0] == 0, "some units have no partnership");
    let targets: BTreeSet<char> = b
        .partnerships
        .iter()
        .filter_map(|p| p.target.chars().next())
        .collect();
    assert_eq!(
        targets,
        BTreeSet::from(['C', 'K', 'S']),
        "street, community and committee targets"
    );
    assert!(
        b.partnerships
            .iter()
            .any(|p| p.expires.is_some_and(|e| e <= as_of()))
    );
    assert!(b.partnerships.iter().any(|p| p.expires.is_none()));
}

#[test]
fn skewed_degree_has_median_two_and_a_heavy_tail() {
    // As many draws as Shanghai has units.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut d: Vec<u32> = (0..40_000).map(|_| skewed_degree(&mut rng)).collect();
    d.sort_unstable();
    let mean = d.iter().map(|&x| f64::from(x)).sum::<f64>() / d.len() as f64;
    assert_eq!(d[d.len() / 2], 2, "median");
    assert!(d[0] >= 1 && d[d.len() - 1] <= MAX_DEGREE);
    assert!(d[d.len() - 1] >= 100, "max {}", d[d.len() - 1]);
    let hubs = d.iter().filter(|&&x| x >= 100).count();
    assert!((3..=100).contains(&hubs), "{hubs} units with 100+");
    assert!((2.5..=4.5).contains(&mean), "mean {mean}");
}

#[test]
fn district_scale_has_every_gap_kind() {
    let b = district();
    let reach = Reach::new(b, as_of());
    let spots = blank_spots(b, &reach);
    for flag in BLANK_SPOT_FLAGS {
        let n = spots.values().filter(|f| f.contains(flag)).count();
        assert!(
            n > 0 && n < spots.len(),
            "{flag} on {n} of {} committees",
            spots.len()
        );
    }
    let g = gaps(b, &reach);
    assert!(!g.unreachable.is_empty(), "unreachable needs");
    assert!(!g.stranded.is_empty(), "stranded resources");
    assert!(!g.surely_unmet.is_empty(), "unmet needs");
    assert!(!g.sole_partners.is_empty(), "sole-partner units");
    let year_ago = as_of() - chrono::Days::new(365);
    assert!(b.volunteering.iter().any(|v| v.date <= year_ago));
    assert!(b.volunteering.iter().filter(|v| v.date > year_ago).count() * 2 > b.volunteering.len());
}

#[test]
fn shanghai_scale_sizes_skew_and_validity() {
    let b = generate(Scale::Shanghai, 1);
    within("districts", b.districts.len(), 16, 16);
    within("streets", b.streets.len(), 210, 220);
    within("committees", b.committees.len(), 5_500, 6_500);
    within("units", b.units.len(), 36_000, 44_000);
    within("members", b.members.len(), 600_000, 800_000);
    within("partnerships", b.partnerships.len(), 100_000, 140_000);
    within("resources", b.resources.len(), 90_000, 110_000);
    within("needs", b.needs.len(), 45_000, 55_000);
    within("projects", b.projects.len(), 17_000, 22_000);
    within("volunteering", b.volunteering.len(), 950_000, 1_050_000);
    within("responsibilities", b.responsibilities.len(), 18_000, 22_000);

    let mut degree: HashMap<&str, usize> = b.units.iter().map(|u| (u.id.as_str(), 0)).collect();
    for p in &b.partnerships {
        *degree.entry(&p.unit).or_default() += 1;
    }
    let mut d: Vec<usize> = degree.into_values().collect();
    d.sort_unstable();
    assert_eq!(d[d.len() / 2], 2, "median partnerships per unit");
    assert!(
        d[d.len() - 1] >= 100,
        "max partnerships per unit {}",
        d[d.len() - 1]
    );

    // The model's validator (ids, references, cycles, dates, quantities) on 2 M rows.
    if let Err(p) = dangjian_model::validate(&b) {
        panic!("{} problems, first: {:?}", p.0.len(), p.0.first());
    }
}
