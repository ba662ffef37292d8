//! The one placement rule (SPEC §6 "Rules (v2)"): where every entity sits in the district →
//! street → community → committee hierarchy, whether it lies inside a street or district
//! subtree, and which outside entities touch that subtree. Reads, writes, tables, analytics and
//! diagrams all decide access with these functions; what they cannot place is outside every
//! subtree (fail closed).

use crate::ids::Ent;
use crate::index::{Csr, Target};
use crate::{Engine, Place};
use dangjian_model::Id;

/// Hierarchy indexes of a placed entity (`u32::MAX` where a level does not apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlaceIx {
    district: u32,
    street: u32,
    community: u32,
    committee: u32,
}

const NONE: u32 = u32::MAX;

impl PlaceIx {
    const EMPTY: PlaceIx = PlaceIx {
        district: NONE,
        street: NONE,
        community: NONE,
        committee: NONE,
    };
}

/// The streets each unit's partnerships (of any date) target, deduplicated: what makes an
/// outside unit "touch" a subtree.
#[derive(Debug)]
pub(crate) struct UnitStreets(Csr<u32>);

impl UnitStreets {
    pub(crate) fn build(e: &Engine) -> UnitStreets {
        let ix = &e.index;
        let mut pairs: Vec<(u32, u32)> = ix
            .partnerships
            .iter()
            .filter(|p| p.unit != NONE)
            .filter_map(|p| {
                let s = match p.target? {
                    Target::Street(s) => s,
                    Target::Community(c) => *ix.community_street.get(c as usize)?,
                    Target::Committee(k) => *ix.committee_street.get(k as usize)?,
                };
                (s != NONE).then_some((p.unit, s))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        UnitStreets(Csr::from_pairs(e.bundle.units.len(), &pairs))
    }
}

/// A street or district subtree, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subtree {
    District(u32),
    Street(u32),
}

impl Engine {
    /// Where an entity sits: districts, streets, communities and committees (their chain),
    /// units and social orgs (their street), party orgs (what they lead), members (their
    /// `registered_at` committee only: a member registered nowhere has no place), needs and
    /// projects (their committee), resources (their provider), partnerships (their target),
    /// responsibilities (their party org). `None` for unknown ids and for mass orgs
    /// (city-wide, see [`Engine::is_city_wide`]).
    pub fn place_of(&self, id: &str) -> Option<Place> {
        let p = self.place_ix(id, 0)?;
        let b = &self.bundle;
        let pick = |i: u32, ids: &mut dyn Iterator<Item = &Id>| -> Option<Id> {
            (i != NONE).then(|| ids.nth(i as usize).cloned()).flatten()
        };
        Some(Place {
            district: pick(p.district, &mut b.districts.iter().map(|d| &d.id)),
            street: pick(p.street, &mut b.streets.iter().map(|s| &s.id)),
            community: pick(p.community, &mut b.communities.iter().map(|c| &c.id)),
            committee: pick(p.committee, &mut b.committees.iter().map(|k| &k.id)),
        })
    }

    /// Whether `id` names an entity of this network (any table with ids).
    pub fn is_id(&self, id: &str) -> bool {
        self.index.ids.get(id).is_some()
    }

    /// Whether `id` is an entity that belongs to the whole city rather than a place: mass
    /// orgs (群团), whose links reach any street.
    pub fn is_city_wide(&self, id: &str) -> bool {
        matches!(self.index.ids.get(id), Some(Ent::MassOrg(_)))
    }

    /// Whether `scope` is a street or district id (the only subtrees a token can be confined
    /// to).
    pub fn is_subtree(&self, scope: &str) -> bool {
        self.subtree(scope).is_some()
    }

    fn subtree(&self, scope: &str) -> Option<Subtree> {
        match self.index.ids.get(scope)? {
            Ent::District(d) => Some(Subtree::District(*d)),
            Ent::Street(s) => Some(Subtree::Street(*s)),
            _ => None,
        }
    }

    /// Whether `id` lies in the subtree of `scope` (a street or district id): its place is
    /// that street or district or below it. Anything without a place, and any `scope` that is
    /// not a street or district, gives `false`.
    pub fn within(&self, id: &str, scope: &str) -> bool {
        let (Some(sub), Some(p)) = (self.subtree(scope), self.place_ix(id, 0)) else {
            return false;
        };
        match sub {
            Subtree::District(d) => p.district == d,
            Subtree::Street(s) => p.street == s,
        }
    }

