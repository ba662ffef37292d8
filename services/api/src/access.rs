//! Access control (SPEC §6): who the caller is, which part of the network their token covers,
//! and the redaction and masking applied to what they read.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use dangjian_model::{Bundle, Id, TokenRole};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Where an entity sits in the hierarchy; `None` where the level does not apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub district: Option<Id>,
    pub street: Option<Id>,
    pub community: Option<Id>,
    pub committee: Option<Id>,
}

/// The place of every entity that has one (mass orgs and unregistered members have none), and
/// for each unit the streets and districts its partnerships reach.
///
/// The next version after a row write shares the two maps and keeps the entries the write
/// changed beside them ([`Places::updated`]); past [`MAX_CHANGED`] of those it indexes anew.
#[derive(Debug, Default)]
pub struct Places {
    by_id: Arc<HashMap<Id, Place>>,
    partner_reach: Arc<HashMap<Id, HashSet<Id>>>,
    /// Ids whose place changed since the maps were built (`None`: no place any more).
    changed: HashMap<Id, Option<Place>>,
    /// Units whose partnerships changed since the maps were built.
    changed_reach: HashMap<Id, HashSet<Id>>,
}

/// Most changed entries kept beside the shared maps before they are built anew.
const MAX_CHANGED: usize = 20_000;

impl Places {
    /// Index a bundle.
    pub fn new(b: &Bundle) -> Places {
        let mut by_id: HashMap<Id, Place> = HashMap::new();
        for d in &b.districts {
            by_id.insert(
                d.id.clone(),
                Place {
                    district: Some(d.id.clone()),
                    ..Place::default()
                },
            );
        }
        for s in &b.streets {
            by_id.insert(
                s.id.clone(),
                Place {
                    district: Some(s.district.clone()),
                    street: Some(s.id.clone()),
                    ..Place::default()
                },
            );
        }
        let street_place = |by_id: &HashMap<Id, Place>, street: &str| {
            by_id.get(street).cloned().unwrap_or_else(|| Place {
                street: Some(street.to_string()),
                ..Place::default()
            })
        };
        for c in &b.communities {
            let mut p = street_place(&by_id, &c.street);
            p.community = Some(c.id.clone());
            by_id.insert(c.id.clone(), p);
        }
        for k in &b.committees {
            let mut p = by_id.get(&k.community).cloned().unwrap_or_default();
            p.committee = Some(k.id.clone());
            by_id.insert(k.id.clone(), p);
        }
        for u in &b.units {
            let p = street_place(&by_id, &u.street);
            by_id.insert(u.id.clone(), p);
        }
        for s in &b.social_orgs {
            let p = street_place(&by_id, &s.street);
            by_id.insert(s.id.clone(), p);
        }
        let of = |by_id: &HashMap<Id, Place>, id: &Option<Id>| {
            id.as_ref().and_then(|i| by_id.get(i).cloned())
        };
        for o in &b.party_orgs {
            if let Some(p) = of(&by_id, &Some(o.leads.clone())) {
                by_id.insert(o.id.clone(), p);
            }
        }
        let derived: Vec<(Id, Option<Place>)> = b
            .needs
            .iter()
            .map(|n| (n.id.clone(), of(&by_id, &Some(n.committee.clone()))))
            .chain(
                b.projects
                    .iter()
                    .map(|p| (p.id.clone(), of(&by_id, &Some(p.committee.clone())))),
            )
            .chain(
                b.members
                    .iter()
                    .map(|m| (m.id.clone(), of(&by_id, &m.registered_at))),
            )
            .chain(
                b.partnerships
                    .iter()
                    .map(|p| (p.id.clone(), of(&by_id, &Some(p.target.clone())))),
            )
            .chain(
                b.resources
                    .iter()
                    .map(|r| (r.id.clone(), of(&by_id, &Some(r.provider.clone())))),
            )
            .chain(
                b.responsibilities
                    .iter()
                    .map(|r| (r.id.clone(), of(&by_id, &Some(r.party_org.clone())))),
            )
            .collect();
        for (id, place) in derived {
            if let Some(p) = place {
                by_id.insert(id, p);
            }
        }
        let mut partner_reach: HashMap<Id, HashSet<Id>> = HashMap::new();
        for p in &b.partnerships {
            if let Some(place) = by_id.get(&p.target) {
                let reach = partner_reach.entry(p.unit.clone()).or_default();
                reach.extend(place.street.iter().cloned());
                reach.extend(place.district.iter().cloned());
            }
        }
        Places {
            by_id: Arc::new(by_id),
            partner_reach: Arc::new(partner_reach),
            changed: HashMap::new(),
            changed_reach: HashMap::new(),
        }
    }

