//! Writes (v2) through the binary: `dangjian add` (JSON and CSV rows, all or nothing),
//! `dangjian changes`, and a running `dangjian serve` following CLI imports and writes on the
//! same file within 1 s, and a write whose client hangs up still being applied.

use super::{bin, fails, ok, sample};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A `dangjian serve` child, killed when dropped.
struct Served {
    child: Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = bin()
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let served = Served { child, port };
    let started = Instant::now();
    while http(port, "GET", "/readyz", None, None).0 != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve never got ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    served
}

/// One HTTP/1.1 exchange: (status, body); status 0 when the service does not answer.
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    // Chunked bodies: the JSON sits between the chunk sizes; take from the first `{`.
    let json = body.find('{').map_or(String::new(), |i| {
        body[i..body.rfind('}').map_or(body.len(), |j| j + 1)].to_string()
    });
    (status, json)
}

/// Wait until `GET path` satisfies `ok`; the time it took.
fn within(port: u16, token: &str, path: &str, ok: impl Fn(&Value) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = http(port, "GET", path, Some(token), None);
        let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if status == 200 && ok(&value) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} never satisfied the condition; last: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn has(page: &Value, id: &str) -> bool {
    page["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|r| r["id"] == id))
}

#[test]
fn serve_follows_cli_writes_and_imports_and_finishes_writes_of_clients_that_hang_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("net.db");
    ok(&db, &["import", sample().to_str().expect("utf-8")]);
    let token = ok(&db, &["token", "create", "--role", "admin"]);
    let token = token.lines().last().expect("the secret").trim().to_string();
    let served = serve(&db);
    let port = served.port;

    // A client that gives up right after sending: the need is applied anyway.
    let need =
        r#"{"id": "N-HUNGUP", "committee": "K-TINGYI", "domain": "healthcare", "demand": 4}"#;
    {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let req = format!(
            "POST /api/v1/needs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{need}",
            need.len()
        );
        s.write_all(req.as_bytes()).expect("send");
        // Like `curl -m 0.3`: give up before reading the answer.
        std::thread::sleep(Duration::from_millis(300));
    }
    within(port, &token, "/api/v1/needs?committee=K-TINGYI", |p| {
        has(p, "N-HUNGUP")
    });

    // `dangjian add` from a JSON array, then from CSV; the service serves both within 1 s.
    let rows = dir.path().join("needs.json");
    std::fs::write(
        &rows,
        r#"[{"id": "N-CLI1", "committee": "K-TINGYI", "domain": "elderly_care", "demand": 3},
            {"id": "N-CLI2", "committee": "K-TINGYI", "domain": "legal_aid", "demand": 2}]"#,
    )
    .expect("write rows");
    ok(&db, &["add", "needs", rows.to_str().expect("utf-8")]);
    let took = within(port, &token, "/api/v1/needs?committee=K-TINGYI", |p| {
        has(p, "N-CLI1") && has(p, "N-CLI2")
    });
    assert!(took < Duration::from_secs(1), "took {took:?}");
    let csv = dir.path().join("hours.csv");
    std::fs::write(
        &csv,
        "member,committee,domain,hours,date\nM-0001,K-TINGYI,elderly_care,3.5,2026-06-01\n",
    )
    .expect("write csv");
    ok(&db, &["add", "volunteering", csv.to_str().expect("utf-8")]);
    let took = within(
        port,
        &token,
        "/api/v1/volunteering?member=M-0001&limit=1000",
        |p| {
            p["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|r| r["date"] == "2026-06-01"))
        },
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // The same row again is the same record: nothing is added or logged, and the CLI says so.
    let again = ok(&db, &["add", "volunteering", csv.to_str().expect("utf-8")]);
    assert!(
        again.contains("ok: 0 volunteering rows added; 1 already stored"),
        "{again}"
    );
    // A bad cell is located in the user's file (not the reader's copy of it).
    let bad = dir.path().join("badhours.csv");
    std::fs::write(
        &bad,
        "member,committee,domain,hours,date\nM-0001,K-TINGYI,cooking,1,2026-06-02\n",
    )
    .expect("write csv");
    let err = fails(&db, &["add", "volunteering", bad.to_str().expect("utf-8")]);
    assert!(err.contains("badhours.csv line 2"), "{err}");
    // A bad reference is located at the file's row, after rows stored already.
    std::fs::write(
        &bad,
        "member,committee,domain,hours,date\nM-0001,K-TINGYI,elderly_care,3.5,2026-06-01\n\
         M-NOPE,K-TINGYI,elderly_care,1,2026-06-02\n",
    )
    .expect("write csv");
    let err = fails(&db, &["add", "volunteering", bad.to_str().expect("utf-8")]);
    assert!(
        err.contains("badhours.csv line 3") && err.contains("M-NOPE"),
        "{err}"
    );
    // A row that cannot be read does not hide what the readable rows would cause: every
    // problem of the file at once, in file order, at the file's lines (CSV) or rows (JSON).
    std::fs::write(
        &bad,
        "member,committee,domain,hours,date\nM-0001,K-TINGYI,cooking,1,2026-06-02\n\
         M-NOPE,K-TINGYI,elderly_care,1,2026-06-02\nM-0001,K-NOPE,elderly_care,1,2026-06-03\n",
    )
    .expect("write csv");
    let err = fails(&db, &["add", "volunteering", bad.to_str().expect("utf-8")]);
    let at = |needle: &str| {
        err.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {err}"))
    };
    assert!(err.contains("3 problem(s)"), "{err}");
    assert!(
        at("line 2") < at("line 3") && at("line 3") < at("line 4"),
        "{err}"
    );
    assert!(
        at("cooking") < at("M-NOPE") && at("M-NOPE") < at("K-NOPE"),
        "{err}"
    );
    let mixed = dir.path().join("mixed.json");
    std::fs::write(
        &mixed,
        r#"[{"id": "N-MIX1", "committee": "K-NOWHERE", "domain": "elderly_care", "demand": 3},
            {"id": "N-MIX2", "committee": "K-TINGYI", "domain": "elderly_care", "demand": "three"}]"#,
    )
    .expect("write rows");
    let err = fails(&db, &["add", "needs", mixed.to_str().expect("utf-8")]);
    assert!(
        err.contains("2 problem(s)")
            && err.contains("mixed.json row 1 (id N-MIX1)")
            && err.contains("K-NOWHERE")
            && err.contains("mixed.json row 2 (id N-MIX2)"),
        "{err}"
    );

    // A refused batch changes nothing and names every bad row.
    std::fs::write(
        &rows,
        r#"[{"id": "N-CLI3", "committee": "K-TINGYI", "domain": "elderly_care", "demand": 3},
            {"id": "N-CLI4", "committee": "K-NOWHERE", "domain": "elderly_care", "demand": 3},
            {"id": "N-CLI5", "committee": "K-NOWHERE2", "domain": "elderly_care", "demand": 3}]"#,
    )
    .expect("write rows");
    let err = fails(&db, &["add", "needs", rows.to_str().expect("utf-8")]);
    assert!(
        err.contains("needs.json row 2") && err.contains("needs.json row 3"),
        "{err}"
    );
    assert!(
        err.contains("K-NOWHERE") && err.contains("K-NOWHERE2"),
        "{err}"
    );
    // Redirected, every problem is listed (a terminal shows the first 50).
    let many: Vec<String> = (0..60)
        .map(|i| {
            format!(r#"{{"id": "N-BAD{i}", "committee": "K-NONE{i}", "domain": "elderly_care", "demand": 3}}"#)
        })
        .collect();
    std::fs::write(&rows, format!("[{}]", many.join(","))).expect("write rows");
    let err = fails(&db, &["add", "needs", rows.to_str().expect("utf-8")]);
    assert!(
        err.contains("60 problem(s)") && err.contains("K-NONE59"),
        "{err}"
    );
    assert!(!err.contains("more"), "{err}");
    // An id that exists: refused.
    std::fs::write(
        &rows,
        r#"[{"id": "N-CLI1", "committee": "K-TINGYI", "domain": "elderly_care", "demand": 3}]"#,
    )
    .expect("write rows");
    let err = fails(&db, &["add", "needs", rows.to_str().expect("utf-8")]);
    assert!(err.contains("exists already"), "{err}");

    // An import of another bundle replaces the network; the service serves it within 1 s.
    let mut other: Value =
        serde_json::from_slice(&std::fs::read(sample()).expect("sample")).expect("json");
    other["needs"][0]["demand"] = Value::from(777);
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, other.to_string()).expect("write bundle");
    ok(&db, &["import", other_path.to_str().expect("utf-8")]);
    let took = within(port, &token, "/api/v1/needs?committee=K-TINGYI", |p| {
        !has(p, "N-CLI1")
            && p["items"].as_array().is_some_and(|items| {
                items
                    .iter()
                    .any(|r| r["id"] == "N-001" && r["demand"] == 777)
            })
    });
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // The change log lists all of it, from the CLI and through the API.
    let (status, body) = http(port, "GET", "/api/v1/changes?since=0", Some(&token), None);
    assert_eq!(status, 200, "{body}");
    let log: Value = serde_json::from_str(&body).expect("json");
    let ops: Vec<(&str, &str)> = log["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|e| {
            (
                e["op"].as_str().unwrap_or(""),
                e["actor"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(ops.len(), 6, "{log}");
    assert_eq!(ops[0], ("import", "cli"));
    assert_eq!(ops[1].0, "create");
    assert!(ops[1].1.starts_with("tok_"), "{ops:?}");
    assert_eq!(
        ops[2..5],
        [("create", "cli"), ("create", "cli"), ("add", "cli")]
    );
    assert_eq!(ops[5], ("import", "cli"));
    let json = ok(&db, &["changes", "--since", "1", "--format", "json"]);
    let entries: Vec<Value> = serde_json::from_str(&json).expect("json");
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0]["id"], "N-HUNGUP");
    let table = ok(&db, &["changes", "--table", "needs"]);
    assert!(
        table.contains("N-CLI2") && !table.contains("import"),
        "{table}"
    );
    drop(served);
}
