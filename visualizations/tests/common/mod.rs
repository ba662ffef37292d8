//! Test fixtures: a small hand-built network and a generated district-sized one.

#![allow(dead_code)]

use dangjian_model::Bundle;
use dangjian_model::Date;

pub fn date(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

pub fn as_of() -> Date {
    date("2025-06-30")
}

/// One street, two communities, four committees; a unit with a quote and a backslash in its
/// name; an expired partnership; a stranded resource; an unreachable need.
pub fn small_network() -> Bundle {
    serde_json::from_value(serde_json::json!({
        "districts": [{"id": "d1", "name": "静安区"}],
        "streets": [{"id": "s1", "name": "石门二路街道", "district": "d1", "kind": "street"}],
        "communities": [
            {"id": "cm1", "name": "新福康里社区", "street": "s1"},
            {"id": "cm2", "name": "恒丰社区", "street": "s1"}
        ],
        "committees": [
            {"id": "c1", "name": "新福康里居委会", "community": "cm1", "households": 1200},
            {"id": "c2", "name": "景华居委会", "community": "cm1", "households": 800},
            {"id": "c3", "name": "恒丰居委会", "community": "cm2", "households": 950},
            {"id": "c4", "name": "裕华居委会", "community": "cm2", "households": 0}
        ],
        "adjacency": [{"a": "c1", "b": "c2"}, {"a": "c2", "b": "c3"}, {"a": "c3", "b": "c4"}],
        "party_orgs": [
            {"id": "po_s1", "name": "石门二路街道党工委", "level": "working_committee", "leads": "s1", "secretary": "王建国"},
            {"id": "po_cm1", "name": "新福康里社区党委", "level": "committee", "parent": "po_s1", "leads": "cm1", "secretary": "李红"},
            {"id": "po_cm2", "name": "恒丰社区党总支", "level": "general_branch", "parent": "po_s1", "leads": "cm2", "secretary": "张伟"},
            {"id": "po_c1", "name": "新福康里居民区党支部", "level": "branch", "parent": "po_cm1", "leads": "c1", "secretary": "陈静"},
            {"id": "po_c2", "name": "景华居民区党支部", "level": "branch", "parent": "po_cm1", "leads": "c2", "secretary": "刘洋"},
            {"id": "po_c3", "name": "恒丰居民区党支部", "level": "branch", "parent": "po_cm2", "leads": "c3", "secretary": "赵敏"}
        ],
        "units": [
            {"id": "u1", "name": "\"红星\"科技\\有限公司", "category": "enterprise", "industry": "软件", "street": "s1"},
            {"id": "u2", "name": "静安区中心医院", "category": "hospital", "industry": "医疗", "street": "s1"},
            {"id": "u3", "name": "市西中学", "category": "school", "industry": "教育", "street": "s1"}
        ],
        "mass_orgs": [
            {"id": "mo1", "name": "石门二路街道总工会", "type": "union"},
            {"id": "mo2", "name": "石门二路街道团工委", "type": "youth_league"}
        ],
        "social_orgs": [
            {"id": "so1", "name": "乐龄为老服务社", "street": "s1", "domains": ["elderly_care", "psychological"]}
        ],
        "members": [
            {"id": "m1", "name": "周一", "birth_year": 1990, "employer": "u1", "registered_at": "c1"},
            {"id": "m2", "name": "吴二", "birth_year": 1985, "employer": "u1", "registered_at": "c1"},
            {"id": "m3", "name": "郑三", "birth_year": 1970, "employer": "u2", "registered_at": "c3"},
            {"id": "m4", "name": "孙四", "birth_year": 1995, "employer": "u2", "registered_at": "c1"},
            {"id": "m5", "name": "钱五", "birth_year": 1960, "registered_at": "c2"}
        ],
        "partnerships": [
            {"id": "p1", "unit": "u1", "target": "cm1", "signed": "2024-01-01"},
            {"id": "p2", "unit": "u2", "target": "c3", "signed": "2023-05-01", "expires": "2026-05-01"},
            {"id": "p3", "unit": "u3", "target": "c4", "signed": "2020-01-01", "expires": "2024-01-01"}
        ],
        "mass_links": [
            {"mass_org": "mo1", "target": "s1", "domain": "employment"},
            {"mass_org": "mo2", "target": "c1", "domain": "education_training"}
        ],
        "resources": [
            {"id": "r1", "name": "义诊", "provider": "u2", "domain": "healthcare", "capacity": 100, "deployed_to": ["c3", "c4"]},
            {"id": "r2", "name": "助老送餐", "provider": "so1", "domain": "elderly_care", "capacity": 50},
            {"id": "r3", "name": "法律咨询", "provider": "u1", "domain": "legal_aid", "capacity": 20}
        ],
        "needs": [
            {"id": "n1", "committee": "c3", "domain": "healthcare", "demand": 60},
            {"id": "n2", "committee": "c1", "domain": "elderly_care", "demand": 80},
            {"id": "n3", "committee": "c4", "domain": "childcare", "demand": 30}
        ],
        "volunteering": [
            {"member": "m1", "committee": "c2", "domain": "elderly_care", "hours": 6.0, "date": "2025-03-01"},
            {"member": "m3", "committee": "c3", "domain": "healthcare", "hours": 4.5, "date": "2025-05-20"},
            {"member": "m3", "committee": "c3", "domain": "healthcare", "hours": 10.0, "date": "2023-01-01"}
        ]
    }))
    .expect("small network is a valid bundle")
}

/// A district of `streets` × `communities` × `committees` committees, with `units_per_street`
/// units each partnered with one committee, and members registered everywhere.
pub fn big_district(
    streets: usize,
    communities: usize,
    committees: usize,
    units_per_street: usize,
) -> Bundle {
    use dangjian_model::*;
    let mut b = Bundle {
        districts: (vec![District {
            id: "d".into(),
            name: "测试区".into(),
        }])
        .into(),
        ..Bundle::default()
    };
    let cats = [
        UnitCategory::Enterprise,
        UnitCategory::PublicInstitution,
        UnitCategory::Government,
        UnitCategory::School,
        UnitCategory::Hospital,
        UnitCategory::Other,
    ];
    for s in 0..streets {
        let sid = format!("s{s}");
        b.streets.push(Street {
            id: sid.clone(),
            name: format!("第{s}街道"),
            district: "d".into(),
            kind: StreetKind::Street,
        });
        let mut street_committees = Vec::new();
        for c in 0..communities {
            let cid = format!("{sid}-cm{c}");
            b.communities.push(Community {
                id: cid.clone(),
                name: format!("第{s}街道第{c}社区"),
                street: sid.clone(),
            });
            for k in 0..committees {
                let kid = format!("{cid}-k{k}");
                b.committees.push(Committee {
                    id: kid.clone(),
                    name: format!("{s}-{c}-{k}居委会"),
                    community: cid.clone(),
                    households: 500 + k as u64,
                });
                b.party_orgs.push(PartyOrg {
                    id: format!("po-{kid}"),
                    name: format!("{s}-{c}-{k}党支部"),
                    level: PartyOrgLevel::Branch,
                    parent: None,
                    leads: kid.clone(),
                    secretary: "张三".into(),
                });
                street_committees.push(kid);
            }
        }
        for u in 0..units_per_street {
            let uid = format!("{sid}-u{u}");
            b.units.push(Unit {
                id: uid.clone(),
                name: format!("第{s}街道单位{u}"),
                category: cats[u % cats.len()],
                industry: "服务".into(),
                street: sid.clone(),
            });
            let target = street_committees[u % street_committees.len()].clone();
            b.partnerships.push(Partnership {
                id: format!("p-{uid}"),
                unit: uid.clone(),
                target: target.clone(),
                signed: date("2024-01-01"),
                expires: None,
            });
            b.members.push(Member {
                id: format!("m-{uid}"),
                name: "某人".into(),
                birth_year: 1990,
                employer: Some(uid),
                registered_at: Some(target),
                skills: vec![],
            });
        }
    }
    b
}
