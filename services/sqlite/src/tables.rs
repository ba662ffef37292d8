//! Writing a bundle into the per-table schema and reading it back, table by table, with
//! cached prepared statements inside the caller's transaction.

use crate::codec::{
    TextEnum, date_at, date_text, enum_at, json_at, json_text, opt_date_at, opt_json_at,
};
use dangjian_model::{
    Adjacency, Bundle, Committee, Community, District, Id, MassLink, MassOrg, Member, Need,
    Partnership, PartyOrg, Project, Resource, Responsibility, SocialOrg, Street, Unit,
    Volunteering,
};
use rusqlite::{Connection, Row, params};

/// A failure while reading or writing one table.
#[derive(Debug)]
pub(crate) struct Fail {
    /// What was being done, e.g. `writing table members (row 3, id m3)`; empty when unknown.
    pub(crate) what: String,
    pub(crate) err: rusqlite::Error,
}

impl From<rusqlite::Error> for Fail {
    fn from(err: rusqlite::Error) -> Self {
        Fail {
            what: String::new(),
            err,
        }
    }
}

/// One stored bundle table: its name, its columns in bundle field order (without
/// `row_order`), and whether rows are keyed by `id`.
pub(crate) struct TableDef {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [&'static str],
    pub(crate) keyed: bool,
}

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Plain inserts into emptied tables.
    Replace,
    /// Keyed rows: insert or update by id; id-less rows: insert unless an equal row exists.
    Upsert,
}

