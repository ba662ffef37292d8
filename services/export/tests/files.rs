//! The checklist files read back: CSV in both languages, and the XLSX opened with calamine.

use calamine::{Reader, Xlsx};
use dangjian_export::{ChecklistLang, checklist_csv, checklist_xlsx};
use dangjian_model::{ChecklistDoc, ChecklistItem, Date, ItemKind, ItemStatus, Rag};

fn doc() -> ChecklistDoc {
    let day = |d| Date::from_ymd_opt(2025, 6, d).expect("valid");
    let item = |id: &str, kind, text: &str, status, rag, due| ChecklistItem {
        id: id.into(),
        party_org: "P1".into(),
        first_responsible: "王书记".into(),
        kind,
        item: text.into(),
        facts: vec!["K1".into(), "N1".into()],
        due,
        status,
        rag,
    };
    ChecklistDoc {
        as_of: day(30),
        party_org: "P1".into(),
        items: vec![
            item(
                "P1:explicit:R1",
                ItemKind::Explicit,
                "=SUM(A1)",
                ItemStatus::Open,
                Rag::Red,
                Some(day(1)),
            ),
            item(
                "P1:blank_spot:K1:no_union",
                ItemKind::BlankSpot,
                "无工会（no_union）",
                ItemStatus::Done,
                Rag::None,
                None,
            ),
        ],
    }
}

#[test]
fn csv_in_codes_and_in_chinese() {
    let en = checklist_csv(&doc(), ChecklistLang::En).expect("csv");
    assert_eq!(
        en,
        "\u{feff}id,party_org,first_responsible,kind,item,facts,due,status,rag\r\n\
         P1:explicit:R1,P1,王书记,explicit,'=SUM(A1),K1;N1,2025-06-01,open,red\r\n\
         P1:blank_spot:K1:no_union,P1,王书记,blank_spot,无工会（no_union）,K1;N1,,done,none\r\n"
    );
    let zh = checklist_csv(&doc(), ChecklistLang::Zh).expect("csv");
    assert_eq!(
        zh,
        "\u{feff}编号,党组织,第一责任人,类别,事项,依据,期限,状态,预警\r\n\
         P1:explicit:R1,P1,王书记,责任事项,'=SUM(A1),K1;N1,2025-06-01,未完成,红\r\n\
         P1:blank_spot:K1:no_union,P1,王书记,空白点,无工会,K1;N1,,已完成,\r\n"
    );
}

#[test]
fn xlsx_has_one_named_sheet_with_guarded_cells() {
    let bytes = checklist_xlsx(&doc(), ChecklistLang::Zh).expect("xlsx");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
    assert_eq!(book.sheet_names(), vec!["责任清单".to_string()]);
    let range = book.worksheet_range("责任清单").expect("sheet");
    let cell = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(0, 0), "编号");
    assert_eq!(cell(0, 8), "预警");
    assert_eq!(cell(1, 4), "'=SUM(A1)");
    assert_eq!(cell(2, 3), "空白点");
    assert_eq!(range.height(), 3);
    let en = checklist_xlsx(&doc(), ChecklistLang::En).expect("xlsx");
    let book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(en)).expect("open");
    assert_eq!(book.sheet_names(), vec!["checklist".to_string()]);
}
