// A party org's explicit 责任清单 items (docs/指标口径.md checklists, kind `explicit`), bundle order.
// rag: red = open and overdue (due < as_of); amber = open and due within 30 days; green = other
// open; none = done.
// Parameters: $as_of ('YYYY-MM-DD'), $party_org (a party org id).
MATCH (meta:Meta {key: 'network'})
MATCH (q:Responsibility:Net {gen: meta.current_gen})-[:OF]->(po:PartyOrg {id: $party_org})
RETURN q.id AS id, po.id AS party_org, po.secretary AS first_responsible, 'explicit' AS kind,
       q.item AS item, [q.id] AS facts, q.due AS due, q.status AS status,
       CASE WHEN q.status = 'done' THEN 'none'
            WHEN q.due IS NULL THEN 'green'
            WHEN q.due < $as_of THEN 'red'
            WHEN q.due <= toString(date($as_of) + duration({days: 30})) THEN 'amber'
            ELSE 'green' END AS rag
ORDER BY q.row
