//! Access control (SPEC §6): who the caller is, which part of the network their token covers,
//! and the redaction and masking applied to what they read.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use dangjian_engine::Engine;
use dangjian_model::TokenRole;
use serde_json::Value;

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
    /// The subtree reads and writes are confined to (`None`: the whole city). Any scope on a
    /// non-admin token confines it, `city` included: a scope that is not a street or district
    /// of the network holds nothing (fail closed).
    pub fn restriction(&self) -> Option<&str> {
        match self.role {
            TokenRole::Admin => None,
            _ => self.scope.as_deref(),
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

    /// Whether `id` is inside the caller's subtree (the engine's one placement rule; what it
    /// cannot place is outside). Writes call this (through [`Caller::require_inside`]) for
    /// the row's id and for every id the row points at that must lie inside.
    pub fn inside(&self, engine: &Engine, id: &str) -> bool {
        match self.restriction() {
            None => true,
            Some(scope) => (id == scope && engine.is_subtree(scope)) || engine.within(id, scope),
        }
    }

    /// 403 unless `id` is inside the caller's subtree, whether or not `id` exists.
    pub fn require_inside(&self, engine: &Engine, id: &str) -> Result<(), AppError> {
        if self.inside(engine, id) {
            Ok(())
        } else {
            Err(AppError::outside(id))
        }
    }

    /// A scope for an analytics read: the given one, checked, or the default. A confined
    /// caller naming anything outside its subtree gets 403, whether or not it exists.
    pub fn read_scope(&self, engine: &Engine, scope: Option<&str>) -> Result<String, AppError> {
        match scope {
            None | Some("") => Ok(self.default_scope()),
            Some(s) => {
                if self.restriction().is_some() && !self.inside(engine, s) {
                    return Err(AppError::outside(s));
                }
                Ok(s.to_string())
            }
        }
    }

    /// Whether the caller may learn that `id` exists: inside the subtree, city-wide (mass
    /// orgs), or an outside entity touching it ([`Engine::touches`]).
    pub fn visible(&self, engine: &Engine, id: &str) -> bool {
        match self.restriction() {
            None => true,
            Some(scope) => self.inside(engine, id) || engine.visible_from(id, scope),
        }
    }

    /// 403 unless the caller may see `id`, whether or not it exists.
    pub fn require_visible(&self, engine: &Engine, id: &str) -> Result<(), AppError> {
        if self.visible(engine, id) {
            Ok(())
        } else {
            Err(AppError::outside(id))
        }
    }

    /// Whether a string in an output may stay: plain text and ids the caller may see; a
    /// composite id (`P1:partnership:H1:U1:K1`) only when every id in it may be seen.
    pub fn may_show(&self, engine: &Engine, s: &str) -> bool {
        if self.restriction().is_none() {
            return true;
        }
        if engine.is_id(s) {
            return self.visible(engine, s);
        }
        !s.contains(':')
            || s.split(':')
                .all(|part| !engine.is_id(part) || self.visible(engine, part))
    }

    /// Remove from a document everything that names an entity the caller may not see: array
    /// elements (ids, or objects with such an id in a field), map keys, and scalar fields.
    pub fn redact(&self, engine: &Engine, doc: &mut Value) {
        if self.restriction().is_some() {
            redact_value(doc, &|id| self.may_show(engine, id));
        }
    }

    /// An error as the caller may read it: for a confined caller, a validation problem never
    /// says what holds an id ("duplicate id `X`: already used by unit /units/17" becomes
    /// "duplicate id `X`: already used"). Writes answer with this; the `/api/v1` middleware
    /// applies the same rule to every 422 body as a net.
    pub fn scrub_error(&self, e: AppError) -> AppError {
        match e {
            AppError::Invalid {
                message,
                mut problems,
            } if self.restriction().is_some() => {
                for p in &mut problems {
                    p.message = scrub_message(&p.message);
                }
                AppError::Invalid { message, problems }
            }
            other => other,
        }
    }

    /// A row of a table as the caller may read it, or `None` when it names anything the
    /// caller may not see.
    pub fn row(&self, engine: &Engine, mut row: Value) -> Option<Value> {
        if !self.sees_personal_data() {
            mask_member(&mut row);
            anonymise_volunteering(&mut row);
        }
        if self.restriction().is_none() {
            return Some(row);
        }
        redact_value(&mut row, &|id| self.may_show(engine, id)).then_some(row)
    }
}

/// A validation message without what holds an id.
pub fn scrub_message(message: &str) -> String {
    match message.find(": already used by") {
        Some(i) => format!("{}: already used", &message[..i]),
        None => message.to_string(),
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

/// A volunteering row (an object with `member` and `hours`) for viewers: without the member.
/// Hours per person, beside the coverage's count of young volunteers per committee, tell on
/// which side of 35 a person's age lies — derived from the birth year viewers may not see.
pub fn anonymise_volunteering(row: &mut Value) {
    if let Value::Object(map) = row
        && map.contains_key("hours")
    {
        map.remove("member");
    }
}

/// Mask a member row (an object with `birth_year`) for viewers: the name reduced to its surname (first character) and `*`,
/// no birth year, no employer.
pub fn mask_member(row: &mut Value) {
    if let Value::Object(map) = row
        && map.contains_key("birth_year")
    {
        if let Some(Value::String(name)) = map.get_mut("name") {
            *name = dangjian_model::mask_name(name);
        }
        map.remove("birth_year");
        map.remove("employer");
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
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

    fn engine() -> Engine {
        Engine::new(
            serde_json::from_value(serde_json::json!({
                "districts": [{"id": "D1", "name": "甲区"}, {"id": "D2", "name": "乙区"}],
                "streets": [
                    {"id": "S1", "name": "一", "district": "D1", "kind": "street"},
                    {"id": "S2", "name": "二", "district": "D1", "kind": "street"},
                    {"id": "S3", "name": "三", "district": "D2", "kind": "town"}
                ],
                "communities": [
                    {"id": "C2", "name": "社区", "street": "S2"},
                    {"id": "C3", "name": "社区", "street": "S3"}
                ],
                "committees": [
                    {"id": "K2", "name": "居委", "community": "C2", "households": 1},
                    {"id": "K3", "name": "居委", "community": "C3", "households": 1}
                ],
                "members": [
                    {"id": "A1", "name": "欧阳修", "birth_year": 1990, "employer": "U3", "registered_at": "K2"},
                    {"id": "A9", "name": "无处", "birth_year": 1990}
                ],
                "units": [{"id": "U3", "name": "单位", "category": "other", "industry": "x", "street": "S3"}]
            }))
            .expect("bundle"),
        )
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
        let e = engine();
        let c = caller(TokenRole::Coordinator, Some("D1"));
        assert!(c.inside(&e, "K2") && c.inside(&e, "S1") && c.inside(&e, "C2"));
        assert!(!c.inside(&e, "K3") && !c.inside(&e, "D2"));
        assert_eq!(c.read_scope(&e, None).ok().as_deref(), Some("D1"));
        assert!(c.read_scope(&e, Some("S2")).is_ok());
        assert!(c.read_scope(&e, Some("S3")).is_err());
        assert!(c.read_scope(&e, Some("city")).is_err());
        assert!(c.read_scope(&e, Some("nowhere")).is_err(), "403, not 404");
        let admin = caller(TokenRole::Admin, Some("D1"));
        assert!(admin.inside(&e, "K3"), "admins are never confined");
    }

    #[test]
    fn a_city_scope_is_no_wildcard_and_unplaced_ids_are_outside() {
        let e = engine();
        let c = caller(TokenRole::Coordinator, Some("city"));
        assert!(!c.inside(&e, "K2") && !c.visible(&e, "S1"));
        assert!(c.read_scope(&e, Some("city")).is_err());
        let s2 = caller(TokenRole::Coordinator, Some("S2"));
        assert!(s2.inside(&e, "A1"));
        assert!(
            !s2.visible(&e, "A9"),
            "a member registered nowhere is nobody's"
        );
        assert!(!s2.visible(&e, "U3"), "an employer elsewhere is not shown");
    }

    #[test]
    fn redaction_drops_foreign_ids_and_keeps_ancestors_and_text() {
        let e = engine();
        let c = caller(TokenRole::Coordinator, Some("S2"));
        let mut doc = serde_json::json!({
            "scope": "S2",
            "district": "D1",
            "list": ["K2", "K3", "text"],
            "rows": [{"committee": "K2"}, {"committee": "K3"}],
            "by": {"K2": 1, "K3": 2},
            "other": "S3",
            "item": "P:partnership:H:U3:K2",
        });
        c.redact(&e, &mut doc);
        assert_eq!(
            doc,
            serde_json::json!({
                "scope": "S2",
                "district": "D1",
                "list": ["K2", "text"],
                "rows": [{"committee": "K2"}],
                "by": {"K2": 1},
                "other": null,
                "item": null,
            })
        );
    }

    #[test]
    fn viewers_read_member_rows_masked() {
        let e = engine();
        let v = caller(TokenRole::Viewer, None);
        let row =
            serde_json::json!({"id": "A1", "name": "欧阳修", "birth_year": 1990, "employer": "U3"});
        assert_eq!(
            v.row(&e, row),
            Some(serde_json::json!({"id": "A1", "name": "欧*"}))
        );
    }
}
