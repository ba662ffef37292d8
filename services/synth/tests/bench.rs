//! The benchmarks' shared helpers: the biggest street and district of a network (counts, ties,
//! a network without streets), and the median.

use dangjian_model::Bundle;
use dangjian_synth::bench::{Biggest, biggest_areas, median};
use std::time::Duration;

#[test]
fn biggest_areas_counts_committees_per_street_and_district() {
    // S1 has K1 and K2 (community C1), S2 has K3; both streets are in D1.
    let b = dangjian_testdata::bundle("api-network.json");
    assert_eq!(
        biggest_areas(&b),
        Some(Biggest {
            street: "S1".into(),
            street_committees: 2,
            district: "D1".into(),
            district_committees: 3,
        })
    );
}

#[test]
fn biggest_areas_breaks_ties_by_the_smaller_id() {
    // Engine gaps network: S1 has K1, K2, K3; S2 has K4. Move K3 to S2's community: 2 and 2.
    let mut b = dangjian_testdata::bundle("engine-gaps.json");
    let k3 = b.committees.iter_mut().find(|k| k.id == "K3").expect("K3");
    k3.community = "C3".into();
    let got = biggest_areas(&b).expect("areas");
    assert_eq!((got.street.as_str(), got.street_committees), ("S1", 2));
    assert_eq!((got.district.as_str(), got.district_committees), ("D1", 4));
}

#[test]
fn biggest_areas_of_an_empty_network_is_none() {
    assert_eq!(biggest_areas(&Bundle::default()), None);
}

#[test]
fn median_takes_the_middle_or_the_upper_middle() {
    let ms = |v: &[u64]| v.iter().map(|&m| Duration::from_millis(m)).collect();
    assert_eq!(median(ms(&[5, 1, 3])), Duration::from_millis(3));
    assert_eq!(median(ms(&[4, 1, 3, 2])), Duration::from_millis(3));
    assert_eq!(median(Vec::new()), Duration::ZERO);
}

#[test]
fn options_parse_defaults_values_and_errors() {
    use dangjian_synth::Scale;
    use dangjian_synth::bench::Options;
    let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let d = Options::parse(args("--bench")).expect("defaults");
    assert_eq!((d.scale, d.seed, d.reps), (Scale::Shanghai, 1, 7));
    assert_eq!(d.as_of.to_string(), "2026-06-30");
    let o = Options::parse(args(
        "--scale district --seed 3 --reps 0 --as-of 2025-01-31",
    ))
    .expect("values");
    assert_eq!(
        (o.scale, o.seed, o.reps),
        (Scale::District, 3, 1),
        "reps at least 1"
    );
    assert_eq!(o.as_of.to_string(), "2025-01-31");
    let err = Options::parse(args("--scale city")).expect_err("unknown scale");
    assert!(err.contains("`city` is not shanghai|district"), "{err}");
    let err = Options::parse(args("--seed x")).expect_err("not a number");
    assert!(err.starts_with("--seed: "), "{err}");
    let err = Options::parse(args("--reps")).expect_err("no value");
    assert_eq!(err, "--reps needs a value");
}
