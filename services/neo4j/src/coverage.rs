//! Coverage computed inside Neo4j by `queries/coverage_committees.cypher`; the roll-ups are
//! aggregated here from those committee rows over the areas of `queries/coverage_areas.cypher`,
//! the same way the engine does (sums in committee order, median of `partners_in_reach`).

use crate::{Neo4jStore, backend, queries};
use dangjian_model::{
    BlankSpot, CommitteeCoverage, CoverageDoc, Date, Rollup, RollupLevel, StoreError,
};
use futures::stream::{self, StreamExt, TryStreamExt};
use neo4rs::query;
use std::collections::{BTreeMap, HashMap};

/// Median of `xs` (mean of the two middle values for an even count), `None` when empty.
fn median(mut xs: Vec<u64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] as f64 + xs[n / 2] as f64) / 2.0
    })
}

/// The roll-up of `rows` (already restricted to one area).
fn rollup(id: &str, level: RollupLevel, rows: &[&CommitteeCoverage]) -> Rollup {
    let mut blank_spots: BTreeMap<BlankSpot, u64> =
        BlankSpot::ALL.iter().map(|f| (*f, 0)).collect();
    for r in rows {
        for f in &r.blank_spots {
            *blank_spots.entry(*f).or_default() += 1;
        }
    }
    Rollup {
        id: id.into(),
        level,
        committees: rows.len() as u64,
        blank_spots,
        registered_members: rows.iter().map(|r| r.registered_members).sum(),
        volunteer_hours: rows.iter().fold(0.0, |acc, r| acc + r.volunteer_hours),
        partners_in_reach_median: median(rows.iter().map(|r| r.partners_in_reach).collect()),
    }
}

fn level_of(s: &str) -> Option<RollupLevel> {
    match s {
        "community" => Some(RollupLevel::Community),
        "street" => Some(RollupLevel::Street),
        "district" => Some(RollupLevel::District),
        "city" => Some(RollupLevel::City),
        _ => None,
    }
}

fn level_rank(l: RollupLevel) -> u8 {
    match l {
        RollupLevel::Community => 0,
        RollupLevel::Street => 1,
        RollupLevel::District => 2,
        RollupLevel::City => 3,
    }
}

impl Neo4jStore {
    /// Coverage of `scope` (`city`, or a district, street, community or committee id) on
    /// `as_of`, computed in Neo4j by the Cypher in `queries/`. Equal to the engine's coverage
    /// document (a committee scope has no roll-ups). An unknown scope is an error; an empty store
    /// gives an empty document for `city`.
    pub fn coverage_via_cypher(&self, scope: &str, as_of: Date) -> Result<CoverageDoc, StoreError> {
        self.block_on(async {
            let mut current = self.current_gen().await?;
            if current.is_none() {
                if scope == "city" {
                    return Ok(CoverageDoc {
                        as_of,
                        scope: scope.into(),
                        committees: vec![],
                        rollups: vec![],
                    });
                }
                return Err(StoreError::Backend(format!(
                    "unknown scope `{scope}`: no network is stored"
                )));
            }
            let as_of_s = as_of.format("%Y-%m-%d").to_string();
            let mut attempts = 0;
            let (committees, mut areas) = loop {
                // The queries read the current generation each; an import switching it between
                // them would mix two networks, so the pointer is compared around them.
                let areas = self.coverage_areas(scope).await?;
                let committees = self.coverage_committees(scope, &as_of_s, &areas).await?;
                let after = self.current_gen().await?;
                if after == current {
                    break (committees, areas);
                }
                current = after;
                attempts += 1;
                if attempts == 3 {
                    return Err(StoreError::Backend(
                        "neo4j: the network kept changing while its coverage was computed".into(),
                    ));
                }
            };
            // A committee scope has its one row and no roll-ups (as in the engine).
            if areas.is_empty() && committees.is_empty() {
                return Err(StoreError::Backend(format!(
                    "unknown scope `{scope}`: use `city` or a district, street, community or committee id"
                )));
            }
            areas.sort_by_key(|(l, row, _)| (level_rank(*l), *row));
            // Committees by area (in committee order), so each roll-up is one lookup.
            let mut by_area: HashMap<(u8, &str), Vec<&CommitteeCoverage>> = HashMap::new();
            for c in &committees {
                by_area.entry((0, &c.community)).or_default().push(c);
                by_area.entry((1, &c.street)).or_default().push(c);
                by_area.entry((2, &c.district)).or_default().push(c);
            }
            let everyone: Vec<&CommitteeCoverage> = committees.iter().collect();
            let none: Vec<&CommitteeCoverage> = Vec::new();
            let rollups = areas
                .iter()
                .map(|(level, _, id)| {
                    let rows = match level {
                        RollupLevel::City => &everyone,
                        l => by_area
                            .get(&(level_rank(*l), id.as_str()))
                            .unwrap_or(&none),
                    };
                    rollup(id, *level, rows)
                })
                .collect();
            Ok(CoverageDoc {
                as_of,
                scope: scope.to_owned(),
                committees,
                rollups,
            })
        })
    }
}

