//! Coverage, gaps, checklists in three formats, what-if, brokers and areas over HTTP.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn coverage_and_gaps_documents() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let cov = app.get_ok("/api/v1/coverage?as_of=2026-06-30", a).await;
    assert_eq!(cov["scope"], "city");
    assert_eq!(cov["as_of"], "2026-06-30");
    let committees = cov["committees"].as_array().expect("committees");
    assert_eq!(committees.len(), 3);
    let k1 = committees.iter().find(|k| k["id"] == "K1").expect("K1");
    assert_eq!(k1["registered_members"], 1);
    assert_eq!(k1["volunteer_hours"], 4.0);
    assert_eq!(k1["street"], "S1");
    assert!(
        cov["rollups"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x["level"] == "city"))
    );
    let cov = app
        .get_ok("/api/v1/coverage?scope=C1&as_of=2026-06-30", a)
        .await;
    assert_eq!(cov["committees"].as_array().map(Vec::len), Some(2));
    // Cached answers are the same answers.
    let (_, again) = app
        .get("/api/v1/coverage?scope=C1&as_of=2026-06-30", a)
        .await;
    assert_eq!(cov, again);
    let (s, body) = app.get("/api/v1/coverage?scope=NOPE", a).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

    let gaps = app.get_ok("/api/v1/gaps?as_of=2026-06-30", a).await;
    assert_eq!(gaps["total_demand"], 120);
    assert_eq!(gaps["met_demand"], 110.0);
    assert_eq!(gaps["unmet_demand"], 10.0);
    assert_eq!(gaps["unreachable_needs"], json!(["N3"]));
}

#[tokio::test]
async fn checklist_as_json_csv_and_xlsx() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let doc = app
        .get_ok("/api/v1/party-orgs/P1/checklist?as_of=2026-07-01", a)
        .await;
    assert_eq!(doc["party_org"], "P1");
    let items = doc["items"].as_array().expect("items");
    assert!(
        items.iter().any(|i| i["kind"] == "explicit"
            && i["facts"] == json!(["RS1"])
            && i["rag"] == "amber")
    );
    let (_, sub) = app
        .get(
            "/api/v1/party-orgs/P0/checklist?as_of=2026-07-01&subtree=true",
            a,
        )
        .await;
    assert!(
        sub["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["party_org"] == "P1")
    );

    let res = app
        .get_response(
            &app.url("/api/v1/party-orgs/P1/checklist?format=csv&as_of=2026-07-01"),
            a,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"checklist-P1-2026-07-01.csv\""
    );
    let csv = res.text().await.expect("text");
    assert!(csv.contains("走访困难家庭") && csv.contains("RS1"), "{csv}");

    let res = app
        .client
        .get(app.url("/api/v1/party-orgs/P1/checklist?as_of=2026-07-01"))
        .header("accept", "text/csv")
        .bearer_auth(a)
        .send()
        .await
        .expect("csv by Accept");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );

    let xlsx_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for url in [
        "/api/v1/party-orgs/P1/checklist?format=xlsx&as_of=2026-07-01".to_string(),
        "/api/v1/party-orgs/P1/checklist?as_of=2026-07-01".to_string(),
    ] {
        let res = app
            .client
            .get(app.url(&url))
            .header("accept", xlsx_mime)
            .bearer_auth(a)
            .send()
            .await
            .expect("xlsx");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], xlsx_mime);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap_or("")
                .ends_with(".xlsx\"")
        );
        let bytes = res.bytes().await.expect("bytes");
        assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip");
    }
    let (s, _) = app
        .get("/api/v1/party-orgs/P1/checklist?format=pdf", a)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, body) = app.get("/api/v1/party-orgs/NOPE/checklist", a).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "not_found");
}

