//! The role × endpoint matrix: 401 without a valid token, viewers cannot write, coordinators
//! are confined to their street and learn nothing about another one.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const GETS: [&str; 22] = [
    "/api/v1/coverage",
    "/api/v1/gaps",
    "/api/v1/party-orgs/P1/checklist",
    "/api/v1/brokers",
    "/api/v1/areas",
    "/api/v1/districts",
    "/api/v1/streets",
    "/api/v1/communities",
    "/api/v1/committees",
    "/api/v1/committees/K1",
    "/api/v1/party-orgs",
    "/api/v1/units",
    "/api/v1/mass-orgs",
    "/api/v1/social-orgs",
    "/api/v1/members",
    "/api/v1/partnerships",
    "/api/v1/mass-links",
    "/api/v1/resources",
    "/api/v1/needs",
    "/api/v1/projects",
    "/api/v1/volunteering",
    "/api/v1/responsibilities",
];

#[tokio::test]
async fn every_read_needs_a_valid_token_and_every_role_may_read() {
    let app = spawn_app().await;
    for path in GETS {
        let (s, body) = app.send(app.client.get(app.url(path))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path} without a token");
        assert_eq!(code(&body), "unauthorized");
        let (s, _) = app.get(path, "djg_0000").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path} with an unknown token");
        let (s, _) = app.get(path, &app.tokens.revoked).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path} with a revoked token");
        for token in [&app.tokens.admin, &app.tokens.coord, &app.tokens.viewer] {
            app.get_ok(path, token).await;
        }
    }
    // Writes, and the what-if POST (a read with a body), need a token too.
    for (path, body) in writes().into_iter().chain([("/api/v1/whatif", json!({}))]) {
        let method = method_of(path);
        let req = app
            .client
            .request(method.clone(), app.url(path))
            .json(&body);
        let (s, _) = app.send(req).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
    }
}

/// How a write reaches `path`: POST to a table (or an action), PATCH to one row.
fn method_of(path: &str) -> Method {
    if path.matches('/').count() > 3 {
        Method::PATCH
    } else {
        Method::POST
    }
}

/// One write of each kind a viewer may not make, with its body.
fn writes() -> Vec<(&'static str, Value)> {
    vec![
        (
            "/api/v1/partnerships",
            json!({"id": "PS9", "unit": "U1", "target": "K2", "signed": "2026-01-01"}),
        ),
        (
            "/api/v1/volunteering",
            json!({"member": "M1", "committee": "K1", "domain": "greening", "hours": 1, "date": "2026-01-01"}),
        ),
        ("/api/v1/members/M1", json!({"registered_at": "K2"})),
        ("/api/v1/responsibilities/RS1", json!({"status": "done"})),
        (
            "/api/v1/needs",
            json!({"id": "N9", "committee": "K1", "domain": "greening", "demand": 1}),
        ),
        ("/api/v1/import", json!({})),
    ]
}

