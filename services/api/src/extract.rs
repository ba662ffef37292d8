//! Request extractors that turn bad input into `AppError`s: query parameters (400 for unknown
//! or malformed ones), and bodies (413 past the limit, 400 for bad JSON syntax, 422 with the
//! field for wrong types, missing or unknown fields).

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string's pairs, decoded; a parameter given twice is a 400.
fn query_pairs(parts: &Parts) -> Result<Vec<(String, String)>, AppError> {
    let query = parts.uri.query().unwrap_or("");
    let mut seen = std::collections::BTreeSet::new();
    let mut pairs = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !seen.insert(k.to_string()) {
            return Err(AppError::BadRequest(format!(
                "query parameter `{k}` is given twice"
            )));
        }
        pairs.push((k.into_owned(), v.into_owned()));
    }
    Ok(pairs)
}

/// The query string as a typed struct `T` (declared with `#[serde(deny_unknown_fields)]` and
/// `utoipa::IntoParams`, so the OpenAPI document lists what it reads). Empty values count as
/// absent (each field reads through [`opt`] or [`flag`]); a parameter given twice, an unknown
/// one or a malformed value is a 400 naming it.
#[derive(Debug, Clone, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        query_pairs(parts)?; // a parameter given twice is refused before serde sees it
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                AppError::BadRequest(query_message(&path, &message))
            })
    }
}

/// A route that takes no query parameters (any is refused, naming it).
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// The 400 message for a query the struct refused: the parameter first.
fn query_message(path: &str, message: &str) -> String {
    if let Some(name) = field_of("", message)
        && message.starts_with("unknown field")
    {
        return format!("unknown query parameter `{name}`");
    }
    match field_of(path, message) {
        Some(name) if message.starts_with("must be") => format!("`{name}` {message}"),
        Some(name) => format!("query parameter `{name}`: {message}"),
        None => format!("malformed query string: {message}"),
    }
}

/// An optional query value parsed with `FromStr`; empty counts as absent
/// (`#[serde(default, deserialize_with = "opt")]`).
pub fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr<Err: std::fmt::Display>,
{
    let v = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<T>().map(Some).map_err(|e| {
        let e = e.to_string();
        // A message that quotes the value already is not told it twice.
        if e.contains("got `") || e.contains(&format!("`{v}`")) {
            serde::de::Error::custom(e)
        } else {
            serde::de::Error::custom(format!("{e}, got `{v}`"))
        }
    })
}

/// The value named `s` among `choices` (wire name, value), or the message a query parameter
/// reports: `must be a, b or c, got `s``.
pub fn one_of<T: Copy>(s: &str, choices: &[(&str, T)]) -> Result<T, String> {
    if let Some((_, v)) = choices.iter().find(|(name, _)| *name == s) {
        return Ok(*v);
    }
    let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
    let listed = match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    Err(format!("must be {listed}, got `{s}`"))
}

/// A page size or another cap on how many things an answer holds: a whole number from 1 to
/// `MAX`. Whatever is wrong with a value (`-1`, `0`, `abc`, too large) is refused with the same
/// words, which say what is expected: `must be a whole number from 1 to 1000, got `-1``.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit<const MAX: usize>(pub usize);

impl<const MAX: usize> std::str::FromStr for Limit<MAX> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.parse::<usize>() {
            Ok(n) if (1..=MAX).contains(&n) => Ok(Limit(n)),
            _ => Err(format!("must be a whole number from 1 to {MAX}, got `{s}`")),
        }
    }
}

/// A whole number ≥ 0 (an offset, a sequence number); anything else is refused with
/// `must be a whole number ≥ 0, got `-1`` rather than the parser's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub u64);

impl std::str::FromStr for Count {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.parse::<u64>()
            .map(Count)
            .map_err(|_| format!("must be a whole number ≥ 0, got `{s}`"))
    }
}

