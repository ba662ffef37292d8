//! Uploading a workbook (XLSX) or a zip of CSV files to `POST /api/v1/import`, and the empty
//! template workbook at `GET /api/v1/import/template`. The file is read with the bundle readers
//! (and their hostile-input limits); admins merge or replace, coordinators merge rows of their
//! own subtree only; the rows go through the one write path, all or nothing. Every problem is
//! answered in one pass with its sheet, row, field and a Chinese message.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{Body, Params};
use crate::routes::writes::Row;
use crate::state::{AppState, Snapshot};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dangjian_bundle_io::ReadError;
use dangjian_bundle_io::limits::{
    MAX_CSV_DIR_ENTRIES, MAX_CSV_FILE_BYTES, MAX_ZIP_ENTRY_BYTES, MAX_ZIP_TOTAL_BYTES,
};
use dangjian_live::Plan;
use dangjian_model::{
    Bundle, Member, Need, Partnership, Problem, Resource, Responsibility, TABLES, Volunteering,
};
use serde_json::{Value, json};
use std::io::Read;

/// The media type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An XLSX workbook, one sheet per table.
    Workbook,
    /// A zip archive of `<table>.csv` files.
    CsvZip,
}

impl FileKind {
    /// The kind a `Content-Type` names (`None`: not a file upload; JSON).
    pub fn of(content_type: &str) -> Option<FileKind> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            XLSX_TYPE => Some(FileKind::Workbook),
            "application/zip" | "application/x-zip-compressed" => Some(FileKind::CsvZip),
            _ => None,
        }
    }
}

/// The tables a coordinator may upload rows to: the ones rows are written to one at a time.
const COORDINATOR_TABLES: [&str; 6] = [
    "partnerships",
    "members",
    "volunteering",
    "needs",
    "resources",
    "responsibilities",
];

