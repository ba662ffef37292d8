//! Incremental application (`Engine::with_rows`) against a whole rebuild: random sequences of
//! row writes (members, volunteering, needs, resources, partnerships, responsibilities, and a
//! hierarchy table that takes the fallback) on the conformance networks; after every write the
//! incremental engine's coverage, gaps and checklists at several scopes and dates serialise to
//! the same JSON as those of `Engine::new` on the merged bundle. The incremental engine's
//! allocation cache is warmed before each write, so carried-over domains are checked too.
//! Each write goes through the write path's located validation and merge (the engine as the
//! [`Locate`]), which must agree with validating and merging by scanning.

use chrono::NaiveDate;
use dangjian_engine::Engine;
use dangjian_model::*;
use proptest::prelude::*;

fn network(n: u32) -> Bundle {
    let path = format!("{}/tests/data/net-{n}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("conformance network");
    serde_json::from_str(&text).expect("bundle")
}

fn dates() -> [NaiveDate; 3] {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    [d(2024, 12, 31), d(2025, 6, 30), d(2026, 6, 30)]
}

/// Every document the property compares, as JSON: coverage and gaps for the city, the first
/// district, a street, a community and a committee; checklists (with subtree) of the root
/// party org and of one leading a committee; on three dates.
fn documents(e: &Engine, pick: usize) -> Vec<(String, String)> {
    let b = e.bundle();
    let at = |len: usize| pick % len.max(1);
    let mut scopes: Vec<Id> = vec!["city".into()];
    if let Some(d) = b.districts.first() {
        scopes.push(d.id.clone());
    }
    if !b.streets.is_empty() {
        scopes.push(b.streets[at(b.streets.len())].id.clone());
    }
    if !b.communities.is_empty() {
        scopes.push(b.communities[at(b.communities.len())].id.clone());
    }
    if !b.committees.is_empty() {
        scopes.push(b.committees[at(b.committees.len())].id.clone());
    }
    let mut orgs: Vec<Id> = b
        .party_orgs
        .iter()
        .filter(|o| o.parent.is_none())
        .map(|o| o.id.clone())
        .take(1)
        .collect();
    if let Some(o) = b
        .party_orgs
        .iter()
        .filter(|o| b.committees.iter().any(|k| k.id == o.leads))
        .nth(pick % 3)
    {
        orgs.push(o.id.clone());
    }
    let mut out = Vec::new();
    for as_of in dates() {
        for s in &scopes {
            let c = e.coverage(s, as_of).expect("coverage");
            out.push((format!("coverage {s} {as_of}"), json(&c)));
            let g = e.gaps(s, as_of).expect("gaps");
            out.push((format!("gaps {s} {as_of}"), json(&g)));
        }
        for o in &orgs {
            let c = e.checklist(o, true, as_of).expect("checklist");
            out.push((format!("checklist {o} {as_of}"), json(&c)));
        }
    }
    out
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("json")
}

/// One row of a write: (table, pick an existing row or make a new one, numbers to vary it).
#[derive(Debug, Clone)]
struct RowSpec {
    table: u8,
    update: bool,
    picks: [usize; 4],
    amount: u64,
}

fn row_spec() -> impl Strategy<Value = RowSpec> {
    (
        0u8..7,
        any::<bool>(),
        prop::array::uniform4(0usize..1000),
        1u64..40,
    )
        .prop_map(|(table, update, picks, amount)| RowSpec {
            table,
            update,
            picks,
            amount,
        })
}

/// The `x`th existing row of `rows` when the spec updates and there is one, else `new()`.
fn existing_or<T: Clone>(r: &RowSpec, rows: &[T], x: usize, new: impl FnOnce() -> T) -> T {
    match rows.get(x % rows.len().max(1)) {
        Some(row) if r.update => row.clone(),
        _ => new(),
    }
}

fn date_from(pick: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new((pick % 1000) as u64)
}

/// The partial bundle of one write, built against the current network so that its references
/// hold (a row that would still be invalid is caught by validation and the write skipped).
fn partial(b: &Bundle, rows: &[RowSpec], serial: &mut u32) -> Bundle {
    let mut p = Bundle::default();
    let domain = |x: usize| {
        // Mostly the domains the network uses, so allocations interact.
        let used: Vec<ServiceDomain> = b.needs.iter().map(|n| n.domain).collect();
        if !x.is_multiple_of(5) && !used.is_empty() {
            used[x % used.len()]
        } else {
            ServiceDomain::ALL[x % 12]
        }
    };
    let pick = |len: usize, x: usize| x % len.max(1);
    for r in rows {
        *serial += 1;
        let [a, c, d, e] = r.picks;
        let committee = b.committees[pick(b.committees.len(), a)].id.clone();
        match r.table {
            0 => {
                let mut m = existing_or(r, &b.members, a, || Member {
                    id: format!("TM{serial}").into(),
                    name: "测试".into(),
                    birth_year: 1960,
                    employer: None,
                    registered_at: None,
                    skills: vec![],
                });
                m.birth_year = 1950 + (c % 50) as i32;
                m.registered_at = (!d.is_multiple_of(3)).then(|| committee.clone());
                p.members.push(m);
            }
            1 => {
                if r.update && !b.volunteering.is_empty() {
                    // A row already present: the merge must not add it again.
                    p.volunteering
                        .push(b.volunteering[pick(b.volunteering.len(), e)].clone());
                }
                let n = 1 + e % 3;
                for i in 0..n {
                    let member = if b.members.is_empty() {
                        continue;
                    } else {
                        b.members[pick(b.members.len(), c + i)].id.clone()
                    };
                    p.volunteering.push(Volunteering {
                        member,
                        committee: b.committees[pick(b.committees.len(), a + i)].id.clone(),
                        domain: domain(d),
                        hours: (r.amount as f64) / 2.0,
                        date: date_from(c * 7 + i),
                    });
                }
            }
            2 => {
                let mut n = existing_or(r, &b.needs, c, || Need {
                    id: format!("TN{serial}").into(),
                    committee: committee.clone(),
                    domain: domain(d),
                    demand: 1,
                });
                n.demand = r.amount;
                if e.is_multiple_of(2) {
                    n.domain = domain(d);
                }
                if e.is_multiple_of(3) {
                    n.committee = committee.clone();
                }
                p.needs.push(n);
            }
            3 => {
                let providers: Vec<Id> = b
                    .units
                    .iter()
                    .map(|u| u.id.clone())
                    .chain(b.social_orgs.iter().map(|o| o.id.clone()))
                    .chain(b.mass_orgs.iter().map(|o| o.id.clone()))
                    .chain(b.streets.iter().map(|s| s.id.clone()))
                    .collect();
                let mut res = existing_or(r, &b.resources, c, || Resource {
                    id: format!("TR{serial}").into(),
                    name: "测试资源".into(),
                    provider: providers[pick(providers.len(), a)].clone(),
                    domain: domain(d),
                    capacity: 1,
                    deployed_to: None,
                });
                res.capacity = r.amount;
                if e.is_multiple_of(2) {
                    res.domain = domain(d);
                }
                if e.is_multiple_of(3) {
                    res.provider = providers[pick(providers.len(), a)].clone();
                }
                if e.is_multiple_of(5) {
                    res.deployed_to = Some(vec![committee.clone()]);
                }
                p.resources.push(res);
            }
            4 => {
                let targets: Vec<Id> = b
                    .streets
                    .iter()
                    .map(|s| s.id.clone())
                    .chain(b.communities.iter().map(|c| c.id.clone()))
                    .chain(b.committees.iter().map(|k| k.id.clone()))
                    .collect();
                let mut s = existing_or(r, &b.partnerships, c, || Partnership {
                    id: format!("TP{serial}").into(),
                    unit: b.units[pick(b.units.len(), a)].id.clone(),
                    target: targets[pick(targets.len(), d)].clone(),
                    signed: date_from(c),
                    expires: None,
                });
                s.signed = date_from(c);
                s.expires = e.is_multiple_of(2).then(|| date_from(c + 100 + e));
                if e.is_multiple_of(3) {
                    s.target = targets[pick(targets.len(), d)].clone();
                }
                p.partnerships.push(s);
            }
            5 => {
                let mut x = existing_or(r, &b.responsibilities, c, || Responsibility {
                    id: format!("TQ{serial}").into(),
                    party_org: b.party_orgs[pick(b.party_orgs.len(), a)].id.clone(),
                    item: "测试事项".into(),
                    due: None,
                    status: ItemStatus::Open,
                });
                x.due = e.is_multiple_of(2).then(|| date_from(d));
                x.status = if c.is_multiple_of(2) {
                    ItemStatus::Open
                } else {
                    ItemStatus::Done
                };
                p.responsibilities.push(x);
            }
            _ => {
                // A hierarchy table: the fallback to a whole rebuild.
                let other = b.committees[pick(b.committees.len(), c)].id.clone();
                if other != committee {
                    p.adjacency.push(Adjacency {
                        a: committee.clone(),
                        b: other,
                    });
                }
            }
        }
    }
    p
}

fn writes() -> impl Strategy<Value = (u32, usize, Vec<Vec<RowSpec>>)> {
    (
        1001u32..1003,
        0usize..1000,
        prop::collection::vec(prop::collection::vec(row_spec(), 1..5), 1..6),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn incremental_writes_equal_a_rebuild_document_for_document(
        (net, pick, sequence) in writes()
    ) {
        let mut bundle = network(net);
        let mut live = Engine::new(bundle.clone());
        let mut serial = 0;
        let mut applied = 0;
        for rows in &sequence {
            // Warm the allocation cache of the version the write starts from.
            let _ = documents(&live, pick);
            let p = partial(&bundle, rows, &mut serial);
            let merged = bundle.merged(&p);
            // The write path's located validation and merge (the engine answers where rows
            // sit) agree with the scanning ones.
            let valid = validate(&merged).is_ok();
            let located = validate::validate_upsert_located(live.bundle(), &p, &live);
            prop_assert_eq!(located.is_ok(), valid, "located validation of {:?}", p);
            if !valid {
                continue;
            }
            let mut whole = live.bundle().clone();
            whole.merge_located(p.clone(), &live);
            prop_assert_eq!(&whole, &merged);
            let next = live.with_merged(whole, &p);
            prop_assert_eq!(next.bundle(), &merged);
            let rebuilt = Engine::new(merged.clone());
            let got = documents(&next, pick);
            let want = documents(&rebuilt, pick);
            prop_assert_eq!(got.len(), want.len());
            for ((name, g), (_, w)) in got.iter().zip(&want) {
                prop_assert!(g == w, "{} differs after write {:?}", name, p);
            }
            // The version the write started from is unchanged (readers keep it).
            prop_assert_eq!(live.bundle(), &bundle);
            bundle = merged;
            live = next;
            applied += 1;
        }
        // Most generated writes are valid; a sequence with none applied checks nothing.
        prop_assume!(applied > 0);
    }
}

/// A batch of volunteering rows and a new member who volunteers in the same write: hours and
/// volunteers show in the committee's coverage exactly as after a rebuild.
#[test]
fn a_volunteering_batch_with_a_new_member_equals_a_rebuild() {
    let bundle = network(1002);
    let engine = Engine::new(bundle.clone());
    let k = bundle.committees[3].id.clone();
    let mut p = Bundle::default();
    p.members.push(Member {
        id: "NEW-MEMBER".into(),
        name: "新党员".into(),
        birth_year: 1990,
        employer: None,
        registered_at: Some(k.clone()),
        skills: vec![],
    });
    for i in 0..200u64 {
        p.volunteering.push(Volunteering {
            member: if i.is_multiple_of(2) {
                "NEW-MEMBER".into()
            } else {
                bundle.members[(i as usize) % bundle.members.len()]
                    .id
                    .clone()
            },
            committee: bundle.committees[(i as usize) % bundle.committees.len()]
                .id
                .clone(),
            domain: ServiceDomain::ALL[(i % 12) as usize],
            hours: 1.5,
            date: date_from(400 + i as usize),
        });
    }
    let merged = bundle.merged(&p);
    validate(&merged).expect("the batch is valid");
    let next = engine.with_rows(&p);
    let rebuilt = Engine::new(merged);
    for as_of in dates() {
        let got =
            serde_json::to_string(&next.coverage(&k, as_of).expect("coverage")).expect("json");
        let want =
            serde_json::to_string(&rebuilt.coverage(&k, as_of).expect("coverage")).expect("json");
        assert_eq!(got, want, "{as_of}");
        let before =
            serde_json::to_string(&engine.coverage(&k, as_of).expect("coverage")).expect("json");
        if as_of == dates()[2] {
            assert_ne!(got, before, "the batch changes the committee's coverage");
        }
    }
    assert_eq!(
        next.place_of("NEW-MEMBER").and_then(|p| p.committee),
        Some(k)
    );
}
