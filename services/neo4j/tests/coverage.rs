//! `coverage_via_cypher` against the conformance networks' expected coverage (city scope and
//! one street scope) and against a hand-checked network, on a real local Neo4j. One test
//! function, so the steps do not race on the shared database.

mod common;

use common::*;
use dangjian_model::*;
use serde_json::Value;

fn as_of() -> Date {
    Date::from_ymd_opt(2026, 6, 30).expect("a date")
}

fn expected_coverage(name: &str) -> CoverageDoc {
    let v: Value = dangjian_testdata::json(name);
    let mut doc: CoverageDoc =
        serde_json::from_value(v["coverage"].clone()).expect("a coverage document");
    // The conformance files list mass-org types alphabetically; the model's contract
    // (`CommitteeCoverage::mass_org_types`) is enum order.
    for c in &mut doc.committees {
        c.mass_org_types.sort();
    }
    doc
}

/// JSON equality with floats compared to 12 significant digits (the conformance files round
/// them).
fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
        }
        _ => a == b,
    }
}

fn assert_close<T: serde::Serialize + std::fmt::Debug>(got: &T, want: &T, what: &str) {
    let g = serde_json::to_value(got).expect("json");
    let w = serde_json::to_value(want).expect("json");
    assert!(close(&g, &w), "{what}:\n got: {got:?}\nwant: {want:?}");
}

/// The expected city document restricted to one street: its committees, its communities'
/// roll-ups and its own.
fn restrict_to_street(city: &CoverageDoc, street: &str) -> CoverageDoc {
    let committees: Vec<CommitteeCoverage> = city
        .committees
        .iter()
        .filter(|c| c.street == street)
        .cloned()
        .collect();
    let communities: Vec<&str> = committees.iter().map(|c| c.community.as_str()).collect();
    let rollups = city
        .rollups
        .iter()
        .filter(|r| {
            (r.level == RollupLevel::Community && communities.contains(&r.id.as_str()))
                || (r.level == RollupLevel::Street && r.id == street)
        })
        .cloned()
        .collect();
    CoverageDoc {
        as_of: city.as_of,
        scope: street.into(),
        committees,
        rollups,
    }
}

#[test]
fn coverage_via_cypher_matches() {
    let s = store();
    for (net, exp) in [
        ("net-1001.json", "expected-1001.json"),
        ("net-1002.json", "expected-1002.json"),
    ] {
        let b = read_bundle(net);
        s.replace(&b).expect("replace");
        let want = expected_coverage(exp);
        let got = s
            .coverage_via_cypher("city", as_of())
            .expect("coverage city");
        assert_eq!(got.committees.len(), b.committees.len());
        for (g, w) in got.committees.iter().zip(&want.committees) {
            assert_close(g, w, &format!("{net}: committee {}", w.id));
        }
        assert_close(&got, &want, &format!("{net}: city coverage"));

        let street = b.streets[1].id.clone();
        let got = s
            .coverage_via_cypher(&street, as_of())
            .expect("coverage street");
        let want_street = restrict_to_street(&want, &street);
        assert!(!want_street.committees.is_empty());
        assert_close(&got, &want_street, &format!("{net}: street {street}"));

        let community = b.communities[0].id.clone();
        let got = s
            .coverage_via_cypher(&community, as_of())
            .expect("coverage community");
        assert_eq!(got.rollups.len(), 1);
        assert_eq!(got.rollups[0].level, RollupLevel::Community);
        assert!(got.committees.iter().all(|c| c.community == community));

        assert!(s.coverage_via_cypher("no-such-area", as_of()).is_err());
    }

    // The Shanghai sample network round-trips and its coverage has every committee.
    let sample = dangjian_testdata::seed_bundle();
    s.replace(&sample).expect("replace with the sample");
    assert_eq!(s.load().expect("load the sample"), sample);
    let got = s
        .coverage_via_cypher("city", as_of())
        .expect("coverage of the sample");
    assert_eq!(got.committees.len(), sample.committees.len());
    assert_eq!(
        got.rollups.last().map(|r| r.committees),
        Some(sample.committees.len() as u64)
    );

    // Hand-checked: the every-table network on 2026-06-30.
    let b = every_table();
    s.replace(&b).expect("replace");
    let got = s.coverage_via_cypher("city", as_of()).expect("coverage");
    let ids: Vec<&str> = got.committees.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["K2", "K1", "K3"], "bundle order");
    let k1 = &got.committees[1];
    assert!(k1.party_org);
    assert_eq!(k1.registered_members, 1);
    assert_eq!(k1.members_per_1000_households, Some(1000.0 / 1200.0));
    assert_eq!(k1.volunteer_hours, 8.0);
    assert_eq!(k1.young_volunteers, 1, "E1 is 31, E2 is 66");
    assert_eq!((k1.partners_direct, k1.partners_in_reach), (0, 1));
    assert_eq!(k1.mass_org_types, [MassOrgType::Union]);
    assert_eq!(
        k1.blank_spots,
        [BlankSpot::NoYouthLeague, BlankSpot::NoWomenFederation]
    );
    let k2 = &got.committees[0];
    assert_eq!(k2.members_per_1000_households, None, "households 0");
    assert!(k2.blank_spots.contains(&BlankSpot::NoPartyOrg));
    assert!(k2.blank_spots.contains(&BlankSpot::NoMembers));
    let k3 = &got.committees[2];
    assert_eq!((k3.partners_direct, k3.partners_in_reach), (1, 1));
    assert_eq!(k3.mass_org_types, [MassOrgType::WomenFederation]);
    let levels: Vec<(RollupLevel, &str)> = got
        .rollups
        .iter()
        .map(|r| (r.level, r.id.as_str()))
        .collect();
    assert_eq!(
        levels,
        [
            (RollupLevel::Community, "C1"),
            (RollupLevel::Community, "C2"),
            (RollupLevel::Street, "S1"),
            (RollupLevel::Street, "S2"),
            (RollupLevel::District, "D1"),
            (RollupLevel::City, "city"),
        ]
    );
    let city = got.rollups.last().expect("city");
    assert_eq!(city.committees, 3);
    assert_eq!(city.partners_in_reach_median, Some(1.0));
    assert_eq!(city.blank_spots[&BlankSpot::NoPartyOrg], 2);
    // Expired partnership: on 2027-06-30 PS1 has expired, so K1 and K2 lose their partner.
    let later = s
        .coverage_via_cypher("S1", Date::from_ymd_opt(2027, 6, 30).expect("a date"))
        .expect("coverage");
    assert!(later.committees.iter().all(|c| c.partners_in_reach == 0));
    assert_eq!(
        later
            .committees
            .iter()
            .map(|c| c.volunteer_hours)
            .sum::<f64>(),
        0.0,
        "all hours are older than a year"
    );
}
