//! Static indexes built once by `Engine::new`: id lookup, the street → community → committee
//! hierarchy, and the per-committee tables that do not depend on `as_of`.

use crate::ids::{Ent, IdTable};
use dangjian_model::{Bundle, Date, MassOrgType};
use petgraph::Undirected;
use std::collections::HashMap;
use std::sync::Arc;

/// A level of the hierarchy that a partnership, mass link or provider can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    Street(u32),
    Community(u32),
    Committee(u32),
}

/// Who provides a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Provider {
    Unit(u32),
    MassOrg(u32),
    SocialOrg(u32),
    Street(u32),
    Community(u32),
}

/// An undirected graph in petgraph's compressed sparse rows, each node's neighbours in index
/// order (so a search or a sum over them goes in the same order on every run).
pub(crate) type Graph = petgraph::csr::Csr<(), (), Undirected, u32>;

/// The undirected graph on `n` nodes with these edges (each given once, in either direction;
/// duplicates are kept once).
pub(crate) fn undirected_graph(n: usize, edges: &[(u32, u32)]) -> Graph {
    let mut both: Vec<(u32, u32)> = edges.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
    both.sort_unstable();
    both.dedup();
    let mut g = Graph::from_sorted_edges(&both).expect("sorted and deduplicated above");
    while g.node_count() < n {
        g.add_node(());
    }
    g
}

