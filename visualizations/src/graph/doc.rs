//! The graph document's types: link, node and grouping kinds, nodes, edges, the document and
//! the options that ask for one (what the API serialises and the layout reads).

use dangjian_model::Date;
use serde::{Deserialize, Serialize};

/// The kinds of link drawn between nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// 共建: a unit's active partnership with a street, community or committee.
    Partnership,
    /// 资源下沉: a provider's resources where they sink (deployed, else the provider's reach).
    Resource,
    /// 群团: a mass organisation's link to a street, community or committee.
    Mass,
    /// 社会组织: a social organisation serving its street.
    Social,
    /// 双报到: in-service members registered or volunteering at a committee, per employer group.
    Member,
}

impl LinkKind {
    /// All kinds, in menu order.
    pub const ALL: [LinkKind; 5] = [
        LinkKind::Partnership,
        LinkKind::Resource,
        LinkKind::Mass,
        LinkKind::Social,
        LinkKind::Member,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Partnership => "partnership",
            LinkKind::Resource => "resource",
            LinkKind::Mass => "mass",
            LinkKind::Social => "social",
            LinkKind::Member => "member",
        }
    }

    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            LinkKind::Partnership => "共建",
            LinkKind::Resource => "资源下沉",
            LinkKind::Mass => "群团",
            LinkKind::Social => "社会组织",
            LinkKind::Member => "双报到",
        }
    }

    /// Parse a comma-separated list (`partnership,member`); empty → every kind.
    pub fn parse_list(s: &str) -> Result<Vec<LinkKind>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let k = LinkKind::parse(part).ok_or_else(|| {
                format!(
                    "unknown link kind `{part}`: use partnership, resource, mass, social or member"
                )
            })?;
            if !out.contains(&k) {
                out.push(k);
            }
        }
        if out.is_empty() {
            out = LinkKind::ALL.to_vec();
        }
        out.sort();
        Ok(out)
    }
}

/// How in-service members' employers are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberGrouping {
    /// One node per district of the employer's street (the default).
    District,
    /// One node per employer unit.
    Unit,
}

impl MemberGrouping {
    /// Parse `district` or `unit`.
    pub fn parse(s: &str) -> Option<MemberGrouping> {
        match s {
            "district" => Some(MemberGrouping::District),
            "unit" => Some(MemberGrouping::Unit),
            _ => None,
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    District,
    Street,
    Community,
    Committee,
    Unit,
    MassOrg,
    SocialOrg,
    Resource,
    /// The employers of in-service members, grouped (by district, or "no employer given").
    UnitGroup,
}

impl NodeKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::District => "district",
            NodeKind::Street => "street",
            NodeKind::Community => "community",
            NodeKind::Committee => "committee",
            NodeKind::Unit => "unit",
            NodeKind::MassOrg => "mass_org",
            NodeKind::SocialOrg => "social_org",
            NodeKind::Resource => "resource",
            NodeKind::UnitGroup => "unit_group",
        }
    }
}

/// One node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// The entity's id (`grp:<district id>` / `grp:none` for member employer groups).
    pub id: String,
    /// Its name.
    pub label: String,
    pub kind: NodeKind,
    /// The compound parent (a committee's community, a community's street, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// A short description: a unit's category and industry, a mass org's type, a social org's
    /// or resource's domains, a street's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A unit's or a member group's district name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// A committee's households.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<u64>,
    /// A resource's capacity (resource nodes are not drawn by `GraphIndex::graph`, which
    /// aggregates resources on their edges; the kind is kept for other producers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// The position computed by the service (`GraphIndex::place`; `None` when not asked
    /// for): the same for a scope on every date. A compound node's is the centre of its box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
}

/// One edge (directed from the organisation to the place it serves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// The partnership's id for 共建; a made-up stable id for the others.
    pub id: String,
    pub source: String,
    pub target: String,
    pub kind: LinkKind,
    /// A short Chinese label (`共建 · 2024-03-01 起`, `12 人 · 340 小时`).
    pub label: String,
    /// A weight for layout and graph tools (≥ 1): member count plus hours / 100 for 双报到.
    pub weight: f64,
    /// 双报到: members registered at the target committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
    /// 双报到: distinct members with counted hours there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volunteers: Option<u64>,
    /// 双报到: counted hours there in the 12 months up to `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// 资源下沉: how many resources of the provider sink there, and their capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// 双报到 grouped: distinct employer units behind the edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<u64>,
    /// 共建: signed; 资源下沉 and 群团: the service domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// The graph of a scope on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphDoc {
    pub as_of: Date,
    pub scope: String,
    /// The link kinds drawn.
    pub kinds: Vec<LinkKind>,
    pub grouping: MemberGrouping,
    /// Whether the graph is drawn per street (a district or the city): communities and
    /// committees folded into their street, units counted per district and category, social
    /// organisations per district, links summed.
    #[serde(default)]
    pub aggregated: bool,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphOptions {
    /// `city` or a district, street, community or committee id.
    pub scope: String,
    pub as_of: Date,
    /// Link kinds to draw (the hierarchy is always drawn).
    pub kinds: Vec<LinkKind>,
    pub grouping: MemberGrouping,
    /// Draw per street (see [`GraphDoc::aggregated`]); `None`: for a district or the city.
    pub aggregate: Option<bool>,
}

impl GraphOptions {
    /// Every kind, members grouped by district.
    pub fn new(scope: impl Into<String>, as_of: Date) -> GraphOptions {
        GraphOptions {
            scope: scope.into(),
            as_of,
            kinds: LinkKind::ALL.to_vec(),
            grouping: MemberGrouping::District,
            aggregate: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_kinds_parse_as_lists() {
        assert_eq!(LinkKind::parse_list("").ok(), Some(LinkKind::ALL.to_vec()));
        assert_eq!(
            LinkKind::parse_list("member, partnership,member").ok(),
            Some(vec![LinkKind::Partnership, LinkKind::Member])
        );
        let err = LinkKind::parse_list("partnership,friends").expect_err("unknown kind");
        assert!(err.contains("`friends`"), "{err}");
    }
}
