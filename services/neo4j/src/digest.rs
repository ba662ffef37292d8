//! The volunteering digest: each residents' committee node carries its volunteering rows in
//! bundle row order as four parallel lists — `vol_date`, `vol_hours`, and the volunteer's
//! `vol_birth_year` and `vol_member` (the member's row index) — so that coverage via Cypher reads
//! one node per committee instead of expanding some 170 `VOLUNTEERED` relationships and their
//! members (about 85 % of the city query's database hits; the query ran about twice as fast on
//! the Shanghai network: BENCHMARKS.md, "Neo4j at Shanghai scale, fourth round").
//!
//! The relationships stay the record (the projection reads them); the digest is derived from
//! them and kept by every write: the Bolt import (for every committee, once the relationships are
//! written) and a row write (for the committees it touched) compute it on the server from the
//! relationships ([`refresh`]); the bulk load writes it into the committees' CSV file from the
//! bundle ([`of_bundle`]); [`drift`] counts the committees whose digest differs from their
//! relationships (0 in a healthy store; the tests check it after each kind of write).

use crate::{backend, import};
use dangjian_model::{Bundle, StoreError};
use futures::stream::{self, TryStreamExt};
use neo4rs::{Graph, Query, query};
use std::collections::HashMap;

/// The digest's property names on a committee node, in the order of [`Digest`]'s lists.
pub(crate) const PROPS: [&str; 4] = ["vol_date", "vol_hours", "vol_birth_year", "vol_member"];

/// One committee's volunteering rows, in bundle row order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Digest {
    pub date: Vec<String>,
    pub hours: Vec<f64>,
    pub birth_year: Vec<i64>,
    pub member: Vec<i64>,
}

impl Digest {
    pub(crate) fn is_empty(&self) -> bool {
        self.date.is_empty()
    }
}

/// The digest of every committee of `b`, by committee row. Rows naming an unknown member or
/// committee (which validation refuses) are left out.
pub(crate) fn of_bundle(b: &Bundle) -> Vec<Digest> {
    let committees: HashMap<&str, usize> = b
        .committees
        .iter()
        .enumerate()
        .map(|(i, k)| (k.id.as_str(), i))
        .collect();
    let members: HashMap<&str, (i64, i64)> = b
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), (i as i64, i64::from(m.birth_year))))
        .collect();
    let mut out = vec![Digest::default(); b.committees.len()];
    for v in b.volunteering.iter() {
        let (Some(&k), Some(&(row, birth_year))) = (
            committees.get(v.committee.as_str()),
            members.get(v.member.as_str()),
        ) else {
            continue;
        };
        let d = &mut out[k];
        d.date.push(v.date.format("%Y-%m-%d").to_string());
        d.hours.push(v.hours);
        d.birth_year.push(birth_year);
        d.member.push(row);
    }
    out
}

/// Cypher: the digest of committee `k` read from its relationships, as `vol_date`, `vol_hours`,
/// `vol_birth_year`, `vol_member` (a `CALL` subquery; `k` must be bound).
const FROM_RELATIONSHIPS: &str = "CALL (k) { \
       OPTIONAL MATCH (v:Member)-[x:VOLUNTEERED]->(k) \
       WITH v, x ORDER BY x.row \
       RETURN collect(x.date) AS vol_date, collect(x.hours) AS vol_hours, \
              collect(v.birth_year) AS vol_birth_year, collect(v.row) AS vol_member }";

/// Recompute, from their relationships, the digest of generation `$gen`'s committees named in
/// `committees` and of those where a member named in `members` volunteers (a member's birth
/// year is in the digest). Returns the number of committees refreshed as `c`.
pub(crate) fn refresh(gen_: i64, committees: Vec<String>, members: Vec<String>) -> Query {
    query(&format!(
        "CALL () {{ \
           UNWIND $committees AS id MATCH (k:Committee:Net {{gen: $gen, id: id}}) RETURN k \
           UNION \
           UNWIND $members AS id \
           MATCH (:Member:Net {{gen: $gen, id: id}})-[:VOLUNTEERED]->(k:Committee) RETURN k \
         }} \
         {FROM_RELATIONSHIPS} \
         SET k.vol_date = vol_date, k.vol_hours = vol_hours, \
             k.vol_birth_year = vol_birth_year, k.vol_member = vol_member \
         RETURN count(k) AS c"
    ))
    .param("gen", gen_)
    .param("committees", committees)
    .param("members", members)
}

/// Committees per statement of [`refresh_all`].
const REFRESH_BATCH: usize = 500;

/// Refresh the digest of generation `gen_`'s `committees` (the import's last step, and the mend
/// of `dangjian neo4j check`): [`refresh`] in batches, as many in flight as the import's writers.
/// After an import this is faster than sending lists computed from the bundle: the
/// relationships are read back from the page cache, and nothing crosses the wire.
pub(crate) async fn refresh_all(
    graph: &Graph,
    committees: Vec<String>,
    gen_: i64,
) -> Result<(), StoreError> {
    let t = std::time::Instant::now();
    stream::iter(committees.chunks(REFRESH_BATCH).map(Ok))
        .try_for_each_concurrent(import::writers(), |chunk| async move {
            graph
                .run(refresh(gen_, chunk.to_vec(), Vec::new()))
                .await
                .map_err(|e| backend("writing volunteering digests", e))
        })
        .await?;
    if std::env::var_os("DANGJIAN_NEO4J_TRACE").is_some() {
        eprintln!("digests {:.2}s", t.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Cypher: the number `c` of the current network's committees whose digest differs from their
/// relationships (an absent list is an empty one: the bulk load leaves empty lists out).
pub(crate) fn drift() -> Query {
    query(&format!(
        "MATCH (meta:Meta {{key: 'network'}}) \
         MATCH (k:Committee:Net {{gen: meta.current_gen}}) \
         {FROM_RELATIONSHIPS} \
         WITH k WHERE coalesce(k.vol_date, []) <> vol_date \
           OR coalesce(k.vol_hours, []) <> vol_hours \
           OR coalesce(k.vol_birth_year, []) <> vol_birth_year \
           OR coalesce(k.vol_member, []) <> vol_member \
         RETURN count(k) AS c"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_lists_follow_row_order_and_skip_unknown_ends() {
        let b = dangjian_testdata::seed_bundle();
        let digests = of_bundle(&b);
        assert_eq!(digests.len(), b.committees.len());
        let total: usize = digests.iter().map(|d| d.date.len()).sum();
        assert_eq!(
            total,
            b.volunteering.len(),
            "every row lands in one committee"
        );
        // The first committee with volunteering: its rows, in order, with the members' rows.
        let (k, d) = digests
            .iter()
            .enumerate()
            .find(|(_, d)| !d.is_empty())
            .expect("some volunteering");
        let rows: Vec<_> = b
            .volunteering
            .iter()
            .filter(|v| v.committee == b.committees[k].id)
            .collect();
        assert_eq!(d.hours, rows.iter().map(|v| v.hours).collect::<Vec<_>>());
        for (i, v) in rows.iter().enumerate() {
            let m = &b.members[d.member[i] as usize];
            assert_eq!(m.id, v.member);
            assert_eq!(d.birth_year[i], i64::from(m.birth_year));
            assert_eq!(d.date[i], v.date.to_string());
        }
        let mut broken = b.clone();
        broken.volunteering[0].member = "no-such-member".into();
        let total: usize = of_bundle(&broken).iter().map(|d| d.date.len()).sum();
        assert_eq!(total, b.volunteering.len() - 1);
    }
}
