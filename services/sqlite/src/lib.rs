//! The embedded default store: one SQLite file through rusqlite.