/// A decoded upload: the rows, where each came from, and the decoding problems.
struct Upload {
    bundle: Bundle,
    located: Vec<Vec<String>>,
    problems: Vec<Problem>,
    dropped: Vec<(&'static str, String)>,
}

impl Upload {
    /// Where row `i` of `table` came from.
    fn location(&self, table: &str, i: usize) -> Option<&str> {
        let t = TABLES.iter().position(|x| *x == table)?;
        self.located.get(t)?.get(i).map(String::as_str)
    }
}

/// A 403 naming the uploaded rows (by their own sheet row only) that lie outside the caller's
/// subtree, or `Ok` when there are none.
fn require_inside(caller: &Caller, snap: &Snapshot, upload: &Upload) -> Result<(), AppError> {
    if caller.restriction().is_none() {
        return Ok(());
    }
    let mut outside = Vec::new();
    check_rows::<Partnership>(caller, snap, upload, &mut outside);
    check_rows::<Member>(caller, snap, upload, &mut outside);
    check_rows::<Volunteering>(caller, snap, upload, &mut outside);
    check_rows::<Need>(caller, snap, upload, &mut outside);
    check_rows::<Resource>(caller, snap, upload, &mut outside);
    check_rows::<Responsibility>(caller, snap, upload, &mut outside);
    if outside.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = outside.iter().take(20).cloned().collect();
    let more = outside.len() - shown.len();
    Err(AppError::Forbidden(format!(
        "{} row(s) lie outside the scope of this token, nothing was changed: {}{}",
        outside.len(),
        shown.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    )))
}

/// The problems of an upload that did not decode whole: the decoding problems, and those the
/// rows that did decode would cause in the network they join, in sheet and row order.
fn all_problems(upload: &Upload, snap: &Snapshot, merge: bool) -> Vec<Problem> {
    let merged = if merge {
        snap.bundle().merged(&upload.bundle)
    } else {
        upload.bundle.clone()
    };
    let dropped: Vec<(&str, &str)> = upload
        .dropped
        .iter()
        .map(|(t, id)| (*t, id.as_str()))
        .collect();
    let found = dangjian_model::validation_problems(&merged, &dropped);
    let mut all = upload.problems.clone();
    all.extend(locate(found, upload, snap, merge));
    all.sort_by_key(|p| {
        let (sheet, row) = sheet_and_row(p);
        (sheet, row)
    });
    all
}

/// `POST /api/v1/import` with a workbook or a zip of CSV files (see the module documentation).
pub async fn import_file(
    state: &AppState,
    caller: Caller,
    mut p: Params,
    kind: FileKind,
    body: Body,
) -> Result<Response, AppError> {
    caller.require_writer()?;
    let merge = match (p.take("mode").as_deref(), p.take_bool("merge")?) {
        (Some("merge"), _) => true,
        (Some("replace"), _) => false,
        (Some(other), _) => {
            return Err(AppError::BadRequest(format!(
                "`mode` must be merge or replace, got `{other}`"
            )));
        }
        (None, Some(m)) => m,
        // A file usually holds some rows to add: merging is the safe default.
        (None, None) => true,
    };
    p.finish()?;
    if !merge {
        caller.require_admin().map_err(|_| {
            AppError::Forbidden(
                "only admin tokens may replace the network; coordinators upload with mode=merge"
                    .into(),
            )
        })?;
    }
    let bytes = body.0;
    let upload = tokio::task::spawn_blocking(move || decode(kind, &bytes)).await??;
    let imported = upload.bundle.row_count();
    if imported == 0 && upload.problems.is_empty() {
        return Err(problems_error(vec![Problem {
            table: String::new(),
            location: String::new(),
            id: None,
            field: None,
            message: "the file holds no rows".into(),
        }]));
    }
    if caller.restriction().is_some() {
        let others: Vec<&str> = TABLES
            .iter()
            .zip(table_sizes(&upload.bundle))
            .filter(|(t, n)| *n > 0 && !COORDINATOR_TABLES.contains(t))
            .map(|(t, _)| *t)
            .collect();
        if !others.is_empty() {
            return Err(AppError::Forbidden(format!(
                "a coordinator may upload rows of {} only; the file has rows in {}",
                COORDINATOR_TABLES.join(", "),
                others.join(", ")
            )));
        }
    }
    let upload = std::sync::Arc::new(upload);
    let snap = state.snapshot();
    require_inside(&caller, &snap, &upload)?;
    if !upload.problems.is_empty() {
        let (upload, scoped) = (upload.clone(), caller.restriction().is_some());
        let problems =
            tokio::task::spawn_blocking(move || all_problems(&upload, &snap, merge)).await?;
        return Err(problems_error(scrubbed(problems, scoped)));
    }
    drop(snap);
    let actor = caller.token_id.clone();
    let shared = upload.clone();
    let checker = caller.clone();
    let result = state
        .write(actor, move |snap, _versions| {
            // Checked again on the version the write applies to.
            require_inside(&checker, snap, &shared)?;
            let bundle = &shared.bundle;
            let total = if merge {
                snap.bundle().merged(bundle).row_count()
            } else {
                imported
            };
            let plan = if merge {
                Plan::Merge(bundle.clone())
            } else {
                Plan::Replace(bundle.clone())
            };
            Ok((plan, total))
        })
        .await;
    match result {
        Ok((total, seq)) => Ok(Json(json!({
            "imported_rows": imported,
            "total_rows": total,
            "merged": merge,
            "seq": seq,
        }))
        .into_response()),
        Err(AppError::Invalid { problems, .. }) => {
            let snap = state.snapshot();
            let mut located = locate(problems, &upload, &snap, merge);
            located.sort_by_key(sheet_and_row);
            Err(problems_error(scrubbed(
                located,
                caller.restriction().is_some(),
            )))
        }
        Err(e) => Err(e),
    }
}

/// Problems as a confined caller may read them (never what holds an id).
fn scrubbed(mut problems: Vec<Problem>, scoped: bool) -> Vec<Problem> {
    if scoped {
        for p in &mut problems {
            p.message = crate::access::scrub_message(&p.message);
        }
    }
    problems
}

/// Rows per table, in [`TABLES`] order.
fn table_sizes(b: &Bundle) -> Vec<usize> {
    vec![
        b.districts.len(),
        b.streets.len(),
        b.communities.len(),
        b.committees.len(),
        b.adjacency.len(),
        b.party_orgs.len(),
        b.units.len(),
        b.mass_orgs.len(),
        b.social_orgs.len(),
        b.members.len(),
        b.partnerships.len(),
        b.mass_links.len(),
        b.resources.len(),
        b.needs.len(),
        b.projects.len(),
        b.volunteering.len(),
        b.responsibilities.len(),
    ]
}

/// The rows of one table a coordinator may not write (with the same checks the row writes
/// use), named by their own sheet row only: each anchor of the row, and of the stored row with
/// the same id (a merge replaces it), must lie inside the caller's subtree.
fn check_rows<R: Row>(caller: &Caller, snap: &Snapshot, upload: &Upload, out: &mut Vec<String>) {
    let stored = R::rows(snap.bundle());
    for (i, row) in R::rows(&upload.bundle).iter().enumerate() {
        let mut anchors = row.anchors();
        if let Some(id) = row.id()
            && let Some(old) = stored.iter().find(|r| r.id() == Some(id))
        {
            anchors.extend(old.anchors());
        }
        let inside = anchors
            .iter()
            .all(|a| a.is_some_and(|id| caller.inside(&snap.engine, id)));
        if !inside {
            out.push(
                upload
                    .location(R::TABLE, i)
                    .map_or_else(|| format!("{} row {}", R::TABLE, i + 1), str::to_string),
            );
        }
    }
}

/// Point the problems validation found in the merged network at the uploaded rows: by id, or
/// (rows without ids) by their position after the stored rows.
fn locate(problems: Vec<Problem>, upload: &Upload, snap: &Snapshot, merge: bool) -> Vec<Problem> {
    let sizes = table_sizes(snap.bundle());
    problems
        .into_iter()
        .map(|mut p| {
            let Some(t) = TABLES.iter().position(|x| *x == p.table) else {
                return p;
            };
            let uploaded = table_ids(&upload.bundle, t);
            let by_id =
                p.id.as_ref()
                    .and_then(|id| uploaded.iter().position(|u| u.as_deref() == Some(id)));
            let by_index = || {
                let n: usize = p
                    .location
                    .strip_prefix('/')?
                    .split('/')
                    .nth(1)?
                    .parse()
                    .ok()?;
                if merge {
                    n.checked_sub(sizes[t])
                } else {
                    Some(n)
                }
            };
            if let Some(loc) = by_id
                .or_else(by_index)
                .and_then(|i| upload.location(&p.table, i))
            {
                p.location = loc.to_string();
            }
            p
        })
        .collect()
}

/// The ids of a table's rows (`None` for tables without ids), in order.
fn table_ids(b: &Bundle, t: usize) -> Vec<Option<String>> {
    fn ids<T: serde::Serialize>(rows: &[T]) -> Vec<Option<String>> {
        rows.iter()
            .map(|r| {
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            })
            .collect()
    }
    match TABLES[t] {
        "members" => ids(&b.members),
        "partnerships" => ids(&b.partnerships),
        "needs" => ids(&b.needs),
        "resources" => ids(&b.resources),
        "responsibilities" => ids(&b.responsibilities),
        "volunteering" => ids(&b.volunteering),
        "districts" => ids(&b.districts),
        "streets" => ids(&b.streets),
        "communities" => ids(&b.communities),
        "committees" => ids(&b.committees),
        "adjacency" => ids(&b.adjacency),
        "party_orgs" => ids(&b.party_orgs),
        "units" => ids(&b.units),
        "mass_orgs" => ids(&b.mass_orgs),
        "social_orgs" => ids(&b.social_orgs),
        "mass_links" => ids(&b.mass_links),
        "projects" => ids(&b.projects),
        _ => Vec::new(),
    }
}

/// Read the uploaded bytes with the bundle readers (from a temporary file or folder).
fn decode(kind: FileKind, bytes: &[u8]) -> Result<Upload, AppError> {
    let internal = |e: std::io::Error| AppError::Internal(format!("temporary file: {e}"));
    let dir = tempfile::tempdir().map_err(internal)?;
    let path = match kind {
        FileKind::Workbook => {
            let path = dir.path().join("upload.xlsx");
            std::fs::write(&path, bytes).map_err(internal)?;
            path
        }
        FileKind::CsvZip => {
            let folder = dir.path().join("csv");
            std::fs::create_dir(&folder).map_err(internal)?;
            unzip_csv(bytes, &folder)?;
            folder
        }
    };
    match dangjian_bundle_io::decode_path_located(&path) {
        Ok(l) => Ok(Upload {
            bundle: l.bundle,
            located: l.rows,
            problems: l.problems,
            dropped: l.dropped,
        }),
        Err(ReadError::Invalid(problems)) => Err(problems_error(problems.0)),
        Err(ReadError::Malformed { message, .. }) => Err(problems_error(vec![Problem {
            table: String::new(),
            location: String::new(),
            id: None,
            field: None,
            // The temporary path means nothing to the client.
            message: match kind {
                FileKind::Workbook => format!("not a readable workbook: {message}"),
                FileKind::CsvZip => format!("not a readable CSV file: {message}"),
            },
        }])),
        Err(ReadError::Io { source, .. }) => Err(AppError::Internal(source.to_string())),
    }
}

/// Unpack the `.csv` files of a zip archive into `folder`, each under its own file name (any
/// folders in the archive are ignored), within the readers' limits: entry count, each file's
/// and the whole archive's inflated size (counted while inflating: a declared size can lie).
fn unzip_csv(bytes: &[u8], folder: &std::path::Path) -> Result<(), AppError> {
    let bad = |message: String| {
        problems_error(vec![Problem {
            table: String::new(),
            location: String::new(),
            id: None,
            field: None,
            message,
        }])
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable zip archive: {e}")))?;
    if archive.len() > MAX_CSV_DIR_ENTRIES {
        return Err(bad(format!(
            "the archive holds {} entries; the limit is {MAX_CSV_DIR_ENTRIES}",
            archive.len()
        )));
    }
    let mut total = 0u64;
    let mut seen = std::collections::HashSet::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("not a readable zip archive: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let full = entry.name().to_string();
        let name = full.rsplit('/').next().unwrap_or(&full).to_string();
        if full.starts_with("__MACOSX/") || name.starts_with('.') || name.is_empty() {
            continue;
        }
        if name.contains('\\') || name.contains("..") {
            return Err(bad(format!(
                "the archive entry `{full}` has an unusable name"
            )));
        }
        if !seen.insert(name.clone()) {
            return Err(bad(format!("the archive holds `{name}` twice")));
        }
        let limit = MAX_CSV_FILE_BYTES.min(MAX_ZIP_ENTRY_BYTES);
        if entry.size() > limit || total + entry.size() > MAX_ZIP_TOTAL_BYTES {
            return Err(bad(format!(
                "`{name}` inflates to {} bytes; the limit is {limit} bytes per file and \
                 {MAX_ZIP_TOTAL_BYTES} in all",
                entry.size()
            )));
        }
        let mut out = Vec::new();
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| bad(format!("`{name}` cannot be inflated: {e}")))?;
        total += out.len() as u64;
        if out.len() as u64 > limit || total > MAX_ZIP_TOTAL_BYTES {
            return Err(bad(format!(
                "`{name}` inflates past the limit of {limit} bytes per file and \
                 {MAX_ZIP_TOTAL_BYTES} in all"
            )));
        }
        std::fs::write(folder.join(&name), out)
            .map_err(|e| AppError::Internal(format!("temporary file: {e}")))?;
    }
    Ok(())
}

/// A 422 listing every problem with its sheet, row, field and a Chinese message (the English
/// one kept as `message_en`).
fn problems_error(problems: Vec<Problem>) -> AppError {
    AppError::Upload(problems)
}

/// The JSON of one upload problem.
pub fn problem_json(p: &Problem) -> Value {
    let (sheet, row) = sheet_and_row(p);
    json!({
        "sheet": sheet,
        "row": row,
        "field": p.field,
        "id": p.id,
        "message": zh(p),
        "message_en": p.message,
        "table": p.table,
        "location": p.location,
    })
}

/// The sheet (or CSV file) and row (or line) a problem's location names.
fn sheet_and_row(p: &Problem) -> (Option<String>, Option<u64>) {
    let loc = p.location.as_str();
    if let Some(rest) = loc.strip_prefix("sheet ") {
        let mut parts = rest.splitn(2, " row ");
        let sheet = parts.next().map(str::to_string);
        let row = parts.next().and_then(|n| n.parse().ok());
        return (sheet, row);
    }
    if let Some((file, line)) = loc.split_once(" line ") {
        return (Some(file.to_string()), line.parse().ok());
    }
    let sheet = (!p.table.is_empty()).then(|| p.table.clone());
    (sheet, None)
}

/// The text between the first two backticks after `after` in `s`.
fn quoted<'a>(s: &'a str, after: &str) -> Option<&'a str> {
    let rest = &s[s.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

/// A problem in Chinese, for the people filling in the workbook. The readers' and the
/// validator's messages follow a few patterns; what no pattern covers keeps its English words
/// after a Chinese lead.
pub fn zh(p: &Problem) -> String {
    let m = p.message.as_str();
    let field = p.field.as_deref().unwrap_or("");
    let q = |after: &str| quoted(m, after).unwrap_or("").to_string();
    if m.contains("is required but missing") {
        return format!("缺少必填字段「{}」", q(""));
    }
    if m.starts_with("unknown field") {
        return format!("未知字段「{}」（表头应使用模板中的字段名）", q(""));
    }
    if m.starts_with("unknown sheet") {
        return format!("未知工作表「{}」（工作表应以数据表命名，见模板）", q(""));
    }
    if m.starts_with("unknown table file") {
        return format!("未知文件「{}」（文件应以数据表命名，如 needs.csv）", q(""));
    }
    if m.starts_with("unknown table") {
        return format!("未知数据表「{}」", q(""));
    }
    if m.starts_with("duplicate id") {
        return format!("编号「{}」重复", q(""));
    }
    if m.contains("is a reserved word") {
        return format!("「{}」是保留字，不能用作编号", q(""));
    }
    if m.contains("refers to") && m.contains("but no") {
        return format!(
            "「{}」引用的「{}」不存在",
            field,
            quoted(m, "refers to ").unwrap_or("")
        );
    }
    if m.contains("refers to") && m.contains("which is a") {
        return format!(
            "「{}」引用的「{}」类型不符",
            field,
            quoted(m, "refers to ").unwrap_or("")
        );
    }
    if m.contains("is empty") {
        return format!(
            "「{}」不能为空",
            if field.is_empty() { "编号" } else { field }
        );
    }
    if m.starts_with("birth year") {
        return "出生年份不合理（应在1900至2100之间）".into();
    }
    if m.starts_with("expires") {
        return "到期日期必须晚于签订日期".into();
    }
    if m.starts_with("capacity") {
        return "服务能力超过上限".into();
    }
    if m.starts_with("demand must be greater") {
        return "需求量必须大于0".into();
    }
    if m.starts_with("demand") {
        return "需求量超过上限".into();
    }
    if m.starts_with("hours must be") {
        return "志愿时长必须是不小于0的数".into();
    }
    if m.starts_with("hours") {
        return "志愿时长超过每行上限".into();
    }
    if m.contains("parent chain has a cycle") {
        return "上级党组织形成了循环".into();
    }
    if m.contains("cannot border itself") {
        return "居委会不能与自身相邻".into();
    }
    if m.contains("cells but the header has") {
        return "本行单元格数与表头不一致".into();
    }
    if m.contains("bytes of text; the limit is") {
        return "单元格文字过长".into();
    }
    if m.starts_with("must be greater than 0") || m.starts_with("expected a whole number > 0") {
        return if field == "demand" {
            "需求量必须大于0".into()
        } else {
            format!("「{field}」必须是大于0的整数")
        };
    }
    if m.starts_with("must be ≥ 0") || m.starts_with("hours must be ≥ 0") {
        return format!("「{field}」不能小于0");
    }
    if m.starts_with("expected a whole number") {
        return format!("「{field}」应为整数");
    }
    if m.starts_with("expected a number of hours") {
        return "志愿时长应为不小于0的数".into();
    }
    if m.starts_with("expected text") {
        return format!("「{field}」应为文字");
    }
    if m.contains("is not a plausible year") {
        return "出生年份不合理".into();
    }
    if m.starts_with("unknown ") && m.contains("expected one of:") {
        let allowed = m.split("expected one of:").nth(1).unwrap_or("").trim();
        return format!("「{field}」的取值「{}」无效，可选：{allowed}", q(""));
    }
    if m.contains("must be a date") || m.contains("YYYY-MM-DD") {
        return format!("「{field}」应为日期（格式 YYYY-MM-DD）");
    }
    if m.contains("must be one of") {
        return format!("「{field}」的取值不在允许范围内：{m}");
    }
    if m.contains("must be a number") || m.contains("must be an integer") {
        return format!("「{field}」应为数字");
    }
    if m == "the file holds no rows" {
        return "文件中没有任何数据行".into();
    }
    if m.starts_with("not a readable") {
        return format!("无法读取文件（请上传 .xlsx 工作簿或 CSV 压缩包）：{m}");
    }
    if m.contains("inflate") || m.contains("the limit is") || m.contains("the archive") {
        return format!("文件超出限制或无法解压：{m}");
    }
    format!("数据有误：{m}")
}

/// Turns the upload's problems into the response (see [`problems_error`]).
pub fn upload_response(problems: &[Problem]) -> Response {
    let details: Vec<Value> = problems.iter().map(problem_json).collect();
    let body = json!({"error": {
        "code": "invalid",
        "message": format!("上传的文件有 {} 个问题，未做任何更改", problems.len()),
        "details": details,
    }});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// `GET /api/v1/import/template`: the workbook to fill in, one sheet per table with its header
/// row only.
#[utoipa::path(get, path = "/api/v1/import/template", tag = "writes",
    responses((status = 200, description = "An XLSX workbook: one sheet per table, header rows only", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn template(_caller: Caller, p: Params) -> Result<Response, AppError> {
    p.finish()?;
    let bytes = tokio::task::spawn_blocking(|| -> Result<Vec<u8>, AppError> {
        let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
        let path = dir.path().join("template.xlsx");
        dangjian_bundle_io::write_xlsx(&Bundle::default(), &path)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        std::fs::read(&path).map_err(|e| AppError::Internal(e.to_string()))
    })
    .await??;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX_TYPE)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"dangjian-template.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(location: &str, field: Option<&str>, message: &str) -> Problem {
        Problem {
            table: "needs".into(),
            location: location.into(),
            id: None,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    #[test]
    fn problems_name_sheet_row_field_in_chinese() {
        let p = problem(
            "sheet needs row 3",
            Some("committee"),
            "`committee` refers to `K-NONE`, but no committee has that id",
        );
        let j = problem_json(&p);
        assert_eq!(j["sheet"], "needs");
        assert_eq!(j["row"], 3);
        assert_eq!(j["field"], "committee");
        assert_eq!(j["message"], "「committee」引用的「K-NONE」不存在");
        let p = problem(
            "needs.csv line 4",
            Some("demand"),
            "`demand` is required but missing",
        );
        let j = problem_json(&p);
        assert_eq!(j["sheet"], "needs.csv");
        assert_eq!(j["row"], 4);
        assert_eq!(j["message"], "缺少必填字段「demand」");
    }

    #[test]
    fn the_kind_follows_the_content_type() {
        assert_eq!(FileKind::of(XLSX_TYPE), Some(FileKind::Workbook));
        assert_eq!(
            FileKind::of("application/zip; charset=binary"),
            Some(FileKind::CsvZip)
        );
        assert_eq!(FileKind::of("application/json"), None);
    }
}
