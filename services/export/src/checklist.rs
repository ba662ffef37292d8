//! The responsibility checklist (责任清单) as files: its rows in code or Chinese form, CSV and
//! XLSX. The document itself is computed by the engine (`Engine::checklist`).

use crate::{ExportError, Guard, csv_bytes, one_sheet_xlsx};
use dangjian_model::ChecklistDoc;
use dangjian_model::labels::wire_name;

/// The CSV / XLSX header of a checklist, in column order (the JSON field names).
pub const CHECKLIST_HEADER: [&str; 9] = [
    "id",
    "party_org",
    "first_responsible",
    "kind",
    "item",
    "facts",
    "due",
    "status",
    "rag",
];

/// The Chinese header of checklist files (the default of the API's CSV and XLSX), in the
/// order of [`CHECKLIST_HEADER`].
pub const CHECKLIST_HEADER_ZH: [&str; 9] = [
    "编号",
    "党组织",
    "第一责任人",
    "类别",
    "事项",
    "依据",
    "期限",
    "状态",
    "预警",
];

/// The language of checklist files: Chinese headers and values, or the machine codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecklistLang {
    /// 状态 未完成/已完成, 预警 红/黄/绿, 类别 in Chinese; no codes in the item text.
    Zh,
    /// The field names and codes of the JSON document (`status`, `open`, `green`).
    En,
}

impl std::str::FromStr for ChecklistLang {
    type Err = String;

    /// `zh` or `en`.
    fn from_str(s: &str) -> Result<ChecklistLang, String> {
        match s {
            "zh" => Ok(ChecklistLang::Zh),
            "en" => Ok(ChecklistLang::En),
            other => Err(format!("must be zh or en, got `{other}`")),
        }
    }
}

/// The header of a checklist file in a language.
pub fn checklist_header(lang: ChecklistLang) -> [&'static str; 9] {
    match lang {
        ChecklistLang::Zh => CHECKLIST_HEADER_ZH,
        ChecklistLang::En => CHECKLIST_HEADER,
    }
}

/// The checklist as rows of strings in [`CHECKLIST_HEADER`] order (no header row): facts
/// joined by `;`, due as `YYYY-MM-DD` or empty; kind, status and rag as codes (`En`) or in
/// Chinese (`Zh`, where a blank-spot item also drops its flag's code from the text).
pub fn checklist_rows(doc: &ChecklistDoc, lang: ChecklistLang) -> Vec<[String; 9]> {
    doc.items
        .iter()
        .map(|it| {
            let (kind, status, rag) = match lang {
                ChecklistLang::En => (
                    wire_name(&it.kind),
                    wire_name(&it.status),
                    wire_name(&it.rag),
                ),
                ChecklistLang::Zh => (
                    it.kind.label_zh().to_owned(),
                    it.status.label_zh().to_owned(),
                    it.rag.label_zh().to_owned(),
                ),
            };
            let item = match lang {
                ChecklistLang::En => it.item.clone(),
                ChecklistLang::Zh => without_code(&it.item).to_owned(),
            };
            [
                it.id.clone(),
                it.party_org.as_str().to_owned(),
                it.first_responsible.clone(),
                kind,
                item,
                it.facts.join(";"),
                it.due.map(|d| d.to_string()).unwrap_or_default(),
                status,
                rag,
            ]
        })
        .collect()
}

/// A blank-spot item ends in its flag's code, e.g. `无共青团（no_youth_league）`: the Chinese
/// file leaves the code out.
fn without_code(item: &str) -> &str {
    if let Some(open) = item.rfind('（')
        && item.ends_with('）')
    {
        let code = &item[open + '（'.len_utf8()..item.len() - '）'.len_utf8()];
        if !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return &item[..open];
        }
    }
    item
}

/// The checklist as CSV (RFC 4180, CRLF line ends) with a header row, UTF-8 with a byte-order
/// mark so that Excel opens the Chinese text correctly.
pub fn checklist_csv(doc: &ChecklistDoc, lang: ChecklistLang) -> Result<String, ExportError> {
    let header = checklist_header(lang).map(str::to_owned);
    let rows = std::iter::once(header).chain(checklist_rows(doc, lang));
    let bytes = csv_bytes(rows, Guard::Excel)?;
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()))
}

/// The checklist as an XLSX workbook: one sheet (责任清单 or `checklist`), bold frozen header,
/// widths fitting Chinese text.
pub fn checklist_xlsx(doc: &ChecklistDoc, lang: ChecklistLang) -> Result<Vec<u8>, ExportError> {
    let sheet = match lang {
        ChecklistLang::Zh => "责任清单",
        ChecklistLang::En => "checklist",
    };
    one_sheet_xlsx(sheet, &checklist_header(lang), checklist_rows(doc, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_from_their_codes() {
        assert_eq!("zh".parse(), Ok(ChecklistLang::Zh));
        assert_eq!("en".parse(), Ok(ChecklistLang::En));
        assert_eq!(
            "fr".parse::<ChecklistLang>(),
            Err("must be zh or en, got `fr`".to_string())
        );
    }

    #[test]
    fn the_chinese_item_text_drops_only_a_trailing_code() {
        assert_eq!(without_code("无共青团（no_youth_league）"), "无共青团");
        assert_eq!(without_code("协调（周末）"), "协调（周末）");
        assert_eq!(without_code("无妇联"), "无妇联");
    }
}
