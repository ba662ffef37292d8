//! Measures how fast `SqliteStore` imports (`replace`) and loads a large synthetic network.
//!
//! `cargo run --release -p dangjian-sqlite --example import_rate -- [SCALE] [DB]`
//! SCALE 1 (default) is about one million rows; 2.5 is about Shanghai. The database goes to
//! a temporary directory unless DB is given.

use dangjian_model::*;
use dangjian_sqlite::SqliteStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// An [`Id`] from a format string.
macro_rules! id {
    ($($arg:tt)*) => {
        Id::from(format!($($arg)*))
    };
}

/// A network with roughly `1_000_000 * scale` rows, built with plain loops.
fn synthetic(scale: f64) -> Bundle {
    let n = |base: f64| ((base * scale).round() as usize).max(1);
    let day0: Date = "2023-01-01".parse().expect("valid date");
    let mut b = Bundle::default();
    let districts = 16;
    let streets = n(86.0).max(districts);
    let communities = n(600.0);
    let committees = n(2_400.0);
    for d in 0..districts {
        b.districts.push(District {
            id: id!("d{d}"),
            name: format!("第{d}区"),
        });
    }
    for s in 0..streets {
        b.streets.push(Street {
            id: id!("s{s}"),
            name: format!("第{s}街道"),
            district: id!("d{}", s % districts),
            kind: if s % 3 == 0 {
                StreetKind::Town
            } else {
                StreetKind::Street
            },
        });
        b.party_orgs.push(PartyOrg {
            id: id!("ps{s}"),
            name: format!("第{s}街道党工委"),
            level: PartyOrgLevel::WorkingCommittee,
            parent: None,
            leads: id!("s{s}"),
            secretary: format!("书记{s}"),
        });
    }
    for c in 0..communities {
        b.communities.push(Community {
            id: id!("c{c}"),
            name: format!("第{c}社区"),
            street: id!("s{}", c % streets),
        });
    }
    for k in 0..committees {
        b.committees.push(Committee {
            id: id!("k{k}"),
            name: format!("第{k}居委会"),
            community: id!("c{}", k % communities),
            households: 500 + (k as u64 * 37) % 2_000,
        });
        b.adjacency.push(Adjacency {
            a: id!("k{k}"),
            b: id!("k{}", (k + 1) % committees),
        });
        b.party_orgs.push(PartyOrg {
            id: id!("pk{k}"),
            name: format!("第{k}居委党支部"),
            level: PartyOrgLevel::Branch,
            parent: Some(id!("ps{}", (k % communities) % streets)),
            leads: id!("k{k}"),
            secretary: format!("支书{k}"),
        });
        let domain = ServiceDomain::ALL[k % 12];
        b.needs.push(Need {
            id: id!("n{k}"),
            committee: id!("k{k}"),
            domain,
            demand: 10 + (k as u64 % 90),
        });
        b.responsibilities.push(Responsibility {
            id: id!("t{k}"),
            party_org: id!("pk{k}"),
            item: format!("走访{k}号居委困难群众"),
            due: (k % 2 == 0).then(|| day0 + chrono::Days::new((k % 365) as u64)),
            status: if k % 3 == 0 {
                ItemStatus::Done
            } else {
                ItemStatus::Open
            },
        });
    }
    let units = n(20_000.0);
    for u in 0..units {
        b.units.push(Unit {
            id: id!("u{u}"),
            name: format!("驻区单位{u}"),
            category: UnitCategory::Enterprise,
            industry: "服务业".to_string(),
            street: id!("s{}", u % streets),
        });
        b.partnerships.push(Partnership {
            id: id!("pa{u}"),
            unit: id!("u{u}"),
            target: id!("k{}", u % committees),
            signed: day0 + chrono::Days::new((u % 700) as u64),
            expires: (u % 4 != 0).then(|| day0 + chrono::Days::new(900 + (u % 400) as u64)),
        });
        b.resources.push(Resource {
            id: id!("r{u}"),
            name: format!("资源{u}"),
            provider: id!("u{u}"),
            domain: ServiceDomain::ALL[u % 12],
            capacity: 1 + (u as u64 % 50),
            deployed_to: (u % 2 == 0).then(|| vec![id!("k{}", u % committees)]),
        });
    }
    for m in 0..8 {
        b.mass_orgs.push(MassOrg {
            id: id!("mo{m}"),
            name: format!("群团{m}"),
            kind: MassOrgType::Union,
        });
    }
    for s in 0..streets {
        b.social_orgs.push(SocialOrg {
            id: id!("so{s}"),
            name: format!("社会组织{s}"),
            street: id!("s{s}"),
            domains: vec![ServiceDomain::ALL[s % 12], ServiceDomain::ALL[(s + 5) % 12]],
        });
        b.mass_links.push(MassLink {
            mass_org: id!("mo{}", s % 8),
            target: id!("s{s}"),
            domain: ServiceDomain::ALL[s % 12],
        });
    }
    for p in 0..committees {
        b.projects.push(Project {
            id: id!("pr{p}"),
            name: format!("项目{p}"),
            committee: id!("k{p}"),
            needs: vec![id!("n{p}")],
            resources: vec![id!("r{}", p % units)],
            status: ProjectStatus::Active,
        });
    }
    let members = n(280_000.0);
    for m in 0..members {
        b.members.push(Member {
            id: id!("m{m}"),
            name: format!("党员{m}"),
            birth_year: 1950 + (m % 55) as i32,
            employer: (m % 3 != 0).then(|| id!("u{}", m % units)),
            registered_at: (m % 5 != 0).then(|| id!("k{}", m % committees)),
            skills: if m % 2 == 0 {
                vec!["法律".to_string(), "医疗".to_string()]
            } else {
                vec![]
            },
        });
    }
    let volunteering = n(640_000.0);
    for v in 0..volunteering {
        b.volunteering.push(Volunteering {
            member: id!("m{}", v % members),
            committee: id!("k{}", v % committees),
            domain: ServiceDomain::ALL[v % 12],
            hours: (v % 8) as f64 * 0.5,
            date: day0 + chrono::Days::new((v % 730) as u64),
        });
    }
    b
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let scale: f64 = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("SCALE `{s}`: {e}"))?,
        None => 1.0,
    };
    let temp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().join("import_rate.db"));

    let t = Instant::now();
    let bundle = synthetic(scale);
    let rows = bundle.row_count();
    println!(
        "built {rows} rows ({} members, {} volunteering) in {:.2?}",
        bundle.members.len(),
        bundle.volunteering.len(),
        t.elapsed()
    );

    let store = SqliteStore::open(&path).map_err(|e| e.to_string())?;
    let rate = |secs: f64| rows as f64 / secs;
    for round in ["replace into empty", "replace over full"] {
        let t = Instant::now();
        store.replace(&bundle).map_err(|e| e.to_string())?;
        let secs = t.elapsed().as_secs_f64();
        println!("{round:>20}: {secs:6.2} s  {:>10.0} rows/s", rate(secs));
    }
    let t = Instant::now();
    let loaded = store.load().map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    println!("{:>20}: {secs:6.2} s  {:>10.0} rows/s", "load", rate(secs));
    if loaded != bundle {
        return Err("the loaded network differs from the imported one".to_string());
    }
    let t = Instant::now();
    store.upsert(&bundle).map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:>20}: {secs:6.2} s  {:>10.0} rows/s",
        "upsert (all equal)",
        rate(secs)
    );
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("database file: {:.1} MiB", size as f64 / 1_048_576.0);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("import_rate: {e}");
            ExitCode::FAILURE
        }
    }
}
