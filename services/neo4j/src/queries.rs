//! The Cypher files of `queries/`, compiled in. Each can also be pasted into Neo4j Browser with
//! its parameters set by `:param` (see `queries/README.md`).

/// Coverage per committee (SPEC §3); `$as_of`, `$scope`.
pub const COVERAGE_COMMITTEES: &str = include_str!("../../../queries/coverage_committees.cypher");
/// The roll-up areas of a scope; `$scope`.
pub const COVERAGE_AREAS: &str = include_str!("../../../queries/coverage_areas.cypher");
