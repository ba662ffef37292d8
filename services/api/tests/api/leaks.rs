//! The leak matrix (SPEC §6 "Rules (v2)"): every GET route of the served OpenAPI document ×
//! role (admin, coordinator of one street, unscoped viewer, coordinator of the district that
//! holds that street, viewer scoped to the street) × format (json, csv, xlsx, dot, svg where
//! the route has them), with in-view, out-of-view and non-existent ids filled into its path and
//! query parameters. No response of a scoped token (coordinator or viewer) may hold an id or
//! name of what lies outside its street or district, nor answer a request naming such an id
//! but 403; no response of a viewer may hold a full person name or a birth year. The routes
//! and their parameters come from the OpenAPI document, so a route added later is covered
//! without editing this file; a parameter this file cannot fill fails the test.
//!
//! What is "outside" a scope is computed here from the bundle, independently of the service:
//! the other districts, streets, communities and committees; members registered anywhere else
//! (or nowhere); party orgs leading anything outside; needs outside; units of other streets
//! with no partnership into the scope. Names are checked only where they cannot be mistaken
//! for other text (a name that is also part of a visible entity's name is left out, and said
//! so).

use crate::helpers::*;
use dangjian_api::ServeConfig;
use dangjian_model::{Bundle, Id, TokenRole};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

pub(crate) const MINE: &str = "S-JLT";
pub(crate) const OTHER: &str = "S-SJ";
pub(crate) const NOWHERE: &str = "ZZ-NOWHERE";
pub(crate) const AS_OF: &str = "2025-06-30";

/// Where everything is, from the bundle alone, and what lies inside one token scope (a street
/// or a district).
pub(crate) struct Truth {
    pub(crate) bundle: Bundle,
    street_of: HashMap<Id, Id>,
    /// The scope: a street or a district of the bundle.
    pub(crate) scope: Id,
    /// The streets of the scope: itself, or every street of the district.
    pub(crate) streets: HashSet<Id>,
    /// The district of the scope: the one above the street, or the district itself.
    pub(crate) district: Id,
}

impl Truth {
    pub(crate) fn new(bundle: Bundle, scope: &str) -> Truth {
        let mut street_of: HashMap<Id, Id> = HashMap::new();
        for s in &bundle.streets {
            street_of.insert(s.id.clone(), s.id.clone());
        }
        for c in &bundle.communities {
            street_of.insert(c.id.clone(), c.street.clone());
        }
        for k in &bundle.committees {
            let s = street_of[&k.community].clone();
            street_of.insert(k.id.clone(), s);
        }
        for u in &bundle.units {
            street_of.insert(u.id.clone(), u.street.clone());
        }
        for o in &bundle.party_orgs {
            if let Some(s) = street_of.get(&o.leads).cloned() {
                street_of.insert(o.id.clone(), s);
            }
        }
        for m in &bundle.members {
            if let Some(s) = m
                .registered_at
                .as_ref()
                .and_then(|k| street_of.get(k))
                .cloned()
            {
                street_of.insert(m.id.clone(), s);
            }
        }
        for n in &bundle.needs {
            let s = street_of[&n.committee].clone();
            street_of.insert(n.id.clone(), s);
        }
        for o in &bundle.social_orgs {
            street_of.insert(o.id.clone(), o.street.clone());
        }
        for p in &bundle.partnerships {
            if let Some(s) = street_of.get(&p.target).cloned() {
                street_of.insert(p.id.clone(), s);
            }
        }
        for r in &bundle.resources {
            if let Some(s) = street_of.get(&r.provider).cloned() {
                street_of.insert(r.id.clone(), s);
            }
        }
        for r in &bundle.responsibilities {
            if let Some(s) = street_of.get(&r.party_org).cloned() {
                street_of.insert(r.id.clone(), s);
            }
        }
        let (streets, district): (HashSet<Id>, Id) =
            if let Some(s) = bundle.streets.iter().find(|s| s.id == scope) {
                ([s.id.clone()].into(), s.district.clone())
            } else if let Some(d) = bundle.districts.iter().find(|d| d.id == scope) {
                let streets = bundle
                    .streets
                    .iter()
                    .filter(|s| s.district == d.id)
                    .map(|s| s.id.clone())
                    .collect();
                (streets, d.id.clone())
            } else {
                panic!("{scope} is no street or district of the bundle")
            };
        assert!(!streets.is_empty(), "{scope} holds no street");
        Truth {
            bundle,
            street_of,
            scope: scope.into(),
            streets,
            district,
        }
    }

