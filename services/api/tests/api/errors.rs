//! Bad requests: malformed JSON (400), wrong types and unknown fields (422 naming the field),
//! oversized bodies (413), all in the `{"error": {"code", "message", "details"}}` shape.

use crate::helpers::*;
use dangjian_api::ServeConfig;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    for path in ["/api/v1/partnerships", "/api/v1/import", "/api/v1/whatif"] {
        let (s, body) = app.post_raw(path, &app.tokens.admin, "{\"id\": ").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(code(&body), "bad_request");
        assert!(body["error"]["message"].is_string());
        assert!(body["error"]["details"].is_array());
    }
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_422_with_the_field() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    for (body, field) in [
        (
            json!({"id": "M6", "name": "赵六", "birth_year": "1990"}),
            "birth_year",
        ),
        (
            json!({"id": "M6", "name": "赵六", "birth_year": 1990, "phone": "123"}),
            "phone",
        ),
        (json!({"id": "M6", "birth_year": 1990}), "name"),
    ] {
        let (s, resp) = app.post("/api/v1/members", a, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{resp}");
        assert_eq!(code(&resp), "invalid");
        assert_eq!(resp["error"]["details"][0]["field"], field, "{resp}");
        assert_eq!(resp["error"]["details"][0]["table"], "members");
    }
    let (s, resp) = app
        .patch("/api/v1/needs/N1", a, json!({"colour": "red"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp["error"]["details"][0]["field"], "colour");
    let row = json!({"id": "PS7", "unit": "U1", "target": "K1", "signed": "2026-13-01"});
    let (s, resp) = app.post("/api/v1/partnerships", a, row).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp["error"]["details"][0]["field"], "signed");
    let (s, _) = app
        .post("/api/v1/whatif", a, json!({"without_unit": ["U1"]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_with(ServeConfig {
        body_limit: 16 * 1024,
        ..ServeConfig::default()
    })
    .await;
    let big = format!(
        "{{\"districts\": [{{\"id\": \"D9\", \"name\": \"{}\"}}]}}",
        "区".repeat(20_000)
    );
    let (s, body) = app
        .post_raw("/api/v1/import", &app.tokens.admin, &big)
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(code(&body), "payload_too_large");
    let (_, page) = app.get("/api/v1/districts", &app.tokens.admin).await;
    assert_eq!(page["total"], 1);
}
