//! Printing: aligned tables for people (CJK-aware widths), CSV and JSON for scripts, and the
//! one-paragraph error report.

use crate::TableFormat;
use anyhow::Result;
use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use dangjian_engine::{TrendDoc, TrendPoint};
use dangjian_export::ChecklistLang;
use dangjian_model::labels::wire_name;
use dangjian_model::{
    AreasDoc, BlankSpot, BrokerMethod, BrokersDoc, ChecklistDoc, CoverageDoc, GapsDoc, Id,
    Problems, StoreError, TokenInfo, WhatIf, WhatIfDoc,
};
use serde::Serialize;
use std::io::Write;

/// Write bytes to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Pretty JSON of a document, newline-terminated.
pub fn print_json<T: Serialize>(doc: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(doc)?;
    s.push('\n');
    write_stdout(s.as_bytes())
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    t
}

fn print_table(t: &Table) -> Result<()> {
    write_stdout(format!("{t}\n").as_bytes())
}

fn csv_out(rows: Vec<Vec<String>>) -> Result<()> {
    // Text a spreadsheet would run as a formula gets a leading `'`; numbers stay numbers.
    write_stdout(&dangjian_export::csv_bytes(
        rows,
        dangjian_export::Guard::Script,
    )?)
}

fn flags_zh(flags: &[BlankSpot]) -> String {
    flags
        .iter()
        .map(|f| f.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

fn fmt_f(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Coverage for people: one row per committee, then the roll-ups.
pub fn coverage_table(doc: &CoverageDoc) -> Result<()> {
    let mut t = table(&[
        "居委会",
        "名称",
        "社区",
        "党组织",
        "报到党员",
        "每千户",
        "志愿时长",
        "青年志愿者",
        "直接共建",
        "可及共建",
        "群团",
        "空白点",
    ]);
    for c in &doc.committees {
        t.add_row(vec![
            c.id.to_string(),
            c.name.clone(),
            c.community.to_string(),
            if c.party_org { "有" } else { "无" }.to_string(),
            c.registered_members.to_string(),
            c.members_per_1000_households
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "—".into()),
            fmt_f(c.volunteer_hours),
            c.young_volunteers.to_string(),
            c.partners_direct.to_string(),
            c.partners_in_reach.to_string(),
            c.mass_org_types
                .iter()
                .map(|t| t.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            flags_zh(&c.blank_spots),
        ]);
    }
    let mut r = table(&[
        "汇总",
        "层级",
        "居委会数",
        "报到党员",
        "志愿时长",
        "可及共建中位数",
        "空白点（居委会数）",
    ]);
    for roll in &doc.rollups {
        let flags = roll
            .blank_spots
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(f, n)| format!("{}{}", f.label_zh(), n))
            .collect::<Vec<_>>()
            .join(" ");
        r.add_row(vec![
            roll.id.to_string(),
            roll.level.label_zh().to_owned(),
            roll.committees.to_string(),
            roll.registered_members.to_string(),
            fmt_f(roll.volunteer_hours),
            roll.partners_in_reach_median
                .map(fmt_f)
                .unwrap_or_else(|| "—".into()),
            flags,
        ]);
    }
    write_stdout(
        format!(
            "覆盖情况 coverage — 范围 {}，截至 {}，{} 个居委会\n{t}\n{r}\n",
            doc.scope,
            doc.as_of,
            doc.committees.len()
        )
        .as_bytes(),
    )
}

/// Coverage as CSV: one row per committee.
pub fn coverage_csv(doc: &CoverageDoc) -> Result<()> {
    let mut rows = vec![
        [
            "id",
            "name",
            "community",
            "street",
            "district",
            "party_org",
            "registered_members",
            "members_per_1000_households",
            "volunteer_hours",
            "young_volunteers",
            "partners_direct",
            "partners_in_reach",
            "mass_org_types",
            "blank_spots",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    ];
    for c in &doc.committees {
        rows.push(vec![
            c.id.to_string(),
            c.name.clone(),
            c.community.to_string(),
            c.street.to_string(),
            c.district.to_string(),
            c.party_org.to_string(),
            c.registered_members.to_string(),
            c.members_per_1000_households
                .map(|v| v.to_string())
                .unwrap_or_default(),
            c.volunteer_hours.to_string(),
            c.young_volunteers.to_string(),
            c.partners_direct.to_string(),
            c.partners_in_reach.to_string(),
            c.mass_org_types
                .iter()
                .map(wire_name)
                .collect::<Vec<_>>()
                .join(";"),
            c.blank_spots
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ]);
    }
    csv_out(rows)
}

/// Gaps for people: the totals, demand per domain, the needs left unmet (with cause and the
/// best candidate providers, by name), and the lists. Every figure is the city's fair
/// allocation restricted to the scope, so a need shows the same numbers in every scope.
pub fn gaps_table(doc: &GapsDoc) -> Result<()> {
    let met_fully = doc.needs.iter().filter(|n| n.cause.is_none()).count();
    let mut out = format!(
        "资源下沉缺口 gaps — 范围 {}，截至 {}\n需求总量 {}，已满足 {}，未满足 {}，闲置能力 {}；\
         需求 {} 项，其中全部满足 {} 项\n",
        doc.scope,
        doc.as_of,
        doc.total_demand,
        dangjian_model::format_amount(doc.met_demand),
        dangjian_model::format_amount(doc.unmet_demand),
        dangjian_model::format_amount(doc.unused_capacity),
        doc.needs.len(),
        met_fully
    );
    let mut d = table(&["领域", "domain", "需求", "满足", "未满足"]);
    for row in &doc.by_domain {
        d.add_row(vec![
            row.domain.label_zh().to_string(),
            row.domain.as_str().to_string(),
            row.demand.to_string(),
            dangjian_model::format_amount(row.met),
            dangjian_model::format_amount(row.unmet),
        ]);
    }
    out.push_str(&format!("{d}\n"));
    if !doc.unmet_needs.is_empty() {
        let by_need: std::collections::HashMap<&str, &dangjian_model::NeedGap> =
            doc.needs.iter().map(|n| (n.need.as_str(), n)).collect();
        let mut u = table(&[
            "需求",
            "居委会",
            "领域",
            "需求量",
            "满足",
            "未满足",
            "原因",
            "建议对接",
        ]);
        for n in &doc.unmet_needs {
            let cands = if n.candidates.is_empty() {
                "—".to_string()
            } else {
                n.candidates
                    .iter()
                    .take(3)
                    .map(|c| format!("{}（{}）", c.name, c.reason))
                    .collect::<Vec<_>>()
                    .join("；")
            };
            let need = by_need.get(n.need.as_str());
            u.add_row(vec![
                n.need.to_string(),
                n.committee.to_string(),
                n.domain.label_zh().to_string(),
                need.map_or("".into(), |x| x.demand.to_string()),
                need.map_or("".into(), |x| dangjian_model::format_amount(x.met)),
                dangjian_model::format_amount(n.unmet),
                n.cause.label_zh().to_string(),
                cands,
            ]);
        }
        out.push_str(&format!("未满足需求 unmet needs\n{u}\n"));
    }
    out.push_str(&format!(
        "无资源可及的需求 unreachable needs: {}\n悬浮资源 stranded resources: {}\n",
        list_or_dash(&doc.unreachable_needs),
        list_or_dash(&doc.stranded_resources)
    ));
    if doc.sole_partner_units.is_empty() {
        out.push_str("唯一共建单位 sole-partner units: —\n");
    } else {
        out.push_str("唯一共建单位 sole-partner units:\n");
        for s in &doc.sole_partner_units {
            out.push_str(&format!("  {} → {}\n", s.unit, s.committees.join(", ")));
        }
    }
    write_stdout(out.as_bytes())
}

fn list_or_dash(ids: &[Id]) -> String {
    if ids.is_empty() {
        "—".into()
    } else {
        ids.join(", ")
    }
}

/// Gaps as CSV: one row per need of the scope (demand, met, unmet, cause) with the names of
/// its candidate providers when it is unmet.
pub fn gaps_csv(doc: &GapsDoc) -> Result<()> {
    let mut rows = vec![vec![
        "need".to_string(),
        "committee".into(),
        "domain".into(),
        "demand".into(),
        "met".into(),
        "unmet".into(),
        "cause".into(),
        "candidates".into(),
    ]];
    let candidates: std::collections::HashMap<&str, String> = doc
        .unmet_needs
        .iter()
        .map(|u| {
            let names = u
                .candidates
                .iter()
                .map(|c| format!("{} {}", c.provider, c.name))
                .collect::<Vec<_>>()
                .join(";");
            (u.need.as_str(), names)
        })
        .collect();
    for n in &doc.needs {
        rows.push(vec![
            n.need.to_string(),
            n.committee.to_string(),
            n.domain.as_str().into(),
            n.demand.to_string(),
            dangjian_model::format_amount(n.met),
            dangjian_model::format_amount(n.unmet),
            n.cause.map_or("", |c| c.as_str()).into(),
            candidates.get(n.need.as_str()).cloned().unwrap_or_default(),
        ]);
    }
    csv_out(rows)
}

/// A checklist for people: the columns of the checklist file less 编号 and 依据, with the
/// file's headers and values in `lang` (Chinese labels, or the codes).
pub fn checklist_table(doc: &ChecklistDoc, lang: ChecklistLang) -> Result<()> {
    use dangjian_export::{checklist_header, checklist_rows};
    // 党组织, 第一责任人, 类别, 事项, 期限, 状态, 预警: the file's columns less 编号 and 依据.
    const SHOWN: [usize; 7] = [1, 2, 3, 4, 6, 7, 8];
    let header = checklist_header(lang);
    let mut t = table(&SHOWN.map(|c| header[c]));
    for row in checklist_rows(doc, lang) {
        t.add_row(SHOWN.map(|c| match &row[c] {
            due if c == 6 && due.is_empty() => "—".to_owned(),
            cell => cell.clone(),
        }));
    }
    write_stdout(
        format!(
            "责任清单 checklist — {}，截至 {}，{} 项\n{t}\n",
            doc.party_org,
            doc.as_of,
            doc.items.len()
        )
        .as_bytes(),
    )
}

/// Any list of rows that serialise to flat JSON objects as a table or CSV (brokers, areas,
/// tokens).
fn objects<T: serde::Serialize>(rows: &[T], format: TableFormat) -> Result<()> {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    let Some(first) = rows.first().and_then(|r| r.as_object()) else {
        return write_stdout(b"(none)\n");
    };
    let header: Vec<String> = first.keys().cloned().collect();
    let cell = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{f:.4}"),
            _ => n.to_string(),
        },
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(o) => o
                    .values()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(":"),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(if format == TableFormat::Csv {
                ";"
            } else {
                "、"
            }),
        Some(other) => other.to_string(),
    };
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| header.iter().map(|h| cell(r.get(h))).collect())
        .collect();
    if format == TableFormat::Csv {
        let mut all = vec![header];
        all.extend(body);
        csv_out(all)
    } else {
        let mut t = table(&header.iter().map(String::as_str).collect::<Vec<_>>());
        for r in body {
            t.add_row(r);
        }
        print_table(&t)
    }
}

