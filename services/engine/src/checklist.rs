//! Responsibility checklists (责任清单, SPEC §3): per party org, the items that follow from the
//! facts — explicit rows, active partnerships, blank spots, unmet needs and the supervision of
//! everything below. The files (CSV, XLSX) are written by `dangjian-export`.
//!
//! Choices the SPEC leaves open, made here:
//! - **Derived items have no due date.** `blank_spot`, `unmet_need` and their `supervision`
//!   copies are open until the fact changes (then they drop out of the list); with no due date
//!   their `rag` is `green`. Partnership items are due on the agreement's expiry.
//! - **Unmet needs come from the city's fair allocation** (SPEC §3 v2): a need is unmet when
//!   more than 0.005 of it is left, and its numbers are those every other scope and interface
//!   shows, so a residents' committee's own list and its superiors' supervision items agree.
//! - **Stable order and ids.** Items are ordered by org (pre-order over `parent`, children in
//!   bundle order), then kind (explicit, partnership, blank_spot, unmet_need, supervision), then
//!   id. Ids are `{org}:{kind}:{facts joined by ':'}` (a blank spot adds its flag); a
//!   supervision id is `{org}:supervision:{id of the supervised item}`.

use crate::ids::Ent;
use crate::{Engine, EngineError};
use dangjian_model::{
    BlankSpot, ChecklistDoc, ChecklistItem, Date, Id, ItemKind, ItemStatus, Partnership, PartyOrg,
    Rag, Responsibility, ServiceDomain, format_amount, round2,
};
use std::collections::{HashMap, HashSet};

/// Days ahead within which an open item is `amber`.
pub const AMBER_DAYS: i64 = 30;

/// The `rag` of an item: red when open and overdue, amber when open and due within
/// [`AMBER_DAYS`] days (inclusive), green for any other open item, none when done.
pub fn rag_for(status: ItemStatus, due: Option<Date>, as_of: Date) -> Rag {
    match (status, due) {
        (ItemStatus::Done, _) => Rag::None,
        (ItemStatus::Open, None) => Rag::Green,
        (ItemStatus::Open, Some(d)) if d < as_of => Rag::Red,
        (ItemStatus::Open, Some(d)) if (d - as_of).num_days() <= AMBER_DAYS => Rag::Amber,
        (ItemStatus::Open, Some(_)) => Rag::Green,
    }
}

fn kind_rank(kind: ItemKind) -> u8 {
    match kind {
        ItemKind::Explicit => 0,
        ItemKind::Partnership => 1,
        ItemKind::BlankSpot => 2,
        ItemKind::UnmetNeed => 3,
        ItemKind::Supervision => 4,
    }
}

/// Name and hierarchy lookups through the engine's id index (built once by `Engine::new`).
struct Places<'a> {
    engine: &'a Engine,
}

impl<'a> Places<'a> {
    fn new(engine: &'a Engine) -> Self {
        Places { engine }
    }

    /// The name of a place, unit or org; the id itself when it names nothing.
    fn name<'s>(&self, id: &'s str) -> &'s str
    where
        'a: 's,
    {
        let b = self.engine.bundle();
        let i = |i: &u32| *i as usize;
        match self.engine.index.ids.get(id) {
            Some(Ent::District(d)) => &b.districts[i(d)].name,
            Some(Ent::Street(s)) => &b.streets[i(s)].name,
            Some(Ent::Community(c)) => &b.communities[i(c)].name,
            Some(Ent::Committee(k)) => &b.committees[i(k)].name,
            Some(Ent::Unit(u)) => &b.units[i(u)].name,
            Some(Ent::PartyOrg(o)) => &b.party_orgs[i(o)].name,
            _ => id,
        }
    }

    fn committee_index(&self, id: &str) -> Option<u32> {
        match self.engine.index.ids.get(id) {
            Some(Ent::Committee(k)) => Some(*k),
            _ => None,
        }
    }

    /// The smallest street, district or `city` containing all the committees.
    fn matching_scope(&self, committees: &[u32]) -> String {
        let ix = &self.engine.index;
        let b = self.engine.bundle();
        let streets: HashSet<u32> = committees
            .iter()
            .map(|&k| ix.committee_street[k as usize])
            .collect();
        if let (1, Some(&s)) = (streets.len(), streets.iter().next()) {
            return b.streets[s as usize].id.as_str().to_owned();
        }
        let districts: HashSet<u32> = streets
            .iter()
            .map(|&s| ix.street_district[s as usize])
            .collect();
        match (districts.len(), districts.iter().next()) {
            (1, Some(&d)) => b.districts[d as usize].id.as_str().to_owned(),
            _ => "city".to_owned(),
        }
    }
}

/// Explicit rows by party org and active partnerships by the unit or target they name, for
/// the orgs of one checklist call.
struct Rows<'a> {
    responsibilities: HashMap<&'a str, Vec<&'a Responsibility>>,
    partnerships: HashMap<&'a str, Vec<&'a Partnership>>,
}

