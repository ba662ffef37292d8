//! Integration tests of `SqliteStore` on real SQLite files in temporary directories.

use dangjian_model::*;
use dangjian_sqlite::{APPLICATION_ID, SCHEMA_VERSION, SqliteStore};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn date(s: &str) -> Date {
    s.parse().expect("test date")
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("network.db")
}

/// A store in a new temporary folder (kept while the folder lives) holding the sample network,
/// and that network.
fn sample_store() -> (tempfile::TempDir, SqliteStore, Bundle) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&db_in(&dir)).expect("open");
    let base = sample();
    store.replace(&base).expect("replace");
    (dir, store, base)
}

/// Replace the stored network with an empty one (`what` names the step), which leaves the
/// store empty.
fn replace_with_nothing(store: &SqliteStore, what: &str) {
    store.replace(&Bundle::default()).expect(what);
    assert!(store.is_empty().expect("is_empty"), "{what}: not empty");
}

/// A small network that uses every table, every enum value that matters, and both the
/// present and absent form of every optional field.
fn sample() -> Bundle {
    dangjian_testdata::bundle("sqlite-sample.json")
}

/// A bigger network with `n` members and `2n` volunteering rows, ids prefixed by `tag`
/// so that two such networks share nothing.
fn synthetic(tag: &str, n: usize) -> Bundle {
    let mut b = Bundle {
        districts: (vec![District {
            id: format!("{tag}d").into(),
            name: format!("{tag}区"),
        }])
        .into(),
        streets: (vec![Street {
            id: format!("{tag}s").into(),
            name: format!("{tag}街道"),
            district: format!("{tag}d").into(),
            kind: StreetKind::Street,
        }])
        .into(),
        communities: (vec![Community {
            id: format!("{tag}c").into(),
            name: format!("{tag}社区"),
            street: format!("{tag}s").into(),
        }])
        .into(),
        ..Bundle::default()
    };
    for k in 0..10 {
        b.committees.push(Committee {
            id: format!("{tag}k{k}").into(),
            name: format!("{tag}居委{k}"),
            community: format!("{tag}c").into(),
            households: 100 + k,
        });
    }
    for i in 0..n {
        b.members.push(Member {
            id: format!("{tag}m{i}").into(),
            name: format!("{tag}党员{i}"),
            birth_year: 1950 + (i % 50) as i32,
            employer: None,
            registered_at: Some(format!("{tag}k{}", i % 10).into()),
            skills: vec!["志愿".to_string()],
        });
        for j in 0..2 {
            b.volunteering.push(Volunteering {
                member: format!("{tag}m{i}").into(),
                committee: format!("{tag}k{}", (i + j) % 10).into(),
                domain: ServiceDomain::ALL[(i + j) % 12],
                hours: (i % 7) as f64 + 0.5,
                date: date("2024-01-01") + chrono::Days::new((i % 300) as u64),
            });
        }
    }
    b
}

#[test]
fn round_trip_keeps_every_table_and_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&db_in(&dir)).expect("open");
    assert!(store.is_empty().expect("is_empty"));
    assert_eq!(store.load().expect("load empty"), Bundle::default());

    let bundle = sample();
    store.replace(&bundle).expect("replace");
    assert!(!store.is_empty().expect("is_empty"));
    assert_eq!(store.load().expect("load"), bundle);
    assert!(store.imported_at().expect("imported_at").is_some());

    // And from a fresh process' point of view: reopen the file.
    drop(store);
    let reopened = SqliteStore::open(&db_in(&dir)).expect("reopen");
    let loaded = reopened.load().expect("load after reopen");
    assert_eq!(loaded, bundle);
    // The optional-list distinction survives: absent vs present-but-empty.
    assert_eq!(loaded.resources[1].deployed_to, None);
    assert_eq!(loaded.resources[2].deployed_to, Some(vec![]));
}

#[test]
fn replace_replaces_the_whole_network() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&db_in(&dir)).expect("open");
    store.replace(&sample()).expect("first replace");
    let other = synthetic("x", 50);
    store.replace(&other).expect("second replace");
    assert_eq!(store.load().expect("load"), other);
    replace_with_nothing(&store, "replace with nothing");
}

