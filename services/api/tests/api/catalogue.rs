//! The API half of the bad-input catalogue (issue 10): a table of hostile or out-of-bounds
//! writes and imports, each with the HTTP status and a fragment of the JSON error it must
//! give, each followed by a check that the stored network did not change (loaded from the
//! SQLite store before and after). The CLI half is `services/cli/tests/cli/catalogue.rs`.

use crate::helpers::*;
use dangjian_model::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

enum Method {
    Post,
    Patch,
}

struct Case {
    name: &'static str,
    method: Method,
    path: &'static str,
    /// The request body, as raw text (so that malformed JSON can be sent too).
    body: fn() -> String,
    status: StatusCode,
    /// The error code of the body.
    code: &'static str,
    /// A fragment of the error body (message or details).
    fragment: &'static str,
}

fn text(v: Value) -> String {
    v.to_string()
}

/// The fixture network as JSON, with one change.
fn network_with(f: fn(&mut Value)) -> String {
    let mut v = serde_json::to_value(network()).expect("bundle");
    f(&mut v);
    v.to_string()
}

fn nested(depth: usize) -> String {
    format!("{{\"districts\": {}", "[".repeat(depth))
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const BAD: StatusCode = StatusCode::BAD_REQUEST;

fn cases() -> Vec<Case> {
    use Method::*;
    vec![
        Case {
            name: "a need with demand 7e18",
            method: Post,
            path: "/api/v1/needs",
            body: || {
                text(
                    json!({"id": "N9", "committee": "K1", "domain": "greening", "demand": 7_000_000_000_000_000_000u64}),
                )
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "demand 7000000000000000000 is above the limit of 1000000000",
        },
        Case {
            name: "a need with demand one past the limit",
            method: Post,
            path: "/api/v1/needs",
            body: || {
                text(
                    json!({"id": "N9", "committee": "K1", "domain": "greening", "demand": 1_000_000_001}),
                )
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "demand 1000000001 is above the limit",
        },
        Case {
            name: "a demand raised past the limit",
            method: Patch,
            path: "/api/v1/needs/N1",
            body: || text(json!({"demand": 5_000_000_000u64})),
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "demand 5000000000 is above the limit",
        },
        Case {
            name: "a resource with capacity past the limit",
            method: Post,
            path: "/api/v1/resources",
            body: || {
                text(
                    json!({"id": "R9", "name": "大队", "provider": "SO1", "domain": "greening", "capacity": 2_000_000_000u64}),
                )
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "capacity 2000000000 is above the limit of 1000000000",
        },
        Case {
            name: "a capacity raised past the limit",
            method: Patch,
            path: "/api/v1/resources/R1",
            body: || text(json!({"capacity": 1_000_000_001})),
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "capacity 1000000001 is above the limit",
        },
        Case {
            name: "volunteering hours past 10,000",
            method: Post,
            path: "/api/v1/volunteering",
            body: || {
                text(
                    json!({"member": "M3", "committee": "K2", "domain": "greening", "hours": 10_001, "date": "2026-06-01"}),
                )
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "hours 10001 is above the limit of 10000 per row",
        },
        Case {
            name: "a need with the reserved id city",
            method: Post,
            path: "/api/v1/needs",
            body: || {
                text(json!({"id": "city", "committee": "K1", "domain": "greening", "demand": 1}))
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "`city` is a reserved word and cannot be an id",
        },
        Case {
            name: "a member with the reserved id city",
            method: Post,
            path: "/api/v1/members",
            body: || text(json!({"id": "city", "name": "钱七", "birth_year": 1990, "skills": []})),
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "`city` is a reserved word",
        },
        Case {
            name: "an import renaming street S1 to city",
            method: Post,
            path: "/api/v1/import",
            body: || {
                network_with(|v| {
                    *v = serde_json::from_str(&v.to_string().replace("\"S1\"", "\"city\""))
                        .expect("json");
                })
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "`city` is a reserved word",
        },
        Case {
            name: "a merge adding a district city",
            method: Post,
            path: "/api/v1/import?merge=true",
            body: || text(json!({"districts": [{"id": "city", "name": "全市"}]})),
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "`city` is a reserved word",
        },
        Case {
            name: "an import with three needs of demand 7e18",
            method: Post,
            path: "/api/v1/import",
            body: || {
                network_with(|v| {
                    for n in v["needs"].as_array_mut().expect("needs") {
                        n["demand"] = json!(7_000_000_000_000_000_000u64);
                    }
                })
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "/needs/2",
        },
        Case {
            name: "an import with hours past the limit",
            method: Post,
            path: "/api/v1/import",
            body: || network_with(|v| v["volunteering"][0]["hours"] = json!(99_999)),
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "hours 99999 is above the limit of 10000 per row",
        },
        Case {
            name: "an import nested 17 deep",
            method: Post,
            path: "/api/v1/import",
            body: || nested(17),
            status: BAD,
            code: "bad_request",
            fragment: "arrays and objects nested more than 16 deep",
        },
        Case {
            name: "an import nested 100,000 deep",
            method: Post,
            path: "/api/v1/import",
            body: || nested(100_000),
            status: BAD,
            code: "bad_request",
            fragment: "nested more than 16 deep",
        },
        Case {
            name: "a truncated import",
            method: Post,
            path: "/api/v1/import",
            body: || {
                let whole = network_with(|_| {});
                let mut half = whole.len() / 2;
                while !whole.is_char_boundary(half) {
                    half -= 1;
                }
                whole[..half].to_string()
            },
            status: BAD,
            code: "bad_request",
            fragment: "EOF while parsing",
        },
        Case {
            name: "a need whose demand is text",
            method: Post,
            path: "/api/v1/needs",
            body: || {
                text(json!({"id": "N9", "committee": "K1", "domain": "greening", "demand": "lots"}))
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "expected a whole number > 0, found the text \\\"lots\\\"",
        },
        Case {
            name: "a need with an unknown field",
            method: Post,
            path: "/api/v1/needs",
            body: || {
                text(
                    json!({"id": "N9", "committee": "K1", "domain": "greening", "demand": 1, "urgency": 9}),
                )
            },
            status: UNPROCESSABLE,
            code: "invalid",
            fragment: "unknown field `urgency`",
        },
        Case {
            name: "a need whose demand is nested 100,000 deep",
            method: Post,
            path: "/api/v1/needs",
            body: || format!("{{\"id\": \"N9\", \"demand\": {}", "[".repeat(100_000)),
            status: BAD,
            code: "bad_request",
            fragment: "recursion limit exceeded",
        },
    ]
}

#[tokio::test]
async fn every_bad_write_is_refused_with_its_status_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = &app.tokens.admin;
    let before = app.store.load().expect("load");
    let mut failures = Vec::new();
    for case in cases() {
        let req = match case.method {
            Method::Post => app.client.post(app.url(case.path)),
            Method::Patch => app.client.patch(app.url(case.path)),
        };
        let (status, body) = app
            .send(
                req.bearer_auth(admin)
                    .header("content-type", "application/json")
                    .body((case.body)()),
            )
            .await;
        let shown = body.to_string();
        if status != case.status || code(&body) != case.code {
            failures.push(format!(
                "{}: {status} `{}`, expected {} `{}`: {shown}",
                case.name,
                code(&body),
                case.status,
                case.code
            ));
        } else if !shown.contains(case.fragment) {
            failures.push(format!("{}: no `{}` in {shown}", case.name, case.fragment));
        }
        let after = app.store.load().expect("load");
        if after != before {
            failures.push(format!("{}: the stored network changed", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