    /// Whether the scope itself is a district.
    fn is_district(&self) -> bool {
        self.scope == self.district
    }

    pub(crate) fn inside(&self, id: &str) -> bool {
        id == self.scope.as_str()
            || self
                .street_of
                .get(id)
                .is_some_and(|s| self.streets.contains(s))
    }

    /// (in view, out of view) streets: the first of the scope and the first outside it, in
    /// the bundle's order.
    fn street_ids(&self) -> (Id, Id) {
        let b = &self.bundle;
        let first = |inside: bool| {
            b.streets
                .iter()
                .find(|s| self.streets.contains(&s.id) == inside)
                .map(|s| s.id.clone())
                .expect("a street")
        };
        (first(true), first(false))
    }

    /// Scopes of the diagrams to draw: the scope's first street (and the district itself when
    /// the scope is one), a street outside, and one that does not exist.
    fn diagram_scopes(&self) -> Vec<(String, Kind)> {
        let (inside, outside) = self.street_ids();
        let mut out = vec![
            (inside.to_string(), Kind::In),
            (outside.to_string(), Kind::Out),
            (NOWHERE.to_string(), Kind::Nowhere),
        ];
        if self.is_district() {
            out.push((self.district.to_string(), Kind::In));
        }
        out
    }

    /// Units partnering (at any date) a street, community or committee of the scope.
    fn partnering_inside(&self) -> HashSet<&str> {
        self.bundle
            .partnerships
            .iter()
            .filter(|p| self.inside(&p.target))
            .map(|p| p.unit.as_str())
            .collect()
    }

    /// Ids a token of the scope must never read.
    pub(crate) fn outside_ids(&self) -> Vec<Id> {
        let b = &self.bundle;
        let partners = self.partnering_inside();
        let mut out: Vec<Id> = Vec::new();
        out.extend(
            b.districts
                .iter()
                .filter(|d| d.id != self.district)
                .map(|d| d.id.clone()),
        );
        out.extend(
            b.streets
                .iter()
                .filter(|s| !self.streets.contains(&s.id))
                .map(|s| s.id.clone()),
        );
        out.extend(
            b.communities
                .iter()
                .filter(|c| !self.inside(&c.id))
                .map(|c| c.id.clone()),
        );
        out.extend(
            b.committees
                .iter()
                .filter(|c| !self.inside(&c.id))
                .map(|c| c.id.clone()),
        );
        out.extend(
            b.members
                .iter()
                .filter(|m| !self.inside(&m.id))
                .map(|m| m.id.clone()),
        );
        out.extend(
            b.party_orgs
                .iter()
                .filter(|o| self.street_of.contains_key(&o.id) && !self.inside(&o.id))
                .map(|o| o.id.clone()),
        );
        out.extend(
            b.needs
                .iter()
                .filter(|n| !self.inside(&n.id))
                .map(|n| n.id.clone()),
        );
        out.extend(
            b.units
                .iter()
                .filter(|u| !self.inside(&u.id) && !partners.contains(u.id.as_str()))
                .map(|u| u.id.clone()),
        );
        out
    }

    /// Text of everything a token of the scope may see named: where a secret name is a
    /// substring of it, the name cannot be told apart and is not checked.
    fn visible_text(&self) -> String {
        let b = &self.bundle;
        let partners = self.partnering_inside();
        let mut t = String::new();
        for s in b.streets.iter().filter(|s| self.streets.contains(&s.id)) {
            t.push_str(&s.name);
        }
        for d in &b.districts {
            t.push_str(&d.name);
        }
        for c in b.communities.iter().filter(|c| self.inside(&c.id)) {
            t.push_str(&c.name);
        }
        for c in b.committees.iter().filter(|c| self.inside(&c.id)) {
            t.push_str(&c.name);
        }
        for u in &b.units {
            if self.inside(&u.id) || partners.contains(u.id.as_str()) {
                t.push_str(&u.name);
                t.push_str(&u.industry);
            }
        }
        for o in b.party_orgs.iter().filter(|o| self.inside(&o.id)) {
            t.push_str(&o.name);
            t.push_str(&o.secretary);
        }
        for m in b.members.iter().filter(|m| self.inside(&m.id)) {
            t.push_str(&m.name);
        }
        for m in &b.mass_orgs {
            t.push_str(&m.name);
        }
        for s in &b.social_orgs {
            t.push_str(&s.name);
        }
        for r in &b.resources {
            t.push_str(&r.name);
        }
        for r in &b.responsibilities {
            t.push_str(&r.item);
        }
        t
    }

