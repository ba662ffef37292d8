//! Integration tests of the HTTP service: one binary, each test with its own SQLite file and
//! port (`helpers::spawn_app`).

mod access;
mod analytics;
mod diagrams;
mod errors;
mod helpers;
mod live;
mod ops;
mod sample;
mod tables;
mod web;
mod writes;
