//! Reads of every table with filters and pagination, and the committee detail with its links.
//! Coordinators see their subtree only; viewers see members masked.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{Count, Limit, NoQuery, Query, opt};
use crate::state::{AppState, Snapshot};
use axum::Json;
use axum::extract::{Path, State};
use dangjian_engine::Engine;
use dangjian_model::params::AsOf;
use dangjian_model::{
    Bundle, Date, ItemStatus, MassOrgType, Member, ServiceDomain, UnitCategory, labels::wire_name,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::IntoParams;
use utoipa::ToSchema;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size.
pub const MAX_LIMIT: usize = 1000;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    /// The rows of this page.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// Rows matching the filters, over all pages.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
}

fn to_value<T: Serialize>(row: &T) -> Result<Value, AppError> {
    serde_json::to_value(row).map_err(|e| AppError::Internal(e.to_string()))
}

/// The page a caller asked for.
struct Pager<'c> {
    caller: &'c Caller,
    engine: &'c Engine,
    limit: usize,
    offset: usize,
}

impl Pager<'_> {
    /// Count and page rows as the caller may read them ([`Caller::row`]): for a confined
    /// caller every matching row is checked (a row naming anything it may not see is left out,
    /// and not counted), otherwise only the page is serialised.
    fn page<'a, T: Serialize + 'a>(
        &self,
        rows: impl Iterator<Item = &'a T>,
    ) -> Result<Page, AppError> {
        let Pager {
            caller,
            engine,
            limit,
            offset,
        } = *self;
        let mut items = Vec::new();
        let mut total = 0;
        let confined = caller.restriction().is_some();
        for row in rows {
            let in_page = total >= offset && items.len() < limit;
            if confined {
                let Some(v) = caller.row(engine, to_value(row)?) else {
                    continue;
                };
                if in_page {
                    items.push(v);
                }
            } else if in_page && let Some(v) = caller.row(engine, to_value(row)?) {
                items.push(v);
            }
            total += 1;
        }
        Ok(Page {
            items,
            total,
            limit,
            offset,
        })
    }
}

/// The filters of one list, parsed at the edge by its query struct: the page, equality
/// filters by parameter name, and the date partnerships must be active on.
#[derive(Debug, Default)]
pub struct Filters {
    limit: Option<usize>,
    offset: Option<usize>,
    eq: BTreeMap<String, String>,
    active_on: Option<Date>,
}

impl Filters {
    /// An equality filter's value, left in place.
    fn peek(&self, key: &str) -> Option<&str> {
        self.eq.get(key).map(String::as_str)
    }

    /// Whether `value` passes the equality filter `key` (no filter passes everything).
    fn is(&self, key: &str, value: Option<&str>) -> bool {
        self.peek(key).is_none_or(|f| value == Some(f))
    }

    /// Whether an enum value's wire name passes the equality filter `key`.
    fn is_named<T: Serialize>(&self, key: &str, value: &T) -> bool {
        self.peek(key).is_none_or(|f| wire_name(value) == f)
    }

    /// 400 for a filter on a closed vocabulary (`domain`, `category`, `type`, `status`) with a
    /// value outside it, naming the parameter and the values it takes (an empty page would
    /// hide the typo).
    fn check_vocabularies(&self) -> Result<(), AppError> {
        for (key, value) in &self.eq {
            let Some(allowed) = vocabulary(key) else {
                continue;
            };
            let choices: Vec<(&str, ())> = allowed.iter().map(|a| (a.as_str(), ())).collect();
            crate::extract::one_of(value, &choices)
                .map_err(|m| AppError::BadRequest(format!("`{key}` {m}")))?;
        }
        Ok(())
    }
}

/// The values (wire names) a filter on a closed vocabulary takes, by parameter name; `None`
/// for free filters (ids).
fn vocabulary(key: &str) -> Option<Vec<String>> {
    fn names<T: Serialize>(all: &[T]) -> Option<Vec<String>> {
        Some(all.iter().map(wire_name).collect())
    }
    match key {
        "domain" => names(&ServiceDomain::ALL),
        "category" => names(&UnitCategory::ALL),
        "type" => names(&MassOrgType::ALL),
        "status" => names(&[ItemStatus::Open, ItemStatus::Done]),
        _ => None,
    }
}

