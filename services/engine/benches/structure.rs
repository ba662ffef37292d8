//! Benchmarks of checklists, brokers and areas on a Shanghai-scale network generated here
//! (16 districts, 208 streets, 624 communities, 6,240 committees, 12,480 units). Targets:
//! a street subtree checklist ≤ 100 ms, district brokers ≤ 5 s.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use dangjian_engine::Engine;
use dangjian_model::{
    Adjacency, Bundle, Committee, Community, District, ItemStatus, MassLink, MassOrg, MassOrgType,
    Member, Need, Partnership, PartyOrg, PartyOrgLevel, Resource, Responsibility, ServiceDomain,
    Street, StreetKind, Unit, UnitCategory,
};
use std::hint::black_box;

/// A small deterministic generator (splitmix64), so the bench needs no RNG crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const DISTRICTS: usize = 16;
const STREETS_PER_DISTRICT: usize = 13;
const COMMUNITIES_PER_STREET: usize = 3;
const COMMITTEES_PER_COMMUNITY: usize = 10;
const UNITS_PER_STREET: usize = 60;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn org(id: String, level: PartyOrgLevel, parent: Option<String>, leads: String) -> PartyOrg {
    PartyOrg {
        name: format!("{id}党组织"),
        secretary: format!("{id}书记"),
        id,
        level,
        parent,
        leads,
    }
}

