//! Coverage per committee and its roll-ups (SPEC §3 "Coverage"): party org, registered members,
//! volunteering, partners in reach, mass-org types and blank spots (空白点).
//!
//! Volunteering counts when `as_of − 1 year < date ≤ as_of`, with "one year before" computed by
//! `checked_sub_months(12)`: for `as_of` = 2024-02-29 that is 2023-02-28, so a row dated
//! 2023-02-28 does not count and one dated 2023-03-01 does.

use crate::index::{Index, mass_bit};
use crate::reach::Scope;
use crate::{Engine, EngineError};
use chrono::{Datelike, Months};
use dangjian_model::{
    BlankSpot, CommitteeCoverage, CoverageDoc, Date, MassOrgType, Rollup, RollupLevel,
};
use std::collections::BTreeMap;

/// The start (exclusive) of the volunteering window that ends at `as_of` (inclusive).
pub(crate) fn volunteering_window_start(as_of: Date) -> Date {
    as_of
        .checked_sub_months(Months::new(12))
        .unwrap_or(Date::MIN)
}

/// Partners of one committee on a date.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Partners {
    pub direct: u64,
    pub in_reach: u64,
    /// The unit, when exactly one is in reach.
    pub sole: Option<u32>,
}

/// Scratch space for counting distinct units per committee.
pub(crate) struct PartnerCounter {
    stamp: Vec<u32>,
}

impl PartnerCounter {
    pub(crate) fn new(n_units: usize) -> PartnerCounter {
        PartnerCounter {
            stamp: vec![u32::MAX; n_units],
        }
    }

    /// Distinct units with an active partnership at the committee, its community or its street.
    pub(crate) fn count(&mut self, ix: &Index, k: u32, as_of: Date) -> Partners {
        let mut p = Partners::default();
        let c = ix.committee_community[k as usize];
        let s = ix.committee_street[k as usize];
        let lists = [
            ix.pships_at.committee.get(k),
            ix.pships_at.community.get(c),
            ix.pships_at.street.get(s),
        ];
        for (level, list) in lists.into_iter().enumerate() {
            for &pi in list {
                let ps = &ix.partnerships[pi as usize];
                if !ps.is_active(as_of) {
                    continue;
                }
                let slot = &mut self.stamp[ps.unit as usize];
                if *slot != k {
                    *slot = k;
                    p.in_reach += 1;
                    p.sole = Some(ps.unit);
                    if level == 0 {
                        p.direct += 1;
                    }
                }
            }
        }
        if p.in_reach != 1 {
            p.sole = None;
        }
        p
    }
}

const MASS_TYPES: [MassOrgType; 4] = [
    MassOrgType::Union,
    MassOrgType::YouthLeague,
    MassOrgType::WomenFederation,
    MassOrgType::Other,
];

impl Engine {
    /// Coverage of the committees under a scope on `as_of`, with roll-ups (SPEC §3).
    pub fn coverage(&self, scope: &str, as_of: Date) -> Result<CoverageDoc, EngineError> {
        let sc = self.resolve_scope(scope)?;
        let ks = self.scope_committee_indexes(sc);
        let committees = self.committee_coverage(&ks, as_of);
        let rollups = self.rollups(sc, &ks, &committees);
        Ok(CoverageDoc {
            as_of,
            scope: scope.to_string(),
            committees,
            rollups,
        })
    }

    /// Coverage rows of the given committees, in the given order.
    pub(crate) fn committee_coverage(&self, ks: &[u32], as_of: Date) -> Vec<CommitteeCoverage> {
        let b = &self.bundle;
        let ix = &self.index;
        let from = volunteering_window_start(as_of);
        let year = as_of.year();
        let mut partners = PartnerCounter::new(b.units.len());
        let mut member_stamp = vec![u32::MAX; b.members.len()];
        let mut out = Vec::with_capacity(ks.len());
        for &k in ks {
            let ku = k as usize;
            let cm = &b.committees[ku];
            // A validated bundle always has the street; stay total on one that is not.
            let street = b.streets.get(ix.committee_street[ku] as usize);
            let registered = ix.committee_registered[ku];
            let mut hours = 0.0f64;
            let mut young = 0u64;
            for v in ix.volunteering.get(k) {
                if !(from < v.date && v.date <= as_of) {
                    continue;
                }
                hours += v.hours;
                if v.hours > 0.0
                    && v.member != u32::MAX
                    && year - ix.member_birth_year[v.member as usize] < 35
                    && member_stamp[v.member as usize] != k
                {
                    member_stamp[v.member as usize] = k;
                    young += 1;
                }
            }
            let p = partners.count(ix, k, as_of);
            let bits = ix.committee_mass_types[ku];
            let mass_org_types: Vec<MassOrgType> = MASS_TYPES
                .into_iter()
                .filter(|t| bits & mass_bit(*t) != 0)
                .collect();
            let party_org = ix.committee_led[ku];
            let mut blank_spots = Vec::new();
            for (flag, on) in [
                (BlankSpot::NoPartyOrg, !party_org),
                (BlankSpot::NoMembers, registered == 0),
                (BlankSpot::NoPartners, p.in_reach == 0),
                (BlankSpot::NoUnion, bits & mass_bit(MassOrgType::Union) == 0),
                (
                    BlankSpot::NoYouthLeague,
                    bits & mass_bit(MassOrgType::YouthLeague) == 0,
                ),
                (
                    BlankSpot::NoWomenFederation,
                    bits & mass_bit(MassOrgType::WomenFederation) == 0,
                ),
            ] {
                if on {
                    blank_spots.push(flag);
                }
            }
            out.push(CommitteeCoverage {
                id: cm.id.clone(),
                name: cm.name.clone(),
                community: cm.community.clone(),
                street: street.map(|x| x.id.clone()).unwrap_or_default(),
                district: street.map(|x| x.district.clone()).unwrap_or_default(),
                party_org,
                registered_members: registered,
                members_per_1000_households: (cm.households > 0)
                    .then(|| registered as f64 * 1000.0 / cm.households as f64),
                volunteer_hours: hours,
                young_volunteers: young,
                partners_direct: p.direct,
                partners_in_reach: p.in_reach,
                mass_org_types,
                blank_spots,
            });
        }
        out
    }

