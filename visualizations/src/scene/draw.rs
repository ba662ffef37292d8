//! Drawing a scene as DOT statements: committee and aggregate nodes, clusters wrapped into
//! grids, organisation nodes and edges, and the whole graph with its attributes.

use super::*;

impl<'a> Scene<'a> {
    pub(super) fn committee_node(
        &self,
        c: &CommitteeCoverage,
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
    ) -> Stmt {
        let households = self.lk.households.get(c.id.as_str()).copied().unwrap_or(0);
        let mut label = vec![c.name.clone()];
        let style = if c.party_org {
            "rounded,filled"
        } else {
            "rounded,filled,dashed"
        };
        let mut attrs = vec![a("shape", "box"), a("style", style)];
        let mut tooltip = vec![format!("{}（{}）", c.name, c.id)];
        match self.opts.view {
            View::Hierarchy => {
                label.push(self.org_line(&c.id));
                label.push(format!(
                    "{households} 户 · 报到党员 {}",
                    c.registered_members
                ));
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Partnerships => {
                label.push(format!("报到党员 {}", c.registered_members));
                label.push(format!(
                    "志愿 {} 小时 · 共建单位 {}",
                    fmt_hours(c.volunteer_hours),
                    c.partners_in_reach
                ));
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Gaps => {
                let flags: Vec<&str> = c.blank_spots.iter().map(|f| f.label_zh()).collect();
                if flags.is_empty() {
                    label.push("无空白点".to_string());
                } else {
                    label.push(format!("空白点：{}", flags.join("、")));
                    tooltip.push(format!("空白点：{}", flags.join("、")));
                }
                let share = self.unmet_share(&c.id);
                if let Some(list) = unmet.get(c.id.as_str()) {
                    let amounts = domain_amounts(list.iter().map(|(d, n)| (d, n)));
                    label.push(format!("缺口：{amounts}"));
                    tooltip.push(format!(
                        "未满足需求：{amounts}（占需求 {:.0}%）",
                        share * 100.0
                    ));
                }
                // Unmet demand colours too: a committee with a shortfall is never "no gap".
                let fill = if c.blank_spots.contains(&BlankSpot::NoPartyOrg)
                    || c.blank_spots.len() >= 3
                    || share >= 0.5
                {
                    RED
                } else if c.blank_spots.is_empty() && share == 0.0 {
                    GREEN
                } else {
                    YELLOW
                };
                attrs.push(a("fillcolor", fill));
            }
        }
        if !c.party_org {
            attrs.push(a("color", "#c0392b"));
        }
        attrs.push(a_id("label", lines(&label)));
        attrs.push(a_id("tooltip", lines(&tooltip)));
        node(&c.id, attrs)
    }

    /// A count node for all committees under `id` (a community, street or district).
    /// The node standing for all committees under `id` (pushed to `body`) and its span.
    fn aggregate_leaf(
        &self,
        id: &str,
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
        body: &mut Vec<Stmt>,
    ) -> Span {
        let n = self.aggregate_node(id, &self.committees_under(id), unmet);
        let span = leaf(id, node_size(&n));
        body.push(n);
        span
    }

    pub(super) fn aggregate_node(
        &self,
        id: &str,
        list: &[&CommitteeCoverage],
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
    ) -> Stmt {
        let mut label = vec![self.name(id)];
        let n = list.len();
        let members: u64 = list.iter().map(|c| c.registered_members).sum();
        let hours: f64 = list.iter().map(|c| c.volunteer_hours).sum();
        let mut attrs = vec![a("shape", "box3d"), a("style", "filled")];
        let with_flags = list.iter().filter(|c| !c.blank_spots.is_empty()).count();
        let mut tooltip = vec![format!("{}（{}）", self.name(id), id)];
        match self.opts.view {
            View::Hierarchy => {
                if self.grain == Grain::Community {
                    label.push(self.org_line(id));
                }
                label.push(format!("居委会 {n} 个 · 报到党员 {members}"));
                let no_org = list.iter().filter(|c| !c.party_org).count();
                if no_org > 0 {
                    label.push(format!("未设党组织的居委会 {no_org} 个"));
                }
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Partnerships => {
                label.push(format!("居委会 {n} 个 · 报到党员 {members}"));
                label.push(format!("志愿 {} 小时", fmt_hours(hours)));
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Gaps => {
                label.push(format!("居委会 {n} 个，有空白点 {with_flags} 个"));
                let mut counts: BTreeMap<BlankSpot, usize> = BTreeMap::new();
                for c in list {
                    for f in &c.blank_spots {
                        *counts.entry(*f).or_default() += 1;
                    }
                }
                let parts: Vec<String> = counts
                    .iter()
                    .map(|(f, k)| format!("{} {k}", f.label_zh()))
                    .collect();
                if !parts.is_empty() {
                    label.push(parts.join(" · "));
                    tooltip.push(format!("空白点：{}", parts.join("、")));
                }
                let mut by_domain: BTreeMap<ServiceDomain, f64> = BTreeMap::new();
                for c in list {
                    for (d, u) in unmet.get(c.id.as_str()).into_iter().flatten() {
                        *by_domain.entry(*d).or_default() += u;
                    }
                }
                if !by_domain.is_empty() {
                    label.push(format!("缺口：{}", domain_amounts(&by_domain)));
                }
                let with_gap = list
                    .iter()
                    .filter(|c| !c.blank_spots.is_empty() || self.unmet_share(&c.id) > 0.0)
                    .count();
                let fill = if with_gap == 0 {
                    GREEN
                } else if with_gap * 2 < n {
                    YELLOW
                } else {
                    RED
                };
                attrs.push(a("fillcolor", fill));
            }
        }
        attrs.push(a_id("label", lines(&label)));
        attrs.push(a_id("tooltip", lines(&tooltip)));
        node(id, attrs)
    }

    pub(super) fn cluster(&self, id: &str, level: u8, mut body: Vec<Stmt>) -> Stmt {
        let (fill, color) = match level {
            0 => ("#fbfcfc", "#7f8c8d"),
            1 => ("#fef9e7", "#b7950b"),
            _ => ("#eaf2f8", "#2e86c1"),
        };
        let mut stmts = vec![
            set("label", lines(&self.cluster_label(id, level))),
            set("style", quoted("rounded,filled")),
            set("fillcolor", quoted(fill)),
            set("color", quoted(color)),
            set("labeljust", quoted("l")),
            set("fontsize", quoted(if level == 0 { "16" } else { "13" })),
        ];
        stmts.append(&mut body);
        subgraph(&cluster_id(id), stmts)
    }

    /// The tree as clusters and nodes, at this grain, and its span (top and bottom nodes, size). Siblings (committees
    /// in a community, communities in a street, streets in a district, districts) wrap into a
    /// grid: inside each cluster about as wide as tall, and at the top wide enough that the
    /// whole picture, with `legend` above it, is about [`TOP_ASPECT`].
    pub(super) fn tree_stmts(&self, legend: Size) -> (Vec<Stmt>, Span) {
        let unmet = self.unmet_by_committee();
        let committees = |list: &Vec<&str>| self.committee_nodes(list, &unmet);
        let communities =
            |c: &_| self.cluster_level(c, (Grain::Community, 2), &unmet, legend, committees);
        let streets =
            |s: &_| self.cluster_level(s, (Grain::Street, 1), &unmet, legend, communities);
        // One district drawn without its cluster: its streets are the top level.
        if !self.show_districts
            && self.grain != Grain::District
            && let Some((district, district_streets)) = self.tree.iter().next()
        {
            let (mut out, street_spans) = streets(district_streets);
            let cols = best_cols(&street_spans, TOP_ASPECT, |g| below(legend, g));
            let (stmts, group) = wrap(district, &street_spans, cols);
            out.extend(stmts);
            return (out, group);
        }
        let (mut out, district_spans) =
            self.cluster_level(&self.tree, (Grain::District, 0), &unmet, legend, streets);
        let cols = best_cols(&district_spans, TOP_ASPECT, |g| below(legend, g));
        let (stmts, group) = wrap("root", &district_spans, cols);
        out.extend(stmts);
        (out, group)
    }

    /// The statements and spans of the `children` of one cluster level (districts, streets or
    /// communities): at the drawing's grain each child is one aggregate node; finer, `inside`
    /// draws its contents (statements and spans), wrapped into the child's cluster at `level`.
    fn cluster_level<T>(
        &self,
        children: &BTreeMap<&str, T>,
        (grain, level): (Grain, u8),
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
        legend: Size,
        inside: impl Fn(&T) -> (Vec<Stmt>, Vec<Span>),
    ) -> (Vec<Stmt>, Vec<Span>) {
        let mut body = Vec::new();
        let mut spans = Vec::with_capacity(children.len());
        for (id, child) in children {
            if self.grain == grain {
                spans.push(self.aggregate_leaf(id, unmet, &mut body));
                continue;
            }
            let (stmts, child_spans) = inside(child);
            let (cluster, group) = self.wrap_cluster(id, level, &child_spans, stmts, legend);
            body.push(cluster);
            spans.push(group);
        }
        (body, spans)
    }

    /// The nodes of the committees `list` (those with a coverage row) and their spans.
    fn committee_nodes(
        &self,
        list: &[&str],
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
    ) -> (Vec<Stmt>, Vec<Span>) {
        let mut nodes = Vec::new();
        let mut spans = Vec::new();
        for c in list {
            if let Some(cc) = self.committees.get(c) {
                let n = self.committee_node(cc, unmet);
                spans.push(leaf(c, node_size(&n)));
                nodes.push(n);
            }
        }
        (nodes, spans)
    }

    /// A street, community or district cluster around `body` (its children's statements), the
    /// children wrapped into a grid about as wide as tall. Returns the cluster statement and
    /// its span.
    pub(super) fn wrap_cluster(
        &self,
        id: &str,
        level: u8,
        children: &[Span],
        mut body: Vec<Stmt>,
        legend: Size,
    ) -> (Stmt, Span) {
        let font = if level == 0 { 16.0 } else { 13.0 };
        let label = self.cluster_label(id, level);
        // The scope's own cluster (a street or community) is the whole picture.
        let cols = if id == self.opts.scope {
            best_cols(children, TOP_ASPECT, |g| {
                below(legend, cluster_size(g, &label, font))
            })
        } else {
            best_cols(children, INNER_ASPECT, |g| g)
        };
        let (stmts, mut group) = wrap(id, children, cols);
        body.extend(stmts);
        group.size = cluster_size(group.size, &label, font);
        (self.cluster(id, level, body), group)
    }

    pub(super) fn entity_stmts(&self) -> Vec<Stmt> {
        self.entities
            .iter()
            .map(|(key, e)| {
                let mut attrs = vec![
                    a("shape", e.shape),
                    a("style", "filled"),
                    a("fillcolor", e.fill),
                ];
                for (k, v) in &e.extra {
                    attrs.retain(|x| x.0 != id!(k));
                    attrs.push(a(k, v));
                }
                attrs.push(a_id("label", lines(&e.label)));
                node(key, attrs)
            })
            .collect()
    }

    /// The drawn edges; when `crowded`, their labels are `xlabel`s, placed after the layout
    /// instead of taking room in it.
    pub(super) fn edge_stmts(&self, crowded: bool) -> Vec<Stmt> {
        self.edges
            .iter()
            .map(|((kind, from, to), acc)| {
                let mut attrs = vec![
                    a("color", kind.color()),
                    a("fontcolor", kind.color()),
                    a("style", kind.style()),
                    a("penwidth", kind.penwidth()),
                ];
                if let Some(c) = &from.cluster {
                    attrs.push(a("ltail", c));
                }
                if let Some(c) = &to.cluster {
                    attrs.push(a("lhead", c));
                }
                let mut label = Vec::new();
                match kind {
                    EdgeKind::InService => {
                        if acc.registered > 0 {
                            label.push(format!("报到 {} 人", acc.registered));
                        }
                        if !acc.volunteers.is_empty() {
                            label.push(format!(
                                "志愿 {} 人 · {} 小时",
                                acc.volunteers.len(),
                                fmt_hours(acc.hours)
                            ));
                        }
                    }
                    EdgeKind::Partnership | EdgeKind::SolePartner if acc.count > 1 => {
                        label.push(format!("{} ×{}", short_kind(*kind), acc.count));
                    }
                    EdgeKind::MassLink | EdgeKind::Resource => {
                        let d: Vec<&str> = acc.details.iter().map(String::as_str).collect();
                        let mut s = d.join("、");
                        if acc.count > 1 {
                            s = format!("{s} ×{}", acc.count);
                        }
                        label.push(s);
                    }
                    _ => {}
                }
                if !label.is_empty() {
                    let key = if crowded { "xlabel" } else { "label" };
                    attrs.push(a_id(key, lines(&label)));
                }
                attrs.push(a("tooltip", kind.zh()));
                edge(&from.node, &to.node, attrs)
            })
            .collect()
    }

    pub(super) fn draw(&mut self) -> Diagram {
        match self.opts.view {
            View::Hierarchy => {}
            View::Partnerships => self.collect_partnerships(),
            View::Gaps => self.collect_sole_partners(),
        }
        let title = self.title();
        let font = self.opts.font.as_str();
        let crowded = self.edges.len() > CROWDED_EDGES;
        let nodesep = match self.edges.len() {
            n if n > VERY_CROWDED_EDGES => "0.1",
            n if n > CROWDED_EDGES => "0.15",
            _ => "0.3",
        };
        let mut stmts = vec![
            defaults(
                "graph",
                vec![
                    a("fontname", font),
                    a("label", &title),
                    a("labelloc", "t"),
                    a("fontsize", "20"),
                    a("compound", "true"),
                    a("rankdir", "TB"),
                    a("nodesep", nodesep),
                    a("newrank", "true"),
                    a("ranksep", "0.6"),
                    a("charset", "UTF-8"),
                ],
            ),
            defaults(
                "node",
                vec![
                    a("fontname", font),
                    a("fontsize", "11"),
                    a("margin", "0.1,0.05"),
                ],
            ),
            defaults("edge", vec![a("fontname", font), a("fontsize", "9")]),
        ];
        let (legend, legend_size) = self.legend();
        stmts.push(legend);
        if self.tree.is_empty() {
            stmts.push(node(
                "__empty",
                vec![a("shape", "note"), a("label", "该范围内没有居委会")],
            ));
        }
        let (tree, tree_span) = self.tree_stmts(legend_size);
        stmts.extend(tree);
        // Organisations wrap into rows above the tree instead of one very wide rank, as many to
        // a row as keeps the whole picture (legend, organisations, tree) about TOP_ASPECT.
        let entities = self.entity_stmts();
        let spans: Vec<Span> = self
            .entities
            .keys()
            .zip(&entities)
            .map(|(k, n)| leaf(k, node_size(n)))
            .collect();
        let tree_size = tree_span.size;
        let cols = best_cols(&spans, TOP_ASPECT, |g| {
            let both = Size {
                w: g.w.max(tree_size.w),
                h: g.h + 2.0 * RANKSEP + tree_size.h,
            };
            below(legend_size, both)
        });
        stmts.extend(entities);
        let (orgs, orgs_span) = wrap("orgs", &spans, cols);
        stmts.extend(orgs);
        // The organisations above the tree, not between its clusters.
        if !orgs_span.bottoms.is_empty() && !tree_span.tops.is_empty() {
            let (joins, _) = wrap("orgs_tree", &[orgs_span.clone(), tree_span.clone()], 1);
            stmts.extend(joins);
        }
        // The legend on a rank of its own above everything: next to the first row it would
        // make that rank as tall as the legend.
        for top in tree_span.tops.iter().chain(&orgs_span.tops) {
            stmts.push(edge("__legend", top, vec![a("style", "invis")]));
        }
        if self.opts.view == View::Gaps {
            stmts.extend(self.gaps_tables());
        }
        let edge_stmts = self.edge_stmts(crowded);
        let edges = edge_stmts.len();
        stmts.extend(edge_stmts);
        let nodes = count_nodes(&stmts);
        if nodes + edges > LARGE_GRAPH_ELEMENTS {
            stmts.insert(1, set("dpi", quoted("72")));
        }
        let graph = Graph::DiGraph {
            id: quoted(&format!("dangjian_{}", self.opts.view.as_str())),
            strict: false,
            stmts,
        };
        let mut dot = graph.print(&mut PrinterContext::default());
        dot.push('\n');
        Diagram {
            dot,
            aggregated: self.aggregated(),
            committees_aggregated: self.committees_aggregated(),
            nodes,
            edges,
            title,
        }
    }
}

pub(super) fn cluster_id(id: &str) -> String {
    format!("cluster_{id}")
}
