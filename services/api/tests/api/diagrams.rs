//! `GET /api/v1/diagrams/{scope}.{dot|svg|png}` on the Shanghai sample network with the real
//! Graphviz `dot`: content types, Chinese names in the SVG, access rules (coordinator 403,
//! viewer masking), errors; and the web page's static files.

use crate::helpers::*;
use dangjian_api::ServeConfig;
use dangjian_model::Bundle;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

pub const AS_OF: &str = "2026-06-30";

/// The sample network from `seed/`.
pub fn sample() -> Bundle {
    sample_bundle()
}

/// The sample served, with coordinators of 九里亭街道 (`S-JLT`) and 泗泾镇 (`S-SJ`).
pub async fn spawn_sample() -> TestApp {
    spawn_network(ServeConfig::default(), sample(), "S-JLT", "S-SJ").await
}

/// Names of the committees under a street.
pub fn committee_names(b: &Bundle, street: &str) -> Vec<String> {
    b.committees
        .iter()
        .filter(|k| {
            b.communities
                .iter()
                .any(|c| c.id == k.community && c.street == street)
        })
        .map(|k| k.name.clone())
        .collect()
}

/// Decode `%XX` escapes (UTF-8).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 title")
}

struct Got {
    status: StatusCode,
    content_type: String,
    aggregated: Option<String>,
    title: Option<String>,
    body: Vec<u8>,
}

/// `/api/v1/diagrams/FILE_AND_QUERY` as an admin.
async fn diagram_of(app: &TestApp, file_and_query: &str) -> Got {
    let path = format!("/api/v1/diagrams/{file_and_query}");
    fetch(app, &path, Some(&app.tokens.admin)).await
}

async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> Got {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(CONTENT_TYPE.as_str()).unwrap_or_default();
    let aggregated = header("x-diagram-aggregated");
    let title = header("x-diagram-title").map(|t| percent_decode(&t));
    let status = res.status();
    let body = res.bytes().await.expect("body").to_vec();
    Got {
        status,
        content_type,
        aggregated,
        title,
        body,
    }
}

fn text(got: &Got) -> String {
    String::from_utf8(got.body.clone()).expect("utf-8 body")
}

fn error_code(got: &Got) -> String {
    let v: serde_json::Value = serde_json::from_slice(&got.body).expect("JSON error body");
    code(&v).to_string()
}

#[tokio::test]
async fn a_street_is_drawn_as_svg_png_and_dot_with_chinese_names() {
    let app = spawn_sample().await;
    let bundle = sample();
    let names = committee_names(&bundle, "S-JLT");
    assert!(names.len() >= 3, "九里亭街道 has committees");

    let svg = diagram_of(&app, &format!("S-JLT.svg?view=hierarchy&as_of={AS_OF}")).await;
    assert_eq!(svg.status, StatusCode::OK, "{}", text(&svg));
    assert_eq!(svg.content_type, "image/svg+xml");
    assert_eq!(svg.aggregated.as_deref(), Some("false"));
    let title = svg.title.clone().expect("title header");
    assert!(title.contains("九里亭街道"), "{title}");
    assert!(title.contains(AS_OF), "{title}");
    let svg_text = text(&svg);
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg_text, options).expect("the SVG is XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let drawn: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    for name in &names {
        assert!(drawn.contains(name.as_str()), "{name} is drawn");
    }
    // No committee of another street.
    for other in committee_names(&bundle, "S-SJ") {
        assert!(
            !drawn.contains(other.as_str()),
            "{other} is not in 九里亭街道"
        );
    }

    let png = diagram_of(&app, "S-JLT.png?view=partnerships&as_of=2026-06-30").await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.content_type, "image/png");
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.body.len() > 10_000,
        "a real picture: {} bytes",
        png.body.len()
    );

    let dot = diagram_of(&app, "S-JLT.dot?view=gaps&as_of=2026-06-30").await;
    assert_eq!(dot.status, StatusCode::OK);
    assert_eq!(dot.content_type, "text/vnd.graphviz; charset=utf-8");
    let dot_text = text(&dot);
    assert!(dot_text.trim_start().starts_with("digraph"), "{dot_text}");
    assert!(
        dot_text.contains("空白点与资源缺口图"),
        "the gaps view's title"
    );
    assert!(names.iter().all(|n| dot_text.contains(n.as_str())));

    // The same request again comes from the cache, byte for byte.
    let again = diagram_of(&app, &format!("S-JLT.svg?view=hierarchy&as_of={AS_OF}")).await;
    assert_eq!(again.body, svg.body);
}

