//! Differential tests of the `dangjian` binary on a real Neo4j (`scripts/neo4j-local`) against
//! SQLite: coverage via Cypher, via the engine on Neo4j and on SQLite are identical; gaps,
//! checklists and exports agree; a refused or killed import leaves the previous network in
//! place; `serve` on Neo4j answers as the CLI does. Everything runs in one test function
//! because every Neo4j test shares the one database of the local server.

use super::{AS_OF, bin, edges, ok, on_store, refused, sample, succeeded, words};
use dangjian_testdata::neo4j::{SecondServer, neo4j_uri, repo_root};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

/// `dangjian --neo4j URI args…`.
fn neo(uri: &str, args: &[&str]) -> Output {
    on_store("--neo4j", uri.as_ref(), args)
}

fn neo_ok(uri: &str, args: &[&str]) -> String {
    succeeded(neo(uri, args), &format!("--neo4j {uri} {args:?}"))
}

fn neo_fails(uri: &str, args: &[&str]) -> String {
    refused(neo(uri, args), &format!("--neo4j {uri} {args:?}"))
}

fn parse(what: &str, s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{what} is not JSON ({e}): {s}"))
}

/// The first place where two JSON values differ, as a JSON pointer with both sides.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (va, vb) = (x.get(k), y.get(k));
                match (va, vb) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(va, vb, &format!("{at}/{k}")) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{at}/{k}: {va:?} vs {vb:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(va, vb, &format!("{at}/{i}")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{at}: {} vs {} items", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
    }
}

#[track_caller]
fn assert_same(what: &str, a: &Value, b: &Value) {
    if let Some(d) = first_difference(a, b, "") {
        panic!("{what}: first difference at {d}");
    }
    assert_eq!(a, b, "{what}");
}

fn coverage_args<'a>(scope: &'a str, as_of: &'a str) -> Vec<&'a str> {
    vec![
        "coverage", "--scope", scope, "--as-of", as_of, "--format", "json",
    ]
}

/// Coverage of `scope` on SQLite, via the engine on Neo4j and via Cypher on Neo4j, checked
/// equal; the Neo4j engine document is returned.
fn coverage_three_ways(uri: &str, db: &Path, scope: &str, as_of: &str, label: &str) -> Value {
    let args = coverage_args(scope, as_of);
    let sqlite = parse("sqlite coverage", &ok(db, &args));
    let mut engine_args = args.clone();
    engine_args.extend(["--via", "engine"]);
    let engine = parse("neo4j engine coverage", &neo_ok(uri, &engine_args));
    let mut cypher_args = args.clone();
    cypher_args.extend(["--via", "cypher"]);
    let cypher = parse("neo4j cypher coverage", &neo_ok(uri, &cypher_args));
    assert_same(
        &format!("{label}: coverage of {scope} on {as_of}, Neo4j engine vs SQLite"),
        &engine,
        &sqlite,
    );
    assert_same(
        &format!("{label}: coverage of {scope} on {as_of}, Neo4j Cypher vs SQLite"),
        &cypher,
        &sqlite,
    );
    engine
}