    /// The places of the next version: `merged` is this version's network `old` with
    /// `partial`'s rows merged in. Rows of the hierarchy tables (or many changes) index `merged`
    /// anew; otherwise only the written rows' ids (and their units' partnership reach) change.
    pub fn updated(&self, old: &Bundle, merged: &Bundle, partial: &Bundle) -> Places {
        let p = partial;
        let hierarchy = !(p.districts.is_empty()
            && p.streets.is_empty()
            && p.communities.is_empty()
            && p.committees.is_empty()
            && p.units.is_empty()
            && p.social_orgs.is_empty()
            && p.party_orgs.is_empty()
            && p.projects.is_empty());
        let rows = p.needs.len()
            + p.members.len()
            + p.partnerships.len()
            + p.resources.len()
            + p.responsibilities.len();
        if hierarchy || self.changed.len() + self.changed_reach.len() + rows > MAX_CHANGED {
            return Places::new(merged);
        }
        let mut changed = self.changed.clone();
        let mut changed_reach = self.changed_reach.clone();
        let of = |id: Option<&str>| id.and_then(|i| self.get(i)).cloned();
        let written = p
            .needs
            .iter()
            .map(|n| (&n.id, of(Some(&n.committee))))
            .chain(
                p.members
                    .iter()
                    .map(|m| (&m.id, of(m.registered_at.as_deref()))),
            )
            .chain(p.partnerships.iter().map(|x| (&x.id, of(Some(&x.target)))))
            .chain(p.resources.iter().map(|r| (&r.id, of(Some(&r.provider)))))
            .chain(
                p.responsibilities
                    .iter()
                    .map(|r| (&r.id, of(Some(&r.party_org)))),
            );
        for (id, place) in written {
            changed.insert(id.clone(), place);
        }
        if !p.partnerships.is_empty() {
            // The units whose reach may change: those of the written rows, before and after.
            let mut units: HashSet<&str> = p.partnerships.iter().map(|x| x.unit.as_str()).collect();
            let ids: HashSet<&str> = p.partnerships.iter().map(|x| x.id.as_str()).collect();
            for was in &old.partnerships {
                if ids.contains(was.id.as_str()) {
                    units.insert(was.unit.as_str());
                }
            }
            let mut reach: HashMap<&str, HashSet<Id>> =
                units.iter().map(|u| (*u, HashSet::new())).collect();
            for x in &merged.partnerships {
                if let Some(r) = reach.get_mut(x.unit.as_str())
                    && let Some(place) = self.get(&x.target)
                {
                    r.extend(place.street.iter().cloned());
                    r.extend(place.district.iter().cloned());
                }
            }
            for (u, r) in reach {
                changed_reach.insert(u.to_string(), r);
            }
        }
        Places {
            by_id: self.by_id.clone(),
            partner_reach: self.partner_reach.clone(),
            changed,
            changed_reach,
        }
    }

    /// The place of an id.
    pub fn get(&self, id: &str) -> Option<&Place> {
        if !self.changed.is_empty()
            && let Some(p) = self.changed.get(id)
        {
            return p.as_ref();
        }
        self.by_id.get(id)
    }

    /// The streets and districts a unit's partnerships reach.
    fn reach_of(&self, unit: &str) -> Option<&HashSet<Id>> {
        if !self.changed_reach.is_empty()
            && let Some(r) = self.changed_reach.get(unit)
        {
            return Some(r);
        }
        self.partner_reach.get(unit)
    }

    /// Whether `id` lies in the subtree of `scope` (a street or district id; `city` holds all).
    pub fn within(&self, id: &str, scope: &str) -> bool {
        if scope == "city" {
            return true;
        }
        self.get(id).is_some_and(|p| {
            p.street.as_deref() == Some(scope) || p.district.as_deref() == Some(scope)
        })
    }
}

/// The caller, from the bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Public token id (safe to log).
    pub token_id: String,
    pub role: TokenRole,
    /// The subtree the token is confined to.
    pub scope: Option<String>,
}

impl Caller {
    /// The subtree reads and writes are confined to (`None`: the whole city).
    pub fn restriction(&self) -> Option<&str> {
        match self.role {
            TokenRole::Admin => None,
            _ => self.scope.as_deref().filter(|s| *s != "city"),
        }
    }

    /// The scope used when a request names none.
    pub fn default_scope(&self) -> String {
        self.restriction().unwrap_or("city").to_string()
    }

    /// Whether the caller may read personal data unmasked.
    pub fn sees_personal_data(&self) -> bool {
        self.role != TokenRole::Viewer
    }

    /// 403 unless the caller may write.
    pub fn require_writer(&self) -> Result<(), AppError> {
        match self.role {
            TokenRole::Viewer => Err(AppError::Forbidden("viewer tokens cannot write".into())),
            _ => Ok(()),
        }
    }