#[test]
fn upsert_updates_by_id_and_adds_idless_rows_once() {
    let (_dir, store, base) = sample_store();

    let mut changed_member = base.members[0].clone();
    changed_member.name = "赵六（改）".to_string();
    changed_member.employer = None;
    changed_member.skills = vec!["摄影".to_string()];
    let new_member = Member {
        id: "m3".into(),
        name: "孙八".to_string(),
        birth_year: 1970,
        employer: Some("u2".into()),
        registered_at: Some("k2".into()),
        skills: vec![],
    };
    let existing_vol = base.volunteering[2].clone();
    let new_vol = Volunteering {
        member: "m3".into(),
        committee: "k2".into(),
        domain: ServiceDomain::Childcare,
        hours: 1.0,
        date: date("2024-07-01"),
    };
    let mut changed_resource = base.resources[0].clone();
    changed_resource.deployed_to = None;
    let partial = Bundle {
        members: vec![new_member.clone(), changed_member.clone()].into(),
        volunteering: vec![existing_vol, new_vol.clone()].into(),
        adjacency: vec![base.adjacency[0].clone()].into(),
        resources: vec![changed_resource.clone()].into(),
        ..Bundle::default()
    };
    store.upsert(&partial).expect("upsert");
    // Upserting the same partial again changes nothing.
    store.upsert(&partial).expect("upsert again");

    let mut expected = base.clone();
    expected.members[0] = changed_member;
    expected.members.push(new_member);
    expected.volunteering.push(new_vol);
    expected.resources[0] = changed_resource;
    assert_eq!(store.load().expect("load"), expected);
}

#[test]
fn upsert_with_a_dangling_reference_changes_nothing() {
    let (_dir, store, base) = sample_store();
    let partial = Bundle {
        needs: (vec![Need {
            id: "n9".into(),
            committee: "k404".into(),
            domain: ServiceDomain::Childcare,
            demand: 3,
        }])
        .into(),
        districts: (vec![District {
            id: "d2".into(),
            name: "新区".to_string(),
        }])
        .into(),
        ..Bundle::default()
    };
    let err = store.upsert(&partial).expect_err("dangling committee");
    let msg = err.to_string();
    assert!(msg.contains("FOREIGN KEY"), "{msg}");
    assert!(msg.contains("needs"), "names the table: {msg}");
    assert!(msg.contains("k404"), "names the missing id: {msg}");
    assert_eq!(store.load().expect("load"), base);
}

#[test]
fn wal_foreign_keys_and_schema_version_are_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_in(&dir);
    let store = SqliteStore::open(&path).expect("open");
    assert_eq!(store.describe(), format!("sqlite:{}", path.display()));

    // Foreign keys are enforced by the store's connection: a dangling reference fails and
    // the previous network stays.
    store.replace(&sample()).expect("replace");
    let mut broken = sample();
    broken.committees[0].community = "nowhere".into();
    let err = store.replace(&broken).expect_err("foreign key violation");
    assert!(
        matches!(&err, StoreError::Backend(m) if m.contains(&path.display().to_string())),
        "{err}"
    );
    assert_eq!(store.load().expect("load"), sample());

    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, SCHEMA_VERSION);
    const { assert!(SCHEMA_VERSION >= 1) };
    let app: i64 = raw
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("application_id");
    assert_eq!(app, APPLICATION_ID);
    // Real columns, not a blob: the schema can be queried with plain SQL.
    let households: i64 = raw
        .query_row(
            "SELECT households FROM committees WHERE id = 'k1'",
            [],
            |r| r.get(0),
        )
        .expect("query committees");
    assert_eq!(households, 1200);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_in(&dir);
    drop(SqliteStore::open(&path).expect("create"));
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("bump version");
    drop(raw);
    match SqliteStore::open(&path) {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!(found, SCHEMA_VERSION + 1);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn foreign_files_are_refused_with_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");

    let text = dir.path().join("notes.db");
    std::fs::write(
        &text,
        "这不是数据库 — just some text that is long enough to be a header.\n".repeat(20),
    )
    .expect("write text file");
    let err = SqliteStore::open(&text).expect_err("text file");
    let msg = err.to_string();
    assert!(msg.contains("not a dangjian database"), "{msg}");
    assert!(msg.contains(&text.display().to_string()), "{msg}");

    let other = dir.path().join("other.db");
    let raw = rusqlite::Connection::open(&other).expect("raw open");
    raw.execute_batch("CREATE TABLE cats (name TEXT)")
        .expect("other schema");
    drop(raw);
    let msg = SqliteStore::open(&other)
        .expect_err("someone else's database")
        .to_string();
    assert!(msg.contains("not a dangjian database"), "{msg}");

    let msg = SqliteStore::open(dir.path())
        .expect_err("a directory")
        .to_string();
    assert!(msg.contains("directory"), "{msg}");
}