/// List one table for the caller.
pub fn list_table(
    snap: &Snapshot,
    caller: &Caller,
    table: &str,
    p: Filters,
) -> Result<Page, AppError> {
    // The page size was checked (1 to MAX_LIMIT) when the query was read.
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    let offset = p.offset.unwrap_or(0);
    p.check_vocabularies()?;
    let b: &Bundle = snap.bundle();
    let engine: &Engine = &snap.engine;
    let pager = Pager {
        caller,
        engine,
        limit,
        offset,
    };
    let inside = |id: &str| caller.inside(engine, id);
    let visible = |id: &str| caller.visible(engine, id);
    // Filters naming an id the caller may not see are 403, whether or not it exists: an
    // empty page would confirm it exists elsewhere.
    for key in [
        "district",
        "street",
        "community",
        "committee",
        "leads",
        "parent",
        "unit",
        "target",
        "mass_org",
        "provider",
        "member",
        "party_org",
        "employer",
    ] {
        if let Some(v) = p.peek(key)
            && !visible(v)
        {
            return Err(AppError::outside(v));
        }
    }
    let page = match table {
        "districts" => pager.page(b.districts.iter().filter(|r| visible(&r.id)))?,
        "streets" => pager.page(
            b.streets
                .iter()
                .filter(|r| p.is("district", Some(&r.district)) && inside(&r.id)),
        )?,
        "communities" => pager.page(
            b.communities
                .iter()
                .filter(|r| p.is("street", Some(&r.street)) && inside(&r.id)),
        )?,
        "committees" => pager.page(b.committees.iter().filter(|r| {
            p.is("community", Some(&r.community))
                && p.peek("street").is_none_or(|s| engine.within(&r.id, s))
                && inside(&r.id)
        }))?,
        "party_orgs" => pager.page(b.party_orgs.iter().filter(|r| {
            p.is("leads", Some(&r.leads)) && p.is("parent", r.parent.as_deref()) && inside(&r.id)
        }))?,
        "units" => pager.page(b.units.iter().filter(|r| {
            p.is("street", Some(&r.street)) && p.is_named("category", &r.category) && inside(&r.id)
        }))?,
        "mass_orgs" => pager.page(b.mass_orgs.iter().filter(|r| p.is_named("type", &r.kind)))?,
        "social_orgs" => pager.page(b.social_orgs.iter().filter(|r| {
            p.is("street", Some(&r.street))
                && p.peek("domain")
                    .is_none_or(|d| r.domains.iter().any(|x| x.as_str() == d))
                && inside(&r.id)
        }))?,
        "members" => {
            if p.peek("employer").is_some() && !caller.sees_personal_data() {
                return Err(AppError::Forbidden(
                    "viewer tokens cannot filter by employer (personal data)".into(),
                ));
            }
            let rows = b.members.iter().filter(|r| {
                p.is("committee", r.registered_at.as_deref())
                    && p.is("employer", r.employer.as_deref())
                    && inside(&r.id)
            });
            // A member registered here may work in another street: a coordinator does not
            // learn which unit that is (the employer is left out, the member stays).
            let rows: Vec<Member> = rows
                .map(|r| {
                    let mut r = r.clone();
                    if r.employer.as_deref().is_some_and(|e| !visible(e)) {
                        r.employer = None;
                    }
                    r
                })
                .collect();
            pager.page(rows.iter())?
        }
        "partnerships" => pager.page(b.partnerships.iter().filter(|r| {
            p.is("unit", Some(&r.unit))
                && p.is("target", Some(&r.target))
                && p.active_on.is_none_or(|d: Date| r.is_active(d))
                && inside(&r.id)
        }))?,
        "mass_links" => pager.page(b.mass_links.iter().filter(|r| {
            p.is("mass_org", Some(&r.mass_org))
                && p.is("target", Some(&r.target))
                && inside(&r.target)
        }))?,
        "resources" => pager.page(b.resources.iter().filter(|r| {
            p.is("provider", Some(&r.provider))
                && p.is("domain", Some(r.domain.as_str()))
                && (inside(&r.provider) || r.deployed_to.iter().flatten().any(|k| inside(k)))
        }))?,
        "needs" => pager.page(b.needs.iter().filter(|r| {
            p.is("committee", Some(&r.committee))
                && p.is("domain", Some(r.domain.as_str()))
                && inside(&r.committee)
        }))?,
        "projects" => pager.page(
            b.projects
                .iter()
                .filter(|r| p.is("committee", Some(&r.committee)) && inside(&r.committee)),
        )?,
        "volunteering" => {
            if p.peek("member").is_some() && !caller.sees_personal_data() {
                return Err(AppError::Forbidden(
                    "viewer tokens cannot filter volunteering by member (hours per person are \
                     personal data)"
                        .into(),
                ));
            }
            pager.page(b.volunteering.iter().filter(|r| {
                p.is("member", Some(&r.member))
                    && p.is("committee", Some(&r.committee))
                    && inside(&r.committee)
            }))?
        }
        "responsibilities" => pager.page(b.responsibilities.iter().filter(|r| {
            p.is("party_org", Some(&r.party_org))
                && p.is_named("status", &r.status)
                && inside(&r.party_org)
        }))?,
        other => return Err(AppError::NotFound(format!("no table `{other}`"))),
    };
    Ok(page)
}

