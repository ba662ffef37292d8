//! Responsibility checklists (SPEC §3) on a small hand-checked network: every item kind,
//! supervision up a three-level party-org chain, RAG boundaries, subtree order, CSV.

use chrono::NaiveDate;
use dangjian_engine::{AMBER_DAYS, Engine, EngineError, rag_for};
use dangjian_export::{CHECKLIST_HEADER, ChecklistLang, checklist_csv, checklist_rows};
use dangjian_model::{Bundle, ChecklistDoc, ChecklistItem, ItemKind, ItemStatus, Rag};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn as_of() -> NaiveDate {
    d("2024-06-01")
}

/// Street S1 (working committee P_S1) → community CM1 (committee P_CM1) → committees C1
/// (general branch P_C1) and C2 (branch P_C2); community CM2 with C3 (no org); street S2 with
/// C4. Mass orgs of all three types link to S1. C1 has no members and no partners; its needs
/// N1 (elderly care 10, a resource of 4 deployed there) and N2 (employment 5, nothing) stay
/// unmet by 6 and 5. C2 has a member, partner U1 (PS1, expiring 2024-07-01) and a met need.
fn network() -> Bundle {
    dangjian_testdata::bundle("engine-checklist.json")
}

fn engine() -> Engine {
    Engine::new(network())
}

/// The checklist of `org` alone (no subtree) on `as_of()`, from a fresh engine.
fn own_checklist(org: &str) -> ChecklistDoc {
    engine().checklist(org, false, as_of()).expect("checklist")
}

fn of_kind(doc: &ChecklistDoc, kind: ItemKind) -> Vec<&ChecklistItem> {
    doc.items.iter().filter(|i| i.kind == kind).collect()
}

fn ids(items: &[&ChecklistItem]) -> Vec<String> {
    items.iter().map(|i| i.id.clone()).collect()
}

/// An item's row: (id, item, facts, due, status, RAG).
type Row<'a> = (
    &'a str,
    &'a str,
    Vec<&'a str>,
    Option<NaiveDate>,
    ItemStatus,
    Rag,
);

fn rows<'a>(items: &[&'a ChecklistItem]) -> Vec<Row<'a>> {
    items
        .iter()
        .map(|i| {
            let facts = i.facts.iter().map(|f| f.as_str()).collect();
            (
                i.id.as_str(),
                i.item.as_str(),
                facts,
                i.due,
                i.status,
                i.rag,
            )
        })
        .collect()
}

/// The items of `org` in a (subtree) checklist, in order.
fn of_org<'a>(doc: &'a ChecklistDoc, org: &str) -> Vec<&'a ChecklistItem> {
    doc.items.iter().filter(|i| i.party_org == org).collect()
}

#[test]
fn explicit_items_carry_their_row_due_status_and_rag() {
    let doc = own_checklist("P_C1");
    assert_eq!(doc.party_org, "P_C1");
    assert_eq!(doc.as_of, as_of());
    let explicit = of_kind(&doc, ItemKind::Explicit);
    let got: Vec<(&str, Option<NaiveDate>, ItemStatus, Rag)> = explicit
        .iter()
        .map(|i| (i.facts[0].as_str(), i.due, i.status, i.rag))
        .collect();
    assert_eq!(
        got,
        vec![
            ("R-a", Some(d("2024-05-31")), ItemStatus::Open, Rag::Red),
            ("R-b", Some(d("2024-06-01")), ItemStatus::Open, Rag::Amber),
            ("R-c", Some(d("2024-07-01")), ItemStatus::Open, Rag::Amber),
            ("R-d", Some(d("2024-07-02")), ItemStatus::Open, Rag::Green),
            ("R-e", Some(d("2024-01-01")), ItemStatus::Done, Rag::None),
            ("R-f", None, ItemStatus::Open, Rag::Green),
        ]
    );
    assert_eq!(explicit[0].id, "P_C1:explicit:R-a");
    assert_eq!(explicit[0].item, "组织在职党员报到");
    assert!(doc.items.iter().all(|i| i.first_responsible == "王书记"));
    assert!(doc.items.iter().all(|i| i.party_org == "P_C1"));
}