#[test]
fn open_creates_missing_directories() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("a").join("b").join("network.db");
    let store = SqliteStore::open(&path).expect("open nested");
    assert!(path.exists());
    assert!(store.is_empty().expect("is_empty"));
}

/// A token record, not revoked; its hash is `hex` (two digits) repeated.
fn token(id: &str, role: TokenRole, scope: Option<&str>, hex: &str, created: &str) -> TokenInfo {
    TokenInfo {
        id: id.to_string(),
        role,
        scope: scope.map(str::to_string),
        hash: hex.repeat(32),
        created: created.to_string(),
        revoked: false,
    }
}

#[test]
fn tokens_are_added_listed_and_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&db_in(&dir)).expect("open");
    assert_eq!(store.tokens().expect("no tokens"), vec![]);
    let admin = token(
        "tok_a",
        TokenRole::Admin,
        None,
        "ab",
        "2024-05-01T08:00:00Z",
    );
    let coordinator = token(
        "tok_c",
        TokenRole::Coordinator,
        Some("s1"),
        "cd",
        "2024-05-02T08:00:00Z",
    );
    store.add_token(&admin).expect("add admin");
    store.add_token(&coordinator).expect("add coordinator");
    let dup = store.add_token(&admin).expect_err("duplicate id");
    assert!(dup.to_string().contains("tok_a"), "{dup}");
    assert_eq!(
        store.tokens().expect("tokens"),
        vec![admin.clone(), coordinator.clone()]
    );

    assert!(store.revoke_token("tok_c").expect("revoke"));
    assert!(!store.revoke_token("tok_missing").expect("revoke missing"));
    let mut revoked = coordinator.clone();
    revoked.revoked = true;
    assert_eq!(
        store.tokens().expect("tokens"),
        vec![admin.clone(), revoked.clone()]
    );

    // Tokens survive replacing the network, and the network is not "non-empty" because of them.
    store.replace(&sample()).expect("replace");
    replace_with_nothing(&store, "empty replace");
    drop(store);
    let reopened = SqliteStore::open(&db_in(&dir)).expect("reopen");
    assert_eq!(reopened.tokens().expect("tokens"), vec![admin, revoked]);
}

#[test]
fn concurrent_reader_sees_old_or_new_never_a_mix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&db_in(&dir)).expect("open");
    let a = synthetic("a", 2_000);
    let b = synthetic("b", 3_000);
    store.replace(&a).expect("replace a");

    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut seen = (0, 0);
            for _ in 0..40 {
                let loaded = store.load().expect("load while writing");
                if loaded == a {
                    seen.0 += 1;
                } else if loaded == b {
                    seen.1 += 1;
                } else {
                    panic!(
                        "reader saw a mixed network: {} members, {} volunteering rows",
                        loaded.members.len(),
                        loaded.volunteering.len()
                    );
                }
            }
            seen
        });
        for i in 0..12 {
            let next = if i % 2 == 0 { &b } else { &a };
            store.replace(next).expect("replace while reading");
        }
        let (old, new) = reader.join().expect("reader thread");
        assert_eq!(old + new, 40);
    });
    assert_eq!(store.load().expect("final load"), a);
}

/// Environment variable that turns `killed_mid_replace_child` into the child process.
const CHILD_DB: &str = "DANGJIAN_SQLITE_TEST_CHILD_DB";