/// The INSERT statement for `table` in `mode`.
pub(crate) fn insert_sql(table: &TableDef, mode: Mode) -> String {
    let cols = table.columns.join(", ");
    let params: Vec<String> = (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
    let params = params.join(", ");
    let name = table.name;
    match (mode, table.keyed) {
        (Mode::Replace, _) => format!("INSERT INTO {name} ({cols}) VALUES ({params})"),
        (Mode::Upsert, true) => {
            let set: Vec<String> = table
                .columns
                .iter()
                .filter(|c| **c != "id")
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            // Skipping unchanged rows keeps their pages clean: re-importing the same rows
            // writes nothing.
            let changed: Vec<String> = table
                .columns
                .iter()
                .filter(|c| **c != "id")
                .map(|c| format!("{c} IS NOT excluded.{c}"))
                .collect();
            format!(
                "INSERT INTO {name} ({cols}) VALUES ({params}) ON CONFLICT(id) DO UPDATE SET {} \
                 WHERE {}",
                set.join(", "),
                changed.join(" OR ")
            )
        }
        (Mode::Upsert, false) => {
            let equal: Vec<String> = table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ?{}", i + 1))
                .collect();
            format!(
                "INSERT INTO {name} ({cols}) SELECT {params} \
                 WHERE NOT EXISTS (SELECT 1 FROM {name} WHERE {})",
                equal.join(" AND ")
            )
        }
    }
}

/// Runs `f`, so that `?` inside a row's parameter list stops at that row.
fn attempt<T>(f: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    f()
}

/// Writes one table's rows with one cached statement; a failing row is named in the error.
macro_rules! write_rows {
    ($conn:expr, $mode:expr, $def:expr, $rows:expr, |$r:ident| [$($v:expr),* $(,)?], id = $id:expr) => {{
        let rows = &$rows;
        if !rows.is_empty() {
            let mut stmt = $conn.prepare_cached(&insert_sql(&$def, $mode))?;
            for (i, $r) in rows.iter().enumerate() {
                let result = attempt(|| stmt.execute(params![$($v),*]));
                if let Err(err) = result {
                    let id: Option<&str> = $id;
                    let what = match id {
                        Some(id) => format!("writing table {} (row {}, id {id})", $def.name, i + 1),
                        None => format!("writing table {} (row {})", $def.name, i + 1),
                    };
                    return Err(Fail { what, err });
                }
            }
        }
    }};
}

/// Delete every bundle row, children before parents so that no foreign-key check has to
/// scan a non-empty child table.
pub(crate) fn delete_all(conn: &Connection) -> Result<(), Fail> {
    for table in ALL_TABLES.iter().rev() {
        conn.prepare_cached(&format!("DELETE FROM {}", table.name))?
            .execute([])
            .map_err(|err| Fail {
                what: format!("emptying table {}", table.name),
                err,
            })?;
    }
    Ok(())
}

/// Indexes that only serve upsert's equal-row lookups. `replace` drops them before its bulk
/// insert and builds them afterwards in the same transaction: one sort beats maintaining a
/// B-tree row by row. Each must match its definition in the migrations (a test checks).
pub(crate) const BULK_INDEXES: [(&str, &str); 3] = [
    ("adjacency_a", "CREATE INDEX adjacency_a ON adjacency(a)"),
    (
        "mass_links_mass_org",
        "CREATE INDEX mass_links_mass_org ON mass_links(mass_org)",
    ),
    (
        "volunteering_member",
        "CREATE INDEX volunteering_member ON volunteering(member)",
    ),
];

/// Drop the [`BULK_INDEXES`].
pub(crate) fn drop_bulk_indexes(conn: &Connection) -> Result<(), Fail> {
    for (name, _) in BULK_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    Ok(())
}

/// Build the [`BULK_INDEXES`] again.
pub(crate) fn create_bulk_indexes(conn: &Connection) -> Result<(), Fail> {
    for (name, sql) in BULK_INDEXES {
        conn.execute_batch(sql).map_err(|err| Fail {
            what: format!("building index {name}"),
            err,
        })?;
    }
    Ok(())
}

/// Whether every bundle table is empty.
pub(crate) fn all_empty(conn: &Connection) -> rusqlite::Result<bool> {
    for table in ALL_TABLES {
        let any: bool = conn
            .prepare_cached(&format!("SELECT EXISTS (SELECT 1 FROM {})", table.name))?
            .query_row([], |r| r.get(0))?;
        if any {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Read one table in stored order.
fn read_rows<T>(
    conn: &Connection,
    def: &TableDef,
    decode: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, Fail> {
    let ctx = |err| Fail {
        what: format!("reading table {}", def.name),
        err,
    };
    // The largest row_order bounds the row count; reserving avoids regrowing big vectors.
    let capacity: i64 = conn
        .prepare_cached(&format!(
            "SELECT coalesce(max(row_order), 0) FROM {}",
            def.name
        ))?
        .query_row([], |r| r.get(0))
        .map_err(ctx)?;
    let mut out = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    let sql = format!(
        "SELECT {} FROM {} ORDER BY row_order",
        def.columns.join(", "),
        def.name
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(ctx)?;
    let mut rows = stmt.query([]).map_err(ctx)?;
    while let Some(row) = rows.next().map_err(ctx)? {
        out.push(decode(row).map_err(ctx)?);
    }
    Ok(out)
}

/// A value's column codec: `plain` (bound and read as is), `id` and `opt_id` (an [`Id`] as
/// text), `text` (a [`TextEnum`]), `json` and `opt_json` (a list as JSON text), `date` and
/// `opt_date` (`YYYY-MM-DD`).
macro_rules! put {
    (plain $v:expr) => {
        $v
    };
    (id $v:expr) => {
        $v.as_str()
    };
    (opt_id $v:expr) => {
        $v.as_deref()
    };
    (text $v:expr) => {
        $v.as_text()
    };
    (json $v:expr) => {
        json_text(&$v)?
    };
    (opt_json $v:expr) => {
        $v.as_ref().map(json_text).transpose()?
    };
    (date $v:expr) => {
        date_text(&$v)
    };
    (opt_date $v:expr) => {
        $v.as_ref().map(date_text)
    };
}

macro_rules! get {
    (plain $r:ident $i:expr) => {
        $r.get($i)?
    };
    (id $r:ident $i:expr) => {
        Id::from($r.get::<_, String>($i)?)
    };
    (opt_id $r:ident $i:expr) => {
        $r.get::<_, Option<String>>($i)?.map(Id::from)
    };
    (text $r:ident $i:expr) => {
        enum_at($r, $i)?
    };
    (json $r:ident $i:expr) => {
        json_at($r, $i)?
    };
    (opt_json $r:ident $i:expr) => {
        opt_json_at($r, $i)?
    };
    (date $r:ident $i:expr) => {
        date_at($r, $i)?
    };
    (opt_date $r:ident $i:expr) => {
        opt_date_at($r, $i)?
    };
}

macro_rules! column {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident $col:literal) => {
        $col
    };
}

macro_rules! keyed {
    (id) => {
        true
    };
    () => {
        false
    };
}

macro_rules! row_id {
    ($r:ident id) => {
        Some(&$r.id)
    };
    ($r:ident) => {
        None
    };
}

/// The stored tables, one line each: the constant, the bundle table and its row type, `id`
/// when rows are keyed by it, and each field in column order with its column name when it
/// differs and its codec (see `put!`). From this come the [`TableDef`]s, [`ALL_TABLES`],
/// [`write_bundle`] and [`read_bundle`].
macro_rules! sql_tables {
    ($($konst:ident $t:ident: $row:ident $($id:ident)? [$($f:ident $(= $col:literal)? $codec:ident),* $(,)?];)*) => {
        $(
            pub(crate) const $konst: TableDef = TableDef {
                name: stringify!($t),
                columns: &[$(column!($f $($col)?)),*],
                keyed: keyed!($($id)?),
            };
        )*

        /// All bundle tables in bundle (SPEC §2) order; parents come before their children
        /// except for the party-org hierarchy, which deferred foreign keys allow.
        pub(crate) const ALL_TABLES: [&TableDef; 17] = [$(&$konst),*];

        /// Insert (or upsert) every row of `b`, table by table in bundle order.
        pub(crate) fn write_bundle(conn: &Connection, b: &Bundle, mode: Mode) -> Result<(), Fail> {
            $(write_rows!(conn, mode, $konst, b.$t, |r| [$(put!($codec r.$f)),*], id = row_id!(r $($id)?));)*
            Ok(())
        }

        /// Read the whole stored network; the caller holds one read transaction around it.
        pub(crate) fn read_bundle(conn: &Connection) -> Result<Bundle, Fail> {
            Ok(Bundle {
                $($t: read_rows(conn, &$konst, |r| {
                    let mut i = 0;
                    let mut next = || {
                        i += 1;
                        i - 1
                    };
                    Ok($row { $($f: get!($codec r next())),* })
                })?
                .into(),)*
            })
        }
    };
}

sql_tables! {
    DISTRICTS districts: District id [id id, name plain];
    STREETS streets: Street id [id id, name plain, district id, kind text];
    COMMUNITIES communities: Community id [id id, name plain, street id];
    COMMITTEES committees: Committee id [id id, name plain, community id, households plain];
    ADJACENCY adjacency: Adjacency [a id, b id];
    PARTY_ORGS party_orgs: PartyOrg id [
        id id, name plain, level text, parent opt_id, leads id, secretary plain,
    ];
    UNITS units: Unit id [id id, name plain, category text, industry plain, street id];
    MASS_ORGS mass_orgs: MassOrg id [id id, name plain, kind = "type" text];
    SOCIAL_ORGS social_orgs: SocialOrg id [id id, name plain, street id, domains json];
    MEMBERS members: Member id [
        id id, name plain, birth_year plain, employer opt_id, registered_at opt_id, skills json,
    ];
    PARTNERSHIPS partnerships: Partnership id [
        id id, unit id, target id, signed date, expires opt_date,
    ];
    MASS_LINKS mass_links: MassLink [mass_org id, target id, domain text];
    RESOURCES resources: Resource id [
        id id, name plain, provider id, domain text, capacity plain, deployed_to opt_json,
    ];
    NEEDS needs: Need id [id id, committee id, domain text, demand plain];
    PROJECTS projects: Project id [
        id id, name plain, committee id, needs json, resources json, status text,
    ];
    VOLUNTEERING volunteering: Volunteering [
        member id, committee id, domain text, hours plain, date date,
    ];
    RESPONSIBILITIES responsibilities: Responsibility id [
        id id, party_org id, item plain, due opt_date, status text,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_sql_updates_every_column_but_id() {
        assert_eq!(
            insert_sql(&DISTRICTS, Mode::Upsert),
            "INSERT INTO districts (id, name) VALUES (?1, ?2) \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name WHERE name IS NOT excluded.name"
        );
        assert_eq!(
            insert_sql(&ADJACENCY, Mode::Upsert),
            "INSERT INTO adjacency (a, b) SELECT ?1, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM adjacency WHERE a = ?1 AND b = ?2)"
        );
        assert_eq!(
            insert_sql(&ADJACENCY, Mode::Replace),
            "INSERT INTO adjacency (a, b) VALUES (?1, ?2)"
        );
    }

    #[test]
    fn table_list_follows_the_bundle() {
        let names: Vec<&str> = ALL_TABLES.iter().map(|t| t.name).collect();
        assert_eq!(names, dangjian_model::TABLES);
    }
}
