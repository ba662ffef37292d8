//! [`Id`]: the id of a bundle row, its own type so an id is never mistaken for a name or a scope.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// The id of a bundle row (SPEC §2): a string unique across the whole bundle. On the wire it is a
/// plain JSON string (`#[serde(transparent)]`); `Debug` and `Display` print it as the string does.
///
/// It holds a `String`, so cloning, hashing and comparing cost what they cost for a `String`, and
/// `Borrow<str>` lets maps keyed by `Id` be looked up with a `&str`. Emptiness and uniqueness are
/// bundle rules, reported by [`validate`](crate::validate) with the row's place, not refused here.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// The id as text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id's text, without copying.
    #[inline]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for Id {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    #[inline]
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Id {
    #[inline]
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0.as_str(), f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl From<String> for Id {
    #[inline]
    fn from(s: String) -> Self {
        Id(s)
    }
}

impl From<&str> for Id {
    #[inline]
    fn from(s: &str) -> Self {
        Id(s.to_owned())
    }
}

impl From<&String> for Id {
    #[inline]
    fn from(s: &String) -> Self {
        Id(s.clone())
    }
}

impl From<&Id> for Id {
    #[inline]
    fn from(id: &Id) -> Self {
        id.clone()
    }
}

impl From<Id> for String {
    #[inline]
    fn from(id: Id) -> Self {
        id.0
    }
}

impl From<&Id> for String {
    #[inline]
    fn from(id: &Id) -> Self {
        id.0.clone()
    }
}

impl std::str::FromStr for Id {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Id::from(s))
    }
}

macro_rules! eq_text {
    ($($t:ty),*) => {$(
        impl PartialEq<$t> for Id {
            #[inline]
            fn eq(&self, other: &$t) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<Id> for $t {
            #[inline]
            fn eq(&self, other: &Id) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}
eq_text!(str, &str, String);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashMap};

    #[test]
    fn is_a_plain_string_on_the_wire() {
        let id = Id::from("c-1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"c-1\"");
        let back: Id = serde_json::from_str("\"c-1\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<Id>("1").is_err());
    }

    #[test]
    fn prints_as_its_text() {
        let id = Id::from(String::from("街道-7"));
        assert_eq!(id.to_string(), "街道-7");
        assert_eq!(format!("{id:?}"), "\"街道-7\"");
        assert_eq!(format!("{:?}", Some(&id)), format!("{:?}", Some("街道-7")));
    }

    #[test]
    fn compares_with_text_both_ways() {
        let id = Id::from("u-1");
        let (text, owned) = ("u-1", String::from("u-1"));
        assert_eq!(id, text);
        assert_eq!(text, id);
        assert_eq!(id, *text);
        assert_eq!(*text, id);
        assert_eq!(id, owned);
        assert_eq!(owned, id);
        assert_ne!(id, "u-2");
        let (a, b) = (Id::from("a"), Id::from("b"));
        assert!(a < b);
        assert_eq!(id.as_str(), "u-1");
        assert_eq!(id.len(), 3);
        assert_eq!(id.clone().into_string(), "u-1");
    }

    #[test]
    fn maps_keyed_by_id_are_looked_up_by_str() {
        let hashed: HashMap<Id, u32> = [(Id::from("a"), 1)].into_iter().collect();
        assert_eq!(hashed.get("a"), Some(&1));
        assert_eq!(hashed.get("b"), None);
        let ordered: BTreeMap<Id, u32> = [(Id::from("a"), 1)].into_iter().collect();
        assert_eq!(ordered.get("a"), Some(&1));
    }
}