impl Count {
    /// As an index (saturating on a 32-bit target).
    pub fn index(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

/// A query flag: `true`/`1` or `false`/`0`, empty counting as absent
/// (`#[serde(default, deserialize_with = "flag")]`).
pub fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    match v.as_ref() {
        "" => Ok(None),
        "true" | "1" => Ok(Some(true)),
        "false" | "0" => Ok(Some(false)),
        other => Err(serde::de::Error::custom(format!(
            "must be true or false, got `{other}`"
        ))),
    }
}

/// The raw request body, within the configured limit (or the route's [`BodyCap`]).
pub struct Body(pub bytes::Bytes);

/// A route's own body limit in bytes, set with [`capped`] beside a matching
/// `DefaultBodyLimit`, so that the 413 names the limit that applied.
#[derive(Debug, Clone, Copy)]
pub struct BodyCap(pub usize);

/// A route with its own body limit.
pub fn capped<S: Clone + Send + Sync + 'static>(
    route: axum::routing::MethodRouter<S>,
    limit: usize,
) -> axum::routing::MethodRouter<S> {
    route
        .layer::<_, std::convert::Infallible>(axum::extract::DefaultBodyLimit::max(limit))
        .layer::<_, std::convert::Infallible>(axum::Extension(BodyCap(limit)))
}

impl FromRequest<AppState> for Body {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let limit = req
            .extensions()
            .get::<BodyCap>()
            .map_or(state.config().body_limit, |c| c.0);
        match bytes::Bytes::from_request(req, state).await {
            Ok(b) => Ok(Body(b)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge(limit))
            }
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

impl Body {
    /// Parse as JSON of type `T`: 400 for bad syntax, 422 naming the field otherwise.
    pub fn json<T: DeserializeOwned>(&self, table: &str) -> Result<T, AppError> {
        parse_json(&self.0, table)
    }

    /// Parse as one row of a bundle table, with every problem of the row reported the way an
    /// import reports it.
    pub fn row<T: DeserializeOwned>(&self, table: &str) -> Result<T, AppError> {
        let value: serde_json::Value = serde_json::from_slice(&self.0)
            .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
        decode_row(table, &value)
    }
}

/// Decode one row of a bundle table from a JSON value (422 with every problem).
pub fn decode_row<T: DeserializeOwned>(
    table: &str,
    value: &serde_json::Value,
) -> Result<T, AppError> {
    dangjian_bundle_io::decode_row(table, "request body", value).map_err(AppError::invalid)
}

/// Parse JSON: 400 for syntax errors, 422 (with the path of the field) for data errors. The
/// syntax of the whole body is checked first, so a truncated body is a 400 even when an early
/// field is also wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], table: &str) -> Result<T, AppError> {
    // Syntax first, without building a tree (serde_json also bounds the nesting depth).
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = strip_position(&e.into_inner().to_string());
        let field = field_of(&path, &message);
        AppError::invalid_body(table, field, message)
    })
}

/// The field a data error is about: the last path segment, or the field named by a
/// missing/unknown-field message.
pub(crate) fn field_of(path: &str, message: &str) -> Option<String> {
    for prefix in ["unknown field `", "missing field `"] {
        if let Some(rest) = message.split(prefix).nth(1)
            && let Some(name) = rest.split('`').next()
        {
            return Some(name.to_string());
        }
    }
    path.rsplit('.')
        .next()
        .filter(|s| !s.is_empty() && *s != "?")
        .map(|s| s.split('[').next().unwrap_or(s).to_string())
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Count, Limit, one_of};

    #[test]
    fn numbers_are_refused_in_words_that_say_what_is_expected() {
        assert_eq!("20".parse::<Limit<1000>>(), Ok(Limit(20)));
        for bad in ["-1", "0", "1001", "abc", "1.5"] {
            assert_eq!(
                bad.parse::<Limit<1000>>(),
                Err(format!(
                    "must be a whole number from 1 to 1000, got `{bad}`"
                ))
            );
        }
        assert_eq!("0".parse::<Count>(), Ok(Count(0)));
        assert_eq!(
            "-1".parse::<Count>(),
            Err("must be a whole number ≥ 0, got `-1`".to_string())
        );
    }

    #[test]
    fn one_of_names_every_choice_when_refusing() {
        let choices = [("json", 1), ("csv", 2), ("xlsx", 3)];
        assert_eq!(one_of("csv", &choices), Ok(2));
        assert_eq!(
            one_of("pdf", &choices),
            Err("must be json, csv or xlsx, got `pdf`".to_string())
        );
        assert_eq!(
            one_of("week", &[("month", ())]),
            Err("must be month, got `week`".to_string())
        );
    }
}
