//! Row writes through the one write path over a real SQLite file, with an engine view that
//! merges and validates located (the engine's id table answers where rows sit) and applies
//! incrementally: after every write of a pseudo-random sequence the live engine's documents
//! equal those of an engine rebuilt from a fresh load of the store, and so do those of a
//! second `Live` on the same file that follows the commits. Each new version shares every
//! table the write did not touch with the version before (copy-on-write tables), and most
//! writes go into spare tables brought up to date by the delta of the table's last write.

use dangjian_engine::Engine;
use dangjian_live::{Live, Plan, View, created, updated};
use dangjian_model::store::RowChange;
use dangjian_model::*;
use std::sync::Arc;

/// A row or document as JSON.
macro_rules! value {
    ($x:expr) => {
        serde_json::to_value(&$x).expect("json")
    };
}

/// The service's view, reduced to the engine: incremental apply and located writes.
struct EngineView(Engine);

impl View for EngineView {
    fn build(bundle: Bundle) -> Self {
        EngineView(Engine::new(bundle))
    }
    fn bundle(&self) -> &Bundle {
        self.0.bundle()
    }
    fn apply(&self, merged: Bundle, partial: &Bundle) -> Self {
        EngineView(self.0.with_merged(merged, partial))
    }
    fn locator(&self) -> Option<&dyn Locate> {
        Some(&self.0)
    }
}

/// A small deterministic generator (the sequence must be reproducible).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }
    fn below(&mut self, n: usize) -> usize {
        self.next() % n.max(1)
    }
}

/// A date from 2024-01-01 on, within 900 days.
fn day(n: usize) -> Date {
    Date::from_ymd_opt(2024, 1, 1).expect("date") + chrono::Days::new((n % 900) as u64)
}

/// Coverage and gaps of the city, a district, a street and a committee, and the checklist of
/// the first party org, on two dates, as JSON.
fn documents(e: &Engine) -> Vec<(String, String)> {
    let b = e.bundle();
    let scopes: [Id; 4] = [
        "city".into(),
        b.districts[0].id.clone(),
        b.streets[b.streets.len() / 2].id.clone(),
        b.committees[b.committees.len() / 3].id.clone(),
    ];
    let mut out = Vec::new();
    for as_of in [day(500), day(880)] {
        for s in &scopes {
            let c = e.coverage(s, as_of).expect("coverage");
            out.push((format!("coverage {s} {as_of}"), value!(c).to_string()));
            let g = e.gaps(s, as_of).expect("gaps");
            out.push((format!("gaps {s} {as_of}"), value!(g).to_string()));
        }
        let org = &b.party_orgs[0].id;
        let c = e.checklist(org, true, as_of).expect("checklist");
        out.push((format!("checklist {org} {as_of}"), value!(c).to_string()));
    }
    out
}

/// The change-log row of a row written over `before`: a create when it is `new`, else an
/// update at the row's current version.
fn change(
    versions: &store::RowVersions,
    table: &str,
    id: &str,
    new: bool,
    before: serde_json::Value,
    after: serde_json::Value,
) -> RowChange {
    if new {
        created(table, Some(id), after)
    } else {
        updated(table, id, before, after, versions.get(table, id))
    }
}

