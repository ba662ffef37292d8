//! The part of the network a confined caller (a coordinator, or a viewer with a scope) may
//! see, as a bundle: what diagrams are drawn from, so that a picture shows no more than the
//! tables and analytics documents do (SPEC §6 "Rules (v2)"). Members registered outside the
//! subtree, their volunteering, outside committees and communities, and units that do not
//! touch the subtree are left out; a member's employer that may not be seen is blanked.

use crate::access::Caller;
use dangjian_engine::Engine;
use dangjian_model::Bundle;

/// The caller's view of the engine's network; `None` for an unconfined caller (all of it).
pub fn visible_bundle(engine: &Engine, caller: &Caller) -> Option<Bundle> {
    let b = engine.bundle();
    caller.restriction()?;
    let vis = |id: &str| caller.visible(engine, id);
    let inside = |id: &str| caller.inside(engine, id);
    let keep = |v: &Vec<String>| v.iter().filter(|x| vis(x)).cloned().collect::<Vec<_>>();
    Some(Bundle {
        districts: b.districts.iter().filter(|r| vis(&r.id)).cloned().collect(),
        streets: b.streets.iter().filter(|r| vis(&r.id)).cloned().collect(),
        communities: b
            .communities
            .iter()
            .filter(|r| vis(&r.id))
            .cloned()
            .collect(),
        committees: b
            .committees
            .iter()
            .filter(|r| vis(&r.id))
            .cloned()
            .collect(),
        adjacency: b
            .adjacency
            .iter()
            .filter(|r| vis(&r.a) && vis(&r.b))
            .cloned()
            .collect(),
        party_orgs: b
            .party_orgs
            .iter()
            .filter(|r| vis(&r.id) && vis(&r.leads))
            .map(|r| {
                let mut r = r.clone();
                if r.parent.as_deref().is_some_and(|p| !vis(p)) {
                    r.parent = None;
                }
                r
            })
            .collect(),
        units: b.units.iter().filter(|r| vis(&r.id)).cloned().collect(),
        mass_orgs: b.mass_orgs.clone(),
        social_orgs: b
            .social_orgs
            .iter()
            .filter(|r| vis(&r.id))
            .cloned()
            .collect(),
        members: b
            .members
            .iter()
            .filter(|r| inside(&r.id))
            .map(|r| {
                let mut r = r.clone();
                if r.employer.as_deref().is_some_and(|e| !vis(e)) {
                    r.employer = None;
                }
                r
            })
            .collect(),
        partnerships: b
            .partnerships
            .iter()
            .filter(|r| inside(&r.id) && vis(&r.unit))
            .cloned()
            .collect(),
        mass_links: b
            .mass_links
            .iter()
            .filter(|r| inside(&r.target))
            .cloned()
            .collect(),
        resources: b
            .resources
            .iter()
            .filter(|r| vis(&r.id) && vis(&r.provider))
            .map(|r| {
                let mut r = r.clone();
                r.deployed_to = r.deployed_to.as_ref().map(keep);
                r
            })
            .collect(),
        needs: b.needs.iter().filter(|r| inside(&r.id)).cloned().collect(),
        projects: b
            .projects
            .iter()
            .filter(|r| inside(&r.id))
            .map(|r| {
                let mut r = r.clone();
                r.needs = keep(&r.needs);
                r.resources = keep(&r.resources);
                r
            })
            .collect(),
        volunteering: b
            .volunteering
            .iter()
            .filter(|r| inside(&r.member) && inside(&r.committee))
            .cloned()
            .collect(),
        responsibilities: b
            .responsibilities
            .iter()
            .filter(|r| inside(&r.id))
            .cloned()
            .collect(),
    })
}
