//! Uploading workbooks and zips of CSV files to `POST /api/v1/import`, and the template
//! workbook: a good file merges and the numbers change; a bad one answers every problem with
//! sheet, row, field and a Chinese message and changes nothing; a coordinator cannot upload a
//! row outside their street.

use crate::helpers::*;
use dangjian_model::{Bundle, Need, ServiceDomain, Volunteering};
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Write;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook holding `bundle`, as the bundle writer (the template's writer) makes it.
pub fn workbook(bundle: &Bundle) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("w.xlsx");
    dangjian_bundle_io::write_xlsx(bundle, &path).expect("write workbook");
    std::fs::read(&path).expect("read workbook")
}

/// A workbook with one sheet `needs` of the given rows (header first), as a person might type it.
pub fn needs_sheet(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("needs").expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("save")
}

/// The bad workbook: a domain that does not exist (row 2), a committee that does not exist
/// (row 3), a missing demand (row 4), and a column nobody knows.
pub fn bad_needs() -> Vec<u8> {
    needs_sheet(&[
        ["id", "committee", "domain", "demand"],
        ["N20", "K1", "cooking", "3"],
        ["N21", "K404", "employment", "2"],
        ["N22", "K1", "employment", ""],
    ])
}

fn need(id: &str, committee: &str, demand: u64) -> Need {
    Need {
        id: id.into(),
        committee: committee.into(),
        domain: ServiceDomain::Employment,
        demand,
    }
}

/// POST a workbook to `/api/v1/import` (a merge, the default for files).
async fn import_xlsx(app: &TestApp, token: &str, file: Vec<u8>) -> (StatusCode, Value) {
    upload(app, "/api/v1/import", token, XLSX, file).await
}

async fn upload(
    app: &TestApp,
    path: &str,
    token: &str,
    kind: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    app.send(
        app.client
            .post(app.url(path))
            .bearer_auth(token)
            .header("content-type", kind)
            .body(body),
    )
    .await
}

async fn needs(app: &TestApp) -> Vec<String> {
    let page = app
        .get_ok("/api/v1/needs?limit=1000", &app.tokens.admin)
        .await;
    let mut ids = ids(&page);
    ids.sort();
    ids
}

/// The demand of committee K1's employment needs, as the needs table lists them (0: none).
async fn k1_employment_demand(app: &TestApp) -> u64 {
    let body = app
        .get_ok("/api/v1/needs?committee=K1&limit=1000", &app.tokens.admin)
        .await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["domain"] == "employment")
        .map(|n| n["demand"].as_u64().expect("demand"))
        .sum()
}

#[tokio::test]
async fn a_good_workbook_merges_and_the_numbers_change() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    assert_eq!(k1_employment_demand(&app).await, 0);
    let file = workbook(&Bundle {
        needs: vec![need("N9", "K1", 7)].into(),
        ..Bundle::default()
    });
    let (s, body) = import_xlsx(&app, a, file).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["imported_rows"], 1);
    assert_eq!(body["merged"], true, "files merge by default");
    let total = network().row_count() + 1;
    assert_eq!(
        body["total_rows"], total,
        "the sample network and the new need"
    );
    assert_eq!(needs(&app).await, vec!["N1", "N2", "N3", "N9"]);
    assert_eq!(k1_employment_demand(&app).await, 7);
    let (_, committees) = app.get("/api/v1/committees", a).await;
    assert_eq!(committees["total"], 3, "a merge keeps the rest");
    // The same row again with another demand replaces it (merge by id).
    let file = workbook(&Bundle {
        needs: vec![need("N9", "K1", 9)].into(),
        ..Bundle::default()
    });
    let (s, body) = upload(&app, "/api/v1/import?mode=merge", a, XLSX, file).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["total_rows"], total, "merged by id: no row more");
    assert_eq!(k1_employment_demand(&app).await, 9);
    // The change log names the import.
    let log = app.get_ok("/api/v1/changes", a).await;
    assert!(
        !log["changes"].as_array().expect("changes").is_empty(),
        "{log}"
    );
}

