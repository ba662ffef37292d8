//! Test helper: a running local Neo4j (started with `scripts/neo4j-local start`, reused when it
//! runs) and a hand-built bundle that has rows in every table.
#![allow(dead_code)]

use dangjian_model::*;
use dangjian_neo4j::Neo4jStore;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Bolt URI of the local Neo4j, starting it when needed. Panics with the log tail (never
/// skips) when it cannot start.
pub fn neo4j_uri() -> String {
    static URI: OnceLock<String> = OnceLock::new();
    URI.get_or_init(|| {
        if let Ok(uri) = std::env::var("DANGJIAN_TEST_NEO4J_URI") {
            return uri;
        }
        let root = repo_root();
        let out = Command::new("bash")
            .arg(root.join("scripts/neo4j-local"))
            .arg("start")
            .output()
            .expect("running scripts/neo4j-local start");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            let log =
                std::fs::read_to_string(root.join(".neo4j-local/neo4j.log")).unwrap_or_default();
            let tail: Vec<&str> = log
                .lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            panic!(
                "the local Neo4j did not start ({}):\n{}\n{}\nlog tail:\n{}",
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr),
                tail.join("\n")
            );
        }
        let uri = stdout.lines().last().unwrap_or_default().trim().to_owned();
        assert!(
            uri.starts_with("bolt://"),
            "unexpected last line from neo4j-local: {uri:?}"
        );
        uri
    })
    .clone()
}

pub fn store() -> Neo4jStore {
    Neo4jStore::connect(&neo4j_uri()).expect("connecting to the local Neo4j")
}

pub fn read_bundle(name: &str) -> Bundle {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).expect("reading test data"))
        .expect("parsing test data")
}

