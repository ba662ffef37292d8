//! Turning rusqlite and I/O failures into `StoreError::Backend` messages that name the file
//! and say what to do.

use crate::tables::Fail;
use dangjian_model::StoreError;
use rusqlite::ErrorCode;
use std::path::Path;

/// A rusqlite failure while doing `action` (`open`, `load`, `replace the network in`, …).
pub(crate) fn backend(path: &Path, action: &str, err: &rusqlite::Error) -> StoreError {
    StoreError::Backend(describe(path, action, "", err))
}

/// A failure inside one table's read or write.
pub(crate) fn backend_fail(path: &Path, action: &str, fail: &Fail) -> StoreError {
    StoreError::Backend(describe(path, action, &fail.what, &fail.err))
}

/// A file-system failure around the database file.
pub(crate) fn io_error(what: &str, path: &Path, err: &std::io::Error) -> StoreError {
    let reason = match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ => err.to_string(),
    };
    StoreError::Backend(format!("cannot {what} {}: {reason}", path.display()))
}

fn describe(path: &Path, action: &str, what: &str, err: &rusqlite::Error) -> String {
    let p = path.display();
    let place = if what.is_empty() {
        String::new()
    } else {
        format!(" while {what}")
    };
    let Some(code) = err.sqlite_error_code() else {
        return format!("cannot {action} {p}{place}: {err}");
    };
    match code {
        ErrorCode::NotADatabase => format!(
            "{p} is not a dangjian database (not an SQLite file, or encrypted); choose another \
             --db path"
        ),
        ErrorCode::CannotOpen => format!(
            "cannot {action} {p}: unable to open the file (check that the directory exists and \
             is writable)"
        ),
        ErrorCode::PermissionDenied | ErrorCode::ReadOnly => format!(
            "cannot {action} {p}: permission denied (the file or its directory is read-only; the \
             store needs write access to the file and its -wal/-shm companions)"
        ),
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => format!(
            "cannot {action} {p}: the database is locked by another process (waited 5 s); retry \
             when the other import has finished"
        ),
        ErrorCode::DiskFull => format!("cannot {action} {p}: the disk is full"),
        ErrorCode::DatabaseCorrupt => {
            format!("cannot {action} {p}: the database file is corrupt{place}: {err}")
        }
        ErrorCode::SystemIoFailure => format!("cannot {action} {p}: I/O error{place}: {err}"),
        ErrorCode::ConstraintViolation => format!(
            "cannot {action} {p}{place}: {err}; the network breaks a database constraint, \
             nothing was changed (validate the bundle first)"
        ),
        _ => format!("cannot {action} {p}{place}: {err}"),
    }
}
