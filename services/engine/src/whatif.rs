//! What-if (SPEC §3 "Structure"): coverage and gap figures after removing units or
//! partnerships, computed on a copy of the network; stored data never changes.
//!
//! Removing a unit withdraws it: its partnerships and its resources go (and those resources
//! leave the projects that list them), members it employs lose that employer. The unit row and
//! the party orgs that lead it stay.

use crate::ids::Ent;
use crate::{Engine, EngineError};
use dangjian_model::{
    BlankSpot, CommitteeDelta, Date, DomainDelta, GapsDoc, Id, NeedDelta, round2,
};
pub use dangjian_model::{NewBlankSpots, WhatIf, WhatIfDelta, WhatIfDoc};
use std::collections::BTreeMap;
use std::collections::HashSet;

impl Engine {
    /// Coverage and gaps of a scope on `as_of` as if the units withdrew and the partnerships
    /// ended; the engine and its bundle are left as they are.
    pub fn whatif(
        &self,
        change: &WhatIf,
        scope: &str,
        as_of: Date,
    ) -> Result<WhatIfDoc, EngineError> {
        let b = self.bundle();
        let units: HashSet<&str> = change.without_units.iter().map(Id::as_str).collect();
        for u in &units {
            if !matches!(self.index.ids.get(u), Some(Ent::Unit(_))) {
                return Err(EngineError::UnknownUnit((*u).to_string()));
            }
        }
        let pships: HashSet<&str> = change.without_partnerships.iter().map(Id::as_str).collect();
        for p in &pships {
            if !matches!(self.index.ids.get(p), Some(Ent::Partnership(_))) {
                return Err(EngineError::UnknownPartnership((*p).to_string()));
            }
        }
        let before_cov = self.coverage(scope, as_of)?;
        let before_gaps = self.gaps(scope, as_of)?;

        let mut copy = b.clone();
        let mut removed_partnerships: Vec<Id> = Vec::new();
        copy.partnerships.retain(|p| {
            let drop = units.contains(p.unit.as_str()) || pships.contains(p.id.as_str());
            if drop {
                removed_partnerships.push(p.id.clone());
            }
            !drop
        });
        let mut removed_resources: Vec<Id> = Vec::new();
        copy.resources.retain(|r| {
            let drop = units.contains(r.provider.as_str());
            if drop {
                removed_resources.push(r.id.clone());
            }
            !drop
        });
        if !removed_resources.is_empty() {
            let gone: HashSet<&str> = removed_resources.iter().map(Id::as_str).collect();
            for p in &mut copy.projects {
                p.resources.retain(|r| !gone.contains(r.as_str()));
            }
        }
        for m in &mut copy.members {
            if m.employer.as_deref().is_some_and(|e| units.contains(e)) {
                m.employer = None;
            }
        }
        removed_partnerships.sort();
        removed_resources.sort();

        let after = Engine::new(copy);
        let coverage = after.coverage(scope, as_of)?;
        let gaps = after.gaps(scope, as_of)?;

        // The copy has the same committees (a what-if never removes one): the same rows.
        debug_assert_eq!(coverage.committees.len(), before_cov.committees.len());
        let mut committees_losing_all_partners = Vec::new();
        let mut new_blank_spots = Vec::new();
        for (c, old) in coverage.committees.iter().zip(&before_cov.committees) {
            debug_assert_eq!(c.id, old.id);
            if old.partners_in_reach > 0 && c.partners_in_reach == 0 {
                committees_losing_all_partners.push(c.id.clone());
            }
            let flags: Vec<BlankSpot> = c
                .blank_spots
                .iter()
                .filter(|f| !old.blank_spots.contains(f))
                .copied()
                .collect();
            if !flags.is_empty() {
                new_blank_spots.push(NewBlankSpots {
                    committee: c.id.clone(),
                    flags,
                });
            }
        }
        committees_losing_all_partners.sort();
        new_blank_spots.sort_by(|a, b| a.committee.cmp(&b.committee));
        let (needs, committees, domains) = allocation_deltas(&before_gaps, &gaps);
        let delta = WhatIfDelta {
            met_demand_change: round2(gaps.met_demand - before_gaps.met_demand),
            unmet_demand_change: round2(gaps.unmet_demand - before_gaps.unmet_demand),
            needs,
            committees,
            domains,
            committees_losing_all_partners,
            new_blank_spots,
            removed_partnerships,
            removed_resources,
        };
        Ok(WhatIfDoc {
            coverage,
            gaps,
            delta,
        })
    }
}

/// Per need, committee and domain, the change between two gaps documents of the same scope
/// (the needs are the same rows: a what-if removes units and partnerships, never needs).
fn allocation_deltas(
    before: &GapsDoc,
    after: &GapsDoc,
) -> (Vec<NeedDelta>, Vec<CommitteeDelta>, Vec<DomainDelta>) {
    debug_assert_eq!(before.needs.len(), after.needs.len());
    let mut needs = Vec::new();
    let mut committees: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (n, a) in before.needs.iter().zip(&after.needs) {
        debug_assert_eq!(n.need, a.need);
        let met_after = a.met;
        let c = committees.entry(n.committee.as_str()).or_default();
        c.0 += n.unmet;
        c.1 += n.demand as f64 - met_after;
        let change = round2(met_after - n.met);
        if change != 0.0 {
            needs.push(NeedDelta {
                need: n.need.clone(),
                committee: n.committee.clone(),
                domain: n.domain,
                met_before: n.met,
                met_after,
                change,
            });
        }
    }
    let committees = committees
        .into_iter()
        .filter_map(|(k, (b, a))| {
            let change = round2(a - b);
            (change != 0.0).then(|| CommitteeDelta {
                committee: k.into(),
                unmet_before: round2(b),
                unmet_after: round2(a),
                change,
            })
        })
        .collect();
    let domains = before
        .by_domain
        .iter()
        .map(|d| {
            let met_after = after
                .by_domain
                .iter()
                .find(|x| x.domain == d.domain)
                .map_or(0.0, |x| x.met);
            DomainDelta {
                domain: d.domain,
                met_before: d.met,
                met_after,
                change: round2(met_after - d.met),
            }
        })
        .collect();
    (needs, committees, domains)
}
