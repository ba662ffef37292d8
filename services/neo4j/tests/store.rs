//! The Neo4j store against a real local Neo4j: import → load equality, refused and killed
//! imports leave the previous network intact, multi-row reads return the known counts, tokens.
//! One test function drives the steps in order, so nothing here races on the shared database.

mod common;

use common::*;
use dangjian_model::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// A big network for the killed-import step: many members and volunteering rows.
fn big(n: usize) -> Bundle {
    let mut b = every_table();
    for i in 0..n {
        b.members.push(Member {
            id: format!("BIG{i}").into(),
            name: format!("党员{i}"),
            birth_year: 1980 + (i % 30) as i32,
            employer: Some("U1".into()),
            registered_at: Some("K1".into()),
            skills: vec!["技能".into()],
        });
        b.volunteering.push(Volunteering {
            member: format!("BIG{i}").into(),
            committee: "K3".into(),
            domain: ServiceDomain::Greening,
            hours: 1.25,
            date: Date::from_ymd_opt(2026, 1, 1).expect("a date"),
        });
    }
    b
}

/// Run by the killed-import step in a child process (see `killed_import`); does nothing otherwise.
#[test]
fn child_big_replace() {
    if std::env::var("DANGJIAN_NEO4J_CHILD_REPLACE").is_err() {
        return;
    }
    let s = store();
    eprintln!("child: replacing");
    s.replace(&big(200_000)).expect("the big replace");
    eprintln!("child: done");
}

fn killed_import(s: &dangjian_neo4j::Neo4jStore, before: &Bundle) {
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_big_replace",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DANGJIAN_NEO4J_CHILD_REPLACE", "1")
        .env("DANGJIAN_TEST_NEO4J_URI", neo4j_uri())
        .spawn()
        .expect("spawning the child import");
    // Wait until the child's new generation has rows in the database, then SIGKILL it.
    let started = Instant::now();
    let graph_rows = || -> i64 {
        let b = s.load().expect("load while the child writes");
        assert_eq!(
            &b, before,
            "the network changed while an import was in flight"
        );
        b.row_count() as i64
    };
    loop {
        let n = count_nodes(s);
        if n > before.row_count() as i64 + 20_000 {
            break;
        }
        if let Some(status) = child.try_wait().expect("polling the child") {
            panic!(
                "the child import finished ({status}) before it could be killed; make it bigger"
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "the child import never started writing"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    graph_rows();
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("reaping the child");
    assert!(!status.success(), "the child was killed");
    // The previous network is still what the store returns.
    assert_eq!(&s.load().expect("load after the kill"), before);
    assert!(
        count_nodes(s) > before.row_count() as i64,
        "leftovers of the killed import exist"
    );
    // The next import cleans them up.
    s.replace(before).expect("replace after the kill");
    assert_eq!(&s.load().expect("load"), before);
    // The old generation and the leftovers are deleted in the background.
    s.wait_background().expect("the background deletion");
    let nodes_now = count_nodes(s);
    let adjacency_like =
        (before.adjacency.len() + before.mass_links.len() + before.volunteering.len()) as i64;
    assert_eq!(
        nodes_now,
        before.row_count() as i64 - adjacency_like,
        "only one generation is left"
    );
}

/// Number of network nodes, all generations.
fn count_nodes(s: &dangjian_neo4j::Neo4jStore) -> i64 {
    s.count_query("MATCH (n:Net) RETURN count(n) AS c")
        .expect("counting nodes")
}

#[test]
fn neo4j_store_end_to_end() {
    let s = store();
    assert!(s.describe().starts_with("neo4j:bolt://"));

    // 1. Import → load equality, every table, rows in their original order.
    let b = every_table();
    s.replace(&b).expect("replace");
    let loaded = s.load().expect("load");
    assert_eq!(loaded, b);
    assert_eq!(
        s.digest_drift().expect("drift"),
        0,
        "volunteering digests written"
    );
    assert_eq!(
        serde_json::to_string(&loaded).expect("json"),
        serde_json::to_string(&b).expect("json")
    );

    // 2. A refused import (duplicate id across tables violates the uniqueness constraint)
    //    leaves the previous network in place.
    let mut bad = every_table();
    bad.units.push(Unit {
        id: "K1".into(),
        name: "重复".into(),
        category: UnitCategory::Other,
        industry: String::new(),
        street: "S1".into(),
    });
    bad.districts[0].name = "改名".into();
    let err = s.replace(&bad).expect_err("a duplicate id is refused");
    assert!(err.to_string().contains("neo4j"), "{err}");
    assert_eq!(s.load().expect("load after the refusal"), b);
    // A dangling reference is refused too (the relationship cannot be made).
    let mut dangling = every_table();
    dangling.adjacency.push(Adjacency {
        a: "K1".into(),
        b: "NOPE".into(),
    });
    assert!(s.replace(&dangling).is_err());
    assert_eq!(s.load().expect("load after the refusal"), b);

    // 3. Upsert: changed and new rows, atomically.
    let partial = Bundle {
        districts: (vec![District {
            id: "D1".into(),
            name: "黄浦".into(),
        }])
        .into(),
        adjacency: (vec![
            Adjacency {
                a: "K2".into(),
                b: "K1".into(),
            },
            Adjacency {
                a: "K2".into(),
                b: "K3".into(),
            },
        ])
        .into(),
        ..Bundle::default()
    };
    s.upsert(&partial).expect("upsert");
    let expected = b.merged(&partial);
    assert_eq!(expected.adjacency.len(), 3);
    assert_eq!(s.load().expect("load after upsert"), expected);
    s.replace(&b).expect("replace back");

    // 4. Multi-row reads return the known counts (neo4rs issue #281).
    let many = big(12_345);
    s.replace(&many).expect("replace with many rows");
    for _ in 0..3 {
        let l = s.load().expect("load many");
        assert_eq!(l.members.len(), many.members.len());
        assert_eq!(l.volunteering.len(), many.volunteering.len());
        assert_eq!(l, many);
    }
    assert_eq!(
        s.count_query("MATCH (m:Member:Net) RETURN count(m) AS c")
            .expect("count"),
        many.members.len() as i64
    );

    // 5. A killed import leaves the previous network intact.
    killed_import(&s, &many);

    // The digest check sees a committee's volunteering digest changed behind the store's back.
    assert_eq!(s.digest_drift().expect("drift"), 0);
    s.count_query(
        "MATCH (m:Meta {key: 'network'}) MATCH (k:Committee:Net {gen: m.current_gen}) \
         WITH k LIMIT 1 SET k.vol_hours = [-1.0] RETURN count(k) AS c",
    )
    .expect("change a digest");
    assert_eq!(s.digest_drift().expect("drift"), 1);

    // 6. Tokens.
    let t = TokenInfo {
        id: format!("tok_test_{}", std::process::id()),
        role: TokenRole::Coordinator,
        scope: Some("S1".into()),
        hash: "ab".repeat(32),
        created: "2026-06-30T00:00:00Z".into(),
        revoked: false,
    };
    s.add_token(&t).expect("add token");
    assert!(s.tokens().expect("tokens").contains(&t));
    assert!(s.add_token(&t).is_err(), "a duplicate token id is refused");
    assert!(s.revoke_token(&t.id).expect("revoke"));
    assert!(!s.revoke_token("tok_nobody").expect("revoke unknown"));
    let after = s.tokens().expect("tokens");
    assert!(after.iter().any(|x| x.id == t.id && x.revoked));

    // 7. Replacing with an empty network loads as empty.
    s.replace(&Bundle::default()).expect("replace with nothing");
    assert_eq!(s.load().expect("load"), Bundle::default());
}
