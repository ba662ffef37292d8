//! Coverage on a hand-checked network: active-partnership and volunteering date edges, zero
//! households, unregistered volunteers, the age-35 edge, zero-hour volunteering, street- and
//! community-level reach, roll-ups and their medians, scopes, and `place_of`.

use chrono::NaiveDate;
use dangjian_engine::{Engine, EngineError, Place};
use dangjian_model::{BlankSpot, CommitteeCoverage, Id, MassOrgType, RollupLevel};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// The network every test here reads (`testdata/engine-coverage.json`); the expected figures
/// are worked out in the tests' comments. What its rows are for:
/// - partnerships: H1 is signed on as_of (active, direct at K1); H2 expires on as_of (not
///   active); H3 is community level (reaches K1 and K2); H4 street level (reaches K4); H5 is
///   signed after as_of (not active);
/// - volunteering: A1 is 35 in 2026 (hours counted, not young); A2's 3 h exactly one year
///   before as_of are not counted; A2's zero hours count (adding 0) but do not make A2 a young
///   volunteer; unregistered A3 (26) counts at K1, once although twice; A3's greening hours on
///   as_of count, those of the day after do not; A1's two K2 rows (2023-02-28, 2023-03-01) are
///   for the leap-day window (as_of 2024-02-29 starts after 2023-02-28).
fn network() -> Engine {
    Engine::new(dangjian_testdata::bundle("engine-coverage.json"))
}

fn row<'a>(rows: &'a [CommitteeCoverage], id: &str) -> &'a CommitteeCoverage {
    rows.iter()
        .find(|r| r.id == id)
        .expect("committee row present")
}

#[test]
fn committee_figures_follow_the_definitions() {
    let e = network();
    let doc = e.coverage("city", date("2026-06-30")).expect("coverage");
    assert_eq!(doc.scope, "city");
    let ids: Vec<&str> = doc.committees.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["K1", "K2", "K3", "K4"], "bundle order");

    let k1 = row(&doc.committees, "K1");
    assert_eq!(
        (
            k1.community.as_str(),
            k1.street.as_str(),
            k1.district.as_str()
        ),
        ("C1", "S1", "D1")
    );
    assert!(k1.party_org);
    assert_eq!(k1.registered_members, 2);
    assert_eq!(k1.members_per_1000_households, Some(1.0));
    assert_eq!(k1.volunteer_hours, 11.0);
    assert_eq!(
        k1.young_volunteers, 1,
        "only A3: A1 is 35, A2 gave zero hours"
    );
    assert_eq!(
        k1.partners_direct, 1,
        "H1 signed on as_of; H2 expires on as_of"
    );
    assert_eq!(k1.partners_in_reach, 2, "U1 directly, U2 through C1");

    let k2 = row(&doc.committees, "K2");
    assert_eq!(k2.members_per_1000_households, None, "zero households");
    assert_eq!(k2.volunteer_hours, 0.0);
    assert_eq!((k2.partners_direct, k2.partners_in_reach), (0, 1));

    let k3 = row(&doc.committees, "K3");
    assert_eq!(k3.members_per_1000_households, Some(0.0));
    assert_eq!(
        k3.volunteer_hours, 1.5,
        "on as_of counts, the day after does not"
    );
    assert_eq!(k3.young_volunteers, 1, "unregistered volunteers count");
    assert_eq!(k3.partners_in_reach, 0, "H5 is signed after as_of");

    let k4 = row(&doc.committees, "K4");
    assert_eq!(k4.members_per_1000_households, Some(1.0));
    assert_eq!(
        k4.young_volunteers, 0,
        "zero-hour volunteering is not a young volunteer"
    );
    assert_eq!(
        (k4.partners_direct, k4.partners_in_reach),
        (0, 1),
        "street-level H4"
    );

    // Mass org types in reach (M1 at S1, M2 at C1, M3 at K4, M4 at K1) and the blank spots.
    use BlankSpot::*;
    use MassOrgType::*;
    let spots: [(&str, &[MassOrgType], &[BlankSpot]); 4] = [
        ("K1", &[Union, YouthLeague, Other], &[NoWomenFederation]),
        (
            "K2",
            &[Union, YouthLeague],
            &[NoPartyOrg, NoMembers, NoWomenFederation],
        ),
        (
            "K3",
            &[Union],
            &[
                NoPartyOrg,
                NoMembers,
                NoPartners,
                NoYouthLeague,
                NoWomenFederation,
            ],
        ),
        (
            "K4",
            &[WomenFederation],
            &[NoPartyOrg, NoUnion, NoYouthLeague],
        ),
    ];
    for (k, types, blank) in spots {
        let r = row(&doc.committees, k);
        assert_eq!(r.mass_org_types, types, "{k}");
        assert_eq!(r.blank_spots, blank, "{k}");
    }
}

