//! Integration tests of the HTTP service: one binary, each test with its own SQLite file and
//! port (`helpers::spawn_app`).

mod access;
mod analytics;
mod bounds;
mod catalogue;
mod checklist_files;
mod diagrams;
mod errors;
mod graph;
mod helpers;
mod leaks;
mod leaks_writes;
mod live;
mod ops;
mod sample;
mod tables;
mod upload;
mod web;
mod writes;