/// Compressed rows: `items[start[i]..start[i + 1]]` belong to key `i`, in insertion order.
#[derive(Debug, Clone)]
pub(crate) struct Csr<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Csr<T> {
    /// Group `(key, item)` pairs by key (`key < n`), keeping the pairs' order within a key.
    pub(crate) fn from_pairs(n: usize, pairs: &[(u32, T)]) -> Csr<T> {
        let mut start = vec![0u32; n + 1];
        for (k, _) in pairs {
            start[*k as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let Some(first) = pairs.first() else {
            return Csr {
                start,
                items: Vec::new(),
            };
        };
        let mut items = vec![first.1; pairs.len()];
        let mut pos: Vec<u32> = start[..n].to_vec();
        for (k, v) in pairs {
            let p = &mut pos[*k as usize];
            items[*p as usize] = *v;
            *p += 1;
        }
        Csr { start, items }
    }

    /// This grouping with `pairs` (`key < n`) added after each key's items, in order: the same
    /// as [`Csr::from_pairs`] over the original pairs followed by `pairs`, in one linear pass.
    pub(crate) fn with_appended(&self, n: usize, pairs: &[(u32, T)]) -> Csr<T> {
        let mut extra = vec![0u32; n + 1];
        for (k, _) in pairs {
            extra[*k as usize + 1] += 1;
        }
        let mut start = Vec::with_capacity(n + 1);
        start.push(0u32);
        let mut items = Vec::with_capacity(self.items.len() + pairs.len());
        let added = Csr::from_pairs(n, pairs);
        for k in 0..n as u32 {
            items.extend_from_slice(self.get(k));
            items.extend_from_slice(added.get(k));
            start.push(items.len() as u32);
        }
        Csr { start, items }
    }

    /// The items of key `i` (empty for keys out of range).
    pub(crate) fn get(&self, i: u32) -> &[T] {
        let i = i as usize;
        if i + 1 >= self.start.len() {
            return &[];
        }
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

/// Rows (partnerships, resources, providers) by the hierarchy target they point at, one
/// grouping per level, each key's rows ascending and once.
#[derive(Debug, Clone)]
pub(crate) struct ByTarget {
    pub street: Csr<u32>,
    pub community: Csr<u32>,
    pub committee: Csr<u32>,
}

impl ByTarget {
    /// Groups `(target, row)` pairs over `n` = [streets, communities, committees].
    pub(crate) fn from_pairs(
        n: [usize; 3],
        pairs: impl IntoIterator<Item = (Target, u32)>,
    ) -> ByTarget {
        let mut at: [Vec<(u32, u32)>; 3] = Default::default();
        for (t, row) in pairs {
            match t {
                Target::Street(s) => at[0].push((s, row)),
                Target::Community(c) => at[1].push((c, row)),
                Target::Committee(k) => at[2].push((k, row)),
            }
        }
        let group = |mut v: Vec<(u32, u32)>, n: usize| {
            v.sort_unstable();
            v.dedup();
            Csr::from_pairs(n, &v)
        };
        let [s, m, k] = at;
        ByTarget {
            street: group(s, n[0]),
            community: group(m, n[1]),
            committee: group(k, n[2]),
        }
    }
}

impl Default for ByTarget {
    fn default() -> ByTarget {
        ByTarget::from_pairs([0; 3], [])
    }
}

/// One volunteering row resolved to indexes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Vol {
    /// Member index, `u32::MAX` when the member id is unknown.
    pub member: u32,
    /// Position of the row in the bundle's volunteering table.
    pub row: u32,
    pub hours: f64,
    pub date: Date,
}

/// One partnership resolved to indexes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pship {
    pub unit: u32,
    pub target: Option<Target>,
    pub signed: Date,
    pub expires: Option<Date>,
}

impl Pship {
    pub(crate) fn is_active(&self, as_of: Date) -> bool {
        self.signed <= as_of && self.expires.is_none_or(|e| as_of < e)
    }
}

/// One resource resolved to indexes.
#[derive(Debug, Clone)]
pub(crate) struct Res {
    pub provider: Option<Provider>,
    /// Index into `Index::providers`.
    pub provider_slot: u32,
    pub domain: usize,
    pub capacity: u64,
    /// Committee indexes of `deployed_to`, when given.
    pub deployed: Option<Vec<u32>>,
}

/// One need resolved to indexes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NeedRec {
    pub committee: u32,
    pub domain: usize,
    pub demand: u64,
}

/// Bit of a mass-org type in `Index::committee_mass_types`.
pub(crate) fn mass_bit(t: MassOrgType) -> u8 {
    1 << (t as u8)
}

/// All static indexes of one bundle. Row indexes follow bundle order. Every part is behind an
/// `Arc`, so the next version of the network shares what a write does not touch
/// (`crate::incremental`).
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub ids: IdTable,
    pub street_district: Arc<Vec<u32>>,
    pub community_street: Arc<Vec<u32>>,
    pub committee_community: Arc<Vec<u32>>,
    pub committee_street: Arc<Vec<u32>>,
    pub committee_district: Arc<Vec<u32>>,
    /// `committee_self[k] == k`, so a committee target can be viewed as a one-element slice.
    pub committee_self: Arc<Vec<u32>>,
    pub district_streets: Arc<Csr<u32>>,
    pub street_communities: Arc<Csr<u32>>,
    pub street_committees: Arc<Csr<u32>>,
    pub community_committees: Arc<Csr<u32>>,
    /// Committee adjacency (地域相邻), both directions, deduplicated.
    pub adjacency: Arc<Graph>,
    pub committee_led: Arc<Vec<bool>>,
    pub committee_registered: Arc<Vec<u64>>,
    pub committee_mass_types: Arc<Vec<u8>>,
    pub member_birth_year: Arc<Vec<i32>>,
    pub social_org_street: Arc<Vec<u32>>,
    pub volunteering: Arc<Csr<Vol>>,
    pub partnerships: Arc<Vec<Pship>>,
    pub pships_at: Arc<ByTarget>,
    pub mass_org_targets: Arc<Csr<Target>>,
    pub resources: Arc<Vec<Res>>,
    pub resources_by_domain: Arc<Vec<Vec<u32>>>,
    pub needs: Arc<Vec<NeedRec>>,
    pub needs_by_committee: Arc<Csr<u32>>,
    /// Bitmask of domains with a need anywhere under each committee / community / street.
    pub need_domains_committee: Arc<Vec<u16>>,
    pub need_domains_community: Arc<Vec<u16>>,
    pub need_domains_street: Arc<Vec<u16>>,
    /// Distinct providers of resources, in order of first appearance.
    pub providers: Arc<Vec<Provider>>,
    /// Rank of each provider's id in string order (ties broken by it in candidate lists).
    pub provider_rank: Arc<Vec<u32>>,
    /// Home street of each provider (unit, social org, street, community's street).
    pub provider_home: Arc<Vec<Option<u32>>>,
    /// Providers by home street.
    pub providers_by_home: Arc<Csr<u32>>,
}

