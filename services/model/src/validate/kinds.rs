//! Kinds and ids: what kind of row an id names ([`Kind`], one per table with ids, from the
//! table registry), and the index of every id of a bundle with its empty and duplicate ids.

use super::{Row, Validator};
use crate::bundle::*;
use crate::merge::Keyed;
use std::collections::HashMap;

/// Every id of a bundle: its kind and position. foldhash (hashbrown's own default hasher) is
/// fast on short id strings and well mixed in the low bits hashbrown picks buckets with, which
/// matters with millions of sequential ids (BENCHMARKS.md, "Benchmark history moved from code").
pub(super) type IdIndex<'a> = HashMap<&'a str, (Kind, usize), foldhash::fast::RandomState>;

macro_rules! kinds {
    ($($t:ident: $row:ident,)*) => {
        /// What kind of row an id names: one per table with ids, named as its row type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($row,)*
        }

        impl Kind {
            /// The table that holds rows of this kind.
            pub fn table(self) -> &'static str {
                match self {
                    $(Self::$row => stringify!($t),)*
                }
            }

            /// Every kind, in bundle order.
            pub const ALL: [Kind; 14] = [$(Self::$row),*];
        }

        /// Calls `f(kind, position, id)` for every row with an id, in bundle order.
        pub(crate) fn each_id<'a>(b: &'a Bundle, mut f: impl FnMut(Kind, usize, &'a str)) {
            $(
                for (i, r) in b.$t.iter().enumerate() {
                    f(Kind::$row, i, r.key());
                }
            )*
        }
    };
}
crate::for_each_table!(keyed kinds);

impl Kind {
    /// The kind of a table with ids, by table name.
    pub fn of_table(table: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.table() == table)
    }

    /// A noun for messages and its Chinese: (`committee`, `居委会`), (`party org`, `党组织`).
    pub fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Self::District => ("district", "区"),
            Self::Street => ("street", "街镇"),
            Self::Community => ("community", "社区"),
            Self::Committee => ("committee", "居委会"),
            Self::PartyOrg => ("party org", "党组织"),
            Self::Unit => ("unit", "单位"),
            Self::MassOrg => ("mass org", "群团组织"),
            Self::SocialOrg => ("social org", "社会组织"),
            Self::Member => ("member", "党员"),
            Self::Partnership => ("partnership", "共建"),
            Self::Resource => ("resource", "资源"),
            Self::Need => ("need", "需求"),
            Self::Project => ("project", "项目"),
            Self::Responsibility => ("responsibility", "责任事项"),
        }
    }

    /// A noun for messages: `committee`, `party org`.
    pub fn noun(self) -> &'static str {
        self.nouns().0
    }

    /// The noun in Chinese: `居委会`, `党组织`.
    pub fn noun_zh(self) -> &'static str {
        self.nouns().1
    }

    /// The kind whose English noun is `noun`.
    pub fn of_noun(noun: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.noun() == noun)
    }
}

/// `street, community or committee`: the nouns of `kinds` for a message.
pub(super) fn plural_nouns(kinds: &[Kind]) -> String {
    let nouns: Vec<&str> = kinds.iter().map(|k| k.noun()).collect();
    match nouns.len() {
        0 => String::new(),
        1 => nouns[0].to_string(),
        n => format!("{} or {}", nouns[..n - 1].join(", "), nouns[n - 1]),
    }
}

impl<'a> Validator<'a> {
    /// A validator knowing every id of `b`, having reported its empty and duplicate ids.
    pub(super) fn new(b: &'a Bundle) -> Self {
        let keyed = b.row_count() - b.adjacency.len() - b.mass_links.len() - b.volunteering.len();
        let mut v =
            Validator::with_index(IdIndex::with_capacity_and_hasher(keyed, Default::default()));
        each_id(b, |kind, i, id| v.add_id(kind, i, id));
        v
    }

    /// Indexes the id of row `index` of `kind`'s table, or reports it empty or taken.
    fn add_id(&mut self, kind: Kind, index: usize, id: &'a str) {
        if id.trim().is_empty() {
            self.empty_id(kind, index, id);
            return;
        }
        match self.index.get(id) {
            Some(&(k, j)) => {
                let msg = format!(
                    "duplicate id `{id}`: already used by {} /{}/{j}",
                    k.noun(),
                    k.table()
                );
                let row = Row {
                    table: kind.table(),
                    index,
                    id: Some(id),
                };
                self.push(row, Some("id"), msg);
            }
            None => {
                self.index.insert(id, (kind, index));
            }
        }
    }

    /// Reports the blank id of row `index` of `kind`'s table.
    pub(super) fn empty_id(&mut self, kind: Kind, index: usize, id: &str) {
        let row = Row {
            table: kind.table(),
            index,
            id: Some(id),
        };
        let msg = "id is empty; every row needs a non-empty id".into();
        self.push(row, Some("id"), msg);
    }
}