#[test]
fn rag_boundaries_around_a_due_date() {
    let due = d("2024-06-01");
    let day = chrono::Days::new(1);
    let open = ItemStatus::Open;
    assert_eq!(
        rag_for(open, Some(due), due.checked_sub_days(day).expect("date")),
        Rag::Amber
    );
    assert_eq!(rag_for(open, Some(due), due), Rag::Amber);
    assert_eq!(
        rag_for(open, Some(due), due.checked_add_days(day).expect("date")),
        Rag::Red
    );
    let today = d("2024-06-01");
    let ahead = |n: u64| today.checked_add_days(chrono::Days::new(n)).expect("date");
    assert_eq!(AMBER_DAYS, 30);
    assert_eq!(rag_for(open, Some(ahead(30)), today), Rag::Amber);
    assert_eq!(rag_for(open, Some(ahead(31)), today), Rag::Green);
    assert_eq!(rag_for(open, None, today), Rag::Green);
    assert_eq!(
        rag_for(ItemStatus::Done, Some(d("2020-01-01")), today),
        Rag::None
    );
    assert_eq!(rag_for(ItemStatus::Done, None, today), Rag::None);
}

#[test]
fn partnership_items_for_the_led_target_and_the_led_unit() {
    let e = engine();
    let c2 = e.checklist("P_C2", false, as_of()).expect("checklist");
    let p = of_kind(&c2, ItemKind::Partnership);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].facts, vec!["PS1", "U1", "C2"]);
    assert_eq!(p[0].id, "P_C2:partnership:PS1:U1:C2");
    assert_eq!(p[0].due, Some(d("2024-07-01")));
    assert_eq!(p[0].status, ItemStatus::Open);
    assert_eq!(p[0].rag, Rag::Amber);
    assert!(
        p[0].item.contains("亭林医院") && p[0].item.contains("亭北居委会"),
        "{}",
        p[0].item
    );
    assert_eq!(p[0].first_responsible, "赵书记");

    // The unit's own party org: PS1 is active, PS3 expired, so one item.
    let u1 = e.checklist("P_U1", false, as_of()).expect("checklist");
    let p = of_kind(&u1, ItemKind::Partnership);
    assert_eq!(ids(&p), vec!["P_U1:partnership:PS1:U1:C2"]);

    // On the expiry day the partnership is no longer active.
    let later = e
        .checklist("P_C2", false, d("2024-07-01"))
        .expect("checklist");
    assert!(of_kind(&later, ItemKind::Partnership).is_empty());

    // PS4 (to CM1) is signed in 2025: not yet active; active once signed.
    let cm1 = e.checklist("P_CM1", false, as_of()).expect("checklist");
    assert!(of_kind(&cm1, ItemKind::Partnership).is_empty());
    let cm1 = e
        .checklist("P_CM1", false, d("2025-02-01"))
        .expect("checklist");
    let p = of_kind(&cm1, ItemKind::Partnership);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].facts, vec!["PS4", "U3", "CM1"]);
    assert_eq!(p[0].due, None);
    assert_eq!(p[0].rag, Rag::Green);
}

#[test]
fn blank_spot_items_name_the_flag_in_chinese() {
    let doc = own_checklist("P_C1");
    let b = of_kind(&doc, ItemKind::BlankSpot);
    let open = |id, item| (id, item, vec!["C1"], None, ItemStatus::Open, Rag::Green);
    assert_eq!(
        rows(&b),
        [
            open(
                "P_C1:blank_spot:C1:no_members",
                "亭谊居委会：无报到党员（no_members）"
            ),
            open(
                "P_C1:blank_spot:C1:no_partners",
                "亭谊居委会：无共建单位（no_partners）"
            ),
        ]
    );
    // C2 has a member, a partner and all three mass-org types: no blank spots.
    let c2 = own_checklist("P_C2");
    assert!(of_kind(&c2, ItemKind::BlankSpot).is_empty());
}