/// One write: a partial bundle and its change-log rows (creates, or updates at the row's
/// current version).
fn a_write(b: &Bundle, versions: &store::RowVersions, rng: &mut Lcg, serial: usize) -> Plan {
    let mut p = Bundle::default();
    let mut changes: Vec<RowChange> = Vec::new();
    let committee = b.committees[rng.below(b.committees.len())].id.clone();
    let domain = ServiceDomain::ALL[rng.below(12)];
    match rng.below(6) {
        0 => {
            // A new need, or an update of an existing one (demand, domain, committee).
            let new = rng.below(2) == 0;
            let mut n = if new {
                Need {
                    id: format!("LN{serial}").into(),
                    committee: committee.clone(),
                    domain,
                    demand: 1,
                }
            } else {
                b.needs[rng.below(b.needs.len())].clone()
            };
            let before = value!(n);
            n.demand = 1 + rng.below(400) as u64;
            n.domain = domain;
            if rng.below(2) == 0 {
                n.committee = committee;
            }
            changes.push(change(versions, "needs", &n.id, new, before, value!(n)));
            p.needs.push(n);
        }
        1 => {
            // A batch of volunteering, one row of it already present (not added again).
            p.volunteering
                .push(b.volunteering[rng.below(b.volunteering.len())].clone());
            for i in 0..1 + rng.below(20) {
                let m = &b.members[rng.below(b.members.len())];
                p.volunteering.push(Volunteering {
                    member: m.id.clone(),
                    committee: if i % 2 == 0 {
                        committee.clone()
                    } else {
                        m.registered_at.clone().unwrap_or_else(|| committee.clone())
                    },
                    domain,
                    hours: (1 + rng.below(16)) as f64 / 2.0,
                    date: day(rng.next()),
                });
            }
            for v in p.volunteering.iter() {
                changes.push(created("volunteering", None, value!(v)));
            }
        }
        2 => {
            // A member moves to another committee (or registers), or a new member.
            let new = rng.below(3) == 0;
            let mut m = if new {
                Member {
                    id: format!("LM{serial}").into(),
                    name: "测试人".into(),
                    birth_year: 1980,
                    employer: None,
                    registered_at: None,
                    skills: vec![],
                }
            } else {
                b.members[rng.below(b.members.len())].clone()
            };
            let before = value!(m);
            m.registered_at = Some(committee);
            m.birth_year = 1950 + rng.below(50) as i32;
            changes.push(change(versions, "members", &m.id, new, before, value!(m)));
            p.members.push(m);
        }
        3 => {
            let mut r = b.resources[rng.below(b.resources.len())].clone();
            let before = value!(r);
            r.capacity = 1 + rng.below(900) as u64;
            r.domain = domain;
            changes.push(change(
                versions,
                "resources",
                &r.id,
                false,
                before,
                value!(r),
            ));
            p.resources.push(r);
        }
        4 => {
            let mut s = b.partnerships[rng.below(b.partnerships.len())].clone();
            let before = value!(s);
            s.signed = day(rng.below(400));
            s.expires = (rng.below(2) == 0).then(|| day(400 + rng.below(400)));
            changes.push(change(
                versions,
                "partnerships",
                &s.id,
                false,
                before,
                value!(s),
            ));
            p.partnerships.push(s);
        }
        _ => {
            let x = Responsibility {
                id: format!("LQ{serial}").into(),
                party_org: b.party_orgs[rng.below(b.party_orgs.len())].id.clone(),
                item: "测试事项".into(),
                due: Some(day(rng.below(900))),
                status: ItemStatus::Open,
            };
            changes.push(created("responsibilities", Some(&x.id), value!(x)));
            p.responsibilities.push(x);
        }
    }
    Plan::Rows {
        partial: p,
        changes,
    }
}