#[test]
fn rollups_count_sum_and_take_medians() {
    let e = network();
    let doc = e.coverage("city", date("2026-06-30")).expect("coverage");
    let order: Vec<(&str, RollupLevel)> = doc
        .rollups
        .iter()
        .map(|r| (r.id.as_str(), r.level))
        .collect();
    assert_eq!(
        order,
        [
            ("C1", RollupLevel::Community),
            ("C2", RollupLevel::Community),
            ("C3", RollupLevel::Community),
            ("S1", RollupLevel::Street),
            ("S2", RollupLevel::Street),
            ("D1", RollupLevel::District),
            ("city", RollupLevel::City)
        ]
    );
    // (committees, registered members, hours, median partners in reach): C1's median is the
    // mean of 1 and 2, the city's the middle of 0, 1, 1, 2.
    let figures = |i: usize| {
        let r = &doc.rollups[i];
        let median = r.partners_in_reach_median;
        (
            r.committees,
            r.registered_members,
            r.volunteer_hours,
            median,
        )
    };
    assert_eq!(figures(0), (2, 2, 11.0, Some(1.5)), "C1");
    assert_eq!(figures(6), (4, 3, 12.5, Some(1.0)), "city");
    let c1 = &doc.rollups[0];
    assert_eq!(c1.blank_spots[&BlankSpot::NoWomenFederation], 2);
    assert_eq!(
        c1.blank_spots[&BlankSpot::NoPartners],
        0,
        "zero counts are listed"
    );
    assert_eq!(doc.rollups[1].partners_in_reach_median, Some(0.0));
    let s1 = &doc.rollups[3];
    assert_eq!((s1.committees, s1.partners_in_reach_median), (3, Some(1.0)));
    assert_eq!(doc.rollups[6].blank_spots[&BlankSpot::NoPartyOrg], 3);
}

#[test]
fn leap_day_window_starts_after_the_28th() {
    let e = network();
    let doc = e.coverage("K2", date("2024-02-29")).expect("coverage");
    assert_eq!(doc.committees.len(), 1);
    assert_eq!(
        doc.committees[0].volunteer_hours, 2.0,
        "2023-02-28 is out, 2023-03-01 in"
    );
    assert!(doc.rollups.is_empty(), "a committee scope has no roll-ups");
}

#[test]
fn scopes_restrict_committees_and_rollups() {
    let e = network();
    let as_of = date("2026-06-30");
    let ids = |scope: &str| -> (Vec<Id>, Vec<Id>) {
        let d = e.coverage(scope, as_of).expect("coverage");
        (
            d.committees.into_iter().map(|c| c.id).collect(),
            d.rollups.into_iter().map(|r| r.id).collect(),
        )
    };
    assert_eq!(
        ids("S1"),
        (
            vec!["K1".into(), "K2".into(), "K3".into()],
            vec!["C1".into(), "C2".into(), "S1".into()]
        )
    );
    assert_eq!(
        ids("C1"),
        (vec!["K1".into(), "K2".into()], vec!["C1".into()])
    );
    assert_eq!(ids("K3"), (vec!["K3".into()], vec![]));
    let (ks, rs) = ids("D1");
    assert_eq!(ks.len(), 4);
    assert_eq!(
        rs,
        ["C1", "C2", "C3", "S1", "S2", "D1"],
        "no city roll-up under a district"
    );
    assert_eq!(
        e.coverage("U1", as_of).err(),
        Some(EngineError::UnknownScope("U1".into())),
        "a unit is not a scope"
    );
    assert!(matches!(
        e.gaps("nowhere", as_of),
        Err(EngineError::UnknownScope(_))
    ));
    let committees: Vec<&str> = e
        .scope_committees("S1")
        .expect("scope")
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(committees, ["K1", "K2", "K3"]);
    assert!(e.scope_committees("zzz").is_err());
}