/// Coverage queries in flight at once when a scope is split into its parts (Community Edition
/// runs one query on one thread: the parts share the server's cores).
const PARTS_IN_FLIGHT: usize = 4;

/// The areas one level below `scope` among `areas` (the districts of the city, the streets of a
/// district, the communities of a street): parts whose committees together are the scope's.
fn parts_of<'a>(scope: &str, areas: &'a [(RollupLevel, i64, String)]) -> Vec<&'a str> {
    let rank = if scope == "city" {
        level_rank(RollupLevel::City)
    } else {
        match areas.iter().find(|(_, _, id)| id == scope) {
            Some((level, _, _)) => level_rank(*level),
            None => return Vec::new(),
        }
    };
    areas
        .iter()
        .filter(|(l, _, _)| rank > 0 && level_rank(*l) == rank - 1)
        .map(|(_, _, id)| id.as_str())
        .collect()
}

impl Neo4jStore {
    /// The roll-up areas of `scope` (`queries/coverage_areas.cypher`): level, bundle row, id.
    async fn coverage_areas(
        &self,
        scope: &str,
    ) -> Result<Vec<(RollupLevel, i64, String)>, StoreError> {
        let mut areas = Vec::new();
        for r in self
            .read_rows(query(queries::COVERAGE_AREAS).param("scope", scope))
            .await?
        {
            let level: String = r.get("level").map_err(|e| backend("decoding an area", e))?;
            let id: String = r.get("id").map_err(|e| backend("decoding an area", e))?;
            let row: i64 = r.get("row").map_err(|e| backend("decoding an area", e))?;
            let level = level_of(&level).ok_or_else(|| backend("decoding an area", level))?;
            areas.push((level, row, id));
        }
        Ok(areas)
    }

    /// The committee rows of `scope` (`queries/coverage_committees.cypher`), in bundle order.
    /// A scope with several parts (see [`parts_of`]) is asked part by part, [`PARTS_IN_FLIGHT`]
    /// at once, so the server works on it with all its cores.
    async fn coverage_committees(
        &self,
        scope: &str,
        as_of: &str,
        areas: &[(RollupLevel, i64, String)],
    ) -> Result<Vec<CommitteeCoverage>, StoreError> {
        let parts = parts_of(scope, areas);
        let scopes = if parts.len() > 1 { parts } else { vec![scope] };
        let answers: Vec<Vec<neo4rs::Row>> = stream::iter(scopes)
            .map(|part| {
                self.read_rows(
                    query(queries::COVERAGE_COMMITTEES)
                        .param("as_of", as_of)
                        .param("scope", part),
                )
            })
            .buffered(PARTS_IN_FLIGHT)
            .try_collect()
            .await?;
        let mut rows = Vec::new();
        for r in answers.iter().flatten() {
            let row: i64 = r
                .get("row")
                .map_err(|e| backend("decoding a coverage row", e))?;
            let c = r
                .to::<CommitteeCoverage>()
                .map_err(|e| backend("decoding a coverage row", e))?;
            rows.push((row, c));
        }
        rows.sort_by_key(|(row, _)| *row);
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scope is split into the areas one level below it, never deeper or sideways.
    #[test]
    fn parts_are_the_areas_one_level_below_the_scope() {
        use RollupLevel::{City, Community, District, Street};
        let areas = |list: &[(RollupLevel, &str)]| -> Vec<(RollupLevel, i64, String)> {
            list.iter()
                .map(|(l, id)| (*l, 0, (*id).to_owned()))
                .collect()
        };
        let city = areas(&[
            (Community, "C1"),
            (Community, "C2"),
            (Street, "S1"),
            (District, "D1"),
            (District, "D2"),
            (City, "city"),
        ]);
        assert_eq!(parts_of("city", &city), ["D1", "D2"]);
        let district = areas(&[
            (Community, "C1"),
            (Street, "S1"),
            (Street, "S2"),
            (District, "D1"),
        ]);
        assert_eq!(parts_of("D1", &district), ["S1", "S2"]);
        let street = areas(&[(Community, "C1"), (Community, "C2"), (Street, "S1")]);
        assert_eq!(parts_of("S1", &street), ["C1", "C2"]);
        assert!(parts_of("C1", &areas(&[(Community, "C1")])).is_empty());
        // A committee scope has no areas.
        assert!(parts_of("K1", &[]).is_empty());
    }
}