#[tokio::test]
async fn whatif_brokers_and_areas() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    // Withdrawing nothing is refused, as by the CLI.
    let (s, body) = app.post("/api/v1/whatif", a, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("say what to withdraw"), "{body}");
    let before = app.get_ok("/api/v1/coverage?as_of=2026-06-30", a).await;
    let row = json!({"without_units": ["U1"], "as_of": "2026-06-30"});
    let (s, doc) = app.post("/api/v1/whatif", a, row).await;
    assert_eq!(s, StatusCode::OK, "{doc}");
    assert!(doc.is_object());
    // What-if changes no stored data.
    let (_, after) = app.get("/api/v1/coverage?as_of=2026-06-30", a).await;
    assert_eq!(before, after);
    let (s, _) = app
        .post("/api/v1/whatif", a, json!({"without_units": ["NOPE"]}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .post("/api/v1/whatif", a, json!({"without_units": "U1"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let doc = app
        .get_ok("/api/v1/brokers?as_of=2026-06-30&limit=1", a)
        .await;
    assert!(doc["brokers"].as_array().is_some_and(|b| b.len() <= 1));
    let doc = app.get_ok("/api/v1/areas?as_of=2026-06-30", a).await;
    let in_areas: usize = doc["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|x| x["committees"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(in_areas, 3);
}

/// The analytics queries are typed: an unknown, repeated or malformed parameter is a 400 whose
/// message names it, on every document; empty values count as absent.
#[tokio::test]
async fn analytics_queries_refuse_what_they_do_not_know() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    for doc in [
        "coverage",
        "gaps",
        "brokers",
        "areas",
        "party-orgs/P1/checklist",
    ] {
        for (query, names) in [
            ("colour=red", "unknown query parameter `colour`"),
            ("colour=", "unknown query parameter `colour`"),
            (
                "as_of=2026-02-30",
                "query parameter `as_of`: `2026-02-30` is not a date; expected a real calendar date as YYYY-MM-DD",
            ),
            (
                "as_of=2026-06-30&as_of=2026-06-30",
                "query parameter `as_of` is given twice",
            ),
        ] {
            let (s, body) = app.get(&format!("/api/v1/{doc}?{query}"), a).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{doc}?{query}: {body}");
            assert_eq!(code(&body), "bad_request");
            assert_eq!(body["error"]["message"], names, "{doc}?{query}");
        }
        // An empty as_of is today.
        app.get_ok(&format!("/api/v1/{doc}?as_of="), a).await;
    }
    let (s, body) = app.get("/api/v1/brokers?limit=many", a).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert_eq!(
        message,
        "`limit` must be a whole number from 1 to 1000, got `many`"
    );
    let (s, body) = app
        .get("/api/v1/party-orgs/P1/checklist?subtree=yes", a)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["message"],
        "`subtree` must be true or false, got `yes`"
    );
    // `1` is true.
    app.get_ok("/api/v1/party-orgs/P1/checklist?subtree=1", a)
        .await;
    let cov = app
        .get_ok("/api/v1/coverage?scope=&as_of=2026-06-30", a)
        .await;
    assert_eq!(cov["scope"], "city", "an empty scope is the default");
    // The other typed queries refuse the same way.
    let typed = [
        "/api/v1/diagrams/S1.dot?colour=red",
        "/api/v1/changes?colour=red",
        "/api/v1/me?colour=red",
        "/api/v1/committees/K1?colour=red",
    ];
    for (path, body) in app.get_each(&typed, a, StatusCode::BAD_REQUEST).await {
        assert_eq!(
            body["error"]["message"], "unknown query parameter `colour`",
            "{path}"
        );
    }
    let (s, body) = app.get("/api/v1/changes?since=-1", a).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    // The list queries are typed too: `type` is a parameter name like any other.
    let page = app.get_ok("/api/v1/mass-orgs?type=union", a).await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert!(
        !items.is_empty() && items.iter().all(|m| m["type"] == "union"),
        "{page}"
    );
    let (s, body) = app.get("/api/v1/mass-orgs?kind=union", a).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["message"], "unknown query parameter `kind`");
    let (s, body) = app.get("/api/v1/partnerships?active_on=yesterday", a).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"]["message"],
        "query parameter `active_on`: `yesterday` is not a date; expected a real calendar date as YYYY-MM-DD"
    );
    // A viewer learns it may not read the change log before anything about its query.
    let (s, _) = app
        .get("/api/v1/changes?colour=red", &app.tokens.viewer)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
