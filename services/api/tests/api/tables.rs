//! Reads of every table: filters, pagination and the committee detail.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn every_table_lists_with_totals() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    for (path, total) in [
        ("/api/v1/districts", 1),
        ("/api/v1/streets", 2),
        ("/api/v1/communities", 2),
        ("/api/v1/committees", 3),
        ("/api/v1/party-orgs", 4),
        ("/api/v1/units", 2),
        ("/api/v1/mass-orgs", 1),
        ("/api/v1/social-orgs", 1),
        ("/api/v1/members", 3),
        ("/api/v1/partnerships", 2),
        ("/api/v1/mass-links", 1),
        ("/api/v1/resources", 2),
        ("/api/v1/needs", 3),
        ("/api/v1/projects", 1),
        ("/api/v1/volunteering", 1),
        ("/api/v1/responsibilities", 2),
    ] {
        let page = app.get_ok(path, a).await;
        assert_eq!(page["total"], total, "{path}: {page}");
        assert_eq!(page["limit"], 100);
        assert_eq!(page["offset"], 0);
        assert_eq!(
            page["items"].as_array().map(Vec::len),
            Some(total),
            "{path}"
        );
    }
}

#[tokio::test]
async fn filters_and_pagination() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    for (path, want) in [
        ("/api/v1/streets?district=D1", vec!["S1", "S2"]),
        ("/api/v1/communities?street=S2", vec!["C2"]),
        ("/api/v1/committees?community=C1", vec!["K1", "K2"]),
        ("/api/v1/committees?street=S2", vec!["K3"]),
        ("/api/v1/units?street=S1", vec!["U1"]),
        ("/api/v1/units?category=hospital", vec!["U2"]),
        ("/api/v1/members?committee=K2", vec!["M3"]),
        ("/api/v1/members?employer=U2", vec!["M2"]),
        ("/api/v1/partnerships?unit=U2", vec!["PS2"]),
        ("/api/v1/partnerships?target=K1", vec!["PS1"]),
        ("/api/v1/partnerships?active_on=2024-06-01", vec![]),
        ("/api/v1/resources?provider=U1", vec!["R1"]),
        ("/api/v1/resources?domain=healthcare", vec!["R2"]),
        ("/api/v1/needs?committee=K3", vec!["N2"]),
        ("/api/v1/needs?domain=legal_aid", vec!["N3"]),
        ("/api/v1/responsibilities?party_org=P1", vec!["RS1"]),
        ("/api/v1/party-orgs?parent=P0", vec!["P1"]),
    ] {
        let page = app.get_ok(path, a).await;
        assert_eq!(ids(&page), want, "{path}");
    }
    let (_, page) = app
        .get("/api/v1/volunteering?member=M1&committee=K1", a)
        .await;
    assert_eq!(page["total"], 1);
    let (_, page) = app.get("/api/v1/committees?limit=1&offset=1", a).await;
    assert_eq!(ids(&page), vec!["K2"]);
    assert_eq!(page["total"], 3);
    assert_eq!(page["limit"], 1);
    assert_eq!(page["offset"], 1);
    let (_, page) = app.get("/api/v1/committees?offset=10", a).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(0));
    let bad = [
        "/api/v1/committees?limit=5000",
        "/api/v1/committees?limit=0",
        "/api/v1/committees?limit=abc",
        "/api/v1/committees?colour=red",
        "/api/v1/partnerships?active_on=yesterday",
    ];
    for (_, body) in app.get_each(&bad, a, StatusCode::BAD_REQUEST).await {
        assert_eq!(code(&body), "bad_request");
    }
}

#[tokio::test]
async fn committee_detail_with_links() {
    let app = spawn_app().await;
    let doc = app.get_ok("/api/v1/committees/K1", &app.tokens.admin).await;
    assert_eq!(doc["committee"]["name"], "梅园一村居委会");
    assert_eq!(doc["community"]["id"], "C1");
    assert_eq!(doc["street"]["id"], "S1");
    assert_eq!(doc["district"]["id"], "D1");
    assert_eq!(doc["party_orgs"][0]["id"], "P1");
    assert_eq!(doc["partnerships"][0]["id"], "PS1");
    assert_eq!(
        doc["mass_links"][0]["mass_org"], "MO1",
        "links to the street count"
    );
    assert_eq!(doc["needs"][0]["id"], "N1");
    let resources = strings(&doc["resources"], "id");
    assert_eq!(resources, vec!["R1"]);
    assert_eq!(doc["registered_members"], 1);
    assert_eq!(doc["adjacent"], serde_json::json!(["K2"]));
    let (s, body) = app.get("/api/v1/committees/NOPE", &app.tokens.admin).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "not_found");
}

/// A filter value outside its vocabulary, a page size out of range and a table the change log
/// does not know are 400s naming the parameter and what it takes, never an empty page or the
/// parser's words; page sizes are refused in the same words everywhere.
#[tokio::test]
async fn bad_filter_values_are_refused_naming_what_is_allowed() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let domains = "must be employment, elderly_care, childcare, poverty_relief, \
                   disability_support, public_safety, healthcare, greening, education_training, \
                   legal_aid, psychological or culture_sports";
    let cases = [
        (
            "/api/v1/needs?domain=cooking",
            format!("`domain` {domains}, got `cooking`"),
        ),
        (
            "/api/v1/resources?domain=x",
            format!("`domain` {domains}, got `x`"),
        ),
        (
            "/api/v1/social-orgs?domain=x",
            format!("`domain` {domains}, got `x`"),
        ),
        (
            "/api/v1/units?category=x",
            "`category` must be enterprise, public_institution, government, school, hospital \
             or other, got `x`"
                .to_string(),
        ),
        (
            "/api/v1/responsibilities?status=x",
            "`status` must be open or done, got `x`".to_string(),
        ),
        (
            "/api/v1/mass-orgs?type=x",
            "`type` must be union, youth_league, women_federation or other, got `x`".to_string(),
        ),
        (
            "/api/v1/committees?limit=-1",
            "`limit` must be a whole number from 1 to 1000, got `-1`".to_string(),
        ),
        (
            "/api/v1/committees?limit=0",
            "`limit` must be a whole number from 1 to 1000, got `0`".to_string(),
        ),
        (
            "/api/v1/committees?offset=-1",
            "`offset` must be a whole number ≥ 0, got `-1`".to_string(),
        ),
        (
            "/api/v1/changes?limit=0",
            "`limit` must be a whole number from 1 to 10000, got `0`".to_string(),
        ),
        (
            "/api/v1/changes?since=-1",
            "`since` must be a whole number ≥ 0, got `-1`".to_string(),
        ),
        (
            "/api/v1/brokers?limit=5000",
            "`limit` must be a whole number from 1 to 1000, got `5000`".to_string(),
        ),
    ];
    for (path, message) in &cases {
        let (s, body) = app.get(path, a).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"]["message"], message.as_str(), "{path}");
    }
    let (s, body) = app.get("/api/v1/changes?table=bogus", a).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("`table` must be districts, streets,")
            && message.ends_with("got `bogus`")
            && message.contains("needs"),
        "{message}"
    );
    // The values the vocabularies take still filter.
    let page = app.get_ok("/api/v1/responsibilities?status=open", a).await;
    assert!(
        page["items"].as_array().is_some_and(|i| !i.is_empty()),
        "{page}"
    );
    app.get_ok("/api/v1/changes?table=needs&limit=10000", a)
        .await;
    app.get_ok("/api/v1/needs?domain=employment", a).await;
}
