//! Scope leaks on the Shanghai sample network: a coordinator of one street reads every
//! endpoint, and no answer names a committee, community, street, member, need, party org or
//! (non-partnering) unit of another street.

use crate::helpers::*;
use dangjian_api::ServeConfig;
use dangjian_model::Id;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::{HashMap, HashSet};

#[tokio::test]
async fn a_coordinator_of_a_sample_street_sees_nothing_of_the_others() {
    let bundle = sample_bundle();
    let mine = bundle.streets[0].id.clone();
    let other = bundle.streets[1].id.clone();
    // Where everything is, computed here independently of the service.
    let mut street_by_id: HashMap<&str, &str> = HashMap::new();
    for s in &bundle.streets {
        street_by_id.insert(&s.id, &s.id);
    }
    for c in &bundle.communities {
        street_by_id.insert(&c.id, &c.street);
    }
    for k in &bundle.committees {
        street_by_id.insert(&k.id, street_by_id[k.community.as_str()]);
    }
    let street_of = |id: &str| street_by_id.get(id).copied();
    let street_of_committee = |k: &str| street_of(k).expect("a committee's street");
    let partnering_inside: HashSet<&str> = bundle
        .partnerships
        .iter()
        .filter(|p| street_of(&p.target) == Some(mine.as_str()))
        .map(|p| p.unit.as_str())
        .collect();
    let volunteered_inside: HashSet<&str> = bundle
        .volunteering
        .iter()
        .filter(|v| street_of_committee(&v.committee) == mine)
        .map(|v| v.member.as_str())
        .collect();
    let streets = bundle
        .streets
        .iter()
        .filter(|s| s.id != mine)
        .map(|s| &s.id);
    let communities = bundle.communities.iter().filter(|c| c.street != mine);
    let mut foreign: Vec<Id> = streets.chain(communities.map(|c| &c.id)).cloned().collect();
    for k in &bundle.committees {
        if street_of_committee(&k.id) != mine {
            foreign.push(k.id.clone());
        }
    }
    foreign.extend(
        bundle
            .needs
            .iter()
            .filter(|n| street_of_committee(&n.committee) != mine)
            .map(|n| n.id.clone()),
    );
    foreign.extend(
        bundle
            .members
            .iter()
            .filter(|m| {
                m.registered_at
                    .as_deref()
                    .is_some_and(|k| street_of_committee(k) != mine)
            })
            // Volunteering at one of our committees is ours to see, whoever gave the hours.
            .filter(|m| !volunteered_inside.contains(m.id.as_str()))
            .map(|m| m.id.clone()),
    );
    foreign.extend(
        bundle
            .units
            .iter()
            .filter(|u| u.street != mine && !partnering_inside.contains(u.id.as_str()))
            .map(|u| u.id.clone()),
    );
    foreign.extend(
        bundle
            .party_orgs
            .iter()
            .filter(|o| street_of(&o.leads).is_some_and(|s| s != mine))
            .map(|o| o.id.clone()),
    );
    assert!(foreign.len() > 50, "the sample has other streets");

    let app = spawn_network(ServeConfig::default(), bundle.clone(), &mine, &other).await;
    let c = &app.tokens.coord;
    let mut paths: Vec<String> = [
        "coverage",
        "gaps",
        "brokers",
        "areas",
        "districts",
        "streets",
        "communities",
        "committees",
        "party-orgs",
        "units",
        "mass-orgs",
        "social-orgs",
        "members",
        "partnerships",
        "mass-links",
        "resources",
        "needs",
        "projects",
        "volunteering",
        "responsibilities",
    ]
    .iter()
    .map(|p| {
        format!(
            "/api/v1/{p}?{}",
            if ["coverage", "gaps", "brokers", "areas"].contains(p) {
                "as_of=2026-06-30"
            } else {
                "limit=1000"
            }
        )
    })
    .collect();
    for k in bundle
        .committees
        .iter()
        .filter(|k| street_of_committee(&k.id) == mine)
    {
        paths.push(format!("/api/v1/committees/{}", k.id));
        paths.push(format!("/api/v1/coverage?scope={}&as_of=2026-06-30", k.id));
        paths.push(format!("/api/v1/gaps?scope={}&as_of=2026-06-30", k.id));
    }
    for o in bundle
        .party_orgs
        .iter()
        .filter(|o| street_of(&o.leads) == Some(mine.as_str()))
    {
        paths.push(format!(
            "/api/v1/party-orgs/{}/checklist?subtree=true&as_of=2026-06-30",
            o.id
        ));
    }
    let mut bodies = Vec::new();
    for path in &paths {
        let body = app.get_ok(path, c).await;
        bodies.push((path.clone(), body.to_string()));
    }
    let unit_inside = bundle
        .units
        .iter()
        .find(|u| u.street == mine)
        .expect("a unit in the street");
    let (s, body) = app
        .post(
            "/api/v1/whatif",
            c,
            json!({"without_units": [unit_inside.id], "as_of": "2026-06-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    bodies.push(("whatif".into(), body.to_string()));
    for (path, text) in &bodies {
        for id in &foreign {
            assert!(
                !text.contains(&format!("\"{id}\"")),
                "{path} names {id} of another street: {text}"
            );
        }
    }
    // Every foreign committee, checklist and unit is refused outright.
    for k in bundle
        .committees
        .iter()
        .filter(|k| street_of_committee(&k.id) != mine)
        .take(3)
    {
        let (s, _) = app.get(&format!("/api/v1/committees/{}", k.id), c).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let foreign_unit = bundle
        .units
        .iter()
        .find(|u| u.street != mine && !partnering_inside.contains(u.id.as_str()))
        .expect("a foreign unit");
    let (s, _) = app
        .post(
            "/api/v1/whatif",
            c,
            json!({"without_units": [foreign_unit.id]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
