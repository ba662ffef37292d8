//! Logged writes on a real Neo4j: row writes change the current generation in place (no new
//! generation, one node more for one create), the stored network equals the in-memory merge
//! table for table, conflicts are refused inside the transaction (409/412 cases, and an import
//! that switched the generation meanwhile), and the change log and sequence follow.
//! One test function drives the steps in order, so nothing here races on the shared database.

mod common;

use common::*;
use dangjian_live::{Live, Plan, WriteError, Written, created, updated};
use dangjian_model::*;
use std::sync::Arc;

fn gen_of(s: &dangjian_neo4j::Neo4jStore) -> i64 {
    s.count_query("MATCH (m:Meta {key: 'network'}) RETURN m.current_gen AS c")
        .expect("generation")
}

fn net_nodes(s: &dangjian_neo4j::Neo4jStore) -> i64 {
    s.count_query("MATCH (n:Net) RETURN count(n) AS c")
        .expect("count")
}

fn rows_plan(partial: Bundle, changes: Vec<RowChange>) -> Plan {
    Plan::Rows { partial, changes }
}

#[test]
fn neo4j_row_writes_in_place_with_conflicts_and_change_log() {
    let neo = Arc::new(store());
    let store: Arc<dyn Store> = neo.clone();
    let base = every_table();
    validate(&base).expect("fixture valid");
    store.replace(&base).expect("import");
    let seq0 = store.sequence().expect("sequence");
    let generation = gen_of(&neo);
    let nodes = net_nodes(&neo);
    let live = Live::<Bundle>::open(store.clone(), true).expect("live");
    assert_eq!(live.current().as_ref(), &base);

    // A create, an update that moves a need to another committee, a resource redeployed,
    // an added volunteering row and a duplicate of a stored one (skipped).
    let n3 = Need {
        id: "N3".into(),
        committee: "K2".into(),
        domain: ServiceDomain::ElderlyCare,
        demand: 12,
    };
    let mut n1 = base.needs[0].clone();
    let n1_before = serde_json::to_value(&n1).expect("json");
    n1.committee = "K3".into();
    n1.demand = 31;
    let mut r1 = base.resources[0].clone();
    let r1_before = serde_json::to_value(&r1).expect("json");
    r1.deployed_to = Some(vec!["K3".into()]);
    let hours = Volunteering {
        member: "E2".into(),
        committee: "K3".into(),
        domain: ServiceDomain::Healthcare,
        hours: 1.5,
        date: Date::from_ymd_opt(2026, 5, 1).expect("date"),
    };
    let duplicate = base.volunteering[1].clone();
    let partial = Bundle {
        needs: vec![n3.clone(), n1.clone()].into(),
        resources: vec![r1.clone()].into(),
        volunteering: vec![hours.clone(), duplicate.clone()].into(),
        ..Bundle::default()
    };
    let v = |b: &Need| serde_json::to_value(b).expect("json");
    let changes = vec![
        created("needs", Some("N3"), v(&n3)),
        updated("needs", "N1", n1_before, v(&n1), seq0),
        updated(
            "resources",
            "R1",
            r1_before,
            serde_json::to_value(&r1).expect("json"),
            seq0,
        ),
        created(
            "volunteering",
            None,
            serde_json::to_value(&hours).expect("json"),
        ),
        created(
            "volunteering",
            None,
            serde_json::to_value(&duplicate).expect("json"),
        ),
    ];
    let ((), Written { seq, .. }) = live
        .write("cli", |_, _| {
            Ok::<_, WriteError>((rows_plan(partial.clone(), changes), ()))
        })
        .expect("write");
    assert_eq!(seq, seq0 + 5);
    assert_eq!(gen_of(&neo), generation, "the generation did not move");
    assert_eq!(net_nodes(&neo), nodes + 1, "one node more: N3");
    let expected = base.merged(&partial);
    let loaded = store.load().expect("load");
    assert_eq!(loaded, expected, "the stored network equals the merge");
    assert_eq!(neo.digest_drift().expect("drift"), 0, "digests follow");
    assert_eq!(live.current().as_ref(), &expected);
    // The need's AT relationship moved, the resource's deployments were redrawn.
    assert_eq!(
        neo.count_query(
            "MATCH (:Need {id: 'N1'})-[r:AT]->(k:Committee) WHERE k.id = 'K3' RETURN count(r) AS c"
        )
        .expect("count"),
        1
    );
    assert_eq!(
        neo.count_query("MATCH (:Need {id: 'N1'})-[r:AT]->() RETURN count(r) AS c")
            .expect("count"),
        1
    );
    assert_eq!(
        neo.count_query("MATCH (:Resource {id: 'R1'})-[r:DEPLOYED_TO]->() RETURN count(r) AS c")
            .expect("count"),
        1
    );

    // Versions and conflicts, checked inside the store's transaction.
    let (_, seq_now, versions) = store.load_versioned().expect("versions");
    assert_eq!(seq_now, seq);
    assert_eq!(versions.get("needs", "N1"), seq0 + 2);
    assert_eq!(
        versions.get("needs", "N2"),
        seq0,
        "untouched rows keep the import's version"
    );
    let commit = |partial: &Bundle, changes: &[RowChange], based_on| {
        store.commit(&Commit {
            actor: "cli",
            kind: WriteKind::Rows { partial, changes },
            based_on,
        })
    };
    let again = Bundle {
        needs: vec![n3.clone()].into(),
        ..Bundle::default()
    };
    let err = commit(&again, &[created("needs", Some("N3"), v(&n3))], seq).expect_err("exists");
    assert!(matches!(err, StoreError::Exists { .. }), "{err}");
    let mut n1b = n1.clone();
    n1b.demand = 1;
    let stale = Bundle {
        needs: vec![n1b.clone()].into(),
        ..Bundle::default()
    };
    let err = commit(
        &stale,
        &[updated("needs", "N1", v(&n1), v(&n1b), seq0)],
        seq,
    )
    .expect_err("stale");
    assert!(
        matches!(err, StoreError::Stale { found, .. } if found == seq0 + 2),
        "{err}"
    );
    assert_eq!(
        store.load().expect("load"),
        expected,
        "refusals changed nothing"
    );

    // An import switches the generation; a write prepared before it is refused.
    let mut next = base.clone();
    next.needs[1].demand = 8;
    store.replace(&next).expect("import");
    assert_ne!(gen_of(&neo), generation);
    let err = commit(
        &stale,
        &[updated("needs", "N1", v(&n1), v(&n1b), seq0 + 2)],
        seq,
    )
    .expect_err("replaced");
    assert!(matches!(err, StoreError::Replaced { .. }), "{err}");
    // The live network follows the import.
    assert!(live.follow().expect("follow"));
    assert_eq!(live.current().as_ref(), &next);

    // The change log: the imports as one entry each with counts, the rows one by one.
    let log = store
        .changes(&ChangeFilter {
            since: seq0 - 1,
            ..ChangeFilter::default()
        })
        .expect("changes");
    let ops: Vec<&str> = log.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(
        ops,
        [
            "import", "create", "update", "update", "add", "add", "import"
        ]
    );
    assert_eq!(
        log[0].after.as_ref().and_then(|a| a["needs"].as_u64()),
        Some(2)
    );
    assert_eq!(log[2].id.as_deref(), Some("N1"));
    assert_eq!(
        log[2].before.as_ref().map(|b| b["demand"].clone()),
        Some(30.into())
    );
    let only = store
        .changes(&ChangeFilter {
            since: seq0 - 1,
            table: Some("needs".into()),
            id: Some("N3".into()),
            limit: 10,
        })
        .expect("changes");
    assert_eq!(only.len(), 1);

    // The volunteering digests that coverage via Cypher reads follow in-place writes: a member's
    // birth year (E2, volunteering at K1, becomes under 35) and a committee rewritten in place
    // (its properties replaced).
    let as_of = Date::from_ymd_opt(2026, 6, 30).expect("date");
    let young_at_k1 = || {
        let doc = neo.coverage_via_cypher("city", as_of).expect("coverage");
        let k1 = doc.committees.iter().find(|k| k.id == "K1").expect("K1");
        k1.young_volunteers
    };
    assert_eq!(young_at_k1(), 1, "E1 only");
    let seq = store.sequence().expect("sequence");
    let mut e2 = next.members[1].clone();
    assert_eq!(e2.id, "E2");
    let e2_before = serde_json::to_value(&e2).expect("json");
    e2.birth_year = 2000;
    let k1_at = next
        .committees
        .iter()
        .position(|k| k.id == "K1")
        .expect("K1");
    let mut k1 = next.committees[k1_at].clone();
    let k1_before = serde_json::to_value(&k1).expect("json");
    k1.name = "改名居委会".into();
    let partial = Bundle {
        members: vec![e2.clone()].into(),
        committees: vec![k1.clone()].into(),
        ..Bundle::default()
    };
    let changes = [
        updated(
            "members",
            "E2",
            e2_before,
            serde_json::to_value(&e2).expect("json"),
            seq,
        ),
        updated(
            "committees",
            "K1",
            k1_before,
            serde_json::to_value(&k1).expect("json"),
            seq,
        ),
    ];
    commit(&partial, &changes, seq).expect("write");
    assert_eq!(neo.digest_drift().expect("drift"), 0, "digests follow");
    assert_eq!(young_at_k1(), 2, "E1 and E2");
    let after = next.merged(&partial);
    assert_eq!(store.load().expect("load"), after);
    let engine = dangjian_engine::Engine::new(after)
        .coverage("city", as_of)
        .expect("engine coverage");
    assert_eq!(
        neo.coverage_via_cypher("city", as_of).expect("coverage"),
        engine,
        "Cypher and engine agree after in-place writes"
    );
}
