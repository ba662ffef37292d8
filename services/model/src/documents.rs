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
    pub scope: Id,
    pub committees: Vec<CommitteeCoverage>,
    /// Communities, then streets, then districts, then the city (only when the scope is `city`
    /// or a district, the levels at and below the scope).
    pub rollups: Vec<Rollup>,
}

/// Demand per domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainDemand {
    pub domain: ServiceDomain,
    pub demand: u64,
    pub met: u64,
    pub unmet: u64,
}

/// A provider that could be linked to a committee with unmet demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub provider: Id,
    /// Human-readable, in Chinese.
    pub reason: String,
}

/// A need left with unmet demand after matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmetNeed {
    pub need: Id,
    pub committee: Id,
    pub domain: ServiceDomain,
    pub unmet: u64,
    pub candidates: Vec<Candidate>,
}

/// A unit that is the only partner in reach of some committees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolePartnerUnit {
    pub unit: Id,
    pub committees: Vec<Id>,
}

/// The gaps document (资源下沉).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapsDoc {
    pub as_of: Date,
    pub scope: Id,
    pub total_demand: u64,
    pub met_demand: u64,
    pub unmet_demand: u64,
    /// Only the domains that have needs in scope, in SPEC domain order.
    pub by_domain: Vec<DomainDemand>,
    pub unreachable_needs: Vec<Id>,
    pub stranded_resources: Vec<Id>,
    pub unused_capacity: u64,
    pub unmet_needs: Vec<UnmetNeed>,
    pub sole_partner_units: Vec<SolePartnerUnit>,
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