    /// 403 unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), AppError> {
        match self.role {
            TokenRole::Admin => Ok(()),
            _ => Err(AppError::Forbidden("only admin tokens may do this".into())),
        }
    }

    /// Whether `id` is inside the caller's subtree.
    pub fn inside(&self, places: &Places, id: &str) -> bool {
        match self.restriction() {
            None => true,
            Some(scope) => id == scope || places.within(id, scope),
        }
    }

    /// 403 unless `id` is inside the caller's subtree.
    pub fn require_inside(&self, places: &Places, id: &str) -> Result<(), AppError> {
        if self.inside(places, id) {
            Ok(())
        } else {
            Err(AppError::outside(id))
        }
    }

    /// A scope for an analytics read: the given one, checked, or the default.
    pub fn read_scope(&self, places: &Places, scope: Option<&str>) -> Result<String, AppError> {
        match scope {
            None | Some("") => Ok(self.default_scope()),
            Some(s) => {
                if self.restriction().is_some() && (s == "city" || !self.inside(places, s)) {
                    return Err(AppError::outside(s));
                }
                Ok(s.to_string())
            }
        }
    }

    /// Whether the caller may learn that `id` exists: inside the subtree, an ancestor of it,
    /// an entity without a place (mass orgs, plain values), or a unit partnering inside.
    pub fn visible(&self, places: &Places, id: &str) -> bool {
        let Some(scope) = self.restriction() else {
            return true;
        };
        if self.inside(places, id) {
            return true;
        }
        let Some(place) = places.get(id) else {
            return true;
        };
        let ancestor = places
            .get(scope)
            .is_some_and(|s| s.district.as_deref() == Some(id) && place.street.is_none());
        ancestor
            || places
                .reach_of(id)
                .is_some_and(|reach| reach.contains(scope))
    }

    /// Remove from a document everything that names an entity the caller may not see: array
    /// elements (ids, or objects with such an id in a field), map keys, and scalar fields.
    pub fn redact(&self, places: &Places, doc: &mut Value) {
        if self.restriction().is_some() {
            redact_value(doc, &|id| self.visible(places, id));
        }
    }
}

/// Returns whether the value may stay where it is (false: drop it from its array).
fn redact_value(v: &mut Value, visible: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Value::String(s) => visible(s),
        Value::Array(items) => {
            items.retain_mut(|x| redact_value(x, visible));
            true
        }
        Value::Object(map) => {
            map.retain(|k, _| visible(k));
            let mut keep = true;
            for x in map.values_mut() {
                match x {
                    Value::String(s) if !visible(s) => {
                        *x = Value::Null;
                        keep = false;
                    }
                    other => {
                        redact_value(other, visible);
                    }
                }
            }
            keep
        }
        _ => true,
    }
}