impl<'a> Rows<'a> {
    fn new(engine: &'a Engine, orgs: &[&'a PartyOrg], as_of: Date) -> Self {
        let b = engine.bundle();
        let ix = &engine.index;
        let org_ids: HashSet<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        let mut responsibilities: HashMap<&str, Vec<&Responsibility>> = HashMap::new();
        for r in &b.responsibilities {
            if let Some(&o) = org_ids.get(r.party_org.as_str()) {
                responsibilities.entry(o).or_default().push(r);
            }
        }
        let mut partnerships: HashMap<&str, Vec<&Partnership>> = HashMap::new();
        let mut led_units: HashMap<u32, &str> = HashMap::new();
        for o in orgs {
            let lead = o.leads.as_str();
            let at = match ix.ids.get(lead) {
                Some(Ent::Street(s)) => ix.pships_at.street.get(*s),
                Some(Ent::Community(c)) => ix.pships_at.community.get(*c),
                Some(Ent::Committee(k)) => ix.pships_at.committee.get(*k),
                Some(Ent::Unit(u)) => {
                    led_units.insert(*u, lead);
                    continue;
                }
                _ => continue,
            };
            let list: Vec<&Partnership> = at
                .iter()
                .map(|&p| &b.partnerships[p as usize])
                .filter(|p| p.is_active(as_of))
                .collect();
            partnerships.insert(lead, list);
        }
        if !led_units.is_empty() {
            for (i, p) in ix.partnerships.iter().enumerate() {
                if let Some(&lead) = led_units.get(&p.unit)
                    && p.is_active(as_of)
                {
                    partnerships
                        .entry(lead)
                        .or_default()
                        .push(&b.partnerships[i]);
                }
            }
        }
        Rows {
            responsibilities,
            partnerships,
        }
    }
}

/// The derived facts (blank spots and unmet needs) of the committees a checklist reports on.
#[derive(Default)]
struct CommitteeFacts {
    blank_spots: HashMap<Id, Vec<BlankSpot>>,
    /// committee → [(need, domain label, unmet, demand)]
    unmet: HashMap<Id, Vec<(Id, &'static str, f64, u64)>>,
}

impl Engine {
    /// The responsibility checklist (责任清单) of a party org as of a date (SPEC §3): its
    /// explicit rows, active partnerships, blank spots and unmet needs of the committee it
    /// leads, and supervision items for those of every org below it. With `subtree`, the items
    /// of every org below it follow, in org pre-order.
    pub fn checklist(
        &self,
        party_org: &str,
        subtree: bool,
        as_of: Date,
    ) -> Result<ChecklistDoc, EngineError> {
        let b = self.bundle();
        let root = match self.index.ids.get(party_org) {
            Some(Ent::PartyOrg(i)) => &b.party_orgs[*i as usize],
            _ => return Err(EngineError::UnknownPartyOrg(party_org.to_owned())),
        };
        let mut children: HashMap<&str, Vec<&PartyOrg>> = HashMap::new();
        for o in &b.party_orgs {
            if let Some(p) = &o.parent {
                children.entry(p.as_str()).or_default().push(o);
            }
        }
        // Pre-order of the subtree below (and including) the root; guarded against cycles.
        let mut order: Vec<&PartyOrg> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = vec![root];
        while let Some(o) = stack.pop() {
            if !seen.insert(o.id.as_str()) {
                continue;
            }
            order.push(o);
            if let Some(cs) = children.get(o.id.as_str()) {
                stack.extend(cs.iter().rev());
            }
        }
        let places = Places::new(self);
        let rows = Rows::new(self, &order, as_of);

        // Committees led by the subtree: their facts feed both own and supervision items.
        let mut led: Vec<u32> = order
            .iter()
            .filter_map(|o| places.committee_index(&o.leads))
            .collect();
        led.sort_unstable();
        led.dedup();
        let facts = self.committee_facts(&places, &led, as_of)?;

        // Own items of every org in the subtree (needed for supervision even without `subtree`).
        let mut own: HashMap<&str, Vec<ChecklistItem>> = HashMap::new();
        for o in &order {
            own.insert(o.id.as_str(), own_items(o, &places, &rows, &facts, as_of));
        }

        let mut items = Vec::new();
        let emitted = if subtree { order.len() } else { 1 };
        // In pre-order, an org's descendants are the run right after it with greater depth.
        let depth_of = depths(&order);
        for (i, o) in order.iter().enumerate().take(emitted) {
            let mut mine = own.get(o.id.as_str()).cloned().unwrap_or_default();
            let d0 = depth_of[i];
            for (j, below) in order.iter().enumerate().skip(i + 1) {
                if depth_of[j] <= d0 {
                    break;
                }
                for it in own.get(below.id.as_str()).into_iter().flatten() {
                    if matches!(it.kind, ItemKind::BlankSpot | ItemKind::UnmetNeed) {
                        mine.push(ChecklistItem {
                            id: format!("{}:supervision:{}", o.id, it.id),
                            party_org: o.id.clone(),
                            first_responsible: o.secretary.clone(),
                            kind: ItemKind::Supervision,
                            item: format!("督促{}：{}", below.name, it.item),
                            facts: it.facts.clone(),
                            due: it.due,
                            status: it.status,
                            rag: it.rag,
                        });
                    }
                }
            }
            mine.sort_by(|a, b| {
                kind_rank(a.kind)
                    .cmp(&kind_rank(b.kind))
                    .then_with(|| a.id.cmp(&b.id))
            });
            items.extend(mine);
        }
        Ok(ChecklistDoc {
            as_of,
            party_org: root.id.clone(),
            items,
        })
    }