#[tokio::test]
async fn views_differ_and_a_committee_and_the_city_can_be_drawn() {
    let app = spawn_sample().await;
    let get = |path: String| {
        let app = &app;
        async move { fetch(app, &path, Some(&app.tokens.admin)).await }
    };
    let hierarchy = get(format!("/api/v1/diagrams/S-JLT.dot?as_of={AS_OF}")).await;
    let gaps = get(format!(
        "/api/v1/diagrams/S-JLT.dot?view=gaps&as_of={AS_OF}"
    ))
    .await;
    assert_eq!(hierarchy.status, StatusCode::OK);
    assert_ne!(hierarchy.body, gaps.body);
    assert!(!text(&hierarchy).contains("空白点与资源缺口图"));
    let committee = get(format!(
        "/api/v1/diagrams/K-TINGYI.svg?view=gaps&as_of={AS_OF}"
    ))
    .await;
    assert_eq!(committee.status, StatusCode::OK, "{}", text(&committee));
    assert!(text(&committee).contains("亭谊居委会"));
    let city = get(format!("/api/v1/diagrams/city.dot?as_of={AS_OF}")).await;
    assert_eq!(city.status, StatusCode::OK);
    assert!(text(&city).contains("泗泾镇") && text(&city).contains("彭浦镇"));
}

