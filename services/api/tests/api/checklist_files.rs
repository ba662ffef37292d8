//! Checklist CSV and XLSX files in Chinese by default (headers, 类别, 状态 未完成/已完成,
//! 预警 红/黄/绿, no flag codes in the item text) and with the JSON's codes on `?lang=en`.

use crate::diagrams::{AS_OF, spawn_sample};
use crate::graph::{admin_text, text};
use reqwest::StatusCode;

#[tokio::test]
async fn checklist_files_are_in_chinese_unless_asked_for_codes() {
    let app = spawn_sample().await;
    let (_, orgs) = app
        .get("/api/v1/party-orgs?leads=S-JLT", &app.tokens.admin)
        .await;
    let org = orgs["items"][0]["id"]
        .as_str()
        .expect("the street's org")
        .to_string();
    let path = format!("/api/v1/party-orgs/{org}/checklist?format=csv&as_of={AS_OF}&subtree=true");
    let (_, zh) = admin_text(&app, &path).await;
    let header = zh
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    assert_eq!(
        header,
        "编号,党组织,第一责任人,类别,事项,依据,期限,状态,预警"
    );
    assert!(zh.contains(",未完成,"), "{zh}");
    assert!(
        zh.contains("空白点"),
        "the sample has blank spots under 九里亭: {zh}"
    );
    // Ids (编号, 依据) stay codes; kind, item text, status and warning are Chinese.
    let mut checked = 0;
    for line in zh.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != 9 {
            continue;
        }
        checked += 1;
        for i in [3, 4, 7, 8] {
            assert!(
                !cells[i].chars().any(|c| c.is_ascii_lowercase()),
                "a code in column {i}: {line}"
            );
        }
        assert!(["未完成", "已完成"].contains(&cells[7]), "{line}");
        assert!(["红", "黄", "绿", ""].contains(&cells[8]), "{line}");
    }
    assert!(checked > 5, "{zh}");
    let (_, _, en) = text(&app, &format!("{path}&lang=en"), &app.tokens.admin).await;
    assert!(
        en.trim_start_matches('\u{feff}')
            .starts_with("id,party_org,first_responsible,kind,item,facts,due,status,rag")
    );
    assert!(en.contains(",open,"), "{en}");
    assert_eq!(zh.lines().count(), en.lines().count(), "the same items");
    let (status, _, _) = text(&app, &format!("{path}&lang=fr"), &app.tokens.admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (ct, _) = admin_text(
        &app,
        &format!("/api/v1/party-orgs/{org}/checklist?format=xlsx"),
    )
    .await;
    assert!(ct.contains("spreadsheetml"), "{ct}");
}
