//! The network bundle, version 1 (SPEC §2): one struct per table, serde names are the contract.

use crate::table::Table;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::id::Id;

/// A calendar date, `YYYY-MM-DD` on the wire.
pub type Date = NaiveDate;

macro_rules! bundle_struct {
    ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
        /// The whole network: one list per table, in the order of SPEC §2.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Bundle {
            $(
                #[serde(default)]
                pub $t: Table<$row>,
            )*
        }

        /// The table names in bundle order (JSON keys, CSV file stems, XLSX sheet names).
        pub const TABLES: [&str; 17] = [$(stringify!($t)),*];
    };
}
crate::for_each_table!(bundle_struct);

/// 区.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    pub id: Id,
    pub name: String,
}

/// 街道 or 镇.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreetKind {
    /// 街道
    Street,
    /// 镇
    Town,
}

/// A street or town.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Street {
    pub id: Id,
    pub name: String,
    pub district: Id,
    pub kind: StreetKind,
}

/// 社区.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Community {
    pub id: Id,
    pub name: String,
    pub street: Id,
}

/// 居委会 (residents' committee).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Committee {
    pub id: Id,
    pub name: String,
    pub community: Id,
    pub households: u64,
}

/// Two committees that border each other (地域相邻), undirected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjacency {
    pub a: Id,
    pub b: Id,
}

/// Level of a party organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyOrgLevel {
    /// 党工委
    WorkingCommittee,
    /// 党委
    Committee,
    /// 党总支
    GeneralBranch,
    /// 党支部
    Branch,
}

/// A party organisation; `leads` is the street, community, committee or unit it leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyOrg {
    pub id: Id,
    pub name: String,
    pub level: PartyOrgLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Id>,
    pub leads: Id,
    pub secretary: String,
}

/// Category of a resident unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitCategory {
    Enterprise,
    PublicInstitution,
    Government,
    School,
    Hospital,
    Other,
}

/// 驻区单位 (resident unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: Id,
    pub name: String,
    pub category: UnitCategory,
    pub industry: String,
    pub street: Id,
}

/// Type of a mass organisation (群团).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MassOrgType {
    /// 工会
    Union,
    /// 共青团
    YouthLeague,
    /// 妇联
    WomenFederation,
    Other,
}

/// 群团组织.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MassOrg {
    pub id: Id,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: MassOrgType,
}

/// 社会组织, bought in as services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialOrg {
    pub id: Id,
    pub name: String,
    pub street: Id,
    pub domains: Vec<ServiceDomain>,
}

/// 在职党员; name, birth year and employer are personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: Id,
    pub name: String,
    pub birth_year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<Id>,
    #[serde(default)]
    pub skills: Vec<String>,
}

/// 共建: a unit's co-building agreement with a street, community or committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    pub id: Id,
    pub unit: Id,
    pub target: Id,
    pub signed: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

impl Partnership {
    /// Active when `signed ≤ as_of` and (`expires` is empty or `as_of < expires`).
    pub fn is_active(&self, as_of: Date) -> bool {
        self.signed <= as_of && self.expires.is_none_or(|e| as_of < e)
    }
}

/// A mass organisation's link to a street, community or committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MassLink {
    pub mass_org: Id,
    pub target: Id,
    pub domain: ServiceDomain,
}

/// 资源清单 row; provider = unit, mass org, social org, street or community.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub id: Id,
    pub name: String,
    pub provider: Id,
    pub domain: ServiceDomain,
    /// Units of service per year, > 0.
    pub capacity: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_to: Option<Vec<Id>>,
}

/// 需求清单 row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Need {
    pub id: Id,
    pub committee: Id,
    pub domain: ServiceDomain,
    /// > 0.
    pub demand: u64,
}

/// Status of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planned,
    Active,
    Done,
}

/// 项目清单 row: needs turned into a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: Id,
    pub name: String,
    pub committee: Id,
    pub needs: Vec<Id>,
    pub resources: Vec<Id>,
    pub status: ProjectStatus,
}

/// Hours a member volunteered at a committee on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volunteering {
    pub member: Id,
    pub committee: Id,
    pub domain: ServiceDomain,
    /// ≥ 0.
    pub hours: f64,
    pub date: Date,
}

/// Open or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
}

/// An explicit 责任清单 item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Responsibility {
    pub id: Id,
    pub party_org: Id,
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    pub status: ItemStatus,
}

/// The controlled vocabulary of service domains (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceDomain {
    Employment,
    ElderlyCare,
    Childcare,
    PovertyRelief,
    DisabilitySupport,
    PublicSafety,
    Healthcare,
    Greening,
    EducationTraining,
    LegalAid,
    Psychological,
    CultureSports,
}

impl ServiceDomain {
    /// All domains in SPEC order.
    pub const ALL: [ServiceDomain; 12] = [
        Self::Employment,
        Self::ElderlyCare,
        Self::Childcare,
        Self::PovertyRelief,
        Self::DisabilitySupport,
        Self::PublicSafety,
        Self::Healthcare,
        Self::Greening,
        Self::EducationTraining,
        Self::LegalAid,
        Self::Psychological,
        Self::CultureSports,
    ];

    /// The wire name, e.g. `elderly_care`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employment => "employment",
            Self::ElderlyCare => "elderly_care",
            Self::Childcare => "childcare",
            Self::PovertyRelief => "poverty_relief",
            Self::DisabilitySupport => "disability_support",
            Self::PublicSafety => "public_safety",
            Self::Healthcare => "healthcare",
            Self::Greening => "greening",
            Self::EducationTraining => "education_training",
            Self::LegalAid => "legal_aid",
            Self::Psychological => "psychological",
            Self::CultureSports => "culture_sports",
        }
    }

    /// The Chinese label, for tables and diagrams.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Employment => "就业",
            Self::ElderlyCare => "养老",
            Self::Childcare => "托幼",
            Self::PovertyRelief => "帮困",
            Self::DisabilitySupport => "助残",
            Self::PublicSafety => "平安",
            Self::Healthcare => "医疗卫生",
            Self::Greening => "绿化",
            Self::EducationTraining => "教育培训",
            Self::LegalAid => "法律援助",
            Self::Psychological => "心理疏导",
            Self::CultureSports => "文体",
        }
    }

    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl std::fmt::Display for ServiceDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Bundle {
    /// Number of rows in the tables no other version shares (what dropping this bundle frees).
    pub fn owned_rows(&self) -> usize {
        fn n<T>(t: &Table<T>) -> usize {
            if t.is_shared() { 0 } else { t.len() }
        }
        n(&self.districts)
            + n(&self.streets)
            + n(&self.communities)
            + n(&self.committees)
            + n(&self.adjacency)
            + n(&self.party_orgs)
            + n(&self.units)
            + n(&self.mass_orgs)
            + n(&self.social_orgs)
            + n(&self.members)
            + n(&self.partnerships)
            + n(&self.mass_links)
            + n(&self.resources)
            + n(&self.needs)
            + n(&self.projects)
            + n(&self.volunteering)
            + n(&self.responsibilities)
    }

    /// Number of rows over all tables.
    pub fn row_count(&self) -> usize {
        self.districts.len()
            + self.streets.len()
            + self.communities.len()
            + self.committees.len()
            + self.adjacency.len()
            + self.party_orgs.len()
            + self.units.len()
            + self.mass_orgs.len()
            + self.social_orgs.len()
            + self.members.len()
            + self.partnerships.len()
            + self.mass_links.len()
            + self.resources.len()
            + self.needs.len()
            + self.projects.len()
            + self.volunteering.len()
            + self.responsibilities.len()
    }
}