#[tokio::test]
async fn a_coordinator_draws_only_their_own_street() {
    let app = spawn_sample().await;
    let coord = app.tokens.coord.clone(); // S-JLT
    for path in [
        "/api/v1/diagrams/S-SJ.svg",
        "/api/v1/diagrams/D-SJ.dot",
        "/api/v1/diagrams/city.dot",
        "/api/v1/diagrams/K-JINZHU.svg?view=gaps",
        "/api/v1/diagrams/C-XINKAI.png",
    ] {
        let got = fetch(&app, path, Some(&coord)).await;
        assert_eq!(got.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(error_code(&got), "forbidden");
    }
    let own = fetch(
        &app,
        &format!("/api/v1/diagrams/S-JLT.svg?view=partnerships&as_of={AS_OF}"),
        Some(&coord),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(text(&own).contains("亭谊居委会"));
    let other = fetch(
        &app,
        &format!("/api/v1/diagrams/S-SJ.svg?as_of={AS_OF}"),
        Some(&app.tokens.coord2),
    )
    .await;
    assert_eq!(
        other.status,
        StatusCode::OK,
        "泗泾镇's coordinator draws 泗泾镇"
    );
}

#[tokio::test]
async fn a_viewer_gets_diagrams_without_secretary_names() {
    let app = spawn_sample().await;
    let bundle = sample();
    let secretaries: Vec<&str> = bundle
        .party_orgs
        .iter()
        .map(|o| o.secretary.as_str())
        .filter(|s| s.chars().count() >= 2)
        .collect();
    for view in ["hierarchy", "partnerships", "gaps"] {
        let path = format!("/api/v1/diagrams/D-SJ.dot?view={view}&as_of={AS_OF}");
        let full = text(&fetch(&app, &path, Some(&app.tokens.admin)).await);
        let masked = fetch(&app, &path, Some(&app.tokens.viewer)).await;
        assert_eq!(masked.status, StatusCode::OK);
        let masked = text(&masked);
        if view == "hierarchy" {
            assert!(
                secretaries.iter().any(|s| full.contains(s)),
                "an admin's diagram names secretaries"
            );
            assert!(masked.contains("书记 "), "secretaries are still drawn");
        }
        for s in &secretaries {
            assert!(!masked.contains(s), "{view}: {s} is personal data");
        }
        for m in &bundle.members {
            assert!(
                !masked.contains(m.name.as_str()),
                "{view}: member {}",
                m.name
            );
        }
    }
    // The SVG too, and the masked diagram is cached apart from the full one.
    let svg = text(
        &fetch(
            &app,
            &format!("/api/v1/diagrams/S-JLT.svg?as_of={AS_OF}"),
            Some(&app.tokens.viewer),
        )
        .await,
    );
    assert!(svg.contains("亭谊居委会"));
    for s in &secretaries {
        assert!(!svg.contains(s), "{s}");
    }
}

#[tokio::test]
async fn bad_diagram_requests_get_json_errors() {
    let app = spawn_sample().await;
    let admin = app.tokens.admin.clone();
    let unknown = fetch(&app, "/api/v1/diagrams/K-NOPE.svg", Some(&admin)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&unknown), "not_found");
    for (path, status) in [
        ("/api/v1/diagrams/S-JLT.gif", StatusCode::BAD_REQUEST),
        ("/api/v1/diagrams/S-JLT", StatusCode::BAD_REQUEST),
        (
            "/api/v1/diagrams/S-JLT.svg?view=map",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/diagrams/S-JLT.svg?as_of=30.6.2026",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/diagrams/S-JLT.svg?colour=red",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let got = fetch(&app, path, Some(&admin)).await;
        assert_eq!(got.status, status, "{path}");
        assert_eq!(error_code(&got), "bad_request", "{path}");
    }
    let anonymous = fetch(&app, "/api/v1/diagrams/S-JLT.svg", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let revoked = fetch(
        &app,
        "/api/v1/diagrams/S-JLT.svg",
        Some(&app.tokens.revoked),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_diagram_route_is_in_the_openapi_document() {
    let app = spawn_sample().await;
    let doc = app.get_ok("/api/v1/openapi.json", "").await;
    let op = &doc["paths"]["/api/v1/diagrams/{file}"]["get"];
    assert!(op.is_object(), "{}", doc["paths"]);
    let params = strings(&op["parameters"], "name");
    assert_eq!(params, ["file", "view", "as_of", "kinds"]);
    assert!(op["responses"]["504"].is_object());
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_without_a_token() {
    let app = spawn_sample().await;
    for (path, content_type, needle) in [
        ("/", "text/html; charset=utf-8", "党建图谱"),
        (
            "/app.js",
            "text/javascript; charset=utf-8",
            "令牌无效或已撤销",
        ),
        ("/app.css", "text/css; charset=utf-8", ".diagram"),
    ] {
        let got = fetch(&app, path, None).await;
        assert_eq!(got.status, StatusCode::OK, "{path}");
        assert_eq!(got.content_type, content_type, "{path}");
        assert!(text(&got).contains(needle), "{path}");
    }
    let missing = fetch(&app, "/nothing.js", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// One street with 600 committees in 5 communities (over the node budget of 500), and one
/// community without committees.
fn big_street() -> Bundle {
    use dangjian_model::{Committee, Community, District, Street, StreetKind};
    let mut b = Bundle {
        districts: (vec![District {
            id: "D-BIG".into(),
            name: "大区".into(),
        }])
        .into(),
        streets: (vec![Street {
            id: "S-BIG".into(),
            name: "大街道".into(),
            district: "D-BIG".into(),
            kind: StreetKind::Street,
        }])
        .into(),
        ..Bundle::default()
    };
    for c in 0..6 {
        b.communities.push(Community {
            id: format!("C-{c}").into(),
            name: format!("第{c}社区"),
            street: "S-BIG".into(),
        });
    }
    for k in 0..600 {
        b.committees.push(Committee {
            id: format!("K-{k}").into(),
            name: format!("第{k}居委会"),
            community: format!("C-{}", k % 5).into(),
            households: 1000,
        });
    }
    b
}

#[tokio::test]
async fn a_street_over_the_node_budget_is_aggregated_and_says_so() {
    let app = spawn_network(ServeConfig::default(), big_street(), "S-BIG", "S-BIG").await;
    let got = diagram_of(&app, "S-BIG.svg").await;
    assert_eq!(got.status, StatusCode::OK, "{}", text(&got));
    assert_eq!(got.aggregated.as_deref(), Some("true"));
    let title = got.title.clone().expect("title");
    assert!(title.contains("已聚合"), "{title}");
    let svg = text(&got);
    assert!(svg.contains("大街道"));
    assert!(
        !svg.contains("第599居委会"),
        "committees are counted, not drawn"
    );

    // A community without committees is drawn too (an empty scope is not an error).
    let empty = diagram_of(&app, "C-5.svg").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", text(&empty));
    assert_eq!(empty.aggregated.as_deref(), Some("false"));
    assert!(text(&empty).contains("第5社区"));
}

/// Edge statements of a DOT text drawn in `color`.
fn edges_in(dot: &str, color: &str) -> usize {
    dot.lines()
        .filter(|l| l.contains("->") && l.contains(&format!("color=\"{color}\"")))
        .count()
}

#[tokio::test]
async fn the_print_diagrams_take_the_kinds_filter_of_the_graph() {
    const PARTNERSHIP: &str = "#c0392b";
    const MEMBER: &str = "#d68910";
    let app = spawn_sample().await;
    let dot = |kinds: &str| {
        let app = &app;
        let path = format!("/api/v1/diagrams/S-JLT.dot?view=partnerships&as_of={AS_OF}{kinds}");
        async move {
            let got = fetch(app, &path, Some(&app.tokens.admin)).await;
            assert_eq!(got.status, StatusCode::OK, "{path}: {}", text(&got));
            text(&got)
        }
    };
    let all = dot("").await;
    let (partnerships, members) = (edges_in(&all, PARTNERSHIP), edges_in(&all, MEMBER));
    assert!(
        partnerships > 0 && members > 0,
        "{partnerships} {members}\n{all}"
    );
    let only_members = dot("&kinds=member").await;
    assert_eq!(edges_in(&only_members, PARTNERSHIP), 0, "{only_members}");
    assert_eq!(edges_in(&only_members, MEMBER), members);
    assert!(
        !only_members.contains("共建（有效协议）"),
        "the legend names drawn kinds only"
    );
    let only_partnerships = dot("&kinds=partnership").await;
    assert_eq!(edges_in(&only_partnerships, MEMBER), 0);
    assert_eq!(edges_in(&only_partnerships, PARTNERSHIP), partnerships);
    let got = diagram_of(&app, "S-JLT.svg?view=partnerships&kinds=roads").await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&got), "bad_request");
}
