//! How a bundle maps onto the graph: one label per table, reference fields as relationships,
//! the three id-less tables (adjacency, mass links, volunteering) as relationships carrying
//! their row. The graph schema is documented in `queries/README.md`.

use dangjian_model::Bundle;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// A table stored as nodes: its bundle name and its label.
pub(crate) struct NodeTable {
    pub table: &'static str,
    pub label: &'static str,
}

macro_rules! node_tables {
    ($($t:ident: $row:ident,)*) => {
        /// The node tables in bundle order: the tables with ids, labelled as their row type.
        pub(crate) const NODE_TABLES: [NodeTable; 14] = [$(NodeTable {
            table: stringify!($t),
            label: stringify!($row),
        }),*];
    };
}
dangjian_model::for_each_table!(keyed node_tables);

/// A table stored as relationships: bundle name, relationship type, the source and target
/// fields, and the fields kept as relationship properties.
pub(crate) struct RelTable {
    pub table: &'static str,
    pub rel: &'static str,
    pub source: &'static str,
    pub target: &'static str,
    pub props: &'static [&'static str],
}

impl RelTable {
    /// A row's source id, target id and relationship properties (its row index and the kept
    /// fields).
    pub(crate) fn edge_of<'r>(
        &self,
        row: &'r Map<String, Value>,
    ) -> (&'r str, &'r str, Map<String, Value>) {
        let field = |f: &str| row.get(f).and_then(Value::as_str).unwrap_or_default();
        let mut props = Map::new();
        for key in std::iter::once("row").chain(self.props.iter().copied()) {
            if let Some(v) = row.get(key) {
                props.insert(key.into(), v.clone());
            }
        }
        (field(self.source), field(self.target), props)
    }
}

/// The relationship tables.
pub(crate) const REL_TABLES: [RelTable; 3] = [
    RelTable {
        table: "adjacency",
        rel: "ADJACENT",
        source: "a",
        target: "b",
        props: &[],
    },
    RelTable {
        table: "mass_links",
        rel: "LINKS",
        source: "mass_org",
        target: "target",
        props: &["domain"],
    },
    RelTable {
        table: "volunteering",
        rel: "VOLUNTEERED",
        source: "member",
        target: "committee",
        props: &["domain", "hours", "date"],
    },
];

/// The relationship table stored for the bundle table `table`, one of [`REL_TABLES`].
pub(crate) fn rel_table(table: &str) -> &'static RelTable {
    REL_TABLES
        .iter()
        .find(|t| t.table == table)
        .unwrap_or_else(|| unreachable!("REL_TABLES has no table {table}"))
}

/// The relationship types derived from reference fields of node tables:
/// (table, field, type, source is the row itself (true) or the field's node (false)).
/// List fields give one relationship per element.
#[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
pub(crate) const REF_RELS: [(&str, &str, &str, bool); 16] = [
    ("streets", "district", "IN", true),
    ("communities", "street", "IN", true),
    ("committees", "community", "IN", true),
    ("party_orgs", "parent", "PARENT", true),
    ("party_orgs", "leads", "LEADS", true),
    ("units", "street", "LOCATED_IN", true),
    ("social_orgs", "street", "LOCATED_IN", true),
    ("members", "employer", "EMPLOYED_BY", true),
    ("members", "registered_at", "REGISTERED_AT", true),
    ("partnerships", "unit", "SIGNED", false),
    ("partnerships", "target", "WITH", true),
    ("resources", "provider", "PROVIDED_BY", true),
    ("resources", "deployed_to", "DEPLOYED_TO", true),
    ("needs", "committee", "AT", true),
    ("projects", "committee", "AT", true),
    ("responsibilities", "party_org", "OF", true),
];

/// Also from projects: needs and resources lists.
#[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
pub(crate) const PROJECT_LIST_RELS: [(&str, &str); 2] =
    [("needs", "ADDRESSES"), ("resources", "USES")];

/// Rows serialised as JSON objects, each with its `row` index.
#[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
pub(crate) fn rows_of<T: Serialize>(rows: &[T]) -> Result<Vec<Map<String, Value>>, String> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| match serde_json::to_value(r) {
            Ok(Value::Object(mut m)) => {
                m.insert("row".into(), json!(i));
                Ok(m)
            }
            Ok(other) => Err(format!("a row serialised to {other}, not an object")),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

macro_rules! rows_by_table {
    ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
        /// The rows of one table as JSON objects with their `row` index.
        #[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
        pub(crate) fn table_rows(
            bundle: &Bundle,
            table: &str,
        ) -> Result<Vec<Map<String, Value>>, String> {
            match table {
                $(stringify!($t) => rows_of(&bundle.$t),)*
                other => Err(format!("unknown table {other}")),
            }
        }
    };
}
dangjian_model::for_each_table!(rows_by_table);

/// An edge to write: source id, target id, properties.
#[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
pub(crate) type Edge = (String, String, Map<String, Value>);

/// The reference edges of a bundle, grouped by relationship type (in a stable order).
#[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
pub(crate) fn reference_edges(bundle: &Bundle) -> Result<Vec<(&'static str, Vec<Edge>)>, String> {
    let mut out: Vec<(&'static str, Vec<Edge>)> = Vec::new();
    let mut push = |rel: &'static str, e: Edge| {
        if let Some(slot) = out.iter_mut().find(|(r, _)| *r == rel) {
            slot.1.push(e);
        } else {
            out.push((rel, vec![e]));
        }
    };
    for (table, field, rel, from_row) in REF_RELS {
        for row in table_rows(bundle, table)? {
            let Some(id) = row.get("id").and_then(Value::as_str) else {
                continue;
            };
            let targets: Vec<String> = match row.get(field) {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(xs)) => xs
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            for (pos, t) in targets.into_iter().enumerate() {
                let mut props = Map::new();
                if matches!(row.get(field), Some(Value::Array(_))) {
                    props.insert("pos".into(), json!(pos));
                }
                if from_row {
                    push(rel, (id.to_owned(), t, props));
                } else {
                    push(rel, (t, id.to_owned(), props));
                }
            }
        }
    }
    for (field, rel) in PROJECT_LIST_RELS {
        for p in &bundle.projects {
            let list = if field == "needs" {
                &p.needs
            } else {
                &p.resources
            };
            for (pos, t) in list.iter().enumerate() {
                let mut props = Map::new();
                props.insert("pos".into(), json!(pos));
                push(rel, (p.id.clone().into(), t.clone().into(), props));
            }
        }
    }
    Ok(out)
}

/// The rows of a relationship table as edges (row index and kept fields as properties).
#[cfg_attr(not(test), allow(dead_code))] // the import's equivalence test; in-place writes
pub(crate) fn rel_table_edges(bundle: &Bundle, t: &RelTable) -> Result<Vec<Edge>, String> {
    table_rows(bundle, t.table)?
        .into_iter()
        .map(|row| {
            let (s, d, props) = t.edge_of(&row);
            Ok((s.to_owned(), d.to_owned(), props))
        })
        .collect()
}

/// The serde field names of row type `T`, in declaration order: what its derived
/// `Deserialize` asks a deserializer for. Imports name every property in their Cypher (a
/// `CREATE` with a literal map is planned once and sets properties without a map walk) and the
/// projection reads them back as lists in the same order.
pub(crate) fn fields_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::value::Error;
    use serde::de::{Deserializer, Error as _, Visitor};
    /// A deserializer that only listens for the field list.
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            *self.0 = fields;
            Err(Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}