    /// Roll-ups at and below the scope: communities, then streets, then districts, then the
    /// city, each group in bundle order. A committee scope has none.
    fn rollups(&self, sc: Scope, ks: &[u32], rows: &[CommitteeCoverage]) -> Vec<Rollup> {
        let b = &self.bundle;
        let ix = &self.index;
        let (communities, streets, districts, city): (Vec<u32>, Vec<u32>, Vec<u32>, bool) = match sc
        {
            Scope::City => (
                (0..b.communities.len() as u32).collect(),
                (0..b.streets.len() as u32).collect(),
                (0..b.districts.len() as u32).collect(),
                true,
            ),
            Scope::District(d) => {
                let streets = ix.district_streets.get(d).to_vec();
                let communities = (0..b.communities.len() as u32)
                    .filter(|&c| {
                        ix.street_district
                            .get(ix.community_street[c as usize] as usize)
                            .copied()
                            == Some(d)
                    })
                    .collect();
                (communities, streets, vec![d], false)
            }
            Scope::Street(s) => (
                ix.street_communities.get(s).to_vec(),
                vec![s],
                vec![],
                false,
            ),
            Scope::Community(c) => (vec![c], vec![], vec![], false),
            Scope::Committee(_) => (vec![], vec![], vec![], false),
        };
        // Row positions grouped by community / street / district.
        let mut by_community: Vec<Vec<usize>> = vec![Vec::new(); b.communities.len()];
        let mut by_street: Vec<Vec<usize>> = vec![Vec::new(); b.streets.len()];
        let mut by_district: Vec<Vec<usize>> = vec![Vec::new(); b.districts.len()];
        for (i, &k) in ks.iter().enumerate() {
            let ku = k as usize;
            if let Some(v) = by_community.get_mut(ix.committee_community[ku] as usize) {
                v.push(i);
            }
            if let Some(v) = by_street.get_mut(ix.committee_street[ku] as usize) {
                v.push(i);
            }
            if let Some(v) = by_district.get_mut(ix.committee_district[ku] as usize) {
                v.push(i);
            }
        }
        let mut out = Vec::new();
        let levels = [
            (RollupLevel::Community, &communities, &by_community),
            (RollupLevel::Street, &streets, &by_street),
            (RollupLevel::District, &districts, &by_district),
        ];
        for (level, places, members) in levels {
            for &p in places.iter() {
                let id = match level {
                    RollupLevel::Community => &b.communities[p as usize].id,
                    RollupLevel::Street => &b.streets[p as usize].id,
                    _ => &b.districts[p as usize].id,
                };
                out.push(rollup(id, level, &members[p as usize], rows));
            }
        }
        if city {
            let all: Vec<usize> = (0..rows.len()).collect();
            out.push(rollup("city", RollupLevel::City, &all, rows));
        }
        out
    }
}

fn rollup(id: &str, level: RollupLevel, members: &[usize], rows: &[CommitteeCoverage]) -> Rollup {
    let mut blank_spots: BTreeMap<BlankSpot, u64> =
        BlankSpot::ALL.iter().map(|f| (*f, 0)).collect();
    let mut registered = 0u64;
    let mut hours = 0.0f64;
    let mut partners: Vec<u64> = Vec::with_capacity(members.len());
    for &i in members {
        let r = &rows[i];
        for f in &r.blank_spots {
            *blank_spots.entry(*f).or_insert(0) += 1;
        }
        registered += r.registered_members;
        hours += r.volunteer_hours;
        partners.push(r.partners_in_reach);
    }
    partners.sort_unstable();
    let n = partners.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(partners[n / 2] as f64),
        _ => Some((partners[n / 2 - 1] as f64 + partners[n / 2] as f64) / 2.0),
    };
    Rollup {
        id: id.into(),
        level,
        committees: members.len() as u64,
        blank_spots,
        registered_members: registered,
        volunteer_hours: hours,
        partners_in_reach_median: median,
    }
}
