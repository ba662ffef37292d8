//! Writes (v2): a dropped client still gets its write applied, other processes' commits are
//! followed within 1 s, two services on one file see each other and never overwrite each
//! other (409/412), ETag/If-Match, batches (all or nothing, problems by row index), and the
//! change log by role.

use crate::helpers::*;
use dangjian_api::{AppState, Application, ServeConfig};
use dangjian_live::{Live, Plan, created};
use dangjian_model::{Bundle, Need, ServiceDomain, Store};
use dangjian_sqlite::SqliteStore;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A second service on the same database file as `app` (another process, as far as the
/// store is concerned: its own connections, its own memory).
async fn second_service(app: &TestApp) -> (String, tokio::sync::oneshot::Sender<()>, AppState) {
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(app.store.path()).expect("open the same file"));
    let config = ServeConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        ..ServeConfig::default()
    };
    let state = AppState::load(store, config).await.expect("state");
    let server = Application::with_state(state.clone()).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", server.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run_until(async {
        let _ = rx.await;
    }));
    (base, tx, state)
}

/// Poll `GET base+path` until `ok` holds of the body; the time it took.
async fn eventually(
    app: &TestApp,
    base: &str,
    path: &str,
    ok: impl Fn(&Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let res = app
            .get_response(&format!("{base}{path}"), &app.tokens.admin)
            .await;
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if ok(&body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} never satisfied the condition; last body {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn has_id(page: &Value, id: &str) -> bool {
    ids(page).iter().any(|i| i == id)
}

fn need(id: &str, committee: &str, demand: u32) -> Value {
    json!({"id": id, "committee": committee, "domain": "elderly_care", "demand": demand})
}

#[tokio::test]
async fn a_client_that_disconnects_mid_write_still_gets_it_applied_and_the_service_matches_the_store()
 {
    let app = spawn_app().await;
    let (base, _stop, state) = second_service(&app).await;
    // Another write holds the write lock until released, so the request below is still
    // waiting inside its write when its client hangs up.
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let live = state.live().clone();
    let blocker = std::thread::spawn(move || {
        live.write("test", move |_, _| {
            wait.recv().expect("release");
            Ok::<_, dangjian_live::WriteError>((
                Plan::Rows {
                    partial: Bundle::default(),
                    changes: Vec::new(),
                },
                (),
            ))
        })
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body = need("N8", "K2", 11).to_string();
    let addr = base.trim_start_matches("http://").to_string();
    let head = format!(
        "POST /api/v1/needs HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        app.tokens.admin,
        body.len()
    );
    // Send the request, then hang up without reading the answer.
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut socket = std::net::TcpStream::connect(&addr).expect("connect");
        socket.write_all(head.as_bytes()).expect("send");
        socket.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(300));
        drop(socket);
    })
    .await
    .expect("client");
    tokio::time::sleep(Duration::from_millis(200)).await;
    release.send(()).expect("release");
    tokio::task::spawn_blocking(move || blocker.join().expect("blocker").expect("blocker write"))
        .await
        .expect("join");
    // The dropped request's write completes anyway and the service shows it.
    eventually(&app, &base, "/api/v1/needs?limit=100", |p| has_id(p, "N8")).await;
    // The service's documents equal those of a fresh load from the store.
    let stored = app.store.load().expect("load");
    assert!(stored.needs.iter().any(|n| n.id == "N8"));
    let fresh = dangjian_engine::Engine::new(stored);
    let day = date("2026-06-30");
    for scope in ["K2", "S1", "city"] {
        for kind in ["coverage", "gaps"] {
            let res = app
                .client
                .get(format!(
                    "{base}/api/v1/{kind}?scope={scope}&as_of=2026-06-30"
                ))
                .bearer_auth(&app.tokens.admin)
                .send()
                .await
                .expect("get");
            assert_eq!(res.status(), StatusCode::OK);
            let served: Value = res.json().await.expect("json");
            let expected = if kind == "coverage" {
                serde_json::to_value(fresh.coverage(scope, day).expect("coverage"))
            } else {
                serde_json::to_value(fresh.gaps(scope, day).expect("gaps"))
            }
            .expect("json");
            assert_eq!(served, expected, "{kind} of {scope}");
        }
    }
}

#[tokio::test]
async fn writes_and_imports_by_another_process_are_served_within_a_second() {
    let app = spawn_app().await;
    // Another process writes a row through the same write path (as `dangjian add` does).
    let other: Arc<dyn Store> = Arc::new(SqliteStore::open(app.store.path()).expect("open"));
    let live = Live::<Bundle>::open(other.clone(), true).expect("live");
    let row = Need {
        id: "N9".into(),
        committee: "K2".into(),
        domain: ServiceDomain::Healthcare,
        demand: 7,
    };
    let after = serde_json::to_value(&row).expect("json");
    let partial = Bundle {
        needs: vec![row].into(),
        ..Bundle::default()
    };
    live.write("cli", |_, _| {
        Ok::<_, dangjian_live::WriteError>((
            Plan::Rows {
                partial,
                changes: vec![created("needs", Some("N9"), after)],
            },
            (),
        ))
    })
    .expect("write");
    let took = eventually(&app, &app.base, "/api/v1/needs?limit=100", |p| {
        has_id(p, "N9")
    })
    .await;
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // And an import replacing the network.
    let mut next = network();
    next.needs.retain(|n| n.id != "N3");
    next.needs[0].demand = 99;
    other.replace(&next).expect("import");
    let took = eventually(&app, &app.base, "/api/v1/needs?limit=100", |p| {
        !has_id(p, "N9") && !has_id(p, "N3")
    })
    .await;
    assert!(took < Duration::from_secs(1), "took {took:?}");
    let (_, n1) = app.get("/api/v1/needs/N1", &app.tokens.admin).await;
    assert_eq!(n1["demand"], 99);
    let (_, log) = app.get("/api/v1/changes?since=0", &app.tokens.admin).await;
    let ops = strings(&log["changes"], "op");
    assert_eq!(ops, ["import", "create", "import"], "{log}");
}

#[tokio::test]
async fn two_services_on_one_file_see_each_other_and_refuse_stale_writes() {
    let app = spawn_app().await;
    let (other, _stop, _) = second_service(&app).await;
    let a = &app.tokens.admin;
    // A writes, B sees it.
    let (s, body) = app.post("/api/v1/needs", a, need("N7", "K1", 5)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let took = eventually(&app, &other, "/api/v1/needs?limit=100", |p| has_id(p, "N7")).await;
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // B creating the same id: 409, whatever B had seen.
    let res = app
        .client
        .post(format!("{other}/api/v1/needs"))
        .bearer_auth(a)
        .json(&need("N7", "K2", 6))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Both read N1 at the same version; A changes it; B's change on the old version is 412.
    let etag_of = |res: &reqwest::Response| {
        res.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .expect("an ETag")
    };
    let res_a = app.get_response(&app.url("/api/v1/needs/N1"), a).await;
    let res_b = app
        .get_response(&format!("{other}/api/v1/needs/N1"), a)
        .await;
    let (tag_a, tag_b) = (etag_of(&res_a), etag_of(&res_b));
    assert_eq!(tag_a, tag_b, "one row, one version, in both services");
    let res = app
        .patch_if_match(
            &app.url("/api/v1/needs/N1"),
            a,
            &tag_a,
            json!({"demand": 81}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let new_tag = etag_of(&res);
    assert_ne!(new_tag, tag_a);
    let n1_b = format!("{other}/api/v1/needs/N1");
    let res = app
        .patch_if_match(&n1_b, a, &tag_b, json!({"demand": 82}))
        .await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let body: Value = res.json().await.expect("json");
    assert_eq!(code(&body), "precondition_failed");
    // A's value stands, in the store and in both services.
    let stored = app.store.load().expect("load");
    assert_eq!(
        stored.needs.iter().find(|n| n.id == "N1").map(|n| n.demand),
        Some(81)
    );
    eventually(&app, &other, "/api/v1/needs/N1", |n| n["demand"] == 81).await;
    // With the current ETag, B's change goes through.
    let res = app
        .patch_if_match(&n1_b, a, &new_tag, json!({"demand": 82}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    eventually(&app, &app.base, "/api/v1/needs/N1", |n| n["demand"] == 82).await;
}

#[tokio::test]
async fn the_store_refuses_a_stale_version_inside_its_transaction() {
    // Two writers that have not seen each other's commits: the store, not memory, decides.
    let app = spawn_app().await;
    let store_b: Arc<dyn Store> = Arc::new(SqliteStore::open(app.store.path()).expect("open"));
    let (_, versions) = store_b
        .load_versioned()
        .map(|(_, s, v)| (s, v))
        .expect("load");
    let version = versions.get("needs", "N1");
    let (s, _) = app
        .patch("/api/v1/needs/N1", &app.tokens.admin, json!({"demand": 70}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut row = serde_json::to_value(network().needs[0].clone()).expect("json");
    row["demand"] = json!(71);
    let partial = Bundle {
        needs: vec![serde_json::from_value(row.clone()).expect("need")].into(),
        ..Bundle::default()
    };
    let changes = vec![dangjian_live::updated(
        "needs",
        "N1",
        json!({}),
        row,
        version,
    )];
    let err = store_b
        .commit(&dangjian_model::Commit {
            actor: "cli",
            kind: dangjian_model::WriteKind::Rows {
                partial: &partial,
                changes: &changes,
            },
            based_on: u64::MAX,
        })
        .expect_err("stale");
    assert!(
        matches!(err, dangjian_model::StoreError::Stale { .. }),
        "{err}"
    );
    assert_eq!(
        app.store
            .load()
            .expect("load")
            .needs
            .iter()
            .find(|n| n.id == "N1")
            .map(|n| n.demand),
        Some(70)
    );
}

#[tokio::test]
async fn etag_and_if_match_on_one_service() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let res = app.get_response(&app.url("/api/v1/needs/N1"), a).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tag = res
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    let patch = |tag: &str| {
        app.client
            .patch(app.url("/api/v1/needs/N1"))
            .bearer_auth(a)
            .header("if-match", tag)
            .json(&json!({"demand": 12}))
            .send()
    };
    assert_eq!(
        patch("\"999999\"").await.expect("patch").status(),
        StatusCode::PRECONDITION_FAILED
    );
    let res = patch(&tag).await.expect("patch");
    assert_eq!(res.status(), StatusCode::OK);
    // The same ETag again is stale now.
    assert_eq!(
        patch(&tag).await.expect("patch").status(),
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(patch("*").await.expect("patch").status(), StatusCode::OK);
    // A coordinator of S2 reading a row of S1: 403, and the same for an id that does not exist.
    let (s, _) = app.get("/api/v1/needs/N1", &app.tokens.coord2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get("/api/v1/needs/NOPE", &app.tokens.coord2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A viewer reads members masked.
    let m = app.get_ok("/api/v1/members/M1", &app.tokens.viewer).await;
    assert_eq!(m["name"], "王*");
    assert!(m.get("birth_year").is_none());
}

#[tokio::test]
async fn a_batch_is_all_or_nothing_with_every_problem_by_row_index() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let bad = json!([
        need("N10", "K1", 1),
        need("N11", "NO_SUCH_COMMITTEE", 1),
        need("N12", "K2", 1),
        {"id": "N13", "committee": "K2", "domain": "elderly_care", "demand": -4},
        need("N10", "K3", 1),
    ]);
    let (s, body) = app.post("/api/v1/needs", a, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let locations = strings(&body["error"]["details"], "location");
    assert!(locations.contains(&"request body row 3"), "{body}");
    // Decoding problems come first; fix row 3 and the rest are found in one pass.
    let bad = json!([
        need("N10", "K1", 1),
        need("N11", "NO_SUCH_COMMITTEE", 1),
        need("N12", "K2", 1),
        need("N14", "ALSO_MISSING", 1),
    ]);
    let (s, body) = app.post("/api/v1/needs", a, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let locations = strings(&body["error"]["details"], "location");
    assert_eq!(
        locations,
        ["request body row 1", "request body row 3"],
        "{body}"
    );
    let (_, page) = app.get("/api/v1/needs?limit=100", a).await;
    assert!(
        !has_id(&page, "N10"),
        "nothing of a refused batch is stored"
    );
    // Duplicated ids inside a batch.
    let rows = json!([need("N10", "K1", 1), need("N10", "K2", 1)]);
    let (s, body) = app.post("/api/v1/needs", a, rows).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A good batch.
    let good = json!([
        need("N10", "K1", 1),
        need("N11", "K2", 2),
        need("N12", "K3", 3)
    ]);
    let (s, body) = app.post("/api/v1/needs", a, good).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["created"], 3);
    let (_, page) = app.get("/api/v1/needs?limit=100", a).await;
    for id in ["N10", "N11", "N12"] {
        assert!(has_id(&page, id), "{id}");
    }
    // A coordinator's batch with one row outside their subtree: 403, nothing stored.
    let rows = json!([need("N20", "K1", 1), need("N21", "K3", 1)]);
    let (s, _) = app.post("/api/v1/needs", &app.tokens.coord, rows).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, page) = app.get("/api/v1/needs?limit=100", a).await;
    assert!(!has_id(&page, "N20"));
}

#[tokio::test]
async fn the_change_log_by_role() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    // The coordinator of S1 adds a need in K1; the admin one in K3 (street S2), and hours of
    // M2 (registered in K3, outside S1) at K1.
    let (s, _) = app
        .post("/api/v1/needs", &app.tokens.coord, need("N30", "K1", 3))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app.post("/api/v1/needs", a, need("N31", "K3", 3)).await;
    assert_eq!(s, StatusCode::CREATED);
    let hours = json!({"member": "M2", "committee": "K1", "domain": "elderly_care",
                       "hours": 2.5, "date": "2026-05-03"});
    let (s, body) = app.post("/api/v1/volunteering", a, hours).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, _) = app.patch("/api/v1/needs/N1", a, json!({"demand": 5})).await;
    assert_eq!(s, StatusCode::OK);

    let log = app.get_ok("/api/v1/changes?since=0", a).await;
    let entries = log["changes"].as_array().expect("changes");
    // The fixture import, then the four writes.
    assert_eq!(entries.len(), 5, "{log}");
    assert_eq!(entries[0]["op"], "import");
    assert_eq!(entries[0]["after"]["needs"], 3);
    assert_eq!(entries[1]["id"], "N30");
    assert!(
        entries[1]["actor"]
            .as_str()
            .is_some_and(|t| t.starts_with("tok_"))
    );
    assert_ne!(
        entries[1]["actor"], entries[2]["actor"],
        "token ids differ by writer"
    );
    assert_eq!(entries[4]["op"], "update");
    assert_eq!(entries[4]["before"]["demand"], 80);
    assert_eq!(entries[4]["after"]["demand"], 5);
    let seqs: Vec<u64> = entries.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // No token secret anywhere in the log.
    for secret in app.tokens.all() {
        assert!(!log.to_string().contains(secret));
    }
    // Filters.
    let (_, only) = app
        .get("/api/v1/changes?since=0&table=needs&id=N1", a)
        .await;
    assert_eq!(only["changes"].as_array().map(Vec::len), Some(1));
    let (_, after) = app
        .get(&format!("/api/v1/changes?since={}", seqs[3]), a)
        .await;
    assert_eq!(after["changes"].as_array().map(Vec::len), Some(1));

    // The coordinator of S1: the import (counts only), N30, the hours at K1 without the
    // outside volunteer, and the N1 update; not N31 (in S2).
    let log = app
        .get_ok("/api/v1/changes?since=0", &app.tokens.coord)
        .await;
    let entries = log["changes"].as_array().expect("changes");
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["N30", "N1"], "{log}");
    let hours = entries
        .iter()
        .find(|e| e["table"] == "volunteering")
        .expect("the hours at K1");
    assert!(hours["after"].get("member").is_none(), "{hours}");
    assert_eq!(hours["after"]["committee"], "K1");
    assert!(!log.to_string().contains("M2"));
    // The viewer may not read it.
    let (s, _) = app.get("/api/v1/changes?since=0", &app.tokens.viewer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
