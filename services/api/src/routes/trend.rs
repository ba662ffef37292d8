//! `GET /api/v1/trend`: a scope's key figures month by month (`Engine::trend`), redacted for the
//! caller like the other analytics documents, with the range of dates the data spans.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{NoQuery, Query, opt};
use crate::routes::analytics::json_bytes;
use crate::state::AppState;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use dangjian_engine::{MAX_TREND_POINTS, data_dates};
use dangjian_model::Date;
use dangjian_model::params::{AsOf, Scope};
use serde::Deserialize;
use utoipa::IntoParams;

/// The default end of a trend: today (Shanghai), or the latest date in the data when today is
/// after it, so a network whose data ends mid-year does not show a tail of empty months.
pub fn default_to(today: Date, data_to: Option<Date>) -> Date {
    match data_to {
        Some(last) if last < today => last,
        _ => today,
    }
}

/// Months between two dates' months (`to` ≥ `from`).
fn months_between(from: Date, to: Date) -> i64 {
    (to.year() as i64 - from.year() as i64) * 12 + to.month() as i64 - from.month() as i64
}

/// The query of a trend.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// `city` or a district, street, community or committee id; default: city, or the token's
    /// subtree.
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    scope: Option<Scope>,
    /// YYYY-MM-DD; default 11 months before `to`.
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    from: Option<AsOf>,
    /// YYYY-MM-DD; default today, or the latest date in the data when today is after it.
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    to: Option<AsOf>,
    /// `month` (the only step).
    #[allow(dead_code, reason = "parsed only to refuse any step but a month")]
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    step: Option<Step>,
}

/// The step between a trend's points: a month, the only one.
#[derive(Debug, Clone, Copy)]
struct Step;

impl std::str::FromStr for Step {
    type Err = String;
    fn from_str(s: &str) -> Result<Step, String> {
        crate::extract::one_of(s, &[("month", Step)])
    }
}

/// A scope's key figures at each month end from `from` to `to`.
#[utoipa::path(get, path = "/api/v1/trend", tag = "analytics",
    params(TrendQuery),
    responses((status = 200, description = "`{scope, from, to, step, data_from, data_to, points: [{as_of, committees, committees_with_blank_spots, registered_members, volunteer_hours, total_demand, met_demand, unmet_demand}]}`", body = Object),
        (status = 400, body = crate::routes::analytics::ErrorBody), (status = 403, body = crate::routes::analytics::ErrorBody), (status = 404, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn trend(
    State(state): State<AppState>,
    Extension(heavy): super::analytics::HeavyExt,
    caller: Caller,
    Query(q): Query<TrendQuery>,
) -> Result<Response, AppError> {
    let (from, to) = (q.from.map(|d| d.0), q.to.map(|d| d.0));
    let snap = state.snapshot();
    let scope = caller.read_scope(&snap.engine, q.scope.as_ref().map(Scope::as_str))?;
    let today = dangjian_model::today();
    let to = match to {
        Some(t) => t,
        None => default_to(today, data_dates(snap.bundle()).map(|r| r.1)),
    };
    let from = from.unwrap_or_else(|| {
        to.checked_sub_months(chrono::Months::new(11))
            .and_then(|d| d.with_day(1))
            .unwrap_or(to)
    });
    if from > to {
        return Err(AppError::BadRequest(format!(
            "`from` ({from}) is after `to` ({to})"
        )));
    }
    if months_between(from, to) >= MAX_TREND_POINTS as i64 {
        return Err(AppError::BadRequest(format!(
            "a trend covers at most {MAX_TREND_POINTS} months; `from` {from} to `to` {to} is longer"
        )));
    }
    // Twelve coverage and gaps computations: expensive work, under the shared limit.
    let caller2 = caller.clone();
    let body = heavy
        .run(&caller, move |_| -> Result<bytes::Bytes, AppError> {
            let doc = snap.engine.trend(&scope, from, to)?;
            let mut value =
                serde_json::to_value(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
            caller2.redact(&snap.engine, &mut value);
            serde_json::to_vec(&value)
                .map(Into::into)
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    Ok(json_bytes(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_default_end_is_the_last_data_date_when_today_is_later() {
        assert_eq!(
            default_to(d("2026-12-01"), Some(d("2026-06-30"))),
            d("2026-06-30")
        );
        assert_eq!(
            default_to(d("2026-03-01"), Some(d("2026-06-30"))),
            d("2026-03-01")
        );
        assert_eq!(default_to(d("2026-03-01"), None), d("2026-03-01"));
        assert_eq!(months_between(d("2025-07-01"), d("2026-06-30")), 11);
    }
}

/// The range of dates in the data and today's date in Shanghai, for a page's date slider.
#[utoipa::path(get, path = "/api/v1/dates", tag = "analytics",
    responses((status = 200, description = "`{data_from, data_to, today}`: the earliest and latest partnership-signing or volunteering date (null when there are none) and today in Shanghai (UTC+8)", body = Object),
        (status = 400, description = "Any query parameter (none is read)", body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn dates(
    State(state): State<AppState>,
    _caller: Caller,
    _: Query<NoQuery>,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let range = data_dates(snap.bundle());
    let today = dangjian_model::today();
    let doc = serde_json::json!({
        "data_from": range.map(|r| r.0),
        "data_to": range.map(|r| r.1),
        "today": today,
    });
    Ok(json_bytes(
        serde_json::to_vec(&doc)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .into(),
    ))
}
