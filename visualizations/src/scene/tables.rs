//! The legend and the gap tables drawn beside a diagram.

use super::*;

impl<'a> Scene<'a> {
    pub(super) fn gaps_tables(&self) -> Vec<Stmt> {
        let g = self.gaps;
        let needs: HashMap<&str, _> = self.b.needs.iter().map(|n| (n.id.as_str(), n)).collect();
        let resources: HashMap<&str, _> = self
            .b
            .resources
            .iter()
            .map(|r| (r.id.as_str(), r))
            .collect();
        let mut out = Vec::new();
        // Unmet demand by domain.
        let mut rows = vec![vec![
            "领域".to_string(),
            "需求".to_string(),
            "已满足".to_string(),
            "缺口".to_string(),
        ]];
        for d in &g.by_domain {
            rows.push(vec![
                d.domain.label_zh().to_string(),
                d.demand.to_string(),
                dangjian_model::format_amount(d.met),
                dangjian_model::format_amount(d.unmet),
            ]);
        }
        rows.push(vec![
            "合计".to_string(),
            g.total_demand.to_string(),
            dangjian_model::format_amount(g.met_demand),
            dangjian_model::format_amount(g.unmet_demand),
        ]);
        out.push(table_node(
            "__unmet_by_domain",
            "需求满足情况（按领域）",
            &rows,
            "#fdedec",
        ));
        // Needs no resource reaches, and resources no need reaches.
        let unreachable = |id: &str| {
            needs
                .get(id)
                .map(|n| self.domain_row(&n.id, &n.committee, n.domain, n.demand))
        };
        let stranded = |id: &str| {
            resources
                .get(id)
                .map(|r| self.domain_row(&r.name, &r.provider, r.domain, r.capacity))
        };
        let stranded_caption = format!(
            "悬浮资源（闲置能力合计 {}）",
            dangjian_model::format_amount(g.unused_capacity)
        );
        // (node, caption, header, ids, describe, header fill)
        type Describe<'d> = &'d dyn Fn(&str) -> Option<[String; 4]>;
        type IdList<'l> = (
            &'l str,
            &'l str,
            [&'l str; 4],
            &'l [dangjian_model::Id],
            Describe<'l>,
            &'l str,
        );
        let lists: [IdList; 2] = [
            (
                "__unreachable_needs",
                "无资源可达的需求",
                ["需求", "居委会", "领域", "需求量"],
                &g.unreachable_needs,
                &unreachable,
                "#fdedec",
            ),
            (
                "__stranded_resources",
                &stranded_caption,
                ["资源", "提供方", "领域", "能力"],
                &g.stranded_resources,
                &stranded,
                "#fef5e7",
            ),
        ];
        for (name, caption, header, ids, describe, fill) in lists {
            out.push(table_node(
                name,
                caption,
                &id_table(header, ids, describe),
                fill,
            ));
        }
        out
    }

    /// A row of a need or resource table: what, whose (by name), its domain and amount.
    fn domain_row(
        &self,
        what: &str,
        owner: &str,
        domain: ServiceDomain,
        amount: u64,
    ) -> [String; 4] {
        [
            what.to_owned(),
            self.name(owner),
            domain.label_zh().to_string(),
            amount.to_string(),
        ]
    }

