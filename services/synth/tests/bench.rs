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