impl Index {
    pub(crate) fn build(b: &Bundle) -> Index {
        let n_ids = b.districts.len()
            + b.streets.len()
            + b.communities.len()
            + b.committees.len()
            + b.party_orgs.len()
            + b.units.len()
            + b.mass_orgs.len()
            + b.social_orgs.len()
            + b.members.len()
            + b.partnerships.len()
            + b.resources.len()
            + b.needs.len()
            + b.projects.len()
            + b.responsibilities.len();
        let mut ids = IdTable::with_capacity(n_ids);
        macro_rules! put {
            ($table:ident, $variant:ident) => {
                for (i, r) in b.$table.iter().enumerate() {
                    ids.insert(&r.id, Ent::$variant(i as u32));
                }
            };
        }
        put!(districts, District);
        put!(streets, Street);
        put!(communities, Community);
        put!(committees, Committee);
        put!(party_orgs, PartyOrg);
        put!(units, Unit);
        put!(mass_orgs, MassOrg);
        put!(social_orgs, SocialOrg);
        put!(members, Member);
        put!(partnerships, Partnership);
        put!(resources, Resource);
        put!(needs, Need);
        put!(projects, Project);
        put!(responsibilities, Responsibility);

        let nd = b.districts.len();
        let ns = b.streets.len();
        let nm = b.communities.len();
        let nk = b.committees.len();
        let look = |id: &str| ids.get(id).copied();
        let district_of = |id: &str| match look(id) {
            Some(Ent::District(i)) => i,
            _ => u32::MAX,
        };
        let street_of = |id: &str| match look(id) {
            Some(Ent::Street(i)) => i,
            _ => u32::MAX,
        };
        let community_of = |id: &str| match look(id) {
            Some(Ent::Community(i)) => i,
            _ => u32::MAX,
        };
        let committee_of = |id: &str| match look(id) {
            Some(Ent::Committee(i)) => Some(i),
            _ => None,
        };
        let target_of = |id: &str| match look(id) {
            Some(Ent::Street(i)) => Some(Target::Street(i)),
            Some(Ent::Community(i)) => Some(Target::Community(i)),
            Some(Ent::Committee(i)) => Some(Target::Committee(i)),
            _ => None,
        };

        let street_district: Vec<u32> =
            b.streets.iter().map(|s| district_of(&s.district)).collect();
        let community_street: Vec<u32> =
            b.communities.iter().map(|c| street_of(&c.street)).collect();
        let committee_community: Vec<u32> = b
            .committees
            .iter()
            .map(|k| community_of(&k.community))
            .collect();
        let at = |v: &Vec<u32>, i: u32| v.get(i as usize).copied().unwrap_or(u32::MAX);
        let committee_street: Vec<u32> = committee_community
            .iter()
            .map(|&c| at(&community_street, c))
            .collect();
        let committee_district: Vec<u32> = committee_street
            .iter()
            .map(|&s| at(&street_district, s))
            .collect();

        let pairs = |v: &Vec<u32>| -> Vec<(u32, u32)> {
            v.iter()
                .enumerate()
                .filter(|(_, p)| **p != u32::MAX)
                .map(|(i, p)| (*p, i as u32))
                .collect()
        };
        let district_streets = Csr::from_pairs(nd, &pairs(&street_district));
        let street_communities = Csr::from_pairs(ns, &pairs(&community_street));
        let street_committees = Csr::from_pairs(ns, &pairs(&committee_street));
        let community_committees = Csr::from_pairs(nm, &pairs(&committee_community));

        let adj_pairs: Vec<(u32, u32)> = b
            .adjacency
            .iter()
            .filter_map(|a| Some((committee_of(&a.a)?, committee_of(&a.b)?)))
            .filter(|(x, y)| x != y)
            .collect();
        let adjacency = undirected_graph(nk, &adj_pairs);

        let mut committee_led = vec![false; nk];
        for p in &b.party_orgs {
            if let Some(k) = committee_of(&p.leads) {
                committee_led[k as usize] = true;
            }
        }
        let mut committee_registered = vec![0u64; nk];
        for m in &b.members {
            if let Some(k) = m.registered_at.as_deref().and_then(committee_of) {
                committee_registered[k as usize] += 1;
            }
        }
        let member_birth_year: Vec<i32> = b.members.iter().map(|m| m.birth_year).collect();
        let vol_pairs: Vec<(u32, Vol)> = b
            .volunteering
            .iter()
            .enumerate()
            .filter_map(|(row, v)| vol_entry(&ids, row, v))
            .collect();
        let volunteering = Csr::from_pairs(nk, &vol_pairs);

        let mut mass_pairs: Vec<(u32, Target)> = Vec::new();
        for l in &b.mass_links {
            if let (Some(Ent::MassOrg(m)), Some(t)) = (look(&l.mass_org), target_of(&l.target))
                && !mass_pairs.contains(&(m, t))
            {
                mass_pairs.push((m, t));
            }
        }
        let mass_org_targets = Csr::from_pairs(b.mass_orgs.len(), &mass_pairs);
        let mut committee_mass_types = vec![0u8; nk];
        let target_bits = |t: Target, bit: u8, out: &mut Vec<u8>| {
            let one;
            let ks: &[u32] = match t {
                Target::Street(s) => street_committees.get(s),
                Target::Community(c) => community_committees.get(c),
                Target::Committee(k) => {
                    one = [k];
                    &one
                }
            };
            for &k in ks {
                if let Some(x) = out.get_mut(k as usize) {
                    *x |= bit;
                }
            }
        };
        for &(m, t) in &mass_pairs {
            target_bits(
                t,
                mass_bit(b.mass_orgs[m as usize].kind),
                &mut committee_mass_types,
            );
        }

        let mut ix = Index {
            street_district: Arc::new(street_district),
            community_street: Arc::new(community_street),
            committee_community: Arc::new(committee_community),
            committee_street: Arc::new(committee_street),
            committee_district: Arc::new(committee_district),
            committee_self: Arc::new((0..nk as u32).collect()),
            district_streets: Arc::new(district_streets),
            street_communities: Arc::new(street_communities),
            street_committees: Arc::new(street_committees),
            community_committees: Arc::new(community_committees),
            adjacency: Arc::new(adjacency),
            committee_led: Arc::new(committee_led),
            committee_registered: Arc::new(committee_registered),
            committee_mass_types: Arc::new(committee_mass_types),
            member_birth_year: Arc::new(member_birth_year),
            social_org_street: Arc::new(
                b.social_orgs.iter().map(|o| street_of(&o.street)).collect(),
            ),
            volunteering: Arc::new(volunteering),
            partnerships: Arc::default(),
            pships_at: Arc::default(),
            mass_org_targets: Arc::new(mass_org_targets),
            resources: Arc::default(),
            resources_by_domain: Arc::default(),
            needs: Arc::default(),
            needs_by_committee: Arc::new(Csr::from_pairs(0, &[])),
            need_domains_committee: Arc::default(),
            need_domains_community: Arc::default(),
            need_domains_street: Arc::default(),
            providers: Arc::default(),
            provider_rank: Arc::default(),
            provider_home: Arc::default(),
            providers_by_home: Arc::new(Csr::from_pairs(0, &[])),
            ids,
        };
        ix.set_partnerships(b);
        ix.set_resources(b);
        ix.set_needs(b);
        ix
    }

