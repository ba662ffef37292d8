//! Every Cypher file in `queries/` runs on a real Neo4j and gives the hand-checked answers kept
//! next to it (`queries/NAME.expected.json`) on the every-table network. One test function: no
//! races on the database.

mod common;

use common::*;
use dangjian_model::*;
use serde_json::Value;
use std::path::PathBuf;

fn queries_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../queries")
}

/// Whether `got` has every column of `want` with an equal value (numbers compared as numbers,
/// so `8` and `8.0` agree).
fn row_matches(
    got: &serde_json::Map<String, Value>,
    want: &serde_json::Map<String, Value>,
) -> bool {
    want.iter().all(|(k, w)| {
        let g = got.get(k).unwrap_or(&Value::Null);
        match (g.as_f64(), w.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            _ => g == w,
        }
    })
}

/// Run every case of one expected file; `Err` names the first mismatch.
fn check_file(
    s: &dangjian_neo4j::Neo4jStore,
    name: &str,
    cypher: &str,
    expected: &Value,
) -> Result<usize, String> {
    let cases = expected["cases"]
        .as_array()
        .ok_or(format!("{name}: no cases"))?;
    for (i, case) in cases.iter().enumerate() {
        let params: Vec<(String, String)> = case["params"]
            .as_object()
            .ok_or(format!("{name} case {i}: no params"))?
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        let p: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let got = s
            .query_json(cypher, &p)
            .map_err(|e| format!("{name} case {i}: {e}"))?;
        let want: Vec<&serde_json::Map<String, Value>> = case["rows"]
            .as_array()
            .ok_or(format!("{name} case {i}: no rows"))?
            .iter()
            .filter_map(Value::as_object)
            .collect();
        if got.len() != want.len() {
            return Err(format!(
                "{name} case {i} ({params:?}): {} rows, expected {}: {got:?}",
                got.len(),
                want.len()
            ));
        }
        let ordered = case["ordered"].as_bool().unwrap_or(true);
        let mut unused: Vec<&serde_json::Map<String, Value>> = got.iter().collect();
        for (j, w) in want.iter().enumerate() {
            let hit = if ordered {
                row_matches(&got[j], w).then_some(j)
            } else {
                unused.iter().position(|g| row_matches(g, w))
            };
            match hit {
                Some(h) if !ordered => {
                    unused.remove(h);
                }
                Some(_) => {}
                None => {
                    return Err(format!(
                        "{name} case {i} ({params:?}): expected row {j} {w:?} not found in {got:?}"
                    ));
                }
            }
        }
    }
    Ok(cases.len())
}

#[test]
fn query_files_answer_as_hand_checked() {
    let s = store();
    s.replace(&every_table()).expect("replace");

    // Every file is compiled in, and every file has its expected answers next to it.
    let mut on_disk: Vec<String> = std::fs::read_dir(queries_dir())
        .expect("queries/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".cypher"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = dangjian_neo4j::queries::ALL
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);

    let mut failures = Vec::new();
    let mut cases = 0;
    for (name, cypher) in dangjian_neo4j::queries::ALL {
        let path = queries_dir().join(name.replace(".cypher", ".expected.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{name} has no expected answers at {}: {e}", path.display())
        });
        let expected: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        match check_file(&s, name, cypher, &expected) {
            Ok(n) => cases += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases >= 15, "only {cases} cases");

    // A wrong expectation is caught (the checker itself can fail).
    let wrong: Value = serde_json::json!({"cases": [{"params": {"as_of": "2026-06-30"},
        "rows": [{"resource": "R3"}, {"resource": "R2"}]}]});
    assert!(
        check_file(
            &s,
            "stranded (swapped)",
            dangjian_neo4j::queries::STRANDED_RESOURCES,
            &wrong
        )
        .is_err()
    );

    // The all-Cypher roll-ups agree with coverage_via_cypher's (areas with committees).
    let doc = s
        .coverage_via_cypher("city", Date::from_ymd_opt(2026, 6, 30).expect("a date"))
        .expect("coverage");
    let rows = s
        .query_json(
            dangjian_neo4j::queries::COVERAGE_ROLLUPS,
            &[("as_of", "2026-06-30"), ("scope", "city")],
        )
        .expect("rollups");
    let want: Vec<Value> = doc
        .rollups
        .iter()
        .filter(|r| r.committees > 0)
        .map(|r| serde_json::to_value(r).expect("json"))
        .collect();
    assert_eq!(rows.len(), want.len());
    for w in &want {
        let g = rows
            .iter()
            .find(|g| g["id"] == w["id"])
            .unwrap_or_else(|| panic!("no roll-up row for {}", w["id"]));
        for k in [
            "level",
            "committees",
            "blank_spots",
            "registered_members",
            "volunteer_hours",
        ] {
            assert_eq!(g[k], w[k], "{k} of {}", w["id"]);
        }
        assert_eq!(
            g["partners_in_reach_median"].as_f64(),
            w["partners_in_reach_median"].as_f64()
        );
    }
}
