//! The documents the analytics return (SPEC §3 "Outputs"): the API and the CLI's
//! `--format json` serialise exactly these. Field names are the contract.

use crate::bundle::{Date, Id, MassOrgType, ServiceDomain};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A blank spot (空白点) flag of a committee, in SPEC order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankSpot {
    NoPartyOrg,
    NoMembers,
    NoPartners,
    NoUnion,
    NoYouthLeague,
    NoWomenFederation,
}

impl BlankSpot {
    /// All flags in SPEC order.
    pub const ALL: [BlankSpot; 6] = [
        Self::NoPartyOrg,
        Self::NoMembers,
        Self::NoPartners,
        Self::NoUnion,
        Self::NoYouthLeague,
        Self::NoWomenFederation,
    ];

    /// The wire name, e.g. `no_party_org`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoPartyOrg => "no_party_org",
            Self::NoMembers => "no_members",
            Self::NoPartners => "no_partners",
            Self::NoUnion => "no_union",
            Self::NoYouthLeague => "no_youth_league",
            Self::NoWomenFederation => "no_women_federation",
        }
    }

    /// The Chinese label, for tables, checklists and diagrams.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NoPartyOrg => "无党组织",
            Self::NoMembers => "无报到党员",
            Self::NoPartners => "无共建单位",
            Self::NoUnion => "无工会",
            Self::NoYouthLeague => "无共青团",
            Self::NoWomenFederation => "无妇联",
        }
    }
}

/// Level of a roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupLevel {
    Community,
    Street,
    District,
    City,
}

/// Coverage of one committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitteeCoverage {
    pub id: Id,
    pub name: String,
    pub community: Id,
    pub street: Id,
    pub district: Id,
    pub party_org: bool,
    pub registered_members: u64,
    pub members_per_1000_households: Option<f64>,
    pub volunteer_hours: f64,
    pub young_volunteers: u64,
    pub partners_direct: u64,
    pub partners_in_reach: u64,
    /// Sorted in enum order, distinct.
    pub mass_org_types: Vec<MassOrgType>,
    /// Sorted in SPEC order.
    pub blank_spots: Vec<BlankSpot>,
}

/// A roll-up per community, street, district or the city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    pub id: Id,
    pub level: RollupLevel,
    pub committees: u64,
    /// Every flag present, with its count (zero included).
    pub blank_spots: BTreeMap<BlankSpot, u64>,
    pub registered_members: u64,
    pub volunteer_hours: f64,
    /// Median of `partners_in_reach`; the mean of the two middle values for an even count;
    /// `null` for no committees.
    pub partners_in_reach_median: Option<f64>,
}

/// The coverage document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageDoc {
    pub as_of: Date,
    pub scope: String,
    pub committees: Vec<CommitteeCoverage>,
    /// Communities, then streets, then districts, then the city (only when the scope is `city`
    /// or a district, the levels at and below the scope).
    pub rollups: Vec<Rollup>,
}

/// Demand per domain. `met` and `unmet` are amounts of the fair allocation, rounded to 2
/// decimals after summing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainDemand {
    pub domain: ServiceDomain,
    pub demand: u64,
    pub met: f64,
    pub unmet: f64,
}

/// Why a need is left with unmet demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapCause {
    /// No resource at all can serve it (none of its domain reaches its committee).
    Unreachable,
    /// Resources reach it but are used up.
    Insufficient,
}

impl GapCause {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::Insufficient => "insufficient",
        }
    }

    /// The Chinese label, for tables and diagrams.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Unreachable => "无资源可达",
            Self::Insufficient => "资源不足",
        }
    }
}

/// One need under the city's fair allocation: the same numbers in every scope that contains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedGap {
    pub need: Id,
    pub committee: Id,
    pub domain: ServiceDomain,
    pub demand: u64,
    /// Rounded to 2 decimals.
    pub met: f64,
    /// `demand − met`, rounded to 2 decimals.
    pub unmet: f64,
    /// Only when unmet (more than 0.005 left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<GapCause>,
}

