//! Writes: create (201, 409), patch (200, 404), validation as for import (422 with details),
//! import (replace and merge), and concurrent writers with readers.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn partnerships_create_conflict_and_end() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let row = json!({"id": "PS3", "unit": "U2", "target": "K2", "signed": "2026-01-01"});
    let (s, body) = app.post("/api/v1/partnerships", a, row.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body, row);
    // A read after the write sees it.
    let (_, cov) = app
        .get("/api/v1/coverage?scope=K2&as_of=2026-06-30", a)
        .await;
    assert_eq!(cov["committees"][0]["partners_direct"], 1);
    let (s, body) = app.post("/api/v1/partnerships", a, row).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(code(&body), "conflict");
    let row = json!({"expires": "2026-03-01"});
    let (s, body) = app.patch("/api/v1/partnerships/PS3", a, row).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["expires"], "2026-03-01");
    let (_, cov) = app
        .get("/api/v1/coverage?scope=K2&as_of=2026-06-30", a)
        .await;
    assert_eq!(
        cov["committees"][0]["partners_direct"], 0,
        "the ended partnership no longer counts"
    );
    let row = json!({"expires": "2026-03-01"});
    let (s, _) = app.patch("/api/v1/partnerships/NOPE", a, row).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .patch("/api/v1/partnerships/PS3", a, json!({"id": "PS4"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The store has it too: a fresh load sees the write.
    let stored = dangjian_model::Store::load(app.store.as_ref()).expect("load");
    let ps3 = stored
        .partnerships
        .iter()
        .find(|p| p.id == "PS3")
        .expect("PS3 stored");
    assert_eq!(ps3.expires, Some(date("2026-03-01")));
}

#[tokio::test]
async fn members_register_and_move() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let row = json!({"id": "M5", "name": "赵六", "birth_year": 1995, "skills": ["法律"]});
    let (s, body) = app.post("/api/v1/members", a, row).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let row = json!({"registered_at": "K2", "employer": "U1"});
    let (s, body) = app.patch("/api/v1/members/M5", a, row).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["registered_at"], "K2");
    assert_eq!(body["name"], "赵六");
    let (_, page) = app.get("/api/v1/members?committee=K2", a).await;
    assert_eq!(ids(&page), vec!["M3", "M5"]);
    let (s, body) = app
        .patch("/api/v1/members/M5", a, json!({"employer": null}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.get("employer").is_none());
    let (s, body) = app
        .patch("/api/v1/members/M5", a, json!({"registered_at": "K404"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&body), "invalid");
    assert!(
        body["error"]["details"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    let (s, _) = app
        .patch("/api/v1/members/M404", a, json!({"registered_at": "K1"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn needs_resources_responsibilities_and_volunteering() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let row = json!({"id": "N9", "committee": "K2", "domain": "greening", "demand": 5});
    let (s, b) = app.post("/api/v1/needs", a, row).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app.patch("/api/v1/needs/N9", a, json!({"demand": 7})).await;
    assert_eq!((s, b["demand"].clone()), (StatusCode::OK, json!(7)));
    let (s, b) = app
        .post("/api/v1/resources", a, json!({"id": "R9", "name": "绿化队", "provider": "SO1", "domain": "greening", "capacity": 10}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, _) = app
        .patch("/api/v1/resources/R9", a, json!({"deployed_to": ["K2"]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, gaps) = app.get("/api/v1/gaps?scope=K2&as_of=2026-06-30", a).await;
    assert_eq!(gaps["total_demand"], 17);
    assert_eq!(gaps["met_demand"], 7.0);
    let row = json!({"id": "RS9", "party_org": "P1", "item": "组织议事", "status": "open"});
    let (s, _) = app.post("/api/v1/responsibilities", a, row).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .patch("/api/v1/responsibilities/RS1", a, json!({"status": "done"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, doc) = app
        .get("/api/v1/party-orgs/P1/checklist?as_of=2026-07-01", a)
        .await;
    let rs1 = doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["facts"] == json!(["RS1"]))
        .cloned()
        .expect("RS1 item");
    assert_eq!(rs1["status"], "done");
    assert_eq!(rs1["rag"], "none");
    let hours = json!({"member": "M3", "committee": "K2", "domain": "greening", "hours": 3, "date": "2026-06-01"});
    let (s, _) = app.post("/api/v1/volunteering", a, hours.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, cov) = app
        .get("/api/v1/coverage?scope=K2&as_of=2026-06-30", a)
        .await;
    assert_eq!(cov["committees"][0]["volunteer_hours"], 3.0);
    // An equal row again is the same record: 200, nothing added, nothing logged; a batch
    // counts what it added and what was stored already.
    let (_, log) = app.get("/api/v1/changes?since=0", a).await;
    let logged = log["changes"].as_array().map(Vec::len);
    let (s, b) = app.post("/api/v1/volunteering", a, hours.clone()).await;
    assert_eq!((s, b["hours"].clone()), (StatusCode::OK, json!(3.0)), "{b}");
    let other = json!({"member": "M3", "committee": "K2", "domain": "greening", "hours": 1, "date": "2026-06-02"});
    let (s, b) = app
        .post("/api/v1/volunteering", a, json!([hours, other, other]))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["created"].clone(), b["already_stored"].clone()),
        (json!(1), json!(2))
    );
    let (_, log) = app.get("/api/v1/changes?since=0", a).await;
    assert_eq!(
        log["changes"].as_array().map(Vec::len),
        logged.map(|n| n + 1)
    );
    let (_, cov) = app
        .get("/api/v1/coverage?scope=K2&as_of=2026-06-30", a)
        .await;
    assert_eq!(cov["committees"][0]["volunteer_hours"], 4.0);
}

#[tokio::test]
async fn invalid_writes_change_nothing() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let row = json!({"id": "PS5", "unit": "U404", "target": "K1", "signed": "2026-01-01"});
    let (s, body) = app.post("/api/v1/partnerships", a, row).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let details = body["error"]["details"].as_array().expect("details");
    assert!(
        details.iter().any(|d| d["table"] == "partnerships"
            && d["field"] == "unit"
            && d["location"] == "request body"),
        "{body}"
    );
    // In a batch, each problem names its row of the request (not a position in the network).
    let rows = json!([
        {"member": "M3", "committee": "K2", "domain": "greening", "hours": 2, "date": "2026-06-03"},
        {"member": "M404", "committee": "K2", "domain": "greening", "hours": 2, "date": "2026-06-03"},
    ]);
    let (s, body) = app.post("/api/v1/volunteering", a, rows).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["details"][0]["location"], "request body row 1",
        "{body}"
    );
    // Every problem at once: a row that cannot be read does not hide an unknown reference in
    // another row.
    let rows = json!([
        {"id": "N21", "committee": "K-nowhere", "domain": "greening", "demand": 2},
        {"id": "N22", "committee": "K1", "domain": "cooking", "demand": 2},
    ]);
    let (s, body) = app.post("/api/v1/needs", a, rows).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let found: Vec<(String, String)> = body["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["location"].as_str().unwrap_or("").to_string(),
                d["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("request body row 0".to_string(), "committee".to_string()),
            ("request body row 1".to_string(), "domain".to_string())
        ],
        "{body}"
    );
    let row = json!({"id": "N1x", "committee": "K1", "domain": "greening", "demand": 0});
    let (s, _) = app.post("/api/v1/needs", a, row).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "demand must be > 0");
    // A duplicate id in another table is a validation problem.
    let row = json!({"id": "K1", "committee": "K1", "domain": "greening", "demand": 1});
    let (s, _) = app.post("/api/v1/needs", a, row).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, page) = app.get("/api/v1/partnerships", a).await;
    assert_eq!(page["total"], 2);
    let (_, page) = app.get("/api/v1/needs", a).await;
    assert_eq!(page["total"], 3);
}

#[tokio::test]
async fn import_replaces_or_merges() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let mut whole = serde_json::to_value(network()).expect("bundle");
    whole["needs"] = json!([]);
    whole["projects"] = json!([]);
    let (s, body) = app.post("/api/v1/import", a, whole).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let replaced = network();
    let kept = replaced.row_count() - replaced.needs.len() - replaced.projects.len();
    assert_eq!(body["imported_rows"], kept, "{body}");
    assert_eq!(body["total_rows"], kept, "a replace holds what it imported");
    let (_, page) = app.get("/api/v1/needs", a).await;
    assert_eq!(page["total"], 0);
    let partial =
        json!({"needs": [{"id": "N7", "committee": "K1", "domain": "employment", "demand": 3}]});
    let (s, body) = app
        .post("/api/v1/import?merge=true", a, partial.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["merged"], true);
    assert_eq!(body["imported_rows"], 1);
    // Its place in the change log, as a file upload answers it.
    let (_, log) = app.get("/api/v1/changes?since=0", a).await;
    assert_eq!(
        body["seq"],
        log["changes"]
            .as_array()
            .and_then(|c| c.last())
            .map(|e| e["seq"].clone())
            .unwrap_or_default(),
        "{log}"
    );
    assert_eq!(body["total_rows"], kept + 1, "one new row merged in");
    // The same row again: merged by id, the network keeps its size.
    let (s, body) = app.post("/api/v1/import?merge=true", a, partial).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        body["total_rows"],
        kept + 1,
        "an id merged again replaces its row"
    );
    let (_, page) = app.get("/api/v1/needs", a).await;
    assert_eq!(ids(&page), vec!["N7"]);
    let (_, page) = app.get("/api/v1/committees", a).await;
    assert_eq!(page["total"], 3, "merge keeps the rest");
    // A bad bundle: every problem, with its location and field, and nothing changes.
    let bad = json!({
        "needs": [{"id": "N8", "committee": "K1", "domain": "cooking", "demand": 3}],
        "members": [{"id": "M8", "name": "钱七", "birth_year": "一九九〇"}],
    });
    let (s, body) = app.post("/api/v1/import?merge=true", a, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let details = body["error"]["details"].as_array().expect("details");
    assert_eq!(details.len(), 2, "{body}");
    for (row, field) in [("/needs/0", "domain"), ("/members/0", "birth_year")] {
        assert!(
            details.iter().any(
                |d| d["location"].as_str().is_some_and(|l| l.starts_with(row))
                    && d["field"] == field
            ),
            "{row} {field}: {body}"
        );
    }
    let (s, body) = app.post("/api/v1/import", a, json!({"committees": [{"id": "K9", "name": "x", "community": "C404", "households": 1}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, page) = app.get("/api/v1/needs", a).await;
    assert_eq!(ids(&page), vec!["N7"]);
}

#[tokio::test]
async fn concurrent_writers_lose_nothing_and_readers_never_see_half() {
    let app = std::sync::Arc::new(spawn_app().await);
    let url = "/api/v1/coverage?scope=K1&as_of=2026-06-30";
    let hours = |v: &Value| {
        v["committees"][0]["volunteer_hours"]
            .as_f64()
            .unwrap_or(-1.0)
    };
    let mut writers = Vec::new();
    for t in 0..4 {
        let app = app.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..25 {
                let day = date("2026-01-01") + chrono::Days::new(t * 25 + i);
                let row = json!({"member": "M1", "committee": "K1", "domain": "greening", "hours": 1, "date": day.to_string()});
                let (s, body) = app.post("/api/v1/volunteering", &app.tokens.admin, row).await;
                assert_eq!(s, StatusCode::CREATED, "{body}");
            }
        }));
    }
    let mut readers = Vec::new();
    for _ in 0..2 {
        let app = app.clone();
        readers.push(tokio::spawn(async move {
            let mut last = 0.0;
            for _ in 0..40 {
                let cov = app.get_ok(url, &app.tokens.coord).await;
                let h = hours(&cov);
                assert!(h >= last, "hours went back from {last} to {h}");
                assert_eq!(h.fract(), 0.0);
                last = h;
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    for r in readers {
        r.await.expect("reader");
    }
    let (_, cov) = app.get(url, &app.tokens.admin).await;
    assert_eq!(hours(&cov), 104.0, "all 100 writes are visible");
    let (_, page) = app
        .get("/api/v1/volunteering?committee=K1", &app.tokens.admin)
        .await;
    assert_eq!(page["total"], 101);
    let stored = dangjian_model::Store::load(app.store.as_ref()).expect("load");
    assert_eq!(stored.volunteering.len(), 101, "the store has every write");
}

#[tokio::test]
async fn a_coordinator_reads_and_writes_only_what_they_may_see() {
    let app = spawn_app().await;
    let c = &app.tokens.coord;
    // M1 (registered in S1) now works at U2, a unit of S2 that touches nothing in S1: the
    // detail leaves the employer out (null), as the lists and the change log do.
    let (s, _) = app
        .patch(
            "/api/v1/members/M1",
            &app.tokens.admin,
            json!({"employer": "U2"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, m) = app.get("/api/v1/members/M1", c).await;
    assert_eq!(
        (s, m["name"].clone()),
        (StatusCode::OK, json!("王小明")),
        "{m}"
    );
    assert!(m["employer"].is_null(), "{m}");
    let (_, page) = app.get("/api/v1/members", c).await;
    assert!(!page.to_string().contains("U2"), "{page}");
    assert_eq!(
        ids(&page),
        vec!["M1", "M3"],
        "the list keeps the member: {page}"
    );
    // Hours for a member registered outside, or for no member at all: the same 403.
    for member in ["M2", "M-nobody"] {
        let row = json!({"member": member, "committee": "K1", "domain": "greening", "hours": 1, "date": "2026-06-01"});
        let (s, b) = app.post("/api/v1/volunteering", c, row).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{member}: {b}");
        assert_eq!(
            b["error"]["message"],
            format!("`{member}` is outside the scope of this token")
        );
    }
    // A resource of an inside unit that also reaches the other street: listed, and readable
    // the same way, the outside committee left out.
    let (s, _) = app
        .post("/api/v1/resources", &app.tokens.admin, json!({"id": "R7", "name": "法律咨询", "provider": "U1", "domain": "legal_aid", "capacity": 5, "deployed_to": ["K1", "K3"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, page) = app.get("/api/v1/resources", c).await;
    let listed = page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|r| r["id"] == "R7"))
        .cloned()
        .expect("R7 listed");
    let (s, r7) = app.get("/api/v1/resources/R7", c).await;
    assert_eq!((s, &r7), (StatusCode::OK, &listed));
    assert!(!r7.to_string().contains("K3"), "{r7}");
    // For a member registered inside: written.
    let row = json!({"member": "M3", "committee": "K1", "domain": "greening", "hours": 1, "date": "2026-06-01"});
    let (s, b) = app.post("/api/v1/volunteering", c, row).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}
