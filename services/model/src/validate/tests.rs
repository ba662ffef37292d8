//! Tests of whole-bundle validation and of the upsert path against it.

use super::upserts::upsert_problems;
use super::*;

fn d(s: &str) -> Date {
    s.parse().expect("test date")
}

/// A small valid bundle touching every table.
pub(crate) fn sample() -> Bundle {
    let text = include_str!("../../../../testdata/validate-sample.json");
    serde_json::from_str(text).expect("testdata/validate-sample.json is a bundle")
}

fn problems(b: &Bundle) -> Vec<Problem> {
    validate(b).err().map(|p| p.0).unwrap_or_default()
}

fn has(ps: &[Problem], location: &str, field: &str, needle: &str) -> bool {
    ps.iter().any(|p| {
        p.location == location && p.field.as_deref() == Some(field) && p.message.contains(needle)
    })
}

/// Asserts that `ps` are as many problems as `expected` lists and has each of them, written
/// `location|field|part of the message`.
fn assert_exactly(ps: &[Problem], expected: &[&str]) {
    for line in expected {
        let [loc, field, needle] = line.splitn(3, '|').collect::<Vec<_>>()[..] else {
            panic!("{line}: location|field|needle");
        };
        assert!(
            has(ps, loc, field, needle),
            "missing {loc} {field} {needle}: {ps:#?}"
        );
    }
    assert_eq!(ps.len(), expected.len(), "{ps:#?}");
}

#[test]
fn sample_is_valid() {
    assert_eq!(validate(&sample()), Ok(()));
}

#[test]
fn duplicate_ids_within_and_across_tables() {
    let mut b = sample();
    b.units[0].id = "K2".into();
    let first = b.members[0].clone();
    b.members.push(Member {
        id: "E1".into(),
        ..first
    });
    let ps = problems(&b);
    assert!(has(&ps, "/units/0", "id", "/committees/1"), "{ps:#?}");
    assert!(has(&ps, "/members/1", "id", "duplicate id `E1`"), "{ps:#?}");
}

#[test]
fn empty_ids_and_names() {
    let mut b = sample();
    b.districts.push(District {
        id: "".into(),
        name: "".into(),
    });
    b.mass_orgs[0].name = " ".into();
    b.responsibilities[0].item = "".into();
    let ps = problems(&b);
    assert!(has(&ps, "/districts/1", "id", "id is empty"), "{ps:#?}");
    assert!(has(&ps, "/districts/1", "name", "empty"), "{ps:#?}");
    assert!(has(&ps, "/mass_orgs/0", "name", "empty"), "{ps:#?}");
    assert!(has(&ps, "/responsibilities/0", "item", "empty"), "{ps:#?}");
}

#[test]
fn every_reference_kind_is_checked() {
    let mut b = sample();
    b.streets[0].district = "nope".into();
    b.communities[0].street = "D1".into();
    b.committees[0].community = "S1".into();
    b.adjacency.push(Adjacency {
        a: "C1".into(),
        b: "K9".into(),
    });
    b.party_orgs[1].parent = Some("K1".into());
    b.party_orgs[0].leads = "E1".into();
    b.units[0].street = "C1".into();
    b.social_orgs[0].street = "x".into();
    b.members[0].employer = Some("O1".into());
    b.members[0].registered_at = Some("C1".into());
    b.partnerships[0].unit = "M1".into();
    b.partnerships[0].target = "D1".into();
    b.mass_links[0].mass_org = "U1".into();
    b.mass_links[0].target = "U1".into();
    b.resources[0].provider = "K1".into();
    b.resources[0].deployed_to = Some(vec!["K1".into(), "C1".into()]);
    b.needs[0].committee = "".into();
    b.projects[0].committee = "N1".into();
    b.projects[0].needs = vec!["R1".into()];
    b.projects[0].resources = vec!["N1".into()];
    b.volunteering[0].member = "U1".into();
    b.volunteering[0].committee = "zz".into();
    b.responsibilities[0].party_org = "S1".into();
    let ps = problems(&b);
    let expected = [
        "/streets/0|district|no district has that id",
        "/communities/0|street|which is a district (/districts/0), not a street",
        "/committees/0|community|not a community",
        "/adjacency/1|a|not a committee",
        "/adjacency/1|b|no committee",
        "/party_orgs/1|parent|not a party org",
        "/party_orgs/0|leads|not a street, community, committee or unit",
        "/units/0|street|not a street",
        "/social_orgs/0|street|no street",
        "/members/0|employer|not a unit",
        "/members/0|registered_at|not a committee",
        "/partnerships/0|unit|not a unit",
        "/partnerships/0|target|not a street, community or committee",
        "/mass_links/0|mass_org|not a mass org",
        "/mass_links/0|target|which is a unit",
        "/resources/0|provider|not a unit, mass org, social org, street or community",
        "/resources/0|deployed_to|`C1`",
        "/needs/0|committee|is empty",
        "/projects/0|committee|not a committee",
        "/projects/0|needs|not a need",
        "/projects/0|resources|not a resource",
        "/volunteering/0|member|not a member",
        "/volunteering/0|committee|no committee",
        "/responsibilities/0|party_org|not a party org",
    ];
    assert_exactly(&ps, &expected);
    // Ordered by table, then row.
    assert_eq!(ps[0].table, "streets");
    assert_eq!(
        ps.last().map(|p| p.table.as_str()),
        Some("responsibilities")
    );
}