#[tokio::test]
async fn viewers_cannot_write() {
    let app = spawn_app().await;
    let v = &app.tokens.viewer;
    for (path, body) in writes() {
        let method = method_of(path);
        let (s, resp) = app.send_json(method.clone(), path, v, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {resp}");
        assert_eq!(code(&resp), "forbidden");
    }
    let (s, _) = app.get("/api/v1/partnerships/", &app.tokens.admin).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn viewers_read_members_masked() {
    let app = spawn_app().await;
    let page = app
        .get_ok("/api/v1/members?committee=K1", &app.tokens.viewer)
        .await;
    let m = &page["items"][0];
    assert_eq!(m["id"], "M1");
    assert_eq!(m["name"], "王*");
    assert!(m.get("birth_year").is_none(), "{m}");
    assert!(m.get("employer").is_none(), "{m}");
    assert_eq!(m["registered_at"], "K1");
    let text = page.to_string();
    assert!(!text.contains("王小明") && !text.contains("1990"));
    let (s, _) = app
        .get("/api/v1/members?employer=U1", &app.tokens.viewer)
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "filtering by employer would reveal it"
    );
    // Admins and coordinators see the data.
    let (_, page) = app
        .get("/api/v1/members?committee=K1", &app.tokens.coord)
        .await;
    assert_eq!(page["items"][0]["name"], "王小明");
    assert_eq!(page["items"][0]["birth_year"], 1990);
}

/// Ids and names of street S2 that a coordinator of S1 must never see.
const S2_SECRETS: [&str; 12] = [
    "\"S2\"", "\"C2\"", "\"K3\"", "\"U2\"", "\"M2\"", "\"N2\"", "\"R2\"", "\"P3\"", "\"P4\"",
    "\"PS2\"", "花木", "李红",
];

fn assert_no_s2(what: &str, body: &Value) {
    let text = body.to_string();
    for secret in S2_SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

#[tokio::test]
async fn a_coordinator_learns_nothing_about_another_street() {
    let app = spawn_app().await;
    let c = &app.tokens.coord;
    // Reads default to their street and stay in it.
    for path in GETS {
        let path = if path.contains("checklist") {
            format!("{path}?subtree=true")
        } else {
            path.to_string()
        };
        let body = app.get_ok(&path, c).await;
        assert_no_s2(&path, &body);
    }
    let (_, cov) = app.get("/api/v1/coverage?as_of=2026-06-30", c).await;
    assert_eq!(cov["scope"], "S1");
    assert_eq!(cov["committees"].as_array().map(Vec::len), Some(2));
    let (_, page) = app.get("/api/v1/committees", c).await;
    assert_eq!(page["total"], 2);
    let (_, page) = app.get("/api/v1/members", c).await;
    assert_eq!(ids(&page), vec!["M1", "M3"]);
    // Filters naming the other street are 403 (v2: an empty page would confirm that K3
    // exists elsewhere), like an id that does not exist at all.
    app.get_each(
        &[
            "/api/v1/members?committee=K3",
            "/api/v1/members?committee=K-nowhere",
        ],
        c,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Scopes and entities outside: 403.
    let outside = [
        "/api/v1/coverage?scope=S2",
        "/api/v1/coverage?scope=K3",
        "/api/v1/coverage?scope=city",
        "/api/v1/coverage?scope=D1",
        "/api/v1/gaps?scope=S2",
        "/api/v1/brokers?scope=S2",
        "/api/v1/areas?scope=C2",
        "/api/v1/committees/K3",
        "/api/v1/party-orgs/P4/checklist",
        "/api/v1/party-orgs/P3/checklist?subtree=true",
    ];
    for (path, body) in app.get_each(&outside, c, StatusCode::FORBIDDEN).await {
        assert_no_s2(path, &body["error"]["details"]);
    }
    // What-if: a unit or partnership of the other street is refused; results stay inside.
    let (s, _) = app
        .post("/api/v1/whatif", c, json!({"without_units": ["U2"]}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let row = json!({"without_partnerships": ["PS2"]});
    let (s, _) = app.post("/api/v1/whatif", c, row).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let row = json!({"without_units": ["U1"], "scope": "S2"});
    let (s, _) = app.post("/api/v1/whatif", c, row).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let row = json!({"without_units": ["U1"], "as_of": "2026-06-30"});
    let (s, body) = app.post("/api/v1/whatif", c, row).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_no_s2("whatif", &body);
    // The other coordinator sees their own street, not ours.
    let (_, cov) = app.get("/api/v1/coverage", &app.tokens.coord2).await;
    assert_eq!(cov["scope"], "S2");
    let (s, _) = app.get("/api/v1/committees/K1", &app.tokens.coord2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn coordinators_write_only_inside_their_street() {
    let app = spawn_app().await;
    let c = &app.tokens.coord;
    // Inside: allowed (201 for a new row, 200 for a changed one).
    let allowed = [
        (
            "/api/v1/partnerships",
            json!({"id": "PS9", "unit": "U2", "target": "K2", "signed": "2026-01-01"}),
        ),
        ("/api/v1/members/M3", json!({"registered_at": "K1"})),
        ("/api/v1/responsibilities/RS1", json!({"status": "done"})),
    ];
    for (path, body) in allowed {
        let method = method_of(path);
        let (s, resp) = app.send_json(method.clone(), path, c, body).await;
        let status = if method == Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        assert_eq!(s, status, "{method} {path}: {resp}");
    }
    // Outside: forbidden, and nothing changes.
    let forbidden = [
        (
            "/api/v1/partnerships",
            json!({"id": "PS8", "unit": "U1", "target": "K3", "signed": "2026-01-01"}),
        ),
        ("/api/v1/partnerships/PS2", json!({"expires": "2026-07-01"})),
        (
            "/api/v1/members",
            json!({"id": "M7", "name": "赵六", "birth_year": 1990, "registered_at": "K3"}),
        ),
        ("/api/v1/members/M1", json!({"registered_at": "K3"})),
        ("/api/v1/members/M2", json!({"registered_at": "K1"})),
        (
            "/api/v1/volunteering",
            json!({"member": "M1", "committee": "K3", "domain": "greening", "hours": 2, "date": "2026-03-01"}),
        ),
        ("/api/v1/responsibilities/RS2", json!({"status": "done"})),
    ];
    for (path, body) in forbidden {
        let method = method_of(path);
        let (s, resp) = app.send_json(method.clone(), path, c, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {resp}");
    }
    let (s, _) = app.post("/api/v1/import?merge=true", c, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only admins import");
    let (_, page) = app
        .get("/api/v1/members?committee=K3", &app.tokens.admin)
        .await;
    assert_eq!(ids(&page), vec!["M2"]);
    let (_, page) = app
        .get("/api/v1/partnerships?target=K3", &app.tokens.admin)
        .await;
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn a_coordinator_cannot_probe_ids_outside_by_writing() {
    let app = spawn_app().await;
    let c = &app.tokens.coord;
    let outside = |id: &str| format!("`{id}` is outside the scope of this token");
    // Creating a row inside the street with an id taken in the other street (a need, a
    // committee) answers exactly what an id outside does — not 409 or a duplicate-id 422.
    for id in ["N2", "K3", "PS2"] {
        let need = json!({"id": id, "committee": "K1", "domain": "elderly_care", "demand": 5});
        let (s, body) = app.post("/api/v1/needs", c, need).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "create {id}: {body}");
        assert_eq!(body["error"]["message"], outside(id), "create {id}");
        assert_no_s2(id, &body["error"]["details"]);
    }
    // The same id in a batch: 403 too, and nothing is written.
    let batch = json!([
        {"id": "N8", "committee": "K1", "domain": "elderly_care", "demand": 5},
        {"id": "N2", "committee": "K1", "domain": "elderly_care", "demand": 5},
    ]);
    let (s, body) = app.post("/api/v1/needs", c, batch).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, _) = app.get("/api/v1/needs/N8", &app.tokens.admin).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A patch of a row outside names the row asked for, never what holds it, and reads
    // the same as a patch of an id that does not exist.
    for (path, id) in [
        ("/api/v1/needs/N2", "N2"),
        ("/api/v1/partnerships/PS2", "PS2"),
        ("/api/v1/responsibilities/RS2", "RS2"),
        ("/api/v1/needs/N-nowhere", "N-nowhere"),
    ] {
        let (s, body) = app
            .send_json(Method::PATCH, path, c, json!({"demand": 1}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "PATCH {path}: {body}");
        assert_eq!(body["error"]["message"], outside(id), "PATCH {path}");
    }
    // Inside the street the coordinator may learn that an id is taken: 409.
    let mine = json!({"id": "N1", "committee": "K1", "domain": "elderly_care", "demand": 5});
    let (s, body) = app.post("/api/v1/needs", c, mine).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    // An admin sees the conflict wherever the row lies.
    let theirs = json!({"id": "N2", "committee": "K1", "domain": "elderly_care", "demand": 5});
    let (s, _) = app.post("/api/v1/needs", &app.tokens.admin, theirs).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn revocation_takes_effect_once_the_token_cache_expires() {
    let app = spawn_with(dangjian_api::ServeConfig {
        token_cache_ttl: std::time::Duration::ZERO,
        ..dangjian_api::ServeConfig::default()
    })
    .await;
    let (info, secret) =
        dangjian_model::tokens::create(app.store.as_ref(), dangjian_model::TokenRole::Viewer, None)
            .expect("token");
    assert!(secret.starts_with("djg_"));
    let stored = dangjian_model::Store::tokens(app.store.as_ref()).expect("tokens");
    let rec = stored.iter().find(|t| t.id == info.id).expect("stored");
    assert_eq!(rec.hash, dangjian_model::tokens::hash(&secret));
    assert!(!stored.iter().any(|t| t.hash.contains(&secret[4..])));
    // A token created while serving works.
    app.get_ok("/api/v1/districts", &secret).await;
    assert!(dangjian_model::Store::revoke_token(app.store.as_ref(), &info.id).expect("revoke"));
    let (s, _) = app.get("/api/v1/districts", &secret).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// A path of the OpenAPI document with its parameters filled in (any id will do: the answers
/// checked here come before the id is looked up).
fn concrete(path: &str) -> String {
    path.replace("{id}", "K1").replace("{file}", "S1.dot")
}

/// What the OpenAPI document says the operations answer, checked against what they answer:
/// every operation with a bearer security requirement lists 401 and answers it, with
/// `WWW-Authenticate: Bearer`, to a request without a token; every one with query parameters
/// lists 400 and answers it to an unknown parameter; every one with a `scope` lists 403 and
/// 404 and answers them to a scope outside the token's street and to one that does not exist.
#[tokio::test]
async fn the_openapi_document_lists_the_errors_operations_answer() {
    let app = spawn_app().await;
    let (s, doc) = app
        .send(app.client.get(app.url("/api/v1/openapi.json")))
        .await;
    assert_eq!(s, StatusCode::OK, "the document needs no token");
    let paths = doc["paths"].as_object().expect("paths");
    let mut secured = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let listed = |status: &str| op["responses"].get(status).is_some();
            let url = app.url(&concrete(path));
            let bearer = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if bearer {
                secured += 1;
                assert!(listed("401"), "{method} {path} does not list 401");
                let res = app
                    .client
                    .request(method.clone(), &url)
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
                let challenge = res
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                assert!(
                    challenge.starts_with("Bearer"),
                    "{method} {path}: {challenge:?}"
                );
                let body: Value = res.json().await.expect("JSON error");
                assert_eq!(code(&body), "unauthorized", "{method} {path}");
            }
            let query: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .collect();
            if !query.is_empty() {
                assert!(listed("400"), "{method} {path} does not list 400");
                let req = app
                    .client
                    .request(method.clone(), format!("{url}?colour=red"));
                let (s, body) = app.send(req.bearer_auth(&app.tokens.admin)).await;
                assert_eq!(s, StatusCode::BAD_REQUEST, "{method} {path}: {body}");
                assert_eq!(
                    body["error"]["message"], "unknown query parameter `colour`",
                    "{method} {path}"
                );
            }
            if query.contains(&"scope") {
                assert!(listed("403") && listed("404"), "{method} {path}");
                for (token, scope, status) in [
                    (&app.tokens.admin, "NOWHERE", StatusCode::NOT_FOUND),
                    (&app.tokens.coord, "S2", StatusCode::FORBIDDEN),
                ] {
                    let req = app
                        .client
                        .request(method.clone(), format!("{url}?scope={scope}"));
                    let (s, body) = app.send(req.bearer_auth(token)).await;
                    assert_eq!(s, status, "{method} {path}?scope={scope}: {body}");
                }
            }
        }
    }
    assert!(secured >= 40, "only {secured} operations need a token");
    // The expensive documents list their 503 (busy, with `Retry-After`).
    for path in [
        "/api/v1/coverage",
        "/api/v1/gaps",
        "/api/v1/brokers",
        "/api/v1/areas",
    ] {
        let r = &doc["paths"][path]["get"]["responses"];
        assert!(r.get("503").is_some(), "{path}: {r}");
        assert!(r["503"]["headers"].get("Retry-After").is_some(), "{path}");
    }
}
