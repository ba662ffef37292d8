//! Incremental application of a small write: the next engine version from the current one and
//! the written rows, sharing every index part the rows do not touch (`Index` parts are behind
//! `Arc`) and carrying over the cached fair allocations of the domains the rows cannot change.
//!
//! Handled incrementally: rows of `members`, `volunteering`, `needs`, `resources`,
//! `partnerships` and `responsibilities` (the tables the API writes). Volunteering rows are
//! appended to their committees' lists; members update the per-committee registered counts;
//! needs, resources and partnerships rebuild only their own (small) tables' indexes. Any other
//! table in the write (the hierarchy, units, party orgs, mass and social orgs, adjacency, mass
//! links, projects) falls back to a whole [`Engine::new`]. Either way the result equals
//! `Engine::new(bundle.merged(partial))`, document for document (`tests/incremental.rs`).

use crate::Engine;
use crate::allocation::DOMAINS;
use crate::ids::Ent;
use dangjian_model::validate::Kind;
use dangjian_model::{Bundle, Id, Locate, ServiceDomain, Volunteering};

/// Whether every table the write touches is handled incrementally (else: a whole rebuild).
fn handled(partial: &Bundle) -> bool {
    let p = partial;
    p.districts.is_empty()
        && p.streets.is_empty()
        && p.communities.is_empty()
        && p.committees.is_empty()
        && p.adjacency.is_empty()
        && p.party_orgs.is_empty()
        && p.units.is_empty()
        && p.mass_orgs.is_empty()
        && p.social_orgs.is_empty()
        && p.mass_links.is_empty()
        && p.projects.is_empty()
}

impl Engine {
    /// The next version of the network: this one with `partial`'s rows merged in
    /// ([`Bundle::merge`]), without rebuilding what the rows do not touch. This engine is left
    /// as it is (readers holding it keep a consistent version). `partial` must be valid against
    /// this network (the write path validates before applying).
    pub fn with_rows(&self, partial: &Bundle) -> Engine {
        // Copy-on-write: only the tables `partial` writes to are copied; rows are located with
        // this engine's id table (the network is valid, so ids are unique).
        let mut next = self.bundle.clone();
        next.merge_located(partial.clone(), self);
        self.with_merged(next, partial)
    }

    /// The same as [`Engine::with_rows`] for a caller that has merged already: `merged` must
    /// equal `self.bundle().merged(partial)`.
    pub fn with_merged(&self, merged: Bundle, partial: &Bundle) -> Engine {
        if !handled(partial) {
            return Engine::new(merged);
        }
        let old = &self.bundle;
        let b = &merged;
        let mut ix = self.index.clone();

        // New ids: rows appended past the old tables' ends.
        let mut new_ids: Vec<(&str, Ent)> = Vec::new();
        macro_rules! appended {
            ($table:ident, $variant:ident) => {
                for (i, r) in b.$table.iter().enumerate().skip(old.$table.len()) {
                    new_ids.push((&r.id, Ent::$variant(i as u32)));
                }
            };
        }
        appended!(members, Member);
        appended!(partnerships, Partnership);
        appended!(resources, Resource);
        appended!(needs, Need);
        appended!(responsibilities, Responsibility);
        ix.ids.add(&new_ids);

        // Domains whose fair allocation may change; `ALL` when every domain may.
        const ALL: u16 = u16::MAX;
        let mut touched: u16 = 0;

        if !partial.members.is_empty() {
            let registered = std::sync::Arc::make_mut(&mut ix.committee_registered);
            let birth = std::sync::Arc::make_mut(&mut ix.member_birth_year);
            let mut rows: Vec<u32> = partial
                .members
                .iter()
                .filter_map(|m| match ix.ids.get(&m.id) {
                    Some(Ent::Member(i)) => Some(*i),
                    _ => None,
                })
                .collect();
            rows.sort_unstable();
            rows.dedup();
            let committee = |id: Option<&str>| match id.and_then(|id| ix.ids.get(id)) {
                Some(Ent::Committee(k)) => Some(*k as usize),
                _ => None,
            };
            for i in rows {
                let i = i as usize;
                if let Some(was) = old.members.get(i)
                    && let Some(k) = committee(was.registered_at.as_deref())
                {
                    registered[k] -= 1;
                }
                let now = &b.members[i];
                if let Some(k) = committee(now.registered_at.as_deref()) {
                    registered[k] += 1;
                }
                match birth.get_mut(i) {
                    Some(y) => *y = now.birth_year,
                    None => birth.push(now.birth_year),
                }
            }
        }

        if b.volunteering.len() > old.volunteering.len() {
            let pairs: Vec<_> = b
                .volunteering
                .iter()
                .enumerate()
                .skip(old.volunteering.len())
                .filter_map(|(row, v)| ix.vol_of(row, v))
                .collect();
            ix.volunteering =
                std::sync::Arc::new(ix.volunteering.with_appended(b.committees.len(), &pairs));
        }

        if !partial.partnerships.is_empty() {
            ix.set_partnerships(b);
            // Who reaches which committee changes for every domain.
            touched = ALL;
        }

        if !partial.needs.is_empty() {
            touched |= domain_bits(
                partial.needs.iter().map(|n| (&n.id, n.domain)),
                |id| match self.index.ids.get(id) {
                    Some(Ent::Need(i)) => old.needs.get(*i as usize).map(|n| n.domain),
                    _ => None,
                },
            );
            ix.set_needs(b);
        }

        if !partial.resources.is_empty() {
            touched |=
                domain_bits(
                    partial.resources.iter().map(|r| (&r.id, r.domain)),
                    |id| match self.index.ids.get(id) {
                        Some(Ent::Resource(i)) => old.resources.get(*i as usize).map(|r| r.domain),
                        _ => None,
                    },
                );
            ix.set_resources(b);
            // Provider slots and ranks are shared by every domain's allocation: keep the
            // others only when the providers are the same.
            if ix.providers != self.index.providers || ix.provider_rank != self.index.provider_rank
            {
                touched = ALL;
            }
        }

        let keep: [bool; DOMAINS] = std::array::from_fn(|d| touched & (1 << d) == 0);
        Engine {
            bundle: merged,
            index: ix,
            allocations: self.allocations.carried_over(&keep),
            // Which streets each unit's partnerships reach (access control): built again on
            // first use, since partnerships or units may have changed.
            unit_streets: std::sync::OnceLock::new(),
        }
    }
}