#[test]
fn adjacency_to_itself() {
    let mut b = sample();
    b.adjacency[0].b = "K1".into();
    assert!(has(
        &problems(&b),
        "/adjacency/0",
        "b",
        "cannot border itself"
    ));
}

#[test]
fn party_org_cycles_reported_once_per_org() {
    let mut b = sample();
    let org = |id: &str, parent: &str| PartyOrg {
        id: id.into(),
        name: format!("{id}党支部"),
        level: PartyOrgLevel::Branch,
        parent: Some(parent.into()),
        leads: "K2".into(),
        secretary: "赵".into(),
    };
    b.party_orgs.push(org("A", "B"));
    b.party_orgs.push(org("B", "C"));
    b.party_orgs.push(org("C", "A"));
    b.party_orgs.push(org("X", "A")); // leads into the cycle, not on it
    b.party_orgs.push(org("Y", "Y"));
    let ps = problems(&b);
    let cyc: Vec<_> = ps.iter().filter(|p| p.message.contains("cycle")).collect();
    assert_eq!(cyc.len(), 4, "{ps:#?}");
    for loc in [
        "/party_orgs/2",
        "/party_orgs/3",
        "/party_orgs/4",
        "/party_orgs/6",
    ] {
        assert!(cyc.iter().any(|p| p.location == loc), "{loc}: {ps:#?}");
    }
    assert!(
        cyc.iter().any(|p| p.message.contains("A → B → C → A")),
        "{ps:#?}"
    );
}

#[test]
fn dates_and_quantities() {
    let mut b = sample();
    b.partnerships[0].expires = Some(d("2023-12-31"));
    b.resources[0].capacity = 0;
    b.needs[0].demand = 0;
    b.volunteering[0].hours = -1.0;
    let first = b.volunteering[0].clone();
    b.volunteering.push(Volunteering {
        hours: f64::NAN,
        ..first
    });
    b.members[0].birth_year = 1850;
    b.social_orgs[0].domains.clear();
    let expected = [
        "/partnerships/0|expires|must be after signed",
        "/resources/0|capacity|greater than 0",
        "/needs/0|demand|greater than 0",
        "/volunteering/0|hours|≥ 0",
        "/volunteering/1|hours|finite",
        "/members/0|birth_year|1850",
        "/social_orgs/0|domains|empty",
    ];
    assert_exactly(&problems(&b), &expected);
}

#[test]
fn bounds_of_spec_2_are_enforced_at_the_limit_plus_one() {
    let mut b = sample();
    b.resources[0].capacity = MAX_CAPACITY;
    b.needs[0].demand = MAX_DEMAND;
    b.volunteering[0].hours = MAX_HOURS_PER_ROW;
    assert!(problems(&b).is_empty(), "{:#?}", problems(&b));
    b.resources[0].capacity = MAX_CAPACITY + 1;
    b.needs[0].demand = 7_000_000_000_000_000_000;
    b.volunteering[0].hours = 10_000.5;
    let expected = [
        "/resources/0|capacity|limit of 1000000000",
        "/needs/0|demand|7000000000000000000",
        "/volunteering/0|hours|10000.5",
    ];
    assert_exactly(&problems(&b), &expected);
}