    fn committee_facts(
        &self,
        places: &Places<'_>,
        led: &[u32],
        as_of: Date,
    ) -> Result<CommitteeFacts, EngineError> {
        let b = self.bundle();
        let mut facts = CommitteeFacts::default();
        if led.is_empty() {
            return Ok(facts);
        }
        let scope = places.matching_scope(led);
        let wanted: HashSet<&str> = led
            .iter()
            .map(|&k| b.committees[k as usize].id.as_str())
            .collect();
        let coverage = self.coverage(&scope, as_of)?;
        for c in coverage.committees {
            if wanted.contains(c.id.as_str()) && !c.blank_spots.is_empty() {
                facts.blank_spots.insert(c.id, c.blank_spots);
            }
        }
        let alloc = self.city_allocation(as_of);
        let ix = &self.index;
        for &k in led {
            for &n in ix.needs_by_committee.get(k) {
                let rec = &ix.needs[n as usize];
                let met = alloc.need_met[n as usize];
                if rec.demand as f64 - met > crate::gaps::UNMET_EPSILON {
                    facts
                        .unmet
                        .entry(b.committees[k as usize].id.clone())
                        .or_default()
                        .push((
                            b.needs[n as usize].id.clone(),
                            ServiceDomain::ALL[rec.domain].label_zh(),
                            round2(rec.demand as f64 - round2(met)),
                            rec.demand,
                        ));
                }
            }
        }
        Ok(facts)
    }
}

/// The explicit, partnership, blank-spot and unmet-need items of one org (no supervision).
fn own_items(
    org: &PartyOrg,
    places: &Places<'_>,
    rows: &Rows<'_>,
    facts: &CommitteeFacts,
    as_of: Date,
) -> Vec<ChecklistItem> {
    let mut out = Vec::new();
    let mut push = |id: String, kind, item: String, facts: Vec<Id>, due, status| {
        out.push(ChecklistItem {
            id,
            party_org: org.id.clone(),
            first_responsible: org.secretary.clone(),
            kind,
            item,
            facts,
            due,
            status,
            rag: rag_for(status, due, as_of),
        });
    };
    let none = Vec::new();
    for r in rows.responsibilities.get(org.id.as_str()).unwrap_or(&none) {
        push(
            format!("{}:explicit:{}", org.id, r.id),
            ItemKind::Explicit,
            r.item.clone(),
            vec![r.id.clone()],
            r.due,
            r.status,
        );
    }
    for p in rows
        .partnerships
        .get(org.leads.as_str())
        .into_iter()
        .flatten()
    {
        let text = match p.expires {
            Some(e) => format!(
                "落实共建协议：{}与{}（{}到期，届时评估续签）",
                places.name(&p.unit),
                places.name(&p.target),
                e
            ),
            None => format!(
                "落实共建协议：{}与{}（长期有效）",
                places.name(&p.unit),
                places.name(&p.target)
            ),
        };
        push(
            format!("{}:partnership:{}:{}:{}", org.id, p.id, p.unit, p.target),
            ItemKind::Partnership,
            text,
            vec![p.id.clone(), p.unit.clone(), p.target.clone()],
            p.expires,
            ItemStatus::Open,
        );
    }
    let committee = org.leads.as_str();
    for flag in facts.blank_spots.get(committee).into_iter().flatten() {
        push(
            format!("{}:blank_spot:{}:{}", org.id, committee, flag.as_str()),
            ItemKind::BlankSpot,
            format!(
                "{}：{}（{}）",
                places.name(committee),
                flag.label_zh(),
                flag.as_str()
            ),
            vec![committee.into()],
            None,
            ItemStatus::Open,
        );
    }
    for (need, domain, unmet, demand) in facts.unmet.get(committee).into_iter().flatten() {
        push(
            format!("{}:unmet_need:{}:{}", org.id, need, committee),
            ItemKind::UnmetNeed,
            format!(
                "{}：{}需求未满足 {}/{}（{}）",
                places.name(committee),
                domain,
                format_amount(*unmet),
                demand,
                need
            ),
            vec![need.clone(), committee.into()],
            None,
            ItemStatus::Open,
        );
    }
    out
}

/// Depth of each org of a pre-order below its first element (0), following `parent`.
fn depths(order: &[&PartyOrg]) -> Vec<usize> {
    let mut depth: HashMap<&str, usize> = HashMap::with_capacity(order.len());
    order
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let d = if i == 0 {
                0
            } else {
                o.parent
                    .as_deref()
                    .and_then(|p| depth.get(p))
                    .map_or(1, |d| d + 1)
            };
            depth.insert(o.id.as_str(), d);
            d
        })
        .collect()
}
