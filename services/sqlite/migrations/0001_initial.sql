-- Schema version 1: one table per bundle table (SPEC §2), plus tokens and meta.
--
-- Every bundle table has `row_order INTEGER PRIMARY KEY` (the rowid alias, so VACUUM cannot
-- renumber it) and `load()` reads `ORDER BY row_order`: rows come back in the order they were
-- stored, and upserted new rows are appended. Tables with ids key them with
-- `id TEXT NOT NULL UNIQUE`, which is what foreign keys and `ON CONFLICT(id)` target.
-- Foreign keys are DEFERRABLE INITIALLY DEFERRED so that one transaction may insert rows in
-- any order (a party org's parent may come after it) and is checked whole at COMMIT.
-- Polymorphic references (`leads`, `target`, `provider`) and `employer` are plain TEXT.
-- List fields are JSON arrays in TEXT; `resources.deployed_to` is NULL when absent.
-- Dates are TEXT `YYYY-MM-DD`.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE districts (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL
);

CREATE TABLE streets (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    district  TEXT NOT NULL REFERENCES districts(id) DEFERRABLE INITIALLY DEFERRED,
    kind      TEXT NOT NULL CHECK (kind IN ('street', 'town'))
);

CREATE TABLE communities (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    street    TEXT NOT NULL REFERENCES streets(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE committees (
    row_order  INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    community  TEXT NOT NULL REFERENCES communities(id) DEFERRABLE INITIALLY DEFERRED,
    households INTEGER NOT NULL CHECK (households >= 0)
);

CREATE TABLE adjacency (
    row_order INTEGER PRIMARY KEY,
    a         TEXT NOT NULL REFERENCES committees(id) DEFERRABLE INITIALLY DEFERRED,
    b         TEXT NOT NULL REFERENCES committees(id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX adjacency_a ON adjacency(a);

CREATE TABLE party_orgs (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    level     TEXT NOT NULL
              CHECK (level IN ('working_committee', 'committee', 'general_branch', 'branch')),
    parent    TEXT REFERENCES party_orgs(id) DEFERRABLE INITIALLY DEFERRED,
    leads     TEXT NOT NULL,
    secretary TEXT NOT NULL
);
-- Without it, deleting party orgs scans the table once per deleted row for children.
CREATE INDEX party_orgs_parent ON party_orgs(parent);

CREATE TABLE units (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    category  TEXT NOT NULL CHECK (category IN
              ('enterprise', 'public_institution', 'government', 'school', 'hospital', 'other')),
    industry  TEXT NOT NULL,
    street    TEXT NOT NULL REFERENCES streets(id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE mass_orgs (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    type      TEXT NOT NULL CHECK (type IN ('union', 'youth_league', 'women_federation', 'other'))
);

CREATE TABLE social_orgs (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    street    TEXT NOT NULL REFERENCES streets(id) DEFERRABLE INITIALLY DEFERRED,
    domains   TEXT NOT NULL
);

CREATE TABLE members (
    row_order     INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    birth_year    INTEGER NOT NULL,
    employer      TEXT,
    registered_at TEXT REFERENCES committees(id) DEFERRABLE INITIALLY DEFERRED,
    skills        TEXT NOT NULL
);

CREATE TABLE partnerships (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    unit      TEXT NOT NULL REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED,
    target    TEXT NOT NULL,
    signed    TEXT NOT NULL,
    expires   TEXT
);

CREATE TABLE mass_links (
    row_order INTEGER PRIMARY KEY,
    mass_org  TEXT NOT NULL REFERENCES mass_orgs(id) DEFERRABLE INITIALLY DEFERRED,
    target    TEXT NOT NULL,
    domain    TEXT NOT NULL
);
CREATE INDEX mass_links_mass_org ON mass_links(mass_org);

CREATE TABLE resources (
    row_order   INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    provider    TEXT NOT NULL,
    domain      TEXT NOT NULL,
    capacity    INTEGER NOT NULL,
    deployed_to TEXT
);

CREATE TABLE needs (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    committee TEXT NOT NULL REFERENCES committees(id) DEFERRABLE INITIALLY DEFERRED,
    domain    TEXT NOT NULL,
    demand    INTEGER NOT NULL
);

CREATE TABLE projects (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    committee TEXT NOT NULL REFERENCES committees(id) DEFERRABLE INITIALLY DEFERRED,
    needs     TEXT NOT NULL,
    resources TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('planned', 'active', 'done'))
);

CREATE TABLE volunteering (
    row_order INTEGER PRIMARY KEY,
    member    TEXT NOT NULL REFERENCES members(id) DEFERRABLE INITIALLY DEFERRED,
    committee TEXT NOT NULL REFERENCES committees(id) DEFERRABLE INITIALLY DEFERRED,
    domain    TEXT NOT NULL,
    hours     REAL NOT NULL,
    date      TEXT NOT NULL
);
-- Lets upsert find an equal row without scanning the table.
CREATE INDEX volunteering_member ON volunteering(member);

CREATE TABLE responsibilities (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    party_org TEXT NOT NULL REFERENCES party_orgs(id) DEFERRABLE INITIALLY DEFERRED,
    item      TEXT NOT NULL,
    due       TEXT,
    status    TEXT NOT NULL CHECK (status IN ('open', 'done'))
);

CREATE TABLE tokens (
    row_order INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    role      TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    scope     TEXT,
    hash      TEXT NOT NULL,
    created   TEXT NOT NULL,
    revoked   INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