#[test]
fn city_is_reserved_case_sensitively_in_validate_and_upsert() {
    // The sample with its street `S1` renamed everywhere.
    let renamed = |to: &str| -> Bundle {
        let text = serde_json::to_string(&sample()).expect("serialize");
        serde_json::from_str(&text.replace("\"S1\"", &format!("\"{to}\""))).expect("parse")
    };
    let ps = problems(&renamed("city"));
    assert!(has(&ps, "/streets/0", "id", "reserved"), "{ps:#?}");
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let ok = renamed("City");
    assert!(problems(&ok).is_empty(), "{:#?}", problems(&ok));
    // Added through an upsert too.
    let current = sample();
    let partial = Bundle {
        districts: (vec![District {
            id: "city".into(),
            name: "全市".into(),
        }])
        .into(),
        ..Bundle::default()
    };
    let ps = validate_upsert(&current, &partial)
        .expect_err("city refused")
        .0;
    assert!(has(&ps, "/districts/1", "id", "reserved"), "{ps:#?}");
}

#[test]
fn same_day_expiry_is_a_problem() {
    let mut b = sample();
    b.partnerships[0].expires = Some(b.partnerships[0].signed);
    assert!(has(&problems(&b), "/partnerships/0", "expires", "after"));
}

#[test]
fn rows_elsewhere_are_not_dangling() {
    let mut b = sample();
    b.needs[0].committee = "K7".into();
    assert_eq!(validation_problems(&b, &[("committees", "K7")]), vec![]);
    let ps = validation_problems(&b, &[("units", "K7")]);
    assert_eq!(ps.len(), 1);
    assert!(ps[0].message.contains("which is a unit (units)"), "{ps:#?}");
}

#[test]
fn a_large_bundle_validates() {
    let mut b = sample();
    let (member, volunteering) = (b.members[0].clone(), b.volunteering[0].clone());
    for i in 0..200_000 {
        b.members.push(Member {
            id: format!("m{i}").into(),
            ..member.clone()
        });
        b.volunteering.push(Volunteering {
            member: format!("m{i}").into(),
            ..volunteering.clone()
        });
    }
    // 400,000 more rows, all valid (how fast: `scripts/bench.sh`, "read + validate").
    assert_eq!(validate(&b), Ok(()));
    // One bad reference among them is still found, by its place.
    b.volunteering[150_000].member = "nobody".into();
    let problems = validate(&b).expect_err("a dangling member");
    assert_eq!(problems.0.len(), 1, "{problems:?}");
}

/// A small deterministic xorshift generator for the property test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'x, T>(&mut self, xs: &'x [T]) -> &'x T {
        &xs[self.below(xs.len())]
    }
}

/// Rewrites one field of a row (as JSON) to something that may or may not be valid.
fn mutate(rng: &mut Rng, row: &mut serde_json::Value, pool: &[String], same: &[String]) {
    let Some(obj) = row.as_object_mut() else {
        return;
    };
    let mut keys: Vec<String> = obj.keys().cloned().collect();
    keys.push("parent".into());
    let key = rng.pick(&keys).clone();
    let id = |rng: &mut Rng| -> String {
        match rng.below(10) {
            0 => String::new(),
            1 => " ".into(),
            2 => format!("new{}", rng.below(4)),
            3..=5 if !same.is_empty() => rng.pick(same).clone(),
            _ => rng.pick(pool).clone(),
        }
    };
    let value = match obj.get(&key) {
        Some(serde_json::Value::String(_)) | None => serde_json::Value::String(id(rng)),
        Some(serde_json::Value::Array(a)) if a.iter().all(|x| x.is_string()) => {
            let mut a = a.clone();
            if a.is_empty() || rng.below(2) == 0 {
                a.push(id(rng).into());
            } else {
                a.clear();
            }
            a.into()
        }
        Some(serde_json::Value::Number(_)) => {
            serde_json::json!(rng.pick(&[0.0, -1.0, 1850.0, 7.0, 1985.0, 3.5]))
        }
        Some(other) => other.clone(),
    };
    obj.insert(key, value);
}

/// Adds `row` to `table` of a partial bundle written as JSON.
fn push_row(
    partial: &mut serde_json::Map<String, serde_json::Value>,
    table: &str,
    row: serde_json::Value,
) {
    partial
        .entry(table)
        .or_insert_with(|| serde_json::Value::Array(vec![]))
        .as_array_mut()
        .expect("array")
        .push(row);
}