    /// Whether an entity outside `scope` touches it, so that a coordinator of `scope` may see
    /// its id and name: the district above a street scope, a unit with a partnership (of any
    /// date) targeting inside, a resource deployed to a committee inside. Personal data never
    /// touches: members are only ever seen [`Engine::within`].
    pub fn touches(&self, id: &str, scope: &str) -> bool {
        let Some(sub) = self.subtree(scope) else {
            return false;
        };
        let ix = &self.index;
        let street_in = |s: u32| match sub {
            Subtree::Street(x) => s == x,
            Subtree::District(d) => ix.street_district.get(s as usize) == Some(&d),
        };
        match ix.ids.get(id) {
            Some(Ent::District(d)) => match sub {
                Subtree::Street(s) => ix.street_district.get(s as usize) == Some(d),
                Subtree::District(x) => x == *d,
            },
            Some(Ent::Unit(u)) => self
                .unit_streets
                .get_or_init(|| UnitStreets::build(self))
                .0
                .get(*u)
                .iter()
                .any(|&s| street_in(s)),
            Some(Ent::Resource(r)) => {
                ix.resources[*r as usize]
                    .deployed
                    .iter()
                    .flatten()
                    .any(|&k| {
                        ix.committee_street
                            .get(k as usize)
                            .is_some_and(|&s| street_in(s))
                    })
            }
            _ => false,
        }
    }

    /// Whether a coordinator confined to `scope` may see `id` at all: inside the subtree, a
    /// city-wide entity, or an outside one that touches it.
    pub fn visible_from(&self, id: &str, scope: &str) -> bool {
        self.within(id, scope) || self.is_city_wide(id) || self.touches(id, scope)
    }

    fn place_ix(&self, id: &str, depth: u32) -> Option<PlaceIx> {
        if depth > 8 {
            return None;
        }
        let b = &self.bundle;
        let ix = &self.index;
        let at = |v: &Vec<u32>, i: u32| v.get(i as usize).copied().unwrap_or(NONE);
        let street = |s: u32| {
            (s != NONE && (s as usize) < b.streets.len()).then(|| PlaceIx {
                district: at(&ix.street_district, s),
                street: s,
                ..PlaceIx::EMPTY
            })
        };
        let street_id = |sid: &str| match ix.ids.get(sid) {
            Some(Ent::Street(s)) => street(*s),
            _ => None,
        };
        match *ix.ids.get(id)? {
            Ent::District(d) => Some(PlaceIx {
                district: d,
                ..PlaceIx::EMPTY
            }),
            Ent::Street(s) => street(s),
            Ent::Community(c) => {
                let mut p = street(at(&ix.community_street, c))?;
                p.community = c;
                Some(p)
            }
            Ent::Committee(k) => {
                let mut p = street(at(&ix.committee_street, k))?;
                p.community = at(&ix.committee_community, k);
                p.committee = k;
                Some(p)
            }
            Ent::Unit(u) => street_id(&b.units[u as usize].street),
            Ent::SocialOrg(o) => street(at(&ix.social_org_street, o)),
            Ent::MassOrg(_) => None,
            Ent::PartyOrg(p) => self.place_ix(&b.party_orgs[p as usize].leads, depth + 1),
            Ent::Member(m) => {
                let r = b.members[m as usize].registered_at.as_deref()?;
                match ix.ids.get(r) {
                    Some(Ent::Committee(_)) => self.place_ix(r, depth + 1),
                    _ => None,
                }
            }
            Ent::Need(n) => self.place_ix(&b.needs[n as usize].committee, depth + 1),
            Ent::Project(p) => self.place_ix(&b.projects[p as usize].committee, depth + 1),
            Ent::Resource(r) => self.place_ix(&b.resources[r as usize].provider, depth + 1),
            Ent::Partnership(p) => self.place_ix(&b.partnerships[p as usize].target, depth + 1),
            Ent::Responsibility(r) => {
                self.place_ix(&b.responsibilities[r as usize].party_org, depth + 1)
            }
        }
    }
}
