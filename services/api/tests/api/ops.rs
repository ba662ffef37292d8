//! Health, readiness, metrics, OpenAPI and the docs page: no token needed; the log holds no
//! personal data and no token.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_ready_openapi_and_docs_need_no_token() {
    let app = spawn_app().await;
    let (s, body) = app.send(app.client.get(app.url("/healthz"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (s, body) = app.send(app.client.get(app.url("/readyz"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    assert!(body["rows"].as_u64().unwrap_or(0) > 20);
    // Anyone may ask: the store by its kind, not the database file's path.
    assert_eq!(body["store"], "sqlite", "{body}");
    assert!(!body.to_string().contains("test.db"), "{body}");

    let (s, doc) = app
        .send(app.client.get(app.url("/api/v1/openapi.json")))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/coverage",
        "/api/v1/gaps",
        "/api/v1/party-orgs/{id}/checklist",
        "/api/v1/whatif",
        "/api/v1/brokers",
        "/api/v1/areas",
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/committees/{id}",
        "/api/v1/import",
        "/api/v1/responsibilities/{id}",
    ] {
        assert!(paths.contains_key(p), "OpenAPI lacks {p}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let res = app.get_response(&app.url("/api/docs"), "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("/api/v1/openapi.json"));
    assert!(
        !html.contains("https://"),
        "the docs page must load nothing remote"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = spawn_app().await;
    app.get_ok("/api/v1/committees/K1", &app.tokens.admin).await;
    let text = app
        .get_response(&app.url("/metrics"), "")
        .await
        .text()
        .await
        .expect("text");
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/committees/{id}\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("dangjian_engine_build_seconds"), "{text}");
    assert!(text.contains("dangjian_network_rows"), "{text}");
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let res = app.get_response(&app.url("/healthz"), "").await;
    let id = res.headers().get("x-request-id").expect("x-request-id");
    assert!(!id.is_empty());
}

#[tokio::test]
async fn the_log_holds_no_member_name_and_no_token() {
    let app = spawn_app().await;
    let t = &app.tokens;
    // Names in query strings and bodies, tokens in headers, good and bad requests alike.
    app.get("/api/v1/members?committee=王小明", &t.admin).await;
    app.get("/api/v1/coverage?scope=李红", &t.admin).await;
    app.post(
        "/api/v1/members",
        &t.admin,
        json!({"id": "M8", "name": "孙八", "birth_year": 1991, "registered_at": "K1"}),
    )
    .await;
    app.post(
        "/api/v1/members",
        &t.admin,
        json!({"id": "M9", "name": "钱七", "birth_year": "一九九一"}),
    )
    .await;
    app.get("/api/v1/members", &t.viewer).await;
    app.get("/api/v1/members", &t.revoked).await;
    app.get("/api/v1/members", "djg_notatoken").await;
    let log = logged();
    assert!(
        log.contains("request_id"),
        "requests are logged with ids: {log}"
    );
    assert!(log.contains("/api/v1/members"), "paths are logged");
    for name in NAMES {
        assert!(
            !log.contains(name),
            "the log contains the member name {name}"
        );
    }
    for secret in t.all() {
        assert!(!log.contains(secret), "the log contains a token");
    }
    assert!(!log.contains("djg_"), "the log contains a token prefix");
    assert!(!log.contains("committee="), "query strings are not logged");
}
