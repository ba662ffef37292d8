//! The words and colours of a diagram: level and edge-kind labels, titles, organisation lines,
//! cluster captions and the table fills.

use super::*;

impl EdgeKind {
    /// The link-kind filter this edge kind falls under.
    pub(super) fn link(self) -> LinkKind {
        match self {
            EdgeKind::Partnership | EdgeKind::SolePartner => LinkKind::Partnership,
            EdgeKind::MassLink => LinkKind::Mass,
            EdgeKind::SocialService => LinkKind::Social,
            EdgeKind::Resource => LinkKind::Resource,
            EdgeKind::InService => LinkKind::Member,
        }
    }

    pub(super) fn zh(self) -> &'static str {
        match self {
            EdgeKind::Partnership => "共建（有效协议）",
            EdgeKind::MassLink => "群团联系",
            EdgeKind::SocialService => "社会组织服务",
            EdgeKind::Resource => "资源下沉",
            EdgeKind::InService => "在职党员双报到 / 志愿服务",
            EdgeKind::SolePartner => "唯一共建单位",
        }
    }
    pub(super) fn color(self) -> &'static str {
        match self {
            EdgeKind::Partnership => "#c0392b",
            EdgeKind::MassLink => "#2471a3",
            EdgeKind::SocialService => "#7d3c98",
            EdgeKind::Resource => "#1e8449",
            EdgeKind::InService => "#d68910",
            EdgeKind::SolePartner => "#922b21",
        }
    }
    pub(super) fn style(self) -> &'static str {
        match self {
            EdgeKind::Partnership => "solid",
            EdgeKind::MassLink => "dashed",
            EdgeKind::SocialService => "dotted",
            EdgeKind::Resource => "bold",
            EdgeKind::InService => "solid",
            EdgeKind::SolePartner => "bold",
        }
    }
    pub(super) fn penwidth(self) -> &'static str {
        match self {
            EdgeKind::SolePartner => "3",
            EdgeKind::Partnership => "1.5",
            _ => "1",
        }
    }
}

impl Grain {
    pub(super) fn zh(self) -> &'static str {
        match self {
            Grain::District => "区",
            Grain::Street => "街道",
            Grain::Community => "社区",
            Grain::Committee => "居委会",
        }
    }
}

impl<'a> Scene<'a> {
    pub(super) fn scope_name(&self) -> String {
        if self.opts.scope == "city" {
            "全市".to_string()
        } else {
            self.name(&self.opts.scope)
        }
    }

    pub(super) fn title(&self) -> String {
        let mut t = format!(
            "{} · {} · 截至 {}",
            self.scope_name(),
            self.opts.view.label_zh(),
            self.opts.as_of
        );
        if self.committees_aggregated() {
            t.push_str(&format!(
                "（已聚合：居委会按{}计数，驻区单位、群团和社会组织按类别计数）",
                self.grain.zh()
            ));
        } else if self.org_grain == OrgGrain::ByCategory {
            t.push_str("（已聚合：驻区单位、群团和社会组织按类别计数，居委会逐个绘制）");
        } else if self.org_grain == OrgGrain::ByCategoryToCommunities {
            t.push_str(
                "（已聚合：驻区单位、群团和社会组织按类别计数，连线汇总到社区，居委会逐个绘制）",
            );
        } else if self.org_grain == OrgGrain::OutsideByCategory {
            t.push_str(&format!(
                "（已聚合：{}单位和社会组织按类别计数，居委会逐个绘制）",
                self.outside_zh()
            ));
        }
        t
    }

    /// What "outside" means for this scope: other streets, or other districts.
    pub(super) fn outside_zh(&self) -> &'static str {
        if self.scope_level() == 0 {
            "区外"
        } else {
            "外街道"
        }
    }

    pub(super) fn secretary(&self, s: &str) -> String {
        if self.opts.mask_personal {
            dangjian_model::mask_name(s)
        } else {
            s.to_string()
        }
    }

    /// "name（党委）· 书记 X", or a warning when nothing leads it.
    pub(super) fn org_line(&self, leads: &str) -> String {
        match self.lk.org_of.get(leads) {
            Some(o) => format!(
                "{}（{}）· 书记 {}",
                o.name,
                o.level.label_zh(),
                self.secretary(&o.secretary)
            ),
            None => "未设党组织".to_string(),
        }
    }

    pub(super) fn cluster_label(&self, id: &str, level: u8) -> Vec<String> {
        let kind = match level {
            0 => "区",
            1 => self
                .lk
                .street_kind
                .get(id)
                .map_or(StreetKind::Street.label_zh(), |k| k.label_zh()),
            _ => "社区",
        };
        let mut l = vec![format!("{}（{}）", self.name(id), kind)];
        if level > 0 {
            l.push(self.org_line(id));
        }
        l
    }
}

pub(super) fn edge_row(k: EdgeKind) -> (String, String) {
    (
        format!(
            r##"<td><font color="{}">{}</font></td>"##,
            k.color(),
            match k.style() {
                "dashed" => "- - ▶",
                "dotted" => "· · ▶",
                "bold" => "━━▶",
                _ => "──▶",
            }
        ),
        escape_html(k.zh()),
    )
}

pub(super) fn short_kind(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::SolePartner => "唯一共建",
        _ => "共建",
    }
}

/// Amounts by service domain in words: `养老 6、就业 5`.
pub(super) fn domain_amounts<'x>(
    amounts: impl IntoIterator<Item = (&'x ServiceDomain, &'x f64)>,
) -> String {
    let parts: Vec<String> = amounts
        .into_iter()
        .map(|(d, n)| format!("{} {}", d.label_zh(), dangjian_model::format_amount(*n)))
        .collect();
    parts.join("、")
}

pub(super) fn fmt_hours(h: f64) -> String {
    if (h - h.round()).abs() < 1e-9 {
        format!("{}", h.round() as i64)
    } else {
        format!("{h:.1}")
    }
}

pub(super) const GREEN: &str = "#d5f5e3";

pub(super) const YELLOW: &str = "#fcf3cf";

pub(super) const RED: &str = "#f5b7b1";