fn d(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

/// A small network with rows in every table, optional fields both set and unset, empty lists,
/// non-integer hours and Chinese names.
pub fn every_table() -> Bundle {
    Bundle {
        districts: (vec![District {
            id: "D1".into(),
            name: "黄浦区".into(),
        }])
        .into(),
        streets: (vec![
            Street {
                id: "S1".into(),
                name: "外滩街道".into(),
                district: "D1".into(),
                kind: StreetKind::Street,
            },
            Street {
                id: "S2".into(),
                name: "某镇".into(),
                district: "D1".into(),
                kind: StreetKind::Town,
            },
        ])
        .into(),
        communities: (vec![
            Community {
                id: "C1".into(),
                name: "一社区".into(),
                street: "S1".into(),
            },
            Community {
                id: "C2".into(),
                name: "二社区".into(),
                street: "S2".into(),
            },
        ])
        .into(),
        committees: (vec![
            Committee {
                id: "K2".into(),
                name: "乙居委".into(),
                community: "C1".into(),
                households: 0,
            },
            Committee {
                id: "K1".into(),
                name: "甲居委".into(),
                community: "C1".into(),
                households: 1200,
            },
            Committee {
                id: "K3".into(),
                name: "丙居委".into(),
                community: "C2".into(),
                households: 800,
            },
        ])
        .into(),
        adjacency: (vec![
            Adjacency {
                a: "K1".into(),
                b: "K2".into(),
            },
            Adjacency {
                a: "K3".into(),
                b: "K1".into(),
            },
        ])
        .into(),
        party_orgs: (vec![
            PartyOrg {
                id: "P1".into(),
                name: "外滩街道党工委".into(),
                level: PartyOrgLevel::WorkingCommittee,
                parent: None,
                leads: "S1".into(),
                secretary: "张书记".into(),
            },
            PartyOrg {
                id: "P2".into(),
                name: "甲居民区党总支".into(),
                level: PartyOrgLevel::GeneralBranch,
                parent: Some("P1".into()),
                leads: "K1".into(),
                secretary: "李书记".into(),
            },
            PartyOrg {
                id: "P3".into(),
                name: "单位党支部".into(),
                level: PartyOrgLevel::Branch,
                parent: Some("P2".into()),
                leads: "U1".into(),
                secretary: "王书记".into(),
            },
        ])
        .into(),
        units: (vec![
            Unit {
                id: "U1".into(),
                name: "某医院".into(),
                category: UnitCategory::Hospital,
                industry: "医疗".into(),
                street: "S1".into(),
            },
            Unit {
                id: "U2".into(),
                name: "某学校".into(),
                category: UnitCategory::School,
                industry: "教育".into(),
                street: "S2".into(),
            },
        ])
        .into(),
        mass_orgs: (vec![
            MassOrg {
                id: "M1".into(),
                name: "工会".into(),
                kind: MassOrgType::Union,
            },
            MassOrg {
                id: "M2".into(),
                name: "妇联".into(),
                kind: MassOrgType::WomenFederation,
            },
        ])
        .into(),
        social_orgs: (vec![SocialOrg {
            id: "O1".into(),
            name: "社工站".into(),
            street: "S1".into(),
            domains: vec![ServiceDomain::ElderlyCare, ServiceDomain::Psychological],
        }])
        .into(),
        members: (vec![
            Member {
                id: "E1".into(),
                name: "赵某".into(),
                birth_year: 1995,
                employer: Some("U1".into()),
                registered_at: Some("K1".into()),
                skills: vec!["护理".into(), "急救".into()],
            },
            Member {
                id: "E2".into(),
                name: "钱某".into(),
                birth_year: 1960,
                employer: None,
                registered_at: None,
                skills: vec![],
            },
        ])
        .into(),
        partnerships: (vec![
            Partnership {
                id: "PS1".into(),
                unit: "U1".into(),
                target: "S1".into(),
                signed: d("2024-01-01"),
                expires: Some(d("2027-01-01")),
            },
            Partnership {
                id: "PS2".into(),
                unit: "U2".into(),
                target: "K3".into(),
                signed: d("2025-03-01"),
                expires: None,
            },
        ])
        .into(),
        mass_links: (vec![
            MassLink {
                mass_org: "M1".into(),
                target: "C1".into(),
                domain: ServiceDomain::Employment,
            },
            MassLink {
                mass_org: "M2".into(),
                target: "K3".into(),
                domain: ServiceDomain::Childcare,
            },
        ])
        .into(),
        resources: (vec![
            Resource {
                id: "R1".into(),
                name: "义诊".into(),
                provider: "U1".into(),
                domain: ServiceDomain::Healthcare,
                capacity: 40,
                deployed_to: Some(vec!["K1".into(), "K2".into()]),
            },
            Resource {
                id: "R2".into(),
                name: "心理咨询".into(),
                provider: "O1".into(),
                domain: ServiceDomain::Psychological,
                capacity: 10,
                deployed_to: None,
            },
            Resource {
                id: "R3".into(),
                name: "空部署".into(),
                provider: "S2".into(),
                domain: ServiceDomain::Greening,
                capacity: 5,
                deployed_to: Some(vec![]),
            },
        ])
        .into(),
        needs: (vec![
            Need {
                id: "N1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                demand: 30,
            },
            Need {
                id: "N2".into(),
                committee: "K3".into(),
                domain: ServiceDomain::LegalAid,
                demand: 7,
            },
        ])
        .into(),
        projects: (vec![
            Project {
                id: "J1".into(),
                name: "健康进社区".into(),
                committee: "K1".into(),
                needs: vec!["N1".into()],
                resources: vec!["R1".into()],
                status: ProjectStatus::Active,
            },
            Project {
                id: "J2".into(),
                name: "空项目".into(),
                committee: "K3".into(),
                needs: vec![],
                resources: vec![],
                status: ProjectStatus::Planned,
            },
        ])
        .into(),
        volunteering: (vec![
            Volunteering {
                member: "E1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                hours: 2.5,
                date: d("2026-03-01"),
            },
            Volunteering {
                member: "E2".into(),
                committee: "K1".into(),
                domain: ServiceDomain::ElderlyCare,
                hours: 3.0,
                date: d("2026-04-01"),
            },
            Volunteering {
                member: "E1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                hours: 2.5,
                date: d("2026-03-01"),
            },
        ])
        .into(),
        responsibilities: (vec![
            Responsibility {
                id: "Q1".into(),
                party_org: "P1".into(),
                item: "召开联席会议".into(),
                due: Some(d("2026-07-15")),
                status: ItemStatus::Open,
            },
            Responsibility {
                id: "Q2".into(),
                party_org: "P2".into(),
                item: "走访".into(),
                due: None,
                status: ItemStatus::Done,
            },
        ])
        .into(),
    }
}
