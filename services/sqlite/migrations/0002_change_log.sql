-- Schema version 2: the change log and row versions (SPEC §5 "Writes (v2)").
--
-- Every write (a row, a batch, an import) appends to `change_log` in the transaction that
-- makes it; `seq` is the store's sequence, which other processes poll to notice commits.
-- An import is one entry whose `after` holds row counts. `row_versions` holds, for rows written
-- one by one since the last import, the sequence of the last change to them; every other row
-- is at the version of the last import (`meta.import_seq`).

CREATE TABLE change_log (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    op     TEXT NOT NULL,
    tbl    TEXT,
    row_id TEXT,
    before TEXT,
    after  TEXT
);
CREATE INDEX change_log_row ON change_log (tbl, row_id, seq);

CREATE TABLE row_versions (
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (tbl, row_id)
) WITHOUT ROWID;
