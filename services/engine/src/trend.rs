//! Trends: a scope's key figures month by month (committees with blank spots, registered
//! members, volunteer hours of the last 12 months, met and unmet demand), each point the same
//! coverage and gaps documents as on that date; and the range of dates the network's data spans.

use crate::allocation::DOMAINS;

use crate::{Engine, EngineError};
use dangjian_model::{Bundle, Date, round2};
use serde::{Deserialize, Serialize};

/// Most points one trend may have (ten years of months).
pub const MAX_TREND_POINTS: usize = 120;

/// One point of a trend: the figures of the scope as of `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub as_of: Date,
    pub committees: u64,
    /// Committees with at least one blank spot (空白点).
    pub committees_with_blank_spots: u64,
    pub registered_members: u64,
    /// Hours counted at the scope's committees in the 12 months up to `as_of`.
    pub volunteer_hours: f64,
    pub total_demand: f64,
    pub met_demand: f64,
    pub unmet_demand: f64,
}

/// A trend document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendDoc {
    pub scope: String,
    pub from: Date,
    pub to: Date,
    /// `month`.
    pub step: String,
    /// The earliest and latest dates in the data (partnerships signed, volunteering).
    pub data_from: Option<Date>,
    pub data_to: Option<Date>,
    pub points: Vec<TrendPoint>,
}

/// The earliest and latest date in the network's data: partnerships' signing dates and
/// volunteering dates (expiry and due dates lie in the future by design and are left out).
pub fn data_dates(b: &Bundle) -> Option<(Date, Date)> {
    b.partnerships
        .iter()
        .map(|p| p.signed)
        .chain(b.volunteering.iter().map(|v| v.date))
        .fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((lo, hi)) => Some((lo.min(d), hi.max(d))),
        })
}

/// The dates of a monthly trend: the last day of each month from `from`'s month on, before
/// `to`, then `to` itself; at most [`MAX_TREND_POINTS`] month ends (callers refuse longer
/// ranges: a result longer than [`MAX_TREND_POINTS`] means the range was too long).
pub fn month_ends(from: Date, to: Date) -> Vec<Date> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let mut first = Date::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while out.len() < MAX_TREND_POINTS {
        let Some(next) = first.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        let end = next.pred_opt().unwrap_or(next);
        if end >= to {
            break;
        }
        out.push(end);
        first = next;
    }
    out.push(to);
    out
}

impl Engine {
    /// The monthly trend of a scope from `from` to `to` (inclusive; at most
    /// [`MAX_TREND_POINTS`] points, the dates spread over the available cores).
    pub fn trend(&self, scope: &str, from: Date, to: Date) -> Result<TrendDoc, EngineError> {
        self.resolve_scope(scope)?;
        let dates = month_ends(from.min(to), to);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8)
            .min(dates.len());
        let mut points: Vec<Option<Result<TrendPoint, EngineError>>> = vec![None; dates.len()];
        std::thread::scope(|s| {
            let chunks: Vec<_> = points
                .chunks_mut(dates.len().div_ceil(threads).max(1))
                .zip(dates.chunks(dates.len().div_ceil(threads).max(1)))
                .map(|(out, ds)| {
                    s.spawn(move || {
                        for (slot, &d) in out.iter_mut().zip(ds) {
                            *slot = Some(self.trend_point(scope, d));
                        }
                    })
                })
                .collect();
            for c in chunks {
                let _ = c.join();
            }
        });
        let points = points
            .into_iter()
            .map(|p| p.unwrap_or_else(|| Err(EngineError::UnknownScope(scope.to_string()))))
            .collect::<Result<Vec<_>, _>>()?;
        let range = data_dates(&self.bundle);
        Ok(TrendDoc {
            scope: scope.to_string(),
            from: dates.first().copied().unwrap_or(to),
            to,
            step: "month".to_string(),
            data_from: range.map(|r| r.0),
            data_to: range.map(|r| r.1),
            points,
        })
    }

    fn trend_point(&self, scope: &str, as_of: Date) -> Result<TrendPoint, EngineError> {
        let cov = self.coverage(scope, as_of)?;
        let (total_demand, met_demand, unmet_demand) = self.demand_totals(scope, as_of)?;
        Ok(TrendPoint {
            as_of,
            committees: cov.committees.len() as u64,
            committees_with_blank_spots: cov
                .committees
                .iter()
                .filter(|k| !k.blank_spots.is_empty())
                .count() as u64,
            registered_members: cov.committees.iter().map(|k| k.registered_members).sum(),
            volunteer_hours: (cov
                .committees
                .iter()
                .map(|k| k.volunteer_hours)
                .sum::<f64>()
                * 100.0)
                .round()
                / 100.0,
            total_demand: total_demand as f64,
            met_demand,
            unmet_demand,
        })
    }

    /// A scope's `(total_demand, met_demand, unmet_demand)` on `as_of`: the figures of its gaps
    /// document (same needs, same order of summation, same rounding), without the document's
    /// lists and candidate searches, and without the whole city's allocation when it is not
    /// computed yet (only the connected components holding the scope's needs are solved).
    pub fn demand_totals(&self, scope: &str, as_of: Date) -> Result<(u64, f64, f64), EngineError> {
        let sc = self.resolve_scope(scope)?;
        let ks = self.scope_committee_indexes(sc);
        let (b, ix) = (&self.bundle, &self.index);
        let mut needs: Vec<u32> = ks
            .iter()
            .flat_map(|&k| ix.needs_by_committee.get(k).iter().copied())
            .collect();
        needs.sort_by(|&x, &y| b.needs[x as usize].id.cmp(&b.needs[y as usize].id));
        let met_of = self.needs_met(&needs, as_of);
        let mut demand = [0u64; DOMAINS];
        let mut met = [0f64; DOMAINS];
        for (&n, &m) in needs.iter().zip(&met_of) {
            let rec = &ix.needs[n as usize];
            demand[rec.domain] += rec.demand;
            met[rec.domain] += m;
        }
        let total: u64 = demand.iter().sum();
        let met_total: f64 = met.iter().sum();
        Ok((total, round2(met_total), round2(total as f64 - met_total)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn month_ends_run_to_the_last_date() {
        let cases: [(&str, &str, &[&str]); 3] = [
            (
                "2026-01-15",
                "2026-04-10",
                &["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-10"],
            ),
            ("2026-03-01", "2026-03-31", &["2026-03-31"]),
            ("2026-05-05", "2026-05-05", &["2026-05-05"]),
        ];
        for (from, to, ends) in cases {
            let want: Vec<Date> = ends.iter().map(|e| d(e)).collect();
            assert_eq!(month_ends(d(from), d(to)), want, "{from} .. {to}");
        }
        assert!(month_ends(d("1900-01-01"), d("2026-01-01")).len() <= MAX_TREND_POINTS + 1);
    }
}