    /// Names a token of the scope must never read: communities and committees outside,
    /// members registered outside, secretaries of orgs outside.
    pub(crate) fn outside_names(&self) -> Vec<String> {
        let b = &self.bundle;
        let visible = self.visible_text();
        let mut names: Vec<String> = Vec::new();
        names.extend(
            b.communities
                .iter()
                .filter(|c| !self.inside(&c.id))
                .map(|c| c.name.clone()),
        );
        names.extend(
            b.committees
                .iter()
                .filter(|c| !self.inside(&c.id))
                .map(|c| c.name.clone()),
        );
        names.extend(
            b.members
                .iter()
                .filter(|m| !self.inside(&m.id))
                .map(|m| m.name.clone()),
        );
        names.extend(
            b.party_orgs
                .iter()
                .filter(|o| self.street_of.contains_key(&o.id) && !self.inside(&o.id))
                .map(|o| o.secretary.clone()),
        );
        names.retain(|n| n.chars().count() >= 2 && !visible.contains(n.as_str()));
        names.sort();
        names.dedup();
        names
    }

    /// Every full person name (members and secretaries) that is not also part of another
    /// text of the network.
    pub(crate) fn person_names(&self) -> Vec<String> {
        let b = &self.bundle;
        let mut other = String::new();
        for x in b.streets.iter().map(|x| &x.name) {
            other.push_str(x);
        }
        for x in b.communities.iter().map(|x| &x.name) {
            other.push_str(x);
        }
        for x in b.committees.iter().map(|x| &x.name) {
            other.push_str(x);
        }
        for x in b.units.iter().map(|x| &x.name) {
            other.push_str(x);
        }
        for x in b.party_orgs.iter().map(|x| &x.name) {
            other.push_str(x);
        }
        for x in b.responsibilities.iter().map(|x| &x.item) {
            other.push_str(x);
        }
        let mut names: Vec<String> = b
            .members
            .iter()
            .map(|m| m.name.clone())
            .chain(b.party_orgs.iter().map(|o| o.secretary.clone()))
            .filter(|n| n.chars().count() >= 2 && !other.contains(n.as_str()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// (in view, out of view) ids for a parameter that names an entity, by what it names.
    pub(crate) fn ids_for(&self, what: &str) -> Option<(String, Option<String>)> {
        let b = &self.bundle;
        let pick = |ids: Vec<&Id>| -> (String, Option<String>) {
            let inside = ids.iter().find(|i| self.inside(i)).map(|s| s.to_string());
            let outside = ids.iter().find(|i| !self.inside(i)).map(|s| s.to_string());
            (inside.expect("an id in view"), outside)
        };
        let partners = self.partnering_inside();
        Some(match what {
            "street" => {
                let (inside, outside) = self.street_ids();
                (inside.to_string(), Some(outside.to_string()))
            }
            "district" => {
                let other = b
                    .districts
                    .iter()
                    .find(|d| d.id != self.district)
                    .map(|d| d.id.to_string());
                (self.district.to_string(), other)
            }
            "community" => pick(b.communities.iter().map(|x| &x.id).collect()),
            "committee" => pick(b.committees.iter().map(|x| &x.id).collect()),
            "party_org" => pick(
                b.party_orgs
                    .iter()
                    .filter(|o| self.street_of.contains_key(&o.id))
                    .map(|x| &x.id)
                    .collect(),
            ),
            "unit" => pick(
                b.units
                    .iter()
                    .filter(|u| self.inside(&u.id) || !partners.contains(u.id.as_str()))
                    .map(|x| &x.id)
                    .collect(),
            ),
            "member" => pick(b.members.iter().map(|x| &x.id).collect()),
            "need" => pick(b.needs.iter().map(|x| &x.id).collect()),
            "partnership" => pick(b.partnerships.iter().map(|x| &x.id).collect()),
            "responsibility" => pick(b.responsibilities.iter().map(|x| &x.id).collect()),
            // Resources placed by their provider; an outside one deployed nowhere (one that
            // reaches inside may be shown where it touches the subtree).
            "resource" => pick(
                b.resources
                    .iter()
                    .filter(|r| self.street_of.contains_key(&r.id))
                    .filter(|r| {
                        self.inside(&r.id)
                            || (r.deployed_to.as_ref().is_none_or(|d| d.is_empty())
                                && !partners.contains(r.provider.as_str()))
                    })
                    .map(|x| &x.id)
                    .collect(),
            ),
            "mass_org" => (b.mass_orgs[0].id.to_string(), None),
            _ => return None,
        })
    }
}

/// What a query or path parameter names, by its name (and, for a path `id`, by the path).
pub(crate) fn names_entity(path: &str, param: &str) -> Option<&'static str> {
    Some(match param {
        "scope" | "street" | "leads" | "target" => "street",
        "district" => "district",
        "community" => "community",
        "committee" => "committee",
        "parent" | "party_org" => "party_org",
        "unit" | "provider" | "employer" => "unit",
        "member" => "member",
        "mass_org" => "mass_org",
        "id" if path.contains("/party-orgs/") => "party_org",
        "id" if path.contains("/committees/") => "committee",
        "id" if path.contains("/needs/") => "need",
        "id" if path.contains("/members/") => "member",
        "id" if path.contains("/partnerships/") => "partnership",
        "id" if path.contains("/resources/") => "resource",
        "id" if path.contains("/responsibilities/") => "responsibility",
        "id" if path.ends_with("/changes") => "need",
        _ => return None,
    })
}

/// Values of a parameter that does not name an entity (`None`: absent).
fn plain_values(param: &str) -> Option<Vec<Option<&'static str>>> {
    Some(match param {
        "as_of" => vec![Some(AS_OF)],
        "active_on" => vec![None, Some(AS_OF)],
        "limit" => vec![Some("1000")],
        "offset" => vec![None],
        "format" => vec![None, Some("json"), Some("csv"), Some("xlsx")],
        "view" => vec![None, Some("partnerships"), Some("gaps")],
        "subtree" => vec![None, Some("true")],
        "domain" => vec![None, Some("elderly_care")],
        "category" => vec![None, Some("enterprise")],
        "type" => vec![None, Some("union")],
        "status" => vec![None, Some("open")],
        "lang" => vec![None, Some("en")],
        "since" => vec![None, Some("0")],
        "table" => vec![None, Some("needs")],
        "kinds" => vec![None, Some("member"), Some("partnership,resource")],
        "group" => vec![None, Some("unit")],
        "aggregate" | "positions" => vec![None, Some("false")],
        "from" => vec![None, Some("2025-01-01")],
        "to" => vec![None, Some(AS_OF)],
        "step" => vec![None, Some("month")],
        _ => return None,
    })
}

/// Whether a value is in view, out of view or names nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    In,
    Out,
    Nowhere,
}