#[test]
fn place_of_follows_the_hierarchy() {
    let e = network();
    let chain = |d: Option<&str>, s: Option<&str>, c: Option<&str>, k: Option<&str>| Place {
        district: d.map(Into::into),
        street: s.map(Into::into),
        community: c.map(Into::into),
        committee: k.map(Into::into),
    };
    let k1 = chain(Some("D1"), Some("S1"), Some("C1"), Some("K1"));
    assert_eq!(e.place_of("K1"), Some(k1.clone()));
    assert_eq!(e.place_of("A1"), Some(k1.clone()), "registered member");
    assert_eq!(
        e.place_of("P1"),
        Some(k1.clone()),
        "party org: what it leads"
    );
    assert_eq!(e.place_of("N1"), Some(k1.clone()), "need: its committee");
    let s1 = chain(Some("D1"), Some("S1"), None, None);
    assert_eq!(
        e.place_of("A3"),
        None,
        "a member registered nowhere has no place (fail closed), whatever their employer"
    );
    assert_eq!(e.place_of("P0"), Some(s1.clone()));
    assert_eq!(e.place_of("U1"), Some(s1));
    let s2 = chain(Some("D1"), Some("S2"), None, None);
    assert_eq!(e.place_of("R1"), Some(s2.clone()), "resource: its provider");
    assert_eq!(e.place_of("H4"), Some(s2), "partnership: its target");
    assert_eq!(
        e.place_of("H3"),
        Some(chain(Some("D1"), Some("S1"), Some("C1"), None))
    );
    assert_eq!(e.place_of("D1"), Some(chain(Some("D1"), None, None, None)));
    assert_eq!(e.place_of("M1"), None, "mass orgs are city-wide");
    assert_eq!(e.place_of("nobody"), None);
}

#[test]
fn one_placement_rule_decides_subtrees_and_fails_closed() {
    let e = network();
    // Inside: the chain below a street or district.
    for id in [
        "S1", "C1", "K1", "K3", "U1", "P0", "P1", "A1", "N1", "H1", "H3",
    ] {
        assert!(e.within(id, "S1"), "{id} is inside S1");
        assert!(e.within(id, "D1"), "{id} is inside D1");
    }
    for id in ["S2", "C3", "K4", "U3", "A4", "R1", "H4"] {
        assert!(!e.within(id, "S1"), "{id} is outside S1");
        assert!(e.within(id, "S2"), "{id} is inside S2");
    }
    // What has no place is inside nothing: a member registered nowhere (even if their
    // employer is in S1), a mass org, an unknown id.
    for id in ["A3", "M1", "nobody"] {
        assert!(!e.within(id, "S1") && !e.within(id, "D1"), "{id}");
    }
    // Only streets and districts are subtrees; `city` is no wildcard.
    assert!(!e.within("K1", "C1") && !e.within("K1", "K1"));
    assert!(!e.within("K1", "city") && !e.is_subtree("city"));
    assert!(e.is_subtree("S1") && e.is_subtree("D1") && !e.is_subtree("C1"));
    // Touching from outside: the district above, a unit partnering inside (at any date:
    // U4's partnership with K3 starts after as_of), never a member.
    assert!(e.touches("D1", "S1"));
    assert!(e.touches("U4", "S1"), "U4 partners K3 in S1");
    assert!(!e.touches("U3", "S1"), "U3 only partners S2");
    assert!(!e.touches("A4", "S1") && !e.touches("K4", "S1"));
    assert!(e.is_city_wide("M1") && !e.is_city_wide("U1"));
    assert!(e.visible_from("M1", "S1") && e.visible_from("U4", "S1"));
    assert!(!e.visible_from("U3", "S1") && !e.visible_from("A3", "S1"));
    assert!(e.is_id("A3") && !e.is_id("nobody"));
}