/// An amount a resource gives a need in the fair allocation (who serves whom).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    pub resource: Id,
    pub need: Id,
    /// Rounded to 2 decimals.
    pub amount: f64,
}

/// A provider that could be linked to a committee with unmet demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub provider: Id,
    /// The provider's name.
    pub name: String,
    /// The provider offers the need's domain (has a resource in it, or a social org declares
    /// it). Only such providers are listed.
    pub domain_match: bool,
    /// Capacity of its resources in the need's domain that the allocation leaves unused.
    pub unused_capacity: f64,
    /// Committee-adjacency distance from the need's committee to the nearest committee the
    /// provider reaches (or of its home street); `null` when only its home street links it.
    pub hops: Option<u32>,
    /// Its home street is the need's street.
    pub same_street: bool,
    /// Human-readable, in Chinese.
    pub reason: String,
}

/// A need left with unmet demand by the fair allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmetNeed {
    pub need: Id,
    pub committee: Id,
    pub domain: ServiceDomain,
    /// Rounded to 2 decimals.
    pub unmet: f64,
    pub cause: GapCause,
    pub candidates: Vec<Candidate>,
}

/// A unit that is the only partner in reach of some committees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolePartnerUnit {
    pub unit: Id,
    pub committees: Vec<Id>,
}

/// The gaps document (资源下沉), v2: the city's fair allocation restricted to a scope. Totals
/// are sums over the scope's needs taken before rounding to 2 decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapsDoc {
    pub as_of: Date,
    pub scope: String,
    pub total_demand: u64,
    pub met_demand: f64,
    pub unmet_demand: f64,
    /// Only the domains that have needs in scope, in SPEC domain order.
    pub by_domain: Vec<DomainDemand>,
    /// The scope's needs, sorted by need id.
    #[serde(default)]
    pub needs: Vec<NeedGap>,
    /// Who serves whom, for the scope's needs; sorted by need id, then resource id.
    #[serde(default)]
    pub allocations: Vec<Allocation>,
    pub unreachable_needs: Vec<Id>,
    pub stranded_resources: Vec<Id>,
    /// Capacity the allocation leaves unused, over the resources that reach a committee of
    /// the scope.
    pub unused_capacity: f64,
    pub unmet_needs: Vec<UnmetNeed>,
    pub sole_partner_units: Vec<SolePartnerUnit>,
}

/// How one need's share of the fair allocation changes under a what-if (amounts rounded to
/// 2 decimals; `change` = after − before).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedDelta {
    pub need: Id,
    pub committee: Id,
    pub domain: ServiceDomain,
    pub met_before: f64,
    pub met_after: f64,
    pub change: f64,
}

/// How a committee's unmet demand changes under a what-if.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitteeDelta {
    pub committee: Id,
    pub unmet_before: f64,
    pub unmet_after: f64,
    pub change: f64,
}

/// How a domain's met demand changes under a what-if.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainDelta {
    pub domain: ServiceDomain,
    pub met_before: f64,
    pub met_after: f64,
    pub change: f64,
}

/// Kind of a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Explicit,
    Partnership,
    BlankSpot,
    UnmetNeed,
    Supervision,
}

/// Red / amber / green status of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    /// Open and overdue.
    Red,
    /// Open and due within 30 days.
    Amber,
    /// Other open.
    Green,
    /// Done.
    None,
}

/// One item of a responsibility checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub id: String,
    pub party_org: Id,
    pub first_responsible: String,
    pub kind: ItemKind,
    pub item: String,
    pub facts: Vec<Id>,
    pub due: Option<Date>,
    pub status: crate::bundle::ItemStatus,
    pub rag: Rag,
}

/// The checklist document (责任清单).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistDoc {
    pub as_of: Date,
    pub party_org: Id,
    pub items: Vec<ChecklistItem>,
}

