//! The product's Chinese vocabulary for its enums, stated once: tables, checklist files, CSV
//! headers and diagrams all read their labels here. Wire names (`youth_league`) are not
//! restated: they are what serde writes ([`wire_name`]).

use crate::{
    ItemKind, ItemStatus, MassOrgType, PartyOrgLevel, Rag, RollupLevel, StreetKind, UnitCategory,
};
use serde::Serialize;

/// The wire name of a unit enum variant, as serde writes it in JSON (`women_federation`).
pub fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

impl StreetKind {
    /// The Chinese label: 街道 or 镇.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Street => "街道",
            Self::Town => "镇",
        }
    }
}

impl PartyOrgLevel {
    /// Every level, from the top.
    pub const ALL: [PartyOrgLevel; 4] = [
        Self::WorkingCommittee,
        Self::Committee,
        Self::GeneralBranch,
        Self::Branch,
    ];

    /// The Chinese label: 党工委, 党委, 党总支, 党支部.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::WorkingCommittee => "党工委",
            Self::Committee => "党委",
            Self::GeneralBranch => "党总支",
            Self::Branch => "党支部",
        }
    }
}

impl UnitCategory {
    /// Every category, in declaration order.
    pub const ALL: [UnitCategory; 6] = [
        Self::Enterprise,
        Self::PublicInstitution,
        Self::Government,
        Self::School,
        Self::Hospital,
        Self::Other,
    ];

    /// The Chinese label: 企业, 事业单位, 机关, 学校, 医院, 其他.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Enterprise => "企业",
            Self::PublicInstitution => "事业单位",
            Self::Government => "机关",
            Self::School => "学校",
            Self::Hospital => "医院",
            Self::Other => "其他",
        }
    }
}

impl MassOrgType {
    /// Every type, in declaration order.
    pub const ALL: [MassOrgType; 4] = [
        Self::Union,
        Self::YouthLeague,
        Self::WomenFederation,
        Self::Other,
    ];

    /// The Chinese label: 工会, 共青团, 妇联, 其他.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Union => "工会",
            Self::YouthLeague => "共青团",
            Self::WomenFederation => "妇联",
            Self::Other => "其他",
        }
    }
}

impl ItemKind {
    /// The Chinese label of a checklist item's kind (类别).
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Explicit => "责任事项",
            Self::Partnership => "共建协议",
            Self::BlankSpot => "空白点",
            Self::UnmetNeed => "未满足需求",
            Self::Supervision => "督办",
        }
    }
}

impl ItemStatus {
    /// The Chinese label (状态): 未完成, 已完成.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "未完成",
            Self::Done => "已完成",
        }
    }
}

impl Rag {
    /// The Chinese label (预警): 红, 黄, 绿, and nothing for a done item.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Red => "红",
            Self::Amber => "黄",
            Self::Green => "绿",
            Self::None => "",
        }
    }
}

impl RollupLevel {
    /// The Chinese label of a roll-up's level (层级): 社区, 街道, 区, 市.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Community => "社区",
            Self::Street => "街道",
            Self::District => "区",
            Self::City => "市",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_serdes() {
        assert_eq!(wire_name(&MassOrgType::WomenFederation), "women_federation");
        assert_eq!(
            wire_name(&UnitCategory::PublicInstitution),
            "public_institution"
        );
        assert_eq!(wire_name(&ItemKind::UnmetNeed), "unmet_need");
        assert_eq!(wire_name(&Rag::None), "none");
        assert_eq!(wire_name(&crate::RollupLevel::Community), "community");
    }

    #[test]
    fn labels_are_chinese_and_distinct() {
        let kinds = [
            ItemKind::Explicit,
            ItemKind::Partnership,
            ItemKind::BlankSpot,
            ItemKind::UnmetNeed,
            ItemKind::Supervision,
        ]
        .map(ItemKind::label_zh);
        let levels = PartyOrgLevel::ALL.map(PartyOrgLevel::label_zh);
        let categories = UnitCategory::ALL.map(UnitCategory::label_zh);
        let types = MassOrgType::ALL.map(MassOrgType::label_zh);
        for labels in [&kinds[..], &levels, &categories, &types] {
            let mut unique = labels.to_vec();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), labels.len(), "{labels:?}");
        }
        assert_eq!(MassOrgType::YouthLeague.label_zh(), "共青团");
        assert_eq!(PartyOrgLevel::GeneralBranch.label_zh(), "党总支");
        assert_eq!(UnitCategory::Hospital.label_zh(), "医院");
        assert_eq!(ItemStatus::Done.label_zh(), "已完成");
        assert_eq!(Rag::Amber.label_zh(), "黄");
        assert_eq!(StreetKind::Town.label_zh(), "镇");
        assert_eq!(RollupLevel::District.label_zh(), "区");
    }
}