/// Where rows sit in this engine's network, from its id table and per-committee volunteering
/// lists: what lets the write path merge and validate a few rows without scanning two million.
/// The bits of the domains written rows touch: each row's own domain and, for a row that
/// replaces one (`was` of its id), the domain it had.
fn domain_bits<'a>(
    rows: impl Iterator<Item = (&'a Id, ServiceDomain)>,
    was: impl Fn(&str) -> Option<ServiceDomain>,
) -> u16 {
    let mut bits = 0;
    for (id, domain) in rows {
        bits |= 1 << (domain as usize);
        if let Some(d) = was(id) {
            bits |= 1 << (d as usize);
        }
    }
    bits
}

impl Locate for Engine {
    fn locate(&self, id: &str) -> Option<(Kind, usize)> {
        let (kind, i) = match *self.index.ids.get(id)? {
            Ent::District(i) => (Kind::District, i),
            Ent::Street(i) => (Kind::Street, i),
            Ent::Community(i) => (Kind::Community, i),
            Ent::Committee(i) => (Kind::Committee, i),
            Ent::PartyOrg(i) => (Kind::PartyOrg, i),
            Ent::Unit(i) => (Kind::Unit, i),
            Ent::MassOrg(i) => (Kind::MassOrg, i),
            Ent::SocialOrg(i) => (Kind::SocialOrg, i),
            Ent::Member(i) => (Kind::Member, i),
            Ent::Partnership(i) => (Kind::Partnership, i),
            Ent::Resource(i) => (Kind::Resource, i),
            Ent::Need(i) => (Kind::Need, i),
            Ent::Project(i) => (Kind::Project, i),
            Ent::Responsibility(i) => (Kind::Responsibility, i),
        };
        Some((kind, i as usize))
    }

    fn has_volunteering(&self, v: &Volunteering) -> bool {
        // Every row of a valid network names a committee, so it is in that committee's list.
        let Some(k) = self.index.committee_of(&v.committee) else {
            return false;
        };
        let rows = &self.bundle.volunteering;
        self.index.volunteering.get(k).iter().any(|x| {
            x.date == v.date
                && x.hours.to_bits() == v.hours.to_bits()
                && rows.get(x.row as usize).is_some_and(|r| {
                    r.member == v.member
                        && r.committee == v.committee
                        && r.domain == v.domain
                        && r.hours.to_bits() == v.hours.to_bits()
                        && r.date == v.date
                })
        })
    }
}