macro_rules! list_endpoint {
    ($name:ident, $query:ident, $table:literal, $path:literal, $doc:literal, [$($param:ident),*] $(, active: $date:ident)?) => {
        #[doc = concat!("The query of `GET ", $path, "`.")]
        #[derive(Debug, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $query {
            /// Page size, default 100, max 1000.
            #[serde(default, deserialize_with = "opt")]
            #[param(value_type = Option<usize>, minimum = 1, maximum = 1000)]
            limit: Option<Limit<MAX_LIMIT>>,
            /// Rows to skip.
            #[serde(default, deserialize_with = "opt")]
            #[param(value_type = Option<usize>)]
            offset: Option<Count>,
            $(
                /// Filter: equal to this value.
                #[serde(default, deserialize_with = "opt")]
                $param: Option<String>,
            )*
            $(
                /// Filter: active on this date (YYYY-MM-DD).
                #[serde(default, deserialize_with = "opt")]
                #[param(value_type = Option<String>)]
                $date: Option<AsOf>,
            )?
        }

        impl From<$query> for Filters {
            fn from(q: $query) -> Filters {
                #[allow(unused_mut)]
                let mut f = Filters {
                    limit: q.limit.map(|l| l.0),
                    offset: q.offset.map(Count::index),
                    ..Filters::default()
                };
                $(
                    if let Some(v) = q.$param {
                        f.eq.insert(stringify!($param).trim_start_matches("r#").to_string(), v);
                    }
                )*
                $( f.active_on = q.$date.map(|d| d.0); )?
                f
            }
        }

        #[doc = $doc]
        #[utoipa::path(get, path = $path, tag = "tables", params($query),
            responses((status = 200, description = "One page of rows", body = Page), (status = 400, body = crate::routes::analytics::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Query(q): Query<$query>,
        ) -> Result<Json<Page>, AppError> {
            let snap = state.snapshot();
            // Off the async workers: a filter may scan a table of 700,000 members.
            let page = tokio::task::spawn_blocking(move || list_table(&snap, &caller, $table, q.into()))
                .await??;
            Ok(Json(page))
        }
    };
}