/// A parameter of a route: name, where it goes (`path` or `query`), whether required.
type Param = (String, String, bool);

/// An entity-naming parameter: name, location, required, (in-view id, out-of-view id).
type EntityParam = (String, String, bool, (String, Option<String>));

/// One request of the matrix.
#[derive(Debug, Clone)]
struct Case {
    url: String,
    /// The worst kind of id it carries.
    kind: Kind,
}

/// Every request for one route: the plain parameters' values crossed, and each
/// entity-naming parameter varied alone over in-view, out-of-view and non-existent ids (the
/// required ones in view otherwise).
fn cases(truth: &Truth, path: &str, params: &[Param]) -> Vec<Case> {
    let mut plain: Vec<(String, Vec<Option<&str>>)> = Vec::new();
    let mut entity: Vec<EntityParam> = Vec::new();
    for (name, loc, required) in params {
        if name == "file" && loc == "path" {
            continue;
        }
        if let Some(what) = names_entity(path, name) {
            let ids = truth
                .ids_for(what)
                .unwrap_or_else(|| panic!("no ids for `{what}`"));
            entity.push((name.clone(), loc.clone(), *required, ids));
        } else if let Some(values) = plain_values(name) {
            plain.push((name.clone(), values));
        } else {
            panic!(
                "the leak matrix cannot fill parameter `{name}` ({loc}) of GET {path}: teach \
                 names_entity or plain_values about it"
            );
        }
    }
    let has_file = params.iter().any(|(n, l, _)| n == "file" && l == "path");
    // Each entity parameter varied alone; `None` = all at their defaults.
    let mut variants: Vec<(BTreeMap<String, String>, Kind)> = Vec::new();
    let defaults: BTreeMap<String, String> = entity
        .iter()
        .filter(|(_, _, required, _)| *required)
        .map(|(n, _, _, (inside, _))| (n.clone(), inside.clone()))
        .collect();
    variants.push((defaults.clone(), Kind::In));
    for (n, _, required, (inside, outside)) in &entity {
        let mut values = vec![
            (inside.clone(), Kind::In),
            (NOWHERE.to_string(), Kind::Nowhere),
        ];
        if let Some(o) = outside {
            values.push((o.clone(), Kind::Out));
        }
        for (v, kind) in values {
            if *required && kind == Kind::In {
                continue;
            }
            let mut m = defaults.clone();
            m.insert(n.clone(), v);
            variants.push((m, kind));
        }
    }
    if has_file {
        let mut more = Vec::new();
        for (m, worst) in &variants {
            for (scope, kind) in truth.diagram_scopes() {
                for ext in ["dot", "svg"] {
                    let mut m = m.clone();
                    m.insert("file".into(), format!("{scope}.{ext}"));
                    more.push((m, if *worst == Kind::In { kind } else { *worst }));
                }
            }
        }
        variants = more;
    }
    // Cross with the plain parameters.
    let mut combos: Vec<Vec<(String, &str)>> = vec![Vec::new()];
    for (name, values) in &plain {
        let mut next = Vec::new();
        for c in &combos {
            for v in values {
                let mut c = c.clone();
                if let Some(v) = v {
                    c.push((name.clone(), v));
                }
                next.push(c);
            }
        }
        combos = next;
    }
    let mut out = Vec::new();
    for (m, kind) in &variants {
        for combo in &combos {
            let mut url = path.to_string();
            let mut query: Vec<String> = Vec::new();
            for (name, loc, _) in params {
                let Some(v) = m.get(name) else { continue };
                if loc == "path" {
                    url = url.replace(&format!("{{{name}}}"), v);
                } else {
                    query.push(format!("{name}={v}"));
                }
            }
            for (name, v) in combo {
                query.push(format!("{name}={v}"));
            }
            assert!(!url.contains('{'), "unfilled path parameter in {url}");
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            out.push(Case { url, kind: *kind });
        }
    }
    out
}