/// The Shanghai-scale network; committees of a street form a 2 × 15 grid of neighbours.
fn shanghai() -> Bundle {
    let mut rng = Rng(20_240_601);
    let mut b = Bundle::default();
    for t in [
        MassOrgType::Union,
        MassOrgType::YouthLeague,
        MassOrgType::WomenFederation,
    ] {
        b.mass_orgs.push(MassOrg {
            id: format!("MO-{t:?}"),
            name: format!("{t:?}"),
            kind: t,
        });
    }
    for di in 0..DISTRICTS {
        let district = format!("D{di}");
        b.districts.push(District {
            id: district.clone(),
            name: format!("第{di}区"),
        });
        for si in 0..STREETS_PER_DISTRICT {
            let street = format!("{district}-S{si}");
            b.streets.push(Street {
                id: street.clone(),
                name: format!("{street}街道"),
                district: district.clone(),
                kind: if si % 3 == 0 {
                    StreetKind::Town
                } else {
                    StreetKind::Street
                },
            });
            let street_org = format!("PO-{street}");
            b.party_orgs.push(org(
                street_org.clone(),
                PartyOrgLevel::WorkingCommittee,
                None,
                street.clone(),
            ));
            for mo in ["MO-Union", "MO-YouthLeague", "MO-WomenFederation"] {
                if rng.chance(70) {
                    b.mass_links.push(MassLink {
                        mass_org: mo.into(),
                        target: street.clone(),
                        domain: ServiceDomain::Employment,
                    });
                }
            }
            let mut street_committees = Vec::new();
            for ci in 0..COMMUNITIES_PER_STREET {
                let community = format!("{street}-C{ci}");
                b.communities.push(Community {
                    id: community.clone(),
                    name: format!("{community}社区"),
                    street: street.clone(),
                });
                let community_org = format!("PO-{community}");
                b.party_orgs.push(org(
                    community_org.clone(),
                    PartyOrgLevel::Committee,
                    Some(street_org.clone()),
                    community.clone(),
                ));
                for ki in 0..COMMITTEES_PER_COMMUNITY {
                    let committee = format!("{community}-K{ki}");
                    b.committees.push(Committee {
                        id: committee.clone(),
                        name: format!("{committee}居委会"),
                        community: community.clone(),
                        households: 500 + rng.below(2500) as u64,
                    });
                    if rng.chance(95) {
                        let o = format!("PO-{committee}");
                        b.party_orgs.push(org(
                            o.clone(),
                            PartyOrgLevel::GeneralBranch,
                            Some(community_org.clone()),
                            committee.clone(),
                        ));
                        for r in 0..2 {
                            b.responsibilities.push(Responsibility {
                                id: format!("RS-{committee}-{r}"),
                                party_org: o.clone(),
                                item: "组织在职党员报到".into(),
                                due: Some(date(2024, 6 + r, 1 + rng.below(28) as u32)),
                                status: if rng.chance(30) {
                                    ItemStatus::Done
                                } else {
                                    ItemStatus::Open
                                },
                            });
                        }
                    }
                    for m in 0..rng.below(6) {
                        b.members.push(Member {
                            id: format!("M-{committee}-{m}"),
                            name: "党员".into(),
                            birth_year: 1960 + rng.below(45) as i32,
                            employer: None,
                            registered_at: Some(committee.clone()),
                            skills: vec![],
                        });
                    }
                    for n in 0..3 {
                        b.needs.push(Need {
                            id: format!("N-{committee}-{n}"),
                            committee: committee.clone(),
                            domain: ServiceDomain::ALL[rng.below(12)],
                            demand: 1 + rng.below(50) as u64,
                        });
                    }
                    street_committees.push(committee);
                }
            }
            // Neighbours: a 2-row grid along the street.
            let half = street_committees.len() / 2;
            for i in 0..street_committees.len() {
                let row_next = i + 1;
                if row_next % half != 0 && row_next < street_committees.len() {
                    b.adjacency.push(Adjacency {
                        a: street_committees[i].clone(),
                        b: street_committees[row_next].clone(),
                    });
                }
                if i < half {
                    b.adjacency.push(Adjacency {
                        a: street_committees[i].clone(),
                        b: street_committees[i + half].clone(),
                    });
                }
            }
            for ui in 0..UNITS_PER_STREET {
                let unit = format!("{street}-U{ui}");
                b.units.push(Unit {
                    id: unit.clone(),
                    name: format!("{unit}单位"),
                    category: UnitCategory::Enterprise,
                    industry: "服务".into(),
                    street: street.clone(),
                });
                if rng.chance(30) {
                    b.party_orgs.push(org(
                        format!("PO-{unit}"),
                        PartyOrgLevel::Branch,
                        Some(street_org.clone()),
                        unit.clone(),
                    ));
                }
                for p in 0..1 + rng.below(3) {
                    // Mostly the home street; one in ten elsewhere in the district.
                    let s = if rng.chance(10) {
                        format!("{district}-S{}", rng.below(STREETS_PER_DISTRICT))
                    } else {
                        street.clone()
                    };
                    let c = format!("{s}-C{}", rng.below(COMMUNITIES_PER_STREET));
                    let k = format!("{c}-K{}", rng.below(COMMITTEES_PER_COMMUNITY));
                    let roll = rng.below(100);
                    let target = if roll < 20 {
                        s
                    } else if roll < 50 {
                        c
                    } else {
                        k
                    };
                    b.partnerships.push(Partnership {
                        id: format!("PS-{unit}-{p}"),
                        unit: unit.clone(),
                        target,
                        signed: date(2020 + rng.below(4) as i32, 1, 1),
                        expires: if rng.chance(50) {
                            Some(date(
                                2024 + rng.below(3) as i32,
                                1 + rng.below(12) as u32,
                                1,
                            ))
                        } else {
                            None
                        },
                    });
                }
                if rng.chance(50) {
                    b.resources.push(Resource {
                        id: format!("R-{unit}"),
                        name: "服务".into(),
                        provider: unit.clone(),
                        domain: ServiceDomain::ALL[rng.below(12)],
                        capacity: 10 + rng.below(100) as u64,
                        deployed_to: None,
                    });
                }
            }
        }
    }
    b
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(shanghai());
    let as_of = date(2024, 6, 1);
    let mut g = c.benchmark_group("structure");
    g.sample_size(10);
    g.bench_function("checklist street subtree", |bn| {
        bn.iter(|| black_box(engine.checklist("PO-D3-S4", true, as_of)))
    });
    g.bench_function("checklist committee", |bn| {
        bn.iter(|| black_box(engine.checklist("PO-D3-S4-C1-K2", false, as_of)))
    });
    g.bench_function("brokers district", |bn| {
        bn.iter(|| black_box(engine.brokers("D3", as_of, 20)))
    });
    g.bench_function("areas district", |bn| {
        bn.iter(|| black_box(engine.areas("D3", as_of)))
    });
    g.bench_function("areas city", |bn| {
        bn.iter(|| black_box(engine.areas("city", as_of)))
    });
    g.finish();
    let mut slow = c.benchmark_group("structure-city");
    slow.sample_size(10);
    slow.bench_function("brokers city", |bn| {
        bn.iter(|| black_box(engine.brokers("city", as_of, 20)))
    });
    slow.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
