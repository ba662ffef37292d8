//! Conformance: the engine's coverage and gaps documents for the two shared example networks
//! (`testdata/net-*.json`) against the independently computed `expected-*.json`, on
//! 2026-06-30, compared field by field (numbers with a tolerance).
//!
//! Under SPEC v2 (one fair allocation for the whole city) each need's met and unmet are unique,
//! so the expected files list them in `gaps.needs` (rounded to 2 decimals, computed
//! independently by progressive filling): every need's met and unmet is compared within 0.01.
//! They leave out unused capacity and list `by_domain` sorted by domain name, while the
//! engine lists it in SPEC domain order, so `by_domain` is compared as a map keyed by domain.
//! Likewise `mass_org_types` is sorted by name there and in enum order (the model's contract)
//! here, so it is compared as a set; the engine's own order is checked below.

use chrono::NaiveDate;
use dangjian_engine::Engine;
use dangjian_model::Bundle;
use serde_json::Value;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

fn load(name: &str) -> Value {
    dangjian_testdata::json(name)
}

/// Compare `expected` against `actual` (keys absent from `expected` are not compared).
fn compare(path: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (
                e.as_f64().unwrap_or(f64::NAN),
                a.as_f64().unwrap_or(f64::NAN),
            );
            if (e - a).abs() > 1e-9 * e.abs().max(1.0) {
                errors.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) if path.ends_with("gaps") && k == "by_domain" => {
                        compare_by_domain(&format!("{path}.{k}"), ev, av, errors)
                    }
                    Some(av) if path.ends_with("gaps") && k == "needs" => {
                        compare_needs(&format!("{path}.{k}"), ev, av, errors)
                    }
                    Some(av) if k == "mass_org_types" => {
                        compare(&format!("{path}.{k}"), &sorted(ev), &sorted(av), errors)
                    }
                    Some(av) => compare(&format!("{path}.{k}"), ev, av, errors),
                    None => errors.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                errors.push(format!(
                    "{path}: expected {} items, got {}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                let label = ev
                    .get("id")
                    .or_else(|| ev.get("unit"))
                    .and_then(Value::as_str)
                    .map(|s| format!("{path}[{i}:{s}]"))
                    .unwrap_or_else(|| format!("{path}[{i}]"));
                compare(&label, ev, av, errors);
            }
        }
        (e, a) => {
            if e != a {
                errors.push(format!("{path}: expected {e}, got {a}"));
            }
        }
    }
}

/// A list of strings as a sorted list (for sets whose order the files do not share).
fn sorted(v: &Value) -> Value {
    let mut items: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect();
    items.sort();
    Value::from(items)
}

type Keyed = std::collections::BTreeMap<String, Value>;

/// Two lists of objects keyed by their `key` field; a difference in the keys is an error
/// (`what` names them).
fn keyed_pair(
    what: &str,
    key: &str,
    path: &str,
    expected: &Value,
    actual: &Value,
    errors: &mut Vec<String>,
) -> (Keyed, Keyed) {
    let keyed = |v: &Value| -> Keyed {
        let rows = v.as_array().into_iter().flatten();
        rows.map(|x| (x[key].as_str().unwrap_or("").to_string(), x.clone()))
            .collect()
    };
    let (e, a) = (keyed(expected), keyed(actual));
    let (ek, ak): (Vec<&String>, Vec<&String>) = (e.keys().collect(), a.keys().collect());
    if ek != ak {
        errors.push(format!("{path}: {what} {ek:?} expected, got {ak:?}"));
    }
    (e, a)
}

/// Per-need met and unmet (keyed by need id), within 0.01; the other fields exactly.
fn compare_needs(path: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    let (e, a) = keyed_pair("needs", "need", path, expected, actual, errors);
    for (need, ev) in &e {
        let Some(av) = a.get(need) else { continue };
        for (field, x) in ev.as_object().into_iter().flatten() {
            let y = &av[field];
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) if (x - y).abs() <= 0.01 + 1e-9 => {}
                (Some(x), Some(y)) => {
                    errors.push(format!("{path}[{need}].{field}: expected {x}, got {y}"))
                }
                _ if x == y => {}
                _ => errors.push(format!("{path}[{need}].{field}: expected {x}, got {y}")),
            }
        }
    }
}

fn compare_by_domain(path: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    let (e, a) = keyed_pair("domains", "domain", path, expected, actual, errors);
    for (k, ev) in &e {
        if let Some(av) = a.get(k) {
            compare(&format!("{path}[{k}]"), ev, av, errors);
        }
    }
}

fn check(network: &str) {
    let bundle: Bundle = serde_json::from_value(load(&format!("net-{network}.json")))
        .expect("conformance bundle deserialises");
    let expected = load(&format!("expected-{network}.json"));
    let engine = Engine::new(bundle);
    let coverage = engine.coverage("city", as_of()).expect("coverage");
    let gaps = engine.gaps("city", as_of()).expect("gaps");
    let actual = serde_json::json!({
        "coverage": serde_json::to_value(&coverage).expect("serialise coverage"),
        "gaps": serde_json::to_value(&gaps).expect("serialise gaps"),
    });
    let mut errors = Vec::new();
    compare(network, &expected, &actual, &mut errors);
    assert!(
        errors.is_empty(),
        "{} differences:\n{}",
        errors.len(),
        errors.join("\n")
    );

    // What the expected files leave out must still add up.
    let unmet: f64 = gaps.unmet_needs.iter().map(|u| u.unmet).sum();
    assert!((unmet - gaps.unmet_demand).abs() < 0.01 * gaps.unmet_needs.len().max(1) as f64);
    let needs = gaps.needs.len();
    assert!(needs > 0 && needs == engine.bundle().needs.len());
    let by_domain_order: Vec<_> = gaps.by_domain.iter().map(|d| d.domain).collect();
    let mut sorted = by_domain_order.clone();
    sorted.sort();
    assert_eq!(by_domain_order, sorted, "by_domain in SPEC order");
    for c in &coverage.committees {
        let mut types = c.mass_org_types.clone();
        types.sort();
        types.dedup();
        assert_eq!(types, c.mass_org_types, "mass_org_types in enum order");
    }
    let capacity: u64 = engine.bundle().resources.iter().map(|r| r.capacity).sum();
    assert!(gaps.unused_capacity + gaps.met_demand <= capacity as f64 + 0.01);
}

#[test]
fn network_1001_matches_expected() {
    check("1001");
}

#[test]
fn network_1002_matches_expected() {
    check("1002");
}