/// The text of a response: XLSX unzipped (every XML part), everything else as UTF-8.
pub(crate) fn text_of(content_type: &str, bytes: &[u8]) -> Option<String> {
    if content_type.contains("spreadsheetml") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
        let mut text = String::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("zip entry");
            if f.name().ends_with(".xml") {
                f.read_to_string(&mut text).expect("XML text");
            }
        }
        assert!(text.contains("<sheetData"), "the workbook has a sheet");
        return Some(text);
    }
    if content_type.starts_with("image/png") {
        return None;
    }
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// Whether `needle` occurs in `hay` as a whole id (not inside a longer id).
pub(crate) fn has_id(hay: &str, needle: &str) -> bool {
    let id_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(id_char) && !after.is_some_and(id_char)
    })
}

/// One role of the matrix.
pub(crate) struct Role<'t> {
    pub(crate) name: String,
    pub(crate) token: String,
    /// Where its cases' in-view and out-of-view ids come from.
    pub(crate) truth: &'t Truth,
    /// Whether it sees only its scope (`truth`'s), like a coordinator.
    pub(crate) scoped: bool,
    /// Whether names are masked, birth years, employers and volunteering members left out.
    pub(crate) viewer: bool,
}

impl Role<'_> {
    /// Neither confined to a scope nor masked: the admin.
    pub(crate) fn is_admin(&self) -> bool {
        !self.scoped && !self.viewer
    }
}