    /// The legend node and its estimated size.
    pub(super) fn legend(&self) -> (Stmt, Size) {
        let mut rows: Vec<(String, String)> = Vec::new();
        let boxed = |fill: &str, text: &str| {
            (
                format!(r##"<td bgcolor="{fill}" border="1" width="24"> </td>"##),
                escape_html(text),
            )
        };
        rows.push(boxed("#fef9e7", "街道 / 镇（党工委或党委 · 书记）"));
        rows.push(boxed("#eaf2f8", "社区（党组织 · 书记）"));
        match self.opts.view {
            View::Hierarchy => {
                rows.push(boxed(
                    "#ffffff",
                    "居委会（党组织 · 书记 · 户数 · 报到党员）",
                ));
                rows.push((
                    r##"<td border="1" color="#c0392b" style="dashed" width="24"> </td>"##.into(),
                    escape_html("红色虚线框：未设党组织"),
                ));
            }
            View::Partnerships => {
                rows.push(boxed(
                    "#ffffff",
                    "居委会（报到党员 · 志愿时长 · 共建单位数）",
                ));
                rows.push(boxed("#fdebd0", "驻区单位（虚线：未结对共建）"));
                rows.push(boxed("#d6eaf8", "群团组织"));
                rows.push(boxed("#e8daef", "社会组织"));
                for k in [
                    EdgeKind::Partnership,
                    EdgeKind::MassLink,
                    EdgeKind::SocialService,
                    EdgeKind::Resource,
                    EdgeKind::InService,
                ]
                .into_iter()
                .filter(|k| self.opts.draws(k.link()))
                {
                    rows.push(edge_row(k));
                }
            }
            View::Gaps => {
                rows.push(boxed(GREEN, "无空白点、无缺口"));
                rows.push(boxed(YELLOW, "有空白点（1–2 项）或有缺口"));
                rows.push(boxed(RED, "无党组织、3 项以上空白点或缺口过半"));
                if self.opts.draws(LinkKind::Partnership) {
                    rows.push(edge_row(EdgeKind::SolePartner));
                }
                rows.push((
                    "<td> </td>".into(),
                    escape_html("“缺口”：全市公平分配后仍未满足的需求量"),
                ));
            }
        }
        if self.committees_aggregated() {
            rows.push(boxed(
                "#ffffff",
                &format!("立体框：一个{}的居委会合计", self.grain.zh()),
            ));
        }
        match self.org_grain {
            OrgGrain::Each => {}
            OrgGrain::OutsideByCategory => rows.push((
                "<td> </td>".into(),
                escape_html(&format!(
                    "“{0}单位 · 类别 N 家”：本范围以外的单位按类别合计（含{0}在职党员的工作单位）",
                    self.outside_zh()
                )),
            )),
            OrgGrain::ByCategory => rows.push((
                "<td> </td>".into(),
                escape_html("“N 家 / N 个”：单位、群团和社会组织按类别合计"),
            )),
            OrgGrain::ByCategoryToCommunities => rows.push((
                "<td> </td>".into(),
                escape_html(
                    "“N 家 / N 个”：单位、群团和社会组织按类别合计；连线到社区框，居委会的数字见其标签",
                ),
            )),
        }
        if self.opts.mask_personal {
            rows.push((
                "<td> </td>".into(),
                escape_html("已隐去个人信息（书记仅显示姓氏）"),
            ));
        }
        let mut markup = String::from(
            r#"<table border="0" cellborder="0" cellspacing="2" cellpadding="3"><tr><td colspan="2"><b>图例</b></td></tr>"#,
        );
        for (sym, text) in rows {
            markup.push_str(&format!(r#"<tr>{sym}<td align="left">{text}</td></tr>"#));
        }
        markup.push_str("</table>");
        let size = html_size(&markup, NODE_FONT);
        let n = node(
            "__legend",
            vec![
                a("shape", "box"),
                a("style", "rounded"),
                a("color", "#999999"),
                a_id("label", html(&markup)),
            ],
        );
        (n, size)
    }
}

/// The rows of a four-column table listing ids: the header, one row per id (the id alone when
/// `describe` knows nothing of it), or a single "（无）" row when the list is empty.
pub(super) fn id_table(
    header: [&str; 4],
    ids: &[dangjian_model::Id],
    describe: impl Fn(&str) -> Option<[String; 4]>,
) -> Vec<Vec<String>> {
    let mut rows = vec![header.map(str::to_string).to_vec()];
    for id in ids {
        let row = describe(id.as_str()).unwrap_or_else(|| {
            [
                String::from(id),
                String::new(),
                String::new(),
                String::new(),
            ]
        });
        rows.push(row.to_vec());
    }
    if ids.is_empty() {
        rows.push(vec![
            "（无）".to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    rows
}

pub(super) fn table_node(name: &str, caption: &str, rows: &[Vec<String>], head_fill: &str) -> Stmt {
    let cols = rows.first().map_or(1, Vec::len);
    let mut markup = format!(
        r#"<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr><td colspan="{cols}" bgcolor="{head_fill}"><b>{}</b></td></tr>"#,
        escape_html(caption)
    );
    let shown = rows.len().min(TABLE_ROWS + 1);
    for (i, row) in rows.iter().take(shown).enumerate() {
        markup.push_str("<tr>");
        for cell in row {
            if i == 0 {
                markup.push_str(&format!("<td><b>{}</b></td>", escape_html(cell)));
            } else {
                markup.push_str(&format!(r#"<td align="left">{}</td>"#, escape_html(cell)));
            }
        }
        markup.push_str("</tr>");
    }
    if rows.len() > shown {
        markup.push_str(&format!(
            r#"<tr><td colspan="{cols}">…另有 {} 项</td></tr>"#,
            rows.len() - shown
        ));
    }
    markup.push_str("</table>");
    node(
        name,
        vec![a("shape", "plain"), a_id("label", html(&markup))],
    )
}
