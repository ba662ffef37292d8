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

/// The DOT diagram of `view` for `scope` on `as_of()`, with the default options.
pub fn dot_of(
    engine: &dangjian_engine::Engine,
    view: dangjian_visualizations::View,
    scope: &str,
) -> Result<dangjian_visualizations::Diagram, dangjian_visualizations::VizError> {
    let opts = dangjian_visualizations::DiagramOptions::new(view, scope, as_of());
    dangjian_visualizations::build_dot(engine, &opts)
}

/// One street, two communities, four committees; a unit with a quote and a backslash in its
/// name; an expired partnership; a stranded resource; an unreachable need.
pub fn small_network() -> Bundle {
    dangjian_testdata::bundle("visualizations-small.json")
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
    let cats = UnitCategory::ALL;
    for s in 0..streets {
        let sid = Id::from(format!("s{s}"));
        b.streets.push(Street {
            id: sid.clone(),
            name: format!("第{s}街道"),
            district: "d".into(),
            kind: StreetKind::Street,
        });
        let mut street_committees = Vec::new();
        for c in 0..communities {
            let cid = Id::from(format!("{sid}-cm{c}"));
            b.communities.push(Community {
                id: cid.clone(),
                name: format!("第{s}街道第{c}社区"),
                street: sid.clone(),
            });
            for k in 0..committees {
                let kid = Id::from(format!("{cid}-k{k}"));
                b.committees.push(Committee {
                    id: kid.clone(),
                    name: format!("{s}-{c}-{k}居委会"),
                    community: cid.clone(),
                    households: 500 + k as u64,
                });
                b.party_orgs.push(PartyOrg {
                    id: format!("po-{kid}").into(),
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
            let uid = Id::from(format!("{sid}-u{u}"));
            b.units.push(Unit {
                id: uid.clone(),
                name: format!("第{s}街道单位{u}"),
                category: cats[u % cats.len()],
                industry: "服务".into(),
                street: sid.clone(),
            });
            let target = street_committees[u % street_committees.len()].clone();
            b.partnerships.push(Partnership {
                id: format!("p-{uid}").into(),
                unit: uid.clone(),
                target: target.clone(),
                signed: date("2024-01-01"),
                expires: None,
            });
            b.members.push(Member {
                id: format!("m-{uid}").into(),
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