/// The five roles of the matrices: the admin, the coordinator of `street` (MINE), an unscoped
/// viewer, the coordinator of `district` (the district holding MINE), a viewer scoped to MINE.
pub(crate) async fn five_roles<'t>(
    app: &TestApp,
    street: &'t Truth,
    district: &'t Truth,
) -> Vec<Role<'t>> {
    let role = |name: String, token: String, truth, scoped, viewer| Role {
        name,
        token,
        truth,
        scoped,
        viewer,
    };
    vec![
        role(
            "admin".into(),
            app.tokens.admin.clone(),
            street,
            false,
            false,
        ),
        role(
            format!("coordinator of {MINE}"),
            app.tokens.coord.clone(),
            street,
            true,
            false,
        ),
        role(
            "viewer".into(),
            app.tokens.viewer.clone(),
            street,
            false,
            true,
        ),
        role(
            format!("coordinator of {}", district.scope),
            app.token(TokenRole::Coordinator, Some(&district.scope))
                .await,
            district,
            true,
            false,
        ),
        role(
            format!("viewer of {MINE}"),
            app.token(TokenRole::Viewer, Some(MINE)).await,
            street,
            true,
            true,
        ),
    ]
}

#[tokio::test]
async fn no_route_role_or_format_leaks_what_the_caller_may_not_see() {
    let bundle = sample_bundle();
    let street = Truth::new(bundle.clone(), MINE);
    // The district that holds MINE (and OTHER): the scope of the district coordinator.
    let district = Truth::new(bundle.clone(), &street.district.clone());
    assert!(district.streets.len() >= 2 && district.streets.contains(OTHER));
    let person_names = street.person_names();
    assert!(person_names.len() > 200, "{}", person_names.len());
    // The names the issue measured are among those checked.
    assert!(person_names.iter().any(|n| n == "孙勇敏"));
    let mut outside: HashMap<Id, (Vec<Id>, Vec<String>)> = HashMap::new();
    for truth in [&street, &district] {
        let (ids, names) = (truth.outside_ids(), truth.outside_names());
        assert!(ids.len() > 100, "{}: {}", truth.scope, ids.len());
        assert!(names.len() > 100, "{}: {}", truth.scope, names.len());
        outside.insert(truth.scope.clone(), (ids, names));
    }
    // What the street coordinator must not see, the district's may (OTHER's people).
    assert!(outside[&street.scope].0.len() > outside[&district.scope].0.len());

    let app = spawn_network(ServeConfig::default(), bundle, MINE, OTHER).await;
    // Writes outside the street and outside the district, so that the change log holds rows
    // (a member's name and employer among them) their coordinators must not show.
    let mut writes = Vec::new();
    for truth in [&street, &district] {
        let outside = |what: &str| {
            truth
                .ids_for(what)
                .and_then(|(_, out)| out)
                .unwrap_or_else(|| panic!("an outside {what}"))
        };
        writes.push((
            format!("/api/v1/members/{}", outside("member")),
            serde_json::json!({"skills": ["法律咨询"]}),
        ));
        writes.push((
            format!("/api/v1/needs/{}", outside("need")),
            serde_json::json!({"demand": 77}),
        ));
    }
    writes.dedup_by(|a, b| a.0 == b.0);
    for (path, body) in writes {
        let (s, body) = app.patch(&path, &app.tokens.admin, body).await;
        assert!(s.is_success(), "PATCH {path}: {s} {body}");
    }
    let doc = app.get_ok("/api/v1/openapi.json", &app.tokens.admin).await;
    let mut routes: Vec<(String, Vec<Param>)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().expect("name").to_string(),
                    p["in"].as_str().expect("in").to_string(),
                    p["required"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        routes.push((path.clone(), params));
    }
    assert!(routes.len() >= 20, "{} GET routes", routes.len());

    let roles = five_roles(&app, &street, &district).await;
    let mut checked = 0usize;
    // The formats each role read (200).
    let mut formats: HashMap<&str, HashSet<String>> = HashMap::new();
    for (path, params) in &routes {
        for role in &roles {
            let (ids, names) = &outside[&role.truth.scope];
            let all = cases(role.truth, path, params);
            assert!(!all.is_empty(), "no case for GET {path}");
            for case in all {
                let res = app.get_response(&app.url(&case.url), &role.token).await;
                let (status, ct) = (res.status(), content_type(&res));
                let bytes = res.bytes().await.expect("body");
                let what = format!("{} GET {} → {status}", role.name, case.url);
                assert!(!status.is_server_error(), "{what}: {bytes:?}");
                let viewer_refused =
                    // Filtering by a person's employer would reveal it.
                    case.url.contains("employer=")
                    // So would hours per person (with young volunteers: an age band).
                    || case.url.contains("/volunteering?member=")
                    // The change log is for admins and coordinators (docs/writes.md).
                    || case.url.contains("/changes");
                // Any id outside a scoped token's view is 403, whether or not it exists.
                let out_of_view = role.scoped && case.kind != Kind::In;
                if (role.viewer && viewer_refused) || out_of_view {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
                } else if case.kind == Kind::In {
                    assert_eq!(status, StatusCode::OK, "{what}");
                }
                let Some(text) = text_of(&ct, &bytes) else {
                    continue;
                };
                if status == StatusCode::OK {
                    let f = ct.split(';').next().unwrap_or("").trim().to_string();
                    formats.entry(role.name.as_str()).or_default().insert(f);
                }
                if role.scoped {
                    // An error may repeat the id the caller sent: that tells it nothing.
                    for id in ids.iter().filter(|id| !has_id(&case.url, id)) {
                        assert!(!has_id(&text, id), "{what} names {id}: {text}");
                    }
                    for name in names {
                        assert!(!text.contains(name.as_str()), "{what} names {name}: {text}");
                    }
                }
                if role.viewer {
                    for name in &person_names {
                        assert!(!text.contains(name.as_str()), "{what} shows {name}: {text}");
                    }
                    if ct.contains("json")
                        && let Ok(v) = serde_json::from_str::<Value>(&text)
                    {
                        let s = v.to_string();
                        assert!(
                            !s.contains("\"birth_year\"") && !s.contains("\"employer\""),
                            "{what}: {s}"
                        );
                        if case.url.contains("/volunteering") {
                            assert!(!s.contains("\"member\""), "{what}: {s}");
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    // Every role read every format the brief names at least once.
    for role in &roles {
        for f in [
            "application/json",
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "text/vnd.graphviz",
            "image/svg+xml",
        ] {
            let read = formats.get(role.name.as_str());
            assert!(
                read.is_some_and(|r| r.contains(f)),
                "{}: no {f} response in {read:?}",
                role.name
            );
        }
    }
    assert!(
        checked > 400 * roles.len() / 3,
        "{checked} responses checked"
    );
}

#[test]
fn ids_match_whole_only() {
    assert!(has_id("\"K-SJ-1\"", "K-SJ-1"));
    assert!(!has_id("\"K-SJ-10\"", "K-SJ-1"));
    assert!(!has_id("XK-SJ-1", "K-SJ-1"));
    assert!(has_id("a K-SJ-1:b", "K-SJ-1"));
}

/// Guessing names through error messages: a viewer's error quotes what was sent masked alike,
/// whether or not it is a name of the network (masking only real names would confirm them).
#[tokio::test]
async fn a_viewer_cannot_confirm_a_guessed_name() {
    let app = spawn_app().await;
    let v = &app.tokens.viewer;
    let mut messages = Vec::new();
    for guess in ["王小明", "王小亮"] {
        for path in [
            format!("/api/v1/coverage?as_of={guess}"),
            format!("/api/v1/coverage?scope={guess}"),
            format!("/api/v1/members/{guess}"),
        ] {
            let (s, body) = app.get(&path, v).await;
            assert!(s.is_client_error(), "{path}: {s}");
            assert!(
                !body.to_string().contains(guess),
                "{path} echoes {guess}: {body}"
            );
            messages.push(body["error"]["message"].to_string());
        }
    }
    assert_eq!(
        messages[..3],
        messages[3..],
        "a real name reads like any other guess"
    );
}

/// A secretary's name holding a character JSON escapes (a tab pasted from a spreadsheet) is
/// masked for viewers like any other.
#[tokio::test]
async fn a_viewer_never_reads_an_escaped_name() {
    let app = spawn_app().await;
    let mut org = app
        .get("/api/v1/party-orgs?limit=1", &app.tokens.admin)
        .await
        .1["items"][0]
        .clone();
    org["secretary"] = Value::from("龚\t伟泽");
    let (s, body) = app
        .post(
            "/api/v1/import?merge=true",
            &app.tokens.admin,
            serde_json::json!({ "party_orgs": [org] }),
        )
        .await;
    assert!(s.is_success(), "{body}");
    for path in ["/api/v1/party-orgs", "/api/v1/party-orgs?format=csv"] {
        let (_, body) = app.get(path, &app.tokens.viewer).await;
        let text = body.to_string();
        assert!(!text.contains("伟泽"), "{path}: {text}");
    }
}

/// The log names routes, never what a path carried (an id, or a name sent as one).
#[tokio::test]
async fn the_log_holds_routes_not_paths() {
    let app = spawn_app().await;
    app.get("/api/v1/members/王小明", &app.tokens.admin).await;
    app.get("/api/v1/no-such-route/王小明", &app.tokens.admin)
        .await;
    let log = logged();
    assert!(
        log.contains("/api/v1/members/{id}"),
        "routes are logged: {log}"
    );
    for text in ["王小明", "%E7%8E%8B%E5%B0%8F%E6%98%8E", "no-such-route"] {
        assert!(!log.contains(text), "the log holds `{text}`");
    }
}

/// 双报到 links of the graph, for everyone but an admin: no link from one employer stands for
/// fewer than three members and three volunteers (one volunteer's hours on a link from their
/// employer, beside the per-member volunteering table, would name where they work); the small
/// ones are folded into `grp:few`, and the totals per committee are those the admin reads.
#[tokio::test]
async fn member_links_never_stand_for_one_or_two_people() {
    let app = spawn_network(ServeConfig::default(), sample_bundle(), MINE, OTHER).await;
    let path = "/api/v1/graph?scope=S-JLT&as_of=2026-06-30&kinds=member&group=unit&aggregate=false&positions=false";
    let totals = |doc: &Value| {
        let mut by_target: BTreeMap<String, (u64, f64)> = BTreeMap::new();
        for e in doc["edges"].as_array().into_iter().flatten() {
            let t = by_target
                .entry(e["target"].as_str().unwrap_or("").to_string())
                .or_default();
            t.0 += e["members"].as_u64().unwrap_or(0);
            t.1 += e["hours"].as_f64().unwrap_or(0.0);
        }
        by_target
            .into_iter()
            .map(|(k, (m, h))| (k, m, (h * 100.0).round() as i64))
            .collect::<Vec<_>>()
    };
    let (_, admin) = app.get(path, &app.tokens.admin).await;
    let small = |doc: &Value| {
        doc["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| {
                let src = e["source"].as_str().unwrap_or("");
                src != "grp:few"
                    && src != "grp:none"
                    && e["members"].as_u64().unwrap_or(0) < 3
                    && e["volunteers"].as_u64().unwrap_or(0) < 3
            })
            .count()
    };
    assert!(
        small(&admin) > 0,
        "the sample has small links for the admin"
    );
    for token in [&app.tokens.viewer, &app.tokens.coord] {
        let (s, doc) = app.get(path, token).await;
        assert_eq!(s, StatusCode::OK, "{doc}");
        assert_eq!(small(&doc), 0, "{doc}");
        assert!(
            doc["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|n| n["id"] == "grp:few")
        );
        if token == &app.tokens.viewer {
            assert_eq!(
                totals(&doc),
                totals(&admin),
                "the same totals per committee"
            );
        }
    }
    // The diagrams draw the same links: small ones from 少于3人的单位 for everyone but an admin.
    let dot = "/api/v1/diagrams/S-JLT.dot?view=partnerships&kinds=member&as_of=2026-06-30";
    let text = |body: Value| {
        body.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| body.to_string())
    };
    let (s, admin) = app.get(dot, &app.tokens.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!text(admin).contains("少于3人的单位"));
    for token in [&app.tokens.viewer, &app.tokens.coord] {
        let (s, body) = app.get(dot, token).await;
        assert_eq!(s, StatusCode::OK);
        assert!(text(body).contains("少于3人的单位"));
    }
}

/// Hours per person, with the coverage's young volunteers per committee, tell on which side of
/// 35 a volunteer's age lies: viewers read volunteering without the member, and cannot filter
/// by one.
#[tokio::test]
async fn a_viewer_reads_volunteering_without_the_member() {
    let app = spawn_app().await;
    let (s, page) = app.get("/api/v1/volunteering", &app.tokens.viewer).await;
    assert_eq!(s, StatusCode::OK);
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "{page}");
    assert!(
        items
            .iter()
            .all(|r| r.get("member").is_none() && r.get("hours").is_some()),
        "{page}"
    );
    let (s, _) = app
        .get("/api/v1/volunteering?member=M1", &app.tokens.viewer)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, page) = app.get("/api/v1/volunteering", &app.tokens.admin).await;
    assert_eq!(page["items"][0]["member"], "M1");
}