    pub(crate) fn committee_of(&self, id: &str) -> Option<u32> {
        match self.ids.get(id) {
            Some(Ent::Committee(i)) => Some(*i),
            _ => None,
        }
    }

    fn target_of(&self, id: &str) -> Option<Target> {
        match self.ids.get(id) {
            Some(Ent::Street(i)) => Some(Target::Street(*i)),
            Some(Ent::Community(i)) => Some(Target::Community(*i)),
            Some(Ent::Committee(i)) => Some(Target::Committee(*i)),
            _ => None,
        }
    }

    /// One volunteering row resolved to indexes: its committee and the row.
    pub(crate) fn vol_of(
        &self,
        row: usize,
        v: &dangjian_model::Volunteering,
    ) -> Option<(u32, Vol)> {
        vol_entry(&self.ids, row, v)
    }

    /// (Re)build the partnership indexes from the bundle's partnerships.
    pub(crate) fn set_partnerships(&mut self, b: &Bundle) {
        let partnerships: Vec<Pship> = b
            .partnerships
            .iter()
            .map(|p| Pship {
                unit: match self.ids.get(&p.unit) {
                    Some(Ent::Unit(i)) => *i,
                    _ => u32::MAX,
                },
                target: self.target_of(&p.target),
                signed: p.signed,
                expires: p.expires,
            })
            .collect();
        let located = partnerships
            .iter()
            .enumerate()
            .filter(|(_, p)| p.unit != u32::MAX)
            .filter_map(|(i, p)| Some((p.target?, i as u32)));
        let n = [b.streets.len(), b.communities.len(), b.committees.len()];
        self.pships_at = Arc::new(ByTarget::from_pairs(n, located));
        self.partnerships = Arc::new(partnerships);
    }