/// `validate_upsert` answers exactly as validating the merged whole does — same problems,
/// locations and order — over many random small partials of the Shanghai sample, valid
/// and invalid ones (dangling and wrong-kind references, empty and duplicate ids across
/// tables, field rules, party-org cycles, repeated id-less rows).
#[test]
fn validate_upsert_equals_validating_the_merged_whole() {
    let text = include_str!("../../../../seed/shanghai-sample.json");
    let current: Bundle = serde_json::from_str(text).expect("sample");
    assert_eq!(validate(&current), Ok(()));
    let whole = serde_json::to_value(&current).expect("json");
    let tables: Vec<(String, Vec<serde_json::Value>)> = whole
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_array().cloned().unwrap_or_default()))
        .filter(|(_, rows)| !rows.is_empty())
        .collect();
    let ids_in = |rows: &[serde_json::Value]| -> Vec<String> {
        rows.iter()
            .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string))
            .collect()
    };
    let pool: Vec<String> = tables.iter().flat_map(|(_, rows)| ids_in(rows)).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut ok, mut invalid, mut slow, mut cycles) = (0, 0, 0, 0);
    for round in 0..3000 {
        let mut partial = serde_json::Map::new();
        for _ in 0..1 + rng.below(3) {
            let (table, rows) = rng.pick(&tables);
            let mut row = rng.pick(rows).clone();
            let same = ids_in(rows);
            match rng.below(3) {
                // An existing row, changed.
                0 => {}
                // A new row.
                1 => {
                    if let Some(obj) = row.as_object_mut()
                        && obj.contains_key("id")
                    {
                        obj.insert("id".into(), format!("new{}", rng.below(4)).into());
                    }
                }
                // An existing row, unchanged or a copy (id-less rows dedupe).
                _ => {
                    push_row(&mut partial, table, row);
                    continue;
                }
            }
            for _ in 0..rng.below(3) {
                mutate(&mut rng, &mut row, &pool, &same);
            }
            // Now and then hang a party org under one of its children: a cycle.
            if table == "party_orgs" && rng.below(2) == 0 {
                let id = row.get("id").cloned();
                let children: Vec<&serde_json::Value> = rows
                    .iter()
                    .filter(|r| r.get("parent") == id.as_ref())
                    .collect();
                if !children.is_empty()
                    && let (Some(obj), Some(child)) =
                        (row.as_object_mut(), rng.pick(&children).get("id"))
                {
                    obj.insert("parent".into(), child.clone());
                }
            }
            push_row(&mut partial, table, row);
        }
        let Ok(partial) = serde_json::from_value::<Bundle>(partial.into()) else {
            continue;
        };
        let expected = validate(&current.merged(&partial));
        let got = validate_upsert(&current, &partial);
        assert_eq!(got, expected, "round {round}: partial {partial:#?}");
        let located = crate::merge::Scanned::of(&current);
        let got = validate_upsert_located(&current, &partial, &located);
        assert_eq!(
            got, expected,
            "round {round} (located): partial {partial:#?}"
        );
        if got.is_ok() {
            let mut merged = current.clone();
            let delta = merged.merge_located(partial.clone(), &located);
            assert_eq!(
                format!("{merged:?}"),
                format!("{:?}", current.merged(&partial)),
                "round {round}: located merge"
            );
            // The version before, kept as spares, brought up to date by the delta alone.
            let mut spares = Bundle::default();
            let mut deltas = crate::merge::Delta::default();
            let before = crate::merge::tests_deep_copy(&current);
            Bundle::keep_spares(&mut spares, &mut deltas, &before, delta);
            drop(before);
            let (next, _) = Bundle::from_spares(&merged, &mut spares, &deltas, &partial);
            assert_eq!(
                format!("{next:?}"),
                format!("{merged:?}"),
                "round {round}: catch-up"
            );
        }
        match upsert_problems(&current, &partial, None) {
            None => slow += 1,
            Some(ps) if ps.is_empty() => ok += 1,
            Some(ps) => {
                invalid += 1;
                if ps.iter().any(|p| p.message.contains("cycle")) {
                    cycles += 1;
                }
            }
        }
    }
    // Every path was exercised, mostly the incremental one.
    assert!(ok > 300, "{ok} valid");
    assert!(invalid > 300, "{invalid} invalid");
    assert!(cycles > 5, "{cycles} with cycles");
    assert!(slow > 20, "{slow} duplicate-id fallbacks");
}
