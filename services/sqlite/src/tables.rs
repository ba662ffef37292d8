//! Writing a bundle into the per-table schema and reading it back, table by table, with
//! cached prepared statements inside the caller's transaction.

use crate::codec::{
    TextEnum, date_at, date_text, enum_at, json_at, json_text, opt_date_at, opt_json_at,
};
use dangjian_model::{
    Adjacency, Bundle, Committee, Community, District, MassLink, MassOrg, Member, Need,
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

macro_rules! table {
    ($konst:ident, $name:literal, keyed = $keyed:literal, [$($col:literal),* $(,)?]) => {
        pub(crate) const $konst: TableDef = TableDef {
            name: $name,
            columns: &[$($col),*],
            keyed: $keyed,
        };
    };
}

table!(DISTRICTS, "districts", keyed = true, ["id", "name"]);
table!(
    STREETS,
    "streets",
    keyed = true,
    ["id", "name", "district", "kind"]
);
table!(
    COMMUNITIES,
    "communities",
    keyed = true,
    ["id", "name", "street"]
);
table!(
    COMMITTEES,
    "committees",
    keyed = true,
    ["id", "name", "community", "households"]
);
table!(ADJACENCY, "adjacency", keyed = false, ["a", "b"]);
table!(
    PARTY_ORGS,
    "party_orgs",
    keyed = true,
    ["id", "name", "level", "parent", "leads", "secretary"]
);
table!(
    UNITS,
    "units",
    keyed = true,
    ["id", "name", "category", "industry", "street"]
);
table!(MASS_ORGS, "mass_orgs", keyed = true, ["id", "name", "type"]);
table!(
    SOCIAL_ORGS,
    "social_orgs",
    keyed = true,
    ["id", "name", "street", "domains"]
);
table!(
    MEMBERS,
    "members",
    keyed = true,
    [
        "id",
        "name",
        "birth_year",
        "employer",
        "registered_at",
        "skills"
    ]
);
table!(
    PARTNERSHIPS,
    "partnerships",
    keyed = true,
    ["id", "unit", "target", "signed", "expires"]
);
table!(
    MASS_LINKS,
    "mass_links",
    keyed = false,
    ["mass_org", "target", "domain"]
);
table!(
    RESOURCES,
    "resources",
    keyed = true,
    [
        "id",
        "name",
        "provider",
        "domain",
        "capacity",
        "deployed_to"
    ]
);
table!(
    NEEDS,
    "needs",
    keyed = true,
    ["id", "committee", "domain", "demand"]
);
table!(
    PROJECTS,
    "projects",
    keyed = true,
    ["id", "name", "committee", "needs", "resources", "status"]
);
table!(
    VOLUNTEERING,
    "volunteering",
    keyed = false,
    ["member", "committee", "domain", "hours", "date"]
);
table!(
    RESPONSIBILITIES,
    "responsibilities",
    keyed = true,
    ["id", "party_org", "item", "due", "status"]
);

/// All bundle tables in bundle (SPEC §2) order; parents come before their children except
/// for the party-org hierarchy, which deferred foreign keys allow.
pub(crate) const ALL_TABLES: [&TableDef; 17] = [
    &DISTRICTS,
    &STREETS,
    &COMMUNITIES,
    &COMMITTEES,
    &ADJACENCY,
    &PARTY_ORGS,
    &UNITS,
    &MASS_ORGS,
    &SOCIAL_ORGS,
    &MEMBERS,
    &PARTNERSHIPS,
    &MASS_LINKS,
    &RESOURCES,
    &NEEDS,
    &PROJECTS,
    &VOLUNTEERING,
    &RESPONSIBILITIES,
];

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

/// Insert (or upsert) every row of `b`, table by table in bundle order.
pub(crate) fn write_bundle(conn: &Connection, b: &Bundle, mode: Mode) -> Result<(), Fail> {
    write_rows!(
        conn,
        mode,
        DISTRICTS,
        b.districts,
        |r| [r.id, r.name],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        STREETS,
        b.streets,
        |r| [r.id, r.name, r.district, r.kind.as_text()],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        COMMUNITIES,
        b.communities,
        |r| [r.id, r.name, r.street],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        COMMITTEES,
        b.committees,
        |r| [r.id, r.name, r.community, r.households],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        ADJACENCY,
        b.adjacency,
        |r| [r.a, r.b],
        id = None
    );
    write_rows!(
        conn,
        mode,
        PARTY_ORGS,
        b.party_orgs,
        |r| [
            r.id,
            r.name,
            r.level.as_text(),
            r.parent,
            r.leads,
            r.secretary
        ],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        UNITS,
        b.units,
        |r| [r.id, r.name, r.category.as_text(), r.industry, r.street],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        MASS_ORGS,
        b.mass_orgs,
        |r| [r.id, r.name, r.kind.as_text()],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        SOCIAL_ORGS,
        b.social_orgs,
        |r| [r.id, r.name, r.street, json_text(&r.domains)?],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        MEMBERS,
        b.members,
        |r| [
            r.id,
            r.name,
            r.birth_year,
            r.employer,
            r.registered_at,
            json_text(&r.skills)?
        ],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        PARTNERSHIPS,
        b.partnerships,
        |r| [
            r.id,
            r.unit,
            r.target,
            date_text(&r.signed),
            r.expires.as_ref().map(date_text)
        ],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        MASS_LINKS,
        b.mass_links,
        |r| [r.mass_org, r.target, r.domain.as_text()],
        id = None
    );
    write_rows!(
        conn,
        mode,
        RESOURCES,
        b.resources,
        |r| [
            r.id,
            r.name,
            r.provider,
            r.domain.as_text(),
            r.capacity,
            r.deployed_to.as_ref().map(json_text).transpose()?
        ],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        NEEDS,
        b.needs,
        |r| [r.id, r.committee, r.domain.as_text(), r.demand],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        PROJECTS,
        b.projects,
        |r| [
            r.id,
            r.name,
            r.committee,
            json_text(&r.needs)?,
            json_text(&r.resources)?,
            r.status.as_text()
        ],
        id = Some(&r.id)
    );
    write_rows!(
        conn,
        mode,
        VOLUNTEERING,
        b.volunteering,
        |r| [
            r.member,
            r.committee,
            r.domain.as_text(),
            r.hours,
            date_text(&r.date)
        ],
        id = None
    );
    write_rows!(
        conn,
        mode,
        RESPONSIBILITIES,
        b.responsibilities,
        |r| [
            r.id,
            r.party_org,
            r.item,
            r.due.as_ref().map(date_text),
            r.status.as_text()
        ],
        id = Some(&r.id)
    );
    Ok(())
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

/// Read the whole stored network; the caller holds one read transaction around it.
pub(crate) fn read_bundle(conn: &Connection) -> Result<Bundle, Fail> {
    Ok(Bundle {
        districts: (read_rows(conn, &DISTRICTS, |r| {
            Ok(District {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?)
        .into(),
        streets: (read_rows(conn, &STREETS, |r| {
            Ok(Street {
                id: r.get(0)?,
                name: r.get(1)?,
                district: r.get(2)?,
                kind: enum_at(r, 3)?,
            })
        })?)
        .into(),
        communities: (read_rows(conn, &COMMUNITIES, |r| {
            Ok(Community {
                id: r.get(0)?,
                name: r.get(1)?,
                street: r.get(2)?,
            })
        })?)
        .into(),
        committees: (read_rows(conn, &COMMITTEES, |r| {
            Ok(Committee {
                id: r.get(0)?,
                name: r.get(1)?,
                community: r.get(2)?,
                households: r.get(3)?,
            })
        })?)
        .into(),
        adjacency: (read_rows(conn, &ADJACENCY, |r| {
            Ok(Adjacency {
                a: r.get(0)?,
                b: r.get(1)?,
            })
        })?)
        .into(),
        party_orgs: (read_rows(conn, &PARTY_ORGS, |r| {
            Ok(PartyOrg {
                id: r.get(0)?,
                name: r.get(1)?,
                level: enum_at(r, 2)?,
                parent: r.get(3)?,
                leads: r.get(4)?,
                secretary: r.get(5)?,
            })
        })?)
        .into(),
        units: (read_rows(conn, &UNITS, |r| {
            Ok(Unit {
                id: r.get(0)?,
                name: r.get(1)?,
                category: enum_at(r, 2)?,
                industry: r.get(3)?,
                street: r.get(4)?,
            })
        })?)
        .into(),
        mass_orgs: (read_rows(conn, &MASS_ORGS, |r| {
            Ok(MassOrg {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: enum_at(r, 2)?,
            })
        })?)
        .into(),
        social_orgs: (read_rows(conn, &SOCIAL_ORGS, |r| {
            Ok(SocialOrg {
                id: r.get(0)?,
                name: r.get(1)?,
                street: r.get(2)?,
                domains: json_at(r, 3)?,
            })
        })?)
        .into(),
        members: (read_rows(conn, &MEMBERS, |r| {
            Ok(Member {
                id: r.get(0)?,
                name: r.get(1)?,
                birth_year: r.get(2)?,
                employer: r.get(3)?,
                registered_at: r.get(4)?,
                skills: json_at(r, 5)?,
            })
        })?)
        .into(),
        partnerships: (read_rows(conn, &PARTNERSHIPS, |r| {
            Ok(Partnership {
                id: r.get(0)?,
                unit: r.get(1)?,
                target: r.get(2)?,
                signed: date_at(r, 3)?,
                expires: opt_date_at(r, 4)?,
            })
        })?)
        .into(),
        mass_links: (read_rows(conn, &MASS_LINKS, |r| {
            Ok(MassLink {
                mass_org: r.get(0)?,
                target: r.get(1)?,
                domain: enum_at(r, 2)?,
            })
        })?)
        .into(),
        resources: (read_rows(conn, &RESOURCES, |r| {
            Ok(Resource {
                id: r.get(0)?,
                name: r.get(1)?,
                provider: r.get(2)?,
                domain: enum_at(r, 3)?,
                capacity: r.get(4)?,
                deployed_to: opt_json_at(r, 5)?,
            })
        })?)
        .into(),
        needs: (read_rows(conn, &NEEDS, |r| {
            Ok(Need {
                id: r.get(0)?,
                committee: r.get(1)?,
                domain: enum_at(r, 2)?,
                demand: r.get(3)?,
            })
        })?)
        .into(),
        projects: (read_rows(conn, &PROJECTS, |r| {
            Ok(Project {
                id: r.get(0)?,
                name: r.get(1)?,
                committee: r.get(2)?,
                needs: json_at(r, 3)?,
                resources: json_at(r, 4)?,
                status: enum_at(r, 5)?,
            })
        })?)
        .into(),
        volunteering: (read_rows(conn, &VOLUNTEERING, |r| {
            Ok(Volunteering {
                member: r.get(0)?,
                committee: r.get(1)?,
                domain: enum_at(r, 2)?,
                hours: r.get(3)?,
                date: date_at(r, 4)?,
            })
        })?)
        .into(),
        responsibilities: (read_rows(conn, &RESPONSIBILITIES, |r| {
            Ok(Responsibility {
                id: r.get(0)?,
                party_org: r.get(1)?,
                item: r.get(2)?,
                due: opt_date_at(r, 3)?,
                status: enum_at(r, 4)?,
            })
        })?)
        .into(),
    })
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
