//! The Cypher files of `queries/`, compiled in. Each can also be pasted into Neo4j Browser with
//! its parameters set by `:param` (see `queries/README.md`).

/// Coverage per committee (SPEC §3); `$as_of`, `$scope`.
pub const COVERAGE_COMMITTEES: &str = include_str!("../../../queries/coverage_committees.cypher");
/// The roll-up areas of a scope; `$scope`.
pub const COVERAGE_AREAS: &str = include_str!("../../../queries/coverage_areas.cypher");
/// Coverage roll-ups computed entirely in Cypher (for Neo4j Browser); `$as_of`, `$scope`.
pub const COVERAGE_ROLLUPS: &str = include_str!("../../../queries/coverage_rollups.cypher");
/// Committees with blank spots; `$as_of`, `$scope`.
pub const BLANK_SPOTS: &str = include_str!("../../../queries/blank_spots.cypher");
/// Units that are the only partner in reach of some committees; `$as_of`, `$scope`.
pub const SOLE_PARTNER_UNITS: &str = include_str!("../../../queries/sole_partner_units.cypher");
/// Needs no resource can serve; `$as_of`, `$scope`.
pub const UNREACHABLE_NEEDS: &str = include_str!("../../../queries/unreachable_needs.cypher");
/// Resources no need can use, city-wide; `$as_of`.
pub const STRANDED_RESOURCES: &str = include_str!("../../../queries/stranded_resources.cypher");
/// A party org's explicit checklist items; `$as_of`, `$party_org`.
pub const CHECKLIST_EXPLICIT: &str = include_str!("../../../queries/checklist_explicit.cypher");
/// A party org's partnership checklist items; `$as_of`, `$party_org`.
pub const CHECKLIST_PARTNERSHIPS: &str =
    include_str!("../../../queries/checklist_partnerships.cypher");

/// Every query file: (file name, text).
pub const ALL: [(&str, &str); 9] = [
    ("coverage_committees.cypher", COVERAGE_COMMITTEES),
    ("coverage_areas.cypher", COVERAGE_AREAS),
    ("coverage_rollups.cypher", COVERAGE_ROLLUPS),
    ("blank_spots.cypher", BLANK_SPOTS),
    ("sole_partner_units.cypher", SOLE_PARTNER_UNITS),
    ("unreachable_needs.cypher", UNREACHABLE_NEEDS),
    ("stranded_resources.cypher", STRANDED_RESOURCES),
    ("checklist_explicit.cypher", CHECKLIST_EXPLICIT),
    ("checklist_partnerships.cypher", CHECKLIST_PARTNERSHIPS),
];