fn ids(net: &Value, table: &str) -> Vec<String> {
    net[table]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn len(v: &Value, key: &str) -> usize {
    v[key].as_array().map_or(0, Vec::len)
}

/// `same_answers` with the SQLite file `dir/NAME.db` and the export `dir/NAME-export.json`.
fn same_answers_in(uri: &str, dir: &Path, name: &str, bundle: &Path, label: &str) {
    let (db, export_to) = (
        dir.join(format!("{name}.db")),
        dir.join(format!("{name}-export.json")),
    );
    same_answers(uri, &db, bundle, label, &export_to);
}

/// Import `bundle` into SQLite (`db`) and Neo4j and compare every answer.
fn same_answers(uri: &str, db: &Path, bundle: &Path, label: &str, export_to: &Path) {
    let path = bundle.to_str().expect("a UTF-8 path");
    ok(db, &["import", path]);
    let out = neo(uri, &["import", path]);
    let imported = String::from_utf8_lossy(&out.stdout);
    assert!(imported.starts_with("ok:"), "{imported}");
    // stderr is a pipe here, not a terminal: plain lines, no progress bar.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rows/s"), "the import reports its rate: {err}");
    assert!(
        !err.contains('\r') && !err.contains('\u{1b}') && !err.contains("writing to Neo4j ["),
        "progress output although stderr is not a terminal: {err:?}"
    );
    let net = parse(
        "the bundle",
        &std::fs::read_to_string(bundle).expect("reading the bundle"),
    );

    // Coverage at every scope level, on two dates; the row counts are the known ones
    // (neo4rs issue #281: a stream may come back short).
    let districts = ids(&net, "districts");
    let streets = ids(&net, "streets");
    let communities = ids(&net, "communities");
    let committees = ids(&net, "committees");
    let mut hours_seen = false;
    for as_of in [AS_OF, "2025-12-31"] {
        let city = coverage_three_ways(uri, db, "city", as_of, label);
        assert_eq!(
            len(&city, "committees"),
            committees.len(),
            "{label}: committees"
        );
        assert_eq!(
            len(&city, "rollups"),
            communities.len() + streets.len() + districts.len() + 1,
            "{label}: roll-ups"
        );
        hours_seen |= city["committees"]
            .as_array()
            .is_some_and(|c| c.iter().any(|k| k["volunteer_hours"].as_f64() > Some(0.0)));
    }
    // Committees with a non-zero hour sum exist (so the float sums are really compared).
    assert!(hours_seen, "{label}: no volunteering hours in the window");
    for scope in [
        districts.last(),
        streets.first(),
        streets.last(),
        communities.last(),
    ]
    .into_iter()
    .flatten()
    {
        let doc = coverage_three_ways(uri, db, scope, AS_OF, label);
        assert!(len(&doc, "rollups") > 0, "{label}: roll-ups of {scope}");
    }
    // A committee scope: its one row, no roll-ups.
    for k in [committees.first(), committees.last()]
        .into_iter()
        .flatten()
    {
        let doc = coverage_three_ways(uri, db, k, AS_OF, label);
        assert_eq!(len(&doc, "committees"), 1, "{label}: coverage of {k}");
    }
    // An unknown scope is an error on every path, naming the scope.
    let mut cypher = coverage_args("NO-SUCH-PLACE", AS_OF);
    cypher.extend(["--via", "cypher"]);
    for args in [coverage_args("NO-SUCH-PLACE", AS_OF), cypher] {
        let err = neo_fails(uri, &args);
        assert!(err.contains("NO-SUCH-PLACE"), "{args:?}: {err}");
    }

    // Gaps (the engine on both stores).
    for scope in std::iter::once("city").chain(districts.first().map(String::as_str)) {
        let args = [
            "gaps", "--scope", scope, "--as-of", AS_OF, "--format", "json",
        ];
        let sqlite = parse("sqlite gaps", &ok(db, &args));
        let neo4j = parse("neo4j gaps", &neo_ok(uri, &args));
        assert_same(&format!("{label}: gaps of {scope}"), &neo4j, &sqlite);
    }

    // Checklists: up to two root orgs with their subtrees, and the first, a middle and the
    // last of the others on their own.
    let orgs = net["party_orgs"].as_array().cloned().unwrap_or_default();
    let is_root = |o: &&Value| o.get("parent").is_none_or(Value::is_null);
    let roots: Vec<&Value> = orgs.iter().filter(is_root).take(2).collect();
    let others: Vec<&Value> = orgs.iter().filter(|o| !is_root(o)).collect();
    assert!(
        !roots.is_empty() && !others.is_empty(),
        "{label}: party orgs"
    );
    let mut picks: Vec<(&Value, bool)> = roots.into_iter().map(|o| (o, true)).collect();
    for i in [0, others.len() / 2, others.len() - 1] {
        if !picks.iter().any(|(o, _)| std::ptr::eq(*o, others[i])) {
            picks.push((others[i], false));
        }
    }
    let mut items = 0;
    for (o, subtree) in picks {
        let id = o["id"].as_str().expect("a party org id");
        let mut args = vec!["checklist", id, "--as-of", AS_OF, "--format", "json"];
        if subtree {
            args.push("--subtree");
        }
        let sqlite = parse("sqlite checklist", &ok(db, &args));
        let neo4j = parse("neo4j checklist", &neo_ok(uri, &args));
        assert_same(&format!("{label}: checklist {args:?}"), &neo4j, &sqlite);
        items += len(&neo4j, "items");
    }
    assert!(items > 0, "{label}: the checklists compared have no items");

    // The export from Neo4j is the imported bundle.
    let out = export_to.to_str().expect("a UTF-8 path");
    neo_ok(uri, &["export", "--format", "json", "--out", out]);
    let exported = dangjian_bundle_io::read_path(export_to).expect("the export reads back");
    let original = dangjian_bundle_io::read_path(bundle).expect("the bundle reads");
    assert_eq!(exported.row_count(), original.row_count(), "{label}: rows");
    assert!(
        exported == original,
        "{label}: the Neo4j export differs from the imported bundle: {}",
        first_difference(
            &serde_json::to_value(&exported).expect("encodes"),
            &serde_json::to_value(&original).expect("encodes"),
            ""
        )
        .unwrap_or_default()
    );
}

/// A refused import (a dangling reference) leaves the stored network as it was, and names the
/// problem with its location.
fn refused_import_changes_nothing(uri: &str, dir: &Path) {
    let before_engine = neo_ok(uri, &coverage_args("city", AS_OF));
    let mut cypher = coverage_args("city", AS_OF);
    cypher.extend(["--via", "cypher"]);
    let before_cypher = neo_ok(uri, &cypher);

    let mut bad: Value = parse(
        "edges.json",
        &std::fs::read_to_string(edges()).expect("edges.json"),
    );
    bad["committees"][1]["community"] = "C9".into(); // dangling
    bad["districts"][0]["name"] = "改过的区".into(); // would show if anything were written
    let bad_path = dir.join("dangling.json");
    std::fs::write(&bad_path, bad.to_string()).expect("writing the bad bundle");
    let err = neo_fails(uri, &["import", bad_path.to_str().expect("UTF-8")]);
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(err.contains("/committees/1"), "names the row: {err}");
    assert!(err.contains("C9"), "names the dangling id: {err}");

    assert_eq!(neo_ok(uri, &coverage_args("city", AS_OF)), before_engine);
    assert_eq!(neo_ok(uri, &cypher), before_cypher);
}

/// An import killed while it writes leaves the previous network in place; the next import
/// clears what it left behind.
fn killed_import_changes_nothing(uri: &str, big: &Path) {
    let before = neo_ok(uri, &coverage_args("city", AS_OF));
    let mut child = KillOnDrop(
        bin()
            .arg("--neo4j")
            .arg(uri)
            .arg("import")
            .arg(big)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting an import"),
    );
    // Wait until it has validated the bundle and started writing, then a little longer.
    let mut stderr = child.0.stderr.take().expect("piped stderr");
    let mut seen = Vec::new();
    let started = Instant::now();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("writing to") {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import did not start writing: {}",
            String::from_utf8_lossy(&seen)
        );
        match stderr.read(&mut byte) {
            Ok(0) | Err(_) => break,
            Ok(_) => seen.push(byte[0]),
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let finished = child.0.try_wait().expect("polling the import");
    assert!(
        finished.is_none(),
        "the import finished before it could be killed ({finished:?}); use a bigger network"
    );
    drop(child); // SIGKILL
    assert_eq!(
        neo_ok(uri, &coverage_args("city", AS_OF)),
        before,
        "a killed import changed the network"
    );
}

/// A child process killed (SIGKILL) and reaped when dropped, so a failing test leaves no
/// server behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A plain HTTP/1.1 GET (Connection: close): status and body.
fn http_get(port: u16, path: &str, token: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP header end: {text}")))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status: {head}")))?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// `serve` on Neo4j answers `/api/v1/coverage` with the CLI's document.
fn serve_answers_as_the_cli(uri: &str, dir: &Path) {
    let token = neo_ok(uri, &["token", "create", "--role", "admin"]);
    let token = token
        .lines()
        .last()
        .expect("a token line")
        .trim()
        .to_owned();
    assert!(!token.is_empty());
    let cli = parse("CLI coverage", &neo_ok(uri, &coverage_args("city", AS_OF)));

    let port = free_port();
    let log_path = dir.join("serve.log");
    let log = std::fs::File::create(&log_path).expect("a log file");
    let addr = format!("127.0.0.1:{port}");
    let mut server = KillOnDrop(
        bin()
            .arg("--neo4j")
            .arg(uri)
            .args(["serve", "--addr", &addr])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting dangjian serve"),
    );
    let path = format!("/api/v1/coverage?as_of={AS_OF}");
    let started = Instant::now();
    let (status, body) = loop {
        match http_get(port, &path, &token) {
            Ok(r) => break r,
            Err(e) => {
                let exited = server.0.try_wait().expect("polling the server");
                assert!(
                    exited.is_none() && started.elapsed() < Duration::from_secs(90),
                    "dangjian serve did not answer ({e}; exit {exited:?}):\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    };
    assert_eq!(status, 200, "{body}");
    assert_same(
        "serve on Neo4j vs the CLI",
        &parse("the API's coverage", &body),
        &cli,
    );
    // Without a token: refused.
    let (status, _) = http_get(port, &path, "not-a-token").expect("a second request");
    assert_eq!(status, 401);
    drop(server);
}

#[test]
fn neo4j_answers_as_sqlite_does() {
    let uri = neo4j_uri();
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();

    // The hand-checked network, then a refused import on top of it.
    same_answers_in(&uri, d, "edges", &edges(), "edges.json");
    refused_import_changes_nothing(&uri, d);

    // A generated district network; an import of it killed midway changes nothing first.
    let district = d.join("district.json");
    let generate = words("generate --scale district --seed 3 --out");
    ok(
        &d.join("unused.db"),
        &[&generate[..], &[district.to_str().expect("UTF-8")]].concat(),
    );
    killed_import_changes_nothing(&uri, &district);
    // Through the routing scheme (what a cluster or Aura needs) on the single local server.
    let routed = uri.replacen("bolt://", "neo4j://", 1);
    same_answers_in(&routed, d, "district", &district, "district seed 3");

    // The Shanghai sample, then the HTTP service on it.
    same_answers_in(&uri, d, "sample", &sample(), "shanghai-sample.json");
    check_finds_and_mends_digests(&uri);
    serve_answers_as_the_cli(&uri, d);
}

/// `neo4j check` passes on an imported network, fails naming the fix when committees'
/// volunteering digests were changed behind dangjian's back (as in Neo4j Browser), and
/// `--mend` recomputes them from the relationships.
fn check_finds_and_mends_digests(uri: &str) {
    let report = |args: &[&str]| parse("neo4j check", &neo_ok(uri, args));
    let v = report(&["neo4j", "check", "--format", "json"]);
    assert_eq!(v["differing"], 0, "{v}");
    assert!(v["committees"].as_u64().unwrap_or(0) > 2, "{v}");
    let store = dangjian_neo4j::Neo4jStore::connect(uri).expect("connect");
    let changed = store
        .count_query(
            "MATCH (m:Meta {key: 'network'}) MATCH (k:Committee:Net {gen: m.current_gen}) \
             WITH k LIMIT 2 SET k.vol_hours = [99.0] RETURN count(k) AS c",
        )
        .expect("change two digests");
    assert_eq!(changed, 2);
    let err = neo_fails(uri, &["neo4j", "check"]);
    assert!(
        err.contains("2 committees") && err.contains("--mend"),
        "{err}"
    );
    let v = report(&["neo4j", "check", "--mend", "--format", "json"]);
    assert_eq!(
        (&v["differing"], &v["mended"], &v["differing_now"]),
        (&2.into(), &true.into(), &0.into()),
        "{v}"
    );
    let text = neo_ok(uri, &["neo4j", "check"]);
    assert!(text.contains("0 of"), "{text}");
}

/// `dangjian neo4j bulk-load` into a fresh data folder, started as a second local server:
/// the same answers as SQLite.
#[test]
fn bulk_load_answers_as_sqlite_does() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();
    let into = d.join("neo4j");
    let bundle = edges();
    let out = bin()
        .current_dir(repo_root())
        .args(["neo4j", "bulk-load"])
        .arg(&bundle)
        .arg("--into")
        .arg(&into)
        .output()
        .expect("the dangjian binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bulk-load failed: {err}");
    assert!(err.contains("rows/s"), "{err}");
    // A bad bundle is refused before anything is written.
    let bad = d.join("bad.json");
    std::fs::write(&bad, "{\"districts\": [{\"id\": 1}]}").expect("writing");
    let refused = bin()
        .current_dir(repo_root())
        .args(["neo4j", "bulk-load"])
        .arg(&bad)
        .arg("--into")
        .arg(d.join("other"))
        .output()
        .expect("the dangjian binary runs");
    assert!(!refused.status.success());
    assert!(
        !d.join("other").exists(),
        "nothing written for a bad bundle"
    );

    let server = SecondServer::start(&into);
    let uri = server.uri.clone();
    let db = d.join("edges.db");
    ok(&db, &["import", bundle.to_str().expect("UTF-8")]);
    let doc = coverage_three_ways(&uri, &db, "city", AS_OF, "bulk-loaded edges.json");
    assert!(len(&doc, "committees") > 0);
    let args = [
        "gaps", "--scope", "city", "--as-of", AS_OF, "--format", "json",
    ];
    assert_same(
        "bulk-loaded edges.json: gaps",
        &parse("neo4j gaps", &neo_ok(&uri, &args)),
        &parse("sqlite gaps", &ok(&db, &args)),
    );
}
