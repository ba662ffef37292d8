//! Integration tests of the HTTP service: one binary, each test with its own SQLite file and
//! port (`helpers::spawn_app`).

mod access;
mod analytics;
mod errors;
mod helpers;
mod ops;
mod tables;
mod writes;