    /// (Re)build the resource and provider indexes from the bundle's resources.
    pub(crate) fn set_resources(&mut self, b: &Bundle) {
        let ns = b.streets.len();
        let street_of = |id: &str| match self.ids.get(id) {
            Some(Ent::Street(i)) => *i,
            _ => u32::MAX,
        };
        let mut provider_slot: HashMap<Provider, u32> = HashMap::new();
        let mut providers: Vec<Provider> = Vec::new();
        let mut resources: Vec<Res> = Vec::with_capacity(b.resources.len());
        let mut resources_by_domain: Vec<Vec<u32>> = vec![Vec::new(); 12];
        for r in &b.resources {
            let provider = match self.ids.get(&r.provider) {
                Some(Ent::Unit(x)) => Some(Provider::Unit(*x)),
                Some(Ent::MassOrg(x)) => Some(Provider::MassOrg(*x)),
                Some(Ent::SocialOrg(x)) => Some(Provider::SocialOrg(*x)),
                Some(Ent::Street(x)) => Some(Provider::Street(*x)),
                Some(Ent::Community(x)) => Some(Provider::Community(*x)),
                _ => None,
            };
            let slot = match provider {
                Some(p) => *provider_slot.entry(p).or_insert_with(|| {
                    providers.push(p);
                    (providers.len() - 1) as u32
                }),
                None => u32::MAX,
            };
            let domain = r.domain as usize;
            resources_by_domain[domain].push(resources.len() as u32);
            resources.push(Res {
                provider,
                provider_slot: slot,
                domain,
                capacity: r.capacity,
                deployed: r
                    .deployed_to
                    .as_ref()
                    .map(|v| v.iter().filter_map(|id| self.committee_of(id)).collect()),
            });
        }
        let provider_id = |p: Provider| -> &str {
            match p {
                Provider::Unit(x) => &b.units[x as usize].id,
                Provider::MassOrg(x) => &b.mass_orgs[x as usize].id,
                Provider::SocialOrg(x) => &b.social_orgs[x as usize].id,
                Provider::Street(x) => &b.streets[x as usize].id,
                Provider::Community(x) => &b.communities[x as usize].id,
            }
        };
        let mut order: Vec<u32> = (0..providers.len() as u32).collect();
        order.sort_by(|&x, &y| {
            provider_id(providers[x as usize]).cmp(provider_id(providers[y as usize]))
        });
        let mut provider_rank = vec![0u32; providers.len()];
        for (r, &p) in order.iter().enumerate() {
            provider_rank[p as usize] = r as u32;
        }
        let provider_home: Vec<Option<u32>> = providers
            .iter()
            .map(|p| {
                let s = match *p {
                    Provider::Unit(x) => street_of(&b.units[x as usize].street),
                    Provider::SocialOrg(x) => street_of(&b.social_orgs[x as usize].street),
                    Provider::Street(x) => x,
                    Provider::Community(x) => self
                        .community_street
                        .get(x as usize)
                        .copied()
                        .unwrap_or(u32::MAX),
                    Provider::MassOrg(_) => u32::MAX,
                };
                (s != u32::MAX).then_some(s)
            })
            .collect();
        let home_pairs: Vec<(u32, u32)> = provider_home
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.map(|s| (s, i as u32)))
            .collect();
        self.providers_by_home = Arc::new(Csr::from_pairs(ns, &home_pairs));
        self.providers = Arc::new(providers);
        self.provider_rank = Arc::new(provider_rank);
        self.provider_home = Arc::new(provider_home);
        self.resources = Arc::new(resources);
        self.resources_by_domain = Arc::new(resources_by_domain);
    }

    /// (Re)build the need indexes from the bundle's needs.
    pub(crate) fn set_needs(&mut self, b: &Bundle) {
        let nk = b.committees.len();
        let nm = b.communities.len();
        let ns = b.streets.len();
        let mut needs = Vec::with_capacity(b.needs.len());
        let mut need_pairs = Vec::with_capacity(b.needs.len());
        let mut need_domains_committee = vec![0u16; nk];
        let mut need_domains_community = vec![0u16; nm];
        let mut need_domains_street = vec![0u16; ns];
        for (i, n) in b.needs.iter().enumerate() {
            let k = self.committee_of(&n.committee);
            let domain = n.domain as usize;
            needs.push(NeedRec {
                committee: k.unwrap_or(u32::MAX),
                domain,
                demand: n.demand,
            });
            let Some(k) = k else { continue };
            need_pairs.push((k, i as u32));
            let bit = 1u16 << domain;
            need_domains_committee[k as usize] |= bit;
            let c = self.committee_community[k as usize];
            if let Some(x) = need_domains_community.get_mut(c as usize) {
                *x |= bit;
            }
            let s = self.committee_street[k as usize];
            if let Some(x) = need_domains_street.get_mut(s as usize) {
                *x |= bit;
            }
        }
        self.needs_by_committee = Arc::new(Csr::from_pairs(nk, &need_pairs));
        self.needs = Arc::new(needs);
        self.need_domains_committee = Arc::new(need_domains_committee);
        self.need_domains_community = Arc::new(need_domains_community);
        self.need_domains_street = Arc::new(need_domains_street);
    }

    /// The committees a target covers.
    pub(crate) fn committees_of(&self, t: Target) -> &[u32] {
        match t {
            Target::Street(s) => self.street_committees.get(s),
            Target::Community(c) => self.community_committees.get(c),
            Target::Committee(k) => {
                let k = k as usize;
                self.committee_self.get(k..k + 1).unwrap_or(&[])
            }
        }
    }

    /// Domains with a need anywhere under a target.
    pub(crate) fn need_domains(&self, t: Target) -> u16 {
        let v = match t {
            Target::Street(s) => self.need_domains_street.get(s as usize),
            Target::Community(c) => self.need_domains_community.get(c as usize),
            Target::Committee(k) => self.need_domains_committee.get(k as usize),
        };
        v.copied().unwrap_or(0)
    }
}

/// One volunteering row resolved against `ids`: its committee (`None` when it names none) and
/// the row, its member `u32::MAX` when the member is unknown.
fn vol_entry(ids: &IdTable, row: usize, v: &dangjian_model::Volunteering) -> Option<(u32, Vol)> {
    let k = match ids.get(&v.committee) {
        Some(Ent::Committee(i)) => *i,
        _ => return None,
    };
    let member = match ids.get(&v.member) {
        Some(Ent::Member(i)) => *i,
        _ => u32::MAX,
    };
    Some((
        k,
        Vol {
            member,
            row: row as u32,
            hours: v.hours,
            date: v.date,
        },
    ))
}