/// Mask a member row for viewers: the name reduced to its surname (first character) and `*`,
/// no birth year, no employer.
pub fn mask_member(row: &mut Value) {
    if let Value::Object(map) = row {
        if let Some(Value::String(name)) = map.get_mut("name") {
            let surname: String = name.chars().take(1).collect();
            *name = format!("{surname}*");
        }
        map.remove("birth_year");
        map.remove("employer");
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or(AppError::Unauthorized)?;
        let secret = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let info = state
            .token_for(secret)
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok(Caller {
            token_id: info.id,
            role: info.role,
            scope: info.scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dangjian_model::*;

    /// Every id's place and every unit's reach, as the API reads them.
    fn all_places(places: &Places, b: &Bundle) -> Vec<String> {
        let v = serde_json::to_value(b).expect("json");
        let mut ids: Vec<String> = Vec::new();
        for rows in v.as_object().expect("tables").values() {
            for row in rows.as_array().expect("rows") {
                if let Some(id) = row.get("id").and_then(Value::as_str) {
                    ids.push(id.to_string());
                }
            }
        }
        ids.push("NO-SUCH-ID".into());
        ids.iter()
            .map(|id| {
                let mut reach: Vec<&Id> = places.reach_of(id).into_iter().flatten().collect();
                reach.sort();
                format!("{id}: {:?} {reach:?}", places.get(id))
            })
            .collect()
    }

    #[test]
    fn updated_places_equal_places_built_anew() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../engine/tests/data/net-1002.json"
        );
        let text = std::fs::read_to_string(path).expect("conformance network");
        let old: Bundle = serde_json::from_str(&text).expect("bundle");
        let places = Places::new(&old);
        let mut p = Bundle::default();
        // A member unregistered, one moved; a need moved; a partnership moved to another
        // unit and target; a new resource and responsibility.
        let mut m0 = old.members[0].clone();
        m0.registered_at = None;
        let mut m1 = old.members[1].clone();
        m1.registered_at = Some(old.committees[5].id.clone());
        p.members = vec![m0, m1];
        let mut n = old.needs[0].clone();
        n.committee = old.committees[7].id.clone();
        p.needs = vec![n];
        let mut x = old.partnerships[0].clone();
        x.unit = old.units[3].id.clone();
        x.target = old.streets[1].id.clone();
        p.partnerships = vec![x];
        let mut r = old.resources[0].clone();
        r.id = "NEW-R".into();
        r.provider = old.units[2].id.clone();
        p.resources = vec![r];
        let mut q = old.responsibilities[0].clone();
        q.id = "NEW-Q".into();
        q.party_org = old.party_orgs[4].id.clone();
        p.responsibilities = vec![q];
        let merged = old.merged(&p);
        validate(&merged).expect("a valid write");
        let next = places.updated(&old, &merged, &p);
        assert!(!next.changed.is_empty(), "kept beside the shared maps");
        assert!(Arc::ptr_eq(&next.by_id, &places.by_id));
        let want = all_places(&Places::new(&merged), &merged);
        assert_eq!(all_places(&next, &merged), want);
        assert_ne!(
            all_places(&places, &merged),
            want,
            "the write changes places"
        );
        // A hierarchy row: built anew.
        let mut k = merged.committees[0].clone();
        k.community = merged.communities[1].id.clone();
        let h = Bundle {
            committees: vec![k],
            ..Bundle::default()
        };
        let merged2 = merged.merged(&h);
        let next2 = next.updated(&merged, &merged2, &h);
        assert!(next2.changed.is_empty());
        assert_eq!(
            all_places(&next2, &merged2),
            all_places(&Places::new(&merged2), &merged2)
        );
    }

    fn network() -> Bundle {
        let street = |id: &str, d: &str| Street {
            id: id.into(),
            name: id.into(),
            district: d.into(),
            kind: StreetKind::Street,
        };
        Bundle {
            districts: vec![
                District {
                    id: "D1".into(),
                    name: "甲区".into(),
                },
                District {
                    id: "D2".into(),
                    name: "乙区".into(),
                },
            ],
            streets: vec![street("S1", "D1"), street("S2", "D1"), street("S3", "D2")],
            communities: vec![
                Community {
                    id: "C2".into(),
                    name: "社区".into(),
                    street: "S2".into(),
                },
                Community {
                    id: "C3".into(),
                    name: "社区".into(),
                    street: "S3".into(),
                },
            ],
            committees: vec![
                Committee {
                    id: "K2".into(),
                    name: "居委".into(),
                    community: "C2".into(),
                    households: 1,
                },
                Committee {
                    id: "K3".into(),
                    name: "居委".into(),
                    community: "C3".into(),
                    households: 1,
                },
            ],
            ..Bundle::default()
        }
    }

    fn caller(role: TokenRole, scope: Option<&str>) -> Caller {
        Caller {
            token_id: "tok_x".into(),
            role,
            scope: scope.map(str::to_string),
        }
    }

    #[test]
    fn a_district_coordinator_covers_its_streets_only() {
        let places = Places::new(&network());
        let c = caller(TokenRole::Coordinator, Some("D1"));
        assert!(c.inside(&places, "K2") && c.inside(&places, "S1") && c.inside(&places, "C2"));
        assert!(!c.inside(&places, "K3") && !c.inside(&places, "D2"));
        assert_eq!(c.read_scope(&places, None).ok().as_deref(), Some("D1"));
        assert!(c.read_scope(&places, Some("S2")).is_ok());
        assert!(c.read_scope(&places, Some("S3")).is_err());
        assert!(c.read_scope(&places, Some("city")).is_err());
        let admin = caller(TokenRole::Admin, Some("D1"));
        assert!(admin.inside(&places, "K3"), "admins are never confined");
    }

    #[test]
    fn redaction_drops_foreign_ids_and_keeps_ancestors() {
        let places = Places::new(&network());
        let c = caller(TokenRole::Coordinator, Some("S2"));
        let mut doc = serde_json::json!({
            "scope": "S2",
            "district": "D1",
            "list": ["K2", "K3", "text"],
            "rows": [{"committee": "K2"}, {"committee": "K3"}],
            "by": {"K2": 1, "K3": 2},
            "other": "S3",
        });
        c.redact(&places, &mut doc);
        assert_eq!(
            doc,
            serde_json::json!({
                "scope": "S2",
                "district": "D1",
                "list": ["K2", "text"],
                "rows": [{"committee": "K2"}],
                "by": {"K2": 1},
                "other": null,
            })
        );
    }

    #[test]
    fn masking_keeps_the_surname_only() {
        let mut row =
            serde_json::json!({"id": "M1", "name": "欧阳修", "birth_year": 1990, "employer": "U1"});
        mask_member(&mut row);
        assert_eq!(row, serde_json::json!({"id": "M1", "name": "欧*"}));
    }
}
