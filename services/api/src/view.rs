//! The part of the network a confined caller (a coordinator, or a viewer with a scope) may
//! see, as a bundle: what diagrams are drawn from, so that a picture shows no more than the
//! tables and analytics documents do (SPEC §6 "Rules (v2)"). Members registered outside the
//! subtree, their volunteering, outside committees and communities, and units that do not
//! touch the subtree are left out; a member's employer that may not be seen is blanked.

use crate::access::Caller;
use dangjian_engine::Engine;
use dangjian_model::{Bundle, Id};

/// The caller's view of the engine's network; `None` for an unconfined caller (all of it).
pub fn visible_bundle(engine: &Engine, caller: &Caller) -> Option<Bundle> {
    let b = engine.bundle();
    caller.restriction()?;
    let vis = |id: &str| caller.visible(engine, id);
    let inside = |id: &str| caller.inside(engine, id);
    let keep = |v: &Vec<Id>| v.iter().filter(|x| vis(x)).cloned().collect::<Vec<_>>();
    Some(Bundle {
        districts: kept(&b.districts, |r| vis(&r.id)),
        streets: kept(&b.streets, |r| vis(&r.id)),
        communities: kept(&b.communities, |r| vis(&r.id)),
        committees: kept(&b.committees, |r| vis(&r.id)),
        adjacency: kept(&b.adjacency, |r| vis(&r.a) && vis(&r.b)),
        party_orgs: patched(
            &b.party_orgs,
            |r| vis(&r.id) && vis(&r.leads),
            |r| {
                if r.parent.as_deref().is_some_and(|p| !vis(p)) {
                    r.parent = None;
                }
            },
        ),
        units: kept(&b.units, |r| vis(&r.id)),
        mass_orgs: b.mass_orgs.clone(),
        social_orgs: kept(&b.social_orgs, |r| vis(&r.id)),
        members: patched(
            &b.members,
            |r| inside(&r.id),
            |r| {
                if r.employer.as_deref().is_some_and(|e| !vis(e)) {
                    r.employer = None;
                }
            },
        ),
        partnerships: kept(&b.partnerships, |r| inside(&r.id) && vis(&r.unit)),
        mass_links: kept(&b.mass_links, |r| inside(&r.target)),
        resources: patched(
            &b.resources,
            |r| vis(&r.id) && vis(&r.provider),
            |r| r.deployed_to = r.deployed_to.as_ref().map(keep),
        ),
        needs: kept(&b.needs, |r| inside(&r.id)),
        projects: patched(
            &b.projects,
            |r| inside(&r.id),
            |r| {
                r.needs = keep(&r.needs);
                r.resources = keep(&r.resources);
            },
        ),
        volunteering: kept(&b.volunteering, |r| {
            inside(&r.member) && inside(&r.committee)
        }),
        responsibilities: kept(&b.responsibilities, |r| inside(&r.id)),
    })
}

/// The rows `keep` accepts, unchanged.
fn kept<T: Clone, C: FromIterator<T>>(all: &[T], keep: impl Fn(&T) -> bool) -> C {
    patched(all, keep, |_| {})
}

/// The rows `keep` accepts, each with `fix` applied (references the caller may not see cleared).
fn patched<T: Clone, C: FromIterator<T>>(
    all: &[T],
    keep: impl Fn(&T) -> bool,
    fix: impl Fn(&mut T),
) -> C {
    all.iter()
        .filter(|r| keep(r))
        .map(|r| {
            let mut r = r.clone();
            fix(&mut r);
            r
        })
        .collect()
}