#[tokio::test]
async fn a_bad_workbook_lists_every_problem_in_chinese_and_changes_nothing() {
    let app = spawn_app().await;
    let before = needs(&app).await;
    let (s, body) = import_xlsx(&app, &app.tokens.admin, bad_needs()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(code(&body), "invalid");
    let details = body["error"]["details"].as_array().expect("details");
    let find = |row: u64, field: &str| {
        details
            .iter()
            .find(|d| d["sheet"] == "needs" && d["row"] == row && d["field"] == field)
            .unwrap_or_else(|| panic!("no problem at needs row {row} field {field}: {body}"))
    };
    // Decoding (row 2, row 4) and the network check (row 3) in one answer.
    let domain = find(2, "domain");
    let committee = find(3, "committee");
    let demand = find(4, "demand");
    assert_eq!(details.len(), 3, "{body}");
    assert_eq!(
        committee["message"],
        "「committee」引用的「K404」不存在（没有这个编号的居委会）"
    );
    assert_eq!(demand["message"], "缺少必填字段「demand」");
    for d in [domain, committee, demand] {
        let m = d["message"].as_str().expect("message");
        assert!(
            m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "not Chinese: {m}"
        );
        assert!(!m.starts_with("数据有误"), "no Chinese form: {m}");
    }
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("未做任何更改")),
        "{body}"
    );
    assert_eq!(needs(&app).await, before, "nothing changed");
    // Not a workbook at all: one problem, nothing changed.
    let (s, body) = import_xlsx(&app, &app.tokens.admin, b"not a zip".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(needs(&app).await, before);
}

#[tokio::test]
async fn coordinators_upload_inside_their_street_only() {
    let app = spawn_app().await;
    let coord = &app.tokens.coord; // street S1: committees K1, K2
    let before = needs(&app).await;
    // One row inside (K1) and one outside (K3, street S2): refused whole, naming only the
    // uploaded row, not what lies outside.
    let file = workbook(&Bundle {
        needs: vec![need("N30", "K1", 2), need("N31", "K3", 4)].into(),
        ..Bundle::default()
    });
    let (s, body) = import_xlsx(&app, coord, file).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "forbidden");
    // In Chinese, like every message of the upload, with the English beside it.
    let message = body["error"]["message"].as_str().expect("message");
    assert_eq!(
        message,
        "有 1 行不在本令牌的管辖范围内，未做任何更改：工作表「needs」第 3 行"
    );
    let english = body["error"]["message_en"].as_str().expect("message_en");
    assert!(english.contains("sheet needs row 3"), "{english}");
    assert!(
        !body.to_string().contains("K3") && !body.to_string().contains("联洋"),
        "{body}"
    );
    assert_eq!(needs(&app).await, before, "nothing changed");
    // Replacing the network is for admins.
    let file = workbook(&Bundle {
        needs: vec![need("N30", "K1", 2)].into(),
        ..Bundle::default()
    });
    let (s, body) = upload(
        &app,
        "/api/v1/import?mode=replace",
        coord,
        XLSX,
        file.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"]["message"],
        "只有管理员令牌可以替换整个网络；协调员请以合并方式上传（「mode=merge」）"
    );
    // Overwriting a stored row of another street by its id is outside too.
    let file_n2 = workbook(&Bundle {
        needs: vec![need("N2", "K1", 2)].into(),
        ..Bundle::default()
    });
    let (s, body) = import_xlsx(&app, coord, file_n2).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(needs(&app).await, before, "nothing changed");
    // An id taken outside in another table (committee K3), and hours of a member registered
    // outside (M2): outside as well — not a duplicate-id 422 that would confirm K3 exists.
    let taken = workbook(&Bundle {
        needs: vec![need("K3", "K1", 2)].into(),
        ..Bundle::default()
    });
    let hours = workbook(&Bundle {
        volunteering: vec![Volunteering {
            member: "M2".into(),
            committee: "K1".into(),
            domain: ServiceDomain::Employment,
            hours: 1.0,
            date: "2026-06-01".parse().expect("date"),
        }]
        .into(),
        ..Bundle::default()
    });
    for file in [taken, hours] {
        let (s, body) = import_xlsx(&app, coord, file).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert!(!body.to_string().contains("K3"), "{body}");
    }
    assert_eq!(needs(&app).await, before, "nothing changed");
    // Viewers cannot upload.
    let (s, body) = import_xlsx(&app, &app.tokens.viewer, file.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        body["error"]["message"],
        "查看者令牌只能读取，不能上传或修改数据"
    );
    assert_eq!(body["error"]["message_en"], "viewer tokens cannot write");
    // A coordinator's file holding another table.
    let units = workbook(&Bundle {
        units: app_units(),
        ..Bundle::default()
    });
    let (s, body) = import_xlsx(&app, coord, units).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.starts_with("协调员只能上传「partnerships」、")
            && message.ends_with("文件中有「units」的行"),
        "{message}"
    );
    // Inside: merged.
    let (s, body) = import_xlsx(&app, coord, file).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(needs(&app).await.contains(&"N30".to_string()));
}