#[test]
fn located_writes_equal_a_rebuild_from_the_store_document_for_document() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("net.db");
    let store: Arc<dyn Store> = Arc::new(dangjian_sqlite::SqliteStore::open(&path).expect("store"));
    store
        .replace(&dangjian_synth::shanghai_sample())
        .expect("import");
    let live = Live::<EngineView>::open(store.clone(), true).expect("live");
    let other_store: Arc<dyn Store> =
        Arc::new(dangjian_sqlite::SqliteStore::open(&path).expect("store"));
    let follower = Live::<EngineView>::open(other_store, true).expect("follower");

    let mut rng = Lcg(9);
    let mut written = 0;
    for serial in 0..40 {
        let before = live.current();
        let (touched, installed) = live
            .write("test", |view, versions| {
                let plan = a_write(view.bundle(), versions, &mut rng, serial);
                let touched = match &plan {
                    Plan::Rows { partial, .. } => partial.clone(),
                    _ => unreachable!("row writes only"),
                };
                Ok::<_, dangjian_live::WriteError>((plan, touched))
            })
            .expect("a valid write");
        assert!(installed.seq > 0);
        written += 1;
        let now = live.current();
        assert_eq!(
            installed.rows,
            now.bundle().row_count(),
            "write {serial} reports the rows it installed"
        );
        // Copy-on-write: tables the write has no rows for are shared with the version before.
        let (b0, b1) = (before.bundle(), now.bundle());
        for (table, shared, untouched) in [
            (
                "members",
                Table::ptr_eq(&b0.members, &b1.members),
                touched.members.is_empty(),
            ),
            (
                "needs",
                Table::ptr_eq(&b0.needs, &b1.needs),
                touched.needs.is_empty(),
            ),
            (
                "committees",
                Table::ptr_eq(&b0.committees, &b1.committees),
                true,
            ),
            (
                "party_orgs",
                Table::ptr_eq(&b0.party_orgs, &b1.party_orgs),
                true,
            ),
        ] {
            assert_eq!(
                shared, untouched,
                "write {serial}: {table} shared iff untouched"
            );
        }

        let rebuilt = Engine::new(store.load().expect("load"));
        assert_eq!(
            now.bundle(),
            rebuilt.bundle(),
            "write {serial}: {touched:?}"
        );
        let (got, want) = (documents(&now.0), documents(&rebuilt));
        assert_eq!(got.len(), want.len());
        for ((name, g), (_, w)) in got.iter().zip(&want) {
            assert!(g == w, "write {serial}: {name} differs after {touched:?}");
        }
        if serial % 8 == 7 {
            assert!(follower.follow().expect("follow"));
            let theirs = follower.current();
            assert_eq!(theirs.bundle(), rebuilt.bundle());
            assert_eq!(
                documents(&theirs.0),
                want,
                "the follower after write {serial}"
            );
        }
    }
    assert_eq!(written, 40);
    // Most writes went into spare tables brought up to date (no version held them any more).
    assert!(
        live.in_place_writes() >= 20,
        "{} of 40 writes in place",
        live.in_place_writes()
    );
}

#[test]
fn a_located_write_is_still_refused_when_invalid_or_conflicting() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("net.db");
    let store: Arc<dyn Store> = Arc::new(dangjian_sqlite::SqliteStore::open(&path).expect("store"));
    let sample = dangjian_synth::shanghai_sample();
    store.replace(&sample).expect("import");
    let live = Live::<EngineView>::open(store.clone(), true).expect("live");
    let rows = |p: Bundle| {
        let changes = dangjian_live::creates_of(&p).expect("changes");
        Plan::Rows {
            partial: p,
            changes,
        }
    };
    // A need naming no committee: every problem reported, nothing stored.
    let mut p = Bundle::default();
    p.needs.push(Need {
        id: "LX1".into(),
        committee: "NO-SUCH-COMMITTEE".into(),
        domain: ServiceDomain::Greening,
        demand: 3,
    });
    let err = live
        .write("test", |_, _| {
            Ok::<_, dangjian_live::WriteError>((rows(p.clone()), ()))
        })
        .expect_err("dangling committee");
    assert!(
        err.to_string().contains("NO-SUCH-COMMITTEE"),
        "the problem names the reference: {err}"
    );
    // Creating an id that exists: a conflict from the store.
    let mut p = Bundle::default();
    p.needs.push(sample.needs[0].clone());
    let err = live
        .write("test", |_, _| {
            Ok::<_, dangjian_live::WriteError>((rows(p.clone()), ()))
        })
        .expect_err("existing id");
    assert!(
        matches!(
            err,
            dangjian_live::WriteError::Store(StoreError::Exists { .. })
        ),
        "{err:?}"
    );
    assert_eq!(store.load().expect("load"), sample);
    assert_eq!(live.current().bundle(), &sample);
}
