//! Benchmarks of the engine on a synthetic Shanghai-scale network (~6,000 committees, 40k units,
//! 700k members, 120k partnerships, 100k resources, 50k needs, 1M volunteering rows), generated
//! in-process with seeded loops: `Engine::new`, full-city coverage and gaps, one street's gaps.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use dangjian_engine::Engine;
use dangjian_model::*;
use std::hint::black_box;
use std::time::Instant;

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

fn day(base: NaiveDate, rng: &mut Rng, span: usize) -> NaiveDate {
    base + chrono::Days::new(rng.below(span) as u64)
}

/// A Shanghai-scale bundle: 16 districts, 215 streets, 6 communities each, 6,000 committees.
fn shanghai() -> Bundle {
    let mut rng = Rng(20260630);
    let mut b = Bundle::default();
    let (nd, ns, per_street, nk) = (16, 215, 6, 6000);
    for d in 0..nd {
        b.districts.push(District {
            id: format!("D{d}"),
            name: format!("第{d}区"),
        });
    }
    for s in 0..ns {
        b.streets.push(Street {
            id: format!("S{s}"),
            name: format!("街道{s}"),
            district: format!("D{}", s % nd),
            kind: if s % 3 == 0 {
                StreetKind::Town
            } else {
                StreetKind::Street
            },
        });
    }
    let nm = ns * per_street;
    for c in 0..nm {
        b.communities.push(Community {
            id: format!("C{c}"),
            name: format!("社区{c}"),
            street: format!("S{}", c / per_street),
        });
    }
    // Committees in contiguous runs per community, so a street's committees are contiguous.
    let community_of = |k: usize| k * nm / nk;
    for k in 0..nk {
        b.committees.push(Committee {
            id: format!("K{k}"),
            name: format!("居委会{k}"),
            community: format!("C{}", community_of(k)),
            households: if k % 97 == 0 {
                0
            } else {
                300 + rng.below(3000) as u64
            },
        });
    }
    let street_of = |k: usize| community_of(k) / per_street;
    let street_committees: Vec<Vec<usize>> = {
        let mut v = vec![Vec::new(); ns];
        for k in 0..nk {
            v[street_of(k)].push(k);
        }
        v
    };
    for k in 0..nk {
        if k + 1 < nk {
            b.adjacency.push(Adjacency {
                a: format!("K{k}"),
                b: format!("K{}", k + 1),
            });
        }
        let list = &street_committees[street_of(k)];
        let other = list[rng.below(list.len())];
        if other != k {
            b.adjacency.push(Adjacency {
                a: format!("K{k}"),
                b: format!("K{other}"),
            });
        }
    }
    for s in 0..ns {
        b.party_orgs.push(PartyOrg {
            id: format!("PS{s}"),
            name: format!("街道{s}党工委"),
            level: PartyOrgLevel::WorkingCommittee,
            parent: None,
            leads: format!("S{s}"),
            secretary: format!("书记S{s}"),
        });
    }
    for c in 0..nm {
        b.party_orgs.push(PartyOrg {
            id: format!("PC{c}"),
            name: format!("社区{c}党委"),
            level: PartyOrgLevel::Committee,
            parent: Some(format!("PS{}", c / per_street)),
            leads: format!("C{c}"),
            secretary: format!("书记C{c}"),
        });
    }
    for k in 0..nk {
        if rng.chance(92) {
            b.party_orgs.push(PartyOrg {
                id: format!("PK{k}"),
                name: format!("居民区{k}党总支"),
                level: PartyOrgLevel::GeneralBranch,
                parent: Some(format!("PC{}", community_of(k))),
                leads: format!("K{k}"),
                secretary: format!("书记K{k}"),
            });
        }
    }
    let nu = 40_000;
    let unit_street: Vec<usize> = (0..nu).map(|_| rng.below(ns)).collect();
    for (u, s) in unit_street.iter().enumerate() {
        b.units.push(Unit {
            id: format!("U{u}"),
            name: format!("单位{u}"),
            category: UnitCategory::Enterprise,
            industry: "服务业".into(),
            street: format!("S{s}"),
        });
    }
    let types = [
        MassOrgType::Union,
        MassOrgType::YouthLeague,
        MassOrgType::WomenFederation,
        MassOrgType::Other,
    ];
    for m in 0..64 {
        b.mass_orgs.push(MassOrg {
            id: format!("M{m}"),
            name: format!("群团{m}"),
            kind: types[m % 4],
        });
    }
    for _ in 0..6000 {
        let k = rng.below(nk);
        let target = match rng.below(3) {
            0 => format!("S{}", street_of(k)),
            1 => format!("C{}", community_of(k)),
            _ => format!("K{k}"),
        };
        b.mass_links.push(MassLink {
            mass_org: format!("M{}", rng.below(64)),
            target,
            domain: ServiceDomain::ALL[rng.below(12)],
        });
    }
    for o in 0..2000 {
        b.social_orgs.push(SocialOrg {
            id: format!("O{o}"),
            name: format!("社会组织{o}"),
            street: format!("S{}", rng.below(ns)),
            domains: vec![ServiceDomain::ALL[rng.below(12)]],
        });
    }
    for m in 0..700_000 {
        b.members.push(Member {
            id: format!("P{m}"),
            name: format!("党员{m}"),
            birth_year: 1955 + rng.below(50) as i32,
            employer: rng.chance(80).then(|| format!("U{}", rng.below(nu))),
            registered_at: rng.chance(70).then(|| format!("K{}", rng.below(nk))),
            skills: Vec::new(),
        });
    }
    let d2018 = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default();
    for p in 0..120_000 {
        let u = rng.below(nu);
        let list = &street_committees[unit_street[u]];
        let k = list[rng.below(list.len())];
        let target = match rng.below(10) {
            0 | 1 => format!("S{}", street_of(k)),
            2..=4 => format!("C{}", community_of(k)),
            _ => format!("K{k}"),
        };
        let signed = day(d2018, &mut rng, 3300);
        let expires = rng
            .chance(30)
            .then(|| signed + chrono::Days::new(365 + rng.below(2000) as u64));
        b.partnerships.push(Partnership {
            id: format!("H{p}"),
            unit: format!("U{u}"),
            target,
            signed,
            expires,
        });
    }
    for r in 0..100_000 {
        let provider = match rng.below(20) {
            0..=13 => format!("U{}", rng.below(nu)),
            14 | 15 => format!("O{}", rng.below(2000)),
            16 | 17 => format!("M{}", rng.below(64)),
            18 => format!("S{}", rng.below(ns)),
            _ => format!("C{}", rng.below(nm)),
        };
        let deployed_to = rng.chance(10).then(|| {
            (0..1 + rng.below(3))
                .map(|_| format!("K{}", rng.below(nk)))
                .collect()
        });
        b.resources.push(Resource {
            id: format!("R{r}"),
            name: format!("资源{r}"),
            provider,
            domain: ServiceDomain::ALL[rng.below(12)],
            capacity: 1 + rng.below(100) as u64,
            deployed_to,
        });
    }
    for n in 0..50_000 {
        b.needs.push(Need {
            id: format!("N{n}"),
            committee: format!("K{}", rng.below(nk)),
            domain: ServiceDomain::ALL[rng.below(12)],
            demand: 1 + rng.below(200) as u64,
        });
    }
    let d2025 = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    for _ in 0..1_000_000 {
        b.volunteering.push(Volunteering {
            member: format!("P{}", rng.below(700_000)),
            committee: format!("K{}", rng.below(nk)),
            domain: ServiceDomain::ALL[rng.below(12)],
            hours: rng.below(9) as f64,
            date: day(d2025, &mut rng, 560),
        });
    }
    b
}