/// Round an amount to 2 decimals, as every amount of the gaps document is reported.
pub fn round2(x: f64) -> f64 {
    let r = (x * 100.0).round() / 100.0;
    // No `-0.0` in documents.
    if r == 0.0 { 0.0 } else { r }
}

/// An amount as people read it: at most 2 decimals, no trailing zeros (`7`, `7.5`, `7.25`).
pub fn format_amount(x: f64) -> String {
    let s = format!("{:.2}", round2(x));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

// Brokers and areas (SPEC §3 "Structure"), computed by `engine/src/structure.rs`.

/// How the betweenness was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrokerMethod {
    /// Brandes from every source.
    Exact,
    /// Brandes from `samples` pivot sources, scaled up.
    Sampled,
}

/// A unit ranked by betweenness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Broker {
    pub unit: Id,
    pub name: String,
    pub betweenness: f64,
    /// Active partnerships of the unit that reach committees in scope.
    pub partnerships: u64,
    /// Committees in scope the unit reaches.
    pub committees_in_reach: u64,
}

/// The brokers document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokersDoc {
    pub as_of: Date,
    pub scope: String,
    pub method: BrokerMethod,
    /// Pivot sources used when `method` is `sampled`.
    pub samples: Option<usize>,
    /// Highest betweenness first (ties: more committees in reach, then unit id).
    pub brokers: Vec<Broker>,
}

/// A unit in reach of committees of an area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaUnit {
    pub unit: Id,
    pub name: String,
    /// Committees of the area the unit reaches.
    pub committees: u64,
}

/// One area (片区): a cluster of committees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// `A1`, `A2`, …
    pub id: String,
    /// Committee ids in bundle order.
    pub committees: Vec<Id>,
    /// Their names, parallel to `committees`.
    pub names: Vec<String>,
    /// Up to three units in reach of the most committees of the area.
    pub strongest_units: Vec<AreaUnit>,
}

/// The areas document (变点状推进为成片推进).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreasDoc {
    pub as_of: Date,
    pub scope: String,
    /// Modularity of the partition on the weighted committee graph (0 without edges).
    pub modularity: f64,
    pub areas: Vec<Area>,
}

// What-if (SPEC §3 "Structure"), computed by `engine/src/whatif.rs`.

/// The change to try.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// Units that withdraw (their partnerships and resources are removed).
    #[serde(default)]
    pub without_units: Vec<Id>,
    /// Partnerships that end.
    #[serde(default)]
    pub without_partnerships: Vec<Id>,
}

/// Blank spots a committee gains under the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBlankSpots {
    pub committee: Id,
    /// Only the flags it did not have before, in SPEC order.
    pub flags: Vec<BlankSpot>,
}

/// What changes compared with the network as stored: both sides are the city's fair
/// allocation (SPEC §3 v2) restricted to the scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIfDelta {
    /// Met demand after minus before (≤ 0 for removals), rounded to 2 decimals.
    pub met_demand_change: f64,
    /// Unmet demand after minus before.
    pub unmet_demand_change: f64,
    /// The scope's needs whose met demand changes (by 0.01 or more), sorted by need id.
    pub needs: Vec<NeedDelta>,
    /// The scope's committees whose unmet demand changes, sorted by committee id.
    pub committees: Vec<CommitteeDelta>,
    /// Every domain with needs in the scope, in SPEC order.
    pub domains: Vec<DomainDelta>,
    /// Committees of the scope with a partner in reach before and none after, sorted.
    pub committees_losing_all_partners: Vec<Id>,
    /// Committees of the scope that gain blank spots, sorted by committee id.
    pub new_blank_spots: Vec<NewBlankSpots>,
    /// Partnerships removed from the copy, sorted.
    pub removed_partnerships: Vec<Id>,
    /// Resources removed from the copy, sorted.
    pub removed_resources: Vec<Id>,
}

/// Coverage and gaps after the change, and the delta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIfDoc {
    pub coverage: CoverageDoc,
    pub gaps: GapsDoc,
    pub delta: WhatIfDelta,
}