/// In the child process: replace the stored network with a big one, slowly enough to be
/// killed in the middle. In a normal test run this test does nothing.
#[test]
fn killed_mid_replace_child() {
    let Ok(path) = std::env::var(CHILD_DB) else {
        return;
    };
    let store = SqliteStore::open(Path::new(&path)).expect("child open");
    let big = synthetic("big", 700_000);
    println!("replacing");
    store.replace(&big).expect("child replace");
    println!("committed");
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn killed_process_mid_replace_leaves_previous_network() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_in(&dir);
    let previous = sample();
    {
        let store = SqliteStore::open(&path).expect("open");
        store.replace(&previous).expect("replace");
    }
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let wal_before = file_len(&wal);

    let mut child = Command::new(std::env::current_exe().expect("test executable"))
        .args(["--exact", "killed_mid_replace_child", "--nocapture"])
        .env(CHILD_DB, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    // Once the child's uncommitted transaction has spilled several MiB into the WAL it is
    // mid-write (the whole replace writes far more than that); kill it right there.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if file_len(&wal) > wal_before + 8 * 1024 * 1024 {
            break;
        }
        if let Some(status) = child.try_wait().expect("poll child") {
            panic!("child finished ({status}) before it could be killed mid-replace");
        }
        assert!(Instant::now() < deadline, "child never started writing");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL child");
    child.wait().expect("reap child");
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().expect("child stdout"), &mut out)
        .expect("read child output");
    assert!(out.contains("replacing"), "child output: {out}");
    assert!(
        !out.contains("committed"),
        "child committed before the kill: {out}"
    );

    let store = SqliteStore::open(&path).expect("reopen after crash");
    assert_eq!(store.load().expect("load after crash"), previous);
    // The store is still writable after recovery.
    store
        .replace(&synthetic("after", 10))
        .expect("replace after crash");
    assert_eq!(store.load().expect("load"), synthetic("after", 10));
}

#[test]
fn opens_and_reads_while_another_connection_holds_the_write_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_in(&dir);
    SqliteStore::open(&path)
        .expect("create")
        .replace(&sample())
        .expect("replace");

    // Another process in the middle of an import: it holds the write lock and has
    // uncommitted changes.
    let mut other = rusqlite::Connection::open(&path).expect("raw open");
    let tx = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("take write lock");
    tx.execute("DELETE FROM responsibilities", [])
        .expect("uncommitted change");

    let started = Instant::now();
    let store = SqliteStore::open(&path).expect("open while locked");
    assert_eq!(store.load().expect("load while locked"), sample());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "open waited for the lock"
    );
    let err = store
        .replace(&Bundle::default())
        .expect_err("write while locked");
    assert!(err.to_string().contains("locked"), "{err}");
    tx.rollback().expect("rollback");
    replace_with_nothing(&store, "write after unlock");
}

/// `replace` drops and rebuilds some indexes for speed; the schema afterwards must be exactly
/// the migrated one.
#[test]
fn replace_leaves_the_schema_as_migrated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_in(&dir);
    let schema = || -> Vec<(String, Option<String>)> {
        let raw = rusqlite::Connection::open(&path).expect("raw open");
        let mut stmt = raw
            .prepare("SELECT name, sql FROM sqlite_schema ORDER BY type, name")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let store = SqliteStore::open(&path).expect("open");
    let migrated = schema();
    assert!(
        migrated
            .iter()
            .any(|(name, _)| name == "volunteering_member"),
        "{migrated:?}"
    );
    store.replace(&synthetic("s", 100)).expect("replace");
    assert_eq!(schema(), migrated);
    // And the rebuilt index is used by upsert's equal-row check.
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let plan: String = raw
        .query_row(
            "EXPLAIN QUERY PLAN SELECT 1 FROM volunteering WHERE member = 'sm1' AND committee = 'sk1' \
             AND domain = 'employment' AND hours = 1.5 AND date = '2024-01-02'",
            [],
            |r| r.get(3),
        )
        .expect("plan");
    assert!(plan.contains("volunteering_member"), "{plan}");
}
