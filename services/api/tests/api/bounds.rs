//! Bounded cost and existence oracles (SPEC §6 "Rules (v2)"): what-if id and body caps,
//! row-write body caps, 403 before 404 for ids outside a coordinator's street, and the
//! viewer's checklist downloads masked (the acceptance check of issue 10).

use crate::helpers::*;
use dangjian_api::ServeConfig;
use reqwest::StatusCode;
use serde_json::json;
use std::io::Read;

#[tokio::test]
async fn whatif_takes_at_most_1000_ids_and_a_small_body() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let ids: Vec<String> = (0..1001).map(|i| format!("U{i}")).collect();
    let (s, body) = app
        .post("/api/v1/whatif", a, json!({"without_units": ids}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(message_has(&body, "at most 1000 ids"), "{body}");
    let huge = format!("{{\"without_units\": [\"{}\"]}}", "U".repeat(300 * 1024));
    let (s, body) = app.post_raw("/api/v1/whatif", a, &huge).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(message_has(&body, "262144"), "{body}");
    // A row write (one row or a batch) is capped at 16 MiB, not the import's 64 MiB.
    let big_row =
        json!({"id": "N9", "committee": "K1", "domain": "x".repeat(17 * 1024 * 1024), "demand": 1});
    let (s, body) = app.post("/api/v1/needs", a, big_row).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(message_has(&body, "16777216"), "{body}");
}

#[tokio::test]
async fn ids_outside_a_coordinators_street_are_403_whether_or_not_they_exist() {
    let app = spawn_app().await;
    let c = &app.tokens.coord;
    for (what, path) in [
        ("committee of S2", "/api/v1/committees/K3"),
        ("no committee", "/api/v1/committees/K-NOWHERE"),
        ("org of S2", "/api/v1/party-orgs/P3/checklist"),
        ("no org", "/api/v1/party-orgs/P-NOWHERE/checklist"),
        ("no scope", "/api/v1/coverage?scope=NOWHERE"),
        ("no unit", "/api/v1/partnerships?unit=U-NOWHERE"),
        ("no employer", "/api/v1/members?employer=U-NOWHERE"),
        ("hidden employer", "/api/v1/members?employer=U2"),
    ] {
        let (s, body) = app.get(path, c).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{what}: {body}");
    }
    for body in [
        json!({"without_units": ["U-NOWHERE"]}),
        json!({"without_partnerships": ["PS-NOWHERE"]}),
    ] {
        let (s, res) = app.post("/api/v1/whatif", c, body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}: {res}");
    }
    // The admin sees the whole city, so an unknown id is simply not found.
    let (s, _) = app
        .get("/api/v1/committees/K-NOWHERE", &app.tokens.admin)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let row = json!({"without_units": ["U-NOWHERE"]});
    let (s, _) = app.post("/api/v1/whatif", &app.tokens.admin, row).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_viewers_checklist_downloads_show_the_surname_only() {
    let bundle = sample_bundle();
    let secretary = bundle
        .party_orgs
        .iter()
        .find(|o| o.id == "P-S-JLT")
        .map(|o| o.secretary.clone())
        .expect("P-S-JLT");
    assert_eq!(secretary, "孙勇敏", "the name the issue measured");
    let app = spawn_network(ServeConfig::default(), bundle, "S-JLT", "S-SJ").await;
    let url = |format: &str| {
        app.url(&format!(
            "/api/v1/party-orgs/P-S-JLT/checklist?format={format}&as_of=2026-06-30"
        ))
    };
    let viewer = &app.tokens.viewer;
    let csv = app.get_response(&url("csv"), viewer).await.text().await;
    let csv = csv.expect("text");
    assert!(csv.contains(",孙*,") && !csv.contains("孙勇敏"), "{csv}");
    let xlsx = app.get_response(&url("xlsx"), viewer).await.bytes().await;
    let xlsx = xlsx.expect("bytes");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("zip");
    let mut text = String::new();
    for i in 0..zip.len() {
        zip.by_index(i)
            .expect("entry")
            .read_to_string(&mut text)
            .expect("xml");
    }
    assert!(text.contains("孙*") && !text.contains("孙勇敏"));
    // The party-org table says the same.
    let (_, page) = app
        .get("/api/v1/party-orgs?leads=S-JLT", &app.tokens.viewer)
        .await;
    assert_eq!(page["items"][0]["secretary"], "孙*");
    // Admins read the name.
    let csv = app.get_response(&url("csv"), &app.tokens.admin).await;
    let csv = csv.text().await.expect("text");
    assert!(csv.contains("孙勇敏"));
}

#[tokio::test]
async fn a_duplicate_id_error_does_not_say_what_holds_the_id() {
    let app = spawn_app().await;
    // K3 is a committee of street S2; the coordinator of S1 tries to reuse it for a need:
    // the id lies outside, so 403 as for any id outside (v2; access.rs has the matrix).
    let need = json!({"id": "K3", "committee": "K1", "domain": "elderly_care", "demand": 1});
    let (s, body) = app
        .post("/api/v1/needs", &app.tokens.coord, need.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let text = body.to_string();
    assert!(!text.contains("/committees/"), "{text}");
    // K2 is a committee of the coordinator's own street: a duplicate they may be told of,
    // still without saying what holds it.
    let need = json!({"id": "K2", "committee": "K1", "domain": "elderly_care", "demand": 1});
    let (s, body) = app.post("/api/v1/needs", &app.tokens.coord, need).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let text = body.to_string();
    assert!(text.contains("duplicate id `K2`: already used"), "{text}");
    assert!(!text.contains("/committees/"), "{text}");
    let need = json!({"id": "K3", "committee": "K1", "domain": "elderly_care", "demand": 1});
    // The admin is told where.
    let (s, body) = app.post("/api/v1/needs", &app.tokens.admin, need).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("/committees/"), "{body}");
}
