//! Uploading a workbook (XLSX) or a zip of CSV files to `POST /api/v1/import`, and the empty
//! template workbook at `GET /api/v1/import/template`. The file is read with the bundle readers
//! (and their hostile-input limits); admins merge or replace, coordinators merge rows of their
//! own subtree only; the rows go through the one write path, all or nothing. Every problem is
//! answered in one pass with its sheet, row, field and a Chinese message.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{Body, NoQuery, Query};
use crate::routes::writes::Row;
use crate::routes::writes::{ImportQuery, Merges};
use crate::state::{AppState, Snapshot};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dangjian_bundle_io::ReadError;
use dangjian_bundle_io::limits::{
    MAX_CSV_DIR_ENTRIES, MAX_CSV_FILE_BYTES, MAX_ZIP_ENTRY_BYTES, MAX_ZIP_TOTAL_BYTES,
};
use dangjian_live::Plan;
use dangjian_model::store::table_sizes;
use dangjian_model::validate::Kind;
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

/// The answer to `mode` with a JSON body (an admin's: [`crate::routes::writes::import`] reads
/// the query once the caller may import).
pub(crate) const JSON_MODE: &str = "`mode` applies to file uploads (XLSX, or a zip of CSV files); a JSON \
     body is merged with `merge=true` and otherwise replaces the whole network";

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
    Err(AppError::UploadForbidden(format!(
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
    query: Result<Query<ImportQuery>, AppError>,
    kind: FileKind,
    body: Body,
) -> Result<Response, AppError> {
    caller.require_writer().map_err(in_chinese)?;
    let Query(q) = query?;
    let merge = match (q.mode, q.merge) {
        (Some(Merges(m)), _) => m,
        (None, Some(m)) => m,
        // A file usually holds some rows to add: merging is the safe default.
        (None, None) => true,
    };
    if !merge {
        caller.require_admin().map_err(|_| {
            AppError::UploadForbidden(
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
        let others: Vec<&str> = table_sizes(&upload.bundle)
            .into_iter()
            .filter(|(t, n)| *n > 0 && !COORDINATOR_TABLES.contains(t))
            .map(|(t, _)| t)
            .collect();
        if !others.is_empty() {
            return Err(AppError::UploadForbidden(format!(
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
            let bundle = shared.bundle.clone();
            let plan = if merge {
                Plan::Merge(bundle)
            } else {
                Plan::Replace(bundle)
            };
            Ok((plan, ()))
        })
        .await;
    match result {
        Ok(((), written)) => Ok(Json(json!({
            "imported_rows": imported,
            "total_rows": written.rows,
            "merged": merge,
            "seq": written.seq,
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

/// A 403 of the shared access checks answered as the upload's own: in Chinese too.
fn in_chinese(e: AppError) -> AppError {
    match e {
        AppError::Forbidden(en) => AppError::UploadForbidden(en),
        other => other,
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

/// The rows of one table a coordinator may not write (with the row writes' own checks), named
/// by their own sheet row only: the row must be writable as a row write would find it, over
/// the stored row with the same id (a merge replaces it), which must lie inside too; a new
/// row's id must not be taken outside (in any table), as in a row create.
fn check_rows<R: Row>(caller: &Caller, snap: &Snapshot, upload: &Upload, out: &mut Vec<String>) {
    use crate::routes::writes::{require_anchors, require_writable, taken_in_view};
    let stored = R::rows(snap.bundle());
    for (i, row) in R::rows(&upload.bundle).iter().enumerate() {
        let old = row
            .id()
            .and_then(|id| stored.iter().find(|r| r.id() == Some(id)));
        let inside = old.is_none_or(|old| require_anchors(caller, snap, old).is_ok())
            && require_writable(caller, snap, row, old).is_ok()
            && row
                .id()
                .is_none_or(|id| taken_in_view::<R>(caller, snap, id));
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
                    n.checked_sub(sizes[t].1)
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

/// The text after the last occurrence of `after` (trimmed), or "".
fn after<'a>(s: &'a str, after: &str) -> &'a str {
    s.rfind(after).map_or("", |i| s[i + after.len()..].trim())
}

/// The first number in `s` after `from`, or "".
fn number_after<'a>(s: &'a str, from: &str) -> &'a str {
    let Some(i) = s.find(from) else { return "" };
    let rest = &s[i + from.len()..];
    let start = rest
        .find(|c: char| c.is_ascii_digit() || c == '-')
        .unwrap_or(rest.len());
    let rest = &rest[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// A record kind (the validator's nouns) in Chinese.
fn noun_zh(noun: &str) -> &str {
    let noun = noun.trim();
    Kind::of_noun(noun).map_or(noun, |k| k.noun_zh())
}

/// `district, street or community` → `区、街镇或社区`.
fn nouns_zh(nouns: &str) -> String {
    let (head, last) = match nouns.rsplit_once(" or ") {
        Some((h, l)) => (h, Some(l)),
        None => (nouns, None),
    };
    let mut out: Vec<&str> = head.split(", ").map(noun_zh).collect();
    match last {
        Some(l) => format!("{}或{}", out.join("、"), noun_zh(l)),
        None => {
            out.truncate(1);
            out.concat()
        }
    }
}

/// What a reader found instead (`the number 3`, `the text "x"`, `a list`) in Chinese.
fn found_zh(found: &str) -> String {
    let f = found.trim();
    if let Some(n) = f.strip_prefix("the number ") {
        return format!("数字 {n}");
    }
    if let Some(t) = f.strip_prefix("the text ") {
        return format!("文字「{}」", t.trim_matches('"'));
    }
    match f {
        "`true`" => "逻辑值 TRUE".into(),
        "`false`" => "逻辑值 FALSE".into(),
        "null" => "空值".into(),
        "a list" => "列表".into(),
        "an object" => "对象".into(),
        other => other.to_string(),
    }
}

/// A vocabulary's name (`unit category`) in Chinese.
fn vocabulary_zh(what: &str) -> &str {
    match what {
        "street kind" => "街镇类型",
        "party-org level" => "党组织层级",
        "unit category" => "单位类别",
        "mass-org type" => "群团组织类型",
        "project status" => "项目状态",
        "responsibility status" => "责任事项状态",
        "service domain" => "服务领域",
        other => other,
    }
}

/// A problem in Chinese, for the people filling in the workbook: every message the readers
/// (`dangjian-bundle-io`), the validator (`dangjian_model::validate`) and this route write has
/// a Chinese form (the test `every_known_message_has_a_chinese_form` walks them); ids, field
/// names and the codes to type stay as they are, in 「」. Only a message no rule knows keeps its
/// English words after a Chinese lead.
pub fn zh(p: &Problem) -> String {
    zh_message(p.message.as_str(), p.field.as_deref().unwrap_or(""))
}

/// The Chinese form of one message (`field`: the field it is about, or "").
pub fn zh_message(m: &str, field: &str) -> String {
    let q = |after: &str| quoted(m, after).unwrap_or("").to_string();
    let found = || found_zh(after(m, "found "));
    // Prefixes that wrap another message.
    if let Some(rest) = m.strip_prefix("item ")
        && let Some((n, inner)) = rest.split_once(" of `")
        && let Some((name, msg)) = inner.split_once("`: ")
    {
        return format!("「{name}」第{n}项：{}", zh_message(msg, name));
    }
    for (lead, zh) in [
        (
            "not a readable workbook: ",
            "无法读取工作簿（请上传 .xlsx 文件）",
        ),
        ("not a readable CSV file: ", "无法读取 CSV 文件"),
        (
            "not a readable zip archive: ",
            "无法读取压缩包（请上传 CSV 文件的 zip 压缩包）",
        ),
    ] {
        if let Some(inner) = m.strip_prefix(lead) {
            let inner_zh = zh_message(inner, field);
            return if inner_zh.starts_with(FALLBACK) {
                zh.to_string()
            } else {
                format!("{zh}：{inner_zh}")
            };
        }
    }
    if let Some(inner) = m.strip_prefix("entry `")
        && let Some((name, msg)) = inner.split_once("`: ")
    {
        let inner_zh = zh_message(msg, field);
        return if inner_zh.starts_with(FALLBACK) {
            format!("压缩条目「{name}」无法读取")
        } else {
            format!("压缩条目「{name}」：{inner_zh}")
        };
    }

    // The validator (dangjian_model::validate).
    if m.starts_with("id is empty") {
        return "编号为空：每一行都必须有编号".into();
    }
    if m.starts_with("duplicate id") {
        return format!("编号「{}」重复", q(""));
    }
    if m.contains("is a reserved word") {
        return format!("「{}」是保留字，不能用作编号", q(""));
    }
    if m.starts_with("`domains` is empty") {
        return "「domains」为空：至少填写一个服务领域".into();
    }
    if let Some(nouns) = m.split("is empty; it must name a ").nth(1) {
        return format!("「{}」不能为空，应填写{}的编号", q(""), nouns_zh(nouns));
    }
    if m.contains("refers to") && m.contains("but no") {
        let nouns = m
            .split("but no ")
            .nth(1)
            .and_then(|x| x.strip_suffix(" has that id"))
            .unwrap_or("");
        return format!(
            "「{}」引用的「{}」不存在（没有这个编号的{}）",
            q(""),
            q("refers to "),
            nouns_zh(nouns)
        );
    }
    if m.contains("refers to") && m.contains("which is a") {
        let kind = m
            .split("which is a ")
            .nth(1)
            .and_then(|x| x.split(" (").next())
            .unwrap_or("");
        let nouns = after(m, "), not a ");
        return format!(
            "「{}」引用的「{}」是{}，不是{}",
            q(""),
            q("refers to "),
            noun_zh(kind),
            nouns_zh(nouns)
        );
    }
    if m.starts_with('`') && m.ends_with("` is empty") {
        return format!("「{}」不能为空", q(""));
    }
    if m.starts_with("birth year") {
        return format!(
            "出生年份 {} 不合理（应在1900至2100之间）",
            number_after(m, "birth year")
        );
    }
    if m.starts_with("expires") {
        return "到期日期必须晚于签订日期".into();
    }
    for (lead, zh) in [("capacity", "服务能力"), ("demand", "需求量")] {
        if m.starts_with(&format!("{lead} must be greater")) {
            return format!("{zh}必须大于0");
        }
        if m.starts_with(lead) {
            return format!(
                "{zh} {} 超过上限 {}",
                number_after(m, lead),
                number_after(m, "limit of")
            );
        }
    }
    if m.starts_with("hours must be a finite") {
        return "志愿时长必须是不小于0的数".into();
    }
    if m.starts_with("hours must be ≥ 0") {
        return format!("志愿时长不能小于0（填写的是 {}）", after(m, "found "));
    }
    if m.starts_with("hours") && m.contains("above the limit") {
        return format!(
            "志愿时长 {} 超过每行上限 {}",
            number_after(m, "hours"),
            number_after(m, "limit of")
        );
    }
    if m.contains("parent chain has a cycle") {
        return format!("上级党组织形成了循环：{}", after(m, "cycle:"));
    }
    if m.contains("cannot border itself") {
        return "居委会不能与自身相邻（a 与 b 相同）".into();
    }

    // The readers: a row's fields and values.
    if m.contains("is required but missing") {
        return format!("缺少必填字段「{}」", q(""));
    }
    if m.starts_with("required column") {
        return format!("缺少必填列「{}」", q(""));
    }
    for (lead, what) in [("unknown field", "字段"), ("unknown column", "列")] {
        if m.starts_with(lead) {
            return format!("未知{what}「{}」（表头应使用模板中的字段名）", q(""));
        }
    }
    if m.starts_with("column `") && m.ends_with("appears twice") {
        return format!("列「{}」出现了两次", q(""));
    }
    if m.starts_with("a row must be an object") {
        return format!("每一行应为一条记录（含各字段），实际是{}", found());
    }
    if m.contains("must be a list of rows") {
        return format!("「{}」应为数据行的列表，实际是{}", q(""), found());
    }
    if m.contains("` must be a list, found") {
        return format!("「{}」应为列表，实际是{}", q(""), found());
    }
    if m.starts_with("the bundle must be a JSON object") {
        return "文件应为 JSON 对象，每个数据表一个列表".into();
    }
    if m.starts_with("expected text") {
        return format!("「{field}」应为文字，实际是{}", found());
    }
    if m.contains("is not a plausible year") {
        return format!("出生年份 {} 不合理", number_after(m, ""));
    }
    if m.starts_with("must be greater than 0") || m.starts_with("expected a whole number > 0") {
        let what = if field == "demand" {
            "需求量".to_string()
        } else {
            format!("「{field}」")
        };
        // A cell holding text (or a list, an object…) is not a number at all: say so, rather
        // than that the number is too small.
        return if m.starts_with("expected") {
            format!("{what}应填写大于0的整数，单元格中却是{}", found())
        } else {
            format!("{what}必须大于0（填写的是 {}）", after(m, "found "))
        };
    }
    if m.starts_with("must be ≥ 0") || m.starts_with("expected a whole number ≥ 0") {
        return format!("「{field}」应为不小于0的整数（填写的是{}）", found());
    }
    if m.starts_with("expected a whole number") {
        return format!("「{field}」应为整数，实际是{}", found());
    }
    if m.starts_with("expected a number of hours") {
        return format!("志愿时长应为不小于0的数，实际是{}", found());
    }
    if m.contains("is not a date") {
        return format!("「{field}」的「{}」不是有效日期（格式 YYYY-MM-DD）", q(""));
    }
    if m.starts_with("expected a date") {
        return format!("「{field}」应为日期（格式 YYYY-MM-DD），实际是{}", found());
    }
    if let Some(rest) = m.strip_prefix("unknown ")
        && let Some((what, _)) = rest.split_once(" `")
        && m.contains("expected one of:")
    {
        return format!(
            "{}「{}」无效，可选：{}",
            vocabulary_zh(what),
            q(""),
            after(m, "expected one of:")
        );
    }
    if let Some(rest) = m.strip_prefix("expected a ")
        && let Some((what, _)) = rest.split_once(", found")
    {
        return format!("「{field}」应为{}，实际是{}", vocabulary_zh(what), found());
    }

    // The readers: files, sheets, tables and limits.
    if m.starts_with("unknown sheet") {
        return format!("未知工作表「{}」（工作表应以数据表命名，见模板）", q(""));
    }
    if m.starts_with("unknown table file") {
        return format!(
            "未知文件「{}」（文件应以数据表命名，如「needs.csv」）",
            q("")
        );
    }
    if m.starts_with("unknown table") {
        return format!("未知数据表「{}」", q(""));
    }
    if m.starts_with("unknown bundle format") {
        return format!("不支持的文件格式「{}」（应为 json、csv 或 xlsx）", q(""));
    }
    if m.contains("cells but the header has") {
        return "本行单元格数与表头不一致".into();
    }
    if m.starts_with("the cell holds the spreadsheet error") {
        return format!(
            "单元格是公式错误值（{}），请填写数值或文字",
            after(m, "error")
        );
    }
    if m.contains("bytes of text; the limit is") {
        return format!(
            "单元格文字过长（{} 字节，上限 {}）",
            number_after(m, "holds"),
            number_after(m, "limit is")
        );
    }
    if m.starts_with("a record longer than") {
        return format!("有一行超过 {} 字节的上限", number_after(m, "than"));
    }
    if m.starts_with("the file is") {
        return format!(
            "文件过大（{} 字节，上限 {} 字节）",
            number_after(m, "file is"),
            number_after(m, "limit is")
        );
    }
    if m.starts_with("the folder holds more than") {
        return format!(
            "文件夹中的文件超过 {} 个（每个数据表一个文件）",
            number_after(m, "more than")
        );
    }
    if m.starts_with("arrays and objects nested more than") {
        return "文件嵌套层数过多".into();
    }
    if m.starts_with("malformed workbook content") {
        return "工作簿内容已损坏，无法读取".into();
    }
    if let Some(rest) = m.strip_prefix("a cell at ")
        && let Some(what) = [("in column", "列"), ("in row", "行")]
            .into_iter()
            .find_map(|(lead, what)| m.contains(lead).then_some(what))
    {
        return format!(
            "单元格「{}」超出{what}数上限（每张表最多 {} {what}）",
            rest.split(' ').next().unwrap_or(""),
            number_after(m, "at most")
        );
    }
    if m.starts_with("the workbook has more than") {
        return format!("工作簿中非空单元格超过 {} 个", number_after(m, "more than"));
    }
    if m.starts_with("the archive has")
        || m.starts_with("the archive holds") && m.contains("entries")
    {
        return format!(
            "压缩包中的条目过多（{} 个，上限 {}）",
            number_after(m, "the archive h"),
            number_after(m, "limit is")
        );
    }
    if m.starts_with("the archive holds `") && m.ends_with("twice") {
        return format!("压缩包中有两个「{}」", q(""));
    }
    if m.starts_with("the archive entry") && m.contains("unusable name") {
        return format!("压缩包中的条目名「{}」不可用", q(""));
    }
    if m.contains(" declare") && m.contains("uncompressed") {
        return "压缩包解压后超过大小上限".into();
    }
    if m.contains("inflates") {
        return format!("「{}」解压后超过大小上限", q(""));
    }
    if m.contains("cannot be inflated") {
        return format!("「{}」无法解压", q(""));
    }
    if m == "the file holds no rows" {
        return "文件中没有任何数据行".into();
    }
    // This route's 403s (a token's role or scope).
    if let Some((count, rest)) = m.split_once(" row(s) lie outside the scope of this token") {
        let listed = after(rest, "nothing was changed:");
        let (listed, more) = match listed.split_once("; and ") {
            Some((l, more)) => (l, format!("；另有 {} 行", number_after(more, ""))),
            None => (listed, String::new()),
        };
        let places: Vec<String> = listed.split("; ").map(location_zh).collect();
        return format!(
            "有 {count} 行不在本令牌的管辖范围内，未做任何更改：{}{more}",
            places.join("；")
        );
    }
    if m.starts_with("only admin tokens may replace the network") {
        return "只有管理员令牌可以替换整个网络；协调员请以合并方式上传（「mode=merge」）".into();
    }
    if m.starts_with("viewer tokens cannot write") {
        return "查看者令牌只能读取，不能上传或修改数据".into();
    }
    if let Some(rest) = m.strip_prefix("a coordinator may upload rows of ")
        && let Some((allowed, found)) = rest.split_once(" only; the file has rows in ")
    {
        let quoted = |list: &str| {
            list.split(", ")
                .map(|t| format!("「{t}」"))
                .collect::<Vec<_>>()
                .join("、")
        };
        return format!(
            "协调员只能上传{}的行；文件中有{}的行",
            quoted(allowed),
            quoted(found)
        );
    }
    format!("{FALLBACK}{m}")
}

/// Where an uploaded row is, in Chinese: `sheet needs row 3` → `工作表「needs」第 3 行`,
/// `needs.csv line 2` → `「needs.csv」第 2 行`, `needs row 4` → `「needs」第 4 行`.
fn location_zh(loc: &str) -> String {
    let loc = loc.trim();
    if let Some(rest) = loc.strip_prefix("sheet ")
        && let Some((sheet, row)) = rest.rsplit_once(" row ")
    {
        return format!("工作表「{sheet}」第 {row} 行");
    }
    match loc
        .rsplit_once(" line ")
        .or_else(|| loc.rsplit_once(" row "))
    {
        Some((file, n)) => format!("「{file}」第 {n} 行"),
        None => format!("「{loc}」"),
    }
}

/// The lead of a message no rule knows (its English words follow).
const FALLBACK: &str = "数据有误：";

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
        (status = 400, description = "Any query parameter (none is read)", body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn template(_caller: Caller, _: Query<NoQuery>) -> Result<Response, AppError> {
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
    fn rules_shared_by_fields_keep_each_fields_words() {
        for (field, m, zh) in [
            (
                "capacity",
                "capacity must be greater than 0",
                "服务能力必须大于0",
            ),
            (
                "capacity",
                "capacity 9999999999 is above the limit of 1000000",
                "服务能力 9999999999 超过上限 1000000",
            ),
            ("demand", "demand must be greater than 0", "需求量必须大于0"),
            (
                "demand",
                "demand 9999999999 is above the limit of 1000000",
                "需求量 9999999999 超过上限 1000000",
            ),
            (
                "nickname",
                "unknown field `nickname`; the fields of units are: id, name",
                "未知字段「nickname」（表头应使用模板中的字段名）",
            ),
            (
                "nickname",
                "unknown column `nickname`; the columns of units are: id, name",
                "未知列「nickname」（表头应使用模板中的字段名）",
            ),
            (
                "",
                "a cell at XFE1 is in column 16385; a table sheet may use at most 16384 columns",
                "单元格「XFE1」超出列数上限（每张表最多 16384 列）",
            ),
            (
                "",
                "a cell at B2000000 is in row 2000000; a sheet has at most 1048576 rows",
                "单元格「B2000000」超出行数上限（每张表最多 1048576 行）",
            ),
        ] {
            assert_eq!(zh_message(m, field), zh, "{m}");
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
        assert_eq!(
            j["message"],
            "「committee」引用的「K-NONE」不存在（没有这个编号的居委会）"
        );
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

    /// One message of every kind the readers, the validator and this route write, as they
    /// write them (templates from `dangjian_model::validate`, `dangjian-bundle-io`'s `decode`,
    /// `cells`, `csv_dir`, `xlsx`, `lib`, and `unzip_csv` here), with the field they name.
    const CATALOGUE: &[(&str, &str)] = &[
        // dangjian_model::validate
        ("id", "id is empty; every row needs a non-empty id"),
        (
            "id",
            "duplicate id `K1`: already used by committee /committees/3",
        ),
        ("id", "duplicate id `K1`: already used"),
        ("id", "`city` is a reserved word and cannot be an id"),
        ("name", "`name` is empty"),
        ("district", "`district` is empty; it must name a district"),
        (
            "target",
            "`target` is empty; it must name a district, street, community or committee",
        ),
        (
            "leads",
            "`leads` refers to `U9`, which is a unit (/units/4), not a street, community or committee",
        ),
        (
            "committee",
            "`committee` refers to `K-NONE`, but no committee has that id",
        ),
        (
            "provider",
            "`provider` refers to `X`, but no unit, mass org, social org, street or community has that id",
        ),
        (
            "parent",
            "`parent` refers to `P1`, which is a need (needs), not a party org",
        ),
        (
            "b",
            "a committee cannot border itself (`a` and `b` are both `K1`)",
        ),
        (
            "domains",
            "`domains` is empty; list at least one service domain",
        ),
        (
            "birth_year",
            "birth year 1800 is not plausible (expected 1900 to 2100)",
        ),
        (
            "expires",
            "expires (2020-01-01) must be after signed (2021-01-01)",
        ),
        ("capacity", "capacity must be greater than 0"),
        (
            "capacity",
            "capacity 9999999999 is above the limit of 1000000",
        ),
        ("demand", "demand must be greater than 0"),
        ("demand", "demand 9999999999 is above the limit of 1000000"),
        ("hours", "hours must be a finite number ≥ 0, not -1"),
        ("hours", "hours 100 is above the limit of 24 per row"),
        (
            "parent",
            "the party-org parent chain has a cycle: P1 → P2 → P1",
        ),
        // dangjian-bundle-io: decode
        ("name", "expected text, found the number 3"),
        ("birth_year", "1800 is not a plausible year"),
        (
            "households",
            "expected a whole number, found the text \"many\"",
        ),
        ("households", "must be ≥ 0, found -3"),
        ("households", "expected a whole number ≥ 0, found a list"),
        ("capacity", "must be greater than 0, found 0"),
        ("demand", "must be greater than 0, found -2"),
        ("capacity", "expected a whole number > 0, found null"),
        ("hours", "hours must be ≥ 0, found -1.5"),
        ("hours", "expected a number of hours ≥ 0, found an object"),
        (
            "signed",
            "`2026-02-30` is not a date; expected a real calendar date as YYYY-MM-DD",
        ),
        (
            "signed",
            "expected a date as YYYY-MM-DD, found the number 20260101",
        ),
        (
            "category",
            "unknown unit category `shop`; expected one of: enterprise, hospital, school",
        ),
        (
            "domain",
            "unknown service domain `x`; expected one of: childcare, eldercare",
        ),
        (
            "kind",
            "unknown street kind `y`; expected one of: street, town",
        ),
        (
            "level",
            "unknown party-org level `z`; expected one of: street, community",
        ),
        (
            "type",
            "unknown mass-org type `t`; expected one of: youth_league",
        ),
        (
            "status",
            "unknown project status `s`; expected one of: open, done",
        ),
        (
            "status",
            "unknown responsibility status `s`; expected one of: open, done",
        ),
        ("category", "expected a unit category, found `true`"),
        (
            "domains",
            "item 2 of `domains`: unknown service domain `x`; expected one of: childcare",
        ),
        ("demand", "`demand` is required but missing"),
        ("domains", "`domains` must be a list, found the text \"a\""),
        (
            "",
            "a row must be an object with the fields id, name; found a list",
        ),
        (
            "nickname",
            "unknown field `nickname`; the fields of units are: id, name",
        ),
        (
            "",
            "unknown table `foo`; the tables are: districts, streets",
        ),
        (
            "",
            "the bundle must be a JSON object with one list per table, found a list",
        ),
        (
            "",
            "the bundle must be a JSON object with one list per table: EOF while parsing",
        ),
        ("", "`units` must be a list of rows, found the number 1"),
        // cells
        ("name", "column `name` appears twice"),
        (
            "nickname",
            "unknown column `nickname`; the columns of units are: id, name",
        ),
        ("id", "required column `id` is missing"),
        // csv_dir
        (
            "",
            "the folder holds more than 64 entries; a bundle has one file per table",
        ),
        (
            "",
            "unknown table file `foo.csv`; the files are named after the tables: needs.csv",
        ),
        (
            "",
            "a record longer than 1048576 bytes (the limit for one row)",
        ),
        (
            "",
            "the file is 300000000 bytes; the limit is 268435456 bytes",
        ),
        ("", "this line has 3 cells but the header has 4"),
        (
            "name",
            "the cell holds 70000 bytes of text; the limit is 65536",
        ),
        // lib
        (
            "",
            "unknown bundle format `yaml`; expected json, csv or xlsx",
        ),
        (
            "",
            "arrays and objects nested more than 8 deep; a bundle nests 3 deep",
        ),
        // xlsx
        (
            "",
            "unknown sheet `Sheet1`; the sheets are named after the tables: districts, streets",
        ),
        (
            "",
            "malformed workbook content (the spreadsheet reader failed: bad xml)",
        ),
        ("", "the archive has 5000 entries; the limit is 1000"),
        (
            "",
            "entry `xl/sheet1.xml` declares 999999999 bytes uncompressed; the limit is 100000000",
        ),
        (
            "",
            "the entries declare 999999999 bytes uncompressed; the limit is 500000000",
        ),
        (
            "",
            "entry `xl/sheet1.xml` inflates past 100 bytes (the limits are 100 bytes per entry, 200 in all)",
        ),
        ("", "entry `xl/sheet1.xml`: invalid Zip archive: bad header"),
        (
            "",
            "a cell at A1048577 is in row 1048577; a sheet has at most 1048576 rows",
        ),
        (
            "",
            "a cell at ZZ1 is in column 702; a table sheet may use at most 64 columns",
        ),
        ("", "the workbook has more than 10000000 non-empty cells"),
        ("demand", "the cell holds the spreadsheet error #DIV/0!"),
        // this route
        ("", "the file holds no rows"),
        (
            "",
            "not a readable workbook: the file is 300000000 bytes; the limit is 268435456 bytes",
        ),
        (
            "",
            "not a readable workbook: invalid Zip archive: Could not find EOCD",
        ),
        (
            "",
            "not a readable CSV file: stream did not contain valid UTF-8",
        ),
        (
            "",
            "not a readable zip archive: invalid Zip archive: Could not find EOCD",
        ),
        ("", "the archive holds 65 entries; the limit is 64"),
        ("", "the archive entry `../x.csv` has an unusable name"),
        ("", "the archive holds `needs.csv` twice"),
        (
            "",
            "`needs.csv` inflates to 999 bytes; the limit is 100 bytes per file and 200 in all",
        ),
        ("", "`needs.csv` cannot be inflated: corrupt deflate stream"),
        (
            "",
            "`needs.csv` inflates past the limit of 100 bytes per file and 200 in all",
        ),
        (
            "",
            "2 row(s) lie outside the scope of this token, nothing was changed: needs.csv line 2; \
             sheet needs row 3",
        ),
        (
            "",
            "25 row(s) lie outside the scope of this token, nothing was changed: needs row 1; \
             sheet needs row 3; and 23 more",
        ),
        (
            "",
            "only admin tokens may replace the network; coordinators upload with mode=merge",
        ),
        ("", "viewer tokens cannot write"),
        (
            "",
            "a coordinator may upload rows of partnerships, members, volunteering, needs, \
             resources, responsibilities only; the file has rows in units, streets",
        ),
    ];

    /// English words left in a Chinese message once the ids, field names and codes quoted in
    /// 「」, the allowed values after 可选： and the file-format names are taken out.
    fn english_words(zh: &str) -> Vec<String> {
        let mut text = String::new();
        let mut depth = 0;
        for c in zh.chars() {
            match c {
                '「' => depth += 1,
                '」' => depth -= 1,
                _ if depth == 0 => text.push(c),
                _ => {}
            }
        }
        let text = text.split("可选：").next().unwrap_or("");
        text.split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 2)
            .filter(|w| {
                ![
                    "YYYY", "MM", "DD", "xlsx", "csv", "CSV", "zip", "json", "JSON", "DIV", "TRUE",
                    "FALSE",
                ]
                .contains(w)
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_known_message_has_a_chinese_form() {
        for (field, message) in CATALOGUE {
            let p = problem(
                "sheet needs row 2",
                (!field.is_empty()).then_some(*field),
                message,
            );
            let zh = zh(&p);
            assert!(
                !zh.starts_with(FALLBACK),
                "no Chinese form for {message:?}: {zh}"
            );
            let left = english_words(&zh);
            assert!(
                left.is_empty(),
                "English left in {zh:?} (from {message:?}): {left:?}"
            );
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
        }
        // The checker itself finds what it must.
        assert!(!english_words("数据有误：something broke").is_empty());
        let unknown = problem("", None, "something nobody wrote yet");
        assert!(zh(&unknown).starts_with(FALLBACK));
    }

    #[test]
    fn a_number_cell_holding_text_says_so() {
        let z = |f: &str, m: &str| zh(&problem("", Some(f), m));
        assert_eq!(
            z(
                "demand",
                "expected a whole number > 0, found the text \"ten\""
            ),
            "需求量应填写大于0的整数，单元格中却是文字「ten」"
        );
        assert_eq!(
            z(
                "capacity",
                "expected a whole number > 0, found the text \"many\""
            ),
            "「capacity」应填写大于0的整数，单元格中却是文字「many」"
        );
        assert_eq!(
            z("demand", "must be greater than 0, found -2"),
            "需求量必须大于0（填写的是 -2）"
        );
    }

    #[test]
    fn the_routes_refusals_name_the_rows_in_chinese() {
        let z = |m: &str| zh(&problem("", None, m));
        assert_eq!(
            z(
                "2 row(s) lie outside the scope of this token, nothing was changed: \
               needs.csv line 2; sheet needs row 3"
            ),
            "有 2 行不在本令牌的管辖范围内，未做任何更改：「needs.csv」第 2 行；工作表「needs」第 3 行"
        );
        assert_eq!(
            z(
                "25 row(s) lie outside the scope of this token, nothing was changed: \
               sheet needs row 3; and 24 more"
            ),
            "有 25 行不在本令牌的管辖范围内，未做任何更改：工作表「needs」第 3 行；另有 24 行"
        );
    }

    #[test]
    fn chinese_forms_keep_the_ids_and_numbers() {
        let z = |f: &str, m: &str| zh(&problem("", Some(f), m));
        assert_eq!(
            z(
                "provider",
                "`provider` refers to `X`, but no unit, mass org, social org, street or community has that id"
            ),
            "「provider」引用的「X」不存在（没有这个编号的单位、群团组织、社会组织、街镇或社区）"
        );
        assert_eq!(
            z(
                "leads",
                "`leads` refers to `U9`, which is a unit (/units/4), not a street, community or committee"
            ),
            "「leads」引用的「U9」是单位，不是街镇、社区或居委会"
        );
        assert_eq!(
            z(
                "capacity",
                "capacity 9999999999 is above the limit of 1000000"
            ),
            "服务能力 9999999999 超过上限 1000000"
        );
        assert_eq!(
            z(
                "domains",
                "item 2 of `domains`: unknown service domain `x`; expected one of: childcare, eldercare"
            ),
            "「domains」第2项：服务领域「x」无效，可选：childcare, eldercare"
        );
        assert_eq!(
            z(
                "households",
                "expected a whole number, found the text \"many\""
            ),
            "「households」应为整数，实际是文字「many」"
        );
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