/// `mode` is for files: a JSON body given it is told to use `merge=true`, and changes nothing.
#[tokio::test]
async fn a_json_import_with_mode_is_told_to_use_merge() {
    let app = spawn_app().await;
    let before = needs(&app).await;
    let bundle =
        r#"{"needs": [{"id": "N50", "committee": "K1", "domain": "employment", "demand": 1}]}"#;
    let (s, body) = app
        .post_raw("/api/v1/import?mode=merge", &app.tokens.admin, bundle)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("`mode` applies to file uploads") && message.contains("`merge=true`"),
        "{message}"
    );
    assert_eq!(needs(&app).await, before, "nothing changed");
    // A coordinator learns first that JSON imports are not theirs.
    let (s, _) = app
        .post_raw("/api/v1/import?mode=merge", &app.tokens.coord, bundle)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // What the message says works.
    let (s, body) = app
        .post_raw("/api/v1/import?merge=true", &app.tokens.admin, bundle)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(needs(&app).await.contains(&"N50".to_string()));
}

/// One unit row of the test network (for a file a coordinator may not upload).
fn app_units() -> dangjian_model::Table<dangjian_model::Unit> {
    network().units.iter().take(1).cloned().collect()
}

/// Text in a number cell is named as text where a number is expected, not as a number too small.
#[tokio::test]
async fn text_in_a_number_cell_is_named_as_text() {
    let app = spawn_app().await;
    let file = needs_sheet(&[
        ["id", "committee", "domain", "demand"],
        ["N20", "K1", "employment", "ten"],
    ]);
    let (s, body) = import_xlsx(&app, &app.tokens.admin, file).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let d = &body["error"]["details"][0];
    assert_eq!(d["field"], "demand", "{body}");
    assert_eq!(
        d["message"], "需求量应填写大于0的整数，单元格中却是文字「ten」",
        "{body}"
    );
}

#[tokio::test]
async fn a_zip_of_csv_files_merges_and_reports_lines() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let zip_of = |files: &[(&str, &str)]| {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, text) in files {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            z.write_all(text.as_bytes()).expect("write");
        }
        z.finish().expect("finish");
        out.into_inner()
    };
    let before = needs(&app).await;
    let bad = zip_of(&[(
        "needs.csv",
        "id,committee,domain,demand\nN40,K1,employment,0\nN41,K1,employment,5\n",
    )]);
    let (s, body) = upload(&app, "/api/v1/import", a, "application/zip", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let details = body["error"]["details"].as_array().expect("details");
    assert_eq!(details.len(), 1, "{body}");
    assert_eq!(details[0]["sheet"], "needs.csv");
    assert_eq!(details[0]["row"], 2);
    assert_eq!(details[0]["field"], "demand");
    assert_eq!(details[0]["message"], "需求量必须大于0（填写的是 0）");
    assert_eq!(needs(&app).await, before, "nothing changed");
    let good = zip_of(&[(
        "bundle/needs.csv",
        "id,committee,domain,demand\nN41,K1,employment,5\n",
    )]);
    let (s, body) = upload(&app, "/api/v1/import", a, "application/zip", good).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(k1_employment_demand(&app).await, 5);
}

#[tokio::test]
async fn hostile_archives_are_refused_whole() {
    let app = spawn_app().await;
    let a = &app.tokens.admin;
    let before = needs(&app).await;
    let zip_of = |names: &[String]| {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for name in names {
            z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .expect("entry");
            z.write_all(b"id,committee,domain,demand\n").expect("write");
        }
        z.finish().expect("finish");
        out.into_inner()
    };
    let problem = |body: &Value| body["error"]["details"][0]["message_en"].to_string();
    // More entries than a CSV folder may hold (limits.rs MAX_CSV_DIR_ENTRIES), the same table
    // twice, and not a zip: each refused, naming what is wrong.
    let many: Vec<String> = (0..10_001).map(|i| format!("f{i}.csv")).collect();
    for (bytes, says) in [
        (zip_of(&many), "10000"),
        (
            zip_of(&["a/needs.csv".to_string(), "b/needs.csv".to_string()]),
            "twice",
        ),
        (b"PK\x03\x04 no".to_vec(), "not a readable zip archive"),
    ] {
        let (s, body) = upload(&app, "/api/v1/import", a, "application/zip", bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(problem(&body).contains(says), "{body}");
    }
    assert_eq!(needs(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn the_template_is_a_workbook_of_headers_that_uploads_as_nothing() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/v1/import/template"))
        .bearer_auth(&app.tokens.coord)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"].to_str().expect("type"), XLSX);
    let bytes = res.bytes().await.expect("bytes").to_vec();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("t.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    // Read back with the bundle reader: every table, no rows.
    let read = dangjian_bundle_io::decode_path_located(&path).expect("a workbook");
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    assert_eq!(read.bundle.row_count(), 0);
    // Uploaded as it is, it holds nothing to merge.
    let (s, body) = import_xlsx(&app, &app.tokens.admin, bytes).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty template holds no rows: {body}"
    );
    assert_eq!(
        body["error"]["details"][0]["message"],
        "文件中没有任何数据行"
    );
}