#[test]
fn unmet_need_items_after_matching() {
    let doc = own_checklist("P_C1");
    let u = of_kind(&doc, ItemKind::UnmetNeed);
    // (id, facts, words the text names: the domain and met / demand)
    let expected = [
        ("P_C1:unmet_need:N1:C1", ["N1", "C1"], ["养老", "6/10"]),
        ("P_C1:unmet_need:N2:C1", ["N2", "C1"], ["就业", "5/5"]),
    ];
    assert_eq!(u.len(), expected.len(), "{u:?}");
    for ((id, item, facts, due, _, rag), (want_id, want_facts, words)) in
        rows(&u).into_iter().zip(expected)
    {
        assert_eq!(
            (id, facts, due, rag),
            (want_id, want_facts.to_vec(), None, Rag::Green)
        );
        assert!(words.iter().all(|w| item.contains(w)), "{item}");
    }
    // N3 at C2 is met by R2.
    let c2 = own_checklist("P_C2");
    assert!(of_kind(&c2, ItemKind::UnmetNeed).is_empty());
}

#[test]
fn supervision_items_up_a_three_level_chain() {
    let e = engine();
    let below = e.checklist("P_C1", false, as_of()).expect("checklist");
    let supervised: Vec<&ChecklistItem> = below
        .items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::BlankSpot | ItemKind::UnmetNeed))
        .collect();
    assert_eq!(supervised.len(), 4);
    assert!(of_kind(&below, ItemKind::Supervision).is_empty());

    for (org, secretary) in [("P_CM1", "李书记"), ("P_S1", "张书记")] {
        let doc = e.checklist(org, false, as_of()).expect("checklist");
        let s = of_kind(&doc, ItemKind::Supervision);
        assert_eq!(s.len(), 4, "{org}: {s:?}");
        for (sup, orig) in s.iter().zip(&supervised) {
            assert_eq!(sup.facts, orig.facts);
            assert_eq!(sup.id, format!("{org}:supervision:{}", orig.id));
            assert_eq!(sup.party_org, org);
            assert_eq!(sup.first_responsible, secretary);
            assert_eq!(sup.rag, orig.rag);
            assert!(sup.item.contains(&orig.item), "{}", sup.item);
        }
        // Nothing of the committees goes to the street or community orgs as own items.
        assert!(of_kind(&doc, ItemKind::BlankSpot).is_empty());
        assert!(of_kind(&doc, ItemKind::UnmetNeed).is_empty());
    }
    // The street's blank-spot supervision names the committee (C1).
    let street = e.checklist("P_S1", false, as_of()).expect("checklist");
    assert!(street.items.iter().any(|i| i.kind == ItemKind::Supervision
        && i.facts == vec!["C1"]
        && i.item.contains("无共建单位（no_partners）")));
    // A sibling's items are not supervised: P_U1 has no supervision.
    let u1 = e.checklist("P_U1", false, as_of()).expect("checklist");
    assert!(of_kind(&u1, ItemKind::Supervision).is_empty());
}

#[test]
fn subtree_contains_children_in_preorder() {
    let e = engine();
    let doc = e.checklist("P_S1", true, as_of()).expect("checklist");
    let mut orgs: Vec<&str> = doc.items.iter().map(|i| i.party_org.as_str()).collect();
    orgs.dedup();
    assert_eq!(orgs, vec!["P_S1", "P_CM1", "P_C1", "P_C2", "P_U1"]);
    for org in ["P_S1", "P_CM1", "P_C1", "P_C2", "P_U1"] {
        let own = e.checklist(org, false, as_of()).expect("checklist");
        assert_eq!(
            of_org(&doc, org),
            own.items.iter().collect::<Vec<_>>(),
            "{org}"
        );
    }
    // Within an org: kind order, then id.
    let s1: Vec<(ItemKind, &str)> = of_org(&doc, "P_S1")
        .iter()
        .map(|i| (i.kind, i.id.as_str()))
        .collect();
    assert_eq!(s1[0], (ItemKind::Explicit, "P_S1:explicit:R-g"));
    assert!(s1[1..].iter().all(|(k, _)| *k == ItemKind::Supervision));
    let sup: Vec<&str> = s1[1..].iter().map(|(_, id)| *id).collect();
    let mut sorted = sup.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, sup);
    // Ids are unique across the subtree.
    let mut all: Vec<&str> = doc.items.iter().map(|i| i.id.as_str()).collect();
    all.sort_unstable();
    let n = all.len();
    all.dedup();
    assert_eq!(all.len(), n);
    // A leaf's subtree is its own list.
    let leaf = e.checklist("P_C2", true, as_of()).expect("checklist");
    assert_eq!(
        leaf,
        e.checklist("P_C2", false, as_of()).expect("checklist")
    );
}

