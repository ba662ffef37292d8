//! How bundle values become SQLite values and back: enums as their serde wire names, dates as
//! `YYYY-MM-DD` text, list fields as JSON arrays in text.

use dangjian_model::{
    Date, ItemStatus, MassOrgType, PartyOrgLevel, ProjectStatus, ServiceDomain, StreetKind,
    TokenRole, UnitCategory,
};
use rusqlite::Row;
use rusqlite::types::Type;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An enum stored as its serde wire name (`elderly_care`, `working_committee`, …).
pub(crate) trait TextEnum: Sized + Copy + 'static {
    /// The wire name.
    fn as_text(self) -> &'static str;
    /// Parse a wire name.
    fn from_text(s: &str) -> Option<Self>;
}

macro_rules! text_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl TextEnum for $t {
            fn as_text(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
            fn from_text(s: &str) -> Option<Self> {
                match s { $($s => Some(<$t>::$v),)* _ => None }
            }
        }
    };
}

text_enum!(StreetKind { Street => "street", Town => "town" });
text_enum!(PartyOrgLevel {
    WorkingCommittee => "working_committee",
    Committee => "committee",
    GeneralBranch => "general_branch",
    Branch => "branch",
});
text_enum!(UnitCategory {
    Enterprise => "enterprise",
    PublicInstitution => "public_institution",
    Government => "government",
    School => "school",
    Hospital => "hospital",
    Other => "other",
});
text_enum!(MassOrgType {
    Union => "union",
    YouthLeague => "youth_league",
    WomenFederation => "women_federation",
    Other => "other",
});
text_enum!(ProjectStatus { Planned => "planned", Active => "active", Done => "done" });
text_enum!(ItemStatus { Open => "open", Done => "done" });
text_enum!(TokenRole { Admin => "admin", Coordinator => "coordinator", Viewer => "viewer" });

impl TextEnum for ServiceDomain {
    fn as_text(self) -> &'static str {
        self.as_str()
    }
    fn from_text(s: &str) -> Option<Self> {
        ServiceDomain::parse(s)
    }
}

/// Something stored in a column could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct BadValue(pub(crate) String);

fn bad(idx: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(BadValue(message)))
}

/// Borrow a text column without copying it.
pub(crate) fn text_at<'r>(row: &'r Row<'_>, idx: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(idx)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

/// Decode an enum column.
pub(crate) fn enum_at<T: TextEnum>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let s = text_at(row, idx)?;
    T::from_text(s).ok_or_else(|| bad(idx, format!("unknown value `{s}`")))
}

/// Encode a date as `YYYY-MM-DD`.
pub(crate) fn date_text(d: &Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Decode a `YYYY-MM-DD` column.
pub(crate) fn date_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Date> {
    let s = text_at(row, idx)?;
    s.parse::<Date>()
        .map_err(|e| bad(idx, format!("`{s}` is not a YYYY-MM-DD date: {e}")))
}

/// Decode a nullable `YYYY-MM-DD` column.
pub(crate) fn opt_date_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Date>> {
    match row.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => date_at(row, idx).map(Some),
    }
}

/// Encode a list field as a JSON array.
pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Decode a JSON list column.
pub(crate) fn json_at<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let s = text_at(row, idx)?;
    serde_json::from_str(s).map_err(|e| bad(idx, format!("`{s}` is not the expected JSON: {e}")))
}

/// Decode a nullable JSON list column.
pub(crate) fn opt_json_at<T: DeserializeOwned>(
    row: &Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    match row.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => json_at(row, idx).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored names must be the serde wire names, or the CHECK constraints and other
    /// tools reading the file would disagree with the JSON bundle.
    fn check<T: TextEnum + Serialize + std::fmt::Debug + PartialEq>(all: &[T]) {
        for &v in all {
            let wire = serde_json::to_string(&v).expect("serialize enum");
            assert_eq!(wire, format!("\"{}\"", v.as_text()), "{v:?}");
            assert_eq!(T::from_text(v.as_text()), Some(v));
        }
        assert_eq!(T::from_text("no_such_value"), None);
    }

    #[test]
    fn enum_text_matches_serde_names() {
        check(&[StreetKind::Street, StreetKind::Town]);
        check(&PartyOrgLevel::ALL);
        check(&UnitCategory::ALL);
        check(&MassOrgType::ALL);
        check(&[
            ProjectStatus::Planned,
            ProjectStatus::Active,
            ProjectStatus::Done,
        ]);
        check(&[ItemStatus::Open, ItemStatus::Done]);
        check(&[TokenRole::Admin, TokenRole::Coordinator, TokenRole::Viewer]);
        check(&ServiceDomain::ALL);
    }

    #[test]
    fn dates_are_iso_text() {
        let d = Date::from_ymd_opt(2024, 3, 7).expect("valid date");
        assert_eq!(date_text(&d), "2024-03-07");
    }
}
