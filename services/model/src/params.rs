//! The parameters every analytics read takes, parsed once at the edge (API query, CLI flag):
//! `Scope` (which part of the network) and `AsOf` (the date figures are computed for).

use crate::Date;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::str::FromStr;

/// Why a parameter value was refused (the caller names the parameter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// Not a calendar date written `YYYY-MM-DD` (in the words the bundle readers use for a
    /// date cell, so `2026-02-30` reads as no such day rather than as a wrong format).
    #[error("`{0}` is not a date; expected a real calendar date as YYYY-MM-DD")]
    Date(String),
    /// An empty scope (absent means the default; empty is no id).
    #[error("must be `city` or a district, street, community or committee id, got an empty value")]
    EmptyScope,
}

/// The date a document is computed for; absent means today in Shanghai ([`crate::today`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AsOf(pub Date);

impl AsOf {
    /// The given date, or today in Shanghai.
    pub fn or_today(given: Option<AsOf>) -> Date {
        given.map_or_else(crate::today, |d| d.0)
    }
}

impl FromStr for AsOf {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<AsOf, ParamError> {
        Date::parse_from_str(s, "%Y-%m-%d")
            .map(AsOf)
            .map_err(|_| ParamError::Date(s.to_string()))
    }
}

impl fmt::Display for AsOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Which part of the network a document covers: `city`, or a district, street, community or
/// committee id. Whether the id exists (and whether the caller may read it) is decided where
/// the network is known; here it is only a non-empty id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

impl Scope {
    /// The whole city.
    pub const CITY: &'static str = "city";

    /// The scope as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Scope {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Scope, ParamError> {
        if s.is_empty() {
            Err(ParamError::EmptyScope)
        } else {
            Ok(Scope(s.to_string()))
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Deserialise through [`FromStr`], so that a query string and a JSON body refuse the same
/// values with the same message.
fn from_str_de<'de, D: Deserializer<'de>, T: FromStr<Err = ParamError>>(
    d: D,
) -> Result<T, D::Error> {
    let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

impl<'de> Deserialize<'de> for AsOf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AsOf, D::Error> {
        from_str_de(d)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scope, D::Error> {
        from_str_de(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_parses_dates_and_names_what_it_refuses() {
        let d: AsOf = "2025-06-30".parse().expect("a date");
        assert_eq!(d.0, Date::from_ymd_opt(2025, 6, 30).expect("valid"));
        assert_eq!(d.to_string(), "2025-06-30");
        let err = "2025-02-30".parse::<AsOf>().expect_err("no such day");
        assert_eq!(
            err.to_string(),
            "`2025-02-30` is not a date; expected a real calendar date as YYYY-MM-DD"
        );
        assert!("yesterday".parse::<AsOf>().is_err());
        assert!("30/06/2025".parse::<AsOf>().is_err());
    }

    #[test]
    fn as_of_defaults_to_today_in_shanghai() {
        let given = AsOf(Date::from_ymd_opt(2020, 1, 1).expect("valid"));
        assert_eq!(AsOf::or_today(Some(given)), given.0);
        let today = AsOf::or_today(None);
        assert!((today - crate::today()).num_days().abs() <= 1);
    }

    #[test]
    fn scope_is_a_non_empty_id() {
        let s: Scope = "S-JLT".parse().expect("an id");
        assert_eq!(s.as_str(), "S-JLT");
        assert_eq!("".parse::<Scope>(), Err(ParamError::EmptyScope));
        let from_json: Scope = serde_json::from_str("\"city\"").expect("json");
        assert_eq!(from_json.as_str(), Scope::CITY);
        let bad = serde_json::from_str::<AsOf>("\"2025-13-01\"").expect_err("month 13");
        assert!(bad.to_string().contains("YYYY-MM-DD"), "{bad}");
    }
}