#[test]
fn unknown_party_org_is_an_error() {
    let err = engine()
        .checklist("nope", false, as_of())
        .expect_err("must fail");
    assert_eq!(err, EngineError::UnknownPartyOrg("nope".into()));
    let err = engine()
        .checklist("C1", true, as_of())
        .expect_err("a committee is no org");
    assert_eq!(err, EngineError::UnknownPartyOrg("C1".into()));
}

#[test]
fn csv_has_bom_header_and_quotes() {
    let doc = own_checklist("P_C1");
    let csv = checklist_csv(&doc, ChecklistLang::En).expect("csv");
    assert!(csv.starts_with('\u{feff}'));
    let mut lines = csv.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(
        lines.next(),
        Some("id,party_org,first_responsible,kind,item,facts,due,status,rag")
    );
    assert_eq!(
        CHECKLIST_HEADER.join(","),
        "id,party_org,first_responsible,kind,item,facts,due,status,rag"
    );
    assert_eq!(
        lines.next(),
        Some("P_C1:explicit:R-a,P_C1,王书记,explicit,组织在职党员报到,R-a,2024-05-31,open,red")
    );
    assert!(csv.contains(
        "P_C1:explicit:R-f,P_C1,王书记,explicit,\"建立台账, \"\"常态化\"\"\",R-f,,open,green\r\n"
    ));
    assert!(csv.contains(",N1;C1,,open,green\r\n"), "{csv}");
    assert!(csv.ends_with("\r\n"));
    assert_eq!(csv.matches("\r\n").count(), doc.items.len() + 1);

    let rows = checklist_rows(&doc, ChecklistLang::En);
    assert_eq!(rows.len(), doc.items.len());
    let done = rows
        .iter()
        .find(|r| r[0] == "P_C1:explicit:R-e")
        .expect("row");
    assert_eq!(done[6], "2024-01-01");
    assert_eq!(done[7], "done");
    assert_eq!(done[8], "none");
    let need = rows.iter().find(|r| r[3] == "unmet_need").expect("row");
    assert_eq!(need[5], "N1;C1");
}

#[test]
fn checklist_json_uses_the_contract_names() {
    let doc = own_checklist("P_C2");
    let v = serde_json::to_value(&doc).expect("json");
    let item = &v["items"][0];
    assert_eq!(item["kind"], "partnership");
    assert_eq!(item["status"], "open");
    assert_eq!(item["rag"], "amber");
    assert_eq!(item["due"], "2024-07-01");
    assert_eq!(item["facts"], serde_json::json!(["PS1", "U1", "C2"]));
}

#[test]
fn csv_guards_text_a_spreadsheet_would_run_as_a_formula() {
    let mut doc = own_checklist("P_C1");
    doc.items[0].item = "=HYPERLINK(\"http://x\",\"点击\")".into();
    doc.items[1].item = "@SUM(1)".into();
    doc.items[2].item = "-减少台账".into();
    let csv = checklist_csv(&doc, ChecklistLang::En).expect("csv");
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"点击\"\")\","),
        "{csv}"
    );
    assert!(csv.contains(",'@SUM(1),"), "{csv}");
    assert!(csv.contains(",'-减少台账,"), "{csv}");
    // Ordinary text and dates are untouched.
    assert!(!csv.contains("'组织在职党员报到") && !csv.contains("'2024"));
    // The JSON document keeps the text as stored.
    assert_eq!(doc.items[1].item, "@SUM(1)");
}
