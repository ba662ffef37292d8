//! Reach (SPEC §3 "Reach") and scopes: which committees a unit, mass org, social org, street or
//! community reaches on a date, and which committees a scope id stands for.

use crate::ids::Ent;
use crate::index::{Csr, Index, Provider, Target};
use crate::{Engine, EngineError};
use dangjian_model::Date;

/// A resolved scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    City,
    District(u32),
    Street(u32),
    Community(u32),
    Committee(u32),
}

/// Reach on one date: the targets of each unit's active partnerships.
#[derive(Debug)]
pub(crate) struct Reach {
    pub unit_targets: Csr<Target>,
}

impl Index {
    /// The units' active partnership targets on `as_of`.
    pub(crate) fn reach_at(&self, as_of: Date, n_units: usize) -> Reach {
        let pairs: Vec<(u32, Target)> = self
            .partnerships
            .iter()
            .filter(|p| p.unit != u32::MAX && p.is_active(as_of))
            .filter_map(|p| p.target.map(|t| (p.unit, t)))
            .collect();
        Reach {
            unit_targets: Csr::from_pairs(n_units, &pairs),
        }
    }

    /// The targets a provider reaches (its own reach, not a resource's `deployed_to`).
    pub(crate) fn provider_targets(&self, p: Provider, reach: &Reach, out: &mut Vec<Target>) {
        match p {
            Provider::Unit(u) => out.extend_from_slice(reach.unit_targets.get(u)),
            Provider::MassOrg(m) => out.extend_from_slice(self.mass_org_targets.get(m)),
            Provider::SocialOrg(x) => {
                if let Some(&s) = self.social_org_street.get(x as usize)
                    && s != u32::MAX
                {
                    out.push(Target::Street(s));
                }
            }
            Provider::Street(s) => out.push(Target::Street(s)),
            Provider::Community(c) => out.push(Target::Community(c)),
        }
    }

    /// The targets a resource reaches: its `deployed_to` committees, else its provider's reach.
    pub(crate) fn resource_targets(&self, r: u32, reach: &Reach, out: &mut Vec<Target>) {
        out.clear();
        let res = &self.resources[r as usize];
        if let Some(d) = &res.deployed {
            out.extend(d.iter().map(|&k| Target::Committee(k)));
            return;
        }
        if let Some(p) = res.provider {
            self.provider_targets(p, reach, out);
        }
    }

    /// Whether a target covers at least one committee of a scope.
    pub(crate) fn scope_touches(&self, scope: Scope, t: Target) -> bool {
        let street_of_target = match t {
            Target::Street(s) => s,
            Target::Community(c) => self.community_street[c as usize],
            Target::Committee(k) => self.committee_street[k as usize],
        };
        match scope {
            Scope::City => true,
            Scope::District(d) => {
                self.street_district.get(street_of_target as usize).copied() == Some(d)
                    && !self.committees_of(t).is_empty()
            }
            Scope::Street(s) => street_of_target == s && !self.committees_of(t).is_empty(),
            Scope::Community(c) => match t {
                Target::Street(s) => {
                    self.community_street[c as usize] == s
                        && !self.community_committees.get(c).is_empty()
                }
                Target::Community(x) => x == c && !self.community_committees.get(c).is_empty(),
                Target::Committee(k) => self.committee_community[k as usize] == c,
            },
            Scope::Committee(x) => self.committees_of(t).contains(&x),
        }
    }

    /// Whether a street lies in a scope (for providers located by their home street).
    pub(crate) fn scope_has_street(&self, scope: Scope, s: u32) -> bool {
        match scope {
            Scope::City => true,
            Scope::District(d) => self.street_district.get(s as usize).copied() == Some(d),
            Scope::Street(x) => x == s,
            Scope::Community(_) | Scope::Committee(_) => false,
        }
    }
}

impl Engine {
    /// Resolve a scope id: `city` or a district, street, community or committee id.
    pub(crate) fn resolve_scope(&self, scope: &str) -> Result<Scope, EngineError> {
        if scope == "city" {
            return Ok(Scope::City);
        }
        match self.index.ids.get(scope).copied() {
            Some(Ent::District(i)) => Ok(Scope::District(i)),
            Some(Ent::Street(i)) => Ok(Scope::Street(i)),
            Some(Ent::Community(i)) => Ok(Scope::Community(i)),
            Some(Ent::Committee(i)) => Ok(Scope::Committee(i)),
            _ => Err(EngineError::UnknownScope(scope.to_string())),
        }
    }

    /// Committee indexes of a scope, in bundle order.
    pub(crate) fn scope_committee_indexes(&self, scope: Scope) -> Vec<u32> {
        let ix = &self.index;
        match scope {
            Scope::City => (0..self.bundle.committees.len() as u32).collect(),
            Scope::District(d) => (0..self.bundle.committees.len() as u32)
                .filter(|&k| ix.committee_district[k as usize] == d)
                .collect(),
            Scope::Street(s) => ix.street_committees.get(s).to_vec(),
            Scope::Community(c) => ix.community_committees.get(c).to_vec(),
            Scope::Committee(k) => vec![k],
        }
    }
}