/// Brokers for people (Chinese headers; how the betweenness was computed in the title) or
/// CSV (the JSON field names).
pub fn brokers_table(doc: &BrokersDoc, format: TableFormat) -> Result<()> {
    if format == TableFormat::Csv {
        return objects(&doc.brokers, format);
    }
    let method = match (doc.method, doc.samples) {
        (BrokerMethod::Sampled, Some(n)) => format!("抽样估算（{n} 个源点）sampled"),
        (BrokerMethod::Sampled, None) => "抽样估算 sampled".to_owned(),
        (BrokerMethod::Exact, _) => "精确计算 exact".to_owned(),
    };
    let mut out = format!(
        "共建枢纽单位 brokers — 范围 {}，截至 {}，中介中心度：{method}\n",
        doc.scope, doc.as_of
    );
    if doc.brokers.is_empty() {
        out.push_str("（无）\n");
        return write_stdout(out.as_bytes());
    }
    let mut t = table(&["单位", "名称", "中介中心度", "共建协议", "可及居委会"]);
    for b in &doc.brokers {
        t.add_row(vec![
            b.unit.to_string(),
            b.name.clone(),
            dangjian_model::format_amount(b.betweenness),
            b.partnerships.to_string(),
            b.committees_in_reach.to_string(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    write_stdout(out.as_bytes())
}

/// Areas for people (Chinese headers) or CSV (the JSON field names, lists joined by `;`).
pub fn areas_table(doc: &AreasDoc, format: TableFormat) -> Result<()> {
    if format == TableFormat::Csv {
        return objects(&doc.areas, format);
    }
    let mut out = format!(
        "片区 areas — 范围 {}，截至 {}，{} 个片区，模块度 {:.3}\n",
        doc.scope,
        doc.as_of,
        doc.areas.len(),
        doc.modularity
    );
    if doc.areas.is_empty() {
        out.push_str("（无）\n");
        return write_stdout(out.as_bytes());
    }
    let mut t = table(&[
        "片区",
        "居委会数",
        "居委会",
        "名称",
        "主要共建单位（可及居委会数）",
    ]);
    for a in &doc.areas {
        t.add_row(vec![
            a.id.clone(),
            a.committees.len().to_string(),
            a.committees.join("、"),
            a.names.join("、"),
            a.strongest_units
                .iter()
                .map(|u| format!("{} {}（{}）", u.unit, u.name, u.committees))
                .collect::<Vec<_>>()
                .join("、"),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    write_stdout(out.as_bytes())
}

/// A trend's columns: (header for people, CSV header = JSON field).
const TREND_COLUMNS: [(&str, &str); 8] = [
    ("截至", "as_of"),
    ("居委会", "committees"),
    ("有空白点的居委会", "committees_with_blank_spots"),
    ("报到党员", "registered_members"),
    ("志愿时长", "volunteer_hours"),
    ("需求总量", "total_demand"),
    ("已满足", "met_demand"),
    ("未满足", "unmet_demand"),
];

/// A trend point's cells in [`TREND_COLUMNS`] order, amounts written by `amount`.
fn trend_cells(p: &TrendPoint, amount: fn(f64) -> String) -> Vec<String> {
    vec![
        p.as_of.to_string(),
        p.committees.to_string(),
        p.committees_with_blank_spots.to_string(),
        p.registered_members.to_string(),
        amount(p.volunteer_hours),
        amount(p.total_demand),
        amount(p.met_demand),
        amount(p.unmet_demand),
    ]
}

/// A trend for people: one row per month end, Chinese headers.
pub fn trend_table(doc: &TrendDoc) -> Result<()> {
    let mut t = table(&TREND_COLUMNS.map(|(zh, _)| zh));
    for p in &doc.points {
        t.add_row(trend_cells(p, dangjian_model::format_amount));
    }
    write_stdout(
        format!(
            "趋势 trend — 范围 {}，{} 至 {}，按月\n{t}\n",
            doc.scope, doc.from, doc.to
        )
        .as_bytes(),
    )
}

/// A trend as CSV: one row per month end, the JSON field names as the header.
pub fn trend_csv(doc: &TrendDoc) -> Result<()> {
    let header = TREND_COLUMNS.map(|(_, en)| en.to_owned()).to_vec();
    let rows =
        std::iter::once(header).chain(doc.points.iter().map(|p| trend_cells(p, |x| x.to_string())));
    csv_out(rows.collect())
}

/// An amount change with its sign: `+90`, `-3.77`, `0`.
fn signed(x: f64) -> String {
    let s = dangjian_model::format_amount(x);
    if s.starts_with('-') || s == "0" {
        s
    } else {
        format!("+{s}")
    }
}

/// What-if for people: what was withdrawn, the scope's demand before and after, then the
/// needs, committees and domains whose figures change, and the lists of the delta.
pub fn whatif_table(doc: &WhatIfDoc, change: &WhatIf) -> Result<()> {
    let (g, d) = (&doc.gaps, &doc.delta);
    let amount = dangjian_model::format_amount;
    let mut out = format!(
        "假设分析 what-if — 范围 {}，截至 {}\n撤出单位 withdrawn units: {}\n终止共建 ended partnerships: {}\n",
        g.scope,
        g.as_of,
        list_or_dash(&change.without_units),
        list_or_dash(&change.without_partnerships),
    );
    let mut s = table(&["指标", "调整前", "调整后", "变化"]);
    let total = g.total_demand as f64;
    for (label, after, delta) in [
        ("需求总量", total, 0.0),
        ("已满足", g.met_demand, d.met_demand_change),
        ("未满足", g.unmet_demand, d.unmet_demand_change),
    ] {
        s.add_row(vec![
            label.to_owned(),
            amount(after - delta),
            amount(after),
            signed(delta),
        ]);
    }
    out.push_str(&format!("{s}\n"));
    if d.needs.is_empty() {
        out.push_str("满足量变化的需求 needs changed: —\n");
    } else {
        let mut n = table(&["需求", "居委会", "领域", "调整前满足", "调整后满足", "变化"]);
        for x in &d.needs {
            n.add_row(vec![
                x.need.to_string(),
                x.committee.to_string(),
                x.domain.label_zh().to_owned(),
                amount(x.met_before),
                amount(x.met_after),
                signed(x.change),
            ]);
        }
        out.push_str(&format!("满足量变化的需求 needs changed\n{n}\n"));
    }
    if d.committees.is_empty() {
        out.push_str("未满足量变化的居委会 committees changed: —\n");
    } else {
        let mut c = table(&["居委会", "调整前未满足", "调整后未满足", "变化"]);
        for x in &d.committees {
            c.add_row(vec![
                x.committee.to_string(),
                amount(x.unmet_before),
                amount(x.unmet_after),
                signed(x.change),
            ]);
        }
        out.push_str(&format!("未满足量变化的居委会 committees changed\n{c}\n"));
    }
    if !d.domains.is_empty() {
        let mut t = table(&["领域", "domain", "调整前满足", "调整后满足", "变化"]);
        for x in &d.domains {
            t.add_row(vec![
                x.domain.label_zh().to_owned(),
                x.domain.as_str().to_owned(),
                amount(x.met_before),
                amount(x.met_after),
                signed(x.change),
            ]);
        }
        out.push_str(&format!("各领域满足量 by domain\n{t}\n"));
    }
    let blank = d
        .new_blank_spots
        .iter()
        .map(|b| format!("{}（{}）", b.committee, flags_zh(&b.flags)))
        .collect::<Vec<_>>();
    out.push_str(&format!(
        "失去全部共建的居委会 committees losing all partners: {}\n\
         新增空白点 new blank spots: {}\n\
         移除的共建协议 removed partnerships: {}\n\
         移除的资源 removed resources: {}\n",
        list_or_dash(&d.committees_losing_all_partners),
        if blank.is_empty() {
            "—".to_owned()
        } else {
            blank.join("，")
        },
        list_or_dash(&d.removed_partnerships),
        list_or_dash(&d.removed_resources),
    ));
    write_stdout(out.as_bytes())
}

/// What-if as CSV: one row per need of the scope whose met demand changes (need, committee,
/// domain code, met before, met after, change); the rest of the delta is in the JSON.
pub fn whatif_csv(doc: &WhatIfDoc) -> Result<()> {
    let mut rows = vec![
        [
            "need",
            "committee",
            "domain",
            "met_before",
            "met_after",
            "change",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for x in &doc.delta.needs {
        rows.push(vec![
            x.need.to_string(),
            x.committee.to_string(),
            x.domain.as_str().to_owned(),
            dangjian_model::format_amount(x.met_before),
            dangjian_model::format_amount(x.met_after),
            dangjian_model::format_amount(x.change),
        ]);
    }
    csv_out(rows)
}

/// Tokens for people or CSV (never the secret: only ids, roles, scopes).
pub fn tokens_table(tokens: &[TokenInfo], format: TableFormat) -> Result<()> {
    let rows: Vec<serde_json::Value> = tokens
        .iter()
        .map(|t| {
            serde_json::json!({
                "id": t.id,
                "role": wire_name(&t.role),
                "scope": t.scope,
                "created": t.created,
                "revoked": t.revoked,
            })
        })
        .collect();
    objects(&rows, format)
}

/// The error paragraph: the context chain on one line, then validation problems one per
/// line (at most 50 on a terminal, all when redirected), then nothing else — no backtrace.
pub fn print_error(err: &anyhow::Error) {
    let problems = err.chain().find_map(|e| {
        e.downcast_ref::<Problems>()
            .or_else(|| match e.downcast_ref::<StoreError>() {
                Some(StoreError::Invalid(p)) => Some(p),
                _ => None,
            })
    });
    let mut msg = String::from("error: ");
    let mut chain: Vec<String> = Vec::new();
    for text in err
        .chain()
        .filter(|e| e.downcast_ref::<Problems>().is_none())
        .map(|e| e.to_string())
        .filter(|s| !s.starts_with("the network bundle has"))
    {
        match chain.last_mut() {
            // An error that prints its source as well (`cannot read X: <io error>`): the
            // source once is enough.
            Some(last) if last.ends_with(&text) => {}
            // A context the error below repeats (`cannot write X` over `cannot write X: …`).
            Some(last) if text.starts_with(last.as_str()) => *last = text,
            _ => chain.push(text),
        }
    }
    msg.push_str(&chain.join(": "));
    if let Some(p) = problems {
        msg.push_str(&format!(
            "\nthe network bundle has {} problem(s):\n",
            p.0.len()
        ));
        // On a terminal the first 50; redirected (a file, a log, a script) every one.
        let shown = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            50
        } else {
            usize::MAX
        };
        for pr in p.0.iter().take(shown) {
            msg.push_str(&format!("  - {pr}\n"));
        }
        if p.0.len() > shown {
            msg.push_str(&format!(
                "  … and {} more (redirect the errors to a file to read them all: 2> problems.txt)\n",
                p.0.len() - shown
            ));
        }
    }
    eprintln!("{}", msg.trim_end());
}
