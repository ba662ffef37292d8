//! Merging a partial bundle into a whole one: rows with ids are upserted by id (replaced in
//! place, new ones appended); rows without ids are appended unless an equal row exists.

use crate::bundle::*;
use std::collections::{HashMap, HashSet};

/// Rows that carry an id.
trait Keyed {
    fn key(&self) -> &str;
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> &str {
                &self.id
            }
        }
    )*};
}

keyed!(
    District,
    Street,
    Community,
    Committee,
    PartyOrg,
    Unit,
    MassOrg,
    SocialOrg,
    Member,
    Partnership,
    Resource,
    Need,
    Project,
    Responsibility
);

fn upsert<T: Keyed + Clone>(base: &[T], partial: &[T]) -> Vec<T> {
    let mut out = base.to_vec();
    let mut at: HashMap<String, usize> = HashMap::with_capacity(base.len() + partial.len());
    for (i, r) in base.iter().enumerate() {
        at.entry(r.key().to_string()).or_insert(i);
    }
    for r in partial {
        match at.get(r.key()) {
            Some(&i) => out[i] = r.clone(),
            None => {
                at.insert(r.key().to_string(), out.len());
                out.push(r.clone());
            }
        }
    }
    out
}

/// Appends the rows of `partial` whose key is not yet present.
fn append_new<T: Clone, K: std::hash::Hash + Eq>(
    base: &[T],
    partial: &[T],
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut out = base.to_vec();
    let mut seen: HashSet<K> = base.iter().map(&key).collect();
    for r in partial {
        if seen.insert(key(r)) {
            out.push(r.clone());
        }
    }
    out
}

impl Bundle {
    /// This bundle with `partial` merged in (see the module doc). Nothing is validated here.
    pub fn merged(&self, partial: &Bundle) -> Bundle {
        Bundle {
            districts: upsert(&self.districts, &partial.districts),
            streets: upsert(&self.streets, &partial.streets),
            communities: upsert(&self.communities, &partial.communities),
            committees: upsert(&self.committees, &partial.committees),
            adjacency: append_new(&self.adjacency, &partial.adjacency, |r| {
                // Undirected: {a, b} equals {b, a}.
                if r.a <= r.b {
                    (r.a.clone(), r.b.clone())
                } else {
                    (r.b.clone(), r.a.clone())
                }
            }),
            party_orgs: upsert(&self.party_orgs, &partial.party_orgs),
            units: upsert(&self.units, &partial.units),
            mass_orgs: upsert(&self.mass_orgs, &partial.mass_orgs),
            social_orgs: upsert(&self.social_orgs, &partial.social_orgs),
            members: upsert(&self.members, &partial.members),
            partnerships: upsert(&self.partnerships, &partial.partnerships),
            mass_links: append_new(&self.mass_links, &partial.mass_links, |r| {
                (r.mass_org.clone(), r.target.clone(), r.domain)
            }),
            resources: upsert(&self.resources, &partial.resources),
            needs: upsert(&self.needs, &partial.needs),
            projects: upsert(&self.projects, &partial.projects),
            volunteering: append_new(&self.volunteering, &partial.volunteering, |r| {
                (
                    r.member.clone(),
                    r.committee.clone(),
                    r.domain,
                    r.hours.to_bits(),
                    r.date,
                )
            }),
            responsibilities: upsert(&self.responsibilities, &partial.responsibilities),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn district(id: &str, name: &str) -> District {
        District {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn upsert_replaces_in_place_and_appends() {
        let base = Bundle {
            districts: vec![district("D1", "一"), district("D2", "二")],
            ..Bundle::default()
        };
        let partial = Bundle {
            districts: vec![district("D3", "三"), district("D1", "壹")],
            ..Bundle::default()
        };
        let m = base.merged(&partial);
        assert_eq!(
            m.districts,
            vec![
                district("D1", "壹"),
                district("D2", "二"),
                district("D3", "三")
            ]
        );
        // The inputs are untouched.
        assert_eq!(base.districts[0].name, "一");
    }

    #[test]
    fn rows_without_ids_are_deduplicated() {
        let adj = |a: &str, b: &str| Adjacency {
            a: a.into(),
            b: b.into(),
        };
        let vol = |h: f64| Volunteering {
            member: "E1".into(),
            committee: "K1".into(),
            domain: ServiceDomain::Greening,
            hours: h,
            date: "2025-01-02".parse().expect("date"),
        };
        let link = |d| MassLink {
            mass_org: "M1".into(),
            target: "K1".into(),
            domain: d,
        };
        let base = Bundle {
            adjacency: vec![adj("K1", "K2")],
            volunteering: vec![vol(1.0)],
            mass_links: vec![link(ServiceDomain::Employment)],
            ..Bundle::default()
        };
        let partial = Bundle {
            adjacency: vec![adj("K2", "K1"), adj("K2", "K3")],
            volunteering: vec![vol(1.0), vol(2.0)],
            mass_links: vec![
                link(ServiceDomain::Employment),
                link(ServiceDomain::Childcare),
            ],
            ..Bundle::default()
        };
        let m = base.merged(&partial);
        assert_eq!(m.adjacency, vec![adj("K1", "K2"), adj("K2", "K3")]);
        assert_eq!(m.volunteering, vec![vol(1.0), vol(2.0)]);
        assert_eq!(
            m.mass_links,
            vec![
                link(ServiceDomain::Employment),
                link(ServiceDomain::Childcare)
            ]
        );
    }

    #[test]
    fn merging_into_empty_is_the_partial() {
        let partial = Bundle {
            districts: vec![district("D1", "一")],
            ..Bundle::default()
        };
        assert_eq!(Bundle::default().merged(&partial), partial);
        assert_eq!(partial.merged(&Bundle::default()), partial);
    }
}