list_endpoint!(
    list_districts,
    DistrictsQuery,
    "districts",
    "/api/v1/districts",
    "Districts (区).",
    []
);
list_endpoint!(
    list_streets,
    StreetsQuery,
    "streets",
    "/api/v1/streets",
    "Streets and towns.",
    [district]
);
list_endpoint!(
    list_communities,
    CommunitiesQuery,
    "communities",
    "/api/v1/communities",
    "Communities (社区).",
    [street]
);
list_endpoint!(
    list_committees,
    CommitteesQuery,
    "committees",
    "/api/v1/committees",
    "Residents' committees (居委会).",
    [community, street]
);
list_endpoint!(
    list_party_orgs,
    PartyOrgsQuery,
    "party_orgs",
    "/api/v1/party-orgs",
    "Party organisations.",
    [leads, parent]
);
list_endpoint!(
    list_units,
    UnitsQuery,
    "units",
    "/api/v1/units",
    "Resident units (驻区单位).",
    [street, category]
);
list_endpoint!(
    list_mass_orgs,
    MassOrgsQuery,
    "mass_orgs",
    "/api/v1/mass-orgs",
    "Mass organisations (群团).",
    [r#type]
);
list_endpoint!(
    list_social_orgs,
    SocialOrgsQuery,
    "social_orgs",
    "/api/v1/social-orgs",
    "Social organisations.",
    [street, domain]
);
list_endpoint!(
    list_members,
    MembersQuery,
    "members",
    "/api/v1/members",
    "In-service party members (masked for viewers).",
    [committee, employer]
);
list_endpoint!(
    list_partnerships,
    PartnershipsQuery,
    "partnerships",
    "/api/v1/partnerships",
    "Partnerships (共建).",
    [unit, target],
    active: active_on
);
list_endpoint!(
    list_mass_links,
    MassLinksQuery,
    "mass_links",
    "/api/v1/mass-links",
    "Mass-org links.",
    [mass_org, target]
);
list_endpoint!(
    list_resources,
    ResourcesQuery,
    "resources",
    "/api/v1/resources",
    "Resources (资源清单).",
    [provider, domain]
);
list_endpoint!(
    list_needs,
    NeedsQuery,
    "needs",
    "/api/v1/needs",
    "Needs (需求清单).",
    [committee, domain]
);
list_endpoint!(
    list_projects,
    ProjectsQuery,
    "projects",
    "/api/v1/projects",
    "Projects (项目清单).",
    [committee]
);
list_endpoint!(
    list_volunteering,
    VolunteeringQuery,
    "volunteering",
    "/api/v1/volunteering",
    "Volunteering records.",
    [member, committee]
);
list_endpoint!(
    list_responsibilities,
    ResponsibilitiesQuery,
    "responsibilities",
    "/api/v1/responsibilities",
    "Explicit responsibility items (责任清单).",
    [party_org, status]
);

/// One committee with its links: community, street, district, the party orgs leading it,
/// partnerships and mass links targeting it or its ancestors, needs, resources reaching it and
/// the registered member count.
#[utoipa::path(get, path = "/api/v1/committees/{id}", tag = "tables",
    params(("id" = String, Path, description = "Committee id")),
    responses((status = 200, description = "The committee and its links", body = Object), (status = 400, description = "Any query parameter (none is read)", body = crate::routes::analytics::ErrorBody), (status = 403, body = crate::routes::analytics::ErrorBody), (status = 404, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn committee_detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    _: Query<NoQuery>,
) -> Result<Json<Value>, AppError> {
    let snap = state.snapshot();
    let b = snap.bundle();
    // 403 before anything says whether the id exists.
    caller.require_inside(&snap.engine, &id)?;
    let committee = b
        .committees
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no committee `{id}`")))?;
    let community = b.communities.iter().find(|c| c.id == committee.community);
    let street = community.and_then(|c| b.streets.iter().find(|s| s.id == c.street));
    let district = street.and_then(|s| b.districts.iter().find(|d| d.id == s.district));
    let ancestors: Vec<&str> = [
        Some(committee.id.as_str()),
        community.map(|c| c.id.as_str()),
        street.map(|s| s.id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let targets_here = |t: &str| ancestors.contains(&t);
    let partnerships: Vec<_> = b
        .partnerships
        .iter()
        .filter(|p| targets_here(&p.target))
        .collect();
    let partner_units: Vec<&str> = partnerships.iter().map(|p| p.unit.as_str()).collect();
    let mass_links: Vec<_> = b
        .mass_links
        .iter()
        .filter(|m| targets_here(&m.target))
        .collect();
    let mass_org_ids: Vec<&str> = mass_links.iter().map(|m| m.mass_org.as_str()).collect();
    let street_id = street.map(|s| s.id.as_str());
    let resources: Vec<_> = b
        .resources
        .iter()
        .filter(|r| match &r.deployed_to {
            Some(list) => list.iter().any(|k| k == &committee.id),
            None => {
                let provider = r.provider.as_str();
                ancestors[1..].contains(&provider)
                    || partner_units.contains(&provider)
                    || mass_org_ids.contains(&provider)
                    || b.social_orgs
                        .iter()
                        .any(|s| s.id == provider && Some(s.street.as_str()) == street_id)
            }
        })
        .collect();
    let mut doc = json!({
        "committee": to_value(committee)?,
        "community": to_value(&community)?,
        "street": to_value(&street)?,
        "district": to_value(&district)?,
        "party_orgs": to_value(&b.party_orgs.iter().filter(|o| o.leads == committee.id).collect::<Vec<_>>())?,
        "partnerships": to_value(&partnerships)?,
        "mass_links": to_value(&mass_links)?,
        "needs": to_value(&b.needs.iter().filter(|n| n.committee == committee.id).collect::<Vec<_>>())?,
        "resources": to_value(&resources)?,
        "adjacent": b.adjacency.iter().filter_map(|a| {
            if a.a == committee.id { Some(a.b.clone()) } else if a.b == committee.id { Some(a.a.clone()) } else { None }
        }).collect::<Vec<_>>(),
        "registered_members": b.members.iter().filter(|m| m.registered_at.as_deref() == Some(committee.id.as_str())).count(),
    });
    caller.redact(&snap.engine, &mut doc);
    Ok(Json(doc))
}