fn benches(c: &mut Criterion) {
    let t = Instant::now();
    let bundle = shanghai();
    eprintln!(
        "generated bundle in {:?} ({} rows)",
        t.elapsed(),
        bundle.row_count()
    );
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
    let mut g = c.benchmark_group("shanghai");
    g.sample_size(10);
    g.bench_function("engine_new", |bch| {
        bch.iter_batched(
            || bundle.clone(),
            |b| black_box(Engine::new(b)),
            criterion::BatchSize::LargeInput,
        )
    });
    let engine = Engine::new(bundle);
    g.bench_function("coverage_city", |bch| {
        bch.iter(|| black_box(engine.coverage("city", as_of)))
    });
    g.bench_function("gaps_city", |bch| {
        bch.iter(|| black_box(engine.gaps("city", as_of)))
    });
    g.bench_function("gaps_street", |bch| {
        bch.iter(|| black_box(engine.gaps("S17", as_of)))
    });
    g.finish();
    if let Ok(gaps) = engine.gaps("city", as_of) {
        eprintln!(
            "city: demand {} met {} unmet needs {} stranded {}",
            gaps.total_demand,
            gaps.met_demand,
            gaps.unmet_needs.len(),
            gaps.stranded_resources.len()
        );
    }
}

criterion_group!(engine, benches);
criterion_main!(engine);
